//! The CSV format `quarry import` reads and `quarry export-csv` writes: the columns
//! of `companies.csv` and `people.csv`, and the conversion between a CSV row and a
//! validated [`Company`] / [`Person`]. Keeping both directions here is what makes the
//! export → import round trip exact.

use std::collections::HashMap;

use quarry_shared::taxonomy::{self, EmailStatus};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::normalize::{self, LinkedinKind};
use crate::records::{Company, Person};

/// One column of a CSV file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    /// What the README says about the column.
    pub doc: &'static str,
}

const fn col(name: &'static str, required: bool, doc: &'static str) -> Column {
    Column {
        name,
        required,
        doc,
    }
}

/// `companies.csv`, in export order.
pub static COMPANY_COLUMNS: &[Column] = &[
    col(
        "company_id",
        true,
        "your stable id; re-importing it updates the row",
    ),
    col("name", true, "company name"),
    col(
        "domain",
        true,
        "normalised to lowercase, no scheme, no www., no path",
    ),
    col("website", false, "URL; stored as https://<domain>"),
    col("phone", false, "normalised to E.164"),
    col(
        "linkedin_url",
        false,
        "https://www.linkedin.com/company/<slug>",
    ),
    col("revenue", false, "annual revenue in USD, whole number"),
    col("employee_count", false, "whole number"),
    col(
        "industry",
        false,
        "an industry key of TAXONOMY.md (software, law_firm, …)",
    ),
    col("sic", false, "4-digit SIC code"),
    col("naics", false, "2- to 6-digit NAICS code"),
    col("city", false, "city name"),
    col("state", false, "US state code or name; stored as the code"),
    col("country", false, "ISO 3166 alpha-2 code, default US"),
    col("keywords", false, "';'-separated"),
];

/// `people.csv`, in export order.
pub static PERSON_COLUMNS: &[Column] = &[
    col(
        "person_id",
        true,
        "your stable id; re-importing it updates the row",
    ),
    col(
        "company_id",
        true,
        "a company_id from companies.csv or already imported",
    ),
    col("first_name", true, ""),
    col("last_name", true, ""),
    col("job_title", true, ""),
    col(
        "seniority",
        false,
        "a seniority key of TAXONOMY.md (vp, director, …)",
    ),
    col(
        "department",
        false,
        "a department key of TAXONOMY.md (sales, marketing, …)",
    ),
    col("business_email", false, "lowercased"),
    col(
        "email_status",
        false,
        "verified, unverified, catch_all or invalid",
    ),
    col(
        "email_verified_at",
        false,
        "RFC 3339 timestamp or YYYY-MM-DD (UTC)",
    ),
    col("mobile_phone", false, "normalised to E.164"),
    col("linkedin_url", false, "https://www.linkedin.com/in/<slug>"),
    col("city", false, "city name"),
    col("state", false, "US state code or name; stored as the code"),
];

/// A problem with one field (or, with `column: None`, the whole row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub column: Option<&'static str>,
    pub reason: String,
}

impl FieldError {
    fn new(column: &'static str, reason: impl Into<String>) -> FieldError {
        FieldError {
            column: Some(column),
            reason: reason.into(),
        }
    }
}

/// Where each known column sits in a file's header.
#[derive(Debug, Clone)]
pub struct Header {
    positions: HashMap<&'static str, usize>,
    pub width: usize,
}

impl Header {
    /// The known column at field position `i`.
    pub fn name_at(&self, i: usize) -> Option<&'static str> {
        self.positions
            .iter()
            .find(|(_, &p)| p == i)
            .map(|(name, _)| *name)
    }

    /// Checks a header row: every name known, none repeated, every required one
    /// present. Returns every problem at once.
    pub fn parse(columns: &'static [Column], names: &[&str]) -> Result<Header, Vec<FieldError>> {
        let mut positions = HashMap::new();
        let mut errors = Vec::new();
        for (i, raw) in names.iter().enumerate() {
            let name = raw.trim().trim_start_matches('\u{feff}');
            match columns.iter().find(|c| c.name == name) {
                Some(c) if positions.insert(c.name, i).is_some() => {
                    errors.push(FieldError::new(c.name, "column appears twice"))
                }
                Some(_) => {}
                None => errors.push(FieldError {
                    column: None,
                    reason: format!(
                        "unknown column {name:?} (expected: {})",
                        columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
        for c in columns.iter().filter(|c| c.required) {
            if !positions.contains_key(c.name) {
                errors.push(FieldError::new(c.name, "required column is missing"));
            }
        }
        if errors.is_empty() {
            Ok(Header {
                positions,
                width: names.len(),
            })
        } else {
            Err(errors)
        }
    }
}

/// Reads the fields of one row by column name, collecting every error.
struct Row<'a> {
    header: &'a Header,
    fields: &'a [&'a str],
    errors: Vec<FieldError>,
}

impl<'a> Row<'a> {
    fn raw(&self, column: &'static str) -> &'a str {
        self.header
            .positions
            .get(column)
            .and_then(|&i| self.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn text(&mut self, column: &'static str) -> Option<String> {
        let value = self.raw(column);
        if value.is_empty() {
            return None;
        }
        if value.chars().count() > 300 {
            self.errors
                .push(FieldError::new(column, "longer than 300 characters"));
            return None;
        }
        if value.chars().any(|c| c.is_control()) {
            self.errors
                .push(FieldError::new(column, "contains control characters"));
            return None;
        }
        Some(value.to_owned())
    }

    fn required(&mut self, column: &'static str) -> String {
        match self.text(column) {
            Some(v) => v,
            None => {
                if self.raw(column).is_empty() {
                    self.errors.push(FieldError::new(column, "is required"));
                }
                String::new()
            }
        }
    }

    fn id(&mut self, column: &'static str) -> String {
        let value = self.required(column);
        if !value.is_empty()
            && (value.len() > 64
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)))
        {
            self.errors.push(FieldError::new(
                column,
                format!("{value:?} is not a valid id (up to 64 of A-Z a-z 0-9 - _ . :)"),
            ));
        }
        value
    }

    fn normalised(
        &mut self,
        column: &'static str,
        f: impl Fn(&str) -> Result<String, normalize::Reason>,
    ) -> Option<String> {
        let value = self.raw(column);
        if value.is_empty() {
            return None;
        }
        match f(value) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.errors
                    .push(FieldError::new(column, format!("{reason} ({value:?})")));
                None
            }
        }
    }

    fn count(&mut self, column: &'static str) -> Option<i64> {
        let value = self.raw(column);
        if value.is_empty() {
            return None;
        }
        match value.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                self.errors.push(FieldError::new(
                    column,
                    format!("expected a whole number ≥ 0, got {value:?}"),
                ));
                None
            }
        }
    }

    fn key(
        &mut self,
        column: &'static str,
        known: impl Fn(&str) -> bool,
        what: &str,
    ) -> Option<String> {
        let value = self.raw(column).to_ascii_lowercase();
        if value.is_empty() {
            return None;
        }
        if known(&value) {
            Some(value)
        } else {
            self.errors.push(FieldError::new(
                column,
                format!("{value:?} is not a known {what} key"),
            ));
            None
        }
    }

    fn digits(
        &mut self,
        column: &'static str,
        lengths: std::ops::RangeInclusive<usize>,
    ) -> Option<String> {
        let value = self.raw(column);
        if value.is_empty() {
            return None;
        }
        if lengths.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
            Some(value.to_owned())
        } else {
            self.errors.push(FieldError::new(
                column,
                format!("expected {lengths:?} digits, got {value:?}"),
            ));
            None
        }
    }

    fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }
}

/// Parses and normalises one `companies.csv` row.
pub fn parse_company(header: &Header, fields: &[&str]) -> Result<Company, Vec<FieldError>> {
    let mut row = Row {
        header,
        fields,
        errors: Vec::new(),
    };
    let company_id = row.id("company_id");
    let name = row.required("name");
    let domain = row.normalised("domain", normalize::domain);
    if domain.is_none() && row.raw("domain").is_empty() {
        row.errors.push(FieldError::new("domain", "is required"));
    }
    let country = match row.raw("country") {
        "" => "US".to_owned(),
        c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => c.to_ascii_uppercase(),
        c => {
            row.errors.push(FieldError::new(
                "country",
                format!("expected a 2-letter country code, got {c:?}"),
            ));
            String::new()
        }
    };
    let company = Company {
        company_id,
        name,
        domain: domain.unwrap_or_default(),
        website: row.normalised("website", normalize::website),
        phone: row.normalised("phone", normalize::phone),
        linkedin_url: row.normalised("linkedin_url", |s| {
            normalize::linkedin_url(s, LinkedinKind::Company)
        }),
        revenue: row.count("revenue"),
        employee_count: row.count("employee_count"),
        industry: row.key("industry", |k| taxonomy::industry(k).is_some(), "industry"),
        sic: row.digits("sic", 4..=4),
        naics: row.digits("naics", 2..=6),
        city: row.text("city"),
        state: row.normalised("state", normalize::state),
        country,
        keywords: keywords(row.raw("keywords")),
    };
    row.finish(company)
}

/// Parses and normalises one `people.csv` row.
pub fn parse_person(header: &Header, fields: &[&str]) -> Result<Person, Vec<FieldError>> {
    let mut row = Row {
        header,
        fields,
        errors: Vec::new(),
    };
    let email_status = row.raw("email_status").to_ascii_lowercase();
    let email_status = if email_status.is_empty() {
        None
    } else if EmailStatus::parse(&email_status).is_some() {
        Some(email_status)
    } else {
        row.errors.push(FieldError::new(
            "email_status",
            format!("{email_status:?} is not one of verified, unverified, catch_all, invalid"),
        ));
        None
    };
    let verified_raw = row.raw("email_verified_at");
    let email_verified_at = if verified_raw.is_empty() {
        None
    } else {
        match parse_timestamp(verified_raw) {
            Some(t) => Some(t),
            None => {
                row.errors.push(FieldError::new(
                    "email_verified_at",
                    format!("expected an RFC 3339 timestamp or YYYY-MM-DD, got {verified_raw:?}"),
                ));
                None
            }
        }
    };
    let person = Person {
        person_id: row.id("person_id"),
        company_id: row.id("company_id"),
        first_name: row.required("first_name"),
        last_name: row.required("last_name"),
        job_title: row.required("job_title"),
        seniority: row.key(
            "seniority",
            |k| taxonomy::seniority(k).is_some(),
            "seniority",
        ),
        department: row.key(
            "department",
            |k| taxonomy::department(k).is_some(),
            "department",
        ),
        business_email: row.normalised("business_email", normalize::email),
        email_status,
        email_verified_at,
        mobile_phone: row.normalised("mobile_phone", normalize::phone),
        linkedin_url: row.normalised("linkedin_url", |s| {
            normalize::linkedin_url(s, LinkedinKind::Person)
        }),
        city: row.text("city"),
        state: row.normalised("state", normalize::state),
    };
    row.finish(person)
}

/// `" SaaS; b2b ;;saas"` → `"saas;b2b"`: trimmed, lowercased, deduplicated, in order.
fn keywords(raw: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    for k in raw.split(';') {
        let k = k.trim().to_lowercase();
        if !k.is_empty() && !seen.contains(&k) {
            seen.push(k);
        }
    }
    seen.join(";")
}

fn parse_timestamp(raw: &str) -> Option<i64> {
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp())
}

/// Unix seconds → RFC 3339 (`2026-05-01T00:00:00Z`).
pub fn format_timestamp(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn num(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// A company as a `companies.csv` row, in [`COMPANY_COLUMNS`] order.
pub fn company_row(c: &Company) -> Vec<String> {
    vec![
        c.company_id.clone(),
        c.name.clone(),
        c.domain.clone(),
        opt(&c.website),
        opt(&c.phone),
        opt(&c.linkedin_url),
        num(c.revenue),
        num(c.employee_count),
        opt(&c.industry),
        opt(&c.sic),
        opt(&c.naics),
        opt(&c.city),
        opt(&c.state),
        c.country.clone(),
        c.keywords.clone(),
    ]
}

/// A person as a `people.csv` row, in [`PERSON_COLUMNS`] order.
pub fn person_row(p: &Person) -> Vec<String> {
    vec![
        p.person_id.clone(),
        p.company_id.clone(),
        p.first_name.clone(),
        p.last_name.clone(),
        p.job_title.clone(),
        opt(&p.seniority),
        opt(&p.department),
        opt(&p.business_email),
        opt(&p.email_status),
        p.email_verified_at
            .map(format_timestamp)
            .unwrap_or_default(),
        opt(&p.mobile_phone),
        opt(&p.linkedin_url),
        opt(&p.city),
        opt(&p.state),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(columns: &'static [Column]) -> Header {
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        Header::parse(columns, &names).unwrap()
    }

    #[test]
    fn header_problems_are_all_reported() {
        let errors =
            Header::parse(COMPANY_COLUMNS, &["company_id", "nme", "company_id"]).unwrap_err();
        let text: Vec<String> = errors
            .iter()
            .map(|e| format!("{:?}: {}", e.column, e.reason))
            .collect();
        assert!(
            text.iter().any(|t| t.contains("unknown column \"nme\"")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains("appears twice")), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.starts_with("Some(\"name\")") && t.contains("missing")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.starts_with("Some(\"domain\")")),
            "{text:?}"
        );
    }

    #[test]
    fn a_company_row_is_normalised() {
        let h = header(COMPANY_COLUMNS);
        let row = [
            "c1",
            " Acme ",
            "https://www.Acme.com/x",
            "acme.com",
            "(702) 555-0100",
            "linkedin.com/company/acme",
            "1000000",
            "12",
            "Software",
            "7372",
            "511210",
            "Las Vegas",
            "nevada",
            "",
            "SaaS; b2b;saas",
        ];
        let c = parse_company(&h, &row).unwrap();
        assert_eq!(c.name, "Acme");
        assert_eq!(c.domain, "acme.com");
        assert_eq!(c.website.as_deref(), Some("https://acme.com"));
        assert_eq!(c.phone.as_deref(), Some("+17025550100"));
        assert_eq!(c.industry.as_deref(), Some("software"));
        assert_eq!(c.state.as_deref(), Some("NV"));
        assert_eq!(c.country, "US");
        assert_eq!(c.keywords, "saas;b2b");
        assert_eq!(
            parse_company(
                &h,
                &company_row(&c)
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            ),
            Ok(c)
        );
    }

    #[test]
    fn every_bad_field_of_a_row_is_reported() {
        let h = header(PERSON_COLUMNS);
        let row = [
            "p 1",
            "c1",
            "",
            "Doe",
            "CTO",
            "boss",
            "",
            "jane@",
            "maybe",
            "yesterday",
            "12",
            "https://x.com/in/j",
            "",
            "Atlantis",
        ];
        let errors = parse_person(&h, &row).unwrap_err();
        let columns: Vec<_> = errors.iter().filter_map(|e| e.column).collect();
        assert_eq!(
            columns,
            [
                "email_status",
                "email_verified_at",
                "person_id",
                "first_name",
                "seniority",
                "business_email",
                "mobile_phone",
                "linkedin_url",
                "state"
            ]
        );
    }

    #[test]
    fn timestamps_accept_dates_and_rfc3339() {
        assert_eq!(parse_timestamp("2026-05-01"), Some(1_777_593_600));
        assert_eq!(parse_timestamp("2026-05-01T00:00:00Z"), Some(1_777_593_600));
        assert_eq!(
            parse_timestamp("2026-05-01T02:00:00+02:00"),
            Some(1_777_593_600)
        );
        assert_eq!(format_timestamp(1_777_593_600), "2026-05-01T00:00:00Z");
        assert_eq!(parse_timestamp("May 1"), None);
    }
}
