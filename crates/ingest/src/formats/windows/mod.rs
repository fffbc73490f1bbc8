//! Windows events in every rendering: EVTX, Event XML, and (through the JSON dialects)
//! evtx_dump, NXLog and Winlogbeat. Sysmon for Linux writes the same XML.

mod binxml;
pub(crate) mod evtx;
mod evtx_file;
mod evtx_records;
mod normalize;
mod record;
pub(crate) mod script_block;
pub(crate) mod xml_events;

pub(crate) use normalize::normalize;
pub(crate) use record::{parse_event_xml, WinRecord};
