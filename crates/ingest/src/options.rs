//! Settings that change how input is read.

use std::sync::Arc;

use whoiswatch_event::{Event, FieldId, Timestamp};

use crate::formats::Format;

/// A consumer's promise for readers that can build an event in two steps: an event for
/// which [`EventFilter::wants`], shown only the fields of [`EventFilter::reads`], says
/// no may be delivered with just those fields (the rest never typed). Readers that
/// build in one step deliver whole events as always. Used by queries, whose WHERE
/// clause rejects most events on a few fields.
pub trait EventFilter: Send + Sync + std::fmt::Debug {
    /// The canonical fields `wants` reads.
    fn reads(&self) -> &[FieldId];
    /// Whether this event, holding only the fields of `reads`, must be built in full.
    fn wants(&self, partial: &Event) -> bool;
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Parse every file as this format instead of sniffing.
    pub format: Option<Format>,
    /// Stop at the first malformed record.
    pub strict: bool,
    /// Longest line or record accepted, in bytes.
    pub max_record_bytes: usize,
    /// Worker threads (files are spread over them).
    pub threads: usize,
    /// Timestamps without a year (RFC 3164 syslog) take the year that puts them at or
    /// before this instant (plus a day of clock skew).
    pub reference_time: Timestamp,
    /// Windows DNS debug dates: day before month (`25/12/2020`).
    pub day_first_dates: bool,
    /// Let several workers read one large NDJSON file (in pieces cut at line ends), for
    /// consumers whose answer does not depend on the order of a file's events.
    pub split_large_files: bool,
    /// Events the consumer rejects on a few fields may come with only those fields
    /// (see [`EventFilter`]; today QRadar CSV exports and QRadar or generic JSON lines).
    pub filter: Option<Arc<dyn EventFilter>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            strict: false,
            max_record_bytes: 16 * 1024 * 1024,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            reference_time: Timestamp::now(),
            day_first_dates: false,
            split_large_files: false,
            filter: None,
        }
    }
}
