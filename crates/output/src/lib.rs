//! Sinks: events as NDJSON, a JSON array, or a table. The engine hands values here and
//! never formats them itself.

mod event_json;
mod table;

pub use event_json::{event_to_json, value_to_json};
pub use table::Table;
