//! Raw arguments validated into what the commands need: colour decided,
//! paths checked to exist.

use crate::Failure;
use crate::cli::{
    ColorChoice, DenyLevel, GraphFormat, LintFormat, RawArgs, RawCommand, RulesCommand,
};
use std::path::PathBuf;

/// The environment the arguments are judged in.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// Whether `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

/// Validated arguments.
#[derive(Debug)]
pub struct Args {
    /// The command and its own arguments.
    pub command: Command,
    /// Whether to colour human output.
    pub color: bool,
    /// Findings only.
    pub quiet: bool,
    /// Rule packs to load after the default, each checked to exist.
    pub packs: Vec<PathBuf>,
    /// The configuration file given with `--config`, checked to exist.
    pub config: Option<PathBuf>,
}

/// What `lint` does with baselines.
#[derive(Debug, Default)]
pub struct BaselineArgs {
    /// Known findings, checked to exist.
    pub read: Option<PathBuf>,
    /// Whether stale entries fail the run.
    pub strict: bool,
    /// Where to record today's findings.
    pub write: Option<PathBuf>,
}

/// A validated command.
#[derive(Debug)]
pub enum Command {
    /// Lint these paths.
    Lint {
        /// Files and directories, each checked to exist.
        paths: Vec<PathBuf>,
        /// Output format.
        format: LintFormat,
        /// Whether warnings fail the run.
        deny_warnings: bool,
        /// The last gateway stage whose rules run.
        stage: Option<String>,
        /// Baseline handling.
        baseline: BaselineArgs,
    },
    /// Explain a code.
    Explain {
        /// The code, upper-cased.
        code: String,
    },
    /// List the rules.
    RulesList,
    /// Compare two versions.
    Diff {
        /// The older, checked to exist.
        old: PathBuf,
        /// The newer, checked to exist.
        new: PathBuf,
        /// Output format.
        format: crate::cli::DiffFormat,
    },
    /// Write a starting proposal.
    Init {
        /// Where; must not exist.
        path: PathBuf,
    },
    /// Check packs.
    RulesCheck {
        /// The packs, each checked to exist.
        packs: Vec<PathBuf>,
    },
    /// Run fixtures.
    RulesTest {
        /// Files and directories, each checked to exist.
        paths: Vec<PathBuf>,
    },
    /// Show the graph of one file.
    Graph {
        /// The proposal.
        file: PathBuf,
        /// Output format.
        format: GraphFormat,
    },
    /// Export the model of one file.
    Export {
        /// The proposal.
        file: PathBuf,
    },
}

impl Args {
    /// Validates raw arguments.
    pub fn validate(raw: RawArgs, environment: &Environment) -> Result<Args, Failure> {
        let color = match raw.common.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => environment.stdout_is_terminal && !environment.no_color,
        };
        let command = match raw.command {
            RawCommand::Lint(lint) => {
                for path in &lint.paths {
                    exists(path)?;
                }
                Command::Lint {
                    paths: lint.paths,
                    format: lint.format,
                    deny_warnings: lint.deny == Some(DenyLevel::Warnings),
                    stage: lint.stage,
                    baseline: BaselineArgs {
                        read: match lint.baseline {
                            Some(path) => Some(exists(&path)?.clone()),
                            None => None,
                        },
                        strict: lint.strict_baseline,
                        write: lint.write_baseline,
                    },
                }
            }
            RawCommand::Init(init) => Command::Init { path: init.path },
            RawCommand::Diff(diff) => Command::Diff {
                old: exists(&diff.old)?.clone(),
                new: exists(&diff.new)?.clone(),
                format: diff.format,
            },
            RawCommand::Explain(explain) => Command::Explain {
                code: explain.code.trim().to_ascii_uppercase(),
            },
            RawCommand::Rules(rules) => match rules.command {
                RulesCommand::List => Command::RulesList,
                RulesCommand::Check { files } => {
                    for pack in &files {
                        exists(pack)?;
                    }
                    Command::RulesCheck { packs: files }
                }
                RulesCommand::Test { paths } => {
                    let paths = if paths.is_empty() {
                        vec![PathBuf::from("fixtures")]
                    } else {
                        paths
                    };
                    for path in &paths {
                        exists(path)?;
                    }
                    Command::RulesTest { paths }
                }
            },
            RawCommand::Graph(graph) => Command::Graph {
                file: exists(&graph.file)?.clone(),
                format: graph.format,
            },
            RawCommand::Export(export) => Command::Export {
                file: exists(&export.file)?.clone(),
            },
        };
        for pack in &raw.common.packs {
            exists(pack)?;
        }
        if let Some(config) = &raw.common.config {
            exists(config)?;
        }
        Ok(Args {
            command,
            color,
            quiet: raw.common.quiet,
            packs: raw.common.packs,
            config: raw.common.config,
        })
    }
}

/// A path argument must name something; one that cannot be *read* is a
/// finding (SYN003) later, one that does not exist is a bad argument now.
fn exists(path: &PathBuf) -> Result<&PathBuf, Failure> {
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
