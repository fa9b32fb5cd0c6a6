//! What a quote, push or export is about, checked before anything is priced: the
//! customer's own live session (404/410 otherwise), the token's key, the customer's
//! effective settings and the action it asks for, and the people its selection
//! names. A selection never reaches past its session: ids must be among the
//! session's matches, refinements only narrow them (the session's criteria are
//! always applied), and the count the customer asked for ("give me 10 …") caps
//! `all_results` as it caps the pages.

use quarry_shared::prospecting::{AppliedFilters, Selection};
use quarry_shared::ErrorCode;
use roaring::RoaringBitmap;

use super::people_query;
use crate::datasets::DataSet;
use crate::http::auth::EmbedAuth;
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::partners::embed_keys::ResultAction;
use crate::partners::settings::Effective;
use crate::prospecting::pick::{pick, Answered, PickError};
use crate::search::index::PeopleIndex;
use crate::search::people::{self, PeopleQuery, Prepared};
use crate::store::{Customer, EmbedKey, ProspectSession, Purchase, PurchaseOrder};

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

/// The session's own filters, as stored when it started.
pub(crate) fn session_filters(session: &ProspectSession) -> AppliedFilters {
    serde_json::from_str(&session.filters).unwrap_or_default()
}

/// A session's search narrowed by refinements: the query to run (the refinements
/// over the session's own filters) and everyone the session itself matches, which
/// the answer never leaves.
pub(crate) struct Narrowed {
    pub query: PeopleQuery,
    pub filters: AppliedFilters,
    pub prepared: Prepared,
    pub within: RoaringBitmap,
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
        let own = session_filters(session);
        let session_query = people_query(&session.q, &own, "filters", 1, None)?;
        let within = index.matching(&people::prepare(&session_query, "")?.criteria);
        let filters = refinements.map_or_else(|| own.clone(), |r| r.over(&own));
        let query = people_query(&session.q, &filters, prefix, limit, cursor)?;
        let prepared = people::prepare(&query, "")?;
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
        let effective = Effective::merge(
            &customer.settings.wallet,
            &customer.settings.results,
            Some(&key.settings.results),
            false,
        );
        if !effective.allows(action) {
            let what = match action {
                ResultAction::CsvExport => "CSV export is not enabled for this account.",
                ResultAction::PushEndpoint => "Pushing records is not set up for this account.",
            };
            return Err(ApiError::new(ErrorCode::ActionNotAllowed, what));
        }
        Ok(Buyer {
            session,
            key,
            customer,
            effective,
        })
    }
}

impl Buyer {
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

/// Marks the session used after a purchase committed; a failure is logged, not
/// answered (the purchase stands, and its answer must be the committed one).
pub(crate) async fn touch_after_commit(state: &AppState, search_id: &str, now: i64) {
    if let Err(e) = state.store.touch_session(search_id, now).await {
        tracing::warn!(%search_id, error = %e, "could not mark the session used after a purchase");
    }
}

/// The people a selection names, in selection order (`selected`, `page`) or the
/// session's result order (`all_results`), each once.
pub(crate) async fn resolve(
    state: &AppState,
    data: &DataSet,
    auth: &EmbedAuth,
    session: &ProspectSession,
    selection: &Selection,
) -> Result<Vec<u32>, ApiError> {
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
    matched &= &within;
    if filters.net_new_only {
        matched -= state.store.owned_people(auth.customer_id()).await?;
    }
    // What the session answers, in its order, up to the count it asked for.
    let answered = match prepared.interpretation.max_records {
        Some(max) => Answered::Counted(
            index
                .tiers(matched, &prepared.criteria)
                .iter()
                .flat_map(RoaringBitmap::iter)
                .take(max as usize)
                .collect(),
        ),
        None => Answered::Every(matched),
    };
    let given = selection.prospect_ids.as_deref().unwrap_or_default();
    pick(
        selection.selection_mode,
        given,
        answered,
        state.config.max_selection_records,
        |set| {
            index
                .tiers(set, &prepared.criteria)
                .iter()
                .flat_map(RoaringBitmap::iter)
                .collect()
        },
    )
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
