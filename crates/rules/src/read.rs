//! The first phase of loading a pack: its TOML read, with spans, into
//! definitions ([`PackDef`]), every key and type checked and every problem
//! reported at its place (cargo-deny's way). Nothing here parses or
//! compiles an expression: [`crate::build`] does, from these definitions.

use crate::{Examples, PackInfo, codes};
use assure_diagnostic::Applicability;
use assure_diagnostic::{Diagnostic, Severity, Span};
use assure_lang::Calendar;
use assure_lang::ast::ExprSpan;
use assure_lang::{ParseError, Val, ast};
use assure_model::Date;
use assure_toml_reader::{DeValue, Reader, Table, Value, span_of};
use assure_vocab::Vocabulary;

/// A string of the pack that holds an expression or a template: its text,
/// and where it is in the pack so that a problem found inside it points at
/// the right bytes.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    /// The text, as TOML decoded it.
    pub(crate) text: String,
    /// The whole TOML value, quotes included.
    whole: Span,
    /// Where each byte of the decoded text is in the pack (one more entry
    /// than the text has bytes, for its end); `None` if that could not be
    /// worked out, when a problem points at the whole string.
    offsets: Option<Vec<u32>>,
}

impl Written {
    /// Reads `value` as a string, calling it `what` if it is not one.
    fn read(reader: &mut Reader<'_>, value: &Value<'_>, what: &str) -> Option<Written> {
        let (text, whole) = reader.string(value, what)?;
        Some(Written {
            text: text.to_owned(),
            whole,
            offsets: offsets(reader.source(), whole, text),
        })
    }

    /// Where `span`, within the text, is in the pack: exact, escapes and
    /// all; the whole string if the string could not be mapped.
    pub(crate) fn span(&self, span: ExprSpan) -> Span {
        let at = |offset: u32| {
            self.offsets
                .as_ref()
                .and_then(|offsets| offsets.get(offset as usize).copied())
        };
        match (at(span.start), at(span.end.max(span.start))) {
            (Some(start), Some(end)) => Span::new(start, end),
            _ => self.whole,
        }
    }

    /// [`Written::span`] of a part that starts `offset` bytes into the text.
    pub(crate) fn span_at(&self, offset: usize, span: ExprSpan) -> Span {
        self.span(ExprSpan {
            start: span.start + offset as u32,
            end: span.end + offset as u32,
        })
    }

    /// The whole text's span.
    pub(crate) fn all(&self) -> Span {
        self.span(ExprSpan::new(0, self.text.len()))
    }

    /// The text from `offset` on, read by `parse` (an expression, a
    /// template); what it cannot read is PACK001 at its place in the pack.
    pub(crate) fn parsed<T>(
        &self,
        reader: &mut Reader<'_>,
        offset: usize,
        parse: fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        match parse(&self.text[offset..]) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                reader.error(
                    codes::PACK001,
                    self.span_at(offset, error.span),
                    error.message,
                );
                None
            }
        }
    }
}

/// Where each byte of `decoded` is within the TOML string at `whole`, and
/// where it ends: the string's body as written, its escapes (`\"`, `\n`,
/// `\u00e9`, a line-ending backslash) walked to find what each decoded byte
/// came from. `None` if the walk does not give `decoded` back.
fn offsets(source: &str, whole: Span, decoded: &str) -> Option<Vec<u32>> {
    let raw = whole.text(source);
    let (open, basic) = [("\"\"\"", true), ("'''", false), ("\"", true), ("'", false)]
        .into_iter()
        .find(|(quote, _)| {
            raw.len() >= 2 * quote.len() && raw.starts_with(quote) && raw.ends_with(quote)
        })?;
    let mut start = open.len();
    let body_end = raw.len() - open.len();
    if open.len() == 3 {
        // A newline right after the opening quotes is not part of the string.
        if raw[start..].starts_with("\r\n") {
            start += 2;
        } else if raw[start..].starts_with('\n') {
            start += 1;
        }
    }
    let body = &raw[start..body_end];
    let base = whole.start as usize + start;
    let mut map = Vec::with_capacity(decoded.len() + 1);
    let mut rebuilt = String::with_capacity(decoded.len());
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let produced: Option<char> = if c == '\\' && basic {
            let (_, escape) = chars.next()?;
            match escape {
                '"' => Some('"'),
                '\\' => Some('\\'),
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                'b' => Some('\u{8}'),
                'f' => Some('\u{c}'),
                'e' => Some('\u{1b}'),
                'u' | 'U' => {
                    let digits = if escape == 'u' { 4 } else { 8 };
                    let mut code = 0u32;
                    for _ in 0..digits {
                        code = code * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    Some(char::from_u32(code)?)
                }
                _ if escape.is_whitespace() => {
                    // A line-ending backslash: the white space and newlines
                    // after it are not part of the string.
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                    None
                }
                _ => return None,
            }
        } else {
            Some(c)
        };
        if let Some(produced) = produced {
            for _ in 0..produced.len_utf8() {
                map.push((base + at) as u32);
            }
            rebuilt.push(produced);
        }
    }
    map.push((base + body.len()) as u32);
    (rebuilt == decoded).then_some(map)
}

/// A pack, read.
#[derive(Debug, Default)]
pub(crate) struct PackDef {
    pub(crate) info: PackInfo,
    pub(crate) stages: Vec<StageDef>,
    pub(crate) defines: Vec<DefineDef>,
    pub(crate) rules: Vec<RuleDef>,
    /// The `[calendar]` its rules count working days in, if it names one.
    pub(crate) calendar: Option<Calendar>,
    /// `[params]`: parameters its definitions and all its rules read.
    pub(crate) params: Vec<ParamDef>,
}

/// A `[[stages]]` entry.
#[derive(Debug)]
pub(crate) struct StageDef {
    pub(crate) id: String,
    pub(crate) id_span: Span,
    pub(crate) title: Option<String>,
    pub(crate) approved: Option<Written>,
    pub(crate) applies: Option<Written>,
}

/// A `[define.NAME]` entry.
#[derive(Debug)]
pub(crate) struct DefineDef {
    pub(crate) name: String,
    pub(crate) key_span: Span,
    pub(crate) params: Vec<(String, Span)>,
    pub(crate) expr: Option<Written>,
}

/// A `[[rules]]` entry.
#[derive(Debug, Default)]
pub(crate) struct RuleDef {
    pub(crate) code: Option<(String, Span)>,
    pub(crate) name: String,
    pub(crate) stage: Option<(String, Span)>,
    /// `None` if missing or not a severity (reported; read as an error).
    pub(crate) severity: Option<Severity>,
    pub(crate) summary: String,
    pub(crate) source: String,
    pub(crate) help: Option<String>,
    pub(crate) params: Vec<ParamDef>,
    /// Each `for` clause; `None` where one could not be read.
    pub(crate) fors: Vec<Option<Written>>,
    /// Each `let`: its name, the name's span and its expression (`None`
    /// where it could not be read).
    pub(crate) lets: Vec<(String, Span, Option<Written>)>,
    /// The condition under which the rule applies to a binding at all.
    pub(crate) applies: Option<Written>,
    /// Each `needs`: the `let` it names, the name's span, and what it is,
    /// in words, for the message when it is missing.
    pub(crate) needs: Vec<(String, Span, String)>,
    pub(crate) when: Option<Written>,
    pub(crate) message: Option<Written>,
    pub(crate) primary: Option<Written>,
    pub(crate) labels: Vec<LabelDef>,
    pub(crate) examples: Examples,
    pub(crate) fix: Option<FixDef>,
    /// `scope = "corpus"`: the rule sees every proposal linted together.
    pub(crate) corpus: bool,
}

/// A rule's `[rules.fix]`: a line to insert into a block, or a value to
/// replace.
#[derive(Debug)]
pub(crate) struct FixDef {
    pub(crate) title: Written,
    pub(crate) applicability: Applicability,
    pub(crate) action: FixActionDef,
}

/// What a fix does, as written.
#[derive(Debug)]
pub(crate) enum FixActionDef {
    /// `insert` (a template: the line) at the end of `into`'s block (an
    /// entity or a section).
    Insert { line: Written, into: Written },
    /// `replace` (a template) the text at `at` (a place).
    Replace { with: Written, at: Written },
}

/// A parameter of a rule, with its default read.
#[derive(Debug)]
pub(crate) struct ParamDef {
    pub(crate) name: String,
    pub(crate) key_span: Span,
    pub(crate) default: Val<'static>,
    pub(crate) doc: Option<String>,
}

/// One of a rule's `labels`.
#[derive(Debug)]
pub(crate) struct LabelDef {
    pub(crate) each: Option<Written>,
    pub(crate) at: Option<Written>,
    pub(crate) message: Option<Written>,
}

const PACK_KEYS: [&str; 7] = [
    "pack",
    "vocabulary",
    "stages",
    "define",
    "rules",
    "calendar",
    "params",
];
const RULE_KEYS: [&str; 19] = [
    "code", "name", "stage", "severity", "summary", "source", "help", "params", "for", "let",
    "applies", "needs", "when", "message", "primary", "labels", "examples", "fix", "scope",
];

/// Reads the pack `document` (whose text `reader` holds) into definitions;
/// its `[vocabulary]` extends `vocabulary` as it is read, so that its rules
/// are built against the fields it adds.
pub(crate) fn read(
    reader: &mut Reader<'_>,
    document: &assure_toml_reader::Spanned<assure_toml_reader::DeTable<'_>>,
    vocabulary: &mut Vocabulary,
) -> PackDef {
    let mut root = Table::root(document);
    let mut pack = PackDef {
        info: info(reader, &mut root),
        ..PackDef::default()
    };
    if let Some(value) = root.get("vocabulary")
        && let Some(mut table) = reader.table(value, "`vocabulary`")
    {
        vocabulary.extend(reader, &mut table);
        table.finish(
            reader,
            &assure_vocab::VOCABULARY_KEYS,
            "the pack's vocabulary",
        );
    }
    if let Some(value) = root.get("calendar")
        && let Some(mut table) = reader.table(value, "`calendar`")
    {
        pack.calendar = calendar(reader, &mut table);
        table.finish(reader, &["name", "from", "to", "holidays"], "`[calendar]`");
    }
    pack.params = params(reader, &mut root);
    if let Some(stages) = root.get("stages") {
        for mut table in reader.tables(stages, "each of `stages`") {
            if let Some(stage) = stage(reader, &mut table) {
                pack.stages.push(stage);
            }
            table.finish(reader, &["id", "title", "approved", "applies"], "a stage");
        }
    }
    if let Some(defines) = root.get("define")
        && let Some(mut table) = reader.table(defines, "`define`")
    {
        let entries: Vec<_> = table.entries().collect();
        for (name, key_span, value) in entries {
            if let Some(define) = define(reader, name, key_span, value) {
                pack.defines.push(define);
            }
        }
    }
    if let Some(rules) = root.get("rules") {
        for mut table in reader.tables(rules, "each of `rules`") {
            pack.rules.push(rule(reader, &mut table));
            table.finish(reader, &RULE_KEYS, "a rule");
        }
    }
    root.finish(reader, &PACK_KEYS, "a rule pack");
    pack
}

/// Reads a `[calendar]`: a shipped calendar by `name` alone, or a whole
/// one (`name`, `from`, `to` and `holidays`, dates as `YYYY-MM-DD`).
pub(crate) fn calendar(reader: &mut Reader<'_>, table: &mut Table<'_, '_>) -> Option<Calendar> {
    let name = string_spanned(reader, table, "name", "`[calendar]`", true)?;
    let mut date = |reader: &mut Reader<'_>, key: &str| -> Option<Date> {
        let (text, span) = string_spanned(reader, table, key, "`[calendar]`", false)?;
        match Date::parse(&text) {
            Ok(date) if date.has_day => Some(date),
            Ok(_) => {
                reader.error(
                    codes::PACK002,
                    span,
                    format!("`{key}` must be a day (YYYY-MM-DD), not a month"),
                );
                None
            }
            Err(message) => {
                reader.error(codes::PACK002, span, message);
                None
            }
        }
    };
    let from = date(reader, "from");
    let to = date(reader, "to");
    let holidays = table.get("holidays");
    let (from, to, holidays) = match (from, to, holidays) {
        (None, None, None) => {
            return match crate::builtin_calendar(&name.0) {
                Some(calendar) => Some(calendar.clone()),
                None => {
                    let names = crate::BUILTIN_CALENDARS.iter().map(|(n, _)| *n);
                    let help = assure_diagnostic::closest(&name.0, names.clone())
                        .map_or_else(String::new, |n| format!("did you mean `{n}`? "));
                    reader.push(
                        Diagnostic::of(
                            codes::PACK002,
                            name.1,
                            format!("no calendar is called `{}`", name.0),
                        )
                        .with_help(format!(
                            "{help}the calendars shipped with assure are {}; or give the whole calendar with `from`, `to` and `holidays`",
                            names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                        )),
                    );
                    None
                }
            };
        }
        (Some(from), Some(to), Some(holidays)) => (from, to, holidays),
        _ => {
            reader.error(
                codes::PACK002,
                name.1,
                "a calendar of the pack's own needs `from`, `to` and `holidays`; a shipped one, only its `name`",
            );
            return None;
        }
    };
    if to < from {
        reader.error(
            codes::PACK002,
            name.1,
            format!("the calendar ends ({to}) before it starts ({from})"),
        );
        return None;
    }
    let mut days = Vec::new();
    for (text, span) in reader.strings(holidays, "`holidays`")? {
        match Date::parse(text) {
            Ok(date) if date.has_day && date >= from && date <= to => days.push(date),
            Ok(date) if date.has_day => reader.error(
                codes::PACK002,
                span,
                format!("{date} is outside the calendar ({from} to {to})"),
            ),
            Ok(_) => reader.error(
                codes::PACK002,
                span,
                "a holiday is a day (YYYY-MM-DD), not a month",
            ),
            Err(message) => reader.error(codes::PACK002, span, message),
        }
    }
    Some(Calendar::new(&name.0, from, to, &days))
}

fn info(reader: &mut Reader<'_>, root: &mut Table<'_, '_>) -> PackInfo {
    let mut info = PackInfo::default();
    let Some(pack) = root.required(reader, "pack", "a rule pack") else {
        return info;
    };
    let Some(mut table) = reader.table(pack, "`pack`") else {
        return info;
    };
    info.name = string(reader, &mut table, "name", "`[pack]`", true).unwrap_or_default();
    info.version = string(reader, &mut table, "version", "`[pack]`", true).unwrap_or_default();
    info.description = string(reader, &mut table, "description", "`[pack]`", false);
    table.finish(reader, &["name", "version", "description"], "`[pack]`");
    info
}

/// The string at `key` of `table` (part of `what`), reported if it is not
/// a string or, when `required`, if it is missing.
fn string(
    reader: &mut Reader<'_>,
    table: &mut Table<'_, '_>,
    key: &str,
    what: &str,
    required: bool,
) -> Option<String> {
    string_spanned(reader, table, key, what, required).map(|(text, _)| text)
}

fn string_spanned(
    reader: &mut Reader<'_>,
    table: &mut Table<'_, '_>,
    key: &str,
    what: &str,
    required: bool,
) -> Option<(String, Span)> {
    let value = lookup(reader, table, key, what, required)?;
    let (text, span) = reader.string(value, &format!("`{key}` of {what}"))?;
    Some((text.to_owned(), span))
}

/// The expression or template at `key` of `table`.
fn written(
    reader: &mut Reader<'_>,
    table: &mut Table<'_, '_>,
    key: &str,
    what: &str,
    required: bool,
) -> Option<Written> {
    let value = lookup(reader, table, key, what, required)?;
    Written::read(reader, value, &format!("`{key}` of {what}"))
}

fn lookup<'t, 'i>(
    reader: &mut Reader<'_>,
    table: &mut Table<'t, 'i>,
    key: &str,
    what: &str,
    required: bool,
) -> Option<&'t Value<'i>> {
    if required {
        table.required(reader, key, what)
    } else {
        table.get(key)
    }
}

fn stage(reader: &mut Reader<'_>, table: &mut Table<'_, '_>) -> Option<StageDef> {
    let id = string_spanned(reader, table, "id", "a stage", true);
    let title = string(reader, table, "title", "a stage", false);
    let approved = written(reader, table, "approved", "a stage", false);
    let applies = written(reader, table, "applies", "a stage", false);
    let (id, id_span) = id?;
    Some(StageDef {
        id,
        id_span,
        title,
        approved,
        applies,
    })
}

fn define(
    reader: &mut Reader<'_>,
    name: &str,
    key_span: Span,
    value: &Value<'_>,
) -> Option<DefineDef> {
    let what = format!("`define.{name}`");
    let mut table = reader.table(value, &what)?;
    let params: Vec<(String, Span)> = match table.get("params") {
        Some(params) => reader
            .strings(params, "`params` of a definition")
            .map(|v| {
                v.into_iter()
                    .map(|(s, span)| (s.to_owned(), span))
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let expr = written(reader, &mut table, "expr", &what, true);
    let _ = string(reader, &mut table, "doc", "a definition", false);
    table.finish(reader, &["params", "expr", "doc"], &what);
    Some(DefineDef {
        name: name.to_owned(),
        key_span,
        params,
        expr,
    })
}

/// Lower-case words of letters and digits, joined by single `-`.
fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn rule(reader: &mut Reader<'_>, table: &mut Table<'_, '_>) -> RuleDef {
    let what = "a rule";
    let name = string_spanned(reader, table, "name", what, true);
    // SARIF's rule names, `explain` and the docs show it: kebab case, as
    // every code of the registry's is.
    if let Some((name, span)) = &name
        && !is_kebab_case(name)
    {
        reader.error(
            codes::PACK005,
            *span,
            format!("`{name}` is not a rule name: use lower-case words and digits joined by `-`, like `contract-dwarfs-holder`"),
        );
    }
    let mut rule = RuleDef {
        code: string_spanned(reader, table, "code", what, true),
        name: name.map(|(name, _)| name).unwrap_or_default(),
        stage: string_spanned(reader, table, "stage", what, true),
        ..RuleDef::default()
    };
    if let Some((code, span)) = &rule.code
        && !is_rule_code(code)
    {
        reader.error(
            codes::PACK005,
            *span,
            format!("`{code}` is not a rule code: use capitals then digits, like `LOC001`"),
        );
    }
    rule.severity =
        string_spanned(reader, table, "severity", what, true).and_then(|(text, span)| {
            let severity = Severity::parse(&text);
            if severity.is_none() {
                reader.push(
                    Diagnostic::of(codes::PACK005, span, format!("unknown severity `{text}`"))
                        .with_help("use `error`, `warning` or `info`"),
                );
            }
            severity
        });
    rule.summary = string(reader, table, "summary", what, true).unwrap_or_default();
    rule.source = string(reader, table, "source", what, true).unwrap_or_default();
    rule.help = string(reader, table, "help", what, false);
    rule.params = params(reader, table);
    if let Some(value) = table.get("for") {
        let clauses: Vec<&Value<'_>> = match value.get_ref() {
            DeValue::Array(items) => items.iter().collect(),
            _ => vec![value],
        };
        rule.fors = clauses
            .into_iter()
            .map(|clause| Written::read(reader, clause, "`for`"))
            .collect();
    }
    if let Some(lets) = table.get("let")
        && let Some(mut lets) = reader.table(lets, "`let`")
    {
        let entries: Vec<_> = lets.entries().collect();
        for (name, key_span, value) in entries {
            let expr = Written::read(reader, value, &format!("`let.{name}`"));
            rule.lets.push((name.to_owned(), key_span, expr));
        }
    }
    rule.applies = written(reader, table, "applies", what, false);
    if let Some(needs) = table.get("needs")
        && let Some(mut needs) = reader.table(needs, "`needs`")
    {
        let entries: Vec<_> = needs.entries().collect();
        for (name, key_span, value) in entries {
            if let Some((what, _)) = reader.string(value, &format!("`needs.{name}`")) {
                rule.needs
                    .push((name.to_owned(), key_span, what.to_owned()));
            }
        }
    }
    rule.when = written(reader, table, "when", what, true);
    rule.message = written(reader, table, "message", what, true);
    rule.primary = written(reader, table, "primary", what, false);
    if let Some(value) = table.get("labels") {
        for mut label in reader.tables(value, "each of `labels`") {
            rule.labels.push(LabelDef {
                each: written(reader, &mut label, "each", "a label", false),
                at: written(reader, &mut label, "at", "a label", true),
                message: written(reader, &mut label, "message", "a label", true),
            });
            label.finish(reader, &["each", "at", "message"], "a label");
        }
    }
    rule.examples = examples(reader, table);
    rule.fix = fix(reader, table);
    if let Some(value) = table.get("scope")
        && let Some((scope, span)) = reader.string(value, "`scope`")
    {
        match scope {
            "proposal" => {}
            "corpus" => rule.corpus = true,
            other => reader.error(
                codes::PACK005,
                span,
                format!("`{other}` is not a scope: write `proposal` (the default) or `corpus`"),
            ),
        }
    }
    rule
}

/// A rule's `fix`, if it has one that can be read.
fn fix(reader: &mut Reader<'_>, table: &mut Table<'_, '_>) -> Option<FixDef> {
    let value = table.get("fix")?;
    let mut fix = reader.table(value, "`fix`")?;
    let what = "`fix`";
    let title = written(reader, &mut fix, "title", what, true);
    let applicability = match fix.get("applicability") {
        Some(value) => {
            let (name, span) = reader.string(value, "`applicability`")?;
            match Applicability::parse(name) {
                Some(applicability) => applicability,
                None => {
                    reader.error(
                        codes::PACK005,
                        span,
                        format!(
                            "`{name}` is not an applicability: write `safe`, `unsafe` or `manual`"
                        ),
                    );
                    return None;
                }
            }
        }
        None => Applicability::Manual,
    };
    let insert = written(reader, &mut fix, "insert", what, false);
    let into = written(reader, &mut fix, "into", what, false);
    let replace = written(reader, &mut fix, "replace", what, false);
    let at = written(reader, &mut fix, "at", what, false);
    let span = reader.first_line(fix.span());
    fix.finish(
        reader,
        &["title", "applicability", "insert", "into", "replace", "at"],
        what,
    );
    let action = match (insert, into, replace, at) {
        (Some(line), Some(into), None, None) => FixActionDef::Insert { line, into },
        (None, None, Some(with), Some(at)) => FixActionDef::Replace { with, at },
        _ => {
            reader.error(
                codes::PACK005,
                span,
                "a fix either inserts a line into a block (`insert` and `into`) or replaces a value (`replace` and `at`)",
            );
            return None;
        }
    };
    Some(FixDef {
        title: title?,
        applicability,
        action,
    })
}

/// Whether `code` is written as a rule's code is: capitals, then digits.
fn is_rule_code(code: &str) -> bool {
    code.len() >= 4
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && code.chars().last().is_some_and(|c| c.is_ascii_digit())
}

fn params(reader: &mut Reader<'_>, table: &mut Table<'_, '_>) -> Vec<ParamDef> {
    let mut params = Vec::new();
    let Some(value) = table.get("params") else {
        return params;
    };
    let Some(mut params_table) = reader.table(value, "`params`") else {
        return params;
    };
    let entries: Vec<_> = params_table.entries().collect();
    for (name, key_span, value) in entries {
        let what = format!("parameter `{name}`");
        let Some(mut param) = reader.table(value, &what) else {
            continue;
        };
        let default = param.required(reader, "default", &what);
        let doc = param
            .get("doc")
            .and_then(|v| reader.string(v, "a parameter's `doc`"))
            .map(|(s, _)| s.to_owned());
        param.finish(reader, &["default", "doc"], &what);
        // A default that cannot be read is reported, and the parameter
        // still declared (as `none`), so that its uses are not reported as
        // undeclared too.
        let default = default
            .and_then(|default| constant(reader, default, &format!("the default of `{name}`")))
            .unwrap_or(Val::Missing);
        params.push(ParamDef {
            name: name.to_owned(),
            key_span,
            default,
            doc,
        });
    }
    params
}

/// A parameter's default: a TOML number or boolean, or a string holding a
/// literal (`"5%"`, `"£10m"`) or a bare word; or a list of them, all of one
/// kind.
fn constant(reader: &mut Reader<'_>, value: &Value<'_>, what: &str) -> Option<Val<'static>> {
    if let DeValue::Array(items) = value.get_ref() {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(constant(reader, item, what)?);
        }
        return match list_of_one_kind(values) {
            Ok(list) => Some(list),
            Err(message) => {
                reader.error(codes::PACK002, span_of(value), format!("{what}: {message}"));
                None
            }
        };
    }
    match read_constant(value, what) {
        TomlConstant::Value(constant) => return Some(constant),
        TomlConstant::Problem(message) => {
            reader.error(codes::PACK002, span_of(value), message);
            return None;
        }
        TomlConstant::Text(_) => {}
    }
    let expr = Written::read(reader, value, what)?.parsed(reader, 0, assure_lang::parse_expr)?;
    match expr.kind {
        ast::ExprKind::Literal(literal) => Some(Val::of_literal(&literal)),
        ast::ExprKind::Name(word) => Some(Val::Owned(word.into())),
        _ => {
            reader.push(
                Diagnostic::of(
                    codes::PACK002,
                    span_of(value),
                    format!("{what} must be a single value"),
                )
                .with_help("write a number, `5%`, `£10m`, `2 years`, a date or a quoted word"),
            );
            None
        }
    }
}

fn examples(reader: &mut Reader<'_>, table: &mut Table<'_, '_>) -> Examples {
    let mut examples = Examples::default();
    let Some(value) = table.get("examples") else {
        return examples;
    };
    let Some(mut examples_table) = reader.table(value, "`examples`") else {
        return examples;
    };
    examples.fail = string_spanned(reader, &mut examples_table, "fail", "`examples`", false);
    examples.pass = string_spanned(reader, &mut examples_table, "pass", "`examples`", false);
    if let Some((text, span)) =
        string_spanned(reader, &mut examples_table, "as-of", "`examples`", false)
    {
        match Date::parse(&text) {
            Ok(date) => examples.as_of = Some(date),
            Err(message) => reader.error(codes::PACK002, span, message),
        }
    }
    examples_table.finish(reader, &["fail", "pass", "as-of"], "`examples`");
    examples
}

/// `values` as a list, if they are all of one kind (a list of dates, of
/// amounts, of words); why not, if not.
pub fn list_of_one_kind(values: Vec<Val<'static>>) -> Result<Val<'static>, String> {
    if let Some(first) = values.first()
        && let Some(other) = values
            .iter()
            .find(|v| !first.same_kind(v) || matches!(v, Val::List(_)))
    {
        return Err(format!(
            "a list's items must all be of one kind, and this one has {} and {}",
            crate::describe_kind(first),
            crate::describe_kind(other)
        ));
    }
    Ok(Val::List(values.into()))
}

/// A parameter's value as written in TOML (a pack's default, a
/// configuration's setting), before its text, if any, is parsed.
#[derive(Debug)]
pub enum TomlConstant<'v> {
    /// A number or a boolean, read.
    Value(Val<'static>),
    /// A string, for the caller to parse: packs and configurations accept
    /// different things in one.
    Text(&'v str),
    /// Why the value cannot be a parameter's, naming it as `what`.
    Problem(String),
}

/// Reads `value` as a parameter's value, calling it `what` in problems.
pub fn read_constant<'v>(value: &'v Value<'_>, what: &str) -> TomlConstant<'v> {
    match value.get_ref() {
        DeValue::Integer(i) => match i.as_str().parse() {
            Ok(n) => TomlConstant::Value(Val::Number(n)),
            Err(_) => TomlConstant::Problem(format!("{what} is too large")),
        },
        DeValue::Float(f) => match f.as_str().parse() {
            Ok(n) => TomlConstant::Value(Val::Number(n)),
            Err(_) => TomlConstant::Problem(format!("{what} is not a decimal number")),
        },
        DeValue::Boolean(b) => TomlConstant::Value(Val::Bool(*b)),
        // A TOML date (`2024-01-01`, unquoted) is a date; a time is not.
        DeValue::Datetime(datetime) => match (datetime.date, datetime.time) {
            (Some(date), None) => {
                match Date::parse(&format!(
                    "{:04}-{:02}-{:02}",
                    date.year, date.month, date.day
                )) {
                    Ok(date) => TomlConstant::Value(Val::Date(date)),
                    Err(message) => TomlConstant::Problem(format!("{what}: {message}")),
                }
            }
            _ => TomlConstant::Problem(format!(
                "{what} must be a date without a time (`2024-01-01`)"
            )),
        },
        DeValue::String(text) => TomlConstant::Text(text),
        other => TomlConstant::Problem(format!(
            "{what} must be a number or a string, not {}",
            assure_toml_reader::type_name(other)
        )),
    }
}
