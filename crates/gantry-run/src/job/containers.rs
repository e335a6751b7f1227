//! A job's containers on the engine: the network, the service containers
//! (healthy before the first step), the job's `container:` where `run:`
//! steps and JavaScript actions are executed, and Docker actions'
//! containers. What is pure (paths, environment, evaluation of values) is
//! in `crate::docker`; the engine calls are in `gantry_container`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use gantry_container::{
    Bind, ContainerSpec, Credentials, Ended, Engine, ExecSpec, Output, options, ports,
};
use gantry_expr::{Object, Value};
use gantry_workflow::{Container, Port, Services};
use tokio::sync::watch;

use super::{Ctx, State};
use crate::docker::{self, ContainerConfig, PathMap};
use crate::eval::{self, RunHost};
use crate::event::Event;
use crate::process::{Exit, ProcessSpec, Stream};

/// Where the job's workspace and folders are in its container.
const WORK: &str = "/__w";
const HOME_IN: &str = "/github/home";
const WORKFLOW_IN: &str = "/github/workflow";
const NODE_IN: &str = "/__e/node/bin/node";
/// How long services may take to become healthy.
const HEALTH_LIMIT: Duration = Duration::from_secs(600);

/// What the job's Docker steps share: the engine (connected once), the
/// job's network, the images built from actions' Dockerfiles, the relays
/// to gantry's services.
#[derive(Default)]
pub(super) struct DockerState {
    engine: Option<Result<Engine, String>>,
    pub network: Option<String>,
    /// Whether the network was made for Docker actions (and is removed
    /// when the job ends), rather than with the job's containers.
    owned_network: bool,
    built: BTreeMap<PathBuf, String>,
    pub relays: Option<Arc<Relays>>,
}

/// gantry's own services (cache, artifacts, the GitHub API recorder)
/// listen on this host's loopback, which containers do not reach. For a
/// job's containers each is relayed from the job network's gateway (this
/// host's address on that network): `http://127.0.0.1:PORT` in what a
/// container gets becomes `http://GATEWAY:RELAY`. Requests keep their Host
/// header, so the URLs the services sign follow. The relays stop with the
/// job.
pub(super) struct Relays {
    gateway: String,
    ports: BTreeMap<u16, u16>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Relays {
    async fn start(gateway: &str, ports: &[u16]) -> Result<Relays, String> {
        let mut relays = Relays {
            gateway: gateway.to_owned(),
            ports: BTreeMap::new(),
            tasks: Vec::new(),
        };
        for &port in ports {
            let listener = tokio::net::TcpListener::bind((gateway, 0))
                .await
                .map_err(|e| format!("cannot listen on {gateway}: {e}"))?;
            let relay = listener
                .local_addr()
                .map_err(|e| format!("cannot listen on {gateway}: {e}"))?
                .port();
            relays.ports.insert(port, relay);
            relays.tasks.push(tokio::spawn(async move {
                // Connections end with the relay (aborting this task drops
                // the set, which aborts them).
                let mut connections = tokio::task::JoinSet::new();
                while let Ok((mut inbound, _)) = listener.accept().await {
                    connections.spawn(async move {
                        if let Ok(mut outbound) =
                            tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                        {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                }
            }));
        }
        Ok(relays)
    }

    /// `value` with gantry's loopback URLs pointed at the relays.
    pub fn rewrite(&self, value: &str) -> String {
        docker::rewrite_loopback(value, &self.gateway, &self.ports)
    }
}

impl Drop for Relays {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn relayed(relays: Option<&Arc<Relays>>, env: Vec<(String, String)>) -> Vec<(String, String)> {
    match relays {
        Some(r) => env
            .into_iter()
            .map(|(k, v)| {
                let v = r.rewrite(&v);
                (k, v)
            })
            .collect(),
        None => env,
    }
}

impl DockerState {
    /// Relays gantry's services onto the job's network (once), for the
    /// loopback URLs of `env` (the actions' environment). Without them a
    /// container cannot reach the services; that is said, not fatal.
    async fn relay(
        &mut self,
        engine: &Engine,
        env: &[(String, String)],
        say: &mut (dyn FnMut(String) + Send),
    ) {
        let Some(network) = &self.network else { return };
        if self.relays.is_some() {
            return;
        }
        let ports = docker::loopback_ports(env.iter().map(|(_, v)| v.as_str()));
        if ports.is_empty() {
            return;
        }
        let started = match engine.network_gateway(network).await {
            Ok(Some(gateway)) => Relays::start(&gateway, &ports).await,
            Ok(None) => Err(format!("the network {network} has no IPv4 gateway")),
            Err(e) => Err(e.to_string()),
        };
        match started {
            Ok(r) => self.relays = Some(Arc::new(r)),
            Err(e) => say(format!(
                "::warning::gantry's cache and artifact services are not reachable from the containers: {e}"
            )),
        }
    }

    /// The job's network for a Docker action, made when the job has none.
    async fn network_for_action(
        &mut self,
        spec: &super::JobSpec,
        engine: &Engine,
    ) -> Result<String, String> {
        if let Some(n) = &self.network {
            return Ok(n.clone());
        }
        let network = unique_name("net");
        engine
            .create_network(&network, &labels(spec))
            .await
            .map_err(|e| e.to_string())?;
        self.network = Some(network.clone());
        self.owned_network = true;
        Ok(network)
    }

    /// Stops the relays and removes a network made for Docker actions.
    pub async fn finish(&mut self) {
        self.relays = None;
        if self.owned_network
            && let (Some(network), Some(Ok(engine))) = (self.network.take(), &self.engine)
        {
            let _ = engine.remove_network(&network).await;
        }
    }

    /// The engine, connected on first use.
    pub async fn engine(&mut self, base_env: &BTreeMap<String, String>) -> Result<Engine, String> {
        if self.engine.is_none() {
            self.engine = Some(connect(base_env).await);
        }
        match &self.engine {
            Some(r) => r.clone(),
            None => Err("no engine".to_owned()),
        }
    }
}

async fn connect(env: &BTreeMap<String, String>) -> Result<Engine, String> {
    match docker::probe(env) {
        docker::Engine::Unreachable(why) => Err(format!(
            "a Docker engine is needed, and none is reachable ({why})"
        )),
        docker::Engine::Reachable(at) => Engine::connect(&at).await.map_err(|e| e.to_string()),
    }
}

/// The runner's folders in `RUNNER_TEMP` that containers mount: the home
/// (`/github/home`), the event's (`/github/workflow`) and the file
/// commands'.
struct RunnerDirs {
    home: PathBuf,
    workflow: PathBuf,
    commands: PathBuf,
}

impl RunnerDirs {
    fn make(temp: &Path) -> Result<RunnerDirs, String> {
        let dirs = RunnerDirs {
            home: temp.join("_github_home"),
            workflow: temp.join(crate::workspace::EVENT_DIR),
            commands: temp.join(crate::workspace::FILE_COMMANDS_DIR),
        };
        for d in [&dirs.home, &dirs.workflow, &dirs.commands] {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        Ok(dirs)
    }
}

/// Bind mounts, and the path translation they make.
#[derive(Default)]
struct Mounts {
    paths: PathMap,
    binds: Vec<Bind>,
}

impl Mounts {
    fn add(&mut self, host: &Path, inside: &str, read_only: bool) {
        let h = host.to_string_lossy().into_owned();
        self.paths.add(h.clone(), inside);
        self.binds.push(Bind {
            read_only,
            ..Bind::new(h, inside)
        });
    }
}

/// The job's container, where its processes run.
pub(super) struct InContainer {
    engine: Engine,
    id: String,
    relays: Option<Arc<Relays>>,
    image: String,
    /// Whether its C library is musl (Alpine): the host's node, built for
    /// glibc, cannot run there.
    musl: bool,
    pub paths: PathMap,
    /// The container's own `PATH`.
    path_var: String,
    has: Vec<String>,
}

impl InContainer {
    /// Why the host's node cannot run JavaScript actions here, if it
    /// cannot.
    pub fn node_unusable(&self) -> Option<String> {
        self.musl.then(|| {
            format!(
                "the job's container `{}` uses musl (Alpine), and JavaScript actions in a container run with this machine's node, built for glibc; use a glibc-based image (Debian, Ubuntu), see docs/divergences.md",
                self.image
            )
        })
    }

    /// Whether the container has `program` (`bash`, `python`).
    pub fn has(&self, program: &str) -> bool {
        self.has.iter().any(|p| p == program)
    }

    /// What a native built-in (which runs on this host, against the
    /// mounted folders) sees in a container job: `HOME` is the folder
    /// mounted at the container's home (so `~/.npm` is the container's),
    /// and input lines naming container paths name the host's.
    pub fn for_native(
        &self,
        inputs: &BTreeMap<String, String>,
        process_env: &mut BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        process_env.insert("HOME".to_owned(), self.paths.to_host(HOME_IN));
        inputs
            .iter()
            .map(|(k, v)| {
                let lines: Vec<String> = v
                    .split('\n')
                    .map(|line| {
                        let t = line.trim_start();
                        let (neg, path) = match t.strip_prefix('!') {
                            Some(p) => ("!", p),
                            None => ("", t),
                        };
                        if path.starts_with('/') {
                            format!("{neg}{}", self.paths.to_host(path))
                        } else {
                            line.to_owned()
                        }
                    })
                    .collect();
                (k.clone(), lines.join("\n"))
            })
            .collect()
    }

    /// Runs a step's process in the container.
    pub async fn exec(
        &self,
        spec: &ProcessSpec,
        base_env: &BTreeMap<String, String>,
        declared: &BTreeSet<String>,
        path_prefix: &[String],
        cancel: watch::Receiver<bool>,
        on_line: &mut (dyn FnMut(Stream, String) + Send),
    ) -> Exit {
        let mut cmd = vec![self.paths.to_container(&spec.program)];
        cmd.extend(spec.args.iter().map(|a| self.paths.to_container(a)));
        let env = relayed(
            self.relays.as_ref(),
            docker::container_env(
                &spec.env,
                base_env,
                declared,
                &self.paths,
                path_prefix,
                &self.path_var,
                HOME_IN,
            ),
        );
        let exec = ExecSpec {
            cmd,
            env,
            workdir: Some(self.paths.to_container(&spec.cwd.to_string_lossy())),
            user: None,
        };
        let ended = self
            .engine
            .exec(&self.id, &exec, spec.timeout, cancel, &mut |o, l| {
                on_line(stream_of(o), l);
            })
            .await;
        exit_of(ended)
    }
}

fn stream_of(o: Output) -> Stream {
    match o {
        Output::Stdout => Stream::Stdout,
        Output::Stderr => Stream::Stderr,
    }
}

fn exit_of(e: Ended) -> Exit {
    match e {
        Ended::Code(c) => Exit::Code(i32::try_from(c).unwrap_or(-1)),
        Ended::TimedOut => Exit::TimedOut,
        Ended::Cancelled => Exit::Cancelled,
        Ended::Failed(m) => Exit::SpawnFailed(m),
    }
}

/// A running container of the job.
struct Running {
    /// The service's name (`None`: the job's container).
    service: Option<String>,
    id: String,
    image: String,
}

/// The containers a job started.
pub(super) struct JobContainers {
    engine: Engine,
    network: String,
    running: Vec<Running>,
    pub job: Option<InContainer>,
    /// `job.container` and `job.services`.
    pub container_ctx: Value,
    pub services_ctx: Value,
}

/// Whether the job asks for containers (`container:` with an image, or
/// `services:`). An empty `container:` image means none, as on GitHub.
pub(super) fn wanted(cx: &Ctx<'_>, host: &RunHost<'_>) -> bool {
    let job = &cx.spec.job;
    let image = job
        .container
        .as_ref()
        .and_then(|c| c.image.as_ref())
        // An image that fails to evaluate is wanted: starting says why.
        .is_some_and(|i| eval::string(i, host).map_or(true, |i| !i.trim().is_empty()));
    let services = match &job.services {
        None => false,
        Some(Services::Map { services, .. }) => !services.is_empty(),
        Some(Services::Expr(_)) => true,
    };
    image || services
}

/// Evaluates `container:` or a service.
fn evaluate(c: &Container, host: &RunHost<'_>, what: &str) -> Result<ContainerConfig, String> {
    let s = |e: &gantry_workflow::ExprString| {
        eval::string(e, host).map_err(|err| format!("{what}: {err}"))
    };
    let mut out = ContainerConfig {
        image: c.image.as_ref().map(&s).transpose()?.unwrap_or_default(),
        options: c.options.as_ref().map(&s).transpose()?.unwrap_or_default(),
        entrypoint: c.entrypoint.as_ref().map(&s).transpose()?,
        command: c.command.as_ref().map(&s).transpose()?,
        ..Default::default()
    };
    if let Some(env) = &c.env {
        out.env = eval::env(env, host).map_err(|e| format!("{what}: env: {e}"))?;
    }
    for p in &c.ports {
        out.ports.push(match p {
            Port::Number(n) => n.value.to_string(),
            Port::Text(e) => s(e)?,
        });
    }
    for v in &c.volumes {
        out.volumes.push(s(v)?);
    }
    if let Some(cred) = &c.credentials {
        match (&cred.username, &cred.password) {
            (Some(u), None) => {
                // A whole expression: an object with username and password.
                let v = eval::value(u, host).map_err(|e| format!("{what}: credentials: {e}"))?;
                let field = |k: &str| v.get(k).map(Value::to_display_string).unwrap_or_default();
                out.credentials = Some((field("username"), field("password")));
            }
            (u, p) => {
                let u = u.as_ref().map(&s).transpose()?.unwrap_or_default();
                let p = p.as_ref().map(&s).transpose()?.unwrap_or_default();
                out.credentials = Some((u, p));
            }
        }
    }
    Ok(out)
}

/// The job's services, evaluated, in order.
fn services(cx: &Ctx<'_>, host: &RunHost<'_>) -> Result<Vec<(String, ContainerConfig)>, String> {
    match &cx.spec.job.services {
        None => Ok(Vec::new()),
        Some(Services::Map { services, .. }) => services
            .iter()
            .map(|(name, c)| {
                evaluate(c, host, &format!("service `{}`", name.value))
                    .map(|cfg| (name.value.clone(), cfg))
            })
            .filter(|r| r.as_ref().map_or(true, |(_, c)| !c.image.trim().is_empty()))
            .collect(),
        Some(Services::Expr(e)) => {
            let v = eval::value(e, host).map_err(|e| format!("services: {e}"))?;
            let Some(o) = v.as_object() else {
                return Err("services: the expression must give an object".to_owned());
            };
            o.iter()
                .map(|(name, v)| {
                    ContainerConfig::from_value(v, &format!("service `{name}`"))
                        .map(|c| (name.to_owned(), c))
                })
                .filter(|r| r.as_ref().map_or(true, |(_, c)| !c.image.trim().is_empty()))
                .collect()
        }
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A name no other container of this machine has: `gantry-<what>-<pid>-<n>`.
fn unique_name(what: &str) -> String {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let clean: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    format!("gantry-{clean}-{}-{n}-{nanos:x}", std::process::id())
}

/// The label naming the gantry process that owns a container or network.
const OWNER_LABEL: &str = "dev.gantry.pid";

/// The labels of what a job creates: its job, and the gantry process
/// (`<host name>/<pid>`) that removes it when the job ends.
fn labels(spec: &super::JobSpec) -> Vec<(String, String)> {
    vec![
        ("dev.gantry.job".to_owned(), spec.key.0.clone()),
        (OWNER_LABEL.to_owned(), owner()),
    ]
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// This machine and pid namespace: the host name and the namespace's inode
/// (pids are only comparable within one namespace).
fn machine() -> String {
    let ns = std::fs::read_link("/proc/self/ns/pid")
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{}:{ns}", host_name())
}

fn owner() -> String {
    format!("{}/{}", machine(), std::process::id())
}

/// Whether an owner label names a gantry process of this machine and pid
/// namespace that is gone (killed before it could remove what its jobs
/// started).
fn owner_is_gone(value: &str, machine: &str) -> bool {
    let Some((m, pid)) = value.rsplit_once('/') else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    m == machine && pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Removes containers and networks that gantry processes of this machine
/// left when they were killed (the runner cleans up after earlier jobs the
/// same way). Where processes cannot be told apart (no `/proc`, no host
/// name), nothing is removed.
async fn clean_up_stale(engine: &Engine, say: &mut (dyn FnMut(String) + Send)) {
    if !Path::new("/proc/self/ns/pid").exists() || host_name().is_empty() {
        return;
    }
    let host = machine();
    let (containers, networks) = engine
        .remove_stale(OWNER_LABEL, &|v| owner_is_gone(v, &host))
        .await;
    if containers + networks > 0 {
        say(format!(
            "Removed {containers} containers and {networks} networks left by gantry runs that were killed"
        ));
    }
}

/// The container's `options:`, parsed; valid flags gantry does not apply
/// are warned about.
fn parse_options(
    cfg: &ContainerConfig,
    what: &str,
    say: &mut (dyn FnMut(String) + Send),
) -> Result<options::CreateOptions, String> {
    let opts = options::parse(&cfg.options).map_err(|e| format!("{what}: options: {e}"))?;
    if !opts.unapplied.is_empty() {
        say(format!(
            "::warning::{what}: gantry does not apply these options: {}",
            opts.unapplied.join(" ")
        ));
    }
    Ok(opts)
}

/// `ports:`, then `-p`/`--publish` of `options:`.
fn parse_ports(
    cfg: &ContainerConfig,
    opts: &options::CreateOptions,
    what: &str,
) -> Result<Vec<ports::PortMapping>, String> {
    cfg.ports
        .iter()
        .map(|p| ports::parse(p).map_err(|e| format!("{what}: ports: {e}")))
        .chain(
            opts.ports
                .iter()
                .map(|p| ports::parse(p).map_err(|e| format!("{what}: options: `-p {p}`: {e}"))),
        )
        .collect()
}

fn credentials(cfg: &ContainerConfig) -> Option<Credentials> {
    cfg.credentials
        .as_ref()
        .filter(|(u, p)| !u.is_empty() || !p.is_empty())
        .map(|(u, p)| Credentials {
            username: u.clone(),
            password: p.clone(),
        })
}

/// The engine's socket, when it is a local one (mounted into containers
/// as the runner does, so steps can use Docker themselves).
fn socket_bind(engine: &Engine) -> Option<Bind> {
    let path = engine.endpoint.strip_prefix("unix://")?;
    Path::new(path)
        .exists()
        .then(|| Bind::new(path, "/var/run/docker.sock"))
}

/// Starts the job's network, services and container. Progress lines go
/// to `say`. On failure, whatever was started is removed again.
pub(super) async fn start(
    cx: &Ctx<'_>,
    state: &mut State,
    host: &RunHost<'_>,
    cancel: watch::Receiver<bool>,
    say: &mut (dyn FnMut(String) + Send),
) -> Result<JobContainers, String> {
    let spec = cx.spec;
    let job_cfg = match &spec.job.container {
        Some(c) => Some(evaluate(c, host, "container")?).filter(|c| !c.image.trim().is_empty()),
        None => None,
    };
    let services = services(cx, host)?;
    let engine = state.docker.engine(&spec.base_env).await?;
    say(format!(
        "Using the container engine at {} (version {})",
        engine.endpoint, engine.version
    ));
    clean_up_stale(&engine, say).await;
    let network = unique_name("net");
    say(format!("Create the job's network {network}"));
    engine
        .create_network(&network, &labels(spec))
        .await
        .map_err(|e| e.to_string())?;
    let mut jc = JobContainers {
        engine: engine.clone(),
        network: network.clone(),
        running: Vec::new(),
        job: None,
        container_ctx: Value::object(Object::new()),
        services_ctx: Value::object(Object::new()),
    };
    state.docker.network = Some(network);
    state.docker.relay(&engine, &spec.action_env, say).await;
    let relays = state.docker.relays.clone();
    match start_all(cx, &mut jc, job_cfg, services, relays, cancel, say).await {
        Ok(()) => Ok(jc),
        Err(e) => {
            state.docker.network = None;
            state.docker.relays = None;
            stop(jc, &mut |_| {}).await;
            Err(e)
        }
    }
}

async fn start_all(
    cx: &Ctx<'_>,
    jc: &mut JobContainers,
    job_cfg: Option<ContainerConfig>,
    services: Vec<(String, ContainerConfig)>,
    relays: Option<Arc<Relays>>,
    cancel: watch::Receiver<bool>,
    say: &mut (dyn FnMut(String) + Send),
) -> Result<(), String> {
    let spec = cx.spec;
    let engine = jc.engine.clone();
    let mut services_ctx = Object::new();
    for (name, cfg) in &services {
        let what = format!("service `{name}`");
        let opts = parse_options(cfg, &what, say)?;
        let ports = parse_ports(cfg, &opts, &what)?;
        engine
            .ensure_image(&cfg.image, credentials(cfg).as_ref(), &mut |l| say(l))
            .await
            .map_err(|e| format!("{what}: {e}"))?;
        let cspec = ContainerSpec {
            name: unique_name(name),
            image: cfg.image.clone(),
            env: cfg.env.clone(),
            cmd: match &cfg.command {
                Some(c) => {
                    Some(options::split_words(c).map_err(|e| format!("{what}: command: {e}"))?)
                }
                None => None,
            },
            entrypoint: cfg.entrypoint.clone().map(|e| vec![e]),
            network: Some(jc.network.clone()),
            aliases: vec![name.clone()],
            ports,
            volumes: cfg.volumes.clone(),
            options: opts,
            labels: labels(spec),
            ..Default::default()
        };
        say(format!(
            "Starting the service container `{name}` ({})",
            cfg.image
        ));
        let id = engine
            .create(&cspec)
            .await
            .map_err(|e| format!("{what}: {e}"))?;
        jc.running.push(Running {
            service: Some(name.clone()),
            id: id.clone(),
            image: cfg.image.clone(),
        });
        engine
            .start(&id)
            .await
            .map_err(|e| format!("{what}: {e}"))?;
    }
    if let Some(cfg) = job_cfg {
        jc.job = Some(start_job_container(cx, jc, &cfg, relays, say).await?);
    }
    if !jc.running.iter().all(|r| r.service.is_none()) {
        say("Waiting for all services to be ready".to_owned());
    }
    for r in &jc.running {
        let Some(name) = &r.service else { continue };
        match engine
            .wait_healthy(&r.id, HEALTH_LIMIT, cancel.clone())
            .await
        {
            Ok(()) => say(format!("The service `{name}` is ready")),
            Err(why) => {
                for (_, line) in engine.logs(&r.id).await {
                    say(line);
                }
                return Err(format!("the service `{name}` ({}) failed: {why}", r.image));
            }
        }
        let host_ports = engine.host_ports(&r.id).await.map_err(|e| e.to_string())?;
        let mut ports = Object::new();
        for (key, host_port) in host_ports {
            let port = key.split('/').next().unwrap_or(&key).to_owned();
            ports.insert(port, Value::from(host_port));
        }
        let mut o = Object::new();
        o.insert("id", Value::from(r.id.as_str()));
        o.insert("network", Value::from(jc.network.as_str()));
        o.insert("ports", Value::object(ports));
        services_ctx.insert(name.as_str(), Value::object(o));
    }
    jc.services_ctx = Value::object(services_ctx);
    if let Some(j) = &jc.job {
        let mut o = Object::new();
        o.insert("id", Value::from(j.id.as_str()));
        o.insert("network", Value::from(jc.network.as_str()));
        jc.container_ctx = Value::object(o);
    }
    Ok(())
}

async fn start_job_container(
    cx: &Ctx<'_>,
    jc: &mut JobContainers,
    cfg: &ContainerConfig,
    relays: Option<Arc<Relays>>,
    say: &mut (dyn FnMut(String) + Send),
) -> Result<InContainer, String> {
    let spec = cx.spec;
    let engine = jc.engine.clone();
    let what = "container";
    let mut opts = parse_options(cfg, what, say)?;
    let ports = parse_ports(cfg, &opts, what)?;
    // The job's container keeps running on `tail -f /dev/null`: the runner
    // sets its own entrypoint after the user's options, so it wins.
    if let Some(e) = opts.entrypoint.take() {
        say(format!(
            "::warning::container: `--entrypoint {e}` in `options:` is replaced by the runner's (the job's container must keep running)"
        ));
    }
    engine
        .ensure_image(&cfg.image, credentials(cfg).as_ref(), &mut |l| say(l))
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    let repo = spec
        .contexts
        .get("github")
        .and_then(|g| g.get("repository"))
        .map(Value::to_display_string)
        .and_then(|r| r.rsplit('/').next().map(str::to_owned))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "workspace".to_owned());
    let workspace_in = format!("{WORK}/{repo}/{repo}");
    let temp = &spec.dirs.temp;
    let dirs = RunnerDirs::make(temp)?;
    let mut m = Mounts::default();
    m.add(&spec.dirs.workspace, &workspace_in, false);
    m.add(temp, &format!("{WORK}/_temp"), false);
    m.add(&dirs.home, HOME_IN, false);
    m.add(&dirs.workflow, WORKFLOW_IN, false);
    m.add(&spec.dirs.tool_cache, "/__t", false);
    let actions = spec.resolver.cache_dir();
    if actions.is_dir() {
        m.add(&actions, &format!("{WORK}/_actions"), true);
    }
    // JavaScript actions run with this host's node, mounted (the runner
    // mounts its own); it needs a glibc-based image.
    let host_path = spec.base_env.get("PATH").map(String::as_str);
    if let Some(node) = crate::shell::find_on_path("node", host_path)
        && let Ok(real) = node.canonicalize()
    {
        m.add(&real, NODE_IN, true);
        m.paths.add(node.to_string_lossy().into_owned(), NODE_IN);
    }
    if let Some(b) = socket_bind(&engine) {
        m.binds.push(b);
    }
    // RUNNER_WORKSPACE, the workspace's parent, is not mounted itself.
    if let Some(parent) = spec.dirs.workspace.parent() {
        m.paths.add(
            parent.to_string_lossy().into_owned(),
            format!("{WORK}/{repo}"),
        );
    }
    let Mounts { paths, binds } = m;
    let cspec = ContainerSpec {
        name: unique_name(&format!("job-{}", spec.key.0)),
        image: cfg.image.clone(),
        env: cfg.env.clone(),
        // Kept running; steps are run in it.
        entrypoint: Some(vec!["tail".to_owned()]),
        cmd: Some(vec!["-f".to_owned(), "/dev/null".to_owned()]),
        workdir: Some(workspace_in),
        binds,
        volumes: cfg.volumes.clone(),
        network: Some(jc.network.clone()),
        aliases: Vec::new(),
        ports,
        options: opts,
        labels: labels(spec),
    };
    say(format!("Starting the job's container ({})", cfg.image));
    let id = engine
        .create(&cspec)
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    jc.running.push(Running {
        service: None,
        id: id.clone(),
        image: cfg.image.clone(),
    });
    engine
        .start(&id)
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    // What the container has: its PATH, and bash and python for shells.
    let probe = ExecSpec {
        cmd: vec![
            "sh".to_owned(),
            "-c".to_owned(),
            "printf 'PATH=%s\\n' \"$PATH\"; for p in bash python python3; do command -v $p >/dev/null 2>&1 && echo has=$p; done; for l in /lib/ld-musl-*; do [ -e \"$l\" ] && echo libc=musl; done; true".to_owned(),
        ],
        ..Default::default()
    };
    let mut lines = Vec::new();
    let (_tx, rx) = watch::channel(false);
    let ended = engine
        .exec(
            &id,
            &probe,
            Some(Duration::from_secs(60)),
            rx,
            &mut |_, l| lines.push(l),
        )
        .await;
    let mut path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned();
    let mut has = Vec::new();
    let mut musl = false;
    if ended == Ended::Code(0) {
        for l in lines {
            if let Some(p) = l.strip_prefix("PATH=") {
                path_var = p.to_owned();
            } else if let Some(p) = l.strip_prefix("has=") {
                has.push(p.to_owned());
            } else if l == "libc=musl" {
                musl = true;
            }
        }
    } else {
        say("The container has no `sh`: steps need a shell given by `shell:`".to_owned());
    }
    Ok(InContainer {
        engine,
        id,
        relays,
        image: cfg.image.clone(),
        musl,
        paths,
        path_var,
        has,
    })
}

/// Prints the services' logs and removes the job's containers and network.
pub(super) async fn stop(jc: JobContainers, say: &mut (dyn FnMut(String) + Send)) {
    for r in &jc.running {
        if let Some(name) = &r.service {
            say(format!(
                "##[group]Logs of the service `{name}` ({})",
                r.image
            ));
            for (_, line) in jc.engine.logs(&r.id).await {
                say(line);
            }
            say("##[endgroup]".to_owned());
        }
    }
    for r in jc.running.iter().rev() {
        say(format!(
            "Remove the container {}",
            r.id.get(..12).unwrap_or(&r.id)
        ));
        if let Err(e) = jc.engine.remove(&r.id).await {
            say(format!("::warning::{e}"));
        }
    }
    say(format!("Remove the network {}", jc.network));
    if let Err(e) = jc.engine.remove_network(&jc.network).await {
        say(format!("::warning::{e}"));
    }
}

/// A Docker action's container, to be run for one step.
#[derive(Clone, Debug)]
pub(super) struct DockerRun {
    /// The step's `uses:` as written.
    pub what: String,
    /// The image (`docker://…`'s), or the Dockerfile to build.
    pub image: ImageSource,
    pub entrypoint: Option<String>,
    pub args: Vec<String>,
}

#[derive(Clone, Debug)]
pub(super) enum ImageSource {
    Image(String),
    Dockerfile(PathBuf),
}

impl ImageSource {
    pub fn describe(&self) -> String {
        match self {
            ImageSource::Image(i) => format!("docker://{i}"),
            ImageSource::Dockerfile(p) => p.display().to_string(),
        }
    }
}

/// Runs a Docker action: the image pulled or built, a container with the
/// workspace at `/github/workspace`, the file commands at
/// `/github/file_commands`, the job's network; removed afterwards.
#[allow(clippy::too_many_arguments)]
pub(super) async fn run_action(
    spec: &super::JobSpec,
    docker: &mut DockerState,
    run: &DockerRun,
    process: &ProcessSpec,
    declared: &BTreeSet<String>,
    path_prefix: &[String],
    cancel: watch::Receiver<bool>,
    on_line: &mut (dyn FnMut(Stream, String) + Send),
) -> Exit {
    let engine = match docker.engine(&spec.base_env).await {
        Ok(e) => e,
        Err(e) => {
            return Exit::SpawnFailed(format!("`{}` is a Docker container action: {e}", run.what));
        }
    };
    let mut say = |l: String| on_line(Stream::Stdout, l);
    let image = match &run.image {
        ImageSource::Image(i) => {
            if let Err(e) = engine.ensure_image(i, None, &mut say).await {
                return Exit::SpawnFailed(e.to_string());
            }
            i.clone()
        }
        ImageSource::Dockerfile(file) => match docker.built.get(file) {
            Some(tag) => tag.clone(),
            None => match build(&engine, file, &image_key(spec, file), &mut say).await {
                Ok(tag) => {
                    docker.built.insert(file.clone(), tag.clone());
                    tag
                }
                Err(e) => return Exit::SpawnFailed(e),
            },
        },
    };
    let temp = &spec.dirs.temp;
    let dirs = match RunnerDirs::make(temp) {
        Ok(d) => d,
        Err(e) => return Exit::SpawnFailed(e),
    };
    let mut m = Mounts::default();
    m.add(&spec.dirs.workspace, "/github/workspace", false);
    m.add(&dirs.home, HOME_IN, false);
    m.add(&dirs.workflow, WORKFLOW_IN, false);
    m.add(&dirs.commands, "/github/file_commands", false);
    if let Some(b) = socket_bind(&engine) {
        m.binds.push(b);
    }
    let Mounts { paths, binds } = m;
    // Docker actions run on the job's network (made for them when the job
    // has no containers), reaching gantry's services through the relays.
    let network = match docker.network_for_action(spec, &engine).await {
        Ok(n) => n,
        Err(e) => return Exit::SpawnFailed(e),
    };
    docker.relay(&engine, &spec.action_env, &mut say).await;
    let mut env = relayed(
        docker.relays.as_ref(),
        docker::container_env(
            &process.env,
            &spec.base_env,
            declared,
            &paths,
            path_prefix,
            "",
            HOME_IN,
        ),
    );
    // The image's own PATH stands.
    env.retain(|(k, _)| k != "PATH");
    let cspec = ContainerSpec {
        name: unique_name("action"),
        image,
        env,
        entrypoint: run.entrypoint.clone().map(|e| vec![e]),
        cmd: (!run.args.is_empty()).then(|| run.args.clone()),
        workdir: Some("/github/workspace".to_owned()),
        binds,
        network: Some(network),
        labels: labels(spec),
        ..Default::default()
    };
    let id = match engine.create(&cspec).await {
        Ok(id) => id,
        Err(e) => return Exit::SpawnFailed(e.to_string()),
    };
    let ended = engine
        .run_attached(&id, process.timeout, cancel, &mut |o, l| {
            on_line(stream_of(o), l)
        })
        .await;
    let _ = engine.remove(&id).await;
    exit_of(ended)
}

/// The files (and links) below `dir` that `.dockerignore` keeps, relative
/// to the context, `/`-separated; directories are walked, not listed.
fn context_files(
    root: &Path,
    rel: &Path,
    rules: &gantry_container::dockerignore::DockerIgnore,
    out: &mut Vec<String>,
) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = rel.join(entry.file_name());
        let text = path.to_string_lossy().replace('\\', "/");
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            context_files(root, &path, rules, out);
        } else if !rules.excludes(&text) {
            out.push(text);
        }
    }
}

/// What names a Dockerfile's image across runs: a local action's path in
/// its repository (the workspace's path changes with every run), else the
/// Dockerfile's own path (remote actions are cached by commit).
fn image_key(spec: &super::JobSpec, dockerfile: &Path) -> String {
    match dockerfile.strip_prefix(&spec.dirs.workspace) {
        Ok(rel) => {
            let repo = spec
                .contexts
                .get("github")
                .and_then(|g| g.get("repository"))
                .map(Value::to_display_string)
                .unwrap_or_default();
            format!("{repo}/{}", rel.display())
        }
        Err(_) => dockerfile.display().to_string(),
    }
}

/// Builds an action's Dockerfile (its folder is the build context), tagged
/// by `key` (see [`image_key`]): a job builds it once, and a later build
/// replaces the earlier one (the engine's cache makes an unchanged one
/// quick).
async fn build(
    engine: &Engine,
    dockerfile: &Path,
    key: &str,
    say: &mut (dyn FnMut(String) + Send),
) -> Result<String, String> {
    use sha2::Digest;
    let context = dockerfile.parent().unwrap_or(Path::new("."));
    let name = dockerfile.file_name().map_or_else(
        || "Dockerfile".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let digest = sha2::Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let tag = format!("gantry-action-{hex}:latest");
    // `.dockerignore` leaves files out, as the docker CLI does (the
    // Dockerfile and `.dockerignore` itself are always sent).
    let mut tar = tokio::process::Command::new("tar");
    tar.arg("-C").arg(context);
    let ignore = std::fs::read_to_string(context.join(".dockerignore")).ok();
    let list_file = match &ignore {
        Some(text) => {
            let rules = gantry_container::dockerignore::DockerIgnore::parse(text);
            let mut kept = Vec::new();
            context_files(context, Path::new(""), &rules, &mut kept);
            for always in [name.as_str(), ".dockerignore"] {
                if !kept.iter().any(|k| k == always) {
                    kept.push(always.to_owned());
                }
            }
            // In the system's temporary folder: the context may be read-only.
            let list = std::env::temp_dir().join(format!("{}.list", unique_name("context")));
            std::fs::write(&list, kept.join("\n") + "\n")
                .map_err(|e| format!("cannot list the build context: {e}"))?;
            tar.args(["--no-recursion", "-cf", "-", "-T"]).arg(&list);
            Some(list)
        }
        None => {
            tar.args(["-cf", "-", "."]);
            None
        }
    };
    let out = tar.output().await;
    if let Some(l) = list_file {
        let _ = std::fs::remove_file(l);
    }
    let out = out.map_err(|e| format!("cannot pack {} to build it: {e}", context.display()))?;
    if !out.status.success() {
        return Err(format!(
            "cannot pack {} to build it: {}",
            context.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    say(format!("Build {} as {tag}", dockerfile.display()));
    engine
        .build_image(out.stdout, &name, &tag, say)
        .await
        .map_err(|e| e.to_string())?;
    Ok(tag)
}

/// Emits a line of the containers' setup or teardown as output of `step`
/// (`::warning::` lines as annotations).
pub(super) fn say_at<'a>(cx: &'a Ctx<'a>, step: usize) -> impl FnMut(String) + Send + 'a {
    let job = cx.spec.key.clone();
    move |line: String| {
        if let Some(m) = line.strip_prefix("::warning::") {
            cx.annotate(
                step,
                crate::commands::AnnotationLevel::Warning,
                m.to_owned(),
            );
        } else if let Some(title) = line.strip_prefix("##[group]") {
            cx.emit(Event::GroupStarted {
                job: job.clone(),
                step,
                title: cx.masker.mask(title),
            });
        } else if line == "##[endgroup]" {
            cx.emit(Event::GroupEnded {
                job: job.clone(),
                step,
            });
        } else {
            cx.emit(Event::Output {
                job: job.clone(),
                step,
                stream: Stream::Stdout,
                line: cx.masker.mask(&line),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A relay forwards both ways to the loopback service, and stops with
    /// the relays.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn relays_forward_to_the_loopback_service_and_stop_when_dropped() {
        // A stand-in service: answers each connection with what it got,
        // upper-cased.
        let service = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let port = service.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut c, _)) = service.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 64];
                    let n = c.read(&mut buf).await.unwrap();
                    c.write_all(&buf[..n].to_ascii_uppercase()).await.unwrap();
                });
            }
        });
        // The "gateway" is loopback here (the test has no bridge).
        let relays = Relays::start("127.0.0.1", &[port]).await.unwrap();
        let relay = relays.ports[&port];
        assert_ne!(relay, port);
        let url = format!("http://127.0.0.1:{port}/_apis/");
        assert_eq!(
            relays.rewrite(&url),
            format!("http://127.0.0.1:{relay}/_apis/")
        );
        let mut c = tokio::net::TcpStream::connect(("127.0.0.1", relay))
            .await
            .unwrap();
        c.write_all(b"ping").await.unwrap();
        let mut got = [0u8; 4];
        c.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"PING");
        drop(relays);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", relay))
                .await
                .is_err(),
            "the relay still listens"
        );
    }

    #[test]
    fn owners_are_gone_only_on_this_machine_and_namespace() {
        let here = machine();
        let me = std::process::id();
        assert!(
            !owner_is_gone(&format!("{here}/{me}"), &here),
            "this process"
        );
        assert!(
            owner_is_gone(&format!("{here}/4294967"), &here),
            "a pid that does not exist"
        );
        assert!(
            !owner_is_gone("other-host:ns/4294967", &here),
            "another machine"
        );
        assert!(!owner_is_gone("garbage", &here));
    }
}
