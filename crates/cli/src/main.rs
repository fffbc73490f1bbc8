//! The `whoiswatch` binary: arguments in, engine run, output out, exit code back.

mod allocator;
mod args;
mod commands;
mod pack;
mod progress;
mod summary;

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: allocator::Mimalloc = allocator::Mimalloc;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    match commands::run(args) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("whoiswatch: {error:#}");
            ExitCode::from(2)
        }
    }
}
