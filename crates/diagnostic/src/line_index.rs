//! Byte offsets to 1-based lines and character columns.

use crate::Span;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A 1-based line and a 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters (not bytes).
    pub column: u32,
}

/// Where a span lies, in every unit the outputs need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Byte offset of the start.
    pub offset: u32,
    /// Length in bytes.
    pub length: u32,
    /// Start line and column.
    pub start: LineCol,
    /// End line and column (the position just after the last character).
    pub end: LineCol,
}

/// The start offset of every line of one text, built once per file and
/// queried in `O(log lines)`.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// The line index last found. Outputs look findings up in the order of
    /// their offsets, so a lookup searches forward from here, reading the
    /// index in order, instead of a binary search over millions of lines.
    /// (Atomic only so that an index may be shared; relaxed loads and
    /// stores cost what plain ones do.)
    hint: AtomicUsize,
    /// How many characters come before every [`COLUMN_STRIDE`]-th byte,
    /// counted when a column is first sought far into a line: a column is
    /// then counted from the nearest stride, not from its line's start,
    /// which for a line of a million findings was quadratic in its length.
    characters_before: OnceLock<Vec<u32>>,
}

impl Clone for LineIndex {
    fn clone(&self) -> Self {
        LineIndex {
            starts: self.starts.clone(),
            hint: AtomicUsize::new(self.hint.load(Ordering::Relaxed)),
            characters_before: self.characters_before.clone(),
        }
    }
}

/// Bytes between two of [`LineIndex`]'s counts of characters.
const COLUMN_STRIDE: usize = 4096;

/// How many characters start in `bytes`: a character is one byte that is
/// not a UTF-8 continuation byte.
fn characters_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// From this many bytes, a text is indexed on two threads.
const PARALLEL_FROM: usize = 4 << 20;

/// The offsets just past each line ending of `bytes[from..]` (`\n`,
/// `\r\n`, or a lone `\r`), after a 0 if `first`. Counted first, then
/// filled without regrowing: a large file has millions of lines, and memchr
/// finds them several bytes at a time. `bytes` never ends between the two
/// bytes of a `\r\n`.
fn line_starts(bytes: &[u8], from: usize, first: bool) -> Vec<u32> {
    let part = &bytes[from.min(bytes.len())..];
    let ends = || {
        memchr::memchr2_iter(b'\n', b'\r', part)
            .filter(|&i| part[i] == b'\n' || part.get(i + 1) != Some(&b'\n'))
    };
    let mut starts = Vec::with_capacity(ends().count() + 1);
    if first {
        starts.push(0);
    }
    starts.extend(ends().map(|i| u32::try_from(from + i + 1).unwrap_or(u32::MAX)));
    starts
}

impl LineIndex {
    /// Indexes `text`. A line ends after each `\n`, `\r\n` or lone `\r`,
    /// as the parser reads them.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Asked only of a large text: the question reads the cgroup's
        // files, which costs more than indexing a small one.
        let starts = if bytes.len() >= PARALLEL_FROM
            && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
        {
            // A large file's halves on two threads: indexing 136 MB took
            // 80 ms on one, before its findings could be written.
            let mut middle = bytes.len() / 2;
            if bytes[middle - 1] == b'\r' {
                // Not between the two bytes of a `\r\n`.
                middle += 1;
            }
            let (mut starts, second) = std::thread::scope(|scope| {
                let second = scope.spawn(|| line_starts(bytes, middle, false));
                let first = line_starts(&bytes[..middle], 0, true);
                let second = second
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (first, second)
            });
            starts.extend_from_slice(&second);
            starts
        } else {
            line_starts(bytes, 0, true)
        };
        LineIndex {
            starts,
            hint: AtomicUsize::new(0),
            characters_before: OnceLock::new(),
        }
    }

    /// Number of lines (a final line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte offset where 1-based `line` starts, if it exists.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        self.starts.get(index).copied()
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: u32) -> u32 {
        let hint = self.hint.load(Ordering::Relaxed);
        let index = if self.starts.get(hint).is_some_and(|&start| start <= offset) {
            prefix_from(&self.starts, hint + 1, |&start| start <= offset)
        } else {
            self.starts.partition_point(|&start| start <= offset)
        };
        self.hint.store(index.saturating_sub(1), Ordering::Relaxed);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }

    /// Line and character column of `offset` in `text`. An offset inside a
    /// multi-byte character is treated as the start of that character.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = floor_char_boundary(text, offset as usize);
        let line = self.line_of(offset as u32);
        let start = self.starts[line as usize - 1] as usize;
        let column = if offset - start <= 2 * COLUMN_STRIDE {
            text[start..offset].chars().count() + 1
        } else {
            self.characters_to(text, offset) - self.characters_to(text, start) + 1
        };
        LineCol {
            line,
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    /// How many characters of `text` start before byte `offset`: from the
    /// count at the last stride, so in `O(COLUMN_STRIDE)`.
    fn characters_to(&self, text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        let before = self.characters_before.get_or_init(|| {
            let mut total = 0u32;
            let mut counts = Vec::with_capacity(bytes.len() / COLUMN_STRIDE + 1);
            counts.push(0);
            for stride in bytes.chunks_exact(COLUMN_STRIDE) {
                total += characters_in(stride) as u32;
                counts.push(total);
            }
            counts
        });
        let stride = offset / COLUMN_STRIDE;
        before[stride] as usize + characters_in(&bytes[stride * COLUMN_STRIDE..offset])
    }

    /// Where `span` lies in `text`.
    pub fn locate(&self, text: &str, span: Span) -> Location {
        Location {
            offset: span.start,
            length: span.len(),
            start: self.line_col(text, span.start),
            end: self.line_col(text, span.end),
        }
    }
}

/// How many leading `items` satisfy `before`, which holds for a prefix of
/// them, given that the first `from` do: searched forward from `from` in
/// growing steps, so queries that only move forward read `items` in order.
pub fn prefix_from<T>(items: &[T], from: usize, before: impl Fn(&T) -> bool) -> usize {
    let mut low = from.min(items.len());
    let mut step = 1;
    while low + step <= items.len() && before(&items[low + step - 1]) {
        low += step;
        step *= 2;
    }
    let end = (low + step - 1).min(items.len());
    low + items[low..end].partition_point(before)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_character_columns() {
        let text = "ab\r\n£c\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(text, 4), LineCol { line: 2, column: 1 });
        // '£' is two bytes; 'c' is the second character of line 2.
        assert_eq!(index.line_col(text, 6), LineCol { line: 2, column: 2 });
        // An offset inside '£' snaps to its start.
        assert_eq!(index.line_col(text, 5), LineCol { line: 2, column: 1 });
        assert_eq!(index.line_col(text, 8), LineCol { line: 3, column: 1 });
        assert_eq!(index.line_start(3), Some(8));
        assert_eq!(index.line_start(4), None);
        assert_eq!(index.line_start(0), None);
        let location = index.locate(text, Span::new(4, 7));
        assert_eq!(location.start, LineCol { line: 2, column: 1 });
        assert_eq!(location.end, LineCol { line: 2, column: 3 });
        assert_eq!(location.length, 3);
    }

    #[test]
    fn prefix_from_agrees_with_a_binary_search_from_any_known_prefix() {
        for len in 0..40u32 {
            let items: Vec<u32> = (0..len).map(|i| i * 3).collect();
            for at in 0..(len * 3 + 2) {
                let expected = items.partition_point(|&x| x <= at);
                for from in 0..=expected {
                    assert_eq!(prefix_from(&items, from, |&x| x <= at), expected);
                }
            }
        }
    }

    #[test]
    fn lookups_in_any_order_agree_with_the_text() {
        let text: String = (0..200).map(|i| "y".repeat(i % 13) + "\n").collect();
        let index = LineIndex::new(&text);
        // Forward, backward and jumping about: the search hint must never
        // change an answer.
        let offsets: Vec<u32> = (0..text.len() as u32)
            .chain((0..text.len() as u32).rev())
            .chain((0..text.len() as u32).map(|i| (i * 7919) % text.len() as u32))
            .collect();
        for offset in offsets {
            let line = text[..offset as usize].matches('\n').count() as u32 + 1;
            assert_eq!(index.line_of(offset), line, "offset {offset}");
        }
    }

    #[test]
    fn columns_far_into_long_lines_are_the_characters_before_them() {
        // Lines of one to five strides, in one-, two-, three- and four-byte
        // characters, every line starting mid-stride; asked in any order.
        let text: String = (0..12)
            .map(|i| ["a", "£", "€", "😀"][i % 4].repeat(1 + i * 1500) + "\n")
            .collect();
        let index = LineIndex::new(&text);
        let offsets = (0..text.len())
            .step_by(97)
            .chain((0..text.len()).rev().step_by(89));
        for offset in offsets {
            let at = index.line_col(&text, offset as u32);
            let snapped = text.floor_char_boundary(offset);
            let line_start = text[..snapped].rfind('\n').map_or(0, |i| i + 1);
            let expected = text[line_start..snapped].chars().count() + 1;
            assert_eq!(at.column as usize, expected, "offset {offset}");
        }
    }

    #[test]
    fn every_newline_starts_a_line_in_short_and_long_texts() {
        assert_eq!(LineIndex::new("").line_count(), 1);
        assert_eq!(LineIndex::new("a\n").line_start(2), Some(2));
        // Long enough for memchr's vector loop, with lines of every length.
        let text: String = (0..300).map(|i| "x".repeat(i % 70) + "\n").collect();
        let index = LineIndex::new(&text);
        let expected: Vec<u32> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        assert_eq!(index.starts, expected);
    }

    #[test]
    fn a_text_indexed_in_two_halves_has_every_line_once() {
        // Past the size indexed on two threads, with a newline just before,
        // at and just after the middle, where the halves meet.
        let mut base: String = (0..90_000).map(|i| "z".repeat(i % 97) + "\n").collect();
        while base.len() < PARALLEL_FROM {
            base.push_str("tail\n");
        }
        let middle = base.len() / 2;
        for at in [middle - 1, middle, middle + 1] {
            let mut text = base.replace('\n', "y");
            text.replace_range(at..=at, "\n");
            text.push('\n');
            let expected = vec![0, at as u32 + 1, text.len() as u32];
            assert_eq!(LineIndex::new(&text).starts, expected, "newline at {at}");
            assert_eq!(text.len() / 2, middle);
        }
        let expected: Vec<u32> = std::iter::once(0)
            .chain(base.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        assert_eq!(LineIndex::new(&base).starts, expected);
    }
}
