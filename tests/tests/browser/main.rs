//! Real-browser tests (issue 6): headless Chromium on the demo partner's CRM page,
//! which embeds the widget from a Quarry server on another origin, exactly as a
//! partner's customer uses it. Each test starts its own stack and takes its turn.
//! This file holds the steps the tests share; the tests are grouped by what they
//! are about.

mod buying;
mod embedding;
mod exclusions;
mod session;
mod working;

use std::time::Duration;

use fantoccini::Client;
use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::Stack;

pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// Opens the demo partner's page and steps into the widget once it is ready.
pub(crate) async fn open_widget(client: &Client, stack: &Stack) -> anyhow::Result<()> {
    action::open(client, &stack.demo.url("/")).await?;
    find::widget(client).await
}

/// A query with well over a page of results in the seeded demo data.
pub(crate) const BROAD: &str = "directors";

pub(crate) async fn text(client: &Client, id: &str) -> anyhow::Result<String> {
    Ok(find::test_id(client, id).await?.text().await?)
}

/// The exact total the partner API gives for `q` (and extra parameters).
pub(crate) async fn api_total_with(stack: &Stack, q: &str, extra: &str) -> anyhow::Result<u64> {
    let q: String = q.chars().map(|c| if c == ' ' { '+' } else { c }).collect();
    let answer = stack
        .partner_api(&format!("/v1/persons/search?limit=1&q={q}{extra}"))
        .await?;
    answer["pagination"]["total_records"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("no total in {answer}"))
}

pub(crate) async fn api_total(stack: &Stack, q: &str) -> anyhow::Result<u64> {
    api_total_with(stack, q, "").await
}

/// Waits until the results say `n people match`.
pub(crate) async fn wait_for_total(client: &Client, n: u64) -> anyhow::Result<()> {
    let want = format!("{} match", quarry_shared::present::people(n));
    check::eventually(WAIT, || async {
        let shown = text(client, "result-total").await?;
        Ok(if shown == want { Ok(()) } else { Err(shown) })
    })
    .await
}

pub(crate) async fn search_and_wait(
    client: &Client,
    stack: &Stack,
    q: &str,
) -> anyhow::Result<u64> {
    let total = api_total(stack, q).await?;
    anyhow::ensure!(total > 25, "{q:?} matches only {total} in the demo data");
    action::search(client, q).await?;
    wait_for_total(client, total).await?;
    Ok(total)
}

/// The prospect ids of the rows on screen.
pub(crate) async fn row_ids(client: &Client) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for row in find::rows(client).await? {
        ids.push(row.attr("data-prospect-id").await?.unwrap_or_default());
    }
    Ok(ids)
}

pub(crate) fn row_css(id: &str) -> String {
    format!("[data-testid=\"result-row\"][data-prospect-id=\"{id}\"]")
}

/// Ticks the rows with these prospect ids.
pub(crate) async fn tick(client: &Client, ids: &[String]) -> anyhow::Result<()> {
    for id in ids {
        let checkbox = find::css_element(
            client,
            &format!("{} [data-testid=\"row-select\"]", row_css(id)),
        )
        .await?;
        action::click_element(client, &checkbox).await?;
    }
    Ok(())
}

/// The wallet meter's available credits, once it shows `want`.
pub(crate) async fn wait_for_balance(client: &Client, want: i64) -> anyhow::Result<()> {
    check::eventually(WAIT, || async {
        let shown = find::test_id(client, "wallet-balance")
            .await?
            .attr("data-available")
            .await?
            .unwrap_or_default();
        Ok(if shown == want.to_string() {
            Ok(())
        } else {
            Err(format!("balance {shown:?}, want {want}"))
        })
    })
    .await
}

/// Starts a purchase with `action`, checks the quote line, confirms, and waits
/// for the outcome.
pub(crate) async fn buy(
    client: &Client,
    action_id: &str,
    quote: &str,
    outcome: &str,
) -> anyhow::Result<()> {
    action::click(client, action_id).await?;
    let shown = find::test_id(client, "quote").await?;
    check::text_contains(&shown, quote).await?;
    action::click(client, "quote-confirm").await?;
    let css = format!("[data-testid=\"buy-outcome\"][data-outcome=\"{outcome}\"]");
    find::css_element(client, &css)
        .await
        .map_err(|e| anyhow::anyhow!("no {outcome} outcome: {e}"))?;
    Ok(())
}

/// The prospect ids the demo CRM received, sorted.
pub(crate) fn received_ids(stack: &Stack) -> Vec<String> {
    let mut ids: Vec<String> = stack
        .site
        .receiver()
        .contacts()
        .iter()
        .map(|c| c["prospect_id"].as_str().unwrap_or("").to_owned())
        .collect();
    ids.sort();
    ids
}

pub(crate) fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}
