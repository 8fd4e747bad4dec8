//! Line classification with error recovery.
//!
//! The parser walks the source one physical line at a time, decides what each
//! line is, and never stops: a malformed line gets a SYN001 error and the
//! most useful recovery (a heading missing its space is still a heading), and
//! the next line is read as if nothing had happened.

use crate::directive::parse_comment;
use crate::tree::{Field, Line, LineKind, SourceFile};
use crate::trim;
use assure_diagnostic::{Diagnostic, Listed, Span, codes, excerpt};
use nom::bytes::complete::take_while;
use nom::character::complete::{char, satisfy};
use nom::combinator::recognize;
use nom::sequence::{pair, terminated};
use nom::{IResult, Parser as _};

/// The result of parsing: the tree, and every syntax error found in it.
#[derive(Debug, Clone, Default)]
pub struct Parse {
    /// The lossless tree.
    pub file: SourceFile,
    /// SYN001 errors, in source order; of a code found more than
    /// [`LISTED_PER_CODE`](assure_diagnostic::LISTED_PER_CODE) times, the
    /// first not listed, last, says how many more.
    pub errors: Vec<Diagnostic>,
}

/// Parses a proposal. Never fails: malformed lines become errors in the
/// result and parsing goes on. The text must be at most `u32::MAX` bytes
/// (see [`crate::decode`]); longer input is truncated to that length.
///
/// A large text is parsed in two halves on two threads; the tree and the
/// errors are exactly those of one pass.
pub fn parse(text: &str) -> Parse {
    let mut end = text.len().min(u32::MAX as usize);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = &text[..end];
    let parallel = text.len() >= PARALLEL_FROM
        && std::thread::available_parallelism().is_ok_and(|cores| cores.get() > 1);
    parse_split(text, if parallel { split_point(text) } else { None })
}

/// Texts shorter than this are parsed on one thread: for them a thread
/// costs more than it saves.
const PARALLEL_FROM: usize = 1 << 22;

/// Where a second thread may start parsing: the start of the first line
/// past the middle that begins with `#`. A heading closes any open field
/// and prose, so the lines from there parse the same whatever came before,
/// unless an unclosed comment from the first half swallows them, which
/// [`parse_split`] checks.
fn split_point(text: &str) -> Option<usize> {
    let middle = text.len() / 2;
    memchr::memmem::find(&text.as_bytes()[middle..], b"\n#").map(|at| middle + at + 1)
}

/// Parses `text`, the lines from `split` (the start of a line) on a thread
/// of their own.
pub(crate) fn parse_split(text: &str, split: Option<usize>) -> Parse {
    let mut first = LineParser::new(text);
    // Sized once from the line count: growing by doubling would copy a
    // large file's tree several times over, and touch twice the memory.
    // Room that is reserved but never written costs no memory.
    first.reserve(count_lines(text));
    let Some(split) = split else {
        first.lines(first.start(), text.len());
        return first.finish();
    };
    std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let mut second = LineParser::new(text);
            second.reserve(count_lines(&text[split..]));
            second.lines(split, text.len());
            second
        });
        first.lines(first.start(), split);
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        if first.comment_body_until > split {
            // A comment opened in the first half runs into the second, whose
            // lines are then not what the second thread read them as.
            first.lines(split, text.len());
        } else {
            // The heading at `split` would have closed the open field.
            first.close_field();
            first.append(second);
        }
        first.finish()
    })
}

fn count_lines(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1
}

const BOM: &str = "\u{feff}";

struct LineParser<'a> {
    text: &'a str,
    file: SourceFile,
    errors: Listed,
    /// The field whose value an indented line would continue.
    open_field: Option<u32>,
    /// Whether an indented line would continue prose.
    in_prose: bool,
    /// Lines starting before this offset lie inside a comment that spans
    /// lines.
    comment_body_until: usize,
    /// Whether that comment was read (closed as it should be), its lines
    /// then comment lines; else they are malformed, with the error at its
    /// start.
    comment_body_read: bool,
    /// Set once a search for a closing `-->` has failed, so that a file full
    /// of unclosed comments does not search to its end for every one of them.
    no_close_after: Option<usize>,
}

impl<'a> LineParser<'a> {
    fn new(text: &'a str) -> Self {
        LineParser {
            text,
            file: SourceFile {
                bom: text.starts_with(BOM),
                ..SourceFile::default()
            },
            errors: Listed::new(),
            open_field: None,
            in_prose: false,
            comment_body_until: 0,
            comment_body_read: false,
            no_close_after: None,
        }
    }

    /// Room for `lines` lines, and as many fields and value segments, which
    /// are at most one a line.
    fn reserve(&mut self, lines: usize) {
        self.file.lines.reserve_exact(lines);
        self.file.fields.reserve(lines);
        self.file.segments.reserve(lines);
    }

    /// Where the first line starts: after the byte-order mark, if any.
    fn start(&self) -> usize {
        if self.file.bom { BOM.len() } else { 0 }
    }

    /// Reads the lines starting from `from` (the start of a line) up to
    /// `to` (the start of a line, or the end of the text).
    fn lines(&mut self, from: usize, to: usize) {
        let bytes = self.text.as_bytes();
        let len = bytes.len();
        let mut pos = from;
        while pos < to {
            // `\n`, `\r\n` and a lone `\r` (old Mac files, or a stray one
            // pasted into a value) each end a line: no content hides
            // behind a carriage return.
            let (content_end, end) = match memchr::memchr2(b'\n', b'\r', &bytes[pos..]) {
                Some(i) if bytes[pos + i] == b'\r' && bytes.get(pos + i + 1) == Some(&b'\n') => {
                    (pos + i, pos + i + 2)
                }
                Some(i) => (pos + i, pos + i + 1),
                None => (len, len),
            };
            self.line(pos, content_end, end);
            pos = end;
        }
    }

    /// Appends what `second` read of the lines after this parser's, its
    /// indices moved past this parser's lines, fields and segments.
    fn append(&mut self, second: LineParser<'_>) {
        let lines = self.file.lines.len() as u32;
        let fields = self.file.fields.len() as u32;
        let segments = self.file.segments.len() as u32;
        self.file
            .lines
            .extend(second.file.lines.into_iter().map(|mut line| {
                if let LineKind::Field { field } | LineKind::Continuation { field, .. } =
                    &mut line.kind
                {
                    *field += fields;
                }
                line
            }));
        self.file
            .fields
            .extend(second.file.fields.into_iter().map(|mut field| {
                field.line += lines;
                field.segments = field.segments.start + segments..field.segments.end + segments;
                field
            }));
        self.file.segments.extend(second.file.segments);
        self.file
            .comments
            .extend(second.file.comments.into_iter().map(|mut comment| {
                comment.line += lines;
                comment
            }));
        self.errors.append(second.errors);
        self.open_field = second.open_field.map(|field| field + fields);
        self.in_prose = second.in_prose;
    }

    /// Closes the last field and reports an empty proposal.
    fn finish(mut self) -> Parse {
        self.close_field();
        let has_content = self
            .file
            .lines
            .iter()
            .any(|line| !matches!(line.kind, LineKind::Blank | LineKind::Comment));
        if !has_content {
            let at = Span::empty(self.start() as u32);
            self.error(
                at,
                "the proposal is empty",
                "start with the header, e.g. `proposal: ...` and `model: ...`; `assure init` writes a starting proposal",
            );
        }
        self.placeholders();
        Parse {
            file: self.file,
            errors: self.errors.into_vec(),
        }
    }

    /// SYN004 for each placeholder, `<<...>>` on one line, outside
    /// comments: `assure init` writes its template's blanks so, and a
    /// proposal that still holds one was not finished.
    fn placeholders(&mut self) {
        let bytes = self.text.as_bytes();
        let mut from = 0;
        // The end of the line of the last `<<` found, found once a line:
        // searched again for every `<<` of a long line, it was quadratic
        // (a 4 MB line of `<<a>>`, 22 s).
        let mut line_end = 0;
        while let Some(at) = memchr::memmem::find(&bytes[from..], b"<<").map(|i| from + i) {
            if at >= line_end {
                line_end =
                    memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            }
            let Some(close) = memchr::memmem::find(&bytes[at + 2..line_end], b">>") else {
                from = line_end;
                continue;
            };
            let end = at + 2 + close + 2;
            from = end;
            if close == 0 || self.in_comment(at) {
                continue;
            }
            let span = self.span(at, end);
            self.errors.push(
                Diagnostic::of(
                    codes::SYN004,
                    span,
                    format!(
                        "the placeholder `{}` is still here",
                        excerpt(&self.text[at..end])
                    ),
                )
                .with_help("write what it stands for in its place"),
            );
        }
    }

    /// Whether byte `at` lies on a comment line or in a trailing comment.
    fn in_comment(&self, at: usize) -> bool {
        let lines = &self.file.lines;
        let index = lines.partition_point(|line| (line.span.start as usize) <= at);
        let Some(line) = index.checked_sub(1).map(|i| &lines[i]) else {
            return false;
        };
        if matches!(line.kind, LineKind::Comment | LineKind::Malformed) {
            return true;
        }
        self.file
            .comment_on(index - 1)
            .is_some_and(|comment| (comment.span.start as usize) <= at)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        // `parse` caps the text at u32::MAX bytes, so offsets fit.
        Span::new(start as u32, end as u32)
    }

    fn error(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.errors
            .push(Diagnostic::of(codes::SYN001, span, message).with_help(help));
    }

    fn push(&mut self, start: usize, content_end: usize, end: usize, kind: LineKind) {
        let span = self.span(start, content_end);
        self.file.lines.push(Line {
            span,
            end: end as u32,
            kind,
        });
    }

    /// The index the line being read will have.
    fn line_number(&self) -> u32 {
        self.file.lines.len() as u32
    }

    fn line(&mut self, start: usize, content_end: usize, end: usize) {
        let content = &self.text[start..content_end];
        if start < self.comment_body_until {
            // Inside a comment spanning lines: a comment line if it was
            // closed as it should be, else part of the error at its start.
            let kind = if self.comment_body_read {
                LineKind::Comment
            } else {
                LineKind::Malformed
            };
            self.push(start, content_end, end, kind);
            return;
        }
        let from_lead = trim::start(content);
        let trimmed = trim::end(from_lead);
        if trimmed.is_empty() {
            self.close_field();
            self.push(start, content_end, end, LineKind::Blank);
            return;
        }
        let lead = content.len() - from_lead.len();
        if content[lead..].starts_with("<!--") {
            let kind = self.comment_line(start + lead, start + lead + trimmed.len());
            self.push(start, content_end, end, kind);
            return;
        }
        // A trailing comment is cut off first, so the rest reads as if it
        // were not there.
        let content_end_without_comment = self.split_trailing_comment(start, content);
        let body_end = start + trim::end(&self.text[start..content_end_without_comment]).len();
        let body = &self.text[start..body_end];
        let kind = if body.starts_with('#') {
            self.heading(start, body)
        } else if lead > 0 {
            self.indented(start, body, lead)
        } else if let Some(kind) = self.field(start, body) {
            kind
        } else if let Some(kind) = self.loose_field(start, body) {
            kind
        } else {
            self.prose(start, body_end)
        };
        self.push(start, content_end, end, kind);
    }

    /// A line starting with `<!--`, from `start` to the last non-blank byte.
    fn comment_line(&mut self, start: usize, end: usize) -> LineKind {
        let text = &self.text[start..end];
        match text[4..].find("-->") {
            Some(close) if 4 + close + 3 == text.len() => {
                let comment = parse_comment(self.text, self.span(start, end), self.line_number());
                self.file.comments.push(comment);
                LineKind::Comment
            }
            Some(_) => {
                let span = self.span(start, end);
                self.error(
                    span,
                    "text after a comment on the same line",
                    "put the comment at the end of the line, or the text on a line of its own",
                );
                LineKind::Malformed
            }
            None => self.comment_spanning_lines(start, end),
        }
    }

    /// A comment line opening `<!--` at `start` and not closing on it
    /// (whose last non-blank byte is `line_end`): read with the lines up
    /// to its `-->` if that ends a line and no other `<!--` opens first.
    /// Otherwise a forgotten `-->` would hide every field up to the next
    /// comment's, so the comment is an error and its lines unread.
    fn comment_spanning_lines(&mut self, start: usize, line_end: usize) -> LineKind {
        let searched = self.no_close_after.is_none_or(|after| line_end < after);
        let close = searched
            .then(|| memchr::memmem::find(&self.text.as_bytes()[line_end..], b"-->"))
            .flatten()
            .map(|at| line_end + at);
        let Some(close) = close else {
            self.no_close_after = Some(line_end);
            let span = self.span(start, line_end);
            self.error(
                span,
                "comment is never closed",
                "close it with `-->`: until then a Markdown viewer hides the rest of the proposal",
            );
            return LineKind::Malformed;
        };
        let inner = &self.text[start + 4..close];
        let after = close + 3;
        let rest_of_line = memchr::memchr2(b'\n', b'\r', &self.text.as_bytes()[after..])
            .map_or(self.text.len(), |i| after + i);
        let trailing = trim::end(&self.text[after..rest_of_line]);
        self.comment_body_until = after;
        let nested = memchr::memmem::find(inner.as_bytes(), b"<!--").map(|at| start + 4 + at);
        if nested.is_some() || !trailing.is_empty() {
            self.comment_body_read = false;
            let span = self.span(start, line_end);
            let diagnostic = match nested {
                Some(at) => Diagnostic::of(
                    codes::SYN001,
                    span,
                    "comment is not closed before another opens",
                )
                .with_label(self.span(at, at + 4), "another comment opens here")
                .with_help("close it with `-->` at the end of its last line"),
                None => Diagnostic::of(
                    codes::SYN001,
                    span,
                    "text after the `-->` that closes this comment",
                )
                .with_label(self.span(after, after + trailing.len()), "this text")
                .with_help("put the text on a line of its own, after the comment"),
            };
            self.errors.push(diagnostic);
            return LineKind::Malformed;
        }
        self.comment_body_read = true;
        let comment = parse_comment(self.text, self.span(start, after), self.line_number());
        self.file.comments.push(comment);
        LineKind::Comment
    }

    /// Cuts a trailing comment off the line, recording it; returns where
    /// the rest of the line ends.
    fn split_trailing_comment(&mut self, start: usize, content: &str) -> usize {
        let trimmed = trim::end(content);
        if !trimmed.ends_with("-->") {
            return start + content.len();
        }
        match trimmed[..trimmed.len() - 3].rfind("<!--") {
            Some(open) => {
                let span = self.span(start + open, start + trimmed.len());
                let comment = parse_comment(self.text, span, self.line_number());
                self.file.comments.push(comment);
                start + open
            }
            None => start + content.len(),
        }
    }

    fn heading(&mut self, start: usize, body: &str) -> LineKind {
        self.close_field();
        self.in_prose = false;
        let hashes = body.bytes().take_while(|&b| b == b'#').count();
        let line = self.span(start, start + body.len());
        if hashes > 2 {
            self.error(
                line,
                format!(
                    "`{}` heading: only `#` and `##` headings are part of a proposal",
                    &body[..hashes]
                ),
                "use `# Section` for a section and `## Name` for an entity; other text is prose",
            );
            return LineKind::Malformed;
        }
        let rest = &body[hashes..];
        let title_start = start + hashes + (rest.len() - trim::start(rest).len());
        let title = self.span(title_start, start + body.len());
        let what = if hashes == 1 { "section" } else { "entity" };
        if title.is_empty() {
            self.error(
                line,
                format!("{what} heading has no text"),
                if hashes == 1 {
                    "write the section's title after `# `, e.g. `# Organisations`"
                } else {
                    "write the entity's name after `## `, e.g. `## Dudley CCG`"
                },
            );
            return LineKind::Malformed;
        }
        if !starts_with_blank(rest) {
            self.error(
                Span::new(line.start, line.start + hashes as u32),
                format!("{what} heading needs a space after `{}`", &body[..hashes]),
                format!(
                    "write `{} {}`",
                    &body[..hashes],
                    excerpt(title.text(self.text))
                ),
            );
        }
        if hashes == 1 {
            LineKind::Section { title }
        } else {
            LineKind::Entity { name: title }
        }
    }

    fn indented(&mut self, start: usize, body: &str, lead: usize) -> LineKind {
        let text = self.span(start + lead, start + body.len());
        let indent = &body[..lead];
        let is_continuation_indent = indent.contains('\t') || lead >= 2;
        if is_continuation_indent {
            if let Some(field) = self.open_field {
                self.file.segments.push(text);
                let current = &mut self.file.fields[field as usize];
                current.segments.end += 1;
                if current.value.is_empty() {
                    current.value = text;
                } else {
                    current.value = current.value.cover(text);
                }
                return LineKind::Continuation { field, text };
            }
            if self.in_prose {
                return LineKind::ProseContinuation { text };
            }
        }
        // An indented `key: value` with nothing to continue is a field typed
        // with a stray indent: say so, and keep it as the field.
        if let Some(kind) = self.field(start + lead, &body[lead..]) {
            let key_end = self.file.fields.last().map_or(text.end, |f| f.key.end);
            self.error(
                Span::new(start as u32, key_end),
                "field key must start at the beginning of the line",
                "remove the leading white space",
            );
            return kind;
        }
        if is_continuation_indent {
            self.error(
                text,
                "indented line continues nothing",
                "an indented line continues the field above it, and a blank line or a heading ends that field; \
                 remove the blank line or the indent",
            );
            return LineKind::Malformed;
        }
        self.prose(start + lead, start + body.len())
    }

    /// Reads `body` (starting at `start`) as a field, if it has the shape of
    /// one.
    fn field(&mut self, start: usize, body: &str) -> Option<LineKind> {
        let (_, key) = field_key(body).ok()?;
        // The key is ASCII, so it ends on a char boundary.
        let (key, rest) = body.split_at(key.len());
        if rest.starts_with("//") {
            // `https://...` at the start of a line is prose, not a field.
            return None;
        }
        Some(self.push_field(start, key.len() - 1, rest, false))
    }

    /// A line that is a field once its key is written as keys are: `Model:
    /// mcp`, `- term: 10 years`, `cqc-registered : yes`, `Why this model:`.
    /// It is kept as a field marked loose; the model decides whether its
    /// key is one it knows (then it is read, and reported) or not (then
    /// the line is prose).
    ///
    /// Also read so: a key in bold (`**owns:** GP Fed`, `- **Owns**: GP
    /// Fed`), a full-width colon (`owns：`), a zero-width space in the key,
    /// a dash for the colon (`owns - GP Fed`), and a row of a two-column
    /// Markdown table (`| owns | GP Fed (20%) |`), as text pasted from a
    /// document has them.
    fn loose_field(&mut self, start: usize, body: &str) -> Option<LineKind> {
        if let Some(kind) = self.table_row_field(start, body) {
            return Some(kind);
        }
        let (separator, width) = match (body.find(':'), body.find('\u{ff1a}')) {
            (Some(a), Some(b)) if b < a => (b, '\u{ff1a}'.len_utf8()),
            (Some(a), _) => (a, 1),
            (None, Some(b)) => (b, '\u{ff1a}'.len_utf8()),
            (None, None) => (body.find(" - ")? + 1, 1),
        };
        let (head, rest) = (&body[..separator], &body[separator + width..]);
        if rest.starts_with("//") || normalize_key(head).is_none() {
            return None;
        }
        // The rest of a bold key (`**owns:**`) is not the value.
        let closing = rest.len() - rest.trim_start_matches(['*', '_']).len();
        let value_start = start + separator + width + closing;
        Some(self.push_loose_field(start..start + separator, value_start, start + body.len()))
    }

    /// `| key | value |`, a row of a two-column table, as a loose field.
    fn table_row_field(&mut self, start: usize, body: &str) -> Option<LineKind> {
        let inner = body.strip_prefix('|')?;
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        let mut cells = inner.split('|');
        let (key, value) = (cells.next()?, cells.next()?);
        if cells.next().is_some() || normalize_key(key).is_none() {
            return None;
        }
        let key_start = start + 1 + (key.len() - trim::start(key).len());
        let key_end = start + 1 + trim::end(key).len();
        let value_start = start + 1 + key.len() + 1;
        Some(self.push_loose_field(key_start..key_end, value_start, value_start + value.len()))
    }

    /// Records a loose field whose key is `key` and whose value is what is
    /// in `value_start..value_end` once trimmed.
    fn push_loose_field(
        &mut self,
        key: std::ops::Range<usize>,
        value_start: usize,
        value_end: usize,
    ) -> LineKind {
        self.close_field();
        self.in_prose = false;
        let key_span = self.span(key.start, key.end);
        let raw = &self.text[value_start..value_end];
        let trimmed = trim::both(raw);
        let value = if trimmed.is_empty() {
            Span::empty(key.end as u32)
        } else {
            let from = value_start + (raw.len() - trim::start(raw).len());
            self.span(from, from + trimmed.len())
        };
        let first_segment = self.file.segments.len() as u32;
        if !trimmed.is_empty() {
            self.file.segments.push(value);
        }
        let index = self.file.fields.len() as u32;
        self.file.fields.push(Field {
            line: self.file.lines.len() as u32,
            key: key_span,
            value,
            segments: first_segment..self.file.segments.len() as u32,
            loose: true,
        });
        self.open_field = Some(index);
        LineKind::Field { field: index }
    }

    /// Records a field whose key is `key_len` bytes from `start`, followed
    /// by its colon and `rest`.
    fn push_field(&mut self, start: usize, key_len: usize, rest: &str, loose: bool) -> LineKind {
        self.close_field();
        self.in_prose = false;
        let key_span = self.span(start, start + key_len);
        let colon = start + key_len + 1;
        let value_text = trim::both(rest);
        if !loose && !value_text.is_empty() && !starts_with_blank(rest) {
            self.error(
                self.span(colon - 1, colon),
                format!("no space after `{}:`", excerpt(key_span.text(self.text))),
                format!(
                    "write `{}: {}`",
                    excerpt(key_span.text(self.text)),
                    excerpt(value_text)
                ),
            );
        }
        let value_start = colon + (rest.len() - trim::start(rest).len());
        let value = self.span(
            value_start.min(colon + rest.len()),
            value_start + value_text.len(),
        );
        let value = if value_text.is_empty() {
            Span::empty(colon as u32)
        } else {
            value
        };
        let first_segment = self.file.segments.len() as u32;
        if !value_text.is_empty() {
            self.file.segments.push(value);
        }
        let index = self.file.fields.len() as u32;
        self.file.fields.push(Field {
            line: self.file.lines.len() as u32,
            key: key_span,
            value,
            segments: first_segment..self.file.segments.len() as u32,
            loose,
        });
        self.open_field = Some(index);
        LineKind::Field { field: index }
    }

    fn prose(&mut self, start: usize, end: usize) -> LineKind {
        self.close_field();
        self.in_prose = true;
        LineKind::Prose {
            text: self.span(start, end),
        }
    }

    /// Ends the open field. One that ends with no value is the model's to
    /// judge: a field of its entity without a value is an error, and a
    /// line like `Key points:` above a list is prose.
    fn close_field(&mut self) {
        self.open_field = None;
    }
}

/// Whether `text` starts with a space or a tab.
fn starts_with_blank(text: &str) -> bool {
    matches!(text.as_bytes().first(), Some(b' ' | b'\t'))
}

/// `[a-z][a-z0-9-]*:`, returning the key with its colon. Read as bytes:
/// a key is ASCII, and decoding every line's first chars to find out was
/// a tenth of the parse.
/// The key `written` (what comes before a colon) stands for, if it is
/// written loosely: in capitals, after a list bullet, with spaces around it
/// or between its words. `None` if it is not a key at all: empty, longer
/// than four words or forty bytes, or holding anything but letters, digits,
/// hyphens, underscores and spaces.
pub fn normalize_key(written: &str) -> Option<String> {
    // Zero-width characters (pasted text has them inside words) are not
    // part of the key.
    let visible: String;
    let mut key = if written.contains(['\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}'])
    {
        visible = written
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
                )
            })
            .collect();
        visible.trim()
    } else {
        written.trim()
    };
    for bullet in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = key.strip_prefix(bullet) {
            key = rest.trim_start();
            break;
        }
    }
    // A key in bold or italics: `**owns**`, `__owns`, `*owns*`.
    key = key.trim_matches(['*', '_']).trim();
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ' | '\t');
    if key.is_empty()
        || key.len() > 40
        || !key.starts_with(|c: char| c.is_ascii_alphabetic())
        || !key.chars().all(valid)
        || key.split_whitespace().count() > 4
    {
        return None;
    }
    let words: Vec<String> = key
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    Some(words.join("-"))
}

fn field_key(input: &str) -> IResult<&[u8], &[u8]> {
    recognize(terminated(
        pair(
            satisfy(|c| c.is_ascii_lowercase()),
            take_while(|b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        ),
        char(':'),
    ))
    .parse(input.as_bytes())
}
