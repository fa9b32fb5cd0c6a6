//! Suppression entries. Adding and removing are one transaction each, which also
//! moves the list's version (see [`Store::suppression_version`]), so readers on
//! every replica can tell a cached set of suppressed people from a stale one.

use sqlx::FromRow;

use super::{on_pool, on_tx, Store, StoreError};
use crate::partners::suppressions::SuppressionKind;

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuppressionRow {
    pub kind: SuppressionKind,
    pub value: String,
    pub created_at: i64,
}

#[derive(FromRow)]
struct Record {
    kind: String,
    value: String,
    created_at: i64,
}

/// What an add or a remove changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SuppressionChange {
    /// Entries written (or removed).
    pub changed: u64,
    /// Entries that were there already (or were not there to remove).
    pub unchanged: u64,
    /// Entries on the list afterwards.
    pub entries: i64,
}

impl Store {
    /// Adds `entries` to the customer's list in one transaction.
    pub async fn add_suppressions(
        &self,
        customer_id: &str,
        entries: &[(SuppressionKind, String)],
        now: i64,
    ) -> Result<SuppressionChange, StoreError> {
        let (mut tx, _queued) = self.begin_write().await?;
        let mut added = 0u64;
        for chunk in entries.chunks(super::ROWS_PER_INSERT) {
            added += on_tx!(&mut tx, t => {
                sqlx::QueryBuilder::new(
                    "insert into suppression (partner_customer_id, kind, value, created_at) ")
                    .push_values(chunk, |mut row, (kind, value)| {
                        row.push_bind(customer_id)
                            .push_bind(kind.as_str())
                            .push_bind(value)
                            .push_bind(now);
                    })
                    .push(" on conflict do nothing")
                    .build()
                    .execute(&mut **t)
                    .await?
                    .rows_affected()
            });
        }
        let entries_now = bump(&mut tx, customer_id, now).await?;
        tx.commit().await?;
        Ok(SuppressionChange {
            changed: added,
            unchanged: entries.len() as u64 - added,
            entries: entries_now,
        })
    }

    /// Removes `entries` (all of them when `None`) in one transaction.
    pub async fn remove_suppressions(
        &self,
        customer_id: &str,
        entries: Option<&[(SuppressionKind, String)]>,
        now: i64,
    ) -> Result<SuppressionChange, StoreError> {
        let (mut tx, _queued) = self.begin_write().await?;
        let mut removed = 0u64;
        match entries {
            None => {
                removed = on_tx!(&mut tx, t => {
                    sqlx::query("delete from suppression where partner_customer_id = $1")
                        .bind(customer_id)
                        .execute(&mut **t)
                        .await?
                        .rows_affected()
                });
            }
            Some(entries) => {
                for (kind, value) in entries {
                    removed += on_tx!(&mut tx, t => {
                        sqlx::query(
                            "delete from suppression where partner_customer_id = $1 and kind = $2 and value = $3")
                            .bind(customer_id)
                            .bind(kind.as_str())
                            .bind(value)
                            .execute(&mut **t)
                            .await?
                            .rows_affected()
                    });
                }
            }
        }
        let entries_now = bump(&mut tx, customer_id, now).await?;
        tx.commit().await?;
        Ok(SuppressionChange {
            changed: removed,
            unchanged: entries.map_or(0, |e| e.len() as u64 - removed),
            entries: entries_now,
        })
    }

    /// A page of the customer's entries in `(kind, value)` order, after `after`.
    pub async fn suppressions(
        &self,
        customer_id: &str,
        kind: Option<SuppressionKind>,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<SuppressionRow>, StoreError> {
        let (after_kind, after_value) = after.unzip();
        let rows: Vec<Record> = on_pool!(self, pool => sqlx::query_as(
            "select kind, value, created_at from suppression where partner_customer_id = $1 \
             and ($2 is null or kind = $2) \
             and ($3 is null or kind > $3 or (kind = $3 and value > $4)) \
             order by kind, value limit $5")
            .bind(customer_id)
            .bind(kind.map(SuppressionKind::as_str))
            .bind(after_kind)
            .bind(after_value)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        rows.into_iter()
            .map(|r| {
                Ok(SuppressionRow {
                    kind: SuppressionKind::parse(&r.kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("suppression kind {:?}", r.kind))
                    })?,
                    value: r.value,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    /// Every value of one kind on the customer's list.
    pub async fn suppression_values(
        &self,
        customer_id: &str,
        kind: SuppressionKind,
    ) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "select value from suppression where partner_customer_id = $1 and kind = $2")
            .bind(customer_id)
            .bind(kind.as_str())
            .fetch_all(pool)
            .await)?)
    }

    /// The list's version and size: `(0, 0)` for a customer that never had one.
    pub async fn suppression_version(&self, customer_id: &str) -> Result<(i64, i64), StoreError> {
        let row: Option<(i64, i64)> = on_pool!(self, pool => sqlx::query_as(
            "select version, entries from suppression_list where partner_customer_id = $1")
            .bind(customer_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.unwrap_or((0, 0)))
    }

    /// The internal ids of the people in this store whose business e-mail or
    /// person id is on the customer's list (the list lives in this store too).
    pub async fn suppressed_people_here(&self, customer_id: &str) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self, pool => sqlx::query_scalar(
            "select p.id from person p join suppression s on s.value = p.business_email \
             where s.partner_customer_id = $1 and s.kind = 'email' \
             union select p.id from person p join suppression s on s.value = p.person_id \
             where s.partner_customer_id = $1 and s.kind = 'person_id'")
            .bind(customer_id)
            .fetch_all(pool)
            .await)?)
    }

    /// The internal ids of the people in this store with one of `emails` or
    /// `person_ids` (for a data set whose people live in another store).
    pub async fn people_with(
        &self,
        emails: &[String],
        person_ids: &[String],
    ) -> Result<Vec<i64>, StoreError> {
        let mut out = Vec::new();
        for (column, values) in [("business_email", emails), ("person_id", person_ids)] {
            for chunk in values.chunks(super::ROWS_PER_INSERT) {
                let ids: Vec<i64> = on_pool!(self, pool => {
                    let mut q = sqlx::QueryBuilder::new(format!("select id from person where {column} in ("));
                    let mut list = q.separated(", ");
                    for v in chunk {
                        list.push_bind(v);
                    }
                    q.push(")");
                    q.build_query_scalar().fetch_all(pool).await?
                });
                out.extend(ids);
            }
        }
        Ok(out)
    }
}

/// Moves the list's version and recounts it, inside the change's transaction.
/// The version row is written first, so concurrent changes of one list wait for
/// each other before counting (PostgreSQL: the row lock).
async fn bump(tx: &mut super::Tx, customer_id: &str, now: i64) -> Result<i64, StoreError> {
    Ok(on_tx!(tx, t => {
        sqlx::query(
            "insert into suppression_list (partner_customer_id, version, entries, updated_at) \
             values ($1, 1, 0, $2) on conflict (partner_customer_id) do update \
             set version = suppression_list.version + 1, updated_at = excluded.updated_at")
            .bind(customer_id)
            .bind(now)
            .execute(&mut **t)
            .await?;
        let entries: i64 = sqlx::query_scalar(
            "select count(*) from suppression where partner_customer_id = $1")
            .bind(customer_id)
            .fetch_one(&mut **t)
            .await?;
        sqlx::query("update suppression_list set entries = $2 where partner_customer_id = $1")
            .bind(customer_id)
            .bind(entries)
            .execute(&mut **t)
            .await?;
        entries
    }))
}
