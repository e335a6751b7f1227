//! The syntax tree of an expression, with spans into its text.

use crate::error::Span;
use crate::funcs::Function;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// A named value (context) such as `github`, as written.
    Context(String),
    /// `target.name`, `target['x']`, `target[0]`, `target.*`, `target[*]`.
    Index {
        target: Box<Expr>,
        index: Index,
    },
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `a && b && …`: yields the first falsy operand, or the last.
    And(Vec<Expr>),
    /// `a || b || …`: yields the first truthy operand, or the last.
    Or(Vec<Expr>),
    Call {
        function: Function,
        name_span: Span,
        args: Vec<Expr>,
    },
    /// A parenthesised expression.
    Group(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Index {
    /// `.name`: a property written after a dot.
    Property { name: String, span: Span },
    /// `[expr]`.
    Expr(Box<Expr>),
    /// `.*` or `[*]`.
    Star,
}

impl Expr {
    /// Whether the expression calls a status function (`success()`,
    /// `always()`, `failure()`, `cancelled()`) anywhere.
    pub fn uses_status_function(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if let ExprKind::Call { function, .. } = &e.kind
                && function.is_status()
            {
                found = true;
            }
        });
        found
    }

    /// Visits every node, parents before children.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Index { target, index } => {
                target.walk(f);
                if let Index::Expr(e) = index {
                    e.walk(f);
                }
            }
            ExprKind::Not(e) | ExprKind::Group(e) => e.walk(f),
            ExprKind::Binary { left, right, .. } => {
                left.walk(f);
                right.walk(f);
            }
            ExprKind::And(args) | ExprKind::Or(args) | ExprKind::Call { args, .. } => {
                for a in args {
                    a.walk(f);
                }
            }
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Context(_) => {}
        }
    }
}
