//! Real-browser tests (issue 6): headless Chromium on the demo partner's CRM page,
//! which embeds the widget from a Quarry server on another origin, exactly as a
//! partner's customer uses it. Each test starts its own stack and takes its turn.

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{scenario, Stack, StackOptions};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

/// Opens the demo partner's page and steps into the widget once it is ready.
async fn open_widget(client: &Client, stack: &Stack) -> anyhow::Result<()> {
    action::open(client, &stack.demo.url("/")).await?;
    find::widget(client).await
}

/// A query with well over a page of results in the seeded demo data.
const BROAD: &str = "directors";

async fn text(client: &Client, id: &str) -> anyhow::Result<String> {
    Ok(find::test_id(client, id).await?.text().await?)
}

/// The exact total the partner API gives for `q` (and extra parameters).
async fn api_total_with(stack: &Stack, q: &str, extra: &str) -> anyhow::Result<u64> {
    let q: String = q.chars().map(|c| if c == ' ' { '+' } else { c }).collect();
    let answer = stack
        .partner_api(&format!("/v1/persons/search?limit=1&q={q}{extra}"))
        .await?;
    answer["pagination"]["total_records"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("no total in {answer}"))
}

async fn api_total(stack: &Stack, q: &str) -> anyhow::Result<u64> {
    api_total_with(stack, q, "").await
}

/// Waits until the results say `n people match`.
async fn wait_for_total(client: &Client, n: u64) -> anyhow::Result<()> {
    let want = format!("{} match", quarry_shared::present::people(n));
    check::eventually(WAIT, || async {
        let shown = text(client, "result-total").await?;
        Ok(if shown == want { Ok(()) } else { Err(shown) })
    })
    .await
}

async fn search_and_wait(client: &Client, stack: &Stack, q: &str) -> anyhow::Result<u64> {
    let total = api_total(stack, q).await?;
    anyhow::ensure!(total > 25, "{q:?} matches only {total} in the demo data");
    action::search(client, q).await?;
    wait_for_total(client, total).await?;
    Ok(total)
}

/// The prospect ids of the rows on screen.
async fn row_ids(client: &Client) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    for row in find::rows(client).await? {
        ids.push(row.attr("data-prospect-id").await?.unwrap_or_default());
    }
    Ok(ids)
}

fn row_css(id: &str) -> String {
    format!("[data-testid=\"result-row\"][data-prospect-id=\"{id}\"]")
}

/// Ticks the rows with these prospect ids.
async fn tick(client: &Client, ids: &[String]) -> anyhow::Result<()> {
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
async fn wait_for_balance(client: &Client, want: i64) -> anyhow::Result<()> {
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
async fn buy(client: &Client, action_id: &str, quote: &str, outcome: &str) -> anyhow::Result<()> {
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
fn received_ids(stack: &Stack) -> Vec<String> {
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

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_partner_page_boots_the_widget_and_a_search_shows_an_exact_total() -> anyhow::Result<()>
{
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;

        // The chips follow the typing, read by the interpreter inside the widget,
        // and so do its warnings.
        action::type_query(client, "CMOs pls").await?;
        check::text_contains(&find::test_id(client, "warning").await?, "ignored: 'pls'").await?;
        find::search_input(client).await?.clear().await?;
        action::type_query(client, "CMOs").await?;
        find::css_element(client, "[data-testid=\"chip\"][data-chip-id=\"role:cmo\"]").await?;
        action::type_query(client, " of SaaS companies in California").await?;
        find::css_element(
            client,
            "[data-testid=\"chip\"][data-chip-id=\"industry:software\"]",
        )
        .await?;
        find::css_element(
            client,
            "[data-testid=\"chip\"][data-chip-id=\"location:state:CA\"]",
        )
        .await?;
        find::css_element(client, "[data-testid=\"chips\"][data-source=\"local\"]").await?;
        // Removing a chip edits the query.
        find::css_element(
            client,
            "[data-chip-id=\"location:state:CA\"] [data-testid=\"chip-remove\"]",
        )
        .await?
        .click()
        .await?;
        check::value_is(&find::search_input(client).await?, "CMOs of SaaS companies").await?;

        // A broad search: the exact total, a full first page, the server's reading.
        let total = search_and_wait(client, &stack, BROAD).await?;
        assert_eq!(row_ids(client).await?.len(), 25, "of {total}");
        find::css_element(client, "[data-testid=\"chips\"][data-source=\"server\"]").await?;
        check::text_contains(
            &find::test_id(client, "page-of").await?,
            &format!("of {}", total.div_ceil(25)),
        )
        .await?;
        // The facets count the whole result: every one of them is a director.
        action::click_element(
            client,
            &find::css_element(client, "[data-testid=\"facet-seniority\"] summary").await?,
        )
        .await?;
        let option = find::css_element(
            client,
            "label:has([data-testid=\"filter-seniority-director\"]) .count",
        )
        .await?;
        assert_eq!(option.text().await?, quarry_shared::present::count(total));

        // Refining never counts a new search and keeps the total exact.
        let verified = api_total_with(&stack, BROAD, "&email_status=verified").await?;
        assert!(verified < total, "every {BROAD} is verified?");
        action::click(client, "filter-verified").await?;
        wait_for_total(client, verified).await?;

        // A refinement may override the text ("in California", then Texas from
        // the state filter): rows picked there can be bought.
        action::search(client, "directors in California").await?;
        find::css_element(
            client,
            "[data-testid=\"chips\"][data-source=\"server\"] [data-chip-id=\"location:state:CA\"]",
        )
        .await?;
        let in_texas = api_total_with(
            &stack,
            "directors",
            "&location_state=TX&email_status=verified",
        )
        .await?;
        anyhow::ensure!(
            in_texas > 0,
            "no verified directors in Texas in the demo data"
        );
        find::test_id(client, "filter-state")
            .await?
            .select_by_value("TX")
            .await?;
        wait_for_total(client, in_texas).await?;
        let first = row_ids(client).await?.remove(0);
        tick(client, std::slice::from_ref(&first)).await?;
        action::click(client, "action-push").await?;
        check::text_contains(
            &find::test_id(client, "quote").await?,
            "1 new · 0 already yours · 1 credit",
        )
        .await?;
        action::click(client, "quote-cancel").await?;

        action::leave_widget(client).await?;
        action::screenshot(client, "widget-main-screen").await?;

        // Concurrent renewals (three refresh() calls at once) collapse into one.
        let before = stack.embed_sessions_started().await?;
        client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 const q = Quarry.get(document.querySelector('#quarry-prospecting'));\
                 Promise.all([q.refresh(), q.refresh(), q.refresh()]).then(() => done(true));",
                vec![],
            )
            .await?;
        assert_eq!(stack.embed_sessions_started().await? - before, 1);
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushing_three_rows_delivers_them_signed_and_pushing_again_costs_nothing(
) -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        wait_for_balance(client, 500).await?;
        search_and_wait(client, &stack, BROAD).await?;
        let picked: Vec<String> = row_ids(client).await?.into_iter().skip(2).take(3).collect();
        tick(client, &picked).await?;
        check::text_contains(
            &find::test_id(client, "selection-count").await?,
            "3 contacts selected",
        )
        .await?;

        buy(
            client,
            "action-push",
            "3 new · 0 already yours · 3 credits · balance after 497",
            "delivered",
        )
        .await?;
        wait_for_balance(client, 497).await?;

        // The CRM verified the signature and holds exactly those three, in full.
        assert_eq!(received_ids(&stack), sorted(picked.clone()));
        let deliveries = stack.site.receiver().deliveries();
        assert_eq!(deliveries.len(), 1, "{deliveries:?}");
        assert!(deliveries.iter().all(|d| d.verified), "{deliveries:?}");
        for contact in stack.site.receiver().contacts() {
            let email = contact["business_email"].as_str().unwrap_or("");
            let last = contact["last_name"].as_str().unwrap_or("");
            assert!(email.contains('@') && !email.contains('•'), "{contact}");
            assert!(last.len() > 2 && !last.ends_with('.'), "{contact}");
            // The same record the partner API returns for that email.
            let found: Value = stack
                .partner_api(&format!("/v1/persons/lookup?email={email}"))
                .await?;
            assert_eq!(
                found["data"][0]["person_id"], contact["person_id"],
                "{found}"
            );
            assert_eq!(found["data"][0]["last_name"], contact["last_name"]);
            // The widget now shows the owned row in full.
            let id = contact["prospect_id"].as_str().unwrap_or("");
            let row =
                find::css_element(client, &format!("{}[data-owned=\"true\"]", row_css(id))).await?;
            check::text_contains(&row, last).await?;
        }

        // Pushing the same three again: free, and the CRM does not duplicate them.
        tick(client, &picked).await?;
        buy(
            client,
            "action-push",
            "0 new · 3 already yours · 0 credits · balance after 497",
            "delivered",
        )
        .await?;
        wait_for_balance(client, 497).await?;
        assert_eq!(received_ids(&stack), sorted(picked));
        assert_eq!(stack.site.receiver().deliveries().len(), 2);

        // The partner page lists what it received.
        action::leave_widget(client).await?;
        check::eventually(WAIT, || async {
            let n = text(client, "crm-contact-count").await?;
            Ok(if n.trim() == "3" { Ok(()) } else { Err(n) })
        })
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exporting_the_page_downloads_a_csv_of_exactly_its_rows() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        let total = search_and_wait(client, &stack, BROAD).await?;
        let page = row_ids(client).await?;
        action::click(client, "select-page").await?;
        check::text_contains(
            &find::test_id(client, "selection-count").await?,
            "25 contacts selected",
        )
        .await?;
        // All results: the quote covers every one of them; cancelled here.
        action::click(client, "select-all-results").await?;
        let everyone = format!("{} contacts selected", quarry_shared::present::count(total));
        check::text_contains(&find::test_id(client, "selection-count").await?, &everyone).await?;
        action::click(client, "action-export").await?;
        let quote = find::test_id(client, "quote").await?;
        check::text_contains(
            &quote,
            &format!(
                "{} new · 0 already yours",
                quarry_shared::present::count(total)
            ),
        )
        .await?;
        action::click(client, "quote-cancel").await?;
        action::click(client, "clear-selection").await?;
        action::click(client, "select-page").await?;

        buy(
            client,
            "action-export",
            "25 new · 0 already yours · 25 credits · balance after 475",
            "delivered",
        )
        .await?;
        let file = action::downloaded(&browser.downloads, WAIT).await?;
        assert!(
            file.extension().is_some_and(|e| e == "csv"),
            "{}",
            file.display()
        );
        wait_for_balance(client, 475).await?;

        let mut reader = csv::Reader::from_path(&file)?;
        let headers = reader.headers()?.clone();
        let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
        let (pid, first, last) = (
            column("prospect_id"),
            column("first_name"),
            column("last_name"),
        );
        let mut exported = Vec::new();
        for record in reader.records() {
            let record = record?;
            // Each row is the page's row, in full (the widget shows it owned now).
            let row = find::css_element(
                client,
                &format!("{}[data-owned=\"true\"]", row_css(&record[pid])),
            )
            .await?;
            let name = row
                .find(Locator::Css("[data-testid=\"person-name\"]"))
                .await?
                .text()
                .await?;
            assert_eq!(name, format!("{} {}", &record[first], &record[last]));
            exported.push(record[pid].to_owned());
        }
        assert_eq!(sorted(exported), sorted(page));
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_a_not_allowed_origin_cannot_bootstrap_nor_frame_the_widget() -> anyhow::Result<()>
{
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        // The CRM page itself, served from the wrong origin.
        action::open(client, &stack.foreign.url("/")).await?;
        let notice = find::loader_notice(client).await?;
        assert_eq!(
            notice.attr("data-code").await?.as_deref(),
            Some("origin_not_allowed")
        );
        check::text_contains(&notice, "isn't allowed to use this Quarry key").await?;
        assert!(!find::widget_frame(client).await?.is_displayed().await?);
        assert_eq!(
            stack.embed_sessions_started().await?,
            0,
            "a token was issued"
        );
        // The partner page heard it too (onError / the quarry:error DOM event).
        let status = find::css_element(client, "#quarry-status[data-state=\"error\"]").await?;
        check::text_contains(&status, "origin is not allowed").await?;

        // A page that frames the widget directly is refused by frame-ancestors.
        action::open(client, &stack.foreign.url("/framed")).await?;
        let frame = find::test_id(client, "hostile-frame").await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        frame.enter_frame().await?;
        let rendered = client
            .execute(
                "return !!document.querySelector('[data-testid=\"app\"]');",
                vec![],
            )
            .await?;
        assert_eq!(
            rendered,
            Value::Bool(false),
            "the widget rendered in a foreign frame"
        );
        action::leave_widget(client).await?;

        // The allowed page still works, in the same browser…
        open_widget(client, &stack).await?;
        action::leave_widget(client).await?;
        // …until the partner revokes its embed key.
        let path = format!("/v1/prospecting/embed-keys/{}", stack.partner.embed_key_id);
        stack
            .partner_send(reqwest::Method::DELETE, &path, None)
            .await?;
        action::open(client, &stack.demo.url("/")).await?;
        let notice = find::loader_notice(client).await?;
        assert_eq!(
            notice.attr("data-code").await?.as_deref(),
            Some("embed_key_revoked")
        );
        check::text_contains(&notice, "turned off").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_five_second_token_renews_without_losing_the_selection() -> anyhow::Result<()> {
    scenario(
        StackOptions {
            token_max_ttl_secs: Some(5),
            ..StackOptions::default()
        },
        |stack, browser| async move {
            let client = &browser.client;
            open_widget(client, &stack).await?;
            search_and_wait(client, &stack, BROAD).await?;
            // A refinement and the second page, to see that they stay too.
            let verified = api_total_with(&stack, BROAD, "&email_status=verified").await?;
            anyhow::ensure!(verified > 25, "{verified} verified {BROAD}: no second page");
            action::click(client, "filter-verified").await?;
            wait_for_total(client, verified).await?;
            let first_page = row_ids(client).await?;
            action::click(client, "next-page").await?;
            check::eventually(WAIT, || async {
                let ids = row_ids(client).await?;
                Ok(if ids != first_page {
                    Ok(())
                } else {
                    Err("still page 1".to_owned())
                })
            })
            .await?;
            let picked: Vec<String> = row_ids(client).await?.into_iter().take(2).collect();
            tick(client, &picked).await?;
            // The search box has the focus; a renewal must not rebuild the screen.
            let input = find::search_input(client).await?;
            action::click_element(client, &input).await?;
            let before = stack.embed_sessions_started().await?;

            // Past the first token's life and its 10-second leeway.
            tokio::time::sleep(Duration::from_secs(18)).await;
            let renewals = stack.embed_sessions_started().await? - before;
            assert!(
                renewals >= 3,
                "only {renewals} renewals in 18 s with 5-second tokens"
            );

            // Nothing on screen was lost (the very same elements, the focus where
            // it was), and the fresh token works.
            assert!(input.is_displayed().await?, "the search box was rebuilt");
            assert_eq!(
                action::focused_test_id(client).await?.as_deref(),
                Some("search-input")
            );
            check::value_is(&find::search_input(client).await?, BROAD).await?;
            assert!(
                find::test_id(client, "filter-verified")
                    .await?
                    .is_selected()
                    .await?
            );
            check::text_contains(&find::test_id(client, "page-of").await?, "Page 2 of").await?;
            wait_for_total(client, verified).await?;
            check::text_contains(
                &find::test_id(client, "selection-count").await?,
                "2 contacts selected",
            )
            .await?;
            for id in &picked {
                let checkbox = find::css_element(
                    client,
                    &format!("{} [data-testid=\"row-select\"]", row_css(id)),
                )
                .await?;
                assert!(checkbox.is_selected().await?, "{id} lost its tick");
            }
            buy(
                client,
                "action-push",
                "2 new · 0 already yours · 2 credits · balance after 498",
                "delivered",
            )
            .await?;
            assert_eq!(received_ids(&stack), sorted(picked));
            Ok(())
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_only_search_select_and_push() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        action::open(client, &stack.demo.url("/")).await?;
        // Wait (looking, not touching) until the widget is ready.
        find::widget(client).await?;
        action::leave_widget(client).await?;

        // Tab from the top of the partner page into the widget.
        let mut entered = false;
        for _ in 0..40 {
            action::press(client, Key::Tab).await?;
            if action::focused_test_id(client).await?.as_deref() == Some("IFRAME") {
                entered = true;
                break;
            }
        }
        anyhow::ensure!(entered, "Tab never reached the widget");
        find::widget_frame(client).await?.enter_frame().await?;
        action::tab_until(client, "search-input", false, 5).await?;
        action::type_keys(client, BROAD).await?;
        action::press(client, Key::Enter).await?;
        wait_for_total(client, api_total(&stack, BROAD).await?).await?;

        // Three rows with Tab and Space.
        action::tab_until(client, "row-select", false, 60).await?;
        let mut picked = Vec::new();
        for i in 0..3 {
            if i > 0 {
                action::press(client, Key::Tab).await?;
            }
            action::press(client, Key::Space).await?;
            let id = client
                .execute(
                    "return document.activeElement.closest('tr').dataset.prospectId;",
                    vec![],
                )
                .await?;
            picked.push(id.as_str().unwrap_or("").to_owned());
        }
        check::text_contains(
            &find::test_id(client, "selection-count").await?,
            "3 contacts selected",
        )
        .await?;

        // Back up to the push button; Enter; the confirm button has the focus.
        action::tab_until(client, "action-push", true, 60).await?;
        action::press(client, Key::Enter).await?;
        find::test_id(client, "quote-panel").await?;
        check::eventually(WAIT, || async {
            let f = action::focused_test_id(client).await?;
            Ok(if f.as_deref() == Some("quote-confirm") {
                Ok(())
            } else {
                Err(format!("focus on {f:?}"))
            })
        })
        .await?;
        action::press(client, Key::Enter).await?;
        find::css_element(
            client,
            "[data-testid=\"buy-outcome\"][data-outcome=\"delivered\"]",
        )
        .await?;
        assert_eq!(received_ids(&stack), sorted(picked));
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_results_errors_and_going_offline_are_explained() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;

        // Nothing understood: explained, nothing counted, no retry offered.
        action::search(client, "?? !!").await?;
        let notice = find::css_element(
            client,
            "[data-testid=\"notice-error\"][data-code=\"query_not_understood\"]",
        )
        .await?;
        check::text_contains(&notice, "couldn't tell who you're looking for").await?;
        assert!(find::all(client, "retry").await?.is_empty());

        // Understood but empty: suggestions to go on with, which work.
        action::search(client, "kubernetes wranglers in Alaska").await?;
        wait_for_total(client, 0).await?;
        let empty = find::test_id(client, "empty").await?;
        check::text_contains(&empty, "No one matches").await?;
        let example = empty.find(Locator::Css("button")).await?;
        let q = example.text().await?;
        action::click_element(client, &example).await?;
        find::rows(client).await?;
        check::value_is(&find::search_input(client).await?, &q).await?;

        // Offline: said so; the query and results stay; back online, it works again.
        browser.set_offline(true).await?;
        find::test_id(client, "notice-offline").await?;
        action::search(client, BROAD).await?;
        let notice = find::css_element(
            client,
            "[data-testid=\"notice-error\"][data-code=\"network\"]",
        )
        .await?;
        check::text_contains(&notice, "offline").await?;
        assert!(
            !find::all(client, "result-row").await?.is_empty(),
            "the results were dropped"
        );
        browser.set_offline(false).await?;
        check::eventually(WAIT, || async {
            let n = find::all(client, "notice-offline").await?.len();
            Ok(if n == 0 {
                Ok(())
            } else {
                Err("still offline".to_owned())
            })
        })
        .await?;
        action::click(client, "retry").await?;
        wait_for_total(client, api_total(&stack, BROAD).await?).await?;

        // A refusal shows the server's reason in plain words and the request id.
        stack
            .partner_send(
                reqwest::Method::PATCH,
                &format!(
                    "/v1/partner-customers/{}",
                    stack.partner.partner_customer_id
                ),
                Some(&serde_json::json!({"status": "suspended"})),
            )
            .await?;
        tokio::time::sleep(Duration::from_secs(3)).await; // the re-check cache
        action::search(client, "CEOs").await?;
        let notice = find::css_element(
            client,
            "[data-testid=\"notice-error\"][data-code=\"customer_suspended\"]",
        )
        .await?;
        check::text_contains(&notice, "Your prospecting access is paused").await?;
        let id = text(client, "request-id").await?;
        assert!(id.starts_with("Reference: req_"), "{id}");
        assert!(
            find::all(client, "retry").await?.is_empty(),
            "retrying cannot help"
        );

        // A suspended customer opening the page is told so by the loader.
        action::leave_widget(client).await?;
        action::open(client, &stack.demo.url("/")).await?;
        let notice = find::loader_notice(client).await?;
        assert_eq!(
            notice.attr("data-code").await?.as_deref(),
            Some("customer_suspended")
        );
        check::text_contains(&notice, "access is paused").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loader_and_the_widget_trust_only_each_other() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        action::leave_widget(client).await?;
        let height = || async {
            let v = client
                .execute("return document.querySelector('iframe[data-quarry-frame]').getBoundingClientRect().height;", vec![])
                .await?;
            anyhow::Ok(v.as_f64().unwrap_or(0.0).round() as i64)
        };

        // Messages the partner page (or anything but the iframe) posts are ignored.
        let before = height().await?;
        client
            .execute(
                "window.__quarryEvents = 0;\
                 document.addEventListener('quarry:push', () => window.__quarryEvents++);\
                 document.addEventListener('quarry:wallet', () => window.__quarryEvents++);\
                 window.postMessage({type: 'quarry:push', result: {delivered: true}}, '*');\
                 window.postMessage({type: 'quarry:wallet', wallet: {}}, '*');\
                 window.postMessage({type: 'quarry:resize', height: 2000}, '*');",
                vec![],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let events = client.execute("return window.__quarryEvents;", vec![]).await?;
        assert_eq!(events, Value::from(0), "the loader obeyed a message not from its iframe");
        assert_eq!(height().await?, before);

        // The iframe's own resize requests are obeyed, within bounds.
        find::widget_frame(client).await?.enter_frame().await?;
        let parent = stack.demo.base.clone();
        for (asked, want) in [(Value::from(100_000), 2400), (Value::from("tall"), 2400), (Value::from(1000), 1000)] {
            client
                .execute(
                    "parent.postMessage({type: 'quarry:resize', height: arguments[0]}, arguments[1]);",
                    vec![asked.clone(), Value::from(parent.clone())],
                )
                .await?;
            action::leave_widget(client).await?;
            check::eventually(WAIT, || async {
                let h = height().await?;
                Ok(if h == want { Ok(()) } else { Err(format!("{asked} asked, {h} px")) })
            })
            .await?;
            find::widget_frame(client).await?.enter_frame().await?;
        }

        // A token bound to another page is refused by the widget, even from its parent.
        action::leave_widget(client).await?;
        client
            .execute(
                "const claims = btoa(JSON.stringify({origin: 'https://evil.example'})).replace(/=+$/, '');\
                 const frame = document.querySelector('iframe[data-quarry-frame]');\
                 frame.contentWindow.postMessage({type: 'quarry:token', token: 'e30.' + claims + '.x', expires_in: 900},\
                   new URL(frame.src).origin);",
                vec![],
            )
            .await?;
        find::widget_frame(client).await?.enter_frame().await?;
        find::css_element(client, "[data-testid=\"app\"][data-link=\"fatal\"]").await?;
        check::text_contains(&find::test_id(client, "notice-fatal").await?, "does not belong to this page").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wallet_meter_shows_limits_and_blocks_in_plain_words() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        // The partner caps new contacts at 5 a month for this customer.
        stack
            .partner_send(
                reqwest::Method::PATCH,
                &format!(
                    "/v1/partner-customers/{}",
                    stack.partner.partner_customer_id
                ),
                Some(&serde_json::json!({"limits": {"monthly_record_reveals": 5}})),
            )
            .await?;
        open_widget(client, &stack).await?;
        let limit = find::test_id(client, "wallet-limit").await?;
        check::text_contains(&limit, "New contacts this month").await?;
        check::text_contains(&limit, "0 of 5").await?;

        search_and_wait(client, &stack, BROAD).await?;
        let rows = row_ids(client).await?;
        tick(client, &rows[..3]).await?;
        buy(
            client,
            "action-push",
            "3 new · 0 already yours · 3 credits",
            "delivered",
        )
        .await?;
        // The meter follows every purchase.
        check::eventually(WAIT, || async {
            let t = text(client, "wallet-limit").await?;
            Ok(if t.contains("3 of 5") { Ok(()) } else { Err(t) })
        })
        .await?;

        // Three more would pass the limit: said in plain words, and not buyable.
        tick(client, &rows[3..6]).await?;
        action::click(client, "action-push").await?;
        let block = find::test_id(client, "quote-block").await?;
        check::text_contains(&block, "this month's limit on new contacts").await?;
        assert!(
            !find::test_id(client, "quote-confirm")
                .await?
                .is_enabled()
                .await?
        );
        action::click(client, "quote-cancel").await?;

        // Two more reach it; then the meter says buying is blocked, and why.
        tick(client, &rows[5..6]).await?;
        buy(
            client,
            "action-push",
            "2 new · 0 already yours · 2 credits",
            "delivered",
        )
        .await?;
        let blocked = find::test_id(client, "wallet-block").await?;
        check::text_contains(&blocked, "this month's limit on new contacts").await?;
        Ok(())
    })
    .await
}
