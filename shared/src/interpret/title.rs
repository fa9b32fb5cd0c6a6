//! Role keys of a stored job title, for the search index. It reads the title through
//! the same phrase table and context rules as `interpret`, so a person indexed under
//! `partner` is exactly who "partners at law firms" finds ("Managing Partner" yes,
//! "Vice President" not a president, "VP of Sales" no named role at all).

use super::context::role_at;
use super::lexicon::{lexicon, Slot};
use super::token::tokenize;

/// Titles longer than this are read up to here; no real title comes close.
const MAX_TITLE: usize = 512;

/// Role keys a stored job title matches, in title order, without duplicates.
pub fn roles_in_title(title: &str) -> Vec<&'static str> {
    let title = match title.char_indices().nth(MAX_TITLE) {
        Some((cut, _)) => &title[..cut],
        None => title,
    };
    let tokens = tokenize(title);
    let slots: Vec<Slot> = lexicon().scan(&tokens);
    let mut out = Vec::new();
    for i in 0..slots.len() {
        if let Some(key) = role_at(&slots, i) {
            if !out.contains(&key) {
                out.push(key);
            }
        }
    }
    out
}
