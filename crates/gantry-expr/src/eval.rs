//! Evaluates a syntax tree against contexts the caller provides.

use std::sync::Arc;

use crate::ast::{BinaryOp, Expr, ExprKind, Index};
use crate::error::Error;
use crate::funcs::{self, Function};
use crate::value::{Object, Value};

/// The most memory, in bytes, that values produced while evaluating one
/// expression may hold at once (GitHub's limit is 1 MiB).
pub const MAX_MEMORY: usize = 1024 * 1024;

/// The state of the job a status function asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Success,
    Failure,
    Cancelled,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "success" => Some(Status::Success),
            "failure" => Some(Status::Failure),
            "cancelled" => Some(Status::Cancelled),
            _ => None,
        }
    }
}

/// What an expression can see: named values, job status and files.
pub trait Host {
    /// The value of a named value (`github`, `env`, …), looked up
    /// case-insensitively; `None` when there is no such context here.
    fn context(&self, name: &str) -> Option<Value>;

    /// The answer of `success()`, `failure()`, `cancelled()` or `always()`.
    fn status(&self, function: Function) -> bool {
        matches!(function, Function::Success | Function::Always)
    }

    /// `hashFiles(patterns…)`: the hash, or a message saying why not.
    fn hash_files(&self, patterns: &[String]) -> Result<String, String> {
        let _ = patterns;
        Err("hashFiles is not available here".to_owned())
    }
}

/// A ready-made host: contexts from an object, a job status, and optionally
/// files for `hashFiles`.
#[derive(Default)]
pub struct Contexts<'a> {
    pub values: Object,
    pub status: Status,
    pub files: Option<&'a dyn crate::hash_files::FileSource>,
}

impl<'a> Contexts<'a> {
    pub fn new(values: Object) -> Contexts<'a> {
        Contexts {
            values,
            status: Status::Success,
            files: None,
        }
    }
}

impl Host for Contexts<'_> {
    fn context(&self, name: &str) -> Option<Value> {
        self.values.get(name).cloned()
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
        match self.files {
            Some(files) => crate::hash_files::hash_files(files, patterns),
            None => Err("hashFiles needs a workspace".to_owned()),
        }
    }
}

/// Evaluates `expr` (`None` is the empty expression, which is null).
pub fn evaluate(expr: Option<&Expr>, host: &dyn Host) -> Result<Value, Error> {
    let Some(expr) = expr else {
        return Ok(Value::Null);
    };
    let mut ev = Evaluator { host, memory: 0 };
    ev.eval(expr).map(|r| r.value)
}

/// A result, and whether it is an array produced by a `*` filter (indexing
/// such an array applies the index to each element).
struct Res {
    value: Value,
    filtered: bool,
}

impl Res {
    fn plain(value: Value) -> Res {
        Res {
            value,
            filtered: false,
        }
    }
}

struct Evaluator<'h> {
    host: &'h dyn Host,
    memory: usize,
}

fn size_of(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() * 2,
        _ => 0,
    }
}

impl Evaluator<'_> {
    fn eval(&mut self, e: &Expr) -> Result<Res, Error> {
        Ok(match &e.kind {
            ExprKind::Null => Res::plain(Value::Null),
            ExprKind::Bool(b) => Res::plain(Value::Bool(*b)),
            ExprKind::Number(n) => Res::plain(Value::Number(*n)),
            ExprKind::String(s) => Res::plain(Value::string(s.as_str())),
            ExprKind::Context(name) => Res::plain(self.host.context(name).unwrap_or(Value::Null)),
            ExprKind::Group(inner) => self.eval(inner)?,
            ExprKind::Not(inner) => Res::plain(Value::Bool(!self.eval(inner)?.value.is_truthy())),
            ExprKind::Binary { op, left, right } => {
                let l = self.eval(left)?.value;
                let r = self.eval(right)?.value;
                use std::cmp::Ordering::*;
                let b = match op {
                    BinaryOp::Eq => l.loose_eq(&r),
                    BinaryOp::Ne => !l.loose_eq(&r),
                    BinaryOp::Lt => l.loose_cmp(&r) == Some(Less),
                    BinaryOp::Gt => l.loose_cmp(&r) == Some(Greater),
                    BinaryOp::Le => l.loose_eq(&r) || l.loose_cmp(&r) == Some(Less),
                    BinaryOp::Ge => l.loose_eq(&r) || l.loose_cmp(&r) == Some(Greater),
                };
                Res::plain(Value::Bool(b))
            }
            ExprKind::And(args) => {
                let mut last = Res::plain(Value::Null);
                for a in args {
                    last = self.eval(a)?;
                    if !last.value.is_truthy() {
                        break;
                    }
                }
                last
            }
            ExprKind::Or(args) => {
                let mut last = Res::plain(Value::Null);
                for a in args {
                    last = self.eval(a)?;
                    if last.value.is_truthy() {
                        break;
                    }
                }
                last
            }
            ExprKind::Index { target, index } => self.index(target, index)?,
            ExprKind::Call {
                function: Function::Case,
                args,
                ..
            } => self.case(args)?,
            ExprKind::Call { function, args, .. } => Res::plain(self.call(*function, args)?),
        })
    }

    fn index(&mut self, target: &Expr, index: &Index) -> Result<Res, Error> {
        // The index is evaluated before the object, as GitHub does.
        let idx = match index {
            Index::Star => Idx::Star,
            Index::Property { name, .. } => Idx::key(Value::string(name.as_str())),
            Index::Expr(e) => Idx::key(self.eval(e)?.value),
        };
        let obj = self.eval(target)?;
        if obj.filtered {
            let mut out = Vec::new();
            if let Value::Array(items) = &obj.value {
                for item in items.iter() {
                    match item {
                        Value::Object(o) => match &idx {
                            Idx::Star => out.extend(o.values().cloned()),
                            Idx::Key { str, .. } => {
                                if let Some(v) = str.as_deref().and_then(|k| o.get(k)) {
                                    out.push(v.clone());
                                }
                            }
                        },
                        Value::Array(a) => match &idx {
                            Idx::Star => out.extend(a.iter().cloned()),
                            Idx::Key { int, .. } => {
                                if let Some(v) = int.and_then(|i| a.get(i)) {
                                    out.push(v.clone());
                                }
                            }
                        },
                        _ => {}
                    }
                }
            }
            return Ok(Res {
                value: Value::Array(Arc::new(out)),
                filtered: true,
            });
        }
        Ok(match (&obj.value, &idx) {
            (Value::Array(a), Idx::Star) => Res {
                value: Value::Array(Arc::new(a.as_ref().clone())),
                filtered: true,
            },
            (Value::Array(a), Idx::Key { int, .. }) => {
                Res::plain(int.and_then(|i| a.get(i)).cloned().unwrap_or(Value::Null))
            }
            (Value::Object(o), Idx::Star) => Res {
                value: Value::Array(Arc::new(o.values().cloned().collect())),
                filtered: true,
            },
            (Value::Object(o), Idx::Key { str, .. }) => Res::plain(
                str.as_deref()
                    .and_then(|k| o.get(k))
                    .cloned()
                    .unwrap_or(Value::Null),
            ),
            (_, Idx::Star) => Res {
                value: Value::Array(Arc::new(Vec::new())),
                filtered: true,
            },
            _ => Res::plain(Value::Null),
        })
    }

    /// `case(pred, value, …, default)`: predicates are evaluated in order and
    /// only the chosen value is evaluated (as GitHub's runner does); the
    /// chosen value keeps its filtered-array status.
    fn case(&mut self, args: &[Expr]) -> Result<Res, Error> {
        let (pairs, default) = args.split_at(args.len().saturating_sub(1));
        for pair in pairs.chunks(2) {
            match self.eval(&pair[0])?.value {
                Value::Bool(true) => {
                    return match pair.get(1) {
                        Some(v) => self.eval(v),
                        None => Ok(Res::plain(Value::Null)),
                    };
                }
                Value::Bool(false) => {}
                _ => {
                    return Err(Error::eval(
                        "case predicate must evaluate to a boolean value",
                    ));
                }
            }
        }
        match default.first() {
            Some(d) => self.eval(d),
            None => Ok(Res::plain(Value::Null)),
        }
    }

    fn call(&mut self, function: Function, arg_exprs: &[Expr]) -> Result<Value, Error> {
        if function.is_status() {
            return Ok(Value::Bool(self.host.status(function)));
        }
        let before = self.memory;
        let mut args = Vec::with_capacity(arg_exprs.len());
        for a in arg_exprs {
            let v = self.eval(a)?.value;
            self.charge(size_of(&v))?;
            args.push(v);
        }
        self.memory = before;
        let result = match function {
            Function::Contains => Value::Bool(funcs::contains(&args[0], &args[1])),
            Function::StartsWith => Value::Bool(funcs::starts_with(&args[0], &args[1])),
            Function::EndsWith => Value::Bool(funcs::ends_with(&args[0], &args[1])),
            Function::Format => Value::from(funcs::format(&args)?),
            Function::Join => Value::from(funcs::join(&args[0], args.get(1))),
            Function::ToJson => Value::from(funcs::to_json_string(&args[0])),
            Function::FromJson => funcs::from_json(&args[0].to_display_string())?,
            // Handled lazily by `case` above.
            Function::Case => Value::Null,
            Function::HashFiles => {
                let patterns: Vec<String> = args.iter().map(Value::to_display_string).collect();
                Value::from(self.host.hash_files(&patterns).map_err(|m| {
                    Error::eval(format!("hashFiles('{}') failed: {m}", patterns.join(", ")))
                })?)
            }
            Function::Success | Function::Always | Function::Failure | Function::Cancelled => {
                Value::Bool(self.host.status(function))
            }
        };
        self.charge(size_of(&result))?;
        self.memory = before;
        Ok(result)
    }

    fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        self.memory += bytes;
        if self.memory > MAX_MEMORY {
            return Err(Error::eval(format!(
                "The maximum allowed memory size was exceeded ({MAX_MEMORY} bytes)"
            )));
        }
        Ok(())
    }
}

enum Idx {
    Star,
    Key {
        str: Option<String>,
        int: Option<usize>,
    },
}

impl Idx {
    /// An index value used both as a property name (its string form) and as
    /// an array position (its number form, floored; negative or NaN is none).
    fn key(v: Value) -> Idx {
        let str = if v.is_primitive() {
            Some(v.to_display_string())
        } else {
            None
        };
        let n = v.to_number();
        let int = if n.is_finite() && n >= 0.0 {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Some(n.floor().min(usize::MAX as f64) as usize)
        } else {
            None
        };
        Idx::Key { str, int }
    }
}
