//! Harness for Quarry's end-to-end tests: a real server on a real socket, and headless
//! Debian Chromium driven over chromedriver with fantoccini. Tests read as
//! find → act → check, with selectors in `fixtures::find`, actions in
//! `fixtures::action` and assertions in `fixtures::check`.
#![forbid(unsafe_code)]

pub mod browser;
pub mod fixtures;
pub mod server;

pub use browser::Browser;
pub use server::QuarryServer;
