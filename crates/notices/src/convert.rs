//! One procurement's releases as a proposal: each field the vocabulary's
//! `[notices]` reads, from the JSON pointers it names or the sentences of
//! the notice's text, the later release's value over the earlier's; the
//! organisations its references name; template blanks left in the text as
//! placeholders; and each line's place, the notice and the JSON pointer
//! the value came from, written above it as a comment too.

use crate::read::{Group, Release};
use crate::texts::{Phrases, Texts, escaped, texts_of};
use crate::words::{self, find_phrase};
use assure_diagnostic::place::{Part, Place, Places};
use assure_vocab::{
    EntityTypeId, FieldDef, FieldId, HEADER, NoticeField, Owner, Target, ValueType, Vocabulary,
};
use serde_json::Value;

/// The longest value written from a notice's text; a longer one is cut
/// with `…`.
const MAX_VALUE_CHARS: usize = 2_000;

/// One procurement as a proposal.
#[derive(Debug, Clone)]
pub struct Notice {
    /// Its Open Contracting id.
    pub ocid: String,
    /// The notices (release ids) read, in the order read.
    pub notices: Vec<String>,
    /// The proposal, in the canonical text format.
    pub text: String,
    /// Each line's place: the notice and the JSON pointer.
    pub places: Places,
}

/// Where a value came from.
#[derive(Debug, Clone)]
struct Source {
    /// The release, by its index in the group.
    release: usize,
    /// The JSON pointer of the value, from the line's or document's root.
    pointer: String,
}

/// An entity a reference names.
#[derive(Debug, Clone)]
struct Named {
    name: String,
    ty: EntityTypeId,
    source: Source,
}

#[derive(Debug, Clone)]
struct Reading {
    value: String,
    source: Source,
    named: Vec<Named>,
}

/// How a vocabulary's `[notices]` reads procurements: made once for a run
/// (its phrases in one automaton) and used for each.
pub struct Reader<'v> {
    vocabulary: &'v Vocabulary,
    phrases: Phrases,
}

impl<'v> Reader<'v> {
    /// A reader of notices through `vocabulary`.
    pub fn new(vocabulary: &'v Vocabulary) -> Reader<'v> {
        Reader {
            vocabulary,
            phrases: Phrases::of(vocabulary),
        }
    }

    /// The group as a proposal.
    pub fn convert(&self, group: &Group) -> Notice {
        convert_with(group, self.vocabulary, &self.phrases)
    }
}

/// The group as a proposal, read through `vocabulary`'s `[notices]`; for
/// many groups, a [`Reader`] does the vocabulary's part once.
pub fn convert(group: &Group, vocabulary: &Vocabulary) -> Notice {
    Reader::new(vocabulary).convert(group)
}

fn convert_with(group: &Group, vocabulary: &Vocabulary, phrases: &Phrases) -> Notice {
    let spec = vocabulary.notices();
    // Later notices say what stands now: ordered by their dates (as
    // published: one offset throughout), the order read among equals.
    let mut order: Vec<usize> = (0..group.releases.len()).collect();
    order.sort_by(|&a, &b| date_of(&group.releases[a]).cmp(date_of(&group.releases[b])));
    let mut read: Vec<(FieldId, Reading)> = Vec::new();
    let mut name: Option<(String, Source)> = None;
    let mut blanks: Vec<(String, Source)> = Vec::new();
    for &index in &order {
        let release = &group.releases[index];
        let texts = texts_of(&release.value, &release.pointer, phrases);
        for field in &spec.fields {
            let def = vocabulary.field(field.field);
            let Some(reading) = read_field(field, def, release, index, &texts) else {
                continue;
            };
            match read.iter_mut().find(|(id, _)| *id == field.field) {
                Some((_, old)) => *old = reading,
                None => read.push((field.field, reading)),
            }
        }
        for pointer in &spec.name {
            if let Some((at, value)) = matches(&release.value, pointer, &release.pointer)
                .into_iter()
                .next()
                && let Some(text) = value.as_str().map(one_line).filter(|t| !t.is_empty())
            {
                name = Some((
                    text,
                    Source {
                        release: index,
                        pointer: at,
                    },
                ));
                break;
            }
        }
        for text in texts.texts.iter().filter(|text| text.plain.contains("<<")) {
            for &(start, end) in text.sentences() {
                let sentence = &text.plain[start..end];
                if sentence.contains("<<") && !blanks.iter().any(|(s, _)| s == sentence) {
                    blanks.push((
                        sentence.to_owned(),
                        Source {
                            release: index,
                            pointer: text.pointer.clone(),
                        },
                    ));
                }
            }
        }
    }
    // In the order the canonical layout writes them: the vocabulary's.
    read.sort_by_key(|(id, _)| {
        let owner = vocabulary.field(*id).owner;
        vocabulary
            .fields_of(owner)
            .ids()
            .iter()
            .position(|f| f == id)
    });
    Layout::new(group, vocabulary, &order).write(read, name, &blanks)
}

fn date_of(release: &Release) -> &str {
    release
        .value
        .get("date")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn read_field(
    field: &NoticeField,
    def: &FieldDef,
    release: &Release,
    index: usize,
    texts: &Texts,
) -> Option<Reading> {
    if !field.when.is_empty() && !field.when.iter().any(|p| texts.says(p)) {
        return None;
    }
    if field.unless.iter().any(|p| texts.says(p)) {
        return None;
    }
    let source = |pointer: String| Source {
        release: index,
        pointer,
    };
    for pattern in &field.at {
        let found = matches(&release.value, pattern, &release.pointer);
        if let ValueType::Ref(reference) = &def.ty {
            let Target::Entity(ty) = reference.target else {
                continue;
            };
            let mut named: Vec<Named> = Vec::new();
            for (pointer, value) in found {
                let Some(name) = entity_name(value) else {
                    continue;
                };
                if !named.iter().any(|n| n.name == name) {
                    named.push(Named {
                        name,
                        ty,
                        source: source(pointer),
                    });
                }
                if !reference.many {
                    break;
                }
            }
            if let Some(first) = named.first() {
                let value = named
                    .iter()
                    .map(|n| n.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Some(Reading {
                    value,
                    source: first.source.clone(),
                    named,
                });
            }
            continue;
        }
        for (pointer, value) in found {
            if let Some(text) = typed(field, def, value) {
                return Some(Reading {
                    value: text,
                    source: source(pointer),
                    named: Vec::new(),
                });
            }
        }
    }
    if !field.values.is_empty() {
        return chosen_words(field, def, texts).map(|(value, pointer)| Reading {
            value,
            source: source(pointer),
            named: Vec::new(),
        });
    }
    let notice_day = words::iso_day(date_of(release));
    for phrase in &field.phrases {
        // Each place the phrase is said, taken in its sentence.
        for (t, end_of_phrase) in texts.said(phrase) {
            let text = &texts.texts[t];
            let sentences = text.sentences();
            let s = sentences.partition_point(|&(_, end)| end < end_of_phrase);
            let Some(&(start, end)) = sentences.get(s) else {
                continue;
            };
            if end_of_phrase - phrase.len() < start {
                // Across a sentence's end: not said in one.
                continue;
            }
            let after = end_of_phrase - start;
            let sentence = &text.plain[start..end];
            let next = sentences.get(s + 1).map(|&(a, b)| &text.plain[a..b]);
            let said = Said {
                sentence,
                after,
                phrase,
                next,
                notice: notice_day,
            };
            if let Some(value) = in_words(field, def, &said) {
                return Some(Reading {
                    value,
                    source: source(text.pointer.clone()),
                    named: Vec::new(),
                });
            }
        }
    }
    None
}

/// A sentence that says a field's phrase.
struct Said<'s> {
    sentence: &'s str,
    /// Where the phrase ends in it.
    after: usize,
    phrase: &'s str,
    /// The sentence after it, if any.
    next: Option<&'s str>,
    /// The day of the notice that says it, for a date written without
    /// its year.
    notice: Option<words::Day>,
}

/// A value found in a sentence that says one of the field's phrases, in
/// the canonical form of the field's type.
fn in_words(field: &NoticeField, def: &FieldDef, said: &Said<'_>) -> Option<String> {
    let Said {
        sentence,
        after,
        phrase,
        next,
        notice,
    } = *said;
    let rest = &sentence[after..];
    let date = |text: &str| words::find_date_near(text, notice);
    match def.ty {
        // The sentence after it only with its year: a day and month there
        // (`the contract starts on 1 April`) may be of something else.
        ValueType::Date => date(rest)
            .or_else(|| date(sentence))
            .or_else(|| next.and_then(words::find_date)),
        ValueType::Number if !field.units.is_empty() => words::find_count(rest, &field.units)
            .or_else(|| words::find_count(sentence, &field.units))
            .map(|n| n.to_string()),
        ValueType::Duration => words::find_period(rest).or_else(|| words::find_period(sentence)),
        ValueType::Money => words::find_amount(rest)
            .or_else(|| words::find_amount(sentence))
            .map(|a| a.text),
        ValueType::Text => {
            let text = if phrase.ends_with(':') {
                rest.trim().trim_start_matches(['-', ':']).trim()
            } else {
                sentence
            };
            (!text.is_empty()).then(|| capped(one_line(text)))
        }
        _ => None,
    }
}

/// The words of an enumerated field its phrases choose in the notice's
/// text: for one word, the one said first; for several, each said.
fn chosen_words(field: &NoticeField, def: &FieldDef, texts: &Texts) -> Option<(String, String)> {
    let many = matches!(def.ty, ValueType::Words(_));
    let mut found: Vec<(usize, usize, &str, &str)> = Vec::new();
    for (word, phrases) in &field.values {
        let first = phrases
            .iter()
            .filter_map(|p| texts.said(p).next().map(|(t, end)| (t, end - p.len())))
            .min();
        // A text that is the word itself, spelt out (an award criterion
        // named `Value`), says it too.
        let spelt = word.replace('-', " ");
        let whole = (0..texts.texts.len())
            .find(|&t| texts.lower(t).trim_end_matches('.') == spelt)
            .map(|t| (t, 0));
        if let Some((t, at)) = first.into_iter().chain(whole).min() {
            found.push((t, at, word.as_str(), texts.texts[t].pointer.as_str()));
        }
    }
    found.sort_by_key(|(t, at, _, _)| (*t, *at));
    let (_, _, first, pointer) = *found.first()?;
    if !many {
        return Some((first.to_owned(), pointer.to_owned()));
    }
    let said: Vec<&str> = field
        .values
        .iter()
        .map(|(word, _)| word.as_str())
        .filter(|word| found.iter().any(|(_, _, w, _)| w == word))
        .collect();
    Some((said.join(", "), pointer.to_owned()))
}

/// A JSON value as the field's type is written, or none where it is not
/// one.
fn typed(field: &NoticeField, def: &FieldDef, value: &Value) -> Option<String> {
    match (&def.ty, value) {
        (ValueType::Money, Value::Object(amount)) => {
            let currency = amount.get("currency").and_then(Value::as_str);
            if currency.is_some_and(|c| !c.eq_ignore_ascii_case("GBP")) {
                return None;
            }
            let n = amount.get("amount")?.as_f64()?;
            Some(format!("£{}", pounds(n)))
        }
        (ValueType::Money, Value::String(text)) => {
            words::find_amount(&words::plain(text)).map(|a| a.text)
        }
        (ValueType::Date, Value::String(text)) => match words::iso_head(text) {
            Some(head) => Some(head.to_owned()),
            None => words::find_date(&words::plain(text)),
        },
        (ValueType::Duration, Value::Object(period)) => {
            let days = period.get("durationInDays")?.as_u64()?;
            Some(format!("{days} days"))
        }
        (ValueType::Duration, Value::String(text)) => words::find_period(text),
        (ValueType::Number, Value::Number(n)) => Some(n.to_string()),
        (ValueType::Text, Value::String(text)) => {
            let text = one_line(&words::plain(text));
            (!text.is_empty()).then(|| capped(text))
        }
        (ValueType::Text, Value::Number(n)) => Some(n.to_string()),
        (ValueType::Enum(e) | ValueType::Words(e), Value::String(text)) => {
            let word = text.trim().to_ascii_lowercase().replace([' ', '_'], "-");
            if let Some(i) = e.position(&word) {
                return Some(e.values[i].clone());
            }
            let lower = words::plain(text).to_ascii_lowercase();
            field
                .values
                .iter()
                .find(|(_, phrases)| phrases.iter().any(|p| find_phrase(&lower, p).is_some()))
                .map(|(word, _)| word.clone())
        }
        _ => None,
    }
}

/// Pounds as the format writes them: `185,691`, `185,691.50`; an amount
/// no budget has is written whole, for the model to judge.
fn pounds(n: f64) -> String {
    if !n.is_finite() || n.abs() >= 1e15 {
        return format!("{n:.0}");
    }
    let pence = (n.abs() * 100.0).round() as u64;
    let (whole, part) = (pence / 100, pence % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    if part == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{part:02}")
    }
}

/// The name an Open Contracting organisation reference gives, or a
/// string's.
fn entity_name(value: &Value) -> Option<String> {
    let name = match value {
        Value::Object(o) => o.get("name")?.as_str()?,
        Value::String(s) => s,
        _ => return None,
    };
    let name = one_line(&words::plain(name));
    (!name.is_empty()).then(|| capped(name))
}

/// Text on one line: what a field's value or a heading can hold.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capped(text: String) -> String {
    match text.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// Every value at `pattern` (a JSON pointer, `*` for each element of a
/// list), in document order, with its pointer after `base`; nulls and
/// empty strings left out.
fn matches<'v>(value: &'v Value, pattern: &str, base: &str) -> Vec<(String, &'v Value)> {
    let mut out = Vec::new();
    let segments: Vec<&str> = pattern.split('/').skip(1).collect();
    let mut at = base.to_owned();
    walk(value, &segments, &mut at, &mut out);
    out
}

/// The values under `value` at `segments`, whose pointer is `at` (a
/// buffer each level adds its step to and takes it off again: a pointer is
/// made only for a value found).
fn walk<'v>(
    value: &'v Value,
    segments: &[&str],
    at: &mut String,
    out: &mut Vec<(String, &'v Value)>,
) {
    use std::fmt::Write as _;
    let Some((first, rest)) = segments.split_first() else {
        let empty =
            matches!(value, Value::Null) || value.as_str().is_some_and(|s| s.trim().is_empty());
        if !empty {
            out.push((at.clone(), value));
        }
        return;
    };
    let len = at.len();
    match (value, *first) {
        (Value::Array(items), "*") => {
            for (i, item) in items.iter().enumerate() {
                let _ = write!(at, "/{i}");
                walk(item, rest, at, out);
                at.truncate(len);
            }
        }
        (Value::Array(items), index) => {
            if let Some(item) = index.parse::<usize>().ok().and_then(|i| items.get(i)) {
                at.push('/');
                at.push_str(index);
                walk(item, rest, at, out);
                at.truncate(len);
            }
        }
        (Value::Object(object), key) => {
            if let Some(item) = object.get(key) {
                at.push('/');
                at.push_str(&escaped(key));
                walk(item, rest, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// The proposal text being written, with each line's place.
struct Layout<'g> {
    group: &'g Group,
    vocabulary: &'g Vocabulary,
    order: &'g [usize],
    text: String,
    places: Places,
    /// Each release's notice id, as shown.
    ids: Vec<String>,
    /// The source of the last line placed: a line from the same one
    /// repeats its place rather than building it again.
    last: Option<(usize, String)>,
}

impl<'g> Layout<'g> {
    fn new(group: &'g Group, vocabulary: &'g Vocabulary, order: &'g [usize]) -> Self {
        let ids = group
            .releases
            .iter()
            .enumerate()
            .map(|(release, r)| {
                r.value
                    .get("id")
                    .and_then(|id| match id {
                        Value::String(s) => Some(one_line(s)),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("release {}", release + 1))
            })
            .collect();
        Layout {
            group,
            vocabulary,
            order,
            text: String::new(),
            places: Places::default(),
            ids,
            last: None,
        }
    }

    fn notice_id(&self, release: usize) -> String {
        self.ids[release].clone()
    }

    fn place(&self, source: &Source) -> Place {
        let release = &self.group.releases[source.release];
        Place {
            headings: vec![
                self.group.ocid.clone(),
                format!("notice {}", self.notice_id(source.release)),
            ],
            part: Part::Json {
                line: release.line,
                pointer: source.pointer.clone().into_boxed_str(),
            },
        }
    }

    fn line(&mut self, line: &str, source: &Source) {
        let same = self.last.as_ref().is_some_and(|(release, pointer)| {
            *release == source.release && *pointer == source.pointer
        });
        if same {
            self.places.repeat(self.text.len() as u32);
        } else {
            let place = self.place(source);
            self.places.push(self.text.len() as u32, place);
            self.last = Some((source.release, source.pointer.clone()));
        }
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// A field, with the comment that says where it came from.
    fn field(&mut self, key: &str, value: &str, source: &Source) {
        let comment = format!(
            "<!-- notice {}: {} -->",
            comment_safe(&self.ids[source.release]),
            comment_safe(&source.pointer)
        );
        self.line(&comment, source);
        self.line(&format!("{key}: {value}"), source);
    }

    fn write(
        mut self,
        read: Vec<(FieldId, Reading)>,
        name: Option<(String, Source)>,
        blanks: &[(String, Source)],
    ) -> Notice {
        let spec = self.vocabulary.notices();
        let latest = *self.order.last().unwrap_or(&0);
        let root = Source {
            release: latest,
            pointer: self.group.releases[latest].pointer.clone(),
        };
        let notices: Vec<String> = self.order.iter().map(|&i| self.notice_id(i)).collect();
        self.line(
            &format!(
                "<!-- {}: read by assure from its published notices {}; the comment above each field names the notice and the JSON pointer it came from -->",
                comment_safe(&self.group.ocid),
                comment_safe(&notices.join(", "))
            ),
            &root,
        );
        let (header, fields): (Vec<_>, Vec<_>) = read
            .into_iter()
            .partition(|(id, _)| self.vocabulary.field(*id).owner == Owner::Section(HEADER));
        for (id, reading) in &header {
            let key = self.vocabulary.field(*id).name.clone();
            self.field(&key, &reading.value, &reading.source);
        }
        // A blank a field's value holds is flagged there; any other is
        // kept as the sentence it is in.
        let written: Vec<&str> = header
            .iter()
            .chain(&fields)
            .map(|(_, r)| r.value.as_str())
            .collect();
        let loose: Vec<&(String, Source)> = blanks
            .iter()
            .filter(|(sentence, _)| {
                placeholders(sentence).any(|blank| !written.iter().any(|v| v.contains(blank)))
            })
            .collect();
        if !loose.is_empty() {
            self.text.push('\n');
            for (sentence, source) in loose {
                let id = self.notice_id(source.release);
                let sentence = capped(one_line(sentence));
                self.line(&format!("Notice {id} says \"{sentence}\""), source);
            }
        }
        // The entities the references name, by section.
        let mut named: Vec<&Named> = Vec::new();
        for (_, reading) in &fields {
            for entity in &reading.named {
                if !named
                    .iter()
                    .any(|n| n.name == entity.name && n.ty == entity.ty)
                {
                    named.push(entity);
                }
            }
        }
        let mut types: Vec<EntityTypeId> = named.iter().map(|n| n.ty).collect();
        types.dedup();
        types.sort();
        types.dedup();
        for ty in types {
            self.section_heading(ty, &root);
            for entity in named.iter().filter(|n| n.ty == ty) {
                self.text.push('\n');
                self.line(
                    &format!("## {}", heading_safe(&entity.name)),
                    &entity.source,
                );
                if let Some(kind) = kind_of(self.vocabulary, ty, &entity.name) {
                    self.line(&format!("kind: {kind}"), &entity.source);
                }
            }
        }
        if let Some(entity) = spec.entity {
            self.section_heading(entity, &root);
            self.text.push('\n');
            let (title, source) = name.unwrap_or_else(|| (self.group.ocid.clone(), root.clone()));
            self.line(&format!("## {}", heading_safe(&title)), &source);
            if let Some(kind) = &spec.kind {
                self.line(&format!("kind: {kind}"), &source);
            }
            for (id, reading) in &fields {
                let key = self.vocabulary.field(*id).name.clone();
                self.field(&key, &reading.value, &reading.source);
            }
        }
        Notice {
            ocid: self.group.ocid.clone(),
            notices,
            text: self.text,
            places: self.places,
        }
    }

    fn section_heading(&mut self, ty: EntityTypeId, root: &Source) {
        let section = self
            .vocabulary
            .section(self.vocabulary.entity_type(ty).section);
        let title = section.title.clone().unwrap_or_else(|| section.id.clone());
        self.text.push('\n');
        self.line(&format!("# {title}"), root);
    }
}

/// The kind a name says an entity of `ty` is: the longest of the
/// vocabulary's phrases for a kind of that type found in it.
fn kind_of<'v>(vocabulary: &'v Vocabulary, ty: EntityTypeId, name: &str) -> Option<&'v str> {
    let kinds = &vocabulary.entity_type(ty).kinds;
    let lower = assure_vocab::fold(name);
    vocabulary
        .notices()
        .kinds
        .iter()
        .filter(|(kind, _)| kinds.contains(kind))
        .filter_map(|(kind, phrases)| {
            phrases
                .iter()
                .filter(|p| find_phrase(&lower, p).is_some())
                .map(String::len)
                .max()
                .map(|len| (len, kind.as_str()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, kind)| kind)
}

/// The placeholders (`<<Add date>>`) in a sentence.
fn placeholders(sentence: &str) -> impl Iterator<Item = &str> {
    sentence.match_indices("<<").filter_map(|(at, _)| {
        let end = sentence[at..].find(">>")?;
        Some(&sentence[at..at + end + 2])
    })
}

/// Text inside a comment: `--` would end it.
fn comment_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("--") {
        text.replace("--", "- -").into()
    } else {
        text.into()
    }
}

/// A heading's text: a name that would start a comment is escaped as
/// prose is.
fn heading_safe(name: &str) -> String {
    name.trim_start_matches('#').trim().to_owned()
}
