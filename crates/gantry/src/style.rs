//! Message style: every message starts with `error:`, `warning:` or `hint:`
//! (meaning is never carried by colour alone); colour only when the stream is
//! a terminal and `NO_COLOR` is not set.

use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Hint,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Hint => "hint",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Level::Error => "\x1b[1;31m",
            Level::Warning => "\x1b[1;33m",
            Level::Hint => "\x1b[1;36m",
        }
    }
}

/// Whether standard error should be coloured.
pub fn stderr_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Formats `level: message`.
pub fn message(level: Level, text: &str, colour: bool) -> String {
    if colour {
        format!("{}{}\x1b[0m: {text}", level.colour(), level.label())
    } else {
        format!("{}: {text}", level.label())
    }
}

/// Prints `level: message` to standard error.
pub fn emit(level: Level, text: &str) {
    eprintln!("{}", message(level, text, stderr_colour()));
}
