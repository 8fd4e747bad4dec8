//! The index of entity names: names folded (case, white space) to
//! entities, without a copy of any name.
//!
//! A proposal of a million entities is looked up in over a million times,
//! at random, so each lookup is a few cache misses and little else: the
//! table is one array of 16-byte slots probed in place (no separate control
//! bytes to miss on first), and a slot holds what a lookup needs: part of
//! the hash, the id, the entity's type and where the name is in the source.
//! A candidate is compared with the source only when the hashes agree, and
//! read there directly, not through its entity. A reference therefore
//! costs two misses (its slot, the name it is compared with), not four.

use crate::{Entity, EntityId};
use assure_vocab::{EntityTypeId, fold_into};
use std::hash::BuildHasher;

/// Entity names, folded, to the first entity of each name.
#[derive(Debug, Clone)]
pub(crate) struct NameIndex {
    /// A power of two in length, at most half full; probed linearly from
    /// the slot the hash's top bits choose.
    slots: Vec<Slot>,
    /// 64 less the number of bits that choose a slot.
    shift: u32,
    /// Whether any name ends in `)`.
    any_ends_in_parenthesis: bool,
}

/// One entity's entry, or an empty one.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// Bits of the folded name's hash that did not choose the slot: most
    /// candidates that are not the name fail here.
    tag: u16,
    /// The entity's type, or [`Slot::TYPE_UNKNOWN`] for a vocabulary of
    /// more types than fit (the entity is then read for it).
    ty: u16,
    /// The entity, or [`Slot::EMPTY`].
    id: u32,
    /// The name's span in the source.
    start: u32,
    end: u32,
}

impl Slot {
    const EMPTY: u32 = u32::MAX;
    const TYPE_UNKNOWN: u16 = u16::MAX;
    const VACANT: Slot = Slot {
        tag: 0,
        ty: 0,
        id: Slot::EMPTY,
        start: 0,
        end: 0,
    };

    fn name<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start as usize..self.end as usize]
    }
}

/// An entity found by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Named {
    pub(crate) id: EntityId,
    pub(crate) ty: EntityTypeId,
}

impl NameIndex {
    /// Indexes `entities`, whose names are spans of `source`, in order. A
    /// name given twice keeps its first entity; each later one is returned
    /// with that first, in order.
    pub(crate) fn new(
        source: &str,
        entities: &[Entity<'_>],
    ) -> (NameIndex, Vec<(EntityId, EntityId)>) {
        // Folding and hashing every name is most of the work and needs no
        // table: done in blocks, on every core for a large proposal.
        let blocks: Vec<&[Entity<'_>]> = entities.chunks(HASH_BLOCK).collect();
        let threads = assure_stdx::parallel::threads_for(entities.len(), HASH_BLOCK);
        let hashed = assure_stdx::parallel::map_in_order(&blocks, threads, |block| {
            let mut folded = String::new();
            block
                .iter()
                .map(|entity| {
                    fold_into(entity.name, &mut folded);
                    (hash(&folded), folded.ends_with(')'))
                })
                .collect::<Vec<_>>()
        });
        // At most half full, so that a probe ends soon on an empty slot.
        let bits = (entities.len().max(8) * 2)
            .next_power_of_two()
            .trailing_zeros();
        let mut index = NameIndex {
            slots: vec![Slot::VACANT; 1 << bits],
            shift: 64 - bits,
            any_ends_in_parenthesis: false,
        };
        let mut twice = Vec::new();
        let hashed = hashed.iter().flatten();
        for (position, (entity, &(hash, ends_in_parenthesis))) in
            entities.iter().zip(hashed).enumerate()
        {
            let id = EntityId(position as u32);
            index.any_ends_in_parenthesis |= ends_in_parenthesis;
            // Folded only on a hash match, which is rare but for a name
            // given twice.
            let (slot, found) = index.probe(hash, source, |name| {
                folds_to(name, &assure_vocab::fold(entity.name))
            });
            match found {
                Some(first) => twice.push((id, EntityId(first.id))),
                None => {
                    index.slots[slot] = Slot {
                        tag: tag(hash),
                        // A type of exactly `TYPE_UNKNOWN` reads as unknown
                        // too, and is read from the entity: still right.
                        ty: u16::try_from(entity.ty.0).unwrap_or(Slot::TYPE_UNKNOWN),
                        id: id.0,
                        start: entity.name_span.start,
                        end: entity.name_span.end,
                    };
                }
            }
        }
        (index, twice)
    }

    /// The entity whose folded name is `folded`; `source` is the text the
    /// index was made from, `entities` its entities (read only for a type
    /// the slot could not hold).
    pub(crate) fn get(&self, folded: &str, source: &str, entities: &[Entity<'_>]) -> Option<Named> {
        let (_, slot) = self.probe(hash(folded), source, |name| folds_to(name, folded));
        let slot = slot?;
        let id = EntityId(slot.id);
        let ty = match slot.ty {
            Slot::TYPE_UNKNOWN => entities[id.0 as usize].ty,
            ty => EntityTypeId(u32::from(ty)),
        };
        Some(Named { id, ty })
    }

    /// Whether any entity's name ends in `)`.
    pub(crate) fn any_ends_in_parenthesis(&self) -> bool {
        self.any_ends_in_parenthesis
    }

    /// The slot holding the entity with this `hash` whose name is `same` as
    /// the one sought, or else the empty slot where it would go.
    fn probe(
        &self,
        hash: u64,
        source: &str,
        same: impl Fn(&str) -> bool,
    ) -> (usize, Option<&Slot>) {
        let mask = self.slots.len() - 1;
        let tag = tag(hash);
        // The top bits of a multiplication mix every bit of the hash.
        let mut at = (hash.wrapping_mul(MIX) >> self.shift) as usize;
        loop {
            let slot = &self.slots[at];
            if slot.id == Slot::EMPTY {
                return (at, None);
            }
            if slot.tag == tag && same(slot.name(source)) {
                return (at, Some(slot));
            }
            // At most half full: an empty slot is always ahead.
            at = (at + 1) & mask;
        }
    }
}

/// An odd constant whose bits are well spread (2^64 / the golden ratio).
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

fn tag(hash: u64) -> u16 {
    hash as u16
}

/// How many names one thread folds and hashes at a time.
const HASH_BLOCK: usize = 16_384;

fn hash(folded: &str) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(folded)
}

/// Whether `assure_vocab::fold(name) == folded`, without building the
/// folded name.
fn folds_to(name: &str, mut folded: &str) -> bool {
    for (position, word) in name.split_whitespace().enumerate() {
        if position > 0 {
            match folded.strip_prefix(' ') {
                Some(rest) => folded = rest,
                None => return false,
            }
        }
        if word.is_ascii() {
            let Some(prefix) = folded.as_bytes().get(..word.len()) else {
                return false;
            };
            if !prefix
                .iter()
                .zip(word.bytes())
                .all(|(&f, w)| f == w.to_ascii_lowercase())
            {
                return false;
            }
            // The prefix matched ASCII bytes, so it ends on a char boundary.
            folded = &folded[word.len()..];
        } else {
            // As `fold` does: curly quotes straight, the rest lower case.
            let mut chars = folded.chars();
            for c in word.chars() {
                match assure_vocab::straight_quote(c) {
                    Some(quote) => {
                        if chars.next() != Some(quote) {
                            return false;
                        }
                    }
                    None => {
                        for lower in c.to_lowercase() {
                            if chars.next() != Some(lower) {
                                return false;
                            }
                        }
                    }
                }
            }
            folded = chars.as_str();
        }
    }
    folded.is_empty()
}

#[cfg(test)]
mod tests {
    use super::{NameIndex, Named, folds_to};
    use crate::{Entity, EntityId, FieldSlot};
    use assure_diagnostic::Span;
    use assure_vocab::{EntityTypeId, fold};

    /// A source of one name a line, and an entity for each, of type
    /// `ty(position)`.
    fn named(names: &[String], ty: impl Fn(usize) -> u32) -> (String, Vec<(Span, u32)>) {
        let mut source = String::new();
        let mut entities = Vec::new();
        for (position, name) in names.iter().enumerate() {
            let start = source.len() as u32;
            source.push_str(name);
            entities.push((Span::new(start, source.len() as u32), ty(position)));
            source.push('\n');
        }
        (source, entities)
    }

    fn entities_in<'s>(source: &'s str, entities: &[(Span, u32)]) -> Vec<Entity<'s>> {
        entities
            .iter()
            .map(|&(span, ty)| Entity {
                name: span.text(source),
                heading: span,
                name_span: span,
                ty: EntityTypeId(ty),
                kind: None,
                fields: FieldSlot::NONE,
                prose: Vec::new(),
            })
            .collect()
    }

    fn index_of(source: &str, entities: &[Entity<'_>]) -> (NameIndex, Vec<(u32, u32)>) {
        let (index, twice) = NameIndex::new(source, entities);
        let twice = twice
            .iter()
            .map(|(later, first)| (later.0, first.0))
            .collect();
        (index, twice)
    }

    #[test]
    fn every_name_is_found_with_its_type_and_no_other_is() {
        let names: Vec<String> = (0..5_000).map(|i| format!("Practice {i}")).collect();
        let (source, entities) = named(&names, |i| (i % 7) as u32);
        let entities = entities_in(&source, &entities);
        let (index, twice) = index_of(&source, &entities);
        assert!(twice.is_empty());
        for (i, name) in names.iter().enumerate() {
            let folded = fold(&name.to_uppercase());
            let expected = Named {
                id: EntityId(i as u32),
                ty: EntityTypeId((i % 7) as u32),
            };
            assert_eq!(
                index.get(&folded, &source, &entities),
                Some(expected),
                "{name}"
            );
        }
        for missing in ["practice 5000", "practice", "", "practice  1x"] {
            assert_eq!(index.get(missing, &source, &entities), None, "{missing}");
        }
    }

    #[test]
    fn a_name_given_twice_keeps_its_first_entity() {
        let names: Vec<String> = ["A", "b", "a", "C", "B ", " c"]
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        let (source, entities) = named(&names, |_| 0);
        let entities = entities_in(&source, &entities);
        let (index, twice) = index_of(&source, &entities);
        assert_eq!(twice, vec![(2, 0), (4, 1), (5, 3)]);
        assert_eq!(
            index.get("c", &source, &entities).map(|n| n.id),
            Some(EntityId(3))
        );
    }

    #[test]
    fn a_type_too_large_for_a_slot_is_read_from_the_entity() {
        let names: Vec<String> = (0..20).map(|i| format!("Org {i}")).collect();
        let (source, entities) = named(&names, |i| if i % 2 == 0 { 70_000 } else { 65_535 });
        let entities = entities_in(&source, &entities);
        let (index, _) = index_of(&source, &entities);
        for i in 0..20 {
            let found = index.get(&format!("org {i}"), &source, &entities);
            let ty = if i % 2 == 0 { 70_000 } else { 65_535 };
            assert_eq!(found.map(|n| n.ty), Some(EntityTypeId(ty)));
        }
    }

    #[test]
    fn folds_to_agrees_with_fold() {
        let names = [
            "Dudley CCG",
            "  Dudley   ccg ",
            "DUDLEY\tCCG",
            "Shay Lane Medical Centre (Kelman)",
            "Ärztehaus Süd",
            "ÄRZTEHAUS  SÜD",
            "İstanbul Clinic",
            "St Mary’s Surgery",
            "St Mary's Surgery",
            "ST MARY‘S SURGERY",
            "The “Oaks” Practice",
            "",
            "A",
        ];
        for name in names {
            for other in names {
                let folded = fold(other);
                assert_eq!(
                    folds_to(name, &folded),
                    fold(name) == folded,
                    "{name:?} against {other:?}"
                );
            }
        }
    }
}
