//! The compiled form of expressions: [`Code`], a tree in which every name
//! is resolved to a slot, a section, a field lookup or a function, so that
//! evaluation looks nothing up by name.

use crate::ast::BinaryOp;
use crate::builtins::Builtin;
use crate::value::Val;
use assure_vocab::{EntityTypeId, FieldId, SectionId};
use std::sync::Arc;

/// Where a field name leads, for each owner that has a field of that name:
/// a member access on an entity of a type not known until evaluation reads
/// the field id from here by the entity's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldLookup {
    /// By entity type index.
    pub(crate) entity: Vec<Option<FieldId>>,
    /// By section index.
    pub(crate) section: Vec<Option<FieldId>>,
}

/// A member access, resolved as far as the static type allows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Member {
    /// A field of an entity or section.
    Field(Arc<FieldLookup>),
    /// An entity's name.
    Name,
    /// An entity's kind.
    Kind,
    /// Where a link starts.
    From,
    /// Where a link leads.
    To,
    /// A link's qualifier.
    Qualifier,
    /// The date of a dated word.
    Date,
}

/// A compiled comprehension: `[element for x in source ... if filter]`.
#[derive(Debug, Clone)]
pub(crate) struct Comprehension {
    /// What each iteration yields.
    pub(crate) element: Op,
    /// Slot and source of each `for`, outermost first.
    pub(crate) clauses: Vec<(u32, Op)>,
    /// The filter.
    pub(crate) filter: Option<Op>,
}

/// A compiled expression, ready to evaluate over any model of the
/// vocabulary it was compiled against.
#[derive(Debug, Clone)]
pub struct Code(pub(crate) Op, pub(crate) u32);

impl Code {
    /// Code that yields `none`: what a definition that failed to compile
    /// stands for, so that its uses are not reported as unknown names.
    pub fn missing() -> Code {
        Code(Op::Const(Val::Missing), 0)
    }

    /// How deep evaluating it may recurse: its own tree's depth plus that
    /// of the deepest `let` or function it uses.
    pub fn depth(&self) -> u32 {
        self.1
    }
}

/// One operation of compiled code.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// A literal or a parameter's value.
    Const(Val<'static>),
    /// A bound variable.
    Slot(u32),
    /// A `let` of the scope, evaluated on first use.
    Let(u32),
    /// A non-entity section, or the header.
    Section(SectionId),
    /// Every entity of a type.
    All(EntityTypeId),
    /// `object.member`.
    Member(Box<Op>, Member),
    /// `list[index]`, 1-based.
    Index(Box<Op>, Box<Op>),
    /// `[a, b]`.
    List(Vec<Op>),
    /// `[x for ...]`.
    Comprehension(Box<Comprehension>),
    /// A built-in function of plain arguments, or a place.
    Call(&'static Builtin, Vec<Op>),
    /// A built-in aggregate over a list or a generator.
    Aggregate(&'static Builtin, Box<Comprehension>),
    /// A built-in traversal from an entity along reference fields.
    Traverse(&'static Builtin, Box<Op>, Arc<[FieldId]>),
    /// A built-in walk from a start by a step, binding the slot at each
    /// entity reached (`closure(start, x => step)`).
    Walk(&'static Builtin, Box<Op>, u32, Box<Op>, bool),
    /// A built-in that tells a value from a field written but unusable.
    Given(&'static Builtin, Box<Op>),
    /// A user-defined function (a pack's `[define.NAME]`).
    Define(u32, Vec<Op>),
    /// `not x`.
    Not(Box<Op>),
    /// `-x`.
    Neg(Box<Op>),
    /// `a and b`.
    And(Box<Op>, Box<Op>),
    /// `a or b`.
    Or(Box<Op>, Box<Op>),
    /// `a ?? b`.
    Coalesce(Box<Op>, Box<Op>),
    /// Any other binary operator.
    Binary(BinaryOp, Box<Op>, Box<Op>),
    /// `if c then a else b`.
    If(Box<Op>, Box<Op>, Box<Op>),
}

/// A compiled message template: text with values interpolated.
#[derive(Debug, Clone)]
pub struct Template {
    pub(crate) pieces: Vec<Piece>,
}

/// A piece of a message template.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    /// Literal text.
    Text(String),
    /// A value to interpolate.
    Hole(Op),
}

/// A user-defined function, compiled.
#[derive(Debug, Clone)]
pub struct DefineCode {
    /// Its body.
    pub(crate) body: Op,
    /// Slots its frame needs (its parameters first).
    pub(crate) slots: u32,
}

impl DefineCode {
    /// The function whose body is `body`, compiled with its parameters
    /// bound first, by a compiler that numbered `slots` slots.
    pub fn new(body: Code, slots: u32) -> DefineCode {
        DefineCode {
            body: body.0,
            slots,
        }
    }
}

/// Whether `op` reads no slot but those in `bound` (and those bound inside
/// it) and no `let`: then its value is a function of those slots and the
/// model alone. A closure's step that reads only its parameter is one, and
/// its results can be shared between calls.
pub(crate) fn reads_only(op: &Op, bound: &mut Vec<u32>) -> bool {
    let comprehension = |c: &Comprehension, bound: &mut Vec<u32>| {
        let before = bound.len();
        let mut pure = true;
        for (slot, source) in &c.clauses {
            pure &= reads_only(source, bound);
            bound.push(*slot);
        }
        pure &= reads_only(&c.element, bound);
        if let Some(filter) = &c.filter {
            pure &= reads_only(filter, bound);
        }
        bound.truncate(before);
        pure
    };
    match op {
        Op::Const(_) | Op::Section(_) | Op::All(_) => true,
        Op::Slot(slot) => bound.contains(slot),
        Op::Let(_) => false,
        Op::Member(inner, _)
        | Op::Traverse(_, inner, _)
        | Op::Given(_, inner)
        | Op::Not(inner)
        | Op::Neg(inner) => reads_only(inner, bound),
        Op::Index(a, b)
        | Op::And(a, b)
        | Op::Or(a, b)
        | Op::Coalesce(a, b)
        | Op::Binary(_, a, b) => reads_only(a, bound) && reads_only(b, bound),
        Op::If(a, b, c) => reads_only(a, bound) && reads_only(b, bound) && reads_only(c, bound),
        Op::List(items) | Op::Call(_, items) | Op::Define(_, items) => {
            items.iter().all(|item| reads_only(item, bound))
        }
        Op::Comprehension(c) | Op::Aggregate(_, c) => comprehension(c, bound),
        Op::Walk(_, start, slot, step, _) => {
            if !reads_only(start, bound) {
                return false;
            }
            bound.push(*slot);
            let pure = reads_only(step, bound);
            bound.pop();
            pure
        }
    }
}
