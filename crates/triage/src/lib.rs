//! Triage for whoiswatch: what the seed's SOC playbook asks an analyst to do, done for
//! every alert. Alerts get facts (known WHOIS destination, threat intel, lookups of the
//! organisation's own domains and networks, scripted parents, business hours), are
//! suppressed by allowlists (with the entry that matched), are grouped into offenses per
//! source, and each offense gets a 1–10 score with its reasons, a tier with the
//! playbook's escalation reasons, the playbook's steps with the facts filled in, and
//! containment commands. The scale and rules are in docs/triage.md.

pub mod alert;
pub mod allowlist;
pub mod config;
pub mod dns_join;
mod engine;
pub mod follow_on;
pub mod offense;
pub mod playbook;
pub mod policy;
pub mod score;

pub use alert::{Alert, RuleInfo};
pub use config::Context;
pub use dns_join::{join_pending, DnsJoin, PendingConnections};
pub use engine::{format_duration, triage, Options, Report, Triaged};
pub use follow_on::FollowOnCollector;
pub use offense::{Escalation, Offense, Suppression};
pub use playbook::Playbook;
