//! Why a customer is stopped: the [`Blocked`] reasons with their stable snake_case
//! strings, and the checks of the monthly and lifetime limits against derived
//! usage. The strings are part of the API (`search_block_reason`,
//! `reveal_block_reason`, the 402 body), so they live in one place.

use super::{Limits, Usage};

/// A refusal, with its stable reason string ([`Blocked::reason`]). Limit variants
/// carry the limit, what was already used and what the request asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    /// The partner customer is suspended (403 territory, decided by the caller).
    #[error("the customer is suspended")]
    CustomerSuspended,
    /// An enforced wallet cannot cover the whole request (402).
    #[error("insufficient credits: {required} required, {available} available")]
    InsufficientCredits { required: i64, available: i64 },
    /// The monthly credit-unit limit would be exceeded (402).
    #[error("monthly credit limit reached ({used} of {limit} used, {requested} requested)")]
    MonthlyCreditLimitReached {
        limit: i64,
        used: i64,
        requested: i64,
    },
    /// The lifetime credit-unit limit would be exceeded (402).
    #[error("lifetime credit limit reached ({used} of {limit} used, {requested} requested)")]
    LifetimeCreditLimitReached {
        limit: i64,
        used: i64,
        requested: i64,
    },
    /// The monthly search-session limit is reached (402).
    #[error("monthly search session limit reached ({used} of {limit} used)")]
    MonthlySearchSessionLimitReached {
        limit: i64,
        used: i64,
        requested: i64,
    },
    /// The lifetime search-session limit is reached (402).
    #[error("lifetime search session limit reached ({used} of {limit} used)")]
    LifetimeSearchSessionLimitReached {
        limit: i64,
        used: i64,
        requested: i64,
    },
    /// The monthly record-reveal limit would be exceeded (402).
    #[error("monthly record reveal limit reached ({used} of {limit} used, {requested} requested)")]
    MonthlyRecordRevealLimitReached {
        limit: i64,
        used: i64,
        requested: i64,
    },
    /// The lifetime record-reveal limit would be exceeded (402).
    #[error(
        "lifetime record reveal limit reached ({used} of {limit} used, {requested} requested)"
    )]
    LifetimeRecordRevealLimitReached {
        limit: i64,
        used: i64,
        requested: i64,
    },
    /// The caller asked for a negative amount; `field` is `units` or `records`
    /// (400: a bug in the caller, never a customer state).
    #[error("{field} must not be negative")]
    InvalidAmount { field: &'static str },
}

impl Blocked {
    /// The stable snake_case reason for `limit_state` and error bodies.
    pub fn reason(&self) -> &'static str {
        match self {
            Blocked::CustomerSuspended => "customer_suspended",
            Blocked::InsufficientCredits { .. } => "insufficient_credits",
            Blocked::MonthlyCreditLimitReached { .. } => "monthly_credit_limit_reached",
            Blocked::LifetimeCreditLimitReached { .. } => "lifetime_credit_limit_reached",
            Blocked::MonthlySearchSessionLimitReached { .. } => {
                "monthly_search_session_limit_reached"
            }
            Blocked::LifetimeSearchSessionLimitReached { .. } => {
                "lifetime_search_session_limit_reached"
            }
            Blocked::MonthlyRecordRevealLimitReached { .. } => {
                "monthly_record_reveal_limit_reached"
            }
            Blocked::LifetimeRecordRevealLimitReached { .. } => {
                "lifetime_record_reveal_limit_reached"
            }
            Blocked::InvalidAmount { .. } => "invalid_amount",
        }
    }

    /// What the request needed, for the 402 body's `required` (credit units, or
    /// records/sessions for those limits).
    pub fn required(&self) -> Option<i64> {
        match *self {
            Blocked::InsufficientCredits { required, .. } => Some(required),
            Blocked::MonthlyCreditLimitReached { requested, .. }
            | Blocked::LifetimeCreditLimitReached { requested, .. }
            | Blocked::MonthlySearchSessionLimitReached { requested, .. }
            | Blocked::LifetimeSearchSessionLimitReached { requested, .. }
            | Blocked::MonthlyRecordRevealLimitReached { requested, .. }
            | Blocked::LifetimeRecordRevealLimitReached { requested, .. } => Some(requested),
            Blocked::CustomerSuspended | Blocked::InvalidAmount { .. } => None,
        }
    }

    /// What is left, for the 402 body's `available`: the balance, or the room
    /// left under the limit (never negative).
    pub fn available(&self) -> Option<i64> {
        match *self {
            Blocked::InsufficientCredits { available, .. } => Some(available),
            Blocked::MonthlyCreditLimitReached { limit, used, .. }
            | Blocked::LifetimeCreditLimitReached { limit, used, .. }
            | Blocked::MonthlySearchSessionLimitReached { limit, used, .. }
            | Blocked::LifetimeSearchSessionLimitReached { limit, used, .. }
            | Blocked::MonthlyRecordRevealLimitReached { limit, used, .. }
            | Blocked::LifetimeRecordRevealLimitReached { limit, used, .. } => {
                Some(limit.saturating_sub(used).max(0))
            }
            Blocked::CustomerSuspended | Blocked::InvalidAmount { .. } => None,
        }
    }
}

type Variant = fn(i64, i64, i64) -> Blocked;

/// Fails with `variant` when `used + requested` would pass `limit`. Nothing
/// requested never fails, even over a limit lowered below current usage.
fn within(limit: Option<i64>, used: i64, requested: i64, variant: Variant) -> Result<(), Blocked> {
    match limit {
        Some(limit) if requested > 0 && requested > limit.saturating_sub(used) => {
            Err(variant(limit, used, requested))
        }
        _ => Ok(()),
    }
}

/// The credit and record-reveal limits for spending `units` on `records` net-new
/// records. Lifetime before monthly, credits before reveals.
pub(super) fn check_spend(
    limits: &Limits,
    usage: &Usage,
    units: i64,
    records: i64,
) -> Result<(), Blocked> {
    within(
        limits.lifetime_credit_units,
        usage.lifetime_credit_units,
        units,
        |limit, used, requested| Blocked::LifetimeCreditLimitReached {
            limit,
            used,
            requested,
        },
    )?;
    within(
        limits.monthly_credit_units,
        usage.monthly_credit_units,
        units,
        |limit, used, requested| Blocked::MonthlyCreditLimitReached {
            limit,
            used,
            requested,
        },
    )?;
    within(
        limits.lifetime_record_reveals,
        usage.lifetime_record_reveals,
        records,
        |limit, used, requested| Blocked::LifetimeRecordRevealLimitReached {
            limit,
            used,
            requested,
        },
    )?;
    within(
        limits.monthly_record_reveals,
        usage.monthly_record_reveals,
        records,
        |limit, used, requested| Blocked::MonthlyRecordRevealLimitReached {
            limit,
            used,
            requested,
        },
    )
}

/// The search-session limits for starting one more session.
pub(super) fn check_session(limits: &Limits, usage: &Usage) -> Result<(), Blocked> {
    within(
        limits.lifetime_search_sessions,
        usage.lifetime_search_sessions,
        1,
        |limit, used, requested| Blocked::LifetimeSearchSessionLimitReached {
            limit,
            used,
            requested,
        },
    )?;
    within(
        limits.monthly_search_sessions,
        usage.monthly_search_sessions,
        1,
        |limit, used, requested| Blocked::MonthlySearchSessionLimitReached {
            limit,
            used,
            requested,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(n: i64) -> Usage {
        Usage {
            monthly_credit_units: n,
            lifetime_credit_units: n,
            monthly_search_sessions: n,
            lifetime_search_sessions: n,
            monthly_record_reveals: n,
            lifetime_record_reveals: n,
        }
    }

    #[test]
    fn each_spend_limit_blocks_with_its_reason() {
        let cases: [(Limits, Option<&str>); 6] = [
            (Limits::default(), None),
            (
                Limits {
                    monthly_credit_units: Some(14),
                    ..Limits::default()
                },
                Some("monthly_credit_limit_reached"),
            ),
            (
                Limits {
                    lifetime_credit_units: Some(14),
                    ..Limits::default()
                },
                Some("lifetime_credit_limit_reached"),
            ),
            (
                Limits {
                    monthly_record_reveals: Some(12),
                    ..Limits::default()
                },
                Some("monthly_record_reveal_limit_reached"),
            ),
            (
                Limits {
                    lifetime_record_reveals: Some(12),
                    ..Limits::default()
                },
                Some("lifetime_record_reveal_limit_reached"),
            ),
            // Exactly reaching a limit is allowed.
            (
                Limits {
                    monthly_credit_units: Some(15),
                    lifetime_credit_units: Some(15),
                    monthly_record_reveals: Some(13),
                    lifetime_record_reveals: Some(13),
                    ..Limits::default()
                },
                None,
            ),
        ];
        for (limits, want) in cases {
            // 10 used, asking for 5 units and 3 records.
            let got = check_spend(&limits, &usage(10), 5, 3).err();
            assert_eq!(got.as_ref().map(Blocked::reason), want, "{limits:?}");
        }
    }

    #[test]
    fn each_session_limit_blocks_with_its_reason() {
        let monthly = Limits {
            monthly_search_sessions: Some(4),
            ..Limits::default()
        };
        let lifetime = Limits {
            lifetime_search_sessions: Some(4),
            ..Limits::default()
        };
        assert_eq!(check_session(&monthly, &usage(3)), Ok(()));
        assert_eq!(
            check_session(&monthly, &usage(4)).unwrap_err().reason(),
            "monthly_search_session_limit_reached"
        );
        assert_eq!(
            check_session(&lifetime, &usage(4)).unwrap_err().reason(),
            "lifetime_search_session_limit_reached"
        );
    }

    #[test]
    fn lifetime_wins_over_monthly_and_credits_over_reveals() {
        let all = Limits {
            monthly_credit_units: Some(0),
            lifetime_credit_units: Some(0),
            monthly_search_sessions: Some(0),
            lifetime_search_sessions: Some(0),
            monthly_record_reveals: Some(0),
            lifetime_record_reveals: Some(0),
        };
        let spend = check_spend(&all, &usage(0), 1, 1).unwrap_err();
        assert_eq!(spend.reason(), "lifetime_credit_limit_reached");
        assert_eq!(
            check_session(&all, &usage(0)).unwrap_err().reason(),
            "lifetime_search_session_limit_reached"
        );
    }

    #[test]
    fn nothing_requested_never_blocks() {
        let all = Limits {
            monthly_credit_units: Some(0),
            lifetime_credit_units: Some(0),
            monthly_record_reveals: Some(0),
            lifetime_record_reveals: Some(0),
            ..Limits::default()
        };
        assert_eq!(check_spend(&all, &usage(50), 0, 0), Ok(()));
    }

    #[test]
    fn required_and_available_for_the_402_body() {
        let blocked = check_spend(
            &Limits {
                monthly_credit_units: Some(12),
                ..Limits::default()
            },
            &usage(10),
            5,
            0,
        )
        .unwrap_err();
        assert_eq!(
            (blocked.required(), blocked.available()),
            (Some(5), Some(2))
        );
        let over = Blocked::MonthlyCreditLimitReached {
            limit: 3,
            used: 10,
            requested: 1,
        };
        assert_eq!(over.available(), Some(0));
        let credits = Blocked::InsufficientCredits {
            required: 9,
            available: 4,
        };
        assert_eq!(
            (credits.required(), credits.available()),
            (Some(9), Some(4))
        );
        assert_eq!(Blocked::CustomerSuspended.required(), None);
        assert_eq!(Blocked::CustomerSuspended.reason(), "customer_suspended");
        assert!(credits.to_string().contains("9 required"));
    }

    #[test]
    fn saturating_usage_does_not_overflow() {
        let limits = Limits {
            lifetime_credit_units: Some(i64::MAX),
            ..Limits::default()
        };
        let blocked = check_spend(&limits, &usage(i64::MAX), i64::MAX, 0).unwrap_err();
        assert_eq!(blocked.reason(), "lifetime_credit_limit_reached");
        let blocked = Blocked::LifetimeCreditLimitReached {
            limit: i64::MIN,
            used: i64::MAX,
            requested: 1,
        };
        assert_eq!(blocked.available(), Some(0));
    }
}
