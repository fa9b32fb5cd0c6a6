//! Prospect ids: what previews and selections call a person (`pr_<n>`, the search
//! index's dense id). Parsing is strict, so a selection naming anything else is
//! refused with the offending ids named.

/// The prospect id of index id `id`.
pub fn encode(id: u32) -> String {
    format!("pr_{id}")
}

/// The index id of a prospect id, if it is one.
pub fn decode(value: &str) -> Option<u32> {
    let digits = value.strip_prefix("pr_")?;
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_round_trip_and_foreign_shapes_are_refused() {
        for id in [0, 1, 42, u32::MAX] {
            assert_eq!(decode(&encode(id)), Some(id));
        }
        for bad in [
            "",
            "pr_",
            "pr_-1",
            "pr_01",
            "pr_4294967296",
            "person_1",
            "pr_1a",
            " pr_1",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn decoding_never_panics_and_only_accepts_canonical_ids(s in "\\PC{0,20}") {
            if let Some(id) = decode(&s) {
                prop_assert_eq!(encode(id), s);
            }
        }
    }
}
