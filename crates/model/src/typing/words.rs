//! Typing words: a field's value read as one word of its list (followed by a date where the word is dated), several words, and a reference's qualifier.

use super::*;

impl<'a, 'b> Typer<'a, 'b> {
    /// One word of `allowed`, followed by a date if it is `dated`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn word(
        &mut self,
        allowed: &'a [String],
        dated: &[String],
        code: codes::Registered,
        key: &str,
        what: WordOf<'_>,
        tree: &ValueTree,
        span: Span,
    ) -> Option<Value<'a>> {
        let item = match tree.items.as_slice() {
            [item] if item.qualifier.is_none() => item,
            _ => {
                self.push(
                    Diagnostic::of(
                        code,
                        span,
                        format!(
                            "`{key}` takes one word, not `{}`",
                            shorten(span.text(self.source))
                        ),
                    )
                    .with_help(format!("one of: {}", allowed.join(", "))),
                );
                return None;
            }
        };
        self.word_item(allowed, dated, code, key, what, tree, item, span)
    }

    /// Several words of `allowed`, separated by `, `: each one checked as
    /// [`Typer::word`] checks one, at its own place.
    pub(super) fn words(
        &mut self,
        allowed: &'a [String],
        key: &str,
        tree: &ValueTree,
    ) -> Option<Value<'a>> {
        let mut words = Vec::with_capacity(tree.items.len());
        let mut sound = true;
        for item in &tree.items {
            let at = item.span;
            if item.qualifier.is_some() {
                self.push(
                    Diagnostic::of(
                        codes::SCH003,
                        at,
                        format!(
                            "`{key}` takes words, not `{}`",
                            shorten(at.text(self.source))
                        ),
                    )
                    .with_help(format!("any of: {}, separated by `, `", allowed.join(", "))),
                );
                sound = false;
                continue;
            }
            match self.word_item(
                allowed,
                &[],
                codes::SCH003,
                key,
                WordOf::Field(key),
                tree,
                item,
                at,
            ) {
                Some(Value::Word { word, .. }) => words.push(word),
                _ => sound = false,
            }
        }
        sound.then_some(Value::Words(words))
    }

    /// The word `item` of `tree` is, as [`Typer::word`] reads it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn word_item(
        &mut self,
        allowed: &'a [String],
        dated: &[String],
        code: codes::Registered,
        key: &str,
        what: WordOf<'_>,
        tree: &ValueTree,
        item: &assure_syntax::Item,
        span: Span,
    ) -> Option<Value<'a>> {
        let head = tree.tokens(&item.head);
        let first = head[0];
        let word = first.span.text(self.source);
        let Some(index) = allowed.iter().position(|v| v.eq_ignore_ascii_case(word)) else {
            // The whole value, not its first word: `foundation trusts` is
            // nearest `foundation-trust`, which `foundation` alone is not.
            let dated_word = head.len() == 2 && head[1].kind == TokenKind::Date;
            let (shown, at) = if head.len() > 1 && !dated_word {
                let text = tree.text(self.source, &item.head);
                (text.into_owned(), span)
            } else {
                (word.to_owned(), first.span)
            };
            let folded: String = shown
                .split_whitespace()
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
                .join("-");
            let diagnostic =
                Diagnostic::of(code, at, format!("unknown {what}: `{}`", shorten(&shown)));
            let near = closest(&folded, allowed.iter().map(String::as_str)).or_else(|| {
                // `nhs trust ltd`: a word of the list with more after it.
                allowed
                    .iter()
                    .filter(|v| folded.starts_with(&format!("{v}-")))
                    .max_by_key(|v| v.len())
                    .map(String::as_str)
            });
            let diagnostic = match near {
                Some(near) => diagnostic
                    .with_help(format!("did you mean `{near}`?"))
                    .with_fix(Fix::replace(
                        format!("write `{near}`"),
                        Applicability::Unsafe,
                        at,
                        near,
                    )),
                None => diagnostic.with_help(format!("one of: {}", allowed.join(", "))),
            };
            self.push(diagnostic);
            return None;
        };
        let canonical = allowed[index].as_str();
        let needs_date = dated.iter().any(|d| d == canonical);
        match (needs_date, head) {
            (false, [_]) => Some(Value::Word {
                word: canonical,
                date: None,
            }),
            (true, [_, date]) if date.kind == TokenKind::Date => {
                match Date::parse(date.span.text(self.source)) {
                    Ok(d) => Some(Value::Word {
                        word: canonical,
                        date: Some((d, date.span)),
                    }),
                    Err(message) => {
                        self.push(Diagnostic::of(codes::SYN002, date.span, message));
                        None
                    }
                }
            }
            (true, [_]) => {
                self.push(
                    Diagnostic::of(code, span, format!("`{canonical}` needs a date after it"))
                        .with_help(format!(
                            "write `{canonical} YYYY-MM-DD`, e.g. `{canonical} 2017-04-01`"
                        )),
                );
                None
            }
            (true, _) => {
                self.push(
                    Diagnostic::of(
                        code,
                        span,
                        format!(
                            "`{key}` must be `{canonical}` and a date, not `{}`",
                            shorten(span.text(self.source))
                        ),
                    )
                    .with_help(format!("write `{canonical} YYYY-MM-DD`")),
                );
                None
            }
            (false, _) => {
                self.push(
                    Diagnostic::of(
                        code,
                        span,
                        format!(
                            "`{key}` takes one word, not `{}`",
                            shorten(span.text(self.source))
                        ),
                    )
                    .with_help(format!("write `{canonical}` alone")),
                );
                None
            }
        }
    }

    pub(crate) fn qualifier(
        &mut self,
        key: &str,
        ty: Option<&ValueType>,
        tree: &ValueTree,
        qualifier: &assure_syntax::Qualifier,
    ) -> Option<Qualifier<'a>> {
        let span = tree.span_of(&qualifier.tokens).unwrap_or(qualifier.span);
        let value = match ty {
            // A word of a list: one of its words, as the list spells it.
            Some(ValueType::Enum(words)) => {
                let text = tree.text(self.source, &qualifier.tokens);
                if !words.values.iter().any(|w| *w == *text) {
                    let near = closest(&text, words.values.iter().map(String::as_str));
                    let mut diagnostic = Diagnostic::of(
                        codes::SCH003,
                        span,
                        format!(
                            "the qualifier in `{key}` must be one of its words, not `{}`",
                            shorten(&text)
                        ),
                    );
                    diagnostic = match near {
                        Some(close) => diagnostic
                            .with_help(format!("did you mean `{close}`?"))
                            .with_fix(Fix::replace(
                                format!("write `{close}`"),
                                Applicability::Unsafe,
                                span,
                                close,
                            )),
                        None => {
                            diagnostic.with_help(format!("one of: {}", words.values.join(", ")))
                        }
                    };
                    self.push(diagnostic);
                    return None;
                }
                Value::Text(text)
            }
            None | Some(ValueType::Text | ValueType::Kind | ValueType::Ref(_)) => {
                Value::Text(tree.text(self.source, &qualifier.tokens))
            }
            Some(scalar) => {
                let single = match qualifier.items.as_slice() {
                    [item] if item.qualifier.is_none() && item.head.len() == 1 => {
                        Some(tree.tokens[item.head.start as usize])
                    }
                    _ => None,
                };
                let subject = Subject::QualifierIn(key);
                if single.is_none()
                    && *scalar == ValueType::Percent
                    && let Some(canonical) = word_forms::percent(span.text(self.source))
                    && let Ok(n) = parse_percent(&canonical)
                {
                    self.push(in_words(span, span.text(self.source), &canonical));
                    return Some(Qualifier {
                        value: Value::Percent(n),
                        span,
                    });
                }
                match single {
                    Some(token) => self.scalar(scalar, subject, token)?,
                    None => {
                        self.mismatch(subject, scalar, span);
                        return None;
                    }
                }
            }
        };
        Some(Qualifier { value, span })
    }
}
