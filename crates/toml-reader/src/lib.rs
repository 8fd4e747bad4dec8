//! Reading TOML the way cargo-deny does: parse once into a tree with a span
//! on every key and value, then validate by hand, reporting every problem
//! (not only the first) as a [`Diagnostic`] pointing into the file.
//!
//! The vocabulary, the rule packs and `assure.toml` are all read through a
//! [`Reader`]: a [`Table`] remembers which keys were read, and
//! [`Table::finish`] reports the rest as unknown, with a "did you mean" when
//! a known key is close. Typed getters report a value of the wrong type with
//! the type that was expected.

use assure_diagnostic::{Diagnostic, Span, closest, codes};
pub use toml::Spanned;
pub use toml::de::{DeArray, DeTable, DeValue};

/// A spanned TOML value.
pub type Value<'i> = Spanned<DeValue<'i>>;

/// The span of a spanned value.
pub fn span_of<T>(value: &Spanned<T>) -> Span {
    Span::from_range(value.span())
}

/// Parses a whole TOML document, recovering from errors so that every syntax
/// error is reported. The table is empty if nothing could be read.
pub fn parse(source: &str) -> (Spanned<DeTable<'_>>, Vec<Diagnostic>) {
    let (table, errors) = DeTable::parse_recoverable(source);
    let diagnostics = errors
        .into_iter()
        .map(|error| {
            let span = error
                .span()
                .map(Span::from_range)
                .unwrap_or_else(|| Span::empty(0));
            Diagnostic::of(
                codes::TOML001,
                span,
                format!("invalid TOML: {}", error.message().trim()),
            )
        })
        .collect();
    (table, diagnostics)
}

/// What kind of TOML value something is, for messages.
pub fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Collects diagnostics while a document is read.
#[derive(Debug)]
pub struct Reader<'s> {
    source: &'s str,
    /// Everything found so far.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'s> Reader<'s> {
    /// A reader for `source`.
    pub fn new(source: &'s str) -> Self {
        Reader {
            source,
            diagnostics: Vec::new(),
        }
    }

    /// The text being read.
    pub fn source(&self) -> &'s str {
        self.source
    }

    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Records an error.
    pub fn error(&mut self, code: codes::Registered, span: Span, message: impl Into<String>) {
        self.push(Diagnostic::of(code, span, message));
    }

    /// Whether any error has been recorded.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == assure_diagnostic::Severity::Error)
    }

    /// The first line of `span`: a table's header rather than its whole body.
    pub fn first_line(&self, span: Span) -> Span {
        let text = span.text(self.source);
        match text.find('\n') {
            Some(newline) => Span::new(
                span.start,
                span.start + text[..newline].trim_end().len() as u32,
            ),
            None => span,
        }
    }

    fn wrong_type(&mut self, value: &Value<'_>, what: &str, expected: &str) {
        self.error(
            codes::TOML003,
            span_of(value),
            format!(
                "{what} must be {expected}, not {}",
                type_name(value.get_ref())
            ),
        );
    }

    /// `value` as a table.
    pub fn table<'t, 'i>(&mut self, value: &'t Value<'i>, what: &str) -> Option<Table<'t, 'i>> {
        match value.get_ref() {
            DeValue::Table(entries) => Some(Table::new(entries, span_of(value))),
            _ => {
                self.wrong_type(value, what, "a table");
                None
            }
        }
    }

    /// `value` as the text of a date: a string (`"2024-06-01"`, read by the
    /// caller) or a TOML date without a time (`2024-06-01`), with its span.
    pub fn date_text(&mut self, value: &Value<'_>, what: &str) -> Option<(String, Span)> {
        match value.get_ref() {
            DeValue::String(text) => Some((text.to_string(), span_of(value))),
            DeValue::Datetime(datetime) if datetime.time.is_none() && datetime.offset.is_none() => {
                let date = datetime.date?;
                Some((
                    format!("{:04}-{:02}-{:02}", date.year, date.month, date.day),
                    span_of(value),
                ))
            }
            _ => {
                self.wrong_type(value, what, "a date (`2024-06-01`)");
                None
            }
        }
    }

    /// `value` as a string, with its span.
    pub fn string<'t>(&mut self, value: &'t Value<'_>, what: &str) -> Option<(&'t str, Span)> {
        match value.get_ref() {
            DeValue::String(text) => Some((text.as_ref(), span_of(value))),
            _ => {
                self.wrong_type(value, what, "a string");
                None
            }
        }
    }

    /// `value` as a boolean.
    pub fn boolean(&mut self, value: &Value<'_>, what: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(value, what, "true or false");
                None
            }
        }
    }

    /// `value` as an array.
    pub fn array<'t, 'i>(&mut self, value: &'t Value<'i>, what: &str) -> Option<&'t [Value<'i>]> {
        match value.get_ref() {
            DeValue::Array(items) => Some(items),
            _ => {
                self.wrong_type(value, what, "an array");
                None
            }
        }
    }

    /// `value` as an array of strings; items of another type are reported
    /// and skipped.
    pub fn strings<'t>(
        &mut self,
        value: &'t Value<'_>,
        what: &str,
    ) -> Option<Vec<(&'t str, Span)>> {
        let items = self.array(value, what)?;
        Some(
            items
                .iter()
                .filter_map(|item| self.string(item, &format!("each item of {what}")))
                .collect(),
        )
    }

    /// `value` as an array of tables (`[[name]]`).
    pub fn tables<'t, 'i>(&mut self, value: &'t Value<'i>, what: &str) -> Vec<Table<'t, 'i>> {
        let Some(items) = self.array(value, what) else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.table(item, &format!("each entry of {what}")))
            .collect()
    }
}

/// A table being read: remembers which keys were asked for, so that
/// [`Table::finish`] can report the others.
#[derive(Debug)]
pub struct Table<'t, 'i> {
    entries: &'t DeTable<'i>,
    span: Span,
    used: Vec<bool>,
}

impl<'t, 'i> Table<'t, 'i> {
    fn new(entries: &'t DeTable<'i>, span: Span) -> Self {
        Table {
            entries,
            span,
            used: vec![false; entries.len()],
        }
    }

    /// The document's top-level table.
    pub fn root(document: &'t Spanned<DeTable<'i>>) -> Self {
        Table::new(document.get_ref(), span_of(document))
    }

    /// The table's span.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The value at `key`, marking it read.
    pub fn get(&mut self, key: &str) -> Option<&'t Value<'i>> {
        let index = self.entries.keys().position(|k| k.get_ref() == key)?;
        self.used[index] = true;
        self.entries.values().nth(index)
    }

    /// The span of `key` itself, if present.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries.get_key_value(key).map(|(k, _)| span_of(k))
    }

    /// The value at `key`; a TOML004 error if it is missing.
    pub fn required(
        &mut self,
        reader: &mut Reader<'_>,
        key: &str,
        what: &str,
    ) -> Option<&'t Value<'i>> {
        let value = self.get(key);
        if value.is_none() {
            let at = reader.first_line(self.span);
            reader.error(codes::TOML004, at, format!("{what} has no `{key}`"));
        }
        value
    }

    /// Every entry, marking all read: for tables whose keys are names (a
    /// pack's parameters, a section's fields).
    pub fn entries(
        &mut self,
    ) -> impl Iterator<Item = (&'t str, Span, &'t Value<'i>)> + use<'t, 'i> {
        self.used.iter_mut().for_each(|used| *used = true);
        self.entries
            .iter()
            .map(|(key, value)| (key.get_ref().as_ref(), span_of(key), value))
    }

    /// Reports every key not read as unknown (TOML002), suggesting the
    /// closest of `known`.
    pub fn finish(self, reader: &mut Reader<'_>, known: &[&str], what: &str) {
        for ((key, _), used) in self.entries.iter().zip(self.used) {
            if used {
                continue;
            }
            let name = key.get_ref().as_ref();
            let mut diagnostic = Diagnostic::of(
                codes::TOML002,
                span_of(key),
                format!("unknown key `{name}` in {what}"),
            );
            diagnostic = match closest(name, known.iter().copied()) {
                Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                None if !known.is_empty() => {
                    diagnostic.with_help(format!("expected one of: {}", known.join(", ")))
                }
                None => diagnostic,
            };
            reader.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_problem_with_its_span() {
        let source = "name = \"x\"\nnmae = 1\ncount = \"three\"\n[inner]\nflag = 3\n";
        let (document, errors) = parse(source);
        assert!(errors.is_empty());
        let mut reader = Reader::new(source);
        let mut root = Table::root(&document);
        let name = root.get("name").and_then(|v| reader.string(v, "`name`"));
        assert_eq!(name.map(|(s, _)| s), Some("x"));
        if let Some(count) = root.get("count") {
            reader.array(count, "`count`");
        }
        let mut inner = root
            .get("inner")
            .and_then(|v| reader.table(v, "`inner`"))
            .unwrap();
        if let Some(flag) = inner.get("flag") {
            reader.boolean(flag, "`flag`");
        }
        inner.required(&mut reader, "size", "`[inner]`");
        inner.finish(&mut reader, &["flag", "size"], "`[inner]`");
        root.finish(&mut reader, &["name", "count", "inner"], "the document");
        insta::assert_snapshot!(assure_diagnostic::render_plain(source, &reader.diagnostics), @r#"
        TOML003 3:9 "\"three\"": `count` must be an array, not a string
        TOML003 5:8 "3": `flag` must be true or false, not an integer
        TOML004 4:1 "[inner]": `[inner]` has no `size`
        TOML002 2:1 "nmae": unknown key `nmae` in the document (help: did you mean `name`?)
        "#);
    }

    #[test]
    fn syntax_errors_are_all_reported() {
        let source = "a = \nb = [1, \n";
        let (_, errors) = parse(source);
        assert!(!errors.is_empty());
        assert!(errors.iter().all(|e| *e.code == codes::TOML001));
    }
}
