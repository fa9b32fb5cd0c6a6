//! Data flags as one unit of work: [`Store::flag_record`] takes the write lock
//! (SQLite) or a lock on the customer and person (PostgreSQL), decides the credit
//! from what the customer bought (see [`crate::prospecting::flags::credit`]),
//! and writes the flag, its `flag_credit` ledger entry and, when enough distinct
//! customers reported the same bounced e-mail, the record's demotion, together.
//! So concurrent flags of one record by one customer credit it once.

use sqlx::FromRow;

use super::embed_keys::enum_text;
use super::partners::parse_mode;
use super::wallets::INSERT_ENTRY_SQL;
use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::partners::ids::new_sorted_id;
use crate::partners::{Mode, Tenant};
use crate::prospecting::flags::{credit, Bought, FlagReason, FlagSource, NoCredit};
use crate::wallet::EntryKind;

/// A flag to record.
#[derive(Debug, Clone, Copy)]
pub struct NewFlag<'a> {
    pub tenant: &'a Tenant,
    /// The customer the flag is for (its purchase is what gets credited).
    pub customer: Option<&'a str>,
    /// The data set's internal id.
    pub person: u32,
    pub person_id: &'a str,
    pub reason: FlagReason,
    pub note: Option<&'a str>,
    pub source: FlagSource,
    /// Distinct customers whose `bounced_email` flags demote the e-mail to `invalid`.
    pub demote_after: u32,
    pub now: i64,
}

/// A stored flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    pub flag_id: String,
    pub tenant: Tenant,
    pub partner_customer_id: Option<String>,
    pub person: i64,
    pub person_id: String,
    pub reason: FlagReason,
    pub note: Option<String>,
    pub source: FlagSource,
    pub credited_units: i64,
    pub grant_id: Option<String>,
    pub purchase_id: Option<String>,
    pub created_at: i64,
}

/// What recording a flag did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub flag: FlagRow,
    /// Why nothing was credited, when nothing was.
    pub no_credit: Option<NoCredit>,
    /// This flag made the record's e-mail `invalid`.
    pub demoted: bool,
}

#[derive(FromRow)]
struct Record {
    flag_id: String,
    partner_id: String,
    mode: String,
    partner_customer_id: Option<String>,
    person: i64,
    person_id: String,
    reason: String,
    note: Option<String>,
    source: String,
    credited_units: i64,
    grant_id: Option<String>,
    purchase_id: Option<String>,
    created_at: i64,
}

const COLUMNS: &str =
    "flag_id, partner_id, mode, partner_customer_id, person, person_id, reason, note, \
    source, credited_units, grant_id, purchase_id, created_at";

impl Record {
    fn into_row(self) -> Result<FlagRow, StoreError> {
        Ok(FlagRow {
            tenant: Tenant {
                partner_id: self.partner_id,
                mode: parse_mode(&self.mode)?,
            },
            reason: FlagReason::parse(&self.reason)
                .ok_or_else(|| StoreError::Corrupt(format!("flag reason {:?}", self.reason)))?,
            source: FlagSource::parse(&self.source)
                .ok_or_else(|| StoreError::Corrupt(format!("flag source {:?}", self.source)))?,
            flag_id: self.flag_id,
            partner_customer_id: self.partner_customer_id,
            person: self.person,
            person_id: self.person_id,
            note: self.note,
            credited_units: self.credited_units,
            grant_id: self.grant_id,
            purchase_id: self.purchase_id,
            created_at: self.created_at,
        })
    }
}

impl Store {
    /// Records a flag, with its credit and the record's demotion (see the module docs).
    pub async fn flag_record(&self, new: &NewFlag<'_>) -> Result<Flagged, StoreError> {
        let (mut tx, _queued) = self.begin_write().await?;
        if let Tx::Postgres(t) = &mut tx {
            if let Some(customer) = new.customer {
                sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!("flag:{customer}:{}", new.person))
                    .execute(&mut **t)
                    .await?;
            }
            if new.reason == FlagReason::BouncedEmail {
                // Reporters of one record are counted one at a time.
                sqlx::query("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!("flag-person:{}", new.person))
                    .execute(&mut **t)
                    .await?;
            }
        }
        let flag_id = new_sorted_id("flag");
        let person = i64::from(new.person);
        let live = new.tenant.mode == Mode::Live;
        let outcome = on_tx!(&mut tx, t => {
            let mut decided: Result<(i64, Option<String>, String), NoCredit> = Err(NoCredit::NoCustomer);
            if let Some(customer) = new.customer {
                let bought: Option<(String, i64, i64, i64)> = sqlx::query_as(
                    "select o.purchase_id, o.bought_at, p.credit_units, p.net_new_records from owned_record o \
                     join purchase p on p.purchase_id = o.purchase_id \
                     where o.partner_customer_id = $1 and o.person = $2")
                    .bind(customer)
                    .bind(person)
                    .fetch_optional(&mut **t)
                    .await?;
                let before: i64 = sqlx::query_scalar(
                    "select count(*) from data_flag where partner_customer_id = $1 and person = $2 and credited_units > 0")
                    .bind(customer)
                    .bind(person)
                    .fetch_one(&mut **t)
                    .await?;
                let purchase = bought.as_ref().map(|b| b.0.clone());
                decided = credit(
                    bought.map(|(_, at, credit_units, net_new_records)| Bought { at, credit_units, net_new_records }),
                    before > 0,
                    new.now,
                )
                .map(|units| (units, None, purchase.unwrap_or_default()));
                if let Ok((_, _, purchase_id)) = &decided {
                    // The grant that paid the purchase last is the one repaid…
                    let paid: Option<String> = sqlx::query_scalar::<_, Option<String>>(
                        "select grant_id from wallet_ledger where partner_customer_id = $1 and kind = $2 \
                         and reference = $3 order by entry_id desc limit 1")
                        .bind(customer)
                        .bind(enum_text(&EntryKind::Spend))
                        .bind(purchase_id)
                        .fetch_optional(&mut **t)
                        .await?
                        .flatten();
                    // …while it is spendable; else the active grant that expires
                    // first takes the units (metered overage is repaid as overage).
                    let grant: Option<String> = match &paid {
                        None => None,
                        Some(paid) => sqlx::query_scalar(
                            "select grant_id from credit_grant where partner_customer_id = $1 \
                             and starts_at <= $2 and (expires_at is null or expires_at > $2) \
                             order by case when grant_id = $3 then 0 else 1 end, \
                             case when expires_at is null then 1 else 0 end, expires_at, grant_id limit 1")
                            .bind(customer)
                            .bind(new.now)
                            .bind(paid)
                            .fetch_optional(&mut **t)
                            .await?,
                    };
                    decided = match (&paid, grant) {
                        (Some(_), None) => Err(NoCredit::GrantExpired),
                        (_, grant) => decided.map(|(units, _, purchase)| (units, grant, purchase)),
                    };
                }
                if let Ok((units, grant, _)) = &decided {
                    sqlx::query(INSERT_ENTRY_SQL)
                        .bind(customer)
                        .bind(new.now)
                        .bind(enum_text(&EntryKind::FlagCredit))
                        .bind(*units)
                        .bind(grant)
                        .bind(None::<String>)
                        .bind(&flag_id)
                        .execute(&mut **t)
                        .await?;
                }
            }
            let (credited, grant, purchase) = match &decided {
                Ok((units, grant, purchase)) => (*units, grant.clone(), Some(purchase.clone())),
                Err(_) => (0, None, None),
            };
            let record: Record = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "insert into data_flag ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 returning {COLUMNS}")))
                .bind(&flag_id)
                .bind(&new.tenant.partner_id)
                .bind(new.tenant.mode.as_str())
                .bind(new.customer)
                .bind(person)
                .bind(new.person_id)
                .bind(new.reason.as_str())
                .bind(new.note)
                .bind(new.source.as_str())
                .bind(credited)
                .bind(&grant)
                .bind(&purchase)
                .bind(new.now)
                .fetch_one(&mut **t)
                .await?;
            let mut demoted = false;
            if live && new.reason == FlagReason::BouncedEmail {
                // Only customers who bought the record count: a reporter must
                // have had the e-mail in hand.
                let reporters: i64 = sqlx::query_scalar(
                    "select count(distinct f.partner_customer_id) from data_flag f \
                     join owned_record o on o.partner_customer_id = f.partner_customer_id and o.person = f.person \
                     where f.person = $1 and f.reason = 'bounced_email' and f.mode = 'live'")
                    .bind(person)
                    .fetch_one(&mut **t)
                    .await?;
                if reporters >= i64::from(new.demote_after) {
                    let changed = sqlx::query(
                        "update person set email_status = 'invalid' where id = $1 \
                         and (email_status is null or email_status <> 'invalid')")
                        .bind(person)
                        .execute(&mut **t)
                        .await?
                        .rows_affected();
                    if changed > 0 {
                        // Every replica's index rebuilds with the new status.
                        sqlx::query("update data_version set version = version + 1 where id = 1")
                            .execute(&mut **t)
                            .await?;
                        demoted = true;
                    }
                }
            }
            (record, decided.err(), demoted)
        });
        tx.commit().await?;
        let (record, no_credit, demoted) = outcome;
        Ok(Flagged {
            flag: record.into_row()?,
            no_credit,
            demoted,
        })
    }

    /// A page of flags, newest first: the tenant's, or every flag (the operator).
    pub async fn data_flags(
        &self,
        tenant: Option<&Tenant>,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<FlagRow>, StoreError> {
        let records: Vec<Record> = on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "select {COLUMNS} from data_flag where ($1 is null or (partner_id = $1 and mode = $2)) \
             and ($3 is null or flag_id < $3) order by flag_id desc limit $4")))
            .bind(tenant.map(|t| t.partner_id.as_str()))
            .bind(tenant.map(|t| t.mode.as_str()))
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)?;
        records.into_iter().map(Record::into_row).collect()
    }

    /// The internal id of the person with `person_id` in this store.
    pub async fn person_by_person_id(&self, person_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("select id from person where person_id = $1")
            .bind(person_id)
            .fetch_optional(pool)
            .await)?,
        )
    }

    /// The `person_id` of the internal id `id` in this store.
    pub async fn person_id_of(&self, id: u32) -> Result<Option<String>, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("select person_id from person where id = $1")
            .bind(i64::from(id))
            .fetch_optional(pool)
            .await)?,
        )
    }
}
