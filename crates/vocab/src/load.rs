//! Loading and extending a vocabulary from spanned TOML.

use crate::{
    EntityType, EntityTypeId, EnumType, FieldDef, FieldId, FieldSet, HEADER, Owner, RefType, Rows,
    Section, SectionId, Target, ValueType, Vocabulary, fold,
};
use assure_diagnostic::codes::{self, VOC001};
use assure_diagnostic::{Diagnostic, Span, closest};
use assure_toml_reader::{DeValue, Reader, Table, Value, parse, span_of};
use std::sync::Arc;

const BASE_TYPES: [(&str, ValueType); 8] = [
    ("text", ValueType::Text),
    ("number", ValueType::Number),
    ("percent", ValueType::Percent),
    ("money", ValueType::Money),
    ("annual-money", ValueType::AnnualMoney),
    ("date", ValueType::Date),
    ("duration", ValueType::Duration),
    ("bool", ValueType::Bool),
];

/// The keys of a vocabulary table (the file, or a pack's `[vocabulary]`).
#[rustfmt::skip]
pub const TOP_KEYS: [&str; 9] = ["version", "types", "header", "sections", "entities", "filler", "shown", "files", "notices"];

impl Vocabulary {
    /// Extends the vocabulary from a whole TOML document shaped like
    /// `rules/vocabulary.toml`, returning every problem found.
    pub fn extend_from_source(&mut self, source: &str) -> Vec<Diagnostic> {
        let (document, mut diagnostics) = parse(source);
        let mut reader = Reader::new(source);
        let mut root = Table::root(&document);
        self.extend(&mut reader, &mut root);
        root.finish(&mut reader, &TOP_KEYS, "the vocabulary");
        diagnostics.append(&mut reader.diagnostics);
        diagnostics
    }

    /// Extends the vocabulary from `table` (the root of a vocabulary file, or
    /// a pack's `[vocabulary]`): new named types and enum values, sections,
    /// entity types, kinds and fields. Redeclaring something with a
    /// different meaning is an error; redeclaring it identically is not.
    /// Keys other than those of a vocabulary are left for the caller's
    /// [`Table::finish`].
    pub fn extend(&mut self, reader: &mut Reader<'_>, table: &mut Table<'_, '_>) {
        if let Some(version) = table.get("version")
            && !matches!(version.get_ref(), DeValue::Integer(i) if i.as_str() == "1")
        {
            reader.error(
                codes::TOML003,
                span_of(version),
                "the vocabulary format version must be 1",
            );
        }
        if let Some(types) = table.get("types") {
            self.load_types(reader, types);
        }
        if let Some(filler) = table.get("filler") {
            self.load_filler(reader, filler);
        }
        // Entity types first, so that sections and references may name them
        // in any order.
        let entities = table
            .get("entities")
            .and_then(|v| reader.table(v, "`entities`"));
        let mut entity_tables = Vec::new();
        let mut pending_rows = Vec::new();
        if let Some(mut entities) = entities {
            for (name, span, value) in entities.entries() {
                let existing = self.entity_type_by_id(name);
                let id = existing.unwrap_or_else(|| {
                    self.entity_types.push(EntityType {
                        id: name.to_owned(),
                        section: SectionId(u32::MAX),
                        kinds: Vec::new(),
                        kind_field: None,
                        kind_required: false,
                        fields: FieldSet::default(),
                        name_labels: Vec::new(),
                    });
                    EntityTypeId(self.entity_types.len() as u32 - 1)
                });
                entity_tables.push((id, span, value, existing.is_none()));
            }
        }
        if let Some(sections) = table.get("sections") {
            for section in reader.tables(sections, "`sections`") {
                if let Some(rows) = self.load_section(reader, section) {
                    pending_rows.push(rows);
                }
            }
        }
        for (id, span, value, created) in entity_tables {
            if let Some(mut entity) = reader.table(value, "an entity type") {
                self.load_entity(reader, id, &mut entity, created);
                entity.finish(
                    reader,
                    &["kinds", "fields", "name-labels"],
                    "an entity type",
                );
            }
            if self.entity_type(id).section.0 == u32::MAX {
                reader.push(
                    Diagnostic::of(
                        VOC001,
                        span,
                        format!(
                            "entity type `{}` is held by no section",
                            self.entity_type(id).id
                        ),
                    )
                    .with_help(format!(
                        "add a section with `entity = \"{}\"`",
                        self.entity_type(id).id
                    )),
                );
            }
        }
        // A register's words name its entities' fields, loaded just above.
        for (section, rows) in pending_rows {
            let read = self.load_rows(reader, section, rows);
            self.sections[section.0 as usize].rows = read;
        }
        if let Some(header) = table.get("header")
            && let Some(mut header) = reader.table(header, "`header`")
        {
            if let Some(fields) = header.get("fields") {
                self.load_fields(reader, Owner::Section(HEADER), fields);
            }
            header.finish(reader, &["fields"], "`header`");
        }
        if let Some(shown) = table.get("shown")
            && let Some(mut shown) = reader.table(shown, "`shown`")
        {
            self.load_shown(reader, &mut shown);
            shown.finish(reader, &["title", "owner"], "`shown`");
        }
        if let Some(files) = table.get("files")
            && let Some(mut files) = reader.table(files, "`files`")
        {
            if let Some(value) = files.get("register") {
                match value.get_ref() {
                    DeValue::String(name)
                        if self
                            .fields_of(Owner::Section(HEADER))
                            .get(name)
                            .is_some_and(|id| self.field(id).ty == ValueType::Text) =>
                    {
                        self.register_field = Some(name.to_string());
                    }
                    _ => reader.error(
                        codes::TOML003,
                        span_of(value),
                        "`register` must name a text field of the header",
                    ),
                }
            }
            files.finish(reader, &["register"], "`files`");
        }
        if let Some(notices) = table.get("notices") {
            self.load_notices(reader, notices); // after the fields it names
        }
    }

    /// `[shown]`: the header field that titles a proposal, and the
    /// reference field that names who owns it. Each must be such a field.
    fn load_shown(&mut self, reader: &mut Reader<'_>, table: &mut Table<'_, '_>) {
        if let Some(value) = table.get("title") {
            match value.get_ref() {
                DeValue::String(name)
                    if self.fields_of(Owner::Section(HEADER)).get(name).is_some() =>
                {
                    self.shown.title = Some(name.to_string());
                }
                _ => reader.error(
                    codes::TOML003,
                    span_of(value),
                    "`title` must name a field of the header",
                ),
            }
        }
        if let Some(value) = table.get("owner") {
            match value.get_ref() {
                DeValue::String(name)
                    if self.fields().any(|(_, f)| f.name == **name && f.is_edge()) =>
                {
                    self.shown.owner = Some(name.to_string());
                }
                _ => reader.error(
                    codes::TOML003,
                    span_of(value),
                    "`owner` must name a field that refers to an entity",
                ),
            }
        }
    }

    /// `filler = ["TBC", ...]`: words added to those that stand for
    /// nothing.
    fn load_filler(&mut self, reader: &mut Reader<'_>, filler: &Value<'_>) {
        let DeValue::Array(words) = filler.get_ref() else {
            reader.error(
                codes::TOML003,
                span_of(filler),
                "`filler` must be a list of words",
            );
            return;
        };
        for word in words {
            match word.get_ref() {
                DeValue::String(text) if !text.trim().is_empty() => {
                    let key = crate::filler_key(text);
                    if !self.filler.contains(&key) {
                        self.filler.push(key);
                    }
                }
                _ => reader.error(
                    codes::TOML003,
                    span_of(word),
                    "each filler word must be text that is not empty",
                ),
            }
        }
    }

    fn load_types(&mut self, reader: &mut Reader<'_>, types: &Value<'_>) {
        let Some(mut types) = reader.table(types, "`types`") else {
            return;
        };
        for (name, span, value) in types.entries() {
            if BASE_TYPES.iter().any(|(base, _)| *base == name) {
                reader.error(
                    VOC001,
                    span,
                    format!("`{name}` is a base type and cannot be redefined"),
                );
                continue;
            }
            let Some(mut spec) = reader.table(value, "a named type") else {
                continue;
            };
            let Some(new) = self.enum_spec(reader, &mut spec, Some(name)) else {
                spec.finish(reader, &["enum", "dated"], "a named type");
                continue;
            };
            spec.finish(reader, &["enum", "dated"], "a named type");
            match self.named_types.get_mut(name) {
                Some(ValueType::Enum(existing)) => {
                    let merged = Arc::make_mut(existing);
                    for value in new.values {
                        if merged.position(&value).is_none() {
                            merged.values.push(value);
                        }
                    }
                    for dated in new.dated {
                        if !merged.is_dated(&dated) {
                            merged.dated.push(dated);
                        }
                    }
                    // Fields of the type hold it by value: they take the
                    // extended list too.
                    let merged = Arc::clone(existing);
                    for field in &mut self.fields {
                        field.ty.replace_enum(name, &merged);
                    }
                }
                _ => {
                    self.named_types
                        .insert(name.to_owned(), ValueType::Enum(Arc::new(new)));
                }
            }
        }
    }

    fn enum_spec(
        &self,
        reader: &mut Reader<'_>,
        spec: &mut Table<'_, '_>,
        name: Option<&str>,
    ) -> Option<EnumType> {
        let values = spec.required(reader, "enum", "an enumerated type")?;
        let values = reader.strings(values, "`enum`")?;
        if values.is_empty() {
            reader.error(
                codes::TOML003,
                spec.span(),
                "`enum` must list at least one word",
            );
            return None;
        }
        let dated = match spec.get("dated") {
            Some(dated) => reader.strings(dated, "`dated`").unwrap_or_default(),
            None => Vec::new(),
        };
        for (word, span) in &dated {
            if !values.iter().any(|(v, _)| v == word) {
                reader.error(
                    codes::TOML003,
                    *span,
                    format!("`{word}` is in `dated` but not in `enum`"),
                );
            }
        }
        Some(EnumType {
            name: name.map(str::to_owned),
            values: values.iter().map(|(v, _)| (*v).to_owned()).collect(),
            dated: dated.iter().map(|(v, _)| (*v).to_owned()).collect(),
        })
    }

    /// Loads a section; gives its `rows`, read once the entity types'
    /// fields are.
    fn load_section<'t, 'i>(
        &mut self,
        reader: &mut Reader<'_>,
        mut table: Table<'t, 'i>,
    ) -> Option<(SectionId, &'t Value<'i>)> {
        let id = table
            .required(reader, "id", "a section")
            .and_then(|v| reader.string(v, "a section's `id`"));
        let title = table
            .required(reader, "title", "a section")
            .and_then(|v| reader.string(v, "a section's `title`"));
        let entity = table
            .get("entity")
            .and_then(|v| reader.string(v, "a section's `entity`"))
            .and_then(|(name, span)| {
                let found = self.entity_type_by_id(name);
                if found.is_none() {
                    self.unknown_entity_type(reader, name, span);
                }
                found
            });
        let adds_to = table
            .get("adds-to")
            .and_then(|v| reader.string(v, "a section's `adds-to`"))
            .and_then(|(name, span)| {
                let home = self.section_by_id(name).filter(|home| {
                    self.section(*home).entity.is_some() && self.section(*home).adds_to.is_none()
                });
                if home.is_none() {
                    reader.error(
                        VOC001,
                        span,
                        format!(
                            "`adds-to` names a section that holds entities, and `{name}` is not one"
                        ),
                    );
                }
                home
            });
        if adds_to.is_some() && entity.is_some() {
            reader.error(
                VOC001,
                table.span(),
                "a section that adds to another holds that section's entities: give `adds-to` or `entity`, not both",
            );
            return None;
        }
        let fields = table.get("fields");
        let rows = table.get("rows");
        table.finish(
            reader,
            &["id", "title", "entity", "fields", "adds-to", "rows"],
            "a section",
        );
        let (Some((id, id_span)), Some((title, title_span))) = (id, title) else {
            return None;
        };
        if RESERVED_SECTION_IDS.contains(&id) {
            reader.error(
                VOC001,
                id_span,
                format!("`{id}` cannot be a section's id: rules read a pack's parameters as `{id}.NAME`, so the section could never be read"),
            );
            return None;
        }
        let section = match self.section_by_id(id) {
            Some(existing) => {
                let section = &self.sections[existing.0 as usize];
                if section.title.as_deref() != Some(title)
                    || (entity.is_some() && section.entity != entity)
                {
                    reader.push(
                        Diagnostic::of(
                            VOC001,
                            id_span,
                            format!("section `{id}` is already declared with another title or entity type"),
                        )
                        .with_help("extend an existing section by repeating its id and title exactly"),
                    );
                    return None;
                }
                existing
            }
            None => {
                if let Some(clash) = self.section_by_title(title) {
                    reader.error(
                        VOC001,
                        title_span,
                        format!(
                            "title `{title}` is already used by section `{}`",
                            self.section(clash).id
                        ),
                    );
                    return None;
                }
                let new = SectionId(self.sections.len() as u32);
                self.sections.push(Section {
                    id: id.to_owned(),
                    title: Some(title.to_owned()),
                    // A section that adds to another holds its entities,
                    // whose home stays that section.
                    entity: entity.or_else(|| adds_to.and_then(|home| self.section(home).entity)),
                    fields: FieldSet::default(),
                    adds_to,
                    rows: None,
                });
                self.section_by_title.insert(fold(title), new);
                if let Some(entity) = entity {
                    self.entity_types[entity.0 as usize].section = new;
                }
                new
            }
        };
        if let Some(fields) = fields {
            if entity.is_some() || self.section(section).entity.is_some() {
                reader.error(
                    VOC001,
                    span_of(fields),
                    "a section that holds entities has no fields of its own; declare them on the entity type",
                );
            } else {
                self.load_fields(reader, Owner::Section(section), fields);
            }
        }
        rows.map(|rows| (section, rows))
    }

    /// `[sections.rows]`: the organisation's and the nature's headers, and
    /// each word's reference field of the section's entity type.
    fn load_rows(
        &mut self,
        reader: &mut Reader<'_>,
        section: SectionId,
        rows: &Value<'_>,
    ) -> Option<Rows> {
        let mut table = reader.table(rows, "`rows`")?;
        let Some(ty) = self.section(section).entity else {
            reader.error(
                VOC001,
                span_of(rows),
                "`rows` reads a register into a section's entities, and this section holds none",
            );
            return None;
        };
        let strings =
            |reader: &mut Reader<'_>, key: &str, table: &mut Table<'_, '_>| -> Vec<String> {
                table
                    .get(key)
                    .and_then(|v| reader.strings(v, &format!("`{key}`")))
                    .map(|list| list.into_iter().map(|(s, _)| s.to_owned()).collect())
                    .unwrap_or_default()
            };
        let organisation = strings(reader, "organisation", &mut table);
        let nature = strings(reader, "nature", &mut table);
        let mut words = Vec::new();
        if let Some(map) = table.get("words").and_then(|v| reader.table(v, "`words`")) {
            let mut map = map;
            for (word, _, value) in map.entries() {
                let Some((field, field_span)) = reader.string(value, "a word's field") else {
                    continue;
                };
                match self.entity_type(ty).fields.get(field) {
                    Some(id) if matches!(self.field(id).ty, ValueType::Ref(_)) => {
                        words.push((word.to_lowercase(), id));
                    }
                    _ => reader.error(
                        VOC001,
                        field_span,
                        format!(
                            "`{word}` chooses `{field}`, which is no reference field of {}",
                            self.entity_type(ty).id
                        ),
                    ),
                }
            }
        }
        table.finish(reader, &["organisation", "nature", "words"], "`rows`");
        Some(Rows {
            organisation,
            nature,
            words,
        })
    }

    fn load_entity(
        &mut self,
        reader: &mut Reader<'_>,
        id: EntityTypeId,
        table: &mut Table<'_, '_>,
        created: bool,
    ) {
        if let Some(kinds) = table.get("kinds") {
            for (kind, _) in reader.strings(kinds, "`kinds`").unwrap_or_default() {
                let entity = &mut self.entity_types[id.0 as usize];
                if !entity.kinds.iter().any(|k| k == kind) {
                    entity.kinds.push(kind.to_owned());
                }
            }
            if self.entity_type(id).kind_field.is_none() && !self.entity_type(id).kinds.is_empty() {
                let field = self.add_field(
                    Owner::Entity(id),
                    "kind",
                    FieldSpec {
                        ty: ValueType::Kind,
                        kinds: None,
                        doc: Some("what kind it is".into()),
                        positive: false,
                        labels: vec!["Type".into(), "Kind".into()],
                    },
                );
                // Kinds given where the type is declared are required of
                // every entity; kinds a later pack adds to a type that had
                // none are optional, or every existing proposal would
                // break.
                let entity = &mut self.entity_types[id.0 as usize];
                entity.kind_field = Some(field);
                entity.kind_required = created;
            }
        }
        if let Some(fields) = table.get("fields") {
            self.load_fields(reader, Owner::Entity(id), fields);
        }
        if let Some(labels) = table.get("name-labels") {
            for (label, _) in reader.strings(labels, "`name-labels`").unwrap_or_default() {
                let entity = &mut self.entity_types[id.0 as usize];
                if !entity.name_labels.iter().any(|l| l == label) {
                    entity.name_labels.push(label.to_owned());
                }
            }
        }
    }

    fn load_fields(&mut self, reader: &mut Reader<'_>, owner: Owner, fields: &Value<'_>) {
        let Some(mut fields) = reader.table(fields, "`fields`") else {
            return;
        };
        for (name, span, spec) in fields.entries() {
            if !is_field_key(name) {
                reader.error(
                    codes::TOML003,
                    span,
                    format!("`{name}` cannot be a field key: keys are lower-case letters, digits and `-`, starting with a letter"),
                );
                continue;
            }
            if name == "kind" {
                reader.error(
                    VOC001,
                    span,
                    "`kind` is declared by an entity type's `kinds`, not as a field",
                );
                continue;
            }
            if let Some((_, why)) = RESERVED_FIELD_NAMES.iter().find(|(n, _)| *n == name) {
                reader.push(
                    Diagnostic::of(
                        VOC001,
                        span,
                        format!("`{name}` cannot be a field's name: in rules, `x.{name}` is {why}, so the field could never be read"),
                    )
                    .with_help(format!("choose a name that says what it holds: `{name}-date`, `start`, `{name}-body`")),
                );
                continue;
            }
            let Some(spec) = self.field_spec(reader, owner, spec) else {
                continue;
            };
            let ty = spec.ty.clone();
            match self.fields_of(owner).get(name) {
                Some(existing) if self.field(existing).ty == ty => {}
                // A qualifier written as free text may be given a type: the
                // references stay what they were.
                Some(existing) if refines_qualifier(&self.field(existing).ty, &ty) => {
                    self.fields[existing.0 as usize].ty = ty;
                }
                Some(existing) => {
                    let old = &self.field(existing).ty;
                    let (was, now) = match (old, &ty) {
                        (ValueType::Ref(a), ValueType::Ref(b))
                            if a.target == b.target && a.many == b.many =>
                        {
                            (
                                format!("{} with {}", old.describe(), qualifier_words(a)),
                                format!(
                                    "; only a qualifier of free text can be given a type, and this one is {}, not {}",
                                    qualifier_words(a),
                                    qualifier_words(b)
                                ),
                            )
                        }
                        _ => (old.describe(), String::new()),
                    };
                    reader.error(
                        VOC001,
                        span,
                        format!(
                            "field `{name}` of {} is already declared as {was}{now}",
                            self.owner_name(owner),
                        ),
                    );
                }
                None => {
                    self.add_field(owner, name, spec);
                }
            }
        }
    }

    fn add_field(&mut self, owner: Owner, name: &str, spec: FieldSpec) -> FieldId {
        let id = FieldId(self.fields.len() as u32);
        self.fields.push(FieldDef {
            name: name.to_owned(),
            owner,
            ty: spec.ty,
            kinds: spec.kinds,
            doc: spec.doc,
            positive: spec.positive,
            labels: spec.labels,
        });
        match owner {
            Owner::Section(section) => self.sections[section.0 as usize].fields.insert(name, id),
            Owner::Entity(entity) => self.entity_types[entity.0 as usize].fields.insert(name, id),
        }
        id
    }

    /// A field's type, kinds and doc, from a string or a table.
    fn field_spec(
        &self,
        reader: &mut Reader<'_>,
        owner: Owner,
        spec: &Value<'_>,
    ) -> Option<FieldSpec> {
        if let DeValue::String(name) = spec.get_ref() {
            return self
                .type_by_name(reader, name, span_of(spec))
                .map(|ty| FieldSpec {
                    ty,
                    kinds: None,
                    doc: None,
                    positive: false,
                    labels: Vec::new(),
                });
        }
        let mut table = reader.table(spec, "a field's type")?;
        let forms = ["type", "enum", "ref", "refs"];
        let present: Vec<&str> = forms
            .iter()
            .copied()
            .filter(|k| table.key_span(k).is_some())
            .collect();
        let ty = match present.as_slice() {
            ["type"] => {
                let (name, span) = reader.string(table.get("type")?, "`type`")?;
                self.type_by_name(reader, name, span)
            }
            ["enum"] => self
                .enum_spec(reader, &mut table, None)
                .map(|e| ValueType::Enum(Arc::new(e))),
            [form @ ("ref" | "refs")] => {
                let many = *form == "refs";
                let (target, span) = reader.string(table.get(form)?, "a reference's target")?;
                let target = if target == "any" {
                    Some(Target::Any)
                } else {
                    let found = self.entity_type_by_id(target).map(Target::Entity);
                    if found.is_none() {
                        self.unknown_entity_type(reader, target, span);
                    }
                    found
                };
                let qualifier = match table.get("qualifier") {
                    Some(q) => {
                        let (name, span) = reader.string(q, "`qualifier`")?;
                        Some(Box::new(self.type_by_name(reader, name, span)?))
                    }
                    None => None,
                };
                target.map(|target| {
                    ValueType::Ref(RefType {
                        target,
                        many,
                        qualifier,
                    })
                })
            }
            _ => {
                for form in present {
                    table.get(form);
                }
                reader.error(
                    codes::TOML003,
                    reader.first_line(table.span()),
                    "a field's type needs exactly one of `type`, `enum`, `ref` or `refs`",
                );
                None
            }
        };
        // `many = true`: several words of the list, separated by `, `.
        let ty = match table.get("many") {
            Some(value) => match (reader.boolean(value, "`many`"), ty) {
                (Some(true), Some(ValueType::Enum(words))) => Some(ValueType::Words(words)),
                (Some(true), Some(_)) => {
                    reader.error(
                        codes::TOML003,
                        span_of(value),
                        "`many` applies to a list of words (`enum`, or a named type that is one) only; references take `refs`",
                    );
                    None
                }
                (_, ty) => ty,
            },
            None => ty,
        };
        let kinds = table
            .get("kinds")
            .and_then(|k| reader.strings(k, "`kinds`"))
            .map(|kinds| self.checked_kinds(reader, owner, &kinds));
        let doc = table
            .get("doc")
            .and_then(|d| reader.string(d, "`doc`"))
            .map(|(d, _)| d.to_owned());
        let labels = table
            .get("labels")
            .and_then(|l| reader.strings(l, "`labels`"))
            .map(|labels| labels.into_iter().map(|(l, _)| l.to_owned()).collect())
            .unwrap_or_default();
        let positive = match table.get("positive") {
            Some(value) => {
                let flag = reader.boolean(value, "`positive`").unwrap_or(false);
                let quantity = matches!(
                    &ty,
                    Some(
                        ValueType::Number
                            | ValueType::Percent
                            | ValueType::Money
                            | ValueType::AnnualMoney
                            | ValueType::Duration
                    )
                );
                if flag && ty.is_some() && !quantity {
                    reader.error(
                        codes::TOML003,
                        span_of(value),
                        "`positive` applies to numbers, percentages, amounts and durations only",
                    );
                }
                flag
            }
            None => false,
        };
        table.finish(
            reader,
            &[
                "type",
                "enum",
                "dated",
                "ref",
                "refs",
                "qualifier",
                "kinds",
                "doc",
                "positive",
                "many",
                "labels",
            ],
            "a field's type",
        );
        Some(FieldSpec {
            ty: ty?,
            kinds,
            doc,
            positive,
            labels,
        })
    }

    fn checked_kinds(
        &self,
        reader: &mut Reader<'_>,
        owner: Owner,
        kinds: &[(&str, Span)],
    ) -> Vec<String> {
        let known: &[String] = match owner {
            Owner::Entity(id) => &self.entity_type(id).kinds,
            Owner::Section(_) => &[],
        };
        for (kind, span) in kinds {
            if !known.iter().any(|k| k == kind) {
                let mut diagnostic = Diagnostic::of(
                    codes::TOML003,
                    *span,
                    format!("`{kind}` is not a kind of {}", self.owner_name(owner)),
                );
                if let Some(near) = closest(kind, known.iter().map(String::as_str)) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{near}`?"));
                }
                reader.push(diagnostic);
            }
        }
        kinds.iter().map(|(k, _)| (*k).to_owned()).collect()
    }

    fn type_by_name(&self, reader: &mut Reader<'_>, name: &str, span: Span) -> Option<ValueType> {
        if let Some((_, ty)) = BASE_TYPES.iter().find(|(base, _)| *base == name) {
            return Some(ty.clone());
        }
        if let Some(ty) = self.named_types.get(name) {
            return Some(ty.clone());
        }
        let candidates: Vec<&str> = BASE_TYPES
            .iter()
            .map(|(n, _)| *n)
            .chain(self.named_types.keys().map(String::as_str))
            .collect();
        let mut diagnostic = Diagnostic::of(codes::TOML003, span, format!("unknown type `{name}`"));
        diagnostic = match closest(name, candidates.iter().copied()) {
            Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
            None => diagnostic.with_help(format!("the types are: {}", candidates.join(", "))),
        };
        reader.push(diagnostic);
        None
    }

    fn unknown_entity_type(&self, reader: &mut Reader<'_>, name: &str, span: Span) {
        let known: Vec<&str> = self.entity_types.iter().map(|e| e.id.as_str()).collect();
        let mut diagnostic = Diagnostic::of(
            codes::TOML003,
            span,
            format!("unknown entity type `{name}`"),
        );
        if let Some(near) = closest(name, known.iter().copied()) {
            diagnostic = diagnostic.with_help(format!("did you mean `{near}`?"));
        }
        reader.push(diagnostic);
    }
}

/// Whether `new` is `old` with a type given to a qualifier that was free
/// text (or to references that took none).
fn refines_qualifier(old: &ValueType, new: &ValueType) -> bool {
    match (old, new) {
        (ValueType::Ref(a), ValueType::Ref(b)) => {
            a.target == b.target
                && a.many == b.many
                && b.qualifier.is_some()
                && a.qualifier.as_deref().is_none_or(|q| *q == ValueType::Text)
        }
        _ => false,
    }
}

/// A reference's qualifier in words: `no qualifier`, `a qualifier of text`.
fn qualifier_words(reference: &RefType) -> String {
    match &reference.qualifier {
        None => "no qualifier".into(),
        Some(q) => format!("a qualifier of {}", q.describe()),
    }
}

/// Names the rule language gives every entity or link, which a field
/// therefore cannot have, with what they mean.
pub const RESERVED_FIELD_NAMES: [(&str, &str); 5] = [
    ("name", "an entity's name (its heading)"),
    ("from", "where a link starts"),
    ("to", "where a link leads"),
    ("qualifier", "a link's qualifier"),
    ("date", "the date written after a word such as `approved`"),
];

/// Section ids the rule language uses for something else.
const RESERVED_SECTION_IDS: [&str; 1] = ["param"];

fn is_field_key(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A field as its vocabulary entry declares it.
struct FieldSpec {
    ty: ValueType,
    kinds: Option<Vec<String>>,
    doc: Option<String>,
    positive: bool,
    labels: Vec<String>,
}
