//! The widget's only HTTP code: the prospecting routes with the embed token. Every
//! call returns `Result` with the server's decoded error envelope (code, message,
//! request id), so screens can explain failures. A token the server refuses
//! (`token_expired` after a sleeping laptop wakes, a rotated secret) is renewed
//! through the loader and the call is retried once, so the person never sees a
//! "session expired" wall.

use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::*;
use quarry_shared::prospecting::{
    AppliedFilters, ExportResult, PushResult, Quote, Selection, SessionPage, StartSession,
};
use quarry_shared::wallet::WalletView;
use quarry_shared::ErrorBody;
use serde::de::DeserializeOwned;

use crate::bridge::{self, Link};
use crate::state::View;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server answered with the error envelope.
    Api(Box<ErrorBody>),
    /// No answer (offline, blocked) or an answer that is not the envelope.
    Network(String),
}

impl ApiFailure {
    /// The stable error code, when the server gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiFailure::Api(body) => Some(&body.error.code),
            ApiFailure::Network(_) => None,
        }
    }

    /// The request id to quote to support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiFailure::Api(body) => Some(&body.error.request_id),
            ApiFailure::Network(_) => None,
        }
    }

    /// Whether trying the same request again can help.
    pub fn retryable(&self) -> bool {
        match self {
            ApiFailure::Api(body) => {
                quarry_shared::ErrorCode::parse(&body.error.code).is_none_or(|c| c.retryable())
            }
            ApiFailure::Network(_) => true,
        }
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            ApiFailure::Api(body) => {
                let reason = body.block_reason.as_deref().unwrap_or(&body.error.code);
                match quarry_shared::present::known_block_reason(reason) {
                    Some(words) => words.to_owned(),
                    None => body.error.message.clone(),
                }
            }
            ApiFailure::Network(_) => {
                if is_offline() {
                    "You're offline. Reconnect and try again.".to_owned()
                } else {
                    "Quarry could not be reached. Try again in a moment.".to_owned()
                }
            }
        }
    }

    /// The envelope as JSON, for the partner page's `onError`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            ApiFailure::Api(body) => serde_json::json!({
                "code": body.error.code,
                "message": body.error.message,
                "request_id": body.error.request_id,
            }),
            ApiFailure::Network(e) => serde_json::json!({"code": "network", "message": e}),
        }
    }
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiFailure {}

/// Whether the browser says it is offline.
pub fn is_offline() -> bool {
    !window().navigator().on_line()
}

fn network(e: impl ToString) -> ApiFailure {
    ApiFailure::Network(e.to_string())
}

async fn failure(response: Response) -> ApiFailure {
    let status = response.status();
    match response.json::<ErrorBody>().await {
        Ok(body) => ApiFailure::Api(Box::new(body)),
        Err(_) => ApiFailure::Network(format!("unexpected HTTP status {status}")),
    }
}

/// Sends `build(token)`; on a refused token gets a new one and tries once more.
async fn send(
    link: RwSignal<Link>,
    build: impl Fn(&str) -> Result<Request, gloo_net::Error>,
) -> Result<Response, ApiFailure> {
    let mut token = bridge::token().await;
    for attempt in 0..2 {
        let response = build(&token)
            .map_err(network)?
            .send()
            .await
            .map_err(network)?;
        if response.ok() {
            if matches!(link.get_untracked(), Link::Renewing) {
                link.set(Link::Ready);
            }
            return Ok(response);
        }
        let failure = failure(response).await;
        let refused = failure.code().is_some_and(|c| c.starts_with("token_"));
        if refused && attempt == 0 {
            token = bridge::renewed_token(&token, link).await;
            continue;
        }
        return Err(failure);
    }
    unreachable!("the loop returns on its second attempt")
}

async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiFailure> {
    response.json::<T>().await.map_err(network)
}

fn authed(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("authorization", &format!("Bearer {token}"))
}

/// `POST /v1/prospecting/sessions`: a new search (counts one search session).
pub async fn start_session(
    link: RwSignal<Link>,
    body: &StartSession,
) -> Result<SessionPage, ApiFailure> {
    let response = send(link, |t| {
        authed(Request::post("/v1/prospecting/sessions"), t).json(body)
    })
    .await?;
    json(response).await
}

/// `GET /v1/prospecting/sessions/{id}`: page `view.page` of the session in
/// `view.sort` order, refined by `filters`.
pub async fn session_page(
    link: RwSignal<Link>,
    search_id: &str,
    filters: &AppliedFilters,
    view: View,
) -> Result<SessionPage, ApiFailure> {
    let filters = serde_json::to_string(filters).unwrap_or_else(|_| "{}".into());
    let params = [
        ("applied_filters", filters),
        ("limit", view.page_size.to_string()),
        ("page", view.page.to_string()),
        ("sort", view.sort.as_param()),
    ];
    let url = format!("/v1/prospecting/sessions/{}", urlencode(search_id));
    let response = send(link, |t| {
        authed(Request::get(&url), t)
            .query(params.iter().map(|(k, v)| (*k, v.as_str())))
            .build()
    })
    .await?;
    json(response).await
}

/// `POST …/quote`: what buying the selection would cost; changes nothing.
pub async fn quote(
    link: RwSignal<Link>,
    search_id: &str,
    selection: &Selection,
) -> Result<Quote, ApiFailure> {
    let url = format!("/v1/prospecting/sessions/{}/quote", urlencode(search_id));
    let response = send(link, |t| authed(Request::post(&url), t).json(selection)).await?;
    json(response).await
}

/// `POST …/push`: buys the selection and delivers it to the partner.
pub async fn push(
    link: RwSignal<Link>,
    search_id: &str,
    selection: &Selection,
    idempotency_key: &str,
) -> Result<PushResult, ApiFailure> {
    let url = format!("/v1/prospecting/sessions/{}/push", urlencode(search_id));
    let response = send(link, |t| {
        authed(Request::post(&url), t)
            .header("idempotency-key", idempotency_key)
            .json(selection)
    })
    .await?;
    json(response).await
}

/// `POST …/export`: buys the selection and returns the CSV bytes with what the
/// headers say about them. No idempotency key: it would make the server buffer
/// the stream, and exporting again is free anyway (owned records cost nothing).
pub async fn export(
    link: RwSignal<Link>,
    search_id: &str,
    selection: &Selection,
) -> Result<(ExportResult, Vec<u8>), ApiFailure> {
    let url = format!("/v1/prospecting/sessions/{}/export", urlencode(search_id));
    let response = send(link, |t| authed(Request::post(&url), t).json(selection)).await?;
    let headers = response.headers();
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let result = ExportResult {
        search_id: search_id.to_owned(),
        filename: headers
            .get("content-disposition")
            .and_then(|v| filename(&v))
            .unwrap_or_else(|| "quarry-export.csv".to_owned()),
        exported_records: number("x-exported-records"),
        net_new_billable_records: number("x-net-new-billable-records"),
        already_purchased_records: number("x-already-purchased-records"),
    };
    let bytes = response.binary().await.map_err(network)?;
    Ok((result, bytes))
}

/// `POST /v1/prospecting/data-flags`: reports a bad record (credited back once
/// when bought in the last 30 days).
pub async fn flag(
    link: RwSignal<Link>,
    report: &quarry_shared::prospecting::FlagReport,
) -> Result<quarry_shared::prospecting::FlagAnswer, ApiFailure> {
    let response = send(link, |t| {
        authed(Request::post("/v1/prospecting/data-flags"), t).json(report)
    })
    .await?;
    json(response).await
}

/// `GET /v1/prospecting/saved-searches`: the customer's saved searches.
pub async fn saved_searches(
    link: RwSignal<Link>,
) -> Result<Vec<quarry_shared::prospecting::SavedSearchView>, ApiFailure> {
    #[derive(serde::Deserialize)]
    struct List {
        data: Vec<quarry_shared::prospecting::SavedSearchView>,
    }
    let response = send(link, |t| {
        authed(Request::get("/v1/prospecting/saved-searches"), t).build()
    })
    .await?;
    Ok(json::<List>(response).await?.data)
}

/// `POST /v1/prospecting/saved-searches`: saves the search on screen.
pub async fn save_search(
    link: RwSignal<Link>,
    body: &quarry_shared::prospecting::SaveSearch,
) -> Result<quarry_shared::prospecting::SavedSearchView, ApiFailure> {
    let response = send(link, |t| {
        authed(Request::post("/v1/prospecting/saved-searches"), t).json(body)
    })
    .await?;
    json(response).await
}

/// `POST …/saved-searches/{id}/seen` (after running it) or `DELETE …/{id}`.
pub async fn saved_search_action(
    link: RwSignal<Link>,
    id: &str,
    delete: bool,
) -> Result<(), ApiFailure> {
    let url = format!("/v1/prospecting/saved-searches/{}", urlencode(id));
    send(link, |t| {
        if delete {
            authed(Request::delete(&url), t).build()
        } else {
            authed(Request::post(&format!("{url}/seen")), t).build()
        }
    })
    .await?;
    Ok(())
}

/// `GET /v1/prospecting/wallet`: the token's customer wallet.
pub async fn wallet(link: RwSignal<Link>) -> Result<WalletView, ApiFailure> {
    let response = send(link, |t| {
        authed(Request::get("/v1/prospecting/wallet"), t).build()
    })
    .await?;
    json(response).await
}

/// `attachment; filename="x.csv"` → `x.csv` (only a plain, safe file name).
fn filename(disposition: &str) -> Option<String> {
    let start = disposition.find("filename=")? + "filename=".len();
    let name = disposition[start..]
        .split(';')
        .next()?
        .trim()
        .trim_matches('"');
    let safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    safe.then(|| name.to_owned())
}

fn urlencode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
