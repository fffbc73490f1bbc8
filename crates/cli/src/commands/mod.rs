//! One module per subcommand.

mod events;
mod fields;
mod input;

use crate::args::{Cli, Command};

/// Run a command; the result is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Events(args) => events::run(&args),
        Command::Fields => fields::run(),
    }
}
