//! Finding proposal files and reading them, in parallel. This is where the
//! file system is touched; the checker itself only ever sees bytes.

use assure_check::{Checker, FileReport};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The extension of proposal files found in directories.
pub const EXTENSION: &str = "proposal";

/// A file to check, or a place that could not be searched.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The path, as it will be shown.
    pub path: PathBuf,
    /// Why the path could not be listed, if it could not.
    pub error: Option<String>,
    /// Whether the text is standard input (`-`), shown as `path`.
    pub stdin: bool,
}

/// Expands the command line's paths: a file is itself (whatever its
/// extension), a directory is every `*.proposal` below it. The result is
/// sorted by path and without repeats, so that output never depends on the
/// order of the arguments.
/// Places that cannot be listed are kept, with their error, so that they are
/// reported rather than skipped.
pub fn discover(paths: &[PathBuf]) -> Vec<Discovered> {
    let mut found = Vec::new();
    for path in paths {
        if !path.is_dir() {
            found.push(Discovered {
                path: path.clone(),
                error: None,
                stdin: false,
            });
            continue;
        }
        for entry in WalkDir::new(path).follow_links(true).sort_by_file_name() {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_file() && has_extension(entry.path()) {
                        found.push(Discovered {
                            path: entry.into_path(),
                            error: None,
                            stdin: false,
                        });
                    }
                }
                Err(error) => {
                    let at = error.path().map_or_else(|| path.clone(), Path::to_path_buf);
                    let reason = match error.io_error() {
                        Some(io) => io.to_string(),
                        None => error.to_string(),
                    };
                    found.push(Discovered {
                        path: at,
                        error: Some(reason),
                        stdin: false,
                    });
                }
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    found
}

fn has_extension(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == EXTENSION)
}

/// The largest rule pack, configuration or baseline read: they are written
/// by hand, and CI reads them from pull requests.
pub const MAX_SETTINGS_BYTES: u64 = 8 << 20;

/// The largest proposal read unless `--max-file-size` says otherwise, in
/// MiB: several times the largest proposal ever written, and within what
/// assure can model in a few GiB of memory.
pub const DEFAULT_MAX_PROPOSAL_MIB: u64 = 256;

/// The bytes of the regular file at `path`, refusing anything else (a
/// directory, a pipe that would block, a device that never ends) and any
/// file longer than `limit` bytes; `raise` says how the limit is raised,
/// if it can be. Never reads more than `limit + 1` bytes, whatever the file
/// does while it is read.
pub fn read_regular(path: &Path, limit: u64, raise: &str) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err(format!(
            "it is {}, not a regular file",
            file_kind(&metadata)
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(limit, raise));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    read_at_most(file, metadata.len() as usize, limit, raise)
}

/// All of `reader`, refusing more than `limit` bytes: never reads more
/// than `limit + 1`, whatever the source does while it is read.
fn read_at_most(
    reader: impl std::io::Read,
    expected: usize,
    limit: u64,
    raise: &str,
) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(expected);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit, raise));
    }
    Ok(bytes)
}

fn too_large(limit: u64, raise: &str) -> String {
    format!("it is larger than {}, the limit{raise}", mebibytes(limit))
}

/// A rule pack, configuration or baseline, read within
/// [`MAX_SETTINGS_BYTES`].
pub fn read_settings(path: &Path) -> Result<Vec<u8>, String> {
    read_regular(
        path,
        MAX_SETTINGS_BYTES,
        " for rule packs, configurations and baselines",
    )
}

/// A proposal, read within `limit` bytes.
pub fn read_proposal(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    read_regular(path, limit, PROPOSAL_LIMIT)
}

const PROPOSAL_LIMIT: &str = " for proposals (raise it with --max-file-size)";

/// The bytes of standard input, at most `limit`.
pub fn read_stdin(limit: u64) -> Result<Vec<u8>, String> {
    read_at_most(std::io::stdin().lock(), 0, limit, PROPOSAL_LIMIT)
}

fn mebibytes(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    if metadata.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "something else"
}

/// Reads and checks every file, in parallel, keeping the order of `files`.
/// A file that cannot be read gets a SYN003 report; the others are checked.
/// No proposal longer than `limit` bytes is read.
pub fn check_all(checker: &Checker, files: &[Discovered], limit: u64) -> Vec<FileReport> {
    read_all(files, limit, |shown, bytes| match bytes {
        Ok(bytes) => checker.check_owned(shown, bytes),
        Err(reason) => checker.unreadable(shown, &reason),
    })
}

/// A proposal read as text, for a command that rewrites it.
#[derive(Debug)]
pub struct ProposalText {
    /// Where it is.
    pub path: PathBuf,
    /// The path as shown.
    pub shown: String,
    /// Its text.
    pub text: String,
}

/// The proposals under `paths`, in order, each as text or as the error
/// saying why it is not (a place that cannot be listed, a file that cannot
/// be read or is not UTF-8).
pub fn proposal_texts(paths: &[PathBuf], limit: u64) -> Vec<Result<ProposalText, String>> {
    discover(paths)
        .into_iter()
        .map(|file| {
            let shown = file.path.display().to_string();
            let unread = |why: &str| {
                format!(
                    "error: cannot read {}: {why}",
                    assure_diagnostic::visible(&shown)
                )
            };
            if let Some(error) = &file.error {
                return Err(unread(error));
            }
            let bytes = read_proposal(&file.path, limit).map_err(|e| unread(&e))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| unread("it is not UTF-8 text (lint reports it as SYN003)"))?;
            Ok(ProposalText {
                path: file.path,
                shown,
                text,
            })
        })
        .collect()
}

/// Reads every file in parallel and hands its bytes (or why they could not
/// be read) to `each`, keeping the files' order.
pub fn read_all<T: Send>(
    files: &[Discovered],
    limit: u64,
    each: impl Fn(&str, Result<Vec<u8>, String>) -> T + Sync,
) -> Vec<T> {
    files
        .par_iter()
        .map(|file| {
            let shown = file.path.display().to_string();
            let bytes = match &file.error {
                Some(error) => Err(error.clone()),
                None if file.stdin => read_stdin(limit),
                None => read_proposal(&file.path, limit),
            };
            each(&shown, bytes)
        })
        .collect()
}
