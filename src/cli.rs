//! The command line as clap sees it: every flag is defined here, once. The
//! raw values are validated into [`crate::args::Args`] before any command
//! runs.

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Checks proposals for new models of NHS care before they are signed.
#[derive(Debug, Parser)]
#[command(name = "assure", version, about, max_term_width = 100)]
pub struct RawArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RawCommand,
    /// Options every command takes.
    #[command(flatten)]
    pub common: CommonOptions,
}

/// Options every command takes.
#[derive(Debug, ClapArgs)]
pub struct CommonOptions {
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print findings only: no readiness table, no summary.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// A rule pack to load after the embedded default (repeatable); a pack
    /// with the default's name replaces it.
    #[arg(long = "pack", value_name = "FILE", global = true)]
    pub packs: Vec<PathBuf>,
    /// The project configuration (default: `assure.toml` in the current
    /// directory or the nearest one above it).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum RawCommand {
    /// Check proposal files; a directory means every `*.proposal` below it.
    Lint(LintArgs),
    /// What a rule checks, why, its parameters and examples.
    Explain(ExplainArgs),
    /// List, check and test rule packs.
    Rules(RulesArgs),
    /// The graph of one proposal: entities and the references between them.
    Graph(GraphArgs),
    /// Write a commented starting proposal (never over an existing file).
    Init(InitArgs),
    /// Compare two versions of a proposal: the text, the findings that
    /// appear and disappear, and readiness.
    Diff(DiffArgs),
    /// The parsed, resolved model of one proposal, as JSON for other tools.
    Export(ExportArgs),
}

/// `assure lint`.
#[derive(Debug, ClapArgs)]
pub struct LintArgs {
    /// Files or directories to check.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Also fail (exit 1) on warnings.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
    /// Run only the rules of gateway stages up to this one, e.g.
    /// `case-for-change`.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Report only findings not recorded in this baseline.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With `--baseline`: fail (exit 1) when entries no longer match a
    /// finding.
    #[arg(long, requires = "baseline")]
    pub strict_baseline: bool,
    /// Record today's findings in this baseline file, and succeed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// `assure diff`.
#[derive(Debug, ClapArgs)]
pub struct DiffArgs {
    /// The older version.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The newer version.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The diff, then findings and readiness.
    Human,
    /// One JSON document.
    Json,
}

/// `assure init`.
#[derive(Debug, ClapArgs)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(value_name = "PATH", default_value = "new.proposal")]
    pub path: PathBuf,
}

/// `assure explain`.
#[derive(Debug, ClapArgs)]
pub struct ExplainArgs {
    /// The code, e.g. `CAP001`.
    #[arg(value_name = "CODE")]
    pub code: String,
}

/// `assure rules`.
#[derive(Debug, ClapArgs)]
pub struct RulesArgs {
    /// What to do with the packs.
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// `assure rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every rule in the active packs: code, severity, stage, name.
    List,
    /// Validate rule packs: TOML, expressions, codes, and their examples.
    Check {
        /// The packs.
        #[arg(required = true, value_name = "PACK")]
        files: Vec<PathBuf>,
    },
    /// Run rule fixtures: every `<!-- expect: CODE -->` must be reported on
    /// the line after it, and nothing else.
    Test {
        /// A fixture file or a directory of them (default `fixtures/`).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// `assure graph`.
#[derive(Debug, ClapArgs)]
pub struct GraphArgs {
    /// The proposal.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// `assure export`.
#[derive(Debug, ClapArgs)]
pub struct ExportArgs {
    /// The proposal.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// miette reports, readiness and a summary.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// `--deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    /// Warnings fail the run too.
    Warnings,
}

/// `graph --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz dot.
    Dot,
    /// JSON nodes and edges.
    Json,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// JSON.
    Json,
}
