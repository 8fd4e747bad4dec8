//! Typing field values against the vocabulary, a block of entities at a
//! time (on several threads for a large proposal): each entity's kind
//! first, then its fields in source order, each value read as its field's
//! type. References are resolved as they are typed ([`crate::resolve`]).

use crate::names::NameIndex;
use crate::outline::Outline;
use crate::resolve;
use crate::schema;
use crate::store::{FieldSlot, FieldStore, RefPages, Refs};
use crate::value::{Date, parse_duration, parse_money, parse_number, parse_percent};
use crate::word_forms;
use crate::{Entity, EntityId, FieldValue, Holder, Qualifier, SectionHeading, UnknownField, Value};
use assure_diagnostic::{
    Applicability, Diagnostic, Fix, Listed, Span, closest, codes, excerpt as shorten,
};
use assure_syntax::{Field, SourceFile, Token, TokenKind, ValueProblem, ValueTree};
use assure_vocab::{FieldDef, FieldId, Owner, SectionId, ValueType, Vocabulary, with_article};
use rustc_hash::FxHashSet;
use std::borrow::Cow;
use std::fmt;

mod words;

/// A proposal's entities with their fields typed and their references
/// resolved, not yet linked: see [`crate::links`].
pub(crate) struct Typed<'a> {
    pub(crate) source: &'a str,
    pub(crate) vocabulary: &'a Vocabulary,
    pub(crate) diagnostics: Listed,
    pub(crate) entities: Vec<Entity<'a>>,
    pub(crate) names: NameIndex,
    pub(crate) values: FieldStore<'a>,
    pub(crate) section_slots: Vec<FieldSlot>,
    pub(crate) headings: Vec<SectionHeading>,
    pub(crate) section_prose: Vec<(SectionId, Span)>,
    pub(crate) unknown_fields: Vec<UnknownField>,
    /// Fields written whose values could not be used, sorted.
    pub(crate) unusable: Vec<(Holder, FieldId, Span)>,
    /// Fields written with filler (`TBC`), read as not given, sorted.
    pub(crate) filler: Vec<(Holder, FieldId, Span)>,
}

/// Types the fields of the walked `outline` and resolves the names. `file`
/// must be the tree the outline was walked from, though only its fields
/// and value segments are still read.
pub(crate) fn type_fields<'a>(
    source: &'a str,
    file: &SourceFile,
    vocabulary: &'a Vocabulary,
    outline: Outline<'a>,
    origin: crate::Origin,
) -> Typed<'a> {
    Typing {
        source,
        file,
        vocabulary,
        outline,
        origin,
    }
    .type_fields()
}

/// The walked outline of a proposal, being typed.
struct Typing<'a, 'b> {
    source: &'a str,
    file: &'b SourceFile,
    vocabulary: &'a Vocabulary,
    outline: Outline<'a>,
    origin: crate::Origin,
}

impl<'a> Typing<'a, '_> {
    fn type_fields(mut self) -> Typed<'a> {
        let names = resolve::index_names(self.source, &mut self.outline);
        let blocks = self.type_entities(&names);
        let mut values = FieldStore::default();
        let mut unusable = Vec::new();
        let mut filler = Vec::new();
        // Each block's values stay one chunk, which its entities point into.
        for (entities, block) in self.outline.entities.chunks_mut(BLOCK).zip(blocks) {
            for ((entity, kind), slot) in entities.iter_mut().zip(block.kinds).zip(block.slots) {
                entity.kind = kind;
                entity.fields = slot;
            }
            values.push(block.values, block.refs);
            self.outline.unknown_fields.extend(block.unknown_fields);
            unusable.extend(block.unusable);
            filler.extend(block.filler);
            self.outline.diagnostics.append(block.diagnostics);
        }
        let chunk = values.next_chunk();
        let mut typer = self.typer(&names, chunk);
        let mut section_values = Vec::new();
        let mut section_slots = Vec::with_capacity(self.vocabulary.sections().len());
        for (section, fields) in self.outline.section_fields.iter().enumerate() {
            let start = section_values.len();
            for &(field, syntax_field) in fields {
                match typer.says_nothing(field, syntax_field) {
                    Said::Something => {}
                    Said::Nothing => continue,
                    Said::Filler(span) => {
                        filler.push((Holder::Section(SectionId(section as u32)), field, span));
                        continue;
                    }
                }
                match typer.field(field, syntax_field) {
                    Some(value) => section_values.push(value),
                    None => unusable.push((
                        Holder::Section(SectionId(section as u32)),
                        field,
                        typer.syntax_field(syntax_field).span(),
                    )),
                }
            }
            section_slots.push(FieldSlot::of(chunk, start, &section_values));
        }
        unusable.sort_unstable_by_key(|&(holder, field, _)| (holder, field));
        filler.sort_unstable_by_key(|&(holder, field, _)| (holder, field));
        let (diagnostics, section_refs) = typer.finish();
        self.outline.diagnostics.append(diagnostics);
        values.push(section_values, section_refs);
        Typed {
            source: self.source,
            vocabulary: self.vocabulary,
            diagnostics: self.outline.diagnostics,
            entities: self.outline.entities,
            names,
            values,
            section_slots,
            headings: self.outline.headings,
            section_prose: self.outline.section_prose,
            unknown_fields: self.outline.unknown_fields,
            unusable,
            filler,
        }
    }

    /// Types every entity's fields, block by block: a large proposal's
    /// blocks on several threads. Each block has its own typer, so what is
    /// reported depends on the blocks, never on the number of threads.
    fn type_entities(&self, names: &NameIndex) -> Vec<TypedBlock<'a>> {
        let blocks: Vec<usize> = (0..self.outline.entities.len().div_ceil(BLOCK)).collect();
        let threads = assure_stdx::parallel::threads_for(self.outline.entities.len(), BLOCK);
        assure_stdx::parallel::map_in_order(&blocks, threads, |&block| {
            self.type_block(names, block)
        })
    }

    /// A typer of this proposal's values, with its own budget of
    /// suggestions.
    /// Its references go to chunk number `chunk` of the model's.
    fn typer<'s>(&'s self, names: &'s NameIndex, chunk: usize) -> Typer<'a, 's> {
        Typer::new(
            self.source,
            self.file,
            self.vocabulary,
            names,
            &self.outline.unknown_section_names,
            &self.outline.entities,
            chunk,
        )
        .with_origin(self.origin)
    }

    /// Types the entities of block number `block`.
    fn type_block(&self, names: &NameIndex, block: usize) -> TypedBlock<'a> {
        let range = block * BLOCK..((block + 1) * BLOCK).min(self.outline.entities.len());
        let mut typer = self.typer(names, block);
        let mut seen = Vec::new();
        // At most one value per field written: one allocation for the block.
        let fields: usize = self.outline.entity_fields[range.clone()]
            .iter()
            .map(|fields| fields.len())
            .sum();
        let mut typed = TypedBlock {
            kinds: Vec::with_capacity(range.len()),
            slots: Vec::with_capacity(range.len()),
            values: Vec::with_capacity(fields),
            refs: Vec::new(),
            unknown_fields: Vec::new(),
            unusable: Vec::new(),
            filler: Vec::new(),
            diagnostics: Listed::new(),
        };
        for index in range {
            let start = typed.values.len();
            // Its own fields, then those written for it in a section that
            // adds to its own.
            let added = &self.outline.added_fields;
            let from = added.partition_point(|(entity, _)| (*entity as usize) < index);
            let to = added.partition_point(|(entity, _)| (*entity as usize) <= index);
            let fields = self.outline.entity_fields[index]
                .clone()
                .chain(added[from..to].iter().map(|(_, field)| *field));
            let kind = type_entity(
                &mut typer,
                &self.outline.entities[index],
                fields,
                index,
                &mut seen,
                &mut typed,
            );
            typed.kinds.push(kind);
            typed.slots.push(FieldSlot::of(block, start, &typed.values));
        }
        (typed.diagnostics, typed.refs) = typer.finish();
        typed
    }
}

/// How many entities one typer types; see [`Typing::type_entities`].
const BLOCK: usize = 16_384;

/// What typing one block of entities found.
struct TypedBlock<'a> {
    kinds: Vec<Option<&'a str>>,
    /// Where each entity's values are in `values`.
    slots: Vec<FieldSlot>,
    /// Every value of the block's entities, in order.
    values: Vec<FieldValue<'a>>,
    /// Every reference item of those values, in order.
    refs: RefPages<'a>,
    unknown_fields: Vec<UnknownField>,
    unusable: Vec<(Holder, FieldId, Span)>,
    filler: Vec<(Holder, FieldId, Span)>,
    diagnostics: Listed,
}

/// Types an entity's fields, pushing their values onto the block's: its
/// kind first (other fields may apply only to some kinds), then the rest in
/// source order. Returns its kind. `seen` is a buffer reused from one
/// entity to the next.
fn type_entity<'a>(
    typer: &mut Typer<'a, '_>,
    entity: &Entity<'a>,
    fields: impl Iterator<Item = u32> + Clone,
    index: usize,
    seen: &mut Vec<(FieldId, Span)>,
    typed: &mut TypedBlock<'a>,
) -> Option<&'a str> {
    let TypedBlock {
        values,
        unknown_fields,
        unusable,
        filler,
        ..
    } = typed;
    let vocabulary = typer.vocabulary();
    let ty = vocabulary.entity_type(entity.ty);
    let owner = Owner::Entity(entity.ty);
    seen.clear();
    let mut kind = None;
    if let Some(kind_field) = ty.kind_field {
        match fields.clone().find(|&f| typer.key(f) == "kind") {
            // A placeholder for the kind (`<<ITS KIND>>`) is reported as
            // one (SYN004), not again as an unknown kind.
            Some(field) if typer.is_placeholder(field) => {
                seen.push((kind_field, typer.syntax_field(field).key));
            }
            Some(field) => {
                if let Some(value) = typer.field(kind_field, field) {
                    if let Value::Word { word, .. } = &value.value {
                        kind = Some(*word);
                    }
                    seen.push((kind_field, value.key));
                    values.push(value);
                } else {
                    seen.push((kind_field, typer.syntax_field(field).key));
                    unusable.push((
                        Holder::Entity(EntityId(index as u32)),
                        kind_field,
                        typer.syntax_field(field).span(),
                    ));
                }
            }
            None if ty.kind_required && typer.origin == crate::Origin::Notice => {
                typer.push(schema::kind_not_stated(vocabulary, entity));
            }
            None if ty.kind_required => typer.push(schema::missing_kind(vocabulary, entity)),
            None => {}
        }
    }
    for field in fields {
        let key = typer.key(field);
        let key_span = typer.syntax_field(field).key;
        let syntax = typer.syntax_field(field);
        if (syntax.loose || !syntax.has_value()) && ty.fields.get(key).is_none() {
            // A line of prose with a colon in it (`Note: ...`, `Key
            // points:`), as the outline read it.
            continue;
        }
        if typer.syntax_field(field).loose {
            typer.push(schema::loose_key(
                typer.source,
                typer.syntax_field(field),
                key,
            ));
        }
        let Some(id) = ty.fields.get(key) else {
            typer.push(schema::unknown_field(vocabulary, owner, key, key_span));
            unknown_fields.push(UnknownField {
                entity: Some(EntityId(index as u32)),
                key: key_span,
                value: typer.syntax_field(field).value,
            });
            continue;
        };
        if let Some(first) = seen.iter().find(|(f, _)| *f == id).map(|(_, span)| *span) {
            if first != key_span {
                typer.push(schema::duplicate_field(key, key_span, first));
            }
            continue;
        }
        seen.push((id, key_span));
        let def = vocabulary.field(id);
        if let (Some(allowed), Some(kind)) = (&def.kinds, kind)
            && !allowed.iter().any(|k| k == kind)
        {
            typer.push(schema::not_for_kind(&ty.id, key, key_span, kind, allowed));
            continue;
        }
        match typer.says_nothing(id, field) {
            Said::Something => {}
            Said::Nothing => continue,
            Said::Filler(span) => {
                filler.push((Holder::Entity(EntityId(index as u32)), id, span));
                continue;
            }
        }
        match typer.field(id, field) {
            Some(value) => values.push(value),
            None => unusable.push((
                Holder::Entity(EntityId(index as u32)),
                id,
                typer.syntax_field(field).span(),
            )),
        }
    }
    kind
}

/// What a field's value says, before it is typed.
pub(crate) enum Said {
    /// A value to type.
    Something,
    /// Nothing, as the format means it: `none` for a list of references
    /// (the empty list), or a placeholder (reported as one).
    Nothing,
    /// Filler (`TBC`): not given, and a rule that reads it cannot judge.
    /// The field's span, from its key to the end of its value.
    Filler(Span),
}

/// Types values. Values borrow from the source and vocabulary (`'a`);
/// the tree and the name index are only consulted (`'b`).
pub(crate) struct Typer<'a, 'b> {
    /// Where the text came from: a notice need not state kinds.
    pub(crate) origin: crate::Origin,
    pub(crate) source: &'a str,
    pub(crate) file: &'b SourceFile,
    pub(crate) vocabulary: &'a Vocabulary,
    pub(crate) names: &'b NameIndex,
    pub(crate) unknown_section_names: &'b FxHashSet<String>,
    pub(crate) entities: &'b [Entity<'a>],
    /// What the field being typed found so far: taken back when its value
    /// is read another way, then moved into `found`.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// What the fields typed found, each code's first listed.
    found: Listed,
    /// Whether a field is being typed, whose findings go to `diagnostics`.
    in_field: bool,
    pub(crate) suggestions_left: u32,
    /// Reused for folding names, which happens once per reference.
    pub(crate) fold_buffer: std::cell::RefCell<String>,
    /// Reused for lexing values, which happens once per field.
    pub(crate) tree: ValueTree,
    /// Whether any entity's name ends in `)`: if none does, an item with a
    /// qualifier cannot name one whole, and that lookup is skipped.
    pub(crate) names_end_in_parenthesis: bool,
    /// The reference items of every value typed, in order: the chunk
    /// number `chunk` of the model's references.
    pub(crate) refs: RefPages<'a>,
    pub(crate) chunk: usize,
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
            origin: crate::Origin::Proposal,
            source,
            file,
            vocabulary,
            names,
            unknown_section_names,
            entities,
            diagnostics: Vec::new(),
            found: Listed::new(),
            in_field: false,
            suggestions_left: resolve::SUGGESTION_BUDGET,
            fold_buffer: std::cell::RefCell::new(String::new()),
            tree: ValueTree::default(),
            names_end_in_parenthesis: names.any_ends_in_parenthesis(),
            refs: Vec::new(),
            chunk,
        }
    }

    /// This typer, for text of `origin`.
    fn with_origin(mut self, origin: crate::Origin) -> Self {
        self.origin = origin;
        self
    }

    pub(crate) fn vocabulary(&self) -> &'a Vocabulary {
        self.vocabulary
    }

    pub(crate) fn syntax_field(&self, field: u32) -> &'b Field {
        &self.file.fields[field as usize]
    }

    pub(crate) fn key(&self, field: u32) -> &'a str {
        schema::key_of(self.source, self.vocabulary, self.syntax_field(field))
    }

    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        if self.in_field {
            self.diagnostics.push(diagnostic);
        } else {
            // Nothing outside a field takes a finding back: kept at once,
            // so that an entity of a million bad fields is not held whole.
            self.found.push(diagnostic);
        }
    }

    /// What the typer found: the diagnostics, and the reference items of
    /// the values it typed.
    pub(crate) fn finish(self) -> (Listed, RefPages<'a>) {
        (self.found, self.refs)
    }

    /// The references pushed on `page` since `start`, as a value.
    pub(crate) fn refs_since(&self, page: usize, start: usize) -> Value<'a> {
        Value::Refs(Refs::of(self.chunk, page, start, &self.refs))
    }

    /// Types syntax field `field` as vocabulary field `id`. `None` when the
    /// value is missing (the parser reported it) or wrong (reported here).
    /// Whether the field says nothing, and is read as not given: a value
    /// that is filler (`TBC`, `N/A`: SCH009), or `none` for a list of
    /// references (the empty list, which is what not writing it means).
    pub(crate) fn says_nothing(&mut self, id: FieldId, field: u32) -> Said {
        let syntax = self.syntax_field(field);
        let text = syntax.value.text(self.source);
        let def = self.vocabulary.field(id);
        if matches!(&def.ty, ValueType::Ref(r) if r.many)
            && text.trim().eq_ignore_ascii_case("none")
        {
            return Said::Nothing;
        }
        // A placeholder is reported as one (SYN004), not again as a value
        // of the wrong type.
        if self.is_placeholder(field) {
            return Said::Nothing;
        }
        if !self.vocabulary.is_filler(text) {
            return Said::Something;
        }
        let (key, value) = (syntax.key, syntax.value);
        self.push(
            Diagnostic::of(
                codes::SCH009,
                value,
                format!(
                    "`{}: {}` says nothing, so `{}` is read as not given",
                    def.name,
                    shorten(text.trim()),
                    def.name
                ),
            )
            .with_label(key, "read as not given")
            .with_help("write what it stands for, or leave the field out until it is known"),
        );
        Said::Filler(syntax.span())
    }

    /// Whether the field's whole value is a placeholder, `<<...>>`.
    pub(crate) fn is_placeholder(&self, field: u32) -> bool {
        let text = self.syntax_field(field).value.text(self.source).trim();
        text.len() > 4 && text.starts_with("<<") && text.ends_with(">>")
    }

    pub(crate) fn field(&mut self, id: FieldId, field: u32) -> Option<FieldValue<'a>> {
        self.in_field = true;
        let value = self.field_value(id, field);
        self.in_field = false;
        self.found.extend(self.diagnostics.drain(..));
        value
    }

    fn field_value(&mut self, id: FieldId, field: u32) -> Option<FieldValue<'a>> {
        let syntax = self.syntax_field(field);
        if !syntax.has_value() {
            return None;
        }
        let def = self.vocabulary.field(id);
        let value = self.value(def, syntax)?;
        if def.positive && !is_above_zero(&value) {
            let text = syntax.value.text(self.source);
            self.push(
                Diagnostic::of(
                    codes::SCH003,
                    syntax.value,
                    format!(
                        "`{}` must be more than zero, not `{}`",
                        def.name,
                        shorten(text)
                    ),
                )
                .with_help(
                    "no rule can judge against a zero or negative figure; write the real one",
                ),
            );
        }
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
        if let ValueType::Ref(reference) = &def.ty {
            // Window by window: a list of millions of names is never held
            // as tokens all at once.
            return self.references(def, reference, segments, syntax.value);
        }
        let mut tree = std::mem::take(&mut self.tree);
        tree.lex(self.source, segments);
        let before = self.diagnostics.len();
        let value = self.lexed_value(def, &tree, syntax.value);
        self.tree = tree;
        if value.is_none() && self.diagnostics.len() > before {
            // Not in the format's form: perhaps in a document's.
            let text: Vec<&str> = segments.iter().map(|s| s.text(self.source)).collect();
            if let Some((canonical, value)) = self.in_words(def, &text.join(" "), syntax.value) {
                self.diagnostics.truncate(before);
                let written = syntax.value.text(self.source);
                let diagnostic = match &value {
                    Value::Date(date) if !date.has_month => year_alone(syntax.value, date.year),
                    _ => in_words(syntax.value, written, &canonical),
                };
                self.push(diagnostic);
                return Some(value);
            }
        }
        value
    }

    /// A value of `def` written as in a document, with its canonical text.
    fn in_words(&self, def: &'a FieldDef, text: &str, span: Span) -> Option<(String, Value<'a>)> {
        let word = |allowed: &'a [String], dated: &[String]| {
            let found = word_forms::word(text, allowed)?;
            let undated = !dated.iter().any(|d| d == found);
            undated.then(|| {
                (
                    found.to_owned(),
                    Value::Word {
                        word: found,
                        date: None,
                    },
                )
            })
        };
        match &def.ty {
            ValueType::Money | ValueType::AnnualMoney => {
                let canonical = word_forms::money(text)?;
                let money = parse_money(&canonical).ok()?;
                let fits = money.annual || def.ty == ValueType::Money;
                fits.then_some((canonical, Value::Money(money)))
            }
            ValueType::Percent => {
                let canonical = word_forms::percent(text)?;
                let n = parse_percent(&canonical).ok()?;
                Some((canonical, Value::Percent(n)))
            }
            ValueType::Date => {
                if let Some(year) = word_forms::year(text) {
                    return Some((year.to_string(), Value::Date(Date::year_only(year)?)));
                }
                let canonical = word_forms::date(text)?;
                let date = Date::parse(&canonical).ok()?;
                Some((canonical, Value::Date(date)))
            }
            // `approved 14th July 2017`, `Approved 14/07/2017`: a dated
            // word and a date as a document writes them.
            ValueType::Enum(e) => word(&e.values, &e.dated).or_else(|| {
                let (head, rest) = text.trim().split_once(char::is_whitespace)?;
                let found = e
                    .dated
                    .iter()
                    .find(|d| d.eq_ignore_ascii_case(head))?
                    .as_str();
                let canonical = word_forms::date(rest)?;
                let date = Date::parse(&canonical).ok()?;
                Some((
                    format!("{found} {canonical}"),
                    Value::Word {
                        word: found,
                        date: Some((date, span)),
                    },
                ))
            }),
            ValueType::Kind => match def.owner {
                Owner::Entity(ty) => word(&self.vocabulary.entity_type(ty).kinds, &[]),
                Owner::Section(_) => None,
            },
            _ => None,
        }
    }

    fn lexed_value(
        &mut self,
        def: &'a FieldDef,
        tree: &ValueTree,
        span: Span,
    ) -> Option<Value<'a>> {
        if self.value_problems(&tree.problems) {
            return None;
        }
        let key = def.name.as_str();
        match &def.ty {
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
            ValueType::Words(e) => self.words(&e.values, key, tree),
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

    /// SYN001 for each structural problem of a value; whether there was
    /// any, in which case the value is not typed.
    pub(crate) fn value_problems(&mut self, problems: &[ValueProblem]) -> bool {
        for problem in problems {
            self.push(
                Diagnostic::of(codes::SYN001, problem.span, problem.message)
                    .with_help(problem.help),
            );
        }
        !problems.is_empty()
    }

    /// SCH003 for a value of the wrong type; `subject` names what was
    /// expected to hold it, e.g. "`population`".
    fn mismatch(&mut self, subject: Subject<'_>, ty: &ValueType, span: Span) {
        let text = span.text(self.source);
        let diagnostic = Diagnostic::of(
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
            typer.push(Diagnostic::of(codes::SYN002, token.span, message));
            None
        };
        match (ty, token.kind) {
            (_, TokenKind::MalformedMoney) => {
                self.push(
                    Diagnostic::of(
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
                // An amount that cannot be held is that, first: `/yr`
                // would not mend it.
                if let Err(message) = parse_money(text) {
                    return invalid(self, message);
                }
                self.push(
                    Diagnostic::of(
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
}

/// SCH008 for a date written as its year alone: read as any day of it,
/// which a rule that needs the month or day cannot judge by.
fn year_alone(span: Span, year: i32) -> Diagnostic {
    Diagnostic::of(
        codes::SCH008,
        span,
        format!("`{year}` is read as the year {year}, any day of it: a rule whose answer turns on the day is not assessed"),
    )
    .with_help(format!("write the day as `{year}-MM-DD`"))
}

/// SCH008 for a value `written` as in a document, read as `canonical`.
fn in_words(span: Span, written: &str, canonical: &str) -> Diagnostic {
    Diagnostic::of(
        codes::SCH008,
        span,
        format!("`{}` is read as `{canonical}`", shorten(written)),
    )
    .with_help(format!("write `{canonical}`"))
    .with_fix(Fix::replace(
        format!("write `{canonical}`"),
        Applicability::Safe,
        span,
        canonical,
    ))
}

fn single_token(tree: &ValueTree) -> Option<Token> {
    match tree.items.as_slice() {
        [item] if item.head.len() == 1 => Some(tree.tokens[item.head.start as usize]),
        _ => None,
    }
}

/// Whether a quantity is above zero (anything else is not a quantity, and
/// passes).
fn is_above_zero(value: &Value<'_>) -> bool {
    match value {
        Value::Number(n) | Value::Percent(n) => n.is_sign_positive() && !n.is_zero(),
        Value::Money(money) => money.pence > 0,
        Value::Duration(d) => d.months > 0 || (d.months == 0 && d.days > 0),
        _ => true,
    }
}
