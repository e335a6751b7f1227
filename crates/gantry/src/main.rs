//! The `gantry` binary: parses the command line and hands over to a command.

mod cli;
mod commands;
mod exit;
mod style;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::Exit::Usage
            } else {
                exit::Exit::Success
            };
            let _ = e.print();
            return code.into();
        }
    };
    let result = match cli.command {
        cli::Command::Check(args) => commands::check::run(&args),
        cli::Command::Eval(args) => commands::eval::run(&args),
        cli::Command::Run(args) => commands::run::run(&args),
        cli::Command::Plan(args) => commands::plan::run(&args),
        cli::Command::Logs(args) => commands::logs::run(&args),
        cli::Command::Artifacts(args) => commands::artifacts::run(&args),
    };
    match result {
        Ok(code) => code.into(),
        Err(e) => {
            style::emit(style::Level::Error, &format!("{e:#}"));
            exit::Exit::Usage.into()
        }
    }
}
