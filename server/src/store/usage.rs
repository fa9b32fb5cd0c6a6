//! Usage for `GET /v1/usage`: the usage ledger (requests and data API records per
//! second) and the wallet ledger summed per customer and kind, both over the same
//! exact time range (the wallet figures come from the ledger the wallets are
//! derived from, so usage and wallets cannot disagree).

use super::embed_keys::enum_from_text;
use super::{on_pool, Store, StoreError};
use crate::partners::Tenant;
use crate::wallet::EntryKind;

/// What the usage ledger counts besides the wallets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UsageKind {
    /// A successful partner API request.
    Request,
    /// A record the data API returned (search, lookup, company people).
    DataRecord,
}

impl UsageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UsageKind::Request => "request",
            UsageKind::DataRecord => "data_record",
        }
    }
}

/// Units of one usage kind of one tenant in one second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCount {
    pub partner_id: String,
    pub mode: String,
    pub kind: UsageKind,
    /// Unix second.
    pub at: i64,
    pub units: u64,
}

/// One customer's ledger totals in a range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerUsage {
    pub partner_customer_id: String,
    pub external_customer_id: String,
    pub billable_records: i64,
    pub credit_units: i64,
    pub search_sessions: i64,
}

impl Store {
    /// Adds usage counts to the usage ledger.
    pub async fn add_usage(&self, counts: &[UsageCount]) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for UsageCount { partner_id, mode, kind, at, units: n } in counts {
                sqlx::query(
                    "insert into usage_counter (partner_id, mode, kind, at, units) values ($1, $2, $3, $4, $5) \
                     on conflict (partner_id, mode, kind, at) do update set units = usage_counter.units + excluded.units")
                    .bind(partner_id)
                    .bind(mode)
                    .bind(kind.as_str())
                    .bind(at)
                    .bind(i64::try_from(*n).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
    }

    /// The tenant's usage of `kind` in `[from, to)`.
    pub async fn usage_total(
        &self,
        tenant: &Tenant,
        kind: UsageKind,
        from: i64,
        to: i64,
    ) -> Result<i64, StoreError> {
        let n: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "select cast(sum(units) as bigint) from usage_counter \
             where partner_id = $1 and mode = $2 and kind = $3 and at >= $4 and at < $5")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(kind.as_str())
            .bind(from)
            .bind(to)
            .fetch_one(pool)
            .await)?;
        Ok(n.unwrap_or(0))
    }

    /// The tenant's customers' ledger totals in `[from, to)`, busiest first.
    pub async fn customer_usage(
        &self,
        tenant: &Tenant,
        from: i64,
        to: i64,
    ) -> Result<Vec<CustomerUsage>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = on_pool!(self, pool => sqlx::query_as(
            "select l.partner_customer_id, c.external_customer_id, l.kind, \
             cast(sum(case when l.units > 0 then l.units else 0 end) as bigint) \
             from wallet_ledger l join partner_customer c on c.partner_customer_id = l.partner_customer_id \
             where c.partner_id = $1 and c.mode = $2 and l.at >= $3 and l.at < $4 \
             group by l.partner_customer_id, c.external_customer_id, l.kind")
            .bind(&tenant.partner_id)
            .bind(tenant.mode.as_str())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await)?;
        let mut out: Vec<CustomerUsage> = Vec::new();
        for (id, external, kind, units) in rows {
            let kind: EntryKind = enum_from_text("kind", &kind)?;
            let entry = match out.iter_mut().position(|c| c.partner_customer_id == id) {
                Some(i) => &mut out[i],
                None => {
                    out.push(CustomerUsage {
                        partner_customer_id: id,
                        external_customer_id: external,
                        ..CustomerUsage::default()
                    });
                    out.last_mut()
                        .ok_or_else(|| StoreError::Corrupt("usage".into()))?
                }
            };
            match kind {
                EntryKind::Reveal => entry.billable_records += units,
                EntryKind::Spend => entry.credit_units += units,
                EntryKind::Refund | EntryKind::FlagCredit => entry.credit_units -= units,
                EntryKind::SearchSession => entry.search_sessions += units,
                EntryKind::Grant => {}
            }
        }
        out.sort_by(|a, b| {
            b.billable_records
                .cmp(&a.billable_records)
                .then(a.partner_customer_id.cmp(&b.partner_customer_id))
        });
        Ok(out)
    }
}
