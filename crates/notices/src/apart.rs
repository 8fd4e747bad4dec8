//! The first of two readings of JSON Lines: which procurements have
//! releases on lines apart, and where those lines are, so that the second
//! reading joins them to the procurement's first releases.
//!
//! Find a Tender's bulk files give a release a line, in the order they were
//! published: a procurement's notice of intention and its award notice are
//! weeks of lines apart. Read a line at a time, each would be checked as a
//! procurement of its own, and a rule across them (the award notice within
//! its time after the award) would never see both. Holding every release
//! until the end would hold the file. Instead the first reading keeps, for
//! each `ocid`, a hash and, only for those met again after other lines, the
//! lines where they are (their start and length); the second reading, at
//! the end of a procurement's first lines, reads those lines again and
//! joins their releases. Memory is a few words a procurement, not its
//! releases.
//!
//! Only each line's `ocid`s are read here, not its values. A hash that two
//! `ocid`s share (one chance in 2^64 for a pair, the keys random) costs at
//! most a join: what is joined is chosen by the `ocid` itself, read again,
//! and a line of the other is then read where it is, as without this.

use crate::read::{Line, Lines};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::io::BufRead;

/// Where the releases of procurements on lines apart are; see [`apart`].
#[derive(Default)]
pub struct Apart {
    hasher: std::collections::hash_map::RandomState,
    /// Each `ocid` read, by its hash: its index in `later`, or `NONE`.
    seen: HashMap<u64, u32>,
    /// For each `ocid` read again after other lines, those lines, in order:
    /// each taken from the front once, joined or passed, so that joining
    /// is linear however the lines fall.
    later: Vec<VecDeque<Position>>,
}

const NONE: u32 = u32::MAX;

/// A line of the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// Its number, from 1.
    pub(crate) line: u32,
    /// Where it starts.
    pub(crate) start: u64,
    /// Its length, without its end.
    pub(crate) len: u32,
}

impl Apart {
    /// Whether no procurement has releases on lines apart.
    pub fn is_empty(&self) -> bool {
        self.later.iter().all(VecDeque::is_empty)
    }

    /// How many procurements have releases on lines apart.
    pub fn procurements(&self) -> usize {
        self.later.iter().filter(|lines| !lines.is_empty()).count()
    }

    fn key(&self, ocid: &str) -> u64 {
        self.hasher.hash_one(ocid)
    }

    /// The later lines of `ocid` not yet joined or passed, in order (and
    /// those of any `ocid` sharing its hash, which it finds nothing in).
    pub(crate) fn lines_of(&mut self, ocid: &str) -> Option<&mut VecDeque<Position>> {
        let slot = *self.seen.get(&self.key(ocid))?;
        self.later.get_mut(slot as usize)
    }

    /// Notes that `key`'s releases are on `position` too, a run after its
    /// first.
    fn note_later(&mut self, key: u64, position: Position) {
        let Some(slot) = self.seen.get_mut(&key) else {
            return;
        };
        if *slot == NONE {
            let Ok(next) = u32::try_from(self.later.len()) else {
                return;
            };
            *slot = next;
            self.later.push(VecDeque::new());
        }
        let lines = &mut self.later[*slot as usize];
        if lines.back().is_none_or(|last| last.line != position.line) {
            lines.push_back(position);
        }
    }
}

/// Reads `source` (JSON Lines, or anything else, in which nothing is
/// found) for the procurements whose releases are on lines apart: those
/// met again after lines of other procurements, as the second reading
/// (`groups`) would give them apart.
pub fn apart(source: impl BufRead) -> Apart {
    let mut apart = Apart::default();
    let mut lines = Lines::new(source);
    // The procurement of the last release read, and whether its run of
    // releases is one after its first.
    let mut previous: Option<(u64, bool)> = None;
    loop {
        match lines.next_line() {
            Ok(Line::Text) => {}
            Ok(Line::TooLong) => continue,
            Err(_) | Ok(Line::End) => break,
        }
        let (Ok(line), Ok(len)) = (u32::try_from(lines.line), u32::try_from(lines.buffer.len()))
        else {
            break;
        };
        let position = Position {
            line,
            start: lines.start,
            len,
        };
        // Lines that are not releases, as the second reading finds them,
        // join no procurement and part none.
        let Ok(probe) = serde_json::from_slice::<Probe>(&lines.buffer) else {
            continue;
        };
        for ocid in probe.ocids() {
            let key = apart.key(ocid);
            let later = match previous {
                Some((last, later)) if last == key => later,
                _ => {
                    let later = match apart.seen.entry(key) {
                        std::collections::hash_map::Entry::Occupied(_) => true,
                        std::collections::hash_map::Entry::Vacant(entry) => {
                            entry.insert(NONE);
                            false
                        }
                    };
                    previous = Some((key, later));
                    later
                }
            };
            if later {
                apart.note_later(key, position);
            }
        }
    }
    apart
}

/// A line's `ocid`s, as the second reading finds its releases: a
/// package's releases', a record package's records', or the release's own.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default)]
    ocid: Ocid,
    #[serde(default)]
    releases: Option<Vec<Item>>,
    #[serde(default)]
    records: Option<Vec<Item>>,
}

#[derive(serde::Deserialize)]
struct Item {
    #[serde(default)]
    ocid: Ocid,
}

/// An `ocid` where it is a string; any other value is none.
#[derive(Default)]
struct Ocid(Option<String>);

impl<'de> serde::Deserialize<'de> for Ocid {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Ocid(value.as_str().map(|s| s.trim().to_owned())))
    }
}

impl Probe {
    fn ocids(&self) -> impl Iterator<Item = &str> {
        let items = self.releases.as_ref().or(self.records.as_ref());
        let own = items.is_none().then_some(&self.ocid);
        items
            .into_iter()
            .flatten()
            .map(|item| &item.ocid)
            .chain(own)
            .filter_map(|ocid| ocid.0.as_deref())
            .filter(|ocid| !ocid.is_empty())
    }
}
