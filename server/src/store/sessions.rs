//! Prospecting sessions. Starting one counts a search session against the wallet
//! in the same transaction that stores it, so a blocked customer leaves no session
//! and no count behind; later pages and refinements only read it.

use sqlx::FromRow;

use super::customers::COLUMNS as CUSTOMER_COLUMNS;
use super::embed_keys::enum_text;
use super::wallets::{
    append_entries, entry_from, grant_from, load_wallet, EntryRow, GrantRow, SpendRefusal,
    ENTRIES_SQL, GRANTS_SQL, INSERT_ENTRY_SQL,
};
use super::{on_pool, on_tx, Backend, Store, StoreError};
use crate::partners::Tenant;
use crate::wallet::Entry;

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ProspectSession {
    pub search_id: String,
    pub partner_customer_id: String,
    pub embed_key_id: String,
    pub user_id: Option<String>,
    pub q: String,
    /// JSON of [`quarry_shared::prospecting::AppliedFilters`].
    pub filters: String,
    pub created_at: i64,
    pub last_used_at: i64,
}

impl Store {
    /// Counts one search session for the session's customer and stores the
    /// session, or refuses (suspended, or a session limit of an enforced wallet)
    /// and stores nothing.
    pub async fn start_session(
        &self,
        tenant: &Tenant,
        session: &ProspectSession,
        now: i64,
    ) -> Result<Result<(), SpendRefusal>, StoreError> {
        let postgres = self.backend() == Backend::Postgres;
        let (mut tx, _queued) = self.begin_write().await?;
        let customer_id = session.partner_customer_id.as_str();
        let done = on_tx!(&mut tx, t => {
            let Some(state) = load_wallet!((*t), tenant, customer_id, postgres, now) else {
                return Ok(Err(SpendRefusal::NotFound));
            };
            if let Err(blocked) = state.wallet.check_search(now) {
                return Ok(Err(SpendRefusal::Blocked(blocked)));
            }
            let entries = [Entry::search_session(now)];
            append_entries!((*t), customer_id, &entries, session.user_id.as_deref(), &session.search_id);
            sqlx::query(
                "insert into prospect_session (search_id, partner_customer_id, embed_key_id, user_id, q, \
                 filters, created_at, last_used_at) values ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(&session.search_id)
                .bind(customer_id)
                .bind(&session.embed_key_id)
                .bind(&session.user_id)
                .bind(&session.q)
                .bind(&session.filters)
                .bind(session.created_at)
                .bind(session.last_used_at)
                .execute(&mut **t)
                .await?;
            Ok(Ok(()))
        });
        tx.commit().await?;
        done
    }

    /// The customer's session `search_id` (another customer's is `None`).
    pub async fn session(
        &self,
        customer_id: &str,
        search_id: &str,
    ) -> Result<Option<ProspectSession>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "select search_id, partner_customer_id, embed_key_id, user_id, q, filters, created_at, last_used_at \
             from prospect_session where search_id = $1 and partner_customer_id = $2")
            .bind(search_id)
            .bind(customer_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Marks a session used at `now` (its idle time starts again).
    pub async fn touch_session(&self, search_id: &str, now: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "update prospect_session set last_used_at = $2 where search_id = $1 and last_used_at < $2")
            .bind(search_id)
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }
}
