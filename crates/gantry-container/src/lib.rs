//! Containers through a Docker-compatible engine (Docker, Podman's Docker
//! API): what a job's `container:`, its `services:` and Docker actions need.
//!
//! - [`options`] (from `gantry-workflow`): the `options:` string of `container:`/`services:` (a
//!   subset of `docker create`'s flags), shell-like word splitting, Go
//!   durations and byte sizes: pure, tested without a daemon;
//! - [`ports`] (from `gantry-workflow`): `ports:` entries (`8080`, `8080:80`, `127.0.0.1:8080:80/udp`);
//! - [`engine`]: the engine itself (bollard): images (pull, build),
//!   networks, containers, exec with output streamed line by line.

pub mod dockerignore;
pub mod engine;
pub use gantry_workflow::container::{options, ports};
pub mod spec;

pub use engine::{ContainerState, Credentials, Ended, Engine, EngineError, ExecSpec, Output};
pub use spec::{Bind, ContainerSpec};
