//! Reading an uploaded CSV: its header must name the required columns (others are ignored),
//! one data row per variant and location, at most [`MAX_ROWS`].

use crate::catalog::{ImportProblem, CSV_COLUMNS};

/// The form (and API) field the CSV is uploaded in.
pub const FILE_FIELD: &str = "file";
/// Rows one file may hold.
pub const MAX_ROWS: usize = 200_000;
/// Columns a file must have.
const REQUIRED: &[&str] = &[
    "listing_ref",
    "title",
    "category",
    "currency",
    "sku",
    "price",
];

/// One data row: its line in the file and its values in [`CSV_COLUMNS`] order.
pub(super) struct Row {
    pub(super) line: u64,
    values: Vec<String>,
}

impl Row {
    /// The row's value in `column`, trimmed, with the quote Gala's exports put before a
    /// formula-like value taken off again ([`spreadsheet_safe`]), so an export imports back
    /// unchanged.
    pub(super) fn get(&self, column: &str) -> &str {
        let value = CSV_COLUMNS
            .iter()
            .position(|c| *c == column)
            .map_or("", |i| self.values[i].trim());
        match value.strip_prefix('\'') {
            Some(rest) if rest.starts_with(FORMULA_STARTS) => rest.trim(),
            _ => value,
        }
    }
}

/// What a spreadsheet reads as the start of a formula (or, for tab and carriage return, what
/// hides one), following OWASP's advice on CSV injection.
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// `value` as a CSV cell a spreadsheet shows as text: a value that would start a formula
/// (`=HYPERLINK(...)`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`, which
/// spreadsheets hide and Gala's import removes. Every CSV Gala writes (catalog exports,
/// refused-row reports) writes its cells through this.
pub fn spreadsheet_safe(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

/// Reads the file: the header must name the required columns; other columns are ignored.
pub(super) fn parse(content: &str) -> Result<Vec<Row>, ImportProblem> {
    let mut reader = ::csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(content.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| ImportProblem::NotCsv)?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !headers.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportProblem::MissingColumns);
    }
    let index: Vec<Option<usize>> = CSV_COLUMNS
        .iter()
        .map(|c| headers.iter().position(|h| h == c))
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| ImportProblem::NotCsv)?;
        if rows.len() == MAX_ROWS {
            return Err(ImportProblem::TooManyRows);
        }
        let line = record.position().map_or(0, |p| p.line());
        let values = index
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).unwrap_or("").to_owned())
            .collect();
        rows.push(Row { line, values });
    }
    if rows.is_empty() {
        return Err(ImportProblem::NoRows);
    }
    Ok(rows)
}

/// Checks an uploaded file: its text and rows, or why it is refused.
pub fn check(bytes: Vec<u8>) -> Result<(String, usize), ImportProblem> {
    if bytes.is_empty() {
        return Err(ImportProblem::MissingFile);
    }
    let content = String::from_utf8(bytes).map_err(|_| ImportProblem::NotUtf8)?;
    // Spreadsheets often start UTF-8 files with a byte-order mark.
    let content = content.trim_start_matches('\u{feff}').to_owned();
    let rows = parse(&content)?.len();
    Ok((content, rows))
}

#[cfg(test)]
mod formula_tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_quoted_and_come_back_unchanged() {
        for value in [
            "=HYPERLINK(\"http://evil\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            let safe = spreadsheet_safe(value);
            assert!(safe.starts_with('\''), "{value:?}");
            let row = Row {
                line: 2,
                values: CSV_COLUMNS
                    .iter()
                    .map(|c| {
                        if *c == "title" {
                            safe.to_string()
                        } else {
                            String::new()
                        }
                    })
                    .collect(),
            };
            assert_eq!(row.get("title"), value.trim(), "{value:?}");
        }
        assert_eq!(spreadsheet_safe("Silk coat"), "Silk coat");
        assert_eq!(spreadsheet_safe("129.00"), "129.00");
    }
}
