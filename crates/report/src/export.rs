//! The resolved model as JSON (`assure export --format json`), for other
//! tools: every section, entity and field with its typed value, every edge,
//! the prose, and the fields the vocabulary did not know, so nothing written
//! in the proposal is lost.

use assure_model::value::format_number;
use assure_model::{FieldValues, Model, Value};
use assure_vocab::{HEADER, SectionId, Vocabulary};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::io;

/// The version of the export's shape.
pub const VERSION: u64 = 1;

/// Writes the model of one proposal as a JSON document to `out`, as it is
/// read: nothing is built in memory first, so exporting costs about what
/// modelling did (at a million entities, the whole document as a
/// `serde_json::Value` took ten times the memory of the model).
pub fn write(
    model: &Model,
    vocabulary: &Vocabulary,
    text: &str,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let document = Document {
        model,
        vocabulary,
        text,
    };
    serde_json::to_writer_pretty(&mut out, &document).map_err(io::Error::other)?;
    io::Write::write_all(&mut out, b"\n")?;
    io::Write::flush(&mut out)
}

/// The export of one model, serialized field by field.
struct Document<'m, 'a> {
    model: &'m Model<'a>,
    vocabulary: &'m Vocabulary,
    text: &'m str,
}

impl Serialize for Document<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (model, vocabulary, text) = (self.model, self.vocabulary, self.text);
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("version", &VERSION)?;
        map.serialize_entry(
            "header",
            &Fields(model, vocabulary, model.section_fields(HEADER)),
        )?;
        map.serialize_entry("sections", &Sections(model, vocabulary))?;
        map.serialize_entry(
            "prose",
            &Seq(|| {
                model.section_prose().iter().map(|(section, span)| Prose {
                    section: &vocabulary.section(*section).id,
                    text: span.text(text),
                })
            }),
        )?;
        map.serialize_entry(
            "entities",
            &Seq(|| model.entity_ids().map(|id| Entity(self, id))),
        )?;
        map.serialize_entry(
            "unknown_fields",
            &Seq(|| {
                model.unknown_fields().iter().map(|f| Unknown {
                    entity: f.entity.map(|e| e.0),
                    key: f.key.text(text),
                    value: f.value.text(text),
                })
            }),
        )?;
        map.end()
    }
}

/// A sequence made by an iterator, serialized as it is made.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for item in (self.0)() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// The non-header sections that hold fields, by id.
struct Sections<'m, 'a>(&'m Model<'a>, &'m Vocabulary);

impl Serialize for Sections<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Sections(model, vocabulary) = *self;
        let mut map = serializer.serialize_map(None)?;
        for (index, section) in vocabulary.sections().iter().enumerate().skip(1) {
            let fields = model.section_fields(SectionId(index as u32));
            if !fields.is_empty() {
                map.serialize_entry(&section.id, &Fields(model, vocabulary, fields))?;
            }
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct Prose<'t> {
    section: &'t str,
    text: &'t str,
}

#[derive(serde::Serialize)]
struct Unknown<'t> {
    entity: Option<u32>,
    key: &'t str,
    value: &'t str,
}

struct Entity<'d, 'm, 'a>(&'d Document<'m, 'a>, assure_model::EntityId);

impl Serialize for Entity<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Document {
            model,
            vocabulary,
            text,
        } = *self.0;
        let entity = model.entity(self.1);
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("id", &self.1.0)?;
        map.serialize_entry("name", entity.name)?;
        map.serialize_entry("type", &vocabulary.entity_type(entity.ty).id)?;
        map.serialize_entry("kind", &entity.kind)?;
        map.serialize_entry("fields", &Fields(model, vocabulary, model.fields(self.1)))?;
        map.serialize_entry("prose", &Seq(|| entity.prose.iter().map(|s| s.text(text))))?;
        map.end()
    }
}

/// Fields by name, each with its typed value.
struct Fields<'m, 'a>(&'m Model<'a>, &'m Vocabulary, FieldValues<'m, 'a>);

impl Serialize for Fields<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for field in self.2.iter() {
            map.serialize_entry(
                &self.1.field(field.field).name,
                &TypedValue(self.0, &field.value),
            )?;
        }
        map.end()
    }
}

/// A typed value: exact numbers are strings, money is integer pence.
struct TypedValue<'m, 'a>(&'m Model<'a>, &'m Value<'a>);

impl Serialize for TypedValue<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let model = self.0;
        let mut map = serializer.serialize_map(None)?;
        match self.1 {
            Value::Text(text) => {
                map.serialize_entry("type", "text")?;
                map.serialize_entry("value", &**text)?;
            }
            Value::Number(n) => {
                map.serialize_entry("type", "number")?;
                map.serialize_entry("value", &n.normalize().to_string())?;
            }
            Value::Percent(p) => {
                map.serialize_entry("type", "percent")?;
                map.serialize_entry("value", &p.normalize().to_string())?;
            }
            Value::Money(m) => {
                map.serialize_entry("type", "money")?;
                map.serialize_entry("pence", &m.pence)?;
                map.serialize_entry("annual", &m.annual)?;
                map.serialize_entry("text", &m.to_string())?;
            }
            Value::Date(d) => {
                map.serialize_entry("type", "date")?;
                map.serialize_entry("value", &d.to_string())?;
            }
            Value::Duration(d) => {
                map.serialize_entry("type", "duration")?;
                map.serialize_entry("months", &d.months)?;
                map.serialize_entry("days", &d.days)?;
                map.serialize_entry("text", &d.to_string())?;
            }
            Value::Bool(b) => {
                map.serialize_entry("type", "bool")?;
                map.serialize_entry("value", b)?;
            }
            Value::Word { word, date } => {
                map.serialize_entry("type", "word")?;
                map.serialize_entry("value", &**word)?;
                map.serialize_entry("date", &date.map(|(d, _)| d.to_string()))?;
            }
            Value::Words(words) => {
                map.serialize_entry("type", "words")?;
                map.serialize_entry("value", words)?;
            }
            Value::Refs(refs) => {
                map.serialize_entry("type", "refs")?;
                map.serialize_entry(
                    "items",
                    &Seq(|| {
                        model.references(refs).iter().map(|r| Reference {
                            name: r.name(model.source()),
                            target: r.target().map(|t| t.0),
                            target_name: r.target().map(|t| model.entity(t).name),
                            qualifier: r.qualifier().map(|q| TypedValue(model, &q.value)),
                        })
                    }),
                )?;
            }
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct Reference<'m, 'a> {
    name: &'m str,
    target: Option<u32>,
    target_name: Option<&'a str>,
    qualifier: Option<TypedValue<'m, 'a>>,
}

/// A value as a person would write it: `£4.5m/yr`, `310,000`, `40%`.
pub fn value_text(model: &Model, value: &Value) -> String {
    match value {
        Value::Text(text) => text.to_string(),
        Value::Number(n) => format_number(*n),
        Value::Percent(p) => format!("{}%", p.normalize()),
        Value::Money(m) => m.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Duration(d) => d.to_string(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Word {
            word,
            date: Some((d, _)),
        } => format!("{word} {d}"),
        Value::Word { word, date: None } => word.to_string(),
        Value::Words(words) => words.join(", "),
        Value::Refs(refs) => model
            .references(refs)
            .iter()
            .map(|r| r.name(model.source()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
