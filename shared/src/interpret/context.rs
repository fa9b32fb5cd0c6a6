//! Readings of people words that depend on their neighbours, shared by `interpret`
//! and `roles_in_title` so both map the same words to the same keys: "security" is a
//! department next to a seniority ("head of security") and an industry otherwise;
//! "Principal" and "Partner" are roles alone but adjectives before another job word
//! ("Principal Engineer", "Partner Manager").

use super::lexicon::Meaning::{
    self, And, Comma, Department, DeptOrIndustry, DeptOrStop, Of, Or, Role, RoleAdj, SenDept,
    Seniority, Unknown,
};
use super::lexicon::Slot;

/// Words a seniority reaches through: "VP of Sales and Security", "security and IT directors".
fn passes_through(m: Meaning) -> bool {
    matches!(
        m,
        Of | And | Or | Comma | Department(_) | DeptOrIndustry(..) | DeptOrStop(_)
    )
}

fn is_seniority(m: Meaning) -> bool {
    matches!(m, Seniority(_) | SenDept(..))
}

/// Whether a seniority sits next to slot `i`, across connectors and other departments.
pub(crate) fn near_seniority(slots: &[Slot], i: usize) -> bool {
    for s in slots[..i].iter().rev().take(6) {
        if is_seniority(s.m) {
            return true;
        }
        if !passes_through(s.m) {
            break;
        }
    }
    for s in slots.iter().skip(i + 1).take(6) {
        if is_seniority(s.m) {
            return true;
        }
        if !passes_through(s.m) {
            break;
        }
    }
    false
}

/// Whether the role word at `i` is an adjective: another job word follows directly.
pub(crate) fn role_is_adjective(slots: &[Slot], i: usize) -> bool {
    matches!(
        slots.get(i + 1).map(|s| s.m),
        Some(
            Role(_)
                | RoleAdj(_)
                | Seniority(_)
                | SenDept(..)
                | Department(_)
                | DeptOrIndustry(..)
                | DeptOrStop(_)
                | Unknown
        )
    )
}

/// The role key slot `i` names, if it names one in context.
pub(crate) fn role_at(slots: &[Slot], i: usize) -> Option<&'static str> {
    match slots[i].m {
        Role(k) => Some(k),
        RoleAdj(k) if !role_is_adjective(slots, i) => Some(k),
        _ => None,
    }
}
