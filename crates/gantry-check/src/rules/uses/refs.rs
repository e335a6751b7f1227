//! The expression-bearing strings of jobs and steps, and the context
//! references in them, for rules outside the expressions module that look
//! at one context (`steps.<id>.outputs.*`, `secrets.*`). Strings that do not
//! mention the context are skipped before parsing.

use gantry_diagnostics::Span;
use gantry_expr::analysis::{ContextRef, references};
use gantry_expr::{Condition as ExprCondition, Expr, ParseOptions, Template};
use gantry_workflow::{
    BoolOrExpr, CallJob, CallSecrets, Condition, Container, Env, ExprString, Job, NormalJob,
    NumberOrExpr, Scalar, Services, Step, With,
};

use crate::{Cx, locate};

/// A string as written: its value, where the scalar is, and whether it is
/// an `if:` (whose `${{ }}` may be left out).
#[derive(Clone, Copy)]
pub(crate) struct Text<'a> {
    pub raw: &'a str,
    pub span: Span,
    pub condition: bool,
}

/// Collects strings.
#[derive(Default)]
pub(crate) struct Texts<'a>(pub Vec<Text<'a>>);

impl<'a> Texts<'a> {
    fn expr(&mut self, e: &'a ExprString) {
        self.0.push(Text {
            raw: &e.raw,
            span: e.span,
            condition: false,
        });
    }

    fn opt(&mut self, e: Option<&'a ExprString>) {
        if let Some(e) = e {
            self.expr(e);
        }
    }

    fn scalar(&mut self, s: &'a Scalar) {
        if let Scalar::String(e) = s {
            self.expr(e);
        }
    }

    fn condition(&mut self, c: Option<&'a Condition>) {
        if let Some(Condition::Expr(e)) = c {
            self.0.push(Text {
                raw: &e.raw,
                span: e.span,
                condition: true,
            });
        }
    }

    fn bool_or_expr(&mut self, b: Option<&'a BoolOrExpr>) {
        if let Some(BoolOrExpr::Expr(e)) = b {
            self.expr(e);
        }
    }

    fn number_or_expr(&mut self, n: Option<&'a NumberOrExpr>) {
        if let Some(NumberOrExpr::Expr(e)) = n {
            self.expr(e);
        }
    }

    pub fn env(&mut self, env: Option<&'a Env>) {
        match env {
            Some(Env::Map(entries)) => entries.iter().for_each(|(_, v)| self.scalar(v)),
            Some(Env::Expr(e)) => self.expr(e),
            None => {}
        }
    }

    fn with(&mut self, with: &'a With) {
        with.entries.iter().for_each(|(_, v)| self.scalar(v));
    }

    /// Every string of a step (and of the steps of a parallel group).
    pub fn step(&mut self, step: &'a Step) {
        let c = step.common();
        self.opt(c.name.as_ref());
        self.condition(c.condition.as_ref());
        self.env(c.env.as_ref());
        self.bool_or_expr(c.continue_on_error.as_ref());
        self.number_or_expr(c.timeout_minutes.as_ref());
        match step {
            Step::Run(s) => {
                self.expr(&s.run);
                self.opt(s.shell.as_ref());
                self.opt(s.working_directory.as_ref());
            }
            Step::Uses(s) => self.with(&s.with),
            Step::Parallel(g) => g.steps.iter().for_each(|s| self.step(s)),
        }
    }

    fn container(&mut self, c: &'a Container) {
        if let Some(cred) = &c.credentials {
            self.opt(cred.username.as_ref());
            self.opt(cred.password.as_ref());
        }
        self.env(c.env.as_ref());
    }

    /// The strings of a job where `secrets` may appear: `env`, container and
    /// service credentials and `env`, and its steps.
    pub fn job_secrets(&mut self, job: &'a Job) {
        match job {
            Job::Normal(j) => self.normal_job(j),
            Job::Call(j) => self.call_job(j),
        }
    }

    fn normal_job(&mut self, j: &'a NormalJob) {
        self.env(j.env.as_ref());
        if let Some(c) = &j.container {
            self.container(c);
        }
        if let Some(Services::Map { services, .. }) = &j.services {
            services.iter().for_each(|(_, c)| self.container(c));
        }
        j.steps.iter().for_each(|s| self.step(s));
    }

    fn call_job(&mut self, j: &'a CallJob) {
        self.with(&j.with);
        if let Some(CallSecrets::Map { entries }) = &j.secrets {
            entries.iter().for_each(|(_, v)| self.expr(v));
        }
    }
}

/// Whether `text` mentions `word`, ignoring ASCII case.
fn mentions(text: &str, word: &str) -> bool {
    let w = word.as_bytes();
    text.len() >= w.len()
        && text
            .as_bytes()
            .windows(w.len())
            .any(|x| x.eq_ignore_ascii_case(w))
}

/// Turns a span of an expression into a span of the file.
pub(crate) type Locate<'l> = dyn Fn(gantry_expr::Span) -> Span + 'l;

/// Calls `f` with every reference to context `name` in `text` and a function
/// turning a span of the expression into a span of the file. Strings that do
/// not parse are skipped: the expressions module reports them.
pub(crate) fn each_ref(
    cx: &Cx<'_>,
    text: Text<'_>,
    name: &str,
    f: &mut dyn FnMut(&ContextRef, &Locate<'_>),
) {
    if !mentions(text.raw, name) {
        return;
    }
    let options = ParseOptions::default();
    let mut visit = |expr: &Expr, base: usize| {
        let locate = |s: gantry_expr::Span| {
            locate::span_in(cx.src, text.span, text.raw, base + s.start, base + s.end)
        };
        for c in references(expr).contexts {
            if c.name.eq_ignore_ascii_case(name) {
                f(&c, &locate);
            }
        }
    };
    if text.condition {
        match ExprCondition::parse(text.raw, &options) {
            Ok(ExprCondition::Expr {
                expr: Some(e),
                offset,
            }) => visit(&e, offset),
            Ok(ExprCondition::Template(t)) => t.expressions().for_each(|(e, o)| visit(e, o)),
            _ => {}
        }
    } else if let Ok(t) = Template::parse(text.raw, &options) {
        t.expressions().for_each(|(e, o)| visit(e, o));
    }
}
