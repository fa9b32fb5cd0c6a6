//! Shows whether the Quarry server answers (`/healthz`), with its version.

use leptos::prelude::*;

use crate::api;

#[component]
pub fn HealthBadge() -> impl IntoView {
    let health = LocalResource::new(api::health);
    view! {
        <Suspense fallback=|| view! { <span class="badge" data-testid="health">"Connecting…"</span> }>
            {move || Suspend::new(async move {
                match health.await {
                    Ok(h) => view! {
                        <span class="badge badge-ok" data-testid="health" role="status">
                            {format!("Server {} · v{}", h.status, h.version)}
                        </span>
                    }
                    .into_any(),
                    Err(e) => view! {
                        <span class="badge badge-error" data-testid="health" role="alert">
                            {e.describe()}
                        </span>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}
