//! Prospecting for partner customers inside the iframe: search sessions over the
//! people index, masked previews, and turning a selection into the people to buy.
//! Plain functions; the store keeps sessions and purchases, `http/` exposes them.

pub mod csv_cells;
pub mod file_name;
pub mod flags;
pub mod pick;
pub mod preview;
pub mod prospect_id;
pub mod saved;
