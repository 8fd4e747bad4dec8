//! Comments and the directives they carry.

use crate::tree::{Comment, Directive, DirectiveKind};
use assure_diagnostic::Span;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, space0};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, preceded};
use nom::{IResult, Parser as _};

/// Reads the comment `<!-- ... -->` at `span` of `text`, on line `line`.
pub(crate) fn parse_comment(text: &str, span: Span, line: u32) -> Comment {
    let inner_start = span.start as usize + 4;
    let inner_end = (span.end as usize).saturating_sub(3).max(inner_start);
    let inner = &text[inner_start..inner_end];
    let lead = inner.len() - inner.trim_start().len();
    let body_text = inner.trim();
    let body_start = inner_start + lead;
    let body = Span::from_range(body_start..body_start + body_text.len());
    Comment {
        line,
        span,
        body,
        directive: directive(body_text, body_start),
    }
}

fn directive(body: &str, base: usize) -> Option<Directive> {
    let (rest, keyword, kind) = match keyword(body) {
        Ok((rest, "assure-allow")) => (rest, "assure-allow", DirectiveKind::Allow),
        Ok((rest, "fixture")) => {
            // Settings, not codes: kept whole as the directive's text.
            let settings = rest[1..].trim();
            let at = base + (body.len() - rest[1..].trim_start().len());
            return Some(Directive {
                kind: DirectiveKind::Fixture,
                keyword: Span::from_range(base..base + "fixture".len()),
                codes: Vec::new(),
                reason: (!settings.is_empty()).then(|| Span::from_range(at..at + settings.len())),
            });
        }
        Ok((rest, keyword)) => (rest, keyword, DirectiveKind::Expect),
        Err(_) => {
            // Almost `assure-allow:`: kept, so that it is reported rather
            // than read as a comment while the finding it meant to allow
            // stands unexplained.
            let colon = body.find(':')?;
            let word = &body[..colon];
            if !is_almost_allow(word) {
                return None;
            }
            (&body[colon..], word, DirectiveKind::Misspelt)
        }
    };
    let keyword_span = Span::from_range(base..base + keyword.len());
    // Skip the colon and the white space after it.
    let mut rest = &rest[1..];
    rest = rest.trim_start();
    let mut codes = Vec::new();
    while let Ok((after, code)) = code(rest) {
        let at = base + (body.len() - rest.len());
        codes.push(Span::from_range(at..at + code.len()));
        match list_separator(after) {
            Ok((next, _)) => rest = next,
            Err(_) => {
                rest = after;
                break;
            }
        }
    }
    let reason_text = rest.trim();
    let reason = (!reason_text.is_empty()).then(|| {
        let at = base + (body.len() - rest.len()) + (rest.len() - rest.trim_start().len());
        Span::from_range(at..at + reason_text.len())
    });
    Some(Directive {
        kind,
        keyword: keyword_span,
        codes,
        reason,
    })
}

fn keyword(input: &str) -> IResult<&str, &str> {
    let (rest, word) =
        nom::branch::alt((tag("assure-allow"), tag("expect"), tag("fixture"))).parse(input)?;
    let (_, _) = char(':').parse(rest)?;
    Ok((rest, word))
}

/// Whether `word` (what comes before the colon) is almost `assure-allow`:
/// another `assure-` word (`assure-ignore`), a misspelling, other case or
/// spacing.
fn is_almost_allow(word: &str) -> bool {
    let word = word.trim().to_ascii_lowercase();
    if word.len() > 30 || word.is_empty() {
        return false;
    }
    let squeezed: String = word.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    squeezed.starts_with("assure")
        || assure_diagnostic::closest(&squeezed, ["assureallow"]).is_some()
}

/// A finding code: letters then digits, ending at white space, a comma or
/// the end. Read in any case, so that `coi001` is reported as written in
/// the wrong case rather than read as the reason.
fn code(input: &str) -> IResult<&str, &str> {
    let (rest, code) = recognize(pair(
        take_while1(|c: char| c.is_ascii_alphabetic()),
        take_while1(|c: char| c.is_ascii_digit()),
    ))
    .parse(input)?;
    if rest.is_empty() || rest.starts_with([' ', '\t', ',']) {
        Ok((rest, code))
    } else {
        Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::Verify,
        )))
    }
}

/// `, ` between codes; codes may be listed as `A001, A002`.
fn list_separator(input: &str) -> IResult<&str, &str> {
    recognize(preceded(
        pair(space0, char(',')),
        opt(take_while(|c: char| c == ' ' || c == '\t')),
    ))
    .parse(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(comment: &str) -> Option<(DirectiveKind, Vec<String>, Option<String>)> {
        let parsed = parse_comment(comment, Span::from_range(0..comment.len()), 0);
        parsed.directive.map(|d| {
            (
                d.kind,
                d.codes.iter().map(|s| s.text(comment).to_owned()).collect(),
                d.reason.map(|s| s.text(comment).to_owned()),
            )
        })
    }

    #[test]
    fn directives() {
        assert_eq!(
            check("<!-- assure-allow: CAP001 the trust guarantees the federation -->"),
            Some((
                DirectiveKind::Allow,
                vec!["CAP001".into()],
                Some("the trust guarantees the federation".into())
            ))
        );
        assert_eq!(
            check("<!-- assure-allow: CAP001, CAP002 both known -->"),
            Some((
                DirectiveKind::Allow,
                vec!["CAP001".into(), "CAP002".into()],
                Some("both known".into())
            ))
        );
        assert_eq!(
            check("<!-- assure-allow: CAP001 -->"),
            Some((DirectiveKind::Allow, vec!["CAP001".into()], None))
        );
        assert_eq!(
            check("<!-- expect: COI001 -->"),
            Some((DirectiveKind::Expect, vec!["COI001".into()], None))
        );
        assert_eq!(
            check("<!-- assure-allow: because -->"),
            Some((DirectiveKind::Allow, vec![], Some("because".into())))
        );
        assert_eq!(check("<!-- just a note -->"), None);
        assert_eq!(check("<!-- expect COI001 -->"), None);
        assert_eq!(check("<!---->"), None);
    }
}
