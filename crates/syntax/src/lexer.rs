//! Field values: typed tokens, items and qualifiers.
//!
//! The lexer classifies; it does not judge. `31,00` is a number token whose
//! grouping the model will reject, `2017-02-30` a date token the model will
//! find impossible, `£4x` a malformed money token that is only an error if
//! the field is not free text. Values are lexed on demand, because free-text
//! fields (`why-this-model`, ...) never need tokens.

use assure_diagnostic::Span;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while_m_n};
use nom::character::complete::{char, digit1, space1};
use nom::combinator::{opt, recognize};
use nom::multi::many0_count;
use nom::sequence::pair;
use nom::{IResult, Parser as _};
use std::borrow::Cow;
use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `£4m`, `£4.5m/yr`, `£1.2bn`, `£350,000`, `GBP 12k`.
    Money {
        /// Whether it ends in `/yr`.
        annual: bool,
    },
    /// `40%`, `12.5%`.
    Percent,
    /// `310,000`, `43`, `0.75` (grouping not yet checked).
    Number,
    /// `2017-04-01`, `2017-04` (calendar not yet checked).
    Date,
    /// `15 years`, `6 months`, `1 year`, `90 days`, `2 weeks`.
    Duration,
    /// `yes` or `no`, in any case.
    Bool,
    /// Anything else.
    Word,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,` followed by white space or the end of a line: separates items.
    Separator,
    /// Starts like money (`£`) but is not well formed, e.g. `£4x`.
    MalformedMoney,
}

/// One token and its exact bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// One item of a value: `Dr A Patel (40%)` in `Dr A Patel (40%), Dr D Green (60%)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// From its first to its last token, qualifier included.
    pub span: Span,
    /// The tokens before the qualifier, as indices into [`ValueTree::tokens`].
    pub head: Range<u32>,
    /// The trailing parenthesised qualifier, if any; boxed, since most
    /// items have none and a long list has millions of items.
    pub qualifier: Option<Box<Qualifier>>,
}

/// A trailing `( ... )` on an item; itself a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualifier {
    /// From `(` to `)` inclusive.
    pub span: Span,
    /// The tokens between the parentheses.
    pub tokens: Range<u32>,
    /// The items between the parentheses.
    pub items: Vec<Item>,
}

/// A structural problem in a value: unbalanced parentheses, an empty item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueProblem {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: &'static str,
    /// How to fix it.
    pub help: &'static str,
}

/// A lexed value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueTree {
    /// Every token, in order, over all segments.
    pub tokens: Vec<Token>,
    /// The top-level items.
    pub items: Vec<Item>,
    /// Structural problems, reported only where the value is not free text.
    pub problems: Vec<ValueProblem>,
}

impl ValueTree {
    /// The tokens in `range`.
    pub fn tokens(&self, range: &Range<u32>) -> &[Token] {
        &self.tokens[range.start as usize..range.end as usize]
    }

    /// The span from the first to the last token of `range`, if any.
    pub fn span_of(&self, range: &Range<u32>) -> Option<Span> {
        let tokens = self.tokens(range);
        Some(tokens.first()?.span.cover(tokens.last()?.span))
    }

    /// The text of the tokens in `range` as written, with every run of white
    /// space (including line breaks between segments) folded to one space:
    /// borrowed from `source` when it is already written that way, as it
    /// almost always is.
    pub fn text<'s>(&self, source: &'s str, range: &Range<u32>) -> Cow<'s, str> {
        let tokens = self.tokens(range);
        let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
            return Cow::Borrowed("");
        };
        let single_spaced = tokens.windows(2).all(|pair| {
            let gap = pair[1].span.start - pair[0].span.end;
            gap == 0 || (gap == 1 && source.as_bytes()[pair[0].span.end as usize] == b' ')
        });
        if single_spaced {
            return Cow::Borrowed(first.span.cover(last.span).text(source));
        }
        let mut out = String::new();
        let mut previous_end = None;
        for token in tokens {
            if previous_end.is_some_and(|end| end != token.span.start) {
                out.push(' ');
            }
            out.push_str(token.span.text(source));
            previous_end = Some(token.span.end);
        }
        Cow::Owned(out)
    }

    /// The whole text of an item, qualifier included, as [`ValueTree::text`].
    pub fn item_text<'s>(&self, source: &'s str, item: &Item) -> Cow<'s, str> {
        let end = item
            .qualifier
            .as_ref()
            .map_or(item.head.end, |q| q.tokens.end + 1);
        self.text(source, &(item.head.start..end))
    }
}

/// Lexes the value made of `segments` of `source` (one per physical line).
pub fn lex_value(source: &str, segments: &[Span]) -> ValueTree {
    let mut tree = ValueTree::default();
    tree.lex(source, segments);
    tree
}

impl ValueTree {
    /// Lexes the value made of `segments` of `source` into this tree,
    /// replacing what it held: a caller lexing millions of values reuses one
    /// tree rather than allocating one per value.
    pub fn lex(&mut self, source: &str, segments: &[Span]) {
        let from = segments.first().map_or(0, |s| s.start);
        let rest = self.lex_window(source, segments, from, usize::MAX);
        debug_assert!(rest.is_none(), "an unbounded window holds the whole value");
    }

    /// Lexes part of the value made of `segments` of `source` into this
    /// tree, replacing what it held: from byte `from` (the start of the
    /// value or of one of its top-level items) up to and including the
    /// `max_items`-th separator between top-level items. Returns where the
    /// next window starts when the value goes on past that, `None` when this
    /// window holds the rest of the value.
    ///
    /// A window ends only between top-level items, so its items and
    /// problems are those of the same stretch of the whole value lexed at
    /// once, and a caller can walk a value of millions of items holding the
    /// tokens of a few thousand. Lexing is restartable at any item, so a
    /// caller that needs to look past a window's last items starts the next
    /// window at the first item it has not finished.
    pub fn lex_window(
        &mut self,
        source: &str,
        segments: &[Span],
        from: u32,
        max_items: usize,
    ) -> Option<u32> {
        self.tokens.clear();
        self.items.clear();
        self.problems.clear();
        // The segment holding `from`: the last that starts at or before it.
        let first = segments
            .partition_point(|s| s.start <= from)
            .saturating_sub(1);
        let mut cut = None;
        let mut window = WindowEnd {
            depth: 0,
            separators_left: max_items,
        };
        for (index, segment) in segments.iter().enumerate().skip(first) {
            let start = from.clamp(segment.start, segment.end);
            let stopped = lex_segment(
                source,
                Span::new(start, segment.end),
                &mut self.tokens,
                &mut window,
            );
            if let Some(at) = stopped {
                let rest_of_value = std::iter::once(Span::new(at, segment.end))
                    .chain(segments[index + 1..].iter().copied());
                if rest_of_value
                    .into_iter()
                    .any(|s| !crate::trim::start(s.text(source)).is_empty())
                {
                    cut = Some(at);
                    break;
                }
                // Only white space follows the separator: it ends the value,
                // and this window is the last.
            }
        }
        let count = self.tokens.len() as u32;
        build_items(
            &self.tokens,
            0..count,
            cut.is_some(),
            &mut self.problems,
            &mut self.items,
        );
        cut
    }
}

/// Where a window of a value ends: after its last allowed separator
/// between top-level items.
struct WindowEnd {
    depth: usize,
    separators_left: usize,
}

impl WindowEnd {
    /// Follows `token`; true when the window ends just after it.
    fn ends_after(&mut self, token: TokenKind) -> bool {
        match token {
            TokenKind::Open => self.depth += 1,
            TokenKind::Close => self.depth = self.depth.saturating_sub(1),
            TokenKind::Separator if self.depth == 0 => {
                self.separators_left = self.separators_left.saturating_sub(1);
                return self.separators_left == 0;
            }
            _ => {}
        }
        false
    }
}

/// Lexes `segment` onto `tokens`; stops just after the token that ends
/// `window`, and returns where the segment goes on, if it does.
fn lex_segment(
    source: &str,
    segment: Span,
    tokens: &mut Vec<Token>,
    window: &mut WindowEnd,
) -> Option<u32> {
    let text = segment.text(source);
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let trimmed = crate::trim::start(rest);
        if trimmed.is_empty() {
            break;
        }
        pos += rest.len() - trimmed.len();
        let (kind, len) = next_token(trimmed);
        let start = segment.start + pos as u32;
        tokens.push(Token {
            kind,
            span: Span::new(start, start + len as u32),
        });
        pos += len;
        if window.ends_after(kind) {
            return Some(segment.start + pos as u32);
        }
    }
    None
}

/// The token at the start of `input` (which starts with no white space) and
/// its length in bytes.
fn next_token(input: &str) -> (TokenKind, usize) {
    let first = input.as_bytes()[0];
    match first {
        b'(' => return (TokenKind::Open, 1),
        b')' => return (TokenKind::Close, 1),
        b',' if ends_item(&input[1..]) => return (TokenKind::Separator, 1),
        _ => {}
    }
    let typed = if first.is_ascii_digit() {
        numeric(input)
    } else if input.starts_with('£') {
        money_pound(input)
            .ok()
            .map(|(rest, annual)| (TokenKind::Money { annual }, input.len() - rest.len()))
    } else if input.starts_with("GBP") {
        money_gbp(input)
            .ok()
            .map(|(rest, annual)| (TokenKind::Money { annual }, input.len() - rest.len()))
    } else {
        None
    };
    match typed {
        Some((kind, len)) if at_boundary(&input[len..]) => return (kind, len),
        // `£` says money was meant: a malformed amount, not a word.
        _ if input.starts_with('£') => return (TokenKind::MalformedMoney, word_len(input)),
        _ => {}
    }
    let len = word_len(input);
    let word = &input[..len];
    if word.eq_ignore_ascii_case("yes") || word.eq_ignore_ascii_case("no") {
        (TokenKind::Bool, len)
    } else {
        (TokenKind::Word, len)
    }
}

/// Whether a `,` followed by `after` separates items: it does when white
/// space or the end of a line (before a continuation, or of the value)
/// follows.
fn ends_item(after: &str) -> bool {
    after.is_empty() || after.starts_with(char::is_whitespace)
}

/// Whether a typed token may end where `rest` begins.
fn at_boundary(rest: &str) -> bool {
    match rest.chars().next() {
        None => true,
        Some(c) if c.is_whitespace() || c == '(' || c == ')' => true,
        Some(',') => ends_item(&rest[1..]),
        Some(_) => false,
    }
}

/// Length of the word at the start of `input`: up to white space, a
/// parenthesis, or a separating comma. Always at least one character, so the
/// lexer always advances.
fn word_len(input: &str) -> usize {
    for (i, c) in input.char_indices() {
        let stops =
            c.is_whitespace() || c == '(' || c == ')' || (c == ',' && ends_item(&input[i + 1..]));
        if stops {
            return if i == 0 { c.len_utf8() } else { i };
        }
    }
    input.len()
}

/// A token starting with a digit: date, percent, duration or number.
fn numeric(input: &str) -> Option<(TokenKind, usize)> {
    if let Ok((rest, _)) = date(input)
        && at_boundary(rest)
    {
        return Some((TokenKind::Date, input.len() - rest.len()));
    }
    let (rest, _) = number(input).ok()?;
    if let Some(after) = rest.strip_prefix('%') {
        return Some((TokenKind::Percent, input.len() - after.len()));
    }
    if at_boundary(rest)
        && let Ok((after, _)) = duration_unit(rest)
        && at_boundary(after)
    {
        return Some((TokenKind::Duration, input.len() - after.len()));
    }
    Some((TokenKind::Number, input.len() - rest.len()))
}

/// `1`, `310,000`, `31,00` (bad grouping is judged later), `0.75`.
pub(crate) fn number(input: &str) -> IResult<&str, &str> {
    // `many0_count`, not `many0`: inside `recognize` the groups are only
    // counted, where `many0` allocated a vector for every number lexed.
    recognize((
        digit1,
        many0_count(pair(char(','), digit1)),
        opt(pair(char('.'), digit1)),
    ))
    .parse(input)
}

fn date(input: &str) -> IResult<&str, &str> {
    let digits = |n| take_while_m_n(n, n, |c: char| c.is_ascii_digit());
    recognize((
        digits(4),
        char('-'),
        digits(2),
        opt(pair(char('-'), digits(2))),
    ))
    .parse(input)
}

fn duration_unit(input: &str) -> IResult<&str, &str> {
    let (rest, _) = space1(input)?;
    match crate::number::duration_unit(rest) {
        Some(unit) => Ok((&rest[unit.len()..], unit)),
        None => Err(nom::Err::Error(nom::error::Error::new(
            rest,
            nom::error::ErrorKind::Tag,
        ))),
    }
}

pub(crate) fn multiplier(input: &str) -> IResult<&str, &str> {
    alt((
        tag("bn"),
        tag("Bn"),
        tag("BN"),
        tag("k"),
        tag("K"),
        tag("m"),
        tag("M"),
    ))
    .parse(input)
}

/// `£` amount, multiplier, `/yr`: returns whether it is annual.
fn money_pound(input: &str) -> IResult<&str, bool> {
    let (rest, _) = (char('£'), number, opt(multiplier)).parse(input)?;
    let (rest, annual) = opt(tag("/yr")).parse(rest)?;
    Ok((rest, annual.is_some()))
}

/// `GBP 12k`, `GBP 4m/yr`.
fn money_gbp(input: &str) -> IResult<&str, bool> {
    let (rest, _) = (tag("GBP"), space1, number, opt(multiplier)).parse(input)?;
    let (rest, annual) = opt(tag("/yr")).parse(rest)?;
    Ok((rest, annual.is_some()))
}

/// Splits `range` of `tokens` into items at top-level separators, and each
/// item into its head and trailing qualifier.
///
/// `cut` says the range ends at a separator the value goes on after (a
/// window's end), which closes the last item rather than leaving an empty
/// one.
fn build_items(
    tokens: &[Token],
    range: Range<u32>,
    cut: bool,
    problems: &mut Vec<ValueProblem>,
    items: &mut Vec<Item>,
) {
    let mut depth = 0usize;
    let mut item_start = range.start;
    for index in range.clone() {
        let token = tokens[index as usize];
        match token.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close if depth == 0 => problems.push(ValueProblem {
                span: token.span,
                message: "`)` without a matching `(`",
                help: "remove the `)` or add the `(` it closes",
            }),
            TokenKind::Close => depth -= 1,
            TokenKind::Separator if depth == 0 => {
                push_item(tokens, item_start..index, Some(token.span), problems, items);
                item_start = index + 1;
            }
            _ => {}
        }
    }
    if item_start < range.end || (!items.is_empty() && !cut) {
        let trailing = (item_start == range.end).then(|| tokens[range.end as usize - 1].span);
        push_item(tokens, item_start..range.end, trailing, problems, items);
    }
    if depth > 0
        && let Some(open) = tokens[range.start as usize..range.end as usize]
            .iter()
            .rev()
            .find(|t| t.kind == TokenKind::Open)
    {
        problems.push(ValueProblem {
            span: open.span,
            message: "`(` is never closed",
            help: "close the qualifier with `)`",
        });
    }
}

fn push_item(
    tokens: &[Token],
    range: Range<u32>,
    separator: Option<Span>,
    problems: &mut Vec<ValueProblem>,
    items: &mut Vec<Item>,
) {
    if range.is_empty() {
        let span = separator.unwrap_or_default();
        // `A, ,` has an empty item before its last comma and another after
        // it: one comma to remove, said once.
        if problems.last().is_none_or(|last| last.span != span) {
            problems.push(ValueProblem {
                span,
                message: "empty item in a list",
                help: "remove the extra comma",
            });
        }
        return;
    }
    let slice = &tokens[range.start as usize..range.end as usize];
    let span = slice[0].span.cover(slice[slice.len() - 1].span);
    let qualifier_open = (slice[slice.len() - 1].kind == TokenKind::Close)
        .then(|| matching_open(slice))
        .flatten()
        .filter(|&open| open > 0);
    let Some(open) = qualifier_open else {
        items.push(Item {
            span,
            head: range,
            qualifier: None,
        });
        return;
    };
    let open_index = range.start + open as u32;
    let inner = open_index + 1..range.end - 1;
    let qualifier_span = tokens[open_index as usize]
        .span
        .cover(slice[slice.len() - 1].span);
    if inner.is_empty() {
        problems.push(ValueProblem {
            span: qualifier_span,
            message: "empty qualifier `()`",
            help: "write the qualifier inside the parentheses, or remove them",
        });
    }
    let mut qualifier_items = Vec::new();
    build_items(tokens, inner.clone(), false, problems, &mut qualifier_items);
    items.push(Item {
        span,
        head: range.start..open_index,
        qualifier: Some(Box::new(Qualifier {
            span: qualifier_span,
            tokens: inner,
            items: qualifier_items,
        })),
    });
}

/// Index within `slice` of the `(` matching its final `)`, if balanced.
fn matching_open(slice: &[Token]) -> Option<usize> {
    let mut depth = 0usize;
    for (index, token) in slice.iter().enumerate().rev() {
        match token.kind {
            TokenKind::Close => depth += 1,
            TokenKind::Open => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// How many top-level items the value made of `segments` has, counted
/// without lexing it: one more than its separators outside parentheses.
/// Exact for a value without problems, at most one more than its items per
/// empty item otherwise: every `(`, `)` and separating `,` is a token of
/// its own, whatever surrounds it.
pub fn count_items(source: &str, segments: &[Span]) -> usize {
    let mut window = WindowEnd {
        depth: 0,
        separators_left: usize::MAX,
    };
    let mut written = false;
    for segment in segments {
        let text = segment.text(source);
        written |= !crate::trim::start(text).is_empty();
        for (at, byte) in text.bytes().enumerate() {
            let kind = match byte {
                b'(' => TokenKind::Open,
                b')' => TokenKind::Close,
                // `,` is one byte: `at + 1` is a character boundary.
                b',' if ends_item(&text[at + 1..]) => TokenKind::Separator,
                _ => continue,
            };
            window.ends_after(kind);
        }
    }
    match written {
        true => usize::MAX - window.separators_left + 1,
        false => 0,
    }
}
