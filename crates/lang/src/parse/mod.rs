//! The expression parser, in nom.
//!
//! Grammar, loosest first:
//!
//! ```text
//! expr     = "if" expr "then" expr "else" expr | or
//! or       = and ("or" and)*
//! and      = not ("and" not)*
//! not      = "not"* compare
//! compare  = coalesce (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in"
//!                       | "starts-with" | "ends-with" | "contains") coalesce)?
//! coalesce = sum ("??" sum)*
//! sum      = product (("+" | "-") product)*
//! product  = negation (("*" | "/") negation)*
//! negation = "-"* postfix
//! postfix  = primary ("." name | "[" expr "]")*
//! primary  = literal | name | name "(" args ")" | "(" expr ")"
//!          | "[" (expr ("," expr)* | generator)? "]"
//! args     = arg ("," arg)*        arg = name "=>" expr | generator | expr
//! generator = expr ("for" name "in" or)+ ("if" or)?
//! ```
//!
//! Names may contain `-` between letters or digits (`list-size`), so
//! subtraction is written with spaces: `a - b`. `#` starts a comment that
//! runs to the end of the line.

use crate::ast::{Arg, BinaryOp, Expr, ExprKind, ExprSpan, ForClause, Generator, Literal, UnaryOp};
use assure_model::Date;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::{char, digit1, satisfy};
use nom::combinator::{not, opt, peek, recognize};
use nom::multi::many0;
use nom::sequence::pair;
use nom::{IResult, Parser as _};
use rust_decimal::Decimal;

mod literals;
use std::borrow::Cow;

/// The longest expression accepted.
pub const MAX_LENGTH: usize = 20_000;
/// The deepest nesting of brackets accepted.
pub const MAX_DEPTH: usize = 64;
/// The deepest expression tree accepted.
pub const MAX_TREE_DEPTH: u32 = 200;

/// Why an expression could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where, within the expression.
    pub span: ExprSpan,
    /// What was wrong.
    pub message: String,
}

/// Parses a whole expression.
pub fn parse_expr(text: &str) -> Result<Expr, ParseError> {
    check_limits(text)?;
    let parser = Parser { source: text };
    match parser.expr(text) {
        Ok((rest, expr)) => {
            let rest_trimmed = parser.skip(rest);
            if rest_trimmed.is_empty() {
                Ok(expr)
            } else {
                let at = parser.offset(rest_trimmed);
                Err(ParseError {
                    span: ExprSpan::new(at, at + token_len(rest_trimmed)),
                    message: format!("unexpected `{}`", first_token(rest_trimmed)),
                })
            }
        }
        Err(nom::Err::Error(error) | nom::Err::Failure(error)) => {
            let at = parser.offset(error.input);
            let message = if error.message.is_empty() {
                match first_token(error.input) {
                    "" => "the expression ends too early".to_owned(),
                    token => format!("unexpected `{token}`"),
                }
            } else {
                error.message.into_owned()
            };
            Err(ParseError {
                span: ExprSpan::new(at, at + token_len(error.input)),
                message,
            })
        }
        Err(nom::Err::Incomplete(_)) => Err(ParseError {
            span: ExprSpan::new(text.len(), text.len()),
            message: "the expression ends too early".to_owned(),
        }),
    }
}

/// Parses a message template: text with `{expression}` holes; `{{` and `}}`
/// are literal braces. Returns the pieces and each hole's offset.
pub fn parse_template(text: &str) -> Result<Vec<TemplatePiece>, ParseError> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let start = i + 1;
                let mut depth = 0usize;
                let mut end = None;
                let mut in_string = false;
                for (j, d) in text[start..].char_indices() {
                    match d {
                        '"' => in_string = !in_string,
                        '{' | '(' | '[' if !in_string => depth += 1,
                        ')' | ']' if !in_string => depth = depth.saturating_sub(1),
                        '}' if !in_string && depth == 0 => {
                            end = Some(start + j);
                            break;
                        }
                        '}' if !in_string => depth -= 1,
                        _ => {}
                    }
                }
                let Some(end) = end else {
                    return Err(ParseError {
                        span: ExprSpan::new(i, i + 1),
                        message: "`{` is never closed; write `{{` for a literal brace".to_owned(),
                    });
                };
                if !literal.is_empty() {
                    pieces.push(TemplatePiece::Text(std::mem::take(&mut literal)));
                }
                let expr = parse_expr(&text[start..end]).map_err(|e| ParseError {
                    span: ExprSpan {
                        start: e.span.start + start as u32,
                        end: e.span.end + start as u32,
                    },
                    message: e.message,
                })?;
                pieces.push(TemplatePiece::Hole(expr, start));
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
            }
            '}' => {
                return Err(ParseError {
                    span: ExprSpan::new(i, i + 1),
                    message: "`}` without `{`; write `}}` for a literal brace".to_owned(),
                });
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(TemplatePiece::Text(literal));
    }
    Ok(pieces)
}

/// A piece of a message template.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePiece {
    /// Literal text.
    Text(String),
    /// An expression, and the offset in the template where it starts.
    Hole(Expr, usize),
}

fn check_limits(text: &str) -> Result<(), ParseError> {
    if text.len() > MAX_LENGTH {
        return Err(ParseError {
            span: ExprSpan::new(0, 0),
            message: format!(
                "the expression is {} bytes long; the limit is {MAX_LENGTH}",
                text.len()
            ),
        });
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ParseError {
                        span: ExprSpan::new(i, i + 1),
                        message: format!(
                            "the expression nests more than {MAX_DEPTH} brackets deep"
                        ),
                    });
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn first_token(input: &str) -> &str {
    &input[..token_len(input)]
}

fn token_len(input: &str) -> usize {
    let ident = input
        .char_indices()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '-')
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    if ident > 0 {
        ident
    } else {
        input.chars().next().map_or(0, char::len_utf8)
    }
}

#[derive(Debug)]
struct Error<'a> {
    input: &'a str,
    message: Cow<'static, str>,
}

impl<'a> nom::error::ParseError<&'a str> for Error<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        Error {
            input,
            message: Cow::Borrowed(""),
        }
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Keep the error that got furthest, and a message over none.
        match self.input.len().cmp(&other.input.len()) {
            std::cmp::Ordering::Less => self,
            std::cmp::Ordering::Greater => other,
            std::cmp::Ordering::Equal if self.message.is_empty() => other,
            std::cmp::Ordering::Equal => self,
        }
    }
}

type Res<'a, T> = IResult<&'a str, T, Error<'a>>;

fn failure<T>(input: &str, message: impl Into<Cow<'static, str>>) -> Res<'_, T> {
    Err(nom::Err::Failure(Error {
        input,
        message: message.into(),
    }))
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

const KEYWORDS: [&str; 11] = [
    "and", "or", "not", "in", "if", "then", "else", "for", "true", "false", "none",
];

struct Parser<'s> {
    source: &'s str,
}

impl<'s> Parser<'s> {
    fn offset(&self, rest: &str) -> usize {
        self.source.len() - rest.len()
    }

    fn span(&self, before: &str, after: &str) -> ExprSpan {
        ExprSpan::new(self.offset(before), self.offset(after))
    }

    /// Skips white space and `#` comments.
    fn skip<'a>(&self, mut input: &'a str) -> &'a str {
        loop {
            let trimmed = input.trim_start();
            if let Some(comment) = trimmed.strip_prefix('#') {
                input = comment.find('\n').map_or("", |n| &comment[n..]);
            } else {
                return trimmed;
            }
        }
    }

    /// A keyword, not followed by a name character.
    fn keyword<'a>(&self, word: &'static str, input: &'a str) -> Res<'a, &'a str> {
        let input = self.skip(input);
        let (rest, matched) = tag(word).parse(input)?;
        let (rest, _) = not(satisfy(|c| is_name_char(c) || c == '-')).parse(rest)?;
        Ok((rest, matched))
    }

    fn symbol<'a>(&self, symbol: &'static str, input: &'a str) -> Res<'a, &'a str> {
        tag(symbol).parse(self.skip(input))
    }

    /// A name: letters, digits, `_`, and `-` between them.
    fn name<'a>(&self, input: &'a str) -> Res<'a, (&'a str, ExprSpan)> {
        let input = self.skip(input);
        let (rest, name) = recognize(pair(
            satisfy(is_name_start),
            many0(alt((
                take_while1(is_name_char),
                recognize(pair(char('-'), take_while1(is_name_char))),
            ))),
        ))
        .parse(input)?;
        Ok((rest, (name, self.span(input, rest))))
    }

    fn expr<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        let start = self.skip(input);
        if let Ok((rest, _)) = self.keyword("if", start) {
            let (rest, condition) = self.expr(rest)?;
            let Ok((rest, _)) = self.keyword("then", rest) else {
                return failure(
                    self.skip(rest),
                    "expected `then` after the condition of `if`",
                );
            };
            let (rest, then) = self.expr(rest)?;
            let Ok((rest, _)) = self.keyword("else", rest) else {
                return failure(
                    self.skip(rest),
                    "expected `else`: an `if` must say what it is otherwise",
                );
            };
            let (rest, otherwise) = self.expr(rest)?;
            let span = self.span(start, rest);
            return Ok((
                rest,
                self.node(
                    rest,
                    ExprKind::If(Box::new(condition), Box::new(then), Box::new(otherwise)),
                    span,
                )?,
            ));
        }
        self.or(input)
    }

    /// Builds a node, refusing trees deeper than [`MAX_TREE_DEPTH`] so that
    /// no later recursive pass over the tree can exhaust the stack.
    fn node<'a>(
        &self,
        at: &'a str,
        kind: ExprKind,
        span: ExprSpan,
    ) -> Result<Expr, nom::Err<Error<'a>>> {
        let depth = 1 + kind_children_depth(&kind);
        if depth > MAX_TREE_DEPTH {
            return Err(nom::Err::Failure(Error {
                input: at,
                message: Cow::Owned(format!(
                    "the expression is more than {MAX_TREE_DEPTH} operations deep; name parts of it with `let`"
                )),
            }));
        }
        Ok(Expr { kind, span, depth })
    }

    fn binary_chain<'a>(
        &self,
        input: &'a str,
        operand: &dyn Fn(&'a str) -> Res<'a, Expr>,
        operator: &dyn Fn(&'a str) -> Res<'a, BinaryOp>,
    ) -> Res<'a, Expr> {
        let (mut rest, mut left) = operand(input)?;
        while let Ok((after, op)) = operator(rest) {
            let (after, right) = match operand(after) {
                Ok(ok) => ok,
                Err(nom::Err::Error(_)) => {
                    return failure(
                        self.skip(after),
                        format!("expected an expression after `{}`", op.symbol()),
                    );
                }
                Err(other) => return Err(other),
            };
            let span = left.span.cover(right.span);
            left = self.node(
                after,
                ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
            )?;
            rest = after;
        }
        Ok((rest, left))
    }

    fn or<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        self.binary_chain(input, &|i| self.and(i), &|i| {
            self.keyword("or", i).map(|(r, _)| (r, BinaryOp::Or))
        })
    }

    fn and<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        self.binary_chain(input, &|i| self.not(i), &|i| {
            self.keyword("and", i).map(|(r, _)| (r, BinaryOp::And))
        })
    }

    fn not<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        // Iterative, so `not not not ... x` cannot exhaust the stack.
        let mut starts = Vec::new();
        let mut rest = input;
        while let Ok((after, _)) = self.keyword("not", rest) {
            if self.keyword("in", after).is_ok() {
                break;
            }
            starts.push(self.offset(self.skip(rest)));
            rest = after;
        }
        let (rest, mut expr) = self.compare(rest)?;
        for start in starts.into_iter().rev() {
            let span = ExprSpan::new(start, expr.span.end as usize);
            expr = self.node(rest, ExprKind::Unary(UnaryOp::Not, Box::new(expr)), span)?;
        }
        Ok((rest, expr))
    }

    fn compare_op<'a>(&self, input: &'a str) -> Res<'a, BinaryOp> {
        let input = self.skip(input);
        if let Ok((rest, _)) = self.keyword("not", input)
            && let Ok((rest, _)) = self.keyword("in", rest)
        {
            return Ok((rest, BinaryOp::NotIn));
        }
        for (word, op) in [
            ("in", BinaryOp::In),
            ("starts-with", BinaryOp::StartsWith),
            ("ends-with", BinaryOp::EndsWith),
            ("contains", BinaryOp::Contains),
        ] {
            if let Ok((rest, _)) = self.keyword(word, input) {
                return Ok((rest, op));
            }
        }
        alt((
            tag("==").map(|_| BinaryOp::Eq),
            tag("!=").map(|_| BinaryOp::Ne),
            tag("<=").map(|_| BinaryOp::Le),
            tag(">=").map(|_| BinaryOp::Ge),
            tag("<").map(|_| BinaryOp::Lt),
            tag(">").map(|_| BinaryOp::Gt),
        ))
        .parse(input)
    }

    fn compare<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        let (rest, left) = self.coalesce(input)?;
        let Ok((after, op)) = self.compare_op(rest) else {
            if self.symbol("=", rest).is_ok() && self.symbol("=>", rest).is_err() {
                return failure(
                    self.skip(rest),
                    "`=` is not an operator here: compare with `==`",
                );
            }
            return Ok((rest, left));
        };
        let (after, right) = match self.coalesce(after) {
            Ok(ok) => ok,
            Err(nom::Err::Error(_)) => {
                return failure(
                    self.skip(after),
                    format!("expected an expression after `{}`", op.symbol()),
                );
            }
            Err(other) => return Err(other),
        };
        if self.compare_op(after).is_ok() {
            return failure(
                self.skip(after),
                "comparisons do not chain: write `a < b and b < c`",
            );
        }
        let span = left.span.cover(right.span);
        Ok((
            after,
            self.node(
                after,
                ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
            )?,
        ))
    }

    fn coalesce<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        self.binary_chain(input, &|i| self.sum(i), &|i| {
            self.symbol("??", i).map(|(r, _)| (r, BinaryOp::Coalesce))
        })
    }

    fn sum<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        self.binary_chain(input, &|i| self.product(i), &|i| {
            alt((
                tag("+").map(|_| BinaryOp::Add),
                tag("-").map(|_| BinaryOp::Sub),
            ))
            .parse(self.skip(i))
        })
    }

    fn product<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        self.binary_chain(input, &|i| self.negation(i), &|i| {
            alt((
                tag("*").map(|_| BinaryOp::Mul),
                tag("/").map(|_| BinaryOp::Div),
            ))
            .parse(self.skip(i))
        })
    }

    fn negation<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        let mut starts = Vec::new();
        let mut rest = input;
        while let Ok((after, _)) = self.symbol("-", rest) {
            starts.push(self.offset(self.skip(rest)));
            rest = after;
        }
        let (rest, mut expr) = self.postfix(rest)?;
        for start in starts.into_iter().rev() {
            let span = ExprSpan::new(start, expr.span.end as usize);
            expr = self.node(rest, ExprKind::Unary(UnaryOp::Neg, Box::new(expr)), span)?;
        }
        Ok((rest, expr))
    }

    fn postfix<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        let (mut rest, mut expr) = self.primary(input)?;
        loop {
            if let Ok((after, _)) = self.symbol(".", rest) {
                let Ok((after, (name, name_span))) = self.name(after) else {
                    return failure(self.skip(after), "expected a field name after `.`");
                };
                let span = expr.span.cover(name_span);
                expr = self.node(
                    after,
                    ExprKind::Member(Box::new(expr), name.to_owned(), name_span),
                    span,
                )?;
                rest = after;
            } else if let Ok((after, _)) = self.symbol("[", rest) {
                let (after, index) = self.expr(after)?;
                let Ok((after, close)) = self.symbol("]", after) else {
                    return failure(self.skip(after), "expected `]` to close the index");
                };
                let span = ExprSpan::new(expr.span.start as usize, self.offset(close) + 1);
                expr = self.node(
                    after,
                    ExprKind::Index(Box::new(expr), Box::new(index)),
                    span,
                )?;
                rest = after;
            } else {
                return Ok((rest, expr));
            }
        }
    }

    fn primary<'a>(&self, input: &'a str) -> Res<'a, Expr> {
        let input = self.skip(input);
        match self.literal(input) {
            Ok((rest, literal)) => {
                return Ok((
                    rest,
                    self.node(rest, ExprKind::Literal(literal), self.span(input, rest))?,
                ));
            }
            Err(nom::Err::Error(_)) => {}
            Err(failure) => return Err(failure),
        }
        if let Ok((rest, _)) = self.symbol("(", input) {
            let (rest, inner) = self.expr(rest)?;
            let Ok((rest, _)) = self.symbol(")", rest) else {
                return failure(self.skip(rest), "expected `)`");
            };
            return Ok((rest, self.node(rest, inner.kind, self.span(input, rest))?));
        }
        if let Ok((rest, _)) = self.symbol("[", input) {
            return self.list(input, rest);
        }
        let (rest, (name, name_span)) = self.name(input)?;
        if KEYWORDS.contains(&name) {
            return match name {
                "true" | "false" | "none" => unreachable_literal(input),
                _ => failure(
                    input,
                    format!("expected an expression, found the keyword `{name}`"),
                ),
            };
        }
        if let Ok((after, _)) = self.symbol("(", rest) {
            let (after, args) = self.args(after)?;
            return Ok((
                after,
                self.node(
                    after,
                    ExprKind::Call(name.to_owned(), name_span, args),
                    self.span(input, after),
                )?,
            ));
        }
        Ok((
            rest,
            self.node(rest, ExprKind::Name(name.to_owned()), name_span)?,
        ))
    }
}

fn kind_children_depth(kind: &ExprKind) -> u32 {
    let mut depth = 0;
    kind.for_each_child(&mut |child| depth = depth.max(child.depth));
    depth
}

fn unreachable_literal(input: &str) -> Res<'_, Expr> {
    // `true`, `false` and `none` are read as literals before names.
    failure(input, "internal: keyword literal read as a name")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compact rendering of the tree: `(op a b)`.
    fn show(expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Literal(Literal::Number(n)) => n.to_string(),
            ExprKind::Literal(Literal::Percent(n)) => format!("{n}%"),
            ExprKind::Literal(Literal::Money { pence, annual }) => {
                format!("£{pence}p{}", if *annual { "/yr" } else { "" })
            }
            ExprKind::Literal(Literal::Duration(d)) => format!("<{d}>"),
            ExprKind::Literal(Literal::Date(d)) => format!("<{d}>"),
            ExprKind::Literal(Literal::Text(t)) => format!("{t:?}"),
            ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
            ExprKind::Literal(Literal::None) => "none".into(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Member(o, n, _) => format!("{}.{n}", show(o)),
            ExprKind::Index(l, i) => format!("{}[{}]", show(l), show(i)),
            ExprKind::Call(f, _, args) => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Expr(e) => show(e),
                        Arg::Generator(g) => show_generator(g),
                        Arg::Lambda { param, body, .. } => format!("{param} => {}", show(body)),
                    })
                    .collect();
                format!("{f}({})", args.join(", "))
            }
            ExprKind::List(items) => format!(
                "[{}]",
                items.iter().map(show).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::Comprehension(g) => format!("[{}]", show_generator(g)),
            ExprKind::Unary(UnaryOp::Not, e) => format!("(not {})", show(e)),
            ExprKind::Unary(UnaryOp::Neg, e) => format!("(- {})", show(e)),
            ExprKind::Binary(op, a, b) => format!("({} {} {})", op.symbol(), show(a), show(b)),
            ExprKind::If(c, a, b) => format!("(if {} {} {})", show(c), show(a), show(b)),
        }
    }

    fn show_generator(g: &Generator) -> String {
        let mut out = show(&g.element);
        for clause in &g.clauses {
            out.push_str(&format!(
                " for {} in {}",
                clause.binder,
                show(&clause.source)
            ));
        }
        if let Some(filter) = &g.filter {
            out.push_str(&format!(" if {}", show(filter)));
        }
        out
    }

    fn check(text: &str) -> String {
        match parse_expr(text) {
            Ok(expr) => show(&expr),
            Err(error) => format!(
                "error at {}..{} {:?}: {}",
                error.span.start,
                error.span.end,
                &text[error.span.start as usize..error.span.end as usize],
                error.message
            ),
        }
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(check("a or b and not c"), "(or a (and b (not c)))");
        assert_eq!(check("a + b * c - d / e"), "(- (+ a (* b c)) (/ d e))");
        assert_eq!(check("x ?? y > 3"), "(> (?? x y) 3)");
        assert_eq!(check("not not x"), "(not (not x))");
        assert_eq!(check("- - x"), "(- (- x))");
        assert_eq!(check("if a then b else c"), "(if a b c)");
        assert_eq!(
            check("k.kind not in [\"gms\", \"pms\"]"),
            "(not in k.kind [\"gms\", \"pms\"])"
        );
        assert_eq!(check("not k in xs"), "(not (in k xs))");
    }

    #[test]
    fn names_with_hyphens_and_subtraction() {
        assert_eq!(check("o.list-size"), "o.list-size");
        assert_eq!(check("a - b"), "(- a b)");
        assert_eq!(
            check("k.kind starts-with \"mcp-\""),
            "(starts-with k.kind \"mcp-\")"
        );
        assert_eq!(check("case-for-change.savings"), "case-for-change.savings");
    }

    #[test]
    fn literals() {
        assert_eq!(check("£10m"), "£1000000000p");
        assert_eq!(check("£4.5m/yr"), "£450000000p/yr");
        assert_eq!(check("5%"), "5%");
        assert_eq!(check("2 years"), "<2 years>");
        assert_eq!(check("1 month"), "<1 month>");
        assert_eq!(check("2017-04-01"), "<2017-04-01>");
        assert_eq!(check("\"a \\\"b\\\"\""), "\"a \\\"b\\\"\"");
        assert_eq!(check("none"), "none");
        assert_eq!(check("0.75"), "0.75");
    }

    #[test]
    fn comprehensions_calls_and_lambdas() {
        assert_eq!(
            check("any(h.turnover > 0 for h in holders(k))"),
            "any((> h.turnover 0) for h in holders(k))"
        );
        assert_eq!(
            check("[k for e in links(p, owns) for k in referrers(e.to, holder) if present(k)]"),
            "[k for e in links(p, owns) for k in referrers(e.to, holder) if present(k)]"
        );
        assert_eq!(
            check("closure([o], x => x.parent)"),
            "closure([o], x => x.parent)"
        );
        assert_eq!(check("xs[1].date"), "xs[1].date");
        assert_eq!(check("[]"), "[]");
        assert_eq!(check("[a, b,]"), "[a, b]");
        assert_eq!(check("f()"), "f()");
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(
            check("a +"),
            "error at 3..3 \"\": expected an expression after `+`"
        );
        assert_eq!(
            check("a = b"),
            "error at 2..3 \"=\": `=` is not an operator here: compare with `==`"
        );
        assert_eq!(
            check("a < b < c"),
            "error at 6..7 \"<\": comparisons do not chain: write `a < b and b < c`"
        );
        assert_eq!(
            check("if a then b"),
            "error at 11..11 \"\": expected `else`: an `if` must say what it is otherwise"
        );
        assert_eq!(
            check("f(a b)"),
            "error at 4..5 \"b\": expected `,` or `)` in the arguments"
        );
        assert_eq!(check("(a"), "error at 2..2 \"\": expected `)`");
        assert_eq!(
            check("\"open"),
            "error at 0..1 \"\\\"\": the string is never closed"
        );
        assert_eq!(
            check("2017-02-30"),
            "error at 0..10 \"2017-02-30\": `2017-02-30` is not a real date: February 2017 has 28 days"
        );
        assert_eq!(check("a b"), "error at 2..3 \"b\": unexpected `b`");
        assert_eq!(check("x.for"), "x.for");
        assert_eq!(
            check("and"),
            "error at 0..3 \"and\": expected an expression, found the keyword `and`"
        );
        assert_eq!(
            check("3x"),
            "error at 1..2 \"x\": a name cannot start with a digit"
        );
        assert_eq!(
            check(""),
            "error at 0..0 \"\": the expression ends too early"
        );
    }

    #[test]
    fn hostile_input_is_refused_not_overflowed() {
        let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(
            check(&deep),
            "error at 64..65 \"(\": the expression nests more than 64 brackets deep"
        );
        let nots = format!("{}x", "not ".repeat(4000));
        assert!(check(&nots).ends_with(
            "the expression is more than 200 operations deep; name parts of it with `let`"
        ));
        let chain = "x + ".repeat(300) + "x";
        assert!(
            check(&chain).ends_with("more than 200 operations deep; name parts of it with `let`")
        );
        let fine = "x + ".repeat(150) + "x";
        assert!(check(&fine).starts_with("(+ (+"));
        let long = "x + ".repeat(6000) + "x";
        assert!(check(&long).contains("the limit is 20000"));
    }

    #[test]
    fn templates() {
        let pieces = parse_template("{k.name} is worth {value}; {{not a hole}}").unwrap();
        assert_eq!(pieces.len(), 4);
        assert!(matches!(&pieces[3], TemplatePiece::Text(t) if t == "; {not a hole}"));
        let error = parse_template("value {a +}").unwrap_err();
        assert_eq!(
            (error.span.start, error.message.as_str()),
            (10, "expected an expression after `+`")
        );
        assert!(parse_template("oops {").is_err());
        assert!(parse_template("oops }").is_err());
    }
}
