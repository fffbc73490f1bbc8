//! The normalized event model of whoiswatch.
//!
//! Every log format is parsed into one [`Event`]: a set of typed canonical fields
//! (identified by [`FieldId`]), a compact list of extra fields for everything else, the
//! time it happened, the log source it came from and where in which file it was read.
//!
//! Field names that users and rules write (`destinationport`, `DestinationPort`,
//! `destination.port`, `dpt`, `id.resp_p` …) resolve to one [`FieldId`] through the
//! [`registry`] once, when a rule or query compiles; events are never searched by string
//! path.
//!
//! This crate does no I/O.

pub mod digits;
mod event;
mod field;
pub mod java_time;
mod log_source;
pub mod registry;
pub mod time;
mod value;

pub use event::{Event, Origin, Position};
pub use field::{FieldId, FieldInfo, FieldType, FIELDS};
pub use log_source::{Category, LogSourceType};
pub use registry::{resolve, FieldName};
pub use time::Timestamp;
pub use value::Value;
