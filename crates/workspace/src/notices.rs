//! Files of published notices (Open Contracting data) checked a batch of
//! procurements at a time: each `ocid` converted to a proposal
//! (`assure_notices`) and checked on every core, the batch handed on
//! before the next is read, so that a year of notices is checked in the
//! memory of a batch.

use assure_check::{Checker, FileReport};
use assure_diagnostic::visible;
use rayon::prelude::*;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

/// Procurements checked together: enough for every core, few enough that
/// a batch's reports are small beside a file of notices.
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

/// Opens `path` (a regular file, or standard input as `-`) for reading.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, String> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            std::io::stdin(),
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".into());
    }
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
}

/// Checks every procurement of `source` (shown as `shown`), handing each
/// batch's reports, in the file's order, to `each`.
pub fn check(
    checker: &Checker,
    source: impl BufRead,
    shown: &str,
    mut each: impl FnMut(Vec<FileReport>) -> std::io::Result<()>,
) -> std::io::Result<Read> {
    let mut read = Read::default();
    let mut groups = assure_notices::groups(source).peekable();
    let vocabulary = checker.vocabulary();
    while groups.peek().is_some() {
        let mut batch = Vec::with_capacity(BATCH);
        for item in groups.by_ref() {
            match item {
                Ok(group) => {
                    batch.push(group);
                    if batch.len() == BATCH {
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
        let reports: Vec<FileReport> = batch
            .par_iter()
            .map(|group| {
                let notice = assure_notices::convert(group, vocabulary);
                let mut report = checker
                    .check_owned(&report_path(shown, &notice.ocid), notice.text.into_bytes());
                report.places = Some(Arc::new(notice.places));
                report
            })
            .collect();
        each(reports)?;
    }
    Ok(read)
}
