//! Harness for Quarry's end-to-end tests: a real Quarry server, the demo partner's
//! page on a second origin and a not-allowed third origin, all on real sockets, and
//! headless Debian Chromium driven over chromedriver with fantoccini. Tests read as
//! find → act → check, with selectors in `fixtures::find`, actions in
//! `fixtures::action` and assertions in `fixtures::check`.
#![forbid(unsafe_code)]

pub mod browser;
pub mod fixtures;
pub mod stack;

pub use browser::Browser;
pub use stack::{Stack, StackOptions};

/// A browser test: skipped when Chromium is not installed (unless
/// `QUARRY_REQUIRE_BROWSER=1`), run in its turn, against a fresh [`Stack`].
pub async fn scenario<F, Fut>(options: StackOptions, test: F) -> anyhow::Result<()>
where
    F: FnOnce(Stack, Browser) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    if !Browser::available() {
        return Ok(());
    }
    let _turn = one_at_a_time().await;
    let stack = Stack::start(options).await?;
    Browser::run(|browser| test(stack, browser)).await
}

/// Browser tests take turns: two cores run one Chromium well, six badly.
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}
