//! Server-minted session secrets (PRODUCT.md §2.7): the partner's backend asks for
//! one with its secret key, the browser trades it once for an embed token. Only
//! the digest is stored; taking one is a single conditional update, so a secret is
//! used once even when two requests race, and never after it expires.

use sqlx::FromRow;

use super::partners::parse_mode;
use super::{on_pool, Store, StoreError};
use crate::partners::keys::Presented;
use crate::partners::Tenant;

/// How long a minted secret can be used: five minutes.
pub const SESSION_SECRET_TTL_SECS: i64 = 300;

/// What a secret was minted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSession {
    pub tenant: Tenant,
    pub embed_key_id: String,
    pub external_customer_id: String,
    pub customer_name: Option<String>,
    pub user_id: Option<String>,
    pub expires_at: i64,
}

/// A session to mint (the secret's digest and what it names).
#[derive(Debug, Clone)]
pub struct NewServerSession<'a> {
    pub secret_hash: &'a str,
    pub tenant: &'a Tenant,
    pub embed_key_id: &'a str,
    pub external_customer_id: &'a str,
    pub customer_name: Option<&'a str>,
    pub user_id: Option<&'a str>,
}

#[derive(FromRow)]
struct Row {
    partner_id: String,
    mode: String,
    embed_key_id: String,
    external_customer_id: String,
    customer_name: Option<String>,
    user_id: Option<String>,
    expires_at: i64,
}

impl Store {
    /// Stores a minted secret's digest until `now` + five minutes; returns when it
    /// expires.
    pub async fn insert_server_session(
        &self,
        session: &NewServerSession<'_>,
        now: i64,
    ) -> Result<i64, StoreError> {
        let expires_at = now + SESSION_SECRET_TTL_SECS;
        on_pool!(self, pool => sqlx::query(
            "insert into embed_server_session (secret_hash, partner_id, mode, embed_key_id, \
             external_customer_id, customer_name, user_id, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(session.secret_hash)
            .bind(&session.tenant.partner_id)
            .bind(session.tenant.mode.as_str())
            .bind(session.embed_key_id)
            .bind(session.external_customer_id)
            .bind(session.customer_name)
            .bind(session.user_id)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(expires_at)
    }

    /// Uses the presented session secret minted for the tenant's `embed_key_id`,
    /// once: `None` when it is unknown, for another key, used already or expired
    /// at `now`.
    pub async fn take_server_session(
        &self,
        tenant: &Tenant,
        embed_key_id: &str,
        secret: &Presented,
        now: i64,
    ) -> Result<Option<ServerSession>, StoreError> {
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(
            "update embed_server_session set used_at = $3 \
             where secret_hash = $1 and embed_key_id = $2 and used_at is null and expires_at > $3 \
             and partner_id = $4 and mode = $5 \
             returning partner_id, mode, embed_key_id, external_customer_id, customer_name, user_id, expires_at")
            .bind(&secret.hash)
            .bind(embed_key_id)
            .bind(now)
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .fetch_optional(pool)
            .await)?;
        row.map(|r| {
            Ok(ServerSession {
                tenant: Tenant {
                    partner_id: r.partner_id,
                    mode: parse_mode(&r.mode)?,
                },
                embed_key_id: r.embed_key_id,
                external_customer_id: r.external_customer_id,
                customer_name: r.customer_name,
                user_id: r.user_id,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    /// Deletes secrets past their expiry; returns how many.
    pub async fn purge_server_sessions(&self, now: i64) -> Result<u64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query(
            "delete from embed_server_session where expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
