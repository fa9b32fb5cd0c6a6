//! The name an export downloads as: `quarry-<query words>-<date>.csv`, which a
//! person can find again in a downloads folder ("quarry-cmos-saas-nevada-2026-12-01.csv"),
//! rather than an opaque session id. Only lowercase ASCII letters, digits and
//! dashes, so it is safe in a `content-disposition` header on every platform.

/// Longest run of query words kept in the name.
const MAX_WORDS_CHARS: usize = 60;

/// The file name of an export of the search `q` made at `now` (Unix seconds, UTC).
pub fn export_file_name(q: &str, now: i64) -> String {
    let mut words = String::new();
    for word in q
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if words.len() + word.len() + 1 > MAX_WORDS_CHARS {
            break;
        }
        if !words.is_empty() {
            words.push('-');
        }
        words.push_str(&word.to_ascii_lowercase());
    }
    if words.is_empty() {
        words.push_str("search");
    }
    let date = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    format!(
        "quarry-{words}-{:04}-{:02}-{:02}.csv",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DEC_1_2026: i64 = 1_796_083_200;

    #[test]
    fn names_read_like_the_search() {
        assert_eq!(
            export_file_name("CMOs of SaaS companies in Nevada", DEC_1_2026),
            "quarry-cmos-of-saas-companies-in-nevada-2026-12-01.csv"
        );
        assert_eq!(
            export_file_name(
                "VP Sales / Head of Growth, 50+ employees!",
                DEC_1_2026 + 86_399
            ),
            "quarry-vp-sales-head-of-growth-50-employees-2026-12-01.csv"
        );
        assert_eq!(
            export_file_name("  🚀 ", DEC_1_2026),
            "quarry-search-2026-12-01.csv"
        );
        let long = export_file_name(&"marketing ".repeat(50), DEC_1_2026);
        assert!(
            long.len() <= "quarry--2026-12-01.csv".len() + MAX_WORDS_CHARS,
            "{long}"
        );
        assert!(!long.contains("--"));
    }

    proptest! {
        #[test]
        fn every_name_is_header_safe(q in "\\PC{0,200}") {
            let name = export_file_name(&q, DEC_1_2026);
            prop_assert!(name.starts_with("quarry-") && name.ends_with("-2026-12-01.csv"));
            prop_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'));
            prop_assert!(!name.contains("--"));
        }
    }
}
