//! The root component: the widget's frame, the search box and the server status.

use leptos::prelude::*;

use crate::components::health_badge::HealthBadge;
use crate::components::search_box::SearchBox;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="quarry" data-testid="app">
            <header class="quarry-header">
                <h1 class="quarry-title">"Find prospects"</h1>
                <HealthBadge />
            </header>
            <SearchBox />
        </main>
    }
}
