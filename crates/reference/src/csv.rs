//! The one CSV line splitter of reference data: feeds, maps and tables.

/// Split one CSV line: commas, double-quoted fields with `""` escapes. Unquoted
/// fields are trimmed; quoted ones are kept as written.
pub(crate) fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(if was_quoted {
                    std::mem::take(&mut field)
                } else {
                    std::mem::take(&mut field).trim().to_string()
                });
                was_quoted = false;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field".into());
    }
    fields.push(if was_quoted {
        field
    } else {
        field.trim().to_string()
    });
    Ok(fields)
}
