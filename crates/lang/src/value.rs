//! [`Val`], the one value type of the language, and everything that can be
//! done to values without a model: comparison, equality, arithmetic.
//!
//! A literal in an expression, a parameter's default and a project's
//! override of it are `Val`s too (of the variants a literal can write), so
//! that the evaluator, `assure explain` and the configuration's checks
//! share one notion of a value, one of its type and one way to write it.
//!
//! Logic is two-valued: a missing value is false as a condition, equal
//! only to another missing value, and neither less nor greater than
//! anything; arithmetic with it, or arithmetic that overflows, is missing.

use crate::ast::{BinaryOp, Literal};
use crate::ty::{Per, Ty};
use assure_model::{Date, Duration, EntityId};
use assure_vocab::SectionId;
use petgraph::graph::{EdgeIndex, NodeIndex};
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// A value: a literal's, a parameter's, or one computed over a model.
///
/// Lists and computed text are shared (`Arc`), so a value is cheap to clone;
/// `Arc` rather than `Rc` because literals and parameters live in compiled
/// code that several threads evaluate at once.
#[derive(Debug, Clone, Default)]
pub enum Val<'a> {
    /// Not given; `none`.
    #[default]
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Decimal),
    /// A percentage: the number before `%`.
    Percent(Decimal),
    /// Money in pence, and whether per year.
    Money(Decimal, bool),
    /// A duration.
    Duration(Duration),
    /// A date.
    Date(Date),
    /// A difference of two dates, from the first to the second: a
    /// duration that remembers where it starts, so that comparing it with
    /// a duration is exact (`b - a > 28 days` is `b > a + 28 days`).
    Elapsed(Date, Date),
    /// Text borrowed from the proposal or the compiled code.
    Text(&'a str),
    /// Text made during evaluation, or held by compiled code.
    Owned(Arc<str>),
    /// A word of an enumerated type, with its date.
    Word(&'a str, Option<Date>),
    /// An entity.
    Entity(EntityId),
    /// A section, or the header.
    Section(SectionId),
    /// An edge of the graph, with its two ends, so that `e.from` and `e.to`
    /// read no memory.
    Edge(GraphEdge),
    /// A list.
    List(Arc<[Val<'a>]>),
}

/// An edge and its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphEdge {
    /// The edge.
    pub edge: EdgeIndex,
    /// Where it starts.
    pub from: NodeIndex,
    /// Where it goes.
    pub to: NodeIndex,
}

impl<'a> Val<'a> {
    /// A difference of dates as the calendar duration it spans (months,
    /// then days); any other value as it is.
    pub fn calendar(&self) -> Val<'a> {
        match self {
            Val::Elapsed(from, to) => Val::Duration(from.until(*to)),
            other => other.clone(),
        }
    }

    /// The value a literal denotes.
    pub fn of_literal(literal: &Literal) -> Val<'static> {
        match literal {
            Literal::Number(n) => Val::Number(*n),
            Literal::Percent(n) => Val::Percent(*n),
            Literal::Money { pence, annual } => Val::Money(*pence, *annual),
            Literal::Duration(d) => Val::Duration(*d),
            Literal::Date(d) => Val::Date(*d),
            Literal::Text(t) => Val::Owned(t.as_str().into()),
            Literal::Bool(b) => Val::Bool(*b),
            Literal::None => Val::Missing,
        }
    }

    /// The value's type, as far as it shows without a model.
    pub fn ty(&self) -> Ty {
        match self {
            Val::Missing => Ty::Missing,
            Val::Bool(_) => Ty::Bool,
            Val::Number(_) => Ty::Number,
            Val::Percent(_) => Ty::Percent,
            Val::Money(_, true) => Ty::Money(Per::Annual),
            Val::Money(_, false) => Ty::Money(Per::Total),
            Val::Duration(_) | Val::Elapsed(..) => Ty::Duration,
            Val::Date(_) => Ty::Date,
            Val::Text(_) | Val::Owned(_) => Ty::Text,
            Val::Word(..) => Ty::Word(None),
            Val::Entity(_) => Ty::Entity(None),
            Val::Section(section) => Ty::Section(*section),
            Val::Edge(_) => Ty::Edge(Box::new(Ty::Any)),
            Val::List(_) => Ty::List(Box::new(Ty::Any)),
        }
    }

    /// Whether `other` may stand in for this value, as a project's setting
    /// of a parameter whose default this is: the same kind of value
    /// (numbers of any precision are alike; money total or annual as the
    /// default is).
    pub fn same_kind(&self, other: &Val<'_>) -> bool {
        match (self, other) {
            // Lists alike when their items are: an empty list is like any.
            (Val::List(a), Val::List(b)) => match a.first() {
                Some(first) => b.iter().all(|item| first.same_kind(item)),
                None => true,
            },
            _ => self.ty() == other.ty(),
        }
    }

    /// The text of text and words.
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(t) | Val::Word(t, _) => Some(t),
            Val::Owned(t) => Some(t),
            _ => None,
        }
    }

    /// The items a binder (`for`, a comprehension, a label's `each`) goes
    /// over: a list's, a single value as itself, none for `none`.
    pub fn items(&self) -> &[Val<'a>] {
        match self {
            Val::List(items) => items,
            Val::Missing => &[],
            single => std::slice::from_ref(single),
        }
    }

    /// Whether the value counts as true: `true`, or any value but `none`
    /// and `false`.
    pub fn truthy(&self) -> bool {
        !matches!(self, Val::Missing | Val::Bool(false))
    }

    /// The value as a condition: `None` for `none`, which is neither true
    /// nor false (docs/rule-language.md, "Missing values").
    pub fn truth(&self) -> Option<bool> {
        match self {
            Val::Missing => None,
            Val::Bool(b) => Some(*b),
            _ => Some(true),
        }
    }
}

impl fmt::Display for Val<'_> {
    /// The value as a pack author would write it: `10`, `5%`, `£10m`,
    /// `"text"`. Values only a model has (entities, links) are written as
    /// what they are, since no literal can write them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Missing => f.write_str("none"),
            Val::Bool(b) => write!(f, "{b}"),
            Val::Number(n) => write!(f, "{}", n.normalize()),
            Val::Percent(n) => write!(f, "{}%", n.normalize()),
            Val::Money(pence, annual) => f.write_str(&money_text(*pence, *annual)),
            Val::Duration(d) => write!(f, "{d}"),
            Val::Elapsed(from, to) => {
                let (shortest, longest) = elapsed_bounds(*from, *to);
                if shortest == longest {
                    write!(f, "{shortest}")
                } else {
                    write!(f, "between {shortest} and {longest}")
                }
            }
            Val::Date(d) => write!(f, "{d}"),
            Val::Text(t) | Val::Word(t, _) => write!(f, "{t:?}"),
            Val::Owned(t) => write!(f, "{:?}", &**t),
            Val::Entity(id) => write!(f, "<entity {}>", id.0),
            Val::Section(id) => write!(f, "<section {}>", id.0),
            Val::Edge(edge) => write!(f, "<link {}>", edge.edge.index()),
            Val::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// An amount in pence as written: `£10m`, `£4.5m/yr`.
pub(crate) fn money_text(pence: Decimal, annual: bool) -> String {
    let pounds = pence.checked_div(Decimal::ONE_HUNDRED).unwrap_or(pence);
    let text = assure_model::value::format_pounds(pounds);
    if annual { format!("{text}/yr") } else { text }
}

/// A number or percentage as a plain fraction (`5%` is `0.05`).
fn ratio(value: &Val<'_>) -> Option<Decimal> {
    match value {
        Val::Number(n) => Some(*n),
        Val::Percent(p) => p.checked_div(Decimal::ONE_HUNDRED),
        _ => None,
    }
}

fn is_zero(value: &Val<'_>) -> bool {
    matches!(value, Val::Number(n) if n.is_zero())
}

fn quantity_sign(value: &Val<'_>) -> Option<Decimal> {
    match value {
        Val::Money(n, _) | Val::Number(n) | Val::Percent(n) => Some(*n),
        Val::Duration(d) => Some(d.years()),
        Val::Elapsed(from, to) => Some(Decimal::from(to.days() - from.days())),
        _ => None,
    }
}

/// The shortest and longest time from `from` to `to`, either written
/// without its day (or month): each as early or late as it may be.
fn elapsed_bounds(from: Date, to: Date) -> (Duration, Duration) {
    (
        from.latest().until(to.earliest()),
        from.earliest().until(to.latest()),
    )
}

/// Whether a value is a date written without its day (`2016-04`, `2011`),
/// or the time to or from one: then it stands for a range of values.
fn is_imprecise(value: &Val<'_>) -> bool {
    match value {
        Val::Date(d) => !d.has_day,
        Val::Elapsed(from, to) => !from.has_day || !to.has_day,
        _ => false,
    }
}

/// The least and greatest values an imprecise value may be (a value that
/// is not, twice).
fn bounds<'a>(value: &Val<'a>) -> [Val<'a>; 2] {
    match value {
        Val::Date(d) if !d.has_day => [Val::Date(d.earliest()), Val::Date(d.latest())],
        Val::Elapsed(from, to) if !from.has_day || !to.has_day => [
            Val::Elapsed(from.latest(), to.earliest()),
            Val::Elapsed(from.earliest(), to.latest()),
        ],
        other => [other.clone(), other.clone()],
    }
}

/// Orders two values, if they have an order between them.
pub fn compare(left: &Val<'_>, right: &Val<'_>) -> Option<Ordering> {
    match (left, right) {
        (Val::Missing, _) | (_, Val::Missing) => None,
        (Val::Money(a, _), Val::Money(b, _)) => Some(a.cmp(b)),
        (Val::Duration(a), Val::Duration(b)) => Some(a.compare(*b)),
        // A difference of dates against a duration: exactly, by the
        // calendar, from where the difference starts.
        (Val::Elapsed(from, to), Val::Duration(d)) => Some(to.cmp(&from.add(*d, 1)?)),
        (Val::Duration(d), Val::Elapsed(from, to)) => Some(from.add(*d, 1)?.cmp(to)),
        (Val::Elapsed(a, b), Val::Elapsed(c, d)) => {
            Some((b.days() - a.days()).cmp(&(d.days() - c.days())))
        }
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(b)),
        (Val::Number(_) | Val::Percent(_), Val::Number(_) | Val::Percent(_)) => {
            Some(ratio(left)?.cmp(&ratio(right)?))
        }
        (a, b) if is_zero(a) => Some(Decimal::ZERO.cmp(&quantity_sign(b)?)),
        (a, b) if is_zero(b) => Some(quantity_sign(a)?.cmp(&Decimal::ZERO)),
        (a, b) => Some(a.text()?.cmp(b.text()?)),
    }
}

/// Whether two values are equal.
pub fn equal(left: &Val<'_>, right: &Val<'_>) -> bool {
    match (left, right) {
        (Val::Missing, Val::Missing) => true,
        (Val::Missing, _) | (_, Val::Missing) => false,
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Entity(a), Val::Entity(b)) => a == b,
        (Val::Section(a), Val::Section(b)) => a == b,
        (Val::Edge(a), Val::Edge(b)) => a.edge == b.edge,
        (Val::List(a), Val::List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| equal(x, y))
        }
        (a, b) => match (a.text(), b.text()) {
            (Some(x), Some(y)) => x == y,
            _ => compare(a, b) == Some(Ordering::Equal),
        },
    }
}

/// Whether `list` holds `item`: `None` if it does not hold it among the
/// items given and some item is `none`, which might be it.
fn contains(list: &Val<'_>, item: &Val<'_>) -> Option<bool> {
    match list {
        Val::List(items) => {
            if items.iter().any(|x| equal(x, item)) {
                Some(true)
            } else if items.iter().any(|x| matches!(x, Val::Missing)) {
                None
            } else {
                Some(false)
            }
        }
        _ => Some(false),
    }
}

/// Applies a binary operator other than `and`, `or` and `??` (which do not
/// evaluate both sides).
pub fn binary<'a>(op: BinaryOp, left: &Val<'a>, right: &Val<'a>) -> Val<'a> {
    let truth = |b: bool| Val::Bool(b);
    // A comparison with `none` is `none`: not known, so neither true nor
    // false. Arithmetic with it is `none` already.
    if op.compares() && (matches!(left, Val::Missing) || matches!(right, Val::Missing)) {
        return Val::Missing;
    }
    // A date written without its day is any day of its month (or year):
    // a comparison holds, or fails, only if it does for every one of them,
    // which it does if it does for the first and the last. Otherwise it is
    // not known: `2016-04` is not before 2016-04-15, nor after it.
    if op.compares()
        && !matches!(op, BinaryOp::In | BinaryOp::NotIn)
        && (is_imprecise(left) || is_imprecise(right))
    {
        if matches!(op, BinaryOp::Eq | BinaryOp::Ne) {
            // Equal is not decided at the ends: April 2016 is neither
            // 2016-04-01 nor 2016-04-30 for certain, nor certainly not
            // 2016-04-15. It differs if it is all before or all after.
            let before = binary(BinaryOp::Lt, left, right);
            let after = binary(BinaryOp::Gt, left, right);
            let differs = match (before, after) {
                (Val::Bool(true), _) | (_, Val::Bool(true)) => true,
                (Val::Bool(false), Val::Bool(false)) => false,
                _ => return Val::Missing,
            };
            return truth(differs == (op == BinaryOp::Ne));
        }
        let mut answers = bounds(left)
            .into_iter()
            .flat_map(|l| bounds(right).map(|r| binary(op, &l, &r)));
        let first = answers.next().unwrap_or(Val::Missing);
        return if answers.all(|a| equal(&a, &first)) {
            first
        } else {
            Val::Missing
        };
    }
    match op {
        BinaryOp::Eq => truth(equal(left, right)),
        BinaryOp::Ne => truth(!equal(left, right)),
        BinaryOp::Lt => truth(compare(left, right) == Some(Ordering::Less)),
        BinaryOp::Le => truth(matches!(
            compare(left, right),
            Some(Ordering::Less | Ordering::Equal)
        )),
        BinaryOp::Gt => truth(compare(left, right) == Some(Ordering::Greater)),
        BinaryOp::Ge => truth(matches!(
            compare(left, right),
            Some(Ordering::Greater | Ordering::Equal)
        )),
        BinaryOp::In => contains(right, left).map_or(Val::Missing, truth),
        BinaryOp::NotIn => contains(right, left).map_or(Val::Missing, |b| truth(!b)),
        BinaryOp::StartsWith => {
            truth(matches!((left.text(), right.text()), (Some(a), Some(b)) if a.starts_with(b)))
        }
        BinaryOp::EndsWith => {
            truth(matches!((left.text(), right.text()), (Some(a), Some(b)) if a.ends_with(b)))
        }
        BinaryOp::Contains => {
            truth(matches!((left.text(), right.text()), (Some(a), Some(b)) if a.contains(b)))
        }
        BinaryOp::Add | BinaryOp::Sub => {
            add(op == BinaryOp::Sub, left, right).unwrap_or(Val::Missing)
        }
        BinaryOp::Mul => multiply(left, right).unwrap_or(Val::Missing),
        BinaryOp::Div => divide(left, right).unwrap_or(Val::Missing),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Coalesce => Val::Missing,
    }
}

fn add<'a>(subtract: bool, left: &Val<'a>, right: &Val<'a>) -> Option<Val<'a>> {
    let combine = |a: Decimal, b: Decimal| {
        if subtract {
            a.checked_sub(b)
        } else {
            a.checked_add(b)
        }
    };
    let sign = if subtract { -1 } else { 1 };
    Some(match (left, right) {
        (Val::Number(a), Val::Number(b)) => Val::Number(combine(*a, *b)?),
        (Val::Percent(a), Val::Percent(b)) => Val::Percent(combine(*a, *b)?),
        (Val::Number(_) | Val::Percent(_), Val::Number(_) | Val::Percent(_)) => {
            Val::Number(combine(ratio(left)?, ratio(right)?)?)
        }
        (Val::Money(a, x), Val::Money(b, y)) => Val::Money(combine(*a, *b)?, *x && *y),
        (Val::Duration(a), Val::Duration(b)) => Val::Duration(Duration {
            months: a.months.checked_add(b.months.checked_mul(sign)?)?,
            days: a.days.checked_add(b.days.checked_mul(sign)?)?,
        }),
        (Val::Date(a), Val::Duration(d)) => Val::Date(a.add(*d, sign)?),
        (Val::Duration(d), Val::Date(a)) if !subtract => Val::Date(a.add(*d, 1)?),
        (Val::Date(a), Val::Date(b)) if subtract => Val::Elapsed(*b, *a),
        (Val::Elapsed(..), _) | (_, Val::Elapsed(..)) => {
            return add(subtract, &left.calendar(), &right.calendar());
        }
        (Val::List(a), Val::List(b)) if !subtract => {
            Val::List(a.iter().chain(b.iter()).cloned().collect())
        }
        (a, b) if !subtract && a.text().is_some() && b.text().is_some() => {
            Val::Owned(format!("{}{}", a.text()?, b.text()?).into())
        }
        // An empty sum is the number 0, which adds to any quantity.
        (zero, q) if is_zero(zero) && !subtract && quantity_sign(q).is_some() => q.clone(),
        (q, zero) if is_zero(zero) && quantity_sign(q).is_some() => q.clone(),
        _ => return None,
    })
}

fn scale_duration(d: Duration, factor: Decimal) -> Option<Duration> {
    if factor.fract().is_zero() {
        let factor: i64 = factor.trunc().to_string().parse().ok()?;
        return Some(Duration {
            months: d.months.checked_mul(factor)?,
            days: d.days.checked_mul(factor)?,
        });
    }
    let days = d
        .years()
        .checked_mul(factor)?
        .checked_mul(Decimal::new(3_652_425, 4))?;
    Some(Duration {
        months: 0,
        days: days.round().to_string().parse().ok()?,
    })
}

fn multiply<'a>(left: &Val<'a>, right: &Val<'a>) -> Option<Val<'a>> {
    Some(match (left, right) {
        (Val::Elapsed(..), _) | (_, Val::Elapsed(..)) => {
            return multiply(&left.calendar(), &right.calendar());
        }
        (Val::Number(a), Val::Number(b)) => Val::Number(a.checked_mul(*b)?),
        (Val::Number(a), p @ Val::Percent(_)) | (p @ Val::Percent(_), Val::Number(a)) => {
            Val::Number(a.checked_mul(ratio(p)?)?)
        }
        (Val::Percent(a), Val::Percent(b)) => {
            Val::Percent(a.checked_mul(*b)?.checked_div(Decimal::ONE_HUNDRED)?)
        }
        (Val::Money(m, annual), f @ (Val::Number(_) | Val::Percent(_)))
        | (f @ (Val::Number(_) | Val::Percent(_)), Val::Money(m, annual)) => {
            Val::Money(m.checked_mul(ratio(f)?)?, *annual)
        }
        (Val::Duration(d), f @ (Val::Number(_) | Val::Percent(_)))
        | (f @ (Val::Number(_) | Val::Percent(_)), Val::Duration(d)) => {
            Val::Duration(scale_duration(*d, ratio(f)?)?)
        }
        _ => return None,
    })
}

fn divide<'a>(left: &Val<'a>, right: &Val<'a>) -> Option<Val<'a>> {
    Some(match (left, right) {
        (Val::Elapsed(..), _) | (_, Val::Elapsed(..)) => {
            return divide(&left.calendar(), &right.calendar());
        }
        (Val::Number(a), Val::Number(b)) => Val::Number(a.checked_div(*b)?),
        (Val::Percent(a), Val::Number(b)) => Val::Percent(a.checked_div(*b)?),
        (Val::Number(_) | Val::Percent(_), Val::Percent(_)) => {
            Val::Number(ratio(left)?.checked_div(ratio(right)?)?)
        }
        (Val::Money(m, annual), f @ (Val::Number(_) | Val::Percent(_))) => {
            Val::Money(m.checked_div(ratio(f)?)?, *annual)
        }
        (Val::Money(a, _), Val::Money(b, _)) => Val::Number(a.checked_div(*b)?),
        (Val::Money(m, _), Val::Duration(d)) => Val::Money(per_year(*m, *d)?, true),
        (Val::Duration(d), f @ (Val::Number(_) | Val::Percent(_))) => {
            Val::Duration(scale_duration(*d, Decimal::ONE.checked_div(ratio(f)?)?)?)
        }
        (Val::Duration(a), Val::Duration(b)) => Val::Number(a.years().checked_div(b.years())?),
        _ => return None,
    })
}

/// A total spread evenly over a term: none for a term of no length.
pub(crate) fn per_year(total: Decimal, term: Duration) -> Option<Decimal> {
    let years = term.years();
    if years <= Decimal::ZERO {
        return None;
    }
    total.checked_div(years)
}
