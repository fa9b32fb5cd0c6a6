//! Partner accounts and what they own: secret API keys, embed (loader) keys and
//! partner customers with their wallets. The rules here are plain functions over
//! plain data; the store persists them and `http/` exposes them.
//!
//! Every partner-owned object belongs to a [`Tenant`]: a partner *and* a mode. Live
//! and test (sandbox) objects of one partner are two tenants that never see each
//! other, so isolation is one rule, applied by every store method taking the tenant
//! first.

pub mod customers;
pub mod embed_keys;
pub mod ids;
pub mod keys;
pub mod settings;
pub mod suppressions;

use serde::{Deserialize, Serialize};

/// Live data and billing, or the isolated sandbox of `qk_test_` keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Live,
    Test,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Test => "test",
        }
    }

    pub fn parse(value: &str) -> Option<Mode> {
        match value {
            "live" => Some(Mode::Live),
            "test" => Some(Mode::Test),
            _ => None,
        }
    }
}

/// Who owns an object: the unit of isolation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant {
    pub partner_id: String,
    pub mode: Mode,
}

/// A partner account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub partner_id: String,
    pub name: String,
    pub created_at: i64,
}

/// Serde support for `PATCH` bodies: a field that is absent stays `None`, an
/// explicit `null` becomes `Some(None)` (clear it), a value `Some(Some(v))`.
pub(crate) mod patch {
    use serde::{Deserialize, Deserializer};

    pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
    where
        T: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
