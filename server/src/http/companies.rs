//! `/v1/companies/*` and `/v1/domains`: natural-language company search, the people
//! of one company domain, and the domain inventory with contact counts.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use quarry_shared::api::{Pagination, Person};
use quarry_shared::interpret::Interpretation;
use quarry_shared::{geo, taxonomy, ErrorBody, ErrorCode};
use serde::{Deserialize, Serialize};

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::{page_limit, Query};
use super::persons::people_json;
use super::AppState;
use crate::data::normalize;
use crate::partners::keys::Scope;
use crate::records::Company;
use crate::search::companies::{self, company_people_page};
use crate::search::criteria::Criteria;
use crate::search::cursor::{CursorCodec, Position};
use crate::search::people::{self, cursor_error, PeopleQuery};
use crate::store::now_unix;

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidParameter, field, message)
}

fn decode(
    codec: &CursorCodec,
    fingerprint: &[u8; 16],
    cursor: Option<&str>,
) -> Result<Position, ApiError> {
    match cursor {
        Some(c) => codec.decode(fingerprint, c).map_err(cursor_error),
        None => Ok(Position {
            tier: 0,
            after: None,
            delivered: 0,
        }),
    }
}

/// The values of a list parameter, repeated or comma-separated, trimmed.
fn list_values(raw: &[String]) -> impl Iterator<Item = &str> {
    raw.iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn check_limit(limit: Option<u32>, max: u32) -> Result<u32, ApiError> {
    page_limit("limit", limit, 100.min(max), max)
}

/// A company record as the API shows it (optional fields omitted).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CompanyJson {
    pub company_id: String,
    pub name: String,
    pub domain: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub naics: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub country: String,
    pub keywords: Vec<String>,
}

impl From<Company> for CompanyJson {
    fn from(c: Company) -> CompanyJson {
        CompanyJson {
            keywords: c
                .keywords
                .split(';')
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
            company_id: c.company_id,
            name: c.name,
            domain: c.domain,
            website: c.website,
            phone: c.phone,
            linkedin_url: c.linkedin_url,
            employee_count: c.employee_count,
            revenue: c.revenue,
            industry: c.industry,
            sic: c.sic,
            naics: c.naics,
            city: c.city,
            state: c.state,
            country: c.country,
        }
    }
}

/// Query parameters of `GET /v1/companies/search`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompanySearchParams {
    /// Plain-language company search, e.g. `SaaS companies in Idaho with 50+ employees`.
    pub q: Option<String>,
    /// Company city; overrides places in `q`.
    pub location_city: Option<String>,
    /// Company states, codes or names (repeat the parameter or separate with
    /// commas; any of them); override places in `q`.
    #[serde(default)]
    pub location_state: Vec<String>,
    /// Page size, 1–100 (default 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Total cap across pages.
    #[param(minimum = 1)]
    pub max_records: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Accepted for compatibility: totals are always exact here.
    pub exact_count: Option<bool>,
}

/// `GET /v1/companies/search`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompanySearchResponse {
    pub interpretation: Interpretation,
    pub pagination: Pagination,
    pub data: Vec<CompanyJson>,
    pub billable_records: u64,
}

/// Natural-language company search with exact totals.
#[utoipa::path(get, path = "/v1/companies/search", tag = "data", params(CompanySearchParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of companies", body = CompanySearchResponse),
        (status = 400, description = "Invalid parameter or cursor", body = ErrorBody),
        (status = 422, description = "Nothing in q was understood", body = ErrorBody)))]
pub async fn search_companies(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<CompanySearchParams>,
) -> Result<Json<CompanySearchResponse>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    let limit = check_limit(params.limit, 100)?;
    if params.max_records == Some(0) {
        return Err(bad("max_records", "max_records must be at least 1"));
    }
    let query = PeopleQuery {
        q: params.q.unwrap_or_default(),
        location_city: params.location_city,
        location_state: params.location_state,
        max_records: params.max_records,
        limit,
        ..PeopleQuery::default()
    };
    let dataset = state.data(tenant.mode).await?;
    let index = dataset.search.index();
    let text = people::known_keywords_in(people::interpret_text(&query)?, |w| {
        index.knows_company_word(w)
    });
    let interpretation = companies::company_interpretation(people::with_overrides(text, &query)?);
    if interpretation.is_empty() {
        return Err(ApiError::NotUnderstood(Box::new(interpretation)));
    }
    let criteria = Criteria::from_interpretation(&interpretation);
    let max = interpretation
        .max_records
        .map(|m| m.to_string())
        .unwrap_or_default();
    let fingerprint = criteria.fingerprint(&["companies", &max]);
    let from = decode(&state.cursors, &fingerprint, params.cursor.as_deref())?;

    let matched = companies::matching_companies(&index, &criteria);
    let total = matched.len() as u64;
    let max_records = interpretation.max_records;
    let remaining = max_records.map_or(u64::MAX, |m| {
        u64::from(m).saturating_sub(u64::from(from.delivered))
    });
    let start = from
        .after
        .map_or(0, |a| matched.partition_point(|&ix| ix <= a));
    let take = (limit as u64).min(remaining) as usize;
    let page: Vec<u32> = matched.iter().skip(start).take(take).copied().collect();
    let delivered = from.delivered + page.len() as u32;
    let more = start + page.len() < matched.len() && max_records.is_none_or(|m| delivered < m);
    let next_cursor = more.then(|| {
        state.cursors.encode(
            &fingerprint,
            Position {
                tier: 0,
                after: page.last().copied(),
                delivered,
            },
        )
    });
    let ids: Vec<String> = page
        .iter()
        .map(|&ix| index.companies[ix as usize].record.company_id.clone())
        .collect();
    let data: Vec<CompanyJson> = dataset
        .store
        .companies_by_ids(&ids)
        .await?
        .into_iter()
        .map(CompanyJson::from)
        .collect();
    state
        .usage
        .count_records(&tenant, now_unix(), data.len() as u64);
    let deliverable = max_records.map_or(total, |m| total.min(u64::from(m)));
    Ok(Json(CompanySearchResponse {
        interpretation,
        pagination: Pagination {
            limit,
            total_records: total,
            total_pages: deliverable.div_ceil(u64::from(limit)),
            next_cursor,
            max_records,
        },
        billable_records: data.len() as u64,
        data,
    }))
}

/// Query parameters of `GET /v1/companies/{domain}/people`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompanyPeopleParams {
    /// Page size, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Total cap across pages.
    #[param(minimum = 1)]
    pub max_records: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// `GET /v1/companies/{domain}/people`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompanyPeopleResponse {
    pub data: Vec<Person>,
    pub pagination: Pagination,
    pub billable_records: u64,
}

/// People at the company with this domain (URLs are normalised to the domain).
#[utoipa::path(get, path = "/v1/companies/{domain}/people", tag = "data", params(
        ("domain" = String, Path, description = "Company domain, e.g. example.com"),
        CompanyPeopleParams),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "People at the company (empty when the domain is unknown)", body = CompanyPeopleResponse),
        (status = 400, description = "Invalid domain, limit or cursor", body = ErrorBody)))]
pub async fn list_company_people(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(domain): Path<String>,
    Query(params): Query<CompanyPeopleParams>,
) -> Result<Json<CompanyPeopleResponse>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    let limit = check_limit(params.limit, 500)?;
    if params.max_records == Some(0) {
        return Err(bad("max_records", "max_records must be at least 1"));
    }
    let domain =
        normalize::domain(&domain).map_err(|reason| bad("domain", format!("domain: {reason}")))?;
    let max = params
        .max_records
        .map(|m| m.to_string())
        .unwrap_or_default();
    let fingerprint = Criteria::default().fingerprint(&["company_people", &domain, &max]);
    let from = decode(&state.cursors, &fingerprint, params.cursor.as_deref())?;
    let dataset = state.data(tenant.mode).await?;
    let index = dataset.search.index();
    let people = index
        .company_by_domain
        .get(&domain)
        .map(|&ix| index.companies[ix as usize].people.clone())
        .unwrap_or_default();
    let remaining = params.max_records.map_or(u64::MAX, |m| {
        u64::from(m).saturating_sub(u64::from(from.delivered))
    });
    let take = (limit as u64).min(remaining) as usize;
    let (ids, more) = company_people_page(&people, from.after, take);
    let delivered = from.delivered + ids.len() as u32;
    let more = more && params.max_records.is_none_or(|m| delivered < m);
    let next_cursor = more.then(|| {
        state.cursors.encode(
            &fingerprint,
            Position {
                tier: 0,
                after: ids.last().copied(),
                delivered,
            },
        )
    });
    let rows = dataset.store.people_by_ids(&ids).await?;
    let data: Vec<Person> = people_json(dataset, rows).await?;
    state
        .usage
        .count_records(&tenant, now_unix(), data.len() as u64);
    Ok(Json(CompanyPeopleResponse {
        pagination: Pagination {
            limit,
            total_records: people.len(),
            total_pages: people.len().div_ceil(u64::from(limit)),
            next_cursor,
            max_records: params.max_records,
        },
        billable_records: data.len() as u64,
        data,
    }))
}

/// Query parameters of `GET /v1/domains`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DomainParams {
    /// Page size, 1–100 (default 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (tied to the same filters).
    pub cursor: Option<String>,
    /// Only domains with at least this many contacts (default 5).
    pub min_contacts: Option<u32>,
    /// Industry keys, or words of their labels, any case (`software`, `SaaS`);
    /// repeat the parameter or separate with commas (any of them).
    #[serde(default)]
    pub industry: Vec<String>,
    /// Company states, codes or names (any of them).
    #[serde(default)]
    pub location_state: Vec<String>,
}

/// A company city/state.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainLocation {
    pub city: Option<String>,
    pub state: Option<String>,
}

/// One domain of the inventory.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainJson {
    pub domain: String,
    pub contact_count: u64,
    pub industry: Option<String>,
    pub location: DomainLocation,
}

/// Page metadata of the domain inventory.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainPagination {
    pub limit: u32,
    pub next_cursor: Option<String>,
}

/// `GET /v1/domains`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainsResponse {
    pub data: Vec<DomainJson>,
    pub pagination: DomainPagination,
}

/// Company domains with enough known contacts (not billable).
#[utoipa::path(get, path = "/v1/domains", tag = "data", params(DomainParams), security(("api_key" = [])),
    responses(
        (status = 200, description = "A page of domains", body = DomainsResponse),
        (status = 400, description = "Invalid parameter or cursor", body = ErrorBody)))]
pub async fn list_domains(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Query(params): Query<DomainParams>,
) -> Result<Json<DomainsResponse>, ApiError> {
    let tenant = auth.require(Scope::Data)?;
    let limit = check_limit(params.limit, 100)?;
    let min_contacts = u64::from(params.min_contacts.unwrap_or(5));
    let mut industries: Option<Vec<u8>> = None;
    for raw in list_values(&params.industry) {
        let found = companies::industry_filter(raw);
        if found.is_empty() {
            return Err(bad("industry", format!("{raw:?} matches no industry")));
        }
        industries.get_or_insert_with(Vec::new).extend(found);
    }
    let mut states: Option<Vec<u8>> = None;
    for raw in list_values(&params.location_state) {
        let ix = geo::STATES
            .iter()
            .position(|s| Some(s) == geo::state(raw))
            .ok_or_else(|| {
                bad(
                    "location_state",
                    format!("{raw:?} is not a US state code or name"),
                )
            })? as u8;
        states.get_or_insert_with(Vec::new).push(ix);
    }
    let filters = format!("{min_contacts}|{industries:?}|{states:?}");
    let fingerprint = Criteria::default().fingerprint(&["domains", &filters]);
    let from = decode(&state.cursors, &fingerprint, params.cursor.as_deref())?;
    let index = state.data(tenant.mode).await?.search.index();
    let start = from.after.map_or(0, |a| a as usize + 1);
    let mut data = Vec::with_capacity(limit as usize);
    let mut last = None;
    let mut more = false;
    for (ix, c) in index.companies.iter().enumerate().skip(start) {
        let fits = c.people.len() >= min_contacts
            && industries
                .as_ref()
                .is_none_or(|list| list.contains(&c.industry))
            && states.as_ref().is_none_or(|list| list.contains(&c.state));
        if !fits {
            continue;
        }
        if data.len() == limit as usize {
            more = true;
            break;
        }
        last = Some(ix as u32);
        data.push(DomainJson {
            domain: c.record.domain.clone(),
            contact_count: c.people.len(),
            industry: taxonomy::INDUSTRIES
                .get(c.industry as usize)
                .map(|i| i.key.to_owned()),
            location: DomainLocation {
                city: c.record.city.clone(),
                state: geo::STATES.get(c.state as usize).map(|s| s.code.to_owned()),
            },
        });
    }
    let next_cursor = more.then(|| {
        state.cursors.encode(
            &fingerprint,
            Position {
                tier: 0,
                after: last,
                delivered: 0,
            },
        )
    });
    Ok(Json(DomainsResponse {
        data,
        pagination: DomainPagination { limit, next_cursor },
    }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/companies/search", get(search_companies))
        .route("/v1/companies/{domain}/people", get(list_company_people))
        .route("/v1/domains", get(list_domains))
}
