//! Suppression lists (PRODUCT.md §7): the e-mails, company domains and person
//! ids a partner customer already has in its CRM, which "net-new only" hides.
//! This module reads a request's entries (JSON lists or a CSV upload) into
//! normalised values, dropping duplicates and naming each invalid entry by its
//! kind and position, so the store writes the valid ones in one go. Pure, so the
//! parsing is property-tested without a server.

use serde::{Deserialize, Serialize};

use crate::data::normalize;

/// Entries one request may carry.
pub const MAX_ENTRIES: usize = 10_000;

/// What an entry suppresses.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionKind {
    /// A person's business e-mail.
    Email,
    /// Everyone at a company domain.
    Domain,
    /// One person, by `person_id`.
    PersonId,
}

impl SuppressionKind {
    pub const ALL: [SuppressionKind; 3] = [
        SuppressionKind::Email,
        SuppressionKind::Domain,
        SuppressionKind::PersonId,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::Email => "email",
            SuppressionKind::Domain => "domain",
            SuppressionKind::PersonId => "person_id",
        }
    }

    pub fn parse(value: &str) -> Option<SuppressionKind> {
        SuppressionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
    }

    /// The JSON list this kind is sent in (`emails`, `domains`, `person_ids`).
    pub fn list_name(self) -> &'static str {
        match self {
            SuppressionKind::Email => "emails",
            SuppressionKind::Domain => "domains",
            SuppressionKind::PersonId => "person_ids",
        }
    }

    /// The normalised value of `raw`, or why it is refused.
    pub fn normalise(self, raw: &str) -> Result<String, &'static str> {
        match self {
            SuppressionKind::Email => normalize::email(raw),
            SuppressionKind::Domain => normalize::domain(raw),
            SuppressionKind::PersonId => {
                let id = raw.trim();
                if id.is_empty() || id.len() > 200 || id.chars().any(char::is_control) {
                    Err("not a person id")
                } else {
                    Ok(id.to_owned())
                }
            }
        }
    }
}

/// `POST`/`DELETE …/suppressions` as JSON.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressionLists {
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub person_ids: Vec<String>,
}

/// One entry that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InvalidEntry {
    /// `emails`, `domains` or `person_ids` (JSON), or `row` (CSV, 1-based data rows).
    pub list: String,
    /// Position in its list (from 0), or the CSV data row (from 1).
    pub index: usize,
    pub value: String,
    pub reason: String,
}

/// The entries of one request, normalised and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entries {
    pub valid: Vec<(SuppressionKind, String)>,
    /// Repeats within the request (after normalising).
    pub duplicates: usize,
    pub invalid: Vec<InvalidEntry>,
    /// What `valid` holds, for finding repeats at once.
    seen: std::collections::HashSet<(SuppressionKind, String)>,
}

impl Entries {
    fn push(&mut self, kind: SuppressionKind, raw: &str, list: &str, index: usize) {
        match kind.normalise(raw) {
            Ok(value) => {
                if self.seen.insert((kind, value.clone())) {
                    self.valid.push((kind, value));
                } else {
                    self.duplicates += 1;
                }
            }
            Err(reason) => self.invalid.push(InvalidEntry {
                list: list.to_owned(),
                index,
                value: raw.chars().take(200).collect(),
                reason: reason.to_owned(),
            }),
        }
    }

    fn total(&self) -> usize {
        self.valid.len() + self.duplicates + self.invalid.len()
    }
}

/// Why a request's entries cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("a request carries at most {MAX_ENTRIES} entries; this one has {0}")]
    TooMany(usize),
    #[error("the request has no entries")]
    Empty,
    #[error("the CSV cannot be read: {0}")]
    Csv(String),
}

/// The entries of a JSON request.
pub fn from_lists(lists: &SuppressionLists) -> Result<Entries, ReadError> {
    let n = lists.emails.len() + lists.domains.len() + lists.person_ids.len();
    if n > MAX_ENTRIES {
        return Err(ReadError::TooMany(n));
    }
    let mut entries = Entries::default();
    for (kind, list) in [
        (SuppressionKind::Email, &lists.emails),
        (SuppressionKind::Domain, &lists.domains),
        (SuppressionKind::PersonId, &lists.person_ids),
    ] {
        for (i, raw) in list.iter().enumerate() {
            entries.push(kind, raw, kind.list_name(), i);
        }
    }
    if entries.total() == 0 {
        return Err(ReadError::Empty);
    }
    Ok(entries)
}

/// The entries of a CSV upload: a header naming `email`, `domain` and/or
/// `person_id` columns (any order, others ignored; an empty cell is no entry),
/// or `kind,value` rows.
pub fn from_csv(bytes: &[u8]) -> Result<Entries, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ReadError::Csv(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let by_kind = column("kind").zip(column("value"));
    let columns: Vec<(SuppressionKind, usize)> = [
        (
            SuppressionKind::Email,
            column("email").or(column("business_email")),
        ),
        (
            SuppressionKind::Domain,
            column("domain").or(column("company_domain")),
        ),
        (SuppressionKind::PersonId, column("person_id")),
    ]
    .into_iter()
    .filter_map(|(k, c)| c.map(|c| (k, c)))
    .collect();
    if by_kind.is_none() && columns.is_empty() {
        return Err(ReadError::Csv(
            "the header names no email, domain or person_id column (or kind,value)".into(),
        ));
    }
    let mut entries = Entries::default();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Csv(e.to_string()))?;
        let row = row + 1;
        if let Some((k, v)) = by_kind {
            let (kind, value) = (record.get(k).unwrap_or(""), record.get(v).unwrap_or(""));
            if kind.is_empty() && value.is_empty() {
                continue;
            }
            match SuppressionKind::parse(&kind.to_ascii_lowercase()) {
                Some(kind) => entries.push(kind, value, "row", row),
                None => entries.invalid.push(InvalidEntry {
                    list: "row".into(),
                    index: row,
                    value: kind.chars().take(200).collect(),
                    reason: "kind is email, domain or person_id".into(),
                }),
            }
        }
        for &(kind, c) in &columns {
            if let Some(value) = record.get(c).filter(|v| !v.is_empty()) {
                entries.push(kind, value, "row", row);
            }
        }
        if entries.total() > MAX_ENTRIES {
            return Err(ReadError::TooMany(entries.total()));
        }
    }
    if entries.total() == 0 {
        return Err(ReadError::Empty);
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_lists_are_normalised_deduplicated_and_refusals_named() {
        let entries = from_lists(&SuppressionLists {
            emails: vec![
                "Jo@Acme.com".into(),
                "jo@acme.com ".into(),
                "not-an-email".into(),
            ],
            domains: vec!["https://www.Globex.io/about".into(), "globex.io".into()],
            person_ids: vec!["per_1".into(), " ".into()],
        })
        .unwrap();
        assert_eq!(
            entries.valid,
            [
                (SuppressionKind::Email, "jo@acme.com".to_owned()),
                (SuppressionKind::Domain, "globex.io".to_owned()),
                (SuppressionKind::PersonId, "per_1".to_owned()),
            ]
        );
        assert_eq!(entries.duplicates, 2);
        let invalid: Vec<(&str, usize)> = entries
            .invalid
            .iter()
            .map(|e| (e.list.as_str(), e.index))
            .collect();
        assert_eq!(invalid, [("emails", 2), ("person_ids", 1)]);
        assert_eq!(
            from_lists(&SuppressionLists::default()),
            Err(ReadError::Empty)
        );
        let many = SuppressionLists {
            emails: vec!["a@b.co".into(); MAX_ENTRIES + 1],
            ..Default::default()
        };
        assert_eq!(from_lists(&many), Err(ReadError::TooMany(MAX_ENTRIES + 1)));
    }

    #[test]
    fn csv_uploads_by_column_or_by_kind() {
        let entries =
            from_csv(b"\xef\xbb\xbfEmail,Name,Domain\nJo@Acme.com,Jo,\n,Ann,acme.io\nbad,Bo,\n")
                .unwrap();
        assert_eq!(
            entries.valid,
            [
                (SuppressionKind::Email, "jo@acme.com".to_owned()),
                (SuppressionKind::Domain, "acme.io".to_owned()),
            ]
        );
        assert_eq!(entries.invalid.len(), 1);
        assert_eq!(
            (entries.invalid[0].list.as_str(), entries.invalid[0].index),
            ("row", 3)
        );
        let entries = from_csv(b"kind,value\nemail,a@b.co\nperson_id,per_9\nphone,555\n").unwrap();
        assert_eq!(entries.valid.len(), 2);
        assert_eq!(
            entries.invalid[0].reason,
            "kind is email, domain or person_id"
        );
        assert!(matches!(from_csv(b"name\nJo\n"), Err(ReadError::Csv(_))));
        assert_eq!(from_csv(b"email\n"), Err(ReadError::Empty));
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_are_refused_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = from_csv(&bytes);
        }

        #[test]
        fn every_entry_is_counted_once(emails in proptest::collection::vec("[a-zA-Z@. ]{0,12}", 0..30)) {
            let lists = SuppressionLists { emails: emails.clone(), ..Default::default() };
            match from_lists(&lists) {
                Ok(e) => prop_assert_eq!(e.valid.len() + e.duplicates + e.invalid.len(), emails.len()),
                Err(ReadError::Empty) => prop_assert!(emails.is_empty()),
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }
}
