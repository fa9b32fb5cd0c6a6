//! Real-browser tests: headless Chromium loads the widget from a real Quarry server.

use quarry_e2e::fixtures::{action, check, find};
use quarry_e2e::{Browser, QuarryServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_renders_and_shows_the_server_health() -> anyhow::Result<()> {
    if !Browser::available() {
        return Ok(());
    }
    let server = QuarryServer::start().await?;
    let page = server.url("/embed/");
    Browser::run(|browser| async move {
        let client = &browser.client;
        action::open(client, &page).await?;
        let badge = find::healthy_badge(client).await?;
        check::text_contains(
            &badge,
            &format!("Server ok · v{}", env!("CARGO_PKG_VERSION")),
        )
        .await?;

        // The search box is there, labelled, and takes input.
        let input = find::search_input(client).await?;
        action::type_query(client, "CMOs in Nevada").await?;
        check::value_is(&input, "CMOs in Nevada").await?;
        let label = client
            .find(fantoccini::Locator::Css("label[for=quarry-q]"))
            .await?;
        check::text_contains(&label, "Describe who you are looking for").await?;

        action::screenshot(client, "widget-first-screen").await?;
        Ok(())
    })
    .await
}
