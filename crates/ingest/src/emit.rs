//! The parsers' output side: events and errors go to a caller's [`Consumer`] through an
//! [`Emitter`] that counts them, joins split PowerShell script blocks and applies strict
//! mode.

use std::sync::Arc;

use whoiswatch_event::{Event, FieldId, Origin, Position};

use crate::error::{ErrorKind, ParseError};
use crate::formats::windows::script_block::ScriptBlockAssembler;
use crate::options::{EventFilter, Options};
use crate::summary::FileSummary;

/// What receives a run's events and errors. One consumer serves one worker thread.
pub trait Consumer {
    fn event(&mut self, event: Event);
    /// An event the run's [`crate::EventFilter`] said no to, holding only the fields it
    /// reads; handled as any other event unless the consumer knows better.
    fn rejected(&mut self, event: Event) {
        self.event(event)
    }
    fn error(&mut self, error: &ParseError);
    /// Input `index` (its position in the list given to [`crate::read_all`]) starts;
    /// its events follow, then [`Consumer::end_input`]. With
    /// [`crate::Options::split_large_files`], each piece of a shared file begins on the
    /// consumer that reads it, and only the reader of the last piece to finish ends it.
    fn begin_input(&mut self, _index: usize) {}
    /// Every event of input `index` has been delivered. Consumers that must give the same answer
    /// whatever the number of threads merge their per-unit results in unit order (see
    /// [`Consumer::begin_unit`]).
    fn end_input(&mut self, _index: usize) {}
    /// Unit of work `unit` starts on this consumer: units are numbered 0, 1, … in input
    /// order, and a shared file's pieces in file order, so merging per-unit results in
    /// unit order gives the one-thread answer whether or not files are split. Without
    /// splitting, unit `n` is input `n`.
    fn begin_unit(&mut self, _unit: usize) {}
    /// Every event of unit `unit` has been delivered to this consumer.
    fn end_unit(&mut self, _unit: usize) {}
}

/// The run was stopped: strict mode met an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop(pub ParseError);

/// Hands one file's events and errors to a consumer and keeps its counts.
pub struct Emitter<'c> {
    consumer: &'c mut dyn Consumer,
    strict: bool,
    pub(crate) summary: FileSummary,
    file: Arc<str>,
    script_blocks: ScriptBlockAssembler,
    filter: Option<Arc<dyn EventFilter>>,
}

impl<'c> Emitter<'c> {
    pub fn new(consumer: &'c mut dyn Consumer, file: Arc<str>, options: &Options) -> Self {
        Emitter {
            consumer,
            strict: options.strict,
            summary: FileSummary::new(file.clone()),
            file,
            script_blocks: ScriptBlockAssembler::default(),
            filter: options.filter.clone(),
        }
    }

    /// The consumer's [`EventFilter`], for parsers that can build events in two steps.
    /// (Borrowed: threads share it, and a count changed on every record would bounce
    /// between their caches.)
    pub fn filter(&self) -> Option<&Arc<dyn EventFilter>> {
        self.filter.as_ref()
    }

    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    pub fn origin(&self, position: Position) -> Origin {
        Origin {
            file: self.file.clone(),
            position,
        }
    }

    /// An event, with the name of the parser that made it (a file may mix sub-formats).
    pub fn event(&mut self, format: &'static str, event: Event) {
        if event.has(FieldId::ScriptBlockId) {
            for (format, event, complete) in self.script_blocks.push(format, event) {
                // Strict mode stops at the next error the parser reports.
                let _ = self.deliver(format, event, complete);
            }
            return;
        }
        self.summary.count_event(format);
        self.consumer.event(event);
    }

    /// An event built only in the fields of the [`EventFilter`], which rejected it.
    pub fn rejected(&mut self, format: &'static str, event: Event) {
        self.summary.count_event(format);
        self.consumer.rejected(event);
    }

    fn deliver(&mut self, format: &'static str, event: Event, complete: bool) -> Result<(), Stop> {
        let position = event.origin.position;
        let missing = event
            .get_extra("ScriptBlockPartsMissing")
            .map(|m| m.to_string());
        self.summary.count_event(format);
        self.consumer.event(event);
        if !complete {
            let reason = format!(
                "PowerShell script block missing part(s) {}; kept the parts read",
                missing.unwrap_or_default()
            );
            return self.error(position, ErrorKind::IncompleteScriptBlock, reason);
        }
        Ok(())
    }

    pub fn error(
        &mut self,
        position: Position,
        kind: ErrorKind,
        reason: impl Into<String>,
    ) -> Result<(), Stop> {
        let error = ParseError {
            origin: self.origin(position),
            kind,
            reason: reason.into(),
        };
        self.summary.count_error(kind);
        self.consumer.error(&error);
        if self.strict {
            return Err(Stop(error));
        }
        Ok(())
    }

    pub fn add_bytes(&mut self, bytes: u64) {
        self.summary.bytes += bytes;
    }

    /// Emit what is still pending (incomplete script blocks) and return the counts.
    pub fn finish(mut self) -> (FileSummary, Option<Stop>) {
        let mut stop = None;
        for (format, event, complete) in self.script_blocks.finish() {
            if let Err(s) = self.deliver(format, event, complete) {
                stop.get_or_insert(s);
            }
        }
        (self.summary, stop)
    }
}
