//! The evaluator's running state: the date and calendar it judges by, the
//! fuel it burns and the lengths it allows, what a binding read that was
//! not there (absent fields, filler, `none` met by a filter), and the
//! vectors and closures it lends and remembers.

use super::*;

impl<'a> Evaluator<'a> {
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
    pub(super) fn note_filler(&self, object: &Val<'a>, member: &Member) {
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
    pub(super) fn note_absent(&self, object: &Val<'a>, member: &Member) {
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

    /// Notes the fields a definition found absent, as if read here.
    pub(super) fn replay_absent(&self, fields: &[(Holder, FieldId, bool)]) {
        if self.asking.get() > 0 || fields.is_empty() {
            return;
        }
        let mut absent = self.absent.borrow_mut();
        for &(holder, field, unusable) in fields {
            if absent.len() < MAX_ABSENT
                && !absent.iter().any(|&(h, f, _)| (h, f) == (holder, field))
            {
                absent.push((holder, field, unusable));
            }
        }
    }

    /// Evaluates `op` as asking whether a value is given: an absent field
    /// there is not a gap.
    pub(super) fn asking_about(&self, op: &'a Op, frame: &mut Frame<'a>) -> Val<'a> {
        self.asking.set(self.asking.get() + 1);
        let value = self.eval_op(op, frame);
        self.asking.set(self.asking.get() - 1);
        value
    }

    /// A vector to build in, from the spares.
    pub(super) fn lend(&self) -> Vec<Val<'a>> {
        self.spare.borrow_mut().pop().unwrap_or_default()
    }

    /// Takes back a vector lent, emptied.
    pub(super) fn give_back(&self, mut items: Vec<Val<'a>>) {
        items.clear();
        if items.capacity() <= SPARE_CAPACITY {
            self.spare.borrow_mut().push(items);
        }
    }

    /// The list `fill` writes, in a lent vector.
    /// The closure of `start` when every start entity has one remembered
    /// and they are all the same list.
    pub(super) fn shared_closure(&self, step: usize, start: &Val<'a>) -> Option<Val<'a>> {
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
    pub(super) fn remember_closure(
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
    pub(super) fn charge_for_length(&self, length: usize) -> bool {
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
    pub(super) fn burn(&self) -> bool {
        let left = self.fuel.get();
        if left == 0 {
            self.exhausted.set(true);
            return false;
        }
        self.fuel.set(left - 1);
        true
    }

    /// Whether the long list `items` holds the entity `id`, through a set
    /// of its entities built on the first search (one step per item, once).
    pub(super) fn list_has_entity(&self, items: &Arc<[Val<'a>]>, id: EntityId) -> bool {
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
    pub(super) fn burn_per_item(&self, list: &Val<'_>) {
        if let Val::List(items) = list {
            self.spend(items.len());
        }
    }

    /// Spends `steps` steps at once, for a list of that many items made
    /// without evaluating each.
    pub(super) fn spend(&self, steps: usize) {
        self.fuel.set(self.fuel.get().saturating_sub(steps as u64));
    }
}
