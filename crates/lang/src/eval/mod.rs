//! The evaluator: compiled [`Code`] over one [`Model`].
//!
//! Values borrow from the model and the compiled code, so reading a field
//! copies nothing but a pointer. Every step burns fuel, and traversals keep
//! a visited set, so no expression and no proposal can make evaluation run
//! for ever. Running out sets a flag rather than returning an error through
//! every call: from then on every value is `Missing` and every loop stops,
//! and callers check [`Evaluator::out_of_fuel`] before keeping a result.

use crate::ast::BinaryOp;
use crate::builtins::{Form, Given, for_each_entity};
use crate::calendar::Calendar;
use crate::ir::{Code, Comprehension, DefineCode, Member, Op, Piece, Template};
use crate::value::{Val, binary};
use assure_diagnostic::Span;
use assure_model::{Date, Duration, EntityId, Holder, Model, Value};
use assure_vocab::{FieldId, Vocabulary};
use petgraph::graph::NodeIndex;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

mod fields;
mod state;
use std::sync::Arc;

/// The bindings of one evaluation.
#[derive(Debug)]
pub struct Frame<'a> {
    slots: Vec<Val<'a>>,
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

    /// Binds `slot` (a binder the compiler numbered) to `value`.
    pub fn bind(&mut self, slot: u32, value: Val<'a>) {
        self.slots[slot as usize] = value;
    }

    /// The value bound to `slot`.
    pub fn bound(&self, slot: u32) -> &Val<'a> {
        &self.slots[slot as usize]
    }
}

/// Evaluates code over one model.
pub struct Evaluator<'a> {
    pub(crate) model: &'a Model<'a>,
    vocabulary: &'a Vocabulary,
    defines: &'a [DefineCode],
    fuel: std::cell::Cell<u64>,
    exhausted: std::cell::Cell<bool>,
    /// The longest list or text a value may be ([`Evaluator::max_value`]).
    max_value: usize,
    /// The length of a value that would have passed `max_value`, once one
    /// has: evaluation then stops as if out of fuel.
    oversized: std::cell::Cell<Option<usize>>,
    /// Vectors lent to lists being built and to defines' frames, and given
    /// back after: a list then costs one allocation (the `Arc` it becomes),
    /// not two, and a define's call none. Rules build millions of lists.
    spare: std::cell::RefCell<Vec<Vec<Val<'a>>>>,
    /// The empty list, shared: most traversals find nothing.
    empty: Arc<[Val<'a>]>,
    /// The entities of long lists that `in` has searched, by the list's
    /// address (the list kept alive with them, so the address is not
    /// reused): a rule that asks `o in closure` for every contract of a
    /// cluster scanned the closure each time.
    member_sets: std::cell::RefCell<FxHashMap<usize, HashedList<'a>>>,
    /// Closures found by a step that reads only its parameter, by the
    /// step's address and an entity whose closure it is: in a cycle of
    /// ownership every member has the same closure, found once and shared
    /// rather than walked again for each person with an interest in it.
    closures: std::cell::RefCell<SharedClosures<'a>>,
    /// Results of user-defined functions called with entities, by function
    /// and arguments: a definition is a function of the model alone, and
    /// rules call the same one on the same entity many times.
    /// Each with whether a filter met `none` computing it, and the fields
    /// it found absent, which each call is given.
    define_results: std::cell::RefCell<DefineResults<'a>>,
    /// The long lists whose addresses are in `define_results`' keys, kept
    /// alive so that no other list takes their address.
    define_lists: std::cell::RefCell<Vec<Arc<[Val<'a>]>>>,
    /// The lists among the remembered results whose items are counted in
    /// `define_items`, by address.
    define_counted: std::cell::RefCell<FxHashSet<usize>>,
    /// How many list items the remembered results hold.
    define_items: std::cell::Cell<usize>,
    /// The date `today()` gives, if the caller set one.
    today: Option<Date>,
    /// Whether `today()` has been evaluated: output then says which date
    /// was used.
    read_today: std::cell::Cell<bool>,
    /// The working-day calendar, if the caller set one.
    calendar: Option<&'a Calendar>,
    /// The first date a calendar function was asked about that the
    /// calendar does not cover, since [`Evaluator::take_outside_calendar`].
    outside_calendar: std::cell::Cell<Option<Date>>,
    /// Whether a filter has met `none` since [`Evaluator::take_uncertain`]:
    /// an item left out of a list because its condition was `none` may
    /// have belonged in it, so what the list decided is not known.
    uncertain: std::cell::Cell<bool>,
    /// Fields read and found `none` since [`Evaluator::take_absent`],
    /// outside `present`, `missing`, `list` and `??` (which ask about it),
    /// at most [`MAX_ABSENT`], for a not-assessed finding to name; each
    /// with whether it was written with a value that could not be used
    /// (else it is not written at all).
    absent: std::cell::RefCell<Vec<(Holder, FieldId, bool)>>,
    /// Inside `present`, `missing` or the left of `??`: a field not
    /// written is what is asked, not a gap.
    asking: std::cell::Cell<u32>,
    /// Fields written with filler (`TBC`) and read since
    /// [`Evaluator::take_filler`], at most [`MAX_ABSENT`]: a binding that
    /// read one is not passed or set aside on its account.
    filler: std::cell::RefCell<Vec<(Holder, FieldId)>>,
    /// How many times a field written with filler has been read: a
    /// definition's result that read one is not kept, so that each
    /// binding calling it reads it too.
    filler_reads: std::cell::Cell<u64>,
}

/// The most absent fields remembered for one binding.
const MAX_ABSENT: usize = 8;

/// Definitions' results by definition and arguments.
type DefineResults<'a> = FxHashMap<(u32, [ArgKey; 2]), Remembered<'a>>;

/// A definition's result, as a call that finds it remembered is given it.
struct Remembered<'a> {
    value: Val<'a>,
    /// Whether a filter met `none` computing it.
    uncertain: bool,
    /// The fields it read and found absent (see [`Evaluator::absent`]).
    absent: Vec<(Holder, FieldId, bool)>,
}

/// Closures by the step's address and an entity whose closure each is.
type SharedClosures<'a> = FxHashMap<(usize, EntityId), Arc<[Val<'a>]>>;

/// A list kept alive with the set of its entities.
type HashedList<'a> = (Arc<[Val<'a>]>, FxHashSet<EntityId>);

/// A list in a message shows at most this many items, the last place
/// saying how many more.
const MESSAGE_ITEMS: usize = 10;

/// A list at least this long is searched by `in` through a hashed set of
/// its entities, built once.
const HASHED_MEMBERSHIP_FROM: usize = 64;

/// At most this many hashed lists and memoized calls are kept; past it the
/// cache starts again, so that it stays small whatever the rule does.
const CACHE_ENTRIES: usize = 256;
const DEFINE_RESULTS: usize = 1 << 18;
/// Remembered results hold at most this many list items in all: a result
/// is often a list of a whole cluster.
const DEFINE_ITEMS: usize = 1 << 20;

/// A definition's argument as part of its memo key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ArgKey {
    /// No argument in this place.
    Absent,
    /// An entity.
    Entity(u32),
    /// A list of at most two entities, by its entities (`u32::MAX` for
    /// none): `list(p.member-of)` is made anew for each person, but is the
    /// same list.
    Few(u32, u32),
    /// A longer list, by its address: the same list shared (a closure, a
    /// remembered result), kept alive with the key so the address is not
    /// reused.
    List(usize),
}

/// The memo key of a call of definition `index` with `args`: calls with
/// one or two entities or lists as arguments are remembered.
fn memo_key(index: u32, args: &[Val<'_>]) -> Option<(u32, [ArgKey; 2])> {
    let key = |arg: &Val<'_>| match arg {
        Val::Entity(a) => Some(ArgKey::Entity(a.0)),
        Val::List(items) if items.len() <= 2 => {
            let mut ids = [u32::MAX; 2];
            for (slot, item) in ids.iter_mut().zip(items.iter()) {
                let Val::Entity(id) = item else { return None };
                *slot = id.0;
            }
            Some(ArgKey::Few(ids[0], ids[1]))
        }
        Val::List(items) => Some(ArgKey::List(Arc::as_ptr(items).cast::<u8>() as usize)),
        _ => None,
    };
    match args {
        [a] => Some((index, [key(a)?, ArgKey::Absent])),
        [a, b] => Some((index, [key(a)?, key(b)?])),
        _ => None,
    }
}

/// The floor of [`Evaluator::max_value`], and what it adds per entity and
/// edge of the model.
const MIN_MAX_VALUE: usize = 1_000_000;
const VALUE_PER_ITEM: usize = 8;

/// The length of `left + right` when it joins two lists or two texts.
fn joined_length(left: &Val<'_>, right: &Val<'_>) -> Option<usize> {
    match (left, right) {
        (Val::List(a), Val::List(b)) => Some(a.len().saturating_add(b.len())),
        _ => Some(left.text()?.len().saturating_add(right.text()?.len())),
    }
}

/// The most arguments a plain built-in takes (the table's test checks it).
pub(crate) const MAX_ARITY: usize = 4;

/// A vector longer than this is not kept for reuse: a list of every entity
/// would otherwise stay allocated for the rest of the rule.
const SPARE_CAPACITY: usize = 4_096;

/// The entities already in a list being built, so that none is added twice:
/// the list is scanned while short, as most are, and hashed once long.
#[derive(Default)]
pub(crate) struct Distinct {
    hashed: FxHashSet<EntityId>,
    filled: bool,
}

impl Distinct {
    /// Lists shorter than this are scanned.
    const SCAN: usize = 16;

    /// Whether `id` is not among the entities of `items` (the list being
    /// built, every entity of which went through this set); the caller then
    /// adds it.
    pub(crate) fn insert(&mut self, items: &[Val<'_>], id: EntityId) -> bool {
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
            max_value: MIN_MAX_VALUE.saturating_add(
                VALUE_PER_ITEM.saturating_mul(model.entities().len() + model.edge_count()),
            ),
            oversized: std::cell::Cell::new(None),
            spare: std::cell::RefCell::default(),
            empty: Arc::new([]),
            member_sets: std::cell::RefCell::default(),
            closures: std::cell::RefCell::default(),
            define_lists: std::cell::RefCell::default(),
            define_counted: std::cell::RefCell::default(),
            define_results: std::cell::RefCell::default(),
            define_items: std::cell::Cell::new(0),
            today: None,
            read_today: std::cell::Cell::new(false),
            calendar: None,
            outside_calendar: std::cell::Cell::new(None),
            uncertain: std::cell::Cell::new(false),
            absent: std::cell::RefCell::new(Vec::new()),
            asking: std::cell::Cell::new(0),
            filler: std::cell::RefCell::new(Vec::new()),
            filler_reads: std::cell::Cell::new(0),
        }
    }

    /// The date `today()` gives: the run's date, which the caller chooses
    /// (a command-line option, a configuration, the clock).
    #[must_use]
    pub fn with_today(mut self, today: Option<Date>) -> Self {
        self.today = today;
        self
    }

    /// The calendar `working_days` and `add_working_days` count in.
    #[must_use]
    pub fn with_calendar(mut self, calendar: Option<&'a Calendar>) -> Self {
        self.calendar = calendar;
        self
    }

    /// The calendar's name and the first and last days it covers.
    pub fn calendar_range(&self) -> Option<(&'a str, Date, Date)> {
        self.calendar.map(|c| (c.name.as_str(), c.first, c.last))
    }

    /// The model evaluated over.
    pub fn model(&self) -> &'a Model<'a> {
        self.model
    }

    /// The vocabulary the model was typed by.
    pub fn vocabulary(&self) -> &'a Vocabulary {
        self.vocabulary
    }

    /// Evaluates `code` in `frame`.
    pub fn eval(&self, code: &'a Code, frame: &mut Frame<'a>) -> Val<'a> {
        self.eval_op(&code.0, frame)
    }

    /// Renders a message template in `frame`.
    pub fn render(&self, template: &'a Template, frame: &mut Frame<'a>) -> String {
        let mut out = String::new();
        for piece in &template.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Hole(op) => {
                    let value = self.eval_op(op, frame);
                    out.push_str(&self.display_in_message(&value));
                }
            }
        }
        out
    }

    pub(crate) fn eval_op(&self, op: &'a Op, frame: &mut Frame<'a>) -> Val<'a> {
        if !self.burn() {
            return Val::Missing;
        }
        match op {
            // Text a literal holds is lent, not shared: no count to keep.
            Op::Const(Val::Owned(text)) => Val::Text(text),
            Op::Const(constant) => constant.clone(),
            Op::Slot(slot) => frame.slots[*slot as usize].clone(),
            Op::Let(index) => {
                let index = *index as usize;
                if let Some(value) = &frame.let_values[index] {
                    return value.clone();
                }
                let lets = frame.lets;
                let value = self.eval(&lets[index], frame);
                frame.let_values[index] = Some(value.clone());
                value
            }
            Op::Section(section) => Val::Section(*section),
            Op::All(ty) => {
                let ids = self.model.entities_of(*ty);
                self.spend(ids.len());
                Val::List(ids.iter().map(|id| Val::Entity(*id)).collect())
            }
            Op::Member(object, member) => {
                let object = self.eval_op(object, frame);
                let value = self.member(&object, member);
                if matches!(value, Val::Missing) && matches!(member, Member::Field(_)) {
                    self.note_absent(&object, member);
                    self.note_filler(&object, member);
                }
                value
            }
            Op::Index(list, index) => {
                let list = self.eval_op(list, frame);
                let index = self.eval_op(index, frame);
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
            Op::List(items) => self.build_list(|values| {
                for item in items {
                    values.push(self.eval_op(item, frame));
                }
            }),
            Op::Comprehension(comprehension) => self.build_list(|values| {
                self.iterate(comprehension, 0, frame, &mut |value| {
                    values.push(value);
                    true
                });
            }),
            Op::Call(builtin, args) => {
                let asks = matches!(builtin.form, Form::Plain { asks: true, .. });
                // On the stack: a call is too common to borrow a vector for.
                let mut values: [Val<'a>; MAX_ARITY] = Default::default();
                for (value, arg) in values.iter_mut().zip(args) {
                    *value = if asks {
                        self.asking_about(arg, frame)
                    } else {
                        self.eval_op(arg, frame)
                    };
                }
                match &builtin.form {
                    Form::Plain { eval, .. } => eval(self, &mut values[..args.len()]),
                    // A place is where it points only in `place`.
                    _ => Val::Missing,
                }
            }
            Op::Aggregate(builtin, comprehension) => match &builtin.form {
                Form::Aggregate { fold, .. } => fold(&mut Items {
                    evaluator: self,
                    comprehension,
                    frame,
                }),
                _ => Val::Missing,
            },
            Op::Traverse(builtin, from, fields) => {
                let from = self.eval_op(from, frame);
                let Some(node) = self.node_of(&from) else {
                    return self.empty_list();
                };
                let reached = match &builtin.form {
                    Form::Traversal { walk, .. } => walk(self, node, fields),
                    _ => Val::Missing,
                };
                self.burn_per_item(&reached);
                reached
            }
            Op::Walk(builtin, start, slot, step, pure) => {
                let start = self.eval_op(start, frame);
                let Form::Closure { walk } = &builtin.form else {
                    return Val::Missing;
                };
                if !*pure {
                    return walk(self, &start, &mut |id| {
                        frame.slots[*slot as usize] = Val::Entity(id);
                        self.eval_op(step, frame)
                    });
                }
                // The step is a function of the entity alone: a closure
                // already found for these start entities is the answer.
                let step_key = std::ptr::from_ref::<Op>(step) as usize;
                if let Some(shared) = self.shared_closure(step_key, &start) {
                    return shared;
                }
                let mut edges: Vec<(EntityId, EntityId)> = Vec::new();
                let before = self.uncertain.take();
                let reached = walk(self, &start, &mut |id| {
                    frame.slots[*slot as usize] = Val::Entity(id);
                    let next = self.eval_op(step, frame);
                    for_each_entity(&next, &mut |to| edges.push((id, to)));
                    next
                });
                // A closure a filter left uncertain is not shared: each use
                // must learn that it is.
                let uncertain = self.uncertain.get();
                self.uncertain.set(before || uncertain);
                if !self.out_of_fuel() && !uncertain {
                    self.remember_closure(step_key, &start, &reached, &edges);
                }
                reached
            }
            Op::Given(builtin, arg) => {
                let Form::Given { eval } = &builtin.form else {
                    return Val::Missing;
                };
                let value;
                let given = match &**arg {
                    Op::Member(object, member @ Member::Field(_)) => {
                        let object = self.eval_op(object, frame);
                        value = self.member(&object, member);
                        if matches!(value, Val::Missing) {
                            self.note_filler(&object, member);
                        }
                        if matches!(value, Val::Missing) && self.is_unusable(&object, member) {
                            Given::Unusable
                        } else {
                            Given::Value(&value)
                        }
                    }
                    other => {
                        value = self.asking_about(other, frame);
                        Given::Value(&value)
                    }
                };
                Val::Bool(eval(given))
            }
            Op::Define(index, args) => {
                let define = &self.defines[*index as usize];
                let mut slots = self.lend();
                slots.resize(define.slots as usize, Val::Missing);
                for (i, arg) in args.iter().enumerate() {
                    slots[i] = self.eval_op(arg, frame);
                }
                let key = memo_key(*index, &slots[..args.len()]);
                if let Some(key) = key
                    && let Some(remembered) = self.define_results.borrow().get(&key)
                {
                    self.give_back(slots);
                    if remembered.uncertain {
                        self.uncertain.set(true);
                    }
                    self.replay_absent(&remembered.absent);
                    return remembered.value.clone();
                }
                // The long lists of the key, to keep alive with the result.
                let args_kept: Vec<Val<'a>> = match key {
                    Some((_, places)) if places.iter().any(|p| matches!(p, ArgKey::List(_))) => {
                        slots[..args.len()].to_vec()
                    }
                    _ => Vec::new(),
                };
                let mut inner = Frame {
                    slots,
                    lets: &[],
                    let_values: Vec::new(),
                };
                let before = self.uncertain.take();
                let filler_reads = self.filler_reads.get();
                // The fields the body finds absent are the definition's,
                // whoever calls it and whether or not it asks about them:
                // gathered apart, then given to the caller as a remembered
                // result gives them.
                let outer_absent = self.absent.take();
                let outer_asking = self.asking.replace(0);
                let value = self.eval_op(&define.body, &mut inner);
                self.asking.set(outer_asking);
                let absent = self.absent.replace(outer_absent);
                self.replay_absent(&absent);
                let uncertain = self.uncertain.get();
                self.uncertain.set(before || uncertain);
                self.give_back(inner.slots);
                // A result that a calendar could not answer for is not kept:
                // each binding that needs it must say so.
                if let Some(key) = key
                    && !self.out_of_fuel()
                    && self.outside_calendar.get().is_none()
                    && self.filler_reads.get() == filler_reads
                {
                    let mut results = self.define_results.borrow_mut();
                    // A list is counted once however many results share it
                    // (a closure shared by a whole cluster): the results
                    // keep it alive, so its address is not reused.
                    let items = match &value {
                        Val::List(items)
                            if self
                                .define_counted
                                .borrow_mut()
                                .insert(Arc::as_ptr(items).cast::<u8>() as usize) =>
                        {
                            items.len()
                        }
                        _ => 0,
                    };
                    if results.len() >= DEFINE_RESULTS
                        || self.define_items.get() + items > DEFINE_ITEMS
                    {
                        results.clear();
                        self.define_lists.borrow_mut().clear();
                        self.define_counted.borrow_mut().clear();
                        self.define_items.set(0);
                    }
                    self.define_items.set(self.define_items.get() + items);
                    for arg in &args_kept {
                        if let Val::List(list) = arg
                            && list.len() > 2
                        {
                            self.define_lists.borrow_mut().push(Arc::clone(list));
                        }
                    }
                    results.insert(
                        key,
                        Remembered {
                            value: value.clone(),
                            uncertain,
                            absent,
                        },
                    );
                }
                value
            }
            Op::Not(operand) => match self.eval_op(operand, frame).truth() {
                Some(value) => Val::Bool(!value),
                None => Val::Missing,
            },
            Op::Neg(operand) => match self.eval_op(operand, frame).calendar() {
                Val::Number(n) => Val::Number(-n),
                Val::Percent(n) => Val::Percent(-n),
                Val::Money(n, annual) => Val::Money(-n, annual),
                Val::Duration(d) => Val::Duration(Duration {
                    months: -d.months,
                    days: -d.days,
                }),
                _ => Val::Missing,
            },
            // Kleene's logic: false and anything is false, true or
            // anything is true; otherwise `none` on either side is `none`.
            Op::And(left, right) => match self.eval_op(left, frame).truth() {
                Some(false) => Val::Bool(false),
                known => match (known, self.eval_op(right, frame).truth()) {
                    (_, Some(false)) => Val::Bool(false),
                    (Some(true), Some(true)) => Val::Bool(true),
                    _ => Val::Missing,
                },
            },
            Op::Or(left, right) => match self.eval_op(left, frame).truth() {
                Some(true) => Val::Bool(true),
                known => match (known, self.eval_op(right, frame).truth()) {
                    (_, Some(true)) => Val::Bool(true),
                    (Some(false), Some(false)) => Val::Bool(false),
                    _ => Val::Missing,
                },
            },
            Op::Coalesce(left, right) => match self.asking_about(left, frame) {
                Val::Missing => self.eval_op(right, frame),
                value => value,
            },
            Op::Binary(op, left, right) => {
                let left = self.eval_op(left, frame);
                let right = self.eval_op(right, frame);
                if *op == BinaryOp::Add
                    && let Some(length) = joined_length(&left, &right)
                    && !self.charge_for_length(length)
                {
                    return Val::Missing;
                }
                if let (BinaryOp::In | BinaryOp::NotIn, Val::Entity(id), Val::List(items)) =
                    (op, &left, &right)
                    && items.len() >= HASHED_MEMBERSHIP_FROM
                {
                    let found = self.list_has_entity(items, *id);
                    return Val::Bool(found == (*op == BinaryOp::In));
                }
                if !self.charge(scanned(*op, &left, &right)) {
                    return Val::Missing;
                }
                binary(*op, &left, &right)
            }
            Op::If(condition, then, otherwise) => match self.eval_op(condition, frame).truth() {
                Some(true) => self.eval_op(then, frame),
                Some(false) => self.eval_op(otherwise, frame),
                None => Val::Missing,
            },
        }
    }

    /// Runs a comprehension, calling `sink` with each element that passes
    /// the filter; `sink` returns whether to go on.
    fn iterate(
        &self,
        comprehension: &'a Comprehension,
        clause: usize,
        frame: &mut Frame<'a>,
        sink: &mut dyn FnMut(Val<'a>) -> bool,
    ) -> bool {
        let Some((slot, source)) = comprehension.clauses.get(clause) else {
            if let Some(filter) = &comprehension.filter {
                match self.eval_op(filter, frame).truth() {
                    Some(true) => {}
                    Some(false) => return true,
                    None => {
                        self.uncertain.set(true);
                        return true;
                    }
                }
            }
            let element = self.eval_op(&comprehension.element, frame);
            return sink(element);
        };
        let source = self.eval_op(source, frame);
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
}

/// How many items `left op right` reads: the list searched by `in`, or
/// the shorter of two lists compared.
fn scanned(op: BinaryOp, left: &Val<'_>, right: &Val<'_>) -> usize {
    match (op, left, right) {
        (BinaryOp::In | BinaryOp::NotIn, _, Val::List(items)) => items.len(),
        (_, Val::List(a), Val::List(b)) => a.len().min(b.len()),
        _ => 0,
    }
}

/// The items of an aggregate's list or generator, which its fold goes
/// through with [`Items::each`].
pub(crate) struct Items<'e, 'a> {
    pub(crate) evaluator: &'e Evaluator<'a>,
    pub(crate) comprehension: &'a Comprehension,
    pub(crate) frame: &'e mut Frame<'a>,
}

impl<'a> Items<'_, 'a> {
    /// Calls `sink` with each item in turn, until it returns false.
    pub(crate) fn each(&mut self, mut sink: impl FnMut(Val<'a>) -> bool) {
        self.evaluator
            .iterate(self.comprehension, 0, self.frame, &mut sink);
    }
}
