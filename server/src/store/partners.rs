//! Partner accounts and their secret API keys. Keys are found by their visible
//! prefix and confirmed by comparing SHA-256 digests in constant time; revoking or
//! expiring a key takes effect within a second on every replica (the gate caches
//! keys until the change feed says they changed: `http::access`).

use sqlx::FromRow;

use super::{on_pool, Store, StoreError};
use crate::partners::ids::{constant_time_eq, new_id, new_sorted_id};
use crate::partners::keys::{scopes_from_string, scopes_to_string, IssuedKey, Presented, Scope};
use crate::partners::{Mode, Partner, Tenant};

/// A stored secret key (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub key_id: String,
    pub partner_id: String,
    pub mode: Mode,
    pub label: Option<String>,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ApiKey {
    /// Usable at `now`: neither revoked nor past a rotation grace period.
    pub fn is_usable(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }

    /// The tenant this key acts for.
    pub fn tenant(&self) -> Tenant {
        Tenant {
            partner_id: self.partner_id.clone(),
            mode: self.mode,
        }
    }
}

#[derive(FromRow)]
struct ApiKeyRow {
    key_id: String,
    partner_id: String,
    mode: String,
    label: Option<String>,
    prefix: String,
    secret_hash: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl ApiKeyRow {
    fn into_key(self) -> Result<ApiKey, StoreError> {
        Ok(ApiKey {
            mode: parse_mode(&self.mode)?,
            key_id: self.key_id,
            partner_id: self.partner_id,
            label: self.label,
            prefix: self.prefix,
            scopes: scopes_from_string(&self.scopes),
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        })
    }
}

pub(super) fn parse_mode(value: &str) -> Result<Mode, StoreError> {
    Mode::parse(value).ok_or_else(|| StoreError::Corrupt(format!("unknown mode {value:?}")))
}

const KEY_COLUMNS: &str =
    "key_id, partner_id, mode, label, prefix, secret_hash, scopes, created_at, expires_at, revoked_at";

impl Store {
    /// Creates a partner account.
    pub async fn create_partner(&self, name: &str, now: i64) -> Result<Partner, StoreError> {
        let partner = Partner {
            partner_id: new_id("ptr"),
            name: name.to_owned(),
            created_at: now,
        };
        on_pool!(self, pool => sqlx::query(
            "insert into partner (partner_id, name, created_at) values ($1, $2, $3)")
            .bind(&partner.partner_id)
            .bind(&partner.name)
            .bind(partner.created_at)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(partner)
    }

    /// The partner with this id.
    pub async fn partner(&self, partner_id: &str) -> Result<Option<Partner>, StoreError> {
        let row: Option<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "select partner_id, name, created_at from partner where partner_id = $1")
            .bind(partner_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(partner_id, name, created_at)| Partner {
            partner_id,
            name,
            created_at,
        }))
    }

    /// The partner whose name is exactly `name`, oldest first (the demo set-up
    /// finds its partner again this way).
    pub async fn partner_by_name(&self, name: &str) -> Result<Option<Partner>, StoreError> {
        let row: Option<(String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "select partner_id, name, created_at from partner where name = $1 \
             order by created_at, partner_id limit 1")
            .bind(name)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(partner_id, name, created_at)| Partner {
            partner_id,
            name,
            created_at,
        }))
    }

    /// Stores a new secret key for `tenant`; `issued` holds its digest and prefix.
    pub async fn insert_api_key(
        &self,
        tenant: &Tenant,
        issued: &IssuedKey,
        label: Option<&str>,
        scopes: &[Scope],
        now: i64,
    ) -> Result<ApiKey, StoreError> {
        let key = ApiKey {
            key_id: new_sorted_id("key"),
            partner_id: tenant.partner_id.clone(),
            mode: tenant.mode,
            label: label.map(str::to_owned),
            prefix: issued.prefix.clone(),
            scopes: scopes.to_vec(),
            created_at: now,
            expires_at: None,
            revoked_at: None,
        };
        on_pool!(self, pool => sqlx::query(
            "insert into api_key (key_id, partner_id, mode, label, prefix, secret_hash, scopes, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&key.key_id)
            .bind(&key.partner_id)
            .bind(key.mode.as_str())
            .bind(&key.label)
            .bind(&key.prefix)
            .bind(&issued.hash)
            .bind(scopes_to_string(scopes))
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(key)
    }

    /// Every key of a partner (both modes), oldest first.
    pub async fn api_keys(&self, partner_id: &str) -> Result<Vec<ApiKey>, StoreError> {
        let rows: Vec<ApiKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {KEY_COLUMNS} from api_key where partner_id = $1 order by key_id")))
            .bind(partner_id)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(ApiKeyRow::into_key).collect()
    }

    /// One key of a partner.
    pub async fn api_key(
        &self,
        partner_id: &str,
        key_id: &str,
    ) -> Result<Option<ApiKey>, StoreError> {
        let row: Option<ApiKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {KEY_COLUMNS} from api_key where partner_id = $1 and key_id = $2")))
            .bind(partner_id)
            .bind(key_id)
            .fetch_optional(pool)
            .await)?;
        row.map(ApiKeyRow::into_key).transpose()
    }

    /// The stored key matching a presented one, whatever its state (the caller
    /// checks [`ApiKey::is_usable`]).
    pub async fn find_api_key(&self, presented: &Presented) -> Result<Option<ApiKey>, StoreError> {
        let rows: Vec<ApiKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {KEY_COLUMNS} from api_key where prefix = $1")))
            .bind(&presented.prefix)
            .fetch_all(pool)
            .await)?;
        let mut found = None;
        for row in rows {
            // Every candidate is compared, so timing does not depend on which matched.
            if constant_time_eq(&row.secret_hash, &presented.hash) {
                found = Some(row);
            }
        }
        found.map(ApiKeyRow::into_key).transpose()
    }

    /// Revokes a key at once; `false` when the partner has no such key. Revoking
    /// twice keeps the first revocation time.
    pub async fn revoke_api_key(
        &self,
        partner_id: &str,
        key_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => sqlx::query(
            "update api_key set revoked_at = coalesce(revoked_at, $3) where partner_id = $1 and key_id = $2")
            .bind(partner_id)
            .bind(key_id)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Ends a key's life at `at` (rotation with a grace period).
    pub async fn expire_api_key(
        &self,
        partner_id: &str,
        key_id: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => sqlx::query(
            "update api_key set expires_at = $3 where partner_id = $1 and key_id = $2 and revoked_at is null")
            .bind(partner_id)
            .bind(key_id)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }
}
