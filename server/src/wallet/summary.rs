//! The wallet summary of the reference `GET …/wallet` endpoints: balance, grants,
//! applied units, usage, overage and `limit_state`, all derived at `now`. Apart
//! from [`super::plan_spend`] because it answers "what may this customer do"
//! without planning anything.

use super::ledger::{drawdown, LedgerTotals};
use super::limits::{check_session, check_spend, Blocked};
use super::period::month_containing;
use super::{EnforcementMode, Entry, Grant, LimitState, Limits, ResetPolicy, WalletSummary};

/// The wallet as the reference endpoints show it. `can_reveal` answers whether a
/// one-unit, one-record purchase would pass, so it is false as soon as the balance
/// is empty or a credit or reveal limit is reached.
pub fn summary(
    grants: &[Grant],
    entries: &[Entry],
    mode: EnforcementMode,
    policy: ResetPolicy,
    limits: &Limits,
    suspended: bool,
    now: i64,
) -> WalletSummary {
    let totals = LedgerTotals::read(entries, month_containing(now));
    let order = drawdown(grants, &totals, policy, now);
    let available = order
        .iter()
        .fold(0i64, |sum, (_, left)| sum.saturating_add(*left));
    let granted = order
        .iter()
        .fold(0i64, |sum, (g, _)| sum.saturating_add(g.units.max(0)));
    let active = i64::try_from(order.len()).unwrap_or(i64::MAX);
    let (monthly_applied, lifetime_applied) = totals.applied();
    let (monthly_overage, lifetime_overage) = totals.overage();
    let (applied, overage) = match policy {
        ResetPolicy::Rollover => (lifetime_applied, lifetime_overage),
        ResetPolicy::MonthlyReset => (monthly_applied, monthly_overage),
    };

    let (search, reveal) = if suspended {
        (
            Err(Blocked::CustomerSuspended),
            Err(Blocked::CustomerSuspended),
        )
    } else {
        match mode {
            EnforcementMode::Metered => (Ok(()), Ok(())),
            EnforcementMode::Enforced => {
                let reveal = if available < 1 {
                    Err(Blocked::InsufficientCredits {
                        required: 1,
                        available,
                    })
                } else {
                    check_spend(limits, &totals.usage, 1, 1)
                };
                (check_session(limits, &totals.usage), reveal)
            }
        }
    };
    let reason = |r: &Result<(), Blocked>| r.as_ref().err().map(|b| b.reason().to_owned());

    WalletSummary {
        available_credit_units: match (mode, active) {
            (EnforcementMode::Metered, 0) => None,
            _ => Some(available),
        },
        granted_credit_units: granted,
        applied_credit_units: applied,
        monthly_applied_credit_units: monthly_applied,
        lifetime_applied_credit_units: lifetime_applied,
        credit_enforcement_mode: mode,
        credit_reset_policy: policy,
        active_credit_grants: active,
        monthly_credit_units_used: totals.usage.monthly_credit_units,
        lifetime_credit_units_used: totals.usage.lifetime_credit_units,
        limits: limits.clone(),
        limit_state: LimitState {
            can_search: search.is_ok(),
            can_reveal: reveal.is_ok(),
            search_block_reason: reason(&search),
            reveal_block_reason: reason(&reveal),
        },
        usage: totals.usage,
        overage_credit_units: overage,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;

    #[test]
    fn month_boundary_renews_monthly_reset_but_not_rollover() {
        let grants = [grant("g", 10, JAN15 - DAY, None)];
        let ledger = [spend(JAN31_LAST, 10, Some("g"))];
        // (policy, now, available)
        let cases = [
            (RESET, JAN31_LAST, 0),
            (RESET, FEB1 - 1, 0),
            (RESET, FEB1, 10),
            (ROLL, JAN31_LAST, 0),
            (ROLL, FEB1, 0),
        ];
        for (policy, now, want) in cases {
            assert_eq!(
                available(&grants, &ledger, policy, now),
                want,
                "{policy:?} at {now}"
            );
        }
        // A spend stamped on the first second of February belongs to February.
        let ledger = [spend(FEB1, 10, Some("g"))];
        assert_eq!(available(&grants, &ledger, RESET, JAN31_LAST), 10);
        assert_eq!(available(&grants, &ledger, RESET, FEB1), 0);
    }

    #[test]
    fn a_grant_expiring_mid_month_stops_counting_at_its_expiry() {
        let mid = JAN15 + 3 * DAY;
        let grants = [
            grant("short", 10, JAN15 - DAY, Some(mid)),
            grant("long", 10, JAN15 - DAY, None),
        ];
        let ledger = [spend(JAN15, 4, Some("short"))];
        assert_eq!(available(&grants, &ledger, RESET, mid - 1), 6 + 10);
        assert_eq!(available(&grants, &ledger, RESET, mid), 10);
        let s = summary(&grants, &ledger, ENF, RESET, &Limits::default(), false, mid);
        assert_eq!((s.granted_credit_units, s.active_credit_grants), (10, 1));
        // Spent units still count as applied and used after the grant expired.
        assert_eq!(s.applied_credit_units, 4);
        assert_eq!(s.usage.monthly_credit_units, 4);
    }

    #[test]
    fn suspension_and_an_empty_balance_show_in_limit_state() {
        let grants = [grant("g", 1, 0, None)];
        let s = summary(&grants, &[], ENF, ROLL, &Limits::default(), true, JAN15);
        assert_eq!(
            s.limit_state.search_block_reason.as_deref(),
            Some("customer_suspended")
        );
        assert_eq!(
            s.limit_state.reveal_block_reason.as_deref(),
            Some("customer_suspended")
        );
        assert!(!s.limit_state.can_search && !s.limit_state.can_reveal);

        let spent = [spend(JAN15, 1, Some("g"))];
        let s = summary(&grants, &spent, ENF, ROLL, &Limits::default(), false, JAN15);
        assert!(s.limit_state.can_search);
        assert_eq!(
            s.limit_state.reveal_block_reason.as_deref(),
            Some("insufficient_credits")
        );
        // Metered with an empty balance still reveals.
        let s = summary(&grants, &spent, MET, ROLL, &Limits::default(), false, JAN15);
        assert!(s.limit_state.can_reveal);
        assert_eq!(s.available_credit_units, Some(0));
    }

    #[test]
    fn metered_draws_what_grants_cover_and_records_the_rest_as_overage() {
        let grants = [grant("g", 5, 0, None)];
        let plan = plan_spend(&grants, &[], MET, RESET, &Limits::default(), JAN15, 12, 12).unwrap();
        assert_eq!(plan.overage, 7);
        assert_eq!(draws(&plan), [("g".into(), 5)]);
        assert!(plan.entries.contains(&spend(JAN15, 7, None)));

        let s = summary(
            &grants,
            &plan.entries,
            MET,
            RESET,
            &Limits::default(),
            false,
            JAN15,
        );
        assert_eq!(s.available_credit_units, Some(0));
        assert_eq!(s.overage_credit_units, 7);
        assert_eq!(s.applied_credit_units, 5);
        assert_eq!(s.usage.monthly_credit_units, 12);
        assert_eq!(s.usage.monthly_record_reveals, 12);
        // Monthly overage is reported for the month it happened in.
        let s = summary(
            &grants,
            &plan.entries,
            MET,
            RESET,
            &Limits::default(),
            false,
            FEB1 + 1,
        );
        assert_eq!(
            (s.overage_credit_units, s.available_credit_units),
            (0, Some(5))
        );

        // A metered wallet with no active grant has no finite wallet at all.
        let plan = plan_spend(&[], &[], MET, ROLL, &Limits::default(), JAN15, 3, 3).unwrap();
        assert_eq!(plan.overage, 3);
        let s = summary(
            &[],
            &plan.entries,
            MET,
            ROLL,
            &Limits::default(),
            false,
            JAN15,
        );
        assert_eq!(s.available_credit_units, None);
        assert_eq!(s.overage_credit_units, 3);
        // An enforced one is a finite wallet holding nothing.
        let s = summary(&[], &[], ENF, ROLL, &Limits::default(), false, JAN15);
        assert_eq!(s.available_credit_units, Some(0));
    }

    #[test]
    fn rollover_carries_units_monthly_reset_renews_them() {
        let grants = [grant("g", 10, JAN15 - DAY, None)];
        let ledger = [spend(JAN15, 4, Some("g"))];
        let roll = summary(
            &grants,
            &ledger,
            ENF,
            ROLL,
            &Limits::default(),
            false,
            FEB1 + DAY,
        );
        let reset = summary(
            &grants,
            &ledger,
            ENF,
            RESET,
            &Limits::default(),
            false,
            FEB1 + DAY,
        );
        assert_eq!(roll.available_credit_units, Some(6));
        assert_eq!(roll.applied_credit_units, 4);
        assert_eq!(reset.available_credit_units, Some(10));
        assert_eq!(reset.applied_credit_units, 0);
        assert_eq!(reset.lifetime_applied_credit_units, 4);
        assert_eq!(roll.usage, reset.usage);
    }

    #[test]
    fn refunds_give_units_back_to_their_grant() {
        let grants = [grant("g", 10, 0, None)];
        let ledger = [spend(JAN15, 8, Some("g")), refund(JAN15 + 1, 3, "g")];
        let s = summary(
            &grants,
            &ledger,
            ENF,
            ROLL,
            &Limits::default(),
            false,
            JAN15 + 2,
        );
        assert_eq!(s.available_credit_units, Some(5));
        assert_eq!(s.usage.lifetime_credit_units, 5);
        assert_eq!(s.applied_credit_units, 5);
        // A monthly_reset refund in February of a January spend cannot lift the
        // grant above its face value.
        let ledger = [spend(JAN15, 8, Some("g")), refund(FEB1 + 1, 8, "g")];
        assert_eq!(available(&grants, &ledger, RESET, FEB1 + 2), 10);
    }

    #[test]
    fn matches_the_reference_example() {
        let grants = [grant("grant_123", 100, JAN15 - DAY, None)];
        let mut ledger = vec![spend(JAN15, 25, Some("grant_123"))];
        ledger.extend((0..4).map(|i| Entry::search_session(JAN15 + i)));
        ledger.push(Entry {
            at: JAN15,
            kind: EntryKind::Reveal,
            units: 21,
            grant_id: None,
        });
        let limits = Limits {
            monthly_credit_units: Some(100),
            monthly_search_sessions: Some(20),
            monthly_record_reveals: Some(100),
            ..Limits::default()
        };
        let s = summary(&grants, &ledger, ENF, RESET, &limits, false, JAN15 + 10);
        let json = serde_json::to_value(&s).unwrap();
        let want = serde_json::json!({
            "available_credit_units": 75,
            "granted_credit_units": 100,
            "applied_credit_units": 25,
            "monthly_applied_credit_units": 25,
            "lifetime_applied_credit_units": 25,
            "credit_enforcement_mode": "enforced",
            "credit_reset_policy": "monthly_reset",
            "active_credit_grants": 1,
            "monthly_credit_units_used": 25,
            "lifetime_credit_units_used": 25,
            "limits": {
                "monthly_credit_units": 100,
                "monthly_search_sessions": 20,
                "monthly_record_reveals": 100
            },
            "usage": {
                "monthly_credit_units": 25,
                "lifetime_credit_units": 25,
                "monthly_search_sessions": 4,
                "lifetime_search_sessions": 4,
                "monthly_record_reveals": 21,
                "lifetime_record_reveals": 21
            },
            "limit_state": {
                "can_search": true,
                "can_reveal": true,
                "search_block_reason": null,
                "reveal_block_reason": null
            },
            "overage_credit_units": 0
        });
        assert_eq!(json, want);
    }
}
