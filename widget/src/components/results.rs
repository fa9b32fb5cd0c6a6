//! The results: the exact total, a table of masked previews (full for records the
//! customer owns) with sortable columns, a detail per row (person and company,
//! why it matches, the email's status), row / page / all-results selection, page
//! sizes and paging by number. Narrow frames show each row as a compact card (CSS
//! only; the table semantics stay).
//!
//! The page is the `results` resource: `<Transition>` keeps the previous rows on
//! screen (marked busy) while the next ones load, and `<ErrorBoundary>` replaces
//! them with the failure, so nothing stale stays actionable.

use leptos::prelude::*;
use quarry_shared::interpret::size_label;
use quarry_shared::present::{count, matched, people};
use quarry_shared::prospecting::{ProspectPreview, RevealState, SessionPage, Sort, SortKey};
use quarry_shared::taxonomy::{self, EXAMPLE_QUERIES};

use crate::api::ApiFailure;
use crate::state::{App, PAGE_SIZES};

fn name_of(p: &ProspectPreview) -> String {
    format!("{} {}", p.first_name, p.last_name)
}

fn location_of(p: &ProspectPreview) -> String {
    match (&p.company.city, &p.company.state) {
        (Some(c), Some(s)) => format!("{c}, {s}"),
        (Some(c), None) => c.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => "—".to_owned(),
    }
}

fn size_of(p: &ProspectPreview) -> String {
    p.company
        .employee_count
        .and_then(|n| u32::try_from(n).ok())
        .and_then(|n| size_label(Some(n), Some(n)))
        .unwrap_or_else(|| "size unknown".to_owned())
}

/// "verified on 2026-05-02", "unverified", "catch-all", or nothing without an email.
fn email_state(p: &ProspectPreview) -> Option<String> {
    let status = p.email_status.as_deref()?;
    Some(match (status, p.email_verified_at.as_deref()) {
        ("verified", Some(at)) => format!("verified on {}", at.get(..10).unwrap_or(at)),
        ("verified", None) => "verified".to_owned(),
        ("catch_all", _) => "catch-all domain (deliverable, not confirmed)".to_owned(),
        ("invalid", _) => "invalid (bounces)".to_owned(),
        (other, _) => other.replace('_', " "),
    })
}

/// One availability mark: visible ✓/– with its word (shown on narrow screens),
/// and words for screen readers.
fn mark(has: bool, what: &'static str) -> impl IntoView {
    view! {
        <span class=if has { "avail yes" } else { "avail no" } title=what>
            <span aria-hidden="true">{if has { "✓" } else { "–" }}</span>
            <span class="avail-label" aria-hidden="true">{what}</span>
            <span class="visually-hidden">{format!("{what}: {}", if has { "yes" } else { "no" })}</span>
        </span>
    }
}

/// A term and its value, for the detail lists.
fn facts(items: Vec<(&'static str, String)>) -> impl IntoView {
    view! {
        <dl class="detail-list">
            {items.into_iter().map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
}

/// What a contact field says before and after buying.
fn contact_field(value: &Option<String>, has: bool) -> String {
    match (value, has) {
        (Some(v), _) => v.clone(),
        (None, true) => "available once bought".to_owned(),
        (None, false) => "none on file".to_owned(),
    }
}

#[component]
fn Detail(prospect: ProspectPreview, page: SessionPage) -> impl IntoView {
    let why = matched(&page.interpretation, &prospect);
    let owned = prospect.reveal_state == RevealState::Purchased;
    let mut person: Vec<(&'static str, String)> = vec![("Title", prospect.job_title.clone())];
    if let Some(s) = prospect.seniority.as_deref().and_then(taxonomy::seniority) {
        person.push(("Seniority", s.label.to_owned()));
    }
    if let Some(d) = prospect
        .department
        .as_deref()
        .and_then(taxonomy::department)
    {
        person.push(("Department", d.label.to_owned()));
    }
    let email = match (&prospect.email, email_state(&prospect)) {
        (Some(e), Some(s)) => format!("{e} · {s}"),
        (Some(e), None) => e.clone(),
        (None, _) => "none on file".to_owned(),
    };
    person.push(("Email", email));
    person.push((
        "Phone",
        contact_field(&prospect.mobile_phone, prospect.has_phone),
    ));
    person.push((
        "LinkedIn",
        contact_field(&prospect.linkedin_url, prospect.has_linkedin),
    ));
    let mut company: Vec<(&'static str, String)> =
        vec![("Website", prospect.company.domain.clone())];
    if let Some(i) = prospect
        .company
        .industry
        .as_deref()
        .and_then(taxonomy::industry)
    {
        company.push(("Industry", i.label.to_owned()));
    }
    company.push(("Size", size_of(&prospect)));
    company.push(("Location", location_of(&prospect)));
    if !owned {
        company.push((
            "Contact details",
            "shown in full once you add them".to_owned(),
        ));
    }
    view! {
        <tr class="detail-row" data-testid="row-detail">
            <td colspan="7">
                <div class="detail">
                    <section aria-label="Person">
                        <h3 class="detail-title">{name_of(&prospect)}</h3>
                        {facts(person)}
                    </section>
                    <section aria-label="Company">
                        <h3 class="detail-title">{prospect.company.name.clone()}</h3>
                        {facts(company)}
                    </section>
                    <section aria-label="Why this person matches">
                        <h3 class="detail-title">"Why they match"</h3>
                        <ul class="detail-why" data-testid="detail-why">
                            {why.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    </section>
                    {owned.then(|| view! { <ReportProblem prospect_id=prospect.prospect_id.clone() /> })}
                </div>
            </td>
        </tr>
    }
}

/// "Report a problem" on an owned record: a reason and a note, sent as a data
/// flag; the answer says whether its credits came back.
#[component]
fn ReportProblem(prospect_id: String) -> impl IntoView {
    use quarry_shared::prospecting::{FlagReport, FLAG_REASONS};
    let app = expect_context::<App>();
    let reason = RwSignal::new(FLAG_REASONS[0].0.to_owned());
    let note = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        let report = FlagReport {
            prospect_id: prospect_id.clone(),
            reason: reason.get_untracked(),
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        leptos::task::spawn_local(async move {
            let text = match crate::api::flag(app.link, &report).await {
                Ok(answer) => {
                    if answer.credited {
                        app.refresh_wallet();
                    }
                    answer.message
                }
                Err(failure) => failure.to_string(),
            };
            outcome.set(Some(text));
            sending.set(false);
        });
    };
    view! {
        <section aria-label="Report a problem" class="report">
            <details data-testid="report-problem">
                <summary>"Report a problem with this record"</summary>
                <form class="report-form" on:submit=send>
                    <label>
                        "What is wrong"
                        <select data-testid="report-reason"
                            on:change=move |ev| reason.set(event_target_value(&ev))>
                            {FLAG_REASONS
                                .iter()
                                .map(|(key, label)| view! { <option value=*key>{*label}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Note (optional)"
                        <input type="text" maxlength="1000" data-testid="report-note"
                            prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev)) />
                    </label>
                    <button type="submit" class="button" data-testid="report-submit"
                        disabled=move || sending.get()>
                        "Send report"
                    </button>
                    <p role="status" class="report-outcome" data-testid="report-outcome">
                        {move || outcome.get()}
                    </p>
                </form>
            </details>
        </section>
    }
}

#[component]
fn Row(prospect: ProspectPreview, page: SessionPage) -> impl IntoView {
    let app = expect_context::<App>();
    let id = prospect.prospect_id.clone();
    let toggle_id = id.clone();
    let checked_id = id.clone();
    let detail_id = id.clone();
    let open_id = id.clone();
    let owned = prospect.reveal_state == RevealState::Purchased;
    let suppressed = prospect.suppressed;
    let name = name_of(&prospect);
    let contact = match &prospect.email {
        Some(e) => e.clone(),
        None if prospect.has_email => "email available".to_owned(),
        None => "no email".to_owned(),
    };
    let phone = prospect.mobile_phone.clone();
    let open = move || app.detail.with(|d| d.as_deref() == Some(open_id.as_str()));
    let detail = {
        let prospect = prospect.clone();
        move || open().then(|| view! { <Detail prospect=prospect.clone() page=page.clone() /> })
    };
    view! {
        <tr data-testid="result-row" data-prospect-id=id.clone()
            data-owned=owned.to_string()
            data-suppressed=suppressed.to_string()
            class:selected=move || app.is_selected(&checked_id)>
            <td class="col-select">
                <input type="checkbox" data-testid="row-select"
                    aria-label=format!("Select {name}")
                    prop:checked={
                        let id = id.clone();
                        move || app.is_selected(&id)
                    }
                    on:change=move |_| app.toggle(&toggle_id) />
            </td>
            <td class="col-name" data-label="Name">
                <button type="button" class="person-name link" data-testid="person-name"
                    aria-expanded=move || app.detail.with(|d| d.as_deref() == Some(detail_id.as_str())).to_string()
                    on:click={
                        let id = id.clone();
                        move |_| app.detail.update(|d| {
                            *d = if d.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) };
                        })
                    }>
                    {name_of(&prospect)}
                </button>
                {owned.then(|| view! { <span class="badge badge-owned" data-testid="owned-badge">"Yours"</span> })}
                {suppressed.then(|| view! {
                    <span class="badge badge-suppressed" data-testid="suppressed-badge"
                        title="Already in your CRM (on your suppression list); Net-new only hides it">"In your CRM"</span>
                })}
                <span class="sub" title=contact.clone()>{contact.clone()}</span>
                {phone.map(|p| view! { <span class="sub">{p}</span> })}
            </td>
            <td class="col-title" data-label="Title">
                <span class="title-text">{prospect.job_title.clone()}</span>
            </td>
            <td class="col-company" data-label="Company"
                data-where=format!("{} · {}", size_of(&prospect), location_of(&prospect))>
                <span class="company-name">{prospect.company.name.clone()}</span>
                <span class="sub" title=prospect.company.domain.clone()>{prospect.company.domain.clone()}</span>
            </td>
            <td class="col-size" data-label="Size">{size_of(&prospect)}</td>
            <td class="col-location" data-label="Location">{location_of(&prospect)}</td>
            <td class="col-avail" data-label="Data">
                {mark(prospect.has_email, "Email")}
                {mark(prospect.has_phone, "Phone")}
                {mark(prospect.has_linkedin, "LinkedIn")}
            </td>
        </tr>
        {detail}
    }
}

/// A sortable column header: a button that sorts by it, again to reverse.
#[component]
fn SortHeader(key: SortKey, label: &'static str, class: &'static str) -> impl IntoView {
    let app = expect_context::<App>();
    let sort = move || app.view.with(|v| v.sort);
    let aria = move || match sort() {
        Sort { key: k, descending } if k == key => {
            if descending {
                "descending"
            } else {
                "ascending"
            }
        }
        _ => "none",
    };
    let arrow = move || match aria() {
        "ascending" => " ↑",
        "descending" => " ↓",
        _ => "",
    };
    view! {
        <th scope="col" class=class aria-sort=aria>
            <button type="button" class="sort" data-testid=format!("sort-{}", key.as_str())
                on:click=move |_| {
                    let next = match sort() {
                        Sort { key: k, descending: false } if k == key => Sort { key, descending: true },
                        Sort { key: k, descending: true } if k == key => Sort::default(),
                        _ => Sort { key, descending: false },
                    };
                    app.set_view(|v| {
                        v.sort = next;
                        v.page = 1;
                    });
                }>
                {label}<span aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

#[component]
fn Table(page: SessionPage) -> impl IntoView {
    let app = expect_context::<App>();
    let rows = page.data.clone();
    let all_on_page = move || app.page_fully_selected();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="results-table">
                <caption class="visually-hidden">"People matching the search"</caption>
                <thead>
                    <tr>
                        <th scope="col" class="col-select">
                            <input type="checkbox" data-testid="select-page"
                                aria-label="Select every person on this page"
                                prop:checked=all_on_page
                                on:change=move |ev| app.set_page_selected(event_target_checked(&ev)) />
                        </th>
                        <SortHeader key=SortKey::Name label="Name" class="col-name" />
                        <SortHeader key=SortKey::Title label="Title" class="col-title" />
                        <SortHeader key=SortKey::Company label="Company" class="col-company" />
                        <SortHeader key=SortKey::Size label="Size" class="col-size" />
                        <SortHeader key=SortKey::Location label="Location" class="col-location" />
                        <th scope="col" class="col-avail">
                            <abbr title="Email, phone and LinkedIn available">"Data"</abbr>
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|p| {
                        let page = page.clone();
                        view! { <Row prospect=p page=page /> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn Pager(page: SessionPage) -> impl IntoView {
    let app = expect_context::<App>();
    let total_pages = page.pagination.total_pages.max(1);
    let current = move || u64::from(app.view.with(|v| v.page));
    let go = move |n: u64| {
        let n = n.clamp(1, total_pages);
        app.set_view(|v| v.page = n as u32);
        scroll_to_results();
    };
    let jump = RwSignal::new(String::new());
    view! {
        <nav class="pager" aria-label="Pages of results">
            <button type="button" class="btn" data-testid="prev-page"
                disabled=move || { current() < 2 }
                on:click=move |_| go(current().saturating_sub(1))>"← Previous"</button>
            <form class="jump" on:submit=move |ev| {
                ev.prevent_default();
                if let Ok(n) = jump.get_untracked().trim().replace(',', "").parse::<u64>() {
                    go(n);
                    jump.set(String::new());
                }
            }>
                <label for="quarry-page">"Page"</label>
                <input id="quarry-page" type="number" inputmode="numeric" min="1" max=total_pages
                    data-testid="page-jump"
                    placeholder=move || current().to_string()
                    prop:value=move || jump.get()
                    on:input=move |ev| jump.set(event_target_value(&ev)) />
                <span>{format!("of {}", count(total_pages))}</span>
                <button type="submit" class="btn" data-testid="page-go">"Go"</button>
            </form>
            <button type="button" class="btn" data-testid="next-page"
                disabled=move || { current() >= total_pages }
                on:click=move |_| go(current() + 1)>"Next →"</button>
        </nav>
    }
}

fn scroll_to_results() {
    if let Some(el) = document().get_element_by_id("quarry-results") {
        el.scroll_into_view();
    }
}

/// What a failed search shows instead of its results.
#[component]
fn Failed(failure: ApiFailure) -> impl IntoView {
    let app = expect_context::<App>();
    let warnings: Vec<String> = match &failure {
        ApiFailure::Api(body) => body
            .interpretation
            .as_ref()
            .map(|i| i.warnings.clone())
            .unwrap_or_default(),
        ApiFailure::Network(_) => Vec::new(),
    };
    let understood_nothing = failure.code() == Some("query_not_understood");
    let expired = failure.code() == Some("session_expired");
    let retryable = failure.retryable() || expired;
    view! {
        <div class="notice notice-error" data-testid="notice-error" role="alert"
            data-code=failure.code().unwrap_or("network").to_owned()>
            <p>{if understood_nothing {
                "We couldn't tell who you're looking for. Try a role, an industry or a place, like \u{201c}CEOs of dental practices in Ohio\u{201d}.".to_owned()
            } else {
                failure.message()
            }}</p>
            {warnings.into_iter().map(|w| view! { <p class="muted">{w}</p> }).collect_view()}
            {failure.request_id().map(|id| view! {
                <p class="request-id" data-testid="request-id">{format!("Reference: {id}")}</p>
            })}
            <Show when=move || retryable>
                <button type="button" class="btn" data-testid="retry"
                    on:click=move |_| app.retry()>{if expired { "Search again" } else { "Try again" }}</button>
            </Show>
        </div>
    }
}

#[component]
fn Loaded(page: SessionPage) -> impl IntoView {
    let app = expect_context::<App>();
    // A new page is on screen once the frame after it is painted (the speed
    // benchmark reads this mark).
    request_animation_frame(|| crate::bridge::mark("quarry:results"));
    let total = page.pagination.total_records;
    let deliverable = page.pagination.deliverable();
    let page_len = page.data.len() as u64;
    let all_on_page = move || app.page_fully_selected();
    let example = move |q: &'static str| {
        app.draft.set(q.to_owned());
        app.submit();
    };
    if page.data.is_empty() {
        let message = if total == 0 {
            "No one matches this search."
        } else {
            "This page is past the last result."
        };
        return view! {
            <div class="empty" data-testid="empty">
                <p class="empty-title">{message}</p>
                <p>"Remove a filter or a chip, widen the location or company size, or try one of these:"</p>
                <ul class="examples">
                    {EXAMPLE_QUERIES.iter().take(4).map(|q| view! {
                        <li><button type="button" class="link" on:click=move |_| example(q)>{*q}</button></li>
                    }).collect_view()}
                </ul>
            </div>
        }
        .into_any();
    }
    view! {
        <Show when=move || { all_on_page() && deliverable > page_len }>
            <div class="select-banner" data-testid="select-banner" role="status">
                {move || if app.all_results.get() {
                    view! {
                        <span>{format!("All {} are selected.", people(deliverable))}</span>
                        <button type="button" class="link" data-testid="clear-selection"
                            on:click=move |_| app.clear_selection()>"Clear selection"</button>
                    }.into_any()
                } else {
                    view! {
                        <span>{format!("All {page_len} on this page are selected.")}</span>
                        <button type="button" class="link" data-testid="select-all-results"
                            on:click=move |_| app.select_all_results()>
                            {format!("Select all {}", people(deliverable))}
                        </button>
                    }.into_any()
                }}
            </div>
        </Show>
        <Table page=page.clone() />
        <Pager page=page />
    }
    .into_any()
}

#[component]
pub fn Results() -> impl IntoView {
    let app = expect_context::<App>();
    let pending = RwSignal::new(false);
    let busy = move || pending.get() || app.searching();
    let total = move || app.page().map(|p| p.pagination.total_records);
    let total_pages = move || {
        app.page()
            .map(|p| p.pagination.total_pages.max(1))
            .unwrap_or(1)
    };
    let page_number = move || app.view.with(|v| v.page);
    let example = move |q: &'static str| {
        app.draft.set(q.to_owned());
        app.submit();
    };

    let failed = |errors: ArcRwSignal<Errors>| {
        let failure = errors
            .get()
            .into_iter()
            .find_map(|(_, e)| e.downcast_ref::<ApiFailure>().cloned())
            .unwrap_or_else(|| ApiFailure::Network("the search failed".into()));
        view! { <Failed failure=failure /> }
    };

    view! {
        <section class="results" id="quarry-results" tabindex="-1" aria-labelledby="quarry-results-title"
            data-testid="results" aria-busy=move || busy().to_string() class:busy=busy>
            <h2 id="quarry-results-title" class="visually-hidden">"Results"</h2>
            <div class="results-head">
                <p class="total" data-testid="result-total" role="status" aria-live="polite">
                    {move || match (total(), busy(), app.failure().is_some()) {
                        (_, true, _) => "Searching…".to_owned(),
                        (_, false, true) => "The search did not finish.".to_owned(),
                        (Some(n), false, false) => format!("{} match", people(n)),
                        (None, false, false) => String::new(),
                    }}
                </p>
                <Show when=move || { total().is_some_and(|n| n > 0) && app.failure().is_none() }>
                    <p class="page-of" data-testid="page-of">
                        {move || format!("Page {} of {}", count(u64::from(page_number())), count(total_pages()))}
                    </p>
                    <label class="page-size">
                        <span>"Rows"</span>
                        <select data-testid="page-size" on:change=move |ev| {
                            let n: u32 = event_target_value(&ev).parse().unwrap_or(PAGE_SIZES[0]);
                            app.set_view(|v| {
                                v.page_size = n;
                                v.page = 1;
                            });
                        }>
                            {PAGE_SIZES.iter().map(|&n| view! {
                                <option value=n.to_string() selected=move || app.view.with(|v| v.page_size == n)>{n}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
            </div>
            <Show when=move || app.criteria.with(Option::is_none)>
                <div class="empty start" data-testid="start">
                    <p class="empty-title">"Who are you looking for?"</p>
                    <p>"Describe them in plain words above, or start from an example:"</p>
                    <ul class="examples">
                        {EXAMPLE_QUERIES.iter().take(5).map(|q| view! {
                            <li><button type="button" class="link" data-testid="example" on:click=move |_| example(q)>{*q}</button></li>
                        }).collect_view()}
                    </ul>
                </div>
            </Show>
            <Transition fallback=|| () set_pending=pending>
                <ErrorBoundary fallback=failed>
                    {move || Suspend::new(async move {
                        app.results.await.map(|answer| answer.map(|page| view! { <Loaded page=page /> }))
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
