//! `make bench`: search speed over the 1M-person demo set, in-process.
//!
//! Measures (1) index build time and resident memory, (2) search latency p50/p99 over
//! the fixed queries of `queries.txt` — interpret, filter, exact count, facets and the
//! first page of 25 read from the store — and, when `QUARRY_BENCH_POSTGRES_URL` is set,
//! (3) the same queries as plain indexed SQL on PostgreSQL (count, facets by GROUP BY,
//! first page), reporting the ratio. The data sets are seeded once and reused.
//!
//! Environment: `QUARRY_BENCH_PEOPLE` (default 1,000,000), `QUARRY_BENCH_DB` (default
//! `sqlite://<workspace>/target/bench/quarry-<N>.db`), `QUARRY_BENCH_POSTGRES_URL` (admin URL).

use std::time::{Duration, Instant};

use quarry_server::search::criteria::Criteria;
use quarry_server::search::cursor::CursorCodec;
use quarry_server::search::people::{self, PeopleQuery};
use quarry_server::search::{snapshot, SearchService};
use quarry_server::seed;
use quarry_server::store::{ConnectOptions, Store};
use roaring::RoaringBitmap;

const QUERIES: &str = include_str!("queries.txt");

fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn seeded(url: &str, people: u64) -> Store {
    let options = ConnectOptions {
        slow_statement: Duration::from_secs(3600),
        ..ConnectOptions::default()
    };
    let store = Store::open(url, &options)
        .await
        .expect("open the bench database");
    let (_, have) = store.data_counts().await.expect("count");
    if have != people {
        eprintln!(
            "seeding {people} people into {} (once)…",
            quarry_server::store::redact_url(url)
        );
        let started = Instant::now();
        seed::seed_demo(
            &store,
            &seed::SeedOptions {
                people,
                seed: 42,
                progress: false,
            },
        )
        .await
        .expect("seed");
        eprintln!("  seeded in {:.1} s", started.elapsed().as_secs_f64());
    }
    store
}

fn query(q: &str) -> PeopleQuery {
    PeopleQuery {
        q: q.to_owned(),
        limit: 25,
        ..PeopleQuery::default()
    }
}

#[tokio::main]
async fn main() {
    let people: u64 = std::env::var("QUARRY_BENCH_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    // The workspace's target/, whatever directory cargo runs the bench from.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench");
    let _ = std::fs::create_dir_all(dir);
    let url = std::env::var("QUARRY_BENCH_DB")
        .unwrap_or_else(|_| format!("sqlite://{dir}/quarry-{people}.db"));
    let store = seeded(&url, people).await;
    let queries: Vec<&str> = QUERIES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        // QUARRY_BENCH_ONLY=text: only the queries containing it (for profiling).
        .filter(|l| std::env::var("QUARRY_BENCH_ONLY").map_or(true, |only| l.contains(&only)))
        .collect();

    // 1. Index build.
    let rss_before = rss_mb("VmRSS:");
    let started = Instant::now();
    let search = SearchService::build(&store).await.expect("build the index");
    let build = started.elapsed();
    let rss_after = rss_mb("VmRSS:");
    println!(
        "index build: {:.2} s for {} people",
        build.as_secs_f64(),
        search.index().all.len()
    );
    println!(
        "process RSS: {rss_before:.0} MB before, {rss_after:.0} MB after the build (peak {:.0} MB)",
        rss_mb("VmHWM:")
    );

    // 1b. The snapshot the next replica to start loads instead of building
    // (where `quarry serve` looks by default: beside the SQLite file).
    if let Some(file) = url.strip_prefix("sqlite://") {
        let snapshots = std::path::PathBuf::from(format!("{file}.index"));
        let index = search.index();
        let t = Instant::now();
        let database = store
            .server_secret(quarry_server::search::SNAPSHOT_DATABASE)
            .await
            .unwrap();
        let path = snapshot::write(&snapshots, &index, &database).expect("write the snapshot");
        let written = t.elapsed();
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        let t = Instant::now();
        let loaded = snapshot::load(&snapshots, index.version, &database)
            .expect("load the snapshot")
            .expect("the snapshot just written");
        println!(
            "index snapshot: {:.0} MB, written in {:.2} s, loaded in {:.2} s ({} people)",
            size as f64 / 1e6,
            written.as_secs_f64(),
            t.elapsed().as_secs_f64(),
            loaded.all.len()
        );
    }

    // 2. In-process search: interpret + filter + count + facets + first page of 25.
    let codec = CursorCodec::new(b"bench");
    let index = search.index();
    let empty = RoaringBitmap::new();
    let run = |q: &str| {
        let query = query(q);
        let prepared = people::prepare(&query, "bench", &index).expect("query understood");
        people::run(&index, &codec, &query, prepared, &empty).expect("search")
    };
    let mut samples = Vec::new();
    let mut index_only = Vec::new();
    let mut reads = Vec::new();
    let mut per_query = Vec::new();
    for q in &queries {
        for _ in 0..3 {
            let page = run(q);
            store.people_by_ids(&page.ids).await.unwrap();
        }
        let mut mine = Vec::new();
        let mut total = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let page = run(q);
            let searched = t.elapsed();
            let rows = store.people_by_ids(&page.ids).await.unwrap();
            mine.push(t.elapsed());
            index_only.push(searched);
            reads.push(t.elapsed() - searched);
            total = page.pagination.total_records;
            assert_eq!(rows.len(), page.ids.len());
        }
        mine.sort();
        per_query.push((*q, percentile(&mine, 0.5), total));
        samples.extend(mine);
    }
    samples.sort();
    println!(
        "search ({} queries × 30 runs): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        queries.len(),
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap())
    );
    index_only.sort();
    reads.sort();
    println!(
        "  of which index work (interpret, filter, count, facets, order): p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&index_only, 0.5)),
        ms(percentile(&index_only, 0.99))
    );
    println!(
        "  of which reading the page of 25 from the store: p50 {:.2} ms, p99 {:.2} ms",
        ms(percentile(&reads, 0.5)),
        ms(percentile(&reads, 0.99))
    );
    let mut slowest = per_query.clone();
    slowest.sort_by_key(|q| std::cmp::Reverse(q.1));
    for (q, median, total) in slowest.iter().take(5) {
        println!(
            "  slowest: {:>7.2} ms  {:>8} matches  {q}",
            ms(*median),
            total
        );
    }

    // 3. The same queries as plain indexed SQL on PostgreSQL.
    let Ok(admin) = std::env::var("QUARRY_BENCH_POSTGRES_URL") else {
        println!("postgres comparison skipped (set QUARRY_BENCH_POSTGRES_URL)");
        return;
    };
    let pg_url = {
        let pool = sqlx::PgPool::connect(&admin)
            .await
            .expect("connect to postgres");
        let exists: Option<i32> =
            sqlx::query_scalar("select 1 from pg_database where datname = 'quarry_bench'")
                .fetch_optional(&pool)
                .await
                .unwrap();
        if exists.is_none() {
            sqlx::query("create database quarry_bench")
                .execute(&pool)
                .await
                .unwrap();
        }
        let (base, _) = admin.rsplit_once('/').unwrap();
        format!("{base}/quarry_bench")
    };
    let pg_store = seeded(&pg_url, people).await;
    let pg = sqlx::PgPool::connect(&pg_url).await.unwrap();
    sqlx::query("analyze").execute(&pg).await.unwrap();
    let mut sql_samples = Vec::new();
    for q in &queries {
        let prepared = people::prepare(&query(q), "bench", &index).unwrap();
        let statements = sql::statements(&prepared.criteria);
        for round in 0..4 {
            let t = Instant::now();
            for s in &statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
                    .fetch_all(&pg)
                    .await
                    .expect(s);
            }
            if round > 0 {
                sql_samples.push(t.elapsed());
            }
        }
    }
    drop(pg_store);
    sql_samples.sort();
    let sql_p50 = percentile(&sql_samples, 0.5);
    println!(
        "postgres SQL (count + 5 facet GROUP BYs + first page): p50 {:.2} ms, p99 {:.2} ms",
        ms(sql_p50),
        ms(percentile(&sql_samples, 0.99))
    );
    println!(
        "index vs SQL at p50: {:.0}× faster",
        sql_p50.as_secs_f64() / percentile(&samples, 0.5).as_secs_f64()
    );
}

/// The SQL a database-only implementation would run for the same criteria.
mod sql {
    use super::Criteria;

    fn lit(s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }

    fn list(items: &[String]) -> String {
        items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(",")
    }

    /// Title phrases per role, as a LIKE-based implementation would have them.
    fn role_patterns(role: &str) -> &'static [&'static str] {
        match role {
            "ceo" => &["chief executive", "ceo"],
            "cfo" => &["chief financial", "cfo"],
            "cmo" => &["chief marketing", "cmo"],
            "cto" => &["chief technology", "cto"],
            "coo" => &["chief operating", "coo"],
            "cro" => &["chief revenue"],
            "cio" => &["chief information officer"],
            "ciso" => &["information security officer"],
            "cpo" => &["chief product"],
            "chro" => &["chief human", "chief people"],
            "president" => &["president"],
            "owner" => &["owner"],
            "founder" => &["founder"],
            "partner" => &["partner"],
            "general_manager" => &["general manager"],
            "attorney" => &["attorney", "lawyer"],
            "real_estate_agent" => &["real estate agent", "realtor"],
            "broker" => &["broker"],
            "financial_advisor" => &["financial advisor", "wealth manager", "financial planner"],
            "accountant" => &["accountant", "cpa"],
            "doctor" => &["physician", "doctor"],
            "dentist" => &["dentist"],
            "nurse" => &["nurse"],
            "recruiter" => &["recruiter"],
            "software_engineer" => &["software engineer"],
            "data_scientist" => &["data scientist"],
            "account_executive" => &["account executive"],
            "sdr" => &["development representative"],
            "office_manager" => &["office manager"],
            "principal" => &["principal"],
            "pastor" => &["pastor"],
            "architect" => &["architect"],
            "insurance_agent" => &["insurance agent"],
            _ => &["consultant"],
        }
    }

    fn conditions(c: &Criteria) -> String {
        let mut conds = vec!["true".to_owned()];
        let roles: Vec<String> = c
            .roles
            .iter()
            .flat_map(|r| {
                role_patterns(r)
                    .iter()
                    .map(|p| format!("lower(p.job_title) like '%{p}%'"))
            })
            .collect();
        let mut level = Vec::new();
        if !c.seniorities.is_empty() {
            level.push(format!("p.seniority in ({})", list(&c.seniorities)));
        }
        if !c.departments.is_empty() {
            level.push(format!("p.department in ({})", list(&c.departments)));
        }
        let who: Vec<String> = [
            (!roles.is_empty()).then(|| format!("({})", roles.join(" or "))),
            (!level.is_empty()).then(|| format!("({})", level.join(" and "))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !who.is_empty() {
            conds.push(format!("({})", who.join(" or ")));
        }
        if !c.industries.is_empty() {
            conds.push(format!("c.industry in ({})", list(&c.industries)));
        }
        if !c.states.is_empty() {
            conds.push(format!("c.state in ({})", list(&c.states)));
        }
        if !c.cities.is_empty() {
            conds.push(format!("c.city in ({})", list(&c.cities)));
        }
        if let Some(m) = c.employee_min {
            conds.push(format!("c.employee_count >= {m}"));
        }
        if let Some(m) = c.employee_max {
            conds.push(format!("c.employee_count <= {m}"));
        }
        for k in &c.keywords {
            let k = k.to_lowercase().replace('\'', "''");
            conds.push(format!(
                "(lower(p.job_title) like '%{k}%' or lower(c.name) like '%{k}%' or c.keywords like '%{k}%')"
            ));
        }
        conds.join(" and ")
    }

    pub fn statements(c: &Criteria) -> Vec<String> {
        let from = format!(
            "from person p join company c on c.company_id = p.company_id where {}",
            conditions(c)
        );
        let size = "case when c.employee_count <= 10 then 0 when c.employee_count <= 50 then 1 \
                    when c.employee_count <= 200 then 2 when c.employee_count <= 500 then 3 \
                    when c.employee_count <= 1000 then 4 when c.employee_count <= 5000 then 5 \
                    when c.employee_count <= 10000 then 6 else 7 end";
        let mut out = vec![format!("select count(*) {from}")];
        for column in ["p.seniority", "p.department", "c.industry", "c.state", size] {
            out.push(format!("select {column} as k, count(*) {from} group by 1"));
        }
        out.push(format!(
            "select p.id {from} order by case when p.email_status = 'verified' then 0 \
             when p.business_email is not null then 1 else 2 end, p.id limit 25"
        ));
        out
    }
}
