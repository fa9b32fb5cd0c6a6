//! The wallet's wire types: what `GET /v1/prospecting/wallet` and the partner's
//! `GET /v1/partner-customers/{id}/wallet` answer (the reference wallet shape). The
//! server computes them (`quarry_server::wallet`); the widget decodes the very same
//! types for its wallet meter, so the two cannot drift apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whether limits and a finite balance stop the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnforcementMode {
    /// Hard stops on limits and on the finite grant balance.
    Enforced,
    /// Never blocks; usage beyond the grants is recorded as overage.
    Metered,
}

/// How grant balances carry across calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResetPolicy {
    /// Every active grant is whole again on the first instant of each UTC month.
    MonthlyReset,
    /// Unused units carry over until the grant expires.
    Rollover,
}

/// Optional customer limits; `None` means unlimited. Unset limits are left out of
/// the JSON, as in the reference example.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_credit_units: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_credit_units: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_search_sessions: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_search_sessions: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_record_reveals: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifetime_record_reveals: Option<i64>,
}

/// Usage counters, always derived from the ledger. "Monthly" is the UTC calendar
/// month containing `now`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub monthly_credit_units: i64,
    pub lifetime_credit_units: i64,
    pub monthly_search_sessions: i64,
    pub lifetime_search_sessions: i64,
    pub monthly_record_reveals: i64,
    pub lifetime_record_reveals: i64,
}

/// Whether the customer may search and reveal right now, and why not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitState {
    pub can_search: bool,
    pub can_reveal: bool,
    /// A block reason such as `insufficient_credits` (see `/v1/errors`).
    pub search_block_reason: Option<String>,
    /// A block reason such as `monthly_record_reveal_limit_reached`.
    pub reveal_block_reason: Option<String>,
}

/// The `wallet` object of the reference wallet endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletSummary {
    /// Remaining units over active grants; `None` for a metered wallet without any
    /// active grant (no finite grant-backed wallet).
    pub available_credit_units: Option<i64>,
    /// Face value of the active grants.
    pub granted_credit_units: i64,
    /// Grant-backed units applied in the current period (lifetime for rollover,
    /// current month for monthly_reset).
    pub applied_credit_units: i64,
    pub monthly_applied_credit_units: i64,
    pub lifetime_applied_credit_units: i64,
    pub credit_enforcement_mode: EnforcementMode,
    pub credit_reset_policy: ResetPolicy,
    pub active_credit_grants: i64,
    /// Same as `usage.monthly_credit_units` (the reference repeats it at top level).
    pub monthly_credit_units_used: i64,
    /// Same as `usage.lifetime_credit_units`.
    pub lifetime_credit_units_used: i64,
    pub limits: Limits,
    pub usage: Usage,
    pub limit_state: LimitState,
    /// Units spent beyond the grants (metered), in the same period as `applied`.
    pub overage_credit_units: i64,
}

/// What the iframe may do with bought records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultAction {
    /// Push the records, signed, to the partner's delivery URL.
    PushEndpoint,
    /// Download them as CSV.
    CsvExport,
}

impl ResultAction {
    pub const ALL: [ResultAction; 2] = [ResultAction::PushEndpoint, ResultAction::CsvExport];

    /// A configured list as stored: canonical order, each action once.
    pub fn canonical(actions: Vec<ResultAction>) -> Vec<ResultAction> {
        ResultAction::ALL
            .into_iter()
            .filter(|a| actions.contains(a))
            .collect()
    }
}

/// Whether a customer may use the iframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    Active,
    Suspended,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "active",
            CustomerStatus::Suspended => "suspended",
        }
    }

    pub fn parse(value: &str) -> Option<CustomerStatus> {
        match value {
            "active" => Some(CustomerStatus::Active),
            "suspended" => Some(CustomerStatus::Suspended),
            _ => None,
        }
    }
}

/// The `wallet` object: the summary plus the iframe's actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletObject {
    #[serde(flatten)]
    pub summary: WalletSummary,
    pub allowed_result_actions: Vec<ResultAction>,
    pub result_action_labels: BTreeMap<ResultAction, String>,
}

/// The reference wallet answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletView {
    pub partner_customer_id: String,
    pub external_customer_id: String,
    pub status: CustomerStatus,
    pub allowed_result_actions: Vec<ResultAction>,
    pub result_action_labels: BTreeMap<ResultAction, String>,
    pub wallet: WalletObject,
}

impl WalletView {
    /// The label of `action` when the customer may use it.
    pub fn action_label(&self, action: ResultAction) -> Option<&str> {
        self.allowed_result_actions
            .contains(&action)
            .then(|| self.result_action_labels.get(&action).map(String::as_str))
            .flatten()
    }
}
