//! Per-file and per-run counts: what was read, what was skipped and why.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::ErrorKind;

/// What reading one file (or archive member) gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub file: Arc<str>,
    /// The format sniffed (or forced) for the file.
    pub format: Option<&'static str>,
    /// Events per parser; a syslog file can hold several sub-formats.
    pub events_by_format: BTreeMap<&'static str, u64>,
    pub events: u64,
    pub bytes: u64,
    /// Skipped records and warnings, by reason.
    pub errors: BTreeMap<ErrorKind, u64>,
}

impl FileSummary {
    pub fn new(file: Arc<str>) -> Self {
        FileSummary {
            file,
            format: None,
            events_by_format: BTreeMap::new(),
            events: 0,
            bytes: 0,
            errors: BTreeMap::new(),
        }
    }

    pub(crate) fn count_event(&mut self, format: &'static str) {
        self.events += 1;
        *self.events_by_format.entry(format).or_default() += 1;
    }

    pub(crate) fn count_error(&mut self, kind: ErrorKind) {
        *self.errors.entry(kind).or_default() += 1;
    }

    pub fn skipped(&self) -> u64 {
        self.errors
            .iter()
            .filter(|(k, _)| !k.is_warning())
            .map(|(_, n)| n)
            .sum()
    }

    pub fn warnings(&self) -> u64 {
        self.errors
            .iter()
            .filter(|(k, _)| k.is_warning())
            .map(|(_, n)| n)
            .sum()
    }
}

/// The counts of a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub files: Vec<FileSummary>,
    /// Set when strict mode stopped the run.
    pub stopped: Option<crate::ParseError>,
}

impl RunSummary {
    pub fn events(&self) -> u64 {
        self.files.iter().map(|f| f.events).sum()
    }

    pub fn skipped(&self) -> u64 {
        self.files.iter().map(FileSummary::skipped).sum()
    }

    pub fn warnings(&self) -> u64 {
        self.files.iter().map(FileSummary::warnings).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// Skipped records and warnings of all files, by reason.
    pub fn errors_by_kind(&self) -> BTreeMap<ErrorKind, u64> {
        let mut total = BTreeMap::new();
        for file in &self.files {
            for (kind, count) in &file.errors {
                *total.entry(*kind).or_default() += count;
            }
        }
        total
    }
}
