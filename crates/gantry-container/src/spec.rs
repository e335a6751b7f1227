//! What a container is to be, as data, and its translation into the
//! engine's create request, tested without a daemon. Pure but for `-e NAME`
//! without a value in `options:`, which takes gantry's own variable (as
//! `docker create` takes the variable of the process that runs it).

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, DeviceMapping, EndpointSettings, HealthConfig, HostConfig,
    HostConfigCgroupnsModeEnum, HostConfigLogConfig, NetworkingConfig, PortBinding,
    ResourcesUlimits,
};

use crate::options::CreateOptions;
use crate::ports::PortMapping;

/// A bind mount: a host path at a container path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    pub host: String,
    pub container: String,
    pub read_only: bool,
}

impl Bind {
    pub fn new(host: impl Into<String>, container: impl Into<String>) -> Bind {
        Bind {
            host: host.into(),
            container: container.into(),
            read_only: false,
        }
    }

    fn to_engine(&self) -> String {
        if self.read_only {
            format!("{}:{}:ro", self.host, self.container)
        } else {
            format!("{}:{}", self.host, self.container)
        }
    }
}

/// A container to create.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerSpec {
    /// The container's name (unique on the engine).
    pub name: String,
    pub image: String,
    /// The environment, in order (later wins).
    pub env: Vec<(String, String)>,
    /// `Cmd` (`None`: the image's).
    pub cmd: Option<Vec<String>>,
    /// `Entrypoint` (`None`: the image's).
    pub entrypoint: Option<Vec<String>>,
    pub workdir: Option<String>,
    pub binds: Vec<Bind>,
    /// `volumes:` as written (`source:target`, `name:target`, `/path`).
    pub volumes: Vec<String>,
    /// The network to join, and the names it is known by there.
    pub network: Option<String>,
    pub aliases: Vec<String>,
    pub ports: Vec<PortMapping>,
    /// The `options:` of the workflow file.
    pub options: CreateOptions,
    pub labels: Vec<(String, String)>,
}

/// Nanoseconds, as the engine counts durations.
fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// The engine's create request for `spec`.
pub fn create_body(spec: &ContainerSpec) -> ContainerCreateBody {
    let o = &spec.options;
    let mut env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    env.extend(o.env.iter().map(|(k, v)| format!("{k}={v}")));
    env.extend(
        o.env_from_host
            .iter()
            .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}"))),
    );
    // `volumes:` and `-v`: `source:target[:mode]` binds or named volumes;
    // a lone path is an anonymous volume.
    let mut binds: Vec<String> = spec.binds.iter().map(Bind::to_engine).collect();
    let mut anonymous = Vec::new();
    for v in spec.volumes.iter().chain(&o.volumes) {
        if v.contains(':') {
            binds.push(v.clone());
        } else {
            anonymous.push(v.clone());
        }
    }
    let mut port_bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    let mut exposed = Vec::new();
    // `--expose 80`, `--expose 7000-7002/udp`.
    for e in &o.expose {
        let (ports, proto) = e.split_once('/').unwrap_or((e, "tcp"));
        let (first, last) = ports.split_once('-').unwrap_or((ports, ports));
        if let (Ok(a), Ok(b)) = (first.parse::<u16>(), last.parse::<u16>()) {
            for p in a..=b.max(a) {
                exposed.push(format!("{p}/{proto}"));
            }
        }
    }
    let mode = |name: &str| {
        o.modes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    for p in &spec.ports {
        let key = p.container_key();
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        port_bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: p.host_ip.clone(),
                host_port: Some(p.host_port.map(|h| h.to_string()).unwrap_or_default()),
            });
    }
    let health = &o.health;
    let healthcheck = if health.disabled {
        Some(HealthConfig {
            test: Some(vec!["NONE".to_owned()]),
            ..Default::default()
        })
    } else if health.cmd.is_some()
        || health.interval.is_some()
        || health.timeout.is_some()
        || health.retries.is_some()
        || health.start_period.is_some()
    {
        Some(HealthConfig {
            test: health
                .cmd
                .as_ref()
                .map(|c| vec!["CMD-SHELL".to_owned(), c.clone()]),
            interval: health.interval.map(nanos),
            timeout: health.timeout.map(nanos),
            retries: health.retries.map(i64::from),
            start_period: health.start_period.map(nanos),
            start_interval: None,
        })
    } else {
        None
    };
    let mut aliases = spec.aliases.clone();
    aliases.extend(o.network_aliases.iter().cloned());
    let networking_config = spec.network.as_ref().map(|n| NetworkingConfig {
        endpoints_config: Some(HashMap::from([(
            n.clone(),
            EndpointSettings {
                aliases: non_empty(aliases),
                ..Default::default()
            },
        )])),
    });
    let entrypoint = match &o.entrypoint {
        Some(e) => Some(vec![e.clone()]),
        None => spec.entrypoint.clone(),
    };
    let mut labels: HashMap<String, String> = spec.labels.iter().cloned().collect();
    labels.extend(o.labels.iter().cloned());
    let host_config = HostConfig {
        binds: non_empty(binds),
        network_mode: spec.network.clone(),
        port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
        privileged: o.privileged.then_some(true),
        init: o.init.then_some(true),
        readonly_rootfs: o.read_only.then_some(true),
        nano_cpus: o.nano_cpus,
        memory: o.memory,
        memory_swap: o.memory_swap,
        shm_size: o.shm_size,
        tmpfs: (!o.tmpfs.is_empty()).then(|| o.tmpfs.iter().cloned().collect()),
        cap_add: non_empty(o.cap_add.clone()),
        cap_drop: non_empty(o.cap_drop.clone()),
        extra_hosts: non_empty(o.add_hosts.clone()),
        dns: non_empty(o.dns.clone()),
        devices: non_empty(
            o.devices
                .iter()
                .map(|d| {
                    let mut parts = d.splitn(3, ':');
                    let host = parts.next().unwrap_or_default().to_owned();
                    let inside = parts.next().map_or_else(|| host.clone(), str::to_owned);
                    let perms = parts.next().unwrap_or("rwm").to_owned();
                    DeviceMapping {
                        path_on_host: Some(host),
                        path_in_container: Some(inside),
                        cgroup_permissions: Some(perms),
                    }
                })
                .collect(),
        ),
        security_opt: non_empty(o.security_opt.clone()),
        ulimits: non_empty(
            o.ulimits
                .iter()
                .map(|(name, soft, hard)| ResourcesUlimits {
                    name: Some(name.clone()),
                    soft: Some(*soft),
                    hard: Some(*hard),
                })
                .collect(),
        ),
        sysctls: (!o.sysctls.is_empty()).then(|| o.sysctls.iter().cloned().collect()),
        group_add: non_empty(o.group_add.clone()),
        ipc_mode: mode("ipc"),
        pid_mode: mode("pid"),
        uts_mode: mode("uts"),
        userns_mode: mode("userns"),
        cgroupns_mode: mode("cgroupns").and_then(|m| match m.as_str() {
            "host" => Some(HostConfigCgroupnsModeEnum::HOST),
            "private" => Some(HostConfigCgroupnsModeEnum::PRIVATE),
            _ => None,
        }),
        runtime: mode("runtime"),
        cpu_shares: o.cpu_shares,
        cpu_period: o.cpu_period,
        cpu_quota: o.cpu_quota,
        cpuset_cpus: o.cpuset_cpus.clone(),
        cpuset_mems: o.cpuset_mems.clone(),
        pids_limit: o.pids_limit,
        memory_reservation: o.memory_reservation,
        oom_kill_disable: o.oom_kill_disable.then_some(true),
        device_cgroup_rules: non_empty(o.device_cgroup_rules.clone()),
        log_config: o.log_driver.as_ref().map(|driver| HostConfigLogConfig {
            typ: Some(driver.clone()),
            config: (!o.log_opts.is_empty()).then(|| o.log_opts.iter().cloned().collect()),
        }),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        env: non_empty(env),
        cmd: spec.cmd.clone(),
        entrypoint,
        working_dir: o.workdir.clone().or_else(|| spec.workdir.clone()),
        user: o.user.clone(),
        hostname: o.hostname.clone(),
        domainname: o.domainname.clone(),
        labels: (!labels.is_empty()).then_some(labels),
        exposed_ports: non_empty(exposed),
        volumes: non_empty(anonymous),
        healthcheck,
        stop_signal: o.stop_signal.clone(),
        stop_timeout: o.stop_timeout,
        host_config: Some(host_config),
        networking_config,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn service() -> ContainerSpec {
        ContainerSpec {
            name: "gantry-1-redis".into(),
            image: "redis:7".into(),
            env: vec![("A".into(), "1".into())],
            network: Some("gantry-net".into()),
            aliases: vec!["redis".into()],
            ports: vec![crate::ports::parse("6379").unwrap()],
            options: crate::options::parse(
                "--health-cmd \"redis-cli ping\" --health-interval 10s --health-retries 5 -e B=2 --cpus 1.5",
            )
            .unwrap(),
            binds: vec![Bind::new("/host/w", "/__w")],
            ..Default::default()
        }
    }

    #[test]
    fn a_service_with_health_options_becomes_the_engines_request() {
        let body = create_body(&service());
        assert_eq!(body.image.as_deref(), Some("redis:7"));
        assert_eq!(body.env.unwrap(), vec!["A=1".to_owned(), "B=2".to_owned()]);
        let h = body.healthcheck.unwrap();
        assert_eq!(
            h.test.unwrap(),
            vec!["CMD-SHELL".to_owned(), "redis-cli ping".to_owned()]
        );
        assert_eq!(h.interval, Some(10_000_000_000));
        assert_eq!(h.retries, Some(5));
        let hc = body.host_config.unwrap();
        assert_eq!(hc.nano_cpus, Some(1_500_000_000));
        assert_eq!(hc.network_mode.as_deref(), Some("gantry-net"));
        assert_eq!(hc.binds.unwrap(), vec!["/host/w:/__w".to_owned()]);
        let ports = hc.port_bindings.unwrap();
        let b = ports.get("6379/tcp").unwrap().as_ref().unwrap();
        assert_eq!(b[0].host_port.as_deref(), Some(""), "an engine-chosen port");
        assert_eq!(body.exposed_ports.unwrap(), vec!["6379/tcp".to_owned()]);
        let ep = body.networking_config.unwrap().endpoints_config.unwrap();
        assert_eq!(
            ep.get("gantry-net").unwrap().aliases.as_deref(),
            Some(&["redis".to_owned()][..])
        );
    }

    #[test]
    fn no_healthcheck_and_read_only_binds() {
        let mut s = service();
        s.options = crate::options::parse("--no-healthcheck").unwrap();
        s.binds = vec![Bind {
            read_only: true,
            ..Bind::new("/a", "/b")
        }];
        let body = create_body(&s);
        assert_eq!(body.healthcheck.unwrap().test.unwrap(), vec!["NONE"]);
        assert_eq!(body.host_config.unwrap().binds.unwrap(), vec!["/a:/b:ro"]);
        s.volumes = vec!["data:/data".into(), "/cache".into()];
        let body = create_body(&s);
        assert_eq!(body.volumes.unwrap(), vec!["/cache"]);
        assert_eq!(
            body.host_config.unwrap().binds.unwrap(),
            vec!["/a:/b:ro", "data:/data"]
        );
    }

    #[test]
    fn gpu_style_options_reach_the_host_config() {
        let mut s = service();
        s.options = crate::options::parse(
            "--device=/dev/kfd --group-add video --ipc=host --shm-size 64G --security-opt seccomp=unconfined --cpu-shares 512 --pids-limit 100 --log-driver json-file --log-opt max-size=1m --expose 7000-7001 --restart always",
        )
        .unwrap();
        assert_eq!(s.options.unapplied, vec!["--restart always"]);
        let body = create_body(&s);
        let hc = body.host_config.unwrap();
        assert_eq!(hc.group_add.unwrap(), vec!["video"]);
        assert_eq!(hc.ipc_mode.as_deref(), Some("host"));
        assert_eq!(hc.shm_size, Some(64 << 30));
        assert_eq!(hc.cpu_shares, Some(512));
        assert_eq!(hc.pids_limit, Some(100));
        assert_eq!(
            hc.devices.unwrap()[0].path_in_container.as_deref(),
            Some("/dev/kfd")
        );
        let log = hc.log_config.unwrap();
        assert_eq!(log.typ.as_deref(), Some("json-file"));
        assert_eq!(log.config.unwrap()["max-size"], "1m");
        let exposed = body.exposed_ports.unwrap();
        assert!(
            exposed.contains(&"7000/tcp".to_owned()) && exposed.contains(&"7001/tcp".to_owned())
        );
    }

    #[test]
    fn options_entrypoint_and_workdir_win_over_the_runners() {
        let mut s = service();
        s.entrypoint = Some(vec!["tail".into(), "-f".into(), "/dev/null".into()]);
        s.workdir = Some("/__w/r/r".into());
        s.options = crate::options::parse("--entrypoint /bin/sh -w /tmp").unwrap();
        let body = create_body(&s);
        assert_eq!(body.entrypoint.unwrap(), vec!["/bin/sh"]);
        assert_eq!(body.working_dir.as_deref(), Some("/tmp"));
    }
}
