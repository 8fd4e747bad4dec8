//! Running the rules over one model: each rule's `for` clauses bound in
//! turn, its condition tested, and what holds turned into a finding with
//! its place and labels.

use crate::{ExampleFailure, FixAction, MAX_LABELS, Rule, RuleFix, RuleSet, codes};
use assure_diagnostic::{Diagnostic, Span};
use assure_lang::{Calendar, Evaluator, Frame, Val};
use assure_model::{Date, EntityId, Model};

/// How to run the rules.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Run only the rules of this stage (an index) and the earlier stages
    /// of its pack's chain.
    pub last_stage: Option<usize>,
    /// The evaluation budget per rule, in steps, on top of a share
    /// proportional to the proposal's size (the CLI's `--max-steps`).
    pub base_fuel: u64,
    /// At most this many threads; `None` for one per core. The findings
    /// are the same whatever it is.
    pub threads: Option<usize>,
    /// The date `today()` gives; `none` without.
    pub today: Option<Date>,
    /// Run the corpus rules (over a model of every proposal linted
    /// together) instead of the others.
    pub corpus: bool,
    /// Keep each binding's outcome ([`Evaluation::outcomes`]): for the
    /// tests that hold every rule to judging what it reads.
    pub outcomes: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            last_stage: None,
            base_fuel: 5_000_000,
            threads: None,
            today: None,
            corpus: false,
            outcomes: false,
        }
    }
}

/// A finding of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFinding {
    /// The finding.
    pub diagnostic: Diagnostic,
    /// Its stage, an index into [`RuleSet::stages`].
    pub stage: usize,
}

/// The result of running the rules over one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Findings, in the order rules produced them.
    pub findings: Vec<RuleFinding>,
    /// Whether the document says each stage is approved.
    pub approved: Vec<bool>,
    /// Whether each stage's regime governs the proposal: false where its
    /// `applies` is false, and then its rules did not run.
    pub applicable: Vec<bool>,
    /// Whether a rule read the run's date (`today()`), so that output
    /// says which date it was.
    pub read_today: bool,
    /// With [`Options::outcomes`]: each binding judged, as the rule's
    /// code, the entity its first binder is bound to, and what came of it.
    pub outcomes: Vec<(String, Option<EntityId>, Outcome)>,
}

/// What came of judging one binding of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `applies` was false.
    NotApplicable,
    /// It could not be judged (EVAL002, EVAL003).
    NotAssessed,
    /// It fired.
    Fired,
    /// It was judged and did not fire.
    Passed,
}

impl RuleSet {
    /// Runs each rule's examples: the `fail` example must give the rule's
    /// code and the `pass` example must not.
    /// A rule without both examples, or an example that is not a sound
    /// proposal (a structural error or warning of its own, such as a
    /// misspelt field or an impossible date), fails too: it would show
    /// nothing about the rule.
    /// `today()` is the examples' `as-of`, else `today`.
    pub fn check_examples(&self, today: Option<Date>) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        for rule in &self.rules {
            let (Some((_, fail_span)), Some((_, pass_span))) =
                (&rule.examples.fail, &rule.examples.pass)
            else {
                let which = match (&rule.examples.fail, &rule.examples.pass) {
                    (None, None) => "neither a `fail` nor a `pass` example",
                    (None, _) => "no `fail` example",
                    _ => "no `pass` example",
                };
                failures.push(ExampleFailure {
                    code: rule.code.clone(),
                    source_index: rule.source_index,
                    span: rule.examples.fail.as_ref().or(rule.examples.pass.as_ref()).map_or(rule.span, |(_, s)| *s),
                    message: format!(
                        "{} has {which}: `[rules.examples]` shows a proposal on which it fires and one on which it does not, and `rules check` runs them",
                        rule.code
                    ),
                });
                continue;
            };
            let _ = (fail_span, pass_span);
            for (example, should_fire) in
                [(&rule.examples.fail, true), (&rule.examples.pass, false)]
            {
                let Some((text, span)) = example else {
                    continue;
                };
                let parse = assure_syntax::parse(text);
                let mut errors: Vec<String> = parse
                    .errors
                    .iter()
                    .filter(|d| d.severity >= assure_diagnostic::Severity::Warning)
                    .map(|d| format!("{} {}", d.code, d.message))
                    .collect();
                let (model, diagnostics) = assure_model::build(text, parse.file, &self.vocabulary);
                errors.extend(
                    diagnostics
                        .iter()
                        .filter(|d| d.severity >= assure_diagnostic::Severity::Warning)
                        .map(|d| format!("{} {}", d.code, d.message)),
                );
                let which = if should_fire { "fail" } else { "pass" };
                if let Some(first) = errors.first() {
                    failures.push(ExampleFailure {
                        code: rule.code.clone(),
                        source_index: rule.source_index,
                        span: *span,
                        message: format!(
                            "the `{which}` example of {} is not a sound proposal: {}{}",
                            rule.code,
                            assure_diagnostic::visible(first),
                            match errors.len() {
                                1 => String::new(),
                                n => format!(" (and {} more)", n - 1),
                            }
                        ),
                    });
                    continue;
                }
                let options = Options {
                    today: rule.examples.as_of.or(today),
                    corpus: rule.corpus,
                    outcomes: true,
                    ..Options::default()
                };
                let evaluation = self.evaluate(&model, &options);
                let fired = evaluation
                    .findings
                    .iter()
                    .any(|f| *f.diagnostic.code == *rule.code);
                // A pass the rule could not judge shows nothing passing.
                let not_assessed = evaluation.outcomes.iter().any(|(code, _, outcome)| {
                    *code == rule.code && *outcome == Outcome::NotAssessed
                });
                if !should_fire && not_assessed {
                    failures.push(ExampleFailure {
                        code: rule.code.clone(),
                        source_index: rule.source_index,
                        span: *span,
                        message: format!(
                            "the `pass` example of {} is not assessed: the rule cannot judge it, so it shows nothing passing",
                            rule.code
                        ),
                    });
                    continue;
                }
                if fired != should_fire {
                    let message = if should_fire {
                        format!(
                            "the `fail` example of {} does not give {}",
                            rule.code, rule.code
                        )
                    } else {
                        format!("the `pass` example of {} gives {}", rule.code, rule.code)
                    };
                    failures.push(ExampleFailure {
                        code: rule.code.clone(),
                        source_index: rule.source_index,
                        span: *span,
                        message,
                    });
                }
            }
        }
        failures
    }

    /// Runs every rule (up to `options.last_stage`) over `model`: a large
    /// model's rules on several threads, each rule on one, so that the
    /// findings are the same, in the same order, on any number of threads.
    pub fn evaluate(&self, model: &Model<'_>, options: &Options) -> Evaluation {
        let size = (model.entities().len() + model.edge_count()) as u64;
        let budget = options.base_fuel.saturating_add(size.saturating_mul(2_000));
        let evaluator = Evaluator::new(model, &self.vocabulary, &self.defines, budget)
            .with_today(options.today);
        // A stage whose regime does not govern the proposal runs no rule. A
        // condition that cannot be told (`none`), that read a field written
        // with filler, or that runs out of fuel, is no reason not to look:
        // the stage's rules run, and say what they could not judge.
        let applicable: Vec<bool> = self
            .stages
            .iter()
            .map(|stage| match &stage.applies {
                Some((code, slots)) => {
                    evaluator.refuel(budget);
                    evaluator.take_filler();
                    let mut frame = Frame::new(*slots, &[]);
                    let applies = evaluator.eval(code, &mut frame).truth();
                    applies != Some(false)
                        || evaluator.out_of_fuel()
                        || !evaluator.take_filler().is_empty()
                }
                None => true,
            })
            .collect();
        let rules: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|rule| {
                rule.corpus == options.corpus
                    && applicable[rule.stage]
                    && options
                        .last_stage
                        .is_none_or(|last| self.precedes(rule.stage, last))
            })
            .collect();
        let run = |rule: &&Rule| {
            let evaluator = self.evaluator(model, options, budget, self.calendar_of(rule));
            self.rule_run(&evaluator, rule, options, budget)
        };
        let threads = assure_stdx::parallel::threads_for(model.entities().len(), PARALLEL_FROM)
            .min(options.threads.unwrap_or(usize::MAX));
        let mut read_today = false;
        let mut outcomes = Vec::new();
        let ran = if threads <= 1 {
            self.run_on_one_evaluator(&rules, model, options, budget)
        } else {
            assure_stdx::parallel::map_in_order(&rules, threads, run)
        };
        let findings = ran
            .into_iter()
            .flat_map(|(findings, read, kept)| {
                read_today |= read;
                outcomes.extend(kept);
                findings
            })
            .collect();
        let approved = self
            .stages
            .iter()
            .map(|stage| match &stage.approved {
                Some((code, slots)) => {
                    evaluator.refuel(budget);
                    let mut frame = Frame::new(*slots, &[]);
                    let approved = evaluator.eval(code, &mut frame).truthy();
                    approved && !evaluator.out_of_fuel()
                }
                None => false,
            })
            .collect();
        Evaluation {
            findings,
            approved,
            applicable,
            read_today: read_today || evaluator.read_today(),
            outcomes,
        }
    }

    /// Each rule's findings, in order, on one thread: the rules that count
    /// in one calendar share an evaluator, so that a definition one rule
    /// computed for an entity (`under_psr(k)`) is remembered for the next.
    /// A remembered result gives each call the fields it found absent, so
    /// what a rule says it could not judge is the same either way.
    fn run_on_one_evaluator<'a>(
        &'a self,
        rules: &[&'a Rule],
        model: &'a Model<'a>,
        options: &Options,
        budget: u64,
    ) -> Vec<RuleRun> {
        let mut shared: Option<(Option<&Calendar>, Evaluator<'a>)> = None;
        let mut ran = Vec::with_capacity(rules.len());
        for rule in rules {
            let calendar = self.calendar_of(rule);
            let same = shared.as_ref().is_some_and(|(used, _)| {
                used.map(std::ptr::from_ref) == calendar.map(std::ptr::from_ref)
            });
            if !same {
                shared = Some((calendar, self.evaluator(model, options, budget, calendar)));
            }
            let Some((_, evaluator)) = &shared else {
                continue;
            };
            evaluator.refuel(budget);
            ran.push(self.rule_run(evaluator, rule, options, budget));
        }
        ran
    }

    /// An evaluator of `model` counting in `calendar`, with `budget` steps.
    fn evaluator<'a>(
        &'a self,
        model: &'a Model<'a>,
        options: &Options,
        budget: u64,
        calendar: Option<&'a Calendar>,
    ) -> Evaluator<'a> {
        Evaluator::new(model, &self.vocabulary, &self.defines, budget)
            .with_today(options.today)
            .with_calendar(calendar)
    }

    /// What `rule` gives on `evaluator`.
    fn rule_run<'a>(
        &self,
        evaluator: &Evaluator<'a>,
        rule: &'a Rule,
        options: &Options,
        budget: u64,
    ) -> RuleRun {
        let mut outcomes = options.outcomes.then(Vec::new);
        let findings = self.run_one(
            evaluator,
            rule,
            budget,
            options.base_fuel,
            outcomes.as_mut(),
        );
        (
            findings,
            evaluator.read_today(),
            outcomes.unwrap_or_default(),
        )
    }

    /// One rule's findings, with EVAL001 if it ran out of fuel.
    fn run_one<'a>(
        &self,
        evaluator: &Evaluator<'a>,
        rule: &'a Rule,
        budget: u64,
        base: u64,
        outcomes: Option<&mut Vec<(String, Option<EntityId>, Outcome)>>,
    ) -> Vec<RuleFinding> {
        let mut findings = Vec::new();
        if !run_rule(evaluator, rule, &mut findings, outcomes) {
            let (message, help) = match evaluator.oversized() {
                Some(length) => (
                    format!(
                        "rule {} stopped: it built a list or text {length} long, and the limit is {}, so it was not fully assessed",
                        rule.code,
                        evaluator.max_value()
                    ),
                    "a rule that joins a list or text to itself again and again grows without bound; report it to the pack's authors".to_owned(),
                ),
                None => (
                    format!(
                        "rule {} stopped after {budget} steps, so it was not fully assessed",
                        rule.code
                    ),
                    format!("for a very large proposal, raise the budget with `--max-steps` (now {} per rule); otherwise report the rule's cost to the pack's authors", base),
                ),
            };
            findings.push(RuleFinding {
                diagnostic: Diagnostic::of(codes::EVAL001, Span::empty(0), message).with_help(help),
                stage: rule.stage,
            });
        }
        dedupe(&mut findings, 0);
        findings
    }
}

/// What one rule gave: its findings, whether it read `today()`, and (with
/// [`Options::outcomes`]) each binding's outcome.
type RuleRun = (
    Vec<RuleFinding>,
    bool,
    Vec<(String, Option<EntityId>, Outcome)>,
);

/// Models with fewer entities than this are evaluated on one thread: for
/// them a thread costs more than it saves, and a directory of small
/// proposals is already checked a file per core.
const PARALLEL_FROM: usize = 16_384;

fn dedupe(findings: &mut Vec<RuleFinding>, from: usize) {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut index = 0;
    findings.retain(|f| {
        index += 1;
        index <= from || seen.insert((f.diagnostic.span, f.diagnostic.message.clone()))
    });
}

/// Runs `rule`, adding its findings; false if it ran out of fuel.
fn run_rule<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    findings: &mut Vec<RuleFinding>,
    mut outcomes: Option<&mut Vec<(String, Option<EntityId>, Outcome)>>,
) -> bool {
    let mut frame = Frame::new(rule.slots, &rule.lets);
    bind_fors(evaluator, rule, 0, &mut frame, findings, &mut outcomes);
    !evaluator.out_of_fuel()
}

fn bind_fors<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    clause: usize,
    frame: &mut Frame<'a>,
    findings: &mut Vec<RuleFinding>,
    outcomes: &mut Option<&mut Vec<(String, Option<EntityId>, Outcome)>>,
) {
    // Out of fuel, values are `Missing` and cannot be trusted: nothing is
    // kept from the moment the fuel ran out.
    let Some((slot, source)) = rule.fors.get(clause) else {
        frame.reset_lets();
        let outcome = judge(evaluator, rule, frame, findings);
        if let Some(outcomes) = outcomes {
            outcomes.push((rule.code.clone(), subject(rule, frame), outcome));
        }
        return;
    };
    frame.reset_lets();
    evaluator.take_uncertain();
    evaluator.take_absent();
    let source = evaluator.eval(source, frame);
    if evaluator.take_uncertain() && !evaluator.out_of_fuel() {
        // A filter of what the rule ranges over met `none`: what it left
        // out may have been judged.
        findings.push(not_known(evaluator, rule, frame, "what it ranges over"));
    }
    for item in source.items() {
        if evaluator.out_of_fuel() {
            return;
        }
        frame.bind(*slot, item.clone());
        bind_fors(evaluator, rule, clause + 1, frame, findings, outcomes);
    }
}

/// Judges one binding: if the rule applies to it, and has what it needs,
/// a finding when its condition holds; if it lacks what it needs, an
/// EVAL002 saying the rule could not judge it. A condition that is
/// `none`, or false only because a filter met `none`, is not a pass: the
/// binding is not assessed (EVAL002), naming the fields it read that are
/// not written. Nothing out of fuel.
///
/// A binding that read a field written with filler (`TBC`) and would pass
/// or be set aside is not assessed either: filler is read as not given,
/// and a rule that was not written to need the field may not notice.
fn judge<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    findings: &mut Vec<RuleFinding>,
) -> Outcome {
    evaluator.take_filler();
    let outcome = judge_binding(evaluator, rule, frame, findings);
    let filler = evaluator.take_filler();
    if matches!(outcome, Outcome::Passed | Outcome::NotApplicable)
        && !filler.is_empty()
        && !evaluator.out_of_fuel()
    {
        findings.push(said_nothing(evaluator, rule, frame, &filler));
        return Outcome::NotAssessed;
    }
    outcome
}

fn judge_binding<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    findings: &mut Vec<RuleFinding>,
) -> Outcome {
    evaluator.take_outside_calendar();
    evaluator.take_uncertain();
    evaluator.take_absent();
    if let Some(applies) = &rule.applies {
        let applies = evaluator.eval(applies, frame).truth();
        let uncertain = evaluator.take_uncertain();
        if evaluator.out_of_fuel() {
            return Outcome::NotAssessed;
        }
        match applies {
            Some(true) => {}
            Some(false) if !uncertain => {
                if let Some(date) = evaluator.take_outside_calendar() {
                    findings.push(outside_calendar(evaluator, rule, frame, date));
                    return Outcome::NotAssessed;
                }
                return Outcome::NotApplicable;
            }
            _ => {
                findings.push(not_known(evaluator, rule, frame, "whether it applies"));
                return Outcome::NotAssessed;
            }
        }
    }
    let lacking: Vec<&str> = rule
        .needs
        .iter()
        .filter(|(code, _)| matches!(evaluator.eval(code, frame), Val::Missing))
        .map(|(_, what)| what.as_str())
        .collect();
    if evaluator.out_of_fuel() {
        return Outcome::NotAssessed;
    }
    if !lacking.is_empty()
        && let Some(date) = evaluator.take_outside_calendar()
    {
        // What is lacking is a calendar's answer, not a value.
        findings.push(outside_calendar(evaluator, rule, frame, date));
        return Outcome::NotAssessed;
    }
    if !lacking.is_empty() {
        let finding = not_assessed(evaluator, rule, frame, &lacking);
        findings.push(finding);
        return Outcome::NotAssessed;
    }
    let verdict = evaluator.eval(&rule.when, frame).truth();
    let uncertain = evaluator.take_uncertain();
    if evaluator.out_of_fuel() {
        return Outcome::NotAssessed;
    }
    if verdict == Some(true) {
        let finding = finding(evaluator, rule, frame);
        if !evaluator.out_of_fuel() {
            findings.push(finding);
        }
        return Outcome::Fired;
    }
    // Not fired, but only because a calendar had no answer: not judged.
    if let Some(date) = evaluator.take_outside_calendar() {
        findings.push(outside_calendar(evaluator, rule, frame, date));
        return Outcome::NotAssessed;
    }
    if verdict.is_none() || uncertain {
        findings.push(not_known(evaluator, rule, frame, "whether it holds"));
        return Outcome::NotAssessed;
    }
    Outcome::Passed
}

/// EVAL002: `rule` would pass or set aside the binding in `frame`, but
/// it read `filler`, fields written with words that stand for nothing.
fn said_nothing<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    filler: &[(assure_model::Holder, assure_vocab::FieldId, Span)],
) -> RuleFinding {
    let why = format!(
        "it reads {}",
        says_nothing(&filler_named(evaluator, filler))
    );
    not_judged(
        evaluator,
        rule,
        frame,
        codes::EVAL002,
        &why,
        "write what the field stands for; until then this stage is incomplete: the rule has not passed, it has not been checked",
    )
}

/// Each field written with filler, as written, and whose it is.
fn filler_named(
    evaluator: &Evaluator<'_>,
    filler: &[(assure_model::Holder, assure_vocab::FieldId, Span)],
) -> Vec<String> {
    let source = evaluator.model().source();
    filler
        .iter()
        .map(|&(holder, _, span)| {
            let written = source
                .get(span.start as usize..span.end as usize)
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            format!("`{written}` {}", whose(evaluator, holder))
        })
        .collect()
}

/// Fields written with filler, as a message lists them: "`a` of `X`,
/// which says nothing".
fn says_nothing(named: &[String]) -> String {
    format!(
        "{}, which {} nothing",
        assure_diagnostic::english_list(named),
        if named.len() == 1 { "says" } else { "say" }
    )
}

/// Whose a field is, for a message: "of `NAME`", "under `# Title`", "of
/// the proposal".
fn whose(evaluator: &Evaluator<'_>, holder: assure_model::Holder) -> String {
    match holder {
        assure_model::Holder::Entity(id) => format!("of `{}`", evaluator.model().entity(id).name),
        assure_model::Holder::Section(section) => {
            match evaluator.vocabulary().section(section).title.as_deref() {
                Some(title) => format!("under `# {title}`"),
                None => "of the proposal".to_owned(),
            }
        }
    }
}

/// EVAL002: `rule` could not tell `what` for the binding in `frame`,
/// because a value it reads is `none`: the fields not written, if any
/// were read.
fn not_known<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    what: &str,
) -> RuleFinding {
    let vocabulary = evaluator.vocabulary();
    let absent = evaluator.take_absent();
    let named = |unusable: bool| -> Vec<String> {
        absent
            .iter()
            .filter(|(_, _, u)| *u == unusable)
            .map(|&(holder, field, _)| {
                format!(
                    "`{}` {}",
                    vocabulary.field(field).name,
                    whose(evaluator, holder)
                )
            })
            .collect()
    };
    let (not_written, unusable) = (named(false), named(true));
    let mut read = Vec::new();
    if !not_written.is_empty() {
        read.push(format!(
            "{}, not written",
            assure_diagnostic::english_list(&not_written)
        ));
    }
    if !unusable.is_empty() {
        read.push(format!(
            "{}, whose value could not be read",
            assure_diagnostic::english_list(&unusable)
        ));
    }
    let filler = filler_named(evaluator, &evaluator.take_filler());
    if !filler.is_empty() {
        read.push(says_nothing(&filler));
    }
    let why = if read.is_empty() {
        format!("it cannot tell {what}: a value it reads is `none`")
    } else {
        format!("it cannot tell {what}: it reads {}", read.join(", and "))
    };
    not_judged(
        evaluator,
        rule,
        frame,
        codes::EVAL002,
        &why,
        "a value not given is not a pass: give it, and the rule judges it; until then this stage is incomplete",
    )
}

/// The fix a rule declares, for the binding in `frame`: `None` if where it
/// goes cannot be found (an entity or section with nothing to insert
/// after, a place that is not in the text).
fn fix_of<'a>(
    evaluator: &Evaluator<'a>,
    fix: &'a RuleFix,
    frame: &mut Frame<'a>,
) -> Option<assure_diagnostic::Fix> {
    let title = evaluator.render(&fix.title, frame);
    let edit = match &fix.action {
        FixAction::Replace { with, at } => assure_diagnostic::Edit {
            span: evaluator.place(at, frame)?,
            replacement: evaluator.render(with, frame),
        },
        FixAction::Insert { line, into } => {
            let model = evaluator.model();
            let end = match evaluator.eval(into, frame) {
                Val::Entity(id) => model
                    .fields(id)
                    .iter()
                    .map(|f| f.span().end)
                    .chain([model.entity(id).heading.end])
                    .max(),
                Val::Section(section) => model
                    .section_fields(section)
                    .iter()
                    .map(|f| f.span().end)
                    .chain(
                        model
                            .headings()
                            .iter()
                            .filter(|h| h.section == section)
                            .map(|h| h.span.end),
                    )
                    .max(),
                _ => None,
            }?;
            assure_diagnostic::Edit {
                span: Span::empty(end),
                replacement: format!("\n{}", evaluator.render(line, frame)),
            }
        }
    };
    Some(assure_diagnostic::Fix {
        title,
        applicability: fix.applicability,
        edits: vec![edit],
    })
}

/// EVAL003: `rule` could not judge the binding in `frame` because it
/// counted working days to or from `date`, which its calendar does not
/// cover.
fn outside_calendar<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    date: Date,
) -> RuleFinding {
    let why = match evaluator.calendar_range() {
        Some((name, first, last)) => format!(
            "it counts working days to or from {date}, and the calendar `{name}` covers only {first} to {last}"
        ),
        None => "it counts working days, and no calendar is loaded".to_owned(),
    };
    not_judged(
        evaluator,
        rule,
        frame,
        codes::EVAL003,
        &why,
        "a later year's bank holidays are not guessed at: use a pack `[calendar]` that covers the date, or a newer assure whose calendar does; until then this stage is incomplete",
    )
}

/// EVAL002: `rule` could not judge the binding in `frame`, for want of
/// `lacking`.
fn not_assessed<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    lacking: &[&str],
) -> RuleFinding {
    let mut why = format!("it needs {}", assure_diagnostic::english_list(lacking));
    let filler = filler_named(evaluator, &evaluator.take_filler());
    if !filler.is_empty() {
        why.push_str(&format!(", and reads {}", says_nothing(&filler)));
    }
    not_judged(
        evaluator,
        rule,
        frame,
        codes::EVAL002,
        &why,
        "until it is given, this stage is incomplete: the rule has not passed, it has not been checked",
    )
}

/// A finding of `code` saying `rule` could not judge the binding in
/// `frame`, and `why`. It points where the rule's findings would, or at
/// the entity the rule ranges over.
fn not_judged<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    frame: &mut Frame<'a>,
    code: codes::Registered,
    why: &str,
    help: &str,
) -> RuleFinding {
    let span = place(evaluator, rule, frame);
    let what = match subject(rule, frame) {
        Some(id) => format!(" for `{}`", evaluator.model().entity(id).name),
        None => String::new(),
    };
    let message = format!(
        "{} ({}) could not be assessed{what}: {why}",
        rule.code, rule.name
    );
    RuleFinding {
        diagnostic: Diagnostic::of(code, span.unwrap_or(Span::empty(0)), message).with_help(help),
        stage: rule.stage,
    }
}

/// The entity the rule's first binder is bound to, if it is one.
fn subject(rule: &Rule, frame: &Frame<'_>) -> Option<EntityId> {
    let (slot, _) = rule.fors.first()?;
    match frame.bound(*slot) {
        Val::Entity(id) => Some(*id),
        _ => None,
    }
}

/// Where a finding of `rule` points for the binding in `frame`: its
/// `primary`, or else the heading of the entity it is about.
fn place<'a>(evaluator: &Evaluator<'a>, rule: &'a Rule, frame: &mut Frame<'a>) -> Option<Span> {
    rule.primary
        .as_ref()
        .and_then(|primary| evaluator.place(primary, frame))
        .or_else(|| subject(rule, frame).map(|id| evaluator.model().entity(id).heading))
}

fn finding<'a>(evaluator: &Evaluator<'a>, rule: &'a Rule, frame: &mut Frame<'a>) -> RuleFinding {
    let message = evaluator.render(&rule.message, frame);
    let span = place(evaluator, rule, frame);
    let mut diagnostic = Diagnostic::new(
        rule.code.as_str(),
        rule.severity,
        span.unwrap_or(Span::empty(0)),
        message,
    )
    .with_help_opt(rule.help.clone());
    for label in &rule.labels {
        // A label with `each` is placed once per item, with the item bound;
        // without, once.
        let each = label
            .each
            .as_ref()
            .map(|(slot, source)| (*slot, evaluator.eval(source, frame)));
        let once = [Val::Missing];
        let (slot, items) = match &each {
            Some((slot, value)) => (Some(*slot), value.items()),
            None => (None, &once[..]),
        };
        for item in items {
            if let Some(slot) = slot {
                frame.bind(slot, item.clone());
            }
            if let Some(at) = evaluator.place(&label.at, frame) {
                let text = evaluator.render(&label.message, frame);
                diagnostic = diagnostic.with_label(at, text);
            }
        }
    }
    if let Some(fix) = &rule.fix
        && let Some(fix) = fix_of(evaluator, fix, frame)
    {
        diagnostic = diagnostic.with_fix(fix);
    }
    diagnostic.labels.dedup_by(|a, b| a.span == b.span);
    if diagnostic.labels.len() > MAX_LABELS {
        // A finding about thousands of places is unreadable, and renders
        // in time quadratic in its labels: keep the first, count the rest.
        let more = diagnostic.labels.len() - MAX_LABELS;
        diagnostic.labels.truncate(MAX_LABELS);
        if let Some(last) = diagnostic.labels.last_mut() {
            last.message
                .push_str(&format!(" (and {more} more like it)"));
        }
    }
    RuleFinding {
        diagnostic,
        stage: rule.stage,
    }
}
