//! Store methods for the searchable data set: bulk upserts for import and the demo
//! generator (inside one transaction, so a failed import leaves nothing behind),
//! counts, and ordered streams for export.

use std::collections::HashSet;
use std::sync::OnceLock;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::{AssertSqlSafe, Postgres, Sqlite, Transaction};

use super::{now_unix, on_pool, Pool, Store, StoreError};
use crate::records::{Company, Person};

/// Rows per multi-row `insert`: 15 columns × 500 rows stays far below both backends'
/// bind-parameter limits while amortising per-statement overhead.
pub const BATCH_ROWS: usize = 500;

const COMPANY_COLUMNS: &[&str] = &[
    "company_id",
    "name",
    "domain",
    "website",
    "phone",
    "linkedin_url",
    "revenue",
    "employee_count",
    "industry",
    "sic",
    "naics",
    "city",
    "state",
    "country",
    "keywords",
    "updated_at",
];

const PERSON_COLUMNS: &[&str] = &[
    "person_id",
    "company_id",
    "first_name",
    "last_name",
    "job_title",
    "seniority",
    "department",
    "business_email",
    "email_status",
    "email_verified_at",
    "mobile_phone",
    "linkedin_url",
    "city",
    "state",
    "updated_at",
];

/// How a backend spells bind parameters in generated multi-row statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placeholders {
    /// `$1, $2, …` (PostgreSQL).
    Numbered,
    /// `?, ?, …` (SQLite). Numbered names would make SQLite look each one up by a
    /// linear scan at bind time: quadratic in the 7,500 parameters of a batch.
    Anonymous,
}

/// `insert into T (cols) values (...),(...) on conflict (key) do update set c = excluded.c`
fn upsert_sql(
    table: &str,
    columns: &[&str],
    key: &str,
    rows: usize,
    style: Placeholders,
) -> String {
    let mut sql = format!("insert into {table} ({}) values ", columns.join(", "));
    let mut n = 0;
    for row in 0..rows {
        if row > 0 {
            sql.push(',');
        }
        sql.push('(');
        for col in 0..columns.len() {
            if col > 0 {
                sql.push(',');
            }
            n += 1;
            match style {
                Placeholders::Numbered => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                Placeholders::Anonymous => sql.push('?'),
            }
        }
        sql.push(')');
    }
    let updates: Vec<String> = columns
        .iter()
        .filter(|c| **c != key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    sql.push_str(&format!(
        " on conflict ({key}) do update set {}",
        updates.join(", ")
    ));
    sql
}

/// The statement for a full batch is built once per style; a short last batch builds
/// its own.
fn cached_upsert_sql(
    cache: &'static [OnceLock<String>; 2],
    table: &str,
    columns: &[&str],
    key: &str,
    rows: usize,
    style: Placeholders,
) -> String {
    if rows == BATCH_ROWS {
        return cache[style as usize]
            .get_or_init(|| upsert_sql(table, columns, key, rows, style))
            .clone();
    }
    upsert_sql(table, columns, key, rows, style)
}

fn company_sql(rows: usize, style: Placeholders) -> String {
    static FULL: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    cached_upsert_sql(&FULL, "company", COMPANY_COLUMNS, "company_id", rows, style)
}

fn person_sql(rows: usize, style: Placeholders) -> String {
    static FULL: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    cached_upsert_sql(&FULL, "person", PERSON_COLUMNS, "person_id", rows, style)
}

/// Binds one company's columns in `COMPANY_COLUMNS` order.
macro_rules! bind_company {
    ($query:expr, $c:expr, $now:expr) => {
        $query
            .bind(&$c.company_id)
            .bind(&$c.name)
            .bind(&$c.domain)
            .bind(&$c.website)
            .bind(&$c.phone)
            .bind(&$c.linkedin_url)
            .bind($c.revenue)
            .bind($c.employee_count)
            .bind(&$c.industry)
            .bind(&$c.sic)
            .bind(&$c.naics)
            .bind(&$c.city)
            .bind(&$c.state)
            .bind(&$c.country)
            .bind(&$c.keywords)
            .bind($now)
    };
}

/// Binds one person's columns in `PERSON_COLUMNS` order.
macro_rules! bind_person {
    ($query:expr, $p:expr, $now:expr) => {
        $query
            .bind(&$p.person_id)
            .bind(&$p.company_id)
            .bind(&$p.first_name)
            .bind(&$p.last_name)
            .bind(&$p.job_title)
            .bind(&$p.seniority)
            .bind(&$p.department)
            .bind(&$p.business_email)
            .bind(&$p.email_status)
            .bind($p.email_verified_at)
            .bind(&$p.mobile_phone)
            .bind(&$p.linkedin_url)
            .bind(&$p.city)
            .bind(&$p.state)
            .bind($now)
    };
}

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same expression against whichever transaction the writer holds.
macro_rules! on_tx {
    ($writer:expr, $tx:ident => $body:expr) => {
        match &mut $writer.tx {
            Tx::Sqlite($tx) => $body,
            Tx::Postgres($tx) => $body,
        }
    };
}

/// A bulk-load transaction: upserts companies and people by their ids; nothing is
/// visible to others until [`Writer::commit`], and dropping it rolls everything back.
pub struct Writer {
    tx: Tx,
    now: i64,
    /// Secondary indexes dropped by [`Writer::defer_indexes`] (name, definition),
    /// built again at [`Writer::commit`].
    deferred: Vec<(String, String)>,
}

/// The non-unique indexes of `company` and `person` with their definitions: the
/// ones a bulk load can build once at the end instead of row by row. (Unique
/// indexes stay: upserts find their rows through them.)
const SQLITE_SECONDARY_INDEXES: &str = "select name, sql from sqlite_master \
     where type = 'index' and tbl_name in ('company', 'person') and sql is not null \
     and lower(sql) not like 'create unique%'";
const POSTGRES_SECONDARY_INDEXES: &str = "select i.relname::text, pg_get_indexdef(i.oid) \
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid \
     where t.relname in ('company', 'person') and not x.indisunique and not x.indisprimary \
     and t.relnamespace = current_schema()::regnamespace";

impl Writer {
    fn placeholders(&self) -> Placeholders {
        match self.tx {
            Tx::Sqlite(_) => Placeholders::Anonymous,
            Tx::Postgres(_) => Placeholders::Numbered,
        }
    }

    /// Inserts or updates companies (matched on `company_id`).
    pub async fn upsert_companies(&mut self, companies: &[Company]) -> Result<(), StoreError> {
        let now = self.now;
        for chunk in companies.chunks(BATCH_ROWS) {
            let sql = company_sql(chunk.len(), self.placeholders());
            on_tx!(self, tx => {
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for c in chunk {
                    query = bind_company!(query, c, now);
                }
                query.execute(&mut **tx).await?;
            });
        }
        Ok(())
    }

    /// Inserts or updates people (matched on `person_id`); their companies must exist.
    pub async fn upsert_people(&mut self, people: &[Person]) -> Result<(), StoreError> {
        let now = self.now;
        for chunk in people.chunks(BATCH_ROWS) {
            let sql = person_sql(chunk.len(), self.placeholders());
            on_tx!(self, tx => {
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for p in chunk {
                    query = bind_person!(query, p, now);
                }
                query.execute(&mut **tx).await?;
            });
        }
        Ok(())
    }

    /// Drops the secondary indexes of `company` and `person` until [`Writer::commit`]
    /// builds them again, once, from the sorted data: for a load into empty tables
    /// (`quarry seed-demo`), several times faster than maintaining every index on
    /// every row. The drop is part of the transaction: on SQLite others see the
    /// old tables until commit; on PostgreSQL the drop also locks both tables
    /// against readers until commit, so use it for loads into empty tables only.
    pub async fn defer_indexes(&mut self) -> Result<(), StoreError> {
        let sql = match self.placeholders() {
            Placeholders::Anonymous => SQLITE_SECONDARY_INDEXES,
            Placeholders::Numbered => POSTGRES_SECONDARY_INDEXES,
        };
        let indexes: Vec<(String, String)> =
            on_tx!(self, tx => sqlx::query_as(sql).fetch_all(&mut **tx).await?);
        for (name, _) in &indexes {
            on_tx!(self, tx => {
                sqlx::query(AssertSqlSafe(format!("drop index \"{name}\"")))
                    .execute(&mut **tx)
                    .await?;
            });
        }
        self.deferred.extend(indexes);
        Ok(())
    }

    /// Makes every upsert of this writer visible at once, and bumps the data version so
    /// running servers rebuild their search index.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        for (_, definition) in std::mem::take(&mut self.deferred) {
            on_tx!(self, tx => {
                sqlx::query(AssertSqlSafe(definition)).execute(&mut **tx).await?;
            });
        }
        on_tx!(self, tx => {
            sqlx::query("update data_version set version = version + 1 where id = 1")
                .execute(&mut **tx)
                .await?;
        });
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Discards every upsert of this writer.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.tx {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }
}

const SELECT_COMPANIES: &str = "select company_id, name, domain, website, phone, linkedin_url, \
     revenue, employee_count, industry, sic, naics, city, state, country, keywords \
     from company order by id";

const SELECT_PEOPLE: &str = "select person_id, company_id, first_name, last_name, job_title, \
     seniority, department, business_email, email_status, email_verified_at, mobile_phone, \
     linkedin_url, city, state from person order by id";

impl Store {
    /// Starts a bulk-load transaction.
    pub async fn writer(&self) -> Result<Writer, StoreError> {
        let tx = match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        };
        Ok(Writer {
            tx,
            now: now_unix(),
            deferred: Vec::new(),
        })
    }

    /// How many companies and people the data set holds.
    pub async fn data_counts(&self) -> Result<(u64, u64), StoreError> {
        let (companies, people): (i64, i64) = on_pool!(self, pool => {
            sqlx::query_as(
                "select (select count(*) from company), (select count(*) from person)",
            )
            .fetch_one(pool)
            .await
        })?;
        Ok((companies as u64, people as u64))
    }

    /// Every stored `company_id` (the importer checks people's references against it).
    pub async fn company_ids(&self) -> Result<HashSet<String>, StoreError> {
        let ids: Vec<String> = on_pool!(self, pool => {
            sqlx::query_scalar("select company_id from company").fetch_all(pool).await
        })?;
        Ok(ids.into_iter().collect())
    }

    /// All companies in insertion order, streamed (memory stays flat).
    pub fn stream_companies(&self) -> BoxStream<'_, Result<Company, StoreError>> {
        on_pool!(self, pool => sqlx::query_as::<_, Company>(SELECT_COMPANIES)
            .fetch(pool)
            .map_err(StoreError::from)
            .boxed())
    }

    /// All people in insertion order, streamed (memory stays flat).
    pub fn stream_people(&self) -> BoxStream<'_, Result<Person, StoreError>> {
        on_pool!(self, pool => sqlx::query_as::<_, Person>(SELECT_PEOPLE)
            .fetch(pool)
            .map_err(StoreError::from)
            .boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_sql_numbers_placeholders_across_rows() {
        let sql = upsert_sql("t", &["id", "a"], "id", 2, Placeholders::Numbered);
        assert_eq!(
            sql,
            "insert into t (id, a) values ($1,$2),($3,$4) on conflict (id) do update set a = excluded.a"
        );
        let sql = upsert_sql("t", &["id", "a"], "id", 2, Placeholders::Anonymous);
        assert!(
            sql.starts_with("insert into t (id, a) values (?,?),(?,?) on conflict"),
            "{sql}"
        );
    }
}
