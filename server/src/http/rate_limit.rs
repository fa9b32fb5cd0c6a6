//! Rate limits in fixed 60-second windows (PRODUCT.md §8): per secret key on the
//! partner API, per client IP on embed-session bootstrap. Every answer carries the
//! state as lowercase `x-ratelimit-*` headers plus the IETF `RateLimit-Policy` /
//! `RateLimit` pair; a refusal is `429 rate_limited` with `retry-after`.
//!
//! Windows are aligned to the clock minute and counted in process memory: a
//! handful of lines around a map, where a GCRA crate (governor) would not give the
//! window's `used`/`reset` figures the headers need. With several replicas each
//! counts its own share; a shared store would be the next step if that matters.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use quarry_shared::ErrorCode;

use super::error::ApiError;

/// The window length in seconds.
pub const WINDOW_SECS: u64 = 60;
/// Beyond this many tracked buckets, buckets of past windows are dropped.
const PRUNE_AT: usize = 50_000;

/// Counters per bucket (`key:<id>`, `ip:<address>`) for the current window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (u64, u32)>>,
}

/// The state of one bucket after a request, as the headers report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The policy name in `RateLimit-Policy` (`partner-key`, `embed-session-ip`).
    pub policy: &'static str,
    pub limit: u32,
    /// Requests counted in this window, this one included when it was allowed.
    pub used: u32,
    /// Seconds until the window resets (1–60).
    pub reset: u64,
    /// Whether this request is within the limit.
    pub allowed: bool,
}

impl RateLimiter {
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// Counts one request against `bucket` at `now` (unix seconds) and answers
    /// whether it is allowed. A refused request is not counted.
    pub fn hit(&self, bucket: &str, policy: &'static str, limit: u32, now: u64) -> Quota {
        let window = now / WINDOW_SECS;
        let reset = WINDOW_SECS - now % WINDOW_SECS;
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= PRUNE_AT && !windows.contains_key(bucket) {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(bucket.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        Quota {
            policy,
            limit,
            used: entry.1,
            reset,
            allowed,
        }
    }
}

fn header(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

impl Quota {
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used)
    }

    /// Writes the rate-limit headers (on every answer, allowed or not).
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        header(headers, "x-ratelimit-limit", self.limit.to_string());
        header(
            headers,
            "x-ratelimit-remaining",
            self.remaining().to_string(),
        );
        header(headers, "x-ratelimit-reset", self.reset.to_string());
        header(headers, "x-ratelimit-used", self.used.to_string());
        header(headers, "x-ratelimit-scope", self.policy.to_owned());
        header(
            headers,
            "ratelimit-policy",
            format!("\"{}\";q={};w={WINDOW_SECS}", self.policy, self.limit),
        );
        header(
            headers,
            "ratelimit",
            format!(
                "\"{}\";r={};t={}",
                self.policy,
                self.remaining(),
                self.reset
            ),
        );
    }

    /// The 429 answer for a refused request.
    pub fn rejection(&self) -> Response {
        let mut response = ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "Rate limit of {} requests per {WINDOW_SECS} seconds reached; retry in {} seconds.",
                self.limit, self.reset
            ),
        )
        .into_response();
        self.write_headers(response.headers_mut());
        header(
            response.headers_mut(),
            "retry-after",
            self.reset.to_string(),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_up_to_the_limit_then_refuse_until_reset() {
        let limiter = RateLimiter::new();
        let start = 6_000; // a window boundary
        for i in 1..=3 {
            let q = limiter.hit("key:a", "partner-key", 3, start + 10);
            assert!(q.allowed);
            assert_eq!((q.used, q.remaining(), q.reset), (i, 3 - i, 50));
        }
        let refused = limiter.hit("key:a", "partner-key", 3, start + 59);
        assert!(!refused.allowed);
        assert_eq!(
            (refused.used, refused.remaining(), refused.reset),
            (3, 0, 1)
        );
        // Another bucket is independent; the next window starts afresh.
        assert!(limiter.hit("key:b", "partner-key", 3, start + 59).allowed);
        let next = limiter.hit("key:a", "partner-key", 3, start + 60);
        assert!(next.allowed);
        assert_eq!((next.used, next.reset), (1, 60));
    }

    #[test]
    fn headers_and_rejection_carry_the_state() {
        let limiter = RateLimiter::new();
        let q = limiter.hit("ip:1", "embed-session-ip", 1, 125);
        let mut headers = HeaderMap::new();
        q.write_headers(&mut headers);
        assert_eq!(headers["x-ratelimit-limit"], "1");
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert_eq!(headers["x-ratelimit-used"], "1");
        assert_eq!(headers["x-ratelimit-reset"], "55");
        assert_eq!(headers["ratelimit-policy"], "\"embed-session-ip\";q=1;w=60");
        assert_eq!(headers["ratelimit"], "\"embed-session-ip\";r=0;t=55");
        let refused = limiter.hit("ip:1", "embed-session-ip", 1, 126);
        let response = refused.rejection();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "54");
        assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    }

    #[test]
    fn old_windows_are_pruned_when_the_map_grows() {
        let limiter = RateLimiter::new();
        for i in 0..PRUNE_AT {
            limiter.hit(&format!("ip:{i}"), "p", 5, 0);
        }
        limiter.hit("ip:new", "p", 5, 60);
        assert_eq!(limiter.windows.lock().unwrap().len(), 1);
    }
}
