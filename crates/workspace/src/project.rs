//! The project a command runs in: `assure.toml` (found upward from the
//! current directory, or `--config`) and the rule packs it and `--pack`
//! name after the embedded default, loaded and checked against each other.
//! A broken configuration or pack is a [`Failure`] whose reports point into
//! the file at fault.

use crate::Failure;
use crate::config::{Config, ConfigErrors};
use assure_check::{AsOf, Checker, FileReport};
use assure_rules::{PackErrors, PackSource, RuleSet, Settings};
use assure_vocab::Vocabulary;
use std::path::PathBuf;

/// Where a project's configuration and packs come from, and what every
/// check of it is given: the command line's part of loading it.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Rule packs to load after the default (paths, or shipped packs'
    /// names), each checked to exist.
    pub packs: Vec<PathBuf>,
    /// The configuration file given with `--config`; else `assure.toml` is
    /// looked for upward from the current directory.
    pub config: Option<PathBuf>,
    /// The evaluation budget of each rule (`--max-steps`).
    pub max_steps: u64,
    /// The run's date given with `--as-of`.
    pub as_of: Option<assure_model::Date>,
}

/// The configuration and the rule set it configures.
#[derive(Debug)]
pub struct Project {
    /// `assure.toml`, read and validated.
    pub config: Config,
    /// Every pack, loaded with the configuration's parameters and levels.
    pub rules: RuleSet,
    /// Rules the configuration switches off: they do not run, but are
    /// still explained and listed.
    pub off: Vec<assure_rules::Rule>,
    /// Rules `--select` and `--ignore` leave out of this run.
    pub left_out: Vec<assure_rules::Rule>,
    /// The evaluation budget of each rule (`--max-steps`).
    pub steps: u64,
    /// The run's date given with `--as-of`.
    pub as_of: Option<assure_model::Date>,
}

impl Project {
    /// Loads the configuration, then the packs: checked against the packs'
    /// defaults first, so that a parameter in the wrong unit is reported in
    /// the configuration, where the mistake is, then loaded again with the
    /// configuration's parameters.
    pub fn load(common: &Sources) -> Result<Project, Failure> {
        let cwd = std::env::current_dir()
            .map_err(|e| Failure::new(format!("cannot read the current directory: {e}")))?;
        let (config, mut problems) = Config::discover(common.config.as_deref(), &cwd)
            .map_err(Failure::new)?
            .parse()
            .map_err(config_failure)?;
        let packs: Vec<PathBuf> = config.packs.iter().chain(&common.packs).cloned().collect();
        let mut rules = load_packs(config.default_pack, &packs, &Settings::default())?;
        // Every mistake in one run: keys and types, then codes and units.
        if let Err(errors) = config.validate(&rules) {
            problems.extend(errors.diagnostics);
        }
        if !problems.is_empty() {
            return Err(config_failure(config.errors(problems)));
        }
        if !config.params.is_empty() {
            rules = load_packs(config.default_pack, &packs, &config.settings())?;
        }
        let off = config.apply_levels(&mut rules);
        Ok(Project {
            config,
            rules,
            off,
            left_out: Vec::new(),
            steps: common.max_steps,
            as_of: common.as_of,
        })
    }

    /// Keeps only the rules whose codes start with one of `select` (all, if
    /// it is empty) and with none of `ignore`, as `--select` and `--ignore`
    /// ask. assure's own checks always run: they are what says a proposal
    /// could not be read or judged. A selector that matches no rule is a
    /// mistake, and fails.
    pub fn select(&mut self, select: &[String], ignore: &[String]) -> Result<(), Failure> {
        let matches = |selector: &str, code: &str| {
            code.len() >= selector.len()
                && code.as_bytes()[..selector.len()].eq_ignore_ascii_case(selector.as_bytes())
        };
        for (option, selectors) in [("--select", select), ("--ignore", ignore)] {
            for selector in selectors {
                if !self.rules.rules.iter().any(|r| matches(selector, &r.code)) {
                    let codes = self.rules.rules.iter().map(|r| r.code.as_str());
                    let help = assure_diagnostic::closest(selector, codes).map_or_else(
                        || " (`assure rules list` shows them)".to_owned(),
                        |c| format!("; did you mean `{c}`?"),
                    );
                    return Err(Failure::new(format!(
                        "{option} {selector} matches no rule's code{help}"
                    )));
                }
            }
        }
        let (kept, left_out): (Vec<_>, Vec<_>) = std::mem::take(&mut self.rules.rules)
            .into_iter()
            .partition(|rule| {
                (select.is_empty() || select.iter().any(|s| matches(s, &rule.code)))
                    && !ignore.iter().any(|s| matches(s, &rule.code))
            });
        self.rules.rules = kept;
        self.left_out.extend(left_out);
        Ok(())
    }

    /// The date rules judge "today" by: `--as-of`, else the
    /// configuration's `as-of`, else the clock; and which it was.
    pub fn as_of(&self) -> AsOf {
        match (self.as_of, self.config.as_of) {
            (Some(date), _) => AsOf {
                date,
                source: "--as-of".to_owned(),
            },
            (None, Some(date)) => AsOf {
                date,
                source: format!(
                    "`as-of` in {}",
                    self.config
                        .path
                        .as_ref()
                        .map_or_else(|| "assure.toml".into(), |p| p.display().to_string())
                ),
            },
            (None, None) => AsOf {
                date: crate::clock_date(),
                source: "the clock; `--as-of` fixes it".to_owned(),
            },
        }
    }

    /// A checker of this project's rules and `[[allow]]` entries, and the
    /// configuration (for what a command reports of it, like entries that
    /// matched nothing).
    pub fn into_checker(self) -> (Checker, Config) {
        let as_of = self.as_of();
        // What this run does not run: a stage they belong to is partial.
        let not_run = self
            .off
            .iter()
            .chain(&self.left_out)
            .map(|rule| (rule.code.clone(), rule.stage))
            .collect();
        let checker = Checker::new(self.rules)
            .with_not_run(not_run)
            .with_as_of(Some(as_of))
            .with_allows(self.config.allow_entries())
            .with_steps(self.steps)
            .with_configuration(self.config.path.as_ref().map(|p| p.display().to_string()));
        (checker, self.config)
    }
}

/// Loads the embedded default pack (unless `default_pack` is false), then
/// `packs`.
pub fn load_packs(
    default_pack: bool,
    packs: &[PathBuf],
    settings: &Settings,
) -> Result<RuleSet, Failure> {
    if !default_pack && packs.is_empty() {
        return Err(Failure::new(
            "no rule packs to run: the configuration sets `default-pack = false` and names no `packs`",
        ));
    }
    let sources = pack_sources(default_pack, packs.iter())?;
    assure_rules::load(&sources, Vocabulary::core(), settings).map_err(pack_failure)
}

/// The default pack (if `default_pack`) and each of `packs`, read.
pub fn pack_sources<'p>(
    default_pack: bool,
    packs: impl Iterator<Item = &'p PathBuf>,
) -> Result<Vec<PackSource>, Failure> {
    let mut sources = Vec::new();
    if default_pack {
        sources.push(assure_rules::default_pack());
    }
    for pack in packs {
        let shown = pack.display().to_string();
        if assure_rules::names_builtin(&shown) {
            sources.push(builtin(&shown)?);
            continue;
        }
        let bytes = crate::files::read_settings(pack)
            .map_err(|e| Failure::new(format!("cannot read the rule pack {shown}: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::new(format!("the rule pack {shown} is not UTF-8")))?;
        sources.push(PackSource { path: shown, text });
    }
    Ok(sources)
}

/// The pack shipped with assure under `name`, or a failure that lists them.
pub fn builtin(name: &str) -> Result<PackSource, Failure> {
    assure_rules::builtin_pack(name).ok_or_else(|| {
        Failure::new(format!(
            "no pack is called `{}`: {}",
            assure_diagnostic::visible(name),
            assure_rules::unknown_pack_help(name)
        ))
    })
}

/// The failure of packs that do not load, with their problems.
pub fn pack_failure(errors: Vec<PackErrors>) -> Failure {
    let count: usize = errors.iter().map(|e| e.diagnostics.len()).sum();
    let names: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    let plural = if count == 1 { "" } else { "s" };
    Failure {
        message: format!(
            "invalid rule pack: {count} problem{plural} in {}",
            names.join(", ")
        ),
        reports: errors
            .into_iter()
            .map(|e| diagnostics_report(e.path, e.text, e.diagnostics))
            .collect(),
    }
}

fn config_failure(errors: ConfigErrors) -> Failure {
    let count = errors.diagnostics.len();
    let plural = if count == 1 { "" } else { "s" };
    Failure {
        message: format!(
            "invalid configuration: {count} problem{plural} in {}",
            errors.path
        ),
        reports: vec![diagnostics_report(
            errors.path,
            errors.text,
            errors.diagnostics,
        )],
    }
}

/// A report of problems in a file that is not a proposal (a pack, a
/// configuration), shown as findings are.
fn diagnostics_report(
    path: String,
    text: String,
    diagnostics: Vec<assure_diagnostic::Diagnostic>,
) -> FileReport {
    FileReport::of_diagnostics(path, text, diagnostics)
}
