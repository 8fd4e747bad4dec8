//! Rule packs: a TOML format, a small typed expression language, and its
//! evaluator over the proposal graph.
//!
//! The Rust code here knows the language and nothing of the NHS: every
//! domain rule lives in a pack (`rules/nhs-new-care-models.toml` is the
//! embedded default). The pipeline within this crate:
//!
//! - [`parse`]: expressions and message templates to a syntax tree, with
//!   nom, refusing input too long or too deep to handle safely;
//! - [`compile`]: names resolved against the vocabulary and the rule's
//!   bindings, units checked, everything turned into [`compile::Code`]
//!   once, when the pack loads;
//! - [`pack`]: the TOML read with spans, so every problem points into the
//!   pack file;
//! - [`eval`]: the code run over a [`Model`], with an edge index built once
//!   per model, a visited set on every traversal and a fuel budget, so
//!   that evaluation always ends.

pub mod ast;
pub mod compile;
pub mod eval;
pub mod pack;
pub mod parse;
pub mod ty;

pub use compile::Const;
pub use pack::{PackErrors, PackSource, Settings, TomlConstant, load, read_constant};

use assure_diagnostic::{Diagnostic, Severity, Span};
use assure_model::Model;
use assure_vocab::Vocabulary;
use compile::{Code, DefineSig};
use eval::{DefineCode, Evaluator, Frame, OutOfFuel, Val};

/// The embedded default pack.
pub const DEFAULT_PACK: &str = include_str!("../../../rules/nhs-new-care-models.toml");
/// The path shown for the embedded default pack.
pub const DEFAULT_PACK_PATH: &str = "<embedded>/rules/nhs-new-care-models.toml";

/// The most secondary labels a finding keeps.
pub const MAX_LABELS: usize = 16;

/// The code of a finding that evaluation was cut short.
pub const EVAL001: &str = "EVAL001";

/// The default pack as a source.
pub fn default_pack() -> PackSource {
    PackSource {
        path: DEFAULT_PACK_PATH.to_owned(),
        text: DEFAULT_PACK.to_owned(),
    }
}

/// A pack's name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackInfo {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// What it is for.
    pub description: Option<String>,
}

/// A gateway stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Its id, e.g. `case-for-change`.
    pub id: String,
    /// Its title.
    pub title: String,
    approved: Option<(Code, u32)>,
}

/// A rule parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// The pack's default.
    pub default: Const,
    /// The value in force (the default unless the project overrides it).
    pub value: Const,
    /// What it means.
    pub doc: Option<String>,
}

/// A rule's examples: proposals on which it fires and does not.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// A proposal on which the rule fires, and where it is in the pack.
    pub fail: Option<(String, Span)>,
    /// A proposal on which it does not, and where it is in the pack.
    pub pass: Option<(String, Span)>,
}

/// A rule example that does not behave as it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule.
    pub code: String,
    /// Which pack source the rule came from (an index into the sources
    /// given to [`load`]).
    pub source_index: usize,
    /// Where the example is in that pack.
    pub span: Span,
    /// What went wrong.
    pub message: String,
}

/// A piece of a message template.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// A value to interpolate.
    Hole(Code),
}

/// A secondary label of a rule.
#[derive(Debug, Clone)]
pub struct Label {
    each: Option<(u32, Code)>,
    at: Code,
    message: Vec<Piece>,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its stable code.
    pub code: String,
    /// Its name, in kebab case.
    pub name: String,
    /// The pack it comes from.
    pub pack: String,
    /// Which of the sources given to [`load`] defined it.
    pub source_index: usize,
    /// Its gateway stage, an index into [`RuleSet::stages`].
    pub stage: usize,
    /// Its severity.
    pub severity: Severity,
    /// What it checks.
    pub summary: String,
    /// Why: where the rule comes from.
    pub source: String,
    /// What to do instead.
    pub help: Option<String>,
    /// Its parameters.
    pub params: Vec<Param>,
    /// Its examples.
    pub examples: Examples,
    fors: Vec<(u32, Code)>,
    lets: Vec<Code>,
    when: Code,
    message: Vec<Piece>,
    primary: Option<Code>,
    labels: Vec<Label>,
    slots: u32,
}

/// Every loaded pack, compiled.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// The packs, in load order.
    pub packs: Vec<PackInfo>,
    /// The gateway stages, in order.
    pub stages: Vec<Stage>,
    /// The rules, in load order.
    pub rules: Vec<Rule>,
    defines: Vec<DefineCode>,
    define_sigs: Vec<DefineSig>,
    /// The vocabulary, extended by the packs.
    pub vocabulary: Vocabulary,
}

/// How to run the rules.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Run only rules of stages up to this index.
    pub last_stage: Option<usize>,
    /// Severity overrides are applied by the caller; this is the evaluation
    /// budget per rule, in steps, on top of a share proportional to the
    /// proposal's size.
    pub base_fuel: u64,
    /// At most this many threads; `None` for one per core. The findings
    /// are the same whatever it is.
    pub threads: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            last_stage: None,
            base_fuel: 5_000_000,
            threads: None,
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
}

impl RuleSet {
    /// The embedded default pack on the core vocabulary.
    pub fn default_set() -> Result<RuleSet, Vec<PackErrors>> {
        load(&[default_pack()], Vocabulary::core(), &Settings::default())
    }

    /// The rule with `code`.
    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code))
    }

    /// The index of the stage with `id`.
    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    /// Runs each rule's examples: the `fail` example must give the rule's
    /// code and the `pass` example must not.
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        for rule in &self.rules {
            for (example, should_fire) in
                [(&rule.examples.fail, true), (&rule.examples.pass, false)]
            {
                let Some((text, span)) = example else {
                    continue;
                };
                let parse = assure_syntax::parse(text);
                let (model, _) = assure_model::build(text, &parse, &self.vocabulary);
                let fired = self
                    .evaluate(&model, &Options::default())
                    .findings
                    .iter()
                    .any(|f| *f.diagnostic.code == *rule.code);
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
        let rules: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|rule| options.last_stage.is_none_or(|last| rule.stage <= last))
            .collect();
        let run = |rule: &&Rule| {
            let evaluator = Evaluator::new(model, &self.vocabulary, &self.defines, budget);
            self.run_one(&evaluator, rule, budget)
        };
        let threads = assure_stdx::parallel::threads_for(model.entities().len(), PARALLEL_FROM)
            .min(options.threads.unwrap_or(usize::MAX));
        let findings = assure_stdx::parallel::map_in_order(&rules, threads, run)
            .into_iter()
            .flatten()
            .collect();
        let evaluator = Evaluator::new(model, &self.vocabulary, &self.defines, budget);
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
        Evaluation { findings, approved }
    }

    /// One rule's findings, with EVAL001 if it ran out of fuel.
    fn run_one<'a>(
        &self,
        evaluator: &Evaluator<'a>,
        rule: &'a Rule,
        budget: u64,
    ) -> Vec<RuleFinding> {
        let mut findings = Vec::new();
        if run_rule(evaluator, rule, &mut findings).is_err() {
            findings.push(RuleFinding {
                diagnostic: Diagnostic::warning(
                    EVAL001,
                    Span::empty(0),
                    format!(
                        "rule {} stopped after {budget} steps, so its findings may be incomplete",
                        rule.code
                    ),
                )
                .with_help("the proposal may be very large, or the rule's traversals too costly; report it to the pack's authors"),
                stage: rule.stage,
            });
        }
        dedupe(&mut findings, 0);
        findings
    }
}

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

fn run_rule<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    findings: &mut Vec<RuleFinding>,
) -> Result<(), OutOfFuel> {
    let mut frame = Frame::new(rule.slots, &rule.lets);
    bind_fors(evaluator, rule, 0, &mut frame, findings);
    if evaluator.out_of_fuel() {
        Err(OutOfFuel)
    } else {
        Ok(())
    }
}

fn bind_fors<'a>(
    evaluator: &Evaluator<'a>,
    rule: &'a Rule,
    clause: usize,
    frame: &mut Frame<'a>,
    findings: &mut Vec<RuleFinding>,
) {
    // Out of fuel, values are `Missing` and cannot be trusted: nothing is
    // kept from the moment the fuel ran out.
    let Some((slot, source)) = rule.fors.get(clause) else {
        frame.reset_lets();
        if evaluator.eval(&rule.when, frame).truthy() && !evaluator.out_of_fuel() {
            let finding = finding(evaluator, rule, frame);
            if !evaluator.out_of_fuel() {
                findings.push(finding);
            }
        }
        return;
    };
    frame.reset_lets();
    let source = evaluator.eval(source, frame);
    for item in source.items() {
        if evaluator.out_of_fuel() {
            return;
        }
        frame.slots[*slot as usize] = item.clone();
        bind_fors(evaluator, rule, clause + 1, frame, findings);
    }
}

fn render<'a>(evaluator: &Evaluator<'a>, pieces: &'a [Piece], frame: &mut Frame<'a>) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Hole(code) => {
                let value = evaluator.eval(code, frame);
                out.push_str(&evaluator.display(&value));
            }
        }
    }
    out
}

fn finding<'a>(evaluator: &Evaluator<'a>, rule: &'a Rule, frame: &mut Frame<'a>) -> RuleFinding {
    let message = render(evaluator, &rule.message, frame);
    let span = match &rule.primary {
        Some(primary) => evaluator.place(primary, frame),
        None => None,
    };
    let span = span.or_else(|| {
        let (slot, _) = rule.fors.first()?;
        match &frame.slots[*slot as usize] {
            Val::Entity(id) => Some(evaluator.model.entity(*id).heading),
            _ => None,
        }
    });
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
                frame.slots[slot as usize] = item.clone();
            }
            if let Some(at) = evaluator.place(&label.at, frame) {
                let text = render(evaluator, &label.message, frame);
                diagnostic = diagnostic.with_label(at, text);
            }
        }
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

#[cfg(test)]
mod tests;

/// Reads a parameter value written as text: `5%`, `£10m`, `2 years`,
/// `2017-04-01`, `10`.
pub fn parse_constant(text: &str) -> Result<Const, String> {
    let wanted =
        "write a number, a percentage (`5%`), an amount (`£10m`), a duration (`2 years`) or a date";
    match parse::parse_expr(text) {
        Ok(ast::Expr {
            kind: ast::ExprKind::Literal(literal),
            ..
        }) => Ok(Const::from_literal(&literal)),
        Ok(_) => Err(format!(
            "`{}` is not a single value: {wanted}",
            assure_diagnostic::excerpt(text)
        )),
        Err(error) => Err(format!("{}: {wanted}", error.message)),
    }
}

/// Whether `value` may stand in for a parameter whose default is `default`:
/// the same kind of value (numbers of any precision are alike).
pub fn same_kind(default: &Const, value: &Const) -> bool {
    std::mem::discriminant(default) == std::mem::discriminant(value)
        && !matches!((default, value), (Const::Money(_, a), Const::Money(_, b)) if a != b)
}
