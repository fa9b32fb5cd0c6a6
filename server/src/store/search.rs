//! Store methods behind search: the streams the index is built from, the data
//! version that tells servers to rebuild, page reads by id, exact lookups, dedupe
//! deliveries and the server's persisted secrets.

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use rand::distr::{Alphanumeric, SampleString};

use super::{now_unix, on_pool, Store, StoreError};

/// What the index needs of a company.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexCompanyRow {
    pub company_id: String,
    pub name: String,
    pub domain: String,
    pub industry: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
    pub employee_count: Option<i64>,
    pub keywords: String,
}

/// What the index needs of a person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IndexPersonRow {
    pub id: i64,
    pub company_id: String,
    pub job_title: String,
    pub seniority: Option<String>,
    pub department: Option<String>,
    pub email_status: Option<String>,
    pub has_email: bool,
    pub has_phone: bool,
    pub has_linkedin: bool,
}

/// A person with their company, as search results and lookups return them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRecord {
    pub id: i64,
    pub person_id: String,
    pub first_name: String,
    pub last_name: String,
    pub job_title: String,
    pub seniority: Option<String>,
    pub department: Option<String>,
    pub business_email: Option<String>,
    pub email_status: Option<String>,
    pub email_verified_at: Option<i64>,
    pub mobile_phone: Option<String>,
    pub linkedin_url: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub company_id: String,
    pub company_name: String,
    pub company_domain: String,
    pub company_website: Option<String>,
    pub company_phone: Option<String>,
    pub company_linkedin_url: Option<String>,
    pub company_revenue: Option<i64>,
    pub company_employee_count: Option<i64>,
    pub company_industry: Option<String>,
    pub company_sic: Option<String>,
    pub company_naics: Option<String>,
    pub company_city: Option<String>,
    pub company_state: Option<String>,
    pub company_country: String,
}

const PERSON_RECORD_SELECT: &str =
    "select p.id, p.person_id, p.first_name, p.last_name, p.job_title, \
     p.seniority, p.department, p.business_email, p.email_status, p.email_verified_at, \
     p.mobile_phone, p.linkedin_url, p.city, p.state, c.company_id, c.name as company_name, \
     c.domain as company_domain, c.website as company_website, c.phone as company_phone, \
     c.linkedin_url as company_linkedin_url, c.revenue as company_revenue, \
     c.employee_count as company_employee_count, c.industry as company_industry, \
     c.sic as company_sic, c.naics as company_naics, c.city as company_city, \
     c.state as company_state, c.country as company_country \
     from person p join company c on c.company_id = p.company_id";

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

    /// Companies for the index, in id order.
    pub fn stream_index_companies(&self) -> BoxStream<'_, Result<IndexCompanyRow, StoreError>> {
        on_pool!(self, pool => sqlx::query_as::<_, IndexCompanyRow>(
            "select company_id, name, domain, industry, state, city, employee_count, keywords \
             from company order by id",
        )
        .fetch(pool)
        .map_err(StoreError::from)
        .boxed())
    }

    /// People for the index, in id order.
    pub fn stream_index_people(&self) -> BoxStream<'_, Result<IndexPersonRow, StoreError>> {
        on_pool!(self, pool => sqlx::query_as::<_, IndexPersonRow>(
            "select id, company_id, job_title, seniority, department, email_status, \
             business_email is not null as has_email, mobile_phone is not null as has_phone, \
             linkedin_url is not null as has_linkedin from person order by id",
        )
        .fetch(pool)
        .map_err(StoreError::from)
        .boxed())
    }

    /// The people with these ids, in the order given (missing ids are skipped).
    pub async fn people_by_ids(&self, ids: &[u32]) -> Result<Vec<PersonRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(u32::to_string).collect();
        // The ids are integers we produced, so inlining them is safe and lets one
        // statement shape serve any page size.
        let sql = format!("{PERSON_RECORD_SELECT} where p.id in ({})", list.join(","));
        let mut rows: Vec<PersonRecord> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await
        })?;
        let order: std::collections::HashMap<i64, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| (i64::from(id), i))
            .collect();
        rows.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
        Ok(rows)
    }

    /// People matching every given identifier (at most `limit`).
    pub async fn lookup_people(
        &self,
        lookup: &Lookup,
        limit: i64,
    ) -> Result<Vec<PersonRecord>, StoreError> {
        let sql = format!(
            "{PERSON_RECORD_SELECT} where ($1 is null or p.business_email = $1) \
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

    /// Person ids already delivered under a dedupe token.
    pub async fn delivered_ids(
        &self,
        scope: &str,
        token_digest: &str,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "select person_id from search_delivery where scope = $1 and token_digest = $2",
            )
            .bind(scope)
            .bind(token_digest)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Records that these people were delivered under a dedupe token.
    pub async fn record_delivered(
        &self,
        scope: &str,
        token_digest: &str,
        ids: &[u32],
    ) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let now = now_unix();
        let mut sql = String::from(
            "insert into search_delivery (scope, token_digest, person_id, delivered_at) values ",
        );
        for (i, _) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("($1, $2, ${}, $3)", i + 4));
        }
        sql.push_str(" on conflict do nothing");
        on_pool!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(scope).bind(token_digest).bind(now);
            for &id in ids {
                query = query.bind(i64::from(id));
            }
            query.execute(pool).await.map(drop)
        })?;
        Ok(())
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
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "select company_id, name, domain, website, phone, linkedin_url, revenue, employee_count, \
             industry, sic, naics, city, state, country, keywords from company where company_id in ({})",
            placeholders.join(",")
        );
        let mut rows: Vec<CompanyRecord> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in ids {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
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
}
