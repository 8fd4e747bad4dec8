//! Static types of the expression language, and how messages name them.
//!
//! A type may be [`Ty::Any`] when the checker cannot know it (a reference
//! that may name any entity); the checker then lets the expression through
//! and the evaluator decides, treating a mismatch as a missing value.

use assure_vocab::{EntityTypeId, EnumType, SectionId, ValueType, Vocabulary};
use std::sync::Arc;

/// Whether an amount of money is a total or per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// A total: `£10m`.
    Total,
    /// Per year: `£4m/yr`.
    Annual,
    /// Either: a `money` field may be written both ways.
    Either,
}

/// The type of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Unknown until evaluation.
    Any,
    /// `none`.
    Missing,
    /// `true`, `false`.
    Bool,
    /// A plain number.
    Number,
    /// A percentage.
    Percent,
    /// Money.
    Money(Per),
    /// A duration.
    Duration,
    /// A date.
    Date,
    /// Text.
    Text,
    /// A word of an enumerated type, with `.date` for dated words, and the
    /// words it may be when the field is known (so that a literal compared
    /// with it is checked against them).
    Word(Option<Arc<EnumType>>),
    /// An entity, of a known type or not.
    Entity(Option<EntityTypeId>),
    /// A non-entity section, or the proposal's header.
    Section(SectionId),
    /// An edge of the graph, with its qualifier's type.
    Edge(Box<Ty>),
    /// A list.
    List(Box<Ty>),
}

impl Ty {
    /// How the type is named in messages.
    pub fn describe(&self, vocabulary: &Vocabulary) -> String {
        if let Some(name) = self.name_without_vocabulary() {
            return name.to_owned();
        }
        match self {
            Ty::Entity(Some(ty)) => format!(
                "{} entity",
                assure_vocab::with_article(&vocabulary.entity_type(*ty).id)
            ),
            Ty::Section(id) if *id == assure_vocab::HEADER => "the proposal".to_owned(),
            Ty::Section(id) => format!("the `{}` section", vocabulary.section(*id).id),
            Ty::List(item) => match item.as_ref() {
                Ty::Any => "a list".to_owned(),
                item => format!("a list of {}", plural(&item.describe(vocabulary))),
            },
            _ => "a value".to_owned(),
        }
    }

    /// How the type is named in messages, where naming it needs no
    /// vocabulary: every type but entities of a known type, sections and
    /// lists.
    pub fn name_without_vocabulary(&self) -> Option<&'static str> {
        Some(match self {
            Ty::Any => "a value",
            Ty::Missing => "`none`",
            Ty::Bool => "a boolean",
            Ty::Number => "a number",
            Ty::Percent => "a percentage",
            Ty::Money(Per::Total) => "a total amount of money",
            Ty::Money(Per::Annual) => "an annual amount of money",
            Ty::Money(Per::Either) => "money",
            Ty::Duration => "a duration",
            Ty::Date => "a date",
            Ty::Text => "text",
            Ty::Word(_) => "a word",
            Ty::Entity(None) => "an entity",
            Ty::Edge(_) => "a link",
            Ty::Entity(Some(_)) | Ty::Section(_) | Ty::List(_) => return None,
        })
    }

    /// The type of a list's items, or `None` if this is not a list.
    pub fn item(&self) -> Option<Ty> {
        match self {
            Ty::List(item) => Some((**item).clone()),
            Ty::Any => Some(Ty::Any),
            _ => None,
        }
    }

    /// Whether values of the type can be added, scaled and compared as
    /// amounts.
    pub(crate) fn is_quantity(&self) -> bool {
        matches!(
            self,
            Ty::Number | Ty::Percent | Ty::Money(_) | Ty::Duration | Ty::Any
        )
    }

    /// The narrowest type covering both.
    pub fn join(&self, other: &Ty) -> Ty {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (Ty::Missing, b) => b.clone(),
            (a, Ty::Missing) => a.clone(),
            (Ty::Money(_), Ty::Money(_)) => Ty::Money(Per::Either),
            (Ty::Entity(_), Ty::Entity(_)) => Ty::Entity(None),
            (Ty::Word(_), Ty::Word(_)) => Ty::Word(None),
            (Ty::Text | Ty::Word(_), Ty::Text | Ty::Word(_)) => Ty::Text,
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.join(b))),
            (Ty::Edge(a), Ty::Edge(b)) => Ty::Edge(Box::new(a.join(b))),
            _ => Ty::Any,
        }
    }

    /// The type of a field's value, as the evaluator presents it.
    pub fn of_field(ty: &ValueType) -> Ty {
        match ty {
            ValueType::Text => Ty::Text,
            ValueType::Number => Ty::Number,
            ValueType::Percent => Ty::Percent,
            ValueType::Money => Ty::Money(Per::Either),
            ValueType::AnnualMoney => Ty::Money(Per::Annual),
            ValueType::Date => Ty::Date,
            ValueType::Duration => Ty::Duration,
            ValueType::Bool => Ty::Bool,
            ValueType::Enum(words) => Ty::Word(Some(Arc::clone(words))),
            ValueType::Words(words) => Ty::List(Box::new(Ty::Word(Some(Arc::clone(words))))),
            ValueType::Kind => Ty::Word(None),
            ValueType::Ref(reference) => {
                let target = match reference.target {
                    assure_vocab::Target::Any => Ty::Entity(None),
                    assure_vocab::Target::Entity(id) => Ty::Entity(Some(id)),
                };
                if reference.many {
                    Ty::List(Box::new(target))
                } else {
                    target
                }
            }
        }
    }
}

fn plural(description: &str) -> String {
    let bare = description
        .strip_prefix("an ")
        .or_else(|| description.strip_prefix("a "))
        .unwrap_or(description);
    if bare.ends_with('y') && !bare.ends_with("ey") {
        format!("{}ies", &bare[..bare.len() - 1])
    } else if bare.ends_with('s') || bare.ends_with("money") || bare == "text" {
        bare.to_owned()
    } else {
        format!("{bare}s")
    }
}
