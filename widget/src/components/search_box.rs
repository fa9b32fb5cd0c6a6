//! The plain-language search box.

use leptos::prelude::*;

/// Example queries shown as the placeholder.
const PLACEHOLDER: &str = "CMOs of SaaS companies with 50+ employees in Nevada";

#[component]
pub fn SearchBox() -> impl IntoView {
    let (query, set_query) = signal(String::new());
    view! {
        <form class="search" role="search" on:submit=|ev| ev.prevent_default()>
            <label class="search-label" for="quarry-q">"Describe who you are looking for"</label>
            <input
                id="quarry-q"
                class="search-input"
                data-testid="search-input"
                type="search"
                autocomplete="off"
                placeholder=PLACEHOLDER
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
        </form>
    }
}
