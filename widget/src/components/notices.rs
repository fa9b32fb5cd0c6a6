//! What is wrong right now, above the results: offline, or the session being
//! renewed. A failed search is shown in place of its results (`results`).

use leptos::prelude::*;

use crate::bridge::Link;
use crate::state::App;

#[component]
pub fn Notices() -> impl IntoView {
    let app = expect_context::<App>();
    view! {
        <div class="notices" aria-live="assertive">
            <Show when=move || !app.online.get()>
                <p class="notice notice-warn" data-testid="notice-offline" role="alert">
                    "You're offline. Your search and selection are kept; Quarry reconnects when you're back."
                </p>
            </Show>
            <Show when=move || app.link.with(|l| matches!(l, Link::Renewing))>
                <p class="notice" data-testid="notice-renewing" role="status">"Reconnecting to your account…"</p>
            </Show>
        </div>
    }
}
