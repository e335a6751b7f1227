//! An interactive shell in a job's workspace, with the environment a step
//! of the job sees: what `mxschmitt/action-tmate` opens (locally, instead of
//! a network tunnel), and what `gantry run --debug-on-failure` opens when a
//! step fails. The runner only asks for one through [`DebugShell`]; the
//! command line implements it (it owns the terminal and the live progress),
//! and tests record the requests.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Why a shell is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellReason {
    /// A `mxschmitt/action-tmate` step (`detached`: at the end of the job).
    Tmate { detached: bool },
    /// `--debug-on-failure`: the step (its display name) failed.
    StepFailed { step: String },
}

/// A shell to open.
#[derive(Clone, Debug)]
pub struct ShellRequest {
    /// The job's key.
    pub job: String,
    /// The job's display name.
    pub job_name: String,
    /// Where the shell starts: the job's workspace.
    pub workspace: PathBuf,
    /// The environment of the shell: the step's process environment
    /// (`GITHUB_*`, `RUNNER_*`, the `env` contexts, `PATH` led by the
    /// `$GITHUB_PATH` additions). It can hold secrets: never print it.
    pub env: BTreeMap<String, String>,
    pub reason: ShellReason,
}

/// Opens interactive shells. Calls come from any job; an implementation
/// opens one at a time (a terminal has one user) and blocks until the shell
/// exits.
pub trait DebugShell: Send + Sync {
    /// Whether a shell can be opened here (standard input and error are a
    /// terminal).
    fn interactive(&self) -> bool;

    /// Opens the shell and waits for it to exit.
    ///
    /// # Errors
    /// Why no shell could be started.
    fn open(&self, request: &ShellRequest) -> Result<(), String>;
}

/// The notice of a `mxschmitt/action-tmate` step that cannot open a shell.
pub const TMATE_NO_TERMINAL: &str = "mxschmitt/action-tmate: no shell opened: there is no terminal (gantry opens a local shell instead of a tmate tunnel); run `gantry run --debug-on-failure` in a terminal to get a shell in the workspace of a job whose step fails";

/// The warning of `--debug-on-failure` without a terminal.
pub const ON_FAILURE_NO_TERMINAL: &str = "--debug-on-failure: no shell opened: it needs a terminal (standard input and error); run gantry in a terminal to get one";

/// Runs `f`, which blocks (a shell waiting for its user), from inside the
/// runtime: on a multi-threaded runtime the worker hands its other tasks
/// over first.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}
