//! The GitHub Actions expression language.
