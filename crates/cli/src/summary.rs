//! The end-of-run summary on stderr: per file the format, events read, and records
//! skipped by reason.

use whoiswatch_ingest::RunSummary;

pub fn print(summary: &RunSummary) {
    for file in &summary.files {
        let formats: Vec<String> = if file.events_by_format.len() > 1 {
            file.events_by_format
                .iter()
                .map(|(f, n)| format!("{f} {n}"))
                .collect()
        } else {
            Vec::new()
        };
        let mut line = format!("{}: {}", file.file, file.format.unwrap_or("unread"));
        if !formats.is_empty() {
            line.push_str(&format!(" ({})", formats.join(", ")));
        }
        line.push_str(&format!(", {} events", file.events));
        let skipped = file.skipped();
        if skipped > 0 {
            line.push_str(&format!(", {skipped} skipped"));
        }
        let warnings = file.warnings();
        if warnings > 0 {
            line.push_str(&format!(", {warnings} warnings"));
        }
        if !file.errors.is_empty() {
            let reasons: Vec<String> = file
                .errors
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            line.push_str(&format!(" [{}]", reasons.join(", ")));
        }
        eprintln!("{line}");
    }
    let reasons: Vec<String> = summary
        .errors_by_kind()
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    eprintln!(
        "total: {} files, {} bytes, {} events read, {} records skipped, {} warnings{}",
        summary.files.len(),
        summary.bytes(),
        summary.events(),
        summary.skipped(),
        summary.warnings(),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        }
    );
    if let Some(stop) = &summary.stopped {
        eprintln!("stopped by --strict at {stop}");
    }
}
