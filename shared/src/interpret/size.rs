//! Company size and requested counts. Named bands ("startups", "SMB", "mid-market")
//! are phrases; numeric sizes ("50+ employees", "more than 500", "between 10 and
//! 200", "10-200 employees") and a leading count ("give me 1000 …", "top 50 …") are
//! patterns over the matched slots. A number in a size phrase is never a count.

use super::lexicon::Meaning::{
    self, AllEmployees, And, Between, CountNoun, CountVerb, Dash, LocPrep, Money, Number, PostCmp,
    SizeNoun, To, WeakSizeNoun, With,
};
use super::lexicon::{Cmp, SizeBand, Slot};

const fn band(min: Option<u32>, max: Option<u32>, note: Option<&'static str>) -> Meaning {
    Meaning::Size(SizeBand { min, max, note })
}

const SMALL: Meaning = band(None, Some(50), None);
const SMB: Meaning = band(None, Some(500), None);
const MID: Meaning = band(
    Some(100),
    Some(999),
    Some("'mid-market' read as 100-999 employees, a common convention"),
);
const ENTERPRISE: Meaning = band(Some(1000), None, None);
const LARGE: Meaning = band(Some(1000), None, Some("'large' read as 1,000+ employees"));
const STARTUP: Meaning = band(None, Some(200), None);

/// Size bands; the lexicon adds plurals.
pub(crate) static BANDS: &[(&str, Meaning)] = &[
    ("small business", SMALL),
    ("small biz", SMALL),
    ("small company", SMALL),
    ("small firm", SMALL),
    ("small", SMALL),
    ("smb", SMB),
    ("sme", SMB),
    ("small and medium business", SMB),
    ("small and medium sized business", SMB),
    ("small and mid sized business", SMB),
    ("small and midsize business", SMB),
    ("small to medium business", SMB),
    ("small to medium sized business", SMB),
    ("small to mid sized business", SMB),
    ("small and medium enterprise", SMB),
    ("mid market", MID),
    ("midmarket", MID),
    ("mid sized", MID),
    ("mid size", MID),
    ("midsize", MID),
    ("midsized", MID),
    ("medium sized", MID),
    ("medium size", MID),
    ("medium", MID),
    ("enterprise", ENTERPRISE),
    ("large enterprise", ENTERPRISE),
    ("large", LARGE),
    ("large company", LARGE),
    ("big company", LARGE),
    ("startup", STARTUP),
    ("start up", STARTUP),
    ("early stage", STARTUP),
    ("early stage startup", STARTUP),
    ("seed stage", STARTUP),
];

/// Comparators, size and count nouns, lead-in verbs (no plurals added).
pub(crate) static WORDS: &[(&str, Meaning)] = &[
    ("at least", Meaning::Cmp(Cmp::AtLeast)),
    ("minimum", Meaning::Cmp(Cmp::AtLeast)),
    ("minimum of", Meaning::Cmp(Cmp::AtLeast)),
    ("min", Meaning::Cmp(Cmp::AtLeast)),
    ("no fewer than", Meaning::Cmp(Cmp::AtLeast)),
    ("no less than", Meaning::Cmp(Cmp::AtLeast)),
    ("not less than", Meaning::Cmp(Cmp::AtLeast)),
    ("upwards of", Meaning::Cmp(Cmp::AtLeast)),
    ("more than", Meaning::Cmp(Cmp::MoreThan)),
    ("over", Meaning::Cmp(Cmp::MoreThan)),
    ("greater than", Meaning::Cmp(Cmp::MoreThan)),
    ("above", Meaning::Cmp(Cmp::MoreThan)),
    ("in excess of", Meaning::Cmp(Cmp::MoreThan)),
    ("bigger than", Meaning::Cmp(Cmp::MoreThan)),
    ("larger than", Meaning::Cmp(Cmp::MoreThan)),
    ("fewer than", Meaning::Cmp(Cmp::LessThan)),
    ("less than", Meaning::Cmp(Cmp::LessThan)),
    ("under", Meaning::Cmp(Cmp::LessThan)),
    ("below", Meaning::Cmp(Cmp::LessThan)),
    ("smaller than", Meaning::Cmp(Cmp::LessThan)),
    ("up to", Meaning::Cmp(Cmp::AtMost)),
    ("no more than", Meaning::Cmp(Cmp::AtMost)),
    ("not more than", Meaning::Cmp(Cmp::AtMost)),
    ("at most", Meaning::Cmp(Cmp::AtMost)),
    ("maximum", Meaning::Cmp(Cmp::AtMost)),
    ("maximum of", Meaning::Cmp(Cmp::AtMost)),
    ("max", Meaning::Cmp(Cmp::AtMost)),
    ("or more", PostCmp(Cmp::AtLeast)),
    ("and more", PostCmp(Cmp::AtLeast)),
    ("and up", PostCmp(Cmp::AtLeast)),
    ("and above", PostCmp(Cmp::AtLeast)),
    ("or above", PostCmp(Cmp::AtLeast)),
    ("and over", PostCmp(Cmp::AtLeast)),
    ("or over", PostCmp(Cmp::AtLeast)),
    ("or greater", PostCmp(Cmp::AtLeast)),
    ("plus", PostCmp(Cmp::AtLeast)),
    ("or fewer", PostCmp(Cmp::AtMost)),
    ("or less", PostCmp(Cmp::AtMost)),
    ("and under", PostCmp(Cmp::AtMost)),
    ("or under", PostCmp(Cmp::AtMost)),
    ("and below", PostCmp(Cmp::AtMost)),
    ("or below", PostCmp(Cmp::AtMost)),
    ("employee", SizeNoun),
    ("employees", SizeNoun),
    ("staff", SizeNoun),
    ("staffer", SizeNoun),
    ("staffers", SizeNoun),
    ("worker", SizeNoun),
    ("workers", SizeNoun),
    ("fte", SizeNoun),
    ("ftes", SizeNoun),
    ("full time employees", SizeNoun),
    ("team members", SizeNoun),
    ("emp", SizeNoun),
    ("emps", SizeNoun),
    ("people", WeakSizeNoun),
    ("ppl", WeakSizeNoun),
    ("person", WeakSizeNoun),
    ("persons", WeakSizeNoun),
    ("leads", CountNoun),
    ("record", CountNoun),
    ("records", CountNoun),
    ("contacts", CountNoun),
    ("prospect", CountNoun),
    ("prospects", CountNoun),
    ("results", CountNoun),
    ("rows", CountNoun),
    ("names", CountNoun),
    ("profiles", CountNoun),
    ("revenue", Money),
    ("revenues", Money),
    ("annual revenue", Money),
    ("in revenue", Money),
    ("arr", Money),
    ("mrr", Money),
    ("funding", Money),
    ("raised", Money),
    ("valuation", Money),
    ("turnover", Money),
    ("all employees", AllEmployees),
    ("all employee", AllEmployees),
    ("all the employees", AllEmployees),
    ("all of the employees", AllEmployees),
    ("all their employees", AllEmployees),
    ("all staff", AllEmployees),
    ("all the staff", AllEmployees),
    ("all of the staff", AllEmployees),
    ("all workers", AllEmployees),
    ("all people", AllEmployees),
    ("all the people", AllEmployees),
    ("all contacts", AllEmployees),
    ("all personnel", AllEmployees),
    ("all team members", AllEmployees),
    ("every employee", AllEmployees),
    ("everyone", AllEmployees),
    ("everybody", AllEmployees),
    ("entire team", AllEmployees),
    ("whole team", AllEmployees),
    ("entire staff", AllEmployees),
    ("whole staff", AllEmployees),
    ("entire company", AllEmployees),
    ("whole company", AllEmployees),
    ("give", CountVerb),
    ("give me", CountVerb),
    ("get", CountVerb),
    ("get me", CountVerb),
    ("find", CountVerb),
    ("find me", CountVerb),
    ("show", CountVerb),
    ("show me", CountVerb),
    ("pull", CountVerb),
    ("pull me", CountVerb),
    ("fetch", CountVerb),
    ("list", CountVerb),
    ("list of", CountVerb),
    ("export", CountVerb),
    ("send", CountVerb),
    ("send me", CountVerb),
    ("top", CountVerb),
    ("first", CountVerb),
    ("i", CountVerb),
    ("we", CountVerb),
    ("me", CountVerb),
    ("us", CountVerb),
    ("you", CountVerb),
    ("need", CountVerb),
    ("want", CountVerb),
    ("would like", CountVerb),
    ("id like", CountVerb),
    ("please", CountVerb),
    ("looking for", CountVerb),
    ("search", CountVerb),
    ("search for", CountVerb),
];

/// Numeric size bounds and the requested count found in a query.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Sizing {
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub max_records: Option<u32>,
    pub notes: Vec<String>,
}

fn clamp(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl Sizing {
    fn apply(&mut self, c: Cmp, v: u64) {
        match c {
            Cmp::AtLeast => self.min = Some(clamp(v)),
            Cmp::MoreThan => self.min = Some(clamp(v.saturating_add(1))),
            Cmp::LessThan => self.max = Some(clamp(v.saturating_sub(1))),
            Cmp::AtMost => self.max = Some(clamp(v)),
        }
    }

    fn range(&mut self, a: u64, b: u64) {
        self.min = Some(clamp(a.min(b)));
        self.max = Some(clamp(a.max(b)));
    }
}

fn is_noun(m: Option<Meaning>) -> bool {
    matches!(m, Some(SizeNoun | WeakSizeNoun))
}

fn consume(slots: &mut [Slot], from: usize, to: usize) {
    let to = to.min(slots.len());
    for s in &mut slots[from..to] {
        s.m = Meaning::Stop;
        s.alt = None;
    }
}

/// "give me 1000 …", "top 50 …", "500 CMOs …", and "… 500 leads" anywhere.
fn counts(slots: &mut [Slot], out: &mut Sizing) {
    let mut f = 0;
    let mut verb = false;
    while f < slots.len()
        && matches!(
            slots[f].m,
            CountVerb | Meaning::Filler | Meaning::Stop | Meaning::Noise | Meaning::Comma
        )
    {
        verb |= slots[f].m == CountVerb;
        f += 1;
    }
    if let (Some(Number(v, false)), Some(next)) =
        (slots.get(f).map(|s| s.m), slots.get(f + 1).map(|s| s.m))
    {
        let size_like = matches!(next, To | Dash | PostCmp(_) | Number(..) | Meaning::Comma)
            || (next == SizeNoun && !verb);
        if !size_like && v > 0 {
            out.max_records = Some(clamp(v));
            let end = if matches!(next, WeakSizeNoun | CountNoun) {
                f + 2
            } else {
                f + 1
            };
            consume(slots, f, end);
        }
    }
    for i in 0..slots.len().saturating_sub(1) {
        if let (Number(v, false), CountNoun) = (slots[i].m, slots[i + 1].m) {
            if out.max_records.is_none() && v > 0 {
                out.max_records = Some(clamp(v));
                consume(slots, i, i + 2);
            }
        }
    }
}

/// Numbers around "revenue"/"funding" are money: set them aside (with a warning)
/// so "revenue over 10m" never becomes a 10-million-employee filter.
fn money(slots: &mut [Slot], out: &mut Sizing) {
    let numeric = |m: Meaning| matches!(m, Meaning::Cmp(_) | Number(..) | PostCmp(_) | To | Dash);
    let at = |slots: &[Slot], k: usize| slots.get(k).map(|s| s.m);
    for i in 0..slots.len() {
        if slots[i].m != Money {
            continue;
        }
        // Backwards: "over $10M in revenue", "between 1m and 5m in revenue".
        let mut from = i;
        if from > 0 && slots[from - 1].m == LocPrep {
            from -= 1;
        }
        while from > 0 && numeric(slots[from - 1].m) {
            from -= 1;
        }
        if from >= 2
            && at(slots, from - 1) == Some(And)
            && matches!(at(slots, from - 2), Some(Number(..)))
        {
            from -= 2;
            while from > 0 && numeric(slots[from - 1].m) {
                from -= 1;
            }
        }
        if from > 0 && slots[from - 1].m == Between {
            from -= 1;
        }
        if from == i || (from == i - 1 && slots[from].m == LocPrep) {
            from = i;
        }
        // Forwards: "revenue over 10m", "revenue between 1m and 5m".
        let mut to = i + 1;
        if at(slots, to) == Some(Between) {
            to += 1;
        }
        while to < slots.len() && numeric(slots[to].m) {
            to += 1;
        }
        if at(slots, to) == Some(And)
            && matches!(at(slots, to + 1), Some(Number(..)))
            && slots[i + 1].m == Between
        {
            to += 2;
        }
        if from == i && to == i + 1 {
            // No number around: an ordinary word ("revenue operations").
            slots[i].m = Meaning::Unknown;
            continue;
        }
        consume(slots, from, to);
        let note = "ignored: revenue and funding filters are not supported".to_owned();
        if !out.notes.contains(&note) {
            out.notes.push(note);
        }
    }
}

/// Reads counts and numeric sizes, replacing what it used with `Stop`.
pub(crate) fn read(slots: &mut [Slot]) -> Sizing {
    let mut out = Sizing::default();
    money(slots, &mut out);
    counts(slots, &mut out);
    let at = |slots: &[Slot], i: usize| slots.get(i).map(|s| s.m);
    let mut i = 0;
    while i < slots.len() {
        let prev = i.checked_sub(1).and_then(|p| at(slots, p));
        let used = match (
            slots[i].m,
            at(slots, i + 1),
            at(slots, i + 2),
            at(slots, i + 3),
        ) {
            (Meaning::Cmp(c), Some(Number(v, _)), ..) => {
                out.apply(c, v);
                2
            }
            (Between, Some(Number(a, _)), Some(And | To | Dash), Some(Number(b, _))) => {
                out.range(a, b);
                4
            }
            (Number(v, true), ..) => {
                out.apply(Cmp::AtLeast, v);
                1
            }
            (Number(v, false), Some(PostCmp(c)), ..) => {
                out.apply(c, v);
                2
            }
            (Number(a, false), Some(To | Dash), Some(Number(b, _)), after)
                if is_noun(after) || matches!(prev, Some(With | Between | LocPrep)) =>
            {
                out.range(a, b);
                3
            }
            (Number(v, false), Some(SizeNoun | WeakSizeNoun), ..)
            | (Number(v, false), Some(Dash), Some(SizeNoun | WeakSizeNoun), _) => {
                out.apply(Cmp::AtLeast, v);
                out.notes
                    .push(format!("read '{v} employees' as at least {v} employees"));
                1
            }
            _ => 0,
        };
        if used == 0 {
            i += 1;
            continue;
        }
        let mut end = i + used;
        while matches!(at(slots, end), Some(Dash)) && is_noun(at(slots, end + 1)) {
            end += 1;
        }
        if is_noun(at(slots, end)) {
            end += 1;
        }
        consume(slots, i, end);
        i = end;
    }
    out
}
