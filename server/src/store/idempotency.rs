//! Stored answers for `Idempotency-Key`. A key is taken with an insert that only
//! one request can win (the primary key), so two concurrent duplicates cannot both
//! run; the loser sees `in_progress` and gets a 409. The winner holds the key with
//! an owner token ([`KeyHold`]): it renews the lock while it runs, and only it can
//! finish or release the key, so a request freed as abandoned and taken over by a
//! retry can never overwrite the retry's answer.

use sqlx::FromRow;

use super::{on_pool, Store, StoreError};
use crate::partners::ids::new_id;

/// A stored answer: its status and headers, and either its body or, for an
/// answer too large to keep (an export), a recipe to render it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    /// JSON array of [name, value] pairs.
    pub headers: String,
    pub body: Vec<u8>,
    /// JSON of the HTTP layer's replay recipe, instead of a body.
    pub recipe: Option<String>,
}

/// A key taken by one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHold {
    pub scope: String,
    pub key: String,
    owner: String,
}

/// What taking a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyStart {
    /// The key is ours: run the request, then [`Store::finish_idempotent`].
    New(KeyHold),
    /// The same request ran before: replay this.
    Replay(StoredAnswer),
    /// The key was used for another method, path or body.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

#[derive(FromRow)]
struct Row {
    fingerprint: String,
    state: String,
    locked_until: i64,
    response_status: Option<i64>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
    response_recipe: Option<String>,
    expires_at: i64,
}

impl Store {
    /// Takes `key` for `scope` unless a live entry holds it.
    pub async fn start_idempotent(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: i64,
        locked_until: i64,
        expires_at: i64,
    ) -> Result<IdempotencyStart, StoreError> {
        for _ in 0..2 {
            let owner = new_id("hold");
            let inserted = on_pool!(self, pool => sqlx::query(
                "insert into idempotency_key (scope, idem_key, fingerprint, state, locked_until, created_at, \
                 expires_at, owner) values ($1, $2, $3, 'in_progress', $4, $5, $6, $7) \
                 on conflict (scope, idem_key) do nothing")
                .bind(scope)
                .bind(key)
                .bind(fingerprint)
                .bind(locked_until)
                .bind(now)
                .bind(expires_at)
                .bind(&owner)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
            if inserted == 1 {
                return Ok(IdempotencyStart::New(KeyHold {
                    scope: scope.to_owned(),
                    key: key.to_owned(),
                    owner,
                }));
            }
            let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(
                "select fingerprint, state, locked_until, response_status, response_headers, response_body, \
                 response_recipe, expires_at from idempotency_key where scope = $1 and idem_key = $2")
                .bind(scope)
                .bind(key)
                .fetch_optional(pool)
                .await)?;
            let Some(row) = row else { continue };
            let stale =
                row.expires_at <= now || (row.state == "in_progress" && row.locked_until <= now);
            if stale {
                // Expired, or abandoned by a request that never finished: free it and retry.
                on_pool!(self, pool => sqlx::query(
                    "delete from idempotency_key where scope = $1 and idem_key = $2 and fingerprint = $3 \
                     and (expires_at <= $4 or (state = 'in_progress' and locked_until <= $4))")
                    .bind(scope)
                    .bind(key)
                    .bind(&row.fingerprint)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(drop))?;
                continue;
            }
            if row.fingerprint != fingerprint {
                return Ok(IdempotencyStart::Mismatch);
            }
            if row.state != "done" {
                return Ok(IdempotencyStart::InProgress);
            }
            return Ok(IdempotencyStart::Replay(StoredAnswer {
                status: row
                    .response_status
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(500),
                headers: row.response_headers.unwrap_or_else(|| "[]".into()),
                body: row.response_body.unwrap_or_default(),
                recipe: row.response_recipe,
            }));
        }
        Ok(IdempotencyStart::InProgress)
    }

    /// Extends `hold`'s lock to `locked_until`; `false` when the key is no longer
    /// held by it.
    pub async fn renew_idempotent(
        &self,
        hold: &KeyHold,
        locked_until: i64,
    ) -> Result<bool, StoreError> {
        let renewed = on_pool!(self, pool => sqlx::query(
            "update idempotency_key set locked_until = $4 \
             where scope = $1 and idem_key = $2 and owner = $3 and state = 'in_progress'")
            .bind(&hold.scope)
            .bind(&hold.key)
            .bind(&hold.owner)
            .bind(locked_until)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(renewed == 1)
    }

    /// Stores the answer of the request holding the key; `false` (nothing
    /// stored) when it no longer holds it.
    pub async fn finish_idempotent(
        &self,
        hold: &KeyHold,
        answer: &StoredAnswer,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => sqlx::query(
            "update idempotency_key set state = 'done', response_status = $4, response_headers = $5, \
             response_body = $6, response_recipe = $7 \
             where scope = $1 and idem_key = $2 and owner = $3 and state = 'in_progress'")
            .bind(&hold.scope)
            .bind(&hold.key)
            .bind(&hold.owner)
            .bind(i64::from(answer.status))
            .bind(&answer.headers)
            .bind(&answer.body)
            .bind(&answer.recipe)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Deletes the answers kept past their 24 hours, and requests abandoned long
    /// ago; returns how many.
    pub async fn purge_idempotency(&self, now: i64) -> Result<u64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query(
            "delete from idempotency_key where expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }

    /// Releases the key without an answer (a server error, a retryable refusal:
    /// the client may retry), if `hold` still holds it.
    pub async fn abandon_idempotent(&self, hold: &KeyHold) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "delete from idempotency_key where scope = $1 and idem_key = $2 and owner = $3 \
             and state = 'in_progress'")
            .bind(&hold.scope)
            .bind(&hold.key)
            .bind(&hold.owner)
            .execute(pool)
            .await
            .map(drop))?;
        Ok(())
    }
}
