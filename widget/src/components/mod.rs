//! One public component per file.

pub mod health_badge;
pub mod search_box;
