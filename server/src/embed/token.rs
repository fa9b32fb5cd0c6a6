//! Embed tokens: the short-lived JWTs (HS256) that the loader hands to the iframe so
//! the widget can call the API on behalf of one partner customer. They live in memory
//! only — no cookies — which is what lets the widget work where third-party cookies
//! are blocked.
//!
//! Secrets rotate through a `kid` header: the first key signs, every listed key still
//! verifies, so a new secret can be rolled out without cutting off live sessions.
//! Time checks use the caller's `now` rather than jsonwebtoken's clock so that they are
//! testable and share one notion of time with the rest of the request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The `iss` of every embed token.
pub const ISSUER: &str = "quarry";
/// The `aud` of every embed token: keeps them from being replayed as another kind of
/// Quarry JWT, and other JWTs from being accepted as embed tokens.
pub const AUDIENCE: &str = "quarry-embed";
/// Clock tolerance for `exp` and `iat`, for the skew between servers.
pub const LEEWAY_SECS: u64 = 10;
/// Secrets shorter than this are refused: HS256 is only as strong as its key.
pub const MIN_SECRET_LEN: usize = 32;
/// Tokens longer than this are refused without parsing: ours are a few hundred bytes.
pub const MAX_TOKEN_LEN: usize = 4096;

/// What an embed token asserts.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct EmbedClaims {
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// The partner customer id.
    pub sub: String,
    /// The partner id.
    pub pid: String,
    /// The embed key id the session was opened with.
    pub ekid: String,
    /// The partner's user id, when the page supplied one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The partner page's origin; the widget accepts messages only from it.
    pub origin: String,
    /// `"live"` or `"test"`.
    pub mode: String,
    /// Issued at, unix seconds.
    pub iat: i64,
    /// Expires at, unix seconds.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
}

/// Why a set of signing keys was refused (at start-up, from configuration).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenKeysError {
    /// At least one key is needed to sign.
    #[error("at least one embed token key is required")]
    Empty,
    /// A key without an id could not be found again at verification.
    #[error("an embed token key has an empty id")]
    EmptyKid,
    /// Two keys with one id would make verification ambiguous.
    #[error("the embed token key id {0:?} is listed twice")]
    DuplicateKid(String),
    /// The secret is too short to resist guessing.
    #[error("the embed token key {kid:?} is shorter than {MIN_SECRET_LEN} bytes")]
    ShortSecret {
        /// The offending key's id.
        kid: String,
    },
}

/// Why a token could not be signed. With a valid HMAC key this does not happen; it
/// is a type rather than a panic so that a library change cannot take a request down.
#[derive(Debug, thiserror::Error)]
#[error("could not sign the embed token: {0}")]
pub struct IssueError(#[from] jsonwebtoken::errors::Error);

/// Why a token was refused. [`TokenError::code`] is the stable string sent to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not three base64url parts, an unreadable header or payload, missing claims, a
    /// token that is too long, or an algorithm other than HS256.
    #[error("the embed token is malformed")]
    Malformed,
    /// The `kid` header is missing or names no current key (e.g. rotated out).
    #[error("the embed token was signed with an unknown key")]
    UnknownKid,
    /// The signature does not match the header and payload: the token was altered.
    #[error("the embed token's signature is invalid")]
    BadSignature,
    /// `aud` is not [`AUDIENCE`].
    #[error("the embed token is not meant for the embed API")]
    WrongAudience,
    /// `iss` is not [`ISSUER`].
    #[error("the embed token was not issued by Quarry")]
    WrongIssuer,
    /// `exp` is more than [`LEEWAY_SECS`] in the past.
    #[error("the embed token has expired")]
    Expired,
    /// `iat` is more than [`LEEWAY_SECS`] in the future.
    #[error("the embed token is not valid yet")]
    NotYetValid,
}

impl TokenError {
    /// The stable machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed => "token_malformed",
            TokenError::UnknownKid => "token_unknown_kid",
            TokenError::BadSignature => "token_invalid_signature",
            TokenError::WrongAudience => "token_invalid_audience",
            TokenError::WrongIssuer => "token_invalid_issuer",
            TokenError::Expired => "token_expired",
            TokenError::NotYetValid => "token_not_yet_valid",
        }
    }
}

/// The embed token secrets, newest first: the first signs, all verify.
#[derive(Clone)]
pub struct TokenKeys {
    signing: EncodingKey,
    /// `(kid, key)` in configuration order; the first is the signing key.
    verifying: Vec<(String, DecodingKey)>,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.verifying.iter().map(|(kid, _)| kid.as_str()).collect();
        f.debug_struct("TokenKeys")
            .field("kids", &kids)
            .field("secrets", &"<redacted>")
            .finish()
    }
}

impl TokenKeys {
    /// Keys from `(kid, secret)` pairs, newest first. Refuses an empty list, empty or
    /// duplicate ids, and secrets shorter than [`MIN_SECRET_LEN`] bytes.
    pub fn new(keys: Vec<(String, Vec<u8>)>) -> Result<TokenKeys, TokenKeysError> {
        let Some((_, first_secret)) = keys.first() else {
            return Err(TokenKeysError::Empty);
        };
        let signing = EncodingKey::from_secret(first_secret);
        let mut verifying: Vec<(String, DecodingKey)> = Vec::with_capacity(keys.len());
        for (kid, secret) in &keys {
            if kid.is_empty() {
                return Err(TokenKeysError::EmptyKid);
            }
            if verifying.iter().any(|(seen, _)| seen == kid) {
                return Err(TokenKeysError::DuplicateKid(kid.clone()));
            }
            if secret.len() < MIN_SECRET_LEN {
                return Err(TokenKeysError::ShortSecret { kid: kid.clone() });
            }
            verifying.push((kid.clone(), DecodingKey::from_secret(secret)));
        }
        Ok(TokenKeys { signing, verifying })
    }

    /// The id of the key new tokens are signed with.
    pub fn signing_kid(&self) -> &str {
        // `new` refuses an empty list, so the first entry exists.
        self.verifying.first().map_or("", |(kid, _)| kid.as_str())
    }

    /// A signed token for `claims`, with the signing key's id in its `kid` header.
    pub fn issue(&self, claims: &EmbedClaims) -> Result<String, IssueError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid().to_string());
        Ok(jsonwebtoken::encode(&header, claims, &self.signing)?)
    }

    /// The claims of `token` if it is well formed, signed by one of these keys, meant
    /// for the embed API, and current at `now` (unix seconds) within [`LEEWAY_SECS`].
    pub fn verify(&self, token: &str, now: i64) -> Result<EmbedClaims, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let parts: Vec<&str> = token.split('.').collect();
        let [header_part, payload_part, signature_part] = parts[..] else {
            return Err(TokenError::Malformed);
        };
        if header_part.is_empty()
            || payload_part.is_empty()
            || signature_part.is_empty()
            || [header_part, payload_part, signature_part]
                .iter()
                .any(|part| URL_SAFE_NO_PAD.decode(part).is_err())
        {
            return Err(TokenError::Malformed);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::HS256 {
            return Err(TokenError::Malformed);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKid)?;
        let (_, key) = self
            .verifying
            .iter()
            .find(|(known, _)| *known == kid)
            .ok_or(TokenError::UnknownKid)?;

        let claims = jsonwebtoken::decode::<EmbedClaims>(token, key, &validation())
            .map_err(|error| match error.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
                _ => TokenError::Malformed,
            })?
            .claims;

        let leeway = LEEWAY_SECS as i64;
        if claims.exp.saturating_add(leeway) < now {
            return Err(TokenError::Expired);
        }
        if claims.iat > now.saturating_add(leeway) {
            return Err(TokenError::NotYetValid);
        }
        Ok(claims)
    }
}

/// Signature, issuer and audience checks only; time is checked against the caller's
/// `now` in [`TokenKeys::verify`], and the claims struct itself requires every claim.
fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_700_000_000;

    fn secret(byte: u8) -> Vec<u8> {
        vec![byte; 32]
    }

    fn keys(kids: &[&str]) -> TokenKeys {
        let pairs = kids
            .iter()
            .map(|kid| (kid.to_string(), secret(kid.as_bytes()[kid.len() - 1])))
            .collect();
        TokenKeys::new(pairs).unwrap()
    }

    fn claims() -> EmbedClaims {
        EmbedClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "pc_123".into(),
            pid: "p_1".into(),
            ekid: "ek_9".into(),
            uid: Some("u-7".into()),
            origin: "https://partner.example".into(),
            mode: "live".into(),
            iat: NOW,
            exp: NOW + 900,
            jti: "jti-abc".into(),
        }
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Signs an arbitrary header and payload with `secret`, as an attacker holding (or
    /// guessing) a key would.
    fn forge(header: &Header, payload: &serde_json::Value, secret: &[u8]) -> String {
        jsonwebtoken::encode(header, payload, &EncodingKey::from_secret(secret)).unwrap()
    }

    fn hs256(kid: Option<&str>) -> Header {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = kid.map(str::to_string);
        header
    }

    /// Replaces the character at `index` with another base64url character.
    fn flip(token: &str, index: usize) -> String {
        let mut bytes = token.as_bytes().to_vec();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn round_trip() {
        let keys = keys(&["k1"]);
        let token = keys.issue(&claims()).unwrap();
        assert_eq!(keys.verify(&token, NOW), Ok(claims()));
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.kid.as_deref(), Some("k1"));

        let without_user = EmbedClaims {
            uid: None,
            ..claims()
        };
        let token = keys.issue(&without_user).unwrap();
        assert_eq!(keys.verify(&token, NOW), Ok(without_user));
    }

    type KeyPairs = Vec<(String, Vec<u8>)>;

    #[test]
    fn keys_are_validated() {
        let cases: Vec<(KeyPairs, TokenKeysError)> = vec![
            (vec![], TokenKeysError::Empty),
            (vec![(String::new(), secret(1))], TokenKeysError::EmptyKid),
            (
                vec![("k1".into(), secret(1)), ("k1".into(), secret(2))],
                TokenKeysError::DuplicateKid("k1".into()),
            ),
            (
                vec![("k1".into(), secret(1)), ("k2".into(), vec![2; 31])],
                TokenKeysError::ShortSecret { kid: "k2".into() },
            ),
        ];
        for (pairs, want) in cases {
            assert_eq!(TokenKeys::new(pairs).unwrap_err(), want);
        }
        let keys = keys(&["k2", "k1"]);
        assert_eq!(keys.signing_kid(), "k2");
    }

    #[test]
    fn debug_redacts_secrets() {
        let keys = TokenKeys::new(vec![(
            "k1".into(),
            b"s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t".to_vec(),
        )])
        .unwrap();
        let debug = format!("{keys:?}");
        assert!(debug.contains("k1"), "{debug}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
    }

    #[test]
    fn every_error_has_a_stable_code() {
        let cases = [
            (TokenError::Malformed, "token_malformed"),
            (TokenError::UnknownKid, "token_unknown_kid"),
            (TokenError::BadSignature, "token_invalid_signature"),
            (TokenError::WrongAudience, "token_invalid_audience"),
            (TokenError::WrongIssuer, "token_invalid_issuer"),
            (TokenError::Expired, "token_expired"),
            (TokenError::NotYetValid, "token_not_yet_valid"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code);
        }
    }

    #[test]
    fn audience_and_issuer_are_checked() {
        let keys = keys(&["k1"]);
        let other_audience = EmbedClaims {
            aud: "quarry-api".into(),
            ..claims()
        };
        let token = keys.issue(&other_audience).unwrap();
        assert_eq!(keys.verify(&token, NOW), Err(TokenError::WrongAudience));

        let other_issuer = EmbedClaims {
            iss: "someone-else".into(),
            ..claims()
        };
        let token = keys.issue(&other_issuer).unwrap();
        assert_eq!(keys.verify(&token, NOW), Err(TokenError::WrongIssuer));
    }

    #[test]
    fn expiry_allows_the_leeway_and_no_more() {
        let keys = keys(&["k1"]);
        let token = keys.issue(&claims()).unwrap();
        let exp = claims().exp;
        let leeway = LEEWAY_SECS as i64;
        assert!(keys.verify(&token, exp).is_ok());
        assert!(keys.verify(&token, exp + leeway).is_ok());
        assert_eq!(
            keys.verify(&token, exp + leeway + 1),
            Err(TokenError::Expired)
        );
        assert_eq!(keys.verify(&token, i64::MAX), Err(TokenError::Expired));
    }

    #[test]
    fn issued_in_the_future_is_refused_beyond_the_leeway() {
        let keys = keys(&["k1"]);
        let token = keys.issue(&claims()).unwrap();
        let leeway = LEEWAY_SECS as i64;
        assert!(keys.verify(&token, NOW - leeway).is_ok());
        assert_eq!(
            keys.verify(&token, NOW - leeway - 1),
            Err(TokenError::NotYetValid)
        );
        assert_eq!(keys.verify(&token, i64::MIN), Err(TokenError::NotYetValid));
    }

    #[test]
    fn tampering_is_detected() {
        let keys = keys(&["k1"]);
        let token = keys.issue(&claims()).unwrap();
        let header_end = token.find('.').unwrap();
        let signature_start = token.rfind('.').unwrap() + 1;

        // A byte in the middle of the payload: still base64, no longer signed.
        let payload_byte = (header_end + signature_start) / 2;
        assert_eq!(
            keys.verify(&flip(&token, payload_byte), NOW),
            Err(TokenError::BadSignature)
        );
        // A byte in the middle of the signature.
        let signature_byte = signature_start + 10;
        assert_eq!(
            keys.verify(&flip(&token, signature_byte), NOW),
            Err(TokenError::BadSignature)
        );
        // Changed claims re-encoded under the original header and signature.
        let escalated = EmbedClaims {
            sub: "pc_other".into(),
            ..claims()
        };
        let payload = b64(&serde_json::to_vec(&escalated).unwrap());
        let parts: Vec<&str> = token.split('.').collect();
        let spliced = format!("{}.{payload}.{}", parts[0], parts[2]);
        assert_eq!(keys.verify(&spliced, NOW), Err(TokenError::BadSignature));
        // A different (still valid) header under the original signature.
        let mut header = hs256(Some("k1"));
        header.typ = Some("at+jwt".into());
        let header = b64(&serde_json::to_vec(&header).unwrap());
        let spliced = format!("{header}.{}.{}", parts[1], parts[2]);
        assert_eq!(keys.verify(&spliced, NOW), Err(TokenError::BadSignature));
        // Signed with a key of the right id but the wrong secret.
        let payload = serde_json::to_value(claims()).unwrap();
        let forged = forge(&hs256(Some("k1")), &payload, &secret(b'x'));
        assert_eq!(keys.verify(&forged, NOW), Err(TokenError::BadSignature));
    }

    #[test]
    fn kid_must_be_present_and_known() {
        let keys = keys(&["k1"]);
        let payload = serde_json::to_value(claims()).unwrap();
        let no_kid = forge(&hs256(None), &payload, &secret(b'1'));
        assert_eq!(keys.verify(&no_kid, NOW), Err(TokenError::UnknownKid));
        let other_kid = forge(&hs256(Some("k9")), &payload, &secret(b'1'));
        assert_eq!(keys.verify(&other_kid, NOW), Err(TokenError::UnknownKid));
    }

    #[test]
    fn rotation_keeps_old_tokens_until_the_old_key_is_removed() {
        let old = keys(&["k1"]);
        let token = old.issue(&claims()).unwrap();

        let rotated = keys(&["k2", "k1"]);
        assert_eq!(rotated.verify(&token, NOW), Ok(claims()));
        let fresh = rotated.issue(&claims()).unwrap();
        let header = jsonwebtoken::decode_header(&fresh).unwrap();
        assert_eq!(header.kid.as_deref(), Some("k2"));
        assert_eq!(rotated.verify(&fresh, NOW), Ok(claims()));
        assert_eq!(old.verify(&fresh, NOW), Err(TokenError::UnknownKid));

        let retired = keys(&["k2"]);
        assert_eq!(retired.verify(&token, NOW), Err(TokenError::UnknownKid));
        assert_eq!(retired.verify(&fresh, NOW), Ok(claims()));
    }

    #[test]
    fn only_hs256_is_accepted() {
        let keys = keys(&["k1"]);
        let payload = serde_json::to_value(claims()).unwrap();

        let none_header = b64(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        let body = b64(&serde_json::to_vec(&payload).unwrap());
        let unsigned = format!("{none_header}.{body}.");
        assert_eq!(keys.verify(&unsigned, NOW), Err(TokenError::Malformed));
        let unsigned_with_junk = format!("{none_header}.{body}.AAAA");
        assert_eq!(
            keys.verify(&unsigned_with_junk, NOW),
            Err(TokenError::Malformed)
        );

        let mut hs512 = Header::new(Algorithm::HS512);
        hs512.kid = Some("k1".into());
        let token = forge(&hs512, &payload, &secret(b'1'));
        assert_eq!(keys.verify(&token, NOW), Err(TokenError::Malformed));
    }

    #[test]
    fn malformed_tokens() {
        let keys = keys(&["k1"]);
        let valid = keys.issue(&claims()).unwrap();
        let parts: Vec<&str> = valid.split('.').collect();
        let mut missing_claim = serde_json::to_value(claims()).unwrap();
        missing_claim.as_object_mut().unwrap().remove("jti");
        let mut wrong_type = serde_json::to_value(claims()).unwrap();
        wrong_type["exp"] = serde_json::json!("tomorrow");
        let cases = vec![
            String::new(),
            "abc".to_string(),
            "a.b".to_string(),
            "a.b.c.d".to_string(),
            format!("{valid}."),
            format!("{}..{}", parts[0], parts[2]),
            format!("{}.{}.", parts[0], parts[1]),
            format!("{}.{}.{}!", parts[0], parts[1], parts[2]),
            format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
            format!("e30.{}.{}", parts[1], parts[2]),
            format!("{}.{}.{}", b64(b"not json"), parts[1], parts[2]),
            forge(&hs256(Some("k1")), &missing_claim, &secret(b'1')),
            forge(&hs256(Some("k1")), &wrong_type, &secret(b'1')),
            format!("{}.{}.{}", parts[0], "A".repeat(MAX_TOKEN_LEN), parts[2]),
        ];
        for token in cases {
            assert_eq!(
                keys.verify(&token, NOW),
                Err(TokenError::Malformed),
                "token {token:?}"
            );
        }
    }

    fn valid_token() -> (TokenKeys, String) {
        let keys = keys(&["k2", "k1"]);
        let token = keys.issue(&claims()).unwrap();
        (keys, token)
    }

    /// One edit to a token: replace, insert or delete a byte at a position.
    #[derive(Debug, Clone)]
    enum Edit {
        Replace(usize, char),
        Insert(usize, char),
        Delete(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let alphabet = prop_oneof![
            proptest::char::range('A', 'Z'),
            proptest::char::range('a', 'z'),
            proptest::char::range('0', '9'),
            Just('-'),
            Just('_'),
            Just('.'),
            Just('='),
            any::<char>(),
        ];
        prop_oneof![
            (any::<usize>(), alphabet.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
            (any::<usize>(), alphabet).prop_map(|(i, c)| Edit::Insert(i, c)),
            any::<usize>().prop_map(Edit::Delete),
        ]
    }

    fn apply(token: &str, edits: &[Edit]) -> String {
        let mut chars: Vec<char> = token.chars().collect();
        for edit in edits {
            match *edit {
                Edit::Replace(i, c) if !chars.is_empty() => {
                    let i = i % chars.len();
                    chars[i] = c;
                }
                Edit::Insert(i, c) => {
                    let i = i % (chars.len() + 1);
                    chars.insert(i, c);
                }
                Edit::Delete(i) if !chars.is_empty() => {
                    let i = i % chars.len();
                    chars.remove(i);
                }
                _ => {}
            }
        }
        chars.into_iter().collect()
    }

    proptest! {
        #[test]
        fn verify_is_total_on_arbitrary_strings(token in any::<String>(), now in any::<i64>()) {
            let (keys, _) = valid_token();
            let _ = keys.verify(&token, now);
        }

        #[test]
        fn verify_is_total_on_token_like_strings(
            token in "[A-Za-z0-9_=-]{0,40}(\\.[A-Za-z0-9_=-]{0,40}){0,3}",
        ) {
            let (keys, _) = valid_token();
            prop_assert!(keys.verify(&token, NOW).is_err());
        }

        #[test]
        fn mutated_tokens_never_yield_other_claims(
            edits in proptest::collection::vec(edit(), 1..4),
            now in prop_oneof![Just(NOW), any::<i64>()],
        ) {
            let (keys, token) = valid_token();
            let mutated = apply(&token, &edits);
            if let Ok(claims_out) = keys.verify(&mutated, now) {
                prop_assert_eq!(claims_out, claims());
                prop_assert_eq!(mutated, token);
            }
        }
    }
}
