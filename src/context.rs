//! What every command runs in: where it writes, the options every command
//! takes (colour decided, paths checked to exist), and the project (its
//! configuration and rule packs), loaded only when a command asks for it,
//! so that a command that needs none (`init`, `explain SYN001`) never
//! reads them.

use crate::Failure;
use crate::cli::{ColorChoice, CommonOptions};
use assure_report::human::HumanOptions;
use assure_workspace::day;
use assure_workspace::project::{Project, Sources};
use std::io::Write;
use std::path::Path;

/// The environment the arguments are judged in.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// Whether `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// The width human output wraps at: `COLUMNS` if set, else the
    /// terminal's, else 100.
    pub width: usize,
}

impl Environment {
    /// The width to wrap at, from `COLUMNS` (as set) or the terminal's
    /// width (when stdout is one).
    pub fn width(columns: Option<&str>, terminal: Option<usize>) -> usize {
        columns
            .and_then(|c| c.trim().parse::<usize>().ok())
            .or(terminal)
            .filter(|w| *w >= 20)
            .unwrap_or(100)
            .min(400)
    }
}

/// The options every command takes, validated.
#[derive(Debug, Clone)]
pub struct Common {
    /// Whether to colour human output.
    pub color: bool,
    /// Findings only.
    pub quiet: bool,
    /// Where the project's configuration and packs come from.
    pub sources: Sources,
    /// The largest proposal read, in bytes.
    pub max_proposal_bytes: u64,
    /// The width human output wraps at.
    pub width: usize,
}

impl Common {
    /// Validates the raw options.
    pub fn validate(raw: CommonOptions, environment: &Environment) -> Result<Common, Failure> {
        for pack in &raw.packs {
            match pack.to_str() {
                Some(name) if assure_rules::names_builtin(name) => {}
                // A bare word that is no file is a misspelt pack name.
                Some(name) if assure_rules::is_bare_name(name) && !pack.exists() => {
                    assure_workspace::project::builtin(name)?;
                }
                _ => {
                    exists(pack)?;
                }
            }
        }
        if let Some(config) = &raw.config {
            exists(config)?;
        }
        let as_of = match &raw.as_of {
            Some(text) => Some(day(text).map_err(|e| Failure::new(format!("--as-of: {e}")))?),
            None => None,
        };
        let color = match raw.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => environment.stdout_is_terminal && !environment.no_color,
        };
        Ok(Common {
            color,
            quiet: raw.quiet,
            sources: Sources {
                packs: raw.packs,
                config: raw.config,
                max_steps: raw.max_steps,
                as_of,
            },
            max_proposal_bytes: raw.max_file_size.saturating_mul(1 << 20),
            width: environment.width,
        })
    }
}

/// Where a command writes, its options, and the project when it asks.
pub struct Context<'o> {
    /// Standard output.
    pub stdout: &'o mut dyn Write,
    /// Standard error.
    pub stderr: &'o mut dyn Write,
    /// The options every command takes.
    pub common: Common,
}

impl<'o> Context<'o> {
    /// A context writing to `stdout` and `stderr`.
    pub fn new(stdout: &'o mut dyn Write, stderr: &'o mut dyn Write, common: Common) -> Self {
        Context {
            stdout,
            stderr,
            common,
        }
    }

    /// The project: `assure.toml` and the rule packs, loaded and checked
    /// against each other. A command asks once, and only if it needs them.
    pub fn project(&self) -> Result<Project, Failure> {
        Project::load(&self.common.sources)
    }

    /// How human output is rendered.
    pub fn human(&self) -> HumanOptions {
        HumanOptions {
            color: self.common.color,
            quiet: self.common.quiet,
            width: self.common.width,
        }
    }
}

/// A path argument must name something; one that cannot be *read* is a
/// finding (SYN003) later, one that does not exist is a bad argument now.
pub fn exists(path: &Path) -> Result<&Path, Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Err(Failure::new(format!(
            "no such file or directory: {}",
            path.display()
        ))),
        Err(error) => Err(Failure::new(format!(
            "cannot access {}: {error}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::Environment;

    #[test]
    fn width_is_columns_then_the_terminal_then_100() {
        assert_eq!(Environment::width(Some("80"), Some(120)), 80);
        assert_eq!(Environment::width(None, Some(120)), 120);
        assert_eq!(Environment::width(None, None), 100);
        assert_eq!(Environment::width(Some("wide"), None), 100);
        assert_eq!(Environment::width(Some("5"), None), 100);
        assert_eq!(Environment::width(Some("100000"), None), 400);
    }
}
