//! Configuration: one struct per command, every field a `--flag` with a `QUARRY_*`
//! environment variable, documented here (the doc comments become `--help`) and in
//! `quarry.env.example`. Values are validated by clap at start-up.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::store::DEFAULT_DATABASE_URL;

/// Options every command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalConfig {
    /// Database URL: `sqlite://PATH` (default `sqlite://data/quarry.db`, created on first
    /// use) or `postgres://USER:PASSWORD@HOST:PORT/DB`. `DATABASE_URL` is read too.
    #[arg(
        long,
        env = "QUARRY_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// A direct PostgreSQL URL (not through PgBouncer), for what needs a session of
    /// its own: migrations (their advisory lock). Set it when `--database-url`
    /// points at PgBouncer in transaction mode.
    #[arg(
        long,
        env = "QUARRY_DATABASE_LISTEN_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_listen_url: Option<String>,

    /// PostgreSQL prepared statements cached per connection; `0` for PgBouncer
    /// in transaction mode: then every statement runs within a transaction (its
    /// own, unnamed, or the one it belongs to), so it never straddles two server
    /// connections.
    #[arg(long, env = "QUARRY_DB_STATEMENT_CACHE_CAPACITY", global = true,
          value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub db_statement_cache_capacity: Option<u64>,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "QUARRY_LOG_FORMAT", global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,

    /// Log filter in `tracing` syntax (`info`, `quarry_server=debug,info`). sqlx's
    /// slow-statement warnings are off by default because the index build streams
    /// whole tables; `info,sqlx::query=warn` turns them on.
    #[arg(
        long,
        env = "QUARRY_LOG",
        global = true,
        default_value = "info,sqlx::query=error"
    )]
    pub log: String,
}

impl GlobalConfig {
    /// The configured URL, else `DATABASE_URL`, else the embedded SQLite default.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
    }
}

/// `quarry serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "QUARRY_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Directory holding the built widget (Trunk's output), served at `/embed/`.
    #[arg(long, env = "QUARRY_WIDGET_DIR", default_value = "dist")]
    pub widget_dir: PathBuf,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "QUARRY_MAX_BODY_BYTES", default_value_t = 1_048_576,
          value_parser = clap::value_parser!(u64).range(1024..=104_857_600))]
    pub max_body_bytes: u64,

    /// Requests still running after this many seconds are answered `408 request_timeout`.
    #[arg(long, env = "QUARRY_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout_secs: u64,

    /// Development mode: embed keys may allow `http://localhost:*` and
    /// `http://127.0.0.1:*`, and delivery URLs may be plain HTTP. Never in production.
    #[arg(long, env = "QUARRY_DEV")]
    pub dev: bool,

    /// Embed-token signing secrets as `kid:secret` (secret ≥ 32 characters), comma
    /// separated. The first signs new tokens; all are accepted, so a new secret can
    /// be put first while tokens signed with the old one expire. Unset: one secret is
    /// generated on first start and kept in the database.
    #[arg(
        long,
        env = "QUARRY_EMBED_TOKEN_SECRETS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub embed_token_secrets: Vec<TokenSecret>,

    /// Caps every embed token's lifetime at this many seconds, below the embed
    /// keys' own `token_ttl_seconds` (for a stricter security policy; the loader
    /// renews tokens before they expire, so users never notice). Unset: the key's.
    #[arg(long, env = "QUARRY_EMBED_TOKEN_MAX_TTL_SECS",
          value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub embed_token_max_ttl_secs: Option<u64>,

    /// Header carrying the client's IP when Quarry runs behind a reverse proxy or
    /// load balancer (`x-forwarded-for`, `x-real-ip`, `cf-connecting-ip`), for the
    /// per-IP limit. For a comma-separated list the last entry counts: the one your
    /// own proxy appended. Unset: the TCP peer address. Set it only behind a proxy
    /// that always writes this header, or clients can pick their own IP.
    #[arg(long, env = "QUARRY_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// A prospecting session unused for this many seconds expires (its pages answer
    /// `410 session_expired`).
    #[arg(long, env = "QUARRY_SESSION_IDLE_SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(60..=2_592_000))]
    pub session_idle_secs: u64,

    /// Most records one `all_results` purchase, quote or export may cover.
    #[arg(long, env = "QUARRY_MAX_SELECTION_RECORDS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_selection_records: u32,

    /// Seconds between delivery attempts after the 1st, 2nd, … failure (±20 %
    /// jitter; a partner's longer `retry-after` wins); after the last the delivery
    /// is `failed`.
    #[arg(
        long,
        env = "QUARRY_DELIVERY_RETRY_SCHEDULE",
        value_delimiter = ',',
        default_value = "5,300,1800,7200,18000,36000,50400,72000,86400"
    )]
    pub delivery_retry_schedule: Vec<u64>,

    /// Seconds one delivery request may take.
    #[arg(long, env = "QUARRY_DELIVERY_TIMEOUT_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=crate::delivery::MAX_DELIVERY_TIMEOUT_SECS))]
    pub delivery_timeout_secs: u64,

    /// Seconds a push waits for its first delivery round before answering
    /// `delivery_state: pending` (at most a third of the request timeout); the
    /// round goes on in the background.
    #[arg(long, env = "QUARRY_PUSH_WAIT_SECS", default_value_t = 8,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub push_wait_secs: u64,

    /// Seconds between purges of expired stored answers (`Idempotency-Key`, 24 h),
    /// used server sessions and old delivered chunk bodies.
    #[arg(long, env = "QUARRY_PURGE_INTERVAL_SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub purge_interval_secs: u64,

    /// Delivered chunk bodies (the pushed records) are emptied this many seconds
    /// after delivery; their attempts stay in the log (default 7 days).
    #[arg(long, env = "QUARRY_DELIVERED_BODY_RETENTION_SECS", default_value_t = 604_800,
          value_parser = clap::value_parser!(u64).range(0..=31_536_000))]
    pub delivered_body_retention_secs: u64,

    /// A webhook endpoint whose every attempt failed for this many seconds is
    /// disabled (its status says why) until the partner enables it again
    /// (default 5 days).
    #[arg(long, env = "QUARRY_WEBHOOK_DISABLE_AFTER_SECS", default_value_t = 432_000,
          value_parser = clap::value_parser!(i64).range(1..=31_536_000))]
    pub webhook_disable_after_secs: i64,

    /// Most webhook endpoints one partner may have (per mode).
    #[arg(long, env = "QUARRY_MAX_WEBHOOK_ENDPOINTS", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub max_webhook_endpoints: u32,

    /// Async search job results are kept this many seconds after the job ends,
    /// then the job answers `410 job_expired` (default 7 days).
    #[arg(long, env = "QUARRY_JOB_RETENTION_SECS", default_value_t = 604_800,
          value_parser = clap::value_parser!(i64).range(1..=31_536_000))]
    pub job_retention_secs: i64,

    /// Most queued async search jobs per partner (per mode); more answer `429
    /// job_queue_full` with `retry-after`.
    #[arg(long, env = "QUARRY_MAX_QUEUED_JOBS", default_value_t = 1_000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_queued_jobs: u32,

    /// Async search jobs this replica runs at the same time; 0 runs none here
    /// (a replica that only serves requests while others run the queue).
    #[arg(long, env = "QUARRY_JOB_WORKERS", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(0..=64))]
    pub job_workers: u32,

    /// Seconds a replica holds a job it runs; a job whose replica died is run
    /// again once this lapses.
    #[arg(long, env = "QUARRY_JOB_LEASE_SECS", default_value_t = 60,
          value_parser = clap::value_parser!(i64).range(1..=3_600))]
    pub job_lease_secs: i64,

    /// Distinct customers whose `bounced_email` flags on one record demote its
    /// e-mail to `invalid` (and the index shows it).
    #[arg(long, env = "QUARRY_BOUNCED_FLAGS_TO_DEMOTE", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=1_000))]
    pub bounced_flags_to_demote: u32,

    /// Partner API requests allowed per secret key per 60-second window.
    #[arg(long, env = "QUARRY_RATE_LIMIT_PER_KEY", default_value_t = 600,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_key: u32,

    /// Embed-token requests (the iframe's search, quote, push, export, wallet)
    /// allowed per partner customer per 60-second window.
    #[arg(long, env = "QUARRY_RATE_LIMIT_PER_CUSTOMER", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_per_customer: u32,

    /// `POST /v1/prospecting/embed-sessions` requests allowed per client IP per
    /// 60-second window.
    #[arg(long, env = "QUARRY_RATE_LIMIT_EMBED_SESSIONS_PER_IP", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit_embed_sessions_per_ip: u32,

    /// How often (seconds) watched saved searches are checked for new matches once the
    /// search index moved. (The index itself rebuilds as soon as the change feed hears
    /// of an import.)
    #[arg(long, env = "QUARRY_INDEX_REFRESH_SECS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub index_refresh_secs: u64,

    /// Directory of search-index snapshots: a replica writes its index there after
    /// building it, and loads it at start instead of building when the data has
    /// not changed. Default: beside a SQLite file (`<file>.index/`); none for
    /// PostgreSQL (give replicas a shared directory, or each its own).
    #[arg(long, env = "QUARRY_INDEX_SNAPSHOT_DIR")]
    pub index_snapshot_dir: Option<PathBuf>,

    /// Maximum pooled database connections. Default: 4 for SQLite (each connection is a
    /// thread; more only adds context switches), 16 for PostgreSQL.
    #[arg(long, env = "QUARRY_DB_MAX_CONNECTIONS",
          value_parser = clap::value_parser!(u32).range(1..=512))]
    pub db_max_connections: Option<u32>,
}

impl ServeConfig {
    /// Defaults for tests and embedding: port 0 is the caller's listener anyway.
    pub fn for_tests(widget_dir: PathBuf) -> ServeConfig {
        ServeConfig {
            bind: "127.0.0.1:0".parse().expect("valid address"),
            widget_dir,
            max_body_bytes: 1_048_576,
            request_timeout_secs: 30,
            db_max_connections: None,
            dev: true,
            client_ip_header: None,
            session_idle_secs: 86_400,
            max_selection_records: 10_000,
            delivery_retry_schedule: crate::delivery::schedule::DEFAULT_SCHEDULE.to_vec(),
            delivery_timeout_secs: 15,
            push_wait_secs: 8,
            purge_interval_secs: 600,
            delivered_body_retention_secs: 604_800,
            webhook_disable_after_secs: 432_000,
            max_webhook_endpoints: 20,
            job_retention_secs: 604_800,
            max_queued_jobs: 1_000,
            job_workers: 4,
            job_lease_secs: 60,
            bounced_flags_to_demote: 2,
            embed_token_secrets: Vec::new(),
            embed_token_max_ttl_secs: None,
            // Suites make thousands of requests; rate-limit tests set their own.
            rate_limit_per_key: 1_000_000,
            rate_limit_per_customer: 1_000_000,
            rate_limit_embed_sessions_per_ip: 1_000_000,
            index_refresh_secs: 1,
            index_snapshot_dir: None,
        }
    }
}

/// A configuration secret: usable, but never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for comparison or signing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Secret, String> {
        if s.len() < 16 {
            return Err("must be at least 16 characters".into());
        }
        Ok(Secret(s.to_owned()))
    }
}

/// One embed-token signing secret with its key id (`kid:secret`).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret {
    pub kid: String,
    pub secret: Secret,
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenSecret({}: <redacted>)", self.kid)
    }
}

impl std::str::FromStr for TokenSecret {
    type Err = String;
    fn from_str(s: &str) -> Result<TokenSecret, String> {
        let (kid, secret) = s
            .split_once(':')
            .ok_or("expected kid:secret, e.g. k2:<32+ random characters>")?;
        let kid = kid.trim();
        if kid.is_empty()
            || kid.len() > 64
            || !kid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err("the kid must be 1-64 characters of A-Z, a-z, 0-9, - and _".into());
        }
        let secret = secret.trim();
        if secret.len() < 32 {
            return Err(format!(
                "the secret of kid {kid:?} must be at least 32 characters"
            ));
        }
        Ok(TokenSecret {
            kid: kid.to_owned(),
            secret: Secret(secret.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let config = ServeConfig::for_tests(PathBuf::from("dist"));
        let mut config = config;
        config.embed_token_secrets = vec!["k1:0123456789abcdef0123456789abcdef-secret"
            .parse()
            .unwrap()];
        let printed = format!("{config:?}");
        assert!(!printed.contains("-secret"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }
}
