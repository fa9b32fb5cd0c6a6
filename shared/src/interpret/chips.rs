//! Interpretation chips: what the search box shows under the query ("CMO", "SaaS and
//! software companies", "Nevada", "50+ employees"), and how removing one chip edits
//! the query text.
//!
//! Removing a chip edits the text rather than adding a hidden override, so what the
//! user reads is always what is searched, and the server (which re-runs the
//! interpreter on submit) stays authoritative. The interpreter does not report
//! which words produced which filter, so [`without_chip`] searches for the shortest
//! run of words whose removal drops exactly that chip and keeps every other chip,
//! then tidies the connecting words around it ("in", "or", "with"), each step
//! checked by interpreting again. It never returns a text whose chips differ from
//! the old ones in anything but the removed chip.

use super::{interpret, people, Interpretation};
use crate::present::count;

/// What a chip stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChipKind {
    Role,
    Seniority,
    Department,
    Industry,
    Location,
    Size,
    Keyword,
    MaxRecords,
    AllEmployees,
    /// "verified emails".
    EmailStatus,
    /// "with a phone".
    Phone,
    /// A company domain ("acme.com").
    Domain,
}

/// One understood part of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chip {
    /// Stable within one interpretation: `role:cmo`, `location:state:NV`, `size`.
    pub id: String,
    pub kind: ChipKind,
    /// For people: "CMO", "Nevada", "50+ employees".
    pub label: String,
    /// Left out of the search ("not in California"): shown struck through.
    pub excluded: bool,
}

fn chip(kind: ChipKind, id: String, label: impl Into<String>) -> Chip {
    Chip {
        id,
        kind,
        label: label.into(),
        excluded: false,
    }
}

fn excluded(kind: ChipKind, id: String, label: impl Into<String>) -> Chip {
    Chip {
        excluded: true,
        ..chip(kind, format!("not:{id}"), label)
    }
}

/// Seniority groups one phrase names ("decision makers"): shown as one chip.
const GROUPS: &[(&str, &str, &[&str])] = &[
    (
        "decision_makers",
        "Decision makers",
        people::DECISION_MAKERS,
    ),
    ("leaders", "Leaders", people::LEADERS),
];

/// The chips of an interpretation, in a stable order.
pub fn chips(i: &Interpretation) -> Vec<Chip> {
    let mut out = Vec::new();
    if i.all_employees {
        out.push(chip(
            ChipKind::AllEmployees,
            "all_employees".into(),
            "All employees",
        ));
    }
    let terms = |out: &mut Vec<Chip>, kind: ChipKind, prefix: &str, list: &[&super::Term]| {
        for t in list {
            out.push(chip(kind, format!("{prefix}:{}", t.key), &t.label));
        }
    };
    terms(
        &mut out,
        ChipKind::Role,
        "role",
        &i.roles.iter().collect::<Vec<_>>(),
    );
    let mut seniorities: Vec<&super::Term> = i.seniorities.iter().collect();
    for (key, label, members) in GROUPS {
        if members
            .iter()
            .all(|m| seniorities.iter().any(|t| t.key == *m))
        {
            seniorities.retain(|t| !members.contains(&t.key.as_str()));
            out.push(chip(
                ChipKind::Seniority,
                format!("seniority_group:{key}"),
                *label,
            ));
        }
    }
    terms(&mut out, ChipKind::Seniority, "seniority", &seniorities);
    terms(
        &mut out,
        ChipKind::Department,
        "department",
        &i.departments.iter().collect::<Vec<_>>(),
    );
    terms(
        &mut out,
        ChipKind::Industry,
        "industry",
        &i.industries.iter().collect::<Vec<_>>(),
    );
    for l in &i.locations {
        out.push(chip(
            ChipKind::Location,
            format!("location:{}", l.key),
            &l.label,
        ));
    }
    if let Some(label) = size_label(i.filters.employee_count_min, i.filters.employee_count_max) {
        out.push(chip(ChipKind::Size, "size".into(), label));
    }
    for k in &i.filters.keywords {
        out.push(chip(
            ChipKind::Keyword,
            format!("keyword:{k}"),
            format!("“{k}”"),
        ));
    }
    for d in &i.filters.company_domains {
        out.push(chip(ChipKind::Domain, format!("domain:{d}"), d.clone()));
    }
    for s in &i.filters.email_status {
        let label = match s.as_str() {
            "verified" => "Verified emails".to_owned(),
            other => format!("{} emails", other.replace('_', "-")),
        };
        out.push(chip(
            ChipKind::EmailStatus,
            format!("email_status:{s}"),
            label,
        ));
    }
    if i.filters.has_phone == Some(true) {
        out.push(chip(ChipKind::Phone, "has_phone".into(), "With a phone"));
    }
    if let Some(n) = i.max_records {
        out.push(chip(
            ChipKind::MaxRecords,
            "max_records".into(),
            format!("at most {}", count(u64::from(n))),
        ));
    }
    let ex = &i.exclusions;
    for (kind, prefix, list) in [
        (ChipKind::Role, "role", &ex.roles),
        (ChipKind::Seniority, "seniority", &ex.seniorities),
        (ChipKind::Department, "department", &ex.departments),
        (ChipKind::Industry, "industry", &ex.industries),
    ] {
        for t in list {
            out.push(excluded(kind, format!("{prefix}:{}", t.key), &t.label));
        }
    }
    for s in &ex.states {
        let label = crate::geo::STATES
            .iter()
            .find(|g| g.code == s)
            .map_or(s.as_str(), |g| g.name);
        out.push(excluded(
            ChipKind::Location,
            format!("location:state:{s}"),
            label,
        ));
    }
    for c in &ex.cities {
        out.push(excluded(
            ChipKind::Location,
            format!("location:city:{c}"),
            c.clone(),
        ));
    }
    out
}

/// "50+ employees", "11–50 employees", "under 50 employees".
pub fn size_label(min: Option<u32>, max: Option<u32>) -> Option<String> {
    let text = match (min, max) {
        (None, None) => return None,
        (Some(lo), None) => format!("{}+ employees", count(u64::from(lo))),
        (None, Some(hi)) => format!("up to {} employees", count(u64::from(hi))),
        (Some(lo), Some(hi)) if lo == hi => format!("{} employees", count(u64::from(lo))),
        (Some(lo), Some(hi)) => format!(
            "{}–{} employees",
            count(u64::from(lo)),
            count(u64::from(hi))
        ),
    };
    Some(text)
}

/// Queries longer than this are not edited (the search would grow quadratically).
const MAX_EDIT_CHARS: usize = 400;
/// The longest run of words one chip is looked for in.
const MAX_SPAN: usize = 6;

/// Words that join parts of a query; removed with a chip when they would dangle.
fn is_list_joiner(w: &str) -> bool {
    matches!(w, "or" | "and" | "," | "&" | "/" | "plus")
}

fn is_connector(w: &str) -> bool {
    is_list_joiner(w)
        || matches!(
            w,
            "in" | "at"
                | "not"
                | "except"
                | "excluding"
                | "outside"
                | "of"
                | "for"
                | "with"
                | "from"
                | "near"
                | "around"
                | "based"
                | "located"
                | "having"
                | "who"
                | "that"
                | "which"
                | "work"
                | "working"
                | "the"
                | "a"
                | "an"
        )
}

/// Nouns a company-side chip often carries along ("SaaS companies", "50 employees").
fn is_trailing_noun(w: &str) -> bool {
    matches!(
        w,
        "companies"
            | "company"
            | "firms"
            | "firm"
            | "businesses"
            | "business"
            | "agencies"
            | "agency"
            | "employees"
            | "employee"
            | "staff"
            | "people"
            | "workers"
            | "headcount"
    )
}

/// A query split into pieces: words, and the punctuation that lists things.
struct Pieces<'a> {
    text: &'a str,
    /// Byte ranges into `text`.
    spans: Vec<(usize, usize)>,
}

impl<'a> Pieces<'a> {
    fn new(text: &'a str) -> Pieces<'a> {
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            let split = matches!(c, ',' | '/' | '&' | ';');
            if c.is_whitespace() || split {
                if let Some(s) = start.take() {
                    spans.push((s, i));
                }
                if split {
                    spans.push((i, i + c.len_utf8()));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            spans.push((s, text.len()));
        }
        Pieces { text, spans }
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    /// The lowercased piece `i`, for the connector tests.
    fn word(&self, i: usize) -> String {
        let (a, b) = self.spans[i];
        self.text[a..b].to_lowercase()
    }

    /// The text without the pieces in `removed` (sorted, half-open ranges), with
    /// the spacing tidied.
    fn without(&self, removed: &[(usize, usize)]) -> String {
        let mut out = String::with_capacity(self.text.len());
        for (i, &(a, b)) in self.spans.iter().enumerate() {
            if removed.iter().any(|&(s, e)| (s..e).contains(&i)) {
                continue;
            }
            let piece = &self.text[a..b];
            let tight = matches!(piece, "," | ";");
            if !out.is_empty() && !tight {
                out.push(' ');
            }
            out.push_str(piece);
        }
        out
    }
}

/// How good a candidate text is: fewer warnings first.
fn warnings_of(i: &Interpretation) -> usize {
    i.warnings.len()
}

/// The query without `chip_id`, or `None` when no edit of the text removes
/// exactly that chip (the caller then offers no remove button).
pub fn without_chip(q: &str, chip_id: &str) -> Option<String> {
    if q.chars().count() > MAX_EDIT_CHARS {
        return None;
    }
    let original = interpret(q);
    let allowed_warnings = warnings_of(&original);
    let before = chips(&original);
    if !before.iter().any(|c| c.id == chip_id) {
        return None;
    }
    let mut wanted: Vec<&str> = before
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| *id != chip_id)
        .collect();
    wanted.sort_unstable();
    // A text fits when its chips are the wanted ones and it warns no more.
    let fits = |text: &str| -> Option<Interpretation> {
        let i = interpret(text);
        let mut ids: Vec<String> = chips(&i).into_iter().map(|c| c.id).collect();
        ids.sort_unstable();
        (warnings_of(&i) <= allowed_warnings
            && ids.iter().map(String::as_str).eq(wanted.iter().copied()))
        .then_some(i)
    };

    let pieces = Pieces::new(q);
    let n = pieces.len();
    // The shortest run whose removal fits, fewest warnings first, leftmost first.
    let mut best: Option<((usize, usize), usize)> = None;
    for len in 1..=n.min(MAX_SPAN) {
        for s in 0..=n - len {
            let span = (s, s + len);
            if let Some(i) = fits(&pieces.without(&[span])) {
                let w = warnings_of(&i);
                if best.is_none_or(|(_, bw)| w < bw) {
                    best = Some((span, w));
                }
            }
        }
        if best.is_some() {
            break;
        }
    }
    let ((mut s, mut e), mut warnings) = best?;

    // Take along what would dangle, one checked step at a time.
    let mut try_span = |ns: usize, ne: usize, s: &mut usize, e: &mut usize| -> bool {
        match fits(&pieces.without(&[(ns, ne)])) {
            Some(i) if warnings_of(&i) <= warnings => {
                warnings = warnings_of(&i);
                (*s, *e) = (ns, ne);
                true
            }
            _ => false,
        }
    };
    // Trailing nouns ("SaaS companies", "50+ employees").
    while e < n && is_trailing_noun(&pieces.word(e)) && try_span(s, e + 1, &mut s, &mut e) {}
    let left_is_edge = |s: usize| s == 0 || is_connector(&pieces.word(s - 1));
    let right_is_edge = |e: usize| e == n || is_connector(&pieces.word(e));
    if e < n && is_list_joiner(&pieces.word(e)) && left_is_edge(s) {
        // "NY or NJ" without NY: "NJ".
        try_span(s, e + 1, &mut s, &mut e);
    } else if s > 0 && is_list_joiner(&pieces.word(s - 1)) {
        // "NY or NJ" without NJ: "NY".
        try_span(s - 1, e, &mut s, &mut e);
    }
    // "… companies in Nevada" without Nevada: drop the "in" left hanging.
    while s > 0 && is_connector(&pieces.word(s - 1)) && right_is_edge(e) {
        if !try_span(s - 1, e, &mut s, &mut e) {
            break;
        }
    }
    // "CMOs of SaaS companies" without CMOs: "SaaS companies".
    while s == 0 && e < n && is_connector(&pieces.word(e)) {
        if !try_span(s, e + 1, &mut s, &mut e) {
            break;
        }
    }
    Some(pieces.without(&[(s, e)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &str) -> Vec<String> {
        chips(&interpret(q)).into_iter().map(|c| c.id).collect()
    }

    #[test]
    fn chips_name_every_understood_part() {
        assert_eq!(
            ids("CMOs of SaaS companies with 50+ employees in Nevada"),
            ["role:cmo", "industry:software", "location:state:NV", "size"]
        );
        let decision = chips(&interpret(
            "give me 1000 decision makers for marketing agencies",
        ));
        let labels: Vec<&str> = decision.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            ["Decision makers", "Marketing agencies", "at most 1,000"],
            "{decision:?}"
        );
    }

    #[test]
    fn removing_a_chip_edits_the_text_around_it() {
        let q = "CMOs of SaaS companies with 50+ employees in Nevada";
        let cases = [
            (
                "location:state:NV",
                "CMOs of SaaS companies with 50+ employees",
            ),
            ("size", "CMOs of SaaS companies in Nevada"),
            ("role:cmo", "SaaS companies with 50+ employees in Nevada"),
        ];
        for (chip, want) in cases {
            assert_eq!(without_chip(q, chip).as_deref(), Some(want), "{chip}");
        }
        assert_eq!(
            without_chip(
                "VP Sales at fintech companies in NY or NJ",
                "location:state:NY"
            )
            .as_deref(),
            Some("VP Sales at fintech companies in NJ")
        );
        assert_eq!(
            without_chip(
                "VP Sales at fintech companies in NY or NJ",
                "location:state:NJ"
            )
            .as_deref(),
            Some("VP Sales at fintech companies in NY")
        );
        assert_eq!(without_chip(q, "role:ceo"), None, "not a chip of q");
    }

    #[test]
    fn size_labels_read_naturally() {
        assert_eq!(size_label(Some(50), None).as_deref(), Some("50+ employees"));
        assert_eq!(
            size_label(Some(11), Some(50)).as_deref(),
            Some("11–50 employees")
        );
        assert_eq!(
            size_label(None, Some(49)).as_deref(),
            Some("up to 49 employees")
        );
        assert_eq!(size_label(None, None), None);
    }
}
