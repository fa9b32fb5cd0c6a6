//! What a push sends (PRODUCT.md §5, the reference body): the envelope, the
//! records as the partner receives them, and the split into chunks of at most
//! [`CHUNK_RECORDS`] sharing one delivery id. Pure, so the wire format is tested
//! without a server; the worker's headers name the same [`EVENT_RECORDS_PUSHED`].

use quarry_shared::api::Person;
use quarry_shared::prospecting::{Selection, SelectionMode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::prospecting::prospect_id;

/// The event a push is (`event` in the body, `quarry-event-type` in the headers).
pub const EVENT_RECORDS_PUSHED: &str = "prospecting.records.pushed";

/// Records per delivery request.
pub const CHUNK_RECORDS: usize = 1_000;

/// Chunks a push of `records` records is sent in (one, even for none).
pub fn chunk_count(records: usize) -> usize {
    records.div_ceil(CHUNK_RECORDS).max(1)
}

/// Who a push is from and what it bought; the same in every chunk.
#[derive(Debug, Clone, Copy)]
pub struct PushEnvelope<'a> {
    pub delivery_id: &'a str,
    pub search_id: &'a str,
    pub partner_customer_id: &'a str,
    pub external_customer_id: &'a str,
    pub partner_user_id: Option<&'a str>,
    pub selection: &'a Selection,
    pub net_new_billable_records: usize,
    pub already_purchased_records: usize,
}

/// The selection as the body reports it: mode, ids (not for `all_results`),
/// filters and the record count.
pub fn selection_json(selection: &Selection, records: usize) -> Value {
    json!({
        "mode": selection.selection_mode,
        "prospect_ids": match selection.selection_mode {
            SelectionMode::AllResults => Value::Null,
            _ => json!(selection.prospect_ids),
        },
        "filters": selection.applied_filters.clone().unwrap_or_default(),
        "total_records": records,
    })
}

/// One pushed record: the full person, its prospect id, `reveal_state: purchased`.
#[derive(Debug, Clone, Serialize)]
pub struct PushedRecord {
    #[serde(flatten)]
    pub person: Person,
    pub prospect_id: String,
    pub reveal_state: &'static str,
}

/// The record of index id `id`.
pub fn record(id: u32, person: Person) -> PushedRecord {
    PushedRecord {
        person,
        prospect_id: prospect_id::encode(id),
        reveal_state: "purchased",
    }
}

/// The part of a body every chunk shares.
#[derive(Serialize)]
struct Head<'a> {
    event: &'static str,
    delivery_id: &'a str,
    search_id: &'a str,
    partner_customer_id: &'a str,
    external_customer_id: &'a str,
    partner_user_id: Option<&'a str>,
    selection: Value,
    pushed_records: usize,
    net_new_billable_records: usize,
    already_purchased_records: usize,
    chunks: usize,
}

/// One chunk's body: the head, its number and its records, serialised from
/// borrows (no record is copied).
#[derive(Serialize)]
struct Chunk<'a, R> {
    #[serde(flatten)]
    head: &'a Head<'a>,
    chunk: usize,
    data: &'a [R],
}

/// The chunk bodies of a push, in order: each the envelope with `chunk`,
/// `chunks` and its share of `records`.
pub fn chunk_bodies<R: Serialize>(
    envelope: &PushEnvelope<'_>,
    records: &[R],
) -> serde_json::Result<Vec<String>> {
    let head = Head {
        event: EVENT_RECORDS_PUSHED,
        delivery_id: envelope.delivery_id,
        search_id: envelope.search_id,
        partner_customer_id: envelope.partner_customer_id,
        external_customer_id: envelope.external_customer_id,
        partner_user_id: envelope.partner_user_id,
        selection: selection_json(envelope.selection, records.len()),
        pushed_records: records.len(),
        net_new_billable_records: envelope.net_new_billable_records,
        already_purchased_records: envelope.already_purchased_records,
        chunks: chunk_count(records.len()),
    };
    let mut parts: Vec<&[R]> = records.chunks(CHUNK_RECORDS).collect();
    if parts.is_empty() {
        parts.push(&[]);
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(i, data)| {
            serde_json::to_string(&Chunk {
                head: &head,
                chunk: i + 1,
                data,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(mode: SelectionMode) -> Selection {
        Selection {
            selection_mode: mode,
            prospect_ids: Some(vec!["pr_1".into()]),
            applied_filters: None,
            limit: None,
        }
    }

    #[test]
    fn records_are_split_in_chunks_sharing_the_envelope() {
        let sel = selection(SelectionMode::AllResults);
        let envelope = PushEnvelope {
            delivery_id: "dlv_1",
            search_id: "search_1",
            partner_customer_id: "pc_1",
            external_customer_id: "acme",
            partner_user_id: Some("u-7"),
            selection: &sel,
            net_new_billable_records: 2_400,
            already_purchased_records: 1,
        };
        let records: Vec<Value> = (0..2_401).map(|i| json!({"n": i})).collect();
        let bodies = chunk_bodies(&envelope, &records).unwrap();
        assert_eq!(bodies.len(), 3);
        let parsed: Vec<Value> = bodies
            .iter()
            .map(|b| serde_json::from_str(b).unwrap())
            .collect();
        for (i, body) in parsed.iter().enumerate() {
            assert_eq!(body["event"], EVENT_RECORDS_PUSHED);
            assert_eq!(body["delivery_id"], "dlv_1");
            assert_eq!(body["chunk"], i + 1);
            assert_eq!(body["chunks"], 3);
            assert_eq!(body["pushed_records"], 2_401);
            assert_eq!(body["net_new_billable_records"], 2_400);
            assert_eq!(body["partner_user_id"], "u-7");
            assert_eq!(body["selection"]["prospect_ids"], Value::Null);
            assert_eq!(body["selection"]["total_records"], 2_401);
        }
        let sizes: Vec<usize> = parsed
            .iter()
            .map(|b| b["data"].as_array().unwrap().len())
            .collect();
        assert_eq!(sizes, [1_000, 1_000, 401]);
        assert_eq!(parsed[2]["data"][400]["n"], 2_400);
    }

    #[test]
    fn an_empty_push_is_one_empty_chunk() {
        let sel = selection(SelectionMode::Selected);
        let envelope = PushEnvelope {
            delivery_id: "dlv_1",
            search_id: "search_1",
            partner_customer_id: "pc_1",
            external_customer_id: "acme",
            partner_user_id: None,
            selection: &sel,
            net_new_billable_records: 0,
            already_purchased_records: 0,
        };
        let bodies = chunk_bodies::<Value>(&envelope, &[]).unwrap();
        assert_eq!(bodies.len(), 1);
        let body: Value = serde_json::from_str(&bodies[0]).unwrap();
        assert_eq!(
            (body["chunk"].as_u64(), body["chunks"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!(body["data"], json!([]));
        assert_eq!(body["selection"]["prospect_ids"], json!(["pr_1"]));
        assert_eq!(chunk_count(0), 1);
        assert_eq!(chunk_count(1_000), 1);
        assert_eq!(chunk_count(1_001), 2);
    }
}
