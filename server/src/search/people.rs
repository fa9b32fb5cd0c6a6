//! A people search from request to page: interpretation with explicit overrides,
//! criteria, dedupe exclusion, relevance tiers, the `max_records` cap, cursor
//! position and facets. Handlers call [`search`] and only map the outcome to JSON.

use quarry_shared::api::{Facets, Pagination};
use quarry_shared::interpret::{self, Interpretation, Location, Term};
use quarry_shared::prospecting::{Sort, SortKey};
use quarry_shared::taxonomy::{self, EmailStatus};
use quarry_shared::{geo, ErrorCode};
use roaring::RoaringBitmap;
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::criteria::Criteria;
use super::cursor::{CursorCodec, CursorError, Position};
use super::engine::Base;
use super::index::{tokens, PeopleIndex};
use super::results::Evaluated;
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
    /// States, codes or names (any of them).
    pub location_state: Vec<String>,
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
    /// The order of the page; relevance unless a column is asked for.
    pub sort: Sort,
    /// A page by number (1-based) instead of a cursor.
    pub page: Option<u32>,
    pub dedupe_token: Option<String>,
    pub dedupe_user_id: Option<String>,
    /// Explicit exclusions; each given dimension replaces the text's.
    pub exclude: ExcludeOverrides,
}

/// Explicit `exclude_*` parameters, validated (keys known, states as codes).
#[derive(Debug, Clone, Default)]
pub struct ExcludeOverrides {
    pub roles: Option<Vec<String>>,
    pub seniorities: Option<Vec<String>>,
    pub departments: Option<Vec<String>>,
    pub industries: Option<Vec<String>>,
    pub states: Option<Vec<String>>,
    pub cities: Option<Vec<String>>,
}

impl ExcludeOverrides {
    /// Validates the raw `exclude_*` lists, naming the parameter at fault.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        roles: &[String],
        seniorities: &[String],
        departments: &[String],
        industries: &[String],
        states: &[String],
        cities: &[String],
    ) -> Result<ExcludeOverrides, ApiError> {
        let mut codes: Vec<String> = Vec::new();
        for raw in states
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let state = geo::state(raw).ok_or_else(|| {
                bad(
                    "exclude_state",
                    format!("{raw:?} is not a US state code or name"),
                )
            })?;
            if !codes.iter().any(|c| c == state.code) {
                codes.push(state.code.to_owned());
            }
        }
        let mut names: Vec<String> = Vec::new();
        for raw in cities
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let city = geo::cities_named(raw)
                .next()
                .ok_or_else(|| bad("exclude_city", format!("{raw:?} is not a known US city")))?;
            if !names.iter().any(|n| n == city.name) {
                names.push(city.name.to_owned());
            }
        }
        Ok(ExcludeOverrides {
            roles: parse_keys("exclude_role", roles, |k| taxonomy::role(k).is_some())?,
            seniorities: parse_keys("exclude_seniority", seniorities, |k| {
                taxonomy::seniority(k).is_some()
            })?,
            departments: parse_keys("exclude_department", departments, |k| {
                taxonomy::department(k).is_some()
            })?,
            industries: parse_keys("exclude_industry", industries, |k| {
                taxonomy::industry(k).is_some()
            })?,
            states: (!codes.is_empty()).then_some(codes),
            cities: (!names.is_empty()).then_some(names),
        })
    }
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

/// The taxonomy keys of a list parameter (repeated, comma-separated, or both),
/// refusing unknown ones; `None` when none is given.
pub fn parse_keys(
    field: &str,
    raw: &[String],
    known: impl Fn(&str) -> bool,
) -> Result<Option<Vec<String>>, ApiError> {
    let mut keys = Vec::new();
    for key in raw
        .iter()
        .flat_map(|v| v.split(','))
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
    Ok((!keys.is_empty()).then_some(keys))
}

/// What the text of `query` says, refused when there is none or too much of it.
pub fn interpret_text(query: &PeopleQuery) -> Result<Interpretation, ApiError> {
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
    Ok(interpret::interpret(q))
}

/// Keeps only the keywords some job title or company in `index` has: a word the
/// data never uses would silently answer nothing, so it is ignored with a warning.
pub fn known_keywords(i: Interpretation, index: &PeopleIndex) -> Interpretation {
    known_keywords_in(i, |w| index.knows_word(w))
}

/// [`known_keywords`] with the words `knows` accepts.
pub fn known_keywords_in(mut i: Interpretation, knows: impl Fn(&str) -> bool) -> Interpretation {
    let (known, unknown): (Vec<String>, Vec<String>) = std::mem::take(&mut i.filters.keywords)
        .into_iter()
        .partition(|k| tokens(k).all(|w| knows(&w)));
    i.filters.keywords = known;
    for word in unknown {
        i.warnings.push(format!(
            "ignored: '{word}' (no job title or company uses this word)"
        ));
    }
    i
}

/// The interpretation of `q` with the explicit parameters applied on top.
pub fn interpret_with_overrides(query: &PeopleQuery) -> Result<Interpretation, ApiError> {
    with_overrides(interpret_text(query)?, query)
}

/// `i` (what the text says) with the explicit parameters of `query` applied on top.
pub fn with_overrides(
    mut i: Interpretation,
    query: &PeopleQuery,
) -> Result<Interpretation, ApiError> {
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
    let mut states: Vec<&'static geo::State> = Vec::new();
    for raw in query
        .location_state
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let state = geo::state(raw).ok_or_else(|| {
            bad(
                "location_state",
                format!("{raw:?} is not a US state code or name"),
            )
        })?;
        if !states.iter().any(|s| s.code == state.code) {
            states.push(state);
        }
    }
    let city = query
        .location_city
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if city.is_some() || !states.is_empty() {
        // Explicit geography replaces whatever the text said about places.
        i.locations.clear();
        i.filters.company_states.clear();
        i.filters.company_cities.clear();
        i.filters.company_city = None;
        i.filters.company_state = None;
        match states.as_slice() {
            [] => {}
            [one] => i.filters.company_state = Some(one.code.to_owned()),
            many => i.filters.company_states = many.iter().map(|s| s.code.to_owned()).collect(),
        }
        if let Some(city) = city {
            let known: Vec<_> = geo::cities_named(city)
                .filter(|c| states.is_empty() || states.iter().any(|s| s.code == c.state))
                .collect();
            let name = known.first().map_or(city.to_owned(), |c| c.name.to_owned());
            if states.is_empty() && known.len() == 1 {
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
        } else {
            for s in &states {
                i.locations.push(Location {
                    key: format!("state:{}", s.code),
                    label: s.name.to_owned(),
                    state: Some(s.code.to_owned()),
                    city: None,
                });
            }
        }
    }
    let x = &query.exclude;
    let terms = |keys: &[String], find: fn(&str) -> Option<&'static taxonomy::Term>| {
        keys.iter()
            .filter_map(|k| find(k))
            .map(|t| term(t.key, t.label))
            .collect::<Vec<_>>()
    };
    if let Some(keys) = &x.roles {
        i.exclusions.roles = terms(keys, taxonomy::role);
    }
    if let Some(keys) = &x.seniorities {
        i.exclusions.seniorities = terms(keys, taxonomy::seniority);
    }
    if let Some(keys) = &x.departments {
        i.exclusions.departments = terms(keys, taxonomy::department);
    }
    if let Some(keys) = &x.industries {
        i.exclusions.industries = keys
            .iter()
            .filter_map(|k| taxonomy::industry(k))
            .map(|t| term(t.key, t.label))
            .collect();
    }
    if let Some(states) = &x.states {
        i.exclusions.states = states.clone();
    }
    if let Some(cities) = &x.cities {
        i.exclusions.cities = cities.clone();
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
    if !query.email_status.is_empty() {
        i.filters.email_status = query
            .email_status
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
    }
    if query.has_phone.is_some() {
        i.filters.has_phone = query.has_phone;
    }
    Ok(i)
}

/// A search ready to run: what was understood, the criteria and the identities
/// used for cursors and dedupe. Serialisable, so an async job stores it and its
/// worker runs exactly what was understood at creation, never re-interpreting.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Prepared {
    pub interpretation: Interpretation,
    pub criteria: Criteria,
    /// Where deliveries under the dedupe token are recorded, when one is given.
    pub dedupe_digest: Option<String>,
    fingerprint: [u8; 16],
}

/// How a search runs, as the reference names it: on the taxonomy's bitmaps
/// alone, or with free words matched through the index too. Both are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchStrategy {
    Taxonomy,
    IndexedDynamic,
}

impl SearchStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchStrategy::Taxonomy => "taxonomy",
            SearchStrategy::IndexedDynamic => "indexed_dynamic",
        }
    }

    pub fn parse(value: &str) -> Option<SearchStrategy> {
        [SearchStrategy::Taxonomy, SearchStrategy::IndexedDynamic]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

impl Prepared {
    /// The strategy this search runs with.
    pub fn strategy(&self) -> SearchStrategy {
        if self.criteria.keywords.is_empty() && self.criteria.company_domains.is_empty() {
            SearchStrategy::Taxonomy
        } else {
            SearchStrategy::IndexedDynamic
        }
    }

    /// Refuses a cursor this search would refuse, before it runs.
    pub fn check_cursor(&self, codec: &CursorCodec, cursor: Option<&str>) -> Result<(), ApiError> {
        match cursor {
            Some(c) => codec
                .decode(&self.fingerprint, c)
                .map(drop)
                .map_err(cursor_error),
            None => Ok(()),
        }
    }
}

/// Validates and interprets a query against the words `index` knows; refuses one
/// in which nothing was understood. `scope` separates callers' dedupe tokens.
///
/// Explicit roles, seniorities and departments are refinements: they replace the
/// text's own field and intersect with the rest of what it asked ([`Criteria`]).
pub fn prepare(
    query: &PeopleQuery,
    scope: &str,
    index: &PeopleIndex,
) -> Result<Prepared, ApiError> {
    let text = known_keywords(interpret_text(query)?, index);
    let interpretation = with_overrides(text.clone(), query)?;
    if interpretation.is_empty() {
        return Err(ApiError::NotUnderstood(Box::new(interpretation)));
    }
    let mut criteria = Criteria::from_interpretation(&interpretation);
    // The who clause is the text's; explicit roles, seniorities and departments
    // refine it (the displayed interpretation shows them in its place).
    let who = Criteria::from_interpretation(&text);
    criteria.roles = who.roles;
    criteria.seniorities = who.seniorities;
    criteria.departments = who.departments;
    criteria.refine_roles = query.roles.clone();
    criteria.refine_seniorities = query.seniorities.clone();
    criteria.refine_departments = query.departments.clone();
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
    // Pages asked for without a cursor carry facets. An unrestricted search's
    // evaluation is the index's to keep (`results`): later pages and repeats
    // reuse it, facets included.
    let evaluated = if within.is_none() && delivered.is_empty() {
        index
            .results
            .get_or_evaluate(criteria.fingerprint(&[]), || {
                evaluate(index, &criteria, None, delivered, true)
            })
    } else {
        Arc::new(evaluate(
            index,
            &criteria,
            within,
            delivered,
            query.cursor.is_none(),
        ))
    };
    let total = evaluated.total;
    let tiers = &evaluated.tiers;
    let facets = match query.cursor {
        None => evaluated.facets.clone(),
        Some(_) => None,
    };
    let deliverable = max_records.map_or(total, |m| total.min(u64::from(m)));
    let remaining = max_records.map_or(u64::MAX, |m| {
        u64::from(m).saturating_sub(u64::from(from.delivered))
    });
    let limit = u64::from(query.limit).min(remaining) as usize;
    if query.page.is_some() || query.sort.key != SortKey::Relevance {
        // By page number, in relevance or a column's order, over what is deliverable.
        let offset = (query.page.unwrap_or(1).max(1) as usize - 1) * query.limit as usize;
        let take = (query.limit as usize).min((deliverable as usize).saturating_sub(offset));
        let ids = match (query.sort.key, max_records) {
            (SortKey::Relevance, _) => PeopleIndex::relevance_page(tiers, offset, take),
            (_, None) => index.sorted_page(&evaluated.matched(), query.sort, offset, take),
            (_, Some(max)) => {
                // "Give me 30 …": the 30 most relevant, in the column's order.
                let first: RoaringBitmap = tiers
                    .iter()
                    .flat_map(RoaringBitmap::iter)
                    .take(max as usize)
                    .collect();
                index.sorted_page(&first, query.sort, offset, take)
            }
        };
        return Ok(PeoplePage {
            pagination: Pagination {
                limit: query.limit,
                total_records: total,
                total_pages: deliverable.div_ceil(u64::from(query.limit.max(1))),
                next_cursor: None,
                max_records,
            },
            interpretation,
            ids,
            facets,
            dedupe_digest,
        });
    }
    let (ids, next) = if limit == 0 {
        (Vec::new(), None)
    } else {
        PeopleIndex::page(tiers, from, limit)
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

/// Evaluates `criteria` on `index`: the matching set less `delivered` (and within
/// `within`), in relevance tiers, with its facets when `with_facets`.
fn evaluate(
    index: &PeopleIndex,
    criteria: &Criteria,
    within: Option<&RoaringBitmap>,
    delivered: &RoaringBitmap,
    with_facets: bool,
) -> Evaluated {
    let restrict = |mut set: RoaringBitmap| {
        if let Some(within) = within {
            set &= within;
        }
        if !delivered.is_empty() {
            set -= delivered;
        }
        set
    };
    // The facets' bases share the matching's parts.
    let (matched, bases, shape) = if with_facets {
        let (matched, bases, shape) = index.matching_and_bases(criteria);
        (matched, Some(bases), shape)
    } else {
        (index.matching(criteria), None, None)
    };
    let unrestricted = within.is_none() && delivered.is_empty();
    // A restricted set is no longer one dimension's values.
    let shape = shape.filter(|_| unrestricted);
    let matched = restrict(matched);
    let facets = bases.map(|bases| {
        let bases = bases.map(|base| {
            base.map(|base| match (base, within, delivered.is_empty()) {
                (Base::All, None, true) => Base::All,
                (Base::All, Some(within), _) => Base::Set(restrict(within.clone())),
                (Base::All, None, false) => Base::Set(&index.all - delivered),
                (Base::Values(set, shape), _, _) if unrestricted => Base::Values(set, shape),
                (Base::Values(set, _) | Base::Set(set), _, _) => Base::Set(restrict(set)),
            })
        });
        index.facets(&matched, shape.as_ref(), &bases, within)
    });
    let total = matched.len();
    Evaluated {
        tiers: index.tiers(matched, criteria),
        total,
        facets,
    }
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
