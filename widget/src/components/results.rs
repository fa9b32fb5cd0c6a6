//! The results: the exact total, a table of masked previews (full for records the
//! customer owns), row / page / all-results selection, and paging. Narrow frames
//! show each row as a card (CSS only; the table semantics stay).

use leptos::prelude::*;
use quarry_shared::interpret::size_label;
use quarry_shared::present::{count, people};
use quarry_shared::prospecting::{ProspectPreview, RevealState};
use quarry_shared::taxonomy::EXAMPLE_QUERIES;

use crate::state::{App, Status};

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

/// One availability mark: visible ✓/–, and words for screen readers.
fn mark(has: bool, what: &'static str) -> impl IntoView {
    view! {
        <span class=if has { "avail yes" } else { "avail no" } title=what>
            <span aria-hidden="true">{if has { "✓" } else { "–" }}</span>
            <span class="visually-hidden">{format!("{what}: {}", if has { "yes" } else { "no" })}</span>
        </span>
    }
}

#[component]
fn Row(prospect: ProspectPreview) -> impl IntoView {
    let app = expect_context::<App>();
    let id = prospect.prospect_id.clone();
    let toggle_id = id.clone();
    let checked_id = id.clone();
    let owned = prospect.reveal_state == RevealState::Purchased;
    let name = name_of(&prospect);
    let contact = match (&prospect.email, owned) {
        (Some(e), _) => e.clone(),
        (None, _) if prospect.has_email => "email available".to_owned(),
        _ => "no email".to_owned(),
    };
    let phone = prospect.mobile_phone.clone();
    view! {
        <tr data-testid="result-row" data-prospect-id=id.clone()
            data-owned=owned.to_string()
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
                <span class="person-name" data-testid="person-name">{name_of(&prospect)}</span>
                {owned.then(|| view! { <span class="badge badge-owned" data-testid="owned-badge">"Yours"</span> })}
                <span class="sub" title=contact.clone()>{contact.clone()}</span>
                {phone.map(|p| view! { <span class="sub">{p}</span> })}
            </td>
            <td class="col-title" data-label="Title">
                <span class="title-text">{prospect.job_title.clone()}</span>
            </td>
            <td class="col-company" data-label="Company">
                <span class="company-name">{prospect.company.name.clone()}</span>
                <span class="sub" title=prospect.company.domain.clone()>
                    {format!("{} · {}", size_of(&prospect), prospect.company.domain)}
                </span>
            </td>
            <td class="col-location" data-label="Location">{location_of(&prospect)}</td>
            <td class="col-avail" data-label="Contact data">
                {mark(prospect.has_email, "Email")}
                {mark(prospect.has_phone, "Phone")}
                {mark(prospect.has_linkedin, "LinkedIn")}
            </td>
        </tr>
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let app = expect_context::<App>();
    let total = move || {
        app.page
            .with(|p| p.as_ref().map(|p| p.pagination.total_records))
    };
    // What "all results" covers: the matches, or the count the text asked for.
    let deliverable = move || {
        app.page
            .with(|p| p.as_ref().map(|p| p.pagination.deliverable()))
    };
    let loading = move || app.status.with(|s| matches!(s, Status::Loading));
    let page_number = move || app.cursors.with(Vec::len);
    let total_pages = move || {
        app.page
            .with(|p| p.as_ref().map(|p| p.pagination.total_pages).unwrap_or(0))
    };
    let has_next = move || {
        app.page.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.pagination.next_cursor.is_some())
        })
    };
    let rows = Memo::new(move |_| app.rows());
    let all_on_page = move || app.page_fully_selected();
    let page_len = move || rows.with(Vec::len) as u64;
    let example = move |q: &'static str| {
        app.query.set(q.to_owned());
        app.submit();
    };

    view! {
        <section class="results" aria-labelledby="quarry-results-title" data-testid="results"
            aria-busy=move || loading().to_string()>
            <h2 id="quarry-results-title" class="visually-hidden">"Results"</h2>
            <div class="results-head">
                <p class="total" data-testid="result-total" role="status" aria-live="polite">
                    {move || match (total(), loading()) {
                        (_, true) => "Searching…".to_owned(),
                        (Some(n), false) => format!("{} match", people(n)),
                        (None, false) => String::new(),
                    }}
                </p>
                <Show when=move || total().is_some_and(|n| n > 0)>
                    <p class="page-of" data-testid="page-of">
                        {move || format!("Page {} of {}", count(page_number() as u64), count(total_pages().max(1)))}
                    </p>
                </Show>
            </div>
            <Show when=move || all_on_page() && deliverable().is_some_and(|n| n > page_len())>
                <div class="select-banner" data-testid="select-banner" role="status">
                    {move || if app.all_results.get() {
                        view! {
                            <span>{format!("All {} are selected.", people(deliverable().unwrap_or(0)))}</span>
                            <button type="button" class="link" data-testid="clear-selection"
                                on:click=move |_| app.clear_selection()>"Clear selection"</button>
                        }.into_any()
                    } else {
                        view! {
                            <span>{move || format!("All {} on this page are selected.", page_len())}</span>
                            <button type="button" class="link" data-testid="select-all-results"
                                on:click=move |_| app.select_all_results()>
                                {move || format!("Select all {}", people(deliverable().unwrap_or(0)))}
                            </button>
                        }.into_any()
                    }}
                </div>
            </Show>
            <Show when=move || app.page.with(Option::is_none) && !loading()>
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
            <Show
                when=move || !rows.with(Vec::is_empty)
                fallback=move || {
                    view! {
                        <Show when=move || total() == Some(0) && !loading()>
                            <div class="empty" data-testid="empty">
                                <p class="empty-title">"No one matches this search."</p>
                                <p>"Remove a filter or a chip, widen the location or company size, or try one of these:"</p>
                                <ul class="examples">
                                    {EXAMPLE_QUERIES.iter().take(4).map(|q| view! {
                                        <li><button type="button" class="link" on:click=move |_| example(q)>{*q}</button></li>
                                    }).collect_view()}
                                </ul>
                            </div>
                        </Show>
                    }
                }
            >
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
                                <th scope="col" class="col-name">"Name"</th>
                                <th scope="col" class="col-title">"Title"</th>
                                <th scope="col" class="col-company">"Company"</th>
                                <th scope="col" class="col-location">"Location"</th>
                                <th scope="col" class="col-avail">
                                    <abbr title="Email, phone and LinkedIn available">"Data"</abbr>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || rows.get()
                                key=|p| (p.prospect_id.clone(), p.reveal_state)
                                children=|p| view! { <Row prospect=p /> }
                            />
                        </tbody>
                    </table>
                </div>
                <nav class="pager" aria-label="Pages of results">
                    <button type="button" class="btn" data-testid="prev-page"
                        disabled=move || page_number() < 2 || loading()
                        on:click=move |_| app.previous_page()>"← Previous"</button>
                    <button type="button" class="btn" data-testid="next-page"
                        disabled=move || !has_next() || loading()
                        on:click=move |_| app.next_page()>"Next →"</button>
                </nav>
            </Show>
        </section>
    }
}
