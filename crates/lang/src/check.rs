//! The type checker's judgements: which operations the types allow, what
//! they yield, and the problem to report when they do not.
//!
//! The compiler ([`crate::compile`]) walks the tree and resolves names; it
//! asks here whether what it built is well typed. Built-in functions judge
//! their own arguments through [`Typing`] (see [`crate::builtins`]).
//! A type may be [`Ty::Any`] when it cannot be known before evaluation; the
//! checker then lets the expression through and the evaluator treats a
//! mismatch as a missing value.

use crate::ast::ExprSpan;
use crate::compile::{CompileError, ErrorKind};
use crate::ty::{Per, Ty};
use assure_vocab::Vocabulary;

/// Where type problems go while an expression is compiled.
pub(crate) struct Typing<'c> {
    pub(crate) vocabulary: &'c Vocabulary,
    pub(crate) errors: &'c mut Vec<CompileError>,
}

impl Typing<'_> {
    /// How a type is named in messages.
    pub(crate) fn describe(&self, ty: &Ty) -> String {
        ty.describe(self.vocabulary)
    }

    /// Reports a type problem at `span`.
    pub(crate) fn fail(&mut self, span: ExprSpan, message: String, help: Option<String>) {
        self.errors.push(CompileError {
            kind: ErrorKind::Type,
            span,
            message,
            help,
        });
    }

    /// `ty` must be true or false, being `what` (e.g. "the condition of
    /// `if`").
    pub(crate) fn expect_bool(&mut self, ty: &Ty, span: ExprSpan, what: &str) {
        if !matches!(ty, Ty::Bool | Ty::Any | Ty::Missing) {
            let message = format!(
                "{what} needs a true-or-false value, not {}",
                self.describe(ty)
            );
            let help = match ty {
                Ty::List(_) => {
                    Some("test a list with `any(...)`, `all(...)` or `count(...) > 0`".to_owned())
                }
                _ => Some("test whether a value is given with `present(...)`".to_owned()),
            };
            self.fail(span, message, help);
        }
    }

    /// The type of the items of `ty`, which must be a list.
    pub(crate) fn item(&mut self, ty: &Ty, span: ExprSpan) -> Option<Ty> {
        match ty.item() {
            Some(item) => Some(item),
            None => {
                let message = format!("expected a list, found {}", self.describe(ty));
                let help = Some("make a list of one value with `list(x)`".to_owned());
                self.fail(span, message, help);
                None
            }
        }
    }

    /// `ty` must be one of `allowed` (or not yet known): `what` needs
    /// `wanted`.
    pub(crate) fn expect(
        &mut self,
        ty: &Ty,
        allowed: &[Ty],
        span: ExprSpan,
        what: &str,
        wanted: &str,
    ) {
        if !allowed.contains(ty) && !matches!(ty, Ty::Any | Ty::Missing) {
            let message = format!("{what} needs {wanted}, not {}", self.describe(ty));
            self.fail(span, message, None);
        }
    }
}

/// Whether a value of type `ty` may be negated.
pub(crate) fn negatable(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Number | Ty::Percent | Ty::Money(_) | Ty::Duration | Ty::Any | Ty::Missing
    )
}

/// Whether values of type `ty` have an order (for `min` and `max`).
pub(crate) fn ordered(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Number | Ty::Percent | Ty::Money(_) | Ty::Duration | Ty::Date | Ty::Text | Ty::Any
    )
}

/// Whether values of type `ty` can be summed.
pub(crate) fn summable(ty: &Ty) -> bool {
    ty.is_quantity() || *ty == Ty::Missing
}

/// Whether a value of type `ty` can name where a traversal starts.
pub(crate) fn starts_traversal(ty: &Ty) -> bool {
    matches!(ty, Ty::Entity(_) | Ty::Section(_) | Ty::Any | Ty::Missing)
}

/// Whether a value of type `ty` (or a list of them) is entities.
pub(crate) fn is_entities(ty: &Ty) -> bool {
    let item = match ty {
        Ty::List(item) => item,
        other => other,
    };
    matches!(item, Ty::Entity(_) | Ty::Any | Ty::Missing)
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
            if mixes_total_and_annual(*x, *y) {
                return Err(
                    "compares a total with an annual amount: convert the total with `per_year(amount, term)`"
                        .to_owned(),
                );
            }
            true
        }
        (Number, q) | (q, Number) if zero_literal && q.is_quantity() => true,
        (Duration, Duration) | (Date, Date) => true,
        (Text | Word(_), Text | Word(_)) => true,
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

fn mixes_total_and_annual(x: Per, y: Per) -> bool {
    matches!(
        (x, y),
        (Per::Total, Per::Annual) | (Per::Annual, Per::Total)
    )
}

/// The type of `a op b` for an arithmetic operator, or why it has none
/// (empty when the types simply do not go together).
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
            if mixes_total_and_annual(*x, *y) {
                return Err("adds a total to an annual amount: convert the total with `per_year(amount, term)`".to_owned());
            }
            Some(Money(if x == y { *x } else { Per::Either }))
        }
        ('+' | '-', Duration, Duration) => Some(Duration),
        ('+', List(a), List(b)) => Some(List(Box::new(a.join(b)))),
        ('+', Text | Word(_), Text | Word(_)) => Some(Text),
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
            if mixes_total_and_annual(*x, *y) {
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
