//! One module per subcommand.

mod corpus;
mod coverage;
mod detect;
mod events;
mod fields;
mod input;
mod query;
mod rules;
mod scan;
mod seed_compare;
mod simulate;
mod validate;

use crate::args::{Cli, Command, RulesCommand};

/// Run a command; the result is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Events(args) => events::run(&args),
        Command::Fields => fields::run(),
        Command::Scan(args) => scan::run(&args),
        Command::Rules(RulesCommand::Check(args)) => rules::check(&args),
        Command::Query(args) => query::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Validate(args) => validate::run(&args),
    }
}
