//! A plain text table: columns padded to their widest cell (up to a limit).

use std::io::{self, Write};

const MAX_WIDTH: usize = 48;

pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Per row, an ANSI SGR code to colour the whole line with (`"31"` red).
    styles: Vec<Option<&'static str>>,
}

impl Table {
    pub fn new(headers: Vec<String>) -> Self {
        Table {
            headers,
            rows: Vec::new(),
            styles: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.push_styled(row, None);
    }

    /// A row coloured with an ANSI SGR code (the caller decides whether colour is wanted).
    pub fn push_styled(&mut self, row: Vec<String>, style: Option<&'static str>) {
        self.rows.push(row);
        self.styles.push(style);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn cell(text: &str, width: usize) -> String {
        let flat: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let count = flat.chars().count();
        if count > width {
            let cut: String = flat.chars().take(width.saturating_sub(1)).collect();
            format!("{cut}…")
        } else {
            format!("{flat}{}", " ".repeat(width - count))
        }
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|i| {
                let widest = self
                    .rows
                    .iter()
                    .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0);
                widest.max(self.headers[i].chars().count()).min(MAX_WIDTH)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| Self::cell(cells.get(i).map_or("", String::as_str), *w))
                .collect();
            padded.join("  ").trim_end().to_string()
        };
        writeln!(out, "{}", line(&self.headers))?;
        writeln!(
            out,
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  ")
        )?;
        for (row, style) in self.rows.iter().zip(&self.styles) {
            match style {
                Some(code) => writeln!(out, "\x1b[{code}m{}\x1b[0m", line(row))?,
                None => writeln!(out, "{}", line(row))?,
            }
        }
        Ok(())
    }
}
