//! The widget on the partner page: it boots and searches, it cannot be used from
//! an origin the key does not allow, and loader and widget trust only each other.

use std::time::Duration;

use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{scenario, StackOptions};
use serde_json::Value;

use crate::*;

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

        // The main screen, for people to see (tests/screenshots/, not committed).
        action::leave_widget(client).await?;
        client.execute("window.scrollTo(0, 0);", vec![]).await?;
        action::screenshot(client, "widget-main-screen").await?;
        find::widget(client).await?;

        // A new search keeps the refinements on screen, and its filter groups
        // still offer every option the text allows, not only the ticked one.
        let senior = "&seniority=director&email_status=verified";
        action::search(client, "sales").await?;
        wait_for_total(
            client,
            api_total_with(&stack, "sales", "&email_status=verified").await?,
        )
        .await?;
        action::click(client, "filter-seniority-director").await?;
        wait_for_total(client, api_total_with(&stack, "sales", senior).await?).await?;
        action::search(client, "marketing").await?;
        wait_for_total(client, api_total_with(&stack, "marketing", senior).await?).await?;
        let options = client
            .find_all(fantoccini::Locator::Css(
                "[data-testid^=\"filter-seniority-\"]",
            ))
            .await?;
        assert!(
            options.len() >= 2,
            "only {} seniority option(s) after a new search",
            options.len()
        );
        assert!(
            find::test_id(client, "filter-seniority-director")
                .await?
                .is_selected()
                .await?
        );
        action::click(client, "filter-seniority-director").await?;
        wait_for_total(
            client,
            api_total_with(&stack, "marketing", "&email_status=verified").await?,
        )
        .await?;

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
async fn a_page_on_a_not_allowed_origin_cannot_bootstrap_nor_frame_the_widget() -> anyhow::Result<()>
{
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        // The CRM page itself, served from the wrong origin.
        action::open(client, &stack.foreign.url("/")).await?;
        check::loader_notice(
            client,
            "origin_not_allowed",
            "isn't allowed to use this Quarry key",
        )
        .await?;
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
        check::loader_notice(client, "embed_key_revoked", "turned off").await?;
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
