//! English descriptions of schedules ("every 5 minutes").

use super::{Cron, CronField};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Cron {
    /// A short English description, e.g. `"every 5 minutes (UTC)"`,
    /// `"at 05:30 and 17:30 every day (UTC)"`,
    /// `"at 09:00 on Monday-Friday (UTC)"`.
    pub fn describe(&self) -> String {
        let time = self.describe_time();
        let days = self.describe_days();
        let mut out = time.clone();
        if days.is_empty() {
            if !time.starts_with("every") {
                out.push_str(" every day");
            }
        } else {
            out.push(' ');
            out.push_str(&days);
        }
        if self.months != CronField::Month.full_mask() {
            let months = self.values(CronField::Month);
            out.push_str(" in ");
            out.push_str(&join_runs(&months, |m| name(&MONTHS, m - 1)));
        }
        out.push_str(" (UTC)");
        out
    }

    fn describe_time(&self) -> String {
        let all_minutes = self.minutes == CronField::Minute.full_mask();
        let all_hours = self.hours == CronField::Hour.full_mask();
        let minutes = self.values(CronField::Minute);
        let hours = self.values(CronField::Hour);
        let minute_step = uniform_step(&minutes, 0, 59);
        let hour_step = uniform_step(&hours, 0, 23);
        let minute_list = join_runs(&minutes, |m| m.to_string());
        let hour_list = join_runs(&hours, |h| h.to_string());
        match (all_minutes, all_hours) {
            (true, true) => return "every minute".into(),
            (true, false) => {
                return format!("every minute during hour{} {hour_list}", plural(&hours));
            }
            (false, true) => {
                return match (minute_step, minutes.as_slice()) {
                    (Some(n), _) => format!("every {n} minutes"),
                    (None, [m]) => format!("every hour at minute {m}"),
                    _ => format!("every hour at minutes {minute_list}"),
                };
            }
            (false, false) => {}
        }
        if let Some(n) = minute_step {
            return format!(
                "every {n} minutes during hour{} {hour_list}",
                plural(&hours)
            );
        }
        if minutes.len() * hours.len() <= 6 {
            let times: Vec<String> = hours
                .iter()
                .flat_map(|h| minutes.iter().map(move |m| format!("{h:02}:{m:02}")))
                .collect();
            return format!("at {}", join_and(&times));
        }
        match (hour_step, minutes.as_slice()) {
            (Some(n), [m]) => format!("every {n} hours at minute {m}"),
            _ => format!(
                "at minute{} {minute_list} past hour{} {hour_list}",
                plural(&minutes),
                plural(&hours)
            ),
        }
    }

    fn describe_days(&self) -> String {
        let dom_restricted = self.days != CronField::DayOfMonth.full_mask();
        let dow_restricted = self.weekdays != CronField::DayOfWeek.full_mask();
        let days = self.values(CronField::DayOfMonth);
        let dom = format!(
            "on day{} {} of the month",
            plural(&days),
            join_runs(&days, |d| d.to_string())
        );
        let weekdays = self.values(CronField::DayOfWeek);
        let dow = format!("on {}", join_runs(&weekdays, |d| name(&WEEKDAYS, d)));
        if self.days_combine_with_or() {
            // Both restricted as written: either matches.
            return format!("{dom} or {dow}");
        }
        match (dom_restricted, dow_restricted) {
            (false, false) => String::new(),
            (true, false) => dom,
            (false, true) => dow,
            (true, true) => {
                let names = join_runs(&weekdays, |d| name(&WEEKDAYS, d));
                format!("{dom} if it is a {names}")
            }
        }
    }
}

fn name(names: &[&str], index: u32) -> String {
    names
        .get(index as usize)
        .map_or_else(|| index.to_string(), |s| (*s).to_owned())
}

fn plural<T>(values: &[T]) -> &'static str {
    if values.len() == 1 { "" } else { "s" }
}

/// `Some(n)` when `values` is exactly `lo, lo+n, lo+2n, ...` up to `hi`,
/// with `n > 1`.
fn uniform_step(values: &[u32], lo: u32, hi: u32) -> Option<u32> {
    let (&first, &last) = (values.first()?, values.last()?);
    if first != lo || values.len() < 2 {
        return None;
    }
    let n = values[1] - values[0];
    let uniform = n > 1 && values.windows(2).all(|w| w[1] - w[0] == n) && last + n > hi;
    uniform.then_some(n)
}

/// `1-5, 7, 9` style list with runs of three or more collapsed.
fn join_runs(values: &[u32], show: impl Fn(u32) -> String) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            parts.push(format!("{}-{}", show(values[i]), show(values[j])));
        } else {
            for &v in &values[i..=j] {
                parts.push(show(v));
            }
        }
        i = j + 1;
    }
    parts.join(", ")
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Cron;

    fn d(s: &str) -> String {
        Cron::parse(s).unwrap().describe()
    }

    #[test]
    fn descriptions() {
        assert_eq!(d("* * * * *"), "every minute (UTC)");
        assert_eq!(d("*/5 * * * *"), "every 5 minutes (UTC)");
        assert_eq!(
            d("*/15 * * * 1-5"),
            "every 15 minutes on Monday-Friday (UTC)"
        );
        assert_eq!(d("15 * * * *"), "every hour at minute 15 (UTC)");
        assert_eq!(d("30 5,17 * * *"), "at 05:30 and 17:30 every day (UTC)");
        assert_eq!(d("0 9 * * MON-FRI"), "at 09:00 on Monday-Friday (UTC)");
        assert_eq!(d("0 0 1 * *"), "at 00:00 on day 1 of the month (UTC)");
        assert_eq!(
            d("0 0 1,15 * 1"),
            "at 00:00 on days 1, 15 of the month or on Monday (UTC)"
        );
        assert_eq!(
            d("0 0 1 1,7 *"),
            "at 00:00 on day 1 of the month in January, July (UTC)"
        );
        assert_eq!(d("0 */2 * * *"), "every 2 hours at minute 0 (UTC)");
        assert_eq!(
            d("0 */6 * * *"),
            "at 00:00, 06:00, 12:00 and 18:00 every day (UTC)"
        );
        assert_eq!(d("* 9-17 * * *"), "every minute during hours 9-17 (UTC)");
        assert_eq!(d("*/10 9 * * *"), "every 10 minutes during hour 9 (UTC)");
        assert_eq!(d("20/15 * * * *"), "every hour at minutes 20, 35, 50 (UTC)");
        assert_eq!(
            d("0 0 */2 * 1"),
            "at 00:00 on days 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31 of the month if it is a Monday (UTC)"
        );
        assert_eq!(
            d("1,2,3,4 1,2,3 * * *"),
            "at minutes 1-4 past hours 1-3 every day (UTC)"
        );
    }
}
