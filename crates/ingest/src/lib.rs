//! Reading logs: inputs (files, directories, stdin, gzip, zstd, zip and tar archives),
//! format sniffing, and one parser per log format, all producing
//! [`whoiswatch_event::Event`]s.
//!
//! Bad input never stops a run: each malformed record becomes a [`ParseError`] naming the
//! file and line (or EVTX chunk and record) that the caller receives through its
//! [`Consumer`], is counted in the [`FileSummary`], and reading goes on — unless the
//! caller asked for strict mode, where the first error ends the run.

mod coerce;
mod emit;
mod error;
pub mod formats;
mod input;
mod options;
mod run;
mod split;
mod summary;

pub use emit::{Consumer, Emitter, Stop};
pub use error::{ErrorKind, ParseError};
pub use formats::Format;
pub use input::{expand_inputs, Input};
pub use options::{EventFilter, Options};
pub use run::{read_all, read_input, read_reader};
pub use summary::{FileSummary, RunSummary};
