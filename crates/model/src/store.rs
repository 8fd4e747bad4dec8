//! Where a model's field values and reference items are kept: in chunks,
//! one per block of entities typed (and one for the sections), so that a
//! million entities' values are a few hundred allocations, not millions.
//!
//! An entity holds a [`FieldSlot`] (where its values are, with its first
//! field ids inline); a reference field's value holds a [`Refs`] (where its
//! items are). [`FieldValues`] is the view through a slot.

use crate::{FieldValue, Reference};
use assure_vocab::FieldId;

/// Where one field's reference items are among the model's
/// ([`Model::references`](crate::Model::references)): a proposal has millions of them, kept in a few
/// large vectors rather than one small one per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refs {
    chunk: u32,
    page: u32,
    start: u32,
    len: u32,
}

impl Refs {
    /// How many items there are.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items `pages[page][start..]`, the last pushed onto page `page`
    /// of chunk number `chunk`.
    pub(crate) fn of(chunk: usize, page: usize, start: usize, pages: &RefPages<'_>) -> Refs {
        Refs {
            chunk: chunk as u32,
            page: page as u32,
            start: start as u32,
            len: (pages[page].len() - start) as u32,
        }
    }
}

/// One chunk's reference items, in pages that never grow: a field's items
/// are all on one page, one started for them if the last has no room. A
/// vector grown by doubling instead left its old buffers to the allocator
/// (60 MB at the peak, at a million entities) and its slack to the model.
pub(crate) type RefPages<'a> = Vec<Vec<Reference<'a>>>;

/// How many items a page holds, unless one field has more.
pub(crate) const REF_PAGE: usize = 1_024;

/// Room on the last of `pages` for `items` more: the page and where they
/// start on it.
pub(crate) fn room_for(pages: &mut RefPages<'_>, items: usize) -> (usize, usize) {
    let fits = pages
        .last()
        .is_some_and(|page| page.capacity() - page.len() >= items);
    if !fits {
        pages.push(Vec::with_capacity(items.max(REF_PAGE)));
    }
    let page = pages.len() - 1;
    (page, pages[page].len())
}

/// The fields of one entity, section or the header, as given: a view of
/// the model's values ([`Model::fields`](crate::Model::fields), [`Model::section_fields`](crate::Model::section_fields)).
///
/// The first fields' ids are kept beside the values' place, inside the
/// entity: the rules look fields up on entities reached at random, and a
/// lookup that scanned the 56-byte values missed the cache on each one.
/// Now it reads the ids where the entity already is, and touches a value
/// only when it is the one sought.
#[derive(Clone, Copy)]
pub struct FieldValues<'m, 'a> {
    /// `values[i].field` for the first [`INLINE_IDS`] values, [`NO_ID`]
    /// past the end or for an id too large to hold (a vocabulary has a
    /// hundred fields or so; one extended past 254 still works, looking
    /// its later fields up the slow way).
    ids: [u8; INLINE_IDS],
    values: &'m [FieldValue<'a>],
}

/// How many field ids an entity holds inline.
const INLINE_IDS: usize = 8;
/// An inline id that matches no field.
const NO_ID: u8 = u8::MAX;

impl<'m, 'a> FieldValues<'m, 'a> {
    /// A view of `values`.
    pub fn new(values: &'m [FieldValue<'a>]) -> Self {
        FieldValues {
            ids: inline_ids(values),
            values,
        }
    }

    /// The value of `field`, if given.
    pub fn get(&self, field: FieldId) -> Option<&'m FieldValue<'a>> {
        if let Ok(id) = u8::try_from(field.0)
            && id != NO_ID
        {
            if let Some(at) = self.ids.iter().position(|&inline| inline == id) {
                return self.values.get(at);
            }
            // Every value has its id inline: the field is not there.
            if self.values.len() <= INLINE_IDS {
                return None;
            }
        }
        self.values.iter().find(|f| f.field == field)
    }

    /// Every field, in source order.
    pub fn iter(&self) -> std::slice::Iter<'m, FieldValue<'a>> {
        self.values.iter()
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

fn inline_ids(values: &[FieldValue<'_>]) -> [u8; INLINE_IDS] {
    let mut ids = [NO_ID; INLINE_IDS];
    for (inline, value) in ids.iter_mut().zip(values) {
        *inline = u8::try_from(value.field.0).unwrap_or(NO_ID);
    }
    ids
}

impl std::fmt::Debug for FieldValues<'_, '_> {
    // The ids repeat the values' own: shown as the values alone.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FieldValues").field(&self.values).finish()
    }
}

/// Where an entity's or a section's values are in the model's
/// [`FieldStore`], with their first ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldSlot {
    ids: [u8; INLINE_IDS],
    chunk: u32,
    start: u32,
    len: u32,
}

impl FieldSlot {
    /// No fields.
    pub(crate) const NONE: FieldSlot = FieldSlot {
        ids: [NO_ID; INLINE_IDS],
        chunk: 0,
        start: 0,
        len: 0,
    };

    /// The values `chunk[start..]`, the last pushed onto chunk number
    /// `chunk`.
    pub(crate) fn of(chunk: usize, start: usize, chunk_values: &[FieldValue<'_>]) -> FieldSlot {
        let values = &chunk_values[start..];
        FieldSlot {
            ids: inline_ids(values),
            chunk: chunk as u32,
            start: start as u32,
            len: values.len() as u32,
        }
    }
}

/// Every field value and reference item of a model, in chunks written one
/// per block of entities typed (and one for the sections): a block's values
/// are one allocation, and its references another, not one per entity and
/// field, and are freed as one.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldStore<'a> {
    chunks: Vec<Vec<FieldValue<'a>>>,
    refs: Vec<RefPages<'a>>,
}

impl<'a> FieldStore<'a> {
    /// Adds a chunk of values and the references they hold; its number is
    /// the number of chunks before it.
    pub(crate) fn push(&mut self, chunk: Vec<FieldValue<'a>>, refs: RefPages<'a>) {
        self.chunks.push(chunk);
        self.refs.push(refs);
    }

    /// The items of `refs`.
    pub(crate) fn references(&self, refs: &Refs) -> &[Reference<'a>] {
        self.refs
            .get(refs.chunk as usize)
            .and_then(|pages| pages.get(refs.page as usize))
            .map_or(&[], |page| {
                &page[refs.start as usize..(refs.start + refs.len) as usize]
            })
    }

    /// The number the next chunk pushed will have.
    pub(crate) fn next_chunk(&self) -> usize {
        self.chunks.len()
    }

    /// The values of `slot`.
    pub(crate) fn get(&self, slot: &FieldSlot) -> FieldValues<'_, 'a> {
        let values = match self.chunks.get(slot.chunk as usize) {
            Some(chunk) => &chunk[slot.start as usize..(slot.start + slot.len) as usize],
            None => &[],
        };
        FieldValues {
            ids: slot.ids,
            values,
        }
    }
}
