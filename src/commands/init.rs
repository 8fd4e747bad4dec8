//! `assure init [PATH]`: a commented starting proposal, never written over
//! an existing file.

use crate::context::Context;
use crate::{ExitStatus, Failure};
use clap::Args;
use std::io::{self, Write};
use std::path::PathBuf;

/// `assure init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(value_name = "PATH", default_value = "new.proposal")]
    pub path: PathBuf,
}

/// The starting proposal.
const TEMPLATE: &str = include_str!("../templates/new.proposal");

/// Writes the starting proposal.
pub fn run(args: &InitArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    let shown = args.path.display();
    // `create_new` refuses an existing file atomically, even one created a
    // moment ago by someone else.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Failure::new(format!(
                "{shown} already exists; assure init never overwrites a file"
            )),
            _ => Failure::new(format!("cannot create {shown}: {e}")),
        })?;
    file.write_all(TEMPLATE.as_bytes())
        .map_err(|e| Failure::new(format!("cannot write {shown}: {e}")))?;
    writeln!(
        context.stdout,
        "wrote {shown}: replace each <<PLACEHOLDER>>, then run `assure lint {shown}` to see what is still missing"
    )?;
    Ok(ExitStatus::Ok)
}
