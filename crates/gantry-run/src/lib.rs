//! Execution: runs planned jobs on this machine the way a GitHub runner
//! would, and reports what happens as a stream of [`event::Event`]s.

pub mod actions;
pub mod builtins;
pub mod call;
pub mod commands;
pub mod debug_shell;
pub mod docker;
pub mod eval;
pub mod event;
pub mod file_commands;
pub mod job;
pub mod mask;
pub mod process;
pub mod resolve;
pub mod runner_env;
pub mod scheduler;
pub mod shell;
pub mod workspace;
