//! Finding proposal files and reading them, in parallel. This is where the
//! file system is touched; the checker itself only ever sees bytes.

use assure_check::{Checker, FileReport};
use assure_diagnostic::place::Places;
use assure_diagnostic::visible;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// The extension of proposal files found in directories.
pub const EXTENSION: &str = "proposal";

/// A file to check, or a place that could not be searched.
#[derive(Debug, Clone)]
pub struct Discovered {
    /// The path, as it will be shown.
    pub path: PathBuf,
    /// Why the path could not be listed or may not be read, if so.
    pub error: Option<String>,
    /// Whether the text is standard input (`-`), shown as `path`.
    pub stdin: bool,
    /// Where the bytes are read from, and whether a link there is
    /// followed: only for a path named on the command line.
    source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// Named on the command line: read as named, links followed.
    Named,
    /// Found in a folder: read without following a link.
    Found,
    /// A link found in a folder, to this file inside the same folder:
    /// read there, without following a link.
    Through(PathBuf),
}

impl Discovered {
    fn new(path: PathBuf, source: Source) -> Discovered {
        Discovered {
            path,
            error: None,
            stdin: false,
            source,
        }
    }

    fn unreadable(path: PathBuf, error: String) -> Discovered {
        Discovered {
            error: Some(error),
            ..Discovered::new(path, Source::Found)
        }
    }

    /// Standard input, shown as `shown`.
    pub fn stdin(shown: PathBuf) -> Discovered {
        Discovered {
            stdin: true,
            ..Discovered::new(shown, Source::Named)
        }
    }

    /// The file a link found in a folder leads to, if it is one.
    pub fn link_target(&self) -> Option<&Path> {
        match &self.source {
            Source::Through(target) => Some(target),
            _ => None,
        }
    }

    /// Its bytes, at most `limit`.
    pub fn read(&self, limit: u64) -> Result<Vec<u8>, String> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.stdin {
            return read_stdin(limit);
        }
        match &self.source {
            Source::Named => read_file(&self.path, limit, PROPOSAL_LIMIT, Follow::Yes),
            Source::Found => read_file(&self.path, limit, PROPOSAL_LIMIT, Follow::No),
            Source::Through(target) => read_file(target, limit, PROPOSAL_LIMIT, Follow::No),
        }
    }
}

/// The proposals found under the command line's paths, and notes on what
/// was passed over.
#[derive(Debug, Default)]
pub struct Found {
    /// The files, sorted by path and without repeats.
    pub files: Vec<Discovered>,
    /// What was not followed, and why (a link to a folder outside the
    /// folder searched), for the user to see.
    pub notes: Vec<String>,
    /// Folders given that hold no proposal: a renamed or emptied folder
    /// must not pass for a clean one.
    pub empty: Vec<PathBuf>,
}

impl Found {
    /// Why each folder given that holds no proposal fails the run.
    pub fn empty_errors(&self) -> Vec<String> {
        self.empty
            .iter()
            .map(|folder| {
                format!(
                    "no *.{EXTENSION} file in {}: a folder given must hold proposals (a renamed or emptied folder is not a clean one)",
                    visible(&folder.display().to_string())
                )
            })
            .collect()
    }

    /// Writes the notes to `out` as warnings.
    pub fn warn(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        for note in &self.notes {
            writeln!(out, "warning: {note}")?;
        }
        Ok(())
    }
}

/// Expands the command line's paths: the one way `lint`, `fmt`, `fix`,
/// `report`, `rules test` and the language server find proposals.
///
/// - A path that is not a folder is itself, whatever its extension, and a
///   link named so is followed: the user chose it.
/// - A folder is every `*.proposal` below it, found without following
///   links. A link in it to a `*.proposal` file inside the same folder is
///   read there; a link to a file outside it is not read, and is reported
///   (a pull request can add `x.proposal -> ~/.env`); a link to a folder
///   is not followed (one inside is searched as itself; one outside gets a
///   note).
///
/// The result is sorted by path and without repeats, so that output never
/// depends on the order of the arguments. Places that cannot be listed are
/// kept, with their error, so that they are reported rather than skipped.
pub fn discover(paths: &[PathBuf]) -> Found {
    let mut found = Found::default();
    for path in paths {
        if path.is_dir() {
            let before = found.files.len();
            search(path, &mut found);
            if found.files.len() == before {
                found.empty.push(path.clone());
            }
        } else {
            found
                .files
                .push(Discovered::new(path.clone(), Source::Named));
        }
    }
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    found.files.dedup_by(|a, b| a.path == b.path);
    found
}

/// Every `*.proposal` under the folder `root`, links not followed out of it.
fn search(root: &Path, found: &mut Found) {
    let inside = root.canonicalize().ok();
    for entry in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let at = error
                    .path()
                    .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
                let reason = match error.io_error() {
                    Some(io) => io.to_string(),
                    None => error.to_string(),
                };
                found.files.push(Discovered::unreadable(at, reason));
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_file() && has_extension(entry.path()) {
            found
                .files
                .push(Discovered::new(entry.into_path(), Source::Found));
        } else if kind.is_symlink() {
            link(entry.into_path(), root, inside.as_deref(), found);
        }
    }
}

/// A link found in the folder `root` (`inside` once resolved).
fn link(path: PathBuf, root: &Path, inside: Option<&Path>, found: &mut Found) {
    let shown = |p: &Path| visible(&p.display().to_string()).into_owned();
    let target = match path.canonicalize() {
        Ok(target) => target,
        Err(error) => {
            if has_extension(&path) {
                let reason = format!("it is a link that leads to nothing readable ({error})");
                found.files.push(Discovered::unreadable(path, reason));
            }
            return;
        }
    };
    let within = inside.is_some_and(|inside| target.starts_with(inside));
    if target.is_dir() {
        if !within {
            found.notes.push(format!(
                "not searched: {} is a link to a folder outside {} ({}); name that folder to check what is in it",
                shown(&path),
                shown(root),
                shown(&target)
            ));
        }
    } else if has_extension(&path) {
        if within {
            found
                .files
                .push(Discovered::new(path, Source::Through(target)));
        } else {
            let reason = format!(
                "it is a link to a file outside {} ({}); assure reads only proposals inside the folders it is given: name the file itself to read it",
                shown(root),
                shown(&target)
            );
            found.files.push(Discovered::unreadable(path, reason));
        }
    }
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
/// does while it is read. A link is followed.
pub fn read_regular(path: &Path, limit: u64, raise: &str) -> Result<Vec<u8>, String> {
    read_file(path, limit, raise, Follow::Yes)
}

/// Whether a link at a path's last component is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Follow {
    Yes,
    No,
}

/// [`read_regular`], following a link or not. The file is opened without
/// blocking (a pipe opened to read waits for a writer) and judged by what
/// was opened, so that nothing swapped in after a look at the path is
/// read.
fn read_file(path: &Path, limit: u64, raise: &str, follow: Follow) -> Result<Vec<u8>, String> {
    use rustix::fs::{Mode, OFlags};
    // A look before opening: opening some devices does something.
    let looked = match follow {
        Follow::Yes => std::fs::metadata(path),
        Follow::No => std::fs::symlink_metadata(path),
    }
    .map_err(|e| e.to_string())?;
    if looked.file_type().is_symlink() {
        return Err("it is a symbolic link, which assure does not follow here".to_owned());
    }
    if !looked.is_file() {
        return Err(format!("it is {}, not a regular file", file_kind(&looked)));
    }
    let mut flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK;
    if follow == Follow::No {
        flags |= OFlags::NOFOLLOW;
    }
    let file = std::fs::File::from(
        rustix::fs::open(path, flags, Mode::empty())
            .map_err(|e| std::io::Error::from(e).to_string())?,
    );
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err(format!(
            "it is {}, not a regular file",
            file_kind(&metadata)
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(limit, raise));
    }
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

/// A proposal named on the command line, read within `limit` bytes.
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

/// What [`check_all`] gives: a report per file, and the documents that
/// could not be read as proposals (an encrypted Word file, a `.doc`), each
/// with why: the run fails for them (status 2), as for a bad argument.
pub struct Checked {
    /// A report per file, in order (a refused document's says why, as
    /// SYN003).
    pub reports: Vec<FileReport>,
    /// `cannot read FILE: why`, for each document refused.
    pub refused: Vec<String>,
}

/// Reads and checks every file, in parallel, keeping the order of `files`.
/// A file that cannot be read gets a SYN003 report; a document (a Word
/// file) is converted first ([`as_proposal`]); the others are checked. No
/// proposal longer than `limit` bytes is read.
pub fn check_all(
    checker: &Checker,
    files: &[Discovered],
    limit: u64,
    register: Option<&Register>,
) -> Checked {
    let outcomes = read_all(files, limit, |shown, bytes| match bytes {
        Ok(bytes) => {
            let read = (|| {
                let cannot = |why: &dyn std::fmt::Display| {
                    (
                        why.to_string(),
                        format!("cannot read {}: {why}", visible(shown)),
                    )
                };
                let (text, places) =
                    as_proposal(shown, bytes, checker.vocabulary()).map_err(|r| cannot(&r))?;
                with_register(checker, Path::new(shown), text, places, register, limit)
            })();
            match read {
                Ok((text, places)) => {
                    let mut report = checker.check_owned(shown, text);
                    report.places = places;
                    (report, None)
                }
                Err((why, refused)) => (checker.unreadable(shown, &why), Some(refused)),
            }
        }
        Err(reason) => (checker.unreadable(shown, &reason), None),
    });
    let mut checked = Checked {
        reports: Vec::with_capacity(outcomes.len()),
        refused: Vec::new(),
    };
    for (report, refused) in outcomes {
        checked.reports.push(report);
        checked.refused.extend(refused);
    }
    checked
}

/// A register of interests given with the proposals (`--register`): its
/// sheet, and its name as given.
pub struct Register {
    /// Its rows.
    pub sheet: assure_documents::register::Sheet,
    /// The file, as shown.
    pub shown: String,
}

impl Register {
    /// Reads the register at `path` (a `.csv`, `.xlsx` or `.ods`).
    pub fn read(path: &Path, limit: u64) -> Result<Register, String> {
        let shown = visible(&path.display().to_string()).into_owned();
        let Some(assure_documents::Kind::Register(format)) =
            assure_documents::Kind::of(&path.display().to_string())
        else {
            return Err(format!(
                "{shown} is not a register assure reads (a .csv, .xlsx or .ods with a row per interest)"
            ));
        };
        let bytes = read_proposal(path, limit).map_err(|e| format!("cannot read {shown}: {e}"))?;
        let sheet = assure_documents::register::read(format, &bytes, &path.display().to_string())
            .map_err(|why| format!("cannot read {shown}: {why}"))?;
        Ok(Register { sheet, shown })
    }
}

/// The register a proposal names in its header (the vocabulary's `[files]
/// register`), read from its folder: a relative path, inside the folder
/// (no `..`, no link out of it), to a `.csv`, `.xlsx` or `.ods`. A
/// proposal from a pull request can name a file, so it is read under the
/// rules a configuration's packs are.
fn named_register(
    checker: &Checker,
    model: &assure_model::Model<'_>,
    proposal: &Path,
    limit: u64,
) -> Result<Option<Register>, String> {
    let Some(key) = checker.vocabulary().register_field() else {
        return Ok(None);
    };
    let vocabulary = checker.vocabulary();
    let Some(value) = model
        .section_fields(assure_vocab::HEADER)
        .iter()
        .find(|f| vocabulary.field(f.field).name == key)
        .and_then(|f| match &f.value {
            assure_model::Value::Text(text) => Some(text.trim().to_owned()),
            _ => None,
        })
    else {
        return Ok(None);
    };
    let shown = visible(&proposal.display().to_string()).into_owned();
    let refuse = |why: &str| {
        format!(
            "{shown} names the register `{}` (`{key}:`), which {why}",
            visible(&value)
        )
    };
    let relative = Path::new(&value);
    let inside = relative
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if value.is_empty() || !inside {
        return Err(refuse(
            "is not a path inside the proposal's folder: name it relative to the proposal, without `..`",
        ));
    }
    if !matches!(
        assure_documents::Kind::of(&value),
        Some(assure_documents::Kind::Register(_))
    ) {
        return Err(refuse("is not a .csv, .xlsx or .ods"));
    }
    let folder = proposal.parent().unwrap_or(Path::new("."));
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let path = folder.join(relative);
    let (Ok(real_folder), Ok(real_path)) = (folder.canonicalize(), path.canonicalize()) else {
        return Err(refuse("does not exist beside it"));
    };
    if !real_path.starts_with(&real_folder) {
        return Err(refuse(
            "leads out of the proposal's folder (a link): it is not read",
        ));
    }
    Register::read(&path, limit)
        .map(Some)
        .map_err(|why| refuse(&format!("cannot be read: {why}")))
}

/// Why a file was not read: the reason its report gives (SYN003), and the
/// line that fails the run.
type Unread = (String, String);

/// A proposal's text with a register's section after it (`given`, else
/// the one its header names), so that its interests reach the people the
/// proposal names: an interest in an organisation the proposal names is a
/// reference, any other is read as prose. The proposal's own lines keep
/// their numbers.
fn with_register(
    checker: &Checker,
    proposal: &Path,
    text: Vec<u8>,
    places: Option<Arc<Places>>,
    given: Option<&Register>,
    limit: u64,
) -> Result<(Vec<u8>, Option<Arc<Places>>), Unread> {
    let vocabulary = checker.vocabulary();
    let Ok(written) = std::str::from_utf8(&text) else {
        // Not UTF-8: SYN003, and nothing to add to.
        return Ok((text, places));
    };
    // Modelled (once, for the register it names and the names it gives)
    // only where there is a register: given, or its key written at all.
    let names_one = vocabulary
        .register_field()
        .is_some_and(|key| written.contains(&format!("{key}:")));
    if given.is_none() && !names_one {
        return Ok((text, places));
    }
    let modelled = checker.model(written);
    let model = &modelled.model;
    let named = match given {
        Some(_) => None,
        None => {
            named_register(checker, model, proposal, limit).map_err(|why| (why.clone(), why))?
        }
    };
    let Some(register) = given.or(named.as_ref()) else {
        drop(modelled);
        return Ok((text, places));
    };
    let names: std::collections::HashSet<String> = model
        .entity_ids()
        .map(|id| assure_vocab::fold(model.entity(id).name))
        .collect();
    let mut merged = written.to_owned();
    if !merged.is_empty() && !merged.ends_with('\n') {
        merged.push('\n');
    }
    merged.push('\n');
    let laid = assure_documents::register::lay_out(
        &register.sheet,
        vocabulary,
        &|name| names.contains(&assure_vocab::fold(name)),
        merged.len() as u32,
    )
    .map_err(|why| {
        let shown = visible(&proposal.display().to_string()).into_owned();
        (why.to_string(), format!("cannot read {shown}: {why}"))
    })?;
    merged.push_str(&laid.text);
    let mut all = places.map(|p| (*p).clone()).unwrap_or_default();
    all.extend(laid.places);
    Ok((merged.into_bytes(), Some(Arc::new(all))))
}

/// A file's bytes as a proposal's: themselves, or for a document a
/// name's suffix says is one (`.docx`), its conversion to the text format
/// and each line's place in it.
pub fn as_proposal(
    shown: &str,
    bytes: Vec<u8>,
    vocabulary: &assure_vocab::Vocabulary,
) -> Result<(Vec<u8>, Option<Arc<Places>>), assure_documents::Refusal> {
    match assure_documents::Kind::of(shown) {
        None => Ok((bytes, None)),
        Some(kind) => {
            let converted = assure_documents::convert_file(kind, shown, &bytes, vocabulary)?;
            Ok((
                converted.text.into_bytes(),
                Some(Arc::new(converted.places)),
            ))
        }
    }
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
/// be read or is not UTF-8), for a command that rewrites them; and what
/// the search passed over. A link in a folder to a proposal found there
/// too is left out: the proposal is rewritten as itself.
pub fn proposal_texts(paths: &[PathBuf], limit: u64) -> (Vec<Result<ProposalText, String>>, Found) {
    let mut found = discover(paths);
    let files = std::mem::take(&mut found.files);
    let itself: std::collections::HashSet<PathBuf> = files
        .iter()
        .filter(|f| f.source == Source::Found)
        .filter_map(|f| f.path.canonicalize().ok())
        .collect();
    let texts = files
        .into_iter()
        .filter(|file| {
            !file
                .link_target()
                .is_some_and(|target| itself.contains(target))
        })
        .map(|file| {
            let shown = file.path.display().to_string();
            let unread = |why: &str| {
                format!(
                    "error: cannot read {}: {why}",
                    visible(&shown)
                )
            };
            if assure_documents::Kind::of(&shown).is_some() {
                return Err(unread(
                    "it is a Word document: this command rewrites proposals in the text format (`assure convert` writes one as text)",
                ));
            }
            if assure_notices::is_notices(&shown) {
                return Err(unread(
                    "it is a file of published notices: this command rewrites proposals in the text format (`assure import ocds` writes a proposal for each procurement)",
                ));
            }
            let bytes = file.read(limit).map_err(|e| unread(&e))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| unread("it is not UTF-8 text (lint reports it as SYN003)"))?;
            Ok(ProposalText {
                path: file.path,
                shown,
                text,
            })
        })
        .collect();
    (texts, found)
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
        .map(|file| each(&file.path.display().to_string(), file.read(limit)))
        .collect()
}
