//! The plain-language search box: example suggestions (a keyboard-friendly
//! combobox), the interpretation chips that follow the typing — the shared
//! interpreter runs right here in WASM — and a Search button. On submit the server
//! interprets the text again, authoritatively, and its reading replaces the local
//! one until the text changes. A text over the limit is refused with a visible
//! message, never cut; a skip link jumps from here to the results.

use leptos::prelude::*;
use quarry_shared::present::count;
use quarry_shared::taxonomy::EXAMPLE_QUERIES;

use super::interpretation::InterpretationChips;
use crate::bridge::Link;
use crate::state::{App, MAX_QUERY_CHARS};

/// Suggestions shown at most.
const MAX_SUGGESTIONS: usize = 6;

/// The examples that contain every word typed so far (all of them when empty).
fn suggestions(text: &str) -> Vec<&'static str> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    EXAMPLE_QUERIES
        .iter()
        .copied()
        .filter(|q| {
            let lower = q.to_lowercase();
            words.iter().all(|w| lower.contains(w.as_str())) && lower != text.trim().to_lowercase()
        })
        .take(MAX_SUGGESTIONS)
        .collect()
}

#[component]
pub fn SearchBox() -> impl IntoView {
    let app = expect_context::<App>();
    let input = NodeRef::<leptos::html::Input>::new();
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let listed = Memo::new(move |_| app.draft.with(|q| suggestions(q)));
    let length = Memo::new(move |_| app.draft.with(|q| q.trim().chars().count()));
    let too_long = move || length.get() > MAX_QUERY_CHARS;

    let choose = move |q: &'static str| {
        app.draft.set(q.to_owned());
        open.set(false);
        active.set(None);
        app.submit();
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let (true, Some(i)) = (open.get_untracked(), active.get_untracked()) {
            if let Some(q) = listed.with_untracked(|l| l.get(i).copied()) {
                choose(q);
                return;
            }
        }
        open.set(false);
        app.submit();
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        let n = listed.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                open.set(true);
                active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            "Escape" => {
                open.set(false);
                active.set(None);
            }
            _ => {}
        }
    };
    let blocked = move || {
        app.wallet.with(|w| {
            w.as_ref()
                .and_then(|w| w.wallet.summary.limit_state.search_block_reason.clone())
        })
    };
    let busy = move || app.searching();
    let connecting = move || app.link.with(|l| matches!(l, Link::Connecting));

    view! {
        <form class="search" role="search" aria-label="Search prospects" on:submit=submit>
            <label class="search-label" for="quarry-q">"Describe who you are looking for"</label>
            <div class="search-row">
                <div class="combo">
                    <input
                        id="quarry-q"
                        node_ref=input
                        class="search-input"
                        data-testid="search-input"
                        type="search"
                        role="combobox"
                        autocomplete="off"
                        spellcheck="false"
                        aria-invalid=move || too_long().to_string()
                        aria-autocomplete="list"
                        aria-controls="quarry-suggestions"
                        aria-describedby="quarry-q-hint"
                        aria-expanded=move || (open.get() && !listed.with(Vec::is_empty)).to_string()
                        aria-activedescendant=move || active.get().map(|i| format!("quarry-suggestion-{i}"))
                        placeholder="e.g. CMOs of SaaS companies with 50+ employees in Nevada"
                        prop:value=move || app.draft.get()
                        on:input=move |ev| {
                            app.draft.set(event_target_value(&ev));
                            open.set(true);
                            active.set(None);
                        }
                        on:focus=move |_| open.set(true)
                        on:blur=move |_| open.set(false)
                        on:keydown=keydown
                    />
                    <ul
                        id="quarry-suggestions"
                        class="suggestions"
                        role="listbox"
                        aria-label="Example searches"
                        hidden=move || !open.get() || listed.with(Vec::is_empty)
                    >
                        <For
                            each=move || listed.get().into_iter().enumerate()
                            key=|(i, q)| (*i, *q)
                            children=move |(i, q)| {
                                view! {
                                    <li
                                        id=format!("quarry-suggestion-{i}")
                                        role="option"
                                        class="suggestion"
                                        data-testid="suggestion"
                                        class:active=move || active.get() == Some(i)
                                        aria-selected=move || (active.get() == Some(i)).to_string()
                                        // mousedown, not click: it comes before the input's blur.
                                        on:mousedown=move |ev| {
                                            ev.prevent_default();
                                            choose(q);
                                        }
                                    >
                                        {q}
                                    </li>
                                }
                            }
                        />
                    </ul>
                </div>
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="search-submit"
                    disabled=move || busy() || blocked().is_some() || too_long()
                    aria-busy=move || busy().to_string()
                >
                    {move || if busy() { "Searching…" } else { "Search" }}
                </button>
            </div>
            <p id="quarry-q-hint" class="hint" class:hint-error=too_long data-testid="search-hint"
                role=move || too_long().then_some("alert")>
                {move || match blocked() {
                    _ if too_long() => format!(
                        "Your search is {} characters; a search can be at most {}. Shorten it to search.",
                        count(length.get() as u64),
                        count(MAX_QUERY_CHARS as u64)
                    ),
                    Some(reason) => quarry_shared::present::block_reason(&reason).to_owned(),
                    None if connecting() => "Connecting to your account…".to_owned(),
                    None => "Plain language works: role, industry, company size and location.".to_owned(),
                }}
            </p>
            <InterpretationChips />
            <a class="skip-link" href="#quarry-results" data-testid="skip-to-results"
                on:click=move |ev| {
                    ev.prevent_default();
                    if let Some(el) = document().get_element_by_id("quarry-results") {
                        use wasm_bindgen::JsCast;
                        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                            let _ = el.focus();
                        }
                    }
                }>"Skip to results"</a>
        </form>
    }
}
