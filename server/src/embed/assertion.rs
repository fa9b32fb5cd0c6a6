//! The signed customer assertion (PRODUCT.md §2.7). Without it, anyone who can edit
//! the partner's page can claim any `customer_id` of that partner. An embed key can
//! therefore require `data-customer-signature`: an HMAC-SHA256 that the partner's
//! backend computes with the key's signing secret over the unambiguous `v2`
//! message (`v2:` + byte lengths before each id, see [`message`]), so no other
//! split of the same characters signs the same bytes. A page author without the
//! secret cannot produce one, and the timestamp bounds how long a leaked signature
//! stays useful.
//!
//! The first message, `customer_id.user_id.timestamp`, is still accepted, but only
//! when neither id contains a dot: with dots, a signature for (`org.team`, `bob`)
//! would also verify for (`org`, `team.bob`).

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// How far the assertion's timestamp may be from the server's clock, either way.
pub const MAX_SKEW_SECS: i64 = 600;

/// Length of a hex-encoded HMAC-SHA256.
const SIGNATURE_HEX_LEN: usize = 64;

/// Why an assertion was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    /// The timestamp is more than [`MAX_SKEW_SECS`] from now, in either direction.
    #[error("the customer signature has expired or is dated in the future")]
    Stale,
    /// The signature is not 64 hex characters.
    #[error("the customer signature is not a hex-encoded HMAC-SHA256")]
    Malformed,
    /// The signature does not match: wrong secret, or the values were changed.
    #[error("the customer signature does not match")]
    Mismatch,
}

/// The signed message: `v2:` + `len(customer_id)` + `:` + customer_id + `:` +
/// `len(user_id)` + `:` + user_id + `:` + timestamp, lengths in bytes, decimal. No
/// user id and an empty one sign the same message.
pub fn message(customer_id: &str, user_id: Option<&str>, timestamp: i64) -> String {
    let user = user_id.unwrap_or("");
    format!(
        "v2:{}:{customer_id}:{}:{user}:{timestamp}",
        customer_id.len(),
        user.len()
    )
}

/// The first message, `customer_id.user_id.timestamp`; only ever checked for ids
/// without dots (see the module header).
fn legacy_message(customer_id: &str, user_id: Option<&str>, timestamp: i64) -> String {
    format!("{customer_id}.{}.{timestamp}", user_id.unwrap_or(""))
}

/// The keyed MAC over `message`. HMAC accepts keys of any length, so this is
/// always `Some`; the `Option` only keeps a panic path out, and both callers fail
/// closed on `None` rather than fall back to some other key.
fn mac(secret: &str, message: &str) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(message.as_bytes());
    Some(mac)
}

/// The signature a partner backend sends: lowercase hex HMAC-SHA256 of [`message`]
/// under the embed key's signing secret.
pub fn sign(secret: &str, customer_id: &str, user_id: Option<&str>, timestamp: i64) -> String {
    // An empty signature (unreachable, see `mac`) never verifies.
    mac(secret, &message(customer_id, user_id, timestamp))
        .map(|mac| hex::encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Checks a partner's assertion at `now` (unix seconds). Hex is accepted in either
/// case; the MAC comparison is constant-time.
pub fn verify(
    secret: &str,
    customer_id: &str,
    user_id: Option<&str>,
    timestamp: i64,
    signature: &str,
    now: i64,
) -> Result<(), AssertionError> {
    // Checking the length first keeps an attacker's huge string from being decoded.
    if signature.len() != SIGNATURE_HEX_LEN {
        return Err(AssertionError::Malformed);
    }
    let signature = hex::decode(signature).map_err(|_| AssertionError::Malformed)?;
    let skew = now
        .checked_sub(timestamp)
        .map_or(u64::MAX, i64::unsigned_abs);
    if skew > MAX_SKEW_SECS.unsigned_abs() {
        return Err(AssertionError::Stale);
    }
    let matches = |message: String| {
        mac(secret, &message).is_some_and(|mac| mac.verify_slice(&signature).is_ok())
    };
    if matches(message(customer_id, user_id, timestamp)) {
        return Ok(());
    }
    let dotted = customer_id.contains('.') || user_id.is_some_and(|u| u.contains('.'));
    if !dotted && matches(legacy_message(customer_id, user_id, timestamp)) {
        return Ok(());
    }
    Err(AssertionError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_700_000_000;
    /// Computed independently with Python:
    /// `hmac.new(b"whsec_test_secret", b"v2:7:acme-42:3:u-7:1700000000", hashlib.sha256).hexdigest()`
    const KNOWN_WITH_USER: &str = KNOWN_V2_WITH_USER;
    /// As above over `b"v2:7:acme-42:0::1700000000"`.
    const KNOWN_WITHOUT_USER: &str = KNOWN_V2_WITHOUT_USER;
    const KNOWN_V2_WITH_USER: &str =
        "d88adadae3b0f3ef308932f949e6384833ec22b5a59ab25d835e4b58e8135c01";
    const KNOWN_V2_WITHOUT_USER: &str =
        "d05a6e5e9958ed9725d9c0d91bb213e07f3b10025b6f49d71423837150f14982";
    /// The first message, `b"acme-42.u-7.1700000000"`.
    const KNOWN_LEGACY_WITH_USER: &str =
        "372cb23e25ecee5c05146fd64be418dd14c5ea77ff8bf4c2eada6c0f709f149c";

    #[test]
    fn message_format() {
        let cases: &[(&str, Option<&str>, i64, &str)] = &[
            ("acme-42", Some("u-7"), NOW, "v2:7:acme-42:3:u-7:1700000000"),
            ("acme-42", None, NOW, "v2:7:acme-42:0::1700000000"),
            ("acme-42", Some(""), NOW, "v2:7:acme-42:0::1700000000"),
            ("c", None, -5, "v2:1:c:0::-5"),
            ("", None, 0, "v2:0::0::0"),
            // Lengths are bytes, not characters.
            ("café", Some("ü"), 1, "v2:5:café:2:ü:1"),
        ];
        for (customer, user, timestamp, want) in cases {
            assert_eq!(message(customer, *user, *timestamp), *want);
        }
        assert_eq!(
            legacy_message("acme-42", Some("u-7"), NOW),
            "acme-42.u-7.1700000000"
        );
    }

    #[test]
    fn the_old_message_verifies_only_for_ids_without_dots() {
        assert_eq!(
            verify(
                SECRET,
                "acme-42",
                Some("u-7"),
                NOW,
                KNOWN_LEGACY_WITH_USER,
                NOW
            ),
            Ok(())
        );
        let legacy = |c: &str, u: Option<&str>| {
            hex::encode(
                mac(SECRET, &legacy_message(c, u, NOW))
                    .unwrap()
                    .finalize()
                    .into_bytes(),
            )
        };
        // ("org.team", "bob") and ("org", "team.bob") sign the same old message:
        // neither verifies with it, only with v2.
        let old = legacy("org.team", Some("bob"));
        assert_eq!(old, legacy("org", Some("team.bob")));
        for (c, u) in [("org.team", Some("bob")), ("org", Some("team.bob"))] {
            assert_eq!(
                verify(SECRET, c, u, NOW, &old, NOW),
                Err(AssertionError::Mismatch)
            );
        }
        let v2 = sign(SECRET, "org.team", Some("bob"), NOW);
        assert_eq!(
            verify(SECRET, "org.team", Some("bob"), NOW, &v2, NOW),
            Ok(())
        );
        assert_eq!(
            verify(SECRET, "org", Some("team.bob"), NOW, &v2, NOW),
            Err(AssertionError::Mismatch)
        );
    }

    #[test]
    fn known_answer() {
        assert_eq!(sign(SECRET, "acme-42", Some("u-7"), NOW), KNOWN_WITH_USER);
        assert_eq!(sign(SECRET, "acme-42", None, NOW), KNOWN_WITHOUT_USER);
        assert_eq!(
            verify(SECRET, "acme-42", Some("u-7"), NOW, KNOWN_WITH_USER, NOW),
            Ok(())
        );
    }

    #[test]
    fn absent_and_empty_user_id_are_the_same() {
        assert_eq!(
            sign(SECRET, "acme-42", None, NOW),
            sign(SECRET, "acme-42", Some(""), NOW)
        );
        assert_eq!(
            verify(SECRET, "acme-42", Some(""), NOW, KNOWN_WITHOUT_USER, NOW),
            Ok(())
        );
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let upper = KNOWN_WITH_USER.to_ascii_uppercase();
        assert_eq!(
            verify(SECRET, "acme-42", Some("u-7"), NOW, &upper, NOW),
            Ok(())
        );
    }

    /// secret, customer id, user id, timestamp, signature, now, expected error.
    type FailureCase<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        i64,
        &'a str,
        i64,
        AssertionError,
    );

    #[test]
    fn failures() {
        use AssertionError::*;
        let good = KNOWN_WITH_USER;
        let flipped = format!("{}0", &good[..63]);
        let cases: &[FailureCase] = &[
            ("other", "acme-42", Some("u-7"), NOW, good, NOW, Mismatch),
            (SECRET, "acme-43", Some("u-7"), NOW, good, NOW, Mismatch),
            (SECRET, "acme-42", Some("u-8"), NOW, good, NOW, Mismatch),
            (SECRET, "acme-42", None, NOW, good, NOW, Mismatch),
            (SECRET, "acme-42", Some("u-7"), NOW + 1, good, NOW, Mismatch),
            (SECRET, "acme-42", Some("u-7"), NOW, &flipped, NOW, Mismatch),
            (SECRET, "acme-42", Some("u-7"), NOW, "", NOW, Malformed),
            (
                SECRET,
                "acme-42",
                Some("u-7"),
                NOW,
                &good[..62],
                NOW,
                Malformed,
            ),
            (SECRET, "acme-42", Some("u-7"), NOW, "zz", NOW, Malformed),
            (
                SECRET,
                "acme-42",
                Some("u-7"),
                NOW,
                &format!("{}zz", &good[..62]),
                NOW,
                Malformed,
            ),
            (
                SECRET,
                "acme-42",
                Some("u-7"),
                NOW,
                &format!("{good}00"),
                NOW,
                Malformed,
            ),
            (SECRET, "acme-42", Some("u-7"), NOW, good, NOW + 601, Stale),
            (SECRET, "acme-42", Some("u-7"), NOW, good, NOW - 601, Stale),
            (SECRET, "acme-42", Some("u-7"), NOW, good, i64::MAX, Stale),
            (SECRET, "acme-42", Some("u-7"), NOW, good, i64::MIN, Stale),
            (
                SECRET,
                "acme-42",
                Some("u-7"),
                i64::MIN,
                good,
                i64::MAX,
                Stale,
            ),
            (
                SECRET,
                "acme-42",
                Some("u-7"),
                i64::MAX,
                good,
                i64::MIN,
                Stale,
            ),
        ];
        for (secret, customer, user, timestamp, signature, now, want) in cases {
            assert_eq!(
                verify(secret, customer, *user, *timestamp, signature, *now),
                Err(*want),
                "{secret} {customer} {user:?} {timestamp} {signature} {now}"
            );
        }
    }

    #[test]
    fn skew_boundary() {
        for timestamp in [NOW - MAX_SKEW_SECS, NOW + MAX_SKEW_SECS] {
            let signature = sign(SECRET, "acme-42", Some("u-7"), timestamp);
            assert_eq!(
                verify(SECRET, "acme-42", Some("u-7"), timestamp, &signature, NOW),
                Ok(())
            );
        }
        for timestamp in [NOW - MAX_SKEW_SECS - 1, NOW + MAX_SKEW_SECS + 1] {
            let signature = sign(SECRET, "acme-42", Some("u-7"), timestamp);
            assert_eq!(
                verify(SECRET, "acme-42", Some("u-7"), timestamp, &signature, NOW),
                Err(AssertionError::Stale)
            );
        }
        for timestamp in [i64::MIN, i64::MAX] {
            let signature = sign(SECRET, "acme-42", None, timestamp);
            assert_eq!(
                verify(SECRET, "acme-42", None, timestamp, &signature, timestamp),
                Ok(())
            );
        }
    }

    proptest! {
        #[test]
        fn verify_is_total(
            secret in any::<String>(),
            customer in any::<String>(),
            user in proptest::option::of(any::<String>()),
            timestamp in any::<i64>(),
            signature in prop_oneof![any::<String>(), "[0-9a-fA-F]{64}", "[0-9a-fA-FxZ]{60,66}"],
            now in any::<i64>(),
        ) {
            let _ = verify(&secret, &customer, user.as_deref(), timestamp, &signature, now);
        }

        #[test]
        fn signed_values_verify_and_changed_ones_do_not(
            secret in ".{0,40}",
            customer in "[a-z0-9-]{1,12}",
            user in proptest::option::of("[a-z0-9-]{1,8}"),
            timestamp in any::<i64>(),
            skew in -MAX_SKEW_SECS..=MAX_SKEW_SECS,
        ) {
            let now = timestamp.saturating_add(skew);
            let signature = sign(&secret, &customer, user.as_deref(), timestamp);
            prop_assert_eq!(signature.len(), SIGNATURE_HEX_LEN);
            prop_assert_eq!(
                verify(&secret, &customer, user.as_deref(), timestamp, &signature, now),
                Ok(())
            );
            let other = format!("{customer}x");
            prop_assert_eq!(
                verify(&secret, &other, user.as_deref(), timestamp, &signature, now),
                Err(AssertionError::Mismatch)
            );
        }

        /// Moving any characters from one id to the other (dots, colons, digits
        /// that look like lengths) never yields a message that verifies.
        #[test]
        fn no_other_split_of_the_same_characters_verifies(
            customer in "[a-z0-9.:@]{0,12}",
            user in "[a-z0-9.:@]{0,12}",
            cut in 0usize..25,
            timestamp in any::<i64>(),
        ) {
            let signature = sign(SECRET, &customer, Some(&user), timestamp);
            let joined = format!("{customer}{user}");
            let cut = cut.min(joined.len());
            let (c2, u2) = joined.split_at(cut);
            if (c2, u2) != (customer.as_str(), user.as_str()) {
                prop_assert_eq!(
                    verify(SECRET, c2, Some(u2), timestamp, &signature, timestamp),
                    Err(AssertionError::Mismatch)
                );
            }
        }
    }
}
