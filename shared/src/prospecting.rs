//! Bodies of the prospecting routes the iframe calls with its embed token
//! (`/v1/prospecting/sessions…`): the request, the applied refinement filters and
//! the masked previews. Shared so the widget decodes exactly what the server sends.

use serde::{Deserialize, Serialize};

use crate::api::{Facets, Pagination};
use crate::interpret::Interpretation;

/// Whether the customer owns a record (and sees it in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevealState {
    /// Masked: bought records only are shown in full.
    Preview,
    /// Owned by this customer: shown in full.
    Purchased,
}

/// Refinements on top of the search text; explicit values override the text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AppliedFilters {
    /// Seniority keys (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seniority: Option<Vec<String>>,
    /// Department keys (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Vec<String>>,
    /// Industry keys (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<Vec<String>>,
    /// Company state, code or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_state: Option<String>,
    /// Company city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_count_min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_count_max: Option<u32>,
    /// Email statuses (`verified`, `unverified`, `catch_all`, `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_status: Option<Vec<String>>,
    /// Only people with (true) or without (false) a mobile phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_phone: Option<bool>,
    /// Hide records this customer already owns.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub net_new_only: bool,
}

/// `POST /v1/prospecting/sessions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// Plain-language search.
    pub q: String,
    #[serde(default)]
    pub filters: Option<AppliedFilters>,
    /// Page size, 1–100 (default 25).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The company part of a preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewCompany {
    pub name: String,
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// One search result as the iframe shows it: masked unless the customer owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProspectPreview {
    /// Stable within Quarry; what selections name.
    pub prospect_id: String,
    pub first_name: String,
    /// The initial only (`D.`) unless purchased.
    pub last_name: String,
    pub job_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub company: PreviewCompany,
    pub has_email: bool,
    pub has_phone: bool,
    pub has_linkedin: bool,
    /// `j•••@example.com` unless purchased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Only when purchased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// Only when purchased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    pub reveal_state: RevealState,
}

/// A page of a prospecting session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionPage {
    pub search_id: String,
    pub interpretation: Interpretation,
    pub applied_filters: AppliedFilters,
    pub pagination: Pagination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    pub data: Vec<ProspectPreview>,
}

/// Which records a quote, push or export is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SelectionMode {
    /// The `prospect_ids` the user ticked.
    Selected,
    /// The `prospect_ids` of the page on screen.
    Page,
    /// Everything the session matches with `applied_filters` (capped).
    AllResults,
}

/// The selection body of quote, push and export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub selection_mode: SelectionMode,
    /// For `selected` and `page`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prospect_ids: Option<Vec<String>>,
    /// For `all_results` (absent: the session's own filters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_filters: Option<AppliedFilters>,
}

/// What buying a selection would cost; changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    pub records: u64,
    pub net_new_billable_records: u64,
    pub already_purchased_records: u64,
    pub credit_units: i64,
    /// `null` for a metered wallet without grants (no finite balance).
    pub available_credit_units: Option<i64>,
    pub allowed: bool,
    pub block_reason: Option<String>,
}

/// The answer to `POST /v1/prospecting/sessions/{search_id}/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    /// Whether the partner accepted every chunk (2xx) in this request.
    pub delivered: bool,
    /// The partner's last HTTP status, if it answered.
    pub delivery_status: Option<u16>,
    /// Follow it in `GET /v1/deliveries`; retries keep its `webhook-id`s.
    pub delivery_id: String,
    pub search_id: String,
    pub partner_customer_id: String,
    /// The selection as pushed: mode, ids, filters and record count.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub selection: serde_json::Value,
    pub pushed_records: usize,
    pub net_new_billable_records: usize,
    pub already_purchased_records: usize,
}

/// What an export's headers say about it (`x-exported-records`,
/// `x-net-new-billable-records`, `x-already-purchased-records`,
/// `content-disposition`), as the widget reports it to the partner page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportResult {
    pub search_id: String,
    pub filename: String,
    pub exported_records: u64,
    pub net_new_billable_records: u64,
    pub already_purchased_records: u64,
}
