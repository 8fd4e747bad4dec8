//! Registers of interests as commissioners keep them: a sheet of an Excel
//! or OpenDocument workbook, or a CSV export, with a row per interest
//! (name, position, type of interest, description, organisation, dates,
//! action taken). Read as a `# Register of interests` section (the
//! vocabulary's section with `rows`), a person per name: the columns that
//! are a person's fields by their labels give those fields; the
//! organisation column and the words of the nature columns give the
//! interest, as the reference field the first known word chooses.
//!
//! An interest is a reference only where its organisation is one the
//! proposal names (`known`): an interest in a body the proposal does not
//! involve is no conflict in it, and stays prose, read but not judged.
//!
//! CSV is read as UTF-8 (with or without a byte-order mark), else as
//! Windows-1252 (Excel's default export, where `£` is byte 0xA3), which
//! is said; a byte Windows-1252 does not define becomes a placeholder at
//! its cell (SYN004), never a guess.

use crate::Refusal;
use crate::layout::{field_for, is_list, normalised};
use crate::package::Package;
use assure_diagnostic::place::{Part, Place, Places};
use assure_vocab::{Owner, SectionId, ValueType, Vocabulary};

/// The most cells a register may hold: a register of a large trust has
/// thousands of rows of a dozen columns.
pub const MAX_CELLS: usize = 2_000_000;

/// A register's table: its sheet's name and its rows of cells' text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name (a CSV file's: `CSV`).
    pub name: String,
    /// Each row's cells, as text.
    pub rows: Vec<Vec<String>>,
    /// What reading it said (`read as Windows-1252`).
    pub notes: Vec<String>,
}

/// The kinds of file a register comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// An Excel workbook (`.xlsx`): its first sheet.
    Xlsx,
    /// An OpenDocument spreadsheet (`.ods`): its first sheet.
    Ods,
}

/// The register in `bytes`, from the file `name` (a CSV file's sheet is
/// named by its stem, as a spreadsheet names it).
pub fn read(format: Format, bytes: &[u8], name: &str) -> Result<Sheet, Refusal> {
    match format {
        Format::Csv => {
            let mut sheet = csv_sheet(bytes)?;
            let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
            let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
            if !stem.is_empty() {
                sheet.name = stem.to_owned();
            }
            Ok(sheet)
        }
        Format::Xlsx | Format::Ods => workbook(format, bytes),
    }
}

fn csv_sheet(bytes: &[u8]) -> Result<Sheet, Refusal> {
    let mut notes = Vec::new();
    let text = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8(rest.to_vec())
            .map_err(|_| Refusal::new("it begins as UTF-8 (a byte-order mark) but is not UTF-8"))?
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        text.to_owned()
    } else {
        notes.push("read as Windows-1252 (Excel's CSV export): it is not UTF-8".to_owned());
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
        // The five bytes Windows-1252 leaves undefined decode to C1
        // controls: each a placeholder at its cell, not a character.
        text.chars()
            .map(|c| match c {
                '\u{0081}' | '\u{008D}' | '\u{008F}' | '\u{0090}' | '\u{009D}' => {
                    format!("<<UNDECODABLE BYTE 0x{:02X}>>", c as u32)
                }
                c => c.to_string(),
            })
            .collect()
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells = 0usize;
    // Where each line starts (a lone CR ends one, as in proposals).
    let bytes = text.as_bytes();
    let mut starts = vec![0usize];
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if ends {
            starts.push(i + 1);
        }
    }
    for record in reader.records() {
        let record = record.map_err(|e| Refusal::new(format!("it is not CSV as read: {e}")))?;
        cells += record.len();
        if cells > MAX_CELLS {
            return Err(too_many());
        }
        // A row's number is its line's, as a spreadsheet opening the file
        // numbers it: blank lines (which hold no record) still count.
        // The reader's position may be at the end of the line before (its
        // `\n` after a `\r`, or blank lines it passed over): the record's
        // line is that of its first byte that ends no line.
        let mut first = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(bytes.get(first), Some(b'\r' | b'\n')) {
            first += 1;
        }
        let line = starts.partition_point(|&start| start <= first);
        while rows.len() + 1 < line {
            rows.push(Vec::new());
        }
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(Sheet {
        name: "CSV".to_owned(),
        rows,
        notes,
    })
}

fn workbook(format: Format, bytes: &[u8]) -> Result<Sheet, Refusal> {
    use calamine::Reader as _;
    let kind = match format {
        Format::Ods => "OpenDocument spreadsheet (.ods)",
        _ => "Excel workbook (.xlsx)",
    };
    // Every part unpacked once within bounds first: the workbook reader
    // trusts what a zip says of itself.
    let mut package = Package::open(bytes, kind)?;
    package.check_every_part()?;
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| Refusal::new(format!("this {kind} cannot be read: {e}")))?;
    let Some(name) = workbook.sheet_names().first().cloned() else {
        return Err(Refusal::new(format!("this {kind} has no sheet")));
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| Refusal::new(format!("its sheet {name} cannot be read: {e}")))?;
    let (height, width) = range.get_size();
    if height.saturating_mul(width) > MAX_CELLS {
        return Err(too_many());
    }
    // The range starts where the sheet's first cell is; rows and columns
    // are counted from the sheet's A1.
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut rows = vec![Vec::new(); top as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(cell_text));
        rows.push(cells);
    }
    Ok(Sheet {
        name,
        rows,
        notes: Vec::new(),
    })
}

/// A workbook cell as the text a register means by it: a whole number
/// without `.0`, a date as `YYYY-MM-DD`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(date) => excel_date(date.as_f64()),
        Data::Error(e) => format!("<<CELL ERROR {e:?}>>"),
    }
}

/// An Excel serial day (1900 system: day 1 is 1900-01-01, with its
/// fictitious 29 February 1900) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    // Days from 1970-01-01: the serial of 1970-01-01 is 25569.
    let z = days - 25_569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn too_many() -> Refusal {
    Refusal::new(format!(
        "it holds more than {MAX_CELLS} cells, more than a register assure reads"
    ))
}

/// The register's section and text, each line's place.
pub struct Laid {
    /// The section, in the text format.
    pub text: String,
    /// Each line's cell.
    pub places: Places,
}

/// The rows of `sheet` as the vocabulary's register section, laid out
/// from `offset` (where the text will stand after a proposal's); an
/// organisation is referred to where `known` says the proposal names it.
pub fn lay_out(
    sheet: &Sheet,
    vocabulary: &Vocabulary,
    known: &dyn Fn(&str) -> bool,
    offset: u32,
) -> Result<Laid, Refusal> {
    let Some((section, rows_rule)) = register_section(vocabulary) else {
        return Err(Refusal::new(
            "the vocabulary has no section that reads registers (`rows`)",
        ));
    };
    let Some(ty) = vocabulary.section(section).entity else {
        return Err(Refusal::new("the register section holds no entities"));
    };
    let owner = Owner::Entity(ty);
    let entity = vocabulary.entity_type(ty);
    let is_name = |label: &str| {
        let key = normalised(label);
        key == "name" || entity.name_labels.iter().any(|l| normalised(l) == key)
    };
    let matches = |labels: &[String], header: &str| {
        let key = normalised(header);
        !key.is_empty() && labels.iter().any(|l| normalised(l) == key)
    };
    // The header row: the first of the first twenty with a name column
    // (registers often open with a title row or two).
    let Some((header_row, name_column)) = sheet
        .rows
        .iter()
        .take(20)
        .enumerate()
        .find_map(|(r, row)| row.iter().position(|c| is_name(c)).map(|c| (r, c)))
    else {
        return Err(Refusal::new(format!(
            "no row of {} heads a column of names (`Name`): not a register assure can read",
            sheet.name
        )));
    };
    let header = &sheet.rows[header_row];
    let organisation = header
        .iter()
        .position(|h| matches(&rows_rule.organisation, h));
    let nature: Vec<usize> = (0..header.len())
        .filter(|&c| matches(&rows_rule.nature, &header[c]))
        .collect();
    let fields: Vec<Option<&str>> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            (c != name_column && Some(c) != organisation && !nature.contains(&c))
                .then(|| field_for(vocabulary, owner, h))
                .flatten()
        })
        .collect();
    let title = vocabulary
        .section(section)
        .title
        .clone()
        .unwrap_or_default();
    let mut out = Out {
        text: String::new(),
        places: Places::default(),
        offset,
        sheet: sheet.name.clone(),
    };
    out.text.push_str(&format!("# {title}\n"));
    // Rows of one name are one person, in the order first seen.
    let mut people: Vec<(String, Vec<Line>, Part)> = Vec::new();
    for (r, row) in sheet.rows.iter().enumerate().skip(header_row + 1) {
        let cell = |c: usize| row.get(c).map_or("", |s| s.trim());
        let name = cell(name_column);
        if name.is_empty() {
            continue;
        }
        let part = |c: usize| Part::Sheet {
            row: r as u32 + 1,
            column: c as u32 + 1,
        };
        let index = match people
            .iter()
            .position(|(n, _, _)| n.eq_ignore_ascii_case(name))
        {
            Some(index) => index,
            None => {
                people.push((name.to_owned(), Vec::new(), part(name_column)));
                people.len() - 1
            }
        };
        let lines = &mut people[index].1;
        for (c, field) in fields.iter().enumerate() {
            let value = cell(c);
            if value.is_empty() {
                continue;
            }
            let refers = field
                .and_then(|key| entity.fields.get(key))
                .is_some_and(|id| matches!(vocabulary.field(id).ty, ValueType::Ref(_)));
            match field {
                // A reference to a body the proposal does not name is read,
                // not judged.
                Some(_) if refers && !value.split(", ").all(known) => {
                    let label = header.get(c).map_or("", |h| h.trim());
                    lines.push((
                        String::new(),
                        format!("{label}: {value} (not named in the proposal)"),
                        part(c),
                    ));
                }
                Some(key) => lines.push(((*key).to_owned(), value.to_owned(), part(c))),
                None if c != name_column && Some(c) != organisation && !nature.contains(&c) => {
                    let label = header.get(c).map_or("", |h| h.trim());
                    lines.push((String::new(), format!("{label}: {value}"), part(c)));
                }
                None => {}
            }
        }
        let said: Vec<&str> = nature
            .iter()
            .map(|&c| cell(c))
            .filter(|s| !s.is_empty())
            .collect();
        let body = organisation.map_or("", |c| cell(c));
        if said.is_empty() && body.is_empty() {
            continue;
        }
        let chosen = said
            .iter()
            .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
            .find_map(|word| {
                let word = word.to_lowercase();
                rows_rule
                    .words
                    .iter()
                    .find(|(w, _)| *w == word)
                    .map(|(_, field)| vocabulary.field(*field).name.clone())
            });
        let at = organisation.map_or_else(|| part(nature[0]), part);
        match chosen {
            Some(key) if !body.is_empty() && known(body) => {
                lines.push((key, body.to_owned(), at));
            }
            _ => {
                let what = said.join(", ");
                let line = match (what.is_empty(), body.is_empty()) {
                    (false, false) => {
                        format!("Interest: {what}, {body} (not named in the proposal)")
                    }
                    (false, true) => format!("Interest: {what}"),
                    _ => format!("Interest: {body} (not named in the proposal)"),
                };
                lines.push((String::new(), line, at));
            }
        }
    }
    for (name, lines, part) in people {
        out.text.push('\n');
        out.line(&format!("## {name}"), part);
        // A list field given in several rows is one list.
        let mut written: Vec<(String, String, Part)> = Vec::new();
        let mut prose = Vec::new();
        for (key, value, part) in lines {
            if key.is_empty() {
                prose.push((value, part));
                continue;
            }
            let is_list = is_list(vocabulary, owner, &key);
            // The same value in every row of a person (their position) is
            // said once.
            if written
                .iter()
                .any(|(k, v, _)| *k == key && v.eq_ignore_ascii_case(&value))
            {
                continue;
            }
            match written.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, earlier, _)) if is_list => {
                    if !earlier.split(", ").any(|e| e.eq_ignore_ascii_case(&value)) {
                        earlier.push_str(", ");
                        earlier.push_str(&value);
                    }
                }
                _ => written.push((key, value, part)),
            }
        }
        for (key, value, part) in written {
            out.line(&format!("{key}: {}", value.replace('\n', " ")), part);
        }
        for (line, part) in prose {
            let line = line.replace('\n', " ");
            let line = if line.starts_with('#') || line.starts_with("<!--") {
                format!("\\{line}")
            } else {
                line
            };
            out.line(&line, part);
        }
    }
    Ok(Laid {
        text: out.text,
        places: out.places,
    })
}

/// A line of a person's: a field's key and value (no key: prose), and the
/// cell it came from.
type Line = (String, String, Part);

/// The section registers are read into, and how.
fn register_section(vocabulary: &Vocabulary) -> Option<(SectionId, &assure_vocab::Rows)> {
    vocabulary
        .sections()
        .iter()
        .enumerate()
        .find_map(|(i, s)| s.rows.as_ref().map(|rows| (SectionId(i as u32), rows)))
}

struct Out {
    text: String,
    places: Places,
    offset: u32,
    sheet: String,
}

impl Out {
    fn line(&mut self, line: &str, part: Part) {
        self.places.push(
            self.offset + self.text.len() as u32,
            Place {
                headings: vec![self.sheet.clone()],
                part,
            },
        );
        self.text.push_str(line);
        self.text.push('\n');
    }
}
