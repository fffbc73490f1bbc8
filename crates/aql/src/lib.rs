//! IBM QRadar AQL over whoiswatch events.
//!
//! The layering follows `docs/architecture.md`: [`lexer`] → [`parser`] → [`ast`] →
//! [`plan`] (typed, fields resolved once, functions looked up in one registry) →
//! [`exec`] (a streaming executor that several threads can feed). The library never
//! prints: errors are values ([`QueryError`]) that the caller renders.

pub mod ast;
pub mod compiled;
pub mod datum;
pub mod error;
pub mod exec;
pub mod explain;
pub mod functions;
pub mod lexer;
pub mod like;
pub mod native;
pub mod parser;
pub mod plan;
pub mod prefilter;
pub mod time_clause;

pub use compiled::Env;
pub use datum::{Datum, Owned};
pub use error::{ErrorKind, QueryError, Span};
pub use exec::{run, Executor, RowSink, Stats, Worker};
pub use explain::explain;
pub use parser::parse;
pub use plan::{plan, Plan};
pub use prefilter::Prefilter;

/// Parses and plans `text` in one step.
pub fn compile(
    text: &str,
    reference: &whoiswatch_reference::ReferenceData,
) -> Result<Plan, QueryError> {
    plan(parse(text)?, reference)
}
