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
    /// Each with whether a filter met `none` computing it.
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

/// Definitions' results by definition and arguments, each with whether a
/// filter met `none` computing it.
type DefineResults<'a> = FxHashMap<(u32, [ArgKey; 2]), (Val<'a>, bool)>;

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

    /// Whether `today()` has been evaluated.
    pub fn read_today(&self) -> bool {
        self.read_today.get()
    }

    /// The run's date, noting that it was read.
    pub(crate) fn today(&self) -> Option<Date> {
        self.read_today.set(true);
        self.today
    }

    /// The calendar, if any.
    pub(crate) fn calendar(&self) -> Option<&'a Calendar> {
        self.calendar
    }

    /// Notes a date the calendar does not cover (the first one is kept).
    pub(crate) fn note_outside_calendar(&self, date: Date) {
        if self.outside_calendar.get().is_none() {
            self.outside_calendar.set(Some(date));
        }
    }

    /// The first date a calendar function could not answer for since the
    /// last call, and forgets it: a binding whose judgement needed it was
    /// not assessed.
    pub fn take_outside_calendar(&self) -> Option<Date> {
        self.outside_calendar.take()
    }

    /// Notes that a list was decided with a `none` in it.
    pub(crate) fn mark_uncertain(&self) {
        self.uncertain.set(true);
    }

    /// Whether a filter met `none` since the last call (see the field).
    pub fn take_uncertain(&self) -> bool {
        self.uncertain.take()
    }

    /// The fields read and found `none` since the last call, each with
    /// whether it was written with a value that could not be used.
    pub fn take_absent(&self) -> Vec<(Holder, FieldId, bool)> {
        self.absent.take()
    }

    /// The fields written with filler read since the last call, with
    /// where each is written.
    pub fn take_filler(&self) -> Vec<(Holder, FieldId, Span)> {
        self.filler
            .take()
            .into_iter()
            .filter_map(|(holder, field)| {
                let span = self.model.filler_at(holder, field)?;
                Some((holder, field, span))
            })
            .collect()
    }

    /// Notes a read of `object`'s field `member`, found `none`, if it was
    /// written with filler: asked about or not, a rule that read it
    /// cannot be sure of what it decided.
    fn note_filler(&self, object: &Val<'a>, member: &Member) {
        if let Some((holder, field)) = self.field_id(object, member) {
            self.note_filler_field(holder, field);
        }
    }

    /// Notes a read of `holder`'s `field`, if it was written with filler.
    pub(crate) fn note_filler_field(&self, holder: Holder, field: FieldId) {
        if self.model.filler_at(holder, field).is_none() {
            return;
        }
        self.filler_reads.set(self.filler_reads.get() + 1);
        let mut filler = self.filler.borrow_mut();
        if filler.len() < MAX_ABSENT && !filler.contains(&(holder, field)) {
            filler.push((holder, field));
        }
    }

    /// Notes that `object`'s field `member` was read and is not written.
    fn note_absent(&self, object: &Val<'a>, member: &Member) {
        if self.asking.get() > 0 {
            return;
        }
        let Some((holder, field)) = self.field_id(object, member) else {
            return;
        };
        // Written with filler: named as such (see `take_filler`).
        if self.model.filler_at(holder, field).is_some() {
            return;
        }
        // Written, but with a value that could not be used, or naming
        // nothing: not a field left out.
        let unusable =
            self.model.is_unusable(holder, field) || self.field_of(object, member).is_some();
        let mut absent = self.absent.borrow_mut();
        if absent.len() < MAX_ABSENT && !absent.iter().any(|&(h, f, _)| (h, f) == (holder, field)) {
            absent.push((holder, field, unusable));
        }
    }

    /// Evaluates `op` as asking whether a value is given: an absent field
    /// there is not a gap.
    fn asking_about(&self, op: &'a Op, frame: &mut Frame<'a>) -> Val<'a> {
        self.asking.set(self.asking.get() + 1);
        let value = self.eval_op(op, frame);
        self.asking.set(self.asking.get() - 1);
        value
    }

    /// The model evaluated over.
    pub fn model(&self) -> &'a Model<'a> {
        self.model
    }

    /// The vocabulary the model was typed by.
    pub fn vocabulary(&self) -> &'a Vocabulary {
        self.vocabulary
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
    /// The closure of `start` when every start entity has one remembered
    /// and they are all the same list.
    fn shared_closure(&self, step: usize, start: &Val<'a>) -> Option<Val<'a>> {
        let closures = self.closures.borrow();
        let mut found: Option<&Arc<[Val<'a>]>> = None;
        let mut same = true;
        let mut any = false;
        for_each_entity(start, &mut |id| {
            any = true;
            match (closures.get(&(step, id)), found) {
                (Some(list), None) => found = Some(list),
                (Some(list), Some(first)) if Arc::ptr_eq(list, first) => {}
                _ => same = false,
            }
        });
        (any && same).then(|| found.map(|list| Val::List(Arc::clone(list))))?
    }

    /// Remembers `reached`, the closure of `start`, as the closure of each
    /// entity that reaches every start entity along `edges` (each step
    /// taken): its closure is exactly `reached`.
    fn remember_closure(
        &self,
        step: usize,
        start: &Val<'a>,
        reached: &Val<'a>,
        edges: &[(EntityId, EntityId)],
    ) {
        const MAX_STARTS: usize = 4;
        const MAX_REMEMBERED: usize = 1 << 20;
        let Val::List(list) = reached else {
            return;
        };
        let mut starts: Vec<EntityId> = Vec::new();
        for_each_entity(start, &mut |id| {
            // Past the most remembered, no more is looked at: a search of
            // every start so far for each was quadratic in a long start.
            if starts.len() <= MAX_STARTS && !starts.contains(&id) {
                starts.push(id);
            }
        });
        if starts.is_empty() || starts.len() > MAX_STARTS {
            return;
        }
        let mut back: FxHashMap<EntityId, Vec<EntityId>> = FxHashMap::default();
        for (from, to) in edges {
            back.entry(*to).or_default().push(*from);
        }
        // How many start entities each entity reaches, by walking back.
        let mut reaches: FxHashMap<EntityId, usize> = FxHashMap::default();
        for &target in &starts {
            let mut seen: FxHashSet<EntityId> = FxHashSet::default();
            let mut queue = vec![target];
            seen.insert(target);
            while let Some(at) = queue.pop() {
                *reaches.entry(at).or_insert(0) += 1;
                for &from in back.get(&at).map_or(&[][..], Vec::as_slice) {
                    if seen.insert(from) {
                        queue.push(from);
                    }
                }
            }
        }
        let mut closures = self.closures.borrow_mut();
        if closures.len() + reaches.len() > MAX_REMEMBERED {
            closures.clear();
        }
        for (id, count) in reaches {
            if count == starts.len() {
                closures.insert((step, id), Arc::clone(list));
            }
        }
    }

    pub(crate) fn build_list(&self, fill: impl FnOnce(&mut Vec<Val<'a>>)) -> Val<'a> {
        let mut items = self.lend();
        fill(&mut items);
        let list = if items.is_empty() {
            Arc::clone(&self.empty)
        } else {
            // A drain knows its length: the `Arc` is allocated once, exactly.
            items.drain(..).collect()
        };
        self.give_back(items);
        Val::List(list)
    }

    /// The empty list.
    pub(crate) fn empty_list(&self) -> Val<'a> {
        Val::List(Arc::clone(&self.empty))
    }

    /// Sets the steps left.
    pub fn refuel(&self, fuel: u64) {
        self.fuel.set(fuel);
        self.exhausted.set(false);
        self.oversized.set(None);
    }

    /// The longest list (in items) or text (in bytes) one value may be:
    /// enough for every entity and edge of the model several times over,
    /// and far below what would exhaust memory.
    pub fn max_value(&self) -> usize {
        self.max_value
    }

    /// If evaluation stopped because a value would have been longer than
    /// [`Evaluator::max_value`], how long it would have been.
    pub fn oversized(&self) -> Option<usize> {
        self.oversized.get()
    }

    /// Charges for building a list or text of `length`: a step per item
    /// (joining two lists is not one step however long they are), and a
    /// stop if the value would be longer than the limit. False if
    /// evaluation must stop.
    fn charge_for_length(&self, length: usize) -> bool {
        if length > self.max_value {
            self.oversized.set(Some(length));
            self.fuel.set(0);
            self.exhausted.set(true);
            return false;
        }
        self.spend(length);
        true
    }

    /// Spends a step for each of `steps` items a scan reads (a search of a
    /// list, one list compared with another); false, and the evaluator out
    /// of fuel, if that is more than is left. A scan of a list built
    /// within the budget costs the budget again each time: a search in a
    /// loop over the same list is quadratic, and must stop with the rest.
    pub(crate) fn charge(&self, steps: usize) -> bool {
        let left = self.fuel.get();
        match left.checked_sub(steps as u64) {
            Some(rest) => {
                self.fuel.set(rest);
                true
            }
            None => {
                self.fuel.set(0);
                self.exhausted.set(true);
                false
            }
        }
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
                    && let Some((value, uncertain)) = self.define_results.borrow().get(&key)
                {
                    self.give_back(slots);
                    if *uncertain {
                        self.uncertain.set(true);
                    }
                    return value.clone();
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
                let value = self.eval_op(&define.body, &mut inner);
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
                    results.insert(key, (value.clone(), uncertain));
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

    /// Whether the long list `items` holds the entity `id`, through a set
    /// of its entities built on the first search (one step per item, once).
    fn list_has_entity(&self, items: &Arc<[Val<'a>]>, id: EntityId) -> bool {
        let key = Arc::as_ptr(items).cast::<()>() as usize;
        let mut sets = self.member_sets.borrow_mut();
        if !sets.contains_key(&key) {
            if sets.len() >= CACHE_ENTRIES {
                sets.clear();
            }
            self.spend(items.len());
            let entities = items
                .iter()
                .filter_map(|item| match item {
                    Val::Entity(e) => Some(*e),
                    _ => None,
                })
                .collect();
            sets.insert(key, (Arc::clone(items), entities));
        }
        sets.get(&key).is_some_and(|(_, set)| set.contains(&id))
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

    /// The value of `object.member`.
    fn member(&self, object: &Val<'a>, member: &Member) -> Val<'a> {
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
                .and_then(|r| r.qualifier())
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

    /// Whether the field `member` of `object` was written with a value
    /// that could not be used.
    fn is_unusable(&self, object: &Val<'a>, member: &Member) -> bool {
        self.field_id(object, member)
            .is_some_and(|(holder, field)| self.model.is_unusable(holder, field))
    }

    /// The field `member` of `object` names, and whose it is.
    fn field_id(&self, object: &Val<'a>, member: &Member) -> Option<(Holder, FieldId)> {
        let Member::Field(lookup) = member else {
            return None;
        };
        match object {
            Val::Entity(id) => {
                let ty = self.model.entity(*id).ty;
                lookup
                    .entity
                    .get(ty.0 as usize)
                    .copied()
                    .flatten()
                    .map(|field| (Holder::Entity(*id), field))
            }
            Val::Section(section) => lookup
                .section
                .get(section.0 as usize)
                .copied()
                .flatten()
                .map(|field| (Holder::Section(*section), field)),
            _ => None,
        }
    }

    pub(crate) fn field_of(
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
            Value::Words(words) => {
                self.build_list(|items| items.extend(words.iter().map(|w| Val::Word(w, None))))
            }
            Value::Refs(references) => {
                let references = self.model.references(references);
                let many = field.is_some_and(|f| {
                    matches!(&self.vocabulary.field(f).ty, assure_vocab::ValueType::Ref(r) if r.many)
                });
                if many {
                    self.build_list(|targets| {
                        targets.extend(
                            references
                                .iter()
                                .filter_map(|r| r.target().map(Val::Entity)),
                        );
                    })
                } else {
                    references
                        .iter()
                        .find_map(|r| r.target())
                        .map_or(Val::Missing, Val::Entity)
                }
            }
        }
    }

    /// Where a place expression points, if anywhere: a field's value, a
    /// name, a heading, a link's reference, the first of a list of these.
    pub fn place(&self, code: &'a Code, frame: &mut Frame<'a>) -> Option<Span> {
        self.place_op(&code.0, frame)
    }

    fn place_op(&self, op: &'a Op, frame: &mut Frame<'a>) -> Option<Span> {
        match op {
            Op::Member(object, member @ Member::Field(_)) => {
                let object = self.eval_op(object, frame);
                self.field_of(&object, member)
                    .map(|f| f.value_span)
                    .or_else(|| {
                        // Written with a value that could not be used, or
                        // with filler: there.
                        let (holder, field) = self.field_id(&object, member)?;
                        self.model
                            .unusable_at(holder, field)
                            .or_else(|| self.model.filler_at(holder, field))
                    })
            }
            Op::Member(object, Member::Kind) => match self.eval_op(object, frame) {
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
            Op::Member(object, Member::Name) => match self.eval_op(object, frame) {
                Val::Entity(id) => Some(self.model.entity(id).name_span),
                _ => None,
            },
            Op::Member(object, Member::Date) => {
                if let Op::Member(owner, member @ Member::Field(_)) = object.as_ref() {
                    let owner = self.eval_op(owner, frame);
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
                    self.place_op(object, frame)
                }
            }
            Op::Call(builtin, args) => match &builtin.form {
                Form::Place { place, .. } => place(self, args, frame),
                _ => {
                    let value = self.eval_op(op, frame);
                    self.place_of_value(&value)
                }
            },
            Op::Coalesce(left, right) => match self.place_op(left, frame) {
                Some(span) => Some(span),
                None => self.place_op(right, frame),
            },
            Op::If(condition, then, otherwise) => {
                if self.eval_op(condition, frame).truthy() {
                    self.place_op(then, frame)
                } else {
                    self.place_op(otherwise, frame)
                }
            }
            other => {
                let value = self.eval_op(other, frame);
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

    /// [`Evaluator::display`] for a message: a long list shows its first
    /// items and how many more, so that a message stays readable and its
    /// length bounded however many entities a rule reaches (a conflict
    /// across a cluster of thousands named every one of them).
    fn display_in_message(&self, value: &Val<'_>) -> String {
        match value {
            Val::List(items) if items.len() > MESSAGE_ITEMS => {
                let shown: Vec<String> = items[..MESSAGE_ITEMS - 1]
                    .iter()
                    .map(|item| self.display(item))
                    .collect();
                let more = items.len() - (MESSAGE_ITEMS - 1);
                format!(
                    "{} and {} more",
                    shown.join(", "),
                    assure_model::value::format_number(Decimal::from(more))
                )
            }
            other => self.display(other),
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
            Val::Money(pence, annual) => crate::value::money_text(*pence, *annual),
            Val::Duration(d) => d.to_string(),
            // As the value writes itself: a range, if an end lacks its day.
            Val::Elapsed(..) | Val::Date(_) => value.to_string(),
            Val::Text(t) | Val::Word(t, _) => (*t).to_owned(),
            Val::Owned(t) => t.to_string(),
            Val::Entity(id) => self.model.entity(*id).name.to_string(),
            Val::Section(section) => self.vocabulary.section(*section).id.clone(),
            Val::Edge(edge) => {
                let target = self.model.entity_at(edge.to);
                target.map_or_else(String::new, |id| self.model.entity(id).name.to_string())
            }
            Val::List(items) => {
                if items.is_empty() {
                    return "none".to_owned();
                }
                let parts: Vec<String> = items.iter().map(|item| self.display(item)).collect();
                assure_diagnostic::english_list(&parts)
            }
        }
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
