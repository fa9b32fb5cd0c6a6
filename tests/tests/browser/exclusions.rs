//! Exclusions and suppressions in the widget (issue 15): an excluded term shows
//! as a struck-through chip the person can remove, and the results are everyone
//! else; a record on the customer's suppression list is marked "In your CRM" and
//! "Net-new only" hides it.

use fantoccini::Locator;
use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{scenario, StackOptions};
use serde_json::json;

use crate::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_terms_are_struck_through_and_suppressed_records_marked() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        let q = "directors outside Texas";
        action::search(client, q).await?;
        wait_for_total(client, api_total(&stack, q).await?).await?;
        let chip = find::css_element(client, "[data-chip-id=\"not:location:state:TX\"]").await?;
        anyhow::ensure!(chip.attr("data-excluded").await?.as_deref() == Some("true"));
        check::text_contains(&chip, "Texas").await?;
        let struck = client
            .execute(
                "return getComputedStyle(document.querySelector('[data-chip-id=\"not:location:state:TX\"] .chip-label')).textDecorationLine",
                vec![],
            )
            .await?;
        anyhow::ensure!(struck.as_str().is_some_and(|s| s.contains("line-through")), "{struck}");
        // Removing the excluded chip searches everyone again.
        let remove = chip.find(Locator::Css("[data-testid=\"chip-remove\"]")).await?;
        action::click_element(client, &remove).await?;
        wait_for_total(client, api_total(&stack, "directors").await?).await?;

        // The partner's CRM has the first row's company: it is marked, and
        // net-new only hides everyone there.
        let first = find::rows(client).await?.remove(0);
        let domain = first
            .find(Locator::Css(".col-company .sub"))
            .await?
            .text()
            .await?;
        stack
            .partner_send(
                reqwest::Method::POST,
                &format!("/v1/partner-customers/{}/suppressions", stack.partner.partner_customer_id),
                Some(&json!({"domains": [domain]})),
            )
            .await?;
        action::click(client, "search-submit").await?;
        check::eventually(WAIT, || async {
            let marked = find::all(client, "suppressed-badge").await?.len();
            Ok(if marked > 0 { Ok(()) } else { Err(format!("{marked} marked")) })
        })
        .await?;
        let total = api_total(&stack, "directors").await?;
        let hidden = api_total(&stack, &format!("directors at {domain}")).await?;
        action::click(client, "filter-net-new").await?;
        wait_for_total(client, total - hidden).await?;
        anyhow::ensure!(find::all(client, "suppressed-badge").await?.is_empty());
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reporting_a_problem_with_a_bought_record_credits_it_back() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        wait_for_balance(client, 500).await?;
        search_and_wait(client, &stack, BROAD).await?;
        let picked: Vec<String> = row_ids(client).await?.into_iter().take(1).collect();
        tick(client, &picked).await?;
        buy(
            client,
            "action-push",
            "1 new · 0 already yours · 1 credit · balance after 499",
            "delivered",
        )
        .await?;
        wait_for_balance(client, 499).await?;
        // The owned row's detail offers "Report a problem"; a bounced e-mail on a
        // record bought today comes back as a credit.
        let row = find::css_element(
            client,
            &format!("{}[data-owned=\"true\"]", row_css(&picked[0])),
        )
        .await?;
        let name = row
            .find(Locator::Css("[data-testid=\"person-name\"]"))
            .await?;
        action::click_element(client, &name).await?;
        let report = find::test_id(client, "report-problem").await?;
        let summary = report.find(Locator::Css("summary")).await?;
        action::click_element(client, &summary).await?;
        let reason = find::test_id(client, "report-reason").await?;
        reason.select_by_value("bounced_email").await?;
        action::click(client, "report-submit").await?;
        check::eventually(WAIT, || async {
            let said = text(client, "report-outcome").await?;
            Ok(if said.contains("given back") {
                Ok(())
            } else {
                Err(said)
            })
        })
        .await?;
        wait_for_balance(client, 500).await?;
        // Reporting again is recorded and credits nothing.
        action::click(client, "report-submit").await?;
        check::eventually(WAIT, || async {
            let said = text(client, "report-outcome").await?;
            Ok(if said.contains("credited once") {
                Ok(())
            } else {
                Err(said)
            })
        })
        .await?;
        let flags = stack.partner_api("/v1/data-flags").await?;
        anyhow::ensure!(flags["data"].as_array().map(Vec::len) == Some(2), "{flags}");
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_is_saved_listed_and_run_again() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        let total = search_and_wait(client, &stack, BROAD).await?;
        let saved = find::test_id(client, "saved-searches").await?;
        let summary = saved.find(Locator::Css("summary")).await?;
        action::click_element(client, &summary).await?;
        let name = find::test_id(client, "save-search-name").await?;
        name.send_keys("All directors").await?;
        action::click(client, "save-search").await?;
        check::eventually(WAIT, || async {
            let items = find::all(client, "saved-search").await?;
            Ok(if items.len() == 1 {
                Ok(())
            } else {
                Err(format!("{} saved", items.len()))
            })
        })
        .await?;
        let listed = stack
            .partner_api(&format!(
                "/v1/partner-customers/{}/saved-searches",
                stack.partner.partner_customer_id
            ))
            .await?;
        anyhow::ensure!(listed["data"][0]["name"] == "All directors", "{listed}");
        anyhow::ensure!(listed["data"][0]["q"] == BROAD, "{listed}");
        // Another search, then the saved one again: a new session for its text.
        action::search(client, "CEOs").await?;
        wait_for_total(client, api_total(&stack, "CEOs").await?).await?;
        let sessions = || stack.answered("POST", "/v1/prospecting/sessions", "201");
        let before = sessions().await?;
        action::click(client, "saved-run").await?;
        wait_for_total(client, total).await?;
        anyhow::ensure!(
            sessions().await? == before + 1,
            "running a saved search is a new session"
        );
        // Deleting it empties the list.
        action::click(client, "saved-delete").await?;
        check::eventually(WAIT, || async {
            let items = find::all(client, "saved-search").await?;
            Ok(if items.is_empty() {
                Ok(())
            } else {
                Err(format!("{} saved", items.len()))
            })
        })
        .await?;
        Ok(())
    })
    .await
}
