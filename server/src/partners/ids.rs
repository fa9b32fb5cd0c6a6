//! Identifiers and secrets: random, URL-safe, with a readable type prefix
//! (`pc_…` is a partner customer, `qk_live_…` a secret key) so a value pasted into a
//! support ticket says what it is.

use rand::distr::{Alphanumeric, SampleString};

/// `prefix` + `_` + 22 alphanumeric characters (≈131 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(22))
}

/// `prefix` + `_` + 13 hex digits of microseconds since the epoch (strictly
/// increasing within the process) + 12 random characters: ids that sort by creation,
/// so lists page in creation order by id alone.
pub fn new_sorted_id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let mut last = LAST.load(Ordering::Relaxed);
    let micros = loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => break next,
            Err(seen) => last = seen,
        }
    };
    format!("{prefix}_{micros:013x}{}", random_token(12))
}

/// `len` characters from `[A-Za-z0-9]`, from the thread-local CSPRNG.
pub fn random_token(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// Lowercase hex SHA-256: how secrets are stored.
pub fn sha256_hex(value: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_differ() {
        let (a, b) = (new_id("pc"), new_id("pc"));
        assert!(a.starts_with("pc_") && a.len() == 25, "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn sorted_ids_increase_even_within_a_microsecond() {
        let ids: Vec<String> = (0..1000).map(|_| new_sorted_id("pc")).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ids[0].len(), 3 + 13 + 12);
    }

    #[test]
    fn digests_and_comparison() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
