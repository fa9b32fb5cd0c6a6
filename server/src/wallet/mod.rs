//! The wallet arithmetic of PRODUCT.md §4 ("Billing", "Wallet semantics") as pure
//! functions: balances, drawdown, limits and the wallet summary of the reference
//! `GET …/wallet` shape.
//!
//! It exists apart from the store and the handlers so that the money rules can be
//! tested exhaustively without a database: the store loads a [`WalletState`] (the
//! customer's policy, grants and ledger), callers ask it questions at the current
//! time in unix seconds ([`WalletState::plan`], [`WalletState::summary`],
//! [`WalletState::check_search`]), and the store writes whatever the plan says in
//! the same transaction that read the state. Nothing here reads a clock, does I/O
//! or panics, whatever the input.
//!
//! Rules decided here (PRODUCT.md leaves them open):
//! - `available_credit_units` is `None` ("no finite grant-backed wallet") only for a
//!   *metered* wallet with no active grant. An enforced wallet without grants is a
//!   finite wallet holding 0, which is what blocks it.
//! - A grant's remaining balance is clamped to `0..=units`: a refund never lifts a
//!   grant above its face value, and an over-drawn ledger never shows a negative
//!   balance.
//! - Credit usage counters are net of refunds (a refund gives the limit room back),
//!   never below zero. Record reveals and search sessions are never refunded.
//! - `applied_credit_units` and `overage_credit_units` cover the current period:
//!   lifetime for rollover, the current UTC month for monthly_reset. Applied counts
//!   every grant-backed spend in the period, including grants that have since
//!   expired, so `granted − applied` equals `available` only while no grant expired.
//! - The `Grant` ledger kind is an audit record; balances come from [`Grant`] rows.
//! - Ledger units below zero are read as zero.
//! - When several block reasons hold, the order is fixed: `customer_suspended`,
//!   `insufficient_credits`, then lifetime before monthly limits (the lifetime one
//!   will not clear at the next month), credits before record reveals.

mod ledger;
mod limits;
mod period;
mod spend;
mod summary;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod props;

use serde::{Deserialize, Serialize};

pub use ledger::is_active;
pub use limits::Blocked;
pub use period::{month_containing, MonthWindow};
pub use spend::SpendPlan;
use spend::{check_search, plan_spend};
use summary::summary;

// The wire types live in the shared crate so the widget decodes exactly these.
pub use quarry_shared::wallet::{
    EnforcementMode, LimitState, Limits, ResetPolicy, Usage, WalletSummary,
};

/// The rules a customer's wallet obeys: how it enforces, when it resets, its
/// limits, and whether the customer is suspended (which blocks everything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletPolicy {
    pub mode: EnforcementMode,
    pub reset: ResetPolicy,
    pub limits: Limits,
    pub suspended: bool,
}

/// A wallet as read in one transaction: its policy, its grants and its ledger
/// (every row, or the store's per-period sums, which answer the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletState {
    pub policy: WalletPolicy,
    pub grants: Vec<Grant>,
    pub entries: Vec<Entry>,
}

/// What buying some net-new records costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub records: i64,
    pub credit_units: i64,
}

impl Price {
    /// `net_new` records at `units_per_record` credit units each.
    pub fn of(net_new: usize, units_per_record: i64) -> Price {
        let records = i64::try_from(net_new).unwrap_or(i64::MAX);
        Price {
            records,
            credit_units: records.saturating_mul(units_per_record),
        }
    }
}

impl WalletState {
    /// What buying `records` net-new records for `units` credit units at `now`
    /// appends, all or nothing, or why it may not: a suspended customer first,
    /// then the balance and limits of an enforced wallet (see [`SpendPlan`]).
    pub fn plan(&self, now: i64, units: i64, records: i64) -> Result<SpendPlan, Blocked> {
        if self.policy.suspended {
            return Err(Blocked::CustomerSuspended);
        }
        let p = &self.policy;
        plan_spend(
            &self.grants,
            &self.entries,
            p.mode,
            p.reset,
            &p.limits,
            now,
            units,
            records,
        )
    }

    /// Whether one more search session may start at `now`; append
    /// [`Entry::search_session`] when it may.
    pub fn check_search(&self, now: i64) -> Result<(), Blocked> {
        if self.policy.suspended {
            return Err(Blocked::CustomerSuspended);
        }
        check_search(&self.entries, self.policy.mode, &self.policy.limits, now)
    }

    /// The wallet as the reference endpoints show it at `now`.
    pub fn summary(&self, now: i64) -> WalletSummary {
        let p = &self.policy;
        summary(
            &self.grants,
            &self.entries,
            p.mode,
            p.reset,
            &p.limits,
            p.suspended,
            now,
        )
    }

    /// Credit units spendable at `now`; `None` for a metered wallet without a
    /// finite grant-backed balance (the `x-credits-remaining` header's value).
    pub fn available(&self, now: i64) -> Option<i64> {
        self.summary(now).available_credit_units
    }

    /// The wallet once `plan` is appended to its ledger.
    pub fn apply(&mut self, plan: &SpendPlan) {
        self.entries.extend(plan.entries.iter().cloned());
    }
}

/// A credit grant: `units` credits spendable from `starts_at` until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: String,
    /// Face value, > 0 (see [`validate_grant`]); a grant read with units ≤ 0 holds 0.
    pub units: i64,
    /// Free label such as `prepaid` or `partner`; no rule depends on it.
    pub credit_type: Option<String>,
    /// Unix seconds; the grant is spendable from this instant on.
    pub starts_at: i64,
    /// Unix seconds; the grant is no longer spendable from this instant on.
    pub expires_at: Option<i64>,
    /// Unix seconds; only breaks drawdown ties.
    pub created_at: i64,
}

/// What a ledger entry records. The ledger is append-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A grant was issued (audit only; balances come from the grant rows).
    Grant,
    /// Credit units drawn from one grant, or metered overage when `grant_id` is `None`.
    Spend,
    /// Credit units given back to one grant (or to overage when `grant_id` is `None`).
    Refund,
    /// Credit units given back for a record reported bad (a data flag) within 30
    /// days of buying it: counted like a refund, shown as its own kind.
    FlagCredit,
    /// One search session started (`units` = 1).
    SearchSession,
    /// Net-new records revealed (`units` = number of records).
    Reveal,
}

/// One append-only ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entry {
    /// Unix seconds.
    pub at: i64,
    pub kind: EntryKind,
    pub units: i64,
    /// The grant that paid (Spend) or is repaid (Refund).
    pub grant_id: Option<String>,
}

impl Entry {
    /// The entry to append once [`check_search`] allowed a new search session.
    pub fn search_session(now: i64) -> Self {
        Entry {
            at: now,
            kind: EntryKind::SearchSession,
            units: 1,
            grant_id: None,
        }
    }
}

/// Why a new grant is refused; each variant names the request field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// `credit_units` must be a positive number.
    #[error("credit_units must be a positive number")]
    CreditUnits,
    /// `expires_at` must come after `starts_at`.
    #[error("expires_at must be after starts_at")]
    ExpiresAt,
}

impl GrantError {
    /// The request field this error is about, for the error envelope.
    pub fn field(&self) -> &'static str {
        match self {
            GrantError::CreditUnits => "credit_units",
            GrantError::ExpiresAt => "expires_at",
        }
    }
}

/// Checks a grant before it is stored: positive units, and an expiry (if any)
/// strictly after the start.
pub fn validate_grant(
    units: i64,
    starts_at: i64,
    expires_at: Option<i64>,
) -> Result<(), GrantError> {
    if units <= 0 {
        return Err(GrantError::CreditUnits);
    }
    match expires_at {
        Some(expires_at) if expires_at <= starts_at => Err(GrantError::ExpiresAt),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_grant_table() {
        // (units, starts_at, expires_at, the field at fault)
        type Case = (i64, i64, Option<i64>, Result<(), &'static str>);
        let cases: &[Case] = &[
            (1, 0, None, Ok(())),
            (100, 10, Some(11), Ok(())),
            (i64::MAX, i64::MIN, Some(i64::MAX), Ok(())),
            (0, 0, None, Err("credit_units")),
            (-5, 0, None, Err("credit_units")),
            (i64::MIN, 0, Some(1), Err("credit_units")),
            (10, 10, Some(10), Err("expires_at")),
            (10, 10, Some(9), Err("expires_at")),
            (10, i64::MAX, Some(i64::MIN), Err("expires_at")),
        ];
        for (units, starts, expires, want) in cases {
            let got = validate_grant(*units, *starts, *expires).map_err(|e| e.field());
            assert_eq!(
                got, *want,
                "units={units} starts={starts} expires={expires:?}"
            );
        }
    }

    #[test]
    fn serde_names_are_snake_case() {
        let json = serde_json::to_string(&(
            EnforcementMode::Enforced,
            EnforcementMode::Metered,
            ResetPolicy::MonthlyReset,
            ResetPolicy::Rollover,
            EntryKind::SearchSession,
        ))
        .unwrap();
        assert_eq!(
            json,
            r#"["enforced","metered","monthly_reset","rollover","search_session"]"#
        );
    }

    #[test]
    fn limits_leave_unset_fields_out_and_default_when_missing() {
        let limits = Limits {
            monthly_credit_units: Some(100),
            ..Limits::default()
        };
        assert_eq!(
            serde_json::to_string(&limits).unwrap(),
            r#"{"monthly_credit_units":100}"#
        );
        let back: Limits = serde_json::from_str(r#"{"monthly_credit_units":100}"#).unwrap();
        assert_eq!(back, limits);
    }
}
