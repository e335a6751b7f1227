//! Gantry's exit codes. The table is documented in `docs/exit-codes.md`;
//! keep the two in step.

use std::process::ExitCode;

/// Why gantry exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything asked for succeeded (warnings alone do not fail).
    Success,
    /// 1: the command ran and found a failure: an expression error, a
    /// workflow with errors, a failed job.
    Failure,
    /// 2: the command could not run: bad usage, unreadable files, bad input
    /// that is not the subject of the command.
    Usage,
    /// 130: interrupted (Ctrl-C).
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}
