//! POSIX cron expressions as used by `on.schedule[*].cron`.
//!
//! Five whitespace-separated fields, evaluated in UTC:
//!
//! | field        | values                 |
//! |--------------|------------------------|
//! | minute       | 0-59                   |
//! | hour         | 0-23                   |
//! | day of month | 1-31                   |
//! | month        | 1-12 or `JAN`-`DEC`    |
//! | day of week  | 0-6 or `SUN`-`SAT`     |
//!
//! Each field is a comma-separated list of `*`, `N`, `N-M`, each optionally
//! followed by `/STEP`; `N/STEP` means `N-max/STEP` (GitHub's example
//! `20/15` fires at minutes 20, 35 and 50). Names are case-insensitive and
//! may be used in ranges (`MON-FRI`).
//!
//! Day rule: when both day-of-month and day-of-week are restricted, a day
//! matching *either* fires (`0 0 1 * MON` fires on the 1st and on every
//! Monday). A field counts as unrestricted when it starts with `*` (so
//! `*/2` in day-of-month combines with day-of-week by AND), as in the
//! widespread Vixie/cronie implementations.
//!
//! Not accepted, as GitHub documents neither: nicknames (`@daily`), seconds
//! or year fields, `?`, `L`, `W`, `#`, and `7` for Sunday.

mod civil;
mod describe;

use std::fmt;
use std::str::FromStr;

pub use civil::{DateTime, DateTimeParseError, MAX_YEAR, MIN_YEAR};
use civil::{civil_from_days, days_from_civil, weekday_from_days};

/// GitHub's shortest schedule interval: "The shortest interval you can run
/// scheduled workflows is once every 5 minutes."
pub const GITHUB_MIN_INTERVAL_MINUTES: u32 = 5;

/// Length in days of the Gregorian calendar cycle; calendar, weekdays and
/// therefore every cron schedule repeat with this period.
const CYCLE_DAYS: i64 = 146_097;

/// One of the five cron fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CronField {
    /// Minute, 0-59.
    Minute,
    /// Hour, 0-23.
    Hour,
    /// Day of month, 1-31.
    DayOfMonth,
    /// Month, 1-12 or JAN-DEC.
    Month,
    /// Day of week, 0-6 or SUN-SAT.
    DayOfWeek,
}

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl CronField {
    /// The fields in order.
    pub const ALL: [CronField; 5] = [
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
    ];

    /// `"minute"`, `"hour"`, `"day-of-month"`, `"month"`, `"day-of-week"`.
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        }
    }

    /// Smallest allowed value.
    pub fn min(self) -> u32 {
        match self {
            CronField::DayOfMonth | CronField::Month => 1,
            _ => 0,
        }
    }

    /// Largest allowed value.
    pub fn max(self) -> u32 {
        match self {
            CronField::Minute => 59,
            CronField::Hour => 23,
            CronField::DayOfMonth => 31,
            CronField::Month => 12,
            CronField::DayOfWeek => 6,
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            CronField::Month => &MONTH_NAMES,
            CronField::DayOfWeek => &DAY_NAMES,
            _ => &[],
        }
    }

    fn full_mask(self) -> u64 {
        mask_range(self.min(), self.max(), 1)
    }
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with a cron expression; see [`CronError`] for the position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronErrorKind {
    /// Nothing but whitespace.
    #[error("empty cron expression")]
    Empty,
    /// `@daily` and friends.
    #[error(
        "'{0}' is not supported by GitHub; use five fields (minute hour day-of-month month day-of-week)"
    )]
    Nickname(String),
    /// Not exactly five fields.
    #[error("expected 5 fields (minute hour day-of-month month day-of-week), found {0}")]
    FieldCount(usize),
    /// `1,,2` or a trailing comma.
    #[error("empty list element")]
    EmptyElement,
    /// Neither a number nor a name valid in this field.
    #[error("invalid value '{0}'")]
    InvalidValue(String),
    /// A number outside the field's range.
    #[error("value {value} is out of range {min}-{max}")]
    OutOfRange {
        /// The value written (saturated at `u32::MAX`).
        value: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// `7` in day-of-week.
    #[error("7 is not a valid day of week: GitHub documents 0-6 (use 0 or SUN for Sunday)")]
    SundayAsSeven,
    /// `N-M` with `N > M`.
    #[error("range {start}-{end} goes backwards")]
    ReversedRange {
        /// Start of the range.
        start: u32,
        /// End of the range.
        end: u32,
    },
    /// `/0`.
    #[error("step must be at least 1")]
    ZeroStep,
    /// `/x` with `x` not a number.
    #[error("invalid step '{0}'")]
    InvalidStep(String),
    /// Extensions such as `?`, `L`, `W`, `#`.
    #[error("'{0}' is not POSIX cron syntax and is not supported by GitHub")]
    Unsupported(char),
}

/// A cron expression that failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CronError {
    /// The field the error is in, if it is about one field.
    pub field: Option<CronField>,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// What is wrong.
    pub kind: CronErrorKind,
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(field) = self.field {
            write!(f, "{field}: ")?;
        }
        write!(f, "{} at column {}", self.kind, self.column)
    }
}

/// A parsed `on.schedule` cron expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cron {
    source: String,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    dom_star: bool,
    dow_star: bool,
}

fn mask_range(lo: u32, hi: u32, step: u32) -> u64 {
    let mut mask = 0u64;
    let mut v = lo;
    while v <= hi {
        mask |= 1 << v;
        v = match v.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    mask
}

fn bit(mask: u64, v: u32) -> bool {
    v < 64 && mask & (1 << v) != 0
}

struct Parser<'a> {
    source: &'a str,
}

impl Parser<'_> {
    fn err(&self, field: Option<CronField>, byte: usize, kind: CronErrorKind) -> CronError {
        let column = self.source.get(..byte).map_or(byte, |p| p.chars().count()) + 1;
        CronError {
            field,
            column,
            kind,
        }
    }

    fn field(&self, field: CronField, text: &str, start: usize) -> Result<u64, CronError> {
        let mut mask = 0;
        let mut offset = start;
        for element in text.split(',') {
            if element.is_empty() {
                return Err(self.err(Some(field), offset, CronErrorKind::EmptyElement));
            }
            mask |= self.element(field, element, offset)?;
            offset += element.len() + 1;
        }
        Ok(mask)
    }

    fn element(&self, field: CronField, text: &str, start: usize) -> Result<u64, CronError> {
        let (range, step) = match text.split_once('/') {
            Some((range, step)) => {
                let step_at = start + range.len() + 1;
                (range, Some(self.step(field, step, step_at)?))
            }
            None => (text, None),
        };
        let (lo, hi) = if range == "*" {
            (field.min(), field.max())
        } else if let Some((a, b)) = range.split_once('-') {
            let lo = self.value(field, a, start)?;
            let hi = self.value(field, b, start + a.len() + 1)?;
            if lo > hi {
                return Err(self.err(
                    Some(field),
                    start,
                    CronErrorKind::ReversedRange { start: lo, end: hi },
                ));
            }
            (lo, hi)
        } else {
            let v = self.value(field, range, start)?;
            if step.is_some() {
                (v, field.max())
            } else {
                (v, v)
            }
        };
        Ok(mask_range(lo, hi, step.unwrap_or(1)))
    }

    fn step(&self, field: CronField, text: &str, at: usize) -> Result<u32, CronError> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(Some(field), at, CronErrorKind::InvalidStep(text.to_owned())));
        }
        let step = text.parse::<u32>().unwrap_or(u32::MAX);
        if step == 0 {
            return Err(self.err(Some(field), at, CronErrorKind::ZeroStep));
        }
        Ok(step)
    }

    fn value(&self, field: CronField, text: &str, at: usize) -> Result<u32, CronError> {
        let err = |kind| self.err(Some(field), at, kind);
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let value = text.parse::<u32>().unwrap_or(u32::MAX);
            if field == CronField::DayOfWeek && value == 7 {
                return Err(err(CronErrorKind::SundayAsSeven));
            }
            if value < field.min() || value > field.max() {
                return Err(err(CronErrorKind::OutOfRange {
                    value,
                    min: field.min(),
                    max: field.max(),
                }));
            }
            return Ok(value);
        }
        if let Some(index) = field
            .names()
            .iter()
            .position(|n| n.eq_ignore_ascii_case(text))
        {
            // Index is < 12.
            return Ok(field.min() + index as u32);
        }
        let digits_then = |c: char| {
            text.strip_suffix(c)
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
        };
        let unsupported = if text == "?" {
            Some('?')
        } else if text.contains('#') {
            Some('#')
        } else if digits_then('L') || digits_then('l') {
            Some('L')
        } else if digits_then('W') || digits_then('w') {
            Some('W')
        } else {
            None
        };
        Err(err(match unsupported {
            Some(c) => CronErrorKind::Unsupported(c),
            None => CronErrorKind::InvalidValue(text.to_owned()),
        }))
    }
}

impl Cron {
    /// Parses a five-field cron expression.
    ///
    /// ```
    /// use gantry_filters::Cron;
    /// let c = Cron::parse("30 5,17 * * *").unwrap();
    /// assert_eq!(c.describe(), "at 05:30 and 17:30 every day (UTC)");
    /// let e = Cron::parse("0 24 * * *").unwrap_err();
    /// assert_eq!(e.to_string(), "hour: value 24 is out of range 0-23 at column 3");
    /// ```
    pub fn parse(source: &str) -> Result<Cron, CronError> {
        let parser = Parser { source };
        let mut fields: Vec<(usize, &str)> = Vec::new();
        let mut start = None;
        for (i, c) in source.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    fields.push((s, &source[s..i]));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            fields.push((s, &source[s..]));
        }
        let Some(&(first_at, first)) = fields.first() else {
            return Err(parser.err(None, 0, CronErrorKind::Empty));
        };
        if first.starts_with('@') {
            return Err(parser.err(None, first_at, CronErrorKind::Nickname(first.to_owned())));
        }
        if fields.len() != 5 {
            let at = fields.get(5).map_or(source.len(), |&(s, _)| s);
            return Err(parser.err(None, at, CronErrorKind::FieldCount(fields.len())));
        }
        let mut masks = [0u64; 5];
        for (i, (&field, &(at, text))) in CronField::ALL.iter().zip(&fields).enumerate() {
            masks[i] = parser.field(field, text, at)?;
        }
        Ok(Cron {
            source: source.to_owned(),
            minutes: masks[0],
            hours: masks[1],
            days: masks[2],
            months: masks[3],
            weekdays: masks[4],
            dom_star: fields[2].1.starts_with('*'),
            dow_star: fields[4].1.starts_with('*'),
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The values a field allows, ascending.
    pub fn values(&self, field: CronField) -> Vec<u32> {
        let mask = self.mask(field);
        (field.min()..=field.max())
            .filter(|&v| bit(mask, v))
            .collect()
    }

    fn mask(&self, field: CronField) -> u64 {
        match field {
            CronField::Minute => self.minutes,
            CronField::Hour => self.hours,
            CronField::DayOfMonth => self.days,
            CronField::Month => self.months,
            CronField::DayOfWeek => self.weekdays,
        }
    }

    /// Whether day-of-month and day-of-week combine by OR (both written
    /// restricted, i.e. neither starts with `*`) rather than AND.
    pub fn days_combine_with_or(&self) -> bool {
        !self.dom_star && !self.dow_star
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let d = bit(self.days, day);
        let w = bit(self.weekdays, weekday);
        if self.days_combine_with_or() {
            d || w
        } else {
            d && w
        }
    }

    fn date_matches(&self, month: u32, day: u32, weekday: u32) -> bool {
        bit(self.months, month) && self.day_matches(day, weekday)
    }

    /// Whether the schedule fires at the minute of `t` (seconds ignored).
    pub fn matches(&self, t: &DateTime) -> bool {
        bit(self.minutes, u32::from(t.minute()))
            && bit(self.hours, u32::from(t.hour()))
            && self.date_matches(
                u32::from(t.month()),
                u32::from(t.day()),
                u32::from(t.weekday()),
            )
    }

    /// The first firing time strictly after `unix_secs` (Unix seconds, UTC),
    /// as Unix seconds at a whole minute. `None` if the schedule never fires
    /// (e.g. `0 0 30 2 *`) or not before the end of year 9999.
    pub fn next_after(&self, unix_secs: i64) -> Option<i64> {
        let start = unix_secs.div_euclid(60).checked_add(1)?;
        self.first_minute_from(start).map(|m| m * 60)
    }

    /// [`Cron::next_after`] on [`DateTime`]s.
    pub fn next_after_datetime(&self, t: &DateTime) -> Option<DateTime> {
        self.next_after(t.unix()).and_then(DateTime::from_unix)
    }

    /// First matching minute (minutes since the epoch) at or after `start`.
    fn first_minute_from(&self, start: i64) -> Option<i64> {
        let last_day = days_from_civil(i64::from(MAX_YEAR), 12, 31);
        let mut day = start.div_euclid(1440);
        let mut time = start.rem_euclid(1440) as u32;
        // The schedule repeats every CYCLE_DAYS, so one cycle past the start
        // (plus slack for the month jump) has seen every case.
        let limit = day.saturating_add(CYCLE_DAYS + 62).min(last_day);
        while day <= limit {
            let (year, month, dom) = civil_from_days(day);
            if !bit(self.months, month) {
                let (y, m) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                day = days_from_civil(y, m, 1);
                time = 0;
                continue;
            }
            if self.day_matches(dom, weekday_from_days(day))
                && let Some(t) = self.first_time_from(time)
            {
                return Some(day * 1440 + i64::from(t));
            }
            day += 1;
            time = 0;
        }
        None
    }

    /// First matching minute-of-day at or after `time`.
    fn first_time_from(&self, time: u32) -> Option<u32> {
        let (h0, m0) = (time / 60, time % 60);
        (h0..24).filter(|&h| bit(self.hours, h)).find_map(|h| {
            let from = if h == h0 { m0 } else { 0 };
            let candidates = self.minutes & (u64::MAX << from);
            (candidates != 0).then(|| h * 60 + candidates.trailing_zeros())
        })
    }

    /// The shortest gap, in minutes, between two consecutive firings, taken
    /// over a whole 400-year Gregorian cycle (so exact), or `None` if the
    /// schedule never fires. A schedule firing once a year gives about
    /// 525,600.
    pub fn min_interval_minutes(&self) -> Option<u32> {
        let times: Vec<u32> = (0..24)
            .filter(|&h| bit(self.hours, h))
            .flat_map(|h| {
                (0..60)
                    .filter(|&m| bit(self.minutes, m))
                    .map(move |m| h * 60 + m)
            })
            .collect();
        let (&first_time, &last_time) = (times.first()?, times.last()?);
        let within_day = times.windows(2).map(|w| w[1] - w[0]).min();

        let start = days_from_civil(2000, 1, 1);
        let (mut first_day, mut prev_day, mut min_gap): (Option<i64>, Option<i64>, Option<i64>) =
            (None, None, None);
        let (mut year, mut month, mut dom) = (2000_i64, 1_u32, 1_u32);
        for day in start..start + CYCLE_DAYS {
            if self.date_matches(month, dom, weekday_from_days(day)) {
                if let Some(p) = prev_day {
                    let gap = day - p;
                    min_gap = Some(min_gap.map_or(gap, |g| g.min(gap)));
                }
                first_day.get_or_insert(day);
                prev_day = Some(day);
                if min_gap == Some(1) {
                    break;
                }
            }
            dom += 1;
            if dom > civil::days_in_month(year, month) {
                dom = 1;
                month += 1;
                if month > 12 {
                    month = 1;
                    year += 1;
                }
            }
        }
        let (first_day, last_day) = (first_day?, prev_day?);
        let wrap = first_day + CYCLE_DAYS - last_day;
        let day_gap = min_gap.map_or(wrap, |g| g.min(wrap));
        let across_days = day_gap * 1440 + i64::from(first_time) - i64::from(last_time);
        let across_days = u32::try_from(across_days).unwrap_or(u32::MAX);
        Some(within_day.map_or(across_days, |w| w.min(across_days)))
    }

    /// Whether the schedule asks to run more often than GitHub's shortest
    /// interval ([`GITHUB_MIN_INTERVAL_MINUTES`]); GitHub will not honour
    /// that frequency.
    pub fn is_more_frequent_than_github_allows(&self) -> bool {
        self.min_interval_minutes()
            .is_some_and(|m| m < GITHUB_MIN_INTERVAL_MINUTES)
    }

    /// Whether the schedule can ever fire (`0 0 31 2 *` cannot).
    pub fn ever_fires(&self) -> bool {
        self.first_minute_from(0).is_some()
    }
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for Cron {
    type Err = CronError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cron::parse(s)
    }
}

#[cfg(test)]
mod tests;
