//! Fuzzes the syntax inside a container's strings: `options:` (flags,
//! shell-like words, durations, sizes) and `ports:` entries. Every input
//! must parse or be refused with a message, never panic.

#![no_main]

use gantry_workflow::container::{options, ports};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = options::parse(text) {
        assert!(!e.is_empty());
    }
    let _ = options::split_words(text);
    let _ = options::parse_duration(text);
    let _ = options::parse_bytes(text);
    if let Err(e) = ports::parse(text) {
        assert!(!e.is_empty());
    }
});
