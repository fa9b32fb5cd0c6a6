//! The one storage abstraction: a `Store` over a SQLite or PostgreSQL pool, chosen from
//! the database URL. Queries are written once in portable SQL (lowercase, `$N`
//! placeholders, `on conflict`, `returning`) and run on either pool through
//! `on_pool!`; only connection set-up and migrations differ per backend.

pub mod changes;
mod customers;
mod data;
mod dedupe;
pub(crate) mod deliveries;
mod embed_keys;
mod flags;
mod idempotency;
mod jobs;
mod partners;
mod pg;
mod purchases;
mod rate_counts;
mod saved_searches;
mod search;
mod server_sessions;
mod sessions;
mod suppressions;
mod usage;
mod wallets;
pub(crate) mod webhooks;

pub use customers::Customer;
pub use data::Writer;
pub use dedupe::DedupeClaim;
pub use deliveries::{
    AttemptRow, ChunkRow, Claim, DeliveryFilter, DeliveryRow, DeliveryTarget, NewAttempt, Replay,
    RoundEffects, RoundResult,
};
pub use embed_keys::{EmbedKey, EmbedKeyStatus};
pub use flags::{FlagRow, Flagged, NewFlag};
pub use idempotency::{IdempotencyStart, KeyHold, StoredAnswer};
pub use jobs::{Cancel, JobClaim, JobCompletion, JobEnd, JobRow, NewJob, QueueFull};
pub use partners::ApiKey;
pub use purchases::{NewDelivery, Purchase, PurchaseOrder, Purchased};
pub use saved_searches::{NewSavedSearch, SavedSearch};
pub use search::{IndexPersonRow, Lookup, PersonRow};
pub use server_sessions::{NewServerSession, ServerSession, SESSION_SECRET_TTL_SECS};
pub use sessions::ProspectSession;
pub use suppressions::{SuppressionChange, SuppressionRow};
pub use usage::{CustomerUsage, UsageCount, UsageKind};
pub use wallets::{CustomerWallet, LedgerRow, SpendOutcome, SpendRefusal, SpendRequest};
pub use webhooks::{CreateRefusal, DisabledReason, EndpointChange, NewEndpoint, WebhookEndpoint};

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions as _, SqlitePool};

/// The database URL used when none is configured: a WAL-mode SQLite file.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/quarry.db";

/// Failures of the store. Callers map them to their own errors; HTTP turns them into
/// `503 service_unavailable` or `500 internal_error` without leaking details.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend or cannot be parsed.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The database could not be reached or answered with an error.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// Applying migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value cannot be read back (a bug or a hand-edited row).
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// Creating the directory of a SQLite file failed.
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(pg::PgStore),
}

/// Runs the same expression against whichever pool the store holds. The expression is
/// compiled once per backend, so sqlx's generic query builders need no trait objects.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Values per multi-row insert: well under every backend's bound-parameter limit.
pub(crate) const ROWS_PER_INSERT: usize = 250;

/// A write transaction on either backend, for a unit of work the store hands out
/// (a purchase, a dedupe page): SQLite's write lock is taken at `begin`, after
/// this process's earlier writers; PostgreSQL's units lock their own rows.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs the same expression against whichever transaction `$tx` (`&mut Tx`) is;
/// `$t` is the `&mut Transaction`.
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite($t) => $body,
            $crate::store::Tx::Postgres($t) => $body,
        }
    };
}
pub(crate) use on_tx;

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Quarry's database: cheap to clone (it holds a pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// Queues this process's wallet writers on SQLite before they ask for the
    /// database's write lock: SQLite makes a blocked writer sleep and poll, which
    /// under contention costs far more than waiting in line here. (`begin
    /// immediate` still guards against other processes.)
    wallet_writers: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// How long a delivery claim holds (see [`Store::with_delivery_lease`]).
    delivery_lease_secs: i64,
    /// Where the change feed listens (PostgreSQL only): the pooled URL unless
    /// [`Store::with_listen_url`] names a direct one.
    listen_url: Option<changes::ListenUrl>,
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Maximum pooled connections.
    pub max_connections: u32,
    /// How long to wait for a free connection (and for SQLite's write lock).
    pub acquire_timeout: Duration,
    /// Statements slower than this are logged as warnings. Bulk commands (import,
    /// export) raise it: a minute-long streaming export is not a slow query.
    pub slow_statement: Duration,
    /// PostgreSQL prepared statements kept per connection; 0 for PgBouncer in
    /// transaction mode, where a connection's statements do not follow it.
    pub statement_cache: Option<usize>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            slow_statement: Duration::from_secs(1),
            statement_cache: None,
        }
    }
}

impl Store {
    /// Opens the database at `url` (creating a SQLite file and its directory when
    /// missing) and applies pending migrations.
    pub async fn open(url: &str, options: &ConnectOptions) -> Result<Store, StoreError> {
        let store = Store::connect(url, options).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database at `url` without migrating.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Store, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut connect = PgConnectOptions::from_str(url)?
                .log_slow_statements(log::LevelFilter::Warn, options.slow_statement);
            if let Some(n) = options.statement_cache {
                connect = connect.statement_cache_capacity(n);
            }
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            // No statement cache: PgBouncer in transaction mode (see `pg`).
            let transaction_pooling = options.statement_cache == Some(0);
            return Ok(Store {
                pool: Pool::Postgres(pg::PgStore::new(pool, transaction_pooling)),
                wallet_writers: Default::default(),
                delivery_lease_secs: crate::delivery::LEASE_SECS,
                // Behind a transaction-mode pooler a LISTEN session hears nothing:
                // only an explicit direct URL is listened on (else the feed polls).
                listen_url: (!transaction_pooling).then(|| changes::ListenUrl::new(url)),
            });
        }
        if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(options.acquire_timeout)
                // 64 MiB page cache per connection: bulk loads and index builds stay in memory.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
                .log_slow_statements(log::LevelFilter::Warn, options.slow_statement);
            if let Some(dir) = Path::new(connect.get_filename()).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await?;
            return Ok(Store {
                pool: Pool::Sqlite(pool),
                wallet_writers: Default::default(),
                delivery_lease_secs: crate::delivery::LEASE_SECS,
                listen_url: None,
            });
        }
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }

    /// A private, migrated SQLite database in this process's memory (the sandbox
    /// data set): kept for as long as the store lives, whatever its idle time.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let connect = SqliteConnectOptions::from_str("sqlite::memory:")?
            .foreign_keys(true)
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // The database lives in its connections: never close the last one.
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(connect)
            .await?;
        let store = Store {
            pool: Pool::Sqlite(pool),
            wallet_writers: Default::default(),
            delivery_lease_secs: crate::delivery::LEASE_SECS,
            listen_url: None,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the embedded migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Pool::Postgres(pg) => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&pg.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Opens the [`Tx`] of a wallet write (a grant, a spend, a purchase, a
    /// settings update) and, on SQLite, this process's turn among such writers,
    /// held by the caller until the end: SQLite's write lock is taken at `begin`,
    /// after this process's earlier writers (see `wallet_writers`), so what the
    /// transaction reads cannot go stale; PostgreSQL's writers lock their rows.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<(Tx, Option<tokio::sync::OwnedMutexGuard<()>>), StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(pool) => {
                let queued = self.wallet_writers.clone().lock_owned().await;
                (
                    Tx::Sqlite(pool.begin_with("begin immediate").await?),
                    Some(queued),
                )
            }
            Pool::Postgres(pool) => (Tx::Postgres(pool.begin().await?), None),
        })
    }

    /// This store with delivery claims held for `secs` (the server sets it from
    /// its delivery timeout, so a replica that died frees its claims soon).
    pub fn with_delivery_lease(mut self, secs: i64) -> Store {
        self.delivery_lease_secs = secs.max(1);
        self
    }

    /// How long a delivery claim holds.
    pub fn delivery_lease_secs(&self) -> i64 {
        self.delivery_lease_secs
    }

    /// The backend behind this store.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("select 1").execute(pool).await.map(drop))?;
        Ok(())
    }

    /// Closes every pooled connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

/// `select <columns> from <table>` for one of a tenant's rows (`$1` partner, `$2`
/// mode, `$3` the id in `id_column`), locked until the transaction ends when
/// `lock` (PostgreSQL; a SQLite write transaction holds its lock already).
pub(crate) fn tenant_row_sql(columns: &str, table: &str, id_column: &str, lock: bool) -> String {
    format!(
        "select {columns} from {table} where partner_id = $1 and mode = $2 and {id_column} = $3{}",
        if lock { " for update" } else { "" }
    )
}

/// The current time in unix seconds.
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Hides the password of a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://quarry:s3cret@db:5432/quarry"),
            "postgres://quarry:***@db:5432/quarry"
        );
        assert_eq!(
            redact_url("postgres://quarry@db/q"),
            "postgres://quarry@db/q"
        );
        assert_eq!(
            redact_url("sqlite://data/quarry.db"),
            "sqlite://data/quarry.db"
        );
    }

    #[tokio::test]
    async fn unknown_schemes_are_refused() {
        let err = Store::connect("mysql://x", &ConnectOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");
    }
}
