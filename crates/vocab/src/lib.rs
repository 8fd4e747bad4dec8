//! The vocabulary of the proposal format, as data.
//!
//! Which sections a proposal may have, which of them hold entities, the
//! entity kinds, every field with its value type, and which fields are edges
//! of the graph: none of it is a Rust enum. It is declared in
//! `rules/vocabulary.toml` (embedded in the binary and returned by
//! [`Vocabulary::core`]) and extended by rule packs through
//! [`Vocabulary::extend`], which reports every problem in the TOML with its
//! span.
//!
//! Everything is addressed by small copyable ids ([`SectionId`],
//! [`EntityTypeId`], [`FieldId`]) so that the model and the rules engine can
//! resolve names once and then work with integers.

mod load;
mod notices;

pub use notices::{NoticeField, Notices};

use rustc_hash::FxHashMap;
use std::sync::Arc;

pub use load::TOP_KEYS as VOCABULARY_KEYS;

/// The embedded core vocabulary.
pub const CORE_SOURCE: &str = include_str!("../../../rules/vocabulary.toml");

/// Names a section (the header is a section too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(pub u32);

/// Names an entity type (organisation, person, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityTypeId(pub u32);

/// Names a field of a section or of an entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u32);

/// A section of a proposal.
#[derive(Debug, Clone)]
pub struct Section {
    /// Stable identifier used by rules, e.g. `case-for-change`; `proposal`
    /// for the header.
    pub id: String,
    /// The heading title, e.g. `Case for change`; `None` for the header.
    pub title: Option<String>,
    /// The entity type the section holds, if it holds entities.
    pub entity: Option<EntityTypeId>,
    /// Fields written directly in the section (none for entity sections).
    pub fields: FieldSet,
    /// The entity section this one adds to (`adds-to`): an entity written
    /// here under the name of one written there is that entity, its fields
    /// added to its own (a register of interests kept apart from the
    /// people it names); another is a new entity of that section.
    pub adds_to: Option<SectionId>,
    /// How a register with a row per interest is read into this section
    /// (`[sections.rows]`), if it is one.
    pub rows: Option<Rows>,
}

/// How the rows of a register (a sheet or CSV with a row per interest)
/// become fields of the section's entities: the column naming the
/// organisation the interest is in, and the columns whose words say what
/// the interest is, each word choosing the reference field it goes to.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    /// Headers of the column naming the organisation.
    pub organisation: Vec<String>,
    /// Headers of the columns that say what the interest is.
    pub nature: Vec<String>,
    /// A word of those columns (lower case) and the field it chooses, in
    /// the order declared.
    pub words: Vec<(String, FieldId)>,
}

/// A type of entity: organisation, person, contract, liability.
#[derive(Debug, Clone)]
pub struct EntityType {
    /// Stable identifier, e.g. `organisation`.
    pub id: String,
    /// The section its entities are written in.
    pub section: SectionId,
    /// Its kinds; empty if entities of this type have no `kind`.
    pub kinds: Vec<String>,
    /// The `kind` field, if it has kinds.
    pub kind_field: Option<FieldId>,
    /// Whether every entity must give its `kind`: so where the type is
    /// declared with kinds, not where a pack adds kinds to a type that had
    /// none.
    pub kind_required: bool,
    /// Its fields, `kind` included.
    pub fields: FieldSet,
    /// How a document's table heads the column of its entities' names
    /// (`Name`, `Organisation`), besides `name`.
    pub name_labels: Vec<String>,
}

/// The fields of a section or entity type, by name and in declaration order.
#[derive(Debug, Clone, Default)]
pub struct FieldSet {
    by_name: FxHashMap<Box<str>, FieldId>,
    order: Vec<FieldId>,
}

impl FieldSet {
    /// The field called `name`.
    pub fn get(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }

    /// Every field, in declaration order.
    pub fn ids(&self) -> &[FieldId] {
        &self.order
    }

    fn insert(&mut self, name: &str, id: FieldId) {
        self.by_name.insert(name.into(), id);
        self.order.push(id);
    }
}

/// Who declares a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A section (the header included).
    Section(SectionId),
    /// An entity type.
    Entity(EntityTypeId),
}

/// A field and its type.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Its key, e.g. `turnover`.
    pub name: String,
    /// The section or entity type it belongs to.
    pub owner: Owner,
    /// The type of its value.
    pub ty: ValueType,
    /// The kinds it applies to; `None` for every kind.
    pub kinds: Option<Vec<String>>,
    /// What it means.
    pub doc: Option<String>,
    /// Whether only a value above zero makes sense (a turnover, a term): a
    /// zero or negative one is a diagnostic.
    pub positive: bool,
    /// How documents label it besides its key (`Date from`, `Type of
    /// interest`): a Word table's first column or a register's header,
    /// matched without regard to case, spaces or punctuation.
    pub labels: Vec<String>,
}

impl FieldDef {
    /// Whether the field makes edges of the graph.
    pub fn is_edge(&self) -> bool {
        matches!(self.ty, ValueType::Ref(_))
    }
}

/// The type of a field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueType {
    /// The whole value as written.
    Text,
    /// A number.
    Number,
    /// A percentage.
    Percent,
    /// An amount of money, total or annual.
    Money,
    /// An annual amount of money (`/yr`).
    AnnualMoney,
    /// A calendar date.
    Date,
    /// A duration.
    Duration,
    /// `yes` or `no`.
    Bool,
    /// One word of a fixed list, optionally followed by a date.
    Enum(Arc<EnumType>),
    /// Several words of a fixed list, separated by `, ` (`many = true`).
    Words(Arc<EnumType>),
    /// An entity's `kind`: one of its type's kinds.
    Kind,
    /// References to entities.
    Ref(RefType),
}

impl ValueType {
    /// Puts `with` in place of the enumerated type called `name`, wherever
    /// this type holds it (as itself or as a qualifier).
    pub(crate) fn replace_enum(&mut self, name: &str, with: &Arc<EnumType>) {
        match self {
            ValueType::Enum(own) | ValueType::Words(own) if own.name.as_deref() == Some(name) => {
                *own = Arc::clone(with);
            }
            ValueType::Ref(reference) => {
                if let Some(qualifier) = reference.qualifier.as_mut() {
                    qualifier.replace_enum(name, with);
                }
            }
            _ => {}
        }
    }

    /// How the type is written in a vocabulary and in messages.
    pub fn describe(&self) -> String {
        match self {
            ValueType::Text => "text".into(),
            ValueType::Number => "a number".into(),
            ValueType::Percent => "a percentage".into(),
            ValueType::Money => "an amount of money".into(),
            ValueType::AnnualMoney => "an annual amount (ending in /yr)".into(),
            ValueType::Date => "a date (YYYY-MM-DD)".into(),
            ValueType::Duration => "a duration (e.g. 15 years)".into(),
            ValueType::Bool => "yes or no".into(),
            ValueType::Kind => "a kind".into(),
            ValueType::Words(e) => format!("any of: {}, separated by `, `", e.values.join(", ")),
            ValueType::Enum(e) => {
                let values = e.values.join(", ");
                if e.dated.is_empty() {
                    format!("one of: {values}")
                } else {
                    format!(
                        "one of: {values} (with a date after {})",
                        e.dated.join(", ")
                    )
                }
            }
            ValueType::Ref(r) if r.many => "a list of names".into(),
            ValueType::Ref(_) => "one name".into(),
        }
    }
}

/// A fixed list of words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    /// The type's name in `[types]`, if it has one.
    pub name: Option<String>,
    /// The words allowed.
    pub values: Vec<String>,
    /// The words that must be followed by a date (`approved 2016-06-20`).
    pub dated: Vec<String>,
}

impl EnumType {
    /// The index of `word` (case-insensitive).
    pub fn position(&self, word: &str) -> Option<usize> {
        self.values
            .iter()
            .position(|v| v.eq_ignore_ascii_case(word))
    }

    /// Whether `value` takes a date.
    pub fn is_dated(&self, value: &str) -> bool {
        self.dated.iter().any(|d| d.eq_ignore_ascii_case(value))
    }
}

/// A reference type: which entities it may name, how many, with what
/// qualifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefType {
    /// What it may name.
    pub target: Target,
    /// A list (`refs`) rather than one (`ref`).
    pub many: bool,
    /// The type of each item's parenthesised qualifier, if it takes one.
    pub qualifier: Option<Box<ValueType>>,
}

/// What a reference may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Any entity.
    Any,
    /// Entities of one type.
    Entity(EntityTypeId),
}

/// The whole vocabulary: the core one, extended by packs.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    sections: Vec<Section>,
    entity_types: Vec<EntityType>,
    fields: Vec<FieldDef>,
    named_types: FxHashMap<String, ValueType>,
    section_by_title: FxHashMap<String, SectionId>,
    /// Words that stand for nothing (`TBC`, `N/A`), as [`filler_key`]
    /// writes them.
    filler: Vec<String>,
    /// What outputs show of a proposal (`[shown]`): the header field that
    /// is its title, and the reference field whose targets own it.
    shown: Shown,
    /// The header field naming a register of interests read with the
    /// proposal (`[files] register`), if the vocabulary has one.
    register_field: Option<String>,
    /// How published notices are read into proposals (`[notices]`).
    notices: Notices,
}

/// What outputs show of a proposal, named by the vocabulary (`[shown]`),
/// so that no output names a field in Rust.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    /// The header field that is the proposal's title (`proposal`).
    pub title: Option<String>,
    /// The reference field whose targets own a proposal or its contracts,
    /// wherever it is written (`commissioner`): the site's "commissioned
    /// by".
    pub owner: Option<String>,
}

/// The header's section id: always the first section.
pub const HEADER: SectionId = SectionId(0);

impl Vocabulary {
    /// A vocabulary with only the (empty) header.
    pub fn empty() -> Vocabulary {
        Vocabulary {
            sections: vec![Section {
                id: "proposal".into(),
                title: None,
                entity: None,
                fields: FieldSet::default(),
                adds_to: None,
                rows: None,
            }],
            entity_types: Vec::new(),
            fields: Vec::new(),
            named_types: FxHashMap::default(),
            section_by_title: FxHashMap::default(),
            filler: Vec::new(),
            shown: Shown::default(),
            register_field: None,
            notices: Notices::default(),
        }
    }

    /// What outputs show of a proposal: its title field and its owner
    /// field, as the vocabulary names them.
    pub fn shown(&self) -> &Shown {
        &self.shown
    }

    /// The header field whose value names a register of interests beside
    /// the proposal, read with it (`[files] register`).
    pub fn register_field(&self) -> Option<&str> {
        self.register_field.as_deref()
    }

    /// Whether `value` (a field's whole value) is a word that stands for
    /// nothing (`TBC`, `N/A`, `to follow`): then the field says nothing.
    pub fn is_filler(&self, value: &str) -> bool {
        // Filler is short; a long value is read without lowering it. Every
        // field's value is asked: the key is built in a buffer kept for it.
        if value.len() > 40 {
            return false;
        }
        thread_local! {
            static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        KEY.with_borrow_mut(|key| {
            filler_key_into(value, key);
            self.filler.iter().any(|filler| filler == key)
        })
    }

    /// The core vocabulary of the format, from `rules/vocabulary.toml`.
    pub fn core() -> Vocabulary {
        let mut vocabulary = Vocabulary::empty();
        let errors = vocabulary.extend_from_source(CORE_SOURCE);
        // The embedded file is checked by this crate's tests; an error here
        // is a build defect, never a user's input.
        debug_assert!(errors.is_empty(), "core vocabulary is invalid: {errors:?}");
        vocabulary
    }

    /// Every section, the header first.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// One section.
    pub fn section(&self, id: SectionId) -> &Section {
        &self.sections[id.0 as usize]
    }

    /// The section whose heading is `title` (case-insensitive, white space
    /// folded).
    pub fn section_by_title(&self, title: &str) -> Option<SectionId> {
        self.section_by_title.get(&fold(title)).copied()
    }

    /// The section whose id is `id`.
    pub fn section_by_id(&self, id: &str) -> Option<SectionId> {
        self.sections
            .iter()
            .position(|s| s.id == id)
            .map(|i| SectionId(i as u32))
    }

    /// Every entity type.
    pub fn entity_types(&self) -> &[EntityType] {
        &self.entity_types
    }

    /// One entity type.
    pub fn entity_type(&self, id: EntityTypeId) -> &EntityType {
        &self.entity_types[id.0 as usize]
    }

    /// The entity type whose id is `id`.
    pub fn entity_type_by_id(&self, id: &str) -> Option<EntityTypeId> {
        self.entity_types
            .iter()
            .position(|e| e.id == id)
            .map(|i| EntityTypeId(i as u32))
    }

    /// One field.
    pub fn field(&self, id: FieldId) -> &FieldDef {
        &self.fields[id.0 as usize]
    }

    /// Every field.
    pub fn fields(&self) -> impl Iterator<Item = (FieldId, &FieldDef)> {
        self.fields
            .iter()
            .enumerate()
            .map(|(i, f)| (FieldId(i as u32), f))
    }

    /// The fields of an owner.
    pub fn fields_of(&self, owner: Owner) -> &FieldSet {
        match owner {
            Owner::Section(id) => &self.section(id).fields,
            Owner::Entity(id) => &self.entity_type(id).fields,
        }
    }

    /// A named type from `[types]`.
    pub fn named_type(&self, name: &str) -> Option<&ValueType> {
        self.named_types.get(name)
    }

    /// What an owner is called in messages: "organisation", "the header",
    /// "section `Gateway`".
    pub fn owner_name(&self, owner: Owner) -> String {
        match owner {
            Owner::Section(HEADER) => "the header".into(),
            Owner::Section(id) => {
                let section = self.section(id);
                format!(
                    "section `{}`",
                    section.title.as_deref().unwrap_or(&section.id)
                )
            }
            Owner::Entity(id) => self.entity_type(id).id.clone(),
        }
    }
}

/// The name of an entity type, a kind or a word with its indefinite
/// article, for messages: `organisation` → `an organisation`, `person` →
/// `a person`.
pub fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// Lower-cases, folds runs of white space to one space, and reads curly
/// quotes and apostrophes as straight ones (a word processor's
/// `Queen’s Square` is `Queen's Square`).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`] into a buffer, which is cleared first: for lookups in a loop.
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        fold_ascii_into(text, out);
        return;
    }
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match straight_quote(c) {
                Some(quote) => out.push(quote),
                None => out.extend(c.to_lowercase()),
            }
        }
    }
}

/// The straight quote a curly quote or a prime folds to in a name (`’` as
/// `'`, as Word writes it): `None` for any other character.
pub fn straight_quote(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' => Some('\''),
        '\u{201c}' | '\u{201d}' | '\u{201f}' | '\u{2033}' => Some('"'),
        _ => None,
    }
}

/// [`fold_into`] for ASCII text, a byte at a time: every name and every
/// reference is folded, nearly all of them ASCII, so this is the common
/// case and needs no decoding.
fn fold_ascii_into(text: &str, out: &mut String) {
    // `char::is_whitespace` within ASCII: `u8::is_ascii_whitespace` and
    // the vertical tab, which it leaves out.
    let is_space = |b: u8| b.is_ascii_whitespace() || b == 0x0b;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !is_space(bytes[at]) {
            at += 1;
        }
        if start < at {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&text[start..at]);
        }
    }
    out.make_ascii_lowercase();
}

#[cfg(test)]
mod tests;

/// `text` as filler is compared: trimmed, in lower case, inner white
/// space one space, a full stop at the end dropped (`To follow.`).
pub fn filler_key(text: &str) -> String {
    let mut key = String::new();
    filler_key_into(text, &mut key);
    key
}

/// [`filler_key`] into `out`, which is cleared first.
fn filler_key_into(text: &str, out: &mut String) {
    out.clear();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(&word.to_lowercase());
        }
    }
    if out.ends_with('.') {
        out.pop();
    }
}
