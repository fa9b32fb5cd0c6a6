//! The demo CRM's end of a push, written the way a partner writes its own: check
//! the Standard Webhooks signature (https://www.standardwebhooks.com) on the raw
//! bytes before trusting anything in them, drop a `webhook-id` seen before (Quarry
//! delivers at least once), and upsert contacts by `person_id` so a record pushed
//! twice is one contact. It deliberately does not call the server's own signing
//! code: the demo shows, and its tests check, that an independent implementation of
//! the public scheme accepts what Quarry sends.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{KeyInit, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far `webhook-timestamp` may be from our clock, either way: replays of an
/// old message are refused after this.
pub const TOLERANCE_SECS: i64 = 5 * 60;
/// The largest body accepted (a full 1,000-record chunk is well below it).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The demo keeps this many contacts, deliveries and `webhook-id`s in memory; the
/// oldest go first. It is a demo, not a database.
const MAX_CONTACTS: usize = 50_000;
const MAX_DELIVERIES: usize = 500;
const MAX_SEEN_IDS: usize = 10_000;

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A `webhook-id`, `webhook-timestamp` or `webhook-signature` header is absent.
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not unix seconds.
    #[error("the webhook-timestamp header is not a unix timestamp")]
    BadTimestamp,
    /// The timestamp is more than [`TOLERANCE_SECS`] from now.
    #[error("the webhook timestamp is too old or too far in the future")]
    Stale,
    /// No `v1,` signature in the header matches the body.
    #[error("no webhook signature matches")]
    Mismatch,
    /// The body is larger than [`MAX_BODY_BYTES`].
    #[error("the body is larger than 8 MiB")]
    TooLarge,
    /// Our own secret is not a `whsec_` secret: a set-up problem, not the sender's.
    #[error("the receiver's webhook secret is malformed")]
    BadSecret,
}

/// Checks a Standard Webhooks message at `now` (unix seconds): the signed content
/// is `webhook-id.webhook-timestamp.body`, the key the base64-decoded part of
/// `whsec_…`, and any one `v1,<base64 HMAC-SHA256>` in the space-separated
/// `webhook-signature` list is enough (several are sent while a secret rotates).
/// Returns the `webhook-id`.
pub fn verify<'h>(
    secret: &str,
    headers: &'h HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<&'h str, VerifyError> {
    let header = |name: &'static str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(VerifyError::MissingHeader(name))
    };
    let id = header("webhook-id")?;
    let timestamp = header("webhook-timestamp")?;
    let signatures = header("webhook-signature")?;
    if body.len() > MAX_BODY_BYTES {
        return Err(VerifyError::TooLarge);
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| VerifyError::BadSecret)?;
    let sent_at: i64 = timestamp.parse().map_err(|_| VerifyError::BadTimestamp)?;
    if now.abs_diff(sent_at) > TOLERANCE_SECS.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&key).map_err(|_| VerifyError::BadSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    let matches = signatures
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        // Every candidate is compared (no early exit on the first match).
        .fold(subtle::Choice::from(0), |any, sent| {
            any | sent.as_slice().ct_eq(expected.as_slice())
        });
    if bool::from(matches) {
        Ok(id)
    } else {
        Err(VerifyError::Mismatch)
    }
}

/// A contact in the demo CRM: the full pushed record and when it last arrived.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub record: Value,
    /// RFC 3339.
    pub received_at: String,
    /// The `webhook-id` that brought this version.
    pub webhook_id: String,
    /// Always true: unverified pushes never get here. Shown on the page.
    pub verified: bool,
}

/// One accepted push request.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub webhook_id: String,
    pub delivery_id: Option<String>,
    pub chunk: Option<u64>,
    pub chunks: Option<u64>,
    pub records: usize,
    pub verified: bool,
    /// RFC 3339.
    pub received_at: String,
}

/// What [`Receiver::accept`] did with a verified message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Applied: this many records were in it.
    Applied(usize),
    /// Its `webhook-id` was applied before; acknowledged, not applied again.
    Duplicate,
}

/// Why a verified body cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is not JSON")]
    NotJson,
    #[error("the body has no `data` array of records")]
    NoRecords,
}

#[derive(Default)]
struct Inner {
    /// Person id → (order key, contact); the order key sorts newest first.
    contacts: HashMap<String, ((u64, usize), Contact)>,
    deliveries: VecDeque<Delivery>,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    next: u64,
}

/// The demo CRM's memory: contacts and the delivery log.
pub struct Receiver {
    secret: String,
    inner: Mutex<Inner>,
}

impl Receiver {
    /// A receiver checking messages with `webhook_secret` (`whsec_…`).
    pub fn new(webhook_secret: String) -> Receiver {
        Receiver {
            secret: webhook_secret,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The secret messages are checked with.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the maps half-updated in a way that
        // matters to a demo; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies a verified push body received at `now` (unix seconds): contacts
    /// upserted by `person_id` (or `prospect_id` when a record has none), one
    /// delivery log entry.
    pub fn accept(&self, webhook_id: &str, body: &[u8], now: i64) -> Result<Accepted, BodyError> {
        let body: Value = serde_json::from_slice(body).map_err(|_| BodyError::NotJson)?;
        let records = body
            .get("data")
            .and_then(Value::as_array)
            .ok_or(BodyError::NoRecords)?;
        let mut inner = self.lock();
        if inner.seen.contains(webhook_id) {
            return Ok(Accepted::Duplicate);
        }
        inner.seen.insert(webhook_id.to_owned());
        inner.seen_order.push_back(webhook_id.to_owned());
        if inner.seen_order.len() > MAX_SEEN_IDS {
            if let Some(old) = inner.seen_order.pop_front() {
                inner.seen.remove(&old);
            }
        }
        let received_at = crate::http::iso8601(now);
        let seq = inner.next;
        inner.next += 1;
        for (i, record) in records.iter().enumerate() {
            let key = ["person_id", "prospect_id"]
                .iter()
                .find_map(|field| record.get(field).and_then(Value::as_str));
            let Some(key) = key else { continue };
            let contact = Contact {
                record: record.clone(),
                received_at: received_at.clone(),
                webhook_id: webhook_id.to_owned(),
                verified: true,
            };
            inner.contacts.insert(key.to_owned(), ((seq, i), contact));
        }
        if inner.contacts.len() > MAX_CONTACTS {
            let mut order: Vec<_> = inner
                .contacts
                .iter()
                .map(|(id, (at, _))| (*at, id.clone()))
                .collect();
            order.sort();
            let excess = inner.contacts.len() - MAX_CONTACTS;
            for (_, id) in order.into_iter().take(excess) {
                inner.contacts.remove(&id);
            }
        }
        inner.deliveries.push_front(Delivery {
            webhook_id: webhook_id.to_owned(),
            delivery_id: body
                .get("delivery_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            chunk: body.get("chunk").and_then(Value::as_u64),
            chunks: body.get("chunks").and_then(Value::as_u64),
            records: records.len(),
            verified: true,
            received_at,
        });
        inner.deliveries.truncate(MAX_DELIVERIES);
        Ok(Accepted::Applied(records.len()))
    }

    /// The contacts, newest delivery first (records of one delivery in its order).
    pub fn contact_list(&self) -> Vec<Contact> {
        let inner = self.lock();
        let mut list: Vec<_> = inner.contacts.values().collect();
        list.sort_by_key(|((seq, i), _)| (std::cmp::Reverse(*seq), *i));
        list.into_iter().map(|(_, c)| c.clone()).collect()
    }

    /// The full records of [`Receiver::contact_list`], in its order.
    pub fn contacts(&self) -> Vec<Value> {
        self.contact_list().into_iter().map(|c| c.record).collect()
    }

    /// The delivery log, newest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    /// The Standard Webhooks specification's test vector.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    /// Another valid secret (base64 of 24 bytes), not the one that signed.
    const OTHER_SECRET: &str = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";

    fn headers(id: Option<&str>, timestamp: Option<&str>, signature: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("webhook-id", id),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", signature),
        ] {
            if let Some(v) = value {
                h.insert(name, HeaderValue::from_str(v).unwrap());
            }
        }
        h
    }

    fn vector(signature: &str) -> HeaderMap {
        headers(Some(ID), Some(&TIMESTAMP.to_string()), Some(signature))
    }

    /// Signs as a sender would, with this module's own HMAC (the vector checks it).
    fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn the_specification_test_vector_verifies() {
        assert_eq!(sign(SECRET, ID, TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(verify(SECRET, &vector(SIGNATURE), BODY, TIMESTAMP), Ok(ID));
        // The server signs the same way.
        assert_eq!(
            crate::delivery::signing::sign(SECRET, ID, TIMESTAMP, BODY).as_deref(),
            Some(SIGNATURE)
        );
    }

    #[test]
    fn a_wrong_secret_or_a_changed_message_does_not_verify() {
        let h = vector(SIGNATURE);
        assert_eq!(
            verify(OTHER_SECRET, &h, BODY, TIMESTAMP),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &h, br#"{"test": 2432232315}"#, TIMESTAMP),
            Err(VerifyError::Mismatch)
        );
        let other_id = headers(
            Some("msg_other"),
            Some(&TIMESTAMP.to_string()),
            Some(SIGNATURE),
        );
        assert_eq!(
            verify(SECRET, &other_id, BODY, TIMESTAMP),
            Err(VerifyError::Mismatch)
        );
        // The timestamp is signed: moving it (within the tolerance) breaks it.
        let moved = headers(
            Some(ID),
            Some(&(TIMESTAMP + 1).to_string()),
            Some(SIGNATURE),
        );
        assert_eq!(
            verify(SECRET, &moved, BODY, TIMESTAMP),
            Err(VerifyError::Mismatch)
        );
        // Other versions, bad base64, a truncated MAC and a bare MAC never match.
        for bad in [
            "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1,%%%",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O==",
            "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "v1,",
        ] {
            assert_eq!(
                verify(SECRET, &vector(bad), BODY, TIMESTAMP),
                Err(VerifyError::Mismatch),
                "{bad}"
            );
        }
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let tolerance = TOLERANCE_SECS;
        for now in [TIMESTAMP - tolerance, TIMESTAMP + tolerance] {
            assert_eq!(verify(SECRET, &vector(SIGNATURE), BODY, now), Ok(ID));
        }
        for now in [
            TIMESTAMP + tolerance + 1,
            TIMESTAMP - tolerance - 1,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(
                verify(SECRET, &vector(SIGNATURE), BODY, now),
                Err(VerifyError::Stale),
                "{now}"
            );
        }
        for bad in ["soon", "1614265330.5", ""] {
            let h = headers(Some(ID), Some(bad), Some(SIGNATURE));
            let want = if bad.is_empty() {
                VerifyError::MissingHeader("webhook-timestamp")
            } else {
                VerifyError::BadTimestamp
            };
            assert_eq!(verify(SECRET, &h, BODY, TIMESTAMP), Err(want), "{bad:?}");
        }
    }

    #[test]
    fn missing_headers_are_named() {
        let ts = TIMESTAMP.to_string();
        for (h, name) in [
            (headers(None, Some(&ts), Some(SIGNATURE)), "webhook-id"),
            (
                headers(Some(ID), None, Some(SIGNATURE)),
                "webhook-timestamp",
            ),
            (headers(Some(ID), Some(&ts), None), "webhook-signature"),
            (
                headers(Some(ID), Some(&ts), Some("  ")),
                "webhook-signature",
            ),
        ] {
            assert_eq!(
                verify(SECRET, &h, BODY, TIMESTAMP),
                Err(VerifyError::MissingHeader(name))
            );
        }
    }

    #[test]
    fn any_one_of_several_signatures_is_enough() {
        let other = sign(OTHER_SECRET, ID, TIMESTAMP, BODY);
        for header in [
            format!("{other} {SIGNATURE}"),
            format!("{SIGNATURE} {other}"),
            format!("v1a,c29tZXRoaW5n  {SIGNATURE}"),
        ] {
            assert_eq!(
                verify(SECRET, &vector(&header), BODY, TIMESTAMP),
                Ok(ID),
                "{header}"
            );
        }
        // While a secret rotates, the receiver holding either secret accepts.
        let both = format!("{other} {SIGNATURE}");
        assert_eq!(
            verify(OTHER_SECRET, &vector(&both), BODY, TIMESTAMP),
            Ok(ID)
        );
        let neither = format!("{other} {other}");
        assert_eq!(
            verify(SECRET, &vector(&neither), BODY, TIMESTAMP),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn oversized_bodies_and_bad_secrets_are_refused() {
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            verify(SECRET, &vector(SIGNATURE), &big, TIMESTAMP),
            Err(VerifyError::TooLarge)
        );
        assert_eq!(
            verify("whsec_%%%", &vector(SIGNATURE), BODY, TIMESTAMP),
            Err(VerifyError::BadSecret)
        );
        // The prefix is optional, as in the Standard Webhooks libraries.
        assert_eq!(
            verify(
                &SECRET["whsec_".len()..],
                &vector(SIGNATURE),
                BODY,
                TIMESTAMP
            ),
            Ok(ID)
        );
    }

    fn push(delivery: &str, chunk: u64, people: &[(&str, &str)]) -> Vec<u8> {
        json!({
            "event": "prospecting.records.pushed",
            "delivery_id": delivery,
            "chunk": chunk,
            "chunks": 2,
            "data": people.iter().map(|(id, first)| json!({
                "person_id": id,
                "prospect_id": format!("p-{id}"),
                "first_name": first,
            })).collect::<Vec<_>>(),
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn contacts_are_upserted_by_person_and_deliveries_logged_once() {
        let r = Receiver::new(SECRET.into());
        let first = push("dlv_1", 1, &[("per_a", "Ann"), ("per_b", "Bo")]);
        assert_eq!(r.accept("msg_1", &first, 100), Ok(Accepted::Applied(2)));
        // A retry of the same message is acknowledged but changes nothing.
        assert_eq!(r.accept("msg_1", &first, 101), Ok(Accepted::Duplicate));
        assert_eq!(r.deliveries().len(), 1);

        // Bo again (updated) and someone new, in a later message.
        let second = push("dlv_1", 2, &[("per_b", "Bob"), ("per_c", "Cy")]);
        assert_eq!(r.accept("msg_2", &second, 200), Ok(Accepted::Applied(2)));
        let names: Vec<_> = r
            .contacts()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["Bob", "Cy", "Ann"]);
        let listed = r.contact_list();
        assert_eq!(listed[0].webhook_id, "msg_2");
        assert_eq!(listed[0].received_at, crate::http::iso8601(200));
        assert!(listed.iter().all(|c| c.verified));

        let log = r.deliveries();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].webhook_id, "msg_2");
        assert_eq!(log[0].delivery_id.as_deref(), Some("dlv_1"));
        assert_eq!((log[0].chunk, log[0].chunks), (Some(2), Some(2)));
        assert_eq!(log[0].records, 2);
        assert_eq!(log[1].webhook_id, "msg_1");
        assert_eq!(log[1].received_at, crate::http::iso8601(100));
    }

    #[test]
    fn bodies_that_are_not_pushes_are_refused_without_a_trace() {
        let r = Receiver::new(SECRET.into());
        assert_eq!(r.accept("msg_1", b"not json", 1), Err(BodyError::NotJson));
        assert_eq!(
            r.accept("msg_2", br#"{"records": []}"#, 1),
            Err(BodyError::NoRecords)
        );
        assert!(r.deliveries().is_empty() && r.contacts().is_empty());
        // A refused id is not remembered: the fixed message is applied.
        assert_eq!(
            r.accept("msg_1", &push("dlv", 1, &[("per_a", "Ann")]), 1),
            Ok(Accepted::Applied(1))
        );
    }
}
