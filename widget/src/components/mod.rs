//! One public component per file.

pub mod action_bar;
pub mod filters;
pub mod interpretation;
pub mod notices;
pub mod results;
pub mod saved;
pub mod search_box;
pub mod wallet_meter;
