//! Property tests for the whole wallet: random histories of grants, purchases,
//! refunds, searches and clock moves are played through [`plan_spend`] and
//! [`check_search`] the way the store will, and the money invariants are checked
//! after every step. They live apart from the table tests because they exercise
//! every sibling module at once.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Grant {
        units: i64,
        start_offset: i64,
        lifetime: Option<i64>,
    },
    Buy {
        units: i64,
        records: i64,
    },
    Refund {
        grant: usize,
        units: i64,
    },
    Search,
    Advance {
        secs: i64,
    },
}

const DAY: i64 = 86_400;
// 2023-11-20T00:00:00Z: histories cross a year end and the 2024 leap day.
const START: i64 = 1_700_438_400;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (1i64..60, -40 * DAY..40 * DAY, proptest::option::of(1..90 * DAY)).prop_map(
            |(units, start_offset, lifetime)| Op::Grant { units, start_offset, lifetime }
        ),
        4 => (0i64..40, 0i64..40).prop_map(|(units, records)| Op::Buy { units, records }),
        1 => (0usize..16, 1i64..20).prop_map(|(grant, units)| Op::Refund { grant, units }),
        1 => Just(Op::Search),
        2 => (0i64..20 * DAY).prop_map(|secs| Op::Advance { secs }),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    let limit = || proptest::option::of(0i64..200);
    (limit(), limit(), limit(), limit(), limit(), limit()).prop_map(|(a, b, c, d, e, f)| Limits {
        monthly_credit_units: a,
        lifetime_credit_units: b,
        monthly_search_sessions: c,
        lifetime_search_sessions: d,
        monthly_record_reveals: e,
        lifetime_record_reveals: f,
    })
}

fn mode() -> impl Strategy<Value = EnforcementMode> {
    prop_oneof![
        Just(EnforcementMode::Enforced),
        Just(EnforcementMode::Metered)
    ]
}

fn policy() -> impl Strategy<Value = ResetPolicy> {
    prop_oneof![Just(ResetPolicy::MonthlyReset), Just(ResetPolicy::Rollover)]
}

/// Usage recomputed naively from the ledger, to compare with the module's.
fn naive_usage(entries: &[Entry], now: i64) -> Usage {
    let month = month_containing(now);
    let sum = |kind: EntryKind, monthly: bool| -> i64 {
        entries
            .iter()
            .filter(|e| e.kind == kind && (!monthly || month.contains(e.at)))
            .map(|e| e.units)
            .sum()
    };
    let credits =
        |monthly| (sum(EntryKind::Spend, monthly) - sum(EntryKind::Refund, monthly)).max(0);
    Usage {
        monthly_credit_units: credits(true),
        lifetime_credit_units: credits(false),
        monthly_search_sessions: sum(EntryKind::SearchSession, true),
        lifetime_search_sessions: sum(EntryKind::SearchSession, false),
        monthly_record_reveals: sum(EntryKind::Reveal, true),
        lifetime_record_reveals: sum(EntryKind::Reveal, false),
    }
}

/// Net units (spends − refunds) drawn from each grant in each period: the whole
/// history for rollover, each UTC month for monthly_reset.
fn net_per_grant_period(entries: &[Entry], policy: ResetPolicy) -> HashMap<(String, i64), i64> {
    let mut net = HashMap::new();
    for e in entries {
        let Some(id) = &e.grant_id else { continue };
        let period = match policy {
            ResetPolicy::Rollover => 0,
            ResetPolicy::MonthlyReset => month_containing(e.at).start,
        };
        let sign = match e.kind {
            EntryKind::Spend => 1,
            EntryKind::Refund | EntryKind::FlagCredit => -1,
            _ => continue,
        };
        *net.entry((id.clone(), period)).or_insert(0) += sign * e.units;
    }
    net
}

/// The ledger as the store hands it over (`store::wallets`, `ENTRIES_SQL`): summed
/// per (kind, grant, inside or before the month of `now`), negative units as zero,
/// one entry per group stamped at the month's start or the second before.
fn summed_like_the_store(entries: &[Entry], now: i64) -> Vec<Entry> {
    let month = month_containing(now);
    let mut groups: std::collections::BTreeMap<(i64, String, Option<String>), (EntryKind, i64)> =
        Default::default();
    for e in entries {
        let period = if month.contains(e.at) {
            month.start
        } else {
            month.start - 1
        };
        let key = (period, format!("{:?}", e.kind), e.grant_id.clone());
        let group = groups.entry(key).or_insert((e.kind, 0));
        group.1 += e.units.max(0);
    }
    groups
        .into_iter()
        .map(|((at, _, grant_id), (kind, units))| Entry {
            at,
            kind,
            units,
            grant_id,
        })
        .collect()
}

proptest! {
    #[test]
    fn random_histories_keep_the_money_invariants(
        mode in mode(),
        policy in policy(),
        limits in limits(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut now = START;
        let mut grants: Vec<Grant> = Vec::new();
        let mut ledger: Vec<Entry> = Vec::new();
        let enforced = mode == EnforcementMode::Enforced;
        for op in ops {
            match op {
                Op::Grant { units, start_offset, lifetime } => {
                    let starts_at = now + start_offset;
                    let expires_at = lifetime.map(|l| starts_at + l);
                    prop_assert!(validate_grant(units, starts_at, expires_at).is_ok());
                    grants.push(Grant {
                        id: format!("g{:03}", grants.len()),
                        units,
                        credit_type: None,
                        starts_at,
                        expires_at,
                        created_at: now,
                    });
                }
                Op::Buy { units, records } => {
                    match plan_spend(&grants, &ledger, mode, policy, &limits, now, units, records) {
                        Ok(plan) => {
                            let spent: i64 = plan.entries.iter()
                                .filter(|e| e.kind == EntryKind::Spend)
                                .map(|e| e.units)
                                .sum();
                            prop_assert_eq!(spent, units);
                            prop_assert_eq!(plan.from_grants() + plan.overage, units);
                            if enforced {
                                prop_assert_eq!(plan.overage, 0);
                            }
                            ledger.extend(plan.entries);
                        }
                        Err(blocked) => prop_assert!(enforced, "metered blocked: {blocked:?}"),
                    }
                }
                Op::Refund { grant, units } => {
                    if !grants.is_empty() {
                        let id = grants[grant % grants.len()].id.clone();
                        ledger.push(Entry {
                            at: now,
                            kind: EntryKind::Refund,
                            units,
                            grant_id: Some(id),
                        });
                    }
                }
                Op::Search => match check_search(&ledger, mode, &limits, now) {
                    Ok(()) => ledger.push(Entry::search_session(now)),
                    Err(blocked) => prop_assert!(enforced, "metered blocked: {blocked:?}"),
                },
                Op::Advance { secs } => now += secs,
            }

            let s = summary(&grants, &ledger, mode, policy, &limits, false, now);
            if enforced {
                let available = s.available_credit_units;
                prop_assert!(matches!(available, Some(a) if a >= 0), "{available:?}");
            }
            let units: HashMap<&str, i64> =
                grants.iter().map(|g| (g.id.as_str(), g.units)).collect();
            for ((id, period), net) in net_per_grant_period(&ledger, policy) {
                prop_assert!(
                    net <= units[id.as_str()],
                    "grant {} drew {} > {} in period {}", id, net, units[id.as_str()], period
                );
            }
            prop_assert_eq!(&s.usage, &naive_usage(&ledger, now));
            // The store's summed ledger gives the same wallet and the same purchase plan.
            let summed = summed_like_the_store(&ledger, now);
            prop_assert_eq!(&summary(&grants, &summed, mode, policy, &limits, false, now), &s);
            let plan = |entries: &[Entry]| plan_spend(&grants, entries, mode, policy, &limits, now, 7, 3)
                .map(|p| (p.from_grants(), p.overage, {
                    let mut draws: Vec<_> = p.entries.iter().map(|e| (e.kind, e.units, e.grant_id.clone())).collect();
                    draws.sort_by_key(|d| format!("{d:?}"));
                    draws
                }));
            prop_assert_eq!(plan(&summed), plan(&ledger));
            if enforced {
                let within = |limit: Option<i64>, used: i64| limit.is_none_or(|l| used <= l);
                prop_assert!(within(limits.lifetime_credit_units, s.usage.lifetime_credit_units));
                prop_assert!(within(limits.monthly_credit_units, s.usage.monthly_credit_units));
                prop_assert!(within(limits.lifetime_record_reveals, s.usage.lifetime_record_reveals));
                prop_assert!(within(limits.lifetime_search_sessions, s.usage.lifetime_search_sessions));
                prop_assert!(within(limits.monthly_search_sessions, s.usage.monthly_search_sessions));
                prop_assert!(within(limits.monthly_record_reveals, s.usage.monthly_record_reveals));
            }
        }
    }

    #[test]
    fn arbitrary_inputs_never_panic(
        grants in proptest::collection::vec(
            (any::<i64>(), any::<i64>(), any::<Option<i64>>(), any::<i64>()), 0..6),
        entries in proptest::collection::vec(
            (any::<i64>(), 0u8..5, any::<i64>(), proptest::option::of(0usize..6)), 0..12),
        now in any::<i64>(),
        units in any::<i64>(),
        records in any::<i64>(),
        mode in mode(),
        policy in policy(),
        cap in proptest::option::of(any::<i64>()),
    ) {
        let grants: Vec<Grant> = grants.into_iter().enumerate().map(
            |(i, (units, starts_at, expires_at, created_at))| Grant {
                id: format!("g{i}"), units, credit_type: None, starts_at, expires_at, created_at,
            }).collect();
        let kinds = [EntryKind::Grant, EntryKind::Spend, EntryKind::Refund,
            EntryKind::SearchSession, EntryKind::Reveal];
        let entries: Vec<Entry> = entries.into_iter().map(|(at, kind, units, grant)| Entry {
            at, kind: kinds[usize::from(kind)], units, grant_id: grant.map(|i| format!("g{i}")),
        }).collect();
        let limits = Limits {
            monthly_credit_units: cap,
            lifetime_credit_units: cap,
            monthly_search_sessions: cap,
            lifetime_search_sessions: cap,
            monthly_record_reveals: cap,
            lifetime_record_reveals: cap,
        };
        let s = summary(&grants, &entries, mode, policy, &limits, false, now);
        prop_assert!(s.available_credit_units.is_none_or(|a| a >= 0));
        prop_assert!(s.usage.lifetime_credit_units >= 0);
        let _ = plan_spend(&grants, &entries, mode, policy, &limits, now, units, records);
        let _ = check_search(&entries, mode, &limits, now);
        for g in &grants {
            let _ = validate_grant(g.units, g.starts_at, g.expires_at);
        }
    }
}
