//! Shared input handling: arguments to ingest options, error lines on stderr, exit codes.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use whoiswatch_ingest::{ErrorKind, Format, Input, Options, ParseError, RunSummary};

use crate::args::ReadArgs;

/// Error lines printed per file and reason before the rest are only counted.
const ERROR_LINES_PER_REASON: u32 = 5;

pub fn options(args: &ReadArgs) -> anyhow::Result<Options> {
    let mut options = Options {
        strict: args.strict,
        max_record_bytes: args.max_record_bytes,
        day_first_dates: args.day_first,
        ..Options::default()
    };
    if let Some(name) = &args.format {
        options.format =
            Some(Format::from_name(name).with_context(|| format!("unknown format {name}"))?);
    }
    if let Some(threads) = args.threads {
        options.threads = threads.max(1);
    }
    if let Some(text) = &args.reference_time {
        options.reference_time = whoiswatch_event::time::parse_iso8601(text)
            .with_context(|| format!("--reference-time {text} is not an ISO 8601 time"))?;
    }
    Ok(options)
}

/// Inputs from paths; directories that cannot be listed are reported and skipped.
pub fn inputs(paths: &[std::path::PathBuf]) -> (Vec<Input>, bool) {
    let (inputs, errors) = whoiswatch_ingest::expand_inputs(paths);
    for (path, error) in &errors {
        eprintln!("{}: cannot list directory: {error}", path.display());
    }
    (inputs, !errors.is_empty())
}

/// Prints error lines to stderr, a few per file and reason.
#[derive(Default)]
pub struct ErrorPrinter {
    quiet: bool,
    shown: HashMap<(Arc<str>, ErrorKind), u32>,
}

impl ErrorPrinter {
    pub fn new(quiet: bool) -> Self {
        ErrorPrinter {
            quiet,
            shown: HashMap::new(),
        }
    }

    pub fn print(&mut self, error: &ParseError) {
        if self.quiet {
            return;
        }
        let count = self
            .shown
            .entry((error.origin.file.clone(), error.kind))
            .or_default();
        *count += 1;
        if *count <= ERROR_LINES_PER_REASON {
            eprintln!("{error}");
        } else if *count == ERROR_LINES_PER_REASON + 1 {
            eprintln!(
                "{}: more {} records; counted in the summary",
                error.origin.file, error.kind
            );
        }
    }
}

/// 3 when strict mode stopped, 1 when an input could not be read at all, else 0.
pub fn exit_code(summary: &RunSummary, listing_failed: bool) -> u8 {
    if summary.stopped.is_some() {
        return 3;
    }
    let unreadable = summary
        .files
        .iter()
        .any(|f| f.format.is_none() && f.events == 0 && !f.errors.is_empty());
    if unreadable || listing_failed {
        1
    } else {
        0
    }
}
