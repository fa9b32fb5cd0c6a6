//! Refinement filters with facet counts: seniority, department, industry, state
//! and city, company size, verified email only, has phone, net-new only. They
//! refine the session on screen (`GET …/sessions/{id}?applied_filters=`), which
//! never counts a new search.
//!
//! Which options a group lists comes from the session's unrefined first page, so
//! ticking "VP" does not make "Director" vanish; the counts come from the refined
//! results, except in a group that has a selection (there they would only repeat
//! the selection), where the unrefined counts say what each option adds.

use leptos::prelude::*;
use quarry_shared::api::{FacetCount, Facets};
use quarry_shared::prospecting::AppliedFilters;
use quarry_shared::taxonomy::{self, EmailStatus};

use crate::state::App;

/// A multi-choice facet group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Seniority,
    Department,
    Industry,
}

impl Group {
    fn title(self) -> &'static str {
        match self {
            Group::Seniority => "Seniority",
            Group::Department => "Department",
            Group::Industry => "Industry",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Group::Seniority => "seniority",
            Group::Department => "department",
            Group::Industry => "industry",
        }
    }

    fn facets(self, f: &Facets) -> &Vec<FacetCount> {
        match self {
            Group::Seniority => &f.seniority,
            Group::Department => &f.department,
            Group::Industry => &f.industry,
        }
    }

    fn chosen(self, f: &AppliedFilters) -> Vec<String> {
        match self {
            Group::Seniority => f.seniority.clone(),
            Group::Department => f.department.clone(),
            Group::Industry => f.industry.clone(),
        }
        .unwrap_or_default()
    }

    fn set(self, f: &mut AppliedFilters, list: Vec<String>) {
        let value = (!list.is_empty()).then_some(list);
        match self {
            Group::Seniority => f.seniority = value,
            Group::Department => f.department = value,
            Group::Industry => f.industry = value,
        }
    }
}

/// The options of a group: the unrefined list with the counts to show.
fn options(
    group: Group,
    base: Option<&Facets>,
    current: Option<&Facets>,
    chosen: &[String],
) -> Vec<FacetCount> {
    let base_list = base.map(|b| group.facets(b).clone()).unwrap_or_default();
    let mut out: Vec<FacetCount> = base_list
        .into_iter()
        .map(|mut option| {
            if chosen.is_empty() {
                option.count = current
                    .and_then(|c| group.facets(c).iter().find(|o| o.key == option.key))
                    .map_or(0, |o| o.count);
            }
            option
        })
        .collect();
    // A chosen key the base page did not list (set from the text) still shows.
    for key in chosen {
        if !out.iter().any(|o| &o.key == key) {
            out.push(FacetCount {
                key: key.clone(),
                label: label_of(group, key),
                count: 0,
            });
        }
    }
    out
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
    let chosen = Memo::new(move |_| app.filters.with(|f| group.chosen(f)));
    let list = Memo::new(move |_| {
        let chosen = chosen.get();
        let base = app.base_facets.get();
        let current = app.facets.get();
        options(group, base.as_ref(), current.as_ref(), &chosen)
    });
    let summary = move || {
        let n = chosen.with(Vec::len);
        if n == 0 {
            String::new()
        } else {
            format!("{n} selected")
        }
    };
    view! {
        <details class="facet" data-testid=format!("facet-{}", group.slug())>
            <summary>
                <span class="facet-title">{group.title()}</span>
                <span class="facet-chosen">{summary}</span>
            </summary>
            <fieldset>
                <legend class="visually-hidden">{group.title()}</legend>
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
                            app.refine(move |f| {
                                let mut list = group.chosen(f);
                                if let Some(i) = list.iter().position(|k| *k == key) {
                                    list.remove(i);
                                } else {
                                    list.push(key);
                                }
                                group.set(f, list);
                            });
                        };
                        view! {
                            <label class="option">
                                <input type="checkbox"
                                    data-testid=format!("filter-{}-{}", group.slug(), option.key)
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

#[component]
pub fn Filters() -> impl IntoView {
    let app = expect_context::<App>();
    let verified = move || {
        app.filters.with(|f| {
            f.email_status.as_deref() == Some(&[EmailStatus::Verified.as_str().to_owned()][..])
        })
    };
    // Every state is offered (a refinement may move the search to another state
    // than the text named), with its count where the results have one.
    let states = Memo::new(move |_| {
        let chosen = app.filters.with(|f| f.location_state.is_some());
        let counts = if chosen {
            app.base_facets.get()
        } else {
            app.facets.get()
        };
        let count_of = |code: &str| {
            counts
                .as_ref()
                .and_then(|c| c.state.iter().find(|o| o.key == code))
                .map(|o| o.count)
        };
        quarry_shared::geo::STATES
            .iter()
            .map(|s| FacetCount {
                key: s.code.to_owned(),
                label: s.name.to_owned(),
                count: count_of(s.code).unwrap_or(u64::MAX),
            })
            .collect::<Vec<_>>()
    });
    let sizes = Memo::new(move |_| {
        app.base_facets.with(|b| {
            b.as_ref()
                .map(|b| b.employee_range.clone())
                .unwrap_or_default()
        })
    });
    let chosen_size = move || {
        app.filters.with(|f| {
            taxonomy::SIZE_BUCKETS
                .iter()
                .find(|(lo, hi, _)| {
                    f.employee_count_min == Some(*lo)
                        && f.employee_count_max == (*hi != u32::MAX).then_some(*hi)
                })
                .map(|(_, _, k)| (*k).to_owned())
                .unwrap_or_default()
        })
    };
    let cities = Memo::new(move |_| {
        app.filters.with(|f| {
            f.location_state
                .as_ref()
                .and_then(|states| states.first())
                .and_then(|s| quarry_shared::geo::state(s))
                .map(|s| {
                    quarry_shared::geo::cities_in(s.code)
                        .map(|c| c.name.to_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let active = move || app.filters.with(|f| *f != AppliedFilters::default());
    let active_count = move || {
        app.filters.with(|f| {
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
    };
    // Narrow frames fold the filters away behind a button; wide ones always show them.
    let open = RwSignal::new(false);

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
                    hidden=move || !active() on:click=move |_| app.clear_filters()>
                    "Clear all"
                </button>
            </div>
            <div class="filters-body" id="quarry-filters-body">
            <div class="toggles">
                <label class="option">
                    <input type="checkbox" data-testid="filter-verified" prop:checked=verified
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            app.refine(move |f| {
                                f.email_status = on.then(|| vec![EmailStatus::Verified.as_str().to_owned()]);
                            });
                        } />
                    <span class="option-label">"Verified email only"</span>
                </label>
                <label class="option">
                    <input type="checkbox" data-testid="filter-has-phone"
                        prop:checked=move || app.filters.with(|f| f.has_phone == Some(true))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            app.refine(move |f| f.has_phone = on.then_some(true));
                        } />
                    <span class="option-label">"Has a phone number"</span>
                </label>
                <label class="option">
                    <input type="checkbox" data-testid="filter-net-new"
                        prop:checked=move || app.filters.with(|f| f.net_new_only)
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
                        app.refine(move |f| {
                            f.location_city = None;
                            f.location_state = (!value.is_empty()).then(|| vec![value]);
                        });
                    }>
                    <option value="" selected=move || app.filters.with(|f| f.location_state.is_none())>"Any state"</option>
                    <For
                        each=move || states.get()
                        key=|o| (o.key.clone(), o.count)
                        children=move |o| {
                            let key = o.key.clone();
                            let selected = move || app.filters.with(|f| f.location_state.as_deref() == Some(std::slice::from_ref(&key)));
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
                    prop:value=move || app.filters.with(|f| f.location_city.clone().unwrap_or_default())
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
                        let (min, max) = taxonomy::size_bucket(&value).unwrap_or((None, None));
                        app.refine(move |f| {
                            f.employee_count_min = min;
                            f.employee_count_max = max;
                        });
                    }>
                    <option value="" selected=move || chosen_size().is_empty()>"Any size"</option>
                    <For
                        each=move || sizes.get()
                        key=|o| (o.key.clone(), o.count)
                        children=move |o| {
                            let key = o.key.clone();
                            let selected = move || chosen_size() == key;
                            view! {
                                <option value=o.key.clone() selected=selected>
                                    {format!("{} employees ({})", o.key, quarry_shared::present::count(o.count))}
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
