//! Widget speed in headless Chromium (issue 6 targets): from the iframe's navigation
//! to an interactive search box (≤ 700 ms), and from submit to rendered results
//! (≤ 150 ms) over the demo data set.
//!
//! The widget marks its own milestones with the Performance API, relative to the
//! iframe's navigation start: `quarry:interactive` (the app is mounted and the
//! search box takes input), `quarry:token` (the embed token arrived: a search can
//! run), `quarry:submit` and `quarry:results` (the frame after the result rows were
//! put in the DOM). WebDriver's own latency is therefore not in the figures.
//!
//! Environment: `QUARRY_BENCH_DB` (a seeded database; default: a fresh 100k-person
//! SQLite file), `QUARRY_BENCH_LOADS` (page loads, default 20),
//! `QUARRY_BENCH_QUERIES` (default `server/benches/queries.txt`). The widget must
//! be built in release (`make widget`) into `dist/`.

use std::time::Duration;

use fantoccini::Client;
use quarry_e2e::fixtures::{action, find};
use quarry_e2e::{Browser, Stack, StackOptions};
use serde_json::Value;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Milliseconds of a performance mark in the current frame.
async fn mark(client: &Client, name: &str) -> anyhow::Result<Option<f64>> {
    let v: Value = client
        .execute(
            "const e = performance.getEntriesByName(arguments[0], 'mark'); \
             return e.length ? e[e.length - 1].startTime : null;",
            vec![Value::String(name.into())],
        )
        .await?;
    Ok(v.as_f64())
}

/// `performance.timeOrigin` of the current frame (epoch milliseconds).
async fn time_origin(client: &Client) -> anyhow::Result<f64> {
    let v = client
        .execute("return performance.timeOrigin;", vec![])
        .await?;
    v.as_f64().ok_or_else(|| anyhow::anyhow!("no timeOrigin"))
}

async fn wait_mark(client: &Client, name: &str) -> anyhow::Result<f64> {
    for _ in 0..600 {
        if let Some(ms) = mark(client, name).await? {
            return Ok(ms);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    anyhow::bail!("no {name} mark")
}

fn summary(name: &str, target: Option<f64>, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    let verdict = match target {
        Some(t) if at(0.95) <= t => format!("target ≤ {t} ms: met at p95"),
        Some(t) => format!("target ≤ {t} ms: NOT met at p95"),
        None => String::new(),
    };
    println!(
        "{name:<44} n={:<4} p50 {:>7.1} ms  p95 {:>7.1} ms  max {:>7.1} ms  {verdict}",
        ms.len(),
        at(0.5),
        at(0.95),
        ms[ms.len() - 1],
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    if !Browser::available() {
        return Ok(());
    }
    let loads: usize = env_or("QUARRY_BENCH_LOADS", 20);
    let queries_file = std::env::var("QUARRY_BENCH_QUERIES").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../server/benches/queries.txt").into()
    });
    let queries: Vec<String> = std::fs::read_to_string(&queries_file)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let options = StackOptions {
        database_url: std::env::var("QUARRY_BENCH_DB").ok(),
        people: 100_000,
        ..StackOptions::default()
    };
    eprintln!(
        "starting the stack ({})…",
        options
            .database_url
            .as_deref()
            .unwrap_or("fresh 100k demo set")
    );
    let stack = Stack::start(options).await?;
    let total = stack
        .partner_api("/v1/persons/search?limit=1&q=all+employees")
        .await?;
    println!(
        "data set: {} people",
        total["pagination"]["total_records"].as_u64().unwrap_or(0)
    );

    Browser::run(|browser| async move {
        let client = &browser.client;
        let (mut cold_box, mut cold_ready) = (Vec::new(), Vec::new());
        let (mut warm_box, mut warm_ready) = (Vec::new(), Vec::new());
        let mut from_page = Vec::new();
        for i in 0..=loads {
            action::open(client, &stack.demo.url("/")).await?;
            let page_origin = time_origin(client).await?;
            find::widget_frame(client).await?.enter_frame().await?;
            let shown = wait_mark(client, "quarry:interactive").await?;
            let ready = wait_mark(client, "quarry:token").await?;
            from_page.push(time_origin(client).await? - page_origin + ready.max(shown));
            // The first load fills the HTTP cache; the rest are a returning user's.
            if i == 0 {
                cold_box.push(shown);
                cold_ready.push(ready.max(shown));
            } else {
                warm_box.push(shown);
                warm_ready.push(ready.max(shown));
            }
            action::leave_widget(client).await?;
        }
        // A first visit with an empty cache, a few times over.
        for _ in 0..4 {
            action::open(client, "about:blank").await?;
            quarry_e2e::browser::cdp(client, "Network.clearBrowserCache", serde_json::json!({}))
                .await?;
            action::open(client, &stack.demo.url("/")).await?;
            find::widget_frame(client).await?.enter_frame().await?;
            let shown = wait_mark(client, "quarry:interactive").await?;
            let ready = wait_mark(client, "quarry:token").await?;
            cold_box.push(shown);
            cold_ready.push(ready.max(shown));
            action::leave_widget(client).await?;
        }

        action::open(client, &stack.demo.url("/")).await?;
        find::widget(client).await?;
        let mut searches = Vec::new();
        for q in &queries {
            client.execute("performance.clearMarks();", vec![]).await?;
            action::search(client, q).await?;
            let submit = wait_mark(client, "quarry:submit").await?;
            let results = wait_mark(client, "quarry:results").await?;
            searches.push(results - submit);
        }
        let mut pages = Vec::new();
        for q in queries.iter().take(10) {
            action::search(client, q).await?;
            wait_mark(client, "quarry:results").await?;
            if find::all(client, "next-page").await?.is_empty() {
                continue;
            }
            client.execute("performance.clearMarks();", vec![]).await?;
            let next = find::test_id(client, "next-page").await?;
            if next.is_enabled().await? {
                action::click_element(client, &next).await?;
                let submit = wait_mark(client, "quarry:submit").await?;
                let results = wait_mark(client, "quarry:results").await?;
                pages.push(results - submit);
            }
        }

        println!();
        println!(
            "widget in headless Chromium ({} loads, {} queries)",
            loads + 1,
            queries.len()
        );
        summary("navigation → search box shown (cold cache)", None, cold_box);
        summary(
            "navigation → ready to search (cold cache)",
            Some(700.0),
            cold_ready,
        );
        summary("navigation → search box shown (warm cache)", None, warm_box);
        summary(
            "navigation → ready to search (warm cache)",
            Some(700.0),
            warm_ready,
        );
        summary(
            "partner page navigation → ready (warm cache)",
            None,
            from_page,
        );
        summary(
            "submit → results rendered (new search)",
            Some(150.0),
            searches,
        );
        if !pages.is_empty() {
            summary("next page → results rendered", Some(150.0), pages);
        }
        Ok(())
    })
    .await
}
