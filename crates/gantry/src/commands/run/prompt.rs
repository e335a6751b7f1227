//! `workflow_dispatch` inputs asked for in a terminal: the required inputs
//! that were not given with `--input` (and have no default) are prompted
//! for, offering a `choice` input's options and re-asking until a boolean
//! or number is valid. The terminal is behind [`Terminal`], so the
//! questions are tested without one.

use std::io::{BufRead, IsTerminal, Write};

use gantry_workflow::{DispatchInput, DispatchInputType, Scalar, TriggerConfig, Workflow};

/// Where questions go and answers come from.
pub(super) trait Terminal {
    /// Shows a line.
    fn say(&mut self, line: &str);
    /// Asks `question`; `None` at the end of the input.
    fn ask(&mut self, question: &str) -> Option<String>;
}

/// The real terminal: questions on stderr, answers from stdin.
pub(super) struct Stdio;

impl Terminal for Stdio {
    fn say(&mut self, line: &str) {
        eprintln!("{line}");
    }

    fn ask(&mut self, question: &str) -> Option<String> {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{question}");
        let _ = err.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_owned()),
        }
    }
}

/// Whether questions can be asked: stdin and stderr are terminals.
pub(super) fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// The required `workflow_dispatch` inputs of `workflows` that are not in
/// `given` and have no default (each name once, in the workflows' order).
pub(super) fn missing<'a>(
    workflows: impl IntoIterator<Item = &'a Workflow>,
    given: &[(String, String)],
) -> Vec<DispatchInput> {
    let mut out: Vec<DispatchInput> = Vec::new();
    for wf in workflows {
        let Some(TriggerConfig::WorkflowDispatch(d)) = wf
            .on
            .as_ref()
            .and_then(|o| o.get("workflow_dispatch"))
            .map(|t| &t.config)
        else {
            continue;
        };
        for input in &d.inputs {
            let name = &input.name.value;
            let required = input.required.as_ref().is_some_and(|r| r.value);
            let defaulted = matches!(&input.default, Some(d) if !matches!(d, Scalar::Null { .. }));
            if required
                && !defaulted
                && !given.iter().any(|(k, _)| k == name)
                && !out.iter().any(|i| i.name.value == *name)
            {
                out.push(input.clone());
            }
        }
    }
    out
}

/// The error for inputs that are missing where nothing can be asked.
pub(super) fn missing_message(missing: &[DispatchInput]) -> String {
    let names: Vec<String> = missing
        .iter()
        .map(|i| format!("'{}'", i.name.value))
        .collect();
    let example = missing
        .first()
        .map_or("NAME", |i| i.name.value.as_str())
        .to_owned();
    format!(
        "workflow_dispatch: required input{} {} not given: give {} with --input {example}=VALUE (gantry asks for them only in a terminal)",
        if missing.len() == 1 { "" } else { "s" },
        names.join(", "),
        if missing.len() == 1 { "it" } else { "each" },
    )
}

/// Asks for each input; the answers as `--input` pairs. `Err`: the input
/// ended before every answer was given.
pub(super) fn ask_all(
    inputs: &[DispatchInput],
    term: &mut dyn Terminal,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for input in inputs {
        match ask_one(input, term) {
            Some(v) => out.push((input.name.value.clone(), v)),
            None => {
                return Err(format!(
                    "no value for the required input '{}' (give it with --input {}=VALUE)",
                    input.name.value, input.name.value
                ));
            }
        }
    }
    Ok(out)
}

/// Asks for one input until the answer is valid; `None` at the end of the
/// input.
fn ask_one(input: &DispatchInput, term: &mut dyn Terminal) -> Option<String> {
    let name = &input.name.value;
    let description = input
        .description
        .as_ref()
        .map(|d| d.raw.trim().to_owned())
        .filter(|d| !d.is_empty());
    let hint = match &input.kind {
        DispatchInputType::Boolean => " (true/false)",
        DispatchInputType::Number => " (a number)",
        _ => "",
    };
    match &description {
        Some(d) => term.say(&format!("Input '{name}': {d}")),
        None => term.say(&format!("Input '{name}'")),
    }
    if let DispatchInputType::Choice { options } = &input.kind {
        for (n, o) in options.iter().enumerate() {
            term.say(&format!("  {}) {}", n + 1, o.value));
        }
    }
    loop {
        let answer = term.ask(&format!("{name}{hint}: "))?;
        match check(&input.kind, answer.trim()) {
            Ok(v) => return Some(v),
            Err(e) => term.say(&e),
        }
    }
}

/// An answer as the input's text, or why it is not valid.
fn check(kind: &DispatchInputType, answer: &str) -> Result<String, String> {
    if answer.is_empty() {
        return Err("a value is required".to_owned());
    }
    match kind {
        DispatchInputType::Boolean => {
            if answer.eq_ignore_ascii_case("true") || answer.eq_ignore_ascii_case("false") {
                Ok(answer.to_ascii_lowercase())
            } else {
                Err(format!("'{answer}' is not a boolean: answer true or false"))
            }
        }
        DispatchInputType::Number => {
            if gantry_expr::number::parse_js_number(answer).is_finite() {
                Ok(answer.to_owned())
            } else {
                Err(format!("'{answer}' is not a number"))
            }
        }
        DispatchInputType::Choice { options } => {
            if let Some(o) = options.iter().find(|o| o.value == answer) {
                return Ok(o.value.clone());
            }
            match answer.parse::<usize>() {
                Ok(n) if (1..=options.len()).contains(&n) => Ok(options[n - 1].value.clone()),
                _ => Err(format!(
                    "'{answer}' is not one of the options: answer one of them or its number (1-{})",
                    options.len()
                )),
            }
        }
        DispatchInputType::String | DispatchInputType::Environment => Ok(answer.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::VecDeque;

    use super::*;

    /// Scripted answers; everything said is recorded.
    struct Script {
        answers: VecDeque<&'static str>,
        said: Vec<String>,
    }

    impl Script {
        fn new(answers: &[&'static str]) -> Script {
            Script {
                answers: answers.iter().copied().collect(),
                said: Vec::new(),
            }
        }
    }

    impl Terminal for Script {
        fn say(&mut self, line: &str) {
            self.said.push(line.to_owned());
        }

        fn ask(&mut self, question: &str) -> Option<String> {
            self.said.push(question.to_owned());
            self.answers.pop_front().map(str::to_owned)
        }
    }

    const WF: &str = r#"on:
  workflow_dispatch:
    inputs:
      level:
        description: How loud
        type: choice
        required: true
        options: [info, debug]
      dry:
        type: boolean
        required: true
      count:
        type: number
        required: true
      name:
        required: true
      given:
        required: true
      defaulted:
        required: true
        default: x
      optional:
        type: string
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo
"#;

    fn workflow() -> Workflow {
        gantry_workflow::parse_workflow(WF).0.unwrap()
    }

    #[test]
    fn only_required_inputs_without_value_or_default_are_missing() {
        let wf = workflow();
        let given = vec![("given".to_owned(), "yes".to_owned())];
        let m = missing([&wf, &wf], &given);
        let names: Vec<&str> = m.iter().map(|i| i.name.value.as_str()).collect();
        assert_eq!(names, ["level", "dry", "count", "name"]);
        let msg = missing_message(&m);
        assert!(msg.contains("'level', 'dry', 'count', 'name'"), "{msg}");
        assert!(msg.contains("--input level=VALUE"), "{msg}");
    }

    #[test]
    fn answers_are_validated_and_asked_again() {
        let wf = workflow();
        let m = missing([&wf], &[("given".to_owned(), "y".to_owned())]);
        let mut t = Script::new(&["loud", "2", "maybe", "TRUE", "ten", "", "10", "  Ada  "]);
        let got = ask_all(&m, &mut t).unwrap();
        assert_eq!(
            got,
            [
                ("level".to_owned(), "debug".to_owned()),
                ("dry".to_owned(), "true".to_owned()),
                ("count".to_owned(), "10".to_owned()),
                ("name".to_owned(), "Ada".to_owned()),
            ]
        );
        let said = t.said.join("\n");
        assert!(said.contains("Input 'level': How loud"), "{said}");
        assert!(said.contains("  1) info\n  2) debug"), "{said}");
        assert!(said.contains("'loud' is not one of the options"), "{said}");
        assert!(said.contains("'maybe' is not a boolean"), "{said}");
        assert!(said.contains("dry (true/false): "), "{said}");
        assert!(said.contains("'ten' is not a number"), "{said}");
        assert!(said.contains("a value is required"), "{said}");
    }

    #[test]
    fn choices_by_name_and_the_end_of_input() {
        let wf = workflow();
        let m = missing([&wf], &[("given".to_owned(), "y".to_owned())]);
        let mut t = Script::new(&["info", "false"]);
        let err = ask_all(&m, &mut t).unwrap_err();
        assert!(err.contains("'count'"), "{err}");
        assert!(err.contains("--input count=VALUE"), "{err}");
    }
}
