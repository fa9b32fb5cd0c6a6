//! The in-process people index: compressed bitmaps (roaring) of person ids per
//! filter value, built from the store at start-up and rebuilt when the data changes.
//! The store stays the source of truth; the index only answers "which ids, how many,
//! in which order", and pages are read back from the store by id.
//!
//! Ids are the store's dense integer surrogates (`person.id`), so a bitmap of a
//! million people is a few hundred kilobytes and set operations take microseconds.

use std::collections::HashMap;

use futures::TryStreamExt;
use quarry_shared::taxonomy::{self, EmailStatus};
use quarry_shared::{geo, interpret};
use roaring::{MultiOps, RoaringBitmap};

use crate::records::Company;
use crate::store::{Store, StoreError};

pub use quarry_shared::taxonomy::SIZE_BUCKETS;

/// Sentinel for "no value" in the one-byte per-document columns.
pub const NONE: u8 = u8::MAX;

fn bucket_of(employees: u32) -> u8 {
    SIZE_BUCKETS
        .iter()
        .position(|&(lo, hi, _)| (lo..=hi).contains(&employees))
        .unwrap_or(0) as u8
}

fn position<T>(items: &[T], wanted: impl Fn(&T) -> bool) -> u8 {
    items
        .iter()
        .position(wanted)
        .map(|i| i as u8)
        .unwrap_or(NONE)
}

/// A company as the index knows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IndexedCompany {
    /// The full stored row: results join it in memory instead of in SQL.
    pub record: Company,
    pub industry: u8,
    pub state: u8,
    pub employees: Option<u32>,
    /// Everyone at the company.
    pub people: RoaringBitmap,
}

/// Lowercase alphanumeric words, for title and company keyword matching.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A query word and its singular forms ("teachers" → "teacher", "agencies" →
/// "agency"), so a plural keyword finds singular titles.
pub fn word_forms(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_owned()];
    if word.len() > 3 {
        if let Some(stem) = word.strip_suffix("ies") {
            forms.push(format!("{stem}y"));
        } else if let Some(stem) = word.strip_suffix("es") {
            forms.push(stem.to_owned());
            forms.push(format!("{stem}e"));
        } else if let Some(stem) = word.strip_suffix('s').filter(|s| !s.ends_with('s')) {
            forms.push(stem.to_owned());
        }
    }
    forms
}

/// The index over the whole data set. (Snapshots are this struct as it is: bump
/// `snapshot::FORMAT` when a field changes.)
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PeopleIndex {
    pub all: RoaringBitmap,
    #[serde(with = "role_keys")]
    pub roles: HashMap<&'static str, RoaringBitmap>,
    pub seniority: Vec<RoaringBitmap>,
    pub department: Vec<RoaringBitmap>,
    pub industry: Vec<RoaringBitmap>,
    pub state: Vec<RoaringBitmap>,
    /// `(state index, lowercase city)` → people at companies there.
    pub city: HashMap<(u8, String), RoaringBitmap>,
    /// Lowercase city → state indexes it occurs in (for cities given without a state).
    pub city_states: HashMap<String, Vec<u8>>,
    pub size: Vec<RoaringBitmap>,
    /// Exact employee count → people, for the part of a size range that cuts a bucket.
    pub by_employees: std::collections::BTreeMap<u32, RoaringBitmap>,
    pub email_status: Vec<RoaringBitmap>,
    pub has_email: RoaringBitmap,
    pub has_phone: RoaringBitmap,
    pub has_linkedin: RoaringBitmap,
    pub title_tokens: HashMap<String, RoaringBitmap>,
    /// Company-name and company-keyword tokens → company indexes.
    pub company_tokens: HashMap<String, Vec<u32>>,
    pub companies: Vec<IndexedCompany>,
    pub company_by_domain: HashMap<String, u32>,
    pub company_by_id: HashMap<String, u32>,
    /// Per person id: the one-byte columns facets are counted from.
    pub doc_seniority: Vec<u8>,
    pub doc_department: Vec<u8>,
    pub doc_industry: Vec<u8>,
    pub doc_state: Vec<u8>,
    pub doc_size: Vec<u8>,
    /// Per person id: the index of its company in `companies` (`u32::MAX`: none).
    pub doc_company: Vec<u32>,
    /// Per person id: its rank by name (first name, then last initial) and by job
    /// title; equal keys share a rank.
    pub doc_rank_name: Vec<u32>,
    pub doc_rank_title: Vec<u32>,
    /// Per company: its rank by name and by location (state, then city).
    pub company_rank_name: Vec<u32>,
    pub company_rank_location: Vec<u32>,
    /// Cross-tabs of the facet dimensions (in `engine::Group::ALL` order): entry
    /// `a * 5 + b` counts, per value of `a` (rows) and value of `b` (columns), the
    /// people with both. Facets over a set that is some values of one dimension
    /// read them instead of walking the set.
    pub pairs: Vec<Vec<u32>>,
    /// The store's data version this index was built from.
    pub version: i64,
    /// Evaluations of recent searches on this index (never in a snapshot).
    #[serde(skip)]
    pub results: super::results::ResultCache,
}

/// Ranks of `keys` (equal keys share a rank), indexed like `keys`.
fn ranks<K: Ord>(keys: Vec<(K, u32)>, len: usize) -> Vec<u32> {
    let mut keys = keys;
    keys.sort_unstable();
    let mut out = vec![u32::MAX; len];
    let mut rank = 0u32;
    for i in 0..keys.len() {
        if i > 0 && keys[i].0 != keys[i - 1].0 {
            rank += 1;
        }
        if let Some(slot) = out.get_mut(keys[i].1 as usize) {
            *slot = rank;
        }
    }
    out
}

impl PeopleIndex {
    /// Builds the index from the store, streaming people (memory holds bitmaps, not rows).
    pub async fn build(store: &Store) -> Result<PeopleIndex, StoreError> {
        let version = store.data_version().await?;
        let mut index = PeopleIndex {
            seniority: vec![RoaringBitmap::new(); taxonomy::SENIORITIES.len()],
            department: vec![RoaringBitmap::new(); taxonomy::DEPARTMENTS.len()],
            industry: vec![RoaringBitmap::new(); taxonomy::INDUSTRIES.len()],
            state: vec![RoaringBitmap::new(); geo::STATES.len()],
            size: vec![RoaringBitmap::new(); SIZE_BUCKETS.len()],
            email_status: vec![RoaringBitmap::new(); EmailStatus::ALL.len()],
            version,
            ..PeopleIndex::default()
        };
        let mut companies = store.stream_companies();
        while let Some(c) = companies.try_next().await? {
            let ix = index.companies.len() as u32;
            let state = c
                .state
                .as_deref()
                .map_or(NONE, |s| position(geo::STATES, |g| g.code == s));
            for token in tokens(&c.name).chain(c.keywords.split(';').flat_map(tokens)) {
                let list = index.company_tokens.entry(token).or_default();
                if list.last() != Some(&ix) {
                    list.push(ix);
                }
            }
            if let Some(city) = &c.city {
                let states = index.city_states.entry(city.to_lowercase()).or_default();
                if !states.contains(&state) {
                    states.push(state);
                }
            }
            index
                .company_by_domain
                .entry(c.domain.clone())
                .or_insert(ix);
            index.company_by_id.insert(c.company_id.clone(), ix);
            index.companies.push(IndexedCompany {
                industry: c
                    .industry
                    .as_deref()
                    .map_or(NONE, |k| position(taxonomy::INDUSTRIES, |i| i.key == k)),
                state,
                employees: c.employee_count.map(|n| n.clamp(0, u32::MAX as i64) as u32),
                record: c,
                people: RoaringBitmap::new(),
            });
        }
        drop(companies);

        // Per company, computed once: which city list its people join.
        let mut city_ids: HashMap<(u8, String), u32> = HashMap::new();
        let company_city: Vec<u32> = index
            .companies
            .iter()
            .map(|c| match &c.record.city {
                Some(city) => {
                    let next = city_ids.len() as u32;
                    *city_ids
                        .entry((c.state, city.to_lowercase()))
                        .or_insert(next)
                }
                None => u32::MAX,
            })
            .collect();
        let mut city_buf: Vec<Vec<u32>> = vec![Vec::new(); city_ids.len()];

        // Titles and first names repeat: each distinct one is read (roles, words,
        // sort key) once, and people only carry its number.
        let mut titles = Interned::default();
        let mut title_roles: Vec<Vec<usize>> = Vec::new();
        let mut title_words: Vec<Vec<u32>> = Vec::new();
        let mut words = Interned::default();
        let mut role_keys: Vec<&'static str> = Vec::new();
        let mut role_buf: Vec<Vec<u32>> = Vec::new();
        let mut word_buf: Vec<Vec<u32>> = Vec::new();
        let mut first_names = Interned::default();
        let mut doc_title: Vec<u32> = Vec::new();
        let mut initials = Interned::default();
        let mut doc_name: Vec<(u32, u32)> = Vec::new();
        let mut employees_buf: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut people = store.stream_index_people();
        while let Some(p) = people.try_next().await? {
            let Ok(doc) = u32::try_from(p.id) else {
                continue;
            };
            let Some(&cix) = index.company_by_id.get(&p.company_id) else {
                continue;
            };
            let company = &mut index.companies[cix as usize];
            company.people.insert(doc);
            index.all.insert(doc);
            let d = doc as usize;
            if index.doc_seniority.len() <= d {
                let len = (d + 1).next_power_of_two();
                for column in [
                    &mut index.doc_seniority,
                    &mut index.doc_department,
                    &mut index.doc_industry,
                    &mut index.doc_state,
                    &mut index.doc_size,
                ] {
                    column.resize(len, NONE);
                }
                index.doc_company.resize(len, u32::MAX);
                doc_title.resize(len, u32::MAX);
                doc_name.resize(len, (u32::MAX, u32::MAX));
            }
            index.doc_company[d] = cix;
            let (title, new_title) = titles.id(&p.job_title);
            if new_title {
                title_roles.push(
                    interpret::roles_in_title(&p.job_title)
                        .into_iter()
                        .map(|role| match role_keys.iter().position(|&k| k == role) {
                            Some(i) => i,
                            None => {
                                role_keys.push(role);
                                role_buf.push(Vec::new());
                                role_keys.len() - 1
                            }
                        })
                        .collect(),
                );
                let mut ids: Vec<u32> = Vec::new();
                for token in tokens(&p.job_title) {
                    let (word, new_word) = words.id(&token);
                    if new_word {
                        word_buf.push(Vec::new());
                    }
                    if !ids.contains(&word) {
                        ids.push(word);
                    }
                }
                title_words.push(ids);
            }
            doc_title[d] = title;
            for &role in &title_roles[title as usize] {
                role_buf[role].push(doc);
            }
            for &word in &title_words[title as usize] {
                word_buf[word as usize].push(doc);
            }
            doc_name[d] = (
                first_names.id(&p.first_name).0,
                initials.id(&p.last_initial).0,
            );
            let seniority = p
                .seniority
                .as_deref()
                .map_or(NONE, |k| position(taxonomy::SENIORITIES, |t| t.key == k));
            let department = p
                .department
                .as_deref()
                .map_or(NONE, |k| position(taxonomy::DEPARTMENTS, |t| t.key == k));
            if seniority != NONE {
                index.seniority[seniority as usize].insert(doc);
            }
            if department != NONE {
                index.department[department as usize].insert(doc);
            }
            if company.industry != NONE {
                index.industry[company.industry as usize].insert(doc);
            }
            if company.state != NONE {
                index.state[company.state as usize].insert(doc);
            }
            if let Some(list) = city_buf.get_mut(company_city[cix as usize] as usize) {
                list.push(doc);
            }
            if let Some(n) = company.employees {
                employees_buf.entry(n).or_default().push(doc);
            }
            let size = company.employees.map_or(NONE, bucket_of);
            if size != NONE {
                index.size[size as usize].insert(doc);
            }
            index.doc_seniority[d] = seniority;
            index.doc_department[d] = department;
            index.doc_industry[d] = company.industry;
            index.doc_state[d] = company.state;
            index.doc_size[d] = size;
            if let Some(status) = p.email_status.as_deref().and_then(EmailStatus::parse) {
                index.email_status[status as usize].insert(doc);
            }
            if p.has_email {
                index.has_email.insert(doc);
            }
            if p.has_phone {
                index.has_phone.insert(doc);
            }
            if p.has_linkedin {
                index.has_linkedin.insert(doc);
            }
        }
        drop(people);
        // Ids arrive in ascending order, so building from sorted runs is cheap.
        index.roles = role_keys
            .into_iter()
            .zip(role_buf)
            .map(|(k, v)| (k, bitmap(v)))
            .collect();
        index.title_tokens = words
            .into_strings()
            .into_iter()
            .zip(word_buf)
            .map(|(k, v)| (k, bitmap(v)))
            .collect();
        let mut cities: Vec<((u8, String), u32)> = city_ids.into_iter().collect();
        cities.sort_unstable_by_key(|&(_, id)| id);
        index.city = cities
            .into_iter()
            .zip(city_buf)
            .map(|((key, _), v)| (key, bitmap(v)))
            .collect();
        index.by_employees = employees_buf
            .into_iter()
            .map(|(k, v)| (k, bitmap(v)))
            .collect();
        // Exactly as long as the highest id needs.
        let docs = index.all.max().map_or(0, |m| m as usize + 1);
        for column in [
            &mut index.doc_seniority,
            &mut index.doc_department,
            &mut index.doc_industry,
            &mut index.doc_state,
            &mut index.doc_size,
        ] {
            column.truncate(docs);
            column.shrink_to_fit();
        }
        index.doc_company.truncate(docs);
        index.doc_company.shrink_to_fit();
        doc_title.truncate(docs);
        doc_name.truncate(docs);
        index.pairs = index.cross_tabs();
        // Ranks: sort the distinct keys, then give each person its key's rank.
        let title_rank = ranks(
            titles
                .strings()
                .iter()
                .enumerate()
                .map(|(i, t)| (t.to_lowercase(), i as u32))
                .collect(),
            titles.strings().len(),
        );
        index.doc_rank_title = doc_title
            .iter()
            .map(|&t| title_rank.get(t as usize).copied().unwrap_or(u32::MAX))
            .collect();
        let mut names: Vec<(u32, u32)> = doc_name
            .iter()
            .copied()
            .filter(|&(f, _)| f != u32::MAX)
            .collect();
        names.sort_unstable();
        names.dedup();
        let lower_first: Vec<String> = first_names
            .strings()
            .iter()
            .map(|f| f.to_lowercase())
            .collect();
        let lower_initial: Vec<String> = initials
            .strings()
            .iter()
            .map(|i| i.to_lowercase())
            .collect();
        let name_rank = ranks(
            names
                .iter()
                .enumerate()
                .map(|(i, &(f, l))| {
                    (
                        (&lower_first[f as usize], &lower_initial[l as usize]),
                        i as u32,
                    )
                })
                .collect(),
            names.len(),
        );
        index.doc_rank_name = doc_name
            .iter()
            .map(|key| match names.binary_search(key) {
                Ok(i) => name_rank[i],
                Err(_) => u32::MAX,
            })
            .collect();
        let companies = index.companies.len();
        let company_keys = |key: &dyn Fn(&IndexedCompany) -> String| {
            index
                .companies
                .iter()
                .enumerate()
                .map(|(i, c)| (key(c), i as u32))
                .collect::<Vec<_>>()
        };
        let by_name = company_keys(&|c| c.record.name.to_lowercase());
        let by_place = company_keys(&|c| {
            format!(
                "{}\u{0}{}",
                c.record.state.as_deref().unwrap_or("\u{10ffff}"),
                c.record.city.as_deref().unwrap_or("").to_lowercase()
            )
        });
        index.company_rank_name = ranks(by_name, companies);
        index.company_rank_location = ranks(by_place, companies);
        Ok(index)
    }

    /// How many values facet dimension `dim` has (`engine::Group::ALL` order).
    pub fn dim_len(&self, dim: usize) -> usize {
        match dim {
            0 => self.seniority.len(),
            1 => self.department.len(),
            2 => self.industry.len(),
            3 => self.state.len(),
            4 => self.size.len(),
            _ => 0,
        }
    }

    /// The [`PeopleIndex::pairs`] of the per-person columns, in one pass.
    fn cross_tabs(&self) -> Vec<Vec<u32>> {
        let columns = [
            &self.doc_seniority,
            &self.doc_department,
            &self.doc_industry,
            &self.doc_state,
            &self.doc_size,
        ];
        let lens: Vec<usize> = (0..5).map(|d| self.dim_len(d)).collect();
        let mut pairs: Vec<Vec<u32>> = (0..25)
            .map(|i| {
                let (a, b) = (i / 5, i % 5);
                if a < b {
                    vec![0; lens[a] * lens[b]]
                } else {
                    Vec::new()
                }
            })
            .collect();
        for doc in &self.all {
            let d = doc as usize;
            let v: [u8; 5] = std::array::from_fn(|c| columns[c].get(d).copied().unwrap_or(NONE));
            for a in 0..5 {
                if v[a] == NONE {
                    continue;
                }
                for b in a + 1..5 {
                    if v[b] != NONE {
                        pairs[a * 5 + b][v[a] as usize * lens[b] + v[b] as usize] += 1;
                    }
                }
            }
        }
        for a in 0..5 {
            for b in 0..a {
                let mut table = vec![0; lens[a] * lens[b]];
                let upper = &pairs[b * 5 + a];
                for i in 0..lens[b] {
                    for j in 0..lens[a] {
                        table[j * lens[b] + i] = upper[i * lens[a] + j];
                    }
                }
                pairs[a * 5 + b] = table;
            }
        }
        pairs
    }

    /// Whether some job title or company name or keyword has `word` (or its singular).
    pub fn knows_word(&self, word: &str) -> bool {
        word_forms(word).iter().any(|form| {
            self.title_tokens.contains_key(form) || self.company_tokens.contains_key(form)
        })
    }

    /// Whether some company name or keyword has `word` (or its singular).
    pub fn knows_company_word(&self, word: &str) -> bool {
        word_forms(word)
            .iter()
            .any(|form| self.company_tokens.contains_key(form))
    }

    /// People whose title contains `word` (or its singular).
    pub fn title_word_people(&self, word: &str) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for form in word_forms(word) {
            if let Some(m) = self.title_tokens.get(&form) {
                out |= m;
            }
        }
        out
    }

    /// People at companies whose name or keywords contain `word` (or its singular).
    pub fn company_token_people(&self, word: &str) -> RoaringBitmap {
        let forms = word_forms(word);
        forms
            .iter()
            .flat_map(|form| {
                self.company_tokens
                    .get(form)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
            })
            .map(|&ix| &self.companies[ix as usize].people)
            .union()
    }

    /// People at companies with `min <= employees <= max`.
    pub fn employee_range(&self, min: Option<u32>, max: Option<u32>) -> RoaringBitmap {
        let mut parts: Vec<&RoaringBitmap> = Vec::new();
        for span in size_spans(min, max) {
            match span {
                SizeSpan::Whole(i) => parts.push(&self.size[i]),
                // A bucket cut by the range: the exact counts inside both.
                SizeSpan::Cut(lo, hi) => {
                    parts.extend(self.by_employees.range(lo..=hi).map(|(_, p)| p))
                }
            }
        }
        // One multi-way union instead of many pairwise ones.
        parts.union()
    }
}

/// How an employee range meets a size bucket it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeSpan {
    /// All of bucket `i`.
    Whole(usize),
    /// Part of a bucket: these exact employee counts.
    Cut(u32, u32),
}

/// The buckets `min..=max` employees touch, in order.
pub fn size_spans(min: Option<u32>, max: Option<u32>) -> impl Iterator<Item = SizeSpan> {
    let (lo, hi) = (min.unwrap_or(0), max.unwrap_or(u32::MAX));
    SIZE_BUCKETS
        .iter()
        .enumerate()
        .filter(move |&(_, &(b_lo, b_hi, _))| b_hi >= lo && b_lo <= hi)
        .map(move |(i, &(b_lo, b_hi, _))| {
            if lo <= b_lo && b_hi <= hi {
                SizeSpan::Whole(i)
            } else {
                SizeSpan::Cut(lo.max(b_lo), hi.min(b_hi))
            }
        })
}

/// Role keys are the taxonomy's `&'static str`s: a snapshot stores them as text
/// and reads back the taxonomy's own (an unknown key makes the snapshot unusable).
mod role_keys {
    use std::collections::HashMap;

    use quarry_shared::taxonomy;
    use roaring::RoaringBitmap;
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        roles: &HashMap<&'static str, RoaringBitmap>,
        out: S,
    ) -> Result<S::Ok, S::Error> {
        roles.serialize(out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<HashMap<&'static str, RoaringBitmap>, D::Error> {
        HashMap::<String, RoaringBitmap>::deserialize(input)?
            .into_iter()
            .map(|(key, people)| {
                taxonomy::ROLES
                    .iter()
                    .find(|r| r.key == key)
                    .map(|r| (r.key, people))
                    .ok_or_else(|| D::Error::custom(format!("unknown role {key:?}")))
            })
            .collect()
    }
}

/// Distinct strings, numbered in order of first sight.
#[derive(Default)]
struct Interned {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
}

impl Interned {
    /// The number of `s`, and whether it was new.
    fn id(&mut self, s: &str) -> (u32, bool) {
        if let Some(&id) = self.ids.get(s) {
            return (id, false);
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.to_owned(), id);
        self.strings.push(s.to_owned());
        (id, true)
    }

    fn strings(&self) -> &[String] {
        &self.strings
    }

    fn into_strings(self) -> Vec<String> {
        self.strings
    }
}

fn bitmap(sorted: Vec<u32>) -> RoaringBitmap {
    RoaringBitmap::from_sorted_iter(sorted.iter().copied())
        .unwrap_or_else(|_| sorted.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_count_once() {
        for n in [
            0,
            1,
            10,
            11,
            50,
            51,
            200,
            201,
            500,
            501,
            1000,
            1001,
            5000,
            5001,
            10_000,
            10_001,
            u32::MAX,
        ] {
            let hits = SIZE_BUCKETS
                .iter()
                .filter(|&&(lo, hi, _)| (lo..=hi).contains(&n))
                .count();
            assert_eq!(hits, 1, "{n}");
        }
        assert_eq!(SIZE_BUCKETS[bucket_of(42) as usize].2, "11-50");
    }

    #[test]
    fn plural_keywords_find_singular_words() {
        assert_eq!(word_forms("teachers"), ["teachers", "teacher"]);
        assert_eq!(word_forms("agencies"), ["agencies", "agency"]);
        assert!(word_forms("boxes").contains(&"box".to_owned()));
        assert_eq!(word_forms("sales"), ["sales", "sal", "sale"]);
        assert_eq!(word_forms("bus"), ["bus"]);
        assert_eq!(word_forms("business"), ["business"]);
    }

    #[test]
    fn tokens_are_lowercase_words() {
        let t: Vec<String> = tokens("Co-Founder & CEO, Acme.io").collect();
        assert_eq!(t, ["co", "founder", "ceo", "acme", "io"]);
    }
}
