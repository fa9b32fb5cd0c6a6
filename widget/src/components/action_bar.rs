//! The action bar: the partner's push button ("Add to HubSpot") and "Export CSV"
//! when they are enabled, then the buy flow — a quote first ("37 new · 12 already
//! yours · 37 credits · balance after 63"), confirm or cancel, progress while it
//! runs, and the outcome (delivered, queued for retry, or not bought and why).

use leptos::prelude::*;
use quarry_shared::present::{contacts, quote_line};
use quarry_shared::wallet::ResultAction;

use crate::state::{App, Buy, Outcome};

fn verb(action: ResultAction) -> &'static str {
    match action {
        ResultAction::PushEndpoint => "Confirm",
        ResultAction::CsvExport => "Download",
    }
}

#[component]
pub fn ActionBar() -> impl IntoView {
    let app = expect_context::<App>();
    let confirm = NodeRef::<leptos::html::Button>::new();
    let push_label = move || app.action_label(ResultAction::PushEndpoint);
    let export_label = move || app.action_label(ResultAction::CsvExport);
    let selected = move || app.selection_count();
    let idle = move || {
        app.buy
            .with(|b| matches!(b, Buy::Idle | Buy::Done { .. } | Buy::Failed { .. }))
    };
    let reveal_block = move || {
        app.wallet.with(|w| {
            w.as_ref()
                .and_then(|w| w.wallet.summary.limit_state.reveal_block_reason.clone())
        })
    };
    // The confirm button takes the focus as soon as the quote is shown.
    Effect::new(move |_| {
        if app.buy.with(|b| matches!(b, Buy::Quoted { .. })) {
            request_animation_frame(move || {
                if let Some(button) = confirm.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
    });

    let button = move |action: ResultAction, label: String, testid: &'static str, primary: bool| {
        view! {
            <button type="button" class=if primary { "btn btn-primary" } else { "btn" }
                data-testid=testid
                disabled=move || selected() == 0 || !idle()
                on:click=move |_| app.start_buy(action)>
                {label}
            </button>
        }
    };

    view! {
        <div class="action-bar" data-testid="action-bar" role="region" aria-label="Selected people">
            <div class="action-row">
                <p class="selection-count" data-testid="selection-count" aria-live="polite">
                    {move || match selected() {
                        0 => "Select people to add them".to_owned(),
                        n => format!("{} selected", contacts(n)),
                    }}
                </p>
                <div class="actions">
                    {move || push_label().map(|l| button(ResultAction::PushEndpoint, l, "action-push", true))}
                    {move || export_label().map(|l| button(ResultAction::CsvExport, l, "action-export", push_label().is_none()))}
                </div>
            </div>
            <Show when=move || push_label().is_none() && export_label().is_none() && app.wallet.with(Option::is_some)>
                <p class="muted">"Your app has not enabled adding or exporting contacts yet."</p>
            </Show>
            {move || reveal_block().map(|r| view! {
                <p class="notice notice-warn" data-testid="reveal-block">
                    {quarry_shared::present::block_reason(&r)}
                </p>
            })}
            {move || match app.buy.get() {
                Buy::Idle => ().into_any(),
                Buy::Quoting(action) => view! {
                    <div class="quote" role="status" data-testid="quote-loading">
                        <span class="spinner" aria-hidden="true"></span>
                        {match action {
                            ResultAction::PushEndpoint => "Checking what sending them costs…",
                            ResultAction::CsvExport => "Checking what the export costs…",
                        }}
                    </div>
                }.into_any(),
                Buy::Quoted { action, quote, .. } => {
                    let allowed = quote.allowed;
                    let reason = quote.block_reason.clone();
                    let label = match action {
                        ResultAction::PushEndpoint => push_label().unwrap_or_else(|| "Send".into()),
                        ResultAction::CsvExport => export_label().unwrap_or_else(|| "Export CSV".into()),
                    };
                    let title = format!("{label} · {}", contacts(quote.records));
                    view! {
                        <div class="quote" role="group" aria-labelledby="quarry-quote-title" data-testid="quote-panel">
                            <p id="quarry-quote-title" class="quote-title">{title}</p>
                            <p class="quote-line" data-testid="quote">{quote_line(&quote)}</p>
                            {reason.map(|r| view! {
                                <p class="notice notice-warn" data-testid="quote-block">{quarry_shared::present::block_reason(&r)}</p>
                            })}
                            <div class="quote-actions">
                                <button type="button" class="btn btn-primary" node_ref=confirm
                                    data-testid="quote-confirm" disabled=!allowed
                                    on:click=move |_| app.confirm_buy()>
                                    {match quote.credit_units {
                                        0 => format!("{} · free", verb(action)),
                                        n => format!("{} · {}", verb(action), quarry_shared::present::credits(n)),
                                    }}
                                </button>
                                <button type="button" class="btn" data-testid="quote-cancel"
                                    on:click=move |_| app.cancel_buy()>"Cancel"</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Buy::Running { action, records } => view! {
                    <div class="quote" role="status" data-testid="buy-progress">
                        <progress aria-label="Working"></progress>
                        {match action {
                            ResultAction::PushEndpoint => format!("Sending {}…", contacts(records)),
                            ResultAction::CsvExport => format!("Preparing the CSV of {}…", contacts(records)),
                        }}
                    </div>
                }.into_any(),
                Buy::Done { outcome, message, .. } => view! {
                    <div class=match outcome { Outcome::Delivered => "outcome outcome-ok", Outcome::Queued => "outcome outcome-warn" }
                        role="status" data-testid="buy-outcome"
                        data-outcome=match outcome { Outcome::Delivered => "delivered", Outcome::Queued => "queued" }>
                        {message}
                    </div>
                }.into_any(),
                Buy::Failed { failure, .. } => view! {
                    <div class="outcome outcome-error" role="alert" data-testid="buy-outcome" data-outcome="failed">
                        {format!("Nothing was bought: {}", failure.message())}
                        {failure.request_id().map(|id| view! {
                            <span class="request-id" data-testid="request-id">{format!(" Reference: {id}")}</span>
                        })}
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
