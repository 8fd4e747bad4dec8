//! A document's blocks written as a proposal in the canonical text
//! format, each line's place in the document kept:
//!
//! | in the document | in the text |
//! |---|---|
//! | a Heading 1 naming a section (numbering like `3.` or `3.1` ignored) | `# Section` |
//! | a Heading 1 naming none, over prose only | its text and its paragraphs as prose, not read |
//! | a Heading 1 naming none, over fields or tables | `# Heading` (SCH001: a section assure does not know, so nothing under it passes unread) |
//! | a Heading 2 under an entity section | `## Name` |
//! | the Title, with no title field before the first heading | `proposal: Title` |
//! | a paragraph `Label: value` whose label is a field of its block (its key, or one of its `labels`) | `key: value` |
//! | a two-column table whose first column holds such labels | a field per row |
//! | under an entity section, a table whose header row names fields and the name | an entity per row (rows of one name, or merged down, are one entity) |
//! | anything else | prose |

use crate::docx::{Block, Cell, Paragraph, Role, Table};
use assure_diagnostic::place::{Part, Place, Places};
use assure_vocab::{HEADER, Owner, SectionId, ValueType, Vocabulary};

/// The text and its places.
pub struct Laid {
    pub text: String,
    pub places: Places,
}

/// Lays out `blocks` as a proposal.
pub fn lay_out(blocks: &[Block], vocabulary: &Vocabulary) -> Laid {
    let mut out = Out {
        vocabulary,
        text: String::new(),
        places: Places::default(),
        headings: Vec::new(),
        owner: Some(Owner::Section(HEADER)),
        prose_only: false,
    };
    let title_field = vocabulary.shown().title.clone();
    let titled = title_field
        .as_deref()
        .is_some_and(|field| header_gives(blocks, vocabulary, field));
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Paragraph(p) => match p.role {
                Some(Role::Title) if out.headings.is_empty() && !titled => {
                    if let Some(field) = &title_field {
                        out.line(&format!("{field}: {}", first_line(&p.text)), p.number);
                    }
                }
                Some(Role::Heading(1)) => out.section(p, &blocks[i + 1..]),
                Some(Role::Heading(2)) => out.entity(p),
                _ => out.paragraph(p),
            },
            Block::Table(table) => out.table(table),
        }
    }
    Laid {
        text: out.text,
        places: out.places,
    }
}

/// Whether the paragraphs and tables before the first Heading 1 give the
/// header's `field`.
fn header_gives(blocks: &[Block], vocabulary: &Vocabulary, field: &str) -> bool {
    let header = Owner::Section(HEADER);
    let names = |label: &str| field_for(vocabulary, header, label).is_some_and(|f| f == field);
    for block in blocks {
        match block {
            Block::Paragraph(p) if p.role == Some(Role::Heading(1)) => return false,
            Block::Paragraph(p) => {
                if p.text
                    .split_once(':')
                    .is_some_and(|(label, _)| names(label))
                {
                    return true;
                }
            }
            Block::Table(t) => {
                if t.rows
                    .iter()
                    .any(|row| row.first().is_some_and(|c| names(&c.text())))
                {
                    return true;
                }
            }
        }
    }
    false
}

/// A label as a key: lower case, each run of what is not a letter or a
/// digit one `-`.
pub fn normalised(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for c in label.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The field of `owner` that `label` names: its key or one of its labels.
/// A placeholder (`<<Name: …>>`) names none.
pub fn field_for<'v>(vocabulary: &'v Vocabulary, owner: Owner, label: &str) -> Option<&'v str> {
    if label.contains("<<") {
        return None;
    }
    let key = normalised(label);
    if key.is_empty() || key.len() > 60 {
        return None;
    }
    let fields = vocabulary.fields_of(owner);
    if let Some(id) = fields.get(&key) {
        return Some(&vocabulary.field(id).name);
    }
    fields
        .ids()
        .iter()
        .map(|&id| vocabulary.field(id))
        .find(|f| f.labels.iter().any(|l| normalised(l) == key))
        .map(|f| f.name.as_str())
}

/// Whether `key` of `owner` takes a list (references, or several words):
/// its values from several lines or rows are one list.
pub fn is_list(vocabulary: &Vocabulary, owner: Owner, key: &str) -> bool {
    vocabulary.fields_of(owner).get(key).is_some_and(|id| {
        let ty = &vocabulary.field(id).ty;
        matches!(ty, ValueType::Ref(r) if r.many) || matches!(ty, ValueType::Words(_))
    })
}

/// Whether `label` names a field of any block: a paragraph that holds data.
fn names_any_field(vocabulary: &Vocabulary, label: &str) -> bool {
    let sections = (0..vocabulary.sections().len()).map(|i| Owner::Section(SectionId(i as u32)));
    let entities = (0..vocabulary.entity_types().len())
        .map(|i| Owner::Entity(assure_vocab::EntityTypeId(i as u32)));
    sections
        .chain(entities)
        .any(|owner| field_for(vocabulary, owner, label).is_some())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// A heading's text without its numbering (`3.`, `3.1`, `3.1.2)`).
fn unnumbered(text: &str) -> &str {
    let text = first_line(text).trim();
    let number_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ')'))
        .map_or(text.len(), |(i, _)| i);
    let (number, rest) = text.split_at(number_end);
    if number.chars().next().is_some_and(|c| c.is_ascii_digit()) && rest.starts_with(' ') {
        rest.trim_start()
    } else {
        text
    }
}

struct Out<'v> {
    vocabulary: &'v Vocabulary,
    text: String,
    places: Places,
    /// The headings above the block being laid out.
    headings: Vec<String>,
    /// Whose fields the block's labels name; none under a heading assure
    /// does not know.
    owner: Option<Owner>,
    /// Under a heading that names no section and holds no data: every line
    /// is prose.
    prose_only: bool,
}

impl Out<'_> {
    /// One line of text from `part`.
    fn line_at(&mut self, line: &str, part: Part) {
        self.places.push(
            self.text.len() as u32,
            Place {
                headings: self.headings.clone(),
                part,
            },
        );
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn line(&mut self, line: &str, paragraph: u32) {
        self.line_at(line, Part::Paragraph(paragraph));
    }

    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    /// A line of prose: written so that nothing reads it as a heading, a
    /// comment or a field's continuation.
    fn prose(&mut self, text: &str, part: &Part) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with('#') || line.starts_with("<!--") || line.starts_with("-->") {
                self.line_at(&format!("\\{line}"), part.clone());
            } else {
                self.line_at(line, part.clone());
            }
        }
    }

    /// A field, its value's further lines as continuations (or, for a
    /// list, joined with `, `).
    fn field(&mut self, key: &str, value: &str, part: Part) {
        let owner = self.owner.unwrap_or(Owner::Section(HEADER));
        let is_list = is_list(self.vocabulary, owner, key);
        let lines: Vec<&str> = value
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if is_list {
            self.line_at(&format!("{key}: {}", lines.join(", ")), part);
            return;
        }
        match lines.split_first() {
            Some((first, rest)) => {
                self.line_at(&format!("{key}: {first}"), part.clone());
                for more in rest {
                    self.line_at(&format!("  {more}"), part.clone());
                }
            }
            None => self.line_at(&format!("{key}:"), part),
        }
    }

    /// A Heading 1: a section, or prose, or a section assure does not know.
    fn section(&mut self, heading: &Paragraph, after: &[Block]) {
        let title = unnumbered(&heading.text).to_owned();
        self.headings.clear();
        self.blank();
        match self.vocabulary.section_by_title(&title) {
            Some(section) => {
                self.owner = Some(Owner::Section(section));
                self.prose_only = false;
                self.line(&format!("# {title}"), heading.number);
                self.headings.push(title);
            }
            None => {
                let holds_data = after
                    .iter()
                    .take_while(
                        |b| !matches!(b, Block::Paragraph(p) if p.role == Some(Role::Heading(1))),
                    )
                    .any(|b| match b {
                        Block::Table(_) => true,
                        Block::Paragraph(p) => p
                            .text
                            .split_once(':')
                            .is_some_and(|(label, _)| names_any_field(self.vocabulary, label)),
                    });
                self.owner = None;
                self.prose_only = !holds_data;
                if holds_data {
                    self.line(&format!("# {title}"), heading.number);
                } else {
                    self.prose(&title, &Part::Paragraph(heading.number));
                }
                self.headings.push(title);
            }
        }
    }

    /// A Heading 2: an entity under an entity section, else prose.
    fn entity(&mut self, heading: &Paragraph) {
        let name = unnumbered(&heading.text).to_owned();
        let section = self.headings.first().cloned();
        let entity_type = self
            .current_section()
            .and_then(|s| self.vocabulary.section(s).entity);
        match entity_type {
            Some(ty) if !self.prose_only => {
                self.headings = section.into_iter().collect();
                self.blank();
                self.line(&format!("## {name}"), heading.number);
                self.headings.push(name);
                self.owner = Some(Owner::Entity(ty));
            }
            _ => self.prose(&name, &Part::Paragraph(heading.number)),
        }
    }

    fn current_section(&self) -> Option<SectionId> {
        let title = self.headings.first()?;
        self.vocabulary.section_by_title(title)
    }

    fn paragraph(&mut self, p: &Paragraph) {
        let part = Part::Paragraph(p.number);
        if self.prose_only {
            return self.prose(&p.text, &part);
        }
        if let Some(owner) = self.owner
            && let Some((label, value)) = p.text.split_once(':')
            && !label.contains('<')
            && let Some(key) = field_for(self.vocabulary, owner, label)
        {
            let key = key.to_owned();
            return self.field(&key, value.trim(), part);
        }
        self.prose(&p.text, &part);
    }

    fn table(&mut self, table: &Table) {
        let rows = &table.rows;
        if self.prose_only || rows.is_empty() {
            return self.table_as_prose(table);
        }
        let owner = self.owner;
        let labelled = |row: &Vec<Cell>| {
            row.len() >= 2
                && owner.is_some_and(|o| field_for(self.vocabulary, o, &row[0].text()).is_some())
        };
        if rows.iter().any(labelled) {
            return self.table_of_fields(table);
        }
        let entity_type = self
            .current_section()
            .and_then(|s| self.vocabulary.section(s).entity)
            .filter(|_| matches!(owner, Some(Owner::Section(_))));
        if let Some(ty) = entity_type
            && let Some(columns) = register_columns(self.vocabulary, ty, &rows[0])
        {
            return self.register(table, ty, &columns);
        }
        self.table_as_prose(table);
    }

    fn cell_part(table: &Table, row: usize, column: usize, cell: &Cell) -> Part {
        Part::Cell {
            table: table.number,
            row: row as u32 + 1,
            column: column as u32 + 1,
            paragraph: cell.paragraph(table.after + 1),
        }
    }

    fn table_as_prose(&mut self, table: &Table) {
        for (r, row) in table.rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| c.text().replace('\n', " "))
                .filter(|t| !t.is_empty())
                .collect();
            if let Some(first) = row.first() {
                let part = Self::cell_part(table, r, 0, first);
                self.prose(&cells.join(" | "), &part);
            }
        }
    }

    /// A table whose first column labels fields: a field per row whose
    /// label names one; the rest prose.
    fn table_of_fields(&mut self, table: &Table) {
        let owner = self.owner.unwrap_or(Owner::Section(HEADER));
        for (r, row) in table.rows.iter().enumerate() {
            let Some((label_cell, values)) = row.split_first() else {
                continue;
            };
            let label = label_cell.text();
            let value: Vec<String> = values
                .iter()
                .map(Cell::text)
                .filter(|t| !t.is_empty())
                .collect();
            let value = value.join("\n");
            let value_cell = values.first().unwrap_or(label_cell);
            let part = Self::cell_part(table, r, 1.min(row.len() - 1), value_cell);
            match field_for(self.vocabulary, owner, &label) {
                Some(key) => {
                    let key = key.to_owned();
                    self.field(&key, &value, part);
                }
                None if value.is_empty() => self.prose(&label, &part),
                None => self.prose(
                    &format!("{}: {}", label.replace('\n', " "), value.replace('\n', " ")),
                    &part,
                ),
            }
        }
    }

    /// A register: an entity per row (rows of one name, or whose name cell
    /// continues the one above, are one entity).
    fn register(&mut self, table: &Table, ty: assure_vocab::EntityTypeId, columns: &Columns) {
        struct Entity {
            name: String,
            part: Part,
            fields: Vec<(String, String, Part)>,
            prose: Vec<(String, Part)>,
        }
        let mut entities: Vec<Entity> = Vec::new();
        let header = &table.rows[0];
        for (r, row) in table.rows.iter().enumerate().skip(1) {
            let Some(name_cell) = row.get(columns.name) else {
                continue;
            };
            let name = first_line(&name_cell.text()).trim().to_owned();
            let continues = name_cell.continues
                || entities
                    .last()
                    .is_some_and(|e| !name.is_empty() && e.name.eq_ignore_ascii_case(&name));
            let blank_row = row.iter().all(|c| c.text().is_empty());
            if blank_row {
                continue;
            }
            if !continues || entities.is_empty() {
                entities.push(Entity {
                    name: if name.is_empty() {
                        "<<NAME>>".to_owned()
                    } else {
                        name
                    },
                    part: Self::cell_part(table, r, columns.name, name_cell),
                    fields: Vec::new(),
                    prose: Vec::new(),
                });
            }
            let entity = entities.last_mut().expect("one was pushed");
            for (c, cell) in row.iter().enumerate() {
                if c == columns.name {
                    continue;
                }
                let value = cell.text();
                if value.is_empty() {
                    continue;
                }
                let part = Self::cell_part(table, r, c, cell);
                match columns.fields.get(c).and_then(Option::as_ref) {
                    Some(key) => entity.fields.push((key.clone(), value, part)),
                    None => {
                        let label = header.get(c).map(Cell::text).unwrap_or_default();
                        let line = if label.is_empty() {
                            value.replace('\n', " ")
                        } else {
                            format!("{}: {}", label.replace('\n', " "), value.replace('\n', " "))
                        };
                        entity.prose.push((line, part));
                    }
                }
            }
        }
        let section = self.headings.first().cloned();
        for entity in entities {
            self.headings = section.clone().into_iter().collect();
            self.owner = Some(Owner::Section(self.vocabulary.entity_type(ty).section));
            self.blank();
            self.line_at(&format!("## {}", entity.name), entity.part);
            self.headings.push(entity.name);
            self.owner = Some(Owner::Entity(ty));
            // A list field given in several rows is one list.
            let mut written: Vec<(String, String, Part)> = Vec::new();
            for (key, value, part) in entity.fields {
                let is_list = is_list(self.vocabulary, Owner::Entity(ty), &key);
                match written.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, earlier, _)) if is_list => {
                        earlier.push('\n');
                        earlier.push_str(&value);
                    }
                    _ => written.push((key, value, part)),
                }
            }
            for (key, value, part) in written {
                self.field(&key, &value, part);
            }
            for (line, part) in entity.prose {
                self.prose(&line, &part);
            }
        }
        // After a register, the section's own block again.
        self.headings = section.into_iter().collect();
        self.owner = self.current_section().map(Owner::Section);
    }
}

/// Which column of a register holds the names, and which field each other
/// column holds.
struct Columns {
    name: usize,
    fields: Vec<Option<String>>,
}

/// The columns of a register whose header row is `header`: one naming the
/// entities (`Name`, or one of the type's `name-labels`), and at least one
/// naming a field.
fn register_columns(
    vocabulary: &Vocabulary,
    ty: assure_vocab::EntityTypeId,
    header: &[Cell],
) -> Option<Columns> {
    let entity = vocabulary.entity_type(ty);
    let is_name = |label: &str| {
        let key = normalised(label);
        key == "name"
            || key == normalised(&entity.id)
            || key == format!("{}-name", normalised(&entity.id))
            || entity.name_labels.iter().any(|l| normalised(l) == key)
    };
    let name = header.iter().position(|c| is_name(&c.text()))?;
    let fields: Vec<Option<String>> = header
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (i != name)
                .then(|| field_for(vocabulary, Owner::Entity(ty), &c.text()).map(str::to_owned))
                .flatten()
        })
        .collect();
    fields
        .iter()
        .any(Option::is_some)
        .then_some(Columns { name, fields })
}
