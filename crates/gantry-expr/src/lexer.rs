//! Turns expression text into tokens.

use crate::error::{Error, ErrorKind, Span};
use crate::number::{is_js_whitespace, parse_js_number};

/// The longest expression GitHub accepts.
pub const MAX_EXPRESSION_LENGTH: usize = 21_000;

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Bang,
    BangEqual,
    EqualEqual,
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    And,
    Or,
    Star,
    Number(f64),
    String(String),
    Identifier,
    True,
    False,
    Null,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

impl Token {
    /// The text shown for this token in an error message.
    pub fn describe<'a>(&'a self, src: &'a str) -> &'a str {
        match &self.kind {
            TokenKind::Eof => "EOF",
            TokenKind::String(s) => s,
            _ => src.get(self.span.start..self.span.end).unwrap_or(""),
        }
    }
}

/// Characters that end a number or an identifier.
fn is_boundary(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | ')' | ']' | ',' | '.' | '!' | '>' | '<' | '=' | '&' | '|'
    ) || is_js_whitespace(c)
}

fn is_legal_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Splits `src` into tokens, ending with an `Eof` token.
pub fn lex(src: &str) -> Result<Vec<Token>, Error> {
    if src.len() > MAX_EXPRESSION_LENGTH && src.chars().count() > MAX_EXPRESSION_LENGTH {
        return Err(Error::at(
            ErrorKind::Lexing,
            format!("Exceeded max expression length {MAX_EXPRESSION_LENGTH}"),
            Span::new(0, 0),
            src,
        ));
    }
    let mut lx = Lexer {
        src,
        pos: 0,
        tokens: Vec::with_capacity(src.len() / 3 + 1),
    };
    lx.run()?;
    Ok(lx.tokens)
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        if self.peek() == Some(expected) {
            self.pos += expected.len_utf8();
            true
        } else {
            false
        }
    }

    fn previous(&self) -> Option<&TokenKind> {
        self.tokens.last().map(|t| &t.kind)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start, self.pos),
        });
    }

    fn error(&self, start: usize, end: usize) -> Error {
        let lexeme = &self.src[start..end];
        Error::at(
            ErrorKind::Lexing,
            format!("Unexpected symbol: '{lexeme}'"),
            Span::new(start, end),
            self.src,
        )
    }

    fn run(&mut self) -> Result<(), Error> {
        while let Some(c) = self.bump() {
            let start = self.pos - c.len_utf8();
            match c {
                '(' => self.push(TokenKind::LeftParen, start),
                ')' => self.push(TokenKind::RightParen, start),
                '[' => self.push(TokenKind::LeftBracket, start),
                ']' => self.push(TokenKind::RightBracket, start),
                ',' => self.push(TokenKind::Comma, start),
                '*' => self.push(TokenKind::Star, start),
                '.' => {
                    // A dot after something that can be dereferenced is
                    // property access; elsewhere it starts a number (`.5`).
                    if matches!(
                        self.previous(),
                        Some(
                            TokenKind::Identifier
                                | TokenKind::RightBracket
                                | TokenKind::RightParen
                                | TokenKind::Star
                        )
                    ) {
                        self.push(TokenKind::Dot, start);
                    } else {
                        self.number(start)?;
                    }
                }
                '-' | '+' => self.number(start)?,
                '!' => {
                    let kind = if self.eat('=') {
                        TokenKind::BangEqual
                    } else {
                        TokenKind::Bang
                    };
                    self.push(kind, start);
                }
                '=' => {
                    if self.eat('=') {
                        self.push(TokenKind::EqualEqual, start);
                    } else {
                        self.identifier(start)?;
                    }
                }
                '<' => {
                    let kind = if self.eat('=') {
                        TokenKind::LessEqual
                    } else {
                        TokenKind::Less
                    };
                    self.push(kind, start);
                }
                '>' => {
                    let kind = if self.eat('=') {
                        TokenKind::GreaterEqual
                    } else {
                        TokenKind::Greater
                    };
                    self.push(kind, start);
                }
                '&' => {
                    if self.eat('&') {
                        self.push(TokenKind::And, start);
                    } else {
                        self.identifier(start)?;
                    }
                }
                '|' => {
                    if self.eat('|') {
                        self.push(TokenKind::Or, start);
                    } else {
                        self.identifier(start)?;
                    }
                }
                ' ' | '\t' | '\r' | '\n' => {}
                '\'' => self.string(start)?,
                c if c.is_ascii_digit() => self.number(start)?,
                _ => self.identifier(start)?,
            }
        }
        self.push(TokenKind::Eof, self.pos);
        Ok(())
    }

    fn number(&mut self, start: usize) -> Result<(), Error> {
        while let Some(c) = self.peek() {
            if is_boundary(c) && c != '.' {
                break;
            }
            self.pos += c.len_utf8();
        }
        let lexeme = &self.src[start..self.pos];
        let value = parse_js_number(lexeme);
        if value.is_nan() {
            return Err(self.error(start, self.pos));
        }
        self.push(TokenKind::Number(value), start);
        Ok(())
    }

    fn string(&mut self, start: usize) -> Result<(), Error> {
        let mut value = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error(start, self.src.len())),
                Some('\'') => {
                    if self.peek() == Some('\'') {
                        self.pos += 1;
                        value.push('\'');
                    } else {
                        break;
                    }
                }
                Some(c) => value.push(c),
            }
        }
        self.push(TokenKind::String(value), start);
        Ok(())
    }

    fn identifier(&mut self, start: usize) -> Result<(), Error> {
        while let Some(c) = self.peek() {
            if is_boundary(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        let lexeme = &self.src[start..self.pos];
        let mut kind = TokenKind::Identifier;
        if self.previous() != Some(&TokenKind::Dot) {
            kind = match lexeme {
                "true" => TokenKind::True,
                "false" => TokenKind::False,
                "null" => TokenKind::Null,
                "NaN" => TokenKind::Number(f64::NAN),
                "Infinity" => TokenKind::Number(f64::INFINITY),
                _ => TokenKind::Identifier,
            };
        }
        if !is_legal_identifier(lexeme) {
            return Err(self.error(start, self.pos));
        }
        self.push(kind, start);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn dots_and_numbers() {
        assert_eq!(
            kinds("a.b"),
            vec![
                TokenKind::Identifier,
                TokenKind::Dot,
                TokenKind::Identifier,
                TokenKind::Eof
            ]
        );
        assert_eq!(kinds(".5"), vec![TokenKind::Number(0.5), TokenKind::Eof]);
        assert_eq!(kinds("-1"), vec![TokenKind::Number(-1.0), TokenKind::Eof]);
        assert_eq!(
            kinds("'it''s'"),
            vec![TokenKind::String("it's".into()), TokenKind::Eof]
        );
        assert_eq!(
            kinds("'a''b''c'"),
            vec![TokenKind::String("a'b'c".into()), TokenKind::Eof]
        );
    }

    #[test]
    fn errors_carry_positions() {
        let e = lex("1 @abc 2").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Unexpected symbol: '@abc'. Located at position 3 within expression: 1 @abc 2"
        );
        let e = lex("'foo").unwrap_err();
        assert_eq!(e.description, "Unexpected symbol: ''foo'");
    }
}
