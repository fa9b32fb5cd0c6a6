//! What is wrong right now, above the results: offline, the session being renewed,
//! a failed search (with the server's message and request id, and a retry), or a
//! partner page that cannot use prospecting at all.

use leptos::prelude::*;

use crate::bridge::Link;
use crate::state::{App, Status};

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
            {move || match app.status.get() {
                Status::Failed(failure) => {
                    let warnings: Vec<String> = match &failure {
                        crate::api::ApiFailure::Api(body) => body
                            .interpretation
                            .as_ref()
                            .map(|i| i.warnings.clone())
                            .unwrap_or_default(),
                        crate::api::ApiFailure::Network(_) => Vec::new(),
                    };
                    let understood_nothing = failure.code() == Some("query_not_understood");
                    let retryable = failure.retryable();
                    view! {
                        <div class="notice notice-error" data-testid="notice-error" role="alert"
                            data-code=failure.code().unwrap_or("network").to_owned()>
                            <p>{if understood_nothing {
                                "We couldn't tell who you're looking for. Try a role, an industry or a place, like \u{201c}CEOs of dental practices in Ohio\u{201d}.".to_owned()
                            } else {
                                failure.message()
                            }}</p>
                            {warnings.into_iter().map(|w| view! { <p class="muted">{w}</p> }).collect_view()}
                            {failure.request_id().map(|id| view! {
                                <p class="request-id" data-testid="request-id">{format!("Reference: {id}")}</p>
                            })}
                            <Show when=move || retryable>
                                <button type="button" class="btn" data-testid="retry"
                                    on:click=move |_| app.retry()>"Try again"</button>
                            </Show>
                        </div>
                    }.into_any()
                }
                _ => ().into_any(),
            }}
        </div>
    }
}
