//! Rule packs: their TOML format, loading them into a [`RuleSet`], and
//! running the rules over a proposal's model.
//!
//! The Rust code here knows the pack format and nothing of the NHS: every
//! domain rule lives in a pack (`rules/nhs-new-care-models.toml` is the
//! embedded default), and every expression in a pack is the business of
//! `assure-lang`. Loading is two phases, as cargo-deny reads its config:
//!
//! - `read`: the TOML read with spans into definitions (a pack's info,
//!   stages, functions and rules), every key and type checked, each problem
//!   reported at its place in the pack file;
//! - `build`: the definitions built into a [`RuleSet`], every expression
//!   compiled against the vocabulary (which each pack's `[vocabulary]` may
//!   extend for the packs after it), each problem again at its place.
//!
//! Running ([`RuleSet::evaluate`]) binds each rule's `for` clauses, tests
//! its condition, and turns what holds into findings with their places and
//! labels, one rule per thread on a large model, with a fuel budget per
//! rule (EVAL001 when a rule runs out).

mod build;
mod read;
mod run;

pub use assure_lang::Val;
pub use build::load;
pub use read::{TomlConstant, list_of_one_kind, read_constant};
pub use run::{Evaluation, Options, Outcome, RuleFinding};

pub(crate) use assure_diagnostic::codes;
use assure_diagnostic::{Diagnostic, Severity, Span};
use assure_lang::{Calendar, Code, DefineCode, DefineSig, Template};
use assure_vocab::Vocabulary;

/// The embedded default pack.
pub const DEFAULT_PACK: &str = include_str!("../../../rules/nhs-new-care-models.toml");
/// The path shown for the embedded default pack.
pub const DEFAULT_PACK_PATH: &str = "<embedded>/rules/nhs-new-care-models.toml";

/// The most secondary labels a finding keeps.
pub const MAX_LABELS: usize = 16;

/// The packs shipped with assure, by name: the default and the regimes a
/// project selects by name (`--pack psr-2024`, `packs = ["coi-2017"]`).
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    ("nhs-new-care-models", DEFAULT_PACK),
    ("psr-2024", include_str!("../../../rules/psr-2024.toml")),
    ("isap-2017", include_str!("../../../rules/isap-2017.toml")),
    ("coi-2017", include_str!("../../../rules/coi-2017.toml")),
];

/// The working-day calendars shipped with assure, by name; the first is
/// the one rules count in unless their pack's `[calendar]` names another.
pub const BUILTIN_CALENDARS: &[(&str, &str)] = &[(
    "england-and-wales",
    include_str!("../../../rules/calendars/england-and-wales.toml"),
)];

/// The calendar shipped with assure under `name`.
pub fn builtin_calendar(name: &str) -> Option<&'static Calendar> {
    static LOADED: std::sync::OnceLock<Vec<Calendar>> = std::sync::OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        BUILTIN_CALENDARS
            .iter()
            .filter_map(|(_, text)| read_calendar(text).ok())
            .collect()
    });
    loaded.iter().find(|c| c.name == name)
}

/// Reads a calendar file (a `[calendar]` table), or says what is wrong.
pub fn read_calendar(text: &str) -> Result<Calendar, Vec<Diagnostic>> {
    let (document, mut problems) = assure_toml_reader::parse(text);
    let mut reader = assure_toml_reader::Reader::new(text);
    let mut root = assure_toml_reader::Table::root(&document);
    let calendar = root
        .required(&mut reader, "calendar", "a calendar file")
        .and_then(|value| {
            let mut table = reader.table(value, "`calendar`")?;
            let calendar = read::calendar(&mut reader, &mut table);
            table.finish(
                &mut reader,
                &["name", "from", "to", "holidays"],
                "`[calendar]`",
            );
            calendar
        });
    root.finish(&mut reader, &["calendar"], "a calendar file");
    problems.extend(reader.diagnostics);
    match calendar {
        Some(calendar) if problems.is_empty() => Ok(calendar),
        _ => Err(problems),
    }
}

/// The default pack as a source.
pub fn default_pack() -> PackSource {
    PackSource {
        path: DEFAULT_PACK_PATH.to_owned(),
        text: DEFAULT_PACK.to_owned(),
    }
}

/// The pack shipped with assure under `name`, as a source.
pub fn builtin_pack(name: &str) -> Option<PackSource> {
    BUILTIN_PACKS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(known, text)| PackSource {
            path: format!("<embedded>/rules/{known}.toml"),
            text: (*text).to_owned(),
        })
}

/// Whether `written` (a `--pack` argument or a config's `packs` entry)
/// names a pack shipped with assure rather than a file.
pub fn names_builtin(written: &str) -> bool {
    BUILTIN_PACKS.iter().any(|(name, _)| *name == written)
}

/// What to say of `name`, which names no shipped pack: the closest name,
/// then every shipped pack's, and how to name a file instead.
pub fn unknown_pack_help(name: &str) -> String {
    let names = BUILTIN_PACKS.iter().map(|(n, _)| *n);
    let hint = assure_diagnostic::closest(name, names.clone())
        .map_or_else(String::new, |n| format!("did you mean `{n}`? "));
    format!(
        "{hint}the packs shipped with assure are {}; a pack file is named by its path (`./{}.toml`)",
        names
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        assure_diagnostic::visible(name)
    )
}

/// Whether `written` could only be a pack's name, not a path: no
/// directory and no extension.
pub fn is_bare_name(written: &str) -> bool {
    !written.is_empty() && !written.contains(['/', '\\', '.'])
}

/// A rule pack's text and where it came from.
#[derive(Debug, Clone)]
pub struct PackSource {
    /// The path shown in diagnostics (`<embedded>/...` for the default).
    pub path: String,
    /// The TOML.
    pub text: String,
}

/// The problems found in one pack.
#[derive(Debug, Clone)]
pub struct PackErrors {
    /// The pack's path.
    pub path: String,
    /// The pack's text.
    pub text: String,
    /// What is wrong, pointing into `text`.
    pub diagnostics: Vec<Diagnostic>,
}

/// Overrides a project applies when loading packs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Parameter values by name, replacing the packs' defaults.
    pub params: Vec<(String, Val<'static>)>,
}

/// A pack's name and version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackInfo {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// What it is for.
    pub description: Option<String>,
    /// The fields its `[vocabulary]` adds.
    pub fields: Vec<assure_vocab::FieldId>,
}

/// A gateway stage.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Its id, e.g. `case-for-change`.
    pub id: String,
    /// The pack that declares it: each pack's stages are a chain of their
    /// own, so an error of one pack never blocks another pack's stage.
    pub pack: String,
    /// Its title.
    pub title: String,
    /// When the document says the stage is approved, and the slots the
    /// condition needs.
    approved: Option<(Code, u32)>,
    /// When the stage's regime governs the proposal at all (the bodies,
    /// the dates, the processes it covers), and the slots the condition
    /// needs: where it is false the stage's rules do not run and it is not
    /// applicable.
    applies: Option<(Code, u32)>,
}

/// A rule parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// The pack's default.
    pub default: Val<'static>,
    /// The value in force (the default unless the project overrides it).
    pub value: Val<'static>,
    /// What it means.
    pub doc: Option<String>,
}

impl Param {
    /// Whether the value in force is the pack's default.
    pub fn is_default(&self) -> bool {
        assure_lang::value::equal(&self.value, &self.default)
    }
}

/// A rule's examples: proposals on which it fires and does not.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// A proposal on which the rule fires, and where it is in the pack.
    pub fail: Option<(String, Span)>,
    /// A proposal on which it does not, and where it is in the pack.
    pub pass: Option<(String, Span)>,
    /// The date `today()` gives in the examples, so that they behave the
    /// same whenever they run.
    pub as_of: Option<assure_model::Date>,
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

/// A secondary label of a rule: placed once, or once per item of `each`
/// with the item bound to its slot.
#[derive(Debug, Clone)]
struct Label {
    each: Option<(u32, Code)>,
    at: Code,
    message: Template,
}

/// A rule's fix, compiled: what its finding's fix does.
#[derive(Debug, Clone)]
struct RuleFix {
    title: Template,
    applicability: assure_diagnostic::Applicability,
    action: FixAction,
}

/// What a rule's fix does.
#[derive(Debug, Clone)]
enum FixAction {
    /// The line, inserted at the end of the block of the entity or section
    /// the code gives.
    Insert { line: Template, into: Code },
    /// The text at the place the code gives, replaced.
    Replace { with: Template, at: Code },
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Its stable code.
    pub code: String,
    /// Where its code is written in its pack.
    pub span: Span,
    /// Its logic as written: `for`, each `let`, `applies` and `when`, each
    /// with its key.
    pub logic: Vec<(String, String)>,
    /// Whether it sees every proposal linted together (`scope =
    /// "corpus"`) rather than one at a time.
    pub corpus: bool,
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
    /// When the rule applies to a binding at all; always, without.
    applies: Option<Code>,
    /// `let`s that must have a value for the rule to judge a binding it
    /// applies to, each with what it is in words.
    needs: Vec<(Code, String)>,
    when: Code,
    message: Template,
    primary: Option<Code>,
    labels: Vec<Label>,
    fix: Option<RuleFix>,
    slots: u32,
    /// Its pack's calendar (an index into `RuleSet::calendars`); the
    /// shipped default without.
    calendar: Option<usize>,
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
    /// The pack that defines each of `define_sigs`, by index.
    define_packs: Vec<String>,
    /// The calendars packs name with `[calendar]`.
    calendars: Vec<Calendar>,
    /// Each pack's `[params]`, which its definitions and rules read, with
    /// the pack's name.
    pub pack_params: Vec<(String, Param)>,
    /// The vocabulary, extended by the packs.
    pub vocabulary: Vocabulary,
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

    /// Every parameter a project may set: each rule's and each pack's.
    pub fn params(&self) -> impl Iterator<Item = &Param> {
        self.rules
            .iter()
            .flat_map(|r| &r.params)
            .chain(self.pack_params.iter().map(|(_, p)| p))
    }

    /// The calendar `rule` counts working days in.
    pub fn calendar_of(&self, rule: &Rule) -> Option<&Calendar> {
        match rule.calendar {
            Some(index) => self.calendars.get(index),
            None => builtin_calendar(BUILTIN_CALENDARS[0].0),
        }
    }

    /// The index of the stage with `id`.
    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    /// Whether stage `earlier` counts towards stage `later`: it is the same
    /// stage or an earlier one of the same pack's chain.
    pub fn precedes(&self, earlier: usize, later: usize) -> bool {
        earlier <= later && self.stages[earlier].pack == self.stages[later].pack
    }

    /// Whether more than one pack declares stages, so that a stage is
    /// shown with its pack's name.
    pub fn several_chains(&self) -> bool {
        self.stages
            .first()
            .is_some_and(|first| self.stages.iter().any(|s| s.pack != first.pack))
    }
}

/// Reads a parameter value written as text: `5%`, `£10m`, `2 years`,
/// `2017-04-01`, `10`.
pub fn parse_constant(text: &str) -> Result<Val<'static>, String> {
    let wanted =
        "write a number, a percentage (`5%`), an amount (`£10m`), a duration (`2 years`) or a date";
    match assure_lang::parse_expr(text) {
        Ok(assure_lang::ast::Expr {
            kind: assure_lang::ast::ExprKind::Literal(literal),
            ..
        }) => Ok(Val::of_literal(&literal)),
        Ok(_) => Err(format!(
            "`{}` is not a single value: {wanted}",
            assure_diagnostic::excerpt(text)
        )),
        Err(error) => Err(format!("{}: {wanted}", error.message)),
    }
}

/// What kind of value a parameter's is, for messages: `a number`, `an
/// annual amount of money`.
pub fn describe_kind(value: &Val<'_>) -> &'static str {
    if matches!(value, Val::List(_)) {
        return "a list";
    }
    value.ty().name_without_vocabulary().unwrap_or("a value")
}

#[cfg(test)]
mod tests;
