//! Builds the syntax tree, with GitHub's precedence and limits.
//!
//! Precedence, lowest first: `||`, `&&`, `== !=`, `< <= > >=`, `!`, then
//! property access and indexing, then literals, calls and groups. Nesting is
//! limited to GitHub's maximum depth of 50, counted the way GitHub counts it
//! (each nested expression, each `!`, each `&&`/`||` chain and each property
//! or index step adds one).

use crate::ast::{BinaryOp, Expr, ExprKind, Index};
use crate::error::{Error, ErrorKind, Span};
use crate::funcs::Function;
use crate::lexer::{Token, TokenKind, lex};

/// GitHub's maximum expression depth.
pub const MAX_DEPTH: usize = 50;

/// Which named values and functions an expression may use.
#[derive(Clone, Copy)]
pub struct ParseOptions<'a> {
    /// Decides whether a named value (`github`, `env`, …) exists. `None`
    /// accepts every name.
    pub allow_context: Option<&'a dyn Fn(&str) -> bool>,
    /// Whether `success()`, `always()`, `failure()` and `cancelled()` exist.
    pub status_functions: bool,
    /// Whether `hashFiles()` exists.
    pub hash_files: bool,
}

impl Default for ParseOptions<'_> {
    fn default() -> Self {
        ParseOptions {
            allow_context: None,
            status_functions: true,
            hash_files: true,
        }
    }
}

impl std::fmt::Debug for ParseOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseOptions")
            .field("allow_context", &self.allow_context.is_some())
            .field("status_functions", &self.status_functions)
            .field("hash_files", &self.hash_files)
            .finish()
    }
}

/// Parses an expression. An empty expression (only white space) gives
/// `Ok(None)`, which evaluates to null.
pub fn parse(src: &str, options: &ParseOptions<'_>) -> Result<Option<Expr>, Error> {
    let tokens = lex(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
        options,
    };
    if p.at_end() {
        return Ok(None);
    }
    let expr = p.expression()?;
    if !p.at_end() {
        return Err(p.unexpected_symbol(p.pos));
    }
    Ok(Some(expr))
}

struct Parser<'a, 'o> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    options: &'a ParseOptions<'o>,
}

type PResult = Result<Expr, Error>;

impl Parser<'_, '_> {
    fn peek(&self) -> &TokenKind {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].kind
    }

    fn at_end(&self) -> bool {
        matches!(self.peek(), TokenKind::Eof)
    }

    fn check(&self, kind: &TokenKind) -> bool {
        !self.at_end() && std::mem::discriminant(self.peek()) == std::mem::discriminant(kind)
    }

    fn advance(&mut self) -> usize {
        if !self.at_end() {
            self.pos += 1;
        }
        self.pos - 1
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.check(kind) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn span(&self, i: usize) -> Span {
        self.tokens[i.min(self.tokens.len() - 1)].span
    }

    fn error(&self, what: &str, token: usize) -> Error {
        let tok = &self.tokens[token.min(self.tokens.len() - 1)];
        Error::at(
            ErrorKind::Parsing,
            format!("{what}: '{}'", tok.describe(self.src)),
            tok.span,
            self.src,
        )
    }

    fn unexpected_symbol(&self, token: usize) -> Error {
        self.error("Unexpected symbol", token)
    }

    fn unexpected_end(&self) -> Error {
        self.error("Unexpected end of expression", self.pos.saturating_sub(1))
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(
                &format!("Exceeded max expression depth {MAX_DEPTH}"),
                self.pos,
            ));
        }
        Ok(())
    }

    fn expression(&mut self) -> PResult {
        self.enter()?;
        let e = self.or();
        self.depth -= 1;
        e
    }

    fn or(&mut self) -> PResult {
        let first = self.and()?;
        if !self.check(&TokenKind::Or) {
            return Ok(first);
        }
        self.enter()?;
        let mut args = vec![first];
        while self.eat(&TokenKind::Or) {
            args.push(self.and()?);
        }
        self.depth -= 1;
        let span = args[0].span.to(args[args.len() - 1].span);
        Ok(Expr {
            kind: ExprKind::Or(args),
            span,
        })
    }

    fn and(&mut self) -> PResult {
        let first = self.equality()?;
        if !self.check(&TokenKind::And) {
            return Ok(first);
        }
        self.enter()?;
        let mut args = vec![first];
        while self.eat(&TokenKind::And) {
            args.push(self.equality()?);
        }
        self.depth -= 1;
        let span = args[0].span.to(args[args.len() - 1].span);
        Ok(Expr {
            kind: ExprKind::And(args),
            span,
        })
    }

    fn binary(left: Expr, op: BinaryOp, right: Expr) -> Expr {
        let span = left.span.to(right.span);
        Expr {
            kind: ExprKind::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            },
            span,
        }
    }

    fn equality(&mut self) -> PResult {
        let mut expr = self.comparison()?;
        loop {
            let op = match self.peek() {
                TokenKind::EqualEqual => BinaryOp::Eq,
                TokenKind::BangEqual => BinaryOp::Ne,
                _ => return Ok(expr),
            };
            self.advance();
            let right = self.comparison()?;
            expr = Self::binary(expr, op, right);
        }
    }

    fn comparison(&mut self) -> PResult {
        let mut expr = self.unary()?;
        loop {
            let op = match self.peek() {
                TokenKind::Greater => BinaryOp::Gt,
                TokenKind::GreaterEqual => BinaryOp::Ge,
                TokenKind::Less => BinaryOp::Lt,
                TokenKind::LessEqual => BinaryOp::Le,
                _ => return Ok(expr),
            };
            self.advance();
            let right = self.unary()?;
            expr = Self::binary(expr, op, right);
        }
    }

    fn unary(&mut self) -> PResult {
        if self.check(&TokenKind::Bang) {
            let bang = self.advance();
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = self.span(bang).to(inner.span);
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        self.index()
    }

    fn index(&mut self) -> PResult {
        let mut expr = self.call()?;
        if !matches!(
            expr.kind,
            ExprKind::Group(_) | ExprKind::Call { .. } | ExprKind::Context(_)
        ) {
            return Ok(expr);
        }
        let mut added = 0;
        let result = loop {
            if self.eat(&TokenKind::LeftBracket) {
                let index = if self.eat(&TokenKind::Star) {
                    Index::Star
                } else {
                    match self.expression() {
                        Ok(e) => Index::Expr(Box::new(e)),
                        Err(e) => break Err(e),
                    }
                };
                if !self.check(&TokenKind::RightBracket) {
                    break Err(self.unexpected_symbol(self.pos));
                }
                let close = self.advance();
                if let Err(e) = self.enter() {
                    break Err(e);
                }
                added += 1;
                let span = expr.span.to(self.span(close));
                expr = Expr {
                    kind: ExprKind::Index {
                        target: Box::new(expr),
                        index,
                    },
                    span,
                };
            } else if self.eat(&TokenKind::Dot) {
                if let Err(e) = self.enter() {
                    break Err(e);
                }
                added += 1;
                let index = if self.check(&TokenKind::Identifier) {
                    let t = self.advance();
                    let span = self.span(t);
                    Index::Property {
                        name: self.src[span.start..span.end].to_owned(),
                        span,
                    }
                } else if self.check(&TokenKind::Star) {
                    self.advance();
                    Index::Star
                } else {
                    break Err(self.unexpected_symbol(self.pos));
                };
                let span = expr.span.to(self.span(self.pos - 1));
                expr = Expr {
                    kind: ExprKind::Index {
                        target: Box::new(expr),
                        index,
                    },
                    span,
                };
            } else {
                break Ok(expr);
            }
        };
        self.depth -= added;
        result
    }

    fn call(&mut self) -> PResult {
        if !self.check(&TokenKind::Identifier) {
            return self.primary();
        }
        let ident = self.advance();
        let name_span = self.span(ident);
        let name = &self.src[name_span.start..name_span.end];
        if !self.eat(&TokenKind::LeftParen) {
            if let Some(allow) = self.options.allow_context
                && !allow(name)
            {
                return Err(self.error("Unrecognized named-value", ident));
            }
            return Ok(Expr {
                kind: ExprKind::Context(name.to_owned()),
                span: name_span,
            });
        }
        let mut args = Vec::new();
        let close = loop {
            if self.check(&TokenKind::RightParen) {
                break self.advance();
            }
            args.push(self.expression()?);
            if !self.check(&TokenKind::RightParen) && !self.eat(&TokenKind::Comma) {
                return Err(self.unexpected_symbol(self.pos));
            }
        };
        let function = match Function::lookup(name) {
            Some(f) if f.is_status() && !self.options.status_functions => None,
            Some(Function::HashFiles) if !self.options.hash_files => None,
            other => other,
        };
        let Some(function) = function else {
            return Err(self.error("Unrecognized function", ident));
        };
        let (min, max) = function.arity();
        if args.len() < min {
            return Err(self.error("Too few parameters supplied", ident));
        }
        if args.len() > max {
            return Err(self.error("Too many parameters supplied", ident));
        }
        if function == Function::Case && args.len() % 2 == 0 {
            return Err(self.error(
                "Even number of parameters supplied, requires an odd number of parameters",
                ident,
            ));
        }
        let span = name_span.to(self.span(close));
        Ok(Expr {
            kind: ExprKind::Call {
                function,
                name_span,
                args,
            },
            span,
        })
    }

    fn primary(&mut self) -> PResult {
        let i = self.pos;
        let span = self.span(i);
        let kind = match self.peek().clone() {
            TokenKind::False => ExprKind::Bool(false),
            TokenKind::True => ExprKind::Bool(true),
            TokenKind::Null => ExprKind::Null,
            TokenKind::Number(n) => ExprKind::Number(n),
            TokenKind::String(s) => ExprKind::String(s),
            TokenKind::LeftParen => {
                self.advance();
                let inner = self.expression()?;
                if self.at_end() {
                    return Err(self.unexpected_end());
                }
                if !self.check(&TokenKind::RightParen) {
                    return Err(self.unexpected_symbol(self.pos));
                }
                let close = self.advance();
                let span = span.to(self.span(close));
                return Ok(Expr {
                    kind: ExprKind::Group(Box::new(inner)),
                    span,
                });
            }
            TokenKind::Eof => return Err(self.unexpected_end()),
            _ => return Err(self.unexpected_symbol(i)),
        };
        self.advance();
        Ok(Expr { kind, span })
    }
}
