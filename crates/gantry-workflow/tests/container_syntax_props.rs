//! Properties of the `options:` and `ports:` parsers over arbitrary input:
//! they never panic, every refusal says something, and quoting round-trips.

#![allow(clippy::unwrap_used)]

use gantry_workflow::container::{options, ports};
use proptest::prelude::*;

/// Quotes a word so that `split_words` gives it back.
fn quote(w: &str) -> String {
    format!("'{}'", w.replace('\'', "'\"'\"'"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn options_never_panic_and_errors_say_what(s in "\\PC{0,80}") {
        if let Err(e) = options::parse(&s) {
            prop_assert!(!e.trim().is_empty());
        }
    }

    #[test]
    fn flag_like_input_never_panics(
        words in proptest::collection::vec(
            prop_oneof![
                Just("--health-cmd".to_owned()),
                Just("--cpus".to_owned()),
                Just("-e".to_owned()),
                Just("--memory".to_owned()),
                Just("--ulimit".to_owned()),
                Just("-p".to_owned()),
                Just("--tmpfs".to_owned()),
                Just("--privileged=".to_owned()),
                "[-=:a-z0-9.\"' ]{0,12}",
            ],
            0..8,
        )
    ) {
        let _ = options::parse(&words.join(" "));
    }

    #[test]
    fn quoted_words_round_trip(words in proptest::collection::vec("\\PC{0,12}", 0..6)) {
        let line: Vec<String> = words.iter().map(|w| quote(w)).collect();
        prop_assert_eq!(options::split_words(&line.join(" ")).unwrap(), words);
    }

    #[test]
    fn environment_values_are_kept_exactly(name in "[A-Z_][A-Z0-9_]{0,10}", value in "\\PC{0,20}") {
        let o = options::parse(&format!("-e {}", quote(&format!("{name}={value}")))).unwrap();
        prop_assert_eq!(o.env, vec![(name, value)]);
    }

    #[test]
    fn ports_never_panic(s in "\\PC{0,30}") {
        if let Err(e) = ports::parse(&s) {
            prop_assert!(!e.trim().is_empty());
        }
    }

    #[test]
    fn valid_ports_parse_to_what_was_written(
        host in proptest::option::of(1u16..=65535),
        container in 1u16..=65535,
        udp in any::<bool>(),
    ) {
        let mut s = match host {
            Some(h) => format!("{h}:{container}"),
            None => container.to_string(),
        };
        if udp {
            s.push_str("/udp");
        }
        let p = ports::parse(&s).unwrap();
        prop_assert_eq!(p.host_port, host);
        prop_assert_eq!(p.container_port, container);
        prop_assert_eq!(p.protocol.as_str(), if udp { "udp" } else { "tcp" });
    }
}
