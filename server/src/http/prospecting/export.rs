//! `POST /v1/prospecting/sessions/{id}/export`: buys the selection (all or
//! nothing, owned records free) and streams the full records as CSV in chunks, so
//! memory does not grow with the export. The answer carries a replay recipe (its
//! purchase), which `Idempotency-Key` keeps instead of the file: a replay renders
//! the same people again.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use quarry_shared::prospecting::Selection;
use quarry_shared::ErrorBody;

use super::selection::{insert_credits_remaining, touch_after_commit, Buyer};
use crate::datasets::DataSet;
use crate::http::auth::EmbedAuth;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::idempotency::Recipe;
use crate::http::AppState;
use crate::partners::embed_keys::ResultAction;
use crate::prospecting::csv_cells::neutralise;
use crate::prospecting::file_name::export_file_name;
use crate::prospecting::prospect_id;
use crate::store::{now_unix, PersonRow, Purchased};

/// Rows per chunk of a CSV export.
const EXPORT_CHUNK: usize = 5_000;

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

/// An optional cell, neutralised.
fn text(v: &Option<String>) -> std::borrow::Cow<'_, str> {
    v.as_deref().map(neutralise).unwrap_or_default()
}

/// CSV text of some stored people, every cell neutralised. Companies come from the
/// search index (the store only for companies imported since it was built); cells
/// are written from the rows without building API records.
async fn csv_chunk(
    data: &DataSet,
    header: bool,
    rows: Vec<PersonRow>,
) -> Result<Bytes, csv::Error> {
    let companies = data
        .companies_of(&rows)
        .await
        .map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
    let mut out = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 320 + 512));
    if header {
        out.write_record(CSV_COLUMNS)?;
    }
    for row in &rows {
        let Some(id) = u32::try_from(row.id).ok() else {
            continue;
        };
        let Some(company) = companies.get(&row.person.company_id) else {
            continue;
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

/// The CSV of `ids` in order, streamed: two chunks in flight (the next is read
/// while this one is written out), so memory holds at most two chunks whatever
/// the export's size.
pub(crate) fn csv_body(data: DataSet, ids: Vec<u32>) -> Body {
    let chunks: Vec<Vec<u32>> = ids.chunks(EXPORT_CHUNK).map(<[u32]>::to_vec).collect();
    let header_data = data.clone();
    let header_row =
        futures::stream::once(async move { csv_chunk(&header_data, true, Vec::new()).await });
    let rows = futures::stream::iter(chunks)
        .map(move |chunk: Vec<u32>| {
            let data = data.clone();
            async move {
                let rows = data
                    .store
                    .people_by_ids(&chunk)
                    .await
                    .map_err(|e| csv::Error::from(std::io::Error::other(e)))?;
                csv_chunk(&data, false, rows).await
            }
        })
        .buffered(2);
    let body = header_row.chain(rows).map(|chunk| {
        chunk.map_err(|e| {
            tracing::error!(error = %e, "CSV export stream failed");
            std::io::Error::other(e)
        })
    });
    Body::from_stream(body)
}

/// The headers of an export downloading as `file_name`, bought by `bought` at `now` (the
/// counts and the credits left).
fn export_headers(file_name: &str, bought: &Purchased, now: i64) -> HeaderMap {
    let exported = bought.net_new.len() + bought.already_owned.len();
    let (net_new, owned) = (bought.net_new.len(), bought.already_owned.len());
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        header_value(format!("attachment; filename=\"{file_name}\"")),
    );
    headers.insert("x-exported-records", header_value(exported));
    headers.insert("x-net-new-billable-records", header_value(net_new));
    headers.insert("x-already-purchased-records", header_value(owned));
    insert_credits_remaining(&mut headers, bought, now);
    headers
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
        (status = 404, description = "No such session for this customer", body = ErrorBody),
        (status = 410, description = "The session expired; start a new search", body = ErrorBody),
        (status = 401, description = "Missing, expired or invalid embed token, or revoked embed key", body = ErrorBody),
        (status = 429, description = "Too many requests for this customer in the current minute; see retry-after", body = ErrorBody)))]
pub async fn export_selection(
    auth: EmbedAuth,
    State(state): State<AppState>,
    Path(search_id): Path<String>,
    Json(selection): Json<Selection>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let buyer = Buyer::load(&state, &auth, &search_id, ResultAction::CsvExport, now).await?;
    let data = state.data(auth.tenant.mode).await?;
    let ids = buyer.people(&state, data, &auth, &selection).await?;
    let purchase = buyer.begin_purchase(&state, &auth, &ids, now).await?;
    let bought = purchase.commit().await?;
    // Committed: nothing after this may turn the answer into an error.
    touch_after_commit(&state, &buyer.session.search_id, now).await;
    let file_name = export_file_name(&buyer.session.q, now);
    let headers = export_headers(&file_name, &bought, now);
    let mut response = (StatusCode::OK, headers, csv_body(data.clone(), ids)).into_response();
    response.extensions_mut().insert(Recipe::Export {
        purchase_id: bought.purchase_id,
    });
    Ok(response)
}

/// An export again, from its purchase (an `Idempotency-Key` replay): the same
/// people in the same order with the first answer's headers; nothing is bought.
pub(crate) async fn replay(
    state: &AppState,
    auth: &EmbedAuth,
    purchase_id: &str,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ids = state
        .store
        .purchase_people(&auth.tenant, auth.customer_id(), purchase_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The purchase this answer was made from is gone."))?;
    let data = state.data(auth.tenant.mode).await?;
    Ok((StatusCode::OK, headers, csv_body(data.clone(), ids)).into_response())
}
