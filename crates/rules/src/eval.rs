//! The evaluator: compiled [`Code`] over one [`Model`].
//!
//! Values borrow from the model and the compiled pack, so reading a field
//! copies nothing but a pointer. Logic is two-valued: a missing value is
//! false as a condition, equal only to another missing value, and neither
//! less nor greater than anything; arithmetic with it is missing. Every step
//! burns fuel, and traversals keep a visited set, so no pack and no proposal
//! can make evaluation run for ever. Running out sets a flag rather than
//! returning an error through every call: from then on every value is
//! `Missing` and every loop stops, and callers check
//! [`Evaluator::out_of_fuel`] before keeping a result.

use crate::ast::BinaryOp;
use crate::compile::{Aggregate, Builtin, Code, Comprehension, Const, Direction, Member};
use assure_diagnostic::Span;
use assure_model::{Date, Duration, EntityId, Model, Value};
use assure_vocab::{FieldId, SectionId, Vocabulary};
use petgraph::graph::{EdgeIndex, NodeIndex};
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use std::cmp::Ordering;
use std::rc::Rc;

/// A runtime value.
#[derive(Debug, Clone)]
pub enum Val<'a> {
    /// Not given.
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Decimal),
    /// A percentage.
    Percent(Decimal),
    /// Money in pence, and whether per year.
    Money(Decimal, bool),
    /// A duration.
    Duration(Duration),
    /// A date.
    Date(Date),
    /// Text borrowed from the proposal or the pack.
    Text(&'a str),
    /// Text made during evaluation.
    Owned(Rc<str>),
    /// A word, with its date.
    Word(&'a str, Option<Date>),
    /// An entity.
    Entity(EntityId),
    /// A section, or the header.
    Section(SectionId),
    /// An edge of the graph, with its two ends, so that `e.from` and `e.to`
    /// read no memory.
    Edge(GraphEdge),
    /// A list.
    List(Rc<[Val<'a>]>),
}

impl<'a> Val<'a> {
    fn text(&self) -> Option<&str> {
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

/// Evaluation ran out of fuel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfFuel;

/// A pack-defined function, compiled.
#[derive(Debug, Clone)]
pub struct DefineCode {
    /// Its body.
    pub body: Code,
    /// Slots its frame needs (its parameters first).
    pub slots: u32,
}

/// The bindings of one evaluation.
#[derive(Debug)]
pub struct Frame<'a> {
    /// Bound variables.
    pub slots: Vec<Val<'a>>,
    lets: &'a [Code],
    let_values: Vec<Option<Val<'a>>>,
}

impl<'a> Frame<'a> {
    /// A frame of `slots` slots for a scope with `lets`.
    pub fn new(slots: u32, lets: &'a [Code]) -> Self {
        Frame {
            slots: vec![Val::Missing; slots as usize],
            lets,
            let_values: vec![None; lets.len()],
        }
    }

    /// Forgets the `let`s computed, after a binder changed.
    pub fn reset_lets(&mut self) {
        self.let_values.iter_mut().for_each(|v| *v = None);
    }
}

/// Evaluates code over one model.
pub struct Evaluator<'a> {
    /// The model.
    pub model: &'a Model<'a>,
    /// The vocabulary the model was built with.
    pub vocabulary: &'a Vocabulary,
    defines: &'a [DefineCode],
    fuel: std::cell::Cell<u64>,
    exhausted: std::cell::Cell<bool>,
    /// Vectors lent to lists being built and to defines' frames, and given
    /// back after: a list then costs one allocation (the `Rc` it becomes),
    /// not two, and a define's call none. Rules build millions of lists.
    spare: std::cell::RefCell<Vec<Vec<Val<'a>>>>,
    /// The empty list, shared: most traversals find nothing.
    empty: Rc<[Val<'a>]>,
}

/// A vector longer than this is not kept for reuse: a list of every entity
/// would otherwise stay allocated for the rest of the rule.
const SPARE_CAPACITY: usize = 4_096;

/// The entities already in a list being built, so that none is added twice:
/// the list is scanned while short, as most are, and hashed once long.
#[derive(Default)]
struct Distinct {
    hashed: FxHashSet<EntityId>,
    filled: bool,
}

impl Distinct {
    /// Lists shorter than this are scanned.
    const SCAN: usize = 16;

    /// Whether `id` is not among the entities of `items` (the list being
    /// built, every entity of which went through this set); the caller then
    /// adds it.
    fn insert(&mut self, items: &[Val<'_>], id: EntityId) -> bool {
        if items.len() < Self::SCAN {
            return !items
                .iter()
                .any(|item| matches!(item, Val::Entity(e) if *e == id));
        }
        if !self.filled {
            self.filled = true;
            self.hashed
                .extend(items.iter().filter_map(|item| match item {
                    Val::Entity(e) => Some(*e),
                    _ => None,
                }));
        }
        self.hashed.insert(id)
    }
}

impl<'a> Evaluator<'a> {
    /// An evaluator with `fuel` steps to spend, over `model` (which
    /// several evaluators, on several threads, may share).
    pub fn new(
        model: &'a Model<'a>,
        vocabulary: &'a Vocabulary,
        defines: &'a [DefineCode],
        fuel: u64,
    ) -> Self {
        Evaluator {
            model,
            vocabulary,
            defines,
            fuel: std::cell::Cell::new(fuel),
            exhausted: std::cell::Cell::new(false),
            spare: std::cell::RefCell::default(),
            empty: Rc::new([]),
        }
    }

    /// A vector to build in, from the spares.
    fn lend(&self) -> Vec<Val<'a>> {
        self.spare.borrow_mut().pop().unwrap_or_default()
    }

    /// Takes back a vector lent, emptied.
    fn give_back(&self, mut items: Vec<Val<'a>>) {
        items.clear();
        if items.capacity() <= SPARE_CAPACITY {
            self.spare.borrow_mut().push(items);
        }
    }

    /// The list `fill` writes, in a lent vector.
    fn build_list(&self, fill: impl FnOnce(&mut Vec<Val<'a>>)) -> Val<'a> {
        let mut items = self.lend();
        fill(&mut items);
        let list = if items.is_empty() {
            Rc::clone(&self.empty)
        } else {
            // A drain knows its length: the `Rc` is allocated once, exactly.
            items.drain(..).collect()
        };
        self.give_back(items);
        Val::List(list)
    }

    /// The empty list.
    fn empty_list(&self) -> Val<'a> {
        Val::List(Rc::clone(&self.empty))
    }

    /// Steps left.
    pub fn fuel(&self) -> u64 {
        self.fuel.get()
    }

    /// Sets the steps left.
    pub fn refuel(&self, fuel: u64) {
        self.fuel.set(fuel);
        self.exhausted.set(false);
    }

    /// Whether evaluation has run out of fuel since the last refuel: what
    /// it returned since is not to be trusted.
    pub fn out_of_fuel(&self) -> bool {
        self.exhausted.get()
    }

    /// Spends one step; false, and the evaluator out of fuel, if none is
    /// left. Out of fuel, every evaluation is `Missing` and every loop
    /// stops, so the rule unwinds at once; its caller asks
    /// [`Evaluator::out_of_fuel`] before keeping anything. (A flag, not a
    /// `Result`: the `Result` around every value cost a fifth of the
    /// evaluator's time.)
    fn burn(&self) -> bool {
        let left = self.fuel.get();
        if left == 0 {
            self.exhausted.set(true);
            return false;
        }
        self.fuel.set(left - 1);
        true
    }

    /// Evaluates `code` in `frame`.
    pub fn eval(&self, code: &'a Code, frame: &mut Frame<'a>) -> Val<'a> {
        if !self.burn() {
            return Val::Missing;
        }
        match code {
            Code::Const(constant) => const_val(constant),
            Code::Slot(slot) => frame.slots[*slot as usize].clone(),
            Code::Let(index) => {
                let index = *index as usize;
                if let Some(value) = &frame.let_values[index] {
                    return value.clone();
                }
                let lets = frame.lets;
                let value = self.eval(&lets[index], frame);
                frame.let_values[index] = Some(value.clone());
                value
            }
            Code::Section(section) => Val::Section(*section),
            Code::All(ty) => {
                let ids = self.model.entities_of(*ty);
                self.spend(ids.len());
                Val::List(ids.iter().map(|id| Val::Entity(*id)).collect())
            }
            Code::Member(object, member) => {
                let object = self.eval(object, frame);
                self.member(&object, member)
            }
            Code::Index(list, index) => {
                let list = self.eval(list, frame);
                let index = self.eval(index, frame);
                match (list, index) {
                    (Val::List(items), Val::Number(n)) => n
                        .trunc()
                        .to_string()
                        .parse::<usize>()
                        .ok()
                        .filter(|i| *i >= 1 && *i <= items.len())
                        .map_or(Val::Missing, |i| items[i - 1].clone()),
                    _ => Val::Missing,
                }
            }
            Code::List(items) => self.build_list(|values| {
                for item in items {
                    values.push(self.eval(item, frame));
                }
            }),
            Code::Comprehension(comprehension) => self.build_list(|values| {
                self.iterate(comprehension, 0, frame, &mut |_, value| {
                    values.push(value);
                    true
                });
            }),
            Code::Aggregate(aggregate, comprehension) => {
                self.aggregate(*aggregate, comprehension, frame)
            }
            Code::Call(builtin, args) => self.builtin(*builtin, args, frame),
            Code::Define(index, args) => {
                let define = &self.defines[*index as usize];
                let mut slots = self.lend();
                slots.resize(define.slots as usize, Val::Missing);
                for (i, arg) in args.iter().enumerate() {
                    slots[i] = self.eval(arg, frame);
                }
                let mut inner = Frame {
                    slots,
                    lets: &[],
                    let_values: Vec::new(),
                };
                let value = self.eval(&define.body, &mut inner);
                self.give_back(inner.slots);
                value
            }
            Code::Closure(start, slot, step) => {
                let start = self.eval(start, frame);
                let mut distinct = Distinct::default();
                self.build_list(|reached| {
                    let mut visit = |id, reached: &mut Vec<Val<'a>>| {
                        if distinct.insert(reached, id) {
                            reached.push(Val::Entity(id));
                        }
                    };
                    for_each_entity(&start, &mut |id| visit(id, reached));
                    // Breadth first: the entities reached are the queue.
                    let mut next = 0;
                    while let Some(&Val::Entity(id)) = reached.get(next) {
                        next += 1;
                        if self.out_of_fuel() {
                            break;
                        }
                        frame.slots[*slot as usize] = Val::Entity(id);
                        let step = self.eval(step, frame);
                        for_each_entity(&step, &mut |id| visit(id, reached));
                    }
                })
            }
            Code::Links(direction, from, fields) => {
                let from = self.eval(from, frame);
                let Some(node) = self.node_of(&from) else {
                    return self.empty_list();
                };
                let edges = self.build_list(|edges| {
                    for field in fields.iter() {
                        let links = match direction {
                            Direction::Forward => self.model.links().outgoing(node, *field),
                            Direction::Backward => self.model.links().incoming(node, *field),
                        };
                        for entry in links {
                            let (from, to) = match direction {
                                Direction::Forward => (node, entry.other),
                                Direction::Backward => (entry.other, node),
                            };
                            edges.push(Val::Edge(GraphEdge {
                                edge: entry.edge,
                                from,
                                to,
                            }));
                        }
                    }
                });
                self.burn_per_item(&edges);
                edges
            }
            Code::Referrers(to, fields) => {
                let to = self.eval(to, frame);
                let Some(node) = self.node_of(&to) else {
                    return self.empty_list();
                };
                let mut distinct = Distinct::default();
                let referrers = self.build_list(|referrers| {
                    for field in fields.iter() {
                        for entry in self.model.links().incoming(node, *field) {
                            if let Some(id) = self.model.entity_at(entry.other)
                                && distinct.insert(referrers, id)
                            {
                                referrers.push(Val::Entity(id));
                            }
                        }
                    }
                });
                self.burn_per_item(&referrers);
                referrers
            }
            Code::Not(operand) => Val::Bool(!self.eval(operand, frame).truthy()),
            Code::Neg(operand) => match self.eval(operand, frame) {
                Val::Number(n) => Val::Number(-n),
                Val::Percent(n) => Val::Percent(-n),
                Val::Money(n, annual) => Val::Money(-n, annual),
                Val::Duration(d) => Val::Duration(Duration {
                    months: -d.months,
                    days: -d.days,
                }),
                _ => Val::Missing,
            },
            Code::And(left, right) => {
                Val::Bool(self.eval(left, frame).truthy() && self.eval(right, frame).truthy())
            }
            Code::Or(left, right) => {
                Val::Bool(self.eval(left, frame).truthy() || self.eval(right, frame).truthy())
            }
            Code::Coalesce(left, right) => match self.eval(left, frame) {
                Val::Missing => self.eval(right, frame),
                value => value,
            },
            Code::Binary(op, left, right) => {
                let left = self.eval(left, frame);
                let right = self.eval(right, frame);
                binary(*op, &left, &right)
            }
            Code::If(condition, then, otherwise) => {
                if self.eval(condition, frame).truthy() {
                    self.eval(then, frame)
                } else {
                    self.eval(otherwise, frame)
                }
            }
        }
    }

    /// Spends a step for each item of a list a traversal made.
    fn burn_per_item(&self, list: &Val<'_>) {
        if let Val::List(items) = list {
            self.spend(items.len());
        }
    }

    /// Spends `steps` steps at once, for a list of that many items made
    /// without evaluating each.
    fn spend(&self, steps: usize) {
        self.fuel.set(self.fuel.get().saturating_sub(steps as u64));
    }

    fn node_of(&self, value: &Val<'_>) -> Option<NodeIndex> {
        match value {
            Val::Entity(id) => Some(self.model.node(*id)),
            Val::Section(_) => Some(self.model.proposal_node()),
            _ => None,
        }
    }

    /// Runs a comprehension, calling `sink` with each element that passes
    /// the filter; `sink` returns whether to go on.
    fn iterate(
        &self,
        comprehension: &'a Comprehension,
        clause: usize,
        frame: &mut Frame<'a>,
        sink: &mut dyn FnMut(&Self, Val<'a>) -> bool,
    ) -> bool {
        let Some((slot, source)) = comprehension.clauses.get(clause) else {
            if let Some(filter) = &comprehension.filter
                && !self.eval(filter, frame).truthy()
            {
                return true;
            }
            let element = self.eval(&comprehension.element, frame);
            return sink(self, element);
        };
        let source = self.eval(source, frame);
        for item in source.items() {
            if !self.burn() {
                return false;
            }
            frame.slots[*slot as usize] = item.clone();
            if !self.iterate(comprehension, clause + 1, frame, sink) {
                return false;
            }
        }
        true
    }

    fn aggregate(
        &self,
        aggregate: Aggregate,
        comprehension: &'a Comprehension,
        frame: &mut Frame<'a>,
    ) -> Val<'a> {
        match aggregate {
            Aggregate::Any => {
                let mut found = false;
                self.iterate(comprehension, 0, frame, &mut |_, v| {
                    found = v.truthy();
                    !found
                });
                Val::Bool(found)
            }
            Aggregate::All => {
                let mut all = true;
                self.iterate(comprehension, 0, frame, &mut |_, v| {
                    all = v.truthy();
                    all
                });
                Val::Bool(all)
            }
            Aggregate::Count => {
                let mut count = 0u64;
                self.iterate(comprehension, 0, frame, &mut |_, v| {
                    count += u64::from(v.truthy());
                    true
                });
                Val::Number(Decimal::from(count))
            }
            Aggregate::Sum => {
                let mut total = Val::Number(Decimal::ZERO);
                self.iterate(comprehension, 0, frame, &mut |_, v| {
                    if !matches!(v, Val::Missing) {
                        total = binary(BinaryOp::Add, &total, &v);
                    }
                    !matches!(total, Val::Missing)
                });
                total
            }
            Aggregate::Min | Aggregate::Max => {
                let wanted = if aggregate == Aggregate::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let mut best = Val::Missing;
                self.iterate(comprehension, 0, frame, &mut |_, v| {
                    if (matches!(best, Val::Missing) || compare(&v, &best) == Some(wanted))
                        && !matches!(v, Val::Missing)
                    {
                        best = v;
                    }
                    true
                });
                best
            }
        }
    }

    fn builtin(&self, builtin: Builtin, args: &'a [Code], frame: &mut Frame<'a>) -> Val<'a> {
        let first = self.eval(&args[0], frame);
        match builtin {
            Builtin::Present => Val::Bool(!matches!(first, Val::Missing)),
            Builtin::Missing => Val::Bool(matches!(first, Val::Missing)),
            Builtin::First => match first {
                Val::List(items) => items.first().cloned().unwrap_or(Val::Missing),
                _ => Val::Missing,
            },
            Builtin::Unique => match first {
                Val::List(items) => {
                    let mut distinct = Distinct::default();
                    self.build_list(|kept| {
                        for item in items.iter() {
                            let new = match item {
                                Val::Entity(id) => distinct.insert(kept, *id),
                                other => !kept.iter().any(|k| equal(k, other)),
                            };
                            if new {
                                kept.push(item.clone());
                            }
                        }
                    })
                }
                other => other,
            },
            Builtin::ListOf => match first {
                Val::List(_) => first,
                Val::Missing => self.empty_list(),
                other => Val::List(Rc::from([other])),
            },
            Builtin::Intersects => {
                let second = self.eval(&args[1], frame);
                match (&first, &second) {
                    (Val::List(a), Val::List(b)) => {
                        let entities: FxHashSet<EntityId> = a
                            .iter()
                            .filter_map(|v| {
                                if let Val::Entity(id) = v {
                                    Some(*id)
                                } else {
                                    None
                                }
                            })
                            .collect();
                        Val::Bool(b.iter().any(|y| match y {
                            Val::Entity(id) => entities.contains(id),
                            other => a.iter().any(|x| equal(x, other)),
                        }))
                    }
                    _ => Val::Bool(false),
                }
            }
            Builtin::Lower => match first.text() {
                Some(text) => Val::Owned(text.to_lowercase().into()),
                None => Val::Missing,
            },
            Builtin::Abs => match first {
                Val::Number(n) => Val::Number(n.abs()),
                Val::Percent(n) => Val::Percent(n.abs()),
                Val::Money(n, annual) => Val::Money(n.abs(), annual),
                Val::Duration(d) => Val::Duration(Duration {
                    months: d.months.abs(),
                    days: d.days.abs(),
                }),
                _ => Val::Missing,
            },
            Builtin::PerYear => {
                let term = self.eval(&args[1], frame);
                match (first, term) {
                    (Val::Money(n, true), _) => Val::Money(n, true),
                    (Val::Money(n, false), Val::Duration(d)) => {
                        let years = d.years();
                        if years <= Decimal::ZERO {
                            Val::Missing
                        } else {
                            n.checked_div(years)
                                .map_or(Val::Missing, |n| Val::Money(n, true))
                        }
                    }
                    _ => Val::Missing,
                }
            }
            Builtin::Text => Val::Owned(self.display(&first).into()),
            Builtin::Years => match first {
                Val::Duration(d) => Val::Number(d.years()),
                _ => Val::Missing,
            },
            // Places evaluate to where they point only in `place`.
            Builtin::Heading | Builtin::FieldPlace => Val::Missing,
        }
    }

    /// The value of `object.member`.
    pub fn member(&self, object: &Val<'a>, member: &Member) -> Val<'a> {
        let model: &'a Model<'a> = self.model;
        match (object, member) {
            (Val::Entity(id), Member::Name) => Val::Text(model.entity(*id).name),
            (Val::Entity(id), Member::Kind) => match &model.entity(*id).kind {
                Some(kind) => Val::Word(kind, None),
                None => Val::Missing,
            },
            (Val::Entity(_) | Val::Section(_), Member::Field(_)) => {
                match self.field_value(object, member) {
                    Some((value, field)) => self.value(value, field),
                    None => Val::Missing,
                }
            }
            (Val::Edge(edge), Member::From | Member::To) => {
                let node = if *member == Member::From {
                    edge.from
                } else {
                    edge.to
                };
                match model.entity_at(node) {
                    Some(id) => Val::Entity(id),
                    None => Val::Section(assure_vocab::HEADER),
                }
            }
            (Val::Edge(edge), Member::Qualifier) => match model
                .reference_from(edge.from, edge.edge)
                .and_then(|r| r.qualifier.as_deref())
            {
                Some(qualifier) => self.value(&qualifier.value, None),
                None => Val::Missing,
            },
            (Val::Word(_, Some(date)), Member::Date) => Val::Date(*date),
            _ => Val::Missing,
        }
    }

    fn field_value(
        &self,
        object: &Val<'a>,
        member: &Member,
    ) -> Option<(&'a Value<'a>, Option<FieldId>)> {
        let field = self.field_of(object, member)?;
        Some((&field.value, Some(field.field)))
    }

    fn field_of(
        &self,
        object: &Val<'a>,
        member: &Member,
    ) -> Option<&'a assure_model::FieldValue<'a>> {
        let model: &'a Model<'a> = self.model;
        let Member::Field(lookup) = member else {
            return None;
        };
        match object {
            Val::Entity(id) => {
                let entity = model.entity(*id);
                let field = (*lookup.entity.get(entity.ty.0 as usize)?)?;
                model.fields(*id).get(field)
            }
            Val::Section(section) => {
                let field = (*lookup.section.get(section.0 as usize)?)?;
                model.section_fields(*section).get(field)
            }
            _ => None,
        }
    }

    fn value(&self, value: &'a Value<'a>, field: Option<FieldId>) -> Val<'a> {
        match value {
            Value::Text(text) => Val::Text(text),
            Value::Number(n) => Val::Number(*n),
            Value::Percent(n) => Val::Percent(*n),
            Value::Money(money) => Val::Money(Decimal::from(money.pence), money.annual),
            Value::Date(date) => Val::Date(*date),
            Value::Duration(duration) => Val::Duration(*duration),
            Value::Bool(b) => Val::Bool(*b),
            Value::Word { word, date } => Val::Word(word, date.map(|(d, _)| d)),
            Value::Refs(references) => {
                let references = self.model.references(references);
                let many = field.is_some_and(|f| {
                    matches!(&self.vocabulary.field(f).ty, assure_vocab::ValueType::Ref(r) if r.many)
                });
                if many {
                    self.build_list(|targets| {
                        targets.extend(references.iter().filter_map(|r| r.target.map(Val::Entity)));
                    })
                } else {
                    references
                        .iter()
                        .find_map(|r| r.target)
                        .map_or(Val::Missing, Val::Entity)
                }
            }
        }
    }

    /// Where a place expression points, if anywhere.
    pub fn place(&self, code: &'a Code, frame: &mut Frame<'a>) -> Option<Span> {
        match code {
            Code::Member(object, member @ Member::Field(_)) => {
                let object = self.eval(object, frame);
                self.field_of(&object, member).map(|f| f.value_span)
            }
            Code::Member(object, Member::Kind) => match self.eval(object, frame) {
                Val::Entity(id) => {
                    let entity = self.model.entity(id);
                    let kind_field = self.vocabulary.entity_type(entity.ty).kind_field;
                    kind_field
                        .and_then(|f| self.model.fields(id).get(f))
                        .map(|f| f.value_span)
                        .or(Some(entity.heading))
                }
                _ => None,
            },
            Code::Member(object, Member::Name) => match self.eval(object, frame) {
                Val::Entity(id) => Some(self.model.entity(id).name_span),
                _ => None,
            },
            Code::Member(object, Member::Date) => {
                if let Code::Member(owner, member @ Member::Field(_)) = object.as_ref() {
                    let owner = self.eval(owner, frame);
                    match self.field_of(&owner, member) {
                        Some(assure_model::FieldValue {
                            value:
                                Value::Word {
                                    date: Some((_, span)),
                                    ..
                                },
                            ..
                        }) => Some(*span),
                        Some(field) => Some(field.value_span),
                        None => None,
                    }
                } else {
                    self.place(object, frame)
                }
            }
            Code::Call(Builtin::Heading, args) => match self.eval(&args[0], frame) {
                Val::Entity(id) => Some(self.model.entity(id).heading),
                Val::Section(section) => self
                    .model
                    .headings()
                    .iter()
                    .find(|h| h.section == section)
                    .map(|h| h.span),
                _ => None,
            },
            Code::Call(Builtin::FieldPlace, args) => match &args[0] {
                Code::Member(object, member) => {
                    let object = self.eval(object, frame);
                    self.field_of(&object, member)
                        .map(assure_model::FieldValue::span)
                }
                _ => None,
            },
            Code::Coalesce(left, right) => match self.place(left, frame) {
                Some(span) => Some(span),
                None => self.place(right, frame),
            },
            Code::If(condition, then, otherwise) => {
                if self.eval(condition, frame).truthy() {
                    self.place(then, frame)
                } else {
                    self.place(otherwise, frame)
                }
            }
            other => {
                let value = self.eval(other, frame);
                self.place_of_value(&value)
            }
        }
    }

    fn place_of_value(&self, value: &Val<'_>) -> Option<Span> {
        match value {
            Val::Edge(edge) => self.model.edge(edge.edge).map(|edge| edge.span),
            Val::Entity(id) => Some(self.model.entity(*id).heading),
            Val::List(items) => items.first().and_then(|item| self.place_of_value(item)),
            _ => None,
        }
    }

    /// A value as a commissioner would read it in a message.
    pub fn display(&self, value: &Val<'_>) -> String {
        match value {
            Val::Missing => "none".to_owned(),
            Val::Bool(true) => "yes".to_owned(),
            Val::Bool(false) => "no".to_owned(),
            Val::Number(n) => assure_model::value::format_number(n.round_dp(2)),
            Val::Percent(n) => format!("{}%", n.round_dp(2).normalize()),
            Val::Money(pence, annual) => {
                let pounds = pence.checked_div(Decimal::ONE_HUNDRED).unwrap_or(*pence);
                let text = assure_model::value::format_pounds(pounds);
                if *annual { format!("{text}/yr") } else { text }
            }
            Val::Duration(d) => d.to_string(),
            Val::Date(d) => d.to_string(),
            Val::Text(t) | Val::Word(t, _) => (*t).to_owned(),
            Val::Owned(t) => t.to_string(),
            Val::Entity(id) => self.model.entity(*id).name.to_string(),
            Val::Section(section) => self.vocabulary.section(*section).id.clone(),
            Val::Edge(edge) => {
                let target = self.model.entity_at(edge.to);
                target.map_or_else(String::new, |id| self.model.entity(id).name.to_string())
            }
            Val::List(items) => {
                let parts: Vec<String> = items.iter().map(|item| self.display(item)).collect();
                match parts.as_slice() {
                    [] => "none".to_owned(),
                    [one] => one.clone(),
                    [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                }
            }
        }
    }
}

fn for_each_entity(value: &Val<'_>, visit: &mut dyn FnMut(EntityId)) {
    match value {
        Val::Entity(id) => visit(*id),
        Val::List(items) => items.iter().for_each(|item| for_each_entity(item, visit)),
        _ => {}
    }
}

fn const_val(constant: &Const) -> Val<'_> {
    match constant {
        Const::Missing => Val::Missing,
        Const::Bool(b) => Val::Bool(*b),
        Const::Number(n) => Val::Number(*n),
        Const::Percent(n) => Val::Percent(*n),
        Const::Money(n, annual) => Val::Money(*n, *annual),
        Const::Duration(d) => Val::Duration(*d),
        Const::Date(d) => Val::Date(*d),
        Const::Text(t) => Val::Text(t),
    }
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
        _ => None,
    }
}

/// Orders two values, if they have an order between them.
pub fn compare(left: &Val<'_>, right: &Val<'_>) -> Option<Ordering> {
    match (left, right) {
        (Val::Missing, _) | (_, Val::Missing) => None,
        (Val::Money(a, _), Val::Money(b, _)) => Some(a.cmp(b)),
        (Val::Duration(a), Val::Duration(b)) => Some(a.compare(*b)),
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

fn contains(list: &Val<'_>, item: &Val<'_>) -> bool {
    match list {
        Val::List(items) => items.iter().any(|x| equal(x, item)),
        _ => false,
    }
}

/// Applies a binary operator other than `and`, `or` and `??`.
pub fn binary<'a>(op: BinaryOp, left: &Val<'a>, right: &Val<'a>) -> Val<'a> {
    let truth = |b: bool| Val::Bool(b);
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
        BinaryOp::In => truth(contains(right, left)),
        BinaryOp::NotIn => truth(!contains(right, left)),
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
        (Val::Date(a), Val::Date(b)) if subtract => Val::Duration(b.until(*a)),
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
        (Val::Number(a), Val::Number(b)) => Val::Number(a.checked_div(*b)?),
        (Val::Percent(a), Val::Number(b)) => Val::Percent(a.checked_div(*b)?),
        (Val::Number(_) | Val::Percent(_), Val::Percent(_)) => {
            Val::Number(ratio(left)?.checked_div(ratio(right)?)?)
        }
        (Val::Money(m, annual), f @ (Val::Number(_) | Val::Percent(_))) => {
            Val::Money(m.checked_div(ratio(f)?)?, *annual)
        }
        (Val::Money(a, _), Val::Money(b, _)) => Val::Number(a.checked_div(*b)?),
        (Val::Money(m, _), Val::Duration(d)) => {
            let years = d.years();
            if years <= Decimal::ZERO {
                return None;
            }
            Val::Money(m.checked_div(years)?, true)
        }
        (Val::Duration(d), f @ (Val::Number(_) | Val::Percent(_))) => {
            Val::Duration(scale_duration(*d, Decimal::ONE.checked_div(ratio(f)?)?)?)
        }
        (Val::Duration(a), Val::Duration(b)) => Val::Number(a.years().checked_div(b.years())?),
        _ => return None,
    })
}
