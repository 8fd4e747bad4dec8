//! Text as a word processor leaves it, made plain: spaces that are not
//! spaces, characters that are not there, curly quotes, and the blanks a
//! template leaves (`<INSERT>`, `[Add date]`, `Click or tap here to enter
//! text.`), which become placeholders (`<<INSERT>>`) so that the field is
//! not read as given.

/// What the prompts of Word's content controls say when nothing was
/// entered, in the text a template keeps.
const PROMPTS: [&str; 6] = [
    "Click or tap here to enter text.",
    "Click here to enter text.",
    "Click or tap to enter a date.",
    "Click here to enter a date.",
    "Choose an item.",
    "Enter text here.",
];

/// Words that open a bracketed blank in a template: `[Add date]`,
/// `[Insert name]`.
const BLANK_VERBS: [&str; 8] = [
    "add", "insert", "enter", "type", "select", "choose", "specify", "name of",
];

/// A paragraph's text, plain: lines (a line break within the paragraph
/// kept as `\n`) with runs of spaces as one, trimmed, and blanks marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned(pub String);

impl Cleaned {
    /// `raw` made plain.
    pub fn of(raw: &str) -> Cleaned {
        let mut plain = String::with_capacity(raw.len());
        for c in raw.chars() {
            match c {
                '\u{00A0}' | '\u{202F}' | '\u{2007}' | '\t' | '\u{2002}' | '\u{2003}'
                | '\u{2009}' => plain.push(' '),
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
                '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => plain.push('\''),
                '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => plain.push('"'),
                '\r' | '\u{000B}' | '\u{2028}' | '\u{2029}' => plain.push('\n'),
                c if c.is_control() && c != '\n' => plain.push(' '),
                c => plain.push(c),
            }
        }
        let lines: Vec<String> = plain
            .split('\n')
            .map(|line| mark_blanks(&line.split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect();
        // Blank lines inside a paragraph say nothing.
        let kept: Vec<&str> = lines
            .iter()
            .map(String::as_str)
            .filter(|l| !l.is_empty())
            .collect();
        Cleaned(kept.join("\n"))
    }
}

/// `line` with each template blank written as a placeholder.
fn mark_blanks(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    'scan: while !rest.is_empty() {
        // Every prompt opens with `C` or `E`: others need no comparing.
        let opens_prompt = matches!(rest.as_bytes()[0], b'C' | b'c' | b'E' | b'e');
        for prompt in PROMPTS.iter().filter(|_| opens_prompt) {
            if let Some(tail) = strip_prefix_ignoring_case(rest, prompt) {
                out.push_str("<<");
                out.push_str(prompt);
                out.push_str(">>");
                rest = tail;
                continue 'scan;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c == '<' && rest.starts_with("<<") {
            // Already a placeholder: kept as it is.
            let end = rest.find(">>").map_or(rest.len(), |i| i + 2);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if (c == '<' || c == '[')
            && let Some((inner, tail)) = bracketed(rest, c)
            && is_blank(inner, c)
        {
            out.push_str("<<");
            out.push_str(inner.trim());
            out.push_str(">>");
            rest = tail;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The text inside the bracket `rest` opens with, and what follows it.
fn bracketed(rest: &str, open: char) -> Option<(&str, &str)> {
    let close = if open == '<' { '>' } else { ']' };
    let body = &rest[1..];
    let end = body.find(close)?;
    let inner = &body[..end];
    (end <= 80 && !inner.contains(open)).then(|| (inner, &body[end + 1..]))
}

/// Whether a bracketed text is a blank to fill: `<INSERT>`, `<name>`
/// (anything in angle brackets with a letter), `[Add date]` (square
/// brackets opening with a verb of filling in).
fn is_blank(inner: &str, open: char) -> bool {
    if open == '<' {
        // Not a comparison or an arrow: a word right after `<` and right
        // before `>`.
        return inner.chars().next().is_some_and(char::is_alphabetic)
            && inner.chars().last().is_some_and(|c| !c.is_whitespace());
    }
    let inner = inner.trim();
    let lower = inner.to_lowercase();
    BLANK_VERBS
        .iter()
        .any(|verb| lower == *verb || lower.starts_with(&format!("{verb} ")))
}

fn strip_prefix_ignoring_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_word_processor_adds_is_taken_away() {
        assert_eq!(
            Cleaned::of("Turn\u{200B}over:\u{00A0}\u{00A0}£4m/yr\t ").0,
            "Turnover: £4m/yr"
        );
        assert_eq!(
            Cleaned::of("Queen\u{2019}s \u{201C}Square\u{201D}").0,
            "Queen's \"Square\""
        );
        assert_eq!(Cleaned::of("co\u{00AD}operative").0, "cooperative");
        assert_eq!(Cleaned::of("one\n\n two \rthree").0, "one\ntwo\nthree");
    }

    #[test]
    fn template_blanks_become_placeholders() {
        assert_eq!(
            Cleaned::of("Project sponsor: <INSERT>").0,
            "Project sponsor: <<INSERT>>"
        );
        assert_eq!(Cleaned::of("Start: [Add date]").0, "Start: <<Add date>>");
        assert_eq!(
            Cleaned::of("Click or tap here to enter text.").0,
            "<<Click or tap here to enter text.>>"
        );
        assert_eq!(Cleaned::of("<<KEPT>> as it is").0, "<<KEPT>> as it is");
        // Brackets that are not blanks.
        assert_eq!(Cleaned::of("a < b and c > d").0, "a < b and c > d");
        assert_eq!(
            Cleaned::of("see [1] and [Appendix A]").0,
            "see [1] and [Appendix A]"
        );
        assert_eq!(Cleaned::of("<3 years").0, "<3 years");
    }
}
