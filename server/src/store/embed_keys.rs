//! Embed (loader) keys. Settings are stored as columns (JSON text for the lists and
//! limits) so an operator can read them with plain SQL; the public key itself is
//! kept only as a digest.

use sqlx::FromRow;

use super::partners::parse_mode;
use super::{on_pool, on_tx, tenant_row_sql, Backend, Store, StoreError};
use crate::partners::embed_keys::{EmbedKeySettings, UpdateEmbedKey};
use crate::partners::ids::{constant_time_eq, new_sorted_id};
use crate::partners::keys::{EmbedKeySecrets, Presented};
use crate::partners::settings::{FieldError, ResultSettings, WalletSettings};
use crate::partners::Tenant;

/// Whether a key can still start sessions.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EmbedKeyStatus {
    Active,
    Revoked,
}

/// A stored embed key. `Debug` leaves its secrets out.
#[derive(Clone, PartialEq, Eq)]
pub struct EmbedKey {
    pub embed_key_id: String,
    pub tenant: Tenant,
    pub key_prefix: String,
    /// Checks signed customer assertions; shown to the partner once.
    pub signing_secret: String,
    pub status: EmbedKeyStatus,
    pub settings: EmbedKeySettings,
    pub created_at: i64,
    pub updated_at: i64,
    pub revoked_at: Option<i64>,
    /// Standard Webhooks secret (`whsec_…`) signing pushes.
    pub webhook_secret: Option<String>,
    /// The secret before the last rotation, still used until `previous_until`.
    pub previous_webhook_secret: Option<String>,
    pub previous_webhook_secret_until: Option<i64>,
}

impl std::fmt::Debug for EmbedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbedKey")
            .field("embed_key_id", &self.embed_key_id)
            .field("tenant", &self.tenant)
            .field("key_prefix", &self.key_prefix)
            .field("status", &self.status)
            .field("settings", &self.settings)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

impl EmbedKey {
    /// The secrets pushes are signed with at `now`: the current one, and the
    /// previous one while a rotation is in progress.
    pub fn webhook_secrets(&self, now: i64) -> Vec<&str> {
        let mut secrets: Vec<&str> = self.webhook_secret.as_deref().into_iter().collect();
        if self
            .previous_webhook_secret_until
            .is_some_and(|until| now < until)
        {
            secrets.extend(self.previous_webhook_secret.as_deref());
        }
        secrets
    }
}

#[derive(FromRow)]
struct EmbedKeyRow {
    embed_key_id: String,
    partner_id: String,
    mode: String,
    label: Option<String>,
    key_prefix: String,
    key_hash: String,
    signing_secret: String,
    status: String,
    allowed_origins: String,
    result_delivery_url: Option<String>,
    result_delivery_cta: Option<String>,
    csv_export_enabled: bool,
    credit_units_per_record: i64,
    token_ttl_seconds: i64,
    default_credit_enforcement_mode: String,
    default_credit_reset_policy: String,
    default_limits: String,
    default_allowed_result_actions: String,
    created_at: i64,
    updated_at: i64,
    revoked_at: Option<i64>,
    webhook_secret: Option<String>,
    previous_webhook_secret: Option<String>,
    previous_webhook_secret_until: Option<i64>,
    customer_verification: String,
}

const COLUMNS: &str = "embed_key_id, partner_id, mode, label, key_prefix, key_hash, signing_secret, status, \
    allowed_origins, result_delivery_url, result_delivery_cta, csv_export_enabled, \
    credit_units_per_record, token_ttl_seconds, default_credit_enforcement_mode, default_credit_reset_policy, \
    default_limits, default_allowed_result_actions, created_at, updated_at, revoked_at, webhook_secret, \
    previous_webhook_secret, previous_webhook_secret_until, customer_verification";

/// Writes a key's settings inside an open transaction `$tx`.
macro_rules! write_settings {
    ($tx:expr, $tenant:expr, $id:expr, $settings:expr, $now:expr) => {{
        let s: &EmbedKeySettings = $settings;
        sqlx::query(
            "update embed_key set label = $4, allowed_origins = $5, result_delivery_url = $6, \
             result_delivery_cta = $7, csv_export_enabled = $8, \
             credit_units_per_record = $9, token_ttl_seconds = $10, default_credit_enforcement_mode = $11, \
             default_credit_reset_policy = $12, default_limits = $13, default_allowed_result_actions = $14, \
             customer_verification = $15, updated_at = $16 \
             where partner_id = $1 and mode = $2 and embed_key_id = $3")
            .bind(&$tenant.partner_id)
            .bind($tenant.mode.as_str())
            .bind($id)
            .bind(&s.label)
            .bind(to_json(&s.allowed_origins))
            .bind(&s.results.result_delivery_url)
            .bind(&s.results.result_delivery_cta)
            .bind(s.results.csv_export_enabled)
            .bind(s.credit_units_per_record)
            .bind(s.token_ttl_seconds)
            .bind(enum_text(&s.defaults.credit_enforcement_mode))
            .bind(enum_text(&s.defaults.credit_reset_policy))
            .bind(to_json(&s.defaults.limits))
            .bind(to_json(&s.defaults.allowed_result_actions))
            .bind(enum_text(&s.customer_verification))
            .bind($now)
            .execute(&mut *$tx)
            .await?;
    }};
}

/// Reads a JSON column back.
pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
}

/// A value as stored in a JSON or enum column.
pub(super) fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// An enum stored as its bare snake_case name.
pub(super) fn enum_text<T: serde::Serialize>(value: &T) -> String {
    to_json(value).trim_matches('"').to_owned()
}

pub(super) fn enum_from_text<T: serde::de::DeserializeOwned>(
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    from_json(column, &format!("\"{text}\""))
}

impl EmbedKeyRow {
    fn into_key(self) -> Result<EmbedKey, StoreError> {
        Ok(EmbedKey {
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            status: enum_from_text("status", &self.status)?,
            settings: EmbedKeySettings {
                label: self.label,
                allowed_origins: from_json("allowed_origins", &self.allowed_origins)?,
                customer_verification: enum_from_text(
                    "customer_verification",
                    &self.customer_verification,
                )?,
                credit_units_per_record: self.credit_units_per_record,
                token_ttl_seconds: self.token_ttl_seconds,
                defaults: WalletSettings {
                    credit_enforcement_mode: enum_from_text(
                        "default_credit_enforcement_mode",
                        &self.default_credit_enforcement_mode,
                    )?,
                    credit_reset_policy: enum_from_text(
                        "default_credit_reset_policy",
                        &self.default_credit_reset_policy,
                    )?,
                    limits: from_json("default_limits", &self.default_limits)?,
                    allowed_result_actions: from_json(
                        "default_allowed_result_actions",
                        &self.default_allowed_result_actions,
                    )?,
                },
                results: ResultSettings {
                    result_delivery_url: self.result_delivery_url,
                    result_delivery_cta: self.result_delivery_cta,
                    csv_export_enabled: self.csv_export_enabled,
                },
            },
            embed_key_id: self.embed_key_id,
            key_prefix: self.key_prefix,
            signing_secret: self.signing_secret,
            created_at: self.created_at,
            updated_at: self.updated_at,
            revoked_at: self.revoked_at,
            webhook_secret: self.webhook_secret,
            previous_webhook_secret: self.previous_webhook_secret,
            previous_webhook_secret_until: self.previous_webhook_secret_until,
        })
    }
}

impl Store {
    /// Stores a new embed key for `tenant` (only a digest of the public key).
    pub async fn insert_embed_key(
        &self,
        tenant: &Tenant,
        secrets: &EmbedKeySecrets,
        settings: &EmbedKeySettings,
        now: i64,
    ) -> Result<EmbedKey, StoreError> {
        let (public, signing_secret, webhook_secret) = (
            &secrets.public,
            secrets.signing_secret.as_str(),
            secrets.webhook_secret.as_str(),
        );
        let key = EmbedKey {
            embed_key_id: new_sorted_id("ek"),
            tenant: tenant.clone(),
            key_prefix: public.prefix.clone(),
            signing_secret: signing_secret.to_owned(),
            status: EmbedKeyStatus::Active,
            settings: settings.clone(),
            created_at: now,
            updated_at: now,
            revoked_at: None,
            webhook_secret: Some(webhook_secret.to_owned()),
            previous_webhook_secret: None,
            previous_webhook_secret_until: None,
        };
        let s = settings;
        on_pool!(self, pool => sqlx::query(sqlx::AssertSqlSafe(format!(
            "insert into embed_key ({COLUMNS}) values \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)")))
            .bind(&key.embed_key_id)
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(&s.label)
            .bind(&public.prefix)
            .bind(&public.hash)
            .bind(signing_secret)
            .bind("active")
            .bind(to_json(&s.allowed_origins))
            .bind(&s.results.result_delivery_url)
            .bind(&s.results.result_delivery_cta)
            .bind(s.results.csv_export_enabled)
            .bind(s.credit_units_per_record)
            .bind(s.token_ttl_seconds)
            .bind(enum_text(&s.defaults.credit_enforcement_mode))
            .bind(enum_text(&s.defaults.credit_reset_policy))
            .bind(to_json(&s.defaults.limits))
            .bind(to_json(&s.defaults.allowed_result_actions))
            .bind(now)
            .bind(now)
            .bind(None::<i64>)
            .bind(webhook_secret)
            .bind(None::<String>)
            .bind(None::<i64>)
            .bind(enum_text(&s.customer_verification))
            .execute(pool)
            .await
            .map(drop))?;
        Ok(key)
    }

    /// The tenant's embed keys, newest first.
    pub async fn embed_keys(&self, tenant: &Tenant) -> Result<Vec<EmbedKey>, StoreError> {
        let rows: Vec<EmbedKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from embed_key where partner_id = $1 and mode = $2 \
             order by embed_key_id desc")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(EmbedKeyRow::into_key).collect()
    }

    /// One of the tenant's embed keys.
    pub async fn embed_key(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<EmbedKey>, StoreError> {
        let row: Option<EmbedKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from embed_key where partner_id = $1 and mode = $2 and embed_key_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(EmbedKeyRow::into_key).transpose()
    }

    /// An embed key by id alone, for embed-token requests (the token already names
    /// the tenant).
    pub async fn embed_key_by_id(&self, id: &str) -> Result<Option<EmbedKey>, StoreError> {
        let row: Option<EmbedKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from embed_key where embed_key_id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        row.map(EmbedKeyRow::into_key).transpose()
    }

    /// The embed key matching a presented public key, whatever its status.
    pub async fn find_embed_key(
        &self,
        presented: &Presented,
    ) -> Result<Option<EmbedKey>, StoreError> {
        let rows: Vec<EmbedKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from embed_key where key_prefix = $1")))
            .bind(&presented.prefix)
            .fetch_all(pool)
            .await)?;
        let mut found = None;
        for row in rows {
            if constant_time_eq(&row.key_hash, &presented.hash) {
                found = Some(row);
            }
        }
        found.map(EmbedKeyRow::into_key).transpose()
    }

    /// The embed key with this visible prefix (the iframe URL carries only the
    /// prefix), if exactly one active key has it.
    pub async fn embed_key_by_prefix(&self, prefix: &str) -> Result<Option<EmbedKey>, StoreError> {
        let rows: Vec<EmbedKeyRow> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from embed_key where key_prefix = $1 and status = 'active' limit 2")))
            .bind(prefix)
            .fetch_all(pool)
            .await)?;
        if rows.len() != 1 {
            return Ok(None);
        }
        rows.into_iter()
            .next()
            .map(EmbedKeyRow::into_key)
            .transpose()
    }

    /// Applies `update` to one of the tenant's keys under a row lock, so
    /// concurrent updates never lose each other's fields; `None` when it has no
    /// such key, the inner error when the update is invalid (nothing is written).
    /// A revoked key can still be edited but stays revoked. Setting the delivery
    /// URL clears its `410 Gone` mark.
    pub async fn update_embed_key(
        &self,
        tenant: &Tenant,
        id: &str,
        update: &UpdateEmbedKey,
        dev: bool,
        now: i64,
    ) -> Result<Option<Result<EmbedKey, FieldError>>, StoreError> {
        let postgres = self.backend() == Backend::Postgres;
        let (mut tx, _queued) = self.begin_write().await?;
        let done = on_tx!(&mut tx, t => {
            let row: Option<EmbedKeyRow> = sqlx::query_as(sqlx::AssertSqlSafe(tenant_row_sql(
                COLUMNS, "embed_key", "embed_key_id", postgres)))
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .bind(id)
                .fetch_optional(&mut **t)
                .await?;
            let Some(current) = row.map(EmbedKeyRow::into_key).transpose()? else {
                return Ok(None);
            };
            let settings = match update.apply(current.settings.clone(), dev) {
                Ok(s) => s,
                Err(e) => return Ok(Some(Err(e))),
            };
            write_settings!((*t), tenant, id, &settings, now);
            if update.sets_delivery_url() {
                // The URL set (again, or a new one) is the partner saying it works.
                                super::deliveries::clear_gone!((*t), tenant, settings.results.result_delivery_url.as_deref());
            }
            Ok(Some(Ok(EmbedKey {
                settings,
                updated_at: now,
                ..current
            })))
        });
        tx.commit().await?;
        done
    }

    /// Replaces the settings of one of the tenant's keys outright (the demo
    /// partner's set-up, which owns them); `None` when it has no such key.
    pub async fn replace_embed_key_settings(
        &self,
        tenant: &Tenant,
        id: &str,
        settings: &EmbedKeySettings,
        now: i64,
    ) -> Result<Option<EmbedKey>, StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            write_settings!(tx, tenant, id, settings, now);
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.embed_key(tenant, id).await
    }

    /// Makes `secret` the key's webhook secret; the old one keeps signing (beside
    /// the new) until `previous_until`. `None` when the tenant has no such key.
    pub async fn rotate_webhook_secret(
        &self,
        tenant: &Tenant,
        id: &str,
        secret: &str,
        previous_until: i64,
        now: i64,
    ) -> Result<Option<EmbedKey>, StoreError> {
        on_pool!(self, pool => sqlx::query(
            "update embed_key set previous_webhook_secret = webhook_secret, \
             previous_webhook_secret_until = $4, webhook_secret = $5, updated_at = $6 \
             where partner_id = $1 and mode = $2 and embed_key_id = $3")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .bind(previous_until)
            .bind(secret)
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        self.embed_key(tenant, id).await
    }

    /// Revokes one of the tenant's keys at once (its sessions stop within a second
    /// on every replica); `None` when it has no such key.
    pub async fn revoke_embed_key(
        &self,
        tenant: &Tenant,
        id: &str,
        now: i64,
    ) -> Result<Option<EmbedKey>, StoreError> {
        on_pool!(self, pool => sqlx::query(
            "update embed_key set status = 'revoked', revoked_at = coalesce(revoked_at, $4), updated_at = $4 \
             where partner_id = $1 and mode = $2 and embed_key_id = $3")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(drop))?;
        self.embed_key(tenant, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partners::embed_keys::CreateEmbedKey;
    use crate::partners::Mode;

    #[test]
    fn debug_output_never_shows_a_secret() {
        let key = EmbedKey {
            embed_key_id: "ek_1".into(),
            tenant: Tenant {
                partner_id: "p_1".into(),
                mode: Mode::Live,
            },
            key_prefix: "qpk_live_1a2b3c4d".into(),
            signing_secret: "qcs_signing-secret-value".into(),
            status: EmbedKeyStatus::Active,
            settings: CreateEmbedKey {
                allowed_origins: vec!["https://a.example".into()],
                ..CreateEmbedKey::default()
            }
            .into_settings(false)
            .unwrap(),
            created_at: 0,
            updated_at: 0,
            revoked_at: None,
            webhook_secret: Some("whsec_current-secret".into()),
            previous_webhook_secret: Some("whsec_previous-secret".into()),
            previous_webhook_secret_until: Some(10),
        };
        let printed = format!("{key:?}");
        for secret in ["signing-secret-value", "current-secret", "previous-secret"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("ek_1") && printed.contains("qpk_live_1a2b3c4d"));
    }
}
