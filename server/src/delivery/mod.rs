//! Pushing bought records to the partner (PRODUCT.md §5): signed, chunked, durable,
//! at-least-once. The purchase and its delivery commit together; the request tries
//! once at once and a background worker retries on the schedule, surviving
//! restarts. Delivery has its own error type and never panics on a partner's
//! answer.

pub mod address;
pub mod schedule;
pub mod sender;
pub mod signing;
pub mod worker;
