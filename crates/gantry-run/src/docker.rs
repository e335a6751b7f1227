//! Docker actions (`docker://image`, `runs.using: docker`): whether a step
//! that needs a container engine can run here. The decision is a pure
//! function of what [`probe`] found, so it is tested without a daemon.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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

/// What a Docker step does here: the error it fails with. `what` names the
/// action (`docker://alpine:3`, `owner/repo@v1`).
pub fn decide(engine: &Engine, what: &str) -> Result<(), String> {
    match engine {
        Engine::Unreachable(why) => Err(format!(
            "`{what}` is a Docker container action: a Docker engine is needed for this step, and none is reachable ({why})"
        )),
        Engine::Reachable(at) => Err(format!(
            "`{what}` is a Docker container action: this version of gantry does not run containers yet (an engine is reachable at {at})"
        )),
    }
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
/// error it fails with when it cannot, naming `--skip-container-jobs`.
pub fn decide_job(engine: &Engine, containers: &JobContainers) -> Result<(), String> {
    if containers.is_empty() {
        return Ok(());
    }
    let what = containers.describe();
    let why = match engine {
        Engine::Unreachable(why) => {
            format!("a Docker engine is needed, and none is reachable ({why})")
        }
        Engine::Reachable(at) => format!(
            "this version of gantry does not run containers yet (an engine is reachable at {at})"
        ),
    };
    Err(format!(
        "{what}: {why}; --skip-container-jobs skips such jobs instead"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_engine_fails_clearly() {
        let e = Engine::Unreachable("no socket".into());
        let m = decide(&e, "docker://alpine:3").unwrap_err();
        assert!(m.contains("a Docker engine is needed"), "{m}");
        assert!(m.contains("docker://alpine:3"), "{m}");
    }

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
    fn reachable_engine_is_reported() {
        let m = decide(&Engine::Reachable("unix:///s".into()), "o/r@v1").unwrap_err();
        assert!(m.contains("unix:///s"), "{m}");
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
    }
}
