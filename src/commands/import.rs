//! `assure import ocds FILE --out DIR`: published notices (Open Contracting
//! data) written as proposals, one per procurement (`ocid`), for an
//! assurance team to complete. Each is the text `lint` checks for that
//! procurement, a comment above each field naming the notice and the JSON
//! pointer it came from. A file already there is kept, never overwritten:
//! it may be one the team has completed.

use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_diagnostic::visible;
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `assure import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// What `import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Open Contracting data as Find a Tender publishes it: a release
    /// package, a record package, or JSON Lines (`-` for standard input).
    Ocds(OcdsArgs),
}

/// `assure import ocds`.
#[derive(Debug, Args)]
pub struct OcdsArgs {
    /// The notices.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The folder to write the proposals in (created if missing; never a
    /// link).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Writes a proposal for each procurement.
pub fn run(args: &ImportArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    let ImportSource::Ocds(args) = &args.source;
    if args.file.as_os_str() != "-" {
        exists(&args.file)?;
    }
    let shown = args.file.display().to_string();
    prepare(&args.out)?;
    // The project's packs may add fields, and where notices give them.
    let (checker, _) = context.project()?.into_checker();
    let source = assure_workspace::notices::open(&args.file).map_err(|why| {
        Failure::new(format!(
            "cannot read {}: {}",
            visible(&shown),
            visible(&why)
        ))
    })?;
    let (mut written, mut kept, mut failed) = (0usize, Vec::new(), Vec::new());
    let mut unread = Vec::new();
    let notices = assure_notices::Reader::new(checker.vocabulary());
    // Releases of a procurement on lines apart make one proposal.
    let groups = assure_workspace::notices::groups(source, &shown, &mut unread);
    for item in groups {
        let group = match item {
            Ok(group) => group,
            Err(why) => {
                unread.push(format!(
                    "{}: {}",
                    visible(&shown),
                    visible(&why.to_string())
                ));
                continue;
            }
        };
        let notice = notices.convert(&group);
        let path = args.out.join(file_name(&notice.ocid));
        match assure_workspace::write::create_new(&path, notice.text.as_bytes()) {
            Ok(()) => written += 1,
            Err(_) if std::fs::symlink_metadata(&path).is_ok() => kept.push(path),
            Err(why) => failed.push(format!(
                "cannot write {}: {why}",
                visible(&path.display().to_string())
            )),
        }
    }
    let mut said = String::new();
    for path in &kept {
        let _ = writeln!(
            said,
            "warning: {} is there already: kept as it is (delete it to import it again)",
            visible(&path.display().to_string())
        );
    }
    for line in unread.iter().chain(&failed) {
        let _ = writeln!(said, "error: {line}");
    }
    let _ = writeln!(
        said,
        "wrote {written} proposal{} in {}{}",
        if written == 1 { "" } else { "s" },
        visible(&args.out.display().to_string()),
        if kept.is_empty() {
            String::new()
        } else {
            format!("; {} kept as they were", kept.len())
        }
    );
    write(context.stderr, &said)?;
    // What was not read or not written is lost to the team: the run fails.
    Ok(if unread.is_empty() && failed.is_empty() {
        ExitStatus::Ok
    } else {
        ExitStatus::Failure
    })
}

/// The folder to write in: created if missing; refused if it is a link or
/// not a folder.
fn prepare(out: &Path) -> Result<(), Failure> {
    let shown = visible(&out.display().to_string()).into_owned();
    match std::fs::symlink_metadata(out) {
        Ok(metadata) if metadata.file_type().is_symlink() => Err(Failure::new(format!(
            "{shown} is a link: give the folder itself, which assure never reaches through a link"
        ))),
        Ok(metadata) if !metadata.is_dir() => Err(Failure::new(format!(
            "{shown} is there and is not a folder"
        ))),
        Ok(_) => Ok(()),
        Err(_) => std::fs::create_dir_all(out)
            .map_err(|why| Failure::new(format!("cannot create {shown}: {why}"))),
    }
}

/// A procurement's file: its `ocid`, with any character a file name should
/// not hold (a separator, a dot at the start) as `_`.
fn file_name(ocid: &str) -> String {
    let mut name: String = ocid
        .chars()
        .take(120)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    format!("{name}.proposal")
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn an_ocid_is_a_file_name_that_stays_in_its_folder() {
        assert_eq!(
            file_name("ocds-h6vhtk-0a1001"),
            "ocds-h6vhtk-0a1001.proposal"
        );
        assert_eq!(file_name("../../etc/passwd"), "_._.._etc_passwd.proposal");
        assert_eq!(file_name("a/b\\c"), "a_b_c.proposal");
    }
}
