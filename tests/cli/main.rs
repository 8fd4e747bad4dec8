//! Integration tests: the built `assure` binary run as a user would run it,
//! asserting its exact output and exit status.
//!
//! One test binary (as ripgrep does), with small helpers: [`assure`] runs
//! the binary in the repository root with colour off, and [`Run`] holds what
//! it printed.

mod bad_input;
mod baseline;
mod config;
mod diff;
mod docs;
mod documents;
mod fix;
mod hostile;
mod lint;
mod lsp;
mod notices;
mod packs;
mod report;
mod rules;
mod sarif;
mod silent;
mod tidy;
mod writes;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    /// Standard output, decoded lossily.
    pub stdout: String,
    /// Standard error, decoded lossily.
    pub stderr: String,
    /// The exit status; -1 if killed by a signal.
    pub status: i32,
}

/// The repository root, where `fixtures/` is.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `assure` with `args` in `dir`, colour off and `NO_COLOR` unset.
pub fn assure_in(dir: &Path, args: &[&str]) -> Run {
    assure_with(dir, args, &[])
}

/// Runs `assure` with `args` in `dir` and extra environment variables.
pub fn assure_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_assure"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .envs(env.iter().copied())
        .output()
        .expect("the assure binary runs");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        status: output.status.code().unwrap_or(-1),
    }
}

/// Runs `assure` with `args` in the repository root.
pub fn assure(args: &[&str]) -> Run {
    assure_in(&root(), args)
}

/// Every `*.proposal` below `dir`.
pub fn proposals(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            proposals(&path, out);
        } else if path.extension().is_some_and(|e| e == "proposal") {
            out.push(path);
        }
    }
}

/// Human output with each wrapped message joined back onto one line.
pub fn unwrapped(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        match line.trim_start().strip_prefix("│ ") {
            Some(rest) => {
                out.push(' ');
                out.push_str(rest);
            }
            None => {
                out.push('\n');
                out.push_str(line);
            }
        }
    }
    out
}

/// Asserts a run's exit status, showing its output when it differs.
#[macro_export]
macro_rules! assert_status {
    ($run:expr, $status:expr) => {{
        let run = &$run;
        assert_eq!(
            run.status, $status,
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            run.stdout, run.stderr
        );
    }};
}
