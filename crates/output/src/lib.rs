//! Sinks: events as NDJSON, a JSON array, or a table; triaged alerts and offenses as
//! NDJSON, JSON, CSV, a terminal table or a self-contained HTML report; AQL result rows
//! as a table, CSV, JSON or NDJSON. The engine hands
//! values here and never formats them itself; nothing here decides anything.

mod csv;
mod event_json;
mod html;
mod offense_table;
mod query_rows;
mod report_json;
mod table;

pub use csv::{csv_field, write_alerts_csv, ALERT_COLUMNS};
pub use event_json::{event_to_json, value_to_json};
pub use html::{escape, write_html_report};
pub use offense_table::write_offense_table;
pub use query_rows::{datum_text, RowFormat, RowWriter, MAX_TABLE_ROWS};
pub use report_json::{alert_to_json, guidance_to_json, offense_to_json, report_to_json};
pub use table::Table;
