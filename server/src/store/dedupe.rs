//! Dedupe tokens as one unit of work: [`Store::begin_dedupe`] locks the token
//! (PostgreSQL: an advisory lock on its digest; SQLite: the write lock), reads
//! what was delivered under it, and the caller picks the page, records it and
//! commits. Two concurrent searches with one token therefore never return the same
//! record, on one replica or several.

use roaring::RoaringBitmap;
use tokio::sync::OwnedMutexGuard;

use super::{now_unix, on_tx, Store, StoreError, Tx};

/// A dedupe token held until [`DedupeClaim::commit`] (or dropped: nothing recorded).
pub struct DedupeClaim {
    tx: Tx,
    _queued: Option<OwnedMutexGuard<()>>,
    scope: String,
    digest: String,
    delivered: RoaringBitmap,
}

impl std::fmt::Debug for DedupeClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DedupeClaim")
            .field("scope", &self.scope)
            .field("delivered", &self.delivered.len())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Locks the dedupe token `digest` of `scope` and reads what it delivered.
    pub async fn begin_dedupe(&self, scope: &str, digest: &str) -> Result<DedupeClaim, StoreError> {
        let (mut tx, queued) = self.begin_write().await?;
        if let Tx::Postgres(t) = &mut tx {
            // Held until the transaction ends; SQLite's write lock does the same.
            sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("dedupe:{scope}:{digest}"))
                .execute(&mut **t)
                .await?;
        }
        let ids: Vec<i64> = on_tx!(&mut tx, t => {
            sqlx::query_scalar(
                "select person_id from search_delivery where scope = $1 and token_digest = $2")
                .bind(scope)
                .bind(digest)
                .fetch_all(&mut **t)
                .await?
        });
        Ok(DedupeClaim {
            tx,
            _queued: queued,
            scope: scope.to_owned(),
            digest: digest.to_owned(),
            delivered: ids
                .into_iter()
                .filter_map(|id| u32::try_from(id).ok())
                .collect(),
        })
    }
}

impl DedupeClaim {
    /// Everyone delivered under the token so far.
    pub fn delivered(&self) -> &RoaringBitmap {
        &self.delivered
    }

    /// Records `ids` as delivered under the token.
    pub async fn record(&mut self, ids: &[u32]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let now = now_unix();
        let (scope, digest) = (&self.scope, &self.digest);
        for chunk in ids.chunks(super::ROWS_PER_INSERT) {
            on_tx!(&mut self.tx, t => {
                sqlx::QueryBuilder::new(
                    "insert into search_delivery (scope, token_digest, person_id, delivered_at) ")
                    .push_values(chunk, |mut row, &id| {
                        row.push_bind(scope)
                            .push_bind(digest)
                            .push_bind(i64::from(id))
                            .push_bind(now);
                    })
                    .push(" on conflict do nothing")
                    .build()
                    .execute(&mut **t)
                    .await?;
            });
        }
        self.delivered.extend(ids.iter().copied());
        Ok(())
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await
    }
}
