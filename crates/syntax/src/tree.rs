//! The lossless line tree: every byte of the source belongs to exactly one
//! [`Line`], and every line says what it is.

use assure_diagnostic::Span;
use std::ops::Range;

/// A parsed proposal. Lines cover the whole source, in order, without gaps:
/// concatenating `line.full_span()` over all lines (after the BOM, if any)
/// reproduces the input byte for byte.
#[derive(Debug, Clone, Default)]
pub struct SourceFile {
    /// Whether the source starts with a UTF-8 byte-order mark (bytes `0..3`),
    /// which belongs to no line.
    pub bom: bool,
    /// Every physical line, in order.
    pub lines: Vec<Line>,
    /// Every field, in order; a field owns its continuation lines.
    pub fields: Vec<Field>,
    /// The value segments of all fields, in order; each field points at its
    /// own range. A segment is the trimmed value text of one physical line.
    pub segments: Vec<Span>,
    /// Every comment, in order: comment lines' own and trailing ones. Kept
    /// apart from [`Line`] because few lines have one, and a line is stored
    /// for every line of a file of millions.
    pub comments: Vec<Comment>,
}

impl SourceFile {
    /// The value segments of `field`.
    pub fn segments(&self, field: &Field) -> &[Span] {
        &self.segments[field.segments.start as usize..field.segments.end as usize]
    }

    /// The comment on line `line` (an index into [`SourceFile::lines`]): a
    /// comment line's own, or a trailing one.
    pub fn comment_on(&self, line: usize) -> Option<&Comment> {
        let found = self
            .comments
            .binary_search_by_key(&line, |c| c.line as usize)
            .ok()?;
        Some(&self.comments[found])
    }
}

/// One physical line. Its comment, if it has one, is in
/// [`SourceFile::comments`] (see [`SourceFile::comment_on`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line's content, without its terminator.
    pub span: Span,
    /// The offset just past the terminator (`\n` or `\r\n`); equal to
    /// `span.end` on a last line without one.
    pub end: u32,
    /// What the line is.
    pub kind: LineKind,
}

impl Line {
    /// The line including its terminator.
    pub fn full_span(&self) -> Span {
        Span::new(self.span.start, self.end)
    }
}

/// What a line is. The variants are those of the format's line table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only white space; ends a field's continuation.
    Blank,
    /// `# Title`: starts a section.
    Section {
        /// The title, trimmed.
        title: Span,
    },
    /// `## Name`: starts an entity.
    Entity {
        /// The entity's name, trimmed.
        name: Span,
    },
    /// `key: value`: the first line of field `SourceFile::fields[field]`.
    Field {
        /// Index into [`SourceFile::fields`].
        field: u32,
    },
    /// An indented line continuing the value of a field.
    Continuation {
        /// The field it continues, an index into [`SourceFile::fields`].
        field: u32,
        /// The trimmed text.
        text: Span,
    },
    /// An indented line continuing prose.
    ProseContinuation {
        /// The trimmed text.
        text: Span,
    },
    /// A line holding only `<!-- ... -->`; the comment is the line's entry
    /// in [`SourceFile::comments`].
    Comment,
    /// Narrative text.
    Prose {
        /// The trimmed text.
        text: Span,
    },
    /// A line that could not be read as any kind; it has a SYN001 error.
    Malformed,
}

/// A `key: value` field, possibly continued over several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Index of its first line in [`SourceFile::lines`].
    pub line: u32,
    /// The key, e.g. `turnover`.
    pub key: Span,
    /// From the first to the last byte of the value over all its lines;
    /// empty (just after the colon) when the field has no value.
    pub value: Span,
    /// Its value segments, as a range of [`SourceFile::segments`].
    pub segments: Range<u32>,
    /// Whether the key is written loosely (`Model:`, `- term:`, `quorum :`):
    /// a field only if the model knows the key it stands for
    /// ([`normalize_key`](crate::normalize_key)), prose otherwise.
    pub loose: bool,
}

impl Field {
    /// The whole field: from the key to the end of its value.
    pub fn span(&self) -> Span {
        self.key.cover(self.value)
    }

    /// Whether the field has any value text.
    pub fn has_value(&self) -> bool {
        !self.segments.is_empty()
    }
}

/// An HTML comment, `<!-- body -->`, on one line or spanning several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The line it is on (its first), an index into [`SourceFile::lines`].
    pub line: u32,
    /// From `<!--` to `-->` inclusive.
    pub span: Span,
    /// The text between the markers, trimmed.
    pub body: Span,
    /// The directive the comment carries, if it is one.
    pub directive: Option<Directive>,
}

/// Which directive a comment carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `assure-allow: CODE reason`: suppresses CODE on the line it covers.
    Allow,
    /// `expect: CODE`: a rule fixture expects CODE on the next line.
    Expect,
    /// `fixture: pack NAME; as-of DATE`: how `rules test` checks the file
    /// (the text is the directive's `reason`).
    Fixture,
    /// Almost `assure-allow:` (`assure-ignore:`, `assure-alow:`,
    /// `Assure-Allow:`): allows nothing, and is reported.
    Misspelt,
}

/// A directive comment: `<!-- assure-allow: CODE reason -->` or
/// `<!-- expect: CODE -->`. Codes may be listed with commas:
/// `<!-- assure-allow: CAP001, CAP002 reason -->`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Allow or expect.
    pub kind: DirectiveKind,
    /// The keyword, without its colon.
    pub keyword: Span,
    /// The codes named, each `[A-Z]+[0-9]+`; may be empty if none was given.
    pub codes: Vec<Span>,
    /// The rest of the text after the codes, trimmed; `None` if there is none.
    pub reason: Option<Span>,
}

impl SourceFile {
    /// A line-per-line rendering of the tree, for tests and debugging:
    /// each line's span, kind and text, fields with their value segments.
    pub fn debug_dump(&self, text: &str) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let quote = |span: Span| format!("{:?}", span.text(text));
        for (index, line) in self.lines.iter().enumerate() {
            let _ = write!(out, "{:?} ", line.span);
            match &line.kind {
                LineKind::Blank => out.push_str("Blank"),
                LineKind::Section { title } => {
                    let _ = write!(out, "Section {}", quote(*title));
                }
                LineKind::Entity { name } => {
                    let _ = write!(out, "Entity {}", quote(*name));
                }
                LineKind::Field { field } => {
                    let field = &self.fields[*field as usize];
                    let segments: Vec<String> =
                        self.segments(field).iter().map(|s| quote(*s)).collect();
                    let loose = if field.loose { "Loose field" } else { "Field" };
                    let _ = write!(
                        out,
                        "{loose} {} = [{}]",
                        quote(field.key),
                        segments.join(", ")
                    );
                }
                LineKind::Continuation { field, text: t } => {
                    let _ = write!(out, "Continuation of field {field} {}", quote(*t));
                }
                LineKind::ProseContinuation { text: t } => {
                    let _ = write!(out, "Continuation of prose {}", quote(*t));
                }
                LineKind::Comment => match self.comment_on(index) {
                    Some(comment) => {
                        let _ = write!(out, "Comment {}", quote(comment.body));
                    }
                    // A later line of a comment that spans lines.
                    None => out.push_str("Comment, continued"),
                },
                LineKind::Prose { text: t } => {
                    let _ = write!(out, "Prose {}", quote(*t));
                }
                LineKind::Malformed => out.push_str("Malformed"),
            }
            if let Some(comment) = self.comment_on(index) {
                if let Some(directive) = &comment.directive {
                    let codes: Vec<&str> = directive.codes.iter().map(|c| c.text(text)).collect();
                    let _ = write!(
                        out,
                        " [{:?} {}{}]",
                        directive.kind,
                        codes.join(","),
                        directive
                            .reason
                            .map(|r| format!(" reason={}", quote(r)))
                            .unwrap_or_default()
                    );
                } else if line.kind != LineKind::Comment {
                    let _ = write!(out, " [comment {}]", quote(comment.body));
                }
            }
            out.push('\n');
        }
        out
    }
}
