//! The whole check of one proposal, with no I/O: bytes in, a [`FileReport`]
//! out.
//!
//! [`Checker::check`] decodes the bytes (SYN003 if they are not UTF-8),
//! parses, builds the model, and gathers every finding in source order. The
//! caller reads files and writes reports; this crate never touches the file
//! system, so the CLI, `xtask` and the tests all run the same pipeline.

pub mod baseline;
pub mod changes;
mod corpus;
pub mod explain;
pub mod fix;
pub mod fixture;
pub mod format;
mod report;
pub mod suppress;

use assure_diagnostic::{Applicability, Diagnostic, Severity, codes};
use assure_model::{Model, Origin};
use assure_rules::{Options, RuleSet};
use assure_syntax::Parse;
use assure_vocab::Vocabulary;

pub use report::{AsOf, FileReport, Finding, Readiness, Status, fnv1a64};

/// What the document and the packs' regimes say of each stage.
struct StageVerdicts {
    approved: Vec<bool>,
    not_applicable: Vec<bool>,
}

/// A proposal parsed and modelled, for commands that show the model itself
/// (`graph`, `export`).
#[derive(Debug)]
pub struct Modelled<'a> {
    /// The model, borrowing from the text and the checker's vocabulary.
    pub model: Model<'a>,
    /// Structural diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks proposals against a set of rule packs and their vocabulary.
#[derive(Debug, Clone)]
pub struct Checker {
    rules: RuleSet,
    options: Options,
    as_of: Option<AsOf>,
    allows: Vec<suppress::AllowEntry>,
    baseline: Option<std::sync::Arc<baseline::Baseline>>,
    configuration: Option<String>,
    /// Rules of the packs this run does not run, with their stage.
    not_run: Vec<(String, usize)>,
}

impl Checker {
    /// A checker running `rules`.
    pub fn new(rules: RuleSet) -> Checker {
        Checker {
            rules,
            options: Options::default(),
            as_of: None,
            allows: Vec::new(),
            baseline: None,
            configuration: None,
            not_run: Vec::new(),
        }
    }

    /// Treats findings recorded in `baseline` as known: they are kept but
    /// do not count.
    #[must_use]
    pub fn with_baseline(mut self, baseline: baseline::Baseline) -> Checker {
        self.baseline = Some(std::sync::Arc::new(baseline));
        self
    }

    /// Rules of the packs this run leaves out (`--select`, `--ignore`,
    /// `off` in the configuration), by code and stage: a stage they belong
    /// to, or follow, is partial, never ready.
    pub fn with_not_run(mut self, not_run: Vec<(String, usize)>) -> Checker {
        self.not_run = not_run;
        self
    }

    /// The rules this run leaves out, by code and stage.
    pub fn not_run(&self) -> &[(String, usize)] {
        &self.not_run
    }

    /// What this run covers, as a history records it with the run: the
    /// packs, the stages, the rules left out and the date judged by. A run
    /// is compared only with an earlier run of the same scope, so that a
    /// run with rules left out never reads as those findings fixed. A date
    /// from the clock is recorded as such, not as the day: today's run
    /// compares with yesterday's.
    pub fn scope(&self) -> String {
        let mut packs: Vec<&str> = self.rules.packs.iter().map(|p| p.name.as_str()).collect();
        packs.sort_unstable();
        let stages = match self
            .options
            .last_stage
            .and_then(|i| self.rules.stages.get(i))
        {
            Some(stage) => format!("up to {}", stage.id),
            None => "all".to_owned(),
        };
        let mut not_run: Vec<&str> = self.not_run.iter().map(|(code, _)| code.as_str()).collect();
        not_run.sort_unstable();
        not_run.dedup();
        let not_run = if not_run.is_empty() {
            "none".to_owned()
        } else {
            not_run.join(", ")
        };
        let as_of = match &self.as_of {
            Some(as_of) if !as_of.source.starts_with("the clock") => as_of.date.to_string(),
            _ => "the clock".to_owned(),
        };
        format!(
            "packs: {}\nstages: {stages}\nrules not run: {not_run}\nas of: {as_of}",
            packs.join(", ")
        )
    }

    /// The configuration file the run uses, as shown, if one was found.
    pub fn configuration(&self) -> Option<&str> {
        self.configuration.as_deref()
    }

    /// Names the configuration file the run uses (as shown), for its
    /// reports to say.
    pub fn with_configuration(mut self, configuration: Option<String>) -> Checker {
        self.configuration = configuration;
        self
    }

    /// Gives each rule `steps` steps of evaluation, on top of its share
    /// proportional to the proposal's size.
    #[must_use]
    pub fn with_steps(mut self, steps: u64) -> Checker {
        self.options.base_fuel = steps;
        self
    }

    /// Judges "today" (`today()` in rules) as `as_of`.
    #[must_use]
    pub fn with_as_of(mut self, as_of: Option<AsOf>) -> Checker {
        self.options.today = as_of.as_ref().map(|a| a.date);
        self.as_of = as_of;
        self
    }

    /// Applies the project's `[[allow]]` entries.
    #[must_use]
    pub fn with_allows(mut self, allows: Vec<suppress::AllowEntry>) -> Checker {
        self.allows = allows;
        self
    }

    /// Runs only the rules of `stage` (an index into [`RuleSet::stages`])
    /// and of the stages before it in its pack's chain.
    #[must_use]
    pub fn up_to_stage(mut self, stage: Option<usize>) -> Checker {
        self.options.last_stage = stage;
        self
    }

    /// Evaluates rules on at most `threads` threads (the default is one per
    /// core for a large proposal). The findings do not depend on it.
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Checker {
        self.options.threads = Some(threads);
        self
    }

    /// The vocabulary in use.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.rules.vocabulary
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Parses and models `text`, with structural diagnostics in source
    /// order.
    pub fn model<'a>(&'a self, text: &'a str) -> Modelled<'a> {
        let parse = assure_syntax::parse(text);
        let (model, diagnostics) = self.build(text, parse);
        Modelled { model, diagnostics }
    }

    /// Models `parse`, the tree of `text`, adding the parse's errors to the
    /// model's diagnostics, in source order.
    fn build<'a>(&'a self, text: &'a str, parse: Parse) -> (Model<'a>, Vec<Diagnostic>) {
        self.build_from(text, parse, Origin::Proposal)
    }

    fn build_from<'a>(
        &'a self,
        text: &'a str,
        parse: Parse,
        origin: Origin,
    ) -> (Model<'a>, Vec<Diagnostic>) {
        let mut diagnostics = parse.errors;
        let (model, model_diagnostics) =
            assure_model::build_from(text, parse.file, self.vocabulary(), origin);
        diagnostics.extend(model_diagnostics);
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        (model, diagnostics)
    }

    /// Checks the proposal `bytes`, read from `path`.
    pub fn check(&self, path: &str, bytes: &[u8]) -> FileReport {
        self.check_owned(path, bytes.to_vec())
    }

    /// Checks the proposal `bytes` judging "today" as `as_of`.
    pub fn check_as_of(&self, path: &str, bytes: &[u8], as_of: AsOf) -> FileReport {
        self.dated(as_of).check(path, bytes)
    }

    /// This checker judging "today" as `as_of`.
    pub(crate) fn dated(&self, as_of: AsOf) -> Checker {
        Checker {
            options: Options {
                today: Some(as_of.date),
                ..self.options
            },
            as_of: Some(as_of),
            ..self.clone()
        }
    }

    /// Checks the proposal `bytes`, read from `path`, which become the
    /// report's text without a copy.
    pub fn check_owned(&self, path: &str, bytes: Vec<u8>) -> FileReport {
        self.check_owned_from(path, bytes, Origin::Proposal)
    }

    /// Checks the `text` that published notices were read into (see
    /// [`Origin::Notice`]), named `path`.
    pub fn check_notice(&self, path: &str, text: String) -> FileReport {
        // Text already: only its length is left to refuse.
        if u32::try_from(text.len()).is_err() {
            return self.check_owned_from(path, text.into_bytes(), Origin::Notice);
        }
        self.check_text(path, text, Origin::Notice)
    }

    fn check_owned_from(&self, path: &str, bytes: Vec<u8>, origin: Origin) -> FileReport {
        let text = match assure_syntax::decode_owned(bytes) {
            Ok(text) => text,
            Err((diagnostic, bytes)) => {
                let findings = vec![Finding::structural(*diagnostic)];
                return FileReport {
                    path: path.to_owned(),
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    readiness: self.readiness(&findings, &[], &[]),
                    findings,
                    allows_used: Vec::new(),
                    baseline_used: Vec::new(),
                    as_of: None,
                    approved: Vec::new(),
                    not_applicable: Vec::new(),
                    configuration: self.configuration.clone(),
                    places: None,
                };
            }
        };
        self.check_text(path, text, origin)
    }

    /// A document's report, its text read.
    fn check_text(&self, path: &str, text: String, origin: Origin) -> FileReport {
        let (findings, verdicts, allows_used, read_today) = self.findings(path, &text, origin);
        let mut report = FileReport {
            path: path.to_owned(),
            text,
            readiness: Vec::new(),
            findings,
            allows_used,
            baseline_used: Vec::new(),
            as_of: if read_today { self.as_of.clone() } else { None },
            approved: verdicts.approved,
            not_applicable: verdicts.not_applicable,
            configuration: self.configuration.clone(),
            places: None,
        };
        if let Some(baseline) = &self.baseline {
            report.baseline_used = baseline.apply(&mut report);
        }
        report.readiness =
            self.readiness(&report.findings, &report.approved, &report.not_applicable);
        report
    }

    /// Every finding in `text`, in source order, suppressions applied;
    /// whether the document approves each stage; the `[[allow]]` entries
    /// used.
    fn findings(
        &self,
        path: &str,
        text: &str,
        origin: Origin,
    ) -> (Vec<Finding>, StageVerdicts, Vec<usize>, bool) {
        let parse = assure_syntax::parse(text);
        let allows = suppress::inline_allows(&parse, text);
        // The model frees the tree as it goes: its lines before the values
        // are typed, the rest before the edges are linked.
        let (model, mut diagnostics) = self.build_from(text, parse, origin);
        self.verify_renames(text, &mut diagnostics);
        let evaluation = self.rules.evaluate(&model, &self.options);
        let mut findings: Vec<Finding> = diagnostics.into_iter().map(Finding::structural).collect();
        findings.extend(evaluation.findings.into_iter().map(|f| Finding {
            diagnostic: f.diagnostic,
            stage: Some(self.rules.stages[f.stage].id.clone()),
            suppressed: None,
            entity: None,
            field: None,
        }));
        suppress::locate(&mut findings, &model, text);
        let directive_problems = suppress::apply_inline(&mut findings, &allows, text, &self.rules);
        findings.extend(directive_problems);
        let allows_used = suppress::apply_config(&mut findings, path, &self.allows);
        findings.sort_by(|a, b| {
            (
                a.diagnostic.span.start,
                a.diagnostic.span.end,
                &a.diagnostic.code,
            )
                .cmp(&(
                    b.diagnostic.span.start,
                    b.diagnostic.span.end,
                    &b.diagnostic.code,
                ))
        });
        let verdicts = StageVerdicts {
            approved: evaluation.approved,
            not_applicable: evaluation.applicable.iter().map(|a| !a).collect(),
        };
        (findings, verdicts, allows_used, evaluation.read_today)
    }

    /// Keeps a rename of a misspelt key (SCH002) safe only if applied alone
    /// it adds no structural error: renamed onto a key the entity already
    /// has (SCH006), or onto a field its value does not fit (SCH003), it
    /// is offered as unsafe. Each is checked by modelling the text with
    /// it applied; past [`MAX_VERIFIED_BYTES`] of such modelling in one
    /// file, the rest are unsafe unchecked.
    fn verify_renames(&self, text: &str, diagnostics: &mut [Diagnostic]) {
        let is_candidate = |d: &Diagnostic| {
            *d.code == *codes::SCH002
                && d.fixes
                    .iter()
                    .any(|f| f.applicability == Applicability::Safe)
        };
        let candidates = diagnostics.iter().filter(|d| is_candidate(d)).count();
        if candidates == 0 {
            return;
        }
        let errors = structural_errors(diagnostics);
        let affordable = candidates.saturating_mul(text.len()) <= MAX_VERIFIED_BYTES;
        for diagnostic in diagnostics.iter_mut().filter(|d| is_candidate(d)) {
            for fix in &mut diagnostic.fixes {
                if fix.applicability != Applicability::Safe {
                    continue;
                }
                let keeps = affordable && {
                    let (renamed, taken) = assure_diagnostic::apply(text, &[&*fix]);
                    !taken.is_empty()
                        && structural_errors(&self.model(&renamed).diagnostics) <= errors
                };
                if !keeps {
                    fix.applicability = Applicability::Unsafe;
                }
            }
        }
    }

    /// The report of a file that could not be read at all.
    pub fn unreadable(&self, path: &str, reason: &str) -> FileReport {
        let mut report = FileReport::unreadable(path, reason);
        report.readiness = self.readiness(&report.findings, &[], &[]);
        report.configuration.clone_from(&self.configuration);
        report
    }

    /// Readiness per stage: blocked by any error of that stage or an earlier
    /// one (structural errors block every stage), else approved if the
    /// document says so, else ready. With a stage limit, later stages are
    /// not shown, since their rules did not run.
    pub(crate) fn readiness(
        &self,
        findings: &[Finding],
        approved: &[bool],
        not_applicable: &[bool],
    ) -> Vec<Readiness> {
        let rules = &self.rules;
        let stages = &rules.stages;
        let shown = |index: usize| {
            self.options
                .last_stage
                .is_none_or(|last| rules.precedes(index, last))
        };
        let stage_of = |finding: &Finding| {
            finding
                .stage
                .as_ref()
                .and_then(|id| stages.iter().position(|s| s.id == *id))
        };
        (0..stages.len())
            .filter(|&index| shown(index))
            .map(|index| {
                // A baselined finding still stands: a baseline decides the
                // exit status, never what the proposal's readiness is.
                let standing = || {
                    findings
                        .iter()
                        .filter(|f| f.suppressed.as_ref().is_none_or(|s| s.is_baseline()))
                        .filter(|f| stage_of(f).is_none_or(|stage| rules.precedes(stage, index)))
                };
                // A finding standing for others not listed counts as all.
                let errors = standing()
                    .filter(|f| f.diagnostic.severity == Severity::Error)
                    .map(|f| f.diagnostic.weight())
                    .sum();
                let not_assessed = standing()
                    .filter(|f| codes::is_not_assessed(&f.diagnostic.code))
                    .map(|f| f.diagnostic.weight())
                    .sum();
                let not_run: Vec<String> = self
                    .not_run
                    .iter()
                    .filter(|(_, stage)| rules.precedes(*stage, index))
                    .map(|(code, _)| code.clone())
                    .collect();
                let status = if errors > 0 {
                    Status::Blocked
                } else if not_applicable.get(index).copied().unwrap_or(false) {
                    Status::NotApplicable
                } else if not_assessed > 0 {
                    Status::Incomplete
                } else if !not_run.is_empty() {
                    Status::Partial
                } else if approved.get(index).copied().unwrap_or(false) {
                    Status::Approved
                } else {
                    Status::Ready
                };
                Readiness {
                    stage: stages[index].id.clone(),
                    pack: rules.several_chains().then(|| stages[index].pack.clone()),
                    status,
                    errors,
                    not_assessed,
                    not_run,
                }
            })
            .collect()
    }
}

/// How much text [`Checker::verify_renames`] models again, at most, for
/// one file: a few small proposals' worth per rename.
const MAX_VERIFIED_BYTES: usize = 4 << 20;

/// How many structural errors `diagnostics` stand for.
fn structural_errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| 1 + d.unlisted)
        .sum()
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    /// An `[[allow]]` entry of `code` for every path, for `entity` if given.
    fn allow(code: &str, entity: Option<&str>) -> suppress::AllowEntry {
        suppress::AllowEntry {
            index: 0,
            path_matches: std::sync::Arc::new(|_| true),
            code: code.to_owned(),
            entity: entity.map(str::to_owned),
            reason: "known".to_owned(),
        }
    }

    #[test]
    fn a_finding_standing_for_others_is_allowed_only_with_all_of_its_code() {
        // 1,500 fields of no meaning in `A`: the first 1,000 listed, the
        // 1,001st standing for the other 499, which an entry for `A` alone
        // does not allow (they could be anyone's), and one for the code does.
        let text = format!(
            "proposal: P\nmodel: mcp\n# Organisations\n## A\nkind: ccg\n{}",
            "zz: 1\n".repeat(1_500)
        );
        let active = |allows: Vec<suppress::AllowEntry>| {
            let checker = Checker::new(RuleSet::default_set().unwrap()).with_allows(allows);
            let report = checker.check("p.proposal", text.as_bytes());
            report
                .findings
                .iter()
                .filter(|f| &*f.diagnostic.code == "SCH002" && f.is_active())
                .map(|f| f.diagnostic.unlisted)
                .collect::<Vec<_>>()
        };
        assert_eq!(active(vec![]).len(), 1_001);
        assert_eq!(active(vec![allow("SCH002", Some("A"))]), [499]);
        assert_eq!(active(vec![allow("SCH002", None)]), Vec::<usize>::new());
    }

    #[test]
    fn a_finding_standing_for_others_is_known_by_how_many() {
        let checker = Checker::new(RuleSet::default_set().unwrap());
        let fingerprint_of_the_last = |fields: usize| {
            let text = format!(
                "# Organisations\n## A\nkind: ccg\n{}",
                "zz: 1\n".repeat(fields)
            );
            let report = checker.check("p.proposal", text.as_bytes());
            let last = report
                .findings
                .iter()
                .rfind(|f| &*f.diagnostic.code == "SCH002")
                .unwrap();
            last.fingerprint(&report.text)
        };
        // A baseline of 1,001 fields' findings does not hide a 1,002nd.
        assert_eq!(fingerprint_of_the_last(1_000), fingerprint_of_the_last(999));
        assert_ne!(
            fingerprint_of_the_last(1_002),
            fingerprint_of_the_last(1_003)
        );
    }

    #[test]
    fn generated_proposals_have_no_structural_findings() {
        let checker = Checker::new(RuleSet::default_set().expect("the default pack loads"));
        for seed in 0..4 {
            let text = assure_gen::proposal(2_000, seed);
            let report = checker.check("generated.proposal", text.as_bytes());
            let structural: Vec<String> = report
                .findings
                .iter()
                .filter(|f| f.stage.is_none())
                .map(|f| format!("{} {}", f.diagnostic.code, f.diagnostic.message))
                .collect();
            assert_eq!(structural, Vec::<String>::new(), "seed {seed}");
            // A realistic share of violations, not none and not everything.
            let rule_findings = report.findings.len();
            assert!(
                (100..2_000).contains(&rule_findings),
                "seed {seed}: {rule_findings} findings"
            );
        }
    }

    #[test]
    fn a_large_proposal_gives_the_same_findings_on_any_number_of_threads() {
        // 20,000 entities: large enough for the rules to run in parallel.
        let text = assure_gen::proposal(20_000, 3);
        let rules = RuleSet::default_set().expect("the default pack loads");
        let render = |checker: Checker| {
            let report = checker.check("large.proposal", text.as_bytes());
            report
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "{} {:?} {}",
                        f.diagnostic.code, f.diagnostic.span, f.diagnostic.message
                    )
                })
                .collect::<Vec<_>>()
        };
        let one = render(Checker::new(rules.clone()).with_threads(1));
        assert!(one.len() > 1_000, "{} findings", one.len());
        for threads in [2, 3, 8] {
            assert_eq!(
                render(Checker::new(rules.clone()).with_threads(threads)),
                one
            );
        }
    }

    #[test]
    fn the_example_of_each_proposal_code_gives_it() {
        // With every shipped pack: EVAL003's example needs a pack that
        // counts working days.
        let sources: Vec<_> = assure_rules::BUILTIN_PACKS
            .iter()
            .filter_map(|(name, _)| assure_rules::builtin_pack(name))
            .collect();
        let rules = assure_rules::load(
            &sources,
            Vocabulary::core(),
            &assure_rules::Settings::default(),
        )
        .expect("the shipped packs load together");
        let checker = Checker::new(rules);
        let mut checked = 0;
        for info in codes::of_proposals() {
            let Some((language, example)) = info.example() else {
                continue;
            };
            if info.code == codes::SCH011 {
                // Published notices: the command line's tests lint it.
                assert_eq!(language, "json", "{}", info.code);
                continue;
            }
            assert_eq!(language, "proposal", "{}", info.code);
            let report = checker.check("example.proposal", example.as_bytes());
            let found: Vec<&str> = report
                .findings
                .iter()
                .map(|f| &*f.diagnostic.code)
                .collect();
            assert!(found.contains(&info.code), "{}: {found:?}", info.code);
            checked += 1;
        }
        // Only SYN003 (not UTF-8) and EVAL001 (a costly pack) cannot be
        // shown in a proposal alone, and SCH011 is shown in notices.
        assert_eq!(checked, codes::of_proposals().count() - 3);
    }

    #[test]
    fn readiness_counts_errors_of_each_stage_and_earlier() {
        let checker = Checker::new(RuleSet::default_set().expect("the default pack loads"));
        let text = "proposal: X\nmodel: mcp\n\n# Organisations\n\n## GP Co\nkind: gp-company\nturnover: £1m/yr\ncqc-registered: yes\nestablished: 2010-01-01\n\n# Contracts\n\n## C\nkind: mcp-virtual\nholder: GP Co\nvalue: £50m/yr\nstart: 2017-04-01\nrisk-share: shared\nprocurement: competitive\n\n# Gateway\ncase-for-change: approved 2016-01-01\n\n# Risk\nfailure-regime: services revert to the CCG\n";
        let report = checker.check("x.proposal", text.as_bytes());
        let rows: Vec<String> = report
            .readiness
            .iter()
            .map(|r| format!("{} {}", r.stage, r.describe()))
            .collect();
        // CFC001 and CFC004 (stage 1) block everything; CAP001 adds at stage 2.
        assert_eq!(
            rows,
            [
                "case-for-change blocked (2 errors)",
                "contract-and-capability blocked (3 errors)",
                "safe-to-launch blocked (3 errors)"
            ]
        );
        let report = checker.check("bad.proposal", b"\xff");
        assert_eq!(report.readiness.len(), 3);
        assert!(
            report
                .readiness
                .iter()
                .all(|r| r.status == Status::Blocked && r.errors == 1)
        );
    }
}
