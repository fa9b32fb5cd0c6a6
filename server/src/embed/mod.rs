//! The pure rules behind embedding Quarry in a partner's page (PRODUCT.md §2): which
//! browser origins an embed key accepts, the short-lived embed tokens handed to the
//! iframe, and the optional signed customer assertion a partner backend computes.
//! Nothing here does I/O or reads the clock — callers pass `now` as unix seconds —
//! so the HTTP layer stays thin and every rule is tested on its own.

pub mod assertion;
pub mod origin;
pub mod token;
