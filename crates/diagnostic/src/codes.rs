//! The registry of every code assure itself emits: each declared once, here,
//! with the file it points into, its default severity, a one-line summary
//! and its explanation (`crates/diagnostic/codes/CODE.md`).
//!
//! `assure explain`, `assure rules list --all`, SARIF's rule descriptors
//! and `docs/codes.md` all read this table. Each code is a [`Registered`]
//! constant carrying its severity, and a diagnostic of assure's own is made
//! only from one ([`crate::Diagnostic::of`]): a code the table lacks does
//! not compile, and no emit site chooses a severity. Rule codes are not
//! here: rules are data, and their packs declare them with theirs.
//!
//! Like rustc's error-code registry, this holds texts and no logic, so that
//! every crate that reports a code can name it without depending on the
//! crate above it that explains it.

use crate::Severity;
use std::fmt;

/// A code of the registry, with its severity: the only way to make a
/// diagnostic of assure's own (see [`crate::Diagnostic::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Registered {
    code: &'static str,
    severity: Severity,
}

impl Registered {
    /// The code, e.g. `SYN001`.
    pub const fn as_str(self) -> &'static str {
        self.code
    }

    /// Its severity, as the registry declares it.
    pub const fn severity(self) -> Severity {
        self.severity
    }
}

impl std::ops::Deref for Registered {
    type Target = str;

    fn deref(&self) -> &str {
        self.code
    }
}

impl fmt::Display for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl PartialEq<str> for Registered {
    fn eq(&self, other: &str) -> bool {
        self.code == other
    }
}

impl PartialEq<Registered> for str {
    fn eq(&self, other: &Registered) -> bool {
        self == other.code
    }
}

impl PartialEq<Registered> for &str {
    fn eq(&self, other: &Registered) -> bool {
        *self == other.code
    }
}

impl From<Registered> for crate::Code {
    fn from(code: Registered) -> crate::Code {
        crate::Code::from(code.code)
    }
}

/// What kind of file a code's finding points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A proposal: the code is a finding of `assure lint`, in every output
    /// format, and cannot be switched off.
    Proposal,
    /// A rule pack: the pack is refused and the run fails.
    Pack,
    /// The project configuration, `assure.toml`: the run fails.
    Config,
    /// Any TOML input; in a rule pack these are reported as pack codes.
    Toml,
}

impl Scope {
    /// How the scope is named in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Proposal => "proposal",
            Scope::Pack => "pack",
            Scope::Config => "config",
            Scope::Toml => "toml",
        }
    }
}

/// One code of the registry.
#[derive(Debug)]
pub struct CodeInfo {
    /// The code, e.g. `SYN001`.
    pub code: &'static str,
    /// Its name, in kebab case, e.g. `malformed-line`: SARIF's rule name.
    pub name: &'static str,
    /// What kind of file its findings point into.
    pub scope: Scope,
    /// Its severity, unless the finding says otherwise.
    pub severity: Severity,
    /// What it means, in one line.
    pub summary: &'static str,
    /// What it means, why it matters, an example and what to do instead,
    /// in Markdown.
    pub explanation: &'static str,
}

impl CodeInfo {
    /// The example of the explanation, if it has one: the language of its
    /// fenced block (`proposal` or `toml`) and its text. Tests check that
    /// each example gives its code.
    pub fn example(&self) -> Option<(&'static str, &'static str)> {
        let (_, rest) = self.explanation.split_once("```")?;
        let (language, rest) = rest.split_once('\n')?;
        let (text, _) = rest.split_once("```")?;
        Some((language, text))
    }
}

macro_rules! registry {
    ($($code:ident: $name:literal, $scope:ident, $severity:ident, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub const $code: Registered = Registered {
                code: stringify!($code),
                severity: Severity::$severity,
            };
        )*

        /// Every code, family by family.
        pub static ALL: &[CodeInfo] = &[$(
            CodeInfo {
                code: $code.code,
                name: $name,
                scope: Scope::$scope,
                severity: Severity::$severity,
                summary: $summary,
                explanation: include_str!(concat!("../codes/", stringify!($code), ".md")),
            },
        )*];
    };
}

registry! {
    SYN001: "malformed-line", Proposal, Error, "A malformed line or token. Parsing recovers and goes on, so every such line is reported.";
    SYN002: "invalid-value", Proposal, Error, "An invalid value: an impossible date, bad digit grouping, or an amount too large to hold.";
    SYN003: "unreadable-file", Proposal, Error, "The file is not UTF-8, or cannot be read.";
    SYN004: "placeholder-left-in", Proposal, Error, "A placeholder (`<<...>>`) is still in the proposal: what it stands for was never written.";
    SCH001: "unknown-section", Proposal, Error, "A section heading the vocabulary does not know; the help names the closest one.";
    SCH002: "unknown-field", Proposal, Warning, "A field the vocabulary does not know for this section or kind.";
    SCH003: "wrong-type", Proposal, Error, "A value of the wrong type for its field.";
    SCH004: "unknown-kind", Proposal, Error, "An entity with an unknown or missing `kind`.";
    SCH005: "entity-outside-section", Proposal, Error, "An entity heading (`## Name`) outside an entity section.";
    SCH006: "duplicate-field", Proposal, Error, "A field given twice where it may appear once.";
    SCH007: "loosely-written-key", Proposal, Warning, "A line that is a field once its key is written as keys are (lower case, no bullet, no bold, no space before the colon, a colon not a dash, not a table row); it is read as that field, and the fix writes it so.";
    SCH008: "value-in-words", Proposal, Warning, "A value written as people write it in a document (`£1.5 million`, `75 per cent`, `1 April 2017`, `NHS Trust`); it is read, and the canonical form is given.";
    SCH009: "filler-not-content", Proposal, Warning, "A field whose whole value stands for nothing (`TBC`, `N/A`, `to follow`, `see business case`): it is read as not given, so that a rule needing it fires or says it cannot judge.";
    SCH010: "field-out-of-place", Proposal, Warning, "A field written under a heading that does not have it, while another section or kind does: it is not read where it is, so what it says is lost, and every stage is incomplete until it is moved.";
    SCH011: "kind-not-stated", Proposal, Warning, "An organisation published notices name without saying what kind of body it is, its name saying none assure reads: the notices are not at fault, and the rules that need its kind say they could not judge.";
    REF001: "unknown-reference", Proposal, Error, "A reference to no entity; the help names the closest name.";
    REF002: "duplicate-name", Proposal, Error, "Two entities with the same name; both headings are labelled.";
    REF003: "repeated-reference", Proposal, Warning, "An entity named again in one list, with no qualifier either time: the same link twice.";
    DIR001: "bad-suppression", Proposal, Warning, "A suppression without a reason, or one that suppresses nothing.";
    EVAL001: "rule-stopped-by-a-limit", Proposal, Warning, "A rule ran out of its evaluation budget on this proposal: its stage is incomplete.";
    EVAL002: "rule-could-not-judge", Proposal, Warning, "A rule could not judge an entity it applies to, for want of a value it needs: its stage is incomplete.";
    EVAL003: "date-outside-calendar", Proposal, Warning, "A rule counts working days to or from a date its calendar does not cover: its stage is incomplete.";
    PACK001: "pack-unparsable", Pack, Error, "A pack's TOML, or an expression or template in it, cannot be parsed.";
    PACK002: "pack-type-error", Pack, Error, "A type or unit error in an expression of a pack, or a parameter in the wrong unit.";
    PACK003: "pack-unknown-name", Pack, Error, "An unknown name, field, parameter, function or stage in a pack.";
    PACK004: "pack-duplicate", Pack, Error, "A code, stage, definition or binder a pack declares twice, or a code of assure's own.";
    PACK005: "pack-bad-metadata", Pack, Error, "Rule metadata that is missing or invalid, or a key that means nothing in a pack.";
    PACK006: "pack-example-misbehaves", Pack, Error, "A rule's example does not behave as it says.";
    VOC001: "vocabulary-contradiction", Pack, Error, "A vocabulary that contradicts itself or what it extends.";
    TOML001: "invalid-toml", Toml, Error, "The file is not valid TOML.";
    TOML002: "unknown-key", Toml, Error, "A key that means nothing where it is written.";
    TOML003: "wrong-value-type", Toml, Error, "A value of the wrong type.";
    TOML004: "missing-key", Toml, Error, "A required key is missing.";
    CFG001: "config-names-nothing", Config, Error, "The configuration names a code, parameter or pack that does not exist.";
    CFG002: "config-wrong-kind", Config, Error, "A setting of the configuration of the wrong kind or unit.";
    CFG003: "config-pack-outside", Config, Error, "A pack named by the configuration lies outside the configuration's directory.";
}

/// The registered code `code` (in any case).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().find(|info| info.code.eq_ignore_ascii_case(code))
}

/// Whether a finding of `code` says that something was not assessed (a
/// rule stopped by a limit, or lacking a value it needs, or a field not
/// read where it was written) rather than found wrong: such a finding
/// leaves its stage incomplete, not blocked.
pub fn is_not_assessed(code: &str) -> bool {
    code == EVAL001 || code == EVAL002 || code == EVAL003 || code == SCH010
}

/// The codes of findings in proposals, which no configuration switches off.
pub fn of_proposals() -> impl Iterator<Item = &'static CodeInfo> {
    ALL.iter().filter(|info| info.scope == Scope::Proposal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_well_formed_and_explained() {
        for (i, info) in ALL.iter().enumerate() {
            assert!(
                ALL[..i].iter().all(|other| other.code != info.code),
                "{} is declared twice",
                info.code
            );
            assert!(
                ALL[..i].iter().all(|other| other.name != info.name)
                    && info.name.split('-').all(|word| {
                        !word.is_empty()
                            && word
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    }),
                "{}'s name `{}` is not kebab case, or not its own",
                info.code,
                info.name
            );
            let letters = info.code.trim_end_matches(|c: char| c.is_ascii_digit());
            assert!(
                letters.len() >= 2
                    && info.code.len() - letters.len() == 3
                    && letters.chars().all(|c| c.is_ascii_uppercase()),
                "{} is not capitals then three digits",
                info.code
            );
            assert!(
                info.explanation
                    .starts_with(|c: char| c.is_uppercase() || c == '`'),
                "{}'s explanation does not start with a sentence",
                info.code
            );
            assert!(
                info.summary.ends_with('.') && !info.summary.contains('\n'),
                "{}'s summary is not one sentence on one line",
                info.code
            );
        }
        assert_eq!(lookup("syn001").map(|i| i.code), Some(SYN001.as_str()));
        assert!(lookup("CAP001").is_none());
    }
}
