//! The user's files: everything assure reads from or writes to a disk
//! folder, apart from the command line that asks for it.
//!
//! The pipeline below this crate (`syntax` to `report`) takes bytes and
//! gives findings; this crate is where bytes come from and go to, so that
//! `lint`, `report`, the language server and `xtask` find, read and write
//! files one way:
//!
//! - [`files`]: the one search for proposals (suffixes, links, hidden
//!   folders, the size limit) and their parallel reading;
//! - [`config`] and [`project`]: `assure.toml`, found upward or named, and
//!   the rule packs it and `--pack` select, loaded and checked against each
//!   other ([`project::Sources`] says which);
//! - [`mod@write`]: every file written for a user (exclusive temporary files
//!   renamed into place, folders replaced only if assure wrote them);
//! - [`history`] and [`site`]: `assure report`, the corpus linted, the run
//!   recorded in the history (the store crate) and the site written through a
//!   [`write::Folder`].
//!
//! A failure here is a [`Failure`]: a message, and diagnostics into the
//! file at fault (a pack, `assure.toml`) that the CLI shows as findings.

pub mod config;
pub mod files;
pub mod history;
pub mod notices;
pub mod project;
pub mod site;
pub mod write;

use assure_check::FileReport;

/// Why loading or writing failed: what the run reports with exit status 2.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong.
    pub message: String,
    /// Diagnostics into the files at fault (a rule pack, a config), shown
    /// like findings.
    pub reports: Vec<FileReport>,
}

impl Failure {
    /// A failure with only a message.
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            reports: Vec::new(),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Failure {
        Failure::new(format!("I/O error: {error}"))
    }
}

/// A day written `YYYY-MM-DD`, as `--as-of` and `as-of` take it.
pub fn day(text: &str) -> Result<assure_model::Date, String> {
    let date = assure_model::Date::parse(text)
        .map_err(|e: String| assure_diagnostic::visible(&e).into_owned())?;
    if date.has_day {
        Ok(date)
    } else {
        Err(format!(
            "`{}` is a month: give the day (YYYY-MM-DD)",
            assure_diagnostic::visible(text)
        ))
    }
}

/// Today, in UTC, by the system clock: the one place assure reads it.
pub fn clock_date() -> assure_model::Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    assure_model::Date::from_days(days).unwrap_or(assure_model::Date {
        year: 1970,
        month: 1,
        day: 1,
        has_day: true,
        has_month: true,
    })
}
