//! Where a line of text converted from a document (a Word file) stands in
//! that document: the headings above it and the paragraph or table cell it
//! came from. A finding's span points into the converted text, which every
//! stage reads; its place is what a reader of the document can find.

/// A place in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The headings above it, outermost first.
    pub headings: Vec<String>,
    /// The part of the document.
    pub part: Part,
}

/// A part of a document, numbered from 1 as a reader counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The `n`th paragraph of the body (headings and table cells' paragraphs
    /// counted).
    Paragraph(u32),
    /// A cell of the `table`th table: its row and column.
    Cell {
        /// The table, counted through the document.
        table: u32,
        /// The row.
        row: u32,
        /// The column.
        column: u32,
        /// The cell's first paragraph, counted as [`Part::Paragraph`] is.
        paragraph: u32,
    },
    /// A cell of a sheet (a workbook's, or a CSV file's), the sheet's name
    /// the place's heading: shown `Register!D14`.
    Sheet {
        /// The row, from 1.
        row: u32,
        /// The column, from 1 (`A`).
        column: u32,
    },
    /// A value of a JSON document (a published notice), the notice's
    /// `ocid` and id the place's headings: shown `line 12, /tender/value`.
    Json {
        /// The line of a JSON Lines file the value is on, from 1; none for
        /// a whole document.
        line: Option<u32>,
        /// The JSON pointer of the value, within the line's value or the
        /// document (RFC 6901: `/releases/0/tender/value`).
        pointer: Box<str>,
    },
}

/// A column's letters as a spreadsheet names it: 1 is `A`, 27 `AA`.
pub fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let digit = (column - 1) % 26;
        letters.push(char::from(b'A' + digit as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}

impl Place {
    /// The place as a reader looks for it: `Contracts › MCP contract ›
    /// table 1, row 3, column 2`.
    pub fn describe(&self) -> String {
        if let Part::Sheet { row, column } = self.part {
            let sheet = self.headings.first().map_or("", String::as_str);
            let mut out = String::new();
            if !sheet.is_empty() {
                out.push_str(sheet);
                out.push('!');
            }
            out.push_str(&column_letters(column));
            out.push_str(&row.to_string());
            return out;
        }
        let part = match &self.part {
            Part::Paragraph(n) => format!("paragraph {n}"),
            Part::Cell {
                table, row, column, ..
            } => format!("table {table}, row {row}, column {column}"),
            Part::Json {
                line: Some(line),
                pointer,
            } => format!("line {line}, {}", shown_pointer(pointer)),
            Part::Json {
                line: None,
                pointer,
            } => shown_pointer(pointer).to_owned(),
            Part::Sheet { .. } => unreachable!("a sheet's cell is described above"),
        };
        let mut out = String::new();
        for heading in &self.headings {
            out.push_str(heading);
            out.push_str(" › ");
        }
        out.push_str(&part);
        out
    }

    /// What a reader calls what the place is in: `document`, or `notice`
    /// for a published notice's JSON.
    pub fn kind_of_document(&self) -> &'static str {
        match self.part {
            Part::Json { .. } => "notice",
            _ => "document",
        }
    }

    /// The paragraph it is, or a table cell's first: what a tool counts
    /// to; none for a sheet's cell.
    pub fn paragraph(&self) -> Option<u32> {
        match self.part {
            Part::Paragraph(n) | Part::Cell { paragraph: n, .. } => Some(n),
            Part::Sheet { .. } | Part::Json { .. } => None,
        }
    }
}

/// A pointer as shown: the whole document's (the empty pointer) as `/`.
fn shown_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

/// Each line of a converted text's place, by the byte offset its line
/// starts at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// Line starts, ascending, each with the index of its place.
    lines: Vec<(u32, u32)>,
    places: Vec<Place>,
}

impl Places {
    /// The line starting at `offset` (after every line added so far) is
    /// from `place`.
    pub fn push(&mut self, offset: u32, place: Place) {
        let index = match self.places.last() {
            Some(last) if *last == place => self.places.len() as u32 - 1,
            _ => {
                self.places.push(place);
                self.places.len() as u32 - 1
            }
        };
        self.lines.push((offset, index));
    }

    /// The line starting at `offset` is from the place of the line before
    /// it (a caller that knows so need not build the place again); nothing
    /// if no line was placed yet.
    pub fn repeat(&mut self, offset: u32) {
        if let Some(&(_, index)) = self.lines.last() {
            self.lines.push((offset, index));
        }
    }

    /// The place of the line holding `offset`; none before the first line
    /// with a place (a line the conversion wrote itself).
    pub fn at(&self, offset: u32) -> Option<&Place> {
        let after = self.lines.partition_point(|(start, _)| *start <= offset);
        let (_, index) = self.lines.get(after.checked_sub(1)?)?;
        self.places.get(*index as usize)
    }

    /// `other`'s lines after these (its offsets already past theirs).
    pub fn extend(&mut self, other: Places) {
        let base = self.places.len() as u32;
        self.places.extend(other.places);
        self.lines.extend(
            other
                .lines
                .into_iter()
                .map(|(start, index)| (start, base + index)),
        );
    }

    /// Whether the text's first line has a place: the whole text was
    /// converted from a document (not a proposal with a register after it).
    pub fn is_whole_document(&self) -> bool {
        self.lines.first().is_some_and(|(start, _)| *start == 0)
    }

    /// Every line start with its place, in order.
    pub fn lines(&self) -> impl Iterator<Item = (u32, &Place)> {
        self.lines
            .iter()
            .map(|(start, index)| (*start, &self.places[*index as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(headings: &[&str], part: Part) -> Place {
        Place {
            headings: headings.iter().map(|h| (*h).to_owned()).collect(),
            part,
        }
    }

    #[test]
    fn a_line_is_found_by_any_offset_in_it() {
        let mut places = Places::default();
        places.push(0, place(&[], Part::Paragraph(1)));
        places.push(10, place(&["Contracts"], Part::Paragraph(3)));
        let cell = Part::Cell {
            table: 1,
            row: 3,
            column: 2,
            paragraph: 7,
        };
        places.push(25, place(&["Contracts", "MCP contract"], cell));
        assert_eq!(places.at(0).unwrap().describe(), "paragraph 1");
        assert_eq!(places.at(9).unwrap().describe(), "paragraph 1");
        assert_eq!(places.at(10).unwrap().describe(), "Contracts › paragraph 3");
        assert_eq!(
            places.at(400).unwrap().describe(),
            "Contracts › MCP contract › table 1, row 3, column 2"
        );
        assert_eq!(places.at(400).unwrap().paragraph(), Some(7));
        let register = place(&["Register"], Part::Sheet { row: 14, column: 4 });
        assert_eq!(register.describe(), "Register!D14");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
        let mut late = Places::default();
        late.push(5, place(&[], Part::Paragraph(1)));
        assert_eq!(late.at(4), None);
    }
}
