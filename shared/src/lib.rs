//! The contract shared by Quarry's server and its WASM widget: wire types, the error
//! envelope and its code registry, the search vocabulary and US geography. It builds
//! for native and `wasm32-unknown-unknown`, so it carries no I/O and no runtime.
#![forbid(unsafe_code)]

pub mod api;
pub mod criteria;
pub mod error;
pub mod geo;
pub mod health;
pub mod interpret;
pub mod present;
pub mod prospecting;
pub mod taxonomy;
pub mod wallet;

pub use error::{ErrorBody, ErrorCode, ErrorCodeInfo, ErrorDetail};
pub use health::Health;
