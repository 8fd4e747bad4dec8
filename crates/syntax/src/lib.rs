//! The proposal format's syntax: a lossless, error-recovering line tree and an
//! on-demand value lexer.
//!
//! `parse` never fails. It returns a [`SourceFile`] in which every byte of the
//! input belongs to one [`Line`], plus every SYN001 error found; a malformed
//! line is reported and recovered from, so one run reports every problem.
//! Field values are kept as spans and lexed on demand by [`lex_value`] into
//! typed [`Token`]s, [`Item`]s and [`Qualifier`]s, because whether a value is
//! free text or a list of references is a question for the vocabulary.
//!
//! This crate knows nothing of sections, fields, entity kinds or rules: it
//! classifies lines and tokens, and the model decides what they mean. Its
//! only dependencies are `nom` and `assure-diagnostic`.

mod directive;
mod lexer;
mod parser;
mod tree;
mod trim;

pub use lexer::{
    Item, Qualifier, Token, TokenKind, ValueProblem, ValueTree, count_items, lex_value,
};
pub use parser::{Parse, normalize_key, parse};
pub use tree::{Comment, Directive, DirectiveKind, Field, Line, LineKind, SourceFile};

use assure_diagnostic::{Diagnostic, Span, codes};

/// Number-shaped token pieces, for the model to read amounts the same way
/// the lexer recognised them.
pub mod number {
    /// Splits the amount of a money token into the number, the multiplier
    /// (`k`, `m`, `bn`, any case) and whether it is annual. `None` if the
    /// token is not money as the lexer reads it.
    pub fn split_money(token: &str) -> Option<(&str, &str, bool)> {
        let body = token
            .strip_prefix('£')
            .or_else(|| token.strip_prefix("GBP").map(str::trim_start))?;
        let (body, annual) = match body.strip_suffix("/yr") {
            Some(body) => (body, true),
            None => (body, false),
        };
        let (rest, number) = crate::lexer::number(body).ok()?;
        let (rest, multiplier) = if rest.is_empty() {
            (rest, "")
        } else {
            crate::lexer::multiplier(rest).ok()?
        };
        rest.is_empty().then_some((number, multiplier, annual))
    }

    /// The units of a duration, each plural before its singular so that
    /// `years` is not read as `year` followed by `s`.
    pub const DURATION_UNITS: [&str; 8] = [
        "years", "year", "months", "month", "weeks", "week", "days", "day",
    ];

    /// The duration unit `text` starts with, if any: the one list of units
    /// for proposals' values and rule packs' literals alike.
    pub fn duration_unit(text: &str) -> Option<&str> {
        DURATION_UNITS
            .iter()
            .find(|unit| text.starts_with(*unit))
            .map(|unit| &text[..unit.len()])
    }
}

/// Checks that `bytes` are a UTF-8 proposal assure can read, returning the
/// text or one SYN003 diagnostic. The diagnostic's span is empty and sits at
/// the first invalid byte, so a lossy rendering of the bytes shows where.
pub fn decode(bytes: &[u8]) -> Result<&str, Box<Diagnostic>> {
    if u32::try_from(bytes.len()).is_err() {
        return Err(too_large(bytes.len()));
    }
    std::str::from_utf8(bytes).map_err(|error| not_utf8(bytes, error))
}

/// [`decode`] taking the bytes: the text is the same allocation, and the
/// bytes are validated once. On failure the bytes come back with the
/// diagnostic.
pub fn decode_owned(bytes: Vec<u8>) -> Result<String, (Box<Diagnostic>, Vec<u8>)> {
    if u32::try_from(bytes.len()).is_err() {
        return Err((too_large(bytes.len()), bytes));
    }
    String::from_utf8(bytes).map_err(|error| {
        let diagnostic = not_utf8(error.as_bytes(), error.utf8_error());
        (diagnostic, error.into_bytes())
    })
}

fn too_large(len: usize) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::of(
            codes::SYN003,
            Span::empty(0),
            format!("file is too large to check ({len} bytes; the limit is 4 GiB)"),
        )
        .with_help("split the proposal into smaller files"),
    )
}

fn not_utf8(bytes: &[u8], error: std::str::Utf8Error) -> Box<Diagnostic> {
    let at = error.valid_up_to();
    let byte = bytes[at];
    Box::new(
        Diagnostic::of(
            codes::SYN003,
            Span::empty(at as u32),
            format!("file is not UTF-8: byte 0x{byte:02X} at offset {at} is not valid UTF-8"),
        )
        .with_help("save the proposal as UTF-8 (most editors offer this under \"Save as\" or \"Encoding\")"),
    )
}

#[cfg(test)]
mod tests;
