//! What a quote, push or export is about, checked before anything is priced: the
//! customer's own live session (404/410 otherwise), the token's key, the customer's
//! effective settings and the action it asks for, and the people its selection
//! names. A selection never reaches past its session: ids must be among the
//! session's matches, refinements only narrow them (the session's criteria are
//! always applied), and the count the customer asked for ("give me 10 …") caps
//! `all_results` as it caps the pages.

use axum::http::{HeaderMap, HeaderValue};
use quarry_shared::prospecting::{AppliedFilters, Selection, SelectionMode};
use quarry_shared::ErrorCode;
use roaring::RoaringBitmap;

use super::people_query;
use crate::datasets::DataSet;
use crate::http::auth::EmbedAuth;
use crate::http::effective::SettingsLookup;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::partners::embed_keys::ResultAction;
use crate::partners::settings::Effective;
use crate::prospecting::pick::{pick, Answered, PickError};
use crate::search::index::PeopleIndex;
use crate::search::people::{self, PeopleQuery, Prepared};
use crate::store::{Customer, EmbedKey, ProspectSession, Purchase, PurchaseOrder, Purchased};

/// The customer's session, or 404/410.
pub(crate) async fn own_session(
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

/// The session's own filters, as stored when it started. Sessions stored before
/// states became a list hold `"location_state": "TX"`; they read as `["TX"]`. A
/// stored value that cannot be read is an error, never "no filters" (which would
/// widen the session to everyone).
pub(crate) fn session_filters(session: &ProspectSession) -> Result<AppliedFilters, ApiError> {
    let mut value: serde_json::Value = serde_json::from_str(&session.filters).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "session {} filters: {e}",
            session.search_id
        ))
    })?;
    if let Some(state) = value.get_mut("location_state") {
        if let Some(one) = state.as_str() {
            *state = serde_json::json!([one]);
        }
    }
    serde_json::from_value(value).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "session {} filters: {e}",
            session.search_id
        ))
    })
}

/// A session's search narrowed by refinements: the query to run (the refinements
/// over the session's own filters) and, when refinements change them, everyone the
/// session itself matches, which the answer never leaves.
pub(crate) struct Narrowed {
    pub query: PeopleQuery,
    pub filters: AppliedFilters,
    pub prepared: Prepared,
    /// Everyone the session itself matches.
    pub within: Option<RoaringBitmap>,
}

impl Narrowed {
    /// `session` narrowed by `refinements` (`prefix` names their field in
    /// errors), for a page of `limit` from `cursor`.
    pub(crate) fn new(
        index: &PeopleIndex,
        session: &ProspectSession,
        refinements: Option<&AppliedFilters>,
        prefix: &str,
        limit: u32,
        cursor: Option<String>,
    ) -> Result<Narrowed, ApiError> {
        let own = session_filters(session)?;
        let filters = refinements.map_or_else(|| own.clone(), |r| r.over(&own));
        let query = people_query(&session.q, &filters, prefix, limit, cursor)?;
        let prepared = people::prepare(&query, "", index)?;
        // Everyone the session matches, even on its own first page: the facets'
        // counts are taken inside it, so a value they show gives that count.
        let session_query = people_query(&session.q, &own, "filters", 1, None)?;
        let within = Some(index.matching(&people::prepare(&session_query, "", index)?.criteria));
        Ok(Narrowed {
            query,
            filters,
            prepared,
            within,
        })
    }
}

/// The token's embed key (its price per record and result settings).
pub(crate) async fn token_key(state: &AppState, auth: &EmbedAuth) -> Result<EmbedKey, ApiError> {
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

/// Who buys, with what, from which session: checked before the purchase begins.
pub(crate) struct Buyer {
    pub session: ProspectSession,
    pub key: EmbedKey,
    pub customer: Customer,
    /// The customer's settings merged over the key's.
    pub effective: Effective,
}

impl Buyer {
    /// The customer's session, the token's key and the customer, or why the
    /// customer may not `action` (403 `action_not_allowed`).
    pub(crate) async fn load(
        state: &AppState,
        auth: &EmbedAuth,
        search_id: &str,
        action: ResultAction,
        now: i64,
    ) -> Result<Buyer, ApiError> {
        let session = own_session(state, auth, search_id, now).await?;
        let key = token_key(state, auth).await?;
        let customer = state
            .store
            .customer(&auth.tenant, auth.customer_id())
            .await?
            .ok_or_else(|| ApiError::not_found("No such customer."))?;
        let effective = SettingsLookup::new(state, &auth.tenant)
            .effective_with(&customer, Some(&key))
            .await?;
        if action == ResultAction::PushEndpoint && effective.push_gone {
            return Err(ApiError::new(
                ErrorCode::DeliveryEndpointGone,
                "The app's delivery endpoint answered 410 Gone; nothing was bought. Its administrator must set the delivery URL again.",
            ));
        }
        if !effective.allows(action) {
            return Err(not_allowed(action));
        }
        Ok(Buyer {
            session,
            key,
            customer,
            effective,
        })
    }
}

fn not_allowed(action: ResultAction) -> ApiError {
    let what = match action {
        ResultAction::CsvExport => "CSV export is not enabled for this account.",
        ResultAction::PushEndpoint => "Pushing records is not set up for this account.",
    };
    ApiError::new(ErrorCode::ActionNotAllowed, what)
}

impl Buyer {
    /// Where a push goes: the effective delivery URL, when push is offered.
    pub(crate) fn push_url(&self) -> Result<String, ApiError> {
        match &self.effective.result_delivery_url {
            Some(url) if self.effective.allows(ResultAction::PushEndpoint) => Ok(url.clone()),
            _ => Err(not_allowed(ResultAction::PushEndpoint)),
        }
    }

    /// The people `selection` names in this buyer's session (see [`resolve`]); a
    /// selection that names nobody is refused, as there is nothing to buy.
    pub(crate) async fn people(
        &self,
        state: &AppState,
        data: &DataSet,
        auth: &EmbedAuth,
        selection: &Selection,
    ) -> Result<Vec<u32>, ApiError> {
        let ids = resolve(state, data, auth, &self.session, selection, Cap::Refuse)
            .await?
            .ids;
        if ids.is_empty() {
            return Err(ApiError::field(
                ErrorCode::InvalidBody,
                "body.selection_mode",
                "This selection names nobody: there is nothing to buy.",
            ));
        }
        Ok(ids)
    }

    /// Begins buying `ids` for the token's customer at the key's price: the
    /// refusal of the wallet (`402`, `403` for a suspended customer) comes back
    /// here, before anything is read or written.
    pub(crate) async fn begin_purchase(
        &self,
        state: &AppState,
        auth: &EmbedAuth,
        ids: &[u32],
        now: i64,
    ) -> Result<Purchase, ApiError> {
        state
            .store
            .begin_purchase(
                PurchaseOrder {
                    tenant: &auth.tenant,
                    customer_id: auth.customer_id(),
                    people: ids,
                    units_per_record: self.key.settings.credit_units_per_record,
                    user_id: auth.claims.uid.as_deref(),
                    search_id: Some(&self.session.search_id),
                },
                now,
            )
            .await?
            .map_err(super::refusal)
    }
}

/// Sets `x-credits-remaining` to what the wallet has left after `bought`, when it
/// keeps a balance.
pub(crate) fn insert_credits_remaining(headers: &mut HeaderMap, bought: &Purchased, now: i64) {
    if let Some(left) = bought.wallet.wallet.available(now) {
        headers.insert("x-credits-remaining", HeaderValue::from(left));
    }
}

/// Marks the session used after a purchase committed; a failure is logged, not
/// answered (the purchase stands, and its answer must be the committed one).
pub(crate) async fn touch_after_commit(state: &AppState, search_id: &str, now: i64) {
    if let Err(e) = state.store.touch_session(search_id, now).await {
        tracing::warn!(%search_id, error = %e, "could not mark the session used after a purchase");
    }
}

/// What to do with an `all_results` selection over the per-purchase cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cap {
    /// Refuse it (a purchase).
    Refuse,
    /// Take the first records up to the cap and say how many it had (a quote,
    /// which offers to buy the part that fits).
    Report,
}

/// The people of a selection, and how many it named when that was over the cap.
pub(crate) struct Resolved {
    pub ids: Vec<u32>,
    pub over_cap: Option<u64>,
}

/// The people a selection names, in selection order (`selected`, `page`) or the
/// session's result order (`all_results`), each once, and at most its `limit`.
pub(crate) async fn resolve(
    state: &AppState,
    data: &DataSet,
    auth: &EmbedAuth,
    session: &ProspectSession,
    selection: &Selection,
    over_cap: Cap,
) -> Result<Resolved, ApiError> {
    let index = data.search.index();
    let Narrowed {
        filters,
        prepared,
        within,
        ..
    } = Narrowed::new(
        &index,
        session,
        selection.applied_filters.as_ref(),
        "body.applied_filters",
        1,
        None,
    )?;
    let mut matched = index.matching(&prepared.criteria);
    if let Some(within) = &within {
        matched &= within;
    }
    if filters.net_new_only {
        matched -= state.store.owned_people(auth.customer_id()).await?;
        let data = state.data(auth.tenant.mode).await?;
        matched -= &*state
            .suppressed
            .of(&state.store, data, &index, auth.customer_id())
            .await?;
    }
    // What the session answers, in its order, up to the count it asked for.
    let in_order = |set: RoaringBitmap, most: usize| -> Vec<u32> {
        index
            .tiers(set, &prepared.criteria)
            .iter()
            .flat_map(RoaringBitmap::iter)
            .take(most)
            .collect()
    };
    // "Buy the N that fit": only the first `limit` of the selection.
    if selection.limit == Some(0) {
        return Err(ApiError::field(
            ErrorCode::InvalidBody,
            "body.limit",
            "limit is how many of the selection to take, from 1",
        ));
    }
    let limit = selection.limit.map(|n| n as usize);
    let all_results = selection.selection_mode == SelectionMode::AllResults;
    // Every result: at most the count the text asked for, and the limit. Ticked
    // rows are checked against every result and cut to the limit once picked.
    let most = prepared
        .interpretation
        .max_records
        .map(|m| m as usize)
        .into_iter()
        .chain(limit.filter(|_| all_results))
        .min();
    let answered = match most {
        Some(most) => Answered::Counted(in_order(matched, most)),
        None => Answered::Every(matched),
    };
    let given = selection.prospect_ids.as_deref().unwrap_or_default();
    let cap = state.config.max_selection_records;
    let picked = pick(
        selection.selection_mode,
        given,
        answered.clone(),
        cap,
        |set| in_order(set, usize::MAX),
    )
    .map(|mut ids| {
        if let Some(n) = limit {
            ids.truncate(n);
        }
        ids
    });
    let picked = match (picked, over_cap) {
        (Err(PickError::TooManyResults { count, cap }), Cap::Report) => {
            let first = match answered {
                Answered::Counted(mut ids) => {
                    ids.truncate(cap as usize);
                    ids
                }
                Answered::Every(set) => in_order(set, cap as usize),
            };
            return Ok(Resolved {
                ids: first,
                over_cap: Some(count),
            });
        }
        (picked, _) => picked,
    };
    picked
        .map(|ids| Resolved {
            ids,
            over_cap: None,
        })
        .map_err(|refused| {
            let code = match refused {
                PickError::TooManyNamed { .. } | PickError::TooManyResults { .. } => {
                    ErrorCode::SelectionTooLarge
                }
                PickError::NoneNamed | PickError::NotInSearch(_) => ErrorCode::InvalidBody,
            };
            ApiError::field(code, refused.field(), refused.to_string())
        })
}
