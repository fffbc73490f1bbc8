//! Sigma correlation rules (event_count, value_count, temporal, temporal_ordered,
//! value_sum, value_avg, value_percentile) over the matches of the rules they refer to,
//! on `whoiswatch_correlate` windows.
//!
//! - [`compile`]: references resolved, group-by and aliases to field slots, chains
//!   ordered.
//! - [`Collector`]: per reader thread, matches to observations (bounded: see
//!   [`MAX_OBSERVATIONS`] and [`MAX_EVIDENCE`]).
//! - [`correlate`]: merged in a fixed order and judged; chained firings feed the
//!   correlations built on them.
//!
//! Semantics where the specification is silent: windows slide, both edges included;
//! lower-bound conditions fire as soon as they hold and the group starts afresh,
//! other conditions are judged on complete windows; events without a group-by field
//! are left out (and counted); `value_percentile` is the share (in %) of the window's
//! matches that carry a value, so `lte: 1` finds the values seen in at most 1 % of them.

mod collect;
mod compile;
mod describe;
mod run;

pub use collect::{Collector, Counts, MAX_EVIDENCE, MAX_OBSERVATIONS};
pub(crate) use compile::compile;
pub use compile::CompiledCorrelation;
pub use run::{correlate, Correlated, CorrelationMatch};
