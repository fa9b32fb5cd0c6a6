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

/// Browser tests take turns: two cores run one Chromium well, six badly.
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    TURN.lock().await
}
