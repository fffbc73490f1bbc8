//! Windows over time-ordered observations, shared by triage (bursts, distinct servers,
//! a source's own baseline) and Sigma correlation rules ([`correlation`]). Times are
//! nanoseconds since the epoch (`whoiswatch_event::Timestamp.0`); the functions take
//! observations sorted by time unless they say they sort.
//!
//! Memory: a window holds at most the observations inside it (a `VecDeque`), and the
//! distinct window a count per value inside it, so memory is bounded by the densest
//! window, not by the input.

mod baseline;
pub mod correlation;
mod window;

pub use baseline::{hourly_spike, Spike};
pub use window::{max_count_in_window, max_distinct_in_window, WindowPeak};
