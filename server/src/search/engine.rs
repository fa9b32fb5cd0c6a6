//! Query evaluation on the index: the matching set (exact count), relevance tiers,
//! pages after a cursor position, and facet counts.
//!
//! Relevance, documented for partners: (1) people whose job title contains the
//! query's keywords come before those matched only through their company; (2) then
//! by email quality: verified, then other deliverable statuses, then no email;
//! (3) then by id, ascending. The order is total and stable across pages.

use quarry_shared::api::{FacetCount, Facets};
use quarry_shared::geo;
use quarry_shared::taxonomy::{self, EmailStatus};
use roaring::{MultiOps, RoaringBitmap};

use super::criteria::Criteria;
use super::cursor::Position;
use super::index::{size_spans, tokens, PeopleIndex, SizeSpan, NONE, SIZE_BUCKETS};

fn union<'a>(maps: impl Iterator<Item = Option<&'a RoaringBitmap>>) -> RoaringBitmap {
    maps.flatten().union()
}

fn index_of(keys: impl Iterator<Item = &'static str>, wanted: &str) -> Option<usize> {
    keys.into_iter().position(|k| k == wanted)
}

fn seniority_ixs(keys: &[String]) -> impl Iterator<Item = usize> + '_ {
    keys.iter()
        .filter_map(|s| index_of(taxonomy::SENIORITIES.iter().map(|t| t.key), s))
}

/// Department indexes of `keys`; `loosely` (for what the text says) also reads
/// "growth" as marketing, where the data files most of it. A refinement means
/// exactly the department its facet counted.
fn department_ixs(keys: &[String], loosely: bool) -> impl Iterator<Item = usize> + '_ {
    keys.iter()
        .flat_map(move |d| {
            let also = (loosely && d == "growth").then_some("marketing");
            std::iter::once(d.as_str()).chain(also)
        })
        .filter_map(|d| index_of(taxonomy::DEPARTMENTS.iter().map(|t| t.key), d))
}

/// The facet groups. Each is counted disjunctively: with every other group's filters
/// applied but not its own, so picking any value shown gives exactly its count and
/// the other values stay listed to switch to or broaden back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Seniority,
    Department,
    Industry,
    State,
    Size,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Seniority,
        Group::Department,
        Group::Industry,
        Group::State,
        Group::Size,
    ];
}

/// What owns one ANDed part of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// The text's who clause.
    Who,
    /// A facet group's filter.
    Own(Group),
    /// Keywords, domains, contact data, explicit roles: no facet's.
    Other,
}

/// What a facet group's counts are taken over.
#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    /// Everyone (no other filter applies): the counts are the values' sizes.
    All,
    Set(RoaringBitmap),
    /// A set that is exactly the people with some values of one facet dimension
    /// (a state filter, "decision makers"): counted from the index's cross-tabs
    /// without walking it.
    Values(RoaringBitmap, Shape),
}

/// Some values of one facet dimension (in [`Group::ALL`] order), distinct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub dim: usize,
    pub values: Vec<usize>,
}

impl Shape {
    fn of(dim: usize, values: impl IntoIterator<Item = usize>) -> Option<Shape> {
        let mut values: Vec<usize> = values.into_iter().collect();
        values.sort_unstable();
        values.dedup();
        (!values.is_empty()).then_some(Shape { dim, values })
    }
}

/// The intersection of `parts`, smallest first; `None` when there are none.
fn intersect(mut parts: Vec<&RoaringBitmap>) -> Option<RoaringBitmap> {
    parts.sort_by_key(|p| p.len());
    let mut iter = parts.into_iter();
    let mut result = iter.next()?.clone();
    for p in iter {
        result &= p;
        if result.is_empty() {
            break;
        }
    }
    Some(result)
}

impl PeopleIndex {
    fn seniorities(&self, keys: &[String]) -> RoaringBitmap {
        seniority_ixs(keys).map(|i| &self.seniority[i]).union()
    }

    /// People in any of the departments `keys` (see [`department_ixs`]).
    fn departments(&self, keys: &[String], loosely: bool) -> RoaringBitmap {
        department_ixs(keys, loosely)
            .map(|i| &self.department[i])
            .union()
    }

    /// Who the text names: its roles, or its seniorities × departments. A field a
    /// refinement stands in for (`omit_*`, or explicit roles) is left out; when
    /// that empties one side of the "or", the clause no longer limits at all (the
    /// refinement, ANDed on its own, says who), so it only ever narrows.
    fn who(
        &self,
        c: &Criteria,
        omit_seniority: bool,
        omit_department: bool,
    ) -> Option<RoaringBitmap> {
        let roles_replaced = c.refine_roles.is_some() && !c.roles.is_empty();
        let roles = (c.refine_roles.is_none() && !c.roles.is_empty())
            .then(|| union(c.roles.iter().map(|r| self.roles.get(r.as_str()))));
        let has_branch = !c.seniorities.is_empty() || !c.departments.is_empty();
        let by_seniority = !omit_seniority && !c.seniorities.is_empty();
        let by_department = !omit_department && !c.departments.is_empty();
        let branch_replaced = has_branch && !by_seniority && !by_department;
        if roles_replaced || branch_replaced {
            return None;
        }
        let branch = match (by_seniority, by_department) {
            (true, true) => {
                Some(self.seniorities(&c.seniorities) & self.departments(&c.departments, true))
            }
            (true, false) => Some(self.seniorities(&c.seniorities)),
            (false, true) => Some(self.departments(&c.departments, true)),
            (false, false) => None,
        };
        match (roles, branch) {
            (Some(r), Some(b)) => Some(r | b),
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        }
    }

    /// The shape of the who clause as [`Self::who`] builds it with the same
    /// flags: seniorities alone or departments alone are one dimension's values.
    fn who_shape(
        &self,
        c: &Criteria,
        omit_seniority: bool,
        omit_department: bool,
    ) -> Option<Shape> {
        if !c.roles.is_empty() {
            return None;
        }
        let seniority = !omit_seniority && !c.seniorities.is_empty();
        let department = !omit_department && !c.departments.is_empty();
        match (seniority, department) {
            (true, false) => Shape::of(0, seniority_ixs(&c.seniorities)),
            (false, true) => Shape::of(1, department_ixs(&c.departments, true)),
            _ => None,
        }
    }

    /// The shape of a facet group's own part of `c`, when it is one.
    fn own_shape(&self, c: &Criteria, group: Group) -> Option<Shape> {
        match group {
            Group::Seniority => Shape::of(0, seniority_ixs(c.refine_seniorities.as_ref()?)),
            Group::Department => {
                Shape::of(1, department_ixs(c.refine_departments.as_ref()?, false))
            }
            Group::Industry => Shape::of(
                2,
                c.industries
                    .iter()
                    .filter_map(|k| index_of(taxonomy::INDUSTRIES.iter().map(|t| t.key), k)),
            ),
            Group::State if c.cities.is_empty() => Shape::of(
                3,
                c.states
                    .iter()
                    .filter_map(|s| geo::STATES.iter().position(|g| g.code == s)),
            ),
            Group::State => None,
            Group::Size => {
                if c.employee_min.is_none() && c.employee_max.is_none() {
                    return None;
                }
                // Whole buckets only: a cut one is exact counts, not a value.
                let spans = size_spans(c.employee_min, c.employee_max);
                let whole: Option<Vec<usize>> = spans
                    .map(|span| match span {
                        SizeSpan::Whole(i) => Some(i),
                        SizeSpan::Cut(..) => None,
                    })
                    .collect();
                Shape::of(4, whole?)
            }
        }
    }

    /// The shape of one part.
    fn part_shape(&self, c: &Criteria, tag: Tag) -> Option<Shape> {
        match tag {
            Tag::Who => self.who_shape(
                c,
                c.refine_seniorities.is_some(),
                c.refine_departments.is_some(),
            ),
            Tag::Own(group) => self.own_shape(c, group),
            Tag::Other => None,
        }
    }

    /// The ANDed parts of `c`, each tagged with what owns it.
    fn parts(&self, c: &Criteria) -> Vec<(Tag, RoaringBitmap)> {
        let mut parts = Vec::new();
        let (omit_s, omit_d) = (
            c.refine_seniorities.is_some(),
            c.refine_departments.is_some(),
        );
        if let Some(who) = self.who(c, omit_s, omit_d) {
            parts.push((Tag::Who, who));
        }
        let mut push = |group: Option<Group>, people: RoaringBitmap| {
            parts.push((group.map_or(Tag::Other, Tag::Own), people));
        };
        if let Some(roles) = &c.refine_roles {
            push(
                None,
                union(roles.iter().map(|r| self.roles.get(r.as_str()))),
            );
        }
        if let Some(s) = &c.refine_seniorities {
            push(Some(Group::Seniority), self.seniorities(s));
        }
        if let Some(d) = &c.refine_departments {
            push(Some(Group::Department), self.departments(d, false));
        }
        if !c.industries.is_empty() {
            push(
                Some(Group::Industry),
                union(c.industries.iter().map(|k| {
                    index_of(taxonomy::INDUSTRIES.iter().map(|t| t.key), k)
                        .map(|i| &self.industry[i])
                })),
            );
        }
        if let Some(place) = self.place(c) {
            push(Some(Group::State), place);
        }
        if c.employee_min.is_some() || c.employee_max.is_some() {
            push(
                Some(Group::Size),
                self.employee_range(c.employee_min, c.employee_max),
            );
        }
        if !c.company_domains.is_empty() {
            push(
                None,
                union(c.company_domains.iter().map(|d| {
                    self.company_by_domain
                        .get(d)
                        .map(|&ix| &self.companies[ix as usize].people)
                })),
            );
        }
        for keyword in &c.keywords {
            // Every word of the keyword must appear in the title or the company's words.
            let mut title = Option::<RoaringBitmap>::None;
            let mut company = Option::<RoaringBitmap>::None;
            for word in tokens(keyword) {
                let t = self.title_word_people(&word);
                let k = self.company_token_people(&word);
                title = Some(title.map_or(t.clone(), |acc| acc & t));
                company = Some(company.map_or(k.clone(), |acc| acc & k));
            }
            push(
                None,
                title.unwrap_or_default() | company.unwrap_or_default(),
            );
        }
        if !c.email_status.is_empty() {
            push(
                None,
                union(
                    c.email_status
                        .iter()
                        .map(|&s| self.email_status.get(s as usize)),
                ),
            );
        }
        match c.has_phone {
            Some(true) => push(None, self.has_phone.clone()),
            Some(false) => push(None, &self.all - &self.has_phone),
            None => {}
        }
        if let Some(left_out) = self.excluded(&c.excluded) {
            // Never any facet's own: an excluded value stays out of every count.
            push(None, &self.all - left_out);
        }
        parts
    }

    /// Everyone an exclusion leaves out; `None` when it leaves out nobody.
    fn excluded(&self, x: &super::criteria::Excluded) -> Option<RoaringBitmap> {
        if x.is_empty() {
            return None;
        }
        let mut out = union(x.roles.iter().map(|r| self.roles.get(r.as_str())));
        out |= self.seniorities(&x.seniorities);
        out |= self.departments(&x.departments, false);
        out |= union(x.industries.iter().map(|k| {
            index_of(taxonomy::INDUSTRIES.iter().map(|t| t.key), k).map(|i| &self.industry[i])
        }));
        if !x.states.is_empty() {
            out |= self
                .place(&Criteria {
                    states: x.states.clone(),
                    ..Criteria::default()
                })
                .unwrap_or_default();
        }
        if !x.cities.is_empty() {
            out |= self
                .place(&Criteria {
                    cities: x.cities.clone(),
                    ..Criteria::default()
                })
                .unwrap_or_default();
        }
        Some(out)
    }

    /// People at companies in the places `c` names (cities within its states when
    /// both are given); `None` when it names none.
    fn place(&self, c: &Criteria) -> Option<RoaringBitmap> {
        let state_ix: Vec<u8> = c
            .states
            .iter()
            .filter_map(|s| {
                geo::STATES
                    .iter()
                    .position(|g| g.code == s)
                    .map(|i| i as u8)
            })
            .collect();
        if !c.cities.is_empty() {
            let mut places = RoaringBitmap::new();
            for city in &c.cities {
                let city = city.to_lowercase();
                let in_states = self.city_states.get(&city).cloned().unwrap_or_default();
                for s in in_states
                    .into_iter()
                    .filter(|s| state_ix.is_empty() || state_ix.contains(s))
                {
                    if let Some(m) = self.city.get(&(s, city.clone())) {
                        places |= m;
                    }
                }
            }
            Some(places)
        } else if !c.states.is_empty() {
            Some(union(state_ix.iter().map(|&s| self.state.get(s as usize))))
        } else {
            None
        }
    }

    /// Everyone matching `c` (before dedupe and caps).
    pub fn matching(&self, c: &Criteria) -> RoaringBitmap {
        let parts = self.parts(c);
        intersect(parts.iter().map(|(_, p)| p).collect()).unwrap_or_else(|| self.all.clone())
    }

    /// Everyone matching `c`, and for each facet group (in [`Group::ALL`] order)
    /// what its counts are taken over: everyone matching `c` with that group's own
    /// filters left out. `None` for a group `c` does not constrain (the matching
    /// set is its base). The parts are computed once and shared. Also the shape
    /// of the matching set, when it is one part that has one.
    pub fn matching_and_bases(
        &self,
        c: &Criteria,
    ) -> (RoaringBitmap, [Option<Base>; 5], Option<Shape>) {
        let parts = self.parts(c);
        let matched =
            intersect(parts.iter().map(|(_, p)| p).collect()).unwrap_or_else(|| self.all.clone());
        let matched_shape = match parts.as_slice() {
            [(tag, _)] => self.part_shape(c, *tag),
            _ => None,
        };
        let bases = Group::ALL.map(|g| {
            let constrained = match g {
                Group::Seniority => c.refine_seniorities.is_some() || !c.seniorities.is_empty(),
                Group::Department => c.refine_departments.is_some() || !c.departments.is_empty(),
                Group::Industry => !c.industries.is_empty(),
                Group::State => !c.states.is_empty() || !c.cities.is_empty(),
                Group::Size => c.employee_min.is_some() || c.employee_max.is_some(),
            };
            if !constrained {
                return None;
            }
            // Seniority and department also sit inside the who clause.
            let (omit_s, omit_d) = match g {
                Group::Seniority => (true, c.refine_departments.is_some()),
                Group::Department => (c.refine_seniorities.is_some(), true),
                _ => (false, false),
            };
            let who = match g {
                Group::Seniority | Group::Department => Some(self.who(c, omit_s, omit_d)),
                _ => None,
            };
            let kept: Vec<(Option<Tag>, &RoaringBitmap)> = parts
                .iter()
                .filter(|(tag, _)| match tag {
                    Tag::Own(own) => *own != g,
                    Tag::Who => who.is_none(),
                    Tag::Other => true,
                })
                .map(|(tag, p)| (Some(*tag), p))
                .chain(who.iter().flatten().map(|w| (None, w)))
                .collect();
            let shape = match kept.as_slice() {
                [(Some(tag), _)] => self.part_shape(c, *tag),
                [(None, _)] => self.who_shape(c, omit_s, omit_d),
                _ => None,
            };
            Some(match intersect(kept.iter().map(|(_, p)| *p).collect()) {
                None => Base::All,
                Some(set) => match shape {
                    Some(shape) => Base::Values(set, shape),
                    None => Base::Set(set),
                },
            })
        });
        (matched, bases, matched_shape)
    }

    /// The matching set split into relevance tiers, best first (see the module docs).
    pub fn tiers(&self, matched: RoaringBitmap, c: &Criteria) -> Vec<RoaringBitmap> {
        let groups: Vec<RoaringBitmap> = if c.keywords.is_empty() {
            vec![matched]
        } else {
            let hits = c
                .keywords
                .iter()
                .flat_map(|k| tokens(k))
                .map(|w| self.title_word_people(&w))
                .union();
            let rest = &matched - &hits;
            vec![matched & hits, rest]
        };
        let verified = &self.email_status[EmailStatus::Verified as usize];
        let mut tiers = Vec::with_capacity(groups.len() * 3);
        for g in groups {
            let v = &g & verified;
            let unverified = g - &v;
            let emailed = &unverified & &self.has_email;
            let rest = unverified - &emailed;
            tiers.extend([v, emailed, rest]);
        }
        tiers
    }

    /// Up to `limit` ids after `from`, and where the following page starts.
    pub fn page(
        tiers: &[RoaringBitmap],
        from: Position,
        limit: usize,
    ) -> (Vec<u32>, Option<Position>) {
        let mut ids = Vec::with_capacity(limit);
        let mut tier = from.tier as usize;
        let mut after = from.after;
        while tier < tiers.len() && ids.len() < limit {
            let bitmap = &tiers[tier];
            // rank(after) = how many ids ≤ after; select(k) = the k-th id (0-based).
            let mut k = after.map_or(0, |a| bitmap.rank(a));
            while ids.len() < limit {
                match bitmap.select(k as u32) {
                    Some(id) => {
                        ids.push(id);
                        after = Some(id);
                        k += 1;
                    }
                    None => break,
                }
            }
            if ids.len() < limit {
                tier += 1;
                after = None;
            }
        }
        let delivered = from.delivered + ids.len() as u32;
        let more = tier < tiers.len()
            && (after.map_or(!tiers[tier].is_empty(), |a| {
                tiers[tier].rank(a) < tiers[tier].len()
            }) || tiers[tier + 1..].iter().any(|t| !t.is_empty()));
        let next = more.then_some(Position {
            tier: tier as u8,
            after,
            delivered,
        });
        (ids, next)
    }

    /// Facet counts: each group's over its base (`bases`, in [`Group::ALL`] order;
    /// `None` is `matched`, [`Base::All`] everyone), per dimension by whichever
    /// costs less for that set: one pass over the per-person columns, or
    /// intersecting the value bitmaps (see `count_into`). Values with no count that
    /// occur in `listed` (a session's unrefined results) are listed with zero.
    pub fn facets(
        &self,
        matched: &RoaringBitmap,
        matched_shape: Option<&Shape>,
        bases: &[Option<Base>; 5],
        listed: Option<&RoaringBitmap>,
    ) -> Facets {
        let dims: [(&[RoaringBitmap], &[u8]); 5] = [
            (&self.seniority, &self.doc_seniority),
            (&self.department, &self.doc_department),
            (&self.industry, &self.doc_industry),
            (&self.state, &self.doc_state),
            (&self.size, &self.doc_size),
        ];
        let mut counts: Vec<Vec<u64>> = dims.iter().map(|(b, _)| vec![0u64; b.len()]).collect();
        // Group the dimensions by the set they are counted over, so the shared
        // matching set is walked once.
        let mut over_matched: Vec<usize> = Vec::new();
        for (dim, base) in bases.iter().enumerate() {
            match base {
                None => match matched_shape.and_then(|shape| self.cross_counts(shape, dim)) {
                    Some(c) => counts[dim] = c,
                    None => over_matched.push(dim),
                },
                Some(Base::All) => {
                    counts[dim] = dims[dim].0.iter().map(RoaringBitmap::len).collect()
                }
                Some(Base::Values(base, shape)) => match self.cross_counts(shape, dim) {
                    Some(c) => counts[dim] = c,
                    None => self.count_into(base, &[dim], &dims, &mut counts),
                },
                Some(Base::Set(base)) => self.count_into(base, &[dim], &dims, &mut counts),
            }
        }
        self.count_into(matched, &over_matched, &dims, &mut counts);
        if let Some(listed) = listed {
            for (dim, (bitmaps, _)) in dims.iter().enumerate() {
                for (v, bitmap) in bitmaps.iter().enumerate() {
                    if counts[dim][v] == 0 && !bitmap.is_disjoint(listed) {
                        counts[dim][v] = LISTED_ZERO;
                    }
                }
            }
        }
        let facet = |counts: &[u64], label: &dyn Fn(usize) -> (String, String), sort: bool| {
            let mut out: Vec<FacetCount> = counts
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .map(|(i, &n)| {
                    let (key, label) = label(i);
                    let count = if n == LISTED_ZERO { 0 } else { n };
                    FacetCount { key, label, count }
                })
                .collect();
            if sort {
                out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            }
            out
        };
        Facets {
            seniority: facet(
                &counts[0],
                &|i| {
                    (
                        taxonomy::SENIORITIES[i].key.into(),
                        taxonomy::SENIORITIES[i].label.into(),
                    )
                },
                false,
            ),
            department: facet(
                &counts[1],
                &|i| {
                    (
                        taxonomy::DEPARTMENTS[i].key.into(),
                        taxonomy::DEPARTMENTS[i].label.into(),
                    )
                },
                true,
            ),
            industry: facet(
                &counts[2],
                &|i| {
                    (
                        taxonomy::INDUSTRIES[i].key.into(),
                        taxonomy::INDUSTRIES[i].label.into(),
                    )
                },
                true,
            ),
            state: facet(
                &counts[3],
                &|i| (geo::STATES[i].code.into(), geo::STATES[i].name.into()),
                true,
            ),
            employee_range: facet(
                &counts[4],
                &|i| {
                    (
                        SIZE_BUCKETS[i].2.into(),
                        format!("{} employees", SIZE_BUCKETS[i].2),
                    )
                },
                false,
            ),
        }
    }
}

impl PeopleIndex {
    /// The counts of dimension `dim`'s values among the people with `shape`'s
    /// values, from the cross-tabs; `None` without them (an index built before
    /// them) or for the shape's own dimension.
    fn cross_counts(&self, shape: &Shape, dim: usize) -> Option<Vec<u64>> {
        if shape.dim == dim {
            return None;
        }
        let table = self.pairs.get(shape.dim * 5 + dim)?;
        let width = self.dim_len(dim);
        if width == 0 || table.len() != self.dim_len(shape.dim) * width {
            return None;
        }
        let mut counts = vec![0u64; width];
        for &v in &shape.values {
            for (n, &c) in counts.iter_mut().zip(&table[v * width..(v + 1) * width]) {
                *n += u64::from(c);
            }
        }
        Some(counts)
    }

    /// Adds the counts of the dimensions `which` over `set` into `counts`: by
    /// intersecting each value's bitmap with `set` for the dimensions where that
    /// is cheaper (few, dense values such as company sizes), and in one shared
    /// pass over the per-person columns for the others.
    fn count_into(
        &self,
        set: &RoaringBitmap,
        which: &[usize],
        dims: &[(&[RoaringBitmap], &[u8]); 5],
        counts: &mut [Vec<u64>],
    ) {
        let pass_cost = set.len().saturating_mul(2);
        let mut by_pass: Vec<usize> = Vec::with_capacity(which.len());
        for &dim in which {
            if self.intersect_cost(dims[dim].0) < pass_cost {
                counts[dim] = dims[dim]
                    .0
                    .iter()
                    .map(|b| b.intersection_len(set))
                    .collect();
            } else {
                by_pass.push(dim);
            }
        }
        match by_pass.as_slice() {
            [] => {}
            [dim] => {
                // One dimension: its column and counts hoisted out of the loop.
                let (column, out) = (dims[*dim].1, &mut counts[*dim]);
                for doc in set {
                    if let Some(&v) = column.get(doc as usize) {
                        if let Some(n) = out.get_mut(v as usize) {
                            *n += 1;
                        }
                    }
                }
            }
            many => {
                for doc in set {
                    let d = doc as usize;
                    for &dim in many {
                        if let Some(&v) = dims[dim].1.get(d) {
                            if v != NONE {
                                counts[dim][v as usize] += 1;
                            }
                        }
                    }
                }
            }
        }
    }

    /// About what intersecting every bitmap of a dimension with a large set costs,
    /// in the units of one column-pass step: a value's elements when they sit in
    /// sparse containers, 1,024 words per dense container otherwise.
    fn intersect_cost(&self, bitmaps: &[RoaringBitmap]) -> u64 {
        let containers = u64::from(self.all.max().unwrap_or(0) >> 16) + 1;
        bitmaps
            .iter()
            .map(|b| {
                let n = b.len();
                if n / containers < 4_096 {
                    n
                } else {
                    containers * 1_024
                }
            })
            .sum()
    }
}

/// Marks a value with no count that still occurs in a session's unrefined results.
const LISTED_ZERO: u64 = u64::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    fn bm(ids: &[u32]) -> RoaringBitmap {
        ids.iter().copied().collect()
    }

    #[test]
    fn pages_walk_the_tiers_in_order_without_gaps_or_repeats() {
        let tiers = vec![bm(&[5, 9]), bm(&[]), bm(&[1, 2, 3])];
        let start = Position {
            tier: 0,
            after: None,
            delivered: 0,
        };
        let (ids, next) = PeopleIndex::page(&tiers, start, 3);
        assert_eq!(ids, [5, 9, 1]);
        let next = next.unwrap();
        assert_eq!(next.delivered, 3);
        let (ids, next) = PeopleIndex::page(&tiers, next, 3);
        assert_eq!(ids, [2, 3]);
        assert_eq!(next, None);
        // An exact fit ends without a dangling empty page.
        let (ids, next) = PeopleIndex::page(&tiers, start, 5);
        assert_eq!(ids.len(), 5);
        assert_eq!(next, None);
        let (ids, next) = PeopleIndex::page(&[bm(&[])], start, 10);
        assert!(ids.is_empty() && next.is_none());
    }
}
