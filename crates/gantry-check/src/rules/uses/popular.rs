//! `with:` inputs and `steps.<id>.outputs.<name>` of popular actions,
//! checked against the bundled table ([`crate::popular_actions`]).

use gantry_diagnostics::Diagnostic;
use gantry_workflow::{Scalar, Step, UsesStep, UsesTarget};

use super::refs::{Text, Texts, each_ref};
use crate::Cx;
use crate::popular_actions::{self, Spec};
use crate::rules::jobs::suggest_ci;

pub const ACTION_INPUT: &str = "action-input";
pub const ACTION_OUTPUT: &str = "action-output";

/// The table entry for a step's action, with the action's name as written.
fn spec_of(s: &UsesStep) -> Option<(&'static Spec, &str)> {
    let uses = s.uses.as_ref()?;
    let UsesTarget::Repo { git_ref, .. } = &uses.target else {
        return None;
    };
    // `owner/repo[/path]` is the text before `@`.
    let name = uses.raw.trim().split('@').next()?;
    Some((popular_actions::lookup(name, git_ref)?, uses.raw.trim()))
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks the `with:` inputs of a step that uses a popular action.
pub(super) fn check_inputs(cx: &mut Cx<'_>, s: &UsesStep) {
    let Some((spec, written)) = spec_of(s) else {
        return;
    };
    let Some(inputs) = spec.inputs else {
        return;
    };
    for (key, _) in &s.with.entries {
        let k = key.value.as_str();
        match spec.input(k) {
            Some(input) => {
                if let Some(why) = input.deprecated {
                    cx.push(Diagnostic::warning(
                        ACTION_INPUT,
                        key.span,
                        format!("input `{k}` of `{written}` is deprecated: {why}"),
                    ));
                }
            }
            None if (k == "args" || k == "entrypoint") && spec.docker => {}
            None if k == "args" || k == "entrypoint" => cx.push(
                Diagnostic::error(
                    ACTION_INPUT,
                    key.span,
                    format!(
                        "`with.{k}` only applies to Docker container actions, and `{written}` is not one"
                    ),
                )
                .with_hint(format!("remove `{k}`; the action's inputs are {}", {
                    let names: Vec<&str> = inputs.iter().map(|i| i.name).collect();
                    list(&names)
                })),
            ),
            None => {
                let names: Vec<&str> = inputs.iter().map(|i| i.name).collect();
                let d = Diagnostic::error(
                    ACTION_INPUT,
                    key.span,
                    format!("`{written}` has no input `{k}`"),
                );
                let d = match suggest_ci(&names, k) {
                    Some(c) => d.with_hint(format!("did you mean `{c}`?")),
                    None if names.is_empty() => d.with_hint("the action takes no inputs"),
                    None => d.with_hint(format!("its inputs are {}", list(&names))),
                };
                cx.push(d);
            }
        }
    }
    for input in inputs.iter().filter(|i| i.required) {
        let given = s.with.entries.iter().any(|(k, v)| {
            k.value.eq_ignore_ascii_case(input.name) && !matches!(v, Scalar::Null { .. })
        });
        if !given && let Some(uses) = &s.uses {
            cx.push(
                Diagnostic::error(
                    ACTION_INPUT,
                    uses.span,
                    format!(
                        "`{written}` requires input `{}`, which is not given in `with:`",
                        input.name
                    ),
                )
                .with_hint(format!("add `{}: …` under `with:`", input.name)),
            );
        }
    }
}

/// A step with an id whose action's outputs are known.
struct Known<'a> {
    id: &'a str,
    written: &'a str,
    outputs: &'static [&'static str],
}

fn collect_known<'a>(steps: &'a [Step], out: &mut Vec<Known<'a>>) {
    for step in steps {
        match step {
            Step::Uses(s) => {
                let Some(id) = &s.common.id else {
                    continue;
                };
                if let Some((spec, written)) = spec_of(s)
                    && let Some(outputs) = spec.outputs
                {
                    out.push(Known {
                        id: id.value.as_str(),
                        written,
                        outputs,
                    });
                }
            }
            Step::Parallel(g) => collect_known(&g.steps, out),
            Step::Run(_) => {}
        }
    }
}

/// Checks `steps.<id>.outputs.<name>` in `steps` (and in `extra`, e.g. a
/// job's `outputs:`) where step `<id>` uses an action whose outputs are known.
pub(super) fn check_outputs<'a>(cx: &mut Cx<'_>, steps: &'a [Step], extra: &[Text<'a>]) {
    let mut known = Vec::new();
    collect_known(steps, &mut known);
    if known.is_empty() {
        return;
    }
    let mut texts = Texts::default();
    steps.iter().for_each(|s| texts.step(s));
    texts.0.extend_from_slice(extra);
    let mut found = Vec::new();
    for text in &texts.0 {
        each_ref(cx, *text, "steps", &mut |c, locate| {
            use gantry_expr::analysis::PathPart::Property;
            let (
                Some(Property { name: id, .. }),
                Some(Property { name: outputs, .. }),
                Some(Property { name: out, span }),
            ) = (c.path.first(), c.path.get(1), c.path.get(2))
            else {
                return;
            };
            if !outputs.eq_ignore_ascii_case("outputs") {
                return;
            }
            let Some(k) = known.iter().find(|k| k.id.eq_ignore_ascii_case(id)) else {
                return;
            };
            if k.outputs.iter().any(|o| o.eq_ignore_ascii_case(out)) {
                return;
            }
            let message = format!(
                "step `{}` runs `{}`, which sets no output `{out}`, so this is always empty",
                k.id, k.written
            );
            let hint = match suggest_ci(k.outputs, out) {
                Some(c) => format!("did you mean `{c}`?"),
                None if k.outputs.is_empty() => "the action sets no outputs".to_owned(),
                None => format!("its outputs are {}", list(k.outputs)),
            };
            found.push(Diagnostic::warning(ACTION_OUTPUT, locate(*span), message).with_hint(hint));
        });
    }
    for d in found {
        cx.push(d);
    }
}
