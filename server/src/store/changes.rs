//! The store's side of the change feed (`crate::changes`): the revisions a replica
//! compares against what it has cached, and on PostgreSQL the dedicated connection
//! that hears the `quarry_changes` notifications the triggers of migration 0013
//! send on commit.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

use super::{on_pool, redact_url, Pool, Store, StoreError};

/// The channel every change is announced on.
pub const CHANNEL: &str = "quarry_changes";

/// The `application_name` of listener connections (an operator can see them in
/// `pg_stat_activity`).
pub const LISTENER_APPLICATION: &str = "quarry-listener";

/// What a replica's caches are built from, as two counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revisions {
    /// Bumped by every change to a secret key, an embed key's status or a
    /// customer's status.
    pub auth: i64,
    /// Bumped by every committed bulk load (the search index's version).
    pub data: i64,
}

/// A PostgreSQL URL for the listener's own session (never through PgBouncer in
/// transaction mode, where `LISTEN` does not follow a client). Its `Debug` hides
/// the password.
#[derive(Clone)]
pub struct ListenUrl(Arc<str>);

impl ListenUrl {
    pub(super) fn new(url: &str) -> ListenUrl {
        ListenUrl(url.into())
    }
}

impl fmt::Debug for ListenUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl Store {
    /// Both revisions, in one cheap read.
    pub async fn revisions(&self) -> Result<Revisions, StoreError> {
        let (auth, data): (i64, i64) = on_pool!(self, pool => sqlx::query_as(
            "select (select revision from auth_revision where id = 1), \
                    (select version from data_version where id = 1)")
            .fetch_one(pool)
            .await)?;
        Ok(Revisions { auth, data })
    }

    /// Listens on `url` instead of the pooled URL (which may be PgBouncer's).
    pub fn with_listen_url(mut self, url: &str) -> Store {
        self.listen_url = Some(ListenUrl::new(url));
        self
    }

    /// A connection listening on [`CHANNEL`]; `None` on SQLite, which has no
    /// notifications (one machine: the server reads the revisions instead).
    pub async fn change_listener(&self) -> Result<Option<PgListener>, StoreError> {
        let Pool::Postgres(_) = &self.pool else {
            return Ok(None);
        };
        let Some(url) = &self.listen_url else {
            return Ok(None);
        };
        let options = PgConnectOptions::from_str(&url.0)?.application_name(LISTENER_APPLICATION);
        // A pool of one: the listener uses it to reconnect.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            // A reconnect that cannot be made soon ends the listener (the feed
            // polls until it is back) instead of hanging while it believes it
            // listens.
            .acquire_timeout(std::time::Duration::from_secs(1))
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_with(options)
            .await?;
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.ignore_pool_close_event(true);
        listener.listen(CHANNEL).await?;
        Ok(Some(listener))
    }
}
