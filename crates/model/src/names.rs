//! The index of entity names: names folded (case, white space) to
//! entities, without a copy of any name.
//!
//! A proposal of a million entities is looked up in over a million times,
//! so the table holds no name, only 16 bytes an entity: part of the hash,
//! the id and where the name is in the source. A candidate is compared with
//! the source only when the hashes agree, and read there directly, not
//! through its entity: one cache miss fewer a lookup in a large proposal.

use crate::{Entity, EntityId};
use assure_vocab::fold_into;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Entity names, folded, to the first entity of each name.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    table: HashTable<Slot>,
    /// Whether any name ends in `)`.
    any_ends_in_parenthesis: bool,
}

/// One entity's entry.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The high half of the folded name's hash (the table places entries
    /// by the low bits): most candidates that are not the name fail here.
    tag: u32,
    id: EntityId,
    /// The name's span in the source.
    start: u32,
    end: u32,
}

impl Slot {
    fn name<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start as usize..self.end as usize]
    }
}

fn tag(hash: u64) -> u32 {
    (hash >> 32) as u32
}

impl NameIndex {
    /// Indexes `entities`, whose names are spans of `source`, in order. A name given twice keeps its first
    /// entity; each later one is returned with that first, in order.
    pub(crate) fn new(
        source: &str,
        entities: &[Entity<'_>],
    ) -> (NameIndex, Vec<(EntityId, EntityId)>) {
        // Folding and hashing every name is most of the work and needs no
        // table: done in blocks, on every core for a large proposal.
        let blocks: Vec<&[Entity<'_>]> = entities.chunks(HASH_BLOCK).collect();
        let threads = crate::parallel::threads_for(entities.len(), HASH_BLOCK);
        let hashed = crate::parallel::map_in_order(&blocks, threads, |block| {
            let mut folded = String::new();
            block
                .iter()
                .map(|entity| {
                    fold_into(entity.name, &mut folded);
                    (hash(&folded), folded.ends_with(')'))
                })
                .collect::<Vec<_>>()
        });
        let mut index = NameIndex {
            table: HashTable::with_capacity(entities.len()),
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
            let first = index.find(hash, source, |name| {
                folds_to(name, &assure_vocab::fold(entity.name))
            });
            match first {
                Some(first) => twice.push((id, first)),
                None => {
                    let slot = Slot {
                        tag: tag(hash),
                        id,
                        start: entity.name_span.start,
                        end: entity.name_span.end,
                    };
                    // Sized for every entity, the table never grows; were it
                    // to, each entry's hash is worked out again.
                    index.table.insert_unique(hash, slot, |slot| {
                        self::hash(&assure_vocab::fold(slot.name(source)))
                    });
                }
            }
        }
        (index, twice)
    }

    /// The entity whose folded name is `folded`; `source` is the text the
    /// index was made from.
    pub(crate) fn get(&self, folded: &str, source: &str) -> Option<EntityId> {
        self.find(hash(folded), source, |name| folds_to(name, folded))
    }

    /// Whether any entity's name ends in `)`.
    pub(crate) fn any_ends_in_parenthesis(&self) -> bool {
        self.any_ends_in_parenthesis
    }

    /// The entity with this `hash` whose name is `same` as the one sought.
    fn find(&self, hash: u64, source: &str, same: impl Fn(&str) -> bool) -> Option<EntityId> {
        let tag = tag(hash);
        self.table
            .find(hash, |slot| slot.tag == tag && same(slot.name(source)))
            .map(|slot| slot.id)
    }
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
            let mut chars = folded.chars();
            for c in word.chars().flat_map(char::to_lowercase) {
                if chars.next() != Some(c) {
                    return false;
                }
            }
            folded = chars.as_str();
        }
    }
    folded.is_empty()
}

#[cfg(test)]
mod tests {
    use super::folds_to;
    use assure_vocab::fold;

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
