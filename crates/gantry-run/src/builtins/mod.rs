//! Native built-ins, one file each, registered in [`crate::actions`].

pub mod github_script;
pub mod paths_filter;
pub mod setup;
// mxschmitt/action-tmate: a local shell (crate::debug_shell) instead of a tunnel.
pub mod tmate;
// actions/cache (+ restore, save) and upload/download-artifact, backed by
// the run's cache and artifact stores (`Stores`, in `stores.rs`, reachable
// from `ActionContext::stores`). Post steps of native actions: see
// `NativeAction::has_post` / `post`.
pub mod artifacts;
pub mod cache;
mod stores;
pub use stores::Stores;
mod glob;
mod version_spec;
