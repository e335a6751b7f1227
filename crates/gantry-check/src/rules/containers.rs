//! Rules: the strings inside a job's `container:` and `services:`: the
//! `options:` flags and the `ports:` entries, which GitHub hands to the
//! container engine and which fail the job when it starts.

use gantry_diagnostics::Diagnostic;
use gantry_workflow::container::{options, ports};
use gantry_workflow::{Action, Container, Job, Port, Services, Workflow};

use crate::Cx;

/// The rule ids this module reports, with one line each.
pub const RULES: &[(&str, &str)] = &[(
    "container-options",
    "a container's `options:` the engine or GitHub refuses (`--network`, an unknown flag, a bad value), or a `ports:` entry that is not a port mapping",
)];

pub fn check_workflow(cx: &mut Cx<'_>, wf: &Workflow) {
    for job in &wf.jobs {
        let Job::Normal(job) = job else { continue };
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
