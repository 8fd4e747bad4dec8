//! A file's diagnostics as they are found, each code's first
//! [`LISTED_PER_CODE`] kept and the rest counted: a file with a finding every
//! few bytes would otherwise hold hundreds of bytes of findings for every
//! byte read.

use crate::{Code, Diagnostic};

/// How many findings of one code a file lists one by one.
pub const LISTED_PER_CODE: usize = 1_000;

/// Diagnostics in the order found, each code's first [`LISTED_PER_CODE`]
/// kept, the rest counted with the first of them.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    diagnostics: Vec<Diagnostic>,
    /// One per code seen: a file has a few dozen codes, so a scan finds one.
    tallies: Vec<Tally>,
}

#[derive(Debug, Clone)]
struct Tally {
    code: Code,
    listed: usize,
    /// The first not listed, and how many were not.
    unlisted: Option<(Diagnostic, usize)>,
}

impl Listed {
    /// Nothing found yet.
    pub fn new() -> Listed {
        Listed::default()
    }

    /// How many diagnostics are kept.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// Adds `diagnostic`, found after those before it.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        // One that stands for others already is listed as one, counted as
        // all of them.
        let count = 1 + diagnostic.unlisted;
        self.push_counted(diagnostic, count, false);
    }

    /// `diagnostic`, standing for `count` findings of its code; `counted`
    /// when it may not be listed, since its code's fill was listed before.
    fn push_counted(&mut self, diagnostic: Diagnostic, count: usize, counted: bool) {
        let index = match self.tallies.iter().position(|t| t.code == diagnostic.code) {
            Some(index) => index,
            None => {
                self.tallies.push(Tally {
                    code: diagnostic.code.clone(),
                    listed: 0,
                    unlisted: None,
                });
                self.tallies.len() - 1
            }
        };
        let tally = &mut self.tallies[index];
        if tally.listed < LISTED_PER_CODE && !counted {
            tally.listed += 1;
            self.diagnostics.push(diagnostic);
            return;
        }
        match &mut tally.unlisted {
            Some((_, counted)) => *counted += count,
            None => tally.unlisted = Some((diagnostic, count)),
        }
    }

    /// Appends `later`'s diagnostics, found after these: the same as
    /// pushing each of them here in the order found.
    pub fn append(&mut self, later: Listed) {
        for diagnostic in later.diagnostics {
            self.push(diagnostic);
        }
        // A code with some not listed in `later` had its fill listed
        // there, so it has here too: they are counted.
        for tally in later.tallies {
            if let Some((first, count)) = tally.unlisted {
                self.push_counted(first, count, true);
            }
        }
    }

    /// The diagnostics kept, then one per code with some not listed: the
    /// first of them, saying how many more.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        let mut diagnostics = self.diagnostics;
        for tally in self.tallies {
            let Some((mut first, count)) = tally.unlisted else {
                continue;
            };
            if count > first.weight() {
                let why = format!("a file lists the first {LISTED_PER_CODE} of each code");
                first.stand_for(count - 1, "", &why);
            }
            diagnostics.push(first);
        }
        diagnostics
    }
}

impl Diagnostic {
    /// Makes this the finding that stands for `more` others of its code
    /// after it, not listed one by one: its message says how many, where
    /// (`scope`, e.g. `` in `members` ``, or nothing) and `why`.
    pub fn stand_for(&mut self, more: usize, scope: &str, why: &str) {
        self.message = format!(
            "{} (and {more} more {} findings{scope} after it, not listed: {why})",
            self.message, self.code
        );
        self.unlisted = more;
    }
}

impl Extend<Diagnostic> for Listed {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, diagnostics: I) {
        for diagnostic in diagnostics {
            self.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn finding(code: &str, at: u32) -> Diagnostic {
        Diagnostic::new(
            code,
            crate::Severity::Error,
            Span::new(at, at + 1),
            format!("{code} at {at}"),
        )
    }

    fn render(listed: Listed) -> Vec<String> {
        listed.into_vec().into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn each_code_lists_its_first_and_counts_the_rest_from_the_first_not_listed() {
        let mut listed = Listed::new();
        for at in 0..LISTED_PER_CODE as u32 + 5 {
            listed.push(finding("SYN001", at));
        }
        listed.push(finding("SCH002", 7));
        listed.push(finding("SYN004", 9));
        let all = render(listed);
        assert_eq!(all.len(), LISTED_PER_CODE + 3);
        assert_eq!(all[LISTED_PER_CODE - 1], "SYN001 at 999");
        assert_eq!(all[LISTED_PER_CODE], "SCH002 at 7");
        assert_eq!(
            all[LISTED_PER_CODE + 2],
            "SYN001 at 1000 (and 4 more SYN001 findings after it, not listed: a file lists the first 1000 of each code)"
        );
    }

    #[test]
    fn one_not_listed_is_listed_as_it_is() {
        let mut listed = Listed::new();
        listed.extend((0..=LISTED_PER_CODE as u32).map(|at| finding("REF001", at)));
        assert_eq!(render(listed).last().unwrap(), "REF001 at 1000");
    }

    #[test]
    fn parts_appended_in_order_are_the_whole_pushed_in_order() {
        // Any split of one run of findings, appended back, lists and counts
        // what pushing them all at once does.
        let codes = ["A", "B", "A", "A", "C", "B", "A"];
        let run: Vec<Diagnostic> = (0..3_000u32)
            .map(|at| finding(codes[(at as usize * 7 + at as usize / 3) % codes.len()], at))
            .collect();
        let mut whole = Listed::new();
        whole.extend(run.iter().cloned());
        let whole = render(whole);
        for cuts in [[0, 0], [1, 2], [500, 2_500], [1_999, 2_001], [2_999, 3_000]] {
            let mut parts = Listed::new();
            let mut start = 0;
            for end in cuts.into_iter().chain([run.len()]) {
                let mut part = Listed::new();
                part.extend(run[start..end].iter().cloned());
                parts.append(part);
                start = end;
            }
            assert_eq!(render(parts), whole, "cut at {cuts:?}");
        }
    }
}
