//! Files of published notices (Open Contracting data) checked a batch of
//! procurements at a time: each `ocid` converted to a proposal
//! (`assure_notices`) and checked on every core while the next batch is
//! read and the last one written, so that a year of notices is checked in
//! the memory of a few batches.

use assure_check::{Checker, FileReport};
use assure_diagnostic::visible;
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek as _};
use std::path::Path;
use std::sync::Arc;

/// Procurements checked together (or fewer, holding as many releases):
/// enough for every core, few enough that a batch's reports are small
/// beside a file of notices.
pub const BATCH: usize = 256;

/// What a file of notices gave.
#[derive(Debug, Default)]
pub struct Read {
    /// The procurements checked.
    pub procurements: usize,
    /// What could not be read, each `FILE: line N: why`.
    pub unread: Vec<String>,
}

/// The name a procurement's report goes by: the file and its `ocid`.
pub fn report_path(shown: &str, ocid: &str) -> String {
    format!("{shown}#{ocid}")
}

/// Opens `path` (a regular file, or standard input as `-`) for reading
/// twice: standard input is first copied to a file of its own, which no
/// name reaches and which goes when it is closed.
pub fn open(path: &Path) -> Result<File, String> {
    if path.as_os_str() == "-" {
        let mut spool = tempfile::tempfile().map_err(|e| format!("no room to hold it: {e}"))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut spool).map_err(|e| e.to_string())?;
        spool.rewind().map_err(|e| e.to_string())?;
        return Ok(spool);
    }
    let file = File::open(path).map_err(|e| e.to_string())?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".into());
    }
    Ok(file)
}

/// The groups of `file`, the releases of a procurement on lines apart
/// joined: the file is read once for where they are, then again from its
/// start. What cannot be read again is said in `unread`.
pub fn groups(
    file: File,
    shown: &str,
    unread: &mut Vec<String>,
) -> assure_notices::Groups<BufReader<File>> {
    let apart = assure_notices::apart(BufReader::with_capacity(1 << 20, &file));
    let again = (&file).rewind().and_then(|()| file.try_clone());
    let said = |e: std::io::Error| format!("{}: cannot be read again: {e}", visible(shown));
    match again {
        Ok(reread) => assure_notices::groups(BufReader::with_capacity(1 << 20, file))
            .joining(apart, Box::new(ReadAt(reread))),
        Err(e) => {
            unread.push(said(e));
            assure_notices::groups(BufReader::new(file))
        }
    }
}

/// A file read at a place without moving its cursor, which the reading
/// in order owns.
struct ReadAt(File);

impl assure_notices::Reread for ReadAt {
    fn read_at(&self, start: u64, into: &mut [u8]) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.0, into, start)
    }
}

/// Checks every procurement of `file` (shown as `shown`), the releases of
/// one on lines apart joined (see [`groups`]), handing each batch's
/// reports, in the file's order, to `each`.
///
/// Three stages run at once, a batch apart: the next batch is read (its
/// JSON parsed) on a thread of its own while this one is checked on every
/// core and the last one's reports are handed to `each` on the calling
/// thread. The channels between them hold no batch of their own (each
/// hands one over only when the next stage takes it), so memory is a few
/// batches whatever the file's length. An error from `each` stops the
/// reading too.
pub fn check(
    checker: &Checker,
    file: File,
    shown: &str,
    mut each: impl FnMut(Vec<FileReport>) -> std::io::Result<()>,
) -> std::io::Result<Read> {
    use std::sync::mpsc::sync_channel;
    std::thread::scope(|scope| {
        let (to_check, batches) = sync_channel::<Vec<assure_notices::Group>>(0);
        let (to_write, reports_checked) = sync_channel::<Vec<FileReport>>(0);
        let reader = scope.spawn(move || read_batches(file, shown, &to_check));
        scope.spawn(move || {
            let notices = assure_notices::Reader::new(checker.vocabulary());
            for batch in batches {
                let reports: Vec<FileReport> = batch
                    .par_iter()
                    .map(|group| checked(checker, &notices, shown, group))
                    .collect();
                if to_write.send(reports).is_err() {
                    // The writer stopped: so does the checking, and, its
                    // channel dropped, the reading.
                    break;
                }
            }
        });
        let mut written = Ok(());
        for reports in reports_checked.iter() {
            if let Err(error) = each(reports) {
                written = Err(error);
                break;
            }
        }
        // Dropped before the reader is joined, so that a checker blocked
        // on sending to a writer that stopped is released.
        drop(reports_checked);
        let read = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.map(|()| read)
    })
}

/// Reads `file` a batch of procurements at a time, sending each batch
/// on, until the file ends or the receiver is gone.
fn read_batches(
    file: File,
    shown: &str,
    to_check: &std::sync::mpsc::SyncSender<Vec<assure_notices::Group>>,
) -> Read {
    let mut read = Read::default();
    let mut groups = groups(file, shown, &mut read.unread).peekable();
    while groups.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        let mut releases = 0;
        for item in groups.by_ref() {
            match item {
                Ok(group) => {
                    releases += group.releases.len();
                    batch.push(group);
                    // Procurements joined from lines apart hold several
                    // releases each: a batch holds about as many releases
                    // as procurements of one each.
                    if batch.len() == BATCH || releases >= BATCH {
                        break;
                    }
                }
                Err(unread) => read.unread.push(format!(
                    "{}: {}",
                    visible(shown),
                    visible(&unread.to_string())
                )),
            }
        }
        read.procurements += batch.len();
        if !batch.is_empty() && to_check.send(batch).is_err() {
            // The checking stopped: nothing more is wanted.
            break;
        }
    }
    read
}

/// The `ocid` a proposal read from notices gives in its header: the value
/// of the header field the vocabulary reads from a release's `/ocid`
/// first.
pub fn ocid_of(vocabulary: &assure_vocab::Vocabulary, text: &str) -> Option<String> {
    let key = vocabulary.notices().fields.iter().find_map(|field| {
        let def = vocabulary.field(field.field);
        (def.owner == assure_vocab::Owner::Section(assure_vocab::HEADER)
            && field.at.first().is_some_and(|pointer| pointer == "/ocid"))
        .then(|| def.name.clone())
    })?;
    text.lines()
        .take_while(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix(&key)?.strip_prefix(':'))
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The report of the procurement `ocid` in `source` (shown as `shown`),
/// read until it is found; none if it is not there.
pub fn find(
    checker: &Checker,
    source: impl BufRead,
    shown: &str,
    ocid: &str,
) -> Result<Option<FileReport>, String> {
    let mut found: Option<assure_notices::Group> = None;
    for item in assure_notices::groups(source) {
        match item {
            Ok(group) if group.ocid == ocid => match &mut found {
                // Releases of one ocid on lines apart are joined here.
                Some(known) => known.releases.extend(group.releases),
                None => found = Some(group),
            },
            Ok(_) => {}
            Err(unread) => {
                return Err(format!(
                    "{}: {}",
                    visible(shown),
                    visible(&unread.to_string())
                ));
            }
        }
    }
    let notices = assure_notices::Reader::new(checker.vocabulary());
    Ok(found.map(|group| checked(checker, &notices, shown, &group)))
}

/// A procurement of the file `shown`, converted and checked, each line
/// placed in its notices.
fn checked(
    checker: &Checker,
    notices: &assure_notices::Reader<'_>,
    shown: &str,
    group: &assure_notices::Group,
) -> FileReport {
    let notice = notices.convert(group);
    let mut report = checker.check_notice(&report_path(shown, &notice.ocid), notice.text);
    report.places = Some(Arc::new(notice.places));
    report
}
