//! Open Contracting data as published, read a notice at a time: a release
//! package, a record package, or JSON Lines of releases, compiled
//! releases, records or packages, told apart by their content. A whole
//! document is read at once (bounded); JSON Lines a line at a time, the
//! releases of one `ocid` on consecutive lines joined, and those on lines
//! apart too where a first reading (`apart`) found them, so that a year of
//! notices is read in the memory one line needs.

use crate::apart::{Apart, Position};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::io::BufRead;

/// The longest line of JSON Lines read: a longer one is reported and
/// passed over without being held.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// The largest whole document (a package not in JSON Lines) read: its
/// parsed form takes several times its size.
pub const MAX_DOCUMENT_BYTES: usize = 256 << 20;

/// The most releases of one `ocid` joined into one notice: more (on
/// consecutive lines of JSON Lines) start another.
pub const MAX_RELEASES: usize = 1_000;

/// One release of a notice, where it is.
#[derive(Debug, Clone)]
pub struct Release {
    /// The release (a compiled release too).
    pub value: Value,
    /// Its line of a JSON Lines file, from 1.
    pub line: Option<u32>,
    /// Its JSON pointer within the line or the document.
    pub pointer: String,
}

/// The releases of one procurement (`ocid`).
#[derive(Debug, Clone)]
pub struct Group {
    /// The Open Contracting id.
    pub ocid: String,
    /// Its releases, in the order read.
    pub releases: Vec<Release>,
}

/// What could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// The line of the file, where it is known.
    pub line: Option<u64>,
    /// Why, in words.
    pub why: String,
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.why),
            None => f.write_str(&self.why),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Start,
    Lines,
    Done,
}

/// The notices of a source, each `ocid`'s releases as a [`Group`], or
/// what could not be read; see [`groups`].
pub struct Groups<R> {
    lines: Lines<R>,
    mode: Mode,
    pending: VecDeque<Result<Group, Unread>>,
    current: Option<Group>,
    join: Option<Join>,
}

/// Reads `source` as Open Contracting data; the releases of an `ocid` on
/// lines apart are read as procurements apart (see [`Groups::joining`]).
pub fn groups<R: BufRead>(source: R) -> Groups<R> {
    Groups {
        lines: Lines::new(source),
        mode: Mode::Start,
        pending: VecDeque::new(),
        current: None,
        join: None,
    }
}

/// A line read within bounds.
pub(crate) enum Line {
    Text,
    TooLong,
    End,
}

/// A source read a line at a time, each line bounded by
/// [`MAX_LINE_BYTES`], with where each starts.
pub(crate) struct Lines<R> {
    source: R,
    /// Lines read so far: the number of the last one.
    pub(crate) line: u64,
    /// Bytes taken from the source so far.
    taken: u64,
    /// Where the last line read starts in the source.
    pub(crate) start: u64,
    /// The last line read, its end dropped.
    pub(crate) buffer: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    pub(crate) fn new(source: R) -> Self {
        Lines {
            source,
            line: 0,
            taken: 0,
            start: 0,
            buffer: Vec::new(),
        }
    }

    /// The next line into `buffer`, its end dropped; at most
    /// [`MAX_LINE_BYTES`] held.
    pub(crate) fn next_line(&mut self) -> Result<Line, Unread> {
        self.buffer.clear();
        self.start = self.taken;
        let mut too_long = false;
        let mut any = false;
        loop {
            let available = match self.source.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Unread {
                        line: Some(self.line + 1),
                        why: format!("cannot be read: {e}"),
                    });
                }
            };
            if available.is_empty() {
                break;
            }
            any = true;
            let (taken, ended) = match memchr::memchr(b'\n', available) {
                Some(at) => (at + 1, true),
                None => (available.len(), false),
            };
            if !too_long {
                if self.buffer.len() + taken > MAX_LINE_BYTES + 1 {
                    too_long = true;
                    self.buffer.clear();
                } else {
                    self.buffer.extend_from_slice(&available[..taken]);
                }
            }
            self.source.consume(taken);
            self.taken += taken as u64;
            if ended {
                break;
            }
        }
        if !any {
            return Ok(Line::End);
        }
        self.line += 1;
        if too_long {
            return Ok(Line::TooLong);
        }
        while self
            .buffer
            .last()
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            self.buffer.pop();
        }
        // A byte order mark, as Windows tools write one, is no JSON.
        if self.line == 1 && self.buffer.starts_with(b"\xEF\xBB\xBF") {
            self.buffer.drain(..3);
            self.start += 3;
        }
        Ok(Line::Text)
    }
}

impl<R: BufRead> Groups<R> {
    /// Joins to each procurement the releases of its `ocid` on lines apart
    /// from it, where `apart` (a first reading of the same source) found
    /// them, reading those lines again from `reread`; each is then passed
    /// over where it is.
    pub fn joining(mut self, apart: Apart, reread: Box<dyn Reread>) -> Self {
        if !apart.is_empty() {
            self.join = Some(Join {
                apart,
                reread,
                joined: BTreeMap::new(),
                read_again: ReadAgain::default(),
            });
        }
        self
    }

    fn step(&mut self) {
        match self.mode {
            Mode::Done => {}
            Mode::Start | Mode::Lines => match self.lines.next_line() {
                Err(unread) => {
                    self.pending.push_back(Err(unread));
                    self.finish();
                }
                Ok(Line::End) => {
                    if self.mode == Mode::Start {
                        self.pending.push_back(Err(Unread {
                            line: None,
                            why: "it is empty: no notices in it".into(),
                        }));
                    }
                    self.finish();
                }
                Ok(Line::TooLong) => {
                    self.mode = Mode::Lines;
                    let line = self.lines.line;
                    self.pending.push_back(Err(Unread {
                        line: Some(line),
                        why: format!("longer than {} MiB: passed over", MAX_LINE_BYTES >> 20),
                    }));
                }
                Ok(Line::Text) => {
                    if let Some(join) = &mut self.join {
                        join.passed(self.lines.line);
                    }
                    if self.lines.buffer.iter().all(u8::is_ascii_whitespace) {
                        return;
                    }
                    match serde_json::from_slice::<Value>(&self.lines.buffer) {
                        Ok(value) => {
                            self.mode = Mode::Lines;
                            let line = u32::try_from(self.lines.line).unwrap_or(u32::MAX);
                            self.value(value, Some(line));
                        }
                        Err(e)
                            if self.mode == Mode::Start
                                && e.classify() == serde_json::error::Category::Eof =>
                        {
                            self.document();
                        }
                        Err(e) => {
                            self.mode = Mode::Lines;
                            let line = self.lines.line;
                            self.pending.push_back(Err(Unread {
                                line: Some(line),
                                why: format!("not JSON: {}", without_position(&e)),
                            }));
                        }
                    }
                }
            },
        }
    }

    /// The rest of a document whose first line is not a whole value: read
    /// whole, within [`MAX_DOCUMENT_BYTES`].
    fn document(&mut self) {
        let mut bytes = std::mem::take(&mut self.lines.buffer);
        bytes.push(b'\n');
        let mut rest = Vec::new();
        let limit = (MAX_DOCUMENT_BYTES - bytes.len()) as u64 + 1;
        let read = std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut self.lines.source, limit),
            &mut rest,
        );
        self.finish();
        if let Err(e) = read {
            self.pending.push_back(Err(Unread {
                line: None,
                why: format!("cannot be read: {e}"),
            }));
            return;
        }
        bytes.extend_from_slice(&rest);
        if bytes.len() > MAX_DOCUMENT_BYTES {
            self.pending.push_back(Err(Unread {
                line: None,
                why: format!(
                    "a document over {} MiB: give it as JSON Lines (a release, record or package a line), which is read a line at a time",
                    MAX_DOCUMENT_BYTES >> 20
                ),
            }));
            return;
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(value) => self.value(value, None),
            Err(e) => self.pending.push_back(Err(Unread {
                line: Some(e.line() as u64),
                why: format!("not JSON: {}", without_position(&e)),
            })),
        }
        self.flush();
    }

    fn finish(&mut self) {
        self.flush();
        self.mode = Mode::Done;
    }

    fn flush(&mut self) {
        if let Some(mut group) = self.current.take() {
            if let Some(join) = &mut self.join {
                join.join(&mut group, &mut self.pending);
            }
            self.pending.push_back(Ok(group));
        }
    }

    /// A value of the file (a line's, or the whole document's): a package,
    /// a record or a release.
    fn value(&mut self, mut value: Value, line: Option<u32>) {
        let unread = |why: String| Unread {
            line: line.map(u64::from),
            why,
        };
        let Some(object) = value.as_object_mut() else {
            self.pending.push_back(Err(unread(format!(
                "not Open Contracting data: {} where a release, a record or a package is",
                kind_of(&value)
            ))));
            return;
        };
        if let Some(Value::Array(releases)) = object.get_mut("releases").map(Value::take) {
            let mut releases: Vec<Release> = releases
                .into_iter()
                .enumerate()
                .map(|(i, value)| Release {
                    value,
                    line,
                    pointer: format!("/releases/{i}"),
                })
                .collect();
            // A package's releases of one procurement are one notice
            // wherever they are in it; a line's join the lines around.
            if line.is_none() {
                releases = by_ocid(releases);
            }
            for release in releases {
                self.release(release);
            }
        } else if let Some(Value::Array(records)) = object.get_mut("records").map(Value::take) {
            for (r, mut record) in records.into_iter().enumerate() {
                self.record(&mut record, line, r);
            }
        } else if object.contains_key("ocid") {
            self.release(Release {
                value,
                line,
                pointer: String::new(),
            });
        } else {
            self.pending.push_back(Err(unread(
                "not Open Contracting data: an object with no `releases`, `records` or `ocid`"
                    .into(),
            )));
        }
    }

    /// A record's releases where they are given whole (as Find a Tender's
    /// record packages give them), else its compiled release.
    fn record(&mut self, record: &mut Value, line: Option<u32>, r: usize) {
        let embedded = match record.get_mut("releases").map(Value::take) {
            Some(Value::Array(releases))
                if !releases.is_empty()
                    && releases.iter().all(|release| {
                        release
                            .as_object()
                            .is_some_and(|o| o.contains_key("date") && o.len() > 3)
                    }) =>
            {
                Some(releases)
            }
            _ => None,
        };
        match (embedded, record.get_mut("compiledRelease").map(Value::take)) {
            (Some(releases), _) => {
                for (j, value) in releases.into_iter().enumerate() {
                    self.release(Release {
                        value,
                        line,
                        pointer: format!("/records/{r}/releases/{j}"),
                    });
                }
            }
            (None, Some(compiled)) if compiled.is_object() => self.release(Release {
                value: compiled,
                line,
                pointer: format!("/records/{r}/compiledRelease"),
            }),
            _ => self.pending.push_back(Err(Unread {
                line: line.map(u64::from),
                why: format!("/records/{r} has neither its releases nor a compiled release"),
            })),
        }
    }

    fn release(&mut self, release: Release) {
        let ocid = ocid_of(&release.value);
        if let (Some(join), Some(line)) = (&self.join, release.line)
            && join.was_joined(line, ocid)
        {
            return;
        }
        if ocid.is_empty() {
            self.pending.push_back(Err(Unread {
                line: release.line.map(u64::from),
                why: format!(
                    "{} has no `ocid`: it cannot be joined to a procurement",
                    if release.pointer.is_empty() {
                        "the release"
                    } else {
                        &release.pointer
                    }
                ),
            }));
            return;
        }
        match &mut self.current {
            Some(group) if group.ocid == ocid && group.releases.len() < MAX_RELEASES => {
                group.releases.push(release);
            }
            _ => {
                self.flush();
                self.current = Some(Group {
                    ocid: ocid.to_owned(),
                    releases: vec![release],
                });
            }
        }
    }
}

impl<R: BufRead> Iterator for Groups<R> {
    type Item = Result<Group, Unread>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.mode == Mode::Done {
                return None;
            }
            self.step();
        }
    }
}

fn ocid_of(value: &Value) -> &str {
    value
        .get("ocid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its ` at line L column C`, which the
/// caller says its own way; the column kept.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => format!("{} (column {})", &text[..at], e.column()),
        None => text,
    }
}

/// A document's releases with those of one `ocid` together, in the order
/// each `ocid` first appears (a stable sort).
fn by_ocid(releases: Vec<Release>) -> Vec<Release> {
    let mut first = std::collections::HashMap::new();
    let mut keyed: Vec<(usize, Release)> = releases
        .into_iter()
        .enumerate()
        .map(|(i, r)| (*first.entry(ocid_of(&r.value).to_owned()).or_insert(i), r))
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, r)| r).collect()
}

/// Reads a stretch of the source again by where it starts: how the
/// releases of one procurement on lines apart are joined.
pub trait Reread: Send {
    /// Fills `into` from the byte `start` of the source.
    fn read_at(&self, start: u64, into: &mut [u8]) -> std::io::Result<()>;
}

impl Reread for Vec<u8> {
    fn read_at(&self, start: u64, into: &mut [u8]) -> std::io::Result<()> {
        let from = usize::try_from(start).unwrap_or(usize::MAX);
        match from
            .checked_add(into.len())
            .and_then(|end| self.get(from..end))
        {
            Some(bytes) => {
                into.copy_from_slice(bytes);
                Ok(())
            }
            None => Err(std::io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

/// The releases of procurements on lines apart, joined as each
/// procurement is given.
struct Join {
    apart: Apart,
    reread: Box<dyn Reread>,
    /// The `ocid`s whose releases on a line ahead were joined to a
    /// procurement already given, by line: passed over there.
    joined: BTreeMap<u32, Vec<String>>,
    /// The lines ahead read again last, their releases not yet joined.
    read_again: ReadAgain,
}

/// The last few lines read again, parsed, each procurement's releases
/// taken out as they are joined: a line that is a package of a hundred
/// procurements' releases (as a page of Find a Tender's data is), each
/// joined to its procurement on a line before, is read and parsed once,
/// not once for each.
#[derive(Default)]
struct ReadAgain {
    /// Each line's number, procurements and length.
    lines: VecDeque<(u32, Vec<Group>, usize)>,
    /// The bytes of the lines held.
    bytes: usize,
}

/// The most lines, and bytes of lines, held parsed for joining: a page of
/// a hundred releases is about half a megabyte.
const READ_AGAIN_LINES: usize = 8;
const READ_AGAIN_BYTES: usize = 4 << 20;

impl ReadAgain {
    /// The releases of `ocid` on the line at `position`, taken out of it,
    /// read again unless it is held.
    fn take(
        &mut self,
        reread: &dyn Reread,
        position: Position,
        ocid: &str,
    ) -> std::io::Result<Vec<Release>> {
        let held = match self
            .lines
            .iter()
            .position(|(line, ..)| *line == position.line)
        {
            Some(at) => at,
            None => {
                let groups = groups_at(reread, position)?;
                let len = position.len as usize;
                while self.lines.len() >= READ_AGAIN_LINES
                    || (!self.lines.is_empty() && self.bytes + len > READ_AGAIN_BYTES)
                {
                    let Some((_, _, dropped)) = self.lines.pop_front() else {
                        break;
                    };
                    self.bytes -= dropped;
                }
                self.bytes += len;
                self.lines.push_back((position.line, groups, len));
                self.lines.len() - 1
            }
        };
        let (_, groups, _) = &mut self.lines[held];
        let mut taken = Vec::new();
        groups.retain_mut(|group| {
            if group.ocid == ocid {
                taken.append(&mut group.releases);
                false
            } else {
                true
            }
        });
        // A line all of whose procurements are joined is let go.
        if groups.is_empty()
            && let Some((_, _, len)) = self.lines.remove(held)
        {
            self.bytes -= len;
        }
        Ok(taken)
    }
}

impl Join {
    /// Forgets what was joined from the lines before `line`, now read.
    fn passed(&mut self, line: u64) {
        while let Some(entry) = self.joined.first_entry() {
            if u64::from(*entry.key()) >= line {
                break;
            }
            entry.remove();
        }
    }

    fn was_joined(&self, line: u32, ocid: &str) -> bool {
        self.joined
            .get(&line)
            .is_some_and(|ocids| ocids.iter().any(|joined| joined == ocid))
    }

    /// Adds to `group` its `ocid`'s releases on the lines after its own,
    /// each line whole, while the group stays within [`MAX_RELEASES`];
    /// the lines past that stay for the group of the `ocid` that starts at
    /// the first of them. Each line is taken once: joined, or passed (its
    /// releases read where it is), so that joining is linear.
    fn join(&mut self, group: &mut Group, pending: &mut VecDeque<Result<Group, Unread>>) {
        // A whole document's procurements are whole already: only lines
        // are joined.
        let Some(after) = group.releases.last().and_then(|r| r.line) else {
            return;
        };
        let Join {
            apart,
            reread,
            joined,
            read_again,
        } = self;
        let Some(lines) = apart.lines_of(&group.ocid) else {
            return;
        };
        while let Some(&position) = lines.front() {
            // Read in order already, in this group or one before it.
            if position.line <= after {
                lines.pop_front();
                continue;
            }
            match read_again.take(reread.as_ref(), position, &group.ocid) {
                // Past the most a procurement holds: this line starts the
                // `ocid`'s next procurement, read in order (its releases
                // taken out of the line held are read there again).
                Ok(found) if group.releases.len() + found.len() > MAX_RELEASES => break,
                Ok(found) => {
                    if !found.is_empty() {
                        group.releases.extend(found);
                        joined
                            .entry(position.line)
                            .or_default()
                            .push(group.ocid.clone());
                    }
                }
                Err(why) => pending.push_back(Err(Unread {
                    line: Some(u64::from(position.line)),
                    why: format!(
                        "cannot be read again to join it to the procurement {}: {why}",
                        group.ocid
                    ),
                })),
            }
            lines.pop_front();
        }
    }
}

/// The procurements on the line at `position`, read again.
fn groups_at(reread: &dyn Reread, position: Position) -> std::io::Result<Vec<Group>> {
    let mut bytes = vec![0; position.len as usize];
    reread.read_at(position.start, &mut bytes)?;
    let mut line = groups(&bytes[..]);
    line.mode = Mode::Lines;
    line.lines.line = u64::from(position.line).saturating_sub(1);
    Ok(line.filter_map(Result::ok).collect())
}
