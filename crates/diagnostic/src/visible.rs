//! Text from a proposal or a pack made safe to print for a person or a CI
//! log: no control character reaches a terminal, where an escape sequence
//! could set the window title, clear the screen or forge a line of output,
//! and no bidirectional control reaches a reader, who would read text in
//! an order other than the order it is in (`Trust\u{202e}dtL`).
//! JSON and SARIF need none of this: their encoders escape control
//! characters already.

use std::borrow::Cow;

/// Whether `c` must not be printed as it is: C0 controls but newline and
/// tab, DEL, the C1 controls (`U+009B` starts a sequence on some terminals
/// as ESC `[` does), the line and paragraph separators, the
/// bidirectional controls (embeddings, overrides, isolates and marks),
/// which reorder what a reviewer reads, and the zero-width characters,
/// which hide inside a word.
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with each control character written as a Rust escape (`\u{1b}`),
/// so that a person sees it. For messages, names, paths and help: text on
/// one line, where a newline is a control character too.
pub fn visible(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| is_hidden(c) || c == '\n')
}

/// `text` with each control character but newline and tab escaped as
/// [`visible`] does: for output of several lines (a diff, a list, a
/// workflow command before its own encoding).
pub fn visible_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, is_hidden)
}

/// `text` with each character for which `escaped` holds written as a Rust
/// escape (`\u{1b}`); borrowed when there is none.
fn escape_where(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with each byte of a control character replaced by `?` and each
/// carriage return that does not end a line by a newline, keeping every
/// byte offset: for source text that snippets quote by span.
pub fn visible_in_place(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_hidden(c) && c != '\r') && !has_lone_cr(text) {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        match c {
            '\r' if bytes.get(at + 1) == Some(&b'\n') => out.push('\r'),
            '\r' => out.push('\n'),
            c if is_hidden(c) => out.extend(std::iter::repeat_n('?', c.len_utf8())),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|at| bytes[at] == b'\r' && bytes.get(at + 1) != Some(&b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_sent() {
        assert_eq!(
            visible("Acme\u{1b}]0;pwned\u{7}Ltd"),
            r"Acme\u{1b}]0;pwned\u{7}Ltd"
        );
        assert_eq!(visible("a\u{9b}2Jb"), "a\\u{9b}2Jb");
        assert_eq!(visible("two\nlines"), "two\\u{a}lines");
        assert_eq!(
            visible_lines("two\nlines\r\n\u{1b}c"),
            "two\nlines\\u{d}\n\\u{1b}c"
        );
        assert!(matches!(visible("plain £5m"), Cow::Borrowed(_)));
    }

    #[test]
    fn bidirectional_controls_are_shown_not_obeyed() {
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let text = format!("Acme{c}dtL");
            assert_eq!(visible(&text), format!("Acme\\u{{{:x}}}dtL", c as u32));
            assert_eq!(visible_in_place(&text).len(), text.len());
            assert!(!visible_in_place(&text).contains(c));
        }
        // Right-to-left text itself is text.
        assert!(matches!(visible("مستشفى"), Cow::Borrowed(_)));
    }

    #[test]
    fn source_text_keeps_its_offsets() {
        let text = "name: A\u{1b}[2J\r\nkind: llp\rterm: \u{9b}x\n";
        let shown = visible_in_place(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown, "name: A?[2J\r\nkind: llp\nterm: ??x\n");
        assert!(matches!(visible_in_place("a\r\nb\n"), Cow::Borrowed(_)));
    }
}
