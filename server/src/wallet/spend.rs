//! The two questions a handler asks before writing to the ledger: may this
//! customer start a search session ([`check_search`]), and what exactly gets
//! appended to buy these records ([`plan_spend`]). Both derive everything from
//! grants plus ledger at the caller's `now`; the caller appends the answer in the
//! same transaction that loaded them.

use super::ledger::{drawdown, LedgerTotals};
use super::limits::{check_session, check_spend, Blocked};
use super::period::month_containing;
use super::{EnforcementMode, Entry, EntryKind, Grant, Limits, ResetPolicy};

/// The ledger entries a purchase appends, all stamped `now`: one Spend per grant
/// drawn (soonest-expiring first), one Spend without a grant for metered overage,
/// and one Reveal for the net-new records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpendPlan {
    pub entries: Vec<Entry>,
    /// Units no grant covered (metered only; always 0 when enforced).
    pub overage: i64,
}

impl SpendPlan {
    /// Units drawn from grants (excluding overage).
    pub fn from_grants(&self) -> i64 {
        self.entries
            .iter()
            .filter(|e| e.kind == EntryKind::Spend && e.grant_id.is_some())
            .fold(0, |sum, e| sum.saturating_add(e.units))
    }
}

/// Plans buying `records` net-new records for `units` credit units, all or
/// nothing. `records` counts only records the customer does not own yet, so a
/// request for owned records only is `units = 0, records = 0` and plans nothing.
/// Enforced wallets refuse when the balance or a credit or reveal limit cannot
/// cover the whole request; metered wallets never refuse and record what the
/// grants cannot cover as overage. Negative amounts are refused as
/// [`Blocked::InvalidAmount`]. Suspension is the caller's check (see [`super::summary`]).
#[allow(clippy::too_many_arguments)] // the wallet's inputs, as the store loads them
pub fn plan_spend(
    grants: &[Grant],
    entries: &[Entry],
    mode: EnforcementMode,
    policy: ResetPolicy,
    limits: &Limits,
    now: i64,
    units: i64,
    records: i64,
) -> Result<SpendPlan, Blocked> {
    if units < 0 {
        return Err(Blocked::InvalidAmount { field: "units" });
    }
    if records < 0 {
        return Err(Blocked::InvalidAmount { field: "records" });
    }
    let totals = LedgerTotals::read(entries, month_containing(now));
    let order = drawdown(grants, &totals, policy, now);
    if mode == EnforcementMode::Enforced {
        let available = order
            .iter()
            .fold(0i64, |sum, (_, left)| sum.saturating_add(*left));
        if units > available {
            return Err(Blocked::InsufficientCredits {
                required: units,
                available,
            });
        }
        check_spend(limits, &totals.usage, units, records)?;
    }

    let mut plan = SpendPlan::default();
    let mut left = units;
    for (grant, remaining) in order {
        if left == 0 {
            break;
        }
        let take = remaining.min(left);
        if take > 0 {
            plan.entries.push(Entry {
                at: now,
                kind: EntryKind::Spend,
                units: take,
                grant_id: Some(grant.id.clone()),
            });
            left -= take;
        }
    }
    if left > 0 {
        // Only reachable when metered: enforced returned above.
        plan.overage = left;
        plan.entries.push(Entry {
            at: now,
            kind: EntryKind::Spend,
            units: left,
            grant_id: None,
        });
    }
    if records > 0 {
        plan.entries.push(Entry {
            at: now,
            kind: EntryKind::Reveal,
            units: records,
            grant_id: None,
        });
    }
    Ok(plan)
}

/// Whether one more search session may start now. Only enforced wallets check the
/// session limits; append [`Entry::search_session`] when this passes.
pub fn check_search(
    entries: &[Entry],
    mode: EnforcementMode,
    limits: &Limits,
    now: i64,
) -> Result<(), Blocked> {
    match mode {
        EnforcementMode::Metered => Ok(()),
        EnforcementMode::Enforced => {
            let totals = LedgerTotals::read(entries, month_containing(now));
            check_session(limits, &totals.usage)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::*;

    #[test]
    fn future_and_expired_grants_are_not_spendable() {
        let grants = [
            grant("future", 50, JAN15 + DAY, None),
            grant("expired", 50, JAN15 - 10 * DAY, Some(JAN15)),
            grant("live", 5, JAN15 - DAY, None),
        ];
        let s = summary(&grants, &[], ENF, ROLL, &Limits::default(), false, JAN15);
        assert_eq!(s.available_credit_units, Some(5));
        assert_eq!(s.granted_credit_units, 5);
        assert_eq!(s.active_credit_grants, 1);
        let err = plan_spend(&grants, &[], ENF, ROLL, &Limits::default(), JAN15, 6, 6);
        assert_eq!(
            err,
            Err(Blocked::InsufficientCredits {
                required: 6,
                available: 5
            })
        );
        // The future grant becomes spendable at its start.
        assert_eq!(available(&grants, &[], ROLL, JAN15 + DAY), 55);
    }

    #[test]
    fn drawdown_splits_soonest_expiring_first() {
        let grants = [
            grant("never", 100, JAN15 - 9 * DAY, None),
            grant("later", 10, JAN15 - DAY, Some(JAN15 + 20 * DAY)),
            grant("sooner", 10, JAN15 - DAY, Some(JAN15 + 5 * DAY)),
        ];
        let ledger = [spend(JAN15 - 1, 7, Some("sooner"))];
        let plan =
            plan_spend(&grants, &ledger, ENF, ROLL, &Limits::default(), JAN15, 8, 8).unwrap();
        assert_eq!(draws(&plan), [("sooner".into(), 3), ("later".into(), 5)]);
        assert_eq!(plan.from_grants(), 8);
        assert_eq!(plan.overage, 0);
        assert_eq!(plan.entries.last().unwrap().kind, EntryKind::Reveal);
        assert!(plan.entries.iter().all(|e| e.at == JAN15));

        let plan = plan_spend(
            &grants,
            &ledger,
            ENF,
            ROLL,
            &Limits::default(),
            JAN15,
            20,
            20,
        )
        .unwrap();
        assert_eq!(
            draws(&plan),
            [
                ("sooner".into(), 3),
                ("later".into(), 10),
                ("never".into(), 7)
            ]
        );
    }

    #[test]
    fn refusal_is_all_or_nothing_and_reports_required_and_available() {
        let grants = [grant("a", 3, 0, None), grant("b", 4, 0, Some(JAN15 + DAY))];
        let got = plan_spend(&grants, &[], ENF, ROLL, &Limits::default(), JAN15, 8, 8);
        let err = got.unwrap_err();
        assert_eq!(err.reason(), "insufficient_credits");
        assert_eq!((err.required(), err.available()), (Some(8), Some(7)));
        // Exactly the balance passes.
        let plan = plan_spend(&grants, &[], ENF, ROLL, &Limits::default(), JAN15, 7, 7).unwrap();
        assert_eq!(plan.from_grants(), 7);
    }

    #[test]
    fn owned_records_only_plan_nothing() {
        let limits = Limits {
            monthly_credit_units: Some(0),
            monthly_record_reveals: Some(0),
            ..Limits::default()
        };
        let plan = plan_spend(&[], &[], ENF, ROLL, &limits, JAN15, 0, 0).unwrap();
        assert_eq!(plan, SpendPlan::default());
    }

    #[test]
    fn negative_amounts_are_refused_not_planned() {
        let grants = [grant("g", 10, 0, None)];
        for (units, records, field) in
            [(-1, 0, "units"), (i64::MIN, 5, "units"), (1, -1, "records")]
        {
            for mode in [ENF, MET] {
                let got = plan_spend(
                    &grants,
                    &[],
                    mode,
                    ROLL,
                    &Limits::default(),
                    JAN15,
                    units,
                    records,
                );
                assert_eq!(got, Err(Blocked::InvalidAmount { field }));
            }
        }
    }

    #[test]
    fn each_limit_blocks_plan_spend_and_summary_with_its_reason() {
        let grants = [grant("g", 1_000, 0, None)];
        let ledger = [
            spend(JAN15 - 40 * DAY, 5, Some("g")), // December: lifetime only
            Entry {
                at: JAN15 - 40 * DAY,
                kind: EntryKind::Reveal,
                units: 5,
                grant_id: None,
            },
            spend(JAN15 - DAY, 5, Some("g")),
            Entry {
                at: JAN15 - DAY,
                kind: EntryKind::Reveal,
                units: 5,
                grant_id: None,
            },
            Entry::search_session(JAN15 - 40 * DAY),
            Entry::search_session(JAN15 - DAY),
        ];
        let l = Limits::default;
        // (limits, spend reason for 1 unit/1 record, search reason)
        let cases: Vec<(Limits, Option<&str>, Option<&str>)> = vec![
            (l(), None, None),
            (
                Limits {
                    monthly_credit_units: Some(5),
                    ..l()
                },
                Some("monthly_credit_limit_reached"),
                None,
            ),
            (
                Limits {
                    monthly_credit_units: Some(6),
                    ..l()
                },
                None,
                None,
            ),
            (
                Limits {
                    lifetime_credit_units: Some(10),
                    ..l()
                },
                Some("lifetime_credit_limit_reached"),
                None,
            ),
            (
                Limits {
                    monthly_record_reveals: Some(5),
                    ..l()
                },
                Some("monthly_record_reveal_limit_reached"),
                None,
            ),
            (
                Limits {
                    lifetime_record_reveals: Some(10),
                    ..l()
                },
                Some("lifetime_record_reveal_limit_reached"),
                None,
            ),
            (
                Limits {
                    monthly_search_sessions: Some(1),
                    ..l()
                },
                None,
                Some("monthly_search_session_limit_reached"),
            ),
            (
                Limits {
                    monthly_search_sessions: Some(2),
                    ..l()
                },
                None,
                None,
            ),
            (
                Limits {
                    lifetime_search_sessions: Some(2),
                    ..l()
                },
                None,
                Some("lifetime_search_session_limit_reached"),
            ),
        ];
        for (limits, spend_reason, search_reason) in cases {
            let planned = plan_spend(&grants, &ledger, ENF, RESET, &limits, JAN15, 1, 1);
            assert_eq!(
                planned.as_ref().err().map(Blocked::reason),
                spend_reason,
                "{limits:?}"
            );
            let searched = check_search(&ledger, ENF, &limits, JAN15);
            assert_eq!(searched.err().as_ref().map(Blocked::reason), search_reason);

            let s = summary(&grants, &ledger, ENF, RESET, &limits, false, JAN15);
            assert_eq!(s.limit_state.reveal_block_reason.as_deref(), spend_reason);
            assert_eq!(s.limit_state.can_reveal, spend_reason.is_none());
            assert_eq!(s.limit_state.search_block_reason.as_deref(), search_reason);
            assert_eq!(s.limit_state.can_search, search_reason.is_none());

            // Metered wallets never block on limits.
            assert!(plan_spend(&grants, &ledger, MET, RESET, &limits, JAN15, 1, 1).is_ok());
            assert!(check_search(&ledger, MET, &limits, JAN15).is_ok());
        }
    }
}
