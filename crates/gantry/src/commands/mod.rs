//! One module per subcommand.

pub mod artifacts;
pub mod check;
pub mod eval;
pub mod logs;
pub mod plan;
pub mod run;
pub mod run_services;
