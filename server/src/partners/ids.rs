//! Identifiers and secrets: random, URL-safe, with a readable type prefix
//! (`pc_…` is a partner customer, `qk_live_…` a secret key) so a value pasted into a
//! support ticket says what it is.

use rand::distr::{Alphanumeric, SampleString};

/// `prefix` + `_` + 22 alphanumeric characters (≈131 bits).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(22))
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
