//! `/v1/persons/*`: natural-language search, the search taxonomy, and exact lookup.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use quarry_shared::api::{Person, PersonLookupResponse, PersonSearchResponse};
use quarry_shared::taxonomy::{self, EmailStatus};
use quarry_shared::{ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::Query;
use super::AppState;
use crate::data::normalize::{self, LinkedinKind};
use crate::datasets::DataSet;
use crate::partners::keys::Scope;
use crate::search::people::{self, ExcludeOverrides, PeopleQuery, MAX_LIMIT};
use crate::store::{now_unix, Lookup, PersonRow};

/// Query parameters of `GET /v1/persons/search`, and the JSON body of `POST
/// /v1/persons/search/jobs` (the same fields, lists as arrays).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Plain-language search, e.g. `CMOs of SaaS companies with 50+ employees`.
    pub q: Option<String>,
    /// Company city; overrides places in `q`. Known cities infer their state.
    pub location_city: Option<String>,
    /// Company states, codes or names (repeat the parameter or separate with
    /// commas; any of them); override places in `q`.
    #[serde(default)]
    pub location_state: Vec<String>,
    /// Page size, 1–100 (default 100).
    #[param(minimum = 1, maximum = 100)]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Total cap across pages; overrides a count in `q`.
    #[param(minimum = 1)]
    #[schema(minimum = 1)]
    pub max_records: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Records delivered under this token are not delivered again for the same criteria.
    pub dedupe_token: Option<String>,
    /// Scopes `dedupe_token` to one of your end users.
    pub dedupe_user_id: Option<String>,
    /// Role keys (repeat the parameter or separate with commas); narrow what `q`
    /// asks, replacing only its roles.
    #[serde(default)]
    pub role: Vec<String>,
    /// Seniority keys; narrow what `q` asks, replacing only its seniorities.
    #[serde(default)]
    pub seniority: Vec<String>,
    /// Department keys; narrow what `q` asks, replacing only its departments.
    #[serde(default)]
    pub department: Vec<String>,
    /// Industry keys; replace industries in `q`.
    #[serde(default)]
    pub industry: Vec<String>,
    /// Email statuses (`verified`, `unverified`, `catch_all`, `invalid`).
    #[serde(default)]
    pub email_status: Vec<String>,
    /// Only people with (`true`) or without (`false`) a mobile phone.
    pub has_phone: Option<bool>,
    /// Minimum company size (inclusive); overrides `q`.
    pub employee_count_min: Option<u32>,
    /// Maximum company size (inclusive); overrides `q`.
    pub employee_count_max: Option<u32>,
    /// Role keys to leave out; replace the text's excluded roles ("not CEOs").
    #[serde(default)]
    pub exclude_role: Vec<String>,
    /// Seniority keys to leave out; replace the text's.
    #[serde(default)]
    pub exclude_seniority: Vec<String>,
    /// Department keys to leave out ("except sales"); replace the text's.
    #[serde(default)]
    pub exclude_department: Vec<String>,
    /// Industry keys to leave out ("excluding marketing agencies"); replace the text's.
    #[serde(default)]
    pub exclude_industry: Vec<String>,
    /// States to leave out, codes or names ("outside Texas"); replace the text's.
    #[serde(default)]
    pub exclude_state: Vec<String>,
    /// Cities to leave out; replace the text's.
    #[serde(default)]
    pub exclude_city: Vec<String>,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidParameter, field, message)
}

impl SearchParams {
    /// The validated query, refused with the field named.
    pub fn validate(self) -> Result<PeopleQuery, ApiError> {
        let limit = self.limit.unwrap_or(MAX_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(bad(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if self.max_records == Some(0) {
            return Err(bad("max_records", "max_records must be at least 1"));
        }
        for (field, value) in [
            ("dedupe_token", &self.dedupe_token),
            ("dedupe_user_id", &self.dedupe_user_id),
        ] {
            if value
                .as_ref()
                .is_some_and(|v| v.is_empty() || v.len() > 200)
            {
                return Err(bad(field, format!("{field} must be 1–200 characters")));
            }
        }
        let email_status = match people::parse_keys("email_status", &self.email_status, |k| {
            EmailStatus::parse(k).is_some()
        })? {
            Some(keys) => keys.iter().filter_map(|k| EmailStatus::parse(k)).collect(),
            None => Vec::new(),
        };
        Ok(PeopleQuery {
            q: self.q.unwrap_or_default(),
            location_city: self.location_city,
            location_state: self.location_state,
            roles: people::parse_keys("role", &self.role, |k| taxonomy::role(k).is_some())?,
            seniorities: people::parse_keys("seniority", &self.seniority, |k| {
                taxonomy::seniority(k).is_some()
            })?,
            departments: people::parse_keys("department", &self.department, |k| {
                taxonomy::department(k).is_some()
            })?,
            industries: people::parse_keys("industry", &self.industry, |k| {
                taxonomy::industry(k).is_some()
            })?,
            email_status,
            has_phone: self.has_phone,
            employee_count_min: self.employee_count_min,
            employee_count_max: self.employee_count_max,
            limit,
            max_records: self.max_records,
            cursor: self.cursor,
            sort: Default::default(),
            page: None,
            dedupe_token: self.dedupe_token,
            dedupe_user_id: self.dedupe_user_id,
            exclude: ExcludeOverrides::parse(
                &self.exclude_role,
                &self.exclude_seniority,
                &self.exclude_department,
                &self.exclude_industry,
                &self.exclude_state,
                &self.exclude_city,
            )?,
        })
    }
}

/// Stored people as the API shows them, with their companies.
pub async fn people_json(data: &DataSet, rows: Vec<PersonRow>) -> Result<Vec<Person>, ApiError> {
    Ok(data
        .with_companies(rows)
        .await?
        .into_iter()
        .map(|(_, person)| person)
        .collect())
}

/// Natural-language person search with exact totals, facets and cursor pages.
#[utoipa::path(get, path = "/v1/persons/search", tag = "data", params(SearchParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of people", body = PersonSearchResponse),
        (status = 400, description = "Invalid parameter or cursor", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 422, description = "Nothing in q was understood; the body carries the interpretation", body = ErrorBody)))]
pub async fn search_persons(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<PersonSearchResponse>, ApiError> {
    let query = params.validate()?;
    let tenant = auth.require(Scope::Data)?;
    let scope = auth.dedupe_scope();
    let dataset = state.data(tenant.mode).await?;
    let index = dataset.search.index();
    let prepared = people::prepare(&query, &scope, &index)?;
    let page = match prepared.dedupe_digest.clone() {
        // Under a dedupe token the page is chosen and recorded under the token's
        // lock, so concurrent searches with one token never share a record.
        Some(digest) => {
            let mut claim = state.store.begin_dedupe(&scope, &digest).await?;
            let page = people::run(&index, &state.cursors, &query, prepared, claim.delivered())?;
            claim.record(&page.ids).await?;
            claim.commit().await?;
            page
        }
        None => people::run(
            &index,
            &state.cursors,
            &query,
            prepared,
            &roaring::RoaringBitmap::new(),
        )?,
    };
    let records = dataset.store.people_by_ids(&page.ids).await?;
    let data: Vec<Person> = people_json(dataset, records).await?;
    state
        .usage
        .count_records(&tenant, now_unix(), data.len() as u64);
    Ok(Json(PersonSearchResponse {
        interpretation: page.interpretation,
        pagination: page.pagination,
        facets: page.facets,
        billable_records: data.len() as u64,
        data,
    }))
}

/// Query parameters of `GET /v1/persons/lookup`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LookupParams {
    /// Business email address.
    pub email: Option<String>,
    /// Company domain; URLs are normalised to domains.
    pub company_domain: Option<String>,
    /// LinkedIn profile URL (any common form).
    pub linkedin_url: Option<String>,
    /// Phone number (any common format; matched in E.164).
    pub phone: Option<String>,
}

/// Exact person lookup by email, company domain, LinkedIn URL or phone.
#[utoipa::path(get, path = "/v1/persons/lookup", tag = "data", params(LookupParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "Matching people", body = PersonLookupResponse),
        (status = 400, description = "No or invalid identifier", body = ErrorBody)))]
pub async fn lookup_persons(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<LookupParams>,
) -> Result<Json<PersonLookupResponse>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    fn norm(
        field: &str,
        value: Option<String>,
        f: impl Fn(&str) -> Result<String, normalize::Reason>,
    ) -> Result<Option<String>, ApiError> {
        match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => f(v)
                .map(Some)
                .map_err(|reason| bad(field, format!("{field}: {reason}"))),
            None => Ok(None),
        }
    }
    let lookup = Lookup {
        email: norm("email", params.email, normalize::email)?,
        company_domain: norm("company_domain", params.company_domain, normalize::domain)?,
        linkedin_url: norm("linkedin_url", params.linkedin_url, |v| {
            normalize::linkedin_url(v, LinkedinKind::Person)
        })?,
        phone: norm("phone", params.phone, normalize::phone)?,
    };
    if lookup.email.is_none()
        && lookup.company_domain.is_none()
        && lookup.linkedin_url.is_none()
        && lookup.phone.is_none()
    {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "Give at least one of email, company_domain, linkedin_url, phone.",
        ));
    }
    let dataset = state.data(tenant.mode).await?;
    let rows = dataset.store.lookup_people(&lookup, 100).await?;
    let data: Vec<Person> = people_json(dataset, rows).await?;
    state
        .usage
        .count_records(&tenant, now_unix(), data.len() as u64);
    Ok(Json(PersonLookupResponse {
        billable_records: data.len() as u64,
        data,
    }))
}

/// A vocabulary entry.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyTerm {
    pub key: &'static str,
    pub label: &'static str,
}

/// The precomputed search vocabulary.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyPath {
    pub description: &'static str,
    pub roles: Vec<TaxonomyTerm>,
    pub seniorities: Vec<TaxonomyTerm>,
    pub departments: Vec<TaxonomyTerm>,
    pub industries: Vec<TaxonomyTerm>,
    /// Roles that make sense as chips for each industry.
    pub compatibility: std::collections::BTreeMap<&'static str, Vec<&'static str>>,
    pub example_queries: Vec<&'static str>,
}

/// Search paths (only the taxonomy path: every query runs on the exact index).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FastPaths {
    pub taxonomy: TaxonomyPath,
}

/// `GET /v1/persons/search/taxonomy`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaxonomyResponse {
    pub fast_paths: FastPaths,
    pub native_geo_parameters: Vec<&'static str>,
}

/// Roles offered as chips per industry (executives fit everywhere).
fn compatibility() -> std::collections::BTreeMap<&'static str, Vec<&'static str>> {
    let specific: &[(&str, &[&str])] = &[
        ("law_firm", &["partner", "attorney"]),
        ("real_estate", &["real_estate_agent", "broker"]),
        ("insurance_agency", &["insurance_agent"]),
        (
            "healthcare_practice",
            &["doctor", "nurse", "office_manager"],
        ),
        ("dental_practice", &["dentist", "office_manager"]),
        ("hospital", &["doctor", "nurse"]),
        ("accounting_firm", &["partner", "accountant"]),
        ("financial_services", &["financial_advisor"]),
        ("staffing", &["recruiter"]),
        (
            "software",
            &[
                "cto",
                "cmo",
                "cro",
                "software_engineer",
                "data_scientist",
                "account_executive",
                "sdr",
            ],
        ),
        (
            "fintech",
            &[
                "cto",
                "cfo",
                "software_engineer",
                "account_executive",
                "sdr",
            ],
        ),
        ("cybersecurity", &["ciso", "cto", "software_engineer"]),
        ("education", &["principal"]),
        ("nonprofit", &["pastor"]),
        ("construction", &["architect", "general_manager"]),
        ("consulting", &["partner", "consultant"]),
    ];
    taxonomy::INDUSTRIES
        .iter()
        .map(|i| {
            let mut roles = vec!["ceo", "owner", "founder", "president"];
            if let Some((_, extra)) = specific.iter().find(|(k, _)| *k == i.key) {
                roles.extend_from_slice(extra);
            }
            (i.key, roles)
        })
        .collect()
}

/// Role, seniority, department and industry dictionaries for suggestion chips.
#[utoipa::path(get, path = "/v1/persons/search/taxonomy", tag = "data", security(("api_key" = [])),
    responses((status = 200, description = "The search vocabulary", body = TaxonomyResponse)))]
pub async fn get_search_taxonomy(auth: PartnerAuth) -> Result<Json<TaxonomyResponse>, ApiError> {
    auth.require(Scope::Data)?;
    Ok(Json(taxonomy_response()))
}

/// The vocabulary for chips, shared by the data API and the iframe.
pub fn taxonomy_response() -> TaxonomyResponse {
    let terms = |list: &'static [taxonomy::Term]| {
        list.iter()
            .map(|t| TaxonomyTerm {
                key: t.key,
                label: t.label,
            })
            .collect()
    };
    TaxonomyResponse {
        fast_paths: FastPaths {
            taxonomy: TaxonomyPath {
                description: "Every key below is searchable with exact counts.",
                roles: terms(taxonomy::ROLES),
                seniorities: terms(taxonomy::SENIORITIES),
                departments: terms(taxonomy::DEPARTMENTS),
                industries: taxonomy::INDUSTRIES
                    .iter()
                    .map(|t| TaxonomyTerm {
                        key: t.key,
                        label: t.label,
                    })
                    .collect(),
                compatibility: compatibility(),
                example_queries: taxonomy::EXAMPLE_QUERIES.to_vec(),
            },
        },
        native_geo_parameters: vec!["location_city", "location_state"],
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/persons/search", get(search_persons))
        .route("/v1/persons/search/taxonomy", get(get_search_taxonomy))
        .route("/v1/persons/lookup", get(lookup_persons))
}
