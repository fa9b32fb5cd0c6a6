//! Webhook events (PRODUCT.md §7): what a partner's endpoints can subscribe to,
//! and the thin payloads they receive. A payload is Standard Webhooks' shape,
//! `{type, timestamp, data}`, with ids, counts and links only (under
//! [`MAX_EVENT_BYTES`]): the receiver GETs the job or delivery for the rest, so a
//! payload never carries records. Pure, so the wire format is tested without a
//! server.

use serde::Serialize;
use serde_json::{json, Value};

/// The largest event body sent.
pub const MAX_EVENT_BYTES: usize = 20 * 1024;

/// What an endpoint can hear about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub enum EventType {
    /// An async person search finished with its page.
    #[serde(rename = "person_search.job.succeeded")]
    JobSucceeded,
    /// An async person search could not run.
    #[serde(rename = "person_search.job.failed")]
    JobFailed,
    /// A push ran out of retries.
    #[serde(rename = "delivery.failed")]
    DeliveryFailed,
    /// A saved search that watches found people it had not shown before.
    #[serde(rename = "saved_search.new_matches")]
    SavedSearchNewMatches,
}

impl EventType {
    pub const ALL: [EventType; 4] = [
        EventType::JobSucceeded,
        EventType::JobFailed,
        EventType::DeliveryFailed,
        EventType::SavedSearchNewMatches,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::JobSucceeded => "person_search.job.succeeded",
            EventType::JobFailed => "person_search.job.failed",
            EventType::DeliveryFailed => "delivery.failed",
            EventType::SavedSearchNewMatches => "saved_search.new_matches",
        }
    }

    pub fn parse(value: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == value)
    }
}

/// An event name as an endpoint subscribes to it (the OpenAPI document's enum):
/// an event type, or `*` for every event.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum SubscribedEvent {
    #[serde(rename = "*")]
    All,
    #[serde(rename = "person_search.job.succeeded")]
    JobSucceeded,
    #[serde(rename = "person_search.job.failed")]
    JobFailed,
    #[serde(rename = "delivery.failed")]
    DeliveryFailed,
    #[serde(rename = "saved_search.new_matches")]
    SavedSearchNewMatches,
}

/// What a delivery carries (the OpenAPI document's enum for the log's filter):
/// a push, or one of the events.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub enum DeliveryEvent {
    #[serde(rename = "prospecting.records.pushed")]
    RecordsPushed,
    #[serde(rename = "person_search.job.succeeded")]
    JobSucceeded,
    #[serde(rename = "person_search.job.failed")]
    JobFailed,
    #[serde(rename = "delivery.failed")]
    DeliveryFailed,
    #[serde(rename = "saved_search.new_matches")]
    SavedSearchNewMatches,
}

/// The events an endpoint subscribed to: all (`["*"]`, also the default), or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    All,
    Only(Vec<EventType>),
}

/// `"*"`: every event, including ones added later.
pub const WILDCARD: &str = "*";

impl Subscription {
    /// The subscription `names` ask for: unknown names are refused (naming the
    /// first), `*` anywhere means everything, and an empty list is refused.
    pub fn parse(names: &[String]) -> Result<Subscription, String> {
        if names.is_empty() {
            return Err(format!(
                "events must name at least one event, or be [\"{WILDCARD}\"] for all"
            ));
        }
        let mut events = Vec::new();
        let mut all = false;
        for name in names {
            if name == WILDCARD {
                all = true;
                continue;
            }
            let Some(event) = EventType::parse(name) else {
                return Err(format!(
                    "{name:?} is not an event; use {}, or \"{WILDCARD}\"",
                    EventType::ALL.map(EventType::as_str).join(", ")
                ));
            };
            if !events.contains(&event) {
                events.push(event);
            }
        }
        Ok(if all {
            Subscription::All
        } else {
            Subscription::Only(events)
        })
    }

    /// A stored subscription, read leniently: names this build does not know
    /// (written by a newer replica during a rolling upgrade) are skipped, not an
    /// error that would hold up every event of the partner.
    pub fn from_stored(names: &[String]) -> Subscription {
        if names.iter().any(|n| n == WILDCARD) {
            return Subscription::All;
        }
        Subscription::Only(names.iter().filter_map(|n| EventType::parse(n)).collect())
    }

    pub fn includes(&self, event: EventType) -> bool {
        match self {
            Subscription::All => true,
            Subscription::Only(events) => events.contains(&event),
        }
    }

    /// The names as stored and shown: `["*"]` or the event types.
    pub fn names(&self) -> Vec<String> {
        match self {
            Subscription::All => vec![WILDCARD.to_owned()],
            Subscription::Only(events) => events.iter().map(|e| e.as_str().to_owned()).collect(),
        }
    }
}

/// An event ready to fan out to the endpoints subscribed to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event_type: EventType,
    /// The JSON body every endpoint receives.
    pub body: String,
}

impl Event {
    /// `{type, timestamp, data}` at `now` (unix seconds). A body over
    /// [`MAX_EVENT_BYTES`] is a bug in the caller (payloads are ids and counts)
    /// and is refused rather than sent.
    pub fn new(event_type: EventType, now: i64, data: Value) -> Result<Event, String> {
        let body = json!({
            "type": event_type.as_str(),
            "timestamp": crate::http::iso8601(now),
            "data": data,
        })
        .to_string();
        if body.len() > MAX_EVENT_BYTES {
            return Err(format!(
                "the {} event is {} bytes, over the {MAX_EVENT_BYTES}-byte limit",
                event_type.as_str(),
                body.len()
            ));
        }
        Ok(Event { event_type, body })
    }
}

/// What a finished person-search job tells its endpoints.
#[derive(Debug, Clone, Copy)]
pub struct JobOutcome<'a> {
    pub job_id: &'a str,
    pub succeeded: bool,
    pub returned_records: u64,
    pub billable_records: u64,
    pub total_records: u64,
    pub has_more: bool,
    pub error_code: Option<&'a str>,
}

/// The `person_search.job.succeeded` or `.failed` event of `job`.
pub fn job_event(job: &JobOutcome<'_>, now: i64) -> Event {
    let link = format!("/v1/persons/search/jobs/{}", job.job_id);
    let (event_type, data) = if job.succeeded {
        (
            EventType::JobSucceeded,
            json!({
                "job_id": job.job_id,
                "status": "succeeded",
                "returned_records": job.returned_records,
                "billable_records": job.billable_records,
                "total_records": job.total_records,
                "has_more": job.has_more,
                "links": {"job": link},
            }),
        )
    } else {
        (
            EventType::JobFailed,
            json!({
                "job_id": job.job_id,
                "status": "failed",
                "error": job.error_code,
                "links": {"job": link},
            }),
        )
    };
    // Ids and counts only: far below the limit.
    Event::new(event_type, now, data).unwrap_or_else(|e| too_large(event_type, &e))
}

/// The `saved_search.new_matches` event of a watched saved search.
pub fn new_matches_event(
    saved_search_id: &str,
    partner_customer_id: &str,
    new_matches: u64,
    now: i64,
) -> Event {
    let data = json!({
        "saved_search_id": saved_search_id,
        "partner_customer_id": partner_customer_id,
        "new_matches": new_matches,
        "link": format!("/v1/partner-customers/{partner_customer_id}/saved-searches/{saved_search_id}"),
    });
    Event::new(EventType::SavedSearchNewMatches, now, data)
        .unwrap_or_else(|e| too_large(EventType::SavedSearchNewMatches, &e))
}

/// What a push that ran out of retries tells the partner's endpoints.
#[derive(Debug, Clone, Copy)]
pub struct FailedPush<'a> {
    pub delivery_id: &'a str,
    pub partner_customer_id: &'a str,
    pub purchase_id: &'a str,
    pub search_id: Option<&'a str>,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<&'a str>,
}

/// The `delivery.failed` event of a push. The URL is left out (it may carry a
/// partner's token); the delivery log has it.
pub fn delivery_failed_event(push: &FailedPush<'_>, now: i64) -> Event {
    // An error text is the sender's own short message; capped all the same.
    let last_error = push
        .last_error
        .map(|e| e.chars().take(500).collect::<String>());
    let data = json!({
        "delivery_id": push.delivery_id,
        "partner_customer_id": push.partner_customer_id,
        "purchase_id": push.purchase_id,
        "search_id": push.search_id,
        "attempts": push.attempts,
        "last_status": push.last_status,
        "last_error": last_error,
        "links": {
            "deliveries": format!("/v1/deliveries?partner_customer_id={}", push.partner_customer_id),
            "retry": format!("/v1/deliveries/{}/retry", push.delivery_id),
        },
    });
    Event::new(EventType::DeliveryFailed, now, data)
        .unwrap_or_else(|e| too_large(EventType::DeliveryFailed, &e))
}

/// An event that came out over the limit (a bug): logged, and sent as its type
/// and the error only, so the receiver still hears that it happened.
fn too_large(event_type: EventType, error: &str) -> Event {
    tracing::error!(event = event_type.as_str(), %error, "event payload over the limit");
    Event {
        event_type,
        body: json!({"type": event_type.as_str(), "data": {"error": "payload too large"}})
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn subscriptions_parse_names_and_the_wildcard() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Subscription::parse(&names(&["*"])), Ok(Subscription::All));
        assert_eq!(
            Subscription::parse(&names(&["delivery.failed", "*"])),
            Ok(Subscription::All)
        );
        let only = Subscription::parse(&names(&[
            "person_search.job.failed",
            "person_search.job.failed",
        ]))
        .unwrap();
        assert_eq!(only, Subscription::Only(vec![EventType::JobFailed]));
        assert!(only.includes(EventType::JobFailed));
        assert!(!only.includes(EventType::JobSucceeded));
        assert_eq!(only.names(), ["person_search.job.failed"]);
        let error = Subscription::parse(&names(&["job.done"])).unwrap_err();
        assert!(error.contains("\"job.done\" is not an event"), "{error}");
        assert!(Subscription::parse(&[]).is_err());
    }

    #[test]
    fn payloads_are_thin_and_standard_shaped() {
        let event = job_event(
            &JobOutcome {
                job_id: "job_1",
                succeeded: true,
                returned_records: 100,
                billable_records: 100,
                total_records: 5_000,
                has_more: true,
                error_code: None,
            },
            1_700_000_000,
        );
        let body: Value = serde_json::from_str(&event.body).unwrap();
        assert_eq!(body["type"], "person_search.job.succeeded");
        assert_eq!(body["timestamp"], "2023-11-14T22:13:20Z");
        assert_eq!(body["data"]["job_id"], "job_1");
        assert_eq!(
            body["data"]["links"]["job"],
            "/v1/persons/search/jobs/job_1"
        );
        let failed = delivery_failed_event(
            &FailedPush {
                delivery_id: "dlv_1",
                partner_customer_id: "pc_1",
                purchase_id: "pur_1",
                search_id: None,
                attempts: 10,
                last_status: Some(500),
                last_error: Some(&"x".repeat(100_000)),
            },
            0,
        );
        assert!(failed.body.len() < MAX_EVENT_BYTES);
        assert!(Event::new(EventType::JobFailed, 0, json!("y".repeat(MAX_EVENT_BYTES))).is_err());
    }

    proptest! {
        #[test]
        fn any_list_of_names_parses_or_names_the_bad_one(names in proptest::collection::vec("[a-z_.*]{0,30}", 0..6)) {
            match Subscription::parse(&names) {
                Ok(Subscription::All) => prop_assert!(names.iter().any(|n| n == "*")),
                Ok(Subscription::Only(events)) => {
                    prop_assert!(!events.is_empty());
                    prop_assert!(names.iter().all(|n| EventType::parse(n).is_some()));
                }
                Err(message) => prop_assert!(
                    names.is_empty() || names.iter().any(|n| n != "*" && EventType::parse(n).is_none() && message.contains(n.as_str()))
                ),
            }
        }
    }
}
