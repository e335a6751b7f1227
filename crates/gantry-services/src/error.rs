//! Errors of the stores and of the services.

use std::path::{Path, PathBuf};

/// What can go wrong in the cache or artifact store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not a valid record: {source}", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cache already exists. Scope: {scope}, Key: {key}, Version: {version}")]
    CacheExists {
        scope: String,
        key: String,
        version: String,
    },
    #[error("an artifact named `{name}` already exists in run {run_id}")]
    ArtifactExists { run_id: u64, name: String },
    #[error("no artifact named `{name}` in run {run_id}")]
    ArtifactNotFound { run_id: u64, name: String },
    #[error("artifact {name}: {message}")]
    BadArchive { name: String, message: String },
}

impl StoreError {
    /// A closure turning an I/O error on `path` into a [`StoreError`].
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
        move |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What can go wrong starting or stopping the services.
#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot prepare the services' directory {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no randomness from the operating system: {0}")]
    Random(#[source] std::io::Error),
    #[error("the services' server task failed: {0}")]
    Join(String),
}
