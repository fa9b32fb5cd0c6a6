//! The root component: applies the partner's theme, connects to the loader,
//! provides the shared state, and lays out the screen — search on top, the wallet
//! beside the title, filters on the left, the action bar and results on the right
//! (stacked in narrow frames).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::bridge::{self, Link};
use crate::components::action_bar::ActionBar;
use crate::components::filters::Filters;
use crate::components::notices::Notices;
use crate::components::results::Results;
use crate::components::saved::SavedSearches;
use crate::components::search_box::SearchBox;
use crate::components::wallet_meter::WalletMeter;
use crate::state::App as State;

/// `data-theme` (light, dark, or auto by the system) and `data-accent` from the loader.
fn apply_theme(params: &bridge::Params) {
    let Some(root) = document()
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let theme = match params.theme.as_deref() {
        Some("dark") => "dark",
        Some("light") => "light",
        _ => "auto",
    };
    let _ = root.set_attribute("data-theme", theme);
    if let Some(accent) = params
        .accent
        .as_deref()
        .and_then(quarry_shared::present::accent)
    {
        let style = root.style();
        let _ = style.set_property("--q-accent", &accent.fill);
        let _ = style.set_property("--q-on-accent", accent.on_fill);
        let _ = style.set_property("--q-accent-ink-light", &accent.ink_light);
        let _ = style.set_property("--q-accent-ink-dark", &accent.ink_dark);
    }
}

#[component]
pub fn App() -> impl IntoView {
    let state = State::new();
    provide_context(state);
    state.watch();

    bridge::start(state.link, move || {
        state.refresh_wallet();
        state.reload();
    });
    apply_theme(&bridge::params());
    // The first token: load the wallet (the meter and the action labels).
    Effect::new(move |loaded: Option<bool>| {
        let ready = state.link.with(|l| matches!(l, Link::Ready));
        if ready && loaded != Some(true) {
            state.refresh_wallet();
            return true;
        }
        loaded.unwrap_or(false)
    });
    let online = window_event_listener(leptos::ev::online, move |_| state.online.set(true));
    let offline = window_event_listener(leptos::ev::offline, move |_| state.online.set(false));
    // Escape closes an open quote, wherever the focus is.
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && state.quote_for.with_untracked(Option::is_some) {
            state.cancel_buy();
        }
    });
    std::mem::forget((online, offline, escape));

    // A memo: the screen is rebuilt only when this changes, not on every token
    // renewal (rebuilding would drop the focus and what components hold).
    let fatal = Memo::new(move |_| match state.link.get() {
        Link::Fatal { title, detail } => Some((title, detail)),
        _ => None,
    });
    request_animation_frame(|| bridge::mark("quarry:interactive"));

    view! {
        <main class="quarry" data-testid="app"
            data-link=move || match state.link.get() {
                Link::Connecting => "connecting",
                Link::Ready => "ready",
                Link::Renewing => "renewing",
                Link::Fatal { .. } => "fatal",
            }>
            {move || match fatal.get() {
                Some((title, detail)) => view! {
                    <div class="fatal" role="alert" data-testid="notice-fatal">
                        <h1 class="fatal-title">{title}</h1>
                        <p>{detail}</p>
                    </div>
                }.into_any(),
                None => view! {
                    <header class="quarry-header">
                        <h1 class="quarry-title">"Find prospects"</h1>
                        <WalletMeter />
                    </header>
                    <SearchBox />
                    <SavedSearches />
                    <Notices />
                    <div class="workspace">
                        <Filters />
                        <div class="main-column">
                            <ActionBar />
                            <Results />
                        </div>
                    </div>
                }.into_any(),
            }}
        </main>
    }
}
