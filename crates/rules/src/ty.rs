//! Static types of the expression language, and the unit rules shared by
//! the type checker and the evaluator's messages.
//!
//! A type may be [`Ty::Any`] when the checker cannot know it (a reference
//! that may name any entity); the checker then lets the expression through
//! and the evaluator decides, treating a mismatch as a missing value.

use assure_vocab::{EntityTypeId, SectionId, ValueType, Vocabulary};

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
    /// A word of an enumerated type, with `.date` for dated words.
    Word,
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
        match self {
            Ty::Any => "a value".to_owned(),
            Ty::Missing => "`none`".to_owned(),
            Ty::Bool => "a boolean".to_owned(),
            Ty::Number => "a number".to_owned(),
            Ty::Percent => "a percentage".to_owned(),
            Ty::Money(Per::Total) => "a total amount of money".to_owned(),
            Ty::Money(Per::Annual) => "an annual amount of money".to_owned(),
            Ty::Money(Per::Either) => "money".to_owned(),
            Ty::Duration => "a duration".to_owned(),
            Ty::Date => "a date".to_owned(),
            Ty::Text => "text".to_owned(),
            Ty::Word => "a word".to_owned(),
            Ty::Entity(Some(ty)) => format!("{} entity", article(&vocabulary.entity_type(*ty).id)),
            Ty::Entity(None) => "an entity".to_owned(),
            Ty::Section(id) if *id == assure_vocab::HEADER => "the proposal".to_owned(),
            Ty::Section(id) => format!("the `{}` section", vocabulary.section(*id).id),
            Ty::Edge(_) => "a link".to_owned(),
            Ty::List(item) => match item.as_ref() {
                Ty::Any => "a list".to_owned(),
                item => format!("a list of {}", plural(&item.describe(vocabulary))),
            },
        }
    }

    /// The type of a list's items, or `None` if this is not a list.
    pub fn item(&self) -> Option<Ty> {
        match self {
            Ty::List(item) => Some((**item).clone()),
            Ty::Any => Some(Ty::Any),
            _ => None,
        }
    }

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
            (Ty::Text | Ty::Word, Ty::Text | Ty::Word) => Ty::Text,
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
            ValueType::Enum(_) | ValueType::Kind => Ty::Word,
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

fn article(word: &str) -> String {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {word}"),
        _ => format!("a {word}"),
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

/// Whether values of these types may be compared for equality or order.
/// `zero_literal` says one side is the literal `0`, which compares with any
/// quantity.
pub(crate) fn comparable(a: &Ty, b: &Ty, ordering: bool, zero_literal: bool) -> Result<(), String> {
    use Ty::*;
    let ok = match (a, b) {
        (Any, _) | (_, Any) => true,
        (Missing, _) | (_, Missing) => !ordering,
        (Number | Percent, Number | Percent) => true,
        (Money(x), Money(y)) => {
            if matches!(
                (x, y),
                (Per::Total, Per::Annual) | (Per::Annual, Per::Total)
            ) {
                return Err(
                    "compares a total with an annual amount: convert the total with `per_year(amount, term)`"
                        .to_owned(),
                );
            }
            true
        }
        (Number, q) | (q, Number) if zero_literal && q.is_quantity() => true,
        (Duration, Duration) | (Date, Date) => true,
        (Text | Word, Text | Word) => true,
        (Bool, Bool) => !ordering,
        (Entity(_), Entity(_)) | (Section(_), Section(_)) | (Edge(_), Edge(_)) => !ordering,
        (List(_), List(_)) => !ordering,
        _ => false,
    };
    if ok {
        Ok(())
    } else if ordering && a == b {
        Err("has no order".to_owned())
    } else {
        Err(String::new())
    }
}

/// The type of `a op b` for an arithmetic operator, or why it has none.
pub(crate) fn arithmetic(op: char, a: &Ty, b: &Ty) -> Result<Ty, String> {
    use Ty::*;
    let result = match (op, a, b) {
        (_, Missing, _) | (_, _, Missing) => Some(Missing),
        ('+' | '-', Any, Any) => Some(Any),
        ('+' | '-', Any, x) | ('+' | '-', x, Any) if x.is_quantity() || *x == Date => Some(Any),
        ('+' | '-', Number, Number) => Some(Number),
        ('+' | '-', Percent, Percent) => Some(Percent),
        ('+' | '-', Number, Percent) | ('+' | '-', Percent, Number) => Some(Number),
        ('+' | '-', Money(x), Money(y)) => {
            if matches!(
                (x, y),
                (Per::Total, Per::Annual) | (Per::Annual, Per::Total)
            ) {
                return Err("adds a total to an annual amount: convert the total with `per_year(amount, term)`".to_owned());
            }
            Some(Money(if x == y { *x } else { Per::Either }))
        }
        ('+' | '-', Duration, Duration) => Some(Duration),
        ('+', List(a), List(b)) => Some(List(Box::new(a.join(b)))),
        ('+', Text | Word, Text | Word) => Some(Text),
        ('+' | '-', Date, Duration) => Some(Date),
        ('+', Duration, Date) => Some(Date),
        ('-', Date, Date) => Some(Duration),
        ('*', Any, _) | ('*', _, Any) => Some(Any),
        ('*', Number, Percent) | ('*', Percent, Number) => Some(Number),
        ('*', Number, x) | ('*', x, Number) if x.is_quantity() => Some(x.clone()),
        ('*', Percent, Money(p)) | ('*', Money(p), Percent) => Some(Money(*p)),
        ('*', Percent, Duration) | ('*', Duration, Percent) => Some(Duration),
        ('*', Percent, Percent) => Some(Percent),
        ('/', Any, _) | ('/', _, Any) => Some(Any),
        ('/', x, Number | Percent) if x.is_quantity() => Some(x.clone()),
        ('/', Money(x), Money(y)) => {
            if matches!(
                (x, y),
                (Per::Total, Per::Annual) | (Per::Annual, Per::Total)
            ) {
                return Err(
                    "divides a total and an annual amount: convert the total with `per_year(amount, term)`"
                        .to_owned(),
                );
            }
            Some(Number)
        }
        ('/', Money(Per::Total | Per::Either), Duration) => Some(Money(Per::Annual)),
        ('/', Duration, Duration) => Some(Number),
        _ => None,
    };
    result.ok_or_else(String::new)
}
