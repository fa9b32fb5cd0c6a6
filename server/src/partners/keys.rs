//! Secret API keys (`qk_live_…`, `qk_test_…`), public loader keys (`qpk_…`) and
//! server-minted session secrets (`qss_…`): how they are made, what is stored, and
//! how a presented one is recognised.
//!
//! A key is 32 random alphanumeric characters (≈190 bits) after its type prefix.
//! Only the SHA-256 digest and a visible prefix (type + 8 characters) are stored;
//! lookups go by prefix and finish with a constant-time digest comparison.

use super::ids::{random_token, sha256_hex};
use super::Mode;

/// Random characters after the type prefix.
const RANDOM_LEN: usize = 32;
/// Random characters kept in the visible prefix.
const VISIBLE_LEN: usize = 8;

/// What a secret key may do. Keys get every scope unless created with fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The data API: person and company search, lookup, domains.
    Data,
    /// Embed (loader) keys.
    EmbedKeys,
    /// Partner customers and their settings.
    Customers,
    /// Wallets: reading them, granting credits, the ledger.
    Wallets,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Data,
        Scope::EmbedKeys,
        Scope::Customers,
        Scope::Wallets,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Data => "data",
            Scope::EmbedKeys => "embed_keys",
            Scope::Customers => "customers",
            Scope::Wallets => "wallets",
        }
    }

    pub fn parse(value: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Scopes as stored: space-separated names, sorted, unknown names dropped.
pub fn scopes_to_string(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn scopes_from_string(value: &str) -> Vec<Scope> {
    value.split_whitespace().filter_map(Scope::parse).collect()
}

/// A freshly made key: the secret is shown once, the rest is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedKey {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

impl std::fmt::Debug for IssuedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedKey")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn issue(kind: &str) -> IssuedKey {
    let secret = format!("{kind}{}", random_token(RANDOM_LEN));
    IssuedKey {
        prefix: secret[..kind.len() + VISIBLE_LEN].to_owned(),
        hash: sha256_hex(&secret),
        secret,
    }
}

fn secret_kind(mode: Mode) -> &'static str {
    match mode {
        Mode::Live => "qk_live_",
        Mode::Test => "qk_test_",
    }
}

fn public_kind(mode: Mode) -> &'static str {
    match mode {
        Mode::Live => "qpk_live_",
        Mode::Test => "qpk_test_",
    }
}

fn session_kind(mode: Mode) -> &'static str {
    match mode {
        Mode::Live => "qss_live_",
        Mode::Test => "qss_test_",
    }
}

/// A new single-use session secret for `data-session-secret` (PRODUCT.md §2.7).
pub fn issue_session_secret(mode: Mode) -> IssuedKey {
    issue(session_kind(mode))
}

/// Recognises a session secret (`qss_live_…`/`qss_test_…`).
pub fn recognise_session_secret(value: &str) -> Option<Presented> {
    recognise(
        value,
        [
            (session_kind(Mode::Live), Mode::Live),
            (session_kind(Mode::Test), Mode::Test),
        ],
    )
}

/// A new secret API key.
pub fn issue_secret_key(mode: Mode) -> IssuedKey {
    issue(secret_kind(mode))
}

/// A new public loader key for `data-partner-key`.
pub fn issue_public_key(mode: Mode) -> IssuedKey {
    issue(public_kind(mode))
}

/// A new customer-signing secret for embed keys that require signed customers.
pub fn issue_signing_secret() -> String {
    format!("qcs_{}", random_token(40))
}

/// Everything secret about a new embed key, each shown to the partner once: the
/// public loader key, the customer-signing secret and the Standard Webhooks secret.
pub struct EmbedKeySecrets {
    pub public: IssuedKey,
    pub signing_secret: String,
    pub webhook_secret: String,
}

impl EmbedKeySecrets {
    pub fn issue(mode: Mode) -> EmbedKeySecrets {
        EmbedKeySecrets {
            public: issue_public_key(mode),
            signing_secret: issue_signing_secret(),
            webhook_secret: crate::delivery::signing::new_secret(),
        }
    }
}

/// A presented key that has the shape of one of ours: its mode and stored prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub mode: Mode,
    pub prefix: String,
    pub hash: String,
}

fn recognise(value: &str, kinds: [(&str, Mode); 2]) -> Option<Presented> {
    for (kind, mode) in kinds {
        if let Some(rest) = value.strip_prefix(kind) {
            if rest.len() == RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Some(Presented {
                    mode,
                    prefix: value[..kind.len() + VISIBLE_LEN].to_owned(),
                    hash: sha256_hex(value),
                });
            }
        }
    }
    None
}

/// Recognises a secret key (`qk_live_…`/`qk_test_…`); `None` for anything else.
pub fn recognise_secret_key(value: &str) -> Option<Presented> {
    recognise(
        value,
        [
            (secret_kind(Mode::Live), Mode::Live),
            (secret_kind(Mode::Test), Mode::Test),
        ],
    )
}

/// Recognises a public loader key (`qpk_live_…`/`qpk_test_…`).
pub fn recognise_public_key(value: &str) -> Option<Presented> {
    recognise(
        value,
        [
            (public_kind(Mode::Live), Mode::Live),
            (public_kind(Mode::Test), Mode::Test),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn issued_keys_are_recognised_with_their_mode() {
        for mode in [Mode::Live, Mode::Test] {
            let key = issue_secret_key(mode);
            assert_eq!(key.secret.len(), secret_kind(mode).len() + 32);
            assert!(key.secret.starts_with(&key.prefix));
            assert_eq!(key.prefix.len(), secret_kind(mode).len() + 8);
            let seen = recognise_secret_key(&key.secret).expect("our own key");
            assert_eq!(
                (seen.mode, &seen.prefix, &seen.hash),
                (mode, &key.prefix, &key.hash)
            );
            assert!(recognise_public_key(&key.secret).is_none());

            let public = issue_public_key(mode);
            assert!(public.secret.starts_with(public_kind(mode)));
            assert_eq!(recognise_public_key(&public.secret).unwrap().mode, mode);
            assert!(recognise_secret_key(&public.secret).is_none());

            let session = issue_session_secret(mode);
            assert!(session.secret.starts_with(session_kind(mode)));
            let seen = recognise_session_secret(&session.secret).unwrap();
            assert_eq!((seen.mode, seen.hash), (mode, session.hash));
            assert!(recognise_public_key(&session.secret).is_none());
            assert!(recognise_session_secret(&public.secret).is_none());
        }
        assert_ne!(
            issue_secret_key(Mode::Live).secret,
            issue_secret_key(Mode::Live).secret
        );
    }

    #[test]
    fn foreign_shapes_are_not_recognised() {
        let good = issue_secret_key(Mode::Live).secret;
        for bad in [
            "",
            "qk_live_",
            &good[..good.len() - 1],
            &format!("{good}x"),
            &format!("{}-", &good[..good.len() - 1]),
            "qk_prod_0123456789abcdef0123456789abcdef",
            "Bearer qk_live_0123456789abcdef0123456789abcdef",
        ] {
            assert!(recognise_secret_key(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn scopes_round_trip_sorted_and_deduplicated() {
        let text = scopes_to_string(&[Scope::Wallets, Scope::Data, Scope::Wallets]);
        assert_eq!(text, "data wallets");
        assert_eq!(scopes_from_string(&text), vec![Scope::Data, Scope::Wallets]);
        assert_eq!(scopes_from_string("data bogus"), vec![Scope::Data]);
    }

    proptest! {
        #[test]
        fn recognising_never_panics(value in "\\PC{0,60}") {
            let _ = recognise_secret_key(&value);
            let _ = recognise_public_key(&value);
            let _ = recognise_session_secret(&value);
        }
    }
}
