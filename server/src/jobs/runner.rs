//! Running queued jobs. Each replica runs one [`JobRunner`]: it claims as many
//! due jobs as it has free slots (queued ones, and running ones whose lease
//! lapsed because their replica died), runs each on its own task, and ends it
//! through [`crate::store::JobCompletion`], which writes only while the claim is
//! still this runner's. A job is therefore ended once however many replicas
//! share the queue, and one whose worker died is run again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quarry_shared::api::Person;
use roaring::RoaringBitmap;

use super::{
    JobPage, JobResult, JobTimings, ERROR_REPEATED_CRASH, ERROR_SEARCH, ERROR_STORED_SEARCH,
    MAX_JOB_ATTEMPTS,
};
use crate::datasets::DataSets;
use crate::delivery::events::{job_event, JobOutcome};
use crate::delivery::worker::Deliverer;
use crate::search::cursor::CursorCodec;
use crate::search::people::{self, PeopleQuery, Prepared};
use crate::store::{now_unix, JobClaim, JobEnd, Store, StoreError};

/// Runs queued jobs on this replica.
#[derive(Debug)]
pub struct JobRunner {
    store: Store,
    datasets: Arc<DataSets>,
    cursors: CursorCodec,
    deliverer: Arc<Deliverer>,
    lease_secs: i64,
    retention_secs: i64,
    slots: Arc<tokio::sync::Semaphore>,
    /// Wakes the runner when this replica queues a job.
    due: tokio::sync::Notify,
}

/// How one run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    Succeeded,
    Failed,
    /// Another runner holds the job now; this one wrote nothing.
    LostClaim,
}

/// What a runner needs besides the store.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub workers: u32,
    pub lease_secs: i64,
    pub retention_secs: i64,
}

impl JobRunner {
    pub fn new(
        store: Store,
        datasets: Arc<DataSets>,
        cursors: CursorCodec,
        deliverer: Arc<Deliverer>,
        config: &RunnerConfig,
    ) -> JobRunner {
        JobRunner {
            store,
            datasets,
            cursors,
            deliverer,
            lease_secs: config.lease_secs,
            retention_secs: config.retention_secs,
            slots: Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(config.workers.max(1)).unwrap_or(1),
            )),
            due: tokio::sync::Notify::new(),
        }
    }

    /// Tells the runner a job was just queued.
    pub fn wake(&self) {
        self.due.notify_one();
    }

    /// Waits for a free slot, claims as many due jobs as there are free slots
    /// and starts each; returns how many started.
    pub async fn tick(self: &Arc<Self>) -> Result<usize, StoreError> {
        let Ok(first) = Arc::clone(&self.slots).acquire_owned().await else {
            return Ok(0);
        };
        let limit = u32::try_from(self.slots.available_permits() + 1).unwrap_or(u32::MAX);
        let claims = self
            .store
            .claim_search_jobs(now_unix(), self.lease_secs, limit)
            .await?;
        let started = claims.len();
        let mut first = Some(first);
        for claim in claims {
            let permit = match first.take() {
                Some(permit) => permit,
                None => match Arc::clone(&self.slots).acquire_owned().await {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let runner = Arc::clone(self);
            tokio::spawn(async move {
                let id = claim.job.job_id.clone();
                if let Err(e) = runner.run(&claim).await {
                    // The lease lapses and another run picks the job up.
                    tracing::error!(job_id = %id, error = %e, "search job run failed");
                }
                drop(permit);
            });
        }
        Ok(started)
    }

    /// Runs [`JobRunner::tick`] until aborted: again at once while jobs are
    /// due, else after `every` or when woken.
    pub fn spawn(self: Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.tick().await {
                    Ok(started) if started > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "search job tick failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = self.due.notified() => {}
                }
            }
        })
    }

    /// Runs one claimed job to its end.
    pub async fn run(&self, claim: &JobClaim) -> Result<Ran, StoreError> {
        let job = &claim.job;
        let began = Instant::now();
        if job.attempts > MAX_JOB_ATTEMPTS {
            return self
                .fail(
                    claim,
                    ERROR_REPEATED_CRASH,
                    "The job was started several times and never finished; queue it again.",
                )
                .await;
        }
        let stored = serde_json::from_str::<Prepared>(&job.prepared)
            .ok()
            .zip(serde_json::from_str::<JobPage>(&job.request).ok());
        let Some((prepared, page)) = stored else {
            return self
                .fail(
                    claim,
                    ERROR_STORED_SEARCH,
                    "The stored search cannot be read; queue it again.",
                )
                .await;
        };
        let data = self.datasets.get(job.tenant.mode).await?;
        // The sandbox's data set may have just been built: hold the job on.
        if !self.renew(claim).await? {
            return Ok(Ran::LostClaim);
        }
        let index = data.search.index();
        let query = PeopleQuery {
            limit: page.limit,
            cursor: page.cursor,
            ..PeopleQuery::default()
        };
        // Under a dedupe token the page is picked inside the token's lock;
        // without one, before the write transaction starts.
        let mut completion = match &prepared.dedupe_digest {
            Some(digest) => Some(
                self.store
                    .begin_job_completion(claim, Some((&job.scope, digest)))
                    .await?,
            ),
            None => None,
        };
        let delivered = completion
            .as_ref()
            .map(|c| c.delivered().clone())
            .unwrap_or_else(RoaringBitmap::new);
        let searched = Instant::now();
        let page = match people::run(&index, &self.cursors, &query, prepared, &delivered) {
            Ok(page) => page,
            Err(e) => {
                drop(completion.take());
                return self.fail(claim, ERROR_SEARCH, &e.to_string()).await;
            }
        };
        let search_ms = elapsed_ms(searched);
        let rows = data.store.people_by_ids(&page.ids).await?;
        let people: Vec<Person> = data
            .with_companies(rows)
            .await?
            .into_iter()
            .map(|(_, person)| person)
            .collect();
        let billable = people.len() as u64;
        let (total_records, has_more) = (
            page.pagination.total_records,
            page.pagination.next_cursor.is_some(),
        );
        let result = JobResult {
            pagination: page.pagination,
            facets: page.facets,
            data: people,
            billable_records: billable,
            timings_ms: JobTimings {
                search: search_ms,
                total: elapsed_ms(began),
            },
        };
        let json = serde_json::to_string(&result)
            .map_err(|e| StoreError::Corrupt(format!("job result: {e}")))?;
        if completion.is_none() && !self.renew(claim).await? {
            return Ok(Ran::LostClaim);
        }
        let completion = match completion {
            Some(c) => c,
            None => self.store.begin_job_completion(claim, None).await?,
        };
        let now = now_unix();
        let event = job_event(
            &JobOutcome {
                job_id: &job.job_id,
                succeeded: true,
                returned_records: billable,
                billable_records: billable,
                total_records,
                has_more,
                error_code: None,
            },
            now,
        );
        let end = JobEnd::Succeeded {
            result: &json,
            ids: &page.ids,
            billable_records: billable,
        };
        if !completion
            .finish(&end, &event, self.retention_secs, now)
            .await?
        {
            return Ok(Ran::LostClaim);
        }
        self.deliverer.wake();
        Ok(Ran::Succeeded)
    }

    /// Renews the lease before the next step, as a delivery round does before
    /// each chunk; `false` when the job is no longer this runner's.
    async fn renew(&self, claim: &JobClaim) -> Result<bool, StoreError> {
        self.store
            .renew_job_claim(claim, now_unix(), self.lease_secs)
            .await
    }

    async fn fail(&self, claim: &JobClaim, code: &str, message: &str) -> Result<Ran, StoreError> {
        let now = now_unix();
        let event = job_event(
            &JobOutcome {
                job_id: &claim.job.job_id,
                succeeded: false,
                returned_records: 0,
                billable_records: 0,
                total_records: 0,
                has_more: false,
                error_code: Some(code),
            },
            now,
        );
        let completion = self.store.begin_job_completion(claim, None).await?;
        let end = JobEnd::Failed { code, message };
        if !completion
            .finish(&end, &event, self.retention_secs, now)
            .await?
        {
            return Ok(Ran::LostClaim);
        }
        self.deliverer.wake();
        Ok(Ran::Failed)
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
