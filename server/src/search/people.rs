//! A people search from request to page: interpretation with explicit overrides,
//! criteria, dedupe exclusion, relevance tiers, the `max_records` cap, cursor
//! position and facets. Handlers call [`search`] and only map the outcome to JSON.

use quarry_shared::api::{Facets, Pagination};
use quarry_shared::interpret::{self, Interpretation, Location, Term};
use quarry_shared::taxonomy::{self, EmailStatus};
use quarry_shared::{geo, ErrorCode};
use roaring::RoaringBitmap;
use sha2::{Digest, Sha256};

use super::criteria::Criteria;
use super::cursor::{CursorCodec, CursorError, Position};
use super::index::PeopleIndex;
use crate::http::error::ApiError;

/// Longest accepted search text.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Largest page.
pub const MAX_LIMIT: u32 = 100;

/// A validated search request.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    pub q: String,
    pub location_city: Option<String>,
    pub location_state: Option<String>,
    pub roles: Option<Vec<String>>,
    pub seniorities: Option<Vec<String>>,
    pub departments: Option<Vec<String>>,
    pub industries: Option<Vec<String>>,
    pub email_status: Vec<EmailStatus>,
    pub has_phone: Option<bool>,
    pub employee_count_min: Option<u32>,
    pub employee_count_max: Option<u32>,
    pub limit: u32,
    pub max_records: Option<u32>,
    pub cursor: Option<String>,
    pub dedupe_token: Option<String>,
    pub dedupe_user_id: Option<String>,
}

/// A page of ids with everything the response needs around it.
#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub interpretation: Interpretation,
    pub ids: Vec<u32>,
    pub pagination: Pagination,
    pub facets: Option<Facets>,
    /// Set when a dedupe token is in use: where to record the delivered ids.
    pub dedupe_digest: Option<String>,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::field(ErrorCode::InvalidParameter, field, message)
}

/// Splits a comma-separated list of taxonomy keys, refusing unknown ones.
pub fn parse_keys(
    field: &str,
    raw: Option<&str>,
    known: impl Fn(&str) -> bool,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    let mut keys = Vec::new();
    for key in raw
        .split(',')
        .map(|k| k.trim().to_ascii_lowercase())
        .filter(|k| !k.is_empty())
    {
        if !known(&key) {
            return Err(bad(
                field,
                format!("{key:?} is not a known {field} key (see GET /v1/persons/search/taxonomy)"),
            ));
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(Some(keys))
}

/// The interpretation of `q` with the explicit parameters applied on top.
pub fn interpret_with_overrides(query: &PeopleQuery) -> Result<Interpretation, ApiError> {
    let q = query.q.trim();
    if q.is_empty() {
        return Err(bad("q", "q is required: describe who you are looking for"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(bad(
            "q",
            format!("q is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let mut i = interpret::interpret(q);
    let term = |key: &str, label: &str| Term {
        key: key.to_owned(),
        label: label.to_owned(),
    };
    if let Some(roles) = &query.roles {
        i.roles = roles
            .iter()
            .filter_map(|k| taxonomy::role(k))
            .map(|t| term(t.key, t.label))
            .collect();
    }
    if let Some(s) = &query.seniorities {
        i.seniorities = s
            .iter()
            .filter_map(|k| taxonomy::seniority(k))
            .map(|t| term(t.key, t.label))
            .collect();
    }
    if let Some(d) = &query.departments {
        i.departments = d
            .iter()
            .filter_map(|k| taxonomy::department(k))
            .map(|t| term(t.key, t.label))
            .collect();
    }
    if let Some(ind) = &query.industries {
        i.industries = ind
            .iter()
            .filter_map(|k| taxonomy::industry(k))
            .map(|t| term(t.key, t.label))
            .collect();
    }
    let state = match query
        .location_state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => Some(geo::state(raw).ok_or_else(|| {
            bad(
                "location_state",
                format!("{raw:?} is not a US state code or name"),
            )
        })?),
        None => None,
    };
    let city = query
        .location_city
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if city.is_some() || state.is_some() {
        // Explicit geography replaces whatever the text said about places.
        i.locations.clear();
        i.filters.company_states.clear();
        i.filters.company_cities.clear();
        i.filters.company_city = None;
        i.filters.company_state = state.map(|s| s.code.to_owned());
        if let Some(city) = city {
            let known: Vec<_> = geo::cities_named(city)
                .filter(|c| state.is_none_or(|s| s.code == c.state))
                .collect();
            let name = known.first().map_or(city.to_owned(), |c| c.name.to_owned());
            if state.is_none() && known.len() == 1 {
                i.filters.company_state = Some(known[0].state.to_owned());
            }
            i.filters.company_city = Some(name.clone());
            let st = i.filters.company_state.clone();
            i.locations.push(Location {
                key: format!("city:{}:{name}", st.clone().unwrap_or_default()),
                label: name.clone(),
                state: st,
                city: Some(name),
            });
        } else if let Some(s) = state {
            i.locations.push(Location {
                key: format!("state:{}", s.code),
                label: s.name.to_owned(),
                state: Some(s.code.to_owned()),
                city: None,
            });
        }
    }
    if query.employee_count_min.is_some() {
        i.filters.employee_count_min = query.employee_count_min;
    }
    if query.employee_count_max.is_some() {
        i.filters.employee_count_max = query.employee_count_max;
    }
    if let (Some(lo), Some(hi)) = (i.filters.employee_count_min, i.filters.employee_count_max) {
        if lo > hi {
            return Err(bad(
                "employee_count_min",
                "employee_count_min is larger than employee_count_max",
            ));
        }
    }
    if query.max_records.is_some() {
        i.max_records = query.max_records;
    }
    Ok(i)
}

/// A search ready to run: what was understood, the criteria and the identities
/// used for cursors and dedupe.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub interpretation: Interpretation,
    pub criteria: Criteria,
    /// Where deliveries under the dedupe token are recorded, when one is given.
    pub dedupe_digest: Option<String>,
    fingerprint: [u8; 16],
}

/// Validates and interprets a query; refuses one in which nothing was understood.
/// `scope` separates callers' dedupe tokens.
pub fn prepare(query: &PeopleQuery, scope: &str) -> Result<Prepared, ApiError> {
    let interpretation = interpret_with_overrides(query)?;
    let explicit = query.email_status.len() + usize::from(query.has_phone.is_some());
    if interpretation.is_empty() && explicit == 0 {
        return Err(ApiError::NotUnderstood(Box::new(interpretation)));
    }
    let mut criteria = Criteria::from_interpretation(&interpretation);
    criteria.email_status = query.email_status.clone();
    criteria.has_phone = query.has_phone;
    let dedupe_digest = query.dedupe_token.as_deref().map(|token| {
        let mut h = Sha256::new();
        for part in [scope, query.dedupe_user_id.as_deref().unwrap_or(""), token] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        h.update(criteria.fingerprint(&[]));
        hex(&h.finalize())
    });
    let max = interpretation
        .max_records
        .map(|m| m.to_string())
        .unwrap_or_default();
    let fingerprint = criteria.fingerprint(&[&max, dedupe_digest.as_deref().unwrap_or("")]);
    Ok(Prepared {
        interpretation,
        criteria,
        dedupe_digest,
        fingerprint,
    })
}

/// Runs a prepared search on `index`, leaving out `delivered` (the ids already
/// delivered under its dedupe token; empty without one).
pub fn run(
    index: &PeopleIndex,
    codec: &CursorCodec,
    query: &PeopleQuery,
    prepared: Prepared,
    delivered: &RoaringBitmap,
) -> Result<PeoplePage, ApiError> {
    run_within(index, codec, query, prepared, delivered, None)
}

/// [`run`] restricted to the ids `within` (a prospecting session's matches, which
/// a refinement may narrow but never widen).
pub fn run_within(
    index: &PeopleIndex,
    codec: &CursorCodec,
    query: &PeopleQuery,
    prepared: Prepared,
    delivered: &RoaringBitmap,
    within: Option<&RoaringBitmap>,
) -> Result<PeoplePage, ApiError> {
    let Prepared {
        interpretation,
        criteria,
        dedupe_digest,
        fingerprint,
    } = prepared;
    let from = match &query.cursor {
        Some(c) => codec.decode(&fingerprint, c).map_err(cursor_error)?,
        None => Position {
            tier: 0,
            after: None,
            delivered: 0,
        },
    };
    let max_records = interpretation.max_records;
    let mut matched = index.matching(&criteria);
    if let Some(within) = within {
        matched &= within;
    }
    if !delivered.is_empty() {
        matched -= delivered;
    }
    let total = matched.len();
    let deliverable = max_records.map_or(total, |m| total.min(u64::from(m)));
    let remaining = max_records.map_or(u64::MAX, |m| {
        u64::from(m).saturating_sub(u64::from(from.delivered))
    });
    let limit = u64::from(query.limit).min(remaining) as usize;
    let facets = query.cursor.is_none().then(|| index.facets(&matched));
    let tiers = index.tiers(matched, &criteria);
    let (ids, next) = if limit == 0 {
        (Vec::new(), None)
    } else {
        PeopleIndex::page(&tiers, from, limit)
    };
    let next = next.filter(|p| max_records.is_none_or(|m| p.delivered < m));
    Ok(PeoplePage {
        pagination: Pagination {
            limit: query.limit,
            total_records: total,
            total_pages: deliverable.div_ceil(u64::from(query.limit.max(1))),
            next_cursor: next.map(|p| codec.encode(&fingerprint, p)),
            max_records,
        },
        interpretation,
        ids,
        facets,
        dedupe_digest,
    })
}

/// The 400 answer for a cursor that fails to decode.
pub fn cursor_error(e: CursorError) -> ApiError {
    let message = match e {
        CursorError::Invalid => {
            "The cursor is malformed or was modified; use next_cursor as returned."
        }
        CursorError::OtherQuery => {
            "The cursor belongs to a different query or filters; start again without a cursor."
        }
    };
    ApiError::field(ErrorCode::InvalidCursor, "cursor", message)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
