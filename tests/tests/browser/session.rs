//! What keeps working as time passes and things go wrong: token renewal,
//! keyboard-only use, and the empty, error and offline states.

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::Locator;
use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{scenario, StackOptions};

use crate::*;

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
                // Past the row's name (it opens the row's detail) to the next box.
                action::press(client, Key::Tab).await?;
                action::tab_until(client, "row-select", false, 5).await?;
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
        let nobody = "CFOs of hospitals in Wyoming with 5000+ employees";
        anyhow::ensure!(
            api_total(&stack, nobody).await? == 0,
            "{nobody} matches someone"
        );
        action::search(client, nobody).await?;
        wait_for_total(client, 0).await?;
        let empty = find::test_id(client, "empty").await?;
        check::text_contains(&empty, "No one matches").await?;
        let example = empty.find(Locator::Css("button")).await?;
        let q = example.text().await?;
        action::click_element(client, &example).await?;
        find::rows(client).await?;
        check::value_is(&find::search_input(client).await?, &q).await?;

        // Offline: said so; the query stays, and results that could not be
        // refreshed are not left on screen to act on; back online, it works again.
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
            find::all(client, "result-row").await?.is_empty(),
            "stale results stayed"
        );
        check::value_is(&find::search_input(client).await?, BROAD).await?;
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
        check::loader_notice(client, "customer_suspended", "access is paused").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_waking_from_sleep_renews_before_anything_fails() -> anyhow::Result<()> {
    scenario(
        StackOptions {
            token_max_ttl_secs: Some(5),
            ..StackOptions::default()
        },
        |stack, browser| async move {
            let client = &browser.client;
            open_widget(client, &stack).await?;
            search_and_wait(client, &stack, BROAD).await?;
            let picked: Vec<String> = row_ids(client).await?.into_iter().take(1).collect();
            tick(client, &picked).await?;

            // The tab sleeps (frozen: no timers run) well past its token's life.
            quarry_e2e::browser::cdp(
                client,
                "Page.setWebLifecycleState",
                serde_json::json!({"state": "frozen"}),
            )
            .await?;
            let asleep = stack.embed_sessions_started().await?;
            tokio::time::sleep(Duration::from_secs(18)).await;
            assert_eq!(
                stack.embed_sessions_started().await?,
                asleep,
                "the frozen tab renewed its token"
            );
            quarry_e2e::browser::cdp(
                client,
                "Page.setWebLifecycleState",
                serde_json::json!({"state": "active"}),
            )
            .await?;

            // At once on waking: the purchase goes through, no expired session shown.
            buy(
                client,
                "action-push",
                "1 new · 0 already yours · 1 credit",
                "delivered",
            )
            .await?;
            assert!(stack.embed_sessions_started().await? > asleep);
            assert!(find::all(client, "notice-fatal").await?.is_empty());
            assert_eq!(received_ids(&stack), sorted(picked));
            Ok(())
        },
    )
    .await
}
