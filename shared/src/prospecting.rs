//! Bodies of the prospecting routes the iframe calls with its embed token
//! (`/v1/prospecting/sessions…`): the request, the applied refinement filters and
//! the masked previews. Shared so the widget decodes exactly what the server sends.

use serde::{Deserialize, Serialize};

use crate::api::{Facets, Pagination};
use crate::interpret::Interpretation;

/// Whether the customer owns a record (and sees it in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevealState {
    /// Masked: bought records only are shown in full.
    Preview,
    /// Owned by this customer: shown in full.
    Purchased,
}

/// Refinements on top of the search text; explicit values override the text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AppliedFilters {
    /// Seniority keys (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seniority: Option<Vec<String>>,
    /// Department keys (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<Vec<String>>,
    /// Industry keys (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry: Option<Vec<String>>,
    /// Company states, codes or names (any of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_state: Option<Vec<String>>,
    /// Company city.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_count_min: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_count_max: Option<u32>,
    /// Email statuses (`verified`, `unverified`, `catch_all`, `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_status: Option<Vec<String>>,
    /// Only people with (true) or without (false) a mobile phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_phone: Option<bool>,
    /// Hide records this customer already owns.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub net_new_only: bool,
}

impl AppliedFilters {
    /// These refinements with `base`'s filling what these leave unset (a session's
    /// own filters under the refinements a page or a selection sends).
    pub fn over(&self, base: &AppliedFilters) -> AppliedFilters {
        AppliedFilters {
            seniority: self.seniority.clone().or_else(|| base.seniority.clone()),
            department: self.department.clone().or_else(|| base.department.clone()),
            industry: self.industry.clone().or_else(|| base.industry.clone()),
            location_state: self
                .location_state
                .clone()
                .or_else(|| base.location_state.clone()),
            location_city: self
                .location_city
                .clone()
                .or_else(|| base.location_city.clone()),
            employee_count_min: self.employee_count_min.or(base.employee_count_min),
            employee_count_max: self.employee_count_max.or(base.employee_count_max),
            email_status: self
                .email_status
                .clone()
                .or_else(|| base.email_status.clone()),
            has_phone: self.has_phone.or(base.has_phone),
            net_new_only: self.net_new_only || base.net_new_only,
        }
    }
}

/// What changing the place refinements (state, city) of a session is: a session
/// only ever narrows, so moving it somewhere its text does not cover is a new
/// search (PRODUCT.md §4: a new session is counted; refinements are free).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationChange {
    /// The same place the session started with.
    Same,
    /// Inside what the session already covers: a refinement.
    Narrows,
    /// Elsewhere (or back to the text's own place after a move): a new session,
    /// started with the wanted place.
    Moves,
}

impl AppliedFilters {
    /// Only the place refinements (what a moved session starts with).
    pub fn location_part(&self) -> AppliedFilters {
        AppliedFilters {
            location_state: self.location_state.clone(),
            location_city: self.location_city.clone(),
            ..AppliedFilters::default()
        }
    }

    /// The states (lowercase codes or names, sorted) and the city refined to.
    fn place(&self) -> (Vec<String>, Option<String>) {
        let norm = |v: &str| {
            Some(v.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
        };
        let mut states: Vec<String> = self
            .location_state
            .iter()
            .flatten()
            .filter_map(|s| norm(s))
            .map(|s| crate::geo::state(&s).map_or(s, |st| st.code.to_ascii_lowercase()))
            .collect();
        states.sort_unstable();
        states.dedup();
        (states, self.location_city.as_deref().and_then(norm))
    }
}

/// How going from a session whose text reads `text` and which started with the
/// filters `started` to the refinements `wanted` relates to it.
///
/// The place a session covers is the one it started with (a session started
/// somewhere the text did not say), else the text's. A refinement inside that
/// place narrows; anything else, dropping a place the session started with
/// included, is another search.
pub fn location_change(
    text: &Interpretation,
    started: &AppliedFilters,
    wanted: &AppliedFilters,
) -> LocationChange {
    let (from, to) = (started.place(), wanted.place());
    if from == to {
        return LocationChange::Same;
    }
    let nowhere = (Vec::new(), None);
    let moved = from != nowhere;
    if to == nowhere {
        // Only a moved session gets here: back to the text's own place.
        return LocationChange::Moves;
    }
    let (states, cities): (Vec<String>, Vec<String>) = if moved {
        (from.0, from.1.into_iter().collect())
    } else {
        if text.locations.is_empty() {
            return LocationChange::Narrows;
        }
        let lower = |s: &Option<String>| s.as_deref().map(str::to_ascii_lowercase);
        (
            text.locations
                .iter()
                .filter_map(|l| lower(&l.state))
                .collect(),
            text.locations
                .iter()
                .filter_map(|l| lower(&l.city))
                .collect(),
        )
    };
    let (wanted_states, city) = to;
    let state_ok = wanted_states
        .iter()
        .all(|s| states.is_empty() || states.contains(s));
    // A city alone is inside the covered states when a city of that name lies in
    // one of them.
    let city_in_states = |c: &str| {
        states.is_empty()
            || !wanted_states.is_empty()
            || crate::geo::cities_named(c)
                .any(|known| states.contains(&known.state.to_ascii_lowercase()))
    };
    let city_ok = match &city {
        // The text's own city stays in its criteria; a started city must be kept.
        None => !moved || cities.is_empty(),
        Some(c) if cities.is_empty() => city_in_states(c),
        Some(c) => cities.contains(c),
    };
    if state_ok && city_ok {
        LocationChange::Narrows
    } else {
        LocationChange::Moves
    }
}

/// `POST /v1/prospecting/sessions`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartSession {
    /// Plain-language search.
    pub q: String,
    #[serde(default)]
    pub filters: Option<AppliedFilters>,
    /// Page size, 1–100 (default 25).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// What a session page is ordered by: relevance (the documented default order)
/// or one column, ascending or descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SortKey {
    #[default]
    Relevance,
    /// First name, then last initial.
    Name,
    Title,
    Company,
    /// Company employee count (unknown sizes last).
    Size,
    /// Company state, then city.
    Location,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Relevance,
        SortKey::Name,
        SortKey::Title,
        SortKey::Company,
        SortKey::Size,
        SortKey::Location,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SortKey::Relevance => "relevance",
            SortKey::Name => "name",
            SortKey::Title => "title",
            SortKey::Company => "company",
            SortKey::Size => "size",
            SortKey::Location => "location",
        }
    }
}

/// A sort order: `name` ascending, `-size` descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// `relevance`, `name`, `-name`, … (`-relevance` is not an order).
    pub fn parse(value: &str) -> Option<Sort> {
        let value = value.trim();
        let (descending, name) = match value.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, value),
        };
        let key = SortKey::ALL.into_iter().find(|k| k.as_str() == name)?;
        (!(descending && key == SortKey::Relevance)).then_some(Sort { key, descending })
    }

    /// The query-parameter value.
    pub fn as_param(self) -> String {
        format!(
            "{}{}",
            if self.descending { "-" } else { "" },
            self.key.as_str()
        )
    }
}

/// The company part of a preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewCompany {
    pub name: String,
    pub domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// One search result as the iframe shows it: masked unless the customer owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProspectPreview {
    /// Stable within Quarry; what selections name.
    pub prospect_id: String,
    pub first_name: String,
    /// The initial only (`D.`) unless purchased.
    pub last_name: String,
    pub job_title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    pub company: PreviewCompany,
    pub has_email: bool,
    pub has_phone: bool,
    pub has_linkedin: bool,
    /// `verified`, `unverified`, `catch_all` or `invalid`, when there is an email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_status: Option<String>,
    /// When a verified email was last checked (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified_at: Option<String>,
    /// `j•••@example.com` unless purchased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Only when purchased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    /// Only when purchased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_url: Option<String>,
    pub reveal_state: RevealState,
    /// On the customer's suppression list (already in their CRM): hidden by
    /// "net-new only".
    #[serde(default)]
    pub suppressed: bool,
}

/// `POST /v1/prospecting/data-flags`: a customer reports a bad record it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagReport {
    pub prospect_id: String,
    /// `bounced_email`, `wrong_phone`, `left_company`, `wrong_title` or `other`.
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the widget reads from a recorded flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagAnswer {
    pub credited: bool,
    pub credited_units: i64,
    /// For people: what happened.
    pub message: String,
}

/// A saved search as the widget and the partner API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedSearchView {
    pub id: String,
    pub partner_customer_id: String,
    pub name: String,
    pub q: String,
    pub filters: AppliedFilters,
    /// Announced to the partner's webhook endpoints when an import brings new matches.
    pub watch: bool,
    /// People it matches now that it never showed: "N new since you last looked".
    pub new_matches: u64,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_viewed_at: Option<String>,
}

/// `POST …/saved-searches`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveSearch {
    /// 1–100 characters.
    pub name: String,
    pub q: String,
    #[serde(default)]
    pub filters: Option<AppliedFilters>,
    /// Default true.
    #[serde(default)]
    pub watch: Option<bool>,
}

/// The reasons a customer can give, with their labels, in the order offered.
pub const FLAG_REASONS: &[(&str, &str)] = &[
    ("bounced_email", "The email bounced"),
    ("wrong_phone", "The phone number is wrong"),
    ("left_company", "They left the company"),
    ("wrong_title", "The title is wrong"),
    ("other", "Something else"),
];

/// A page of a prospecting session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionPage {
    pub search_id: String,
    pub interpretation: Interpretation,
    pub applied_filters: AppliedFilters,
    pub pagination: Pagination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    pub data: Vec<ProspectPreview>,
}

/// Which records a quote, push or export is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SelectionMode {
    /// The `prospect_ids` the user ticked.
    Selected,
    /// The `prospect_ids` of the page on screen.
    Page,
    /// Everything the session matches with `applied_filters` (capped).
    AllResults,
}

/// The selection body of quote, push and export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Selection {
    pub selection_mode: SelectionMode,
    /// For `selected` and `page`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prospect_ids: Option<Vec<String>>,
    /// For `all_results` (absent: the session's own filters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_filters: Option<AppliedFilters>,
    /// Only the first this many records of the selection, in its order (the
    /// ids as given, or the session's result order): "buy the N that fit".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub limit: Option<u32>,
}

/// What buying a selection would cost; changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    pub records: u64,
    pub net_new_billable_records: u64,
    pub already_purchased_records: u64,
    pub credit_units: i64,
    /// `null` for a metered wallet without grants (no finite balance).
    pub available_credit_units: Option<i64>,
    pub allowed: bool,
    pub block_reason: Option<String>,
    /// For a selection over the per-purchase cap (`block_reason`
    /// `selection_too_large`), `records` is the whole selection and the other
    /// counts and the credits are those of its first `max_records_per_purchase`.
    ///
    /// How many of the selection, in its order, one purchase can buy right now:
    /// all of it when `allowed`; otherwise the most that the wallet's balance and
    /// limits and the per-purchase cap allow (0 when none). Buy them by sending
    /// the same selection with `limit`.
    pub fits_records: u64,
    /// The most records one purchase holds.
    pub max_records_per_purchase: u32,
}

/// Where a push's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Being sent, or waiting for its next attempt.
    Pending,
    /// The partner accepted every chunk (2xx).
    Delivered,
    /// Retries ran out; replay it with `POST /v1/deliveries/{id}/retry`.
    Failed,
    /// The endpoint answered `410 Gone`; set the delivery URL again to resume.
    Gone,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Gone,
    ];

    /// The wire (and stored) name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Gone => "gone",
        }
    }

    pub fn parse(value: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// The answer to `POST /v1/prospecting/sessions/{search_id}/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    /// Whether the partner accepted every chunk (2xx) while the request waited.
    pub delivered: bool,
    /// `pending` while it is still being sent (a slow partner) or waits for a
    /// retry; `delivered`, `failed` or `gone` once that is settled.
    pub delivery_state: DeliveryStatus,
    /// The partner's last HTTP status, if it answered.
    pub delivery_status: Option<u16>,
    /// Why the last attempt failed (`timed out`, `could not connect: …`,
    /// `HTTP 503`), if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
    /// Follow it in `GET /v1/deliveries`; retries keep its `webhook-id`s.
    pub delivery_id: String,
    pub search_id: String,
    pub partner_customer_id: String,
    /// The selection as pushed, with the request's field names.
    pub selection: PushedSelection,
    pub pushed_records: usize,
    pub net_new_billable_records: usize,
    pub already_purchased_records: usize,
}

/// The selection a push answer reports: what the request sent (its field names)
/// and how many records it came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushedSelection {
    pub selection_mode: SelectionMode,
    /// The ids sent for `selected` and `page`; absent for `all_results`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prospect_ids: Option<Vec<String>>,
    /// The refinements sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_filters: Option<AppliedFilters>,
    /// The `limit` sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    pub total_records: usize,
}

impl PushedSelection {
    /// What `selection` came to, `total_records` of them.
    pub fn of(selection: &Selection, total_records: usize) -> PushedSelection {
        let all = selection.selection_mode == SelectionMode::AllResults;
        PushedSelection {
            selection_mode: selection.selection_mode,
            prospect_ids: if all {
                None
            } else {
                selection.prospect_ids.clone()
            },
            applied_filters: selection.applied_filters.clone(),
            limit: selection.limit,
            total_records,
        }
    }
}

/// What an export's headers say about it (`x-exported-records`,
/// `x-net-new-billable-records`, `x-already-purchased-records`,
/// `content-disposition`), as the widget reports it to the partner page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportResult {
    pub search_id: String,
    pub filename: String,
    pub exported_records: u64,
    pub net_new_billable_records: u64,
    pub already_purchased_records: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refinements_fill_in_from_the_session() {
        let base = AppliedFilters {
            location_state: Some(vec!["TX".into()]),
            seniority: Some(vec!["director".into()]),
            ..AppliedFilters::default()
        };
        let refined = AppliedFilters {
            seniority: Some(vec!["vp".into()]),
            has_phone: Some(true),
            ..AppliedFilters::default()
        };
        let merged = refined.over(&base);
        assert_eq!(merged.location_state, Some(vec!["TX".to_owned()]));
        assert_eq!(merged.seniority, Some(vec!["vp".to_owned()]));
        assert_eq!(merged.has_phone, Some(true));
        assert_eq!(AppliedFilters::default().over(&base), base);
        assert_eq!(base.over(&AppliedFilters::default()), base);
    }

    #[test]
    fn a_place_the_text_does_not_cover_is_a_new_search() {
        use LocationChange::*;
        let at = |state: Option<&str>, city: Option<&str>| AppliedFilters {
            location_state: state.map(|s| vec![s.to_owned()]),
            location_city: city.map(str::to_owned),
            seniority: Some(vec!["vp".into()]),
            ..AppliedFilters::default()
        };
        let none = AppliedFilters::default();
        let california = crate::interpret::interpret("directors in California");
        let vegas = crate::interpret::interpret("CEOs in Las Vegas");
        let anywhere = crate::interpret::interpret("sales people");
        // (text, the session started with, wanted, what it is)
        let cases = [
            (&california, &none, at(None, None), Same),
            (&california, &none, at(Some("CA"), None), Narrows),
            (&california, &none, at(Some("ca"), Some("Fresno")), Narrows),
            (&california, &none, at(Some("TX"), None), Moves),
            (
                &california,
                &at(Some("TX"), None),
                at(Some("TX"), None),
                Same,
            ),
            (
                &california,
                &at(Some("TX"), None),
                at(Some("NV"), None),
                Moves,
            ),
            (&california, &at(Some("TX"), None), at(None, None), Moves),
            (&vegas, &none, at(Some("NV"), None), Narrows),
            (&vegas, &none, at(Some("NV"), Some("Reno")), Moves),
            // A city without a state: inside the text's state or not.
            (&california, &none, at(None, Some("Fresno")), Narrows),
            (&california, &none, at(None, Some("Austin")), Moves),
            (&anywhere, &none, at(Some("TX"), Some("Austin")), Narrows),
            // A session started in Texas narrows within Texas for free, and moves
            // when it leaves Texas or drops a place it started with.
            (
                &anywhere,
                &at(Some("TX"), None),
                at(Some("TX"), Some("Austin")),
                Narrows,
            ),
            (
                &california,
                &at(Some("TX"), None),
                at(None, Some("Dallas")),
                Narrows,
            ),
            (
                &california,
                &at(Some("TX"), None),
                at(None, Some("Fresno")),
                Moves,
            ),
            (
                &anywhere,
                &at(Some("TX"), Some("Austin")),
                at(Some("TX"), None),
                Moves,
            ),
            (
                &anywhere,
                &at(Some("TX"), Some("Austin")),
                at(Some("TX"), Some("Dallas")),
                Moves,
            ),
        ];
        for (text, started, wanted, want) in cases {
            assert_eq!(
                location_change(text, started, &wanted),
                want,
                "{:?} from {started:?} to {wanted:?}",
                text.locations
            );
        }
        assert_eq!(
            at(Some("TX"), Some("Austin")).location_part(),
            AppliedFilters {
                location_state: Some(vec!["TX".into()]),
                location_city: Some("Austin".into()),
                ..AppliedFilters::default()
            }
        );
    }

    #[test]
    fn sort_orders_round_trip_through_their_parameter() {
        for key in SortKey::ALL {
            for descending in [false, true] {
                let sort = Sort { key, descending };
                if key == SortKey::Relevance && descending {
                    assert_eq!(Sort::parse(&sort.as_param()), None);
                } else {
                    assert_eq!(Sort::parse(&sort.as_param()), Some(sort));
                }
            }
        }
        assert_eq!(Sort::parse("shoe size"), None);
        assert_eq!(Sort::parse(""), None);
    }

    #[test]
    fn delivery_statuses_have_one_name_on_the_wire_and_in_the_store() {
        use DeliveryStatus::*;
        let names = [
            (Pending, "pending"),
            (Delivered, "delivered"),
            (Failed, "failed"),
            (Gone, "gone"),
        ];
        assert_eq!(names.len(), DeliveryStatus::ALL.len());
        for (status, name) in names {
            assert_eq!(status.as_str(), name);
            assert_eq!(DeliveryStatus::parse(name), Some(status));
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(
                serde_json::from_str::<DeliveryStatus>(&format!("\"{name}\"")).unwrap(),
                status
            );
        }
        assert_eq!(DeliveryStatus::parse("sent"), None);
    }
}
