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

/// Reads and checks every file, in parallel, keeping the order of `files`.
/// A file that cannot be read gets a SYN003 report; the others are checked.
pub fn check_all(checker: &Checker, files: &[Discovered]) -> Vec<FileReport> {
    read_all(files, |shown, bytes| match bytes {
        Ok(bytes) => checker.check_owned(shown, bytes),
        Err(reason) => checker.unreadable(shown, &reason),
    })
}

/// Reads every file in parallel and hands its bytes (or why they could not
/// be read) to `each`, keeping the files' order.
pub fn read_all<T: Send>(
    files: &[Discovered],
    each: impl Fn(&str, Result<Vec<u8>, String>) -> T + Sync,
) -> Vec<T> {
    files
        .par_iter()
        .map(|file| {
            let shown = file.path.display().to_string();
            let bytes = match &file.error {
                Some(error) => Err(error.clone()),
                None => std::fs::read(&file.path).map_err(|e| e.to_string()),
            };
            each(&shown, bytes)
        })
        .collect()
}
