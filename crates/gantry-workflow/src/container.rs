//! The syntax inside a container's strings: `options:` (a subset of
//! `docker create`'s flags, shell-like words, Go durations, byte sizes) and
//! `ports:` entries. `gantry check` reports what does not parse; the runner
//! builds the engine's requests from the parsed values.

pub mod options;
pub mod ports;
