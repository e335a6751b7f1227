use super::*;

fn cron(s: &str) -> Cron {
    Cron::parse(s).unwrap()
}

fn dt(s: &str) -> DateTime {
    s.parse().unwrap()
}

fn next(c: &str, after: &str) -> String {
    cron(c)
        .next_after_datetime(&dt(after))
        .map_or_else(|| "never".to_owned(), |t| t.to_string())
}

fn err(s: &str) -> CronError {
    Cron::parse(s).unwrap_err()
}

#[test]
fn field_values() {
    let c = cron("20/15 4-6 1,15 JAN-mar SUN,sat");
    assert_eq!(c.values(CronField::Minute), vec![20, 35, 50]);
    assert_eq!(c.values(CronField::Hour), vec![4, 5, 6]);
    assert_eq!(c.values(CronField::DayOfMonth), vec![1, 15]);
    assert_eq!(c.values(CronField::Month), vec![1, 2, 3]);
    assert_eq!(c.values(CronField::DayOfWeek), vec![0, 6]);
    assert_eq!(
        cron("*/20 * * * *").values(CronField::Minute),
        vec![0, 20, 40]
    );
    assert_eq!(
        cron("5-20/5 * * * *").values(CronField::Minute),
        vec![5, 10, 15, 20]
    );
    assert_eq!(
        cron("0 */7 * * *").values(CronField::Hour),
        vec![0, 7, 14, 21]
    );
    assert_eq!(
        cron("0 0 */10 * *").values(CronField::DayOfMonth),
        vec![1, 11, 21, 31]
    );
    assert_eq!(cron("0 0 * */5 *").values(CronField::Month), vec![1, 6, 11]);
    assert_eq!(
        cron("0 0 * * MON-FRI/2").values(CronField::DayOfWeek),
        vec![1, 3, 5]
    );
    assert_eq!(cron("*/100 * * * *").values(CronField::Minute), vec![0]);
    assert_eq!(cron("1,1,1 * * * *").values(CronField::Minute), vec![1]);
    assert_eq!(cron("  0\t0  * * *  ").values(CronField::Minute), vec![0]);
    assert_eq!(cron("0 0 * * *").to_string(), "0 0 * * *");
}

#[test]
fn errors() {
    let cases: &[(&str, Option<CronField>, usize, CronErrorKind)] = &[
        ("", None, 1, CronErrorKind::Empty),
        ("   ", None, 1, CronErrorKind::Empty),
        ("@daily", None, 1, CronErrorKind::Nickname("@daily".into())),
        ("* * * *", None, 8, CronErrorKind::FieldCount(4)),
        ("0 * * * * 2024", None, 11, CronErrorKind::FieldCount(6)),
        (
            "60 * * * *",
            Some(CronField::Minute),
            1,
            CronErrorKind::OutOfRange {
                value: 60,
                min: 0,
                max: 59,
            },
        ),
        (
            "0 24 * * *",
            Some(CronField::Hour),
            3,
            CronErrorKind::OutOfRange {
                value: 24,
                min: 0,
                max: 23,
            },
        ),
        (
            "0 0 0 * *",
            Some(CronField::DayOfMonth),
            5,
            CronErrorKind::OutOfRange {
                value: 0,
                min: 1,
                max: 31,
            },
        ),
        (
            "0 0 32 * *",
            Some(CronField::DayOfMonth),
            5,
            CronErrorKind::OutOfRange {
                value: 32,
                min: 1,
                max: 31,
            },
        ),
        (
            "0 0 * 13 *",
            Some(CronField::Month),
            7,
            CronErrorKind::OutOfRange {
                value: 13,
                min: 1,
                max: 12,
            },
        ),
        (
            "0 0 * * 7",
            Some(CronField::DayOfWeek),
            9,
            CronErrorKind::SundayAsSeven,
        ),
        (
            "0 0 * * 1-7",
            Some(CronField::DayOfWeek),
            11,
            CronErrorKind::SundayAsSeven,
        ),
        (
            "5-1 * * * *",
            Some(CronField::Minute),
            1,
            CronErrorKind::ReversedRange { start: 5, end: 1 },
        ),
        (
            "*/0 * * * *",
            Some(CronField::Minute),
            3,
            CronErrorKind::ZeroStep,
        ),
        (
            "*/x * * * *",
            Some(CronField::Minute),
            3,
            CronErrorKind::InvalidStep("x".into()),
        ),
        (
            "*/ * * * *",
            Some(CronField::Minute),
            3,
            CronErrorKind::InvalidStep(String::new()),
        ),
        (
            "1,,2 * * * *",
            Some(CronField::Minute),
            3,
            CronErrorKind::EmptyElement,
        ),
        (
            "1, * * * *",
            Some(CronField::Minute),
            3,
            CronErrorKind::EmptyElement,
        ),
        (
            "0 0 ? * *",
            Some(CronField::DayOfMonth),
            5,
            CronErrorKind::Unsupported('?'),
        ),
        (
            "0 0 L * *",
            Some(CronField::DayOfMonth),
            5,
            CronErrorKind::Unsupported('L'),
        ),
        (
            "0 0 15W * *",
            Some(CronField::DayOfMonth),
            5,
            CronErrorKind::Unsupported('W'),
        ),
        (
            "0 0 * * 5L",
            Some(CronField::DayOfWeek),
            9,
            CronErrorKind::Unsupported('L'),
        ),
        (
            "0 0 * * 1#2",
            Some(CronField::DayOfWeek),
            9,
            CronErrorKind::Unsupported('#'),
        ),
        (
            "0 0 * * MONDAY",
            Some(CronField::DayOfWeek),
            9,
            CronErrorKind::InvalidValue("MONDAY".into()),
        ),
        (
            "JAN 0 * * *",
            Some(CronField::Minute),
            1,
            CronErrorKind::InvalidValue("JAN".into()),
        ),
        (
            "0 0 * MON *",
            Some(CronField::Month),
            7,
            CronErrorKind::InvalidValue("MON".into()),
        ),
        (
            "*-5 * * * *",
            Some(CronField::Minute),
            1,
            CronErrorKind::InvalidValue("*".into()),
        ),
        (
            "1-60 * * * *",
            Some(CronField::Minute),
            3,
            CronErrorKind::OutOfRange {
                value: 60,
                min: 0,
                max: 59,
            },
        ),
        (
            "0 0 * * -1",
            Some(CronField::DayOfWeek),
            9,
            CronErrorKind::InvalidValue(String::new()),
        ),
        (
            "99999999999 * * * *",
            Some(CronField::Minute),
            1,
            CronErrorKind::OutOfRange {
                value: u32::MAX,
                min: 0,
                max: 59,
            },
        ),
        (
            "é 0 * * *",
            Some(CronField::Minute),
            1,
            CronErrorKind::InvalidValue("é".into()),
        ),
        ("é * * *", None, 8, CronErrorKind::FieldCount(4)),
    ];
    for (src, field, column, kind) in cases {
        let e = err(src);
        assert_eq!(
            (e.field, e.column, &e.kind),
            (*field, *column, kind),
            "for {src:?}: {e}"
        );
    }
    assert_eq!(
        err("0 0 * * 7").to_string(),
        "day-of-week: 7 is not a valid day of week: GitHub documents 0-6 (use 0 or SUN for Sunday) at column 9"
    );
    assert_eq!(
        err("* * * *").to_string(),
        "expected 5 fields (minute hour day-of-month month day-of-week), found 4 at column 8"
    );
}

#[test]
fn matching() {
    let c = cron("30 5,17 * * *");
    assert!(c.matches(&dt("2024-06-01T05:30Z")));
    assert!(c.matches(&dt("2024-06-01T17:30:59Z")));
    assert!(!c.matches(&dt("2024-06-01T05:31Z")));
    assert!(!c.matches(&dt("2024-06-01T06:30Z")));
    // Weekday: 2024-06-03 is a Monday.
    let mon_wed = cron("30 5 * * 1,3");
    assert!(mon_wed.matches(&dt("2024-06-03T05:30Z")));
    assert!(mon_wed.matches(&dt("2024-06-05T05:30Z")));
    assert!(!mon_wed.matches(&dt("2024-06-04T05:30Z")));
    // Both day fields restricted: either matches.
    let either = cron("0 0 13 * FRI");
    assert!(either.days_combine_with_or());
    assert!(either.matches(&dt("2024-06-13T00:00Z"))); // Thursday the 13th
    assert!(either.matches(&dt("2024-06-07T00:00Z"))); // Friday the 7th
    assert!(either.matches(&dt("2024-09-13T00:00Z"))); // Friday the 13th
    assert!(!either.matches(&dt("2024-06-12T00:00Z")));
    // A `*`-started field makes it AND.
    let and = cron("0 0 */2 * 1");
    assert!(!and.days_combine_with_or());
    assert!(and.matches(&dt("2024-06-03T00:00Z"))); // Monday the 3rd
    assert!(!and.matches(&dt("2024-06-10T00:00Z"))); // Monday the 10th
    assert!(!and.matches(&dt("2024-06-05T00:00Z"))); // Wednesday the 5th
    // Month names.
    let jan = cron("0 0 1 JAN *");
    assert!(jan.matches(&dt("2025-01-01T00:00Z")));
    assert!(!jan.matches(&dt("2025-02-01T00:00Z")));
}

#[test]
fn next_firings() {
    let cases = [
        ("30 5,17 * * *", "2024-06-01T00:00Z", "2024-06-01T05:30:00Z"),
        ("30 5,17 * * *", "2024-06-01T05:30Z", "2024-06-01T17:30:00Z"),
        (
            "30 5,17 * * *",
            "2024-06-01T05:29:59Z",
            "2024-06-01T05:30:00Z",
        ),
        ("30 5,17 * * *", "2024-06-01T17:30Z", "2024-06-02T05:30:00Z"),
        ("* * * * *", "2024-06-01T00:00:30Z", "2024-06-01T00:01:00Z"),
        ("*/5 * * * *", "2024-06-01T00:03Z", "2024-06-01T00:05:00Z"),
        ("*/5 * * * *", "2024-06-01T23:58Z", "2024-06-02T00:00:00Z"),
        ("20/15 * * * *", "2024-06-01T00:50Z", "2024-06-01T01:20:00Z"),
        ("0 0 1 1 *", "2024-06-01T00:00Z", "2025-01-01T00:00:00Z"),
        ("0 0 31 12 *", "2024-12-31T00:00Z", "2025-12-31T00:00:00Z"),
        ("59 23 31 12 *", "2024-12-31T23:58Z", "2024-12-31T23:59:00Z"),
        ("0 0 29 2 *", "2024-03-01T00:00Z", "2028-02-29T00:00:00Z"),
        ("0 0 29 2 *", "2096-03-01T00:00Z", "2104-02-29T00:00:00Z"), // 2100 is not leap
        ("0 0 31 * *", "2024-04-01T00:00Z", "2024-05-31T00:00:00Z"),
        ("0 12 * * MON", "2024-06-01T00:00Z", "2024-06-03T12:00:00Z"),
        ("0 12 * * 0", "2024-06-03T00:00Z", "2024-06-09T12:00:00Z"),
        ("0 0 13 * 5", "2024-06-01T00:00Z", "2024-06-07T00:00:00Z"),
        ("0 0 13 * 5", "2024-06-08T00:00Z", "2024-06-13T00:00:00Z"),
        ("0 0 13 * *", "2024-06-14T00:00Z", "2024-07-13T00:00:00Z"),
        ("0 0 * 2 *", "2024-03-01T00:00Z", "2025-02-01T00:00:00Z"),
        ("0 0 1 * 1-5", "2024-06-01T00:00Z", "2024-06-03T00:00:00Z"),
        ("30 4-6 * * *", "2024-06-01T06:30Z", "2024-06-02T04:30:00Z"),
        (
            "2,10 4,5 * * *",
            "2024-06-01T04:10Z",
            "2024-06-01T05:02:00Z",
        ),
        ("0 0 30 2 *", "2024-01-01T00:00Z", "never"),
        ("0 0 31 4,6,9,11 *", "2024-01-01T00:00Z", "never"),
        ("0 0 31 12 *", "9999-12-31T00:00Z", "never"),
        ("0 0 */2 * 1", "2024-06-04T00:00Z", "2024-06-17T00:00:00Z"),
    ];
    for (c, after, expected) in cases {
        assert_eq!(next(c, after), expected, "{c} after {after}");
    }
    let c = cron("*/5 * * * *");
    assert_eq!(c.next_after(0), Some(300));
    assert_eq!(c.next_after(-1), Some(0));
    assert_eq!(c.next_after(i64::MAX), None);
    assert_eq!(c.next_after(i64::MIN).map(|t| t % 300), Some(0));
    assert!(cron("0 0 30 2 *").next_after(0).is_none());
    assert!(!cron("0 0 30 2 *").ever_fires());
    assert!(cron("0 0 29 2 *").ever_fires());
}

#[test]
fn intervals() {
    let cases: &[(&str, Option<u32>)] = &[
        ("* * * * *", Some(1)),
        ("*/5 * * * *", Some(5)),
        ("*/4 * * * *", Some(4)),
        ("*/7 * * * *", Some(4)), // 56 -> 0 of the next hour
        ("0,1 * * * *", Some(1)),
        ("20/15 * * * *", Some(15)),
        ("0 * * * *", Some(60)),
        ("30 5,17 * * *", Some(720)),
        ("0 0 * * *", Some(1440)),
        ("59 23 * * *", Some(1440)),
        ("0,59 0,23 * * *", Some(1)), // 23:59 -> 00:00 next day
        ("59 23 * * 1", Some(7 * 1440)),
        ("0 0 * * 1,2", Some(1440)),
        ("0 0 1 * *", Some(28 * 1440)),
        ("0 0 31 * *", Some(31 * 1440)), // Jul 31 -> Aug 31
        ("0 0 1 1 *", Some(365 * 1440)),
        ("0 0 29 2 *", Some(4 * 365 * 1440 + 1440)),
        ("0 0 30 2 *", None),
    ];
    for (c, expected) in cases {
        assert_eq!(cron(c).min_interval_minutes(), *expected, "{c}");
    }
    assert!(cron("*/4 * * * *").is_more_frequent_than_github_allows());
    assert!(cron("0,59 0,23 * * *").is_more_frequent_than_github_allows());
    assert!(!cron("*/5 * * * *").is_more_frequent_than_github_allows());
    assert!(!cron("0 0 30 2 *").is_more_frequent_than_github_allows());
}
