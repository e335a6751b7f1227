//! The terminal's debug shell (`mxschmitt/action-tmate`,
//! `--debug-on-failure`): an interactive shell in a job's workspace with the
//! step's environment. One at a time across the run's jobs; the live
//! progress is hidden while it runs, and Ctrl-C belongs to the shell.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gantry_report::ProgressReporter;
use gantry_run::debug_shell::{DebugShell, ShellReason, ShellRequest};

/// Host variables an interactive shell needs that a step's environment may
/// lack.
const TERMINAL_VARS: &[&str] = &["TERM", "COLORTERM", "HOME", "USER", "LANG", "LC_ALL"];

pub(super) struct TerminalShell {
    interactive: bool,
    colour: bool,
    /// Hidden while a shell runs.
    progress: Option<Arc<ProgressReporter>>,
    /// One shell at a time.
    one: Mutex<()>,
    /// Set while a shell runs: Ctrl-C is the shell's, not the run's.
    busy: Arc<AtomicBool>,
}

impl TerminalShell {
    pub(super) fn new(progress: Option<Arc<ProgressReporter>>, colour: bool) -> TerminalShell {
        TerminalShell {
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            colour,
            progress,
            one: Mutex::new(()),
            busy: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Set while a shell owns the terminal.
    pub(super) fn busy(&self) -> Arc<AtomicBool> {
        self.busy.clone()
    }

    fn say(&self, level: &str, text: &str) {
        let label = if self.colour {
            let c = if level == "hint" {
                "\x1b[1;36m"
            } else {
                "\x1b[1;34m"
            };
            format!("{c}{level}\x1b[0m")
        } else {
            level.to_owned()
        };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{label}: {text}");
        let _ = err.flush();
    }

    fn run_shell(&self, request: &ShellRequest) -> Result<(), String> {
        let program = shell_program(&request.env);
        let why = match &request.reason {
            ShellReason::StepFailed { step } => format!("the step `{step}` failed"),
            ShellReason::Tmate { detached: false } => {
                "mxschmitt/action-tmate (a local shell instead of a tmate session)".to_owned()
            }
            ShellReason::Tmate { detached: true } => {
                "mxschmitt/action-tmate, detached (a local shell at the end of the job)".to_owned()
            }
        };
        eprintln!();
        self.say(
            "notice",
            &format!(
                "job `{}`: {why}; opening {} in its workspace {} with the step's environment",
                request.job_name,
                program.display(),
                request.workspace.display()
            ),
        );
        self.say(
            "hint",
            "exit the shell (`exit` or Ctrl-D) to continue the job",
        );
        let mut cmd = Command::new(&program);
        cmd.current_dir(&request.workspace)
            .env_clear()
            .envs(&request.env)
            .env("GANTRY_DEBUG_SHELL", &request.job)
            .stdin(Stdio::inherit())
            .stderr(Stdio::inherit());
        for k in TERMINAL_VARS {
            if !request.env.contains_key(*k)
                && let Some(v) = std::env::var_os(k)
            {
                cmd.env(k, v);
            }
        }
        // The shell talks to the terminal even when the run's output goes
        // to a file.
        if !std::io::stdout().is_terminal()
            && let Ok(fd) = std::os::fd::AsFd::as_fd(&std::io::stderr()).try_clone_to_owned()
        {
            cmd.stdout(Stdio::from(fd));
        }
        let status = cmd
            .status()
            .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
        let how = match status.code() {
            Some(0) => String::new(),
            Some(c) => format!(" (exit status {c})"),
            None => " (killed by a signal)".to_owned(),
        };
        self.say(
            "notice",
            &format!(
                "job `{}`: the shell exited{how}; the job continues",
                request.job_name
            ),
        );
        Ok(())
    }
}

impl DebugShell for TerminalShell {
    fn interactive(&self) -> bool {
        self.interactive
    }

    fn open(&self, request: &ShellRequest) -> Result<(), String> {
        let _one = self.one.lock().unwrap_or_else(|p| p.into_inner());
        self.busy.store(true, Ordering::SeqCst);
        let result = match &self.progress {
            Some(p) => p.suspend(|| self.run_shell(request)),
            None => self.run_shell(request),
        };
        self.busy.store(false, Ordering::SeqCst);
        result
    }
}

/// `$SHELL`, else `bash`, else `sh` (looked up on the step's `PATH`, then
/// in `/bin`).
fn shell_program(env: &std::collections::BTreeMap<String, String>) -> PathBuf {
    if let Some(s) = std::env::var_os("SHELL").map(PathBuf::from)
        && s.is_absolute()
        && s.is_file()
    {
        return s;
    }
    let path = env.get("PATH").cloned().unwrap_or_default();
    for name in ["bash", "sh"] {
        if let Some(found) = std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
        {
            return found;
        }
        let fallback = Path::new("/bin").join(name);
        if fallback.is_file() {
            return fallback;
        }
    }
    PathBuf::from("sh")
}
