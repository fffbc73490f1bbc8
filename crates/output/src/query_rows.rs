//! AQL result rows as a table, CSV, a JSON array or NDJSON. JSON objects keep the
//! SELECT order of their keys, numbers stay numbers and NULL is `null`.

use std::io::{self, Write};

use whoiswatch_aql::datum::format_float;
use whoiswatch_aql::{Datum, Owned};

use crate::csv::csv_field;
use crate::table::Table;

/// Rows a table holds; past it rows are counted, not shown (use csv or ndjson).
pub const MAX_TABLE_ROWS: usize = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    Table,
    Csv,
    Json,
    Ndjson,
}

/// A datum as a table or CSV cell: NULL is empty.
pub fn datum_text(datum: &Datum<'_>) -> String {
    match datum {
        Datum::Null => String::new(),
        Datum::Integer(n) => n.to_string(),
        Datum::Float(x) => format_float(*x),
        Datum::Text(t) => t.to_string(),
        Datum::Boolean(b) => b.to_string(),
        Datum::Ip(ip) => ip.to_string(),
    }
}

fn write_json_string(out: &mut dyn Write, text: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, text).map_err(io::Error::other)
}

fn write_json_datum(out: &mut dyn Write, datum: &Datum<'_>) -> io::Result<()> {
    match datum {
        Datum::Null => out.write_all(b"null"),
        Datum::Integer(n) => write!(out, "{n}"),
        Datum::Float(x) if x.is_finite() => out.write_all(format_float(*x).as_bytes()),
        Datum::Float(_) => out.write_all(b"null"),
        Datum::Text(t) => write_json_string(out, t),
        Datum::Boolean(b) => write!(out, "{b}"),
        Datum::Ip(ip) => write_json_string(out, &ip.to_string()),
    }
}

pub struct RowWriter<W: Write> {
    format: RowFormat,
    columns: Vec<String>,
    out: W,
    table: Option<Table>,
    rows: u64,
    /// Rows past [`MAX_TABLE_ROWS`] in table output.
    pub dropped: u64,
}

impl<W: Write> RowWriter<W> {
    pub fn new(format: RowFormat, columns: Vec<String>, mut out: W) -> io::Result<Self> {
        let mut table = None;
        match format {
            RowFormat::Csv => {
                let header: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
                writeln!(out, "{}", header.join(","))?;
            }
            RowFormat::Table => table = Some(Table::new(columns.clone())),
            RowFormat::Json | RowFormat::Ndjson => {}
        }
        Ok(RowWriter {
            format,
            columns,
            out,
            table,
            rows: 0,
            dropped: 0,
        })
    }

    fn json_object(&mut self, row: &[Owned]) -> io::Result<()> {
        self.out.write_all(b"{")?;
        for (i, (name, value)) in self.columns.iter().zip(row).enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            write_json_string(&mut self.out, name)?;
            self.out.write_all(b":")?;
            write_json_datum(&mut self.out, value)?;
        }
        self.out.write_all(b"}")
    }

    pub fn row(&mut self, row: &[Owned]) -> io::Result<()> {
        match self.format {
            RowFormat::Ndjson => {
                self.json_object(row)?;
                self.out.write_all(b"\n")?;
            }
            RowFormat::Json => {
                self.out
                    .write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
                self.json_object(row)?;
            }
            RowFormat::Csv => {
                let cells: Vec<String> = row.iter().map(|d| csv_field(&datum_text(d))).collect();
                writeln!(self.out, "{}", cells.join(","))?;
            }
            RowFormat::Table => {
                let table = self.table.as_mut().expect("table output has a table");
                if table.len() >= MAX_TABLE_ROWS {
                    self.dropped += 1;
                } else {
                    table.push(row.iter().map(datum_text).collect());
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Close the output (the JSON array, the table) and hand the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        match self.format {
            RowFormat::Json => {
                self.out
                    .write_all(if self.rows == 0 { b"[]\n" } else { b"\n]\n" })?;
            }
            RowFormat::Table => {
                if let Some(table) = &self.table {
                    table.write(&mut self.out)?;
                }
            }
            RowFormat::Csv | RowFormat::Ndjson => {}
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: RowFormat) -> String {
        let columns = vec!["b".to_string(), "a".to_string(), "n".to_string()];
        let mut writer = RowWriter::new(format, columns, Vec::new()).unwrap();
        writer
            .row(&[Datum::Integer(43), Datum::text("x,\"y\""), Datum::Null])
            .unwrap();
        writer
            .row(&[Datum::Float(2.0), Datum::Boolean(true), Datum::text("z")])
            .unwrap();
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn ndjson_keeps_select_order_numbers_and_null() {
        assert_eq!(
            render(RowFormat::Ndjson),
            "{\"b\":43,\"a\":\"x,\\\"y\\\"\",\"n\":null}\n{\"b\":2.0,\"a\":true,\"n\":\"z\"}\n"
        );
        let json: serde_json::Value = serde_json::from_str(&render(RowFormat::Json)).unwrap();
        assert_eq!(json[0]["b"], 43);
        assert!(json[0]["n"].is_null());
    }

    #[test]
    fn csv_quotes_and_null_is_empty() {
        assert_eq!(
            render(RowFormat::Csv),
            "b,a,n\n43,\"x,\"\"y\"\"\",\n2.0,true,z\n"
        );
    }
}
