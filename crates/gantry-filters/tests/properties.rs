//! Property tests: parsers and matchers never panic, and cron's
//! `next_after` agrees with a minute-by-minute scan.

use gantry_filters::cron::{Cron, DateTime};
use gantry_filters::pattern::{Pattern, PatternList};
use proptest::prelude::*;

/// Strings biased towards pattern syntax.
fn pattern_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("*".to_owned()),
            Just("**".to_owned()),
            Just("**/".to_owned()),
            Just("/".to_owned()),
            Just("?".to_owned()),
            Just("+".to_owned()),
            Just("!".to_owned()),
            Just("\\".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("-".to_owned()),
            Just("[a-z]".to_owned()),
            Just("é".to_owned()),
            "[a-c.]{1,3}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn subject_like() -> impl Strategy<Value = String> {
    "[abc./é*-]{0,12}"
}

/// Strings biased towards cron syntax.
fn cron_like() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("*".to_owned()),
            Just(" ".to_owned()),
            Just(",".to_owned()),
            Just("-".to_owned()),
            Just("/".to_owned()),
            Just("MON".to_owned()),
            Just("jan".to_owned()),
            Just("@".to_owned()),
            "[0-9]{1,3}",
        ],
        0..20,
    )
    .prop_map(|parts| parts.concat())
}

fn field(min: u32, max: u32) -> impl Strategy<Value = String> {
    let single = (min..=max).prop_map(|v| v.to_string());
    let range = (min..=max, min..=max).prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b)));
    let element = prop_oneof![
        2 => Just("*".to_owned()),
        3 => single,
        2 => range,
        1 => (1..=max.max(1)).prop_map(|s| format!("*/{s}")),
    ];
    proptest::collection::vec(element, 1..3).prop_map(|e| e.join(","))
}

/// Valid cron expressions, biased towards frequent schedules so a brute-force
/// scan stays short.
fn valid_cron() -> impl Strategy<Value = String> {
    (
        field(0, 59),
        field(0, 23),
        prop_oneof![3 => Just("*".to_owned()), 1 => field(1, 31)],
        prop_oneof![3 => Just("*".to_owned()), 1 => field(1, 12)],
        prop_oneof![2 => Just("*".to_owned()), 1 => field(0, 6)],
    )
        .prop_map(|(a, b, c, d, e)| format!("{a} {b} {c} {d} {e}"))
}

proptest! {
    #[test]
    fn pattern_parse_never_panics(s in any::<String>(), subject in any::<String>()) {
        if let Ok(p) = Pattern::parse(&s) {
            let _ = p.matches(&subject);
        }
    }

    #[test]
    fn pattern_like_never_panics(s in pattern_like(), subject in subject_like()) {
        match Pattern::parse(&s) {
            Ok(p) => {
                let _ = p.matches(&subject);
                prop_assert_eq!(p.as_str(), s.as_str());
            }
            Err(e) => prop_assert!(e.column >= 1 && e.column <= s.chars().count().max(1)),
        }
    }

    #[test]
    fn literal_patterns_match_only_themselves(s in "[a-z0-9./_-]{1,12}", other in "[a-z0-9./_-]{0,12}") {
        let p = Pattern::parse(&s).expect("plain text parses");
        prop_assert!(p.is_literal());
        prop_assert!(p.matches(&s));
        prop_assert_eq!(p.matches(&other), s == other);
    }

    #[test]
    fn globstar_matches_everything(subject in any::<String>()) {
        let p = Pattern::parse("**").expect("parses");
        prop_assert!(p.matches(&subject));
    }

    #[test]
    fn list_matching_never_panics(patterns in proptest::collection::vec(pattern_like(), 0..5), subject in subject_like()) {
        let (list, _errors) = PatternList::parse_lenient(&patterns);
        let selected = list.matches(&subject);
        let deciding = list.deciding_pattern(&subject);
        prop_assert_eq!(selected, deciding.is_some_and(|p| !p.is_negated()));
    }

    #[test]
    fn cron_parse_never_panics(s in any::<String>()) {
        let _ = Cron::parse(&s);
    }

    #[test]
    fn cron_like_never_panics(s in cron_like(), t in any::<i64>()) {
        if let Ok(c) = Cron::parse(&s) {
            if let Some(next) = c.next_after(t) {
                prop_assert!(next > t);
                prop_assert_eq!(next % 60, 0);
            }
            let _ = c.describe();
        }
    }

    #[test]
    fn next_after_agrees_with_scan(s in valid_cron(), t in 0i64..4_102_444_800) {
        let c = Cron::parse(&s).expect("generated expressions are valid");
        let got = c.next_after(t);
        if let Some(next) = got {
            prop_assert!(next > t);
            let dt = DateTime::from_unix(next).expect("in range");
            prop_assert!(c.matches(&dt), "{} does not match {}", s, dt);
        }
        // Scan up to 40 days minute by minute: the first match must agree.
        let mut minute = t.div_euclid(60) + 1;
        let end = minute + 40 * 1440;
        while minute < end {
            let dt = DateTime::from_unix(minute * 60).expect("in range");
            if c.matches(&dt) {
                prop_assert_eq!(got, Some(minute * 60), "{} after {}", s, t);
                break;
            }
            minute += 1;
        }
        if minute == end {
            prop_assert!(got.is_none_or(|n| n >= end * 60));
        }
    }
}
