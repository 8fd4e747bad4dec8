//! The shared language of findings: byte [`Span`]s, the [`LineIndex`] that
//! turns them into lines and columns, and the [`Diagnostic`] every stage emits.
//!
//! Every stage of assure (syntax, model, rules, config) reports problems as
//! `Diagnostic`s pointing into one source text by byte span. This crate knows
//! nothing of proposals, rule packs or output formats: it is the bottom of the
//! dependency graph, so that the syntax crate can report errors without
//! knowing any layer above it.

pub mod codes;
mod fix;
mod line_index;
mod listed;
pub mod place;
mod span;
mod visible;

pub use fix::{Applicability, Edit, Fix, apply};
pub use line_index::{LineCol, LineIndex, Location, prefix_from};
pub use listed::{LISTED_PER_CODE, Listed};
pub use span::Span;
pub use visible::{visible, visible_in_place, visible_lines};

use std::fmt;
use std::sync::Arc;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Fails a run only with `--deny warnings`.
    Warning,
    /// Fails the run and blocks readiness.
    Error,
}

impl Severity {
    /// Every severity, from least to most serious.
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

    /// The lower-case name used in packs, configs and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses the lower-case name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable finding code such as `SYN001` or `CAP001`. Cheap to clone.
pub type Code = Arc<str>;

/// A secondary place involved in a finding, with what it has to do with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where, in the same source as the diagnostic.
    pub span: Span,
    /// Why this place matters, e.g. "the holder's turnover".
    pub message: String,
}

/// One finding: a code, a severity, a message, the exact span at fault,
/// secondary labels and an optional line of help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// One sentence a reader can act on.
    pub message: String,
    /// The primary span: the exact text at fault.
    pub span: Span,
    /// Other places involved.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Edits that would mend it, if any is known.
    pub fixes: Vec<Fix>,
    /// How many findings of its code after it this one stands for, not
    /// listed one by one (see [`Listed`]): none for almost every finding.
    /// A directive covering this one's line does not allow them.
    pub unlisted: usize,
}

impl Diagnostic {
    /// A diagnostic with no labels and no help.
    pub fn new(
        code: impl Into<Code>,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            fixes: Vec::new(),
            unlisted: 0,
        }
    }

    /// How many findings this one counts as: itself, and those it stands
    /// for.
    pub fn weight(&self) -> usize {
        1 + self.unlisted
    }

    /// A diagnostic of assure's own: its code from the registry, and the
    /// severity the registry gives it (a configuration may still change
    /// it later). Rules' findings, whose codes and severities their packs
    /// declare, are made with [`Diagnostic::new`].
    pub fn of(code: codes::Registered, span: Span, message: impl Into<String>) -> Self {
        Diagnostic::new(code, code.severity(), span, message)
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a fix.
    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Sets the help line if there is one.
    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }
}

/// Diagnostics into `text` as plain lines, one each: `CODE line:col "text
/// at fault": message (help: ...) [line:col label]`. Every field of a
/// diagnostic shows, so a test that compares this text sees any change.
pub fn render_plain(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let at = index.line_col(text, d.span.start);
        out.push_str(&format!(
            "{} {}:{} {:?}: {}",
            d.code,
            at.line,
            at.column,
            d.span.text(text),
            d.message
        ));
        if let Some(help) = &d.help {
            out.push_str(&format!(" (help: {help})"));
        }
        for label in &d.labels {
            let at = index.line_col(text, label.span.start);
            out.push_str(&format!(" [{}:{} {}]", at.line, at.column, label.message));
        }
        out.push('\n');
    }
    out
}

/// Items as a sentence lists them: `a`, `a and b`, `a, b and c`.
pub fn english_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

/// Quotes user text in a message: on one line, whole up to 200 characters
/// (the longest names people give organisations and contracts), else cut
/// after the last whole word that fits, with `...`. A message must never
/// grow with its input, nor cut a name in the middle of a word.
pub fn excerpt(text: &str) -> String {
    const LIMIT: usize = 200;
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        let gap = usize::from(!out.is_empty());
        if count + gap + length > LIMIT - 3 {
            if out.is_empty() {
                // One word longer than the limit: cut it, there is no other
                // place to.
                out.extend(word.chars().take(LIMIT - 3));
            }
            out.push_str("...");
            return out;
        }
        if gap == 1 {
            out.push(' ');
        }
        out.push_str(word);
        count += gap + length;
    }
    out
}

/// Finds the candidate closest to `wanted` for a "did you mean" hint, or
/// `None` when nothing is close enough to be a plausible typo.
///
/// Comparison is case-insensitive. Candidates are scanned once; the cost is
/// bounded by `MAX_SUGGESTION_CANDIDATES` so that a proposal with many
/// unresolved names and a huge vocabulary cannot make hinting quadratic.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    const MAX_SUGGESTION_CANDIDATES: usize = 20_000;
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates.into_iter().take(MAX_SUGGESTION_CANDIDATES) {
        let lower = candidate.to_lowercase();
        if lower == wanted_lower {
            return Some(candidate);
        }
        let score = similarity(&wanted_lower, &lower);
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Normalised similarity in `0.0..=1.0`: 1 minus the edit distance over the
/// longer length, with a bonus when one is a prefix of the other (a name typed
/// in part).
fn similarity(a: &str, b: &str) -> f64 {
    let (a_len, b_len) = (a.chars().count(), b.chars().count());
    let longest = a_len.max(b_len);
    if longest == 0 {
        return 1.0;
    }
    // Names that differ wildly in length cannot be typos of each other.
    if a_len.abs_diff(b_len) * 2 > longest {
        return 0.0;
    }
    // Only a score of 0.8 or more suggests anything: a distance past what
    // gives it (a fifth of the longer, or two slips) stops the count. The
    // distance is at least the difference in length, so a difference past
    // it needs no count at all.
    let within = (longest / 5).max(if longest >= 4 { 2 } else { 0 });
    if a_len.abs_diff(b_len) > within {
        return 0.0;
    }
    let a_chars: Vec<char> = a.chars().collect();
    let b_chars: Vec<char> = b.chars().collect();
    let Some(distance) = levenshtein_within(&a_chars, &b_chars, within) else {
        return 0.0;
    };
    let score = 1.0 - distance as f64 / longest as f64;
    // One or two slips in a short word are still a typo.
    if distance <= 2 && longest >= 4 {
        return score.max(0.8);
    }
    score
}

/// The edit distance of `a` and `b`, if it is at most `within`.
fn levenshtein_within(a: &[char], b: &[char], within: usize) -> Option<usize> {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        // No later row is below this one's least.
        if current.iter().min().is_some_and(|&least| least > within) {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|&d| d <= within)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_rejects_strangers() {
        let names = ["Organisations", "People", "Contracts", "Liabilities"];
        assert_eq!(closest("Organizations", names), Some("Organisations"));
        assert_eq!(closest("people", names), Some("People"));
        assert_eq!(closest("Contract", names), Some("Contracts"));
        assert_eq!(closest("Weather", names), None);
        assert_eq!(closest("", names), None);
    }

    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(english_list::<&str>(&[]), "");
        assert_eq!(english_list(&["a"]), "a");
        assert_eq!(english_list(&["a", "b"]), "a and b");
        assert_eq!(english_list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        assert_eq!(excerpt("Dudley\n  CCG"), "Dudley CCG");
        assert_eq!(excerpt(&"9".repeat(1000)).len(), 200);
        assert!(excerpt(&"9".repeat(1000)).ends_with("..."));
        assert_eq!(excerpt(&"£".repeat(300)).chars().count(), 200);
        // A long name whole; a longer text cut between words.
        let name = "Older People and Adult Community Services Outcomes-Based Contract for Cambridgeshire and Peterborough (2015 to 2020)";
        assert_eq!(excerpt(name), name);
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word..."), "{cut}");
        assert!(cut.chars().count() <= 200);
    }

    #[test]
    fn severity_round_trips_and_orders() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        assert_eq!(Severity::parse("fatal"), None);
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
    }
}
