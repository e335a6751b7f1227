//! Typing of `workflow_dispatch` and `workflow_call` inputs.
//!
//! Raw `key=value` pairs (from `--input`) or the values of a caller's
//! `with:` are checked against the declared inputs and turned into the
//! `inputs` context. For `workflow_dispatch` GitHub also gives
//! `github.event.inputs`, where every value is a string.
//!
//! Defaults: an input that is not given takes its `default`; without one,
//! a required input is an error, and an optional one is `""` for strings
//! (and choices and environments), `false` for booleans and `0` for numbers,
//! as GitHub documents for `on.workflow_call.inputs.<id>.type` (the
//! planner applies the same rule to `workflow_dispatch`).

use gantry_expr::number::parse_js_number;
use gantry_expr::{Object, Value};
use gantry_workflow::{
    CallInput, CallInputType, DispatchInput, DispatchInputType, Scalar, WorkflowCall,
    WorkflowDispatch,
};

/// A problem with the inputs of a dispatch or call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// A required input was not given and has no default.
    #[error("required input '{name}' was not given")]
    Missing {
        /// The input.
        name: String,
    },
    /// A boolean input got something else.
    #[error("input '{name}': '{value}' is not a boolean (use true or false)")]
    NotBoolean {
        /// The input.
        name: String,
        /// What was given.
        value: String,
    },
    /// A number input got something else.
    #[error("input '{name}': '{value}' is not a number")]
    NotNumber {
        /// The input.
        name: String,
        /// What was given.
        value: String,
    },
    /// A choice input got a value that is not one of its options.
    #[error(
        "input '{name}': '{value}' is not one of the options {}",
        quote(options)
    )]
    NotAnOption {
        /// The input.
        name: String,
        /// What was given.
        value: String,
        /// The options.
        options: Vec<String>,
    },
    /// An input the workflow does not declare.
    #[error("unexpected input '{name}'{}", declared_list(declared))]
    Unexpected {
        /// The input.
        name: String,
        /// What the workflow declares.
        declared: Vec<String>,
    },
    /// A `workflow_call` input got a value of the wrong type.
    #[error("input '{name}' is a {expected}, but got {got} '{value}'")]
    WrongType {
        /// The input.
        name: String,
        /// The declared type.
        expected: &'static str,
        /// The type of what was given.
        got: &'static str,
        /// What was given, as text.
        value: String,
    },
}

fn quote(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn declared_list(declared: &[String]) -> String {
    if declared.is_empty() {
        ": the workflow declares no inputs".to_owned()
    } else {
        format!(": the workflow declares {}", quote(declared))
    }
}

/// Typed inputs.
#[derive(Debug, Clone, Default)]
pub struct TypedInputs {
    /// The `inputs` context.
    pub inputs: Object,
    /// `github.event.inputs` (dispatch only): every value as a string.
    pub event_inputs: Object,
    /// Inputs whose values are only known at run time (lower-cased names).
    pub unknown: Vec<String>,
}

/// A value given for a `workflow_call` input by a caller's `with:`.
#[derive(Debug, Clone)]
pub enum Given {
    /// Known at plan time.
    Known(Value),
    /// Known only at run time.
    Runtime,
}

fn scalar_value(s: &Scalar) -> Value {
    match s {
        Scalar::Null { .. } => Value::Null,
        Scalar::Bool(b) => Value::Bool(b.value),
        #[allow(clippy::cast_precision_loss)]
        Scalar::Int(i) => Value::Number(i.value as f64),
        Scalar::Float(f) => Value::Number(f.value),
        Scalar::String(s) => Value::from(s.raw.as_str()),
    }
}

fn find<'a>(raw: &'a [(String, String)], name: &str) -> Option<&'a str> {
    raw.iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn unexpected<'a, I: Iterator<Item = &'a str> + Clone>(
    raw: &[(String, String)],
    declared: I,
) -> Vec<InputError> {
    let names: Vec<String> = declared.clone().map(str::to_owned).collect();
    let mut out = Vec::new();
    for (k, _) in raw {
        if !declared.clone().any(|d| d.eq_ignore_ascii_case(k))
            && !out
                .iter()
                .any(|e| matches!(e, InputError::Unexpected { name, .. } if name == k))
        {
            out.push(InputError::Unexpected {
                name: k.clone(),
                declared: names.clone(),
            });
        }
    }
    out
}

fn parse_bool(name: &str, text: &str) -> Result<Value, InputError> {
    if text.eq_ignore_ascii_case("true") {
        Ok(Value::Bool(true))
    } else if text.eq_ignore_ascii_case("false") {
        Ok(Value::Bool(false))
    } else {
        Err(InputError::NotBoolean {
            name: name.to_owned(),
            value: text.to_owned(),
        })
    }
}

fn parse_number(name: &str, text: &str) -> Result<Value, InputError> {
    let n = parse_js_number(text);
    if text.trim().is_empty() || !n.is_finite() {
        return Err(InputError::NotNumber {
            name: name.to_owned(),
            value: text.to_owned(),
        });
    }
    Ok(Value::Number(n))
}

/// Types `raw` against `workflow_dispatch` inputs.
///
/// # Errors
/// Every problem found: missing required inputs, bad booleans, numbers or
/// choices, and undeclared inputs.
pub fn dispatch(
    decl: &WorkflowDispatch,
    raw: &[(String, String)],
) -> Result<TypedInputs, Vec<InputError>> {
    let mut errors = unexpected(raw, decl.inputs.iter().map(|i| i.name.value.as_str()));
    let mut out = TypedInputs::default();
    for input in &decl.inputs {
        match dispatch_one(input, find(raw, &input.name.value)) {
            Ok((value, text)) => {
                out.inputs.insert(input.name.value.clone(), value);
                out.event_inputs
                    .insert(input.name.value.clone(), Value::from(text));
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn dispatch_one(input: &DispatchInput, given: Option<&str>) -> Result<(Value, String), InputError> {
    let name = input.name.value.as_str();
    let text = match (given, &input.default) {
        (Some(v), _) => v.to_owned(),
        (None, Some(d)) if !matches!(d, Scalar::Null { .. }) => d.to_github_string(),
        (None, _) if input.required.as_ref().is_some_and(|r| r.value) => {
            return Err(InputError::Missing {
                name: name.to_owned(),
            });
        }
        (None, _) => {
            let v = match input.kind {
                DispatchInputType::Boolean => Value::Bool(false),
                DispatchInputType::Number => Value::Number(0.0),
                _ => Value::from(""),
            };
            let text = v.to_display_string();
            return Ok((v, text));
        }
    };
    let value = match &input.kind {
        DispatchInputType::Boolean => parse_bool(name, &text)?,
        DispatchInputType::Number => parse_number(name, &text)?,
        DispatchInputType::Choice { options } => {
            if !options.iter().any(|o| o.value == text) {
                return Err(InputError::NotAnOption {
                    name: name.to_owned(),
                    value: text,
                    options: options.iter().map(|o| o.value.clone()).collect(),
                });
            }
            Value::from(text.as_str())
        }
        DispatchInputType::String | DispatchInputType::Environment => Value::from(text.as_str()),
    };
    let text = match &value {
        Value::Bool(_) => value.to_display_string(),
        _ => text,
    };
    Ok((value, text))
}

/// Types `raw` text against `workflow_call` inputs (planning a
/// `workflow_call` event directly, with `--input`).
///
/// # Errors
/// As for [`dispatch`].
pub fn call_from_raw(
    decl: &WorkflowCall,
    raw: &[(String, String)],
) -> Result<TypedInputs, Vec<InputError>> {
    let mut errors = unexpected(raw, decl.inputs.iter().map(|i| i.name.value.as_str()));
    let mut given = Vec::new();
    for input in &decl.inputs {
        let name = &input.name.value;
        let Some(text) = find(raw, name) else {
            continue;
        };
        let parsed = match input.kind.as_ref().map(|k| k.value) {
            Some(CallInputType::Boolean) => parse_bool(name, text),
            Some(CallInputType::Number) => parse_number(name, text),
            _ => Ok(Value::from(text)),
        };
        match parsed {
            Ok(v) => given.push((name.clone(), Given::Known(v))),
            Err(e) => errors.push(e),
        }
    }
    match call(decl, &given) {
        Ok(t) if errors.is_empty() => Ok(t),
        Ok(_) => Err(errors),
        Err(mut e) => {
            errors.append(&mut e);
            Err(errors)
        }
    }
}

/// Types the values a caller's `with:` gives against `workflow_call`
/// inputs. Values keep their types: a boolean input needs a boolean, a
/// number input a number; a string input takes any scalar as text.
///
/// # Errors
/// Missing required inputs, wrong types, undeclared inputs.
pub fn call(
    decl: &WorkflowCall,
    given: &[(String, Given)],
) -> Result<TypedInputs, Vec<InputError>> {
    let declared: Vec<String> = decl.inputs.iter().map(|i| i.name.value.clone()).collect();
    let mut errors = Vec::new();
    for (k, _) in given {
        if !declared.iter().any(|d| d.eq_ignore_ascii_case(k)) {
            errors.push(InputError::Unexpected {
                name: k.clone(),
                declared: declared.clone(),
            });
        }
    }
    let mut out = TypedInputs::default();
    for input in &decl.inputs {
        let name = input.name.value.as_str();
        // A null value (e.g. `${{ inputs.x }}` of an event without inputs)
        // gives the default, or the type's empty value: the key is written,
        // so a required input is satisfied.
        let g = given
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v);
        let written_null = matches!(g, Some(Given::Known(Value::Null)));
        let g = g.filter(|_| !written_null);
        match g {
            Some(Given::Runtime) => {
                out.unknown.push(name.to_ascii_lowercase());
                out.inputs.insert(name, Value::Null);
            }
            Some(Given::Known(v)) => match call_type(input, v.clone()) {
                Ok(v) => {
                    out.inputs.insert(name, v);
                }
                Err(e) => errors.push(e),
            },
            None => match &input.default {
                Some(d) if !matches!(d, Scalar::Null { .. }) => {
                    match call_type(input, scalar_value(d)) {
                        Ok(v) => {
                            out.inputs.insert(name, v);
                        }
                        Err(e) => errors.push(e),
                    }
                }
                _ if !written_null && input.required.as_ref().is_some_and(|r| r.value) => {
                    errors.push(InputError::Missing {
                        name: name.to_owned(),
                    });
                }
                _ => {
                    let v = match input.kind.as_ref().map(|k| k.value) {
                        Some(CallInputType::Boolean) => Value::Bool(false),
                        Some(CallInputType::Number) => Value::Number(0.0),
                        _ => Value::from(""),
                    };
                    out.inputs.insert(name, v);
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn call_type(input: &CallInput, v: Value) -> Result<Value, InputError> {
    let name = &input.name.value;
    let wrong = |expected: &'static str, v: &Value| InputError::WrongType {
        name: name.clone(),
        expected,
        got: kind_name(v),
        value: v.to_display_string(),
    };
    match input.kind.as_ref().map(|k| k.value) {
        Some(CallInputType::Boolean) => match v {
            Value::Bool(_) => Ok(v),
            _ => Err(wrong("boolean", &v)),
        },
        Some(CallInputType::Number) => match v {
            Value::Number(_) => Ok(v),
            _ => Err(wrong("number", &v)),
        },
        _ => match v {
            Value::Array(_) | Value::Object(_) => Err(wrong("string", &v)),
            Value::String(_) => Ok(v),
            other => Ok(Value::from(other.to_display_string())),
        },
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use gantry_workflow::{On, TriggerConfig};

    fn on(src: &str) -> On {
        let (wf, _) = gantry_workflow::parse_workflow(src);
        wf.unwrap().on.unwrap()
    }

    fn dispatch_decl() -> WorkflowDispatch {
        let on = on(r"
on:
  workflow_dispatch:
    inputs:
      env:
        type: choice
        options: [dev, prod]
        default: dev
      debug:
        type: boolean
      count:
        type: number
        default: 3
      tag:
        required: true
jobs: {}
");
        match &on.get("workflow_dispatch").unwrap().config {
            TriggerConfig::WorkflowDispatch(d) => d.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn dispatch_defaults_and_types() {
        let d = dispatch_decl();
        let t = dispatch(&d, &raw(&[("tag", "v1"), ("debug", "true")])).unwrap();
        let json = Value::object(t.inputs.clone()).to_json();
        assert_eq!(
            json,
            serde_json::json!({"env": "dev", "debug": true, "count": 3, "tag": "v1"})
        );
        let ev = Value::object(t.event_inputs).to_json();
        assert_eq!(
            ev,
            serde_json::json!({"env": "dev", "debug": "true", "count": "3", "tag": "v1"})
        );
    }

    #[test]
    fn dispatch_errors() {
        let d = dispatch_decl();
        let e = dispatch(&d, &raw(&[("debug", "yes"), ("env", "qa"), ("count", "x")])).unwrap_err();
        let msgs: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "input 'env': 'qa' is not one of the options 'dev', 'prod'",
                "input 'debug': 'yes' is not a boolean (use true or false)",
                "input 'count': 'x' is not a number",
                "required input 'tag' was not given",
            ]
        );
        let e = dispatch(&d, &raw(&[("tag", "a"), ("nope", "1")])).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "unexpected input 'nope': the workflow declares 'env', 'debug', 'count', 'tag'"
        );
    }

    #[test]
    fn call_inputs() {
        let on = on(r"
on:
  workflow_call:
    inputs:
      path: { type: string, required: true }
      fast: { type: boolean }
      n: { type: number, default: 2 }
jobs: {}
");
        let TriggerConfig::WorkflowCall(c) = &on.get("workflow_call").unwrap().config else {
            panic!()
        };
        let t = call(
            c,
            &[
                ("path".into(), Given::Known(Value::Number(3.0))),
                ("fast".into(), Given::Runtime),
            ],
        )
        .unwrap();
        assert_eq!(
            Value::object(t.inputs).to_json(),
            serde_json::json!({"path": "3", "fast": null, "n": 2})
        );
        assert_eq!(t.unknown, ["fast"]);
        let e = call(c, &[("fast".into(), Given::Known(Value::from("true")))]).unwrap_err();
        let msgs: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "required input 'path' was not given",
                "input 'fast' is a boolean, but got string 'true'",
            ]
        );
        let t = call_from_raw(c, &raw(&[("path", "x"), ("fast", "true")])).unwrap();
        assert_eq!(
            Value::object(t.inputs).to_json(),
            serde_json::json!({"path": "x", "fast": true, "n": 2})
        );
    }
}
