//! Saved searches: save the search on screen by name, and the customer's saved
//! searches with "N new since you last looked"; picking one searches it again
//! (a new, counted session) and marks its matches as seen.

use leptos::prelude::*;
use quarry_shared::criteria::Criteria;
use quarry_shared::prospecting::{SaveSearch, SavedSearchView};

use crate::api;
use crate::state::App;

#[component]
pub fn SavedSearches() -> impl IntoView {
    let app = expect_context::<App>();
    let saved = RwSignal::new(Vec::<SavedSearchView>::new());
    let name = RwSignal::new(String::new());
    let said = RwSignal::new(None::<String>);
    let load = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = api::saved_searches(app.link).await {
                saved.set(list);
            }
        });
    };
    load();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(c) = app.criteria.get_untracked() else {
            return;
        };
        let label = name.get_untracked().trim().to_owned();
        let body = SaveSearch {
            name: if label.is_empty() {
                c.text.chars().take(100).collect()
            } else {
                label
            },
            q: c.q.clone(),
            filters: Some(c.applied()),
            watch: Some(true),
        };
        leptos::task::spawn_local(async move {
            match api::save_search(app.link, &body).await {
                Ok(view) => {
                    said.set(Some(format!("Saved “{}”", view.name)));
                    name.set(String::new());
                    load();
                }
                Err(failure) => said.set(Some(failure.to_string())),
            }
        });
    };
    let run = move |s: SavedSearchView| {
        app.set_criteria(Criteria::search(&s.q, &s.filters));
        leptos::task::spawn_local(async move {
            let _ = api::saved_search_action(app.link, &s.id, false).await;
            load();
        });
    };
    let remove = move |id: String| {
        leptos::task::spawn_local(async move {
            let _ = api::saved_search_action(app.link, &id, true).await;
            load();
        });
    };
    view! {
        <details class="saved" data-testid="saved-searches">
            <summary>
                "Saved searches "
                <span class="saved-count">{move || format!("({})", saved.with(Vec::len))}</span>
                {move || {
                    let fresh: u64 = saved.with(|l| l.iter().map(|s| s.new_matches).sum());
                    (fresh > 0).then(|| view! { <span class="badge" data-testid="saved-new-total">{format!("{fresh} new")}</span> })
                }}
            </summary>
            <Show when=move || app.criteria.with(Option::is_some)>
                <form class="saved-form" on:submit=save>
                    <input type="text" maxlength="100" placeholder="Name this search"
                        aria-label="Name for the saved search" data-testid="save-search-name"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev)) />
                    <button type="submit" class="button" data-testid="save-search">"Save search"</button>
                </form>
            </Show>
            <p role="status" class="saved-said" data-testid="saved-said">{move || said.get()}</p>
            <ul class="saved-list">
                <For each=move || saved.get() key=|s| (s.id.clone(), s.new_matches)
                    children=move |s| {
                        let (open, gone) = (s.clone(), s.id.clone());
                        let fresh = s.new_matches;
                        view! {
                            <li class="saved-item" data-testid="saved-search" data-saved-id=s.id.clone()>
                                <button type="button" class="link" data-testid="saved-run"
                                    on:click=move |_| run(open.clone())>{s.name.clone()}</button>
                                {(fresh > 0).then(|| view! {
                                    <span class="badge" data-testid="saved-new"
                                        title="People it matches that you have not seen yet">
                                        {format!("{fresh} new since you last looked")}
                                    </span>
                                })}
                                <button type="button" class="chip-remove" data-testid="saved-delete"
                                    aria-label=format!("Delete the saved search {}", s.name)
                                    on:click=move |_| remove(gone.clone())>"×"</button>
                            </li>
                        }
                    } />
            </ul>
        </details>
    }
}
