//! Reference data shared by triage (allowlists, threat intelligence, the organisation's
//! own domains and networks), the built-in indicator lists and AQL's reference
//! functions: sets of addresses and networks, domains matched with their subdomains,
//! URLs and strings, read from plain lists, CSV, STIX 2.1 and MISP; and QRadar-style
//! named reference sets, maps and tables ([`ReferenceData`]).

mod csv;
mod data;
pub mod domain;
mod feed;
pub mod network;
mod set;

pub use data::ReferenceData;
pub use domain::DomainSet;
pub use feed::{load_into, stix_pattern_values, FeedError, FeedFormat};
pub use network::{is_private, IpSet, Network};
pub use set::{Hit, ReferenceSet};
