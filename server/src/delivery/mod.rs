//! Pushing bought records to the partner (PRODUCT.md §5): signed, chunked, durable,
//! at-least-once. The purchase and its delivery commit together; afterwards the
//! deliverer owns everything: the pushing request hands it the claim and waits a
//! bounded time for the first round, a background worker retries on the schedule
//! and survives restarts. Each round is sent under a fenced [`crate::store::Claim`]
//! (a lease of [`LEASE_SECS`] with a token every write checks), so one replica
//! sends each attempt. Delivery has its own error type and never panics on a
//! partner's answer.

pub mod address;
pub mod events;
pub mod payload;
pub mod schedule;
pub mod sender;
pub mod signing;
pub mod worker;

pub use quarry_shared::prospecting::DeliveryStatus;

/// The longest a partner may take to answer one chunk (`--delivery-timeout-secs`).
pub const MAX_DELIVERY_TIMEOUT_SECS: u64 = 120;

/// How long a claim holds a delivery unless the store is told otherwise. It is
/// renewed before every chunk, and one chunk takes at most
/// [`MAX_DELIVERY_TIMEOUT_SECS`], so a running round never outlives its lease; a
/// round whose process stalled past it loses the claim and writes nothing more.
pub const LEASE_SECS: i64 = 180;
const _: () = assert!(LEASE_SECS > MAX_DELIVERY_TIMEOUT_SECS as i64);

/// The lease a server with a per-chunk `timeout_secs` uses: twice the longest
/// chunk plus a margin for the round's own writes, so a replica that died holds
/// its deliveries for well under a minute with the default 15 s timeout.
pub fn lease_secs(timeout_secs: u64) -> i64 {
    i64::try_from(timeout_secs)
        .unwrap_or(MAX_DELIVERY_TIMEOUT_SECS as i64)
        .saturating_mul(2)
        .saturating_add(5)
}

/// A webhook endpoint failing every attempt for this long (5 days) is disabled
/// (`--webhook-disable-after-secs`).
pub const DISABLE_FAILING_ENDPOINT_SECS: i64 = 5 * 86_400;

/// How long a request (a push, a replay) waits for the round it starts: a third
/// of the request timeout, at most `wait_secs`. The round goes on after that.
pub fn first_round_wait(request_timeout_secs: u64, wait_secs: u64) -> std::time::Duration {
    use std::time::Duration;
    Duration::from_secs(wait_secs).min(Duration::from_secs(request_timeout_secs) / 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_lease_outlasts_a_chunk_that_takes_the_whole_timeout() {
        for timeout in 1..=MAX_DELIVERY_TIMEOUT_SECS {
            assert!(lease_secs(timeout) > 2 * timeout as i64);
        }
        assert_eq!(lease_secs(15), 35);
    }

    #[test]
    fn the_first_round_waits_well_inside_the_request_timeout() {
        assert_eq!(first_round_wait(30, 8), Duration::from_secs(8));
        assert_eq!(first_round_wait(9, 8), Duration::from_secs(3));
        assert_eq!(first_round_wait(1, 8), Duration::from_secs(1) / 3);
        assert!(first_round_wait(600, 600) < Duration::from_secs(600));
    }
}
