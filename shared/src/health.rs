//! Health answers: `/healthz` (the process is up) and `/readyz` (it can reach its
//! database). The widget's first screen shows the health answer, so the type is shared.

use serde::{Deserialize, Serialize};

/// The body of `/healthz` and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `"ok"` when healthy.
    pub status: String,
    /// The server's version (`CARGO_PKG_VERSION`).
    pub version: String,
    /// The database backend in use (`"sqlite"` or `"postgres"`); only on `/readyz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}
