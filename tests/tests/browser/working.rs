//! A day of real prospecting (issue 13), in Chromium at a desktop and a phone
//! width: the text, the chips and the controls are one search; the action bar
//! stays in view however far the partner page is scrolled; columns sort, pages
//! grow and can be jumped to; a selection over the wallet buys what fits; a failed
//! search leaves nothing to act on; Escape closes the quote and the outcome takes
//! the focus; narrow screens show compact rows with labelled data marks.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{scenario, StackOptions};
use serde_json::Value;

use crate::*;

/// Desktop, then a phone.
const WIDTHS: [(u32, u32); 2] = [(1280, 900), (390, 844)];

async fn at_width(
    client: &Client,
    stack: &quarry_e2e::Stack,
    (w, h): (u32, u32),
) -> anyhow::Result<()> {
    action::leave_widget(client).await.ok();
    client.set_window_size(w, h).await?;
    open_widget(client, stack).await
}

/// Runs `script` in the current frame and returns its value.
async fn js(client: &Client, script: &str) -> anyhow::Result<Value> {
    Ok(client.execute(script, vec![]).await?)
}

async fn input_value(client: &Client) -> anyhow::Result<String> {
    Ok(find::search_input(client)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

async fn wait_for_input(client: &Client, want: &str) -> anyhow::Result<()> {
    check::eventually(WAIT, || async {
        let v = input_value(client).await?;
        Ok(if v == want { Ok(()) } else { Err(v) })
    })
    .await
}

/// Opens the filters on a narrow frame, where they fold away.
async fn open_filters(client: &Client) -> anyhow::Result<()> {
    let toggle = find::test_id(client, "filters-toggle").await?;
    if toggle.is_displayed().await?
        && toggle.attr("aria-expanded").await?.as_deref() == Some("false")
    {
        action::click_element(client, &toggle).await?;
    }
    Ok(())
}

async fn select_value(client: &Client, id: &str) -> anyhow::Result<String> {
    Ok(find::test_id(client, id)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_text_the_chips_and_the_controls_are_one_search() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        for width in WIDTHS {
            at_width(client, &stack, width).await?;
            action::search(client, "CEOs").await?;
            wait_for_total(client, api_total(&stack, "CEOs").await?).await?;
            // Searching the same words again is a new (counted) session.
            let sessions = || stack.answered("POST", "/v1/prospecting/sessions", "201");
            let before = sessions().await?;
            action::click(client, "search-submit").await?;
            check::eventually(WAIT, || async {
                let n = sessions().await?;
                Ok(if n == before + 1 {
                    Ok(())
                } else {
                    Err(format!("{n} sessions, {before} before"))
                })
            })
            .await?;

            // Picking Nevada in the state control updates the text and the chips.
            open_filters(client).await?;
            let state = find::test_id(client, "filter-state").await?;
            action::click_element(client, &state).await?;
            state.select_by_value("NV").await?;
            wait_for_input(client, "CEOs in Nevada").await?;
            let in_nevada = api_total_with(&stack, "CEOs", "&location_state=NV").await?;
            wait_for_total(client, in_nevada).await?;
            let chip = find::css_element(client, "[data-testid=\"chip\"][data-chip-id=\"location:state:NV\"]").await?;
            check::text_contains(&chip, "Nevada").await?;

            // Removing the chip runs the search again, without Nevada.
            let remove = chip.find(Locator::Css("[data-testid=\"chip-remove\"]")).await?;
            action::click_element(client, &remove).await?;
            wait_for_input(client, "CEOs").await?;
            wait_for_total(client, api_total(&stack, "CEOs").await?).await?;
            assert_eq!(select_value(client, "filter-state").await?, "");

            // What the text says shows in its control.
            let q = "VPs in Texas with 50+ employees";
            action::search(client, q).await?;
            wait_for_total(client, api_total(&stack, q).await?).await?;
            open_filters(client).await?;
            check::eventually(WAIT, || async {
                let s = select_value(client, "filter-state").await?;
                Ok(if s == "TX" { Ok(()) } else { Err(s) })
            })
            .await?;
            assert_eq!(select_value(client, "filter-size").await?, "text");
            let vp = find::test_id(client, "filter-seniority-vp").await?;
            assert_eq!(vp.prop("checked").await?.as_deref(), Some("true"));

            // A facet refines and shows as a chip that can be removed too.
            let director = api_total_with(&stack, q, "&seniority=vp&department=sales").await?;
            let facet = find::css_element(client, "[data-testid=\"facet-department\"] summary").await?;
            action::click_element(client, &facet).await?;
            let sales = find::test_id(client, "filter-department-sales").await?;
            action::click_element(client, &sales).await?;
            wait_for_total(client, director).await?;
            let chip = find::css_element(
                client,
                "[data-testid=\"chip\"][data-chip-id=\"department:sales\"][data-chip-source=\"filter\"]",
            )
            .await?;
            let remove = chip.find(Locator::Css("[data-testid=\"chip-remove\"]")).await?;
            action::click_element(client, &remove).await?;
            wait_for_total(client, api_total(&stack, q).await?).await?;

            // A text over the limit is refused in words, and nothing is cut.
            let long = format!("{} marketing", "directors of growth ".repeat(26));
            let input = find::search_input(client).await?;
            input.clear().await?;
            input.send_keys(&long).await?;
            let hint = find::test_id(client, "search-hint").await?;
            check::text_contains(&hint, "a search can be at most 500").await?;
            assert!(!find::test_id(client, "search-submit").await?.is_enabled().await?);
            assert_eq!(input_value(client).await?.chars().count(), long.chars().count());
        }
        Ok(())
    })
    .await
}

/// Where the action bar is on the partner page's screen: (its top, its bottom,
/// the screen's height, whether the page covers it), in page pixels.
async fn action_bar_on_screen(client: &Client) -> anyhow::Result<(f64, f64, f64, bool)> {
    let bar = js(
        client,
        "const r = document.querySelector('[data-testid=\"action-bar\"]').getBoundingClientRect(); return [r.top, r.bottom, r.left + 12];",
    )
    .await?;
    action::leave_widget(client).await?;
    let frame = client
        .execute(
            "const f = document.querySelector('iframe[data-quarry-frame]'); const r = f.getBoundingClientRect(); \
             const [top, bottom, left] = arguments[0]; \
             const hit = document.elementFromPoint(r.left + left, r.top + top + 4); \
             return [r.top, window.innerHeight, hit !== f];",
            vec![bar.clone()],
        )
        .await?;
    find::widget(client).await?;
    let n = |v: &Value, i: usize| v[i].as_f64().unwrap_or(f64::NAN);
    Ok((
        n(&frame, 0) + n(&bar, 0),
        n(&frame, 0) + n(&bar, 1),
        n(&frame, 1),
        frame[2].as_bool().unwrap_or(true),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_action_bar_stays_in_view_after_selecting_row_21() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        for width in WIDTHS {
            at_width(client, &stack, width).await?;
            search_and_wait(client, &stack, BROAD).await?;
            let ids = row_ids(client).await?;
            // Ticking row 21 scrolls the partner page down to it.
            tick(client, &ids[20..21]).await?;
            check::text_contains(
                &find::test_id(client, "selection-count").await?,
                "1 contact selected",
            )
            .await?;
            check::eventually(WAIT, || async {
                let (top, bottom, screen, covered) = action_bar_on_screen(client).await?;
                Ok(if top >= -1.0 && bottom <= screen + 1.0 && !covered {
                    Ok(())
                } else {
                    Err(format!(
                        "bar at {top}..{bottom} of a {screen}px screen ({width:?}), covered: {covered}"
                    ))
                })
            })
            .await?;
            assert!(
                find::test_id(client, "action-push")
                    .await?
                    .is_enabled()
                    .await?
            );
        }
        Ok(())
    })
    .await
}

async fn names_on_screen(client: &Client) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for e in find::all(client, "person-name").await? {
        names.push(e.text().await?.to_lowercase());
    }
    Ok(names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_sort_pages_grow_and_a_page_can_be_jumped_to() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        for width in WIDTHS {
            at_width(client, &stack, width).await?;
            let total = search_and_wait(client, &stack, BROAD).await?;
            let relevance = row_ids(client).await?;
            for (descending, label) in [(false, "ascending"), (true, "descending")] {
                action::click(client, "sort-name").await?;
                check::eventually(WAIT, || async {
                    let names = names_on_screen(client).await?;
                    let mut want = names.clone();
                    want.sort();
                    if descending {
                        want.reverse();
                    }
                    Ok(if names == want && names.len() == 25 {
                        Ok(())
                    } else {
                        Err(format!("{names:?}"))
                    })
                })
                .await?;
                let th =
                    find::css_element(client, "th[aria-sort]:has([data-testid=\"sort-name\"])")
                        .await?;
                assert_eq!(th.attr("aria-sort").await?.as_deref(), Some(label));
            }
            // A third click goes back to relevance.
            action::click(client, "sort-name").await?;
            check::eventually(WAIT, || async {
                let ids = row_ids(client).await?;
                Ok(if ids == relevance {
                    Ok(())
                } else {
                    Err(format!("{ids:?}"))
                })
            })
            .await?;

            // 50 a page, then page 2 by number.
            let size = find::test_id(client, "page-size").await?;
            action::click_element(client, &size).await?;
            size.select_by_value("50").await?;
            let pages = total.div_ceil(50);
            check::eventually(WAIT, || async {
                let n = find::all(client, "result-row").await?.len();
                let of = text(client, "page-of").await?;
                Ok(if n == 50 && of == format!("Page 1 of {pages}") {
                    Ok(())
                } else {
                    Err(format!("{n} rows, {of}"))
                })
            })
            .await?;
            let first_fifty = row_ids(client).await?;
            let jump = find::test_id(client, "page-jump").await?;
            action::click_element(client, &jump).await?;
            jump.send_keys("2").await?;
            action::click(client, "page-go").await?;
            check::eventually(WAIT, || async {
                let of = text(client, "page-of").await?;
                let ids = row_ids(client).await?;
                Ok(
                    if of == format!("Page 2 of {pages}")
                        && ids.iter().all(|i| !first_fifty.contains(i))
                    {
                        Ok(())
                    } else {
                        Err(of)
                    },
                )
            })
            .await?;
            // The row detail says why a person matches.
            let name = find::test_id(client, "person-name").await?;
            action::click_element(client, &name).await?;
            let why = find::test_id(client, "detail-why").await?;
            check::text_contains(&why, "Seniority: Director").await?;
        }
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selection_over_the_limit_buys_what_fits_and_the_outcome_takes_the_focus(
) -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
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
        for (round, width) in WIDTHS.into_iter().enumerate() {
            if round == 1 {
                // Five more new contacts this month for the phone round.
                stack
                    .partner_send(
                        reqwest::Method::PATCH,
                        &format!(
                            "/v1/partner-customers/{}",
                            stack.partner.partner_customer_id
                        ),
                        Some(&serde_json::json!({"limits": {"monthly_record_reveals": 10}})),
                    )
                    .await?;
            }
            at_width(client, &stack, width).await?;
            search_and_wait(client, &stack, BROAD).await?;
            if round == 1 {
                // Escape closes a quote without buying.
                let ids = row_ids(client).await?;
                tick(client, &ids[5..6]).await?;
                action::click(client, "action-push").await?;
                find::test_id(client, "quote-panel").await?;
                action::press(client, Key::Escape).await?;
                check::eventually(WAIT, || async {
                    let open = find::all(client, "quote-panel").await?.len();
                    Ok(if open == 0 {
                        Ok(())
                    } else {
                        Err(format!("{open} open"))
                    })
                })
                .await?;
                assert!(
                    find::test_id(client, "action-push")
                        .await?
                        .is_enabled()
                        .await?
                );
                tick(client, &ids[5..6]).await?;
                // The next page holds the five not bought yet.
                action::click(client, "next-page").await?;
                check::text_contains(&find::test_id(client, "page-of").await?, "Page 2 of").await?;
            }
            let before = row_ids(client).await?;
            action::click(client, "select-page").await?;
            action::click(client, "action-push").await?;
            let fit = find::test_id(client, "quote-fit").await?;
            check::text_contains(&fit, "5 of these 25 can be bought now").await?;
            assert!(
                !find::test_id(client, "quote-confirm")
                    .await?
                    .is_enabled()
                    .await?
            );
            let buy_fit = find::test_id(client, "quote-fit-buy").await?;
            check::text_contains(&buy_fit, "Buy the 5 that fit").await?;
            assert_eq!(
                action::focused_test_id(client).await?.as_deref(),
                Some("quote-fit-buy")
            );
            action::click_element(client, &buy_fit).await?;
            // The focus follows to the confirm button of the new quote.
            check::eventually(WAIT, || async {
                let f = action::focused_test_id(client).await?;
                Ok(if f.as_deref() == Some("quote-confirm") {
                    Ok(())
                } else {
                    Err(format!("{f:?}"))
                })
            })
            .await?;
            check::eventually(WAIT, || async {
                let q = text(client, "quote").await?;
                Ok(if q.starts_with("5 new · 0 already yours · 5 credits") {
                    Ok(())
                } else {
                    Err(q)
                })
            })
            .await?;
            action::click(client, "quote-confirm").await?;
            let outcome = find::css_element(
                client,
                "[data-testid=\"buy-outcome\"][data-outcome=\"delivered\"]",
            )
            .await?;
            check::text_contains(&outcome, "Sent 5 contacts to Tidewater CRM").await?;
            check::eventually(WAIT, || async {
                let f = action::focused_test_id(client).await?;
                Ok(if f.as_deref() == Some("buy-outcome") {
                    Ok(())
                } else {
                    Err(format!("{f:?}"))
                })
            })
            .await?;
            let mut bought = received_ids(&stack);
            bought.retain(|id| before.contains(id));
            assert_eq!(bought, sorted(before[..5].to_vec()));
            // The bought rows stay where they were, now shown as yours.
            check::eventually(WAIT, || async {
                let owned = find::all(client, "owned-badge").await?.len();
                Ok(if owned == 5 {
                    Ok(())
                } else {
                    Err(format!("{owned} owned"))
                })
            })
            .await?;
            assert_eq!(row_ids(client).await?, before);
        }
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_search_leaves_nothing_to_act_on() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        open_widget(client, &stack).await?;
        search_and_wait(client, &stack, BROAD).await?;
        let ids = row_ids(client).await?;
        tick(client, &ids[..2]).await?;
        browser.set_offline(true).await?;
        action::click(client, "next-page").await?;
        find::test_id(client, "notice-error").await?;
        assert!(
            find::all(client, "result-row").await?.is_empty(),
            "stale rows stayed"
        );
        assert!(
            !find::test_id(client, "action-push")
                .await?
                .is_enabled()
                .await?
        );
        check::text_contains(
            &find::test_id(client, "selection-count").await?,
            "Select people",
        )
        .await?;
        browser.set_offline(false).await?;
        action::click(client, "retry").await?;
        find::rows(client).await?;
        check::text_contains(&find::test_id(client, "page-of").await?, "Page 2 of").await?;
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn narrow_screens_show_compact_rows_with_labelled_data() -> anyhow::Result<()> {
    scenario(StackOptions::default(), |stack, browser| async move {
        let client = &browser.client;
        for (w, h) in [(390, 844), (768, 1024)] {
            at_width(client, &stack, (w, h)).await?;
            search_and_wait(client, &stack, BROAD).await?;
            let heights = js(
                client,
                "return [...document.querySelectorAll('[data-testid=\"result-row\"]')].map(r => r.getBoundingClientRect().height);",
            )
            .await?;
            let heights: Vec<f64> = heights
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            assert_eq!(heights.len(), 25);
            let average = heights.iter().sum::<f64>() / 25.0;
            assert!(
                average <= f64::from(h) / 6.0,
                "{w}px: rows average {average:.0}px, fewer than six a {h}px screen"
            );
            if w <= 640 {
                let label = find::css_element(client, "[data-testid=\"result-row\"] .avail-label").await?;
                assert!(label.is_displayed().await?, "the data marks say what they are");
            }
            // The skip link jumps from the search to the results.
            let input = find::search_input(client).await?;
            action::click_element(client, &input).await?;
            action::tab_until(client, "skip-to-results", false, 40).await?;
            action::press(client, Key::Enter).await?;
            assert_eq!(action::focused_test_id(client).await?.as_deref(), Some("results"));
        }
        Ok(())
    })
    .await
}
