//! The command line as clap sees it: the options every command takes, and
//! one variant per command whose arguments its module defines
//! ([`crate::commands`]). Nothing here runs anything.

use crate::commands::{
    convert, diff, explain, export, fix, fmt, graph, import, init, lint, report, rules,
};
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
    /// A rule pack to load after the embedded default (repeatable): a
    /// file, or the name of a pack shipped with assure (`psr-2024`); a pack
    /// with the default's name replaces it.
    #[arg(long = "pack", value_name = "FILE|NAME", global = true)]
    pub packs: Vec<PathBuf>,
    /// The project configuration (default: `assure.toml` in the current
    /// directory or the nearest one above it).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// The largest proposal read, in MiB; a longer one is reported
    /// unreadable (SYN003).
    #[arg(long, value_name = "MIB", global = true, default_value_t = assure_workspace::files::DEFAULT_MAX_PROPOSAL_MIB)]
    pub max_file_size: u64,
    /// The evaluation budget of each rule, in steps, on top of 2,000 per
    /// entity and link of the proposal; a rule that spends it leaves its
    /// stage incomplete (EVAL001).
    #[arg(long, value_name = "N", global = true, default_value_t = assure_rules::Options::default().base_fuel)]
    pub max_steps: u64,
    /// The date rules judge "today" by (`YYYY-MM-DD`); else `as-of` in
    /// `assure.toml`, else the clock. Output says which was used.
    #[arg(long, value_name = "DATE", global = true)]
    pub as_of: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum RawCommand {
    /// Check proposal files; a directory means every `*.proposal` below it.
    Lint(lint::LintArgs),
    /// What a code means: a rule's check, why, its parameters and examples;
    /// or one of assure's own codes.
    Explain(explain::ExplainArgs),
    /// List, check and test rule packs.
    Rules(rules::RulesArgs),
    /// The graph of one proposal: entities and the references between them.
    Graph(graph::GraphArgs),
    /// Write a commented starting proposal (never over an existing file).
    Init(init::InitArgs),
    /// Compare two versions of a proposal: the text, the findings that
    /// appear and disappear, and readiness.
    Diff(diff::DiffArgs),
    /// The parsed, resolved model of one proposal, as JSON for other tools.
    Export(export::ExportArgs),
    /// A Word document (`.docx`) as the proposal text assure reads from
    /// it (`--places`: each line's place in the document).
    Convert(convert::ConvertArgs),
    /// Write proposals from published notices, one per procurement
    /// (`import ocds notices.json --out DIR`), never over an existing file.
    Import(import::ImportArgs),
    /// Apply the fixes findings carry (safe ones; `--unsafe` for the rest),
    /// writing each file back; `--diff` shows them instead.
    Fix(fix::FixArgs),
    /// Write proposals in their canonical layout (`--check`: only say which
    /// are not, and fail).
    Fmt(fmt::FmtArgs),
    /// The language server, over stdio: diagnostics as you type, fixes as
    /// code actions, hover, definitions, references, rename, completion,
    /// symbols, folding and formatting.
    Lsp,
    /// Lint a corpus as `lint` does, record the run in the history
    /// database, and with `--html` write the report site.
    Report(report::ReportArgs),
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
