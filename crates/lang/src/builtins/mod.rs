//! Every built-in function of the language, each one entry of [`BUILTINS`]
//! with its name, how it is called, what it does, how its arguments are
//! typed and how it is evaluated.
//!
//! Adding a function is adding an entry (and its two small functions
//! here): the compiler finds it by name, checks its arguments by the form
//! of the entry, calls its typing, and compiles the call; the evaluator
//! calls its evaluation; `docs/rule-language.md` lists it from the same
//! entry. Nothing else names a built-in function.
//!
//! The forms differ in how arguments are written and evaluated:
//!
//! | form | written | evaluated |
//! |---|---|---|
//! | [`Form::Plain`] | `f(a, b)` | every argument, in order, then `eval` |
//! | [`Form::Place`] | `f(a)`, only where a finding points | `place` says where |
//! | [`Form::Aggregate`] | `f(xs)` or `f(x.g for x in xs if c)` | `fold` over the items |
//! | [`Form::Traversal`] | `f(x, field, ...)` | `walk` from x's node along the fields |
//! | [`Form::Closure`] | `f(start, x => step)` | `walk` from start, the step for each entity reached |
//! | [`Form::Given`] | `f(x)` | x, and for a field whether it was written but could not be used |

use crate::ast::BinaryOp;
use crate::ast::ExprSpan;
use crate::check::{self, Typing};
use crate::eval::{Distinct, Evaluator, Frame, Items};
use crate::ir::{Member, Op};
use crate::ty::{Per, Ty};
use crate::value::{self, Val, binary, compare, equal};
use assure_diagnostic::Span;
use assure_model::{Duration, EntityId};
use assure_vocab::FieldId;
use petgraph::graph::NodeIndex;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use std::cmp::Ordering;

mod helpers;

pub(crate) use helpers::for_each_entity;
use helpers::*;
use std::sync::Arc;

/// A built-in function.
pub struct Builtin {
    /// Its name.
    pub name: &'static str,
    /// How it is called, for the documentation: `per_year(money, term)`.
    pub usage: &'static str,
    /// What it gives, in one line.
    pub doc: &'static str,
    pub(crate) form: Form,
}

impl std::fmt::Debug for Builtin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// How a built-in's arguments are written, typed and evaluated.
pub(crate) enum Form {
    /// Arguments evaluated in order, then `eval`.
    Plain {
        arity: usize,
        /// Whether `none` given to it is an answer it handles (`list`
        /// makes it the empty list), not a gap: a field not written read
        /// there is not named when a rule cannot judge.
        asks: bool,
        ty: fn(&mut Args<'_, '_>) -> Ty,
        eval: for<'a> fn(&Evaluator<'a>, &mut [Val<'a>]) -> Val<'a>,
    },
    /// A place where a finding points, allowed only in `primary` and in
    /// labels' `at`; elsewhere its value is `none`.
    Place {
        ty: fn(&mut Args<'_, '_>) -> Ty,
        place: for<'a> fn(&Evaluator<'a>, &'a [Op], &mut Frame<'a>) -> Option<Span>,
    },
    /// Over a list or a generator.
    Aggregate {
        ty: fn(&mut Typing<'_>, &Aggregated) -> Ty,
        fold: for<'e, 'a> fn(&mut Items<'e, 'a>) -> Val<'a>,
    },
    /// From an entity along one or more reference fields.
    Traversal {
        ty: fn(&Reached) -> Ty,
        walk: for<'a> fn(&Evaluator<'a>, NodeIndex, &[FieldId]) -> Val<'a>,
    },
    /// From a start, by a step that leads from each entity reached to
    /// more (the step's parameter is an entity).
    Closure {
        walk: for<'a> fn(&Evaluator<'a>, &Val<'a>, &mut dyn FnMut(EntityId) -> Val<'a>) -> Val<'a>,
    },
    /// Of one argument, told apart as the model tells it: a value, nothing
    /// written, or a field written with a value that could not be used
    /// (which a diagnostic reported already, so that asking whether it was
    /// given must not report it again).
    Given { eval: fn(Given<'_>) -> bool },
}

/// What a [`Form::Given`] built-in is given.
pub(crate) enum Given<'v> {
    /// A value, or `none` where nothing was written.
    Value(&'v Val<'v>),
    /// A field written with a value that could not be used.
    Unusable,
}

/// The built-in called `name`.
pub(crate) fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The arguments of a call of a plain built-in or a place, for its typing.
pub(crate) struct Args<'t, 'c> {
    pub(crate) typing: &'t mut Typing<'c>,
    pub(crate) name: &'static str,
    pub(crate) tys: &'t [Ty],
    pub(crate) spans: &'t [ExprSpan],
    pub(crate) ops: &'t [Op],
}

impl Args<'_, '_> {
    /// The type of argument `i`.
    fn ty(&self, i: usize) -> &Ty {
        &self.tys[i]
    }

    /// Argument `i` must be one of `allowed`.
    fn expect(&mut self, i: usize, allowed: &[Ty], wanted: &str) {
        let what = format!("`{}`", self.name);
        self.typing
            .expect(&self.tys[i], allowed, self.spans[i], &what, wanted);
    }

    /// The items' type of argument `i`, which must be a list.
    fn item(&mut self, i: usize) -> Option<Ty> {
        self.typing.item(&self.tys[i], self.spans[i])
    }

    /// Reports a problem with argument `i`.
    fn fail(&mut self, i: usize, message: String) {
        self.typing.fail(self.spans[i], message, None);
    }

    fn describe(&self, i: usize) -> String {
        self.typing.describe(&self.tys[i])
    }
}

/// What an aggregate is given, for its typing.
pub(crate) struct Aggregated {
    pub(crate) name: &'static str,
    /// The type of the items.
    pub(crate) item: Ty,
    /// Where the items are written (a generator's element, or the list).
    pub(crate) span: ExprSpan,
    /// Whether they come from a generator, not a list.
    pub(crate) generator: bool,
}

/// What a traversal's fields lead to, for its typing.
pub(crate) struct Reached {
    /// The type of the fields' qualifiers (`Missing` if none has one).
    pub(crate) qualifier: Ty,
    /// The type of the entities that have the fields.
    pub(crate) referrers: Ty,
}

/// Every built-in function. The order is the order of "did you mean"
/// candidates.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "text",
        usage: "text(x)",
        doc: "the value as a message would show it",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |_| Ty::Text,
            eval: |ev, args| Val::Owned(ev.display(&args[0]).into()),
        },
    },
    Builtin {
        name: "present",
        usage: "present(x)",
        doc: "whether x is given, with a value that can be used",
        form: Form::Given {
            eval: |given| matches!(given, Given::Value(value) if !matches!(value, Val::Missing)),
        },
    },
    Builtin {
        name: "missing",
        usage: "missing(x)",
        doc: "whether x is not given: nothing written (a field written with a value that cannot be used is neither missing nor present; its diagnostic says so)",
        form: Form::Given {
            eval: |given| matches!(given, Given::Value(Val::Missing)),
        },
    },
    Builtin {
        name: "first",
        usage: "first(xs)",
        doc: "the first item of a list, or `none`",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| args.item(0).unwrap_or(Ty::Any),
            eval: |_, args| match &args[0] {
                Val::List(items) => items.first().cloned().unwrap_or(Val::Missing),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "unique",
        usage: "unique(xs)",
        doc: "the list without repeats, in order",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                args.item(0);
                args.ty(0).clone()
            },
            eval: unique,
        },
    },
    Builtin {
        name: "list",
        usage: "list(x)",
        doc: "a list as itself, `none` as the empty list, any other value as a list of one",
        form: Form::Plain {
            arity: 1,
            asks: true,
            ty: |args| match args.ty(0) {
                Ty::List(_) => args.ty(0).clone(),
                other => Ty::List(Box::new(other.clone())),
            },
            eval: |ev, args| match std::mem::take(&mut args[0]) {
                list @ Val::List(_) => list,
                Val::Missing => ev.empty_list(),
                other => Val::List(Arc::from([other])),
            },
        },
    },
    Builtin {
        name: "intersects",
        usage: "intersects(xs, ys)",
        doc: "whether the lists have an item in common",
        form: Form::Plain {
            arity: 2,
            asks: false,
            ty: |args| {
                args.item(0);
                args.item(1);
                Ty::Bool
            },
            eval: intersects,
        },
    },
    Builtin {
        name: "lower",
        usage: "lower(text)",
        doc: "the text in lower case",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                args.expect(0, &[Ty::Text, Ty::Word(None)], "text");
                Ty::Text
            },
            eval: |_, args| match args[0].text() {
                Some(text) => Val::Owned(text.to_lowercase().into()),
                None => Val::Missing,
            },
        },
    },
    Builtin {
        name: "abs",
        usage: "abs(q)",
        doc: "a quantity without its sign",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                if !check::summable(args.ty(0)) {
                    let message = format!("`abs` needs a quantity, not {}", args.describe(0));
                    args.fail(0, message);
                }
                args.ty(0).clone()
            },
            eval: |_, args| match &args[0].calendar() {
                Val::Number(n) => Val::Number(n.abs()),
                Val::Percent(n) => Val::Percent(n.abs()),
                Val::Money(n, annual) => Val::Money(n.abs(), *annual),
                Val::Duration(d) => Val::Duration(Duration {
                    months: d.months.abs(),
                    days: d.days.abs(),
                }),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "per_year",
        usage: "per_year(money, term)",
        doc: "an amount per year: an annual amount as it is, a total spread over the term",
        form: Form::Plain {
            arity: 2,
            asks: false,
            ty: |args| {
                args.expect(0, &ANY_MONEY, "money");
                args.expect(1, &[Ty::Duration], "a duration");
                Ty::Money(Per::Annual)
            },
            eval: |_, args| match (&args[0], &args[1].calendar()) {
                (Val::Money(n, true), _) => Val::Money(*n, true),
                (Val::Money(n, false), Val::Duration(term)) => {
                    value::per_year(*n, *term).map_or(Val::Missing, |n| Val::Money(n, true))
                }
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "total",
        usage: "total(money, term)",
        doc: "an amount over a whole term: a total as it is, an annual amount times the term in years",
        form: Form::Plain {
            arity: 2,
            asks: false,
            ty: |args| {
                args.expect(0, &ANY_MONEY, "money");
                args.expect(1, &[Ty::Duration], "a duration");
                Ty::Money(Per::Total)
            },
            eval: |_, args| match (&args[0], &args[1].calendar()) {
                (Val::Money(n, false), _) => Val::Money(*n, false),
                (Val::Money(n, true), Val::Duration(term)) => term
                    .years()
                    .checked_mul(*n)
                    .map(|n| n.round())
                    .map_or(Val::Missing, |n| Val::Money(n, false)),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "days",
        usage: "days(duration)",
        doc: "a difference of dates, or a duration of days or weeks, as a number of days; `none` for a duration in months or years, whose days depend on where it starts",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                args.expect(0, &[Ty::Duration], "a duration");
                Ty::Number
            },
            eval: |_, args| match &args[0] {
                Val::Elapsed(from, to) => Val::Number(Decimal::from(to.days() - from.days())),
                Val::Duration(d) if d.months == 0 => Val::Number(Decimal::from(d.days)),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "years",
        usage: "years(duration)",
        doc: "a duration as a number of years",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                args.expect(0, &[Ty::Duration], "a duration");
                Ty::Number
            },
            eval: |_, args| match &args[0].calendar() {
                Val::Duration(d) => Val::Number(d.years()),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "year",
        usage: "year(date)",
        doc: "the year of a date",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: date_part,
            eval: |_, args| match &args[0] {
                Val::Date(d) => Val::Number(Decimal::from(d.year)),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "month",
        usage: "month(date)",
        doc: "the month of a date, 1 to 12, or `none` if only its year is written",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: date_part,
            eval: |_, args| match &args[0] {
                Val::Date(d) if d.has_month => Val::Number(Decimal::from(d.month)),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "day",
        usage: "day(date)",
        doc: "the day of the month of a date, or `none` if only its month is written",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: date_part,
            eval: |_, args| match &args[0] {
                Val::Date(d) if d.has_day => Val::Number(Decimal::from(d.day)),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "weekday",
        usage: "weekday(date)",
        doc: "the day of the week of a date, in words (`monday`), or `none` if only its month is written",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: date_text,
            eval: |_, args| match &args[0] {
                Val::Date(d) if d.has_day => {
                    // 1970-01-01, day 0, was a Thursday.
                    let index = (d.days() + 3).rem_euclid(7);
                    Val::Text(WEEKDAYS[index as usize])
                }
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "financial_year",
        usage: "financial_year(date)",
        doc: "the financial year (April to March) a date falls in, as `2016/17`, or `none` for a year alone, which spans two",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: date_text,
            eval: |_, args| match &args[0] {
                Val::Date(d) if d.has_month => {
                    let start = financial_year_start(*d);
                    let end = (start + 1).rem_euclid(100);
                    Val::Owned(format!("{start}/{end:02}").into())
                }
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "today",
        usage: "today()",
        doc: "the run's date: `--as-of`, else `as-of` in `assure.toml`, else the clock (output says which)",
        form: Form::Plain {
            arity: 0,
            asks: false,
            ty: |_| Ty::Date,
            eval: |evaluator, _| evaluator.today().map_or(Val::Missing, Val::Date),
        },
    },
    Builtin {
        name: "working_days",
        usage: "working_days(from, to)",
        doc: "the working days after `from` up to and including `to`, in the pack's calendar (weekends and bank holidays excluded); `none`, and the binding not assessed, for a date the calendar does not cover or one without its day",
        form: Form::Plain {
            arity: 2,
            asks: false,
            ty: |args| {
                args.expect(0, &[Ty::Date], "a date");
                args.expect(1, &[Ty::Date], "a date");
                Ty::Number
            },
            eval: |evaluator, args| match (&args[0], &args[1]) {
                // Counted between days: a date without its day is none.
                (Val::Date(from), Val::Date(to)) if from.has_day && to.has_day => {
                    in_calendar(evaluator, |c| c.working_days(*from, *to))
                        .map_or(Val::Missing, |n| Val::Number(Decimal::from(n)))
                }
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "add_working_days",
        usage: "add_working_days(date, n)",
        doc: "the `n`th working day after `date` (before it, for a negative `n`), in the pack's calendar; `none`, and the binding not assessed, past the calendar's end or from a date without its day",
        form: Form::Plain {
            arity: 2,
            asks: false,
            ty: |args| {
                args.expect(0, &[Ty::Date], "a date");
                args.expect(1, &[Ty::Number], "a whole number");
                Ty::Date
            },
            eval: |evaluator, args| match (&args[0], &args[1]) {
                (Val::Date(from), Val::Number(n)) if from.has_day && n.fract().is_zero() => {
                    let Ok(n) = i64::try_from(*n) else {
                        return Val::Missing;
                    };
                    in_calendar(evaluator, |c| c.add_working_days(*from, n))
                        .map_or(Val::Missing, Val::Date)
                }
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "financial_year_end",
        usage: "financial_year_end(date)",
        doc: "the last day (31 March) of the financial year a date falls in, or `none` for a year alone, which spans two",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                args.expect(0, &[Ty::Date], "a date");
                Ty::Date
            },
            eval: |_, args| match &args[0] {
                Val::Date(d) if d.has_month => {
                    let year = financial_year_start(*d) + 1;
                    assure_model::Date::parse(&format!("{year:04}-03-31"))
                        .map_or(Val::Missing, Val::Date)
                }
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "is_annual",
        usage: "is_annual(money)",
        doc: "whether an amount is written per year (`/yr`), not as a total",
        form: Form::Plain {
            arity: 1,
            asks: false,
            ty: |args| {
                args.expect(0, &ANY_MONEY, "money");
                Ty::Bool
            },
            eval: |_, args| match &args[0] {
                Val::Money(_, annual) => Val::Bool(*annual),
                _ => Val::Missing,
            },
        },
    },
    Builtin {
        name: "heading",
        usage: "heading(x)",
        doc: "a place: the heading of an entity or a section",
        form: Form::Place {
            ty: |args| {
                if !matches!(args.ty(0), Ty::Entity(_) | Ty::Section(_) | Ty::Any) {
                    let message = format!(
                        "`heading` needs an entity or a section, not {}",
                        args.describe(0)
                    );
                    args.fail(0, message);
                }
                Ty::Any
            },
            place: |ev, args, frame| match ev.eval_op(&args[0], frame) {
                Val::Entity(id) => Some(ev.model.entity(id).heading),
                Val::Section(section) => ev
                    .model
                    .headings()
                    .iter()
                    .find(|h| h.section == section)
                    .map(|h| h.span),
                _ => None,
            },
        },
    },
    Builtin {
        name: "field",
        usage: "field(x.f)",
        doc: "a place: the whole field, key and value (a field alone points at its value)",
        form: Form::Place {
            ty: |args| {
                if !matches!(args.ops[0], Op::Member(_, Member::Field(_))) {
                    args.fail(
                        0,
                        "`field(...)` takes a field: `field(k.procurement)`".to_owned(),
                    );
                }
                Ty::Any
            },
            place: |ev, args, frame| match &args[0] {
                Op::Member(object, member) => {
                    let object = ev.eval_op(object, frame);
                    ev.field_of(&object, member)
                        .map(assure_model::FieldValue::span)
                }
                _ => None,
            },
        },
    },
    Builtin {
        name: "any",
        usage: "any(xs), any(c for x in xs)",
        doc: "whether any item is true: `none` if none is true and one is `none`",
        form: Form::Aggregate {
            ty: truth_of_each,
            fold: |items| {
                let (mut found, mut unknown) = (false, false);
                items.each(|v| {
                    match v.truth() {
                        Some(true) => found = true,
                        Some(false) => {}
                        None => unknown = true,
                    }
                    !found
                });
                if found || !unknown {
                    Val::Bool(found)
                } else {
                    Val::Missing
                }
            },
        },
    },
    Builtin {
        name: "all",
        usage: "all(xs), all(c for x in xs)",
        doc: "whether every item is true (true of an empty list): `none` if none is false and one is `none`",
        form: Form::Aggregate {
            ty: truth_of_each,
            fold: |items| {
                let (mut all, mut unknown) = (true, false);
                items.each(|v| {
                    match v.truth() {
                        Some(true) => {}
                        Some(false) => all = false,
                        None => unknown = true,
                    }
                    all
                });
                if !all || !unknown {
                    Val::Bool(all)
                } else {
                    Val::Missing
                }
            },
        },
    },
    Builtin {
        name: "count",
        usage: "count(xs), count(c for x in xs)",
        doc: "how many items are given (of a list) or true (of a generator); a count that passed over a `none` is not known to be whole",
        form: Form::Aggregate {
            ty: |_, _| Ty::Number,
            fold: |items| {
                let mut count = 0u64;
                let mut unknown = false;
                items.each(|v| {
                    unknown |= matches!(v, Val::Missing);
                    count += u64::from(v.truthy());
                    true
                });
                if unknown {
                    items.evaluator.mark_uncertain();
                }
                Val::Number(Decimal::from(count))
            },
        },
    },
    Builtin {
        name: "sum",
        usage: "sum(xs), sum(q for x in xs)",
        doc: "the total of the quantities (0 of an empty list); `none` if one is `none`: the total of what is known is not the total",
        form: Form::Aggregate {
            ty: |typing, given| {
                if !check::summable(&given.item) {
                    let message = format!("cannot sum {}", typing.describe(&given.item));
                    typing.fail(given.span, message, None);
                }
                given.item.clone()
            },
            fold: |items| {
                let mut total = Val::Number(Decimal::ZERO);
                items.each(|v| {
                    total = binary(BinaryOp::Add, &total, &v);
                    !matches!(total, Val::Missing)
                });
                total
            },
        },
    },
    Builtin {
        name: "min",
        usage: "min(xs), min(q for x in xs)",
        doc: "the least item, or `none` (of an empty list, or if one is `none`)",
        form: Form::Aggregate {
            ty: ordered_items,
            fold: |items| extreme(items, Ordering::Less),
        },
    },
    Builtin {
        name: "max",
        usage: "max(xs), max(q for x in xs)",
        doc: "the greatest item, or `none` (of an empty list, or if one is `none`)",
        form: Form::Aggregate {
            ty: ordered_items,
            fold: |items| extreme(items, Ordering::Greater),
        },
    },
    Builtin {
        name: "links",
        usage: "links(x, field, ...)",
        doc: "the links x writes in these reference fields, each with `.from`, `.to` and `.qualifier`",
        form: Form::Traversal {
            ty: |reached| Ty::List(Box::new(Ty::Edge(Box::new(reached.qualifier.clone())))),
            walk: |ev, node, fields| links(ev, node, fields, true),
        },
    },
    Builtin {
        name: "backlinks",
        usage: "backlinks(x, field, ...)",
        doc: "the links other entities write to x in these reference fields",
        form: Form::Traversal {
            ty: |reached| Ty::List(Box::new(Ty::Edge(Box::new(reached.qualifier.clone())))),
            walk: |ev, node, fields| links(ev, node, fields, false),
        },
    },
    Builtin {
        name: "referrers",
        usage: "referrers(x, field, ...)",
        doc: "the entities whose reference fields name x, each once",
        form: Form::Traversal {
            ty: |reached| Ty::List(Box::new(reached.referrers.clone())),
            walk: referrers,
        },
    },
    Builtin {
        name: "closure",
        usage: "closure(start, x => step)",
        doc: "every entity reached from start by repeating the step, each once, in the order they are written; safe on cycles",
        form: Form::Closure { walk: closure },
    },
];

#[cfg(test)]
mod tests {
    use super::BUILTINS;

    #[test]
    fn every_builtin_has_one_entry_a_usage_and_a_doc() {
        let mut names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), BUILTINS.len(), "a name is given twice");
        for builtin in BUILTINS {
            assert!(
                builtin.usage.starts_with(&format!("{}(", builtin.name)),
                "{}: usage {}",
                builtin.name,
                builtin.usage
            );
            assert!(!builtin.doc.is_empty(), "{} has no doc", builtin.name);
            if let super::Form::Plain { arity, .. } = builtin.form {
                assert!(
                    arity <= crate::eval::MAX_ARITY,
                    "{} takes more arguments than a call holds",
                    builtin.name
                );
            }
        }
    }
}
