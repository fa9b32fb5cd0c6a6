//! The demo partner: a second small web server, on another origin than Quarry,
//! that plays a partner's product — "Tidewater CRM" — with the Quarry widget
//! embedded the way PRODUCT.md §2 tells partners to embed it (loader script, a
//! session secret its backend mints per page with its secret key) and a receiver
//! for pushed records that verifies them the way §5 tells partners to (Standard
//! Webhooks). It exists so `make run` shows the whole
//! flow across two origins, and so browser tests exercise it as a partner would,
//! without any test-only shortcut inside Quarry itself.
//!
//! [`setup`] makes (once) the partner, keys and customer in the store; `site`
//! serves the page (rendered by `page`) and the receiver; [`receiver`] is the
//! CRM's memory and its signature check.

mod page;
pub mod receiver;
pub mod setup;
mod site;

pub use receiver::Receiver;
pub use setup::{ensure, DemoPartner, SetupOptions};
pub use site::{router, serve, DemoSite, MintError};
