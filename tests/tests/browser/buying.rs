//! Buying: push to the partner (and again for free), CSV export, and the wallet
//! meter's limits.

use fantoccini::Locator;
use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{scenario, StackOptions};
use serde_json::Value;

use crate::*;

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
