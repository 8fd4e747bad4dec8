//! The resolved model as JSON (`assure export --format json`), for other
//! tools: every section, entity and field with its typed value, every edge,
//! the prose, and the fields the vocabulary did not know, so nothing written
//! in the proposal is lost.

use assure_model::value::format_number;
use assure_model::{EntityId, FieldValues, Model, Qualifier, Value};
use assure_vocab::{HEADER, Vocabulary};
use serde_json::{Map, Value as Json, json};

/// The version of the export's shape.
pub const VERSION: u64 = 1;

/// The model of one proposal as a JSON document.
pub fn document(model: &Model, vocabulary: &Vocabulary, text: &str) -> Json {
    let mut sections = Map::new();
    for (index, section) in vocabulary.sections().iter().enumerate().skip(1) {
        let fields = model.section_fields(assure_vocab::SectionId(index as u32));
        if !fields.is_empty() {
            sections.insert(section.id.clone(), fields_json(model, vocabulary, fields));
        }
    }
    let prose: Vec<Json> = model
        .section_prose()
        .iter()
        .map(|(section, span)| json!({"section": vocabulary.section(*section).id, "text": span.text(text)}))
        .collect();
    let entities: Vec<Json> = model
        .entity_ids()
        .map(|id| {
            let entity = model.entity(id);
            json!({
                "id": id.0,
                "name": entity.name,
                "type": vocabulary.entity_type(entity.ty).id,
                "kind": entity.kind,
                "fields": fields_json(model, vocabulary, model.fields(id)),
                "prose": entity.prose.iter().map(|s| s.text(text)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let unknown: Vec<Json> = model
        .unknown_fields()
        .iter()
        .map(|f| json!({"entity": f.entity.map(|e| e.0), "key": f.key.text(text), "value": f.value.text(text)}))
        .collect();
    json!({
        "version": VERSION,
        "header": fields_json(model, vocabulary, model.section_fields(HEADER)),
        "sections": sections,
        "prose": prose,
        "entities": entities,
        "unknown_fields": unknown,
    })
}

fn fields_json(model: &Model, vocabulary: &Vocabulary, fields: FieldValues) -> Json {
    let mut map = Map::new();
    for field in fields.iter() {
        map.insert(
            vocabulary.field(field.field).name.clone(),
            value_json(model, &field.value),
        );
    }
    Json::Object(map)
}

/// A typed value: exact numbers are strings, money is integer pence.
pub fn value_json(model: &Model, value: &Value) -> Json {
    match value {
        Value::Text(text) => json!({"type": "text", "value": &**text}),
        Value::Number(n) => json!({"type": "number", "value": n.normalize().to_string()}),
        Value::Percent(p) => json!({"type": "percent", "value": p.normalize().to_string()}),
        Value::Money(m) => {
            json!({"type": "money", "pence": m.pence, "annual": m.annual, "text": m.to_string()})
        }
        Value::Date(d) => json!({"type": "date", "value": d.to_string()}),
        Value::Duration(d) => {
            json!({"type": "duration", "months": d.months, "days": d.days, "text": d.to_string()})
        }
        Value::Bool(b) => json!({"type": "bool", "value": b}),
        Value::Word { word, date } => {
            json!({"type": "word", "value": &**word, "date": date.map(|(d, _)| d.to_string())})
        }
        Value::Refs(refs) => {
            json!({"type": "refs", "items": model.references(refs).iter().map(|r| json!({
            "name": &*r.name,
            "target": r.target.map(|t: EntityId| t.0),
            "target_name": r.target.map(|t| model.entity(t).name),
            "qualifier": r.qualifier.as_deref().map(|q: &Qualifier| value_json(model, &q.value)),
        })).collect::<Vec<_>>()})
        }
    }
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
        Value::Refs(refs) => model
            .references(refs)
            .iter()
            .map(|r| r.name.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}
