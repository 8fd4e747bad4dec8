//! The expression parser's leaves: literals (numbers, money, percentages, dates, durations, text), lists and comprehensions, and a call's arguments.

use super::*;

impl<'s> Parser<'s> {
    pub(super) fn list<'a>(&self, open: &'a str, input: &'a str) -> Res<'a, Expr> {
        if let Ok((rest, _)) = self.symbol("]", input) {
            return Ok((
                rest,
                self.node(rest, ExprKind::List(Vec::new()), self.span(open, rest))?,
            ));
        }
        let (rest, first) = self.expr(input)?;
        if self.keyword("for", rest).is_ok() {
            let (rest, generator) = self.generator(first, rest)?;
            let Ok((rest, _)) = self.symbol("]", rest) else {
                return failure(self.skip(rest), "expected `]` to close the list");
            };
            return Ok((
                rest,
                self.node(
                    rest,
                    ExprKind::Comprehension(Box::new(generator)),
                    self.span(open, rest),
                )?,
            ));
        }
        let mut items = vec![first];
        let mut rest = rest;
        while let Ok((after, _)) = self.symbol(",", rest) {
            if let Ok((after, _)) = self.symbol("]", after) {
                return Ok((
                    after,
                    self.node(after, ExprKind::List(items), self.span(open, after))?,
                ));
            }
            let (after, item) = self.expr(after)?;
            items.push(item);
            rest = after;
        }
        let Ok((rest, _)) = self.symbol("]", rest) else {
            return failure(self.skip(rest), "expected `,` or `]` in the list");
        };
        Ok((
            rest,
            self.node(rest, ExprKind::List(items), self.span(open, rest))?,
        ))
    }

    /// After `element`, the `for ... in ... (if ...)?` clauses.
    pub(super) fn generator<'a>(&self, element: Expr, input: &'a str) -> Res<'a, Generator> {
        let mut clauses = Vec::new();
        let mut rest = input;
        while let Ok((after, _)) = self.keyword("for", rest) {
            let Ok((after, (binder, binder_span))) = self.name(after) else {
                return failure(self.skip(after), "expected a name after `for`");
            };
            let Ok((after, _)) = self.keyword("in", after) else {
                return failure(
                    self.skip(after),
                    format!("expected `in` after `for {binder}`"),
                );
            };
            let (after, source) = self.or(after)?;
            clauses.push(ForClause {
                binder: binder.to_owned(),
                binder_span,
                source,
            });
            rest = after;
        }
        let filter = match self.keyword("if", rest) {
            Ok((after, _)) => {
                let (after, filter) = self.or(after)?;
                rest = after;
                Some(filter)
            }
            Err(_) => None,
        };
        Ok((
            rest,
            Generator {
                element,
                clauses,
                filter,
            },
        ))
    }

    pub(super) fn args<'a>(&self, input: &'a str) -> Res<'a, Vec<Arg>> {
        let mut args = Vec::new();
        if let Ok((rest, _)) = self.symbol(")", input) {
            return Ok((rest, args));
        }
        let mut rest = input;
        loop {
            let (after, arg) = self.arg(rest)?;
            args.push(arg);
            if let Ok((after, _)) = self.symbol(",", after) {
                rest = after;
                continue;
            }
            let Ok((after, _)) = self.symbol(")", after) else {
                return failure(self.skip(after), "expected `,` or `)` in the arguments");
            };
            return Ok((after, args));
        }
    }

    pub(super) fn arg<'a>(&self, input: &'a str) -> Res<'a, Arg> {
        if let Ok((rest, (param, param_span))) = self.name(input)
            && let Ok((rest, _)) = self.symbol("=>", rest)
        {
            let (rest, body) = self.expr(rest)?;
            return Ok((
                rest,
                Arg::Lambda {
                    param: param.to_owned(),
                    param_span,
                    body: Box::new(body),
                },
            ));
        }
        let (rest, expr) = self.expr(input)?;
        if self.keyword("for", rest).is_ok() {
            let (rest, generator) = self.generator(expr, rest)?;
            return Ok((rest, Arg::Generator(Box::new(generator))));
        }
        Ok((rest, Arg::Expr(expr)))
    }

    pub(super) fn literal<'a>(&self, input: &'a str) -> Res<'a, Literal> {
        if let Ok((rest, _)) = self.keyword("true", input) {
            return Ok((rest, Literal::Bool(true)));
        }
        if let Ok((rest, _)) = self.keyword("false", input) {
            return Ok((rest, Literal::Bool(false)));
        }
        if let Ok((rest, _)) = self.keyword("none", input) {
            return Ok((rest, Literal::None));
        }
        if input.starts_with('"') {
            return self.string(input);
        }
        if input.starts_with('£') {
            return self.money(input);
        }
        let (rest, number_text) =
            recognize(pair(digit1, opt(pair(char('.'), digit1)))).parse(input)?;
        // A date: 2017-04-01.
        if number_text.len() == 4
            && !number_text.contains('.')
            && let Ok((after, date)) =
                recognize((char('-'), digit1::<&str, Error>, char('-'), digit1)).parse(rest)
        {
            let text = &input[..4 + date.len()];
            return match Date::parse(text) {
                Ok(date) if text.len() == 10 => Ok((after, Literal::Date(date))),
                Ok(_) => failure(input, "write dates in full: YYYY-MM-DD"),
                Err(message) => failure(input, message),
            };
        }
        let Ok(number) = number_text.parse::<Decimal>() else {
            return failure(input, format!("`{number_text}` is too large a number"));
        };
        if let Ok((after, _)) = self.symbol_here("%", rest) {
            return Ok((after, Literal::Percent(number)));
        }
        let unit = take_while1::<_, &str, Error>(|c: char| c == ' ')
            .parse(rest)
            .ok()
            .and_then(|(spaced, _)| {
                let unit = assure_syntax::number::duration_unit(spaced)?;
                Some((&spaced[unit.len()..], unit))
            });
        if let Some((after, unit)) = unit
            && peek(satisfy::<_, &str, Error>(|c| is_name_char(c) || c == '-'))
                .parse(after)
                .is_err()
        {
            let text = format!("{number_text} {unit}");
            return match assure_model::value::parse_duration(&text) {
                Ok(duration) => Ok((after, Literal::Duration(duration))),
                Err(message) => failure(input, message),
            };
        }
        if peek(satisfy::<_, &str, Error>(is_name_start))
            .parse(rest)
            .is_ok()
        {
            return failure(rest, "a name cannot start with a digit");
        }
        Ok((rest, Literal::Number(number)))
    }

    pub(super) fn symbol_here<'a>(&self, symbol: &'static str, input: &'a str) -> Res<'a, &'a str> {
        tag(symbol).parse(input)
    }

    pub(super) fn string<'a>(&self, input: &'a str) -> Res<'a, Literal> {
        let mut out = String::new();
        let mut chars = input[1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((&input[i + 2..], Literal::Text(out))),
                '\\' => match chars.next() {
                    Some((_, '"')) => out.push('"'),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, 'n')) => out.push('\n'),
                    _ => {
                        return failure(
                            &input[i + 1..],
                            "unknown escape: use `\\\"`, `\\\\` or `\\n`",
                        );
                    }
                },
                c => out.push(c),
            }
        }
        failure(input, "the string is never closed")
    }

    pub(super) fn money<'a>(&self, input: &'a str) -> Res<'a, Literal> {
        let (rest, text) = recognize((
            char('£'),
            digit1,
            opt(pair(char('.'), digit1)),
            opt(alt((tag("bn"), tag("k"), tag("m")))),
            opt(tag("/yr")),
        ))
        .parse(input)?;
        if take_while::<_, &str, Error>(is_name_char)
            .parse(rest)
            .is_ok_and(|(_, s)| !s.is_empty())
        {
            return failure(input, "write amounts like `£10m`, `£4.5m/yr` or `£350000`");
        }
        match assure_model::value::parse_money(text) {
            Ok(money) => Ok((
                rest,
                Literal::Money {
                    pence: Decimal::from(money.pence),
                    annual: money.annual,
                },
            )),
            Err(message) => failure(input, message),
        }
    }
}
