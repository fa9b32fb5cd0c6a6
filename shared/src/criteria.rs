//! The widget's one model of a search (PRODUCT.md §3, §4): the text as searched,
//! the place a session started in, the refinements on top, and the words the
//! search box shows for all of it. The text, the chips and the filter controls are
//! views of one [`Criteria`]; every change is a method here that returns the next
//! criteria, so the widget never keeps two copies that can disagree.
//!
//! What a change costs follows the session rule: a session only ever narrows, and
//! refinements are free, so a change inside what the session's text covers stays a
//! refinement; a change that widens it (another state, a bigger size range, a
//! chip of the text removed, a seniority the text did not name) edits the text,
//! which is a new search.

use crate::interpret::{
    chips, interpret, size_label, without_chip, Chip, ChipKind, Interpretation,
};
use crate::prospecting::{location_change, AppliedFilters, LocationChange};
use crate::taxonomy;

/// Where a chip's filter lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// In the search text (removing it edits the text: a new search).
    Text,
    /// In the refinements (removing it is free).
    Refinement,
}

/// One chip of the search as it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchChip {
    pub chip: Chip,
    pub source: Source,
}

/// A multi-choice facet group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Seniority,
    Department,
    Industry,
}

impl Group {
    fn refined(self, f: &AppliedFilters) -> Option<&Vec<String>> {
        match self {
            Group::Seniority => f.seniority.as_ref(),
            Group::Department => f.department.as_ref(),
            Group::Industry => f.industry.as_ref(),
        }
    }

    fn set(self, f: &mut AppliedFilters, list: Option<Vec<String>>) {
        match self {
            Group::Seniority => f.seniority = list,
            Group::Department => f.department = list,
            Group::Industry => f.industry = list,
        }
    }

    fn in_text(self, i: &Interpretation) -> Vec<String> {
        let terms = match self {
            Group::Seniority if i.all_employees => return Vec::new(),
            Group::Seniority => &i.seniorities,
            Group::Department => &i.departments,
            Group::Industry => &i.industries,
        };
        terms.iter().map(|t| t.key.clone()).collect()
    }

    fn chip_prefix(self) -> &'static str {
        match self {
            Group::Seniority => "seniority",
            Group::Department => "department",
            Group::Industry => "industry",
        }
    }
}

/// What a search asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    /// The text of the session: what was last started.
    pub q: String,
    /// The place the session started in when its text names another.
    pub started: AppliedFilters,
    /// Refinements on top of the session (free).
    pub filters: AppliedFilters,
    /// What the search box shows for these criteria: `q`, with the words of any
    /// place or size picked in a control.
    pub text: String,
}

/// The words of a size bucket for the search text: "with 11-50 employees".
fn size_words(min: Option<u32>, max: Option<u32>) -> Option<String> {
    Some(match (min.filter(|&m| m > 0), max) {
        (None, None) => return None,
        (Some(lo), None) => format!("with {lo}+ employees"),
        (None, Some(hi)) => format!("with up to {hi} employees"),
        (Some(lo), Some(hi)) => format!("with {lo}-{hi} employees"),
    })
}

/// `text` without every chip of `kind` (those that can be taken out).
fn without_kind(text: &str, kind: ChipKind) -> String {
    let mut text = text.to_owned();
    for _ in 0..8 {
        let Some(chip) = chips(&interpret(&text))
            .into_iter()
            .find(|c| c.kind == kind)
        else {
            break;
        };
        match without_chip(&text, &chip.id) {
            Some(edited) => text = edited,
            None => break,
        }
    }
    text
}

/// `text` with its place replaced by `state` ("CEOs in Texas" → "CEOs in Nevada").
fn with_place_words(text: &str, state: Option<&str>) -> String {
    let rest = without_kind(text, ChipKind::Location);
    match state.and_then(crate::geo::state) {
        Some(s) => format!("{} in {}", rest.trim_end(), s.name)
            .trim()
            .to_owned(),
        None => rest,
    }
}

/// `text` with its size replaced by `min`–`max`.
fn with_size_words(text: &str, min: Option<u32>, max: Option<u32>) -> String {
    let rest = without_kind(text, ChipKind::Size);
    match size_words(min, max) {
        Some(words) => format!("{} {words}", rest.trim_end()).trim().to_owned(),
        None => rest,
    }
}

impl Criteria {
    /// A new search for `text`, keeping the refinements in `keep` except those of
    /// a field the new text names (the text now says what it wants there).
    pub fn search(text: &str, keep: &AppliedFilters) -> Criteria {
        let q = text.trim().to_owned();
        let i = interpret(&q);
        // A text that says nothing on its own (its last chip went into a
        // refinement): the session starts with the refinements as its filters.
        if i.is_empty() && *keep != AppliedFilters::default() {
            let q = if q.is_empty() { "people".to_owned() } else { q };
            return Criteria {
                text: q.clone(),
                q,
                started: keep.clone(),
                filters: AppliedFilters::default(),
            };
        }
        let mut filters = keep.clone();
        for group in [Group::Seniority, Group::Department, Group::Industry] {
            if !group.in_text(&i).is_empty() {
                group.set(&mut filters, None);
            }
        }
        if !i.locations.is_empty() {
            filters.location_state = None;
            filters.location_city = None;
        }
        if i.filters.employee_count_min.is_some() || i.filters.employee_count_max.is_some() {
            filters.employee_count_min = None;
            filters.employee_count_max = None;
        }
        if !i.filters.email_status.is_empty() {
            filters.email_status = None;
        }
        if i.filters.has_phone.is_some() {
            filters.has_phone = None;
        }
        // A place still refined is kept as a refinement when the text covers it,
        // and starts the session there otherwise.
        let started = match location_change(&i, &AppliedFilters::default(), &filters) {
            LocationChange::Moves => filters.location_part(),
            LocationChange::Same | LocationChange::Narrows => AppliedFilters::default(),
        };
        Criteria {
            text: q.clone(),
            q,
            started,
            filters,
        }
    }

    /// The filters a session page runs with: the refinements over the start.
    pub fn applied(&self) -> AppliedFilters {
        self.filters.over(&self.started)
    }

    /// What the session's text says (the local reading; the server's agrees).
    pub fn text_reading(&self) -> Interpretation {
        interpret(&self.q)
    }

    /// The chips of the search as it runs: those of `shown` (the server's reading
    /// of the page, with the refinements applied) and the net-new switch, each
    /// marked with where its filter lives.
    pub fn chips(&self, shown: &Interpretation) -> Vec<SearchChip> {
        let applied = self.applied();
        let f = &applied;
        let mut out: Vec<SearchChip> = chips(shown)
            .into_iter()
            .map(|chip| {
                let refined = !chip.excluded
                    && match chip.kind {
                        ChipKind::Seniority => f.seniority.is_some(),
                        ChipKind::Department => f.department.is_some(),
                        ChipKind::Industry => f.industry.is_some(),
                        ChipKind::Location => {
                            f.location_state.is_some() || f.location_city.is_some()
                        }
                        ChipKind::Size => {
                            f.employee_count_min.is_some() || f.employee_count_max.is_some()
                        }
                        ChipKind::EmailStatus => f.email_status.is_some(),
                        ChipKind::Phone => f.has_phone.is_some(),
                        _ => false,
                    };
                SearchChip {
                    chip,
                    source: if refined {
                        Source::Refinement
                    } else {
                        Source::Text
                    },
                }
            })
            .collect();
        if f.net_new_only {
            out.push(SearchChip {
                chip: Chip {
                    id: "net_new".into(),
                    kind: ChipKind::Keyword,
                    label: "Net-new only".into(),
                    excluded: false,
                },
                source: Source::Refinement,
            });
        }
        out
    }

    /// These criteria without `chip`: a refinement is cleared (and its words taken
    /// out of the box), a chip of the text is taken out of the text (a new search).
    /// `None` when the text cannot lose that chip on its own.
    pub fn without(&self, chip: &SearchChip) -> Option<Criteria> {
        if chip.source == Source::Text {
            let q = without_chip(&self.q, &chip.chip.id)?;
            return Some(Criteria::search(&q, &self.filters));
        }
        match chip.chip.kind {
            ChipKind::Location if self.started.location_state.is_none() => {
                return Some(self.with_state(None))
            }
            ChipKind::Size if self.started.employee_count_min.is_none() => {
                return Some(self.with_size(None, None))
            }
            _ => {}
        }
        let key = chip.chip.id.rsplit(':').next().unwrap_or("").to_owned();
        // What the search runs with after the removal: the refinements hold it
        // all; a field emptied goes from the session's start too (a start that
        // changes is a new session, which only ever narrows).
        let mut after = self.applied();
        let mut start = self.started.clone();
        match chip.chip.kind {
            ChipKind::Seniority | ChipKind::Department | ChipKind::Industry => {
                let group = match chip.chip.kind {
                    ChipKind::Seniority => Group::Seniority,
                    ChipKind::Department => Group::Department,
                    _ => Group::Industry,
                };
                let list: Vec<String> = group
                    .refined(&after)
                    .map(|l| l.iter().filter(|k| **k != key).cloned().collect())
                    .unwrap_or_default();
                if list.is_empty() {
                    group.set(&mut start, None);
                }
                group.set(&mut after, (!list.is_empty()).then_some(list));
            }
            ChipKind::Location => {
                for f in [&mut after, &mut start] {
                    f.location_state = None;
                    f.location_city = None;
                }
            }
            ChipKind::Size => {
                for f in [&mut after, &mut start] {
                    f.employee_count_min = None;
                    f.employee_count_max = None;
                }
            }
            ChipKind::EmailStatus => {
                after.email_status = None;
                start.email_status = None;
            }
            ChipKind::Phone => {
                after.has_phone = None;
                start.has_phone = None;
            }
            _ if chip.chip.id == "net_new" => {
                after.net_new_only = false;
                start.net_new_only = false;
            }
            _ => return None,
        }
        if start != self.started && interpret(&self.q).is_empty() {
            // The start held what the text could not say: start again from it.
            return Some(Criteria::search("", &after));
        }
        Some(Criteria {
            filters: after,
            started: start,
            ..self.clone()
        })
    }

    /// Nothing left to search for: no words (or only the stand-in "people") and
    /// no refinement. Words that are not understood are still searched, so the
    /// person is told why.
    pub fn is_blank(&self) -> bool {
        let q = self.q.trim();
        (q.is_empty() || q == "people") && self.applied() == AppliedFilters::default()
    }

    /// The state control set to `state` (`None`: any state). Inside the place the
    /// session covers it is a refinement; elsewhere it is a new search there. The
    /// search box says the place either way.
    pub fn with_state(&self, state: Option<&str>) -> Criteria {
        let mut wanted = self.filters.clone();
        wanted.location_state = state.map(|s| vec![s.to_owned()]);
        wanted.location_city = None;
        let text = self.text_reading();
        let text_has_place = !text.locations.is_empty();
        let change = location_change(&text, &self.started, &wanted.over(&self.started));
        match (state, change) {
            (Some(_), LocationChange::Same | LocationChange::Narrows) => Criteria {
                text: with_place_words(&self.text, state),
                filters: wanted,
                ..self.clone()
            },
            // Anywhere, when only a refinement said where: drop it.
            (None, _) if !text_has_place && self.started == AppliedFilters::default() => Criteria {
                text: with_place_words(&self.text, None),
                filters: wanted,
                ..self.clone()
            },
            _ => {
                let q = with_place_words(&self.q, state);
                let mut keep = wanted;
                keep.location_state = None;
                keep.location_city = None;
                Criteria::search(&q, &keep)
            }
        }
    }

    /// The size control set to `min`–`max` (`None`s: any size). Inside the text's
    /// range it is a refinement; a range the text excludes is a new search.
    pub fn with_size(&self, min: Option<u32>, max: Option<u32>) -> Criteria {
        let text = self.text_reading();
        let (tmin, tmax) = (
            text.filters.employee_count_min,
            text.filters.employee_count_max,
        );
        let text_sized = tmin.is_some() || tmax.is_some();
        let any = min.is_none() && max.is_none();
        let inside = !any
            && min.unwrap_or(0) >= tmin.unwrap_or(0)
            && max.unwrap_or(u32::MAX) <= tmax.unwrap_or(u32::MAX);
        if inside || (any && !text_sized) {
            let mut next = self.clone();
            next.filters.employee_count_min = min;
            next.filters.employee_count_max = max;
            next.text = with_size_words(&self.text, min, max);
            return next;
        }
        let q = with_size_words(&self.q, min, max);
        let mut keep = self.filters.clone();
        keep.employee_count_min = None;
        keep.employee_count_max = None;
        Criteria::search(&q, &keep)
    }

    /// The values of `group` the search runs with: the refinement's, else the text's.
    pub fn chosen(&self, group: Group) -> Vec<String> {
        group
            .refined(&self.applied())
            .cloned()
            .unwrap_or_else(|| group.in_text(&self.text_reading()))
    }

    /// `key` of `group` ticked or unticked. Narrowing what the text names (or
    /// choosing where it names nothing) is a refinement; reaching past it (a value
    /// the text's list leaves out, or unticking the text's last one) edits the
    /// text, a new search.
    pub fn toggled(&self, group: Group, key: &str) -> Criteria {
        let text_list = group.in_text(&self.text_reading());
        let mut list = self.chosen(group);
        let on = !list.iter().any(|k| k == key);
        if on {
            list.push(key.to_owned());
        } else {
            list.retain(|k| k != key);
        }
        let narrows = text_list.is_empty()
            || (!list.is_empty() && list.iter().all(|k| text_list.contains(k)));
        if narrows {
            let mut next = self.clone();
            group.set(&mut next.filters, (!list.is_empty()).then_some(list));
            return next;
        }
        // Take the group out of the text; the refinement says it from now on.
        let mut q = self.q.clone();
        for k in &text_list {
            if let Some(edited) = without_chip(&q, &format!("{}:{k}", group.chip_prefix())) {
                q = edited;
            }
        }
        let q = without_kind(
            &q,
            match group {
                Group::Seniority => ChipKind::Seniority,
                Group::Department => ChipKind::Department,
                Group::Industry => ChipKind::Industry,
            },
        );
        let mut keep = self.filters.clone();
        group.set(&mut keep, (!list.is_empty()).then_some(list));
        Criteria::search(&q, &keep)
    }

    /// The size the search runs with: the refinement's, else the text's.
    pub fn size(&self) -> (Option<u32>, Option<u32>) {
        let f = &self.applied();
        if f.employee_count_min.is_some() || f.employee_count_max.is_some() {
            return (f.employee_count_min, f.employee_count_max);
        }
        let i = self.text_reading();
        (i.filters.employee_count_min, i.filters.employee_count_max)
    }

    /// The state the search runs in, when it names exactly one.
    pub fn state(&self) -> Option<String> {
        let applied = self.applied();
        if let Some(states) = &applied.location_state {
            return (states.len() == 1)
                .then(|| states[0].clone())
                .and_then(|s| crate::geo::state(&s).map(|st| st.code.to_owned()));
        }
        let i = self.text_reading();
        let states: Vec<&String> = i
            .locations
            .iter()
            .filter_map(|l| l.state.as_ref())
            .collect();
        match states.as_slice() {
            [one] => Some((*one).clone()),
            [first, rest @ ..] if rest.iter().all(|s| s == first) => Some((*first).clone()),
            _ => None,
        }
    }

    /// The size bucket key the size control shows, if the size is one.
    pub fn size_bucket(&self) -> Option<&'static str> {
        let (min, max) = self.size();
        taxonomy::SIZE_BUCKETS
            .iter()
            .find(|&&(lo, hi, _)| min.unwrap_or(0) == lo && max.unwrap_or(u32::MAX) == hi)
            .map(|(_, _, k)| *k)
    }

    /// A label for a size that is not a bucket ("50+ employees").
    pub fn size_label(&self) -> Option<String> {
        let (min, max) = self.size();
        size_label(min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_search_drops_refinements_the_text_now_names() {
        let keep = AppliedFilters {
            seniority: Some(vec!["vp".into()]),
            has_phone: Some(true),
            ..AppliedFilters::default()
        };
        let c = Criteria::search("directors in Texas", &keep);
        assert_eq!(c.filters.seniority, None);
        assert_eq!(c.filters.has_phone, Some(true));
        assert_eq!(c.text, "directors in Texas");
    }

    #[test]
    fn picking_a_state_updates_the_text_and_stays_free_inside_the_session() {
        let c = Criteria::search("CEOs", &AppliedFilters::default());
        let nv = c.with_state(Some("NV"));
        assert_eq!(nv.q, "CEOs", "a refinement: the same session");
        assert_eq!(nv.text, "CEOs in Nevada");
        assert_eq!(nv.filters.location_state, Some(vec!["NV".into()]));
        assert_eq!(nv.state().as_deref(), Some("NV"));
        // Elsewhere than the text's place: a new search that says it.
        let texas = Criteria::search("CEOs in Texas", &AppliedFilters::default());
        assert_eq!(
            texas.state().as_deref(),
            Some("TX"),
            "the text's state shows"
        );
        let moved = texas.with_state(Some("NV"));
        assert_eq!(moved.q, "CEOs in Nevada");
        assert_eq!(moved.text, moved.q);
        assert_eq!(moved.filters.location_state, None);
        // Any state again.
        let any = moved.with_state(None);
        assert_eq!(any.q, "CEOs");
        assert_eq!(nv.with_state(None).text, "CEOs");
        assert_eq!(nv.with_state(None).q, "CEOs");
    }

    #[test]
    fn sizes_narrow_inside_the_text_and_search_again_outside_it() {
        let c = Criteria::search("CMOs with 50+ employees", &AppliedFilters::default());
        assert_eq!(c.size(), (Some(50), None));
        assert_eq!(c.size_bucket(), None);
        assert_eq!(c.size_label().as_deref(), Some("50+ employees"));
        let inside = c.with_size(Some(51), Some(200));
        assert_eq!(inside.q, c.q);
        assert_eq!(inside.size_bucket(), Some("51-200"));
        assert!(inside.text.contains("51-200"), "{}", inside.text);
        let outside = c.with_size(Some(11), Some(50));
        assert_eq!(outside.q, "CMOs with 11-50 employees");
        assert_eq!(outside.size(), (Some(11), Some(50)));
        assert_eq!(outside.size_bucket(), Some("11-50"));
    }

    #[test]
    fn facet_ticks_narrow_or_move_the_group_out_of_the_text() {
        let c = Criteria::search("VP of Sales", &AppliedFilters::default());
        assert_eq!(c.chosen(Group::Department), ["sales"]);
        // A seniority where the text names none: a refinement.
        let d = Criteria::search("sales people", &AppliedFilters::default());
        let vp = d.toggled(Group::Seniority, "vp");
        assert_eq!(
            (vp.q.as_str(), vp.filters.seniority.clone()),
            ("sales people", Some(vec!["vp".to_owned()]))
        );
        // Unticking the text's only department: the text loses it, a new search.
        let none = d.toggled(Group::Department, "sales");
        assert_ne!(none.q, d.q);
        assert!(
            crate::interpret::interpret(&none.q).departments.is_empty(),
            "{}",
            none.q
        );
        // Adding another department than the text's: it moves into the refinement.
        let both = d.toggled(Group::Department, "marketing");
        assert_eq!(both.chosen(Group::Department), ["sales", "marketing"]);
        assert!(
            crate::interpret::interpret(&both.q).departments.is_empty(),
            "{}",
            both.q
        );
    }

    #[test]
    fn every_chip_can_be_removed_and_says_where_it_lives() {
        let c = Criteria::search("CFOs in Texas", &AppliedFilters::default())
            .toggled(Group::Industry, "software");
        let c = Criteria {
            filters: AppliedFilters {
                net_new_only: true,
                has_phone: Some(true),
                ..c.filters.clone()
            },
            ..c
        };
        let mut shown = crate::interpret::interpret(&c.q);
        shown.industries = vec![crate::interpret::Term {
            key: "software".into(),
            label: "SaaS".into(),
        }];
        shown.filters.has_phone = Some(true);
        let all = c.chips(&shown);
        let source = |id: &str| all.iter().find(|s| s.chip.id == id).map(|s| s.source);
        assert_eq!(source("role:cfo"), Some(Source::Text));
        assert_eq!(source("location:state:TX"), Some(Source::Text));
        assert_eq!(source("industry:software"), Some(Source::Refinement));
        assert_eq!(source("has_phone"), Some(Source::Refinement));
        assert_eq!(source("net_new"), Some(Source::Refinement));
        for chip in &all {
            let next = c
                .without(chip)
                .unwrap_or_else(|| panic!("{chip:?} cannot be removed"));
            match chip.source {
                Source::Text => {
                    assert_ne!(next.q, c.q, "{chip:?}: a new search");
                    let left = crate::interpret::chips(&crate::interpret::interpret(&next.q));
                    assert!(
                        !left.iter().any(|l| l.id == chip.chip.id),
                        "{chip:?} still in {}",
                        next.q
                    );
                }
                Source::Refinement => {
                    assert_eq!(next.q, c.q, "{chip:?}: free");
                    assert_ne!(next.applied(), c.applied(), "{chip:?}: nothing cleared");
                }
            }
        }
    }

    #[test]
    fn a_text_emptied_into_refinements_starts_from_them() {
        let c = Criteria::search("directors", &AppliedFilters::default());
        let both = c.toggled(Group::Seniority, "vp");
        assert_eq!(both.q, "people", "never an empty search");
        assert_eq!(both.chosen(Group::Seniority), ["director", "vp"]);
        assert_eq!(
            both.applied().seniority,
            Some(vec!["director".to_owned(), "vp".to_owned()])
        );
        // Unticking one narrows inside that session; the last one leaves nothing.
        let one = both.toggled(Group::Seniority, "vp");
        assert_eq!(
            (one.q.as_str(), one.started.clone()),
            ("people", both.started.clone())
        );
        assert_eq!(one.chosen(Group::Seniority), ["director"]);
        let shown = crate::interpret::Interpretation {
            seniorities: vec![crate::interpret::Term {
                key: "director".into(),
                label: "Director".into(),
            }],
            ..Default::default()
        };
        let chip = one
            .chips(&shown)
            .into_iter()
            .find(|s| s.chip.id == "seniority:director")
            .unwrap();
        assert_eq!(chip.source, Source::Refinement);
        assert!(one.without(&chip).unwrap().is_blank());
        assert!(Criteria::search("", &AppliedFilters::default()).is_blank());
        assert!(
            !Criteria::search("?? !!", &AppliedFilters::default()).is_blank(),
            "searched, to be explained"
        );
    }
}
