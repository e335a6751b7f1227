//! Matrix expansion, as GitHub documents it ("Using a matrix for your
//! jobs" and `jobs.<job_id>.strategy.matrix.include`/`exclude`).
//!
//! 1. The axes give the cartesian product, the first axis varying slowest
//!    ("the order of the variables in the matrix determines the order in
//!    which the jobs are created").
//! 2. `exclude` entries remove every combination they match; a match may be
//!    partial (only the entry's keys are compared).
//! 3. Each `include` entry is added to every *original* combination whose
//!    original values it does not overwrite (values added by earlier
//!    entries may be overwritten); an entry that fits no combination
//!    becomes a new one.
//! 4. At most [`MAX_JOBS`] combinations.

use gantry_expr::{Object, Value};
use gantry_workflow::{Matrix, MatrixMap, MatrixRow, MatrixRows, MatrixValues};

use crate::eval::{Eval, Scope, deep_eq, node_value};

/// GitHub's limit: "A matrix will generate a maximum of 256 jobs per
/// workflow run."
pub const MAX_JOBS: usize = 256;

/// Above this many axis combinations the expansion is not attempted.
const MAX_PRODUCT: usize = 1 << 20;

/// A matrix with every value known.
#[derive(Debug, Clone, Default)]
pub struct MatrixSpec {
    /// The axes in order, with their values.
    pub axes: Vec<(String, Vec<Value>)>,
    /// `include` entries.
    pub include: Vec<Object>,
    /// `exclude` entries.
    pub exclude: Vec<Object>,
}

/// Why a matrix cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    /// An axis with no values.
    #[error("matrix: axis '{axis}' has no values")]
    EmptyAxis {
        /// The axis.
        axis: String,
    },
    /// Neither axes nor `include`.
    #[error("matrix: it defines no axis and no include entry")]
    NoVectors,
    /// An `exclude` entry names a key that is not an axis.
    #[error("matrix: exclude key '{key}' is not an axis of the matrix")]
    ExcludeKeyUnknown {
        /// The key.
        key: String,
    },
    /// More than [`MAX_JOBS`] combinations.
    #[error("matrix: it produces {count} jobs, more than GitHub's limit of {MAX_JOBS}")]
    TooManyJobs {
        /// How many (a lower bound when it is too large to expand).
        count: usize,
    },
    /// A value of the wrong type (from an expression).
    #[error("matrix: {what} must be {expected}, not {got}")]
    WrongType {
        /// What.
        what: String,
        /// The type needed.
        expected: &'static str,
        /// The type found.
        got: &'static str,
    },
    /// An expression failed.
    #[error("matrix: {0}")]
    Eval(String),
}

/// A matrix for planning.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// The combinations, in GitHub's order.
    Cells(Vec<Object>),
    /// Only known at run time; the text names what it depends on.
    Dynamic(String),
    /// The matrix is invalid.
    Error(MatrixError),
}

/// Expands a matrix whose values are all known.
///
/// # Errors
/// An empty axis, no axes and no include, an unknown exclude key, or too
/// many combinations.
pub fn expand(spec: &MatrixSpec) -> Result<Vec<Object>, MatrixError> {
    if spec.axes.is_empty() && spec.include.is_empty() {
        return Err(MatrixError::NoVectors);
    }
    let mut product: usize = 1;
    for (name, values) in &spec.axes {
        if values.is_empty() {
            return Err(MatrixError::EmptyAxis { axis: name.clone() });
        }
        product = product.saturating_mul(values.len());
    }
    for entry in &spec.exclude {
        for (key, _) in entry.iter() {
            if !spec.axes.iter().any(|(a, _)| a.eq_ignore_ascii_case(key)) {
                return Err(MatrixError::ExcludeKeyUnknown {
                    key: key.to_owned(),
                });
            }
        }
    }
    if product > MAX_PRODUCT {
        return Err(MatrixError::TooManyJobs { count: product });
    }
    let mut cells: Vec<Object> = Vec::new();
    if !spec.axes.is_empty() {
        let mut idx = vec![0usize; spec.axes.len()];
        'outer: loop {
            let mut cell = Object::with_capacity(spec.axes.len());
            for (i, (name, values)) in spec.axes.iter().enumerate() {
                cell.insert(name.clone(), values[idx[i]].clone());
            }
            if !spec.exclude.iter().any(|e| matches_partially(e, &cell)) {
                cells.push(cell);
            }
            // Advance the last axis fastest.
            let mut i = spec.axes.len();
            loop {
                if i == 0 {
                    break 'outer;
                }
                i -= 1;
                idx[i] += 1;
                if idx[i] < spec.axes[i].1.len() {
                    break;
                }
                idx[i] = 0;
            }
        }
    }
    let originals = cells.len();
    let axis_names: Vec<&str> = spec.axes.iter().map(|(n, _)| n.as_str()).collect();
    for entry in &spec.include {
        let mut added = false;
        for cell in cells.iter_mut().take(originals) {
            let fits = entry.iter().all(|(k, v)| {
                !axis_names.iter().any(|a| a.eq_ignore_ascii_case(k))
                    || cell.get(k).is_some_and(|c| deep_eq(c, v))
            });
            if fits {
                for (k, v) in entry.iter() {
                    cell.set(k, v.clone());
                }
                added = true;
            }
        }
        if !added {
            cells.push(entry.clone());
        }
    }
    if cells.len() > MAX_JOBS {
        return Err(MatrixError::TooManyJobs { count: cells.len() });
    }
    Ok(cells)
}

/// Whether every key of `entry` is in `cell` with a matching value;
/// object values match partially too.
fn matches_partially(entry: &Object, cell: &Object) -> bool {
    entry
        .iter()
        .all(|(k, v)| cell.get(k).is_some_and(|c| value_matches(v, c)))
}

fn value_matches(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => matches_partially(w, h),
        _ => deep_eq(want, have),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Resolves the model's matrix in `scope` (`github`, `inputs`, `vars`).
#[must_use]
pub fn resolve(matrix: &Matrix, scope: &Scope) -> Resolved {
    let spec: Result<MatrixSpec, Stop> = match matrix {
        Matrix::Expr(e) => {
            known(scope.eval_template(&e.raw)).and_then(|v| spec_from_value(&v).map_err(Stop::from))
        }
        Matrix::Map(m) => map_spec(m, scope),
    };
    match spec {
        Ok(spec) => match expand(&spec) {
            Ok(cells) => Resolved::Cells(cells),
            Err(e) => Resolved::Error(e),
        },
        Err(Stop::Runtime(r)) => Resolved::Dynamic(r),
        Err(Stop::Error(e)) => Resolved::Error(e),
    }
}

fn map_spec(m: &MatrixMap, scope: &Scope) -> Result<MatrixSpec, Stop> {
    let mut spec = MatrixSpec::default();
    for axis in &m.axes {
        let name = axis.name.value.clone();
        let values = match &axis.values {
            MatrixValues::List { items, .. } => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(known(node_value(item, scope))?);
                }
                out
            }
            MatrixValues::Expr(e) => {
                let v = known(scope.eval_template(&e.raw))?;
                array_of(&v, &format!("axis '{name}'"))?.to_vec()
            }
        };
        spec.axes.push((name, values));
    }
    if let Some(rows) = &m.include {
        spec.include = rows_of(rows, scope, "include")?;
    }
    if let Some(rows) = &m.exclude {
        spec.exclude = rows_of(rows, scope, "exclude")?;
    }
    Ok(spec)
}

/// Why resolution stopped.
enum Stop {
    Runtime(String),
    Error(MatrixError),
}

impl From<MatrixError> for Stop {
    fn from(e: MatrixError) -> Self {
        Stop::Error(e)
    }
}

fn known(e: Eval<Value>) -> Result<Value, Stop> {
    match e {
        Eval::Known(v) => Ok(v),
        Eval::Runtime(r) => Err(Stop::Runtime(r)),
        Eval::Error(e) => Err(Stop::Error(MatrixError::Eval(e))),
    }
}

fn array_of<'v>(v: &'v Value, what: &str) -> Result<&'v [Value], MatrixError> {
    v.as_array().ok_or_else(|| MatrixError::WrongType {
        what: what.to_owned(),
        expected: "an array",
        got: type_name(v),
    })
}

fn object_of(v: &Value, what: &str) -> Result<Object, MatrixError> {
    v.as_object()
        .cloned()
        .ok_or_else(|| MatrixError::WrongType {
            what: what.to_owned(),
            expected: "an object",
            got: type_name(v),
        })
}

fn rows_of(rows: &MatrixRows, scope: &Scope, what: &str) -> Result<Vec<Object>, Stop> {
    let entry = format!("an {what} entry");
    match rows {
        MatrixRows::Expr(e) => {
            let v = known(scope.eval_template(&e.raw))?;
            let items = array_of(&v, what)?;
            Ok(items
                .iter()
                .map(|i| object_of(i, &entry))
                .collect::<Result<_, _>>()?)
        }
        MatrixRows::List { rows, .. } => {
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                match row {
                    MatrixRow::Map { entries, .. } => {
                        let mut obj = Object::with_capacity(entries.len());
                        for (k, v) in entries {
                            obj.set(k.value.clone(), known(node_value(v, scope))?);
                        }
                        out.push(obj);
                    }
                    MatrixRow::Expr(e) => {
                        let v = known(scope.eval_template(&e.raw))?;
                        out.push(object_of(&v, &entry)?);
                    }
                }
            }
            Ok(out)
        }
    }
}

/// A matrix given whole as a value (`matrix: ${{ fromJSON(…) }}`).
///
/// # Errors
/// When it is not an object of arrays (with `include`/`exclude` arrays of
/// objects).
pub fn spec_from_value(v: &Value) -> Result<MatrixSpec, MatrixError> {
    let obj = object_of(v, "the matrix")?;
    let mut spec = MatrixSpec::default();
    for (k, v) in obj.iter() {
        if k.eq_ignore_ascii_case("include") || k.eq_ignore_ascii_case("exclude") {
            let what = k.to_ascii_lowercase();
            let rows = array_of(v, &what)?
                .iter()
                .map(|r| object_of(r, &format!("an {what} entry")))
                .collect::<Result<Vec<_>, _>>()?;
            if what == "include" {
                spec.include = rows;
            } else {
                spec.exclude = rows;
            }
        } else {
            spec.axes
                .push((k.to_owned(), array_of(v, &format!("axis '{k}'"))?.to_vec()));
        }
    }
    Ok(spec)
}

/// The values GitHub lists in a matrix job's default name: every value of
/// the combination in order, nested arrays and objects flattened, empty
/// strings and nulls left out.
#[must_use]
pub fn cell_label(cell: &Object) -> String {
    let mut parts = Vec::new();
    for v in cell.values() {
        flatten(v, &mut parts);
    }
    parts.join(", ")
}

fn flatten(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Null => {}
        Value::String(s) if s.is_empty() => {}
        Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        Value::Object(o) => o.values().for_each(|i| flatten(i, out)),
        other => out.push(other.to_display_string()),
    }
}

#[cfg(test)]
mod tests;
