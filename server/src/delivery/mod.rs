//! Pushing bought records to the partner (PRODUCT.md §5): signed, chunked, durable,
//! at-least-once. The purchase and its delivery commit together; afterwards the
//! deliverer owns everything: the pushing request hands it the claim and waits a
//! bounded time for the first round, a background worker retries on the schedule
//! and survives restarts. Each round is sent under a fenced [`crate::store::Claim`]
//! (a lease of [`LEASE_SECS`] with a token every write checks), so one replica
//! sends each attempt. Delivery has its own error type and never panics on a
//! partner's answer.

pub mod address;
pub mod payload;
pub mod schedule;
pub mod sender;
pub mod signing;
pub mod worker;

pub use quarry_shared::prospecting::DeliveryStatus;

/// How long a claim holds a delivery. It is renewed before every chunk, and one
/// chunk takes at most the delivery timeout (≤ 120 s), so a running round never
/// outlives its lease; a round whose process stalled past it loses the claim and
/// writes nothing more.
pub const LEASE_SECS: i64 = 180;
