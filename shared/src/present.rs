//! How the iframe words things for people: counts, the quote line, wallet lines and
//! block reasons in plain words. Pure functions here rather than in the widget so
//! they are unit-tested natively and the wording is reviewed in one place.

use crate::prospecting::{DeliveryStatus, ExportResult, PushResult, Quote};
use crate::wallet::{EnforcementMode, WalletSummary};

/// `1234567` → `"1,234,567"`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed count (`-12` → `"-12"`).
pub fn signed(n: i64) -> String {
    if n < 0 {
        format!("-{}", count(n.unsigned_abs()))
    } else {
        count(n.unsigned_abs())
    }
}

/// `"1 person"`, `"1,234 people"`.
pub fn people(n: u64) -> String {
    if n == 1 {
        "1 person".to_owned()
    } else {
        format!("{} people", count(n))
    }
}

/// `"1 contact"`, `"25 contacts"`.
pub fn contacts(n: u64) -> String {
    if n == 1 {
        "1 contact".to_owned()
    } else {
        format!("{} contacts", count(n))
    }
}

/// `"3 new, 12 already yours"`.
fn new_and_owned(net_new: u64, owned: u64) -> String {
    format!("{} new, {} already yours", count(net_new), count(owned))
}

/// What a push did: sent, or bought and waiting for the partner (and why).
pub fn push_outcome(r: &PushResult) -> String {
    push_outcome_to(r, None)
}

/// Where the partner's push button sends records, read from its label: "Add to
/// HubSpot" → "HubSpot". `None` when the label names no target.
pub fn cta_target(label: &str) -> Option<&str> {
    let (_, target) = label.split_once(" to ")?;
    let target = target.trim().trim_end_matches(['.', '!']);
    (!target.is_empty()).then_some(target)
}

/// [`push_outcome`] naming where the records went: "Sent 3 contacts to HubSpot
/// (3 new, 0 already yours)."
pub fn push_outcome_to(r: &PushResult, target: Option<&str>) -> String {
    let detail = new_and_owned(
        r.net_new_billable_records as u64,
        r.already_purchased_records as u64,
    );
    let n = contacts(r.pushed_records as u64);
    if r.delivered {
        return match target {
            Some(t) => format!("Sent {n} to {t} ({detail})."),
            None => format!("Sent {n} ({detail})."),
        };
    }
    let why = match r.delivery_status {
        Some(status) => format!("your app answered HTTP {status}"),
        None => "your app could not be reached".to_owned(),
    };
    match r.delivery_state {
        DeliveryStatus::Pending if r.delivery_status.is_none() && r.delivery_error.is_none() => {
            format!("Bought {n} ({detail}); they are on their way to your app.")
        }
        DeliveryStatus::Gone => format!(
            "Bought {n} ({detail}), but your app no longer accepts them (HTTP 410). \
             Ask its administrator to check the delivery address."
        ),
        DeliveryStatus::Failed => {
            format!(
                "Bought {n} ({detail}), but {why}. Delivery can be retried from the delivery log."
            )
        }
        _ => format!("Bought {n} ({detail}), but {why}. Delivery will be retried automatically."),
    }
}

/// What an export did: `"Downloaded x.csv with 25 contacts (25 new, 0 already yours)."`
pub fn export_outcome(r: &ExportResult) -> String {
    format!(
        "Downloaded {} with {} ({}).",
        r.filename,
        contacts(r.exported_records),
        new_and_owned(r.net_new_billable_records, r.already_purchased_records)
    )
}

/// Why a quoted selection cannot be bought whole, and how much of it can, in
/// plain words, or `None` when it can be bought whole: "This selection has 1,240
/// people; one purchase holds at most 1,000." / "Your 1,600 credits cover 800 of
/// these 1,240 (2 credits each for new contacts)."
pub fn fit_line(q: &Quote) -> Option<String> {
    if q.allowed {
        return None;
    }
    let over_cap = q.block_reason.as_deref() == Some("selection_too_large");
    let all = count(q.records);
    let fits = count(q.fits_records);
    Some(if over_cap {
        let cap = u64::from(q.max_records_per_purchase);
        let mut line = format!(
            "This selection has {}; one purchase holds at most {}",
            people(q.records),
            count(cap)
        );
        if q.fits_records < cap.min(q.records) {
            match q.available_credit_units {
                Some(available) => line.push_str(&format!(
                    ", and your {} cover {fits} of those",
                    credits(available)
                )),
                None => line.push_str(&format!(", and {fits} of those can be bought now")),
            }
        }
        line.push('.');
        line
    } else if q.block_reason.as_deref() == Some("insufficient_credits") {
        let each = if q.net_new_billable_records > 0 {
            q.credit_units / q.net_new_billable_records as i64
        } else {
            0
        };
        match q.available_credit_units {
            Some(available) => format!(
                "Your {} cover {fits} of these {all} ({} each for new contacts).",
                credits(available),
                credits(each)
            ),
            None => format!("Your balance covers {fits} of these {all}."),
        }
    } else {
        let why = q.block_reason.as_deref().map_or("", |r| block_reason(r));
        format!("{why} {fits} of these {all} can be bought now.")
            .trim()
            .to_owned()
    })
}

/// Why a result matches the search, in words, for the row detail: "Title
/// “Chief Marketing Officer” reads as CMO", "Industry: SaaS and software
/// companies", "“kubernetes” in the title".
pub fn matched(
    i: &crate::interpret::Interpretation,
    p: &crate::prospecting::ProspectPreview,
) -> Vec<String> {
    let mut out = Vec::new();
    let title_roles = crate::interpret::roles_in_title(&p.job_title);
    for role in &i.roles {
        if title_roles.contains(&role.key.as_str()) {
            out.push(format!("Title “{}” reads as {}", p.job_title, role.label));
        }
    }
    let has = |terms: &[crate::interpret::Term], value: &Option<String>| {
        terms
            .iter()
            .find(|t| value.as_deref() == Some(t.key.as_str()))
            .map(|t| t.label.clone())
    };
    if let Some(label) = has(&i.seniorities, &p.seniority) {
        out.push(format!("Seniority: {label}"));
    }
    if let Some(label) = has(&i.departments, &p.department) {
        out.push(format!("Department: {label}"));
    }
    if let Some(label) = has(&i.industries, &p.company.industry) {
        out.push(format!("Industry: {label}"));
    }
    for place in &i.locations {
        let state_ok = place.state.is_none() || place.state == p.company.state;
        let city_ok = place.city.as_deref().is_none_or(|c| {
            p.company
                .city
                .as_deref()
                .is_some_and(|pc| pc.eq_ignore_ascii_case(c))
        });
        if state_ok && city_ok {
            out.push(format!("Located in {}", place.label));
        }
    }
    let (min, max) = (i.filters.employee_count_min, i.filters.employee_count_max);
    if let (Some(n), Some(label)) = (
        p.company.employee_count,
        crate::interpret::size_label(min, max),
    ) {
        out.push(format!("{} employees ({label})", count(n.max(0) as u64)));
    }
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (title, company) = (words(&p.job_title), words(&p.company.name));
    for k in &i.filters.keywords {
        let singular = k.strip_suffix('s').unwrap_or(k);
        let found = |ws: &[String]| ws.iter().any(|w| w == k || w == singular);
        if found(&title) {
            out.push(format!("“{k}” in the title"));
        } else if found(&company) {
            out.push(format!("“{k}” in the company name"));
        } else {
            out.push(format!("“{k}” in the company's keywords"));
        }
    }
    out
}

/// `"1 credit"`, `"37 credits"`.
pub fn credits(n: i64) -> String {
    if n == 1 {
        "1 credit".to_owned()
    } else {
        format!("{} credits", signed(n))
    }
}

/// The quote before buying: `"37 new · 12 already yours · 37 credits · balance
/// after 63"`. A metered wallet without grants has no balance to show.
pub fn quote_line(q: &Quote) -> String {
    let mut parts = vec![
        format!("{} new", count(q.net_new_billable_records)),
        format!("{} already yours", count(q.already_purchased_records)),
        credits(q.credit_units),
    ];
    if let Some(available) = q.available_credit_units {
        parts.push(format!(
            "balance after {}",
            signed(available.saturating_sub(q.credit_units))
        ));
    }
    parts.join(" · ")
}

/// A block reason (`limit_state.*_block_reason`, a 402's `block_reason`) in plain
/// words, saying what the customer can do about it.
pub fn block_reason(reason: &str) -> &'static str {
    known_block_reason(reason)
        .unwrap_or("This action is blocked by your account's limits. Contact your account admin.")
}

/// The words for a block reason or error code that is one (`customer_suspended`),
/// `None` for anything else.
pub fn known_block_reason(reason: &str) -> Option<&'static str> {
    let words = match reason {
        "customer_suspended" => {
            "Your prospecting access is paused. Contact your account admin to turn it back on."
        }
        "insufficient_credits" => {
            "You don't have enough credits for this. Ask your account admin to add credits."
        }
        "monthly_credit_limit_reached" => {
            "You've reached this month's credit limit. It resets on the 1st, or your admin can raise it."
        }
        "lifetime_credit_limit_reached" => {
            "You've reached your account's total credit limit. Your admin can raise it."
        }
        "monthly_search_session_limit_reached" => {
            "You've used this month's searches. They reset on the 1st, or your admin can raise the limit."
        }
        "lifetime_search_session_limit_reached" => {
            "You've used all the searches on your account. Your admin can raise the limit."
        }
        "monthly_record_reveal_limit_reached" => {
            "You've reached this month's limit on new contacts. It resets on the 1st, or your admin can raise it."
        }
        "lifetime_record_reveal_limit_reached" => {
            "You've reached your account's limit on new contacts. Your admin can raise it."
        }
        _ => return None,
    };
    Some(words)
}

/// The wallet meter's headline: `"482 credits available"`, or for a metered
/// wallet without grants `"Pay as you go"`.
pub fn balance_line(w: &WalletSummary) -> String {
    match (w.available_credit_units, w.credit_enforcement_mode) {
        (Some(n), _) => format!("{} available", credits(n)),
        (None, EnforcementMode::Metered) => "Pay as you go".to_owned(),
        (None, EnforcementMode::Enforced) => "No credits".to_owned(),
    }
}

/// One limit of the wallet meter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitLine {
    /// `"New contacts this month"`.
    pub label: &'static str,
    pub used: i64,
    pub limit: i64,
}

impl LimitLine {
    /// `"12 of 50"`.
    pub fn text(&self) -> String {
        format!("{} of {}", signed(self.used), signed(self.limit))
    }

    /// Used share in percent, 0–100, for a meter.
    pub fn percent(&self) -> u8 {
        if self.limit <= 0 {
            return 100;
        }
        let p = (self.used.max(0) as f64 / self.limit as f64 * 100.0).round();
        p.clamp(0.0, 100.0) as u8
    }
}

/// The limits that are set, with their usage, in a fixed order.
pub fn limit_lines(w: &WalletSummary) -> Vec<LimitLine> {
    let (l, u) = (&w.limits, &w.usage);
    [
        (
            "Credits this month",
            l.monthly_credit_units,
            u.monthly_credit_units,
        ),
        (
            "Credits in total",
            l.lifetime_credit_units,
            u.lifetime_credit_units,
        ),
        (
            "Searches this month",
            l.monthly_search_sessions,
            u.monthly_search_sessions,
        ),
        (
            "Searches in total",
            l.lifetime_search_sessions,
            u.lifetime_search_sessions,
        ),
        (
            "New contacts this month",
            l.monthly_record_reveals,
            u.monthly_record_reveals,
        ),
        (
            "New contacts in total",
            l.lifetime_record_reveals,
            u.lifetime_record_reveals,
        ),
    ]
    .into_iter()
    .filter_map(|(label, limit, used)| limit.map(|limit| LimitLine { label, used, limit }))
    .collect()
}

/// A partner's accent colour, checked and with what reads well with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accent {
    /// `#rrggbb`: buttons, ticks, focus rings.
    pub fill: String,
    /// The text colour on `fill` (`#ffffff` or `#111111`).
    pub on_fill: &'static str,
    /// The accent as text (links) on the light background: darkened until it has
    /// 4.5:1 contrast (WCAG AA).
    pub ink_light: String,
    /// The same on the dark background, lightened instead.
    pub ink_dark: String,
}

/// The light and dark backgrounds of the widget (`--q-bg` in style/quarry.css).
const LIGHT_BG: [f64; 3] = [1.0, 1.0, 1.0];
const DARK_BG: [f64; 3] = [17.0 / 255.0, 22.0 / 255.0, 29.0 / 255.0];

fn luminance(rgb: [f64; 3]) -> f64 {
    let lin = |v: f64| {
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

/// WCAG contrast ratio of two colours.
pub fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn hex(rgb: [f64; 3]) -> String {
    let byte = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        byte(rgb[0]),
        byte(rgb[1]),
        byte(rgb[2])
    )
}

/// `rgb` mixed toward `target` in 5 % steps until it reads on `bg` (4.5:1).
fn readable_on(rgb: [f64; 3], bg: [f64; 3], target: f64) -> [f64; 3] {
    let mut c = rgb;
    for step in 0..=20 {
        let t = f64::from(step) / 20.0;
        c = [0, 1, 2].map(|i| rgb[i] + (target - rgb[i]) * t);
        if contrast(c, bg) >= 4.5 {
            break;
        }
    }
    c
}

/// A partner's accent colour (`#0f766e`, `#abc`) from the loader's `data-accent`;
/// `None` for anything else, so a page cannot inject CSS through it.
pub fn accent(value: &str) -> Option<Accent> {
    let hex_digits = value.trim().strip_prefix('#')?;
    if !hex_digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let full: String = match hex_digits.len() {
        3 => hex_digits.chars().flat_map(|c| [c, c]).collect(),
        6 => hex_digits.to_owned(),
        _ => return None,
    }
    .to_ascii_lowercase();
    let channel =
        |i: usize| f64::from(u8::from_str_radix(&full[i..i + 2], 16).unwrap_or(0)) / 255.0;
    let rgb = [channel(0), channel(2), channel(4)];
    let on_fill = if contrast(rgb, [1.0; 3]) >= contrast(rgb, [17.0 / 255.0; 3]) {
        "#ffffff"
    } else {
        "#111111"
    };
    Some(Accent {
        fill: format!("#{full}"),
        on_fill,
        ink_light: hex(readable_on(rgb, LIGHT_BG, 0.0)),
        ink_dark: hex(readable_on(rgb, DARK_BG, 1.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wallet::{Limits, ResetPolicy, Usage};

    #[test]
    fn counts_group_thousands() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (12_345, "12,345"),
            (1_234_567, "1,234,567"),
        ];
        for (n, want) in cases {
            assert_eq!(count(n), want);
        }
        assert_eq!(signed(-1234), "-1,234");
        assert_eq!(people(1), "1 person");
        assert_eq!(people(2_500), "2,500 people");
        assert_eq!(credits(1), "1 credit");
        assert_eq!(contacts(1), "1 contact");
        assert_eq!(contacts(1_000), "1,000 contacts");
    }

    #[test]
    fn purchase_outcomes_say_what_happened() {
        let mut push = PushResult {
            delivered: true,
            delivery_state: DeliveryStatus::Delivered,
            delivery_status: Some(200),
            delivery_error: None,
            delivery_id: "dlv_1".into(),
            search_id: "search_1".into(),
            partner_customer_id: "pc_1".into(),
            selection: crate::prospecting::PushedSelection {
                selection_mode: crate::prospecting::SelectionMode::Selected,
                prospect_ids: Some(vec!["p1".into(), "p2".into(), "p3".into()]),
                applied_filters: None,
                limit: None,
                total_records: 3,
            },
            pushed_records: 3,
            net_new_billable_records: 2,
            already_purchased_records: 1,
        };
        assert_eq!(
            push_outcome(&push),
            "Sent 3 contacts (2 new, 1 already yours)."
        );
        push.delivered = false;
        push.delivery_state = DeliveryStatus::Pending;
        push.delivery_status = Some(503);
        assert_eq!(
            push_outcome(&push),
            "Bought 3 contacts (2 new, 1 already yours), but your app answered HTTP 503. \
             Delivery will be retried automatically."
        );
        // Still on its way (a slow app): nothing went wrong yet.
        push.delivery_status = None;
        assert_eq!(
            push_outcome(&push),
            "Bought 3 contacts (2 new, 1 already yours); they are on their way to your app."
        );
        push.delivery_error = Some("could not connect".into());
        assert!(push_outcome(&push).contains("your app could not be reached"));
        assert!(push_outcome(&push).contains("retried automatically"));
        push.delivery_state = DeliveryStatus::Failed;
        assert!(push_outcome(&push).contains("your app could not be reached"));
        assert!(push_outcome(&push).contains("delivery log"));
        push.delivery_state = DeliveryStatus::Gone;
        push.delivery_status = Some(410);
        assert!(push_outcome(&push).contains("no longer accepts"));

        let export = ExportResult {
            search_id: "search_1".into(),
            filename: "quarry-export.csv".into(),
            exported_records: 1,
            net_new_billable_records: 0,
            already_purchased_records: 1,
        };
        assert_eq!(
            export_outcome(&export),
            "Downloaded quarry-export.csv with 1 contact (0 new, 1 already yours)."
        );
    }

    fn quote(net_new: u64, owned: u64, units: i64, available: Option<i64>) -> Quote {
        Quote {
            records: net_new + owned,
            net_new_billable_records: net_new,
            already_purchased_records: owned,
            credit_units: units,
            available_credit_units: available,
            allowed: true,
            block_reason: None,
            fits_records: net_new + owned,
            max_records_per_purchase: 10_000,
        }
    }

    #[test]
    fn the_row_detail_says_why_a_result_matches() {
        let i = crate::interpret::interpret("CMOs of SaaS companies with 50+ employees in Nevada");
        let p = crate::prospecting::ProspectPreview {
            prospect_id: "pr_1".into(),
            first_name: "Jane".into(),
            last_name: "D.".into(),
            job_title: "Chief Marketing Officer".into(),
            seniority: Some("c_suite".into()),
            department: Some("marketing".into()),
            company: crate::prospecting::PreviewCompany {
                name: "Acme".into(),
                domain: "acme.com".into(),
                industry: Some("software".into()),
                employee_count: Some(120),
                city: Some("Reno".into()),
                state: Some("NV".into()),
            },
            has_email: true,
            has_phone: false,
            has_linkedin: true,
            email_status: Some("verified".into()),
            email_verified_at: None,
            email: None,
            mobile_phone: None,
            linkedin_url: None,
            reveal_state: crate::prospecting::RevealState::Preview,
            suppressed: false,
        };
        let why = matched(&i, &p);
        assert_eq!(
            why,
            [
                "Title “Chief Marketing Officer” reads as CMO",
                "Industry: SaaS and software companies",
                "Located in Nevada",
                "120 employees (50+ employees)",
            ],
            "{why:?}"
        );
    }

    #[test]
    fn what_does_not_fit_is_said_in_plain_words() {
        let mut q = quote(1_240, 0, 2_480, Some(1_600));
        assert_eq!(fit_line(&q), None);
        q.allowed = false;
        q.block_reason = Some("insufficient_credits".into());
        q.fits_records = 800;
        assert_eq!(
            fit_line(&q).unwrap(),
            "Your 1,600 credits cover 800 of these 1,240 (2 credits each for new contacts)."
        );
        q.block_reason = Some("selection_too_large".into());
        q.fits_records = 1_000;
        q.max_records_per_purchase = 1_000;
        assert_eq!(
            fit_line(&q).unwrap(),
            "This selection has 1,240 people; one purchase holds at most 1,000."
        );
        q.fits_records = 800;
        assert_eq!(
            fit_line(&q).unwrap(),
            "This selection has 1,240 people; one purchase holds at most 1,000, and your 1,600 credits cover 800 of those."
        );
        q.fits_records = 1_000;
        q.block_reason = Some("monthly_record_reveal_limit_reached".into());
        q.fits_records = 12;
        assert!(fit_line(&q)
            .unwrap()
            .ends_with("12 of these 1,240 can be bought now."));
        assert_eq!(cta_target("Add to HubSpot"), Some("HubSpot"));
        assert_eq!(cta_target("Send to my CRM!"), Some("my CRM"));
        assert_eq!(cta_target("Import"), None);
    }

    #[test]
    fn the_quote_line_says_what_a_buy_costs() {
        assert_eq!(
            quote_line(&quote(37, 12, 37, Some(100))),
            "37 new · 12 already yours · 37 credits · balance after 63"
        );
        assert_eq!(
            quote_line(&quote(0, 3, 0, Some(497))),
            "0 new · 3 already yours · 0 credits · balance after 497"
        );
        assert_eq!(
            quote_line(&quote(1, 0, 1, None)),
            "1 new · 0 already yours · 1 credit"
        );
    }

    #[test]
    fn every_block_reason_has_its_own_words() {
        let reasons = [
            "customer_suspended",
            "insufficient_credits",
            "monthly_credit_limit_reached",
            "lifetime_credit_limit_reached",
            "monthly_search_session_limit_reached",
            "lifetime_search_session_limit_reached",
            "monthly_record_reveal_limit_reached",
            "lifetime_record_reveal_limit_reached",
        ];
        let fallback = block_reason("something_new");
        assert_eq!(known_block_reason("something_new"), None);
        let mut seen = std::collections::HashSet::new();
        for r in reasons {
            let text = block_reason(r);
            assert_ne!(text, fallback, "{r}");
            assert!(seen.insert(text), "{r} shares its words");
        }
    }

    fn summary(available: Option<i64>, mode: EnforcementMode, limits: Limits) -> WalletSummary {
        WalletSummary {
            available_credit_units: available,
            granted_credit_units: 500,
            applied_credit_units: 0,
            monthly_applied_credit_units: 0,
            lifetime_applied_credit_units: 0,
            credit_enforcement_mode: mode,
            credit_reset_policy: ResetPolicy::Rollover,
            active_credit_grants: 1,
            monthly_credit_units_used: 0,
            lifetime_credit_units_used: 0,
            limits,
            usage: Usage {
                monthly_record_reveals: 12,
                ..Usage::default()
            },
            limit_state: Default::default(),
            overage_credit_units: 0,
        }
    }

    #[test]
    fn wallet_lines() {
        let w = summary(
            Some(482),
            EnforcementMode::Enforced,
            Limits {
                monthly_record_reveals: Some(50),
                lifetime_search_sessions: Some(1000),
                ..Limits::default()
            },
        );
        assert_eq!(balance_line(&w), "482 credits available");
        let lines = limit_lines(&w);
        let texts: Vec<(&str, String, u8)> = lines
            .iter()
            .map(|l| (l.label, l.text(), l.percent()))
            .collect();
        assert_eq!(
            texts,
            [
                ("Searches in total", "0 of 1,000".to_owned(), 0),
                ("New contacts this month", "12 of 50".to_owned(), 24),
            ]
        );
        let metered = summary(None, EnforcementMode::Metered, Limits::default());
        assert_eq!(balance_line(&metered), "Pay as you go");
        assert!(limit_lines(&metered).is_empty());
    }

    #[test]
    fn accents_are_validated_and_get_a_readable_text_colour() {
        let teal = accent("#0f766e").unwrap();
        assert_eq!((teal.fill.as_str(), teal.on_fill), ("#0f766e", "#ffffff"));
        assert_eq!(teal.ink_light, "#0f766e", "already readable on white");
        let white = accent(" #FFF ").unwrap();
        assert_eq!((white.fill.as_str(), white.on_fill), ("#ffffff", "#111111"));
        let yellow = accent("#ffd60a").unwrap();
        assert_eq!(yellow.on_fill, "#111111");
        for bad in [
            "",
            "red",
            "#12",
            "#1234567",
            "#ggg",
            "#fff;background:url(x)",
            "0f766e",
        ] {
            assert_eq!(accent(bad), None, "{bad}");
        }
    }

    fn rgb(hex: &str) -> [f64; 3] {
        let c = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        [c(1), c(3), c(5)]
    }

    #[test]
    fn accent_ink_reads_on_both_backgrounds() {
        for value in [
            "#ffd60a", "#0f766e", "#2357d9", "#ff0000", "#000000", "#ffffff", "#7aa2ff", "#888",
        ] {
            let a = accent(value).unwrap();
            assert!(
                contrast(rgb(&a.ink_light), LIGHT_BG) >= 4.5,
                "{value} on light: {}",
                a.ink_light
            );
            assert!(
                contrast(rgb(&a.ink_dark), DARK_BG) >= 4.5,
                "{value} on dark: {}",
                a.ink_dark
            );
            assert!(
                contrast(
                    rgb(&a.fill),
                    rgb(if a.on_fill == "#ffffff" {
                        "#ffffff"
                    } else {
                        "#111111"
                    })
                ) >= 3.0,
                "{value}"
            );
        }
        // A light yellow link is darkened, not used as is.
        assert_ne!(accent("#ffd60a").unwrap().ink_light, "#ffd60a");
    }
}
