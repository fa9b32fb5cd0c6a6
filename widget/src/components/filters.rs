//! Refinement controls with facet counts: seniority, department, industry, state
//! and city, company size, verified email only, has phone, net-new only. Each
//! control is a view of the criteria: it shows what the search runs with (a state,
//! size or seniority the text names shows here too), and changing it is one
//! criteria change (`quarry_shared::criteria`): free inside what the session
//! covers, a new search (with the text saying so) beyond it.
//!
//! The counts are the server's disjunctive facets: each group counted with the
//! other groups' filters applied but not its own, so picking any value gives the
//! count it shows, and the other values stay listed to switch to.

use leptos::prelude::*;
use quarry_shared::api::{FacetCount, Facets};
use quarry_shared::criteria::{Criteria, Group};
use quarry_shared::prospecting::AppliedFilters;
use quarry_shared::taxonomy::{self, EmailStatus};

use crate::state::App;

fn title(group: Group) -> &'static str {
    match group {
        Group::Seniority => "Seniority",
        Group::Department => "Department",
        Group::Industry => "Industry",
    }
}

fn slug(group: Group) -> &'static str {
    match group {
        Group::Seniority => "seniority",
        Group::Department => "department",
        Group::Industry => "industry",
    }
}

fn facets_of(group: Group, f: &Facets) -> &Vec<FacetCount> {
    match group {
        Group::Seniority => &f.seniority,
        Group::Department => &f.department,
        Group::Industry => &f.industry,
    }
}

fn label_of(group: Group, key: &str) -> String {
    match group {
        Group::Seniority => taxonomy::seniority(key).map(|t| t.label),
        Group::Department => taxonomy::department(key).map(|t| t.label),
        Group::Industry => taxonomy::industry(key).map(|t| t.label),
    }
    .unwrap_or(key)
    .to_owned()
}

#[component]
fn FacetGroup(group: Group) -> impl IntoView {
    let app = expect_context::<App>();
    let chosen = Memo::new(move |_| {
        app.criteria
            .with(|c| c.as_ref().map(|c| c.chosen(group)).unwrap_or_default())
    });
    let list = Memo::new(move |_| {
        let mut out = app
            .page()
            .and_then(|p| p.facets)
            .map(|f| facets_of(group, &f).clone())
            .unwrap_or_default();
        // A chosen value the results do not list (none left) still shows.
        for key in chosen.get() {
            if !out.iter().any(|o| o.key == key) {
                out.push(FacetCount {
                    label: label_of(group, &key),
                    key,
                    count: 0,
                });
            }
        }
        out
    });
    let summary = move || match chosen.with(Vec::len) {
        0 => String::new(),
        n => format!("{n} selected"),
    };
    view! {
        <details class="facet" data-testid=format!("facet-{}", slug(group))>
            <summary>
                <span class="facet-title">{title(group)}</span>
                <span class="facet-chosen">{summary}</span>
            </summary>
            <fieldset>
                <legend class="visually-hidden">{title(group)}</legend>
                <Show when=move || list.with(Vec::is_empty)>
                    <p class="muted">"Run a search to see the options."</p>
                </Show>
                <For
                    each=move || list.get()
                    key=|o| (o.key.clone(), o.count)
                    children=move |option| {
                        let key = option.key.clone();
                        let checked_key = key.clone();
                        let is_checked = move || chosen.with(|c| c.contains(&checked_key));
                        let toggle = move |_| {
                            let key = key.clone();
                            app.change(move |c| c.toggled(group, &key));
                        };
                        view! {
                            <label class="option" class:empty=option.count == 0>
                                <input type="checkbox"
                                    data-testid=format!("filter-{}-{}", slug(group), option.key)
                                    prop:checked=is_checked
                                    on:change=toggle />
                                <span class="option-label">{option.label.clone()}</span>
                                <span class="count" aria-label=format!("{} people", option.count)>
                                    {quarry_shared::present::count(option.count)}
                                </span>
                            </label>
                        }
                    }
                />
            </fieldset>
        </details>
    }
}

/// Whether the search asks for verified emails: the refinement's say, else the text's.
fn wants_verified(c: &Criteria) -> bool {
    let verified = [EmailStatus::Verified.as_str().to_owned()];
    match &c.filters.email_status {
        Some(list) => list.as_slice() == verified,
        None => c.text_reading().filters.email_status.as_slice() == verified,
    }
}

fn wants_phone(c: &Criteria) -> bool {
    c.filters.has_phone.or(c.text_reading().filters.has_phone) == Some(true)
}

#[component]
pub fn Filters() -> impl IntoView {
    let app = expect_context::<App>();
    let with_criteria =
        move |f: fn(&Criteria) -> bool| move || app.criteria.with(|c| c.as_ref().is_some_and(f));
    let verified = with_criteria(wants_verified);
    let phone = with_criteria(wants_phone);
    let net_new = with_criteria(|c| c.filters.net_new_only);
    let facets = Memo::new(move |_| app.page().and_then(|p| p.facets));
    let chosen_state =
        Memo::new(move |_| app.criteria.with(|c| c.as_ref().and_then(Criteria::state)));
    // Every state is offered (picking one elsewhere starts a search there), with
    // its count where the results have one.
    let states = Memo::new(move |_| {
        let counts = facets.get();
        quarry_shared::geo::STATES
            .iter()
            .map(|s| FacetCount {
                key: s.code.to_owned(),
                label: s.name.to_owned(),
                count: counts
                    .as_ref()
                    .and_then(|c| c.state.iter().find(|o| o.key == s.code))
                    .map_or(u64::MAX, |o| o.count),
            })
            .collect::<Vec<_>>()
    });
    let sizes = Memo::new(move |_| {
        let counts = facets.get();
        taxonomy::SIZE_BUCKETS
            .iter()
            .map(|(_, _, key)| FacetCount {
                key: (*key).to_owned(),
                label: format!("{key} employees"),
                count: counts
                    .as_ref()
                    .and_then(|c| c.employee_range.iter().find(|o| o.key == *key))
                    .map_or(0, |o| o.count),
            })
            .collect::<Vec<_>>()
    });
    // The size the search runs with: a bucket, or the text's own range.
    let chosen_size = Memo::new(move |_| {
        app.criteria.with(|c| {
            c.as_ref()
                .map(|c| match c.size_bucket() {
                    Some(k) => k.to_owned(),
                    None if c.size_label().is_some() => "text".to_owned(),
                    None => String::new(),
                })
                .unwrap_or_default()
        })
    });
    let text_size = move || {
        app.criteria
            .with(|c| c.as_ref().and_then(Criteria::size_label))
    };
    let cities = Memo::new(move |_| {
        chosen_state
            .get()
            .map(|code| {
                quarry_shared::geo::cities_in(&code)
                    .map(|c| c.name.to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let active_count = move || {
        app.criteria.with(|c| {
            c.as_ref().map_or(0, |c| {
                let f = &c.filters;
                [
                    f.seniority.is_some(),
                    f.department.is_some(),
                    f.industry.is_some(),
                    f.location_state.is_some(),
                    f.location_city.is_some(),
                    f.employee_count_min.is_some() || f.employee_count_max.is_some(),
                    f.email_status.is_some(),
                    f.has_phone.is_some(),
                    f.net_new_only,
                ]
                .into_iter()
                .filter(|on| *on)
                .count()
            })
        })
    };
    // Narrow frames fold the filters away behind a button; wide ones always show them.
    let open = RwSignal::new(false);
    let clear_all = move |_| {
        app.change(|c| {
            let bare = Criteria {
                filters: AppliedFilters::default(),
                ..c.clone()
            };
            // The words the controls added go with them.
            Criteria {
                text: bare.q.clone(),
                ..bare
            }
        });
    };

    view! {
        <aside class="filters" class:open=move || open.get() aria-labelledby="quarry-filters-title" data-testid="filters">
            <div class="filters-head">
                <h2 id="quarry-filters-title" class="section-title">"Refine"</h2>
                <button type="button" class="btn filters-toggle" data-testid="filters-toggle"
                    aria-expanded=move || open.get().to_string() aria-controls="quarry-filters-body"
                    on:click=move |_| open.update(|o| *o = !*o)>
                    {move || match (open.get(), active_count()) {
                        (true, _) => "Hide filters".to_owned(),
                        (false, 0) => "Show filters".to_owned(),
                        (false, n) => format!("Show filters ({n} on)"),
                    }}
                </button>
                <button type="button" class="link" data-testid="filters-clear"
                    hidden=move || active_count() == 0 on:click=clear_all>
                    "Clear all"
                </button>
            </div>
            <div class="filters-body" id="quarry-filters-body">
            <div class="toggles">
                <label class="option">
                    <input type="checkbox" data-testid="filter-verified" prop:checked=verified
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            app.change(move |c| toggle_text_or_filter(c, on, "email_status:verified", |f, on| {
                                f.email_status = on.then(|| vec![EmailStatus::Verified.as_str().to_owned()]);
                            }));
                        } />
                    <span class="option-label">"Verified email only"</span>
                </label>
                <label class="option">
                    <input type="checkbox" data-testid="filter-has-phone" prop:checked=phone
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            app.change(move |c| toggle_text_or_filter(c, on, "has_phone", |f, on| {
                                f.has_phone = on.then_some(true);
                            }));
                        } />
                    <span class="option-label">"Has a phone number"</span>
                </label>
                <label class="option">
                    <input type="checkbox" data-testid="filter-net-new" prop:checked=net_new
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            app.refine(move |f| f.net_new_only = on);
                        } />
                    <span class="option-label">"Net-new only "<span class="muted">"(hide contacts you own)"</span></span>
                </label>
            </div>
            <FacetGroup group=Group::Seniority />
            <FacetGroup group=Group::Department />
            <FacetGroup group=Group::Industry />
            <div class="field">
                <label for="quarry-state">"Company state"</label>
                <select id="quarry-state" data-testid="filter-state"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        app.change(move |c| c.with_state((!value.is_empty()).then_some(value.as_str())));
                    }>
                    <option value="" selected=move || chosen_state.with(Option::is_none)>"Any state"</option>
                    <For
                        each=move || states.get()
                        key=|o| (o.key.clone(), o.count)
                        children=move |o| {
                            let key = o.key.clone();
                            let selected = move || chosen_state.with(|s| s.as_deref() == Some(key.as_str()));
                            view! {
                                <option value=o.key.clone() selected=selected>
                                    {match o.count {
                                        u64::MAX => o.label.clone(),
                                        n => format!("{} ({})", o.label, quarry_shared::present::count(n)),
                                    }}
                                </option>
                            }
                        }
                    />
                </select>
            </div>
            <div class="field">
                <label for="quarry-city">"Company city"</label>
                <input id="quarry-city" data-testid="filter-city" type="text" list="quarry-cities"
                    autocomplete="off"
                    placeholder=move || if cities.with(Vec::is_empty) { "Any city" } else { "Type a city" }
                    prop:value=move || app.criteria.with(|c| c.as_ref().and_then(|c| c.applied().location_city).unwrap_or_default())
                    on:change=move |ev| {
                        let value = event_target_value(&ev).trim().to_owned();
                        app.refine(move |f| f.location_city = (!value.is_empty()).then_some(value));
                    } />
                <datalist id="quarry-cities">
                    <For each=move || cities.get() key=|c| c.clone()
                        children=|c| view! { <option value=c.clone()></option> } />
                </datalist>
            </div>
            <div class="field">
                <label for="quarry-size">"Company size"</label>
                <select id="quarry-size" data-testid="filter-size"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if value == "text" {
                            return;
                        }
                        let (min, max) = taxonomy::size_bucket(&value).unwrap_or((None, None));
                        app.change(move |c| c.with_size(min, max));
                    }>
                    <option value="" selected=move || chosen_size.with(String::is_empty)>"Any size"</option>
                    {move || text_size().filter(|_| chosen_size.with(|s| s == "text")).map(|label| view! {
                        <option value="text" selected=true>{format!("{label} (from your search)")}</option>
                    })}
                    <For
                        each=move || sizes.get()
                        key=|o| (o.key.clone(), o.count)
                        children=move |o| {
                            let key = o.key.clone();
                            let selected = move || chosen_size.with(|s| *s == key);
                            view! {
                                <option value=o.key.clone() selected=selected>
                                    {format!("{} ({})", o.label, quarry_shared::present::count(o.count))}
                                </option>
                            }
                        }
                    />
                </select>
            </div>
            </div>
        </aside>
    }
}

/// A switch the text may also say ("verified emails", "with a phone"): turning it
/// off when the text says it takes the words out of the text (a new search);
/// otherwise it is a refinement.
fn toggle_text_or_filter(
    c: &Criteria,
    on: bool,
    chip_id: &str,
    set: impl Fn(&mut AppliedFilters, bool),
) -> Criteria {
    if !on {
        if let Some(q) = quarry_shared::interpret::without_chip(&c.q, chip_id) {
            let mut keep = c.filters.clone();
            set(&mut keep, false);
            return Criteria::search(&q, &keep);
        }
    }
    let mut next = c.clone();
    set(&mut next.filters, on);
    next
}
