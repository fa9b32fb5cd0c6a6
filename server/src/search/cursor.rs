//! Opaque, tamper-evident pagination cursors. A cursor carries where the previous
//! page stopped and a fingerprint of the query it belongs to, authenticated with
//! HMAC-SHA256 under a server secret: a modified cursor, or one from another query,
//! is refused (400) instead of silently paging something else.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Bytes of the truncated MAC: 128 bits.
const MAC_LEN: usize = 16;
const VERSION: u8 = 1;
/// version + fingerprint + tier + has_after + after + delivered
const PAYLOAD_LEN: usize = 1 + 16 + 1 + 1 + 4 + 4;

/// Where the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The relevance tier to continue in.
    pub tier: u8,
    /// The last id delivered in that tier (none: start of the tier).
    pub after: Option<u32>,
    /// Records delivered so far (for `max_records`).
    pub delivered: u32,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    #[error("the cursor is malformed or was modified")]
    Invalid,
    #[error("the cursor belongs to a different query")]
    OtherQuery,
}

/// Signs and checks cursors with one key.
#[derive(Clone)]
pub struct CursorCodec {
    key: Vec<u8>,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec(<redacted>)")
    }
}

impl CursorCodec {
    pub fn new(key: &[u8]) -> CursorCodec {
        CursorCodec { key: key.to_vec() }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length")
    }

    /// The cursor string for `position` within the query `fingerprint`.
    pub fn encode(&self, fingerprint: &[u8; 16], position: Position) -> String {
        let mut bytes = Vec::with_capacity(PAYLOAD_LEN + MAC_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(fingerprint);
        bytes.push(position.tier);
        bytes.push(u8::from(position.after.is_some()));
        bytes.extend_from_slice(&position.after.unwrap_or(0).to_be_bytes());
        bytes.extend_from_slice(&position.delivered.to_be_bytes());
        let mut mac = self.mac();
        mac.update(&bytes);
        let tag = mac.finalize().into_bytes();
        bytes.extend_from_slice(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The position in a cursor, if it is authentic and belongs to `fingerprint`.
    pub fn decode(&self, fingerprint: &[u8; 16], cursor: &str) -> Result<Position, CursorError> {
        if cursor.len() > 128 {
            return Err(CursorError::Invalid);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| CursorError::Invalid)?;
        if bytes.len() != PAYLOAD_LEN + MAC_LEN || bytes[0] != VERSION {
            return Err(CursorError::Invalid);
        }
        let (payload, tag) = bytes.split_at(PAYLOAD_LEN);
        let mut mac = self.mac();
        mac.update(payload);
        mac.verify_truncated_left(tag)
            .map_err(|_| CursorError::Invalid)?;
        if &payload[1..17] != fingerprint {
            return Err(CursorError::OtherQuery);
        }
        let after = u32::from_be_bytes(
            payload[19..23]
                .try_into()
                .map_err(|_| CursorError::Invalid)?,
        );
        let delivered = u32::from_be_bytes(
            payload[23..27]
                .try_into()
                .map_err(|_| CursorError::Invalid)?,
        );
        Ok(Position {
            tier: payload[17],
            after: match payload[18] {
                0 => None,
                1 => Some(after),
                _ => return Err(CursorError::Invalid),
            },
            delivered,
        })
    }
}

/// Cursors of plain lists (customers, ledgers): a list tag and a small payload,
/// authenticated with the same key. A cursor of one list is refused by another.
impl CursorCodec {
    /// A cursor carrying `payload` for the list named `list`.
    pub fn encode_list(&self, list: &str, payload: &str) -> String {
        let mut mac = self.mac();
        mac.update(list.as_bytes());
        mac.update(&[0]);
        mac.update(payload.as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut bytes = payload.as_bytes().to_vec();
        bytes.extend_from_slice(&tag[..MAC_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The payload of a cursor made by [`CursorCodec::encode_list`] for `list`.
    pub fn decode_list(&self, list: &str, cursor: &str) -> Result<String, CursorError> {
        if cursor.len() > 512 {
            return Err(CursorError::Invalid);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(cursor)
            .map_err(|_| CursorError::Invalid)?;
        if bytes.len() < MAC_LEN {
            return Err(CursorError::Invalid);
        }
        let (payload, tag) = bytes.split_at(bytes.len() - MAC_LEN);
        let mut mac = self.mac();
        mac.update(list.as_bytes());
        mac.update(&[0]);
        mac.update(payload);
        mac.verify_truncated_left(tag)
            .map_err(|_| CursorError::Invalid)?;
        String::from_utf8(payload.to_vec()).map_err(|_| CursorError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FP: [u8; 16] = [7; 16];

    #[test]
    fn list_cursors_round_trip_and_refuse_other_lists_and_edits() {
        let codec = CursorCodec::new(b"k");
        let c = codec.encode_list("customers", "1700000000:pc_x");
        assert_eq!(
            codec.decode_list("customers", &c).unwrap(),
            "1700000000:pc_x"
        );
        assert_eq!(codec.decode_list("ledger", &c), Err(CursorError::Invalid));
        assert_eq!(
            CursorCodec::new(b"other").decode_list("customers", &c),
            Err(CursorError::Invalid)
        );
        let mut edited = c.clone().into_bytes();
        edited[0] = if edited[0] == b'A' { b'B' } else { b'A' };
        assert!(codec
            .decode_list("customers", &String::from_utf8(edited).unwrap())
            .is_err());
        assert!(codec.decode_list("customers", "").is_err());
    }

    proptest! {
        #[test]
        fn list_cursors_never_panic(s in "\\PC{0,80}") {
            let _ = CursorCodec::new(b"k").decode_list("customers", &s);
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let codec = CursorCodec::new(b"secret");
        let p = Position {
            tier: 2,
            after: Some(41),
            delivered: 300,
        };
        let c = codec.encode(&FP, p);
        assert_eq!(codec.decode(&FP, &c), Ok(p));
        assert_eq!(codec.decode(&[8; 16], &c), Err(CursorError::OtherQuery));
        assert_eq!(
            CursorCodec::new(b"other").decode(&FP, &c),
            Err(CursorError::Invalid)
        );
        assert_eq!(codec.decode(&FP, ""), Err(CursorError::Invalid));
        assert_eq!(codec.decode(&FP, "not base64!"), Err(CursorError::Invalid));
        let start = Position {
            tier: 0,
            after: None,
            delivered: 0,
        };
        assert_eq!(codec.decode(&FP, &codec.encode(&FP, start)), Ok(start));
    }

    proptest! {
        #[test]
        fn any_string_is_refused_without_panicking(s in "\\PC{0,200}") {
            let codec = CursorCodec::new(b"secret");
            prop_assert!(codec.decode(&FP, &s).is_err());
        }

        #[test]
        fn flipping_any_bit_is_detected(tier in 0u8..6, after in proptest::option::of(any::<u32>()), delivered in any::<u32>(), byte in 0usize..43, bit in 0u8..8) {
            let codec = CursorCodec::new(b"secret");
            let c = codec.encode(&FP, Position { tier, after, delivered });
            let mut raw = URL_SAFE_NO_PAD.decode(&c).unwrap();
            raw[byte] ^= 1 << bit;
            prop_assert!(codec.decode(&FP, &URL_SAFE_NO_PAD.encode(raw)).is_err());
        }
    }
}
