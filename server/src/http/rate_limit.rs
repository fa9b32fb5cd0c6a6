//! Rate limits in fixed 60-second windows (PRODUCT.md §8): per secret key on the
//! partner API, per client IP on embed-session bootstrap. Every answer carries the
//! state as lowercase `x-ratelimit-*` headers plus the IETF `RateLimit-Policy` /
//! `RateLimit` pair; a refusal is `429 rate_limited` with `retry-after`.
//!
//! Windows are aligned to the clock minute and counted in process memory: a
//! handful of lines around a map, where a GCRA crate (governor) would not give the
//! window's `used`/`reset` figures the headers need. Replicas share their counts
//! through the database ([`RateLimiter::share`], every [`SHARE_EVERY`]): each
//! writes its own count per bucket and reads the others' sum, and a request is
//! allowed when its replica's count plus the others' last known sum is under the
//! limit. No request waits for the database; the replicas together overshoot by
//! at most what they admit between two shares.

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

/// How often a replica shares its counts.
pub const SHARE_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Counters per bucket (`key:<id>`, `ip:<address>`) for the current window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    /// This replica's counts.
    windows: Mutex<HashMap<String, (u64, u32)>>,
    /// The other replicas' sums, as last read: bucket → (window, count, this
    /// replica's count when they were read).
    others: Mutex<HashMap<String, (u64, u32, u32)>>,
    /// Replicas seen sharing counts (this one included); 1 alone.
    replicas: std::sync::atomic::AtomicU32,
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
        let (others, mine_then) = self
            .others
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(bucket)
            .filter(|(w, _, _)| *w == window)
            .map_or((0, 0), |(_, n, at)| (*n, *at));
        // Between two shares each replica takes only its part of what was
        // left, so together they do not overshoot while the counts travel.
        let replicas = self
            .replicas
            .load(std::sync::atomic::Ordering::Relaxed)
            .max(1);
        let left = limit.saturating_sub(mine_then.min(entry.1).saturating_add(others));
        let part = if replicas > 1 {
            (left / replicas).max(1)
        } else {
            left
        };
        let allowed = entry.1.saturating_add(others) < limit
            && entry.1.saturating_sub(mine_then.min(entry.1)) < part;
        if allowed {
            entry.1 += 1;
        }
        Quota {
            policy,
            limit,
            used: entry.1.saturating_add(others),
            reset,
            allowed,
        }
    }

    /// Writes this replica's counts of the window at `now` as `replica` and
    /// reads the other replicas' sums (and drops windows long gone).
    pub async fn share(
        &self,
        store: &crate::store::Store,
        replica: &str,
        now: u64,
    ) -> Result<(), crate::store::StoreError> {
        let window = now / WINDOW_SECS;
        let mine: Vec<(String, u32)> = self
            .windows
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(_, (w, n))| *w == window && *n > 0)
            .map(|(b, (_, n))| (b.clone(), *n))
            .collect();
        let current = window;
        let window = i64::try_from(window).unwrap_or(i64::MAX);
        let (sums, replicas) = store.share_rate_counts(replica, window, &mine).await?;
        self.replicas.store(
            u32::try_from(replicas).unwrap_or(1).max(1),
            std::sync::atomic::Ordering::Relaxed,
        );
        let mine: HashMap<String, u32> = mine.into_iter().collect();
        let mut others = self.others.lock().unwrap_or_else(|p| p.into_inner());
        others.clear();
        for (bucket, n) in sums {
            let at = mine.get(&bucket).copied().unwrap_or(0);
            others.insert(bucket, (current, u32::try_from(n).unwrap_or(u32::MAX), at));
        }
        Ok(())
    }

    /// Shares every [`SHARE_EVERY`] until aborted.
    pub fn spawn_sharing(
        self: std::sync::Arc<Self>,
        store: crate::store::Store,
        replica: String,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SHARE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let now = crate::store::now_unix().max(0) as u64;
                if let Err(e) = self.share(&store, &replica, now).await {
                    tracing::warn!(error = %e, "could not share rate-limit counts");
                }
            }
        })
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
