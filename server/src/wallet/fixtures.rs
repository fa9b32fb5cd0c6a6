//! Shared builders and instants for the wallet's table tests, so each test reads
//! as its scenario rather than as struct literals.

use time::macros::datetime;

use super::*;

pub const ENF: EnforcementMode = EnforcementMode::Enforced;
pub const MET: EnforcementMode = EnforcementMode::Metered;
pub const RESET: ResetPolicy = ResetPolicy::MonthlyReset;
pub const ROLL: ResetPolicy = ResetPolicy::Rollover;

/// A quiet mid-month instant; the month's last second; the next month's first.
pub const JAN15: i64 = datetime!(2024-01-15 00:00:00 UTC).unix_timestamp();
pub const JAN31_LAST: i64 = datetime!(2024-01-31 23:59:59 UTC).unix_timestamp();
pub const FEB1: i64 = datetime!(2024-02-01 00:00:00 UTC).unix_timestamp();
pub const DAY: i64 = 86_400;

pub fn grant(id: &str, units: i64, starts_at: i64, expires_at: Option<i64>) -> Grant {
    Grant {
        id: id.into(),
        units,
        credit_type: Some("prepaid".into()),
        starts_at,
        expires_at,
        created_at: starts_at,
    }
}

pub fn spend(at: i64, units: i64, grant_id: Option<&str>) -> Entry {
    Entry {
        at,
        kind: EntryKind::Spend,
        units,
        grant_id: grant_id.map(Into::into),
    }
}

pub fn refund(at: i64, units: i64, grant_id: &str) -> Entry {
    Entry {
        at,
        kind: EntryKind::Refund,
        units,
        grant_id: Some(grant_id.into()),
    }
}

pub fn available(grants: &[Grant], entries: &[Entry], policy: ResetPolicy, now: i64) -> i64 {
    summary(grants, entries, ENF, policy, &Limits::default(), false, now)
        .available_credit_units
        .unwrap()
}

/// (grant id, units) of the plan's grant-backed Spend entries.
pub fn draws(plan: &SpendPlan) -> Vec<(String, i64)> {
    plan.entries
        .iter()
        .filter(|e| e.kind == EntryKind::Spend)
        .filter_map(|e| Some((e.grant_id.clone()?, e.units)))
        .collect()
}
