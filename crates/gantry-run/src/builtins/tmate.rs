//! `mxschmitt/action-tmate` (v1 to v3): on GitHub it opens a tmate session
//! (an SSH tunnel) into the runner so that a person can look around, and
//! the step waits until they leave. Here the runner is this machine, so the
//! built-in opens an interactive shell in the job's workspace, with the
//! environment the step sees, when gantry runs in a terminal; the step ends
//! when the shell exits. Without a terminal the step succeeds at once with a
//! notice saying how to get a shell.
//!
//! Inputs: `detached: true` opens the shell at the end of the job (in the
//! action's post step) instead of blocking this step, as the real action
//! lets the job go on and waits in its post step. The tunnel's inputs
//! (`limit-access-to-actor`, `limit-access-to-users`, `sudo`,
//! `install-dependencies`, `connect-timeout-seconds`, `tmate-server-host`,
//! `tmate-server-port`, `tmate-server-rsa-fingerprint`,
//! `tmate-server-ed25519-fingerprint`, `github-token`) are accepted and
//! have no effect.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::actions::{ActionContext, ActionOutput, NativeAction};
use crate::debug_shell::{self, DebugShell, ShellReason, ShellRequest, TMATE_NO_TERMINAL};

/// The built-in; `shell` is the command line's terminal (none: no
/// terminal, as in tests and other embedders).
#[derive(Default)]
pub struct Tmate {
    pub shell: Option<Arc<dyn DebugShell>>,
}

/// The name the registry knows this built-in by.
pub const NAME: &str = "mxschmitt/action-tmate";

fn detached(cx: &ActionContext<'_>) -> bool {
    cx.inputs
        .get("detached")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl Tmate {
    /// The shell, when one can be opened.
    fn terminal(&self) -> Option<&Arc<dyn DebugShell>> {
        self.shell.as_ref().filter(|s| s.interactive())
    }

    fn open(
        shell: &Arc<dyn DebugShell>,
        cx: &ActionContext<'_>,
        detached: bool,
    ) -> Result<ActionOutput, String> {
        let request = ShellRequest {
            job: cx.job.to_owned(),
            job_name: cx
                .github
                .and_then(|g| g.get("job"))
                .map(gantry_expr::Value::to_display_string)
                .filter(|j| !j.is_empty())
                .unwrap_or_else(|| cx.job.to_owned()),
            workspace: cx.workspace.to_path_buf(),
            env: cx.process_env.clone(),
            reason: ShellReason::Tmate { detached },
        };
        debug_shell::blocking(|| shell.open(&request))
            .map_err(|e| format!("{NAME}: cannot open a shell: {e}"))?;
        Ok(ActionOutput {
            log: vec!["The debug shell exited; the job continues".to_owned()],
            ..ActionOutput::default()
        })
    }
}

impl NativeAction for Tmate {
    fn name(&self) -> &'static str {
        NAME
    }

    fn majors(&self) -> &'static [u32] {
        &[1, 2, 3]
    }

    fn run(&self, cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        let Some(shell) = self.terminal() else {
            return Ok(ActionOutput {
                log: vec![format!("::notice::{TMATE_NO_TERMINAL}")],
                ..ActionOutput::default()
            });
        };
        if detached(cx) {
            return Ok(ActionOutput {
                log: vec![
                    "detached: a shell opens in the job's workspace at the end of the job"
                        .to_owned(),
                ],
                ..ActionOutput::default()
            });
        }
        Tmate::open(shell, cx, false)
    }

    fn has_post(&self) -> bool {
        true
    }

    /// A cancelled job (Ctrl-C) does not stop for a shell.
    fn post_if(&self) -> &'static str {
        "!cancelled()"
    }

    fn post(
        &self,
        cx: &ActionContext<'_>,
        _main_outputs: &BTreeMap<String, String>,
    ) -> Result<ActionOutput, String> {
        match self.terminal() {
            Some(shell) if detached(cx) => Tmate::open(shell, cx, true),
            _ => Ok(ActionOutput::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Mutex;

    use super::*;

    struct Fake {
        interactive: bool,
        seen: Mutex<Vec<ShellRequest>>,
    }

    impl DebugShell for Fake {
        fn interactive(&self) -> bool {
            self.interactive
        }

        fn open(&self, request: &ShellRequest) -> Result<(), String> {
            self.seen
                .lock()
                .map_err(|e| e.to_string())?
                .push(request.clone());
            Ok(())
        }
    }

    fn cx<'a>(
        inputs: &'a BTreeMap<String, String>,
        env: &'a BTreeMap<String, String>,
    ) -> ActionContext<'a> {
        ActionContext {
            workspace: Path::new("/ws"),
            inputs,
            env,
            github: None,
            process_env: env,
            changed_files: None,
            job: "ci:build",
            stores: None,
        }
    }

    #[test]
    fn without_a_terminal_the_step_says_how_to_get_a_shell() {
        let inputs = BTreeMap::new();
        let env = BTreeMap::new();
        for t in [
            Tmate::default(),
            Tmate {
                shell: Some(Arc::new(Fake {
                    interactive: false,
                    seen: Mutex::default(),
                })),
            },
        ] {
            let out = t.run(&cx(&inputs, &env)).expect("runs");
            assert_eq!(out.log.len(), 1);
            assert!(out.log[0].starts_with("::notice::"), "{:?}", out.log);
            assert!(out.log[0].contains("gantry run --debug-on-failure"));
            assert!(t.post(&cx(&inputs, &env), &BTreeMap::new()).is_ok());
        }
    }

    #[test]
    fn in_a_terminal_a_shell_opens_now_or_when_detached_at_the_end() {
        let fake = Arc::new(Fake {
            interactive: true,
            seen: Mutex::default(),
        });
        let t = Tmate {
            shell: Some(fake.clone()),
        };
        let env: BTreeMap<String, String> =
            [("GITHUB_WORKSPACE".to_owned(), "/ws".to_owned())].into();
        let mut inputs: BTreeMap<String, String> =
            [("limit-access-to-actor".to_owned(), "true".to_owned())].into();
        t.run(&cx(&inputs, &env)).expect("runs");
        t.post(&cx(&inputs, &env), &BTreeMap::new()).expect("post");
        inputs.insert("detached".into(), "true".into());
        t.run(&cx(&inputs, &env)).expect("runs");
        t.post(&cx(&inputs, &env), &BTreeMap::new()).expect("post");
        let seen = fake.seen.lock().expect("lock");
        let reasons: Vec<&ShellReason> = seen.iter().map(|r| &r.reason).collect();
        assert_eq!(
            reasons,
            [
                &ShellReason::Tmate { detached: false },
                &ShellReason::Tmate { detached: true }
            ]
        );
        assert_eq!(seen[0].workspace, Path::new("/ws"));
        assert_eq!(seen[0].job, "ci:build");
        assert_eq!(seen[0].env["GITHUB_WORKSPACE"], "/ws");
    }
}
