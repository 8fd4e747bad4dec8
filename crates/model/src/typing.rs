//! Typing field values against the vocabulary and resolving references.

use crate::build::with_article;
use crate::names::{NameIndex, Named};
use crate::value::{Date, parse_duration, parse_money, parse_number, parse_percent};
use crate::{Entity, EntityId, FieldValue, Qualifier, RefPages, Reference, Refs, Value, room_for};
use assure_diagnostic::{Diagnostic, Span, closest, codes, excerpt as shorten};
use assure_syntax::{Field, Item, SourceFile, Token, TokenKind, ValueTree};
use assure_vocab::{FieldDef, FieldId, Owner, RefType, Target, ValueType, Vocabulary, fold};
use rustc_hash::FxHashSet;
use std::borrow::Cow;
use std::fmt;

/// How many "did you mean" searches one file may run: each scans every
/// entity name, so a file with thousands of broken references must not run
/// thousands of them.
const SUGGESTION_BUDGET: u32 = 64;
/// How many names one search considers.
const SUGGESTION_CANDIDATES: usize = 5_000;
/// How many comma-separated items a name may span (`Smith, Jones & Co`).
const MAX_ITEMS_IN_A_NAME: usize = 4;

/// Types values. Values borrow from the source and vocabulary (`'a`);
/// the tree and the name index are only consulted (`'b`).
pub(crate) struct Typer<'a, 'b> {
    source: &'a str,
    file: &'b SourceFile,
    vocabulary: &'a Vocabulary,
    names: &'b NameIndex,
    unknown_section_names: &'b FxHashSet<String>,
    entities: &'b [Entity<'a>],
    diagnostics: Vec<Diagnostic>,
    suggestions_left: u32,
    /// Reused for folding names, which happens once per reference.
    fold_buffer: std::cell::RefCell<String>,
    /// Reused for lexing values, which happens once per field.
    tree: ValueTree,
    /// Whether any entity's name ends in `)`: if none does, an item with a
    /// qualifier cannot name one whole, and that lookup is skipped.
    names_end_in_parenthesis: bool,
    /// The reference items of every value typed, in order: the chunk
    /// number `chunk` of the model's references.
    refs: RefPages<'a>,
    chunk: usize,
}

/// What a scalar was expected in, for messages: "`population`", "the
/// qualifier in `owned-by`". Written out only when there is an error.
#[derive(Clone, Copy)]
enum Subject<'k> {
    Field(&'k str),
    QualifierIn(&'k str),
}

impl fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Field(key) => write!(f, "`{key}`"),
            Subject::QualifierIn(key) => write!(f, "the qualifier in `{key}`"),
        }
    }
}

/// What a word was expected to be, for messages: "kind of an
/// organisation", "value of `procurement`".
#[derive(Clone, Copy)]
enum WordOf<'k> {
    Kind(&'k str),
    Field(&'k str),
}

impl fmt::Display for WordOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WordOf::Kind(ty) => write!(f, "kind of {}", with_article(ty)),
            WordOf::Field(key) => write!(f, "value of `{key}`"),
        }
    }
}

/// A reference item's name, resolved or not.
struct Resolution<'a, 't> {
    target: Option<Named>,
    name: Cow<'a, str>,
    name_span: Span,
    span: Span,
    qualifier: Option<&'t assure_syntax::Qualifier>,
    items_used: usize,
}

impl<'a, 'b> Typer<'a, 'b> {
    pub(crate) fn new(
        source: &'a str,
        file: &'b SourceFile,
        vocabulary: &'a Vocabulary,
        names: &'b NameIndex,
        unknown_section_names: &'b FxHashSet<String>,
        entities: &'b [Entity<'a>],
        chunk: usize,
    ) -> Self {
        Typer {
            source,
            file,
            vocabulary,
            names,
            unknown_section_names,
            entities,
            diagnostics: Vec::new(),
            suggestions_left: SUGGESTION_BUDGET,
            fold_buffer: std::cell::RefCell::new(String::new()),
            tree: ValueTree::default(),
            names_end_in_parenthesis: names.any_ends_in_parenthesis(),
            refs: Vec::new(),
            chunk,
        }
    }

    pub(crate) fn vocabulary(&self) -> &'a Vocabulary {
        self.vocabulary
    }

    pub(crate) fn syntax_field(&self, field: u32) -> &'b Field {
        &self.file.fields[field as usize]
    }

    pub(crate) fn key(&self, field: u32) -> &'a str {
        self.syntax_field(field).key.text(self.source)
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// What the typer found: the diagnostics, and the reference items of
    /// the values it typed.
    pub(crate) fn finish(self) -> (Vec<Diagnostic>, RefPages<'a>) {
        (self.diagnostics, self.refs)
    }

    /// The references pushed on `page` since `start`, as a value.
    fn refs_since(&self, page: usize, start: usize) -> Value<'a> {
        Value::Refs(Refs::of(self.chunk, page, start, &self.refs))
    }

    /// Types syntax field `field` as vocabulary field `id`. `None` when the
    /// value is missing (the parser reported it) or wrong (reported here).
    pub(crate) fn field(&mut self, id: FieldId, field: u32) -> Option<FieldValue<'a>> {
        let syntax = self.syntax_field(field);
        if !syntax.has_value() {
            return None;
        }
        let def = self.vocabulary.field(id);
        let value = self.value(def, syntax)?;
        Some(FieldValue {
            field: id,
            key: syntax.key,
            value_span: syntax.value,
            value,
        })
    }

    fn value(&mut self, def: &'a FieldDef, syntax: &Field) -> Option<Value<'a>> {
        let segments = self.file.segments(syntax);
        if def.ty == ValueType::Text {
            return Some(Value::Text(match segments {
                [one] => Cow::Borrowed(one.text(self.source)),
                _ => {
                    let joined: Vec<&str> = segments.iter().map(|s| s.text(self.source)).collect();
                    Cow::Owned(joined.join(" "))
                }
            }));
        }
        let mut tree = std::mem::take(&mut self.tree);
        tree.lex(self.source, segments);
        let value = self.lexed_value(def, &tree, syntax.value);
        self.tree = tree;
        value
    }

    fn lexed_value(
        &mut self,
        def: &'a FieldDef,
        tree: &ValueTree,
        span: Span,
    ) -> Option<Value<'a>> {
        if !tree.problems.is_empty() {
            for problem in &tree.problems {
                self.push(
                    Diagnostic::error(codes::SYN001, problem.span, problem.message)
                        .with_help(problem.help),
                );
            }
            return None;
        }
        let key = def.name.as_str();
        match &def.ty {
            ValueType::Ref(reference) => self.references(def, reference, tree, span),
            ValueType::Kind => {
                let Owner::Entity(ty) = def.owner else {
                    return None;
                };
                let ty = self.vocabulary.entity_type(ty);
                let what = WordOf::Kind(&ty.id);
                self.word(&ty.kinds, &[], codes::SCH004, key, what, tree, span)
            }
            ValueType::Enum(e) => {
                let what = WordOf::Field(key);
                self.word(&e.values, &e.dated, codes::SCH003, key, what, tree, span)
            }
            scalar => {
                let subject = Subject::Field(key);
                let token = single_token(tree).filter(|_| tree.items[0].qualifier.is_none());
                match token {
                    Some(token) => self.scalar(scalar, subject, token),
                    None => {
                        self.mismatch(subject, scalar, span);
                        None
                    }
                }
            }
        }
    }

    /// SCH003 for a value of the wrong type; `subject` names what was
    /// expected to hold it, e.g. "`population`".
    fn mismatch(&mut self, subject: Subject<'_>, ty: &ValueType, span: Span) {
        let text = span.text(self.source);
        let diagnostic = Diagnostic::error(
            codes::SCH003,
            span,
            format!(
                "{subject} must be {}, not `{}`",
                ty.describe(),
                shorten(text)
            ),
        );
        let diagnostic = match ty {
            ValueType::Number => diagnostic.with_help("write the number alone, e.g. `310,000`"),
            ValueType::Percent => diagnostic.with_help("write a percentage, e.g. `40%`"),
            ValueType::Money => {
                diagnostic.with_help("write an amount, e.g. `£4m`, `£4.5m/yr` or `£350,000`")
            }
            ValueType::AnnualMoney => {
                diagnostic.with_help("write an amount per year, e.g. `£4m/yr`")
            }
            ValueType::Date => {
                diagnostic.with_help("write a date as YYYY-MM-DD, e.g. `2017-04-01`")
            }
            ValueType::Duration => {
                diagnostic.with_help("write a duration, e.g. `15 years`, `6 months` or `90 days`")
            }
            ValueType::Bool => diagnostic.with_help("write `yes` or `no`"),
            _ => diagnostic,
        };
        self.push(diagnostic);
    }

    /// Converts one token to a scalar type, reporting SYN001 for a malformed
    /// amount, SYN002 for an impossible value, SCH003 for the wrong type.
    fn scalar(&mut self, ty: &ValueType, subject: Subject<'_>, token: Token) -> Option<Value<'a>> {
        let text = token.span.text(self.source);
        let invalid = |typer: &mut Self, message: String| {
            typer.push(Diagnostic::error(codes::SYN002, token.span, message));
            None
        };
        match (ty, token.kind) {
            (_, TokenKind::MalformedMoney) => {
                self.push(
                    Diagnostic::error(
                        codes::SYN001,
                        token.span,
                        format!("malformed amount `{}`", shorten(text)),
                    )
                    .with_help(
                        "write amounts like `£4m`, `£4.5m/yr`, `£1.2bn`, `£350,000` or `GBP 12k`",
                    ),
                );
                None
            }
            (ValueType::Number, TokenKind::Number) => match parse_number(text) {
                Ok(n) => Some(Value::Number(n)),
                Err(message) => invalid(self, message),
            },
            (ValueType::Percent, TokenKind::Percent) => match parse_percent(text) {
                Ok(n) => Some(Value::Percent(n)),
                Err(message) => invalid(self, message),
            },
            (ValueType::Money, TokenKind::Money { .. })
            | (ValueType::AnnualMoney, TokenKind::Money { annual: true }) => {
                match parse_money(text) {
                    Ok(m) => Some(Value::Money(m)),
                    Err(message) => invalid(self, message),
                }
            }
            (ValueType::AnnualMoney, TokenKind::Money { annual: false }) => {
                self.push(
                    Diagnostic::error(
                        codes::SCH003,
                        token.span,
                        format!(
                            "{subject} must be an amount per year, not `{}`",
                            shorten(text)
                        ),
                    )
                    .with_help(format!("write `{}/yr`", shorten(text))),
                );
                None
            }
            (ValueType::Date, TokenKind::Date) => match Date::parse(text) {
                Ok(d) => Some(Value::Date(d)),
                Err(message) => invalid(self, message),
            },
            (ValueType::Duration, TokenKind::Duration) => match parse_duration(text) {
                Ok(d) => Some(Value::Duration(d)),
                Err(message) => invalid(self, message),
            },
            (ValueType::Bool, TokenKind::Bool) => {
                Some(Value::Bool(text.eq_ignore_ascii_case("yes")))
            }
            _ => {
                self.mismatch(subject, ty, token.span);
                None
            }
        }
    }

    /// One word of `allowed`, followed by a date if it is `dated`.
    #[allow(clippy::too_many_arguments)]
    fn word(
        &mut self,
        allowed: &'a [String],
        dated: &[String],
        code: &str,
        key: &str,
        what: WordOf<'_>,
        tree: &ValueTree,
        span: Span,
    ) -> Option<Value<'a>> {
        let item = match tree.items.as_slice() {
            [item] if item.qualifier.is_none() => item,
            _ => {
                self.push(
                    Diagnostic::error(
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
        let head = tree.tokens(&item.head);
        let first = head[0];
        let word = first.span.text(self.source);
        let Some(index) = allowed.iter().position(|v| v.eq_ignore_ascii_case(word)) else {
            let diagnostic = Diagnostic::error(
                code,
                first.span,
                format!("unknown {what}: `{}`", shorten(word)),
            );
            let diagnostic = match closest(word, allowed.iter().map(String::as_str)) {
                Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
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
                        self.push(Diagnostic::error(codes::SYN002, date.span, message));
                        None
                    }
                }
            }
            (true, [_]) => {
                self.push(
                    Diagnostic::error(code, span, format!("`{canonical}` needs a date after it"))
                        .with_help(format!(
                            "write `{canonical} YYYY-MM-DD`, e.g. `{canonical} 2017-04-01`"
                        )),
                );
                None
            }
            (true, _) => {
                self.push(
                    Diagnostic::error(
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
                    Diagnostic::error(
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

    fn lookup(&self, name: &str) -> Option<Named> {
        let mut buffer = self.fold_buffer.borrow_mut();
        assure_vocab::fold_into(name, &mut buffer);
        self.names.get(&buffer, self.source, self.entities)
    }

    fn references(
        &mut self,
        def: &FieldDef,
        reference: &RefType,
        tree: &ValueTree,
        span: Span,
    ) -> Option<Value<'a>> {
        let key = def.name.as_str();
        let items = &tree.items;
        if !reference.many && items.len() > 1 {
            // A single name may itself contain ", ".
            let whole = tree.text(self.source, &(0..tree.tokens.len() as u32));
            if let Some(target) = self.lookup(&whole) {
                let target = self.check_target(key, reference, target, &whole, span);
                let (page, start) = room_for(&mut self.refs, 1);
                self.refs[page].push(Reference {
                    target,
                    name: whole,
                    name_span: span,
                    span,
                    qualifier: None,
                });
                return Some(self.refs_since(page, start));
            }
            let plural = format!("{key}s");
            let help = match self.vocabulary.fields_of(def.owner).get(&plural) {
                Some(id) if matches!(&self.vocabulary.field(id).ty, ValueType::Ref(r) if r.many) => {
                    format!("name one entity, or use `{plural}` for several")
                }
                _ => "name one entity".to_owned(),
            };
            self.push(
                Diagnostic::error(
                    codes::SCH003,
                    span,
                    format!("`{key}` takes one name, not a list of {}", items.len()),
                )
                .with_help(help),
            );
            return None;
        }
        // Each reference takes at least one item: room for as many.
        let (page, start) = room_for(&mut self.refs, items.len());
        let mut index = 0;
        while index < items.len() {
            let resolution = self.resolve(tree, &items[index..]);
            index += resolution.items_used;
            let target = match resolution.target {
                Some(target) => self.check_target(
                    key,
                    reference,
                    target,
                    &resolution.name,
                    resolution.name_span,
                ),
                None => {
                    self.unresolved(reference, &resolution.name, resolution.name_span);
                    None
                }
            };
            let qualifier = resolution
                .qualifier
                .and_then(|q| self.qualifier(key, reference.qualifier.as_deref(), tree, q))
                .map(Box::new);
            self.refs[page].push(Reference {
                target,
                name: resolution.name,
                name_span: resolution.name_span,
                span: resolution.span,
                qualifier,
            });
        }
        Some(self.refs_since(page, start))
    }

    /// Resolves the reference starting at `items[0]`: the whole item (a name
    /// may end in parentheses), else the item without its qualifier, else a
    /// name containing ", " spread over the next items.
    fn resolve<'t>(&self, tree: &'t ValueTree, items: &'t [Item]) -> Resolution<'a, 't> {
        let item = &items[0];
        let full = tree.item_text(self.source, item);
        let may_name_whole = item.qualifier.is_none() || self.names_end_in_parenthesis;
        if may_name_whole && let Some(target) = self.lookup(&full) {
            return Resolution {
                target: Some(target),
                name: full,
                name_span: item.span,
                span: item.span,
                qualifier: None,
                items_used: 1,
            };
        }
        let head = tree.text(self.source, &item.head);
        let head_span = tree.span_of(&item.head).unwrap_or(item.span);
        if item.qualifier.is_some()
            && let Some(target) = self.lookup(&head)
        {
            return Resolution {
                target: Some(target),
                name: head,
                name_span: head_span,
                span: item.span,
                qualifier: item.qualifier.as_ref(),
                items_used: 1,
            };
        }
        let mut joined = full.to_string();
        for (offset, next) in items
            .iter()
            .enumerate()
            .skip(1)
            .take(MAX_ITEMS_IN_A_NAME - 1)
        {
            let with_qualifier = format!("{joined}, {}", tree.item_text(self.source, next));
            let candidates = [
                (with_qualifier.clone(), None),
                (
                    format!("{joined}, {}", tree.text(self.source, &next.head)),
                    next.qualifier.as_ref(),
                ),
            ];
            for (name, qualifier) in candidates {
                if qualifier.is_none() && name != with_qualifier {
                    continue;
                }
                if let Some(target) = self.lookup(&name) {
                    let name_end = match qualifier {
                        Some(_) => tree.span_of(&next.head).map_or(next.span.end, |s| s.end),
                        None => next.span.end,
                    };
                    return Resolution {
                        target: Some(target),
                        name: Cow::Owned(name),
                        name_span: Span::new(item.span.start, name_end),
                        span: item.span.cover(next.span),
                        qualifier,
                        items_used: offset + 1,
                    };
                }
            }
            joined = with_qualifier;
        }
        let (name, name_span) = if item.qualifier.is_some() {
            (head, head_span)
        } else {
            (full, item.span)
        };
        Resolution {
            target: None,
            name,
            name_span,
            span: item.span,
            qualifier: item.qualifier.as_ref(),
            items_used: 1,
        }
    }

    /// The target, if it is of a type the field may name; SCH003 if not.
    fn check_target(
        &mut self,
        key: &str,
        reference: &RefType,
        target: Named,
        name: &str,
        span: Span,
    ) -> Option<EntityId> {
        let Target::Entity(wanted) = reference.target else {
            return Some(target.id);
        };
        // The type comes with the name: the entity itself is not read.
        let actual = target.ty;
        if actual == wanted {
            return Some(target.id);
        }
        let wanted = &self.vocabulary.entity_type(wanted).id;
        let actual = &self.vocabulary.entity_type(actual).id;
        self.push(Diagnostic::error(
            codes::SCH003,
            span,
            format!(
                "`{key}` must name {}, but `{}` is {}",
                with_article(wanted),
                shorten(name),
                with_article(actual)
            ),
        ));
        None
    }

    fn unresolved(&mut self, reference: &RefType, name: &str, span: Span) {
        if self.unknown_section_names.contains(&fold(name)) {
            return;
        }
        let mut diagnostic = Diagnostic::error(
            codes::REF001,
            span,
            format!("reference to `{}`, which is not defined", shorten(name)),
        );
        let suggestion = if self.suggestions_left > 0 {
            self.suggestions_left -= 1;
            let candidates = self
                .entities
                .iter()
                .filter(|e| match reference.target {
                    Target::Entity(ty) => e.ty == ty,
                    Target::Any => true,
                })
                .map(|e| e.name)
                .take(SUGGESTION_CANDIDATES);
            closest(name, candidates)
        } else {
            None
        };
        diagnostic = match suggestion {
            Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
            None => {
                let section = match reference.target {
                    Target::Entity(ty) => {
                        let section = self.vocabulary.entity_type(ty).section;
                        self.vocabulary
                            .sections()
                            .get(section.0 as usize)
                            .and_then(|s| s.title.clone())
                    }
                    Target::Any => None,
                };
                match section {
                    Some(title) => diagnostic.with_help(format!(
                        "define it as `## {}` under `# {title}`",
                        shorten(name)
                    )),
                    None => diagnostic
                        .with_help(format!("define it with a `## {}` heading", shorten(name))),
                }
            }
        };
        self.push(diagnostic);
    }

    fn qualifier(
        &mut self,
        key: &str,
        ty: Option<&ValueType>,
        tree: &ValueTree,
        qualifier: &assure_syntax::Qualifier,
    ) -> Option<Qualifier<'a>> {
        let span = tree.span_of(&qualifier.tokens).unwrap_or(qualifier.span);
        let value = match ty {
            None
            | Some(ValueType::Text | ValueType::Enum(_) | ValueType::Kind | ValueType::Ref(_)) => {
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

fn single_token(tree: &ValueTree) -> Option<Token> {
    match tree.items.as_slice() {
        [item] if item.head.len() == 1 => Some(tree.tokens[item.head.start as usize]),
        _ => None,
    }
}
