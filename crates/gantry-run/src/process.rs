//! Runs one step's process: in its own process group, with its output read
//! line by line, a timeout, and cancellation. Stopping follows the runner:
//! SIGINT to the whole group, SIGTERM 7.5 s later, SIGKILL 2.5 s after that.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, watch};

/// Grace before SIGTERM, after SIGINT.
pub const SIGTERM_AFTER: Duration = Duration::from_millis(7500);
/// Grace before SIGKILL, after SIGTERM.
pub const SIGKILL_AFTER: Duration = Duration::from_millis(2500);

/// What to run.
#[derive(Clone, Debug)]
pub struct ProcessSpec {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// The complete environment (nothing is inherited).
    pub env: BTreeMap<String, String>,
    pub timeout: Option<Duration>,
}

/// Which stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How the process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Exited with this code.
    Code(i32),
    /// Killed by a signal it did not handle.
    Signal(i32),
    /// Stopped because the timeout passed.
    TimedOut,
    /// Stopped because the run or job was cancelled.
    Cancelled,
    /// Could not start.
    SpawnFailed(String),
}

impl Exit {
    pub fn success(&self) -> bool {
        matches!(self, Exit::Code(0))
    }
}

fn signal_group(pgid: i32, sig: Signal) {
    // The group may be gone already; that is fine.
    let _ = killpg(Pid::from_raw(pgid), sig);
}

async fn pump<R: AsyncRead + Unpin>(
    reader: R,
    stream: Stream,
    tx: mpsc::UnboundedSender<(Stream, String)>,
) {
    let mut r = BufReader::new(reader);
    let mut buf = Vec::with_capacity(256);
    loop {
        buf.clear();
        match r.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if buf.last() == Some(&b'\n') {
                    buf.pop();
                }
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                let line = String::from_utf8_lossy(&buf).into_owned();
                if tx.send((stream, line)).is_err() {
                    break;
                }
            }
        }
    }
}

/// Runs the process, calling `on_line` for every line of output in the order
/// read. `cancel` turning true stops it.
pub async fn run(
    spec: &ProcessSpec,
    mut cancel: watch::Receiver<bool>,
    mut on_line: impl FnMut(Stream, String),
) -> Exit {
    let mut cmd = tokio::process::Command::new(&spec.program);
    cmd.args(&spec.args)
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(&spec.env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Exit::SpawnFailed(format!("cannot start `{}`: {e}", spec.program)),
    };
    let pgid = child.id().map_or(0, |id| i32::try_from(id).unwrap_or(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, Stream::Stdout, tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, Stream::Stderr, tx.clone()));
    }
    drop(tx);

    let started = Instant::now();
    let deadline = spec.timeout.map(|t| started + t);
    let mut stop_reason: Option<Exit> = None;
    let mut stop_started: Option<Instant> = None;
    let mut sent_term = false;
    let mut status = None;
    let mut output_open = true;
    let mut cancel_open = true;
    if *cancel.borrow() {
        stop_reason = Some(Exit::Cancelled);
    }
    loop {
        if let (Some(_), None) = (&stop_reason, stop_started) {
            signal_group(pgid, Signal::SIGINT);
            stop_started = Some(Instant::now());
        }
        if status.is_some() && !output_open {
            break;
        }
        // The next moment something must happen without outside input.
        let next_tick = match (stop_started, deadline, &stop_reason) {
            (Some(s), _, _) if !sent_term => Some(s + SIGTERM_AFTER),
            (Some(s), _, _) => Some(s + SIGTERM_AFTER + SIGKILL_AFTER),
            (None, Some(d), None) => Some(d),
            _ => None,
        };
        let sleep = async {
            match next_tick {
                Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            line = rx.recv(), if output_open => match line {
                Some((s, l)) => on_line(s, l),
                None => output_open = false,
            },
            st = child.wait(), if status.is_none() => {
                status = Some(st);
                // Stop any process the step left behind in its group.
                signal_group(pgid, Signal::SIGKILL);
            },
                        changed = cancel.changed(), if stop_reason.is_none() && cancel_open => {
                match changed {
                    // No one can cancel any more: stop listening.
                    Err(_) => cancel_open = false,
                    Ok(()) if *cancel.borrow() => stop_reason = Some(Exit::Cancelled),
                    Ok(()) => {}
                }
            },
            () = sleep => {
                match (stop_started, &stop_reason) {
                    (None, None) => stop_reason = Some(Exit::TimedOut),
                    (Some(_), _) if !sent_term => {
                        signal_group(pgid, Signal::SIGTERM);
                        sent_term = true;
                    }
                    _ => {
                        signal_group(pgid, Signal::SIGKILL);
                        // Do not wait for output of grandchildren holding the pipes.
                        if status.is_some() {
                            output_open = false;
                        }
                    }
                }
            },
        }
    }
    if let Some(reason) = stop_reason {
        return reason;
    }
    match status {
        Some(Ok(st)) => {
            use std::os::unix::process::ExitStatusExt;
            match (st.code(), st.signal()) {
                (Some(c), _) => Exit::Code(c),
                (None, Some(s)) => Exit::Signal(s),
                _ => Exit::Code(-1),
            }
        }
        Some(Err(e)) => Exit::SpawnFailed(format!("waiting for `{}` failed: {e}", spec.program)),
        None => Exit::Code(-1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(script: &str, timeout: Option<Duration>) -> ProcessSpec {
        let mut env = BTreeMap::new();
        env.insert("PATH".to_owned(), std::env::var("PATH").unwrap_or_default());
        ProcessSpec {
            program: "bash".into(),
            args: vec!["-c".into(), script.into()],
            cwd: std::env::temp_dir(),
            env,
            timeout,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn collects_lines_and_exit_codes() {
        let (_tx, rx) = watch::channel(false);
        let mut lines = Vec::new();
        let exit = run(
            &spec("echo a; echo b >&2; printf c; exit 3", None),
            rx,
            |s, l| lines.push((s, l)),
        )
        .await;
        assert_eq!(exit, Exit::Code(3));
        lines.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            lines,
            vec![
                (Stream::Stdout, "a".into()),
                (Stream::Stderr, "b".into()),
                (Stream::Stdout, "c".into())
            ]
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn timeout_kills_the_whole_tree() {
        let (_tx, rx) = watch::channel(false);
        let marker = format!("gantry-test-{}", std::process::id());
        // A grandchild sleep that ignores nothing: SIGINT reaches the group.
        let script = format!("bash -c 'exec -a {marker} sleep 30' & wait");
        let t0 = Instant::now();
        let exit = run(
            &spec(&script, Some(Duration::from_millis(300))),
            rx,
            |_, _| {},
        )
        .await;
        assert_eq!(exit, Exit::TimedOut);
        assert!(t0.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let ps = std::process::Command::new("pgrep")
            .arg("-f")
            .arg(&marker)
            .output()
            .unwrap();
        assert!(
            ps.stdout.is_empty(),
            "a grandchild survived: {}",
            String::from_utf8_lossy(&ps.stdout)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancellation_escalates_to_sigterm_and_sigkill() {
        let (tx, rx) = watch::channel(false);
        // Ignores SIGINT, so only SIGTERM (7.5 s later) stops it.
        let script =
            "trap '' INT; trap 'echo got-term; exit 143' TERM; while true; do sleep 0.1; done";
        let handle = tokio::spawn(async move {
            let mut lines = Vec::new();
            let exit = run(&spec(script, None), rx, |_, l| lines.push(l)).await;
            (exit, lines)
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t0 = Instant::now();
        tx.send(true).unwrap();
        let (exit, lines) = handle.await.unwrap();
        assert_eq!(exit, Exit::Cancelled);
        let waited = t0.elapsed();
        assert!(
            waited >= Duration::from_secs(7) && waited < Duration::from_secs(10),
            "{waited:?}"
        );
        assert!(lines.contains(&"got-term".to_owned()));
    }
}
