//! Quote and CSV export of a session's selection. A selection resolves to people of
//! the session (ids outside it are refused by name, `all_results` is capped); the
//! quote prices it without writing; the export buys it (all or nothing, owned
//! records free) and streams the full records as CSV in chunks, so memory does not
//! grow with the export.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use quarry_shared::prospecting::{AppliedFilters, Quote, Selection, SelectionMode};
use quarry_shared::{ErrorBody, ErrorCode};
use roaring::RoaringBitmap;

use super::{people_query, refusal};
use crate::http::auth::EmbedAuth;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::AppState;
use crate::partners::customers::{effective_actions, CustomerStatus};
use crate::partners::embed_keys::ResultAction;
use crate::prospecting::csv_cells::neutralise;
use crate::prospecting::prospect_id;
use crate::records::Company;
use crate::search::people;
use crate::store::{
    now_unix, BuyOutcome, BuyRequest, Customer, EmbedKey, PersonRow, ProspectSession,
};
use crate::wallet::{self, plan_spend, Blocked};

/// Rows per chunk of a CSV export.
const EXPORT_CHUNK: usize = 5_000;
/// Offending ids named in an error message.
const NAMED: usize = 10;

/// The CSV columns, as in the reference.
pub const CSV_COLUMNS: [&str; 19] = [
    "prospect_id",
    "person_id",
    "first_name",
    "last_name",
    "job_title",
    "business_email",
    "mobile_phone",
    "linkedin_url",
    "company_name",
    "company_domain",
    "company_phone",
    "company_linkedin_url",
    "company_revenue",
    "company_employee_count",
    "company_industry",
    "company_sic",
    "company_naics",
    "company_city",
    "company_state",
];

/// The customer's session, or 404/410.
pub(super) async fn own_session(
    state: &AppState,
    auth: &EmbedAuth,
    search_id: &str,
    now: i64,
) -> Result<ProspectSession, ApiError> {
    let session = state
        .store
        .session(auth.customer_id(), search_id)
        .await?
        .ok_or_else(|| ApiError::not_found("No such search session."))?;
    let idle = i64::try_from(state.config.session_idle_secs).unwrap_or(i64::MAX);
    if now.saturating_sub(session.last_used_at) > idle {
        return Err(ApiError::new(
            ErrorCode::SessionExpired,
            "This search session expired after being idle; start a new search.",
        ));
    }
    Ok(session)
}

fn named(ids: &[&str]) -> String {
    let mut text = ids
        .iter()
        .take(NAMED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > NAMED {
        text.push_str(&format!(" and {} more", ids.len() - NAMED));
    }
    text
}

/// The people a selection names, in selection order, each once.
pub(super) async fn resolve(
    state: &AppState,
    auth: &EmbedAuth,
    session: &ProspectSession,
    selection: &Selection,
) -> Result<Vec<u32>, ApiError> {
    let filters: AppliedFilters = match &selection.applied_filters {
        Some(f) => f.clone(),
        None => serde_json::from_str(&session.filters).unwrap_or_default(),
    };
    let query = people_query(&session.q, &filters, "body.applied_filters", 1, None)?;
    let criteria = people::prepare(&query, "")?.criteria;
    let mut matched = state.search.index().matching(&criteria);
    let cap = state.config.max_selection_records;
    match selection.selection_mode {
        SelectionMode::Selected | SelectionMode::Page => {
            let given = selection.prospect_ids.as_deref().unwrap_or_default();
            if given.is_empty() {
                return Err(ApiError::field(
                    ErrorCode::InvalidBody,
                    "body.prospect_ids",
                    "prospect_ids must list the previews to buy for selection_mode selected or page",
                ));
            }
            if given.len() > cap as usize {
                return Err(ApiError::field(
                    ErrorCode::SelectionTooLarge,
                    "body.prospect_ids",
                    format!("At most {cap} prospect_ids per request."),
                ));
            }
            let mut ids = Vec::with_capacity(given.len());
            let mut seen = RoaringBitmap::new();
            let mut outside: Vec<&str> = Vec::new();
            for raw in given {
                match prospect_id::decode(raw) {
                    Some(id) if matched.contains(id) => {
                        if seen.insert(id) {
                            ids.push(id);
                        }
                    }
                    _ => outside.push(raw),
                }
            }
            if !outside.is_empty() {
                return Err(ApiError::field(
                    ErrorCode::InvalidBody,
                    "body.prospect_ids",
                    format!("Not in this search: {}.", named(&outside)),
                ));
            }
            Ok(ids)
        }
        SelectionMode::AllResults => {
            if filters.net_new_only {
                matched -= state.store.owned_people(auth.customer_id()).await?;
            }
            if matched.len() > u64::from(cap) {
                return Err(ApiError::field(
                    ErrorCode::SelectionTooLarge,
                    "body.selection_mode",
                    format!(
                        "This search matches {} records; one purchase holds at most {cap}. Narrow it with filters.",
                        matched.len()
                    ),
                ));
            }
            Ok(matched.iter().collect())
        }
    }
}

/// The embed key of the token (its price per record and delivery settings).
pub(super) async fn token_key(state: &AppState, auth: &EmbedAuth) -> Result<EmbedKey, ApiError> {
    state
        .store
        .embed_key(&auth.tenant, &auth.claims.ekid)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::EmbedKeyRevoked,
                "The embed key of this session is gone.",
            )
        })
}

/// What a purchase route works with, once the customer may use its action.
pub(super) struct Purchase {
    pub session: ProspectSession,
    pub key: EmbedKey,
    pub customer: Customer,
}

/// The customer's session, the token's key and the customer, or why the
/// customer may not `action` (403 `action_not_allowed`).
pub(super) async fn prepare_purchase(
    state: &AppState,
    auth: &EmbedAuth,
    search_id: &str,
    action: ResultAction,
    now: i64,
) -> Result<Purchase, ApiError> {
    let session = own_session(state, auth, search_id, now).await?;
    let key = token_key(state, auth).await?;
    let customer = state
        .store
        .customer(&auth.tenant, auth.customer_id())
        .await?
        .ok_or_else(|| ApiError::not_found("No such customer."))?;
    let actions = effective_actions(&customer.settings, Some(&key.settings));
    if !actions.iter().any(|(a, _)| *a == action) {
        let what = match action {
            ResultAction::CsvExport => "CSV export is not enabled for this account.",
            ResultAction::PushEndpoint => "Pushing records is not set up for this account.",
        };
        return Err(ApiError::new(ErrorCode::ActionNotAllowed, what));
    }
    Ok(Purchase {
        session,
        key,
        customer,
    })
}

/// `x-credits-remaining` after a purchase, when the wallet has a finite balance.
pub(super) fn credits_remaining(bought: &BuyOutcome, now: i64) -> Option<HeaderValue> {
    let s = &bought.wallet.customer.settings;
    wallet::summary(
        &bought.wallet.grants,
        &bought.wallet.entries,
        s.credit_enforcement_mode,
        s.credit_reset_policy,
        &s.limits,
        false,
        now,
    )
    .available_credit_units
    .and_then(|left| HeaderValue::from_str(&left.to_string()).ok())
}

/// Prices a selection: what it would cost and whether the wallet allows it.
#[utoipa::path(post, path = "/v1/prospecting/sessions/{search_id}/quote", tag = "prospecting",
    security(("embed_token" = [])), params(("search_id" = String, Path, description = "Session id")),
    request_body = Selection,
    responses(
        (status = 200, description = "The price; nothing changes", body = Quote),
        (status = 400, description = "Invalid selection (ids outside the session are named)", body = ErrorBody),
        (status = 404, description = "No such session for this customer", body = ErrorBody)))]
pub async fn quote_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<axum::Json<Quote>, ApiError> {
    let now = now_unix();
    let session = own_session(&state, &auth, &search_id, now).await?;
    let ids = resolve(&state, &auth, &session, &selection).await?;
    let key = token_key(&state, &auth).await?;
    let owned = state.store.owned_among(auth.customer_id(), &ids).await?;
    let net_new = ids.len() - owned.len();
    let records = i64::try_from(net_new).unwrap_or(i64::MAX);
    let units = records.saturating_mul(key.settings.credit_units_per_record);
    let wallet = state
        .store
        .wallet(&auth.tenant, auth.customer_id(), now)
        .await?
        .ok_or_else(|| ApiError::not_found("No such customer."))?;
    let s = &wallet.customer.settings;
    let suspended = s.status == CustomerStatus::Suspended;
    let summary = wallet::summary(
        &wallet.grants,
        &wallet.entries,
        s.credit_enforcement_mode,
        s.credit_reset_policy,
        &s.limits,
        suspended,
        now,
    );
    let verdict = if suspended {
        Err(Blocked::CustomerSuspended)
    } else {
        plan_spend(
            &wallet.grants,
            &wallet.entries,
            s.credit_enforcement_mode,
            s.credit_reset_policy,
            &s.limits,
            now,
            units,
            records,
        )
        .map(drop)
    };
    Ok(axum::Json(Quote {
        records: ids.len() as u64,
        net_new_billable_records: net_new as u64,
        already_purchased_records: owned.len() as u64,
        credit_units: units,
        available_credit_units: summary.available_credit_units,
        allowed: verdict.is_ok(),
        block_reason: verdict.err().map(|b| b.reason().to_owned()),
    }))
}

/// An optional cell, neutralised.
fn text(v: &Option<String>) -> std::borrow::Cow<'_, str> {
    v.as_deref().map(neutralise).unwrap_or_default()
}

/// CSV text of some stored people, every cell neutralised. Companies come from the
/// search index (the store only for companies imported since it was built); cells
/// are written from the rows without building API records.
async fn csv_chunk(
    state: &AppState,
    header: bool,
    rows: Vec<PersonRow>,
) -> Result<Bytes, csv::Error> {
    let index = state.search.index();
    let missing: Vec<String> = rows
        .iter()
        .filter(|r| !index.company_by_id.contains_key(&r.person.company_id))
        .map(|r| r.person.company_id.clone())
        .collect();
    let fetched: HashMap<String, Company> = if missing.is_empty() {
        HashMap::new()
    } else {
        state
            .store
            .companies_by_ids(&missing)
            .await
            .map_err(|e| csv::Error::from(std::io::Error::other(e)))?
            .into_iter()
            .map(|c| (c.company_id.clone(), c))
            .collect()
    };
    let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 320 + 512));
    if header {
        out.write_record(CSV_COLUMNS)?;
    }
    for row in &rows {
        let Some(id) = u32::try_from(row.id).ok() else {
            continue;
        };
        let company = match index.company_by_id.get(&row.person.company_id) {
            Some(&ix) => &index.companies[ix as usize].record,
            None => match fetched.get(&row.person.company_id) {
                Some(c) => c,
                None => continue,
            },
        };
        let p = &row.person;
        let prospect = prospect_id::encode(id);
        let revenue = company.revenue.map(|n| n.to_string()).unwrap_or_default();
        let employees = company
            .employee_count
            .map(|n| n.to_string())
            .unwrap_or_default();
        out.write_record(
            [
                neutralise(&prospect),
                neutralise(&p.person_id),
                neutralise(&p.first_name),
                neutralise(&p.last_name),
                neutralise(&p.job_title),
                text(&p.business_email),
                text(&p.mobile_phone),
                text(&p.linkedin_url),
                neutralise(&company.name),
                neutralise(&company.domain),
                text(&company.phone),
                text(&company.linkedin_url),
                neutralise(&revenue),
                neutralise(&employees),
                text(&company.industry),
                text(&company.sic),
                text(&company.naics),
                text(&company.city),
                text(&company.state),
            ]
            .iter()
            .map(|c| c.as_bytes()),
        )?;
    }
    out.into_inner()
        .map(Bytes::from)
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn header_value(value: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&value.to_string()).unwrap_or(HeaderValue::from_static("0"))
}

/// Buys the selection and streams the full records as CSV.
#[utoipa::path(post, path = "/v1/prospecting/sessions/{search_id}/export", tag = "prospecting",
    security(("embed_token" = [])), params(("search_id" = String, Path, description = "Session id")),
    request_body = Selection,
    responses(
        (status = 200, description = "text/csv with x-exported-records, x-net-new-billable-records, x-already-purchased-records", content_type = "text/csv"),
        (status = 400, description = "Invalid selection", body = ErrorBody),
        (status = 402, description = "The wallet cannot cover the net-new records; nothing was bought", body = ErrorBody),
        (status = 403, description = "CSV export is not enabled for this customer, or the customer is suspended", body = ErrorBody),
        (status = 404, description = "No such session for this customer", body = ErrorBody)))]
pub async fn export_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let Purchase { session, key, .. } =
        prepare_purchase(&state, &auth, &search_id, ResultAction::CsvExport, now).await?;
    let ids = resolve(&state, &auth, &session, &selection).await?;
    let bought = state
        .store
        .buy(
            &auth.tenant,
            auth.customer_id(),
            BuyRequest {
                people: &ids,
                units_per_record: key.settings.credit_units_per_record,
                user_id: auth.claims.uid.as_deref(),
                search_id: Some(&session.search_id),
                delivery: None,
            },
            now,
        )
        .await?
        .map_err(refusal)?;
    state.store.touch_session(&session.search_id, now).await?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        header_value(format!(
            "attachment; filename=\"prospecting-{}.csv\"",
            session.search_id
        )),
    );
    headers.insert("x-exported-records", header_value(ids.len()));
    headers.insert(
        "x-net-new-billable-records",
        header_value(bought.net_new.len()),
    );
    headers.insert(
        "x-already-purchased-records",
        header_value(bought.already_owned.len()),
    );
    if let Some(left) = credits_remaining(&bought, now) {
        headers.insert("x-credits-remaining", left);
    }
    let chunks: Vec<Vec<u32>> = ids.chunks(EXPORT_CHUNK).map(<[u32]>::to_vec).collect();
    let stream_state = state.clone();
    let header_state = state.clone();
    let header_row =
        futures::stream::once(async move { csv_chunk(&header_state, true, Vec::new()).await });
    // Two chunks in flight: the next is read while this one is written out. The
    // order is kept, and memory holds at most two chunks whatever the export size.
    let rows = futures::stream::iter(chunks)
        .map(move |chunk: Vec<u32>| {
            let state = stream_state.clone();
            async move {
                let rows = state
                    .store
                    .people_by_ids(&chunk)
                    .await
                    .map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
                csv_chunk(&state, false, rows).await
            }
        })
        .buffered(2);
    let body = header_row.chain(rows).map(|chunk| {
        chunk.map_err(|e| {
            tracing::error!(error = %e, "CSV export stream failed");
            std::io::Error::other(e)
        })
    });
    Ok((StatusCode::OK, headers, Body::from_stream(body)).into_response())
}
