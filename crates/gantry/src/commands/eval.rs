//! `gantry eval`: evaluate an expression, or a batch of them.

use std::io::{BufRead, BufWriter, Write};

use anyhow::{Context as _, Result, bail};
use gantry_expr::{
    Condition, Contexts, Error, Object, ParseOptions, Status, Template, Value, evaluate, parse,
};
use serde_json::json;

use crate::cli::{EvalArgs, EvalMode, StatusArg};
use crate::exit::Exit;
use crate::style::{Level, emit};
use gantry_run::eval::DirFiles;

/// The contexts GitHub documents; always valid names in `gantry eval`.
const KNOWN_CONTEXTS: [&str; 12] = [
    "github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix",
    "needs", "inputs",
];

pub fn run(args: &EvalArgs) -> Result<Exit> {
    let workspace = match &args.workspace {
        Some(dir) => {
            if !dir.is_dir() {
                bail!("--workspace {}: not a directory", dir.display());
            }
            dir.clone()
        }
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let files = DirFiles::new(&workspace);
    if args.batch {
        return batch(&files);
    }
    let contexts = match &args.context {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --context {}", path.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("--context {}: not valid JSON", path.display()))?;
            match Value::from_json(&json) {
                Value::Object(o) => (*o).clone(),
                other => bail!(
                    "--context {}: expected a JSON object of contexts, found {}",
                    path.display(),
                    other.kind()
                ),
            }
        }
        None => Object::new(),
    };
    let status = match args.status {
        StatusArg::Success => Status::Success,
        StatusArg::Failure => Status::Failure,
        StatusArg::Cancelled => Status::Cancelled,
    };
    let Some(expr) = args.expression.as_deref() else {
        bail!("no expression given");
    };
    let allow = |name: &str| {
        KNOWN_CONTEXTS.iter().any(|k| k.eq_ignore_ascii_case(name)) || contexts.contains_key(name)
    };
    let options = ParseOptions {
        allow_context: Some(&allow),
        ..ParseOptions::default()
    };
    let mut host = Contexts::new(contexts.clone());
    host.status = status;
    host.files = Some(&files);
    if args.mode == EvalMode::Expression && expr.trim_start().starts_with("${{") {
        emit(
            Level::Warning,
            "the expression is wrapped in `${{ }}`, which --mode expression does not accept",
        );
        emit(
            Level::Hint,
            "pass the bare expression, or use --mode template or --mode if",
        );
    }
    match evaluate_mode(expr, args.mode, &options, &host) {
        Ok(v) => {
            let out = serde_json::to_string_pretty(&value_json(&v))?;
            println!("{out}");
            Ok(Exit::Success)
        }
        Err(e) => {
            emit(Level::Error, &format!("{} error: {e}", e.kind.as_str()));
            if e.description.starts_with("Unrecognized named-value") {
                emit(
                    Level::Hint,
                    "give contexts with --context FILE.json (a JSON object keyed by context name)",
                );
            }
            Ok(Exit::Failure)
        }
    }
}

/// Parses and evaluates `src` the way `mode` says.
fn evaluate_mode(
    src: &str,
    mode: EvalMode,
    options: &ParseOptions<'_>,
    host: &Contexts<'_>,
) -> Result<Value, Error> {
    match mode {
        EvalMode::Expression => {
            let expr = parse(src, options)?;
            evaluate(expr.as_ref(), host)
        }
        EvalMode::If => Ok(Value::Bool(Condition::parse(src, options)?.evaluate(host)?)),
        EvalMode::Template => Ok(Value::from(Template::parse(src, options)?.render(host)?)),
    }
}

/// A value as JSON, with NaN and the infinities as strings.
fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Number(n) if n.is_nan() => json!("NaN"),
        Value::Number(n) if *n == f64::INFINITY => json!("Infinity"),
        Value::Number(n) if *n == f64::NEG_INFINITY => json!("-Infinity"),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(value_json).collect()),
        Value::Object(o) => serde_json::Value::Object(
            o.iter()
                .map(|(k, v)| (k.to_owned(), value_json(v)))
                .collect(),
        ),
        other => other.to_json(),
    }
}

fn batch_line(line: &str, files: &DirFiles) -> serde_json::Value {
    let input: serde_json::Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return json!({"error": {"kind": "input", "message": format!("not valid JSON: {e}")}});
        }
    };
    let Some(expr) = input.get("expr").and_then(serde_json::Value::as_str) else {
        return json!({"error": {"kind": "input", "message": "missing string field \"expr\""}});
    };
    let mode = match input.get("mode").and_then(serde_json::Value::as_str) {
        None | Some("expression") => EvalMode::Expression,
        Some("if") => EvalMode::If,
        Some("template") => EvalMode::Template,
        Some(other) => {
            return json!({"error": {"kind": "input", "message": format!("unknown mode {other:?}; expected expression, if or template")}});
        }
    };
    let status = match input.get("status").and_then(serde_json::Value::as_str) {
        None => Status::Success,
        Some(s) => match Status::parse(s) {
            Some(s) => s,
            None => {
                return json!({"error": {"kind": "input", "message": format!("unknown status {s:?}")}});
            }
        },
    };
    let contexts = match input.get("contexts").map(Value::from_json) {
        None | Some(Value::Null) => Object::new(),
        Some(Value::Object(o)) => (*o).clone(),
        Some(other) => {
            return json!({"error": {"kind": "input", "message": format!("\"contexts\" must be an object, found {}", other.kind())}});
        }
    };
    let allow = |name: &str| contexts.contains_key(name);
    let options = ParseOptions {
        allow_context: Some(&allow),
        ..ParseOptions::default()
    };
    let mut host = Contexts::new(contexts.clone());
    host.status = status;
    host.files = Some(files);
    match evaluate_mode(expr, mode, &options, &host) {
        Ok(v) => json!({"kind": v.kind().as_str(), "value": value_json(&v)}),
        Err(e) => json!({"error": {"kind": e.kind.as_str(), "message": e.to_string()}}),
    }
}

fn batch(files: &DirFiles) -> Result<Exit> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    for (n, line) in stdin.lines().enumerate() {
        let line = line.with_context(|| format!("cannot read line {} of standard input", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let result = batch_line(&line, files);
        serde_json::to_writer(&mut out, &result)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Exit::Success)
}
