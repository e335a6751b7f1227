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
    /// Run the workflows an event triggers on this machine, as GitHub would
    Run(Box<RunArgs>),
    /// Show what GitHub would run for an event: workflows, jobs, matrix cells, and why anything is left out
    Plan(Box<PlanArgs>),
    /// Show a recorded run: its jobs, results and summaries, or one job's log
    Logs(LogsArgs),
    /// List, download and prune the artifacts runs uploaded (kept under the data directory)
    Artifacts(ArtifactsArgs),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A tree of workflows and jobs, with the reasons for anything left out
    Human,
    /// A versioned JSON document
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart
    Mermaid,
    /// Graphviz DOT
    Dot,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The event is built from the git repository of the current directory, the way GitHub would build it.\n\nExamples:\n  gantry plan\n  gantry plan pull_request --base main --explain\n  gantry plan push --changed docs/index.md --format json\n  gantry plan workflow_dispatch --input level=debug\n  gantry plan schedule --schedule '0 0 * * 0'\n  gantry plan issues --eventpath event.json"
)]
pub struct PlanArgs {
    /// Say, for each workflow and job left out, which rule left it out
    #[arg(long)]
    pub explain: bool,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: PlanFormat,

    /// Print the job graph instead, in this format
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub graph: Option<GraphFormat>,

    /// A configuration variable, `vars.KEY`, for conditions and names
    /// (repeatable; without any, `vars` is decided at run time)
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,

    /// Variables from a dotenv file
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Option<PathBuf>,

    /// When to use colour (`NO_COLOR` turns it off in auto mode)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    #[command(flatten)]
    pub ev: EventArgs,
}

/// How the event is built, and which workflows and runners take part:
/// shared by `gantry plan` and `gantry run`.
#[derive(Debug, clap::Args)]
pub struct EventArgs {
    /// The event: push, pull_request, pull_request_target, workflow_dispatch, schedule, release, merge_group, workflow_run, repository_dispatch, or any other
    #[arg(default_value = "push")]
    pub event: String,

    /// A `workflow_dispatch` / `workflow_call` input (repeatable)
    #[arg(long = "input", value_name = "KEY=VALUE")]
    pub inputs: Vec<String>,

    /// For `schedule`: the cron expression that fired (default: every schedule)
    #[arg(long, value_name = "CRON")]
    pub schedule: Option<String>,

    /// A JSON payload merged over the one built from git (it wins)
    #[arg(long, value_name = "FILE.json")]
    pub eventpath: Option<PathBuf>,

    /// For push: the commit the branch pointed at before the push (default: its upstream)
    #[arg(long, value_name = "REV")]
    pub before: Option<String>,

    /// For push: the commit pushed; for pull requests: the head commit (default: HEAD)
    #[arg(long, value_name = "REV")]
    pub after: Option<String>,

    /// For pull requests and merge groups: the base branch (default: the default branch)
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,

    /// The activity type (e.g. opened, synchronize, published)
    #[arg(long, value_name = "TYPE")]
    pub action: Option<String>,

    /// The login of the user who triggered the event (default: gantry)
    #[arg(long, value_name = "LOGIN")]
    pub actor: Option<String>,

    /// The repository (default: from the `origin` remote's URL)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repository: Option<String>,

    /// The changed files, instead of those git reports (give the EVENT before this flag)
    #[arg(long, value_name = "PATH", num_args = 0..)]
    pub changed: Option<Vec<String>>,

    /// Workflow files or directories (default: .github/workflows/*.y{a,}ml)
    #[arg(short = 'W', long = "workflows", value_name = "PATH")]
    pub workflows: Vec<PathBuf>,

    /// Run jobs whose `runs-on` has LABEL on this machine (repeatable), e.g. macos-latest=host
    #[arg(long = "platform", value_name = "LABEL=host")]
    pub platforms: Vec<String>,

    /// The ref: for push the pushed branch or tag, for pull requests the head branch (default: the current branch)
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,

    /// For pull requests and merge groups: the pull request number
    #[arg(long, value_name = "N")]
    pub number: Option<u64>,

    /// For release: the tag (default: the latest tag)
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,

    /// For workflow_run: the name of the workflow that ran
    #[arg(long, value_name = "NAME")]
    pub workflow: Option<String>,

    /// The default branch (default: origin/HEAD, else main or master)
    #[arg(long, value_name = "BRANCH")]
    pub default_branch: Option<String>,

    /// The GitHub server (default: https://github.com)
    #[arg(long, value_name = "URL")]
    pub github_server_url: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Runs are recorded by `gantry run` under the repository's .gantry/runs/.\n\nExamples:\n  gantry logs\n  gantry logs 12\n  gantry logs 12 'test (ubuntu'\n  gantry logs build"
)]
pub struct LogsArgs {
    /// The run's number (default: the latest run); a name that is not a number is taken as JOB of the latest run
    pub run: Option<String>,

    /// A job's name or key, or a part of one that names a single job: print its log
    pub job: Option<String>,

    /// The state directory (default: the repository's .gantry)
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// When to use colour (`NO_COLOR` turns it off in auto mode)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// Live progress on a terminal, line-prefixed output elsewhere
    Human,
    /// One JSON object per event per line
    Json,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "The event is built from the git repository of the current directory, as for `gantry plan`. Runs are recorded under .gantry/runs/ (see `gantry logs`).\n\nExamples:\n  gantry run\n  gantry run pull_request --base main\n  gantry run -j test --matrix python=3.12\n  gantry run workflow_dispatch --input level=debug --secret-file .secrets\n  gantry run --dry-run"
)]
pub struct RunArgs {
    #[command(flatten)]
    pub ev: EventArgs,

    /// Run only this job (repeatable), with the jobs it needs
    #[arg(short = 'j', long = "job", value_name = "ID")]
    pub jobs: Vec<String>,

    /// Run only matrix cells with KEY=VALUE (repeatable; several values for one key select any of them)
    #[arg(long = "matrix", value_name = "KEY=VALUE")]
    pub matrix: Vec<String>,

    /// How many jobs run at once (default: the number of CPUs)
    #[arg(long = "parallel", value_name = "N")]
    pub parallel: Option<usize>,

    /// A secret (repeatable)
    #[arg(long = "secret", value_name = "KEY=VALUE")]
    pub secrets: Vec<String>,

    /// Secrets from a dotenv file
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_file: Option<PathBuf>,

    /// A configuration variable, `vars.KEY` (repeatable)
    #[arg(long = "var", value_name = "KEY=VALUE")]
    pub vars: Vec<String>,

    /// Variables from a dotenv file
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_file: Option<PathBuf>,

    /// A workflow-level environment variable (repeatable)
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// Workflow-level environment variables from a dotenv file
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Option<PathBuf>,

    /// A secret of a deployment environment (repeatable), over .gantry/environments.toml
    #[arg(long = "env-secret", value_name = "ENV:KEY=VALUE")]
    pub env_secrets: Vec<String>,

    /// A variable of a deployment environment (repeatable), over .gantry/environments.toml
    #[arg(long = "env-var", value_name = "ENV:KEY=VALUE")]
    pub env_vars: Vec<String>,

    /// Approve deployments to this environment in advance (repeatable; `*`: every one)
    #[arg(long = "approve", value_name = "ENV")]
    pub approve: Vec<String>,

    /// Treat a pull request as coming from a fork: no secrets are given
    #[arg(long)]
    pub fork: bool,

    /// Print what would run, with the resolved commands, without running it
    #[arg(long)]
    pub dry_run: bool,

    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: RunFormat,

    /// Plain line-prefixed output even on a terminal
    #[arg(long)]
    pub no_progress: bool,

    /// Where runs are recorded (default: .gantry in the repository)
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,

    /// Show debug messages, resolved commands and job outputs
    #[arg(short, long)]
    pub verbose: bool,

    /// Keep each job's workspace after the run
    #[arg(long)]
    pub keep_workspaces: bool,

    /// When a step fails, open a shell in its job's workspace with its environment (needs a terminal)
    #[arg(long)]
    pub debug_on_failure: bool,

    /// Skip jobs with `container:` or `services:` (they need a Docker engine) instead of failing them
    #[arg(long)]
    pub skip_container_jobs: bool,

    /// When to use colour (`NO_COLOR` turns it off in auto mode)
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,

    /// Use only actions already in the cache: never download one
    #[arg(long)]
    pub offline: bool,

    /// Replace an action with a local folder (repeatable; without @REF, every ref). Named so because `--action` is the event's activity type
    #[arg(long = "local-action", value_name = "OWNER/REPO@REF=DIR")]
    pub actions: Vec<String>,

    /// Run the real action instead of gantry's built-in: all of them, or one with --no-builtin=OWNER/REPO (repeatable)
    #[arg(long = "no-builtin", value_name = "ACTION", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub no_builtin: Vec<String>,
}

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Artifacts live under the data directory ($GANTRY_DATA_DIR, else $XDG_DATA_HOME/gantry, else ~/.local/share/gantry), per repository.\n\nExamples:\n  gantry artifacts list\n  gantry artifacts list --run 12\n  gantry artifacts download coverage --dir out\n  gantry artifacts prune"
)]
pub struct ArtifactsArgs {
    #[command(subcommand)]
    pub action: ArtifactsAction,

    /// The repository, OWNER/NAME (default: from the `origin` remote, as `gantry run` does)
    #[arg(long, global = true, value_name = "OWNER/NAME")]
    pub repository: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ArtifactsAction {
    /// List the artifacts of every run, or of one
    List {
        /// Only this run's artifacts
        #[arg(long, value_name = "N")]
        run: Option<u64>,
    },
    /// Download an artifact (of the latest run that has one by that name, or of --run)
    Download {
        /// The artifact's name
        name: String,
        /// The run that uploaded it
        #[arg(long, value_name = "N")]
        run: Option<u64>,
        /// Where to extract it (default: the current directory)
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Delete expired artifacts and their files
    Prune,
}
