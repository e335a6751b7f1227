//! Containers (a job's `container:` and `services:`, Docker actions): the
//! pure parts. Whether an engine is reachable ([`probe`]) and what a job
//! without one does ([`decide_job`]); how host paths are seen in a
//! container ([`PathMap`]); the environment of a process there
//! ([`container_env`]); a container's configuration, evaluated
//! ([`ContainerConfig`]). `job/containers.rs` does the engine calls.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gantry_expr::Value;

/// What was found of a Docker-compatible engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    /// An endpoint that looks reachable (`DOCKER_HOST`, or a socket).
    Reachable(String),
    /// None; the text says where gantry looked.
    Unreachable(String),
}

/// Looks for an engine: `DOCKER_HOST` from the step's environment, else the
/// usual sockets. Only presence is checked here.
pub fn probe(env: &BTreeMap<String, String>) -> Engine {
    if let Some(h) = env.get("DOCKER_HOST").filter(|h| !h.is_empty()) {
        if let Some(sock) = h.strip_prefix("unix://") {
            if Path::new(sock).exists() {
                return Engine::Reachable(h.clone());
            }
            return Engine::Unreachable(format!("DOCKER_HOST={h} does not exist"));
        }
        return Engine::Reachable(h.clone());
    }
    let mut candidates = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(x) = env.get("XDG_RUNTIME_DIR") {
        candidates.push(Path::new(x).join("docker.sock"));
        candidates.push(Path::new(x).join("podman/podman.sock"));
    }
    for c in &candidates {
        if c.exists() {
            return Engine::Reachable(format!("unix://{}", c.display()));
        }
    }
    let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
    Engine::Unreachable(format!(
        "no DOCKER_HOST and no socket at {}",
        looked.join(" or ")
    ))
}

/// The containers a job asks for: `container:`'s image (evaluated; an
/// empty one means none, as on GitHub, where `container: ${{ matrix.image
/// }}` with an empty cell runs on the runner itself) and its `services:`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobContainers {
    pub image: Option<String>,
    /// The service containers' names (`None` for `services: ${{ … }}`,
    /// whose names are known only at run time).
    pub services: Option<Vec<String>>,
}

impl JobContainers {
    /// Whether the job needs no container at all.
    pub fn is_empty(&self) -> bool {
        self.image.is_none() && self.services.as_ref().is_some_and(Vec::is_empty)
    }

    /// `runs in the container `node:20` with the service containers redis`.
    pub fn describe(&self) -> String {
        let services = match &self.services {
            Some(s) if s.is_empty() => None,
            Some(s) => Some(format!("the service containers {}", s.join(", "))),
            None => Some("service containers".to_owned()),
        };
        match (&self.image, services) {
            (Some(i), Some(s)) => format!("the job runs in the container `{i}` with {s}"),
            (Some(i), None) => format!("the job runs in the container `{i}`"),
            (None, Some(s)) => format!("the job uses {s}"),
            (None, None) => "the job uses no container".to_owned(),
        }
    }
}

/// Whether a job with `container:` or `services:` can start here: the
/// error it fails with when no engine is reachable, naming
/// `--skip-container-jobs`.
pub fn decide_job(engine: &Engine, containers: &JobContainers) -> Result<(), String> {
    if containers.is_empty() {
        return Ok(());
    }
    match engine {
        Engine::Reachable(_) => Ok(()),
        Engine::Unreachable(why) => Err(format!(
            "{}: a Docker engine is needed, and none is reachable ({why}); --skip-container-jobs skips such jobs instead",
            containers.describe()
        )),
    }
}

/// Host paths and where they are seen in a container. A value that is one
/// of the host paths, or below one, is translated (the longest wins).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PathMap {
    pairs: Vec<(String, String)>,
}

impl PathMap {
    pub fn add(&mut self, host: impl Into<String>, container: impl Into<String>) {
        let host = host.into().trim_end_matches('/').to_owned();
        self.pairs.push((host, container.into()));
        self.pairs.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
    }

    /// A path as the container sees it, as this host sees it (the reverse
    /// of [`PathMap::to_container`]); a path outside the mounts is kept.
    pub fn to_host(&self, value: &str) -> String {
        let mut best: Option<(&str, &str)> = None;
        for (host, inside) in &self.pairs {
            let inside = inside.trim_end_matches('/');
            if let Some(rest) = value.strip_prefix(inside)
                && (rest.is_empty() || rest.starts_with('/'))
                && best.is_none_or(|(i, _)| inside.len() > i.len())
            {
                best = Some((inside, host));
            }
        }
        match best {
            Some((inside, host)) => format!("{host}{}", &value[inside.len()..]),
            None => value.to_owned(),
        }
    }

    /// `value` as the container sees it.
    pub fn to_container(&self, value: &str) -> String {
        for (host, inside) in &self.pairs {
            if let Some(rest) = value.strip_prefix(host.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return format!("{inside}{rest}");
            }
        }
        value.to_owned()
    }
}

/// Variables the runner sets (as opposed to the host's own environment).
fn is_runner_var(k: &str) -> bool {
    k == "CI"
        || k.starts_with("GITHUB_")
        || k.starts_with("RUNNER_")
        || k.starts_with("ACTIONS_")
        || k.starts_with("INPUT_")
        || k.starts_with("STATE_")
}

/// The environment of a process in a container: what the runner and the
/// workflow set (never the host's own variables, which `base` holds, unless
/// `declared` names them: the workflow, the step or the action set them),
/// paths translated, `HOME` the container's, and `PATH` the `$GITHUB_PATH`
/// additions before the container's own `PATH`.
pub fn container_env(
    full: &BTreeMap<String, String>,
    base: &BTreeMap<String, String>,
    declared: &std::collections::BTreeSet<String>,
    paths: &PathMap,
    path_prefix: &[String],
    container_path: &str,
    home: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in full {
        let from_host = base.get(k) == Some(v) && !is_runner_var(k) && !declared.contains(k);
        if k == "PATH" || from_host {
            continue;
        }
        if k == "HOME" {
            continue;
        }
        out.push((k.clone(), paths.to_container(v)));
    }
    let user_home = full
        .get("HOME")
        .filter(|h| base.get("HOME") != Some(*h) || declared.contains("HOME"))
        .map(|h| paths.to_container(h));
    out.push((
        "HOME".to_owned(),
        user_home.unwrap_or_else(|| home.to_owned()),
    ));
    let mut parts: Vec<String> = path_prefix.iter().map(|p| paths.to_container(p)).collect();
    if !container_path.is_empty() {
        parts.push(container_path.to_owned());
    }
    out.push(("PATH".to_owned(), parts.join(":")));
    out
}

/// The ports of loopback URLs (`http://127.0.0.1:PORT…`,
/// `http://localhost:PORT…`) in `values`, each once, in order.
pub fn loopback_ports<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<u16> {
    let mut out = Vec::new();
    for v in values {
        for host in ["://127.0.0.1:", "://localhost:"] {
            let mut rest = v;
            while let Some(i) = rest.find(host) {
                rest = &rest[i + host.len()..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(p) = digits.parse::<u16>()
                    && !out.contains(&p)
                {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// `value` with its loopback URLs on relayed ports pointed at the relay:
/// `http://127.0.0.1:PORT` → `http://GATEWAY:RELAY` for each
/// `(PORT, RELAY)` of `relays`.
pub fn rewrite_loopback(value: &str, gateway: &str, relays: &BTreeMap<u16, u16>) -> String {
    if relays.is_empty() || !value.contains("://") {
        return value.to_owned();
    }
    let mut out = value.to_owned();
    for (port, relay) in relays {
        for host in ["127.0.0.1", "localhost"] {
            let from = format!("://{host}:{port}");
            let to = format!("://{gateway}:{relay}");
            let mut result = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(i) = rest.find(&from) {
                let after = &rest[i + from.len()..];
                // Not a longer port number (`:80` in `:8080`).
                if after.starts_with(|c: char| c.is_ascii_digit()) {
                    result.push_str(&rest[..i + from.len()]);
                } else {
                    result.push_str(&rest[..i]);
                    result.push_str(&to);
                }
                rest = after;
            }
            result.push_str(rest);
            out = result;
        }
    }
    out
}

/// A container of a job (`container:` or one of `services:`), evaluated.
/// Its `Debug` hides the registry password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ContainerConfig {
    pub image: String,
    pub credentials: Option<(String, String)>,
    pub env: Vec<(String, String)>,
    /// `ports:` entries as written (numbers as text).
    pub ports: Vec<String>,
    pub volumes: Vec<String>,
    pub options: String,
    pub entrypoint: Option<String>,
    pub command: Option<String>,
}

impl std::fmt::Debug for ContainerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerConfig")
            .field("image", &self.image)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|(u, _)| (u, "***")),
            )
            .field("env", &self.env.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("ports", &self.ports)
            .field("volumes", &self.volumes)
            .field("options", &self.options)
            .field("entrypoint", &self.entrypoint)
            .field("command", &self.command)
            .finish()
    }
}

impl ContainerConfig {
    /// A container given as a value (`services: ${{ fromJSON(…) }}`): an
    /// image name, or an object with the keys of `container:`.
    pub fn from_value(v: &Value, what: &str) -> Result<ContainerConfig, String> {
        if let Some(s) = v.as_str() {
            return Ok(ContainerConfig {
                image: s.to_owned(),
                ..Default::default()
            });
        }
        let Some(o) = v.as_object() else {
            return Err(format!("{what} must be an image name or an object"));
        };
        let text = |key: &str| o.get(key).map(Value::to_display_string);
        let mut c = ContainerConfig {
            image: text("image").unwrap_or_default(),
            options: text("options").unwrap_or_default(),
            entrypoint: text("entrypoint"),
            command: text("command"),
            ..Default::default()
        };
        if let Some(env) = o.get("env").and_then(Value::as_object) {
            c.env = env
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_display_string()))
                .collect();
        }
        for (key, into) in [("ports", &mut c.ports), ("volumes", &mut c.volumes)] {
            if let Some(items) = o.get(key) {
                match items {
                    Value::Array(a) => into.extend(a.iter().map(Value::to_display_string)),
                    _ => return Err(format!("`{key}` of {what} must be a list")),
                }
            }
        }
        if let Some(cred) = o.get("credentials").and_then(Value::as_object) {
            let field = |k: &str| {
                cred.get(k)
                    .map(Value::to_display_string)
                    .unwrap_or_default()
            };
            c.credentials = Some((field("username"), field("password")));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_missing_socket_is_unreachable() {
        let mut env = BTreeMap::new();
        env.insert(
            "DOCKER_HOST".to_owned(),
            "unix:///nonexistent/docker.sock".to_owned(),
        );
        assert!(matches!(probe(&env), Engine::Unreachable(_)));
        env.insert("DOCKER_HOST".to_owned(), "tcp://10.0.0.1:2375".to_owned());
        assert!(matches!(probe(&env), Engine::Reachable(_)));
    }

    #[test]
    fn container_jobs_fail_clearly_and_an_empty_image_is_no_container() {
        let none = Engine::Unreachable("no socket".into());
        let c = JobContainers {
            image: Some("node:20".into()),
            services: Some(vec!["redis".into(), "postgres".into()]),
        };
        let m = decide_job(&none, &c).unwrap_err();
        assert!(m.contains("container `node:20`"), "{m}");
        assert!(m.contains("redis, postgres"), "{m}");
        assert!(m.contains("a Docker engine is needed"), "{m}");
        assert!(m.contains("--skip-container-jobs"), "{m}");
        let host_only = JobContainers {
            image: None,
            services: Some(Vec::new()),
        };
        assert_eq!(decide_job(&none, &host_only), Ok(()));
        let dynamic = JobContainers {
            image: None,
            services: None,
        };
        assert!(
            decide_job(&none, &dynamic)
                .unwrap_err()
                .contains("service containers")
        );
        assert_eq!(
            decide_job(&Engine::Reachable("unix:///s".into()), &c),
            Ok(())
        );
    }

    #[test]
    fn paths_translate_at_component_boundaries_longest_first() {
        let mut m = PathMap::default();
        m.add("/w/job/workspace", "/__w/r/r");
        m.add("/w/job/temp", "/__w/_temp");
        m.add("/w/job/temp/_github_home/", "/github/home");
        assert_eq!(m.to_container("/w/job/workspace"), "/__w/r/r");
        assert_eq!(
            m.to_container("/w/job/workspace/src/a.py"),
            "/__w/r/r/src/a.py"
        );
        assert_eq!(m.to_container("/w/job/workspace2"), "/w/job/workspace2");
        assert_eq!(
            m.to_container("/w/job/temp/_github_home/.npmrc"),
            "/github/home/.npmrc"
        );
        assert_eq!(m.to_container("/w/job/temp/x"), "/__w/_temp/x");
        assert_eq!(m.to_container("relative"), "relative");
    }

    #[test]
    fn loopback_service_urls_are_found_and_pointed_at_the_relays() {
        let env = [
            "http://127.0.0.1:40001/",
            "http://127.0.0.1:40001",
            "https://api.github.com",
            "see http://localhost:3000/x and http://127.0.0.1:40001/y",
        ];
        assert_eq!(loopback_ports(env), vec![40001, 3000]);
        let relays = BTreeMap::from([(40001, 50002)]);
        assert_eq!(
            rewrite_loopback("http://127.0.0.1:40001/", "172.18.0.1", &relays),
            "http://172.18.0.1:50002/"
        );
        assert_eq!(
            rewrite_loopback("http://localhost:40001/_apis", "172.18.0.1", &relays),
            "http://172.18.0.1:50002/_apis"
        );
        // Other ports, and longer numbers starting alike, are left.
        assert_eq!(
            rewrite_loopback(
                "http://127.0.0.1:400012/ http://127.0.0.1:3000",
                "g",
                &relays
            ),
            "http://127.0.0.1:400012/ http://127.0.0.1:3000"
        );
    }

    #[test]
    fn container_paths_translate_back_to_the_host() {
        let mut m = PathMap::default();
        m.add("/w/job/workspace", "/__w/r/r");
        m.add("/w/job/temp", "/__w/_temp");
        m.add("/w/job/temp/_github_home", "/github/home");
        assert_eq!(m.to_host("/__w/r/r/dist"), "/w/job/workspace/dist");
        assert_eq!(
            m.to_host("/github/home/.npm"),
            "/w/job/temp/_github_home/.npm"
        );
        assert_eq!(m.to_host("/__w/_temp/x"), "/w/job/temp/x");
        assert_eq!(m.to_host("/__w/rr"), "/__w/rr");
        assert_eq!(m.to_host("dist"), "dist");
        for p in ["/w/job/workspace/a", "/w/job/temp/_github_home/b"] {
            assert_eq!(m.to_host(&m.to_container(p)), p);
        }
    }

    #[test]
    fn container_env_drops_the_hosts_variables_and_rebuilds_path_and_home() {
        let base: BTreeMap<String, String> = [
            ("PATH", "/usr/bin"),
            ("HOME", "/root"),
            ("SSH_AUTH_SOCK", "/tmp/agent"),
            ("GITHUB_WORKSPACE", "/w/ws"),
            ("CI", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let mut base = base;
        base.insert("LANG".into(), "C.UTF-8".into());
        let mut full = base.clone();
        full.insert("MY_VAR".into(), "/w/ws/out".into());
        full.insert("INPUT_NAME".into(), "x".into());
        let mut m = PathMap::default();
        m.add("/w/ws", "/github/workspace");
        // The workflow sets LANG to what the host has: it still counts.
        let declared = std::collections::BTreeSet::from(["LANG".to_owned(), "MY_VAR".to_owned()]);
        let env: BTreeMap<String, String> = container_env(
            &full,
            &base,
            &declared,
            &m,
            &["/w/ws/bin".to_owned()],
            "/usr/local/bin:/bin",
            "/github/home",
        )
        .into_iter()
        .collect();
        assert!(!env.contains_key("SSH_AUTH_SOCK"), "{env:?}");
        assert_eq!(env["LANG"], "C.UTF-8");
        assert_eq!(env["GITHUB_WORKSPACE"], "/github/workspace");
        assert_eq!(env["MY_VAR"], "/github/workspace/out");
        assert_eq!(env["CI"], "true");
        assert_eq!(env["INPUT_NAME"], "x");
        assert_eq!(env["HOME"], "/github/home");
        assert_eq!(env["PATH"], "/github/workspace/bin:/usr/local/bin:/bin");
    }

    #[test]
    fn services_from_an_expression_value() {
        let v = Value::from_json(&serde_json::json!({
            "image": "redis:7",
            "ports": [6379, "8080:80"],
            "env": {"A": 1},
            "options": "--health-cmd true",
            "credentials": {"username": "u", "password": "p"}
        }));
        let c = ContainerConfig::from_value(&v, "service `redis`").unwrap();
        assert_eq!(c.image, "redis:7");
        assert_eq!(c.ports, vec!["6379", "8080:80"]);
        assert_eq!(c.env, vec![("A".to_owned(), "1".to_owned())]);
        assert_eq!(c.credentials, Some(("u".into(), "p".into())));
        let s = ContainerConfig::from_value(&Value::from("nginx"), "x").unwrap();
        assert_eq!(s.image, "nginx");
        assert!(ContainerConfig::from_value(&Value::Bool(true), "service `x`").is_err());
    }
}
