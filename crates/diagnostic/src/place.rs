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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

impl Place {
    /// The place as a reader looks for it: `Contracts › MCP contract ›
    /// table 1, row 3, column 2`.
    pub fn describe(&self) -> String {
        let part = match self.part {
            Part::Paragraph(n) => format!("paragraph {n}"),
            Part::Cell {
                table, row, column, ..
            } => format!("table {table}, row {row}, column {column}"),
        };
        let mut out = String::new();
        for heading in &self.headings {
            out.push_str(heading);
            out.push_str(" › ");
        }
        out.push_str(&part);
        out
    }

    /// The paragraph it is, or a cell's first: what a tool counts to.
    pub fn paragraph(&self) -> u32 {
        match self.part {
            Part::Paragraph(n) | Part::Cell { paragraph: n, .. } => n,
        }
    }
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

    /// The place of the line holding `offset`; none before the first line
    /// with a place (a line the conversion wrote itself).
    pub fn at(&self, offset: u32) -> Option<&Place> {
        let after = self.lines.partition_point(|(start, _)| *start <= offset);
        let (_, index) = self.lines.get(after.checked_sub(1)?)?;
        self.places.get(*index as usize)
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
        assert_eq!(places.at(400).unwrap().paragraph(), 7);
        let mut late = Places::default();
        late.push(5, place(&[], Part::Paragraph(1)));
        assert_eq!(late.at(4), None);
    }
}
