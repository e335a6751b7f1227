//! The `options:` string of a job's `container:` or of a `services:` entry.
//!
//! GitHub documents it as "additional Docker container resource options"
//! taken from `docker create`, with `--network` excluded. Gantry accepts the
//! subset of those flags it can honour through the engine API and rejects
//! everything else by name, so nothing is silently dropped: a flag is either
//! applied, listed in [`CreateOptions::ignored`] (accepted, deliberately
//! without effect), or an error.
//!
//! Also here: [`split_words`] (shell-like word splitting, also used for a
//! Docker action's `args:`), [`parse_duration`] (Go's `time.ParseDuration`,
//! as the `--health-*` flags take) and [`parse_bytes`] (Docker's sizes, as
//! `--memory` takes).

use std::net::IpAddr;
use std::time::Duration;

/// Splits `s` into words the way a POSIX shell would, without expansions.
///
/// - whitespace (spaces, tabs, newlines) separates words;
/// - inside single quotes every character is literal;
/// - inside double quotes a backslash escapes `"`, `\`, `$` and `` ` ``
///   (before any other character it stays a backslash), and a
///   backslash-newline is removed;
/// - outside quotes a backslash escapes the next character, and a
///   backslash-newline is a line continuation (both are removed);
/// - quotes join with what touches them (`a'b c'd` is one word `ab cd`),
///   and `''` is an empty word.
///
/// An unterminated quote or a trailing lone backslash is an error.
pub fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, c)) => word.push(c),
                        None => {
                            return Err(format!(
                                "a single quote is never closed: `{}`",
                                excerpt(&s[at..])
                            ));
                        }
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.peek() {
                            Some(&(_, e @ ('"' | '\\' | '$' | '`'))) => {
                                word.push(e);
                                chars.next();
                            }
                            Some(&(_, '\n')) => {
                                chars.next();
                            }
                            _ => word.push('\\'),
                        },
                        Some((_, c)) => word.push(c),
                        None => {
                            return Err(format!(
                                "a double quote is never closed: `{}`",
                                excerpt(&s[at..])
                            ));
                        }
                    }
                }
            }
            '\\' => match chars.next() {
                Some((_, '\n')) => {}
                Some((_, e)) => {
                    word.push(e);
                    in_word = true;
                }
                None => {
                    return Err(format!(
                        "`{}` ends with a backslash that escapes nothing",
                        excerpt_end(s)
                    ));
                }
            },
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// At most 40 characters from the start of `s`, for error messages.
fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

/// At most 40 characters from the end of `s`, for error messages.
fn excerpt_end(s: &str) -> String {
    const MAX: usize = 40;
    let count = s.chars().count();
    if count <= MAX {
        s.to_string()
    } else {
        let mut out = String::from("…");
        out.extend(s.chars().skip(count - MAX));
        out
    }
}

/// The `--health-*` flags and `--no-healthcheck`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Health {
    /// `--health-cmd`: a shell command (the engine runs it as `CMD-SHELL`).
    pub cmd: Option<String>,
    /// `--health-interval`.
    pub interval: Option<Duration>,
    /// `--health-timeout`.
    pub timeout: Option<Duration>,
    /// `--health-retries`.
    pub retries: Option<u32>,
    /// `--health-start-period`.
    pub start_period: Option<Duration>,
    /// `--no-healthcheck`: disables the image's own health check.
    pub disabled: bool,
}

impl Health {
    /// Whether a health command is set (and not disabled).
    pub fn is_set(&self) -> bool {
        self.cmd.is_some() && !self.disabled
    }

    fn any_flag(&self) -> bool {
        self.cmd.is_some()
            || self.interval.is_some()
            || self.timeout.is_some()
            || self.retries.is_some()
            || self.start_period.is_some()
    }
}

/// What the flags of an `options:` string ask for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateOptions {
    /// `-e`/`--env NAME=VALUE`, in order.
    pub env: Vec<(String, String)>,
    /// `-e NAME` without `=`: docker copies the variable from the caller's
    /// environment (or leaves it unset). Only listed here, not in `env`.
    pub env_from_host: Vec<String>,
    /// `-u`/`--user`.
    pub user: Option<String>,
    /// `-w`/`--workdir`.
    pub workdir: Option<String>,
    /// `-h`/`--hostname`.
    pub hostname: Option<String>,
    /// `--entrypoint` (may be empty: resets the image's entrypoint).
    pub entrypoint: Option<String>,
    /// `--privileged`.
    pub privileged: bool,
    /// `--init`.
    pub init: bool,
    /// `--read-only`.
    pub read_only: bool,
    /// `--cpus`, in billionths of a CPU (`1.5` → `1_500_000_000`).
    pub nano_cpus: Option<i64>,
    /// `-m`/`--memory`, in bytes.
    pub memory: Option<i64>,
    /// `--memory-swap`, in bytes; `-1` for unlimited.
    pub memory_swap: Option<i64>,
    /// `--shm-size`, in bytes.
    pub shm_size: Option<i64>,
    /// `-v`/`--volume`, as written.
    pub volumes: Vec<String>,
    /// `--tmpfs /path[:options]` → `(path, options)`.
    pub tmpfs: Vec<(String, String)>,
    /// `--cap-add`.
    pub cap_add: Vec<String>,
    /// `--cap-drop`.
    pub cap_drop: Vec<String>,
    /// `--add-host`, normalised to `host:ip` (docker also takes `host=ip`
    /// and a bracketed IPv6 address).
    pub add_hosts: Vec<String>,
    /// `--dns`.
    pub dns: Vec<String>,
    /// `--device`.
    pub devices: Vec<String>,
    /// `--security-opt`.
    pub security_opt: Vec<String>,
    /// `--ulimit name=soft[:hard]` → `(name, soft, hard)`.
    pub ulimits: Vec<(String, i64, i64)>,
    /// `--sysctl name=value`.
    pub sysctls: Vec<(String, String)>,
    /// `-p`/`--publish`, as written (see [`crate::ports::parse`]).
    pub ports: Vec<String>,
    /// `-l`/`--label name[=value]`.
    pub labels: Vec<(String, String)>,
    /// `--network-alias` (or its old name `--net-alias`).
    pub network_aliases: Vec<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// `--stop-signal`.
    pub stop_signal: Option<String>,
    /// `--stop-timeout`, in seconds.
    pub stop_timeout: Option<i64>,
    /// `--gpus`, as written.
    pub gpus: Option<String>,
    /// The `--health-*` flags and `--no-healthcheck`.
    pub health: Health,
    /// `--group-add`.
    pub group_add: Vec<String>,
    /// Namespace and runtime modes: `--ipc`, `--pid`, `--uts`, `--userns`,
    /// `--cgroupns`, `--runtime`, by the flag's name.
    pub modes: Vec<(String, String)>,
    /// `-c`/`--cpu-shares`.
    pub cpu_shares: Option<i64>,
    /// `--cpu-period` and `--cpu-quota`, in microseconds.
    pub cpu_period: Option<i64>,
    pub cpu_quota: Option<i64>,
    /// `--cpuset-cpus`, `--cpuset-mems`.
    pub cpuset_cpus: Option<String>,
    pub cpuset_mems: Option<String>,
    /// `--pids-limit`.
    pub pids_limit: Option<i64>,
    /// `--memory-reservation`, bytes.
    pub memory_reservation: Option<i64>,
    /// `--oom-kill-disable`.
    pub oom_kill_disable: bool,
    /// `--device-cgroup-rule`.
    pub device_cgroup_rules: Vec<String>,
    /// `--expose` (ports or ranges, as written).
    pub expose: Vec<String>,
    /// `--domainname`, `--mac-address`.
    pub domainname: Option<String>,
    pub mac_address: Option<String>,
    /// `--log-driver` and `--log-opt key=value`.
    pub log_driver: Option<String>,
    pub log_opts: Vec<(String, String)>,
    /// Valid `docker create` flags that gantry does not apply (`--restart`,
    /// `--mount`, `--env-file`, `--ip`, …), as written with their values,
    /// in order. The caller warns; `gantry check` does not report them, as
    /// GitHub runs them.
    pub unapplied: Vec<String>,
    /// Flags accepted but deliberately without effect (`--rm`,
    /// `-i`/`--interactive`, `-t`/`--tty`, `-d`/`--detach`), spelled as
    /// written, in order; only those set to true. The caller warns.
    pub ignored: Vec<String>,
}

/// Which option a flag sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setting {
    Env,
    User,
    Workdir,
    Hostname,
    Entrypoint,
    Privileged,
    Init,
    ReadOnly,
    Cpus,
    Memory,
    MemorySwap,
    ShmSize,
    Volume,
    Tmpfs,
    CapAdd,
    CapDrop,
    AddHost,
    Dns,
    Device,
    SecurityOpt,
    Ulimit,
    Sysctl,
    Publish,
    Label,
    NetworkAlias,
    Platform,
    StopSignal,
    StopTimeout,
    Gpus,
    HealthCmd,
    HealthInterval,
    HealthTimeout,
    HealthRetries,
    HealthStartPeriod,
    NoHealthcheck,
    Rm,
    Interactive,
    Tty,
    Detach,
    GroupAdd,
    Mode,
    CpuShares,
    CpuPeriod,
    CpuQuota,
    CpusetCpus,
    CpusetMems,
    PidsLimit,
    MemoryReservation,
    OomKillDisable,
    DeviceCgroupRule,
    Expose,
    Domainname,
    MacAddress,
    LogDriver,
    LogOpt,
    /// A valid flag with a value that gantry does not apply.
    Unapplied,
    /// A valid boolean flag that gantry does not apply.
    UnappliedBool,
}

impl Setting {
    /// Whether the flag is a boolean (takes no value unless `=true|false`).
    fn is_bool(self) -> bool {
        matches!(
            self,
            Setting::Privileged
                | Setting::Init
                | Setting::ReadOnly
                | Setting::NoHealthcheck
                | Setting::Rm
                | Setting::Interactive
                | Setting::Tty
                | Setting::Detach
                | Setting::OomKillDisable
                | Setting::UnappliedBool
        )
    }
}

/// A flag gantry supports: its long names (the first is docker's current
/// one) and its one-letter shorthand.
struct Flag {
    names: &'static [&'static str],
    short: Option<char>,
    opt: Setting,
}

const fn flag(names: &'static [&'static str], short: Option<char>, opt: Setting) -> Flag {
    Flag { names, short, opt }
}

const FLAGS: &[Flag] = &[
    flag(&["env"], Some('e'), Setting::Env),
    flag(&["user"], Some('u'), Setting::User),
    flag(&["workdir"], Some('w'), Setting::Workdir),
    flag(&["hostname"], Some('h'), Setting::Hostname),
    flag(&["entrypoint"], None, Setting::Entrypoint),
    flag(&["privileged"], None, Setting::Privileged),
    flag(&["init"], None, Setting::Init),
    flag(&["read-only"], None, Setting::ReadOnly),
    flag(&["cpus"], None, Setting::Cpus),
    flag(&["memory"], Some('m'), Setting::Memory),
    flag(&["memory-swap"], None, Setting::MemorySwap),
    flag(&["shm-size"], None, Setting::ShmSize),
    flag(&["volume"], Some('v'), Setting::Volume),
    flag(&["tmpfs"], None, Setting::Tmpfs),
    flag(&["cap-add"], None, Setting::CapAdd),
    flag(&["cap-drop"], None, Setting::CapDrop),
    flag(&["add-host"], None, Setting::AddHost),
    flag(&["dns"], None, Setting::Dns),
    flag(&["device"], None, Setting::Device),
    flag(&["security-opt"], None, Setting::SecurityOpt),
    flag(&["ulimit"], None, Setting::Ulimit),
    flag(&["sysctl"], None, Setting::Sysctl),
    flag(&["publish"], Some('p'), Setting::Publish),
    flag(&["label"], Some('l'), Setting::Label),
    flag(&["network-alias", "net-alias"], None, Setting::NetworkAlias),
    flag(&["platform"], None, Setting::Platform),
    flag(&["stop-signal"], None, Setting::StopSignal),
    flag(&["stop-timeout"], None, Setting::StopTimeout),
    flag(&["gpus"], None, Setting::Gpus),
    flag(&["health-cmd"], None, Setting::HealthCmd),
    flag(&["health-interval"], None, Setting::HealthInterval),
    flag(&["health-timeout"], None, Setting::HealthTimeout),
    flag(&["health-retries"], None, Setting::HealthRetries),
    flag(&["health-start-period"], None, Setting::HealthStartPeriod),
    flag(&["no-healthcheck"], None, Setting::NoHealthcheck),
    flag(&["rm"], None, Setting::Rm),
    flag(&["interactive"], Some('i'), Setting::Interactive),
    flag(&["tty"], Some('t'), Setting::Tty),
    flag(&["detach"], Some('d'), Setting::Detach),
    flag(&["group-add"], None, Setting::GroupAdd),
    flag(&["ipc"], None, Setting::Mode),
    flag(&["pid"], None, Setting::Mode),
    flag(&["uts"], None, Setting::Mode),
    flag(&["userns"], None, Setting::Mode),
    flag(&["cgroupns"], None, Setting::Mode),
    flag(&["runtime"], None, Setting::Mode),
    flag(&["cpu-shares"], Some('c'), Setting::CpuShares),
    flag(&["cpu-period"], None, Setting::CpuPeriod),
    flag(&["cpu-quota"], None, Setting::CpuQuota),
    flag(&["cpuset-cpus"], None, Setting::CpusetCpus),
    flag(&["cpuset-mems"], None, Setting::CpusetMems),
    flag(&["pids-limit"], None, Setting::PidsLimit),
    flag(&["memory-reservation"], None, Setting::MemoryReservation),
    flag(&["oom-kill-disable"], None, Setting::OomKillDisable),
    flag(&["device-cgroup-rule"], None, Setting::DeviceCgroupRule),
    flag(&["expose"], None, Setting::Expose),
    flag(&["domainname"], None, Setting::Domainname),
    flag(&["mac-address"], None, Setting::MacAddress),
    flag(&["log-driver"], None, Setting::LogDriver),
    flag(&["log-opt"], None, Setting::LogOpt),
    // Valid `docker create` flags gantry does not apply (warned about).
    flag(&["restart"], None, Setting::Unapplied),
    flag(&["mount"], None, Setting::Unapplied),
    flag(&["env-file"], None, Setting::Unapplied),
    flag(&["label-file"], None, Setting::Unapplied),
    flag(&["cidfile"], None, Setting::Unapplied),
    flag(&["pull"], None, Setting::Unapplied),
    flag(&["attach"], Some('a'), Setting::Unapplied),
    flag(&["detach-keys"], None, Setting::Unapplied),
    flag(&["blkio-weight"], None, Setting::Unapplied),
    flag(&["blkio-weight-device"], None, Setting::Unapplied),
    flag(&["device-read-bps"], None, Setting::Unapplied),
    flag(&["device-write-bps"], None, Setting::Unapplied),
    flag(&["device-read-iops"], None, Setting::Unapplied),
    flag(&["device-write-iops"], None, Setting::Unapplied),
    flag(&["kernel-memory"], None, Setting::Unapplied),
    flag(&["memory-swappiness"], None, Setting::Unapplied),
    flag(&["cpu-rt-period"], None, Setting::Unapplied),
    flag(&["cpu-rt-runtime"], None, Setting::Unapplied),
    flag(&["oom-score-adj"], None, Setting::Unapplied),
    flag(&["ip"], None, Setting::Unapplied),
    flag(&["ip6"], None, Setting::Unapplied),
    flag(&["link"], None, Setting::Unapplied),
    flag(&["link-local-ip"], None, Setting::Unapplied),
    flag(&["storage-opt"], None, Setting::Unapplied),
    flag(&["volume-driver"], None, Setting::Unapplied),
    flag(&["volumes-from"], None, Setting::Unapplied),
    flag(&["health-start-interval"], None, Setting::Unapplied),
    flag(&["annotation"], None, Setting::Unapplied),
    flag(&["isolation"], None, Setting::Unapplied),
    flag(&["cgroup-parent"], None, Setting::Unapplied),
    flag(&["dns-option", "dns-opt"], None, Setting::Unapplied),
    flag(&["dns-search"], None, Setting::Unapplied),
    flag(&["cpu-count"], None, Setting::Unapplied),
    flag(&["cpu-percent"], None, Setting::Unapplied),
    flag(&["io-maxbandwidth"], None, Setting::Unapplied),
    flag(&["io-maxiops"], None, Setting::Unapplied),
    flag(&["credential-spec"], None, Setting::Unapplied),
    flag(&["publish-all"], Some('P'), Setting::UnappliedBool),
    flag(&["use-api-socket"], None, Setting::UnappliedBool),
    flag(&["quiet"], Some('q'), Setting::UnappliedBool),
    flag(&["sig-proxy"], None, Setting::UnappliedBool),
    flag(&["disable-content-trust"], None, Setting::UnappliedBool),
];

fn unknown(spelled: &str) -> String {
    format!("`{spelled}` is not a `docker create` option")
}

/// The flag named `--name`, or the error for it.
fn lookup_long(name: &str) -> Result<&'static Flag, String> {
    let spelled = format!("--{name}");
    match name {
        "network" | "net" => {
            return Err(format!(
                "`{spelled}` is not supported in `options:`; GitHub creates the job's network itself"
            ));
        }
        "name" => {
            return Err(format!(
                "`{spelled}` is not supported in `options:`; gantry names the job's containers itself"
            ));
        }
        _ => {}
    }
    FLAGS
        .iter()
        .find(|f| f.names.contains(&name))
        .ok_or_else(|| unknown(&spelled))
}

/// The flag with shorthand `-c`, or the error for it.
fn lookup_short(c: char) -> Result<&'static Flag, String> {
    FLAGS
        .iter()
        .find(|f| f.short == Some(c))
        .ok_or_else(|| unknown(&format!("-{c}")))
}

/// A boolean as Go's `strconv.ParseBool` reads it (what docker's CLI takes).
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn bool_value(shown: &str, v: &str) -> Result<bool, String> {
    parse_bool(v).ok_or_else(|| format!("`{shown}`: `{v}` is not `true` or `false`"))
}

/// A value as error messages show it after its flag: `''` when empty.
fn shown_value(v: &str) -> &str {
    if v.is_empty() { "''" } else { v }
}

fn missing_value(spelled: &str) -> String {
    format!("`{spelled}` needs a value")
}

/// Parses the `options:` string of a `container:` or `services:` entry:
/// `docker create` flags, in docker's CLI syntax (`--flag value`,
/// `--flag=value`, `-e VALUE`, `-eVALUE`, `-e=VALUE`, grouped booleans such
/// as `-it`; a boolean takes a value only as `--flag=true|false`).
///
/// Repeated list flags accumulate; a repeated single-valued flag keeps its
/// last value, as docker does.
pub fn parse(options: &str) -> Result<CreateOptions, String> {
    let words = split_words(options)?;
    let mut out = CreateOptions::default();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if let Some(long) = word.strip_prefix("--")
            && !long.is_empty()
        {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let flag = lookup_long(name)?;
            let spelled = format!("--{name}");
            if flag.opt.is_bool() {
                let on = match inline {
                    Some(v) => bool_value(word, v)?,
                    None => true,
                };
                set_bool(&mut out, flag.opt, &spelled, on);
            } else {
                let (value, shown) = match inline {
                    Some(v) => (v, word.clone()),
                    None => {
                        let v = words.get(i).ok_or_else(|| missing_value(&spelled))?;
                        i += 1;
                        (v.as_str(), format!("{word} {}", shown_value(v)))
                    }
                };
                set_value(&mut out, flag.opt, &shown, value)?;
            }
        } else if let Some(group) = word.strip_prefix('-')
            && !group.is_empty()
            && !group.starts_with('-')
        {
            let mut rest = group;
            while let Some(c) = rest.chars().next() {
                rest = &rest[c.len_utf8()..];
                let flag = lookup_short(c)?;
                let spelled = format!("-{c}");
                if flag.opt.is_bool() {
                    if let Some(v) = rest.strip_prefix('=') {
                        let on = bool_value(word, v)?;
                        set_bool(&mut out, flag.opt, &spelled, on);
                        break;
                    }
                    set_bool(&mut out, flag.opt, &spelled, true);
                } else {
                    let (value, shown) = if rest.is_empty() {
                        let v = words.get(i).ok_or_else(|| missing_value(&spelled))?;
                        i += 1;
                        (v.as_str(), format!("{word} {}", shown_value(v)))
                    } else {
                        (rest.strip_prefix('=').unwrap_or(rest), word.clone())
                    };
                    set_value(&mut out, flag.opt, &shown, value)?;
                    break;
                }
            }
        } else {
            return Err(format!(
                "`{word}` is not a flag: `options:` takes only `docker create` flags \
                 (the image goes in `image:`, a command in `command:`)"
            ));
        }
    }
    if out.health.disabled && out.health.any_flag() {
        return Err(
            "`--no-healthcheck` conflicts with the `--health-*` options given with it".to_string(),
        );
    }
    Ok(out)
}

fn set_bool(out: &mut CreateOptions, opt: Setting, spelled: &str, on: bool) {
    match opt {
        Setting::Privileged => out.privileged = on,
        Setting::Init => out.init = on,
        Setting::ReadOnly => out.read_only = on,
        Setting::NoHealthcheck => out.health.disabled = on,
        Setting::OomKillDisable => out.oom_kill_disable = on,
        Setting::UnappliedBool => {
            if on {
                out.unapplied.push(spelled.to_string());
            }
        }
        _ => {
            if on {
                out.ignored.push(spelled.to_string());
            }
        }
    }
}

fn set_value(out: &mut CreateOptions, opt: Setting, shown: &str, v: &str) -> Result<(), String> {
    let at = |e: String| format!("`{shown}`: {e}");
    let non_empty = || {
        if v.is_empty() {
            Err(format!("`{shown}`: the value is empty"))
        } else {
            Ok(v.to_string())
        }
    };
    match opt {
        Setting::Env => match v.split_once('=') {
            Some(("", _)) => return Err(at("the variable name is empty".to_string())),
            Some((name, value)) => out.env.push((name.to_string(), value.to_string())),
            None if v.is_empty() => return Err(at("the variable name is empty".to_string())),
            None => out.env_from_host.push(v.to_string()),
        },
        Setting::User => out.user = Some(v.to_string()),
        Setting::Workdir => out.workdir = Some(v.to_string()),
        Setting::Hostname => out.hostname = Some(v.to_string()),
        Setting::Entrypoint => out.entrypoint = Some(v.to_string()),
        Setting::Cpus => out.nano_cpus = Some(parse_cpus(v).map_err(at)?),
        Setting::Memory => out.memory = Some(parse_bytes(v).map_err(at)?),
        Setting::MemorySwap => {
            out.memory_swap = Some(if v == "-1" {
                -1
            } else {
                parse_bytes(v).map_err(|e| at(format!("{e}, or -1 for unlimited")))?
            });
        }
        Setting::ShmSize => out.shm_size = Some(parse_bytes(v).map_err(at)?),
        Setting::Volume => out.volumes.push(non_empty()?),
        Setting::Tmpfs => {
            let (path, opts) = v.split_once(':').unwrap_or((v, ""));
            if !path.starts_with('/') {
                return Err(at(format!(
                    "`{path}` is not an absolute path (tmpfs takes `/path[:options]`)"
                )));
            }
            out.tmpfs.push((path.to_string(), opts.to_string()));
        }
        Setting::CapAdd => out.cap_add.push(non_empty()?),
        Setting::CapDrop => out.cap_drop.push(non_empty()?),
        Setting::AddHost => out.add_hosts.push(parse_add_host(v).map_err(at)?),
        Setting::Dns => out.dns.push(non_empty()?),
        Setting::Device => out.devices.push(non_empty()?),
        Setting::SecurityOpt => out.security_opt.push(non_empty()?),
        Setting::Ulimit => out.ulimits.push(parse_ulimit(v).map_err(at)?),
        Setting::Sysctl => match v.split_once('=') {
            Some((name, value)) if !name.is_empty() => {
                out.sysctls.push((name.to_string(), value.to_string()));
            }
            _ => return Err(at(format!("`{v}` is not `name=value`"))),
        },
        Setting::Publish => out.ports.push(non_empty()?),
        Setting::Label => {
            let (name, value) = v.split_once('=').unwrap_or((v, ""));
            if name.is_empty() {
                return Err(at("the label name is empty".to_string()));
            }
            out.labels.push((name.to_string(), value.to_string()));
        }
        Setting::NetworkAlias => out.network_aliases.push(non_empty()?),
        Setting::Platform => out.platform = Some(non_empty()?),
        Setting::StopSignal => out.stop_signal = Some(non_empty()?),
        Setting::StopTimeout => {
            let secs = v
                .parse::<i64>()
                .map_err(|_| at(format!("`{v}` is not a whole number of seconds")))?;
            out.stop_timeout = Some(secs);
        }
        Setting::Gpus => out.gpus = Some(non_empty()?),
        Setting::HealthCmd => out.health.cmd = Some(v.to_string()),
        Setting::HealthInterval => out.health.interval = Some(health_duration(v).map_err(at)?),
        Setting::HealthTimeout => out.health.timeout = Some(health_duration(v).map_err(at)?),
        Setting::HealthStartPeriod => {
            out.health.start_period = Some(health_duration(v).map_err(at)?);
        }
        Setting::HealthRetries => {
            let n = v.parse::<u32>().map_err(|_| {
                at(format!(
                    "`{v}` is not a number of retries (a whole number, 0 or more)"
                ))
            })?;
            out.health.retries = Some(n);
        }
        Setting::GroupAdd => out.group_add.push(non_empty()?),
        Setting::Mode => {
            let name = shown
                .trim_start_matches('-')
                .split(['=', ' '])
                .next()
                .unwrap_or_default()
                .to_string();
            out.modes.push((name, non_empty()?));
        }
        Setting::CpuShares => out.cpu_shares = Some(whole(v).map_err(at)?),
        Setting::CpuPeriod => out.cpu_period = Some(whole(v).map_err(at)?),
        Setting::CpuQuota => out.cpu_quota = Some(whole(v).map_err(at)?),
        Setting::CpusetCpus => out.cpuset_cpus = Some(non_empty()?),
        Setting::CpusetMems => out.cpuset_mems = Some(non_empty()?),
        Setting::PidsLimit => out.pids_limit = Some(whole(v).map_err(at)?),
        Setting::MemoryReservation => {
            out.memory_reservation = Some(parse_bytes(v).map_err(at)?);
        }
        Setting::DeviceCgroupRule => out.device_cgroup_rules.push(non_empty()?),
        Setting::Expose => out.expose.push(non_empty()?),
        Setting::Domainname => out.domainname = Some(non_empty()?),
        Setting::MacAddress => out.mac_address = Some(non_empty()?),
        Setting::LogDriver => out.log_driver = Some(non_empty()?),
        Setting::LogOpt => match v.split_once('=') {
            Some((k, val)) if !k.is_empty() => out.log_opts.push((k.to_string(), val.to_string())),
            _ => return Err(at(format!("`{}` is not `key=value`", shown_value(v)))),
        },
        Setting::Unapplied => {
            non_empty()?;
            out.unapplied.push(shown.to_string());
        }
        Setting::Privileged
        | Setting::Init
        | Setting::ReadOnly
        | Setting::NoHealthcheck
        | Setting::Rm
        | Setting::Interactive
        | Setting::Tty
        | Setting::Detach
        | Setting::OomKillDisable
        | Setting::UnappliedBool => {
            // Booleans never reach here; be explicit rather than panic.
            return Err(at("this flag takes no value".to_string()));
        }
    }
    Ok(())
}

/// A whole number (`--cpu-shares`, `--pids-limit`, …; negative ones are
/// the engine's to judge, as `-1` means no limit for some).
fn whole(v: &str) -> Result<i64, String> {
    v.trim()
        .parse::<i64>()
        .map_err(|_| format!("`{}` is not a whole number", shown_value(v)))
}

/// A `--health-*` duration: 0 (the engine's default) or at least 1ms, the
/// engine's minimum.
fn health_duration(v: &str) -> Result<Duration, String> {
    let d = parse_duration(v)?;
    if !d.is_zero() && d < Duration::from_millis(1) {
        return Err(format!(
            "`{v}` is shorter than the engine's minimum of 1ms (0 means the default)"
        ));
    }
    Ok(d)
}

/// `--cpus`: a decimal number of CPUs, in billionths.
fn parse_cpus(v: &str) -> Result<i64, String> {
    let bad = || format!("`{v}` is not a number of CPUs (e.g. `2` or `1.5`)");
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(bad());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 9 {
        return Err(format!("`{v}` is too precise (at most 9 decimal places)"));
    }
    let too_large = || format!("`{v}` is too large a number of CPUs");
    let whole: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| too_large())?
    };
    let mut nanos: i64 = 0;
    if !frac.is_empty() {
        let padded = format!("{frac:0<9}");
        nanos = padded.parse().map_err(|_| bad())?;
    }
    whole
        .checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(nanos))
        .ok_or_else(too_large)
}

/// `--add-host host:ip` or `host=ip`, the address possibly in brackets;
/// normalised to `host:ip`.
fn parse_add_host(v: &str) -> Result<String, String> {
    let (host, ip) = v
        .split_once('=')
        .or_else(|| v.split_once(':'))
        .ok_or_else(|| format!("`{v}` is not `host:ip`"))?;
    let ip = ip
        .strip_prefix('[')
        .and_then(|ip| ip.strip_suffix(']'))
        .unwrap_or(ip);
    if host.is_empty() {
        return Err(format!("`{v}` has no host name before the address"));
    }
    if ip != "host-gateway" && ip.parse::<IpAddr>().is_err() {
        return Err(format!("`{ip}` is not an IP address (or `host-gateway`)"));
    }
    Ok(format!("{host}:{ip}"))
}

/// The resource names `--ulimit` takes.
const ULIMITS: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// `--ulimit name=soft[:hard]`; one number sets both; -1 is unlimited.
fn parse_ulimit(v: &str) -> Result<(String, i64, i64), String> {
    let (name, limits) = v
        .split_once('=')
        .ok_or_else(|| format!("`{v}` is not `name=soft[:hard]`"))?;
    if !ULIMITS.contains(&name) {
        return Err(format!(
            "`{name}` is not a ulimit name (one of {})",
            ULIMITS.join(", ")
        ));
    }
    let number = |s: &str| {
        s.parse::<i64>()
            .ok()
            .filter(|n| *n >= -1)
            .ok_or_else(|| format!("`{s}` is not a limit (a whole number, or -1 for unlimited)"))
    };
    let (soft, hard) = match limits.split_once(':') {
        Some((soft, hard)) => (number(soft)?, number(hard)?),
        None => {
            let n = number(limits)?;
            (n, n)
        }
    };
    let above = |a: i64, b: i64| b != -1 && (a == -1 || a > b);
    if above(soft, hard) {
        return Err(format!(
            "the soft limit {soft} is above the hard limit {hard}"
        ));
    }
    Ok((name.to_string(), soft, hard))
}

/// Parses a duration as Go's `time.ParseDuration` does (what docker's
/// `--health-*` flags take): a sequence of decimal numbers, each with an
/// optional fraction and a unit (`ns`, `us` or `µs`, `ms`, `s`, `m`, `h`),
/// e.g. `10s`, `1m30s`, `1.5h`. `0` alone needs no unit. Unlike Go, a sign
/// is not accepted (durations here are never negative). At most Go's
/// maximum (about 292 years).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    const UNITS: &str = "ns, us, ms, s, m or h";
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err("an empty value is not a duration (e.g. `10s`, `1m30s`, `500ms`)".to_string());
    }
    if s.starts_with(['-', '+']) {
        return Err(format!("`{s}` is not a duration: a duration takes no sign"));
    }
    let not_a = |why: String| format!("`{s}` is not a duration: {why}");
    let out_of_range = || format!("`{s}` is out of range (at most about 292 years)");
    let mut total: u128 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_end];
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        if num.is_empty() {
            return Err(not_a(format!("a number is missing before `{unit}`")));
        }
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if (int.is_empty() && frac.is_empty()) || frac.contains('.') {
            return Err(not_a(format!("`{num}` is not a number")));
        }
        if unit.is_empty() {
            return Err(not_a(format!(
                "a unit is missing after `{num}` ({UNITS}, e.g. `{num}s`)"
            )));
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(not_a(format!("`{unit}` is not a unit ({UNITS})"))),
        };
        // More than 20 integer digits is out of range whatever the unit.
        if int.len() > 20 {
            return Err(out_of_range());
        }
        let whole: u128 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| out_of_range())?
        };
        // Digits beyond the 20th cannot change a count of nanoseconds.
        let frac = &frac[..frac.len().min(20)];
        let mut part = whole * scale;
        if !frac.is_empty() {
            let f: u128 = frac
                .parse()
                .map_err(|_| not_a(format!("`{num}` is not a number")))?;
            let len = u32::try_from(frac.len()).map_err(|_| out_of_range())?;
            part += f * scale / 10u128.pow(len);
        }
        total = total.checked_add(part).ok_or_else(out_of_range)?;
    }
    if total > i64::MAX as u128 {
        return Err(out_of_range());
    }
    let nanos = u64::try_from(total).map_err(|_| out_of_range())?;
    Ok(Duration::from_nanos(nanos))
}

/// Parses a size as docker's `RAMInBytes` does (what `--memory` and
/// `--shm-size` take): a decimal number with an optional unit `k`, `m`,
/// `g`, `t` or `p` (binary multiples, `k` = 1024), the unit optionally
/// followed by `i` and/or `b`, or a bare `b`; case-insensitive; one space
/// may separate number and unit. `512`, `512b`, `100k`, `512mb`, `1.5g`,
/// `1GiB`. A fraction of a byte is dropped.
pub fn parse_bytes(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a size (a number with an optional b, k, m or g suffix)");
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(num_end);
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(frac) || (num.contains('.') && frac.is_empty()) {
        return Err(bad());
    }
    let mut chars = unit.chars();
    let scale: u128 = match chars.next() {
        None | Some('b') if unit.len() <= 1 => 1,
        Some('k') => 1 << 10,
        Some('m') => 1 << 20,
        Some('g') => 1 << 30,
        Some('t') => 1 << 40,
        Some('p') => 1 << 50,
        _ => return Err(bad()),
    };
    if !matches!(chars.as_str(), "" | "b" | "i" | "ib")
        || (scale == 1 && !chars.as_str().is_empty())
    {
        return Err(bad());
    }
    let too_large = || format!("`{s}` is too large a size");
    if int.len() > 20 {
        return Err(too_large());
    }
    let whole: u128 = int.parse().map_err(|_| bad())?;
    let mut bytes = whole * scale;
    let frac = &frac[..frac.len().min(20)];
    if !frac.is_empty() {
        let f: u128 = frac.parse().map_err(|_| bad())?;
        let len = u32::try_from(frac.len()).map_err(|_| bad())?;
        bytes += f * scale / 10u128.pow(len);
    }
    i64::try_from(bytes).map_err(|_| too_large())
}

#[cfg(test)]
mod tests;
