//! Rules: the strings inside a job's `container:` and `services:`: the
//! `options:` flags and the `ports:` entries, which GitHub hands to the
//! container engine and which fail the job when it starts.

use gantry_diagnostics::Diagnostic;
use gantry_workflow::container::{options, ports};
use gantry_workflow::{Action, Container, Job, NormalJob, Port, RunsOn, Services, Workflow};

use crate::Cx;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[
    (
        "container-options",
        "a container's `options:` the engine or GitHub refuses (`--network`, an unknown flag, a bad value), or a `ports:` entry that is not a port mapping",
    ),
    (
        "container-runner",
        "`container:` or `services:` on a job whose `runs-on` names a macOS or Windows runner (containers need Linux)",
    ),
];

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    for job in &wf.jobs {
        let Job::Normal(job) = job else { continue };
        check_runner(cx, job);
        if let Some(c) = &job.container {
            check_container(cx, c, "the job's container");
        }
        if let Some(Services::Map { services, .. }) = &job.services {
            for (name, c) in services {
                check_container(cx, c, &format!("the service `{}`", name.value));
            }
        }
    }
}

pub fn check_action(_cx: &mut Cx<'_>, _action: &Action) {}

/// The OS a literal `runs-on` label names, when it is not Linux.
fn non_linux(label: &str) -> Option<&'static str> {
    let l = label.trim().to_ascii_lowercase();
    if l == "macos" || l.starts_with("macos-") {
        Some("macOS")
    } else if l == "windows" || l.starts_with("windows-") {
        Some("Windows")
    } else {
        None
    }
}

/// GitHub runs job and service containers only on Linux runners.
fn check_runner(cx: &mut Cx<'_>, job: &NormalJob) {
    let Some(RunsOn::Labels { labels, .. }) = &job.runs_on else {
        return;
    };
    let Some(os) = labels
        .iter()
        .filter(|l| !l.has_expression())
        .find_map(|l| non_linux(&l.raw))
    else {
        return;
    };
    let empty_image = job
        .container
        .as_ref()
        .and_then(|c| c.image.as_ref())
        .is_some_and(|i| !i.has_expression() && i.raw.trim().is_empty());
    let place = match (&job.container, &job.services) {
        (Some(c), _) if !empty_image => Some((c.span, "`container:`")),
        (_, Some(Services::Map { span, services })) if !services.is_empty() => {
            Some((*span, "`services:`"))
        }
        (_, Some(Services::Expr(e))) => Some((e.span, "`services:`")),
        _ => None,
    };
    if let Some((span, what)) = place {
        cx.push(
            Diagnostic::error(
                "container-runner",
                span,
                format!("{what} needs a Linux runner, and `runs-on` names a {os} runner"),
            )
            .with_hint(
                "run the job on `ubuntu-latest` (or another Linux runner), or drop its containers",
            ),
        );
    }
}

fn check_container(cx: &mut Cx<'_>, c: &Container, what: &str) {
    if let Some(o) = c.options.as_ref().filter(|o| !o.has_expression()) {
        match options::parse(&o.raw) {
            Err(e) => {
                let mut d = Diagnostic::error(
                    "container-options",
                    o.span,
                    format!("`options` of {what}: {e}"),
                );
                if e.contains("--network") || e.contains("--net`") {
                    d = d.with_hint("the job's containers share a network GitHub creates, where each service is reachable by its name");
                }
                cx.push(d);
            }
            Ok(parsed) => {
                for p in parsed.ports.iter() {
                    if let Err(e) = ports::parse(p) {
                        cx.push(Diagnostic::error(
                            "container-options",
                            o.span,
                            format!("`options` of {what}: `-p {p}`: {e}"),
                        ));
                    }
                }
            }
        }
    }
    for p in &c.ports {
        let (span, parsed) = match p {
            Port::Number(n) => (n.span, ports::parse_number(n.value)),
            Port::Text(t) if !t.has_expression() => (t.span, ports::parse(&t.raw)),
            Port::Text(_) => continue,
        };
        if let Err(e) = parsed {
            cx.push(Diagnostic::error(
                "container-options",
                span,
                format!("`ports` of {what}: {e}"),
            ));
        }
    }
}
