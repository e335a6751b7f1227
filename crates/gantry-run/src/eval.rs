//! Evaluating the model's expression fields at run time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gantry_expr::{
    Condition as ExprCondition, FileSource, Function, Host, Object, ParseOptions, Status, Template,
    Value,
};
use gantry_workflow::{BoolOrExpr, Condition, Env, ExprString, NumberOrExpr, Scalar};

/// The contexts and job status an expression sees while a job runs.
pub struct RunHost<'a> {
    pub contexts: &'a Object,
    pub status: Status,
    pub workspace: &'a Path,
}

impl Host for RunHost<'_> {
    fn context(&self, name: &str) -> Option<Value> {
        self.contexts.get(name).cloned()
    }

    fn status(&self, function: Function) -> bool {
        match function {
            Function::Always => true,
            Function::Success => self.status == Status::Success,
            Function::Failure => self.status == Status::Failure,
            Function::Cancelled => self.status == Status::Cancelled,
            _ => false,
        }
    }

    fn hash_files(&self, patterns: &[String]) -> Result<String, String> {
        gantry_expr::hash_files::hash_files(&DirFiles::new(self.workspace), patterns)
    }
}

fn opts() -> ParseOptions<'static> {
    ParseOptions::default()
}

/// Evaluates a template; a single `${{ }}` keeps its type.
pub fn value(es: &ExprString, host: &RunHost<'_>) -> Result<Value, String> {
    let t = Template::parse(&es.raw, &opts()).map_err(|e| e.to_string())?;
    t.evaluate(host).map_err(|e| e.to_string())
}

/// Evaluates a template to a string.
pub fn string(es: &ExprString, host: &RunHost<'_>) -> Result<String, String> {
    let t = Template::parse(&es.raw, &opts()).map_err(|e| e.to_string())?;
    t.render(host).map_err(|e| e.to_string())
}

/// A scalar (`env`/`with` value) as the string GitHub passes on.
pub fn scalar(s: &Scalar, host: &RunHost<'_>) -> Result<String, String> {
    match s {
        Scalar::String(es) => string(es, host),
        other => Ok(other.to_github_string()),
    }
}

/// An `env:` map (or expression producing one), evaluated in order.
pub fn env(e: &Env, host: &RunHost<'_>) -> Result<Vec<(String, String)>, String> {
    match e {
        Env::Map(entries) => entries
            .iter()
            .map(|(k, v)| Ok((k.value.clone(), scalar(v, host)?)))
            .collect(),
        Env::Expr(es) => match value(es, host)? {
            Value::Object(o) => Ok(o
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_display_string()))
                .collect()),
            other => Err(format!(
                "`env` must evaluate to an object, got {}",
                other.kind()
            )),
        },
    }
}

pub fn boolean(b: &BoolOrExpr, host: &RunHost<'_>) -> Result<bool, String> {
    match b {
        BoolOrExpr::Bool(v) => Ok(v.value),
        BoolOrExpr::Expr(es) => Ok(value(es, host)?.is_truthy()),
    }
}

pub fn number(n: &NumberOrExpr, host: &RunHost<'_>) -> Result<f64, String> {
    match n {
        NumberOrExpr::Number(v) => Ok(v.value),
        NumberOrExpr::Expr(es) => {
            let v = value(es, host)?.to_number();
            if v.is_nan() {
                Err(format!("`{}` is not a number", es.raw))
            } else {
                Ok(v)
            }
        }
    }
}

/// An `if:`: `None` means no condition (`success()`).
pub fn condition(c: Option<&Condition>, host: &RunHost<'_>) -> Result<bool, String> {
    match c {
        None => Ok(host.status == Status::Success),
        Some(Condition::Bool(b)) => Ok(host.status == Status::Success && b.value),
        Some(Condition::Expr(es)) => {
            let cond = ExprCondition::parse(&es.raw, &opts()).map_err(|e| e.to_string())?;
            cond.evaluate(host).map_err(|e| e.to_string())
        }
    }
}

/// Builds an object context from string pairs.
pub fn object(pairs: &BTreeMap<String, String>) -> Value {
    let mut o = Object::with_capacity(pairs.len());
    for (k, v) in pairs {
        o.insert(k.clone(), Value::from(v.as_str()));
    }
    Value::object(o)
}

/// `hashFiles` over a workspace directory: depth-first, each directory's
/// entries sorted by name, symbolic links followed, `.git` skipped.
pub struct DirFiles {
    root: PathBuf,
    root_str: String,
}

impl DirFiles {
    pub fn new(root: &Path) -> DirFiles {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let root_str = root.to_string_lossy().into_owned();
        DirFiles { root, root_str }
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>, depth: usize) -> Result<(), String> {
    if depth > 64 {
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if rel.is_empty() && name == ".git" {
            continue;
        }
        let path = entry.path();
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, &child, out, depth + 1)?;
        } else if meta.is_file() {
            out.push(child);
        }
    }
    Ok(())
}

impl FileSource for DirFiles {
    fn files(&self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        walk(&self.root, "", &mut out, 0)?;
        Ok(out)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.root.join(path)).map_err(|e| format!("cannot read {path}: {e}"))
    }

    fn root(&self) -> Option<&str> {
        Some(&self.root_str)
    }
}
