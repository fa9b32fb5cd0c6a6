//! When to try a failed delivery again (PRODUCT.md §5): growing delays with
//! jitter, a `retry-after` from the partner honoured when it asks for longer, and
//! an end after the last step. Pure, so the schedule is tested without waiting.

/// The default delays after the first, second, … failed attempt, in seconds:
/// about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h.
pub const DEFAULT_SCHEDULE: [u64; 9] =
    [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400];

/// Longest `retry-after` honoured (a day).
const MAX_RETRY_AFTER: u64 = 86_400;

/// Seconds until the next attempt after `failed` failed attempts (1 for the first
/// failure), or `None` when the schedule is exhausted. `jitter` in `[0, 1)` spreads
/// retries by ±20 %; `retry_after` (from a 429 or 503) is a floor.
pub fn next_delay(
    schedule: &[u64],
    failed: usize,
    jitter: f64,
    retry_after: Option<u64>,
) -> Option<u64> {
    let base = *schedule.get(failed.checked_sub(1)?)?;
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    let jittered = ((base as f64) * factor).round().max(1.0) as u64;
    Some(jittered.max(retry_after.unwrap_or(0).min(MAX_RETRY_AFTER)))
}

/// Parses a `retry-after` header (RFC 9110 §10.2.3) received at `now` (unix
/// seconds): delay seconds, or an HTTP date turned into the seconds until it (0
/// for a date in the past).
pub fn parse_retry_after(value: &str, now: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(at.saturating_sub(u64::try_from(now).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_jitter_and_end() {
        let s = &DEFAULT_SCHEDULE;
        assert_eq!(next_delay(s, 0, 0.5, None), None);
        assert_eq!(next_delay(s, 1, 0.5, None), Some(5));
        assert_eq!(next_delay(s, 2, 0.0, None), Some(240));
        assert_eq!(next_delay(s, 2, 1.0, None), Some(360));
        assert_eq!(next_delay(s, 9, 0.5, None), Some(86_400));
        assert_eq!(next_delay(s, 10, 0.5, None), None);
        // retry-after is a floor, capped at a day.
        assert_eq!(next_delay(s, 1, 0.5, Some(120)), Some(120));
        assert_eq!(next_delay(s, 2, 0.5, Some(10)), Some(300));
        assert_eq!(next_delay(s, 1, 0.5, Some(10_000_000)), Some(86_400));
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        // Wed, 21 Oct 2015 07:28:00 GMT
        let date = 1_445_412_480;
        let cases: &[(&str, i64, Option<u64>)] = &[
            (" 30 ", 0, Some(30)),
            ("0", 0, Some(0)),
            ("Wed, 21 Oct 2015 07:28:00 GMT", date - 120, Some(120)),
            ("Wed, 21 Oct 2015 07:28:00 GMT", date + 5, Some(0)),
            // The two obsolete forms RFC 9110 still asks recipients to accept.
            ("Wednesday, 21-Oct-15 07:28:00 GMT", date - 60, Some(60)),
            ("Wed Oct 21 07:28:00 2015", date - 60, Some(60)),
            ("soon", 0, None),
            ("-5", 0, None),
            ("", 0, None),
        ];
        for (value, now, want) in cases {
            assert_eq!(parse_retry_after(value, *now), *want, "{value:?} at {now}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parsing_is_total(value in "\\PC{0,40}", now in proptest::prelude::any::<i64>()) {
            let _ = parse_retry_after(&value, now);
        }
    }
}
