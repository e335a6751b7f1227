//! The GitHub Actions `${{ }}` expression language, as GitHub evaluates it.
//!
//! Text is lexed ([`lexer`]) and parsed ([`parser`]) into a tree
//! ([`ast::Expr`]) with spans, then evaluated ([`eval`]) against contexts a
//! [`Host`] provides. [`Template`] handles strings with `${{ }}` parts and
//! [`Condition`] handles `if:`. [`analysis`] lists the contexts and functions
//! an expression uses, for the checker. Nothing here does I/O: `hashFiles`
//! reads files through a [`FileSource`] the caller provides.
//!
//! Fidelity notes: behaviour follows GitHub's documentation and, where it is
//! silent, GitHub's own implementations, checked by the cross-language test
//! suite and a differential test against `@actions/expressions`.

pub mod analysis;
pub mod ast;
pub mod error;
pub mod eval;
pub mod funcs;
pub mod hash_files;
pub mod lexer;
pub mod number;
pub mod parser;
pub mod template;
pub mod value;

pub use ast::{Expr, ExprKind};
pub use error::{Error, ErrorKind, Span};
pub use eval::{Contexts, Host, Status, evaluate};
pub use funcs::{Function, to_json_string};
pub use hash_files::FileSource;
pub use parser::{ParseOptions, parse};
pub use template::{Condition, Part, Template};
pub use value::{Kind, Object, Value};

/// Parses and evaluates `src` as a plain expression in one go.
pub fn eval_str(src: &str, host: &dyn Host) -> Result<Value, Error> {
    let expr = parse(src, &ParseOptions::default())?;
    evaluate(expr.as_ref(), host)
}
