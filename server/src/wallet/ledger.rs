//! Reading the append-only ledger: usage counters, what each grant has left, and
//! the order grants are drawn down in. Everything a wallet shows is derived here
//! from grants plus entries, so no stored counter can drift from the ledger.

use std::collections::HashMap;

use super::{period::MonthWindow, Entry, EntryKind, Grant, ResetPolicy, Usage};

/// Whether `grant` is spendable at `now`: started, and not yet expired.
pub fn is_active(grant: &Grant, now: i64) -> bool {
    grant.starts_at <= now && grant.expires_at.is_none_or(|expires_at| now < expires_at)
}

/// Ledger units as counted: a negative amount (a corrupt row) counts as nothing.
fn units_of(entry: &Entry) -> i64 {
    entry.units.max(0)
}

/// Spent and refunded credit units, lifetime and within one month.
#[derive(Debug, Clone, Copy, Default)]
struct CreditFlow {
    spent: i64,
    refunded: i64,
    month_spent: i64,
    month_refunded: i64,
}

impl CreditFlow {
    fn add(&mut self, entry: &Entry, in_month: bool) {
        let units = units_of(entry);
        let (total, month) = match entry.kind {
            EntryKind::Spend => (&mut self.spent, &mut self.month_spent),
            EntryKind::Refund | EntryKind::FlagCredit => {
                (&mut self.refunded, &mut self.month_refunded)
            }
            _ => return,
        };
        *total = total.saturating_add(units);
        if in_month {
            *month = month.saturating_add(units);
        }
    }

    fn lifetime_net(&self) -> i64 {
        self.spent.saturating_sub(self.refunded).max(0)
    }

    fn month_net(&self) -> i64 {
        self.month_spent.saturating_sub(self.month_refunded).max(0)
    }
}

/// Everything the wallet needs from the ledger, read in one pass.
#[derive(Debug, Clone, Default)]
pub(super) struct LedgerTotals<'a> {
    pub usage: Usage,
    /// Credit flow per grant id.
    per_grant: HashMap<&'a str, CreditFlow>,
    /// Credit flow of every grant-backed entry together.
    backed: CreditFlow,
    /// Credit flow of the entries without a grant (metered overage).
    overage: CreditFlow,
}

impl<'a> LedgerTotals<'a> {
    pub fn read(entries: &'a [Entry], month: MonthWindow) -> Self {
        let mut totals = LedgerTotals::default();
        let mut all = CreditFlow::default();
        for entry in entries {
            let in_month = month.contains(entry.at);
            let units = units_of(entry);
            let usage = &mut totals.usage;
            match entry.kind {
                EntryKind::Spend | EntryKind::Refund | EntryKind::FlagCredit => {
                    all.add(entry, in_month);
                    match entry.grant_id.as_deref() {
                        Some(id) => {
                            totals.backed.add(entry, in_month);
                            totals.per_grant.entry(id).or_default().add(entry, in_month);
                        }
                        None => totals.overage.add(entry, in_month),
                    }
                }
                EntryKind::SearchSession => {
                    usage.lifetime_search_sessions =
                        usage.lifetime_search_sessions.saturating_add(units);
                    if in_month {
                        usage.monthly_search_sessions =
                            usage.monthly_search_sessions.saturating_add(units);
                    }
                }
                EntryKind::Reveal => {
                    usage.lifetime_record_reveals =
                        usage.lifetime_record_reveals.saturating_add(units);
                    if in_month {
                        usage.monthly_record_reveals =
                            usage.monthly_record_reveals.saturating_add(units);
                    }
                }
                EntryKind::Grant => {}
            }
        }
        totals.usage.lifetime_credit_units = all.lifetime_net();
        totals.usage.monthly_credit_units = all.month_net();
        totals
    }

    /// Units `grant` can still pay under `policy`, in `0..=grant.units`. Rollover
    /// counts its whole history; monthly_reset only the month's entries, which is
    /// what makes every grant whole again on the first of the month.
    pub fn remaining(&self, grant: &Grant, policy: ResetPolicy) -> i64 {
        let units = grant.units.max(0);
        let flow = self
            .per_grant
            .get(grant.id.as_str())
            .copied()
            .unwrap_or_default();
        let (spent, refunded) = match policy {
            ResetPolicy::Rollover => (flow.spent, flow.refunded),
            ResetPolicy::MonthlyReset => (flow.month_spent, flow.month_refunded),
        };
        units
            .saturating_sub(spent)
            .saturating_add(refunded)
            .clamp(0, units)
    }

    /// Net grant-backed units: (this month, lifetime).
    pub fn applied(&self) -> (i64, i64) {
        (self.backed.month_net(), self.backed.lifetime_net())
    }

    /// Net units spent without a grant: (this month, lifetime).
    pub fn overage(&self) -> (i64, i64) {
        (self.overage.month_net(), self.overage.lifetime_net())
    }
}

/// The active grants at `now` with what each has left, in drawdown order: soonest
/// expiry first (never-expiring last), then oldest start, oldest creation, id.
pub(super) fn drawdown<'g>(
    grants: &'g [Grant],
    totals: &LedgerTotals<'_>,
    policy: ResetPolicy,
    now: i64,
) -> Vec<(&'g Grant, i64)> {
    let mut active: Vec<(&Grant, i64)> = grants
        .iter()
        .filter(|grant| is_active(grant, now))
        .map(|grant| (grant, totals.remaining(grant, policy)))
        .collect();
    active.sort_by(|(a, _), (b, _)| {
        let expiry = |g: &Grant| (g.expires_at.is_none(), g.expires_at);
        expiry(a)
            .cmp(&expiry(b))
            .then(a.starts_at.cmp(&b.starts_at))
            .then(a.created_at.cmp(&b.created_at))
            .then_with(|| a.id.cmp(&b.id))
    });
    active
}

#[cfg(test)]
mod tests {
    use super::super::period::month_containing;
    use super::*;

    fn grant(id: &str, units: i64, starts_at: i64, expires_at: Option<i64>) -> Grant {
        Grant {
            id: id.into(),
            units,
            credit_type: None,
            starts_at,
            expires_at,
            created_at: starts_at,
        }
    }

    fn entry(at: i64, kind: EntryKind, units: i64, grant_id: Option<&str>) -> Entry {
        Entry {
            at,
            kind,
            units,
            grant_id: grant_id.map(Into::into),
        }
    }

    #[test]
    fn activity_table() {
        let cases = [
            (grant("g", 1, 100, None), 99, false),
            (grant("g", 1, 100, None), 100, true),
            (grant("g", 1, 100, None), i64::MAX, true),
            (grant("g", 1, 100, Some(200)), 199, true),
            (grant("g", 1, 100, Some(200)), 200, false),
            (grant("g", 1, 100, Some(100)), 100, false),
        ];
        for (g, now, want) in cases {
            assert_eq!(is_active(&g, now), want, "{g:?} at {now}");
        }
    }

    #[test]
    fn drawdown_order_is_soonest_expiry_then_oldest_then_id() {
        let grants = vec![
            grant("never", 10, 0, None),
            grant("late", 10, 0, Some(900)),
            grant("soon-b", 10, 5, Some(500)),
            grant("soon-a", 10, 5, Some(500)),
            grant("soon-old", 10, 1, Some(500)),
            grant("future", 10, 60, Some(100)),
            grant("expired", 10, 0, Some(50)),
        ];
        let totals = LedgerTotals::read(&[], month_containing(50));
        let order: Vec<&str> = drawdown(&grants, &totals, ResetPolicy::Rollover, 50)
            .iter()
            .map(|(g, _)| g.id.as_str())
            .collect();
        assert_eq!(order, ["soon-old", "soon-a", "soon-b", "late", "never"]);
    }

    #[test]
    fn remaining_is_clamped_and_follows_the_policy() {
        let jan = 1_704_067_200; // 2024-01-01T00:00:00Z
        let feb = 1_706_745_600; // 2024-02-01T00:00:00Z
        let g = grant("g", 10, jan, None);
        let entries = vec![
            entry(jan + 5, EntryKind::Spend, 6, Some("g")),
            entry(feb + 5, EntryKind::Spend, 3, Some("g")),
            entry(feb + 6, EntryKind::Refund, 1, Some("g")),
            entry(feb + 7, EntryKind::Spend, -50, Some("g")), // corrupt: counts as 0
        ];
        let totals = LedgerTotals::read(&entries, month_containing(feb + 10));
        assert_eq!(totals.remaining(&g, ResetPolicy::Rollover), 10 - 6 - 3 + 1);
        assert_eq!(totals.remaining(&g, ResetPolicy::MonthlyReset), 10 - 3 + 1);

        // A refund never lifts a grant above its face value.
        let refunded = vec![entry(feb, EntryKind::Refund, 99, Some("g"))];
        let totals = LedgerTotals::read(&refunded, month_containing(feb));
        assert_eq!(totals.remaining(&g, ResetPolicy::Rollover), 10);
        // An over-drawn grant shows zero, not a negative balance.
        let over = vec![entry(feb, EntryKind::Spend, 99, Some("g"))];
        let totals = LedgerTotals::read(&over, month_containing(feb));
        assert_eq!(totals.remaining(&g, ResetPolicy::Rollover), 0);
        // A grant read with non-positive units holds nothing.
        assert_eq!(
            totals.remaining(&grant("g", -4, 0, None), ResetPolicy::Rollover),
            0
        );
    }

    #[test]
    fn usage_is_net_of_refunds_and_split_by_month() {
        let jan = 1_704_067_200;
        let feb = 1_706_745_600;
        let entries = vec![
            entry(jan, EntryKind::Spend, 5, Some("g")),
            entry(jan, EntryKind::Reveal, 5, None),
            entry(jan, EntryKind::SearchSession, 1, None),
            entry(feb, EntryKind::Spend, 4, Some("g")),
            entry(feb, EntryKind::Spend, 2, None),
            entry(feb, EntryKind::Reveal, 6, None),
            entry(feb, EntryKind::SearchSession, 1, None),
            entry(feb, EntryKind::SearchSession, 1, None),
            entry(feb, EntryKind::Refund, 1, Some("g")),
            entry(feb, EntryKind::Grant, 1000, Some("g")),
        ];
        let totals = LedgerTotals::read(&entries, month_containing(feb));
        assert_eq!(
            totals.usage,
            Usage {
                monthly_credit_units: 4 + 2 - 1,
                lifetime_credit_units: 5 + 4 + 2 - 1,
                monthly_search_sessions: 2,
                lifetime_search_sessions: 3,
                monthly_record_reveals: 6,
                lifetime_record_reveals: 11,
            }
        );
        assert_eq!(totals.applied(), (3, 8));
        assert_eq!(totals.overage(), (2, 2));
    }

    #[test]
    fn huge_values_saturate() {
        let entries = vec![
            entry(0, EntryKind::Spend, i64::MAX, Some("g")),
            entry(0, EntryKind::Spend, i64::MAX, Some("g")),
            entry(0, EntryKind::Reveal, i64::MAX, None),
            entry(0, EntryKind::Reveal, i64::MAX, None),
        ];
        let totals = LedgerTotals::read(&entries, month_containing(0));
        assert_eq!(totals.usage.lifetime_credit_units, i64::MAX);
        assert_eq!(totals.usage.lifetime_record_reveals, i64::MAX);
        let g = grant("g", i64::MAX, 0, None);
        assert_eq!(totals.remaining(&g, ResetPolicy::Rollover), 0);
    }
}
