//! The UTC calendar month containing an instant: the window for monthly usage,
//! monthly limits and monthly_reset balances. Kept on its own because calendar
//! arithmetic (year ends, leap years, out-of-range instants) is where off-by-one
//! money bugs hide.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime};

/// A half-open interval of unix seconds, `start <= at < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthWindow {
    /// First second of the month (00:00:00 UTC on day 1).
    pub start: i64,
    /// First second of the next month.
    pub end: i64,
}

impl MonthWindow {
    /// Whether `at` falls in this month.
    pub fn contains(&self, at: i64) -> bool {
        self.start <= at && at < self.end
    }
}

/// The UTC calendar month containing `now`. Instants outside the years the `time`
/// crate can represent fall in an open-ended window at that end, so no input panics.
pub fn month_containing(now: i64) -> MonthWindow {
    let min = PrimitiveDateTime::MIN.assume_utc().unix_timestamp();
    let max = PrimitiveDateTime::MAX.assume_utc().unix_timestamp();
    let clamped = now.clamp(min, max);
    let date = OffsetDateTime::from_unix_timestamp(clamped)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .date();
    let (year, month) = (date.year(), date.month());
    let (next_year, next_month) = match month {
        Month::December => (year.checked_add(1), Month::January),
        other => (Some(year), other.next()),
    };
    let start = first_second_of(Some(year), month).unwrap_or(i64::MIN);
    let end = first_second_of(next_year, next_month).unwrap_or(i64::MAX);
    // Keep `now` inside its own window even when it was clamped above.
    MonthWindow {
        start: start.min(now),
        end: end.max(now.saturating_add(1)),
    }
}

fn first_second_of(year: Option<i32>, month: Month) -> Option<i64> {
    let date = Date::from_calendar_date(year?, month, 1).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn ts(dt: OffsetDateTime) -> i64 {
        dt.unix_timestamp()
    }

    #[test]
    fn month_windows_table() {
        let cases = [
            // (instant, month start, next month start)
            (
                datetime!(2024-01-31 23:59:59 UTC),
                datetime!(2024-01-01 00:00:00 UTC),
                datetime!(2024-02-01 00:00:00 UTC),
            ),
            (
                datetime!(2024-02-01 00:00:00 UTC),
                datetime!(2024-02-01 00:00:00 UTC),
                datetime!(2024-03-01 00:00:00 UTC),
            ),
            // Leap year: February has 29 days.
            (
                datetime!(2024-02-29 12:00:00 UTC),
                datetime!(2024-02-01 00:00:00 UTC),
                datetime!(2024-03-01 00:00:00 UTC),
            ),
            // Not a leap year.
            (
                datetime!(2023-02-28 23:59:59 UTC),
                datetime!(2023-02-01 00:00:00 UTC),
                datetime!(2023-03-01 00:00:00 UTC),
            ),
            // Century rule: 2100 is not a leap year, 2000 was.
            (
                datetime!(2100-02-15 00:00:00 UTC),
                datetime!(2100-02-01 00:00:00 UTC),
                datetime!(2100-03-01 00:00:00 UTC),
            ),
            (
                datetime!(2000-02-29 00:00:00 UTC),
                datetime!(2000-02-01 00:00:00 UTC),
                datetime!(2000-03-01 00:00:00 UTC),
            ),
            // Year end.
            (
                datetime!(2023-12-31 23:59:59 UTC),
                datetime!(2023-12-01 00:00:00 UTC),
                datetime!(2024-01-01 00:00:00 UTC),
            ),
            (
                datetime!(2024-01-01 00:00:00 UTC),
                datetime!(2024-01-01 00:00:00 UTC),
                datetime!(2024-02-01 00:00:00 UTC),
            ),
            // Before the epoch.
            (
                datetime!(1969-12-31 23:59:59 UTC),
                datetime!(1969-12-01 00:00:00 UTC),
                datetime!(1970-01-01 00:00:00 UTC),
            ),
        ];
        for (now, start, end) in cases {
            let window = month_containing(ts(now));
            assert_eq!(window.start, ts(start), "start of {now}");
            assert_eq!(window.end, ts(end), "end of {now}");
            assert!(window.contains(ts(now)));
            assert!(!window.contains(ts(end)));
            assert!(!window.contains(ts(start) - 1));
        }
    }

    #[test]
    fn a_non_utc_offset_does_not_move_the_boundary() {
        // 2024-02-01 01:00 in UTC+02:00 is still January 31 in UTC.
        let now = datetime!(2024-02-01 01:00:00 +02:00).unix_timestamp();
        let window = month_containing(now);
        assert_eq!(window.start, ts(datetime!(2024-01-01 00:00:00 UTC)));
    }

    #[test]
    fn extreme_instants_do_not_panic_and_stay_inside_their_window() {
        for now in [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX] {
            let window = month_containing(now);
            assert!(window.start <= now, "{now}");
            assert!(window.contains(now) || now == i64::MAX, "{now}");
        }
    }
}
