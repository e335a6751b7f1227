//! Command-line definitions, kept apart from the code that runs commands.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gantry",
    version,
    about = "Check, plan and run GitHub Actions workflows on this machine, as GitHub would",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a `${{ }}` expression as GitHub would
    Eval(EvalArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalMode {
    /// A bare expression (no `${{ }}`)
    Expression,
    /// An `if:` condition: `${{ }}` optional, implicit `success() && …`, a boolean result
    If,
    /// A string with `${{ }}` parts, rendered as a string
    Template,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Success,
    Failure,
    Cancelled,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gantry eval \"format('{0}-{1}', github.ref_name, 42)\" --context examples/eval/contexts.json\n  echo '{\"expr\": \"1 == 1\"}' | gantry eval --batch"
)]
pub struct EvalArgs {
    /// The expression (or template, or condition, per --mode)
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    pub expression: Option<String>,

    /// A JSON file whose top-level keys are the contexts (`github`, `env`, `matrix`, …)
    #[arg(long, value_name = "FILE.json")]
    pub context: Option<PathBuf>,

    /// What `success()`, `failure()` and `cancelled()` see
    #[arg(long, value_enum, default_value = "success")]
    pub status: StatusArg,

    /// The directory `hashFiles()` reads (default: the current directory)
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// How to read the expression
    #[arg(long, value_enum, default_value = "expression")]
    pub mode: EvalMode,

    /// Read JSON lines `{"expr", "contexts", "mode"}` from standard input and
    /// write one JSON result per line
    #[arg(long)]
    pub batch: bool,
}
