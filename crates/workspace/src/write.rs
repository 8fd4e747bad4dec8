//! Writing the user's files: the one way assure does it.
//!
//! Every file assure writes is first created exclusively (`O_EXCL`) under
//! a name nobody can guess (`tempfile`), with its mode set before a byte
//! of text is in it, then filled, synced, and moved into place. Hence:
//!
//! - **no planted link is followed**: an exclusive create refuses a name
//!   that exists, a link included, and a rename replaces a link, never
//!   what it points to;
//! - **a reader sees the old file or the new one**, never half of one;
//! - **a file is replaced only if it is the user's own regular file, not
//!   read-only, and still holds the bytes assure read** ([`replace`]): a
//!   link, another user's file, a protected file, or an edit made while
//!   assure ran is refused by name and left as it is;
//! - **hard links are kept**: a file with several names is rewritten in
//!   place, its old text kept beside it until the new text is whole, so
//!   that every name sees the change;
//! - **a folder is replaced only if assure wrote it** ([`Folder`]): it
//!   carries the list of what assure wrote in it ([`MARKER`]), and assure
//!   deletes nothing that is not on that list.
//!
//! Each function returns why it wrote nothing as a clause to follow the
//! path (`cannot write p.proposal: it is read-only ...`).

use assure_diagnostic::visible;
use std::collections::HashSet;
use std::fs::{File, Metadata, Permissions};
use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Why nothing was written, as a clause about the file.
pub type Refusal = String;

/// Writes `bytes` to `path`, which must not exist: the whole file appears
/// at once or not at all, and an existing name (a link included) is
/// refused, never followed or overwritten.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<(), Refusal> {
    let temporary = filled_beside(path, 0o644, bytes)?;
    temporary.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            "it already exists, and assure never overwrites it".to_owned()
        } else {
            e.error.to_string()
        }
    })?;
    sync_parent(path);
    Ok(())
}

/// Replaces the text of the proposal at `path`, which assure read as
/// `read`, with `text`. Refused, leaving the file as it is, if it is a
/// link, not a regular file, read-only, another user's, gone, or no longer
/// `read`.
pub fn replace(path: &Path, read: &[u8], text: &[u8]) -> Result<(), Refusal> {
    let Some(metadata) = replaceable(path)? else {
        return Err("it was removed while assure was working on it".to_owned());
    };
    write_over(path, &metadata, Some(read), text)
}

/// Writes `bytes` to `path`, creating it or replacing a file of the
/// user's own (a settings file assure keeps: a baseline, a cached page).
/// Refused for a link, anything but a regular file, a read-only file or
/// another user's.
pub fn put(path: &Path, bytes: &[u8]) -> Result<(), Refusal> {
    match replaceable(path)? {
        None => create_new(path, bytes),
        Some(metadata) => write_over(path, &metadata, None, bytes),
    }
}

/// What stands at `path`, if it may be replaced: `None` if nothing does.
fn replaceable(path: &Path) -> Result<Option<Metadata>, Refusal> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    if metadata.file_type().is_symlink() {
        return Err(match std::fs::read_link(path) {
            Ok(target) => format!(
                "it is a symbolic link (to {}); assure writes only regular files: give it the file itself",
                for_people(&target)
            ),
            Err(_) => "it is a symbolic link; assure writes only regular files".to_owned(),
        });
    }
    if !metadata.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    if metadata.permissions().readonly() {
        return Err(format!(
            "it is read-only (mode {:03o}); assure does not write a file you protected",
            metadata.mode() & 0o777
        ));
    }
    Ok(Some(metadata))
}

/// Replaces the regular file at `path` (as `metadata` describes it) with
/// `text`, if it still holds `read` (when given).
fn write_over(
    path: &Path,
    metadata: &Metadata,
    read: Option<&[u8]>,
    text: &[u8],
) -> Result<(), Refusal> {
    let hard_linked = metadata.nlink() > 1;
    // With other names, the file is rewritten in place and this copy
    // keeps its old text until the new one is whole.
    let kept = if hard_linked {
        read.map_or_else(|| read_back(path, u64::MAX), |r| Ok(r.to_vec()))
            .map_err(|e| e.to_string())?
    } else {
        Vec::new()
    };
    let temporary = filled_beside(
        path,
        metadata.mode() & 0o777,
        if hard_linked { &kept } else { text },
    )?;
    let ours = temporary.as_file().metadata().map_err(|e| e.to_string())?;
    if ours.uid() != metadata.uid() {
        return Err(format!(
            "it belongs to another user (uid {}); assure replaces only your own files",
            metadata.uid()
        ));
    }
    if ours.gid() != metadata.gid() {
        // Kept where the user may set it; otherwise the file takes the
        // user's group, as a file saved by an editor does.
        let _ = std::os::unix::fs::fchown(temporary.as_file(), None, Some(metadata.gid()));
    }
    if let Some(read) = read {
        still_holds(path, metadata, read)?;
    }
    if hard_linked {
        rewrite_in_place(path, metadata, text).map_err(|e| match temporary.keep() {
            Ok((_, kept)) => format!(
                "cannot rewrite it in place ({e}); its text before is kept in {}",
                kept.display()
            ),
            Err(_) => format!("cannot rewrite it in place ({e})"),
        })?;
        return Ok(());
    }
    temporary.persist(path).map_err(|e| e.error.to_string())?;
    sync_parent(path);
    Ok(())
}

/// A new file beside `path`, created exclusively with `mode` and holding
/// `bytes`, synced; removed again if dropped.
fn filled_beside(path: &Path, mode: u32, bytes: &[u8]) -> Result<NamedTempFile, Refusal> {
    // Created private (0600), then given its mode exactly (the umask
    // aside) before a byte of text is in it.
    let mut temporary = tempfile::Builder::new()
        .prefix(".assure-")
        .suffix(".tmp")
        .tempfile_in(parent_of(path))
        .map_err(|e| e.to_string())?;
    temporary
        .as_file()
        .set_permissions(Permissions::from_mode(mode))
        .and_then(|()| temporary.write_all(bytes))
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|e| e.to_string())?;
    Ok(temporary)
}

/// `path` as shown to people: control characters made visible.
fn for_people(path: &Path) -> String {
    visible(&path.display().to_string()).into_owned()
}

/// The folder holding `path` (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// A rename is durable once its folder is synced; a folder that cannot be
/// opened to sync is no reason to fail a write that is done.
fn sync_parent(path: &Path) {
    if let Ok(folder) = File::open(parent_of(path)) {
        let _ = folder.sync_all();
    }
}

/// Opens `path` without following a link at its last component.
fn open_no_follow(path: &Path, write: bool) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let access = if write {
        OFlags::WRONLY
    } else {
        OFlags::RDONLY
    };
    let fd = rustix::fs::open(
        path,
        access | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(File::from(fd))
}

/// At most `limit` bytes of the regular file at `path`, not following a
/// link.
fn read_back(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open_no_follow(path, false)?
        .take(limit)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether `path` is still the file `metadata` describes and holds `read`.
fn still_holds(path: &Path, metadata: &Metadata, read: &[u8]) -> Result<(), Refusal> {
    let changed = || {
        "it changed while assure was working on it, so it is left as it now is: run the command again"
            .to_owned()
    };
    let mut file = open_no_follow(path, false).map_err(|_| changed())?;
    let now = file.metadata().map_err(|e| e.to_string())?;
    if now.ino() != metadata.ino() || now.dev() != metadata.dev() {
        return Err(changed());
    }
    let mut bytes = Vec::with_capacity(read.len());
    (&mut file)
        .take(read.len() as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes != read {
        return Err(changed());
    }
    Ok(())
}

/// Writes `text` into the file at `path` itself, which must still be the
/// file `metadata` describes, so that its other names see it.
fn rewrite_in_place(path: &Path, metadata: &Metadata, text: &[u8]) -> io::Result<()> {
    let mut file = open_no_follow(path, true)?;
    let now = file.metadata()?;
    if now.ino() != metadata.ino() || now.dev() != metadata.dev() {
        return Err(io::Error::other("it was replaced by another file"));
    }
    file.write_all(text)?;
    file.set_len(text.len() as u64)?;
    file.sync_all()
}

/// The list of what assure wrote in a folder it replaces whole, kept in
/// the folder.
pub const MARKER: &str = ".assure-site";

const MARKER_HEAD: &str = "# Written by `assure report --html`, which replaces this folder on each run.\n\
# It deletes only what is listed here: anything else in the folder stops it.\n";

/// The largest list of written files read back: a site of a million pages.
const MAX_MARKER_BYTES: u64 = 256 << 20;

/// A folder assure writes whole and replaces whole (the report site).
///
/// [`Folder::begin`] refuses a folder assure did not write (one that is
/// neither absent, empty, nor carrying [`MARKER`] with everything in it
/// listed), before anything is written. The new folder is built beside
/// the old in a hidden folder of a name nobody can guess, then exchanged
/// with it in one step (`renameat2`'s `RENAME_EXCHANGE`), so that a run
/// killed at any point leaves the old folder or the new one whole; the
/// old one is then deleted file by file, each only if it is listed.
/// Folders left by a run that was killed are cleared by the next run in
/// the same way. Runs on one folder take turns (a lock on its parent).
#[derive(Debug)]
pub struct Folder {
    given: PathBuf,
    target: PathBuf,
    parent: PathBuf,
    fresh: PathBuf,
    list: File,
    listed: HashSet<PathBuf>,
    existing: Existing,
    finished: bool,
    _turn: Option<File>,
}

/// What the folder to be replaced is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    Absent,
    Empty,
    Written,
}

impl Folder {
    /// Starts writing a new `target`, refusing (before writing anything)
    /// one that assure did not write.
    pub fn begin(target: &Path) -> Result<Folder, String> {
        let shown = for_people(target);
        let absolute = std::path::absolute(target).map_err(|e| format!("{shown}: {e}"))?;
        let name = absolute
            .file_name()
            .filter(|_| !target.ends_with(".."))
            .ok_or_else(|| format!("{shown} cannot hold the site: name a folder of its own"))?;
        let parent = parent_of(&absolute).to_path_buf();
        std::fs::create_dir_all(&parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        // Two runs into one folder take turns; where a lock cannot be had
        // the run goes on, as before locks.
        let turn = File::open(&parent)
            .ok()
            .filter(|folder| folder.lock().is_ok());
        let existing = inspect(&absolute, &shown)?;
        let prefix = aside_prefix(name);
        clear_left_behind(&parent, &prefix);
        let fresh = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&parent)
            .map_err(|e| format!("cannot create a folder in {}: {e}", parent.display()))?
            .keep();
        let list = File::create_new(fresh.join(MARKER))
            .and_then(|mut list| list.write_all(MARKER_HEAD.as_bytes()).map(|()| list));
        let list = match list {
            Ok(list) => list,
            Err(e) => {
                let _ = std::fs::remove_dir(&fresh);
                return Err(format!("cannot write in {}: {e}", fresh.display()));
            }
        };
        Ok(Folder {
            given: target.to_path_buf(),
            target: absolute,
            parent,
            fresh,
            list,
            listed: HashSet::new(),
            existing,
            finished: false,
            _turn: turn,
        })
    }

    /// The folder being replaced, as it was given.
    pub fn given(&self) -> &Path {
        &self.given
    }

    /// Whether `path` lies inside the folder (as written, or once links in
    /// its existing ancestors are resolved): what is there is replaced.
    pub fn holds(&self, path: &Path) -> bool {
        let Ok(absolute) = std::path::absolute(path) else {
            return false;
        };
        if absolute.starts_with(&self.target) {
            return true;
        }
        let resolved = |p: &Path| {
            p.ancestors()
                .find_map(|a| {
                    let rest = p.strip_prefix(a).ok()?;
                    Some(a.canonicalize().ok()?.join(rest))
                })
                .unwrap_or_else(|| p.to_path_buf())
        };
        resolved(&absolute).starts_with(resolved(&self.target))
    }

    /// Creates the folder `relative` (`/`-separated) in the new folder.
    pub fn dir(&mut self, relative: &str) -> Result<(), String> {
        let path = self.list_entry(&format!("{relative}/"))?;
        std::fs::create_dir(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))
    }

    /// Writes the file `relative` (`/`-separated) of the new folder.
    pub fn file(&mut self, relative: &str, bytes: &[u8]) -> Result<(), String> {
        let path = self.list_entry(relative)?;
        File::create_new(&path)
            .and_then(|mut file| file.write_all(bytes))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// Lists `relative` before it is made, so that a run killed after
    /// making it has listed it.
    fn list_entry(&mut self, relative: &str) -> Result<PathBuf, String> {
        let path = Path::new(relative.trim_end_matches('/'));
        let plain = path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !plain || relative.contains('\n') || path == Path::new(MARKER) {
            return Err(format!("{relative:?} is not a name of the site"));
        }
        self.list
            .write_all(format!("{relative}\n").as_bytes())
            .map_err(|e| format!("cannot write in {}: {e}", self.fresh.display()))?;
        self.listed.insert(PathBuf::from(relative));
        Ok(self.fresh.join(path))
    }

    /// Puts the new folder in place of the old, then deletes what assure
    /// wrote of the old; returns a note for each thing it left there.
    pub fn finish(mut self) -> Result<Vec<String>, String> {
        self.list
            .sync_all()
            .map_err(|e| format!("cannot write in {}: {e}", self.fresh.display()))?;
        std::fs::set_permissions(&self.fresh, Permissions::from_mode(0o755))
            .map_err(|e| format!("cannot open {} to readers: {e}", self.fresh.display()))?;
        let shown = for_people(&self.given);
        if self.existing == Existing::Absent {
            std::fs::rename(&self.fresh, &self.target)
                .map_err(|e| format!("cannot put the new site in {shown}: {e}"))?;
            self.finished = true;
            return Ok(Vec::new());
        }
        let old = self.exchange()?;
        self.finished = true;
        let left = match self.existing {
            Existing::Empty => match std::fs::remove_dir(&old) {
                Ok(()) => Vec::new(),
                Err(_) => vec![PathBuf::from("what was put there during the run")],
            },
            _ => remove_written(&old),
        };
        Ok(if left.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "kept the old site in {}: it holds {}, which assure did not write",
                for_people(&old),
                for_people(&left[0])
            )]
        })
    }

    /// Swaps the new folder with the old in one step, where the file system
    /// can; returns where the old one now is.
    fn exchange(&self) -> Result<PathBuf, String> {
        let shown = for_people(&self.given);
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            match renameat_with(CWD, &self.fresh, CWD, &self.target, RenameFlags::EXCHANGE) {
                Ok(()) => return Ok(self.fresh.clone()),
                Err(e)
                    if e != rustix::io::Errno::INVAL
                        && e != rustix::io::Errno::NOSYS
                        && e != rustix::io::Errno::NOTSUP =>
                {
                    return Err(format!("cannot put the new site in {shown}: {e}"));
                }
                Err(_) => {}
            }
        }
        // Two renames where the file system cannot exchange: a run killed
        // between them leaves the old site aside, under a name the next
        // run clears.
        let name = self.target.file_name().unwrap_or_default();
        let aside = tempfile::Builder::new()
            .prefix(&aside_prefix(name))
            .tempdir_in(&self.parent)
            .map_err(|e| format!("cannot create a folder in {}: {e}", self.parent.display()))?
            .keep();
        std::fs::remove_dir(&aside).map_err(|e| e.to_string())?;
        std::fs::rename(&self.target, &aside)
            .map_err(|e| format!("cannot move the old site {shown} aside: {e}"))?;
        if let Err(e) = std::fs::rename(&self.fresh, &self.target) {
            let _ = std::fs::rename(&aside, &self.target);
            return Err(format!("cannot put the new site in {shown}: {e}"));
        }
        Ok(aside)
    }
}

impl Drop for Folder {
    /// A folder never finished is deleted: all of it was written here.
    fn drop(&mut self) {
        if !self.finished {
            remove_written(&self.fresh);
        }
    }
}

/// What a folder to be replaced is, or why it is refused.
fn inspect(target: &Path, shown: &str) -> Result<Existing, String> {
    let metadata = match std::fs::symlink_metadata(target) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    if metadata.file_type().is_symlink() {
        return Err(format!(
            "{shown} is a symbolic link; the site is written only into a folder of its own"
        ));
    }
    if !metadata.is_dir() {
        return Err(format!("{shown} is not a folder"));
    }
    let listed = read_list(target).map_err(|e| format!("cannot read {shown}/{MARKER}: {e}"))?;
    for entry in walkdir::WalkDir::new(target)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| format!("cannot read {shown}: {e}"))?;
        let relative = entry.path().strip_prefix(target).unwrap_or(entry.path());
        let Some(listed) = &listed else {
            return Err(format!(
                "{shown} is not empty and assure did not write it (it holds {}, and no {MARKER} list): \
                 choose a new or empty folder for the site",
                for_people(relative)
            ));
        };
        if relative == Path::new(MARKER) || is_listed(listed, relative, entry.file_type()) {
            continue;
        }
        return Err(format!(
            "{shown} holds {}, which assure did not write, and each run replaces the folder: \
             move it out, or choose another folder for the site",
            for_people(relative)
        ));
    }
    Ok(if listed.is_some() {
        Existing::Written
    } else {
        Existing::Empty
    })
}

/// Whether `relative` is on `listed` as what it is: a folder listed as
/// one, a regular file as a file; a link never is.
fn is_listed(listed: &HashSet<PathBuf>, relative: &Path, kind: std::fs::FileType) -> bool {
    let Some(text) = relative.to_str() else {
        return false;
    };
    if kind.is_dir() {
        listed.contains(Path::new(&format!("{text}/")))
    } else {
        kind.is_file() && listed.contains(relative)
    }
}

/// The list of what assure wrote in `folder`: `None` if it has none.
fn read_list(folder: &Path) -> io::Result<Option<HashSet<PathBuf>>> {
    let bytes = match read_back(&folder.join(MARKER), MAX_MARKER_BYTES) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let text = String::from_utf8_lossy(&bytes);
    if !text.starts_with(MARKER_HEAD) {
        return Err(io::Error::other(
            "it is not a list assure wrote: leave it to the user",
        ));
    }
    Ok(Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(PathBuf::from)
            .collect(),
    ))
}

/// The start of the names of folders built or set aside beside one named
/// `name` (hidden, and within a file name's length).
fn aside_prefix(name: &std::ffi::OsStr) -> String {
    let name = name.to_string_lossy();
    let mut end = name.len().min(64);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.assure-", &name[..end])
}

/// Clears folders a killed run left beside the site, as far as their
/// lists allow.
fn clear_left_behind(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_folder && entry.file_name().to_string_lossy().starts_with(prefix) {
            remove_written(&entry.path());
        }
    }
}

/// Deletes from `folder` what its list says assure wrote, then the folder
/// if nothing else is in it; returns what was left (relative paths).
fn remove_written(folder: &Path) -> Vec<PathBuf> {
    let listed = read_list(folder).ok().flatten().unwrap_or_default();
    let mut left = Vec::new();
    for entry in walkdir::WalkDir::new(folder)
        .min_depth(1)
        .follow_links(false)
        .contents_first(true)
    {
        let Ok(entry) = entry else {
            left.push(PathBuf::from("a part that could not be read"));
            continue;
        };
        let relative = entry.path().strip_prefix(folder).unwrap_or(entry.path());
        if relative == Path::new(MARKER) {
            continue;
        }
        let written = is_listed(&listed, relative, entry.file_type());
        if entry.file_type().is_dir() {
            // A listed folder that is not empty holds what is already
            // counted as left.
            if !written || std::fs::remove_dir(entry.path()).is_err() && left.is_empty() {
                left.push(relative.to_path_buf());
            }
        } else if !(written && std::fs::remove_file(entry.path()).is_ok()) {
            left.push(relative.to_path_buf());
        }
    }
    if left.is_empty() {
        let _ = std::fs::remove_file(folder.join(MARKER));
        let _ = std::fs::remove_dir(folder);
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn an_edit_made_while_assure_worked_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_with(dir.path(), "p.proposal", "proposal: P\n");
        // Read as "proposal: P\n", then edited by someone else.
        std::fs::write(&path, "proposal: Edited\n").unwrap();
        assert_eq!(
            replace(&path, b"proposal: P\n", b"proposal: Formatted\n"),
            Err("it changed while assure was working on it, so it is left as it now is: run the command again".into())
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "proposal: Edited\n"
        );
        // Nothing but the file is left in the folder.
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        // Replaced by another file of the same text: also not the file read.
        // (The old one kept under another name, so that its inode is not
        // free for the new file to take.)
        let metadata = std::fs::metadata(&path).unwrap();
        std::fs::hard_link(&path, dir.path().join("kept")).unwrap();
        let other = file_with(dir.path(), "other", "proposal: Edited\n");
        std::fs::rename(&other, &path).unwrap();
        assert!(still_holds(&path, &metadata, b"proposal: Edited\n").is_err());
    }

    #[test]
    fn a_file_with_hard_links_is_rewritten_in_place_and_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_with(dir.path(), "p.proposal", "old\n");
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        let other = dir.path().join("same.proposal");
        std::fs::hard_link(&path, &other).unwrap();
        replace(&path, b"old\n", b"new text\n").unwrap();
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "new text\n");
        let metadata = std::fs::metadata(&path).unwrap();
        assert_eq!(metadata.nlink(), 2);
        assert_eq!(metadata.mode() & 0o777, 0o640);
        // The copy of the old text is gone once the new one is whole.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_replaced_file_keeps_its_exact_mode_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        for mode in [0o600, 0o644, 0o664, 0o666] {
            let path = file_with(dir.path(), "p.proposal", "old\n");
            std::fs::set_permissions(&path, Permissions::from_mode(mode)).unwrap();
            replace(&path, b"old\n", b"new\n").unwrap();
            let metadata = std::fs::metadata(&path).unwrap();
            assert_eq!(metadata.mode() & 0o777, mode);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        }
    }

    #[test]
    fn create_new_never_overwrites_nor_follows_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = file_with(dir.path(), "target", "secret\n");
        let link = dir.path().join("new.proposal");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(
            create_new(&link, b"template\n"),
            Err("it already exists, and assure never overwrites it".into())
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "secret\n");
        // A dangling link too: it is a name that exists.
        std::fs::remove_file(&target).unwrap();
        assert!(create_new(&link, b"template\n").is_err());
        assert!(!target.exists());
        let fresh = dir.path().join("fresh.proposal");
        create_new(&fresh, b"template\n").unwrap();
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "template\n");
    }

    #[test]
    fn put_replaces_only_a_regular_file_of_the_users_own() {
        let dir = tempfile::tempdir().unwrap();
        let target = file_with(dir.path(), "target", "secret\n");
        let link = dir.path().join("cache.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let refused = put(&link, b"page\n").unwrap_err();
        assert!(
            refused.starts_with("it is a symbolic link (to "),
            "{refused}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "secret\n");
        let own = file_with(dir.path(), "own.md", "old\n");
        put(&own, b"page\n").unwrap();
        assert_eq!(std::fs::read_to_string(&own).unwrap(), "page\n");
        std::fs::set_permissions(&own, Permissions::from_mode(0o444)).unwrap();
        assert_eq!(
            put(&own, b"again\n"),
            Err("it is read-only (mode 444); assure does not write a file you protected".into())
        );
    }
}
