//! Async person-search jobs: queued by the API, run by whichever replica claims
//! them. A claim is a lease with a token, like a delivery's: taken with one
//! conditional update, and checked by the write that ends the job, so a job whose
//! worker died is claimed again once its lease lapses, and a worker that outlived
//! its lease writes nothing. The end of a job is one unit of work
//! ([`JobCompletion`]): its result or error, the dedupe record, the usage ledger
//! and the events for its endpoints commit together, once.

use roaring::RoaringBitmap;
use sqlx::FromRow;
use tokio::sync::OwnedMutexGuard;

use super::partners::parse_mode;
use super::webhooks::fan_out;
use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::delivery::events::Event;
use crate::jobs::JobStatus;
use crate::partners::ids::new_id;
use crate::partners::Tenant;
use crate::search::people::SearchStrategy;
use crate::store::UsageKind;

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub job_id: String,
    pub tenant: Tenant,
    /// The dedupe scope of the key that created it.
    pub scope: String,
    pub status: JobStatus,
    pub search_strategy: SearchStrategy,
    /// The validated request (JSON).
    pub request: String,
    /// The prepared search (JSON): what the worker runs.
    pub prepared: String,
    /// The interpretation shown (JSON).
    pub interpretation: String,
    /// The page (JSON) once it succeeded, until it expires.
    pub result: Option<String>,
    pub billable_records: Option<i64>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// How many times a worker claimed it.
    pub attempts: i64,
    pub claimed_until: Option<i64>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub expires_at: Option<i64>,
}

#[derive(FromRow)]
struct JobRecord {
    job_id: String,
    partner_id: String,
    mode: String,
    scope: String,
    status: String,
    search_strategy: String,
    request: String,
    prepared: String,
    interpretation: String,
    result: Option<String>,
    billable_records: Option<i64>,
    error_code: Option<String>,
    error_message: Option<String>,
    attempts: i64,
    claimed_until: Option<i64>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    expires_at: Option<i64>,
}

const JOB_COLUMNS: &str = "job_id, partner_id, mode, scope, status, search_strategy, request, prepared, \
    interpretation, result, billable_records, error_code, error_message, attempts, claimed_until, created_at, \
    started_at, finished_at, expires_at";

/// The summary columns: everything but the result, for lists and the worker.
const SUMMARY_COLUMNS: &str = "job_id, partner_id, mode, scope, status, search_strategy, request, prepared, \
    interpretation, null as result, billable_records, error_code, error_message, attempts, claimed_until, \
    created_at, started_at, finished_at, expires_at";

impl JobRecord {
    fn into_row(self) -> Result<JobRow, StoreError> {
        Ok(JobRow {
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            status: JobStatus::parse(&self.status)
                .ok_or_else(|| StoreError::Corrupt(format!("job status {:?}", self.status)))?,
            search_strategy: SearchStrategy::parse(&self.search_strategy).ok_or_else(|| {
                StoreError::Corrupt(format!("search strategy {:?}", self.search_strategy))
            })?,
            job_id: self.job_id,
            scope: self.scope,
            request: self.request,
            prepared: self.prepared,
            interpretation: self.interpretation,
            result: self.result,
            billable_records: self.billable_records,
            error_code: self.error_code,
            error_message: self.error_message,
            attempts: self.attempts,
            claimed_until: self.claimed_until,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            expires_at: self.expires_at,
        })
    }
}

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub job_id: &'a str,
    pub scope: &'a str,
    pub search_strategy: SearchStrategy,
    pub request: &'a str,
    pub prepared: &'a str,
    pub interpretation: &'a str,
}

/// The tenant's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull(pub u32);

/// What cancelling found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancel {
    Cancelled(JobRow),
    /// It is running or finished already.
    TooLate(JobRow),
}

/// The right to run one job until the lease lapses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobClaim {
    pub job: JobRow,
    token: String,
}

/// The end of a job, in one transaction. Dropped without [`JobCompletion::finish`]:
/// nothing is written.
pub struct JobCompletion {
    tx: Tx,
    _queued: Option<OwnedMutexGuard<()>>,
    job_id: String,
    token: String,
    tenant: Tenant,
    dedupe: Option<(String, String)>,
    delivered: RoaringBitmap,
}

impl std::fmt::Debug for JobCompletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobCompletion")
            .field("job_id", &self.job_id)
            .finish_non_exhaustive()
    }
}

/// How a job ended.
#[derive(Debug, Clone)]
pub enum JobEnd<'a> {
    Succeeded {
        /// The page (JSON).
        result: &'a str,
        /// The people returned, recorded under the dedupe token when there is one.
        ids: &'a [u32],
        billable_records: u64,
    },
    Failed {
        code: &'a str,
        message: &'a str,
    },
}

impl Store {
    /// Queues a job unless the tenant has `max_queued` queued already.
    pub async fn create_search_job(
        &self,
        tenant: &Tenant,
        new: &NewJob<'_>,
        max_queued: u32,
        now: i64,
    ) -> Result<Result<JobRow, QueueFull>, StoreError> {
        // Creators of one tenant queue here (SQLite: the write lock), so the
        // count holds until the insert commits.
        let (mut tx, _queued) = self.begin_write().await?;
        if let Tx::Postgres(t) = &mut tx {
            sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!(
                    "search_jobs:{}:{}",
                    tenant.partner_id,
                    tenant.mode.as_str()
                ))
                .execute(&mut **t)
                .await?;
        }
        let record: Option<JobRecord> = on_tx!(&mut tx, t => {
            let queued: i64 = sqlx::query_scalar(
                "select count(*) from search_job where partner_id = $1 and mode = $2 and status = 'queued'")
                .bind(&tenant.partner_id)
                .bind(tenant.mode.as_str())
                .fetch_one(&mut **t)
                .await?;
            if queued >= i64::from(max_queued) {
                None
            } else {
                Some(sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "insert into search_job (job_id, partner_id, mode, scope, status, search_strategy, request, \
                     prepared, interpretation, attempts, created_at) \
                     values ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, 0, $9) returning {JOB_COLUMNS}")))
                    .bind(new.job_id)
                    .bind(&tenant.partner_id)
                    .bind(tenant.mode.as_str())
                    .bind(new.scope)
                    .bind(new.search_strategy.as_str())
                    .bind(new.request)
                    .bind(new.prepared)
                    .bind(new.interpretation)
                    .bind(now)
                    .fetch_one(&mut **t)
                    .await?)
            }
        });
        match record {
            None => Ok(Err(QueueFull(max_queued))),
            Some(record) => {
                tx.commit().await?;
                Ok(Ok(record.into_row()?))
            }
        }
    }

    /// One of the tenant's jobs, with its result.
    pub async fn search_job(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<JobRow>, StoreError> {
        let record: Option<JobRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {JOB_COLUMNS} from search_job where partner_id = $1 and mode = $2 and job_id = $3")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await)?;
        record.map(JobRecord::into_row).transpose()
    }

    /// A page of the tenant's jobs without results, newest first.
    pub async fn search_jobs(
        &self,
        tenant: &Tenant,
        status: Option<JobStatus>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<JobRow>, StoreError> {
        let records: Vec<JobRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {SUMMARY_COLUMNS} from search_job where partner_id = $1 and mode = $2 \
             and ($3 is null or status = $3) and ($4 is null or job_id < $4) order by job_id desc limit $5")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(status.map(JobStatus::as_str))
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        records.into_iter().map(JobRecord::into_row).collect()
    }

    /// How many of the tenant's jobs are in `status`.
    pub async fn count_search_jobs(
        &self,
        tenant: &Tenant,
        status: JobStatus,
    ) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "select count(*) from search_job where partner_id = $1 and mode = $2 and status = $3")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(status.as_str())
            .fetch_one(pool)
            .await)?)
    }

    /// Cancels a queued job. `None` when the tenant has no such job.
    pub async fn cancel_search_job(
        &self,
        tenant: &Tenant,
        id: &str,
        now: i64,
    ) -> Result<Option<Cancel>, StoreError> {
        let record: Option<JobRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "update search_job set status = 'cancelled', finished_at = $4 \
             where partner_id = $1 and mode = $2 and job_id = $3 and status = 'queued' returning {SUMMARY_COLUMNS}")))
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(id)
            .bind(now)
            .fetch_optional(pool)
            .await)?;
        match record {
            Some(record) => Ok(Some(Cancel::Cancelled(record.into_row()?))),
            None => Ok(self.search_job(tenant, id).await?.map(Cancel::TooLate)),
        }
    }

    /// Claims up to `limit` jobs that are queued, or running under a lapsed
    /// lease (their worker died), oldest first, for `lease_secs` from `now`.
    pub async fn claim_search_jobs(
        &self,
        now: i64,
        lease_secs: i64,
        limit: u32,
    ) -> Result<Vec<JobClaim>, StoreError> {
        let due: Vec<String> = on_pool!(self, pool => sqlx::query_scalar(
            "select job_id from search_job where status = 'queued' \
             or (status = 'running' and claimed_until < $1) order by created_at, job_id limit $2")
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        let mut claimed = Vec::with_capacity(due.len());
        for id in due {
            let token = new_id("claim");
            let record: Option<JobRecord> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "update search_job set status = 'running', claim_token = $2, claimed_until = $3, \
                 attempts = attempts + 1, started_at = coalesce(started_at, $4) where job_id = $1 \
                 and (status = 'queued' or (status = 'running' and claimed_until < $4)) returning {SUMMARY_COLUMNS}")))
                .bind(&id)
                .bind(&token)
                .bind(now + lease_secs)
                .bind(now)
                .fetch_optional(pool)
                .await)?;
            if let Some(record) = record {
                claimed.push(JobClaim {
                    job: record.into_row()?,
                    token,
                });
            }
        }
        Ok(claimed)
    }

    /// Extends `claim`'s lease to `lease_secs` from `now`; `false` when another
    /// runner holds the job now (or it ended), and this one should stop.
    pub async fn renew_job_claim(
        &self,
        claim: &JobClaim,
        now: i64,
        lease_secs: i64,
    ) -> Result<bool, StoreError> {
        let renewed = on_pool!(self, pool => sqlx::query(
            "update search_job set claimed_until = $3 where job_id = $1 and claim_token = $2 and status = 'running'")
            .bind(&claim.job.job_id)
            .bind(&claim.token)
            .bind(now + lease_secs)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(renewed == 1)
    }

    /// Starts the end of `claim`'s job. With a dedupe token (`(scope, digest)`)
    /// the token is locked and what it delivered is read, so the page the
    /// caller picks leaves those out.
    pub async fn begin_job_completion(
        &self,
        claim: &JobClaim,
        dedupe: Option<(&str, &str)>,
    ) -> Result<JobCompletion, StoreError> {
        let (mut tx, queued) = self.begin_write().await?;
        let mut delivered = RoaringBitmap::new();
        if let Some((scope, digest)) = dedupe {
            if let Tx::Postgres(t) = &mut tx {
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
            delivered = ids
                .into_iter()
                .filter_map(|id| u32::try_from(id).ok())
                .collect();
        }
        Ok(JobCompletion {
            tx,
            _queued: queued,
            job_id: claim.job.job_id.clone(),
            token: claim.token.clone(),
            tenant: claim.job.tenant.clone(),
            dedupe: dedupe.map(|(s, d)| (s.to_owned(), d.to_owned())),
            delivered,
        })
    }

    /// Empties the results of jobs past their expiry (they then answer
    /// `410 job_expired`); returns how many.
    pub async fn purge_expired_jobs(&self, now: i64) -> Result<u64, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query(
            "update search_job set result = null where expires_at < $1 and result is not null")
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?)
    }
}

impl JobClaim {
    /// The token, for tests that play a second worker.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl JobCompletion {
    /// Everyone delivered under the job's dedupe token so far.
    pub fn delivered(&self) -> &RoaringBitmap {
        &self.delivered
    }

    /// Ends the job as `end` at `now` (results kept `retention_secs`), with its
    /// usage and `event` for the endpoints, and commits. `false` (and nothing
    /// written) when the claim was lost to another worker.
    pub async fn finish(
        mut self,
        end: &JobEnd<'_>,
        event: &Event,
        retention_secs: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let expires = now.saturating_add(retention_secs);
        let (status, result, billable, code, message) = match end {
            JobEnd::Succeeded {
                result,
                billable_records,
                ..
            } => (
                JobStatus::Succeeded,
                Some(*result),
                Some(i64::try_from(*billable_records).unwrap_or(i64::MAX)),
                None,
                None,
            ),
            JobEnd::Failed { code, message } => {
                (JobStatus::Failed, None, None, Some(*code), Some(*message))
            }
        };
        let tenant = &self.tenant;
        let written = on_tx!(&mut self.tx, t => {
            let ended = sqlx::query(
                "update search_job set status = $3, result = $4, billable_records = $5, error_code = $6, \
                 error_message = $7, finished_at = $8, expires_at = $9, claim_token = null, claimed_until = null \
                 where job_id = $1 and claim_token = $2 and status = 'running'")
                .bind(&self.job_id)
                .bind(&self.token)
                .bind(status.as_str())
                .bind(result)
                .bind(billable)
                .bind(code)
                .bind(message)
                .bind(now)
                .bind(expires)
                .execute(&mut **t)
                .await?
                .rows_affected();
            if ended != 1 {
                false
            } else {
                if let JobEnd::Succeeded { ids, billable_records, .. } = end {
                    if let Some((scope, digest)) = &self.dedupe {
                        for chunk in ids.chunks(super::ROWS_PER_INSERT) {
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
                        }
                    }
                    if *billable_records > 0 {
                        sqlx::query(
                            "insert into usage_counter (partner_id, mode, kind, at, units) values ($1, $2, $3, $4, $5) \
                             on conflict (partner_id, mode, kind, at) do update set units = usage_counter.units + excluded.units")
                            .bind(&tenant.partner_id)
                            .bind(tenant.mode.as_str())
                            .bind(UsageKind::DataRecord.as_str())
                            .bind(now)
                            .bind(i64::try_from(*billable_records).unwrap_or(i64::MAX))
                            .execute(&mut **t)
                            .await?;
                    }
                }
                fan_out!(*t, tenant, event, now);
                true
            }
        });
        if written {
            self.tx.commit().await?;
        }
        Ok(written)
    }
}
