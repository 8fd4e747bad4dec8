//! `str::trim` and its halves, skipping spaces and tabs a byte at a time
//! and decoding chars only where something other than ASCII follows them:
//! the ends of nearly every line and value are ASCII. The parser trims
//! each line several times and the lexer before each token: at a million
//! entities that decoding was a few percent of all the work.

/// `text.trim()`.
pub(crate) fn both(text: &str) -> &str {
    end(start(text))
}

/// `text.trim_start()`.
pub(crate) fn start(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    // `at` follows ASCII bytes only, so it is a char boundary.
    match bytes.get(at) {
        None => &text[at..],
        Some(b) if b.is_ascii_graphic() => &text[at..],
        Some(_) => text[at..].trim_start(),
    }
}

/// `text.trim_end()`.
pub(crate) fn end(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut at = bytes.len();
    while at > 0 && matches!(bytes[at - 1], b' ' | b'\t' | b'\r') {
        at -= 1;
    }
    match at.checked_sub(1).map(|last| bytes[last]) {
        None => &text[..at],
        Some(b) if b.is_ascii_graphic() => &text[..at],
        Some(_) => text[..at].trim_end(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn agree_with_the_standard_library() {
        let texts = [
            "",
            " ",
            "a",
            " a ",
            "\ta b\r",
            "\u{b}x\u{c}",
            "\u{a0}name\u{a0}",
            "\u{2003}é\u{85}",
            "é",
            "x\u{3000}",
            "\u{7f}",
            "\u{1}",
            "  \t value",
            "value \t\r",
            " \t\u{a0} x \u{a0}\t ",
            "\t\t",
            " é ",
        ];
        for text in texts {
            assert_eq!(super::both(text), text.trim(), "{text:?}");
            assert_eq!(super::start(text), text.trim_start(), "{text:?}");
            assert_eq!(super::end(text), text.trim_end(), "{text:?}");
        }
    }
}
