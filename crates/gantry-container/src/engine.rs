//! The engine: a Docker-compatible API (Docker, Podman) reached through
//! bollard. Images are pulled only when missing, built from a folder's
//! tar; containers are created from a [`ContainerSpec`]; commands run by
//! exec with their output streamed line by line; stopping escalates from
//! SIGINT to SIGKILL as the runner does for processes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::auth::DockerCredentials;
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{HealthStatusEnum, NetworkCreateRequest};
use bollard::query_parameters::{
    AttachContainerOptions, BuildImageOptions, CreateContainerOptions, CreateImageOptions,
    KillContainerOptions, LogsOptions, RemoveContainerOptions, WaitContainerOptions,
};
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;

use crate::spec::{ContainerSpec, create_body};

/// The label of images built from actions' Dockerfiles.
const BUILD_LABEL: &str = "dev.gantry.action-build";

/// How long a call that is not a stream may take.
pub const CALL_LIMIT: Duration = Duration::from_secs(120);

/// Grace before SIGTERM, after SIGINT (as for processes).
pub const SIGTERM_AFTER: Duration = Duration::from_millis(7500);
/// Grace before SIGKILL, after SIGTERM.
pub const SIGKILL_AFTER: Duration = Duration::from_millis(2500);

/// An engine call that failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot reach the container engine at {at}: {message}")]
    Connect { at: String, message: String },
    #[error("{what}: {message}")]
    Api { what: String, message: String },
}

fn api(what: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> EngineError {
    let what = what.into();
    move |e| EngineError::Api {
        what,
        message: engine_message(&e),
    }
}

/// The engine's own words where it gave some.
fn engine_message(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Which stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Stdout,
    Stderr,
}

/// How a command or container ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    Code(i64),
    TimedOut,
    Cancelled,
    /// The engine failed (could not start, lost the stream).
    Failed(String),
}

/// Registry credentials (`credentials:` of a container).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"***")
            .finish()
    }
}

/// A command to run in a running container.
#[derive(Clone, Debug, Default)]
pub struct ExecSpec {
    pub cmd: Vec<String>,
    pub env: Vec<(String, String)>,
    pub workdir: Option<String>,
    pub user: Option<String>,
}

/// A container's state, for health waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerState {
    pub running: bool,
    /// `healthy`, `unhealthy`, `starting`, or `None` without a health check.
    pub health: Option<String>,
    pub exit_code: Option<i64>,
}

/// A connected engine.
#[derive(Clone, Debug)]
pub struct Engine {
    /// For streams that last as long as what they follow (pulls, builds,
    /// a command's output): no time limit.
    docker: Docker,
    /// For the other calls: a hung engine fails them after [`CALL_LIMIT`].
    quick: Docker,
    /// Where it was reached (`unix:///var/run/docker.sock`).
    pub endpoint: String,
    /// The engine's version, as it reports it.
    pub version: String,
}

impl Engine {
    /// Connects to `host` (`unix://…`, `tcp://…`, `http://…`) and agrees
    /// on an API version.
    pub async fn connect(host: &str) -> Result<Engine, EngineError> {
        let fail = |message: String| EngineError::Connect {
            at: host.to_owned(),
            message,
        };
        let docker = if host.starts_with("unix://") || host.starts_with('/') {
            let path = host.trim_start_matches("unix://");
            Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
        } else {
            let addr = host.replacen("tcp://", "http://", 1);
            Docker::connect_with_http(&addr, 120, bollard::API_DEFAULT_VERSION)
        }
        .map_err(|e| fail(e.to_string()))?;
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| fail(engine_message(&e)))?;
        let quick = docker.clone().with_timeout(CALL_LIMIT);
        // Long-running streams (exec output, waits) have no overall limit.
        let docker = docker.with_timeout(Duration::from_secs(u64::from(u32::MAX)));
        let version = docker
            .version()
            .await
            .map_err(|e| fail(engine_message(&e)))?
            .version
            .unwrap_or_default();
        Ok(Engine {
            docker,
            quick,
            endpoint: host.to_owned(),
            version,
        })
    }

    /// Whether the image is present.
    pub async fn has_image(&self, image: &str) -> bool {
        self.quick.inspect_image(image).await.is_ok()
    }

    /// Makes `image` present: pulled (with `credentials`) when missing.
    /// Progress goes to `on_line`.
    pub async fn ensure_image(
        &self,
        image: &str,
        credentials: Option<&Credentials>,
        on_line: &mut (dyn FnMut(String) + Send),
    ) -> Result<(), EngineError> {
        if self.has_image(image).await {
            return Ok(());
        }
        on_line(format!("Pulling {image}"));
        let (from_image, tag) = split_tag(image);
        let options = CreateImageOptions {
            from_image: Some(from_image.to_owned()),
            tag: Some(tag.to_owned()),
            ..Default::default()
        };
        let creds = credentials.map(|c| DockerCredentials {
            username: Some(c.username.clone()),
            password: Some(c.password.clone()),
            serveraddress: registry_of(image).map(str::to_owned),
            ..Default::default()
        });
        let mut stream = self.docker.create_image(Some(options), None, creds);
        let mut last = String::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(api(format!("cannot pull `{image}`")))?;
            if let Some(e) = info.error_detail.and_then(|d| d.message) {
                return Err(EngineError::Api {
                    what: format!("cannot pull `{image}`"),
                    message: e,
                });
            }
            // Per-layer progress is noise in a log: statuses only, once.
            if let Some(s) = info.status
                && info.progress_detail.is_none_or(|p| p.total.is_none())
                && s != last
            {
                last.clone_from(&s);
                on_line(s);
            }
        }
        Ok(())
    }

    /// Builds `tag` from a tar of the build context, with `dockerfile` its
    /// path inside the context. The build's output goes to `on_line`.
    pub async fn build_image(
        &self,
        context_tar: Vec<u8>,
        dockerfile: &str,
        tag: &str,
        on_line: &mut (dyn FnMut(String) + Send),
    ) -> Result<(), EngineError> {
        let options = BuildImageOptions {
            dockerfile: dockerfile.to_owned(),
            t: Some(tag.to_owned()),
            rm: true,
            forcerm: true,
            labels: Some(std::collections::HashMap::from([(
                BUILD_LABEL.to_owned(),
                "1".to_owned(),
            )])),
            ..Default::default()
        };
        let mut stream =
            self.docker
                .build_image(options, None, Some(bollard::body_full(context_tar.into())));
        let mut pending = String::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(api(format!("cannot build `{tag}`")))?;
            if let Some(e) = info.error_detail.and_then(|d| d.message) {
                return Err(EngineError::Api {
                    what: format!("cannot build `{tag}`"),
                    message: e,
                });
            }
            if let Some(s) = info.stream {
                pending.push_str(&s);
                while let Some(i) = pending.find('\n') {
                    let line: String = pending.drain(..=i).collect();
                    on_line(line.trim_end().to_owned());
                }
            }
        }
        if !pending.trim().is_empty() {
            on_line(pending.trim_end().to_owned());
        }
        // The build took the tag from an earlier build of the same
        // Dockerfile, which is left without a name: remove those.
        let filters = std::collections::HashMap::from([
            ("dangling".to_owned(), vec!["true".to_owned()]),
            ("label".to_owned(), vec![BUILD_LABEL.to_owned()]),
        ]);
        let _ = self
            .quick
            .prune_images(Some(bollard::query_parameters::PruneImagesOptions {
                filters: Some(filters),
            }))
            .await;
        Ok(())
    }

    /// Creates a bridge network with these labels.
    pub async fn create_network(
        &self,
        name: &str,
        labels: &[(String, String)],
    ) -> Result<(), EngineError> {
        let req = NetworkCreateRequest {
            name: name.to_owned(),
            driver: Some("bridge".to_owned()),
            labels: Some(labels.iter().cloned().collect()),
            ..Default::default()
        };
        self.quick
            .create_network(req)
            .await
            .map_err(api(format!("cannot create the network `{name}`")))?;
        Ok(())
    }

    pub async fn remove_network(&self, name: &str) -> Result<(), EngineError> {
        self.quick
            .remove_network(name)
            .await
            .map_err(api(format!("cannot remove the network `{name}`")))
    }

    /// The IPv4 gateway of a network: this host's address on it, which
    /// its containers reach.
    pub async fn network_gateway(&self, name: &str) -> Result<Option<String>, EngineError> {
        let n = self
            .quick
            .inspect_network(
                name,
                None::<bollard::query_parameters::InspectNetworkOptions>,
            )
            .await
            .map_err(api(format!("cannot inspect the network `{name}`")))?;
        Ok(n.ipam
            .and_then(|i| i.config)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| c.gateway)
            .find(|g| g.parse::<std::net::Ipv4Addr>().is_ok()))
    }

    /// Creates the container; returns its id.
    pub async fn create(&self, spec: &ContainerSpec) -> Result<String, EngineError> {
        let options = CreateContainerOptions {
            name: Some(spec.name.clone()),
            ..Default::default()
        };
        let r = self
            .quick
            .create_container(Some(options), create_body(spec))
            .await
            .map_err(api(format!(
                "cannot create a container of `{}`",
                spec.image
            )))?;
        Ok(r.id)
    }

    pub async fn start(&self, id: &str) -> Result<(), EngineError> {
        self.quick
            .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
            .await
            .map_err(api(format!("cannot start the container {}", short(id))))
    }

    /// Removes the container (running or not) and its anonymous volumes.
    pub async fn remove(&self, id: &str) -> Result<(), EngineError> {
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        self.quick
            .remove_container(id, Some(options))
            .await
            .map_err(api(format!("cannot remove the container {}", short(id))))
    }

    pub async fn kill(&self, id: &str, signal: &str) {
        let options = KillContainerOptions {
            signal: signal.to_owned(),
        };
        let _ = self.quick.kill_container(id, Some(options)).await;
    }

    pub async fn state(&self, id: &str) -> Result<ContainerState, EngineError> {
        let r = self
            .quick
            .inspect_container(
                id,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .map_err(api(format!("cannot inspect the container {}", short(id))))?;
        let state = r.state.unwrap_or_default();
        Ok(ContainerState {
            running: state.running.unwrap_or(false),
            health: state
                .health
                .and_then(|h| h.status)
                .filter(|s| *s != HealthStatusEnum::NONE && *s != HealthStatusEnum::EMPTY)
                .map(|s| s.to_string()),
            exit_code: state.exit_code,
        })
    }

    /// The host ports the engine bound: `"80/tcp"` → `"32768"` (the first
    /// binding of each).
    pub async fn host_ports(&self, id: &str) -> Result<BTreeMap<String, String>, EngineError> {
        let r = self
            .quick
            .inspect_container(
                id,
                None::<bollard::query_parameters::InspectContainerOptions>,
            )
            .await
            .map_err(api(format!("cannot inspect the container {}", short(id))))?;
        let mut out = BTreeMap::new();
        if let Some(ports) = r.network_settings.and_then(|n| n.ports) {
            for (key, bindings) in ports {
                if let Some(port) = bindings
                    .unwrap_or_default()
                    .into_iter()
                    .find_map(|b| b.host_port.filter(|p| !p.is_empty()))
                {
                    out.insert(key, port);
                }
            }
        }
        Ok(out)
    }

    /// The container's output so far.
    pub async fn logs(&self, id: &str) -> Vec<(Output, String)> {
        let options = LogsOptions {
            stdout: true,
            stderr: true,
            tail: "all".to_owned(),
            ..Default::default()
        };
        let mut lines = Lines {
            collect: true,
            ..Lines::default()
        };
        let mut stream = self.docker.logs(id, Some(options));
        while let Some(Ok(chunk)) = stream.next().await {
            lines.push(chunk, &mut |_, _| {});
        }
        lines.finish(&mut |_, _| {});
        lines.collected
    }

    /// Runs a command in the running container `id`, calling `on_line` for
    /// each line of its output; a timeout or `cancel` stops it (signals
    /// reach the command through its process on this host when the engine
    /// runs here).
    pub async fn exec(
        &self,
        id: &str,
        spec: &ExecSpec,
        timeout: Option<Duration>,
        cancel: watch::Receiver<bool>,
        on_line: &mut (dyn FnMut(Output, String) + Send),
    ) -> Ended {
        let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let options = CreateExecOptions {
            cmd: Some(spec.cmd.clone()),
            env: Some(env),
            working_dir: spec.workdir.clone(),
            user: spec.user.clone(),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = match self.quick.create_exec(id, options).await {
            Ok(e) => e.id,
            Err(e) => {
                return Ended::Failed(format!(
                    "cannot run in the container: {}",
                    engine_message(&e)
                ));
            }
        };
        let started = self
            .docker
            .start_exec(
                &exec,
                Some(StartExecOptions {
                    detach: false,
                    tty: false,
                    output_capacity: None,
                }),
            )
            .await;
        let output = match started {
            Ok(StartExecResults::Attached { output, .. }) => output,
            Ok(StartExecResults::Detached) => {
                return Ended::Failed("the engine detached the command".to_owned());
            }
            Err(e) => {
                return Ended::Failed(format!(
                    "cannot run in the container: {}",
                    engine_message(&e)
                ));
            }
        };
        let stopper = {
            let docker = self.quick.clone();
            let exec = exec.clone();
            let endpoint = self.endpoint.clone();
            let container = id.to_owned();
            move |signal: i32| {
                let docker = docker.clone();
                let exec = exec.clone();
                let endpoint = endpoint.clone();
                let container = container.clone();
                async move {
                    if let Ok(i) = docker.inspect_exec(&exec).await
                        && let Some(pid) = i.pid.filter(|p| *p > 0)
                    {
                        signal_exec(&endpoint, &container, pid, signal).await;
                    }
                }
            }
        };
        match pump(output, timeout, cancel, on_line, stopper).await {
            // The stream ended by itself: the engine knows the code.
            Ended::Code(_) => match self.quick.inspect_exec(&exec).await {
                Ok(i) => Ended::Code(i.exit_code.unwrap_or(-1)),
                Err(e) => Ended::Failed(engine_message(&e)),
            },
            other => other,
        }
    }

    /// Starts the created container `id` attached, streams its output to
    /// `on_line` and waits for it to exit (a Docker action's container).
    pub async fn run_attached(
        &self,
        id: &str,
        timeout: Option<Duration>,
        cancel: watch::Receiver<bool>,
        on_line: &mut (dyn FnMut(Output, String) + Send),
    ) -> Ended {
        // Attached before it starts, so the stream has all of its output
        // (asking for the logs as well could repeat lines).
        let options = AttachContainerOptions {
            stream: true,
            stdout: true,
            stderr: true,
            logs: false,
            ..Default::default()
        };
        let attached = match self.docker.attach_container(id, Some(options)).await {
            Ok(a) => a,
            Err(e) => return Ended::Failed(format!("cannot attach: {}", engine_message(&e))),
        };
        if let Err(e) = self.start(id).await {
            return Ended::Failed(e.to_string());
        }
        let stopper = {
            let engine = self.clone();
            let id = id.to_owned();
            move |signal: i32| {
                let engine = engine.clone();
                let id = id.clone();
                async move {
                    let name = match signal {
                        2 => "SIGINT",
                        15 => "SIGTERM",
                        _ => "SIGKILL",
                    };
                    engine.kill(&id, name).await;
                }
            }
        };
        let ended = pump(attached.output, timeout, cancel, on_line, stopper).await;
        if ended != Ended::Code(0) {
            return ended;
        }
        let mut wait = self.docker.wait_container(id, None::<WaitContainerOptions>);
        match wait.next().await {
            Some(Ok(r)) => Ended::Code(r.status_code),
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => {
                Ended::Code(code)
            }
            Some(Err(e)) => Ended::Failed(engine_message(&e)),
            None => Ended::Failed("the engine did not say how the container ended".to_owned()),
        }
    }

    /// Removes the containers, then the networks, labelled `owner` whose
    /// value `stale` says is stale (say, the pid of a gantry process that
    /// is gone). Returns how many of each were removed.
    pub async fn remove_stale(
        &self,
        owner: &str,
        stale: &(dyn Fn(&str) -> bool + Sync),
    ) -> (usize, usize) {
        let filters =
            std::collections::HashMap::from([("label".to_owned(), vec![owner.to_owned()])]);
        let mut containers = 0;
        let listed = self
            .quick
            .list_containers(Some(bollard::query_parameters::ListContainersOptions {
                all: true,
                filters: Some(filters.clone()),
                ..Default::default()
            }))
            .await
            .unwrap_or_default();
        for c in listed {
            let owned_by = c.labels.as_ref().and_then(|l| l.get(owner));
            if let (Some(id), Some(v)) = (c.id.as_deref(), owned_by)
                && stale(v)
                && self.remove(id).await.is_ok()
            {
                containers += 1;
            }
        }
        let mut networks = 0;
        let listed = self
            .quick
            .list_networks(Some(bollard::query_parameters::ListNetworksOptions {
                filters: Some(filters),
            }))
            .await
            .unwrap_or_default();
        for n in listed {
            let owned_by = n.labels.as_ref().and_then(|l| l.get(owner));
            if let (Some(name), Some(v)) = (n.name.as_deref(), owned_by)
                && stale(v)
                && self.remove_network(name).await.is_ok()
            {
                networks += 1;
            }
        }
        (containers, networks)
    }

    /// Waits until the container is healthy (see [`health_verdict`]);
    /// `unhealthy`, an exit, `limit` passing or `cancel` fail it.
    pub async fn wait_healthy(
        &self,
        id: &str,
        limit: Duration,
        mut cancel: watch::Receiver<bool>,
    ) -> Result<(), String> {
        let t0 = Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            if *cancel.borrow() {
                return Err("the job was cancelled while it waited".to_owned());
            }
            let state = self.state(id).await.map_err(|e| e.to_string())?;
            match health_verdict(&state) {
                Verdict::Ready => return Ok(()),
                Verdict::Failed(why) => return Err(why),
                Verdict::Wait => {}
            }
            if t0.elapsed() > limit {
                return Err(format!(
                    "not healthy after {} s (status `{}`)",
                    limit.as_secs(),
                    state.health.as_deref().unwrap_or("none")
                ));
            }
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                changed = cancel.changed() => {
                    if changed.is_err() {
                        // No one can cancel any more: wait out the delay.
                        tokio::time::sleep(delay).await;
                    }
                }
            }
            delay = (delay * 2).min(Duration::from_secs(2));
        }
    }
}

/// What a container's state says about waiting for it.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Ready,
    Wait,
    Failed(String),
}

/// Without a health check: ready once started (as the runner, which
/// waits only for services that have one). Healthy: ready. Unhealthy, or
/// exited while its health check was starting: failed. Starting: wait.
pub fn health_verdict(state: &ContainerState) -> Verdict {
    match state.health.as_deref() {
        None | Some("healthy") => Verdict::Ready,
        Some("unhealthy") => Verdict::Failed("its health check failed (unhealthy)".to_owned()),
        _ if !state.running => Verdict::Failed(format!(
            "it exited with code {}",
            state.exit_code.unwrap_or(-1)
        )),
        Some(_) => Verdict::Wait,
    }
}

/// Signals the process group of an exec'd command. The engine reports the
/// command's pid on the engine's host: it is a process of this machine only
/// when the engine runs here (a local socket) and that pid's cgroup names
/// the container; otherwise nothing is signalled (the command is abandoned
/// and goes with its container). The command leads its own process group
/// (the runtime starts it in a new session), so the whole group gets the
/// signal, as a step on the host does. `kill(1)` keeps this crate free of
/// unsafe code and platform crates.
async fn signal_exec(endpoint: &str, container: &str, pid: i64, signal: i32) {
    if !endpoint.starts_with("unix://") {
        return;
    }
    let ours = tokio::fs::read_to_string(format!("/proc/{pid}/cgroup"))
        .await
        .is_ok_and(|c| c.contains(container));
    if !ours {
        return;
    }
    let _ = tokio::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pid}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await;
}

/// Splits an engine stream of output frames into lines per stream.
#[derive(Default)]
struct Lines {
    out: Vec<u8>,
    err: Vec<u8>,
    /// Keep the lines (for [`Engine::logs`]).
    collect: bool,
    collected: Vec<(Output, String)>,
}

impl Lines {
    fn push(&mut self, chunk: LogOutput, on_line: &mut dyn FnMut(Output, String)) {
        let (which, bytes) = match chunk {
            LogOutput::StdErr { message } => (Output::Stderr, message),
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                (Output::Stdout, message)
            }
            LogOutput::StdIn { .. } => return,
        };
        let buf = match which {
            Output::Stdout => &mut self.out,
            Output::Stderr => &mut self.err,
        };
        buf.extend_from_slice(&bytes);
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = buf.drain(..=i).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if self.collect {
                self.collected.push((which, line.clone()));
            }
            on_line(which, line);
        }
    }

    fn finish(&mut self, on_line: &mut dyn FnMut(Output, String)) {
        for (which, buf) in [
            (Output::Stdout, &mut self.out),
            (Output::Stderr, &mut self.err),
        ] {
            if !buf.is_empty() {
                let line = String::from_utf8_lossy(buf).into_owned();
                buf.clear();
                if self.collect {
                    self.collected.push((which, line.clone()));
                }
                on_line(which, line);
            }
        }
    }
}

/// Reads `output` to its end, or stops the command on a timeout or
/// cancellation: SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that.
/// `Ended::Code(0)` means the stream ended by itself (the caller asks the
/// engine for the real code).
async fn pump<S, F, Fut>(
    mut output: S,
    timeout: Option<Duration>,
    mut cancel: watch::Receiver<bool>,
    on_line: &mut (dyn FnMut(Output, String) + Send),
    stop: F,
) -> Ended
where
    S: Stream<Item = Result<LogOutput, bollard::errors::Error>> + Unpin,
    F: Fn(i32) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut lines = Lines::default();
    let started = Instant::now();
    let deadline = timeout.map(|t| started + t);
    let mut reason: Option<Ended> = None;
    let mut stop_started: Option<Instant> = None;
    let mut sent_term = false;
    let mut cancel_open = true;
    if *cancel.borrow() {
        reason = Some(Ended::Cancelled);
    }
    loop {
        if reason.is_some() && stop_started.is_none() {
            stop(2).await;
            stop_started = Some(Instant::now());
        }
        let next_tick = match (stop_started, deadline, &reason) {
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
            item = output.next() => match item {
                Some(Ok(chunk)) => lines.push(chunk, on_line),
                Some(Err(e)) => {
                    lines.finish(on_line);
                    return reason.unwrap_or_else(|| Ended::Failed(format!("lost the output: {}", engine_message(&e))));
                }
                None => {
                    lines.finish(on_line);
                    return reason.unwrap_or(Ended::Code(0));
                }
            },
            changed = cancel.changed(), if reason.is_none() && cancel_open => match changed {
                Err(_) => cancel_open = false,
                Ok(()) if *cancel.borrow() => reason = Some(Ended::Cancelled),
                Ok(()) => {}
            },
            () = sleep => match (stop_started, &reason) {
                (None, None) => reason = Some(Ended::TimedOut),
                (Some(_), _) if !sent_term => {
                    stop(15).await;
                    sent_term = true;
                }
                _ => {
                    stop(9).await;
                    lines.finish(on_line);
                    return reason.unwrap_or(Ended::Cancelled);
                }
            },
        }
    }
}

/// `name[:tag]` → (`name`, `tag`); a digest stays whole; no tag is `latest`.
pub fn split_tag(image: &str) -> (&str, &str) {
    if image.contains('@') {
        return (image, "");
    }
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(i) => (&image[..last_slash + i], &image[last_slash + i + 1..]),
        None => (image, "latest"),
    }
}

/// The registry host of an image reference, when it names one
/// (`ghcr.io/o/i:1` → `ghcr.io`).
pub fn registry_of(image: &str) -> Option<&str> {
    let (first, rest) = image.split_once('/')?;
    (!rest.is_empty() && (first.contains('.') || first.contains(':') || first == "localhost"))
        .then_some(first)
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use bytes_like::frames;

    mod bytes_like {
        use bollard::container::LogOutput;

        pub fn frames(parts: &[(bool, &str)]) -> Vec<LogOutput> {
            parts
                .iter()
                .map(|(err, s)| {
                    let message = s.as_bytes().to_vec().into();
                    if *err {
                        LogOutput::StdErr { message }
                    } else {
                        LogOutput::StdOut { message }
                    }
                })
                .collect()
        }
    }

    #[test]
    fn frames_become_lines_per_stream() {
        let mut l = Lines::default();
        let mut seen = Vec::new();
        for f in frames(&[
            (false, "hel"),
            (true, "err one\nerr"),
            (false, "lo\r\nworld\n"),
            (true, " two"),
        ]) {
            l.push(f, &mut |w, s| seen.push((w, s)));
        }
        l.finish(&mut |w, s| seen.push((w, s)));
        assert_eq!(
            seen,
            vec![
                (Output::Stderr, "err one".to_owned()),
                (Output::Stdout, "hello".to_owned()),
                (Output::Stdout, "world".to_owned()),
                (Output::Stderr, "err two".to_owned()),
            ]
        );
    }

    #[test]
    fn image_names_split_into_name_and_tag() {
        assert_eq!(split_tag("redis"), ("redis", "latest"));
        assert_eq!(split_tag("redis:7"), ("redis", "7"));
        assert_eq!(
            split_tag("localhost:5000/app"),
            ("localhost:5000/app", "latest")
        );
        assert_eq!(
            split_tag("localhost:5000/app:2"),
            ("localhost:5000/app", "2")
        );
        assert_eq!(split_tag("alpine@sha256:ab"), ("alpine@sha256:ab", ""));
        assert_eq!(registry_of("ghcr.io/o/i:1"), Some("ghcr.io"));
        assert_eq!(registry_of("library/redis"), None);
        assert_eq!(registry_of("redis"), None);
        assert_eq!(registry_of("localhost:5000/app"), Some("localhost:5000"));
    }

    #[test]
    fn health_verdicts() {
        let s = |running, health: Option<&str>| ContainerState {
            running,
            health: health.map(str::to_owned),
            exit_code: Some(3),
        };
        assert_eq!(health_verdict(&s(true, None)), Verdict::Ready);
        assert_eq!(health_verdict(&s(false, None)), Verdict::Ready);
        assert_eq!(health_verdict(&s(true, Some("healthy"))), Verdict::Ready);
        assert_eq!(health_verdict(&s(true, Some("starting"))), Verdict::Wait);
        assert!(matches!(
            health_verdict(&s(true, Some("unhealthy"))),
            Verdict::Failed(_)
        ));
        let Verdict::Failed(why) = health_verdict(&s(false, Some("starting"))) else {
            panic!()
        };
        assert!(why.contains("exited with code 3"), "{why}");
    }

    #[tokio::test]
    async fn a_timeout_stops_the_command_with_sigint_first() {
        let stream = futures_util::stream::pending::<Result<LogOutput, bollard::errors::Error>>();
        let (_tx, rx) = watch::channel(false);
        let signals = std::sync::Mutex::new(Vec::new());
        let ended = tokio::time::timeout(
            Duration::from_millis(800),
            pump(
                Box::pin(stream),
                Some(Duration::from_millis(50)),
                rx,
                &mut |_, _| {},
                |s| {
                    signals.lock().unwrap().push(s);
                    async {}
                },
            ),
        )
        .await;
        // The pending stream never ends: SIGTERM would follow 7.5 s after
        // SIGINT, so the outer timeout fires first.
        assert!(ended.is_err());
        assert_eq!(*signals.lock().unwrap(), vec![2]);
    }

    #[tokio::test]
    async fn a_stream_that_ends_after_cancellation_reports_cancelled() {
        let (tx, rx) = watch::channel(false);
        tx.send(true).unwrap();
        let stream = futures_util::stream::iter(frames(&[(false, "bye\n")]).into_iter().map(Ok));
        let mut seen = Vec::new();
        let ended = pump(
            Box::pin(stream),
            None,
            rx,
            &mut |_, l| seen.push(l),
            |_| async {},
        )
        .await;
        assert_eq!(ended, Ended::Cancelled);
        assert_eq!(seen, vec!["bye".to_owned()]);
    }
}
