//! Minimal proleptic-Gregorian UTC date-time arithmetic.

use std::fmt;
use std::str::FromStr;

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count from 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both values are within their small documented ranges.
    (year, month as u32, day as u32)
}

/// Day of week of a day count from 1970-01-01 (a Thursday); 0 = Sunday.
pub(crate) fn weekday_from_days(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

pub(crate) fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Smallest year a [`DateTime`] can hold.
pub const MIN_YEAR: i32 = 0;
/// Largest year a [`DateTime`] can hold.
pub const MAX_YEAR: i32 = 9999;

/// A UTC civil date and time with second precision, years 0000-9999.
///
/// This is all `on.schedule` needs: GitHub evaluates cron in UTC.
/// Convert from Unix seconds with [`DateTime::from_unix`]; parse and print
/// the RFC 3339 subset `YYYY-MM-DDTHH:MM[:SS]Z` (the `Z` is optional, a space
/// may replace the `T`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl DateTime {
    /// A validated date-time; `None` if any field is out of range.
    pub fn new(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let valid = (MIN_YEAR..=MAX_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && u32::from(day) <= days_in_month(i64::from(year), u32::from(month))
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then_some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The date-time at `secs` seconds after 1970-01-01T00:00:00Z; `None`
    /// outside years 0000-9999.
    pub fn from_unix(secs: i64) -> Option<Self> {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let year = i32::try_from(year).ok()?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return None;
        }
        Some(DateTime {
            year,
            month: month as u8,
            day: day as u8,
            hour: (rem / 3600) as u8,
            minute: (rem / 60 % 60) as u8,
            second: (rem % 60) as u8,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(&self) -> i64 {
        self.days() * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    pub(crate) fn days(&self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        )
    }

    /// Year (0-9999).
    pub fn year(&self) -> i32 {
        self.year
    }
    /// Month (1-12).
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of month (1-31).
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour (0-23).
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute (0-59).
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second (0-59).
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Day of week, 0 = Sunday ... 6 = Saturday (cron numbering).
    pub fn weekday(&self) -> u8 {
        weekday_from_days(self.days()) as u8
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// A string that is not `YYYY-MM-DDTHH:MM[:SS][Z]` or names no valid time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date-time '{0}': expected YYYY-MM-DDTHH:MM[:SS]Z (UTC)")]
pub struct DateTimeParseError(pub String);

impl FromStr for DateTime {
    type Err = DateTimeParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateTimeParseError(s.to_owned());
        let body = s.strip_suffix('Z').unwrap_or(s);
        let b = body.as_bytes();
        if !(b.len() == 16 || b.len() == 19) || !body.is_ascii() {
            return Err(err());
        }
        let sep_ok = b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b'T' || b[10] == b' ')
            && b[13] == b':'
            && (b.len() == 16 || b[16] == b':');
        if !sep_ok {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| -> Result<u32, DateTimeParseError> {
            let part = &body[range];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let year = num(0..4)?;
        let month = num(5..7)?;
        let day = num(8..10)?;
        let hour = num(11..13)?;
        let minute = num(14..16)?;
        let second = if b.len() == 19 { num(17..19)? } else { 0 };
        let narrow = |v: u32| u8::try_from(v).map_err(|_| err());
        DateTime::new(
            i32::try_from(year).map_err(|_| err())?,
            narrow(month)?,
            narrow(day)?,
            narrow(hour)?,
            narrow(minute)?,
            narrow(second)?,
        )
        .ok_or_else(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for days in [-719_528_i64, -1, 0, 1, 59, 365, 10_957, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{days}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(
            days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28),
            2
        );
        assert_eq!(weekday_from_days(0), 4);
    }

    #[test]
    fn unix_and_display() {
        let t = DateTime::from_unix(1_700_000_000).unwrap();
        assert_eq!(t.to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(t.unix(), 1_700_000_000);
        assert_eq!(t.weekday(), 2); // Tuesday
        assert_eq!(
            DateTime::from_unix(-1).unwrap().to_string(),
            "1969-12-31T23:59:59Z"
        );
        assert!(DateTime::from_unix(i64::MAX).is_none());
        assert!(DateTime::from_unix(i64::MIN).is_none());
        assert!(DateTime::from_unix(253_402_300_799).is_some()); // 9999-12-31T23:59:59Z
        assert!(DateTime::from_unix(253_402_300_800).is_none());
    }

    #[test]
    fn parse() {
        let t: DateTime = "2024-02-29T12:34Z".parse().unwrap();
        assert_eq!(t.to_string(), "2024-02-29T12:34:00Z");
        assert_eq!(
            "2024-02-29 12:34:56".parse::<DateTime>().unwrap().second(),
            56
        );
        for bad in [
            "2023-02-29T00:00Z",
            "2024-1-01T00:00Z",
            "2024-01-01T24:00Z",
            "x",
            "",
            "+024-01-01T00:00Z",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
    }
}
