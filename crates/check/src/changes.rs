//! What changed between two sets of findings: two versions of a proposal
//! (`assure diff`) or two runs over a corpus (`cargo xtask report`).
//!
//! Findings are matched first by fingerprint (same code, entity, field and
//! text), then by code and entity alone: a finding whose paragraph moved,
//! or whose value was edited without fixing it, is the same finding, not a
//! new one. Line numbers never decide a match.

/// What identifies a finding across versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The code.
    pub code: String,
    /// The entity involved, if any.
    pub entity: Option<String>,
    /// The fingerprint ([`crate::Finding::fingerprint`]).
    pub fingerprint: String,
    /// The line, to tell a moved finding from one that stayed.
    pub line: u32,
}

/// How one finding fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Only in the new set, at this index.
    New(usize),
    /// Only in the old set, at this index.
    Resolved(usize),
    /// In both, on another line or with other text.
    Moved {
        /// Its index in the old set.
        old: usize,
        /// Its index in the new set.
        new: usize,
    },
    /// In both, unchanged.
    Same {
        /// Its index in the old set.
        old: usize,
        /// Its index in the new set.
        new: usize,
    },
}

/// Matches `old` against `new`; every index of each appears exactly once.
/// Linear in the number of findings: old ones are indexed by fingerprint
/// and by code and entity, each candidate list consumed in order.
pub fn compare(old: &[Key], new: &[Key]) -> Vec<Change> {
    use std::collections::{HashMap, VecDeque};
    let mut old_taken = vec![false; old.len()];
    let mut new_match: Vec<Option<usize>> = vec![None; new.len()];
    let mut by_fingerprint: HashMap<(&str, &str), VecDeque<usize>> = HashMap::new();
    let mut by_entity: HashMap<(&str, Option<&str>), VecDeque<usize>> = HashMap::new();
    for (o, key) in old.iter().enumerate() {
        by_fingerprint
            .entry((&key.code, &key.fingerprint))
            .or_default()
            .push_back(o);
        by_entity
            .entry((&key.code, key.entity.as_deref()))
            .or_default()
            .push_back(o);
    }
    let take = |queue: Option<&mut VecDeque<usize>>, taken: &mut [bool]| -> Option<usize> {
        let queue = queue?;
        while let Some(o) = queue.pop_front() {
            if !taken[o] {
                taken[o] = true;
                return Some(o);
            }
        }
        None
    };
    // Exact matches first, so that a moved twin does not steal them.
    for (n, key) in new.iter().enumerate() {
        new_match[n] = take(
            by_fingerprint.get_mut(&(key.code.as_str(), key.fingerprint.as_str())),
            &mut old_taken,
        );
    }
    for (n, key) in new.iter().enumerate() {
        if new_match[n].is_none() {
            new_match[n] = take(
                by_entity.get_mut(&(key.code.as_str(), key.entity.as_deref())),
                &mut old_taken,
            );
        }
    }
    let mut changes = Vec::with_capacity(old.len().max(new.len()));
    for (n, matched) in new_match.iter().enumerate() {
        changes.push(match matched {
            Some(o) if old[*o].fingerprint == new[n].fingerprint && old[*o].line == new[n].line => {
                Change::Same { old: *o, new: n }
            }
            Some(o) => Change::Moved { old: *o, new: n },
            None => Change::New(n),
        });
    }
    changes.extend(
        (0..old.len())
            .filter(|o| !old_taken[*o])
            .map(Change::Resolved),
    );
    changes
}

/// Findings sorted by how they fared between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition<T> {
    /// Only in the new version.
    pub new: Vec<T>,
    /// Only in the old version.
    pub resolved: Vec<T>,
    /// In both, moved or with other text: (old, new).
    pub moved: Vec<(T, T)>,
    /// In both, unchanged.
    pub unchanged: usize,
}

impl<T> Partition<T> {
    /// Whether nothing appeared, disappeared or moved.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.resolved.is_empty() && self.moved.is_empty()
    }
}

/// [`compare`]s two keyed lists of findings (of any representation) and
/// sorts the findings by how they fared.
pub fn partition<T: Copy>(old: &[(Key, T)], new: &[(Key, T)]) -> Partition<T> {
    let old_keys: Vec<Key> = old.iter().map(|(k, _)| k.clone()).collect();
    let new_keys: Vec<Key> = new.iter().map(|(k, _)| k.clone()).collect();
    let mut out = Partition {
        new: Vec::new(),
        resolved: Vec::new(),
        moved: Vec::new(),
        unchanged: 0,
    };
    for change in compare(&old_keys, &new_keys) {
        match change {
            Change::New(n) => out.new.push(new[n].1),
            Change::Resolved(o) => out.resolved.push(old[o].1),
            Change::Moved { old: o, new: n } => out.moved.push((old[o].1, new[n].1)),
            Change::Same { .. } => out.unchanged += 1,
        }
    }
    out
}

impl crate::FileReport {
    /// The keys of the findings that count.
    pub fn keys(&self) -> Vec<(Key, &crate::Finding)> {
        let index = self.line_index();
        self.findings
            .iter()
            .filter(|f| f.is_active())
            .map(|f| {
                (
                    Key {
                        code: f.diagnostic.code.to_string(),
                        entity: f.entity.clone(),
                        fingerprint: f.fingerprint(&self.text),
                        line: index.line_col(&self.text, f.diagnostic.span.start).line,
                    },
                    f,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: &str, entity: &str, fingerprint: &str, line: u32) -> Key {
        Key {
            code: code.to_owned(),
            entity: Some(entity.to_owned()),
            fingerprint: fingerprint.to_owned(),
            line,
        }
    }

    #[test]
    fn matches_by_fingerprint_then_by_code_and_entity() {
        let old = [
            key("CAP001", "K", "a", 10),
            key("PFI001", "L", "b", 20),
            key("COI001", "P", "c", 30),
        ];
        let new = [
            key("CAP001", "K", "a", 14),
            key("PFI001", "L", "x", 24),
            key("SAFE001", "O", "d", 5),
        ];
        assert_eq!(
            compare(&old, &new),
            [
                Change::Moved { old: 0, new: 0 },
                Change::Moved { old: 1, new: 1 },
                Change::New(2),
                Change::Resolved(2)
            ]
        );
        assert_eq!(
            compare(&old[..1], &[key("CAP001", "K", "a", 10)]),
            [Change::Same { old: 0, new: 0 }]
        );
    }

    #[test]
    fn large_sets_compare_quickly() {
        let old: Vec<Key> = (0..200_000)
            .map(|i| key("CAP001", &format!("K{i}"), &format!("f{i}"), i))
            .collect();
        let new: Vec<Key> = (0..200_000)
            .map(|i| key("CAP001", &format!("K{i}"), &format!("f{i}"), i + 1))
            .collect();
        let changes = compare(&old, &new);
        assert!(
            changes
                .iter()
                .all(|c| matches!(c, Change::Moved { old, new } if old == new))
        );
    }

    #[test]
    fn a_second_finding_of_a_code_is_new() {
        let old = [key("PROC001", "A", "f", 8)];
        let new = [key("PROC001", "A", "f", 8), key("PROC001", "B", "f", 12)];
        assert_eq!(
            compare(&old, &new),
            [Change::Same { old: 0, new: 0 }, Change::New(1)]
        );
    }
}
