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
    /// Check workflow files and actions for every mistake GitHub (or a careful reviewer) would catch
    Check(CheckArgs),
    /// Evaluate a `${{ }}` expression as GitHub would
    Eval(EvalArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Snippets with the span underlined, and a summary
    Human,
    /// `PATH:LINE:COL: error|warning: MESSAGE [RULE]`, one per line
    Short,
    /// A versioned JSON document
    Json,
    /// SARIF 2.1.0 for code scanning
    Sarif,
    /// `::error file=…` annotations, for use inside GitHub Actions
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "With no PATH, checks the repository's .github/workflows/*.y{a,}ml and its local actions.\n\nExamples:\n  gantry check\n  gantry check .github/workflows/ci.yml --format short\n  gantry check 'ci/**/*.yml' --format sarif > gantry.sarif"
)]
pub struct CheckArgs {
    /// Workflow or action files, directories, or glob patterns
    pub paths: Vec<String>,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,

    /// When to use colour (`NO_COLOR` turns it off in auto mode)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Configuration file (default: gantry.toml or .github/gantry.yml at the repository root)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Turn a rule off (repeatable), in addition to the configuration
    #[arg(long = "disable", value_name = "RULE")]
    pub disable: Vec<String>,

    /// List every rule id with what it finds, then exit
    #[arg(long)]
    pub list_rules: bool,
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
