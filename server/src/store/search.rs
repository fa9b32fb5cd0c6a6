//! Store methods behind search: the streams the index is built from, the data
//! version that tells servers to rebuild, page reads by id, exact lookups, dedupe
//! deliveries and the server's persisted secrets.

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use rand::distr::{Alphanumeric, SampleString};

use super::{now_unix, on_pool, Pool, Store, StoreError, Tx};
use crate::records::Person;

/// People per batch of [`Store::stream_index_people`] on SQLite.
const INDEX_BATCH: i64 = 20_000;

/// One batch of index rows after an id, as a JSON array of arrays.
/// (The index sorts what it needs: the next batch starts after the batch's
/// `max(id)`, whatever order the array has.)
const INDEX_PEOPLE_BATCH_SQLITE: &str = "select json_group_array(json_array(id, company_id, \
     first_name, substr(last_name, 1, 1), job_title, seniority, department, email_status, \
     business_email is not null, mobile_phone is not null, linkedin_url is not null)), \
     max(id), count(*) from (select * from person where id > $1 order by id limit $2)";

/// An [`IndexPersonRow`] as [`INDEX_PEOPLE_BATCH_SQLITE`] writes it.
#[derive(serde::Deserialize)]
struct IndexPersonJson(
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    u8,
    u8,
    u8,
);

impl From<IndexPersonJson> for IndexPersonRow {
    fn from(r: IndexPersonJson) -> IndexPersonRow {
        IndexPersonRow {
            id: r.0,
            company_id: r.1,
            first_name: r.2,
            last_initial: r.3,
            job_title: r.4,
            seniority: r.5,
            department: r.6,
            email_status: r.7,
            has_email: r.8 != 0,
            has_phone: r.9 != 0,
            has_linkedin: r.10 != 0,
        }
    }
}

/// What the index needs of a person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexPersonRow {
    pub id: i64,
    pub company_id: String,
    /// For sorting by name: the first name and the last name's initial only
    /// (what a masked preview shows, so the order reveals nothing more).
    pub first_name: String,
    pub last_initial: String,
    pub job_title: String,
    pub seniority: Option<String>,
    pub department: Option<String>,
    pub email_status: Option<String>,
    pub has_email: bool,
    pub has_phone: bool,
    pub has_linkedin: bool,
}

/// A stored person with its dense id (search results join the company in memory).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    #[sqlx(flatten)]
    pub person: Person,
}

/// The person columns as a JSON object, for [`Store::people_by_ids`].
#[derive(Debug, serde::Deserialize)]
struct PersonJson {
    id: i64,
    person_id: String,
    company_id: String,
    first_name: String,
    last_name: String,
    job_title: String,
    seniority: Option<String>,
    department: Option<String>,
    business_email: Option<String>,
    email_status: Option<String>,
    email_verified_at: Option<i64>,
    mobile_phone: Option<String>,
    linkedin_url: Option<String>,
    city: Option<String>,
    state: Option<String>,
}

impl From<PersonJson> for PersonRow {
    fn from(p: PersonJson) -> PersonRow {
        PersonRow {
            id: p.id,
            person: Person {
                person_id: p.person_id,
                company_id: p.company_id,
                first_name: p.first_name,
                last_name: p.last_name,
                job_title: p.job_title,
                seniority: p.seniority,
                department: p.department,
                business_email: p.business_email,
                email_status: p.email_status,
                email_verified_at: p.email_verified_at,
                mobile_phone: p.mobile_phone,
                linkedin_url: p.linkedin_url,
                city: p.city,
                state: p.state,
            },
        }
    }
}

const PEOPLE_JSON_SQLITE: &str =
    "select json_group_array(json_object('id', p.id, 'person_id', p.person_id, \
     'company_id', p.company_id, 'first_name', p.first_name, 'last_name', p.last_name, \
     'job_title', p.job_title, 'seniority', p.seniority, 'department', p.department, \
     'business_email', p.business_email, 'email_status', p.email_status, \
     'email_verified_at', p.email_verified_at, 'mobile_phone', p.mobile_phone, \
     'linkedin_url', p.linkedin_url, 'city', p.city, 'state', p.state)) \
     from person p where p.id in (select value from json_each($1))";

const PEOPLE_JSON_POSTGRES: &str =
    "select json_agg(json_build_object('id', p.id, 'person_id', p.person_id, \
     'company_id', p.company_id, 'first_name', p.first_name, 'last_name', p.last_name, \
     'job_title', p.job_title, 'seniority', p.seniority, 'department', p.department, \
     'business_email', p.business_email, 'email_status', p.email_status, \
     'email_verified_at', p.email_verified_at, 'mobile_phone', p.mobile_phone, \
     'linkedin_url', p.linkedin_url, 'city', p.city, 'state', p.state))::text \
     from person p where p.id = any($1)";

const PERSON_COLUMNS: &str =
    "p.id, p.person_id, p.company_id, p.first_name, p.last_name, p.job_title, \
     p.seniority, p.department, p.business_email, p.email_status, p.email_verified_at, \
     p.mobile_phone, p.linkedin_url, p.city, p.state";

/// An exact-identifier lookup (`GET /v1/persons/lookup`); fields are already
/// normalised and at least one is set.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    pub email: Option<String>,
    pub company_domain: Option<String>,
    pub linkedin_url: Option<String>,
    pub phone: Option<String>,
}

impl Store {
    /// The current data version (bumped by every committed bulk load).
    pub async fn data_version(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("select version from data_version where id = 1").fetch_one(pool).await
        })?)
    }

    /// People for the index, in id order. On SQLite they come in batches, each one
    /// JSON row: sqlx hands SQLite rows from its worker thread one at a time, and
    /// at millions of rows the hand-offs cost more than reading them.
    pub fn stream_index_people(&self) -> BoxStream<'_, Result<IndexPersonRow, StoreError>> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let pool = pool.clone();
                futures::stream::try_unfold(Some(-1i64), move |after| {
                    let pool = pool.clone();
                    async move {
                        let Some(after) = after else {
                            return Ok::<_, StoreError>(None);
                        };
                        let (json, last, count): (Option<String>, Option<i64>, i64) =
                            sqlx::query_as(INDEX_PEOPLE_BATCH_SQLITE)
                                .bind(after)
                                .bind(INDEX_BATCH)
                                .fetch_one(&pool)
                                .await?;
                        let rows: Vec<IndexPersonJson> = match json {
                            Some(json) => serde_json::from_str(&json).map_err(|e| {
                                StoreError::Database(sqlx::Error::Decode(Box::new(e)))
                            })?,
                            None => Vec::new(),
                        };
                        let next = last.filter(|_| count == INDEX_BATCH);
                        let rows: Vec<Result<IndexPersonRow, StoreError>> =
                            rows.into_iter().map(|r| Ok(r.into())).collect();
                        Ok(Some((futures::stream::iter(rows), next)))
                    }
                })
                .try_flatten()
                .boxed()
            }
            Pool::Postgres(pool) => sqlx::query_as::<_, IndexPersonRow>(
                "select id, company_id, first_name, substr(last_name, 1, 1) as last_initial, \
                 job_title, seniority, department, email_status, \
                 business_email is not null as has_email, mobile_phone is not null as has_phone, \
                 linkedin_url is not null as has_linkedin from person order by id",
            )
            .fetch(pool)
            .map_err(StoreError::from)
            .boxed(),
        }
    }

    /// The people with these ids, in the order given (missing ids are skipped). One
    /// prepared statement serves every page: the ids travel as one parameter (a JSON
    /// array for SQLite's `json_each`, an array for PostgreSQL).
    pub async fn people_by_ids(&self, ids: &[u32]) -> Result<Vec<PersonRow>, StoreError> {
        people_by_ids(Reader::Pool(&self.pool), ids).await
    }

    /// People matching every given identifier (at most `limit`).
    pub async fn lookup_people(
        &self,
        lookup: &Lookup,
        limit: i64,
    ) -> Result<Vec<PersonRow>, StoreError> {
        let sql = format!(
            "select {PERSON_COLUMNS} from person p join company c on c.company_id = p.company_id where ($1 is null or p.business_email = $1) \
             and ($2 is null or c.domain = $2) and ($3 is null or p.linkedin_url = $3) \
             and ($4 is null or p.mobile_phone = $4 or c.phone = $4) order by p.id limit $5"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&lookup.email)
                .bind(&lookup.company_domain)
                .bind(&lookup.linkedin_url)
                .bind(&lookup.phone)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?)
    }

    /// The named server secret, generated (256 random bits) and stored on first use.
    /// Concurrent first uses agree: the first insert wins and everyone reads it back.
    pub async fn server_secret(&self, name: &str) -> Result<String, StoreError> {
        let candidate = Alphanumeric.sample_string(&mut rand::rng(), 43);
        on_pool!(self, pool => {
            sqlx::query(
                "insert into server_secret (name, value, created_at) values ($1, $2, $3) \
                 on conflict (name) do nothing",
            )
            .bind(name)
            .bind(&candidate)
            .bind(now_unix())
            .execute(pool)
            .await
            .map(drop)
        })?;
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("select value from server_secret where name = $1")
                .bind(name)
                .fetch_one(pool)
                .await
        })?)
    }
}

/// A full company row (`GET /v1/companies/search`).
pub type CompanyRecord = crate::records::Company;

impl Store {
    /// The companies with these `company_id`s, in the order given.
    pub async fn companies_by_ids(&self, ids: &[String]) -> Result<Vec<CompanyRecord>, StoreError> {
        companies_by_ids(Reader::Pool(&self.pool), ids).await
    }
}

/// Where a read runs: on the pool, or on an open transaction (a purchase reading
/// the records it sells while it holds the wallet lock, so it never waits for a
/// second pooled connection).
pub(crate) enum Reader<'a> {
    Pool(&'a Pool),
    Tx(&'a mut Tx),
}

/// Stored people by dense id, in the order of `ids` (missing ids are left out).
pub(crate) async fn people_by_ids(
    reader: Reader<'_>,
    ids: &[u32],
) -> Result<Vec<PersonRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // All rows come back as one JSON array in one row: one round trip to the
    // connection's worker instead of one message per row.
    let sqlite_list = || {
        format!(
            "[{}]",
            ids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
        )
    };
    let pg_list = || ids.iter().map(|&id| i64::from(id)).collect::<Vec<i64>>();
    let json: Option<String> = match reader {
        Reader::Pool(Pool::Sqlite(pool)) => {
            sqlx::query_scalar(PEOPLE_JSON_SQLITE)
                .bind(sqlite_list())
                .fetch_one(pool)
                .await?
        }
        Reader::Pool(Pool::Postgres(pool)) => {
            sqlx::query_scalar(PEOPLE_JSON_POSTGRES)
                .bind(pg_list())
                .fetch_one(pool)
                .await?
        }
        Reader::Tx(Tx::Sqlite(tx)) => {
            sqlx::query_scalar(PEOPLE_JSON_SQLITE)
                .bind(sqlite_list())
                .fetch_one(&mut **tx)
                .await?
        }
        Reader::Tx(Tx::Postgres(tx)) => {
            sqlx::query_scalar(PEOPLE_JSON_POSTGRES)
                .bind(pg_list())
                .fetch_one(&mut **tx)
                .await?
        }
    };
    let mut rows: Vec<PersonRow> = match json {
        Some(json) => serde_json::from_str::<Vec<PersonJson>>(&json)
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?
            .into_iter()
            .map(PersonRow::from)
            .collect(),
        None => Vec::new(),
    };
    let order: std::collections::HashMap<i64, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| (i64::from(id), i))
        .collect();
    rows.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
    Ok(rows)
}

/// Stored companies by id, in the order of `ids` (missing ids are left out).
pub(crate) async fn companies_by_ids(
    reader: Reader<'_>,
    ids: &[String],
) -> Result<Vec<CompanyRecord>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
            "select company_id, name, domain, website, phone, linkedin_url, revenue, employee_count, \
             industry, sic, naics, city, state, country, keywords from company where company_id in ({})",
            placeholders.join(",")
        );
    macro_rules! fetch {
        ($executor:expr) => {{
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all($executor).await?
        }};
    }
    let mut rows: Vec<CompanyRecord> = match reader {
        Reader::Pool(Pool::Sqlite(pool)) => fetch!(pool),
        Reader::Pool(Pool::Postgres(pool)) => fetch!(pool),
        Reader::Tx(Tx::Sqlite(tx)) => fetch!(&mut **tx),
        Reader::Tx(Tx::Postgres(tx)) => fetch!(&mut **tx),
    };
    let order: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    rows.sort_by_key(|r| {
        order
            .get(r.company_id.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });
    Ok(rows)
}
