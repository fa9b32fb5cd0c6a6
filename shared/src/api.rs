//! Response bodies of the data API (`/v1/persons/*`, `/v1/companies/*`, `/v1/domains`),
//! with the field names of the reference API. Optional fields are omitted when the
//! record has no value, as partners expect.

use serde::{Deserialize, Serialize};

use crate::interpret::Interpretation;

/// A company as embedded in a person record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonCompany {
    pub company_id: String,
    pub name: String,
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue: Option<i64>,
    /// Industry key (TAXONOMY.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naics: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A full person record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub person_id: String,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_status: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub company: PersonCompany,
}

/// Page metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pagination {
    pub limit: u32,
    /// Exact number of matching records (before `max_records`).
    pub total_records: u64,
    /// Pages of `limit` needed for the deliverable records.
    pub total_pages: u64,
    /// Opaque; pass it back as `cursor` for the next page. Null on the last page.
    pub next_cursor: Option<String>,
    /// The total-delivery cap in force, when one is.
    pub max_records: Option<u32>,
}

impl Pagination {
    /// How many of the matches the search delivers: all of them, or the count
    /// asked for (`max_records`, "give me 10 …") when that is fewer.
    pub fn deliverable(&self) -> u64 {
        self.max_records
            .map_or(self.total_records, |m| self.total_records.min(u64::from(m)))
    }
}

/// One facet value and how many matching records have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetCount {
    pub key: String,
    pub label: String,
    pub count: u64,
}

/// Facet counts over the whole matching set, sent with the first page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facets {
    pub seniority: Vec<FacetCount>,
    pub department: Vec<FacetCount>,
    pub industry: Vec<FacetCount>,
    pub state: Vec<FacetCount>,
    pub employee_range: Vec<FacetCount>,
}

/// `GET /v1/persons/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonSearchResponse {
    pub interpretation: Interpretation,
    pub pagination: Pagination,
    /// On the first page only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    pub data: Vec<Person>,
    /// Records returned (and billed) in this response.
    pub billable_records: u64,
}

/// `GET /v1/persons/lookup`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonLookupResponse {
    pub data: Vec<Person>,
    pub billable_records: u64,
}
