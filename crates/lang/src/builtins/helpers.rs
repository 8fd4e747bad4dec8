//! What the built-ins share: dates and their parts in the calendar, the
//! typing of aggregates, and the walks of the graph (links, referrers,
//! closures) and of lists (unique, intersects, extremes).

use super::*;

/// The days of the week, Monday first.
/// The year the financial year (April to March) holding `date` starts in.
pub(super) fn financial_year_start(date: assure_model::Date) -> i32 {
    if date.month >= 4 {
        date.year
    } else {
        date.year - 1
    }
}

pub(super) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Money, total or annual.
pub(super) const ANY_MONEY: [Ty; 3] = [
    Ty::Money(Per::Total),
    Ty::Money(Per::Either),
    Ty::Money(Per::Annual),
];

/// A number read off a date.
pub(super) fn date_part(args: &mut Args<'_, '_>) -> Ty {
    args.expect(0, &[Ty::Date], "a date");
    Ty::Number
}

/// What `ask` answers in the evaluator's calendar; `None`, with the date
/// noted, when the calendar does not cover a date (or there is none).
pub(super) fn in_calendar<T>(
    evaluator: &Evaluator<'_>,
    ask: impl FnOnce(&crate::Calendar) -> Result<T, assure_model::Date>,
) -> Option<T> {
    let calendar = evaluator.calendar()?;
    match ask(calendar) {
        Ok(answer) => Some(answer),
        Err(outside) => {
            evaluator.note_outside_calendar(outside);
            None
        }
    }
}

/// Words read off a date.
pub(super) fn date_text(args: &mut Args<'_, '_>) -> Ty {
    args.expect(0, &[Ty::Date], "a date");
    Ty::Text
}

pub(super) fn truth_of_each(typing: &mut Typing<'_>, given: &Aggregated) -> Ty {
    if given.generator {
        let what = format!("each element of `{}`", given.name);
        typing.expect_bool(&given.item, given.span, &what);
    }
    Ty::Bool
}

pub(super) fn ordered_items(typing: &mut Typing<'_>, given: &Aggregated) -> Ty {
    if !check::ordered(&given.item) {
        let message = format!("{} has no order", typing.describe(&given.item));
        typing.fail(given.span, message, None);
    }
    given.item.clone()
}

pub(super) fn extreme<'a>(items: &mut Items<'_, 'a>, wanted: Ordering) -> Val<'a> {
    let mut best = Val::Missing;
    let mut unknown = false;
    items.each(|v| {
        if matches!(v, Val::Missing) {
            unknown = true;
            return false;
        }
        if matches!(best, Val::Missing) || compare(&v, &best) == Some(wanted) {
            best = v;
        }
        true
    });
    if unknown { Val::Missing } else { best }
}

pub(super) fn unique<'a>(ev: &Evaluator<'a>, args: &mut [Val<'a>]) -> Val<'a> {
    match std::mem::take(&mut args[0]) {
        Val::List(items) => {
            // Entities and texts are kept distinct by hashing; other values
            // (numbers, money, dates, which compare across their kinds) by
            // a scan of the others kept, charged as read.
            let mut distinct = Distinct::default();
            let mut texts: FxHashSet<&str> = FxHashSet::default();
            let mut others: Vec<usize> = Vec::new();
            ev.build_list(|kept| {
                for item in items.iter() {
                    let new = match item {
                        Val::Entity(id) => distinct.insert(kept, *id),
                        other => match other.text() {
                            Some(text) => texts.insert(text),
                            None => {
                                if !ev.charge(others.len()) {
                                    return;
                                }
                                let new = !others.iter().any(|&k| equal(&kept[k], other));
                                if new {
                                    others.push(kept.len());
                                }
                                new
                            }
                        },
                    };
                    if new {
                        kept.push(item.clone());
                    }
                }
            })
        }
        other => other,
    }
}

pub(super) fn intersects<'a>(ev: &Evaluator<'a>, args: &mut [Val<'a>]) -> Val<'a> {
    match (&args[0], &args[1]) {
        (Val::List(a), Val::List(b)) => {
            let entities: FxHashSet<EntityId> = a
                .iter()
                .filter_map(|v| match v {
                    Val::Entity(id) => Some(*id),
                    _ => None,
                })
                .collect();
            if !ev.charge(a.len()) {
                return Val::Missing;
            }
            Val::Bool(b.iter().any(|y| match y {
                Val::Entity(id) => entities.contains(id),
                // Compared with every item of `a`: charged as read.
                other => ev.charge(a.len()) && a.iter().any(|x| equal(x, other)),
            }))
        }
        _ => Val::Bool(false),
    }
}

pub(super) fn links<'a>(
    ev: &Evaluator<'a>,
    node: NodeIndex,
    fields: &[FieldId],
    forward: bool,
) -> Val<'a> {
    // Its own fields written with filler are read as no links: a rule
    // that meets one cannot pass on that account.
    if forward && let Some(id) = ev.model.entity_at(node) {
        for field in fields {
            ev.note_filler_field(assure_model::Holder::Entity(id), *field);
        }
    }
    ev.build_list(|edges| {
        for field in fields {
            let links = if forward {
                ev.model.links().outgoing(node, *field)
            } else {
                ev.model.links().incoming(node, *field)
            };
            for entry in links {
                let (from, to) = if forward {
                    (node, entry.other)
                } else {
                    (entry.other, node)
                };
                edges.push(Val::Edge(value::GraphEdge {
                    edge: entry.edge,
                    from,
                    to,
                }));
            }
        }
    })
}

pub(super) fn referrers<'a>(ev: &Evaluator<'a>, node: NodeIndex, fields: &[FieldId]) -> Val<'a> {
    let mut distinct = Distinct::default();
    ev.build_list(|referrers| {
        for field in fields {
            for entry in ev.model.links().incoming(node, *field) {
                if let Some(id) = ev.model.entity_at(entry.other)
                    && distinct.insert(referrers, id)
                {
                    referrers.push(Val::Entity(id));
                }
            }
        }
    })
}

pub(super) fn closure<'a>(
    ev: &Evaluator<'a>,
    start: &Val<'a>,
    step: &mut dyn FnMut(EntityId) -> Val<'a>,
) -> Val<'a> {
    let mut distinct = Distinct::default();
    ev.build_list(|reached| {
        let mut visit = |id, reached: &mut Vec<Val<'a>>| {
            if distinct.insert(reached, id) {
                reached.push(Val::Entity(id));
            }
        };
        for_each_entity(start, &mut |id| visit(id, reached));
        // Breadth first: the entities reached are the queue.
        let mut next = 0;
        while let Some(&Val::Entity(id)) = reached.get(next) {
            next += 1;
            if ev.out_of_fuel() {
                break;
            }
            let more = step(id);
            for_each_entity(&more, &mut |id| visit(id, reached));
        }
        // In the order the entities are written: the same list whichever
        // of them the walk started from, so that it can be shared.
        reached.sort_unstable_by_key(|item| match item {
            Val::Entity(id) => id.0,
            _ => u32::MAX,
        });
    })
}

pub(crate) fn for_each_entity(value: &Val<'_>, visit: &mut dyn FnMut(EntityId)) {
    match value {
        Val::Entity(id) => visit(*id),
        Val::List(items) => items.iter().for_each(|item| for_each_entity(item, visit)),
        _ => {}
    }
}
