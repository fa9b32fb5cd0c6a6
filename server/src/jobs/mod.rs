//! Async person-search jobs (PRODUCT.md §7, the reference's `/v1/persons/search/jobs`):
//! a partner's backend queues a search and hears about the result by webhook or
//! by polling. Creation validates and interprets everything, exactly as the sync
//! search does, and stores the prepared search; a [`runner::JobRunner`] on any
//! replica claims the job with a fenced lease, runs what was stored (never
//! re-interpreting), and ends it in one transaction with its billing, dedupe
//! record and events. Each job is one page; the next page is another job with
//! `cursor`.

pub mod runner;

use quarry_shared::api::{Facets, Pagination, Person};
use serde::{Deserialize, Serialize};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    /// Cancelled while queued; nothing ran and nothing was billed.
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Still to end: a poller should come back (`Retry-After`).
    pub fn is_pending(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// What a job runs besides its prepared search: the page it asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobPage {
    pub limit: u32,
    pub cursor: Option<String>,
}

/// A succeeded job's page: the sync search's answer without the interpretation
/// (the job shows the stored one), plus how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobResult {
    pub pagination: Pagination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    pub data: Vec<Person>,
    /// Records returned (and billed) by this job.
    pub billable_records: u64,
    pub timings_ms: JobTimings,
}

/// Milliseconds the run of a job took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobTimings {
    /// Choosing the page on the index.
    pub search: u64,
    /// Reading the records and everything else up to the result being stored.
    pub total: u64,
}

/// A job claimed this many times without ending (its worker died each time) is
/// failed with [`ERROR_REPEATED_CRASH`] instead of being tried again.
pub const MAX_JOB_ATTEMPTS: i64 = 5;

/// Stable error codes of failed jobs.
pub const ERROR_REPEATED_CRASH: &str = "job_attempts_exhausted";
pub const ERROR_SEARCH: &str = "search_failed";
pub const ERROR_STORED_SEARCH: &str = "stored_search_unreadable";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in JobStatus::ALL {
            assert_eq!(JobStatus::parse(status.as_str()), Some(status));
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert!(JobStatus::Queued.is_pending() && JobStatus::Running.is_pending());
        assert!(!JobStatus::Succeeded.is_pending() && !JobStatus::Cancelled.is_pending());
        assert_eq!(JobStatus::parse("done"), None);
    }
}
