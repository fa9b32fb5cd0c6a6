//! Data flags (PRODUCT.md §7): a partner or a customer reports a bad record. The
//! rules here are pure: which reasons exist, whether a flag earns its record's
//! credits back (bought by the flagging customer within [`CREDIT_WINDOW_SECS`],
//! not credited before), and what one record cost in its purchase.

use serde::{Deserialize, Serialize};

/// A flag on a record bought this recently credits it back.
pub const CREDIT_WINDOW_SECS: i64 = 30 * 86_400;
/// Longest note.
pub const MAX_NOTE_CHARS: usize = 1_000;

/// What is wrong with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    BouncedEmail,
    WrongPhone,
    LeftCompany,
    WrongTitle,
    Other,
}

impl FlagReason {
    pub const ALL: [FlagReason; 5] = [
        FlagReason::BouncedEmail,
        FlagReason::WrongPhone,
        FlagReason::LeftCompany,
        FlagReason::WrongTitle,
        FlagReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FlagReason::BouncedEmail => "bounced_email",
            FlagReason::WrongPhone => "wrong_phone",
            FlagReason::LeftCompany => "left_company",
            FlagReason::WrongTitle => "wrong_title",
            FlagReason::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<FlagReason> {
        FlagReason::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// Where a flag came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagSource {
    /// A partner's backend (secret key).
    Api,
    /// A customer in the widget (embed token).
    Widget,
}

impl FlagSource {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagSource::Api => "api",
            FlagSource::Widget => "widget",
        }
    }

    pub fn parse(value: &str) -> Option<FlagSource> {
        [FlagSource::Api, FlagSource::Widget]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Why a flag credited nothing (it is recorded all the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoCredit {
    /// No customer was named (a partner flag without `partner_customer_id`).
    NoCustomer,
    /// The customer never bought this record.
    NotOwned,
    /// Bought more than 30 days ago.
    TooOld,
    /// This customer's flag on this record was credited before.
    AlreadyCredited,
    /// It cost nothing (bought at no charge).
    Free,
    /// The grant that paid has expired and the customer has no active grant to
    /// take the units instead.
    GrantExpired,
}

impl NoCredit {
    pub fn message(self) -> &'static str {
        match self {
            NoCredit::NoCustomer => {
                "Recorded. Name partner_customer_id to credit a customer's purchase."
            }
            NoCredit::NotOwned => {
                "Recorded. This customer never bought the record, so nothing was credited."
            }
            NoCredit::TooOld => {
                "Recorded. The record was bought more than 30 days ago, so nothing was credited."
            }
            NoCredit::AlreadyCredited => {
                "Recorded. This record was credited back before; it is credited once."
            }
            NoCredit::Free => "Recorded. The record cost nothing, so there is nothing to credit.",
            NoCredit::GrantExpired => "Recorded. The credits that paid for it have expired and there is no active grant to take them back.",
        }
    }
}

/// What a customer's purchase of the record looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bought {
    pub at: i64,
    /// The purchase's credit units and how many records they paid for.
    pub credit_units: i64,
    pub net_new_records: i64,
}

/// The units a flag at `now` credits back, or why none.
pub fn credit(bought: Option<Bought>, credited_before: bool, now: i64) -> Result<i64, NoCredit> {
    let bought = bought.ok_or(NoCredit::NotOwned)?;
    if now - bought.at > CREDIT_WINDOW_SECS {
        return Err(NoCredit::TooOld);
    }
    if credited_before {
        return Err(NoCredit::AlreadyCredited);
    }
    let units = if bought.net_new_records > 0 {
        bought.credit_units.max(0) / bought.net_new_records
    } else {
        0
    };
    if units == 0 {
        return Err(NoCredit::Free);
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    #[test]
    fn a_recent_purchase_is_credited_once_at_its_price() {
        let bought = Some(Bought {
            at: 100 * DAY,
            credit_units: 30,
            net_new_records: 10,
        });
        assert_eq!(credit(bought, false, 100 * DAY + 5), Ok(3));
        assert_eq!(
            credit(bought, false, 130 * DAY),
            Ok(3),
            "the 30th day still counts"
        );
        assert_eq!(credit(bought, false, 130 * DAY + 1), Err(NoCredit::TooOld));
        assert_eq!(
            credit(bought, true, 101 * DAY),
            Err(NoCredit::AlreadyCredited)
        );
        assert_eq!(credit(None, false, 0), Err(NoCredit::NotOwned));
        let free = Some(Bought {
            at: 0,
            credit_units: 0,
            net_new_records: 4,
        });
        assert_eq!(credit(free, false, 1), Err(NoCredit::Free));
    }

    #[test]
    fn reasons_round_trip() {
        for r in FlagReason::ALL {
            assert_eq!(FlagReason::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::json!(r.as_str())
            );
        }
        assert_eq!(FlagReason::parse("spam"), None);
    }
}
