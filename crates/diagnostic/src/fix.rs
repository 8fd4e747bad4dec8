//! Fixes: the text edits that mend a finding, one model for every output
//! (the CLI's `fix`, JSON, SARIF, the editor).
//!
//! A fix is a title and edits (a span of the source and what replaces it),
//! with how safe it is to apply unasked. Applying fixes never applies two
//! that overlap: the later one waits for the next round, when its finding
//! is found again against the text as it then is.

use crate::Span;

/// How safe a fix is to apply without a person looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Meaning unchanged: a canonical spelling, a field name with one close
    /// candidate. `assure fix` applies these.
    Safe,
    /// May change meaning: a reference replaced by the closest name, a word
    /// by the nearest word. `assure fix --unsafe` applies these too.
    Unsafe,
    /// A suggestion to a person, such as a placeholder to fill in; applied
    /// only from an editor, by choice.
    Manual,
}

impl Applicability {
    /// The lower-case name used in JSON and packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::Manual => "manual",
        }
    }

    /// Parses the lower-case name.
    pub fn parse(name: &str) -> Option<Applicability> {
        [
            Applicability::Safe,
            Applicability::Unsafe,
            Applicability::Manual,
        ]
        .into_iter()
        .find(|a| a.as_str() == name)
    }
}

/// One replacement: the text at `span` becomes `replacement` (an empty span
/// inserts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced.
    pub span: Span,
    /// What replaces it.
    pub replacement: String,
}

/// A way to mend a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, for a person: "write `£1.5m/yr`".
    pub title: String,
    /// How safe it is.
    pub applicability: Applicability,
    /// The edits, which do not overlap one another.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix replacing `span` with `replacement`.
    pub fn replace(
        title: impl Into<String>,
        applicability: Applicability,
        span: Span,
        replacement: impl Into<String>,
    ) -> Fix {
        Fix {
            title: title.into(),
            applicability,
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        }
    }
}

/// `text` with `fixes` applied, in order of their first edit, skipping any
/// fix that overlaps one already taken or reaches past the text; and the
/// indices (into `fixes`) of those applied, in that order.
pub fn apply(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    let mut ordered: Vec<usize> = (0..fixes.len()).collect();
    ordered.sort_by_key(|&i| {
        fixes[i]
            .edits
            .iter()
            .map(|e| (e.span.start, e.span.end))
            .min()
    });
    for index in ordered {
        let fix = fixes[index];
        let fits = fix.edits.iter().all(|edit| {
            edit.span.end as usize <= text.len()
                && text.is_char_boundary(edit.span.start as usize)
                && text.is_char_boundary(edit.span.end as usize)
                && !taken.iter().any(|t| overlaps(t.span, edit.span))
        });
        if fits && !fix.edits.is_empty() {
            taken.extend(&fix.edits);
            applied.push(index);
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in taken {
        out.push_str(&text[at..edit.span.start as usize]);
        out.push_str(&edit.replacement);
        at = edit.span.end as usize;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// Whether two edits touch the same text: overlapping spans, or two
/// insertions at one place (whose order would be a guess).
fn overlaps(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end)
        || (a.start == b.start && (a.is_empty() || b.is_empty()))
        || (a.is_empty() && a.start > b.start && a.start < b.end)
        || (b.is_empty() && b.start > a.start && b.start < a.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(start: u32, end: u32, with: &str) -> Fix {
        Fix::replace("t", Applicability::Safe, Span::new(start, end), with)
    }

    /// A fix replacing the first `old` of `text`.
    fn fix_of(text: &str, old: &str, with: &str) -> Fix {
        let start = text.find(old).unwrap() as u32;
        fix(start, start + old.len() as u32, with)
    }

    #[test]
    fn fixes_apply_in_order_and_overlapping_ones_wait() {
        let text = "value: £1.5 million per annum\nterm: ten years\n";
        let a = fix_of(text, "£1.5 million per annum", "£1.5m/yr");
        let b = fix_of(text, "£1.5", "x");
        let c = fix_of(text, "ten years", "10 years");
        let (out, applied) = apply(text, &[&c, &b, &a]);
        assert_eq!(applied, [1, 0]);
        assert_eq!(out, "value: x million per annum\nterm: 10 years\n");
        let (out, applied) = apply(text, &[&a, &c]);
        assert_eq!(applied, [0, 1]);
        assert_eq!(out, "value: £1.5m/yr\nterm: 10 years\n");
    }

    #[test]
    fn a_fix_outside_the_text_or_inside_a_character_is_not_applied() {
        let text = "£1";
        assert_eq!(apply(text, &[&fix(1, 2, "x")]), (text.to_owned(), vec![]));
        assert_eq!(apply(text, &[&fix(0, 9, "x")]), (text.to_owned(), vec![]));
        assert_eq!(apply(text, &[&fix(3, 3, "0")]), ("£10".to_owned(), vec![0]));
    }
}
