//! The action bar: the selection count, the partner's push button ("Add to
//! HubSpot") and "Export CSV" when they are enabled, then the buy flow — the quote
//! (a resource keyed on the selection: "37 new · 12 already yours · 37 credits ·
//! balance after 63"), what does not fit and why in plain words with "Buy the N
//! that fit", confirm or cancel (Escape closes it), progress while it runs, and the
//! outcome, which takes the focus ("Sent 25 contacts to HubSpot").
//!
//! The bar stays on screen wherever the partner page is scrolled: the iframe is as
//! tall as its content, so the loader reports which part of the frame is visible
//! and the bar sticks to the top of that part (`--q-visible-top`, see `bridge`).

use leptos::prelude::*;
use quarry_shared::present::{contacts, count, fit_line, quote_line};
use quarry_shared::wallet::ResultAction;

use crate::state::{App, Outcome, Purchase};

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
    let fit_buy = NodeRef::<leptos::html::Button>::new();
    let outcome = NodeRef::<leptos::html::Div>::new();
    let push_label = move || app.action_label(ResultAction::PushEndpoint);
    let export_label = move || app.action_label(ResultAction::CsvExport);
    let selected = move || app.selection_count();
    let quoting = move || app.quote_for.with(Option::is_some);
    let running = move || app.purchase.with(|p| matches!(p, Purchase::Running { .. }));
    // Nothing acts on results that failed or are not there.
    let usable = move || app.page().is_some() && app.failure().is_none();
    let reveal_block = move || {
        app.wallet.with(|w| {
            w.as_ref()
                .and_then(|w| w.wallet.summary.limit_state.reveal_block_reason.clone())
        })
    };
    // The confirm button takes the focus as soon as the quote is shown, and the
    // outcome once the purchase is done.
    Effect::new(move |_| {
        if let Some(Ok((_, quote))) = app.quoted() {
            // "Buy the N that fit" when the whole selection cannot be bought.
            let target = if quote.allowed { confirm } else { fit_buy };
            request_animation_frame(move || {
                if let Some(button) = target.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
    });
    Effect::new(move |_| {
        if app
            .purchase
            .with(|p| matches!(p, Purchase::Done { .. } | Purchase::Failed { .. }))
        {
            request_animation_frame(move || {
                if let Some(div) = outcome.get_untracked() {
                    let _ = div.focus();
                }
            });
        }
    });

    let button = move |action: ResultAction, label: String, testid: &'static str, primary: bool| {
        view! {
            <button type="button" class=if primary { "btn btn-primary" } else { "btn" }
                data-testid=testid
                disabled=move || selected() == 0 || quoting() || running() || !usable()
                on:click=move |_| app.start_buy(action)>
                {label}
            </button>
        }
    };
    let label_of = move |action: ResultAction| match action {
        ResultAction::PushEndpoint => push_label().unwrap_or_else(|| "Send".into()),
        ResultAction::CsvExport => export_label().unwrap_or_else(|| "Export CSV".into()),
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
            {move || {
                if !quoting() {
                    return ().into_any();
                }
                match app.quoted() {
                    None => view! {
                        <div class="quote" role="status" data-testid="quote-loading">
                            <span class="spinner" aria-hidden="true"></span>
                            "Checking what it costs…"
                        </div>
                    }.into_any(),
                    Some(Err(failure)) => view! {
                        <div class="outcome outcome-error" role="alert" data-testid="quote-failed">
                            {format!("Could not price this: {}", failure.message())}
                            <button type="button" class="btn" data-testid="quote-cancel"
                                on:click=move |_| app.cancel_buy()>"Close"</button>
                        </div>
                    }.into_any(),
                    Some(Ok((request, quote))) => {
                        let action = request.action;
                        let allowed = quote.allowed;
                        let reason = quote.block_reason.clone();
                        let fit = fit_line(&quote);
                        let fits = quote.fits_records;
                        let title = format!("{} · {}", label_of(action), contacts(quote.records));
                        view! {
                            <div class="quote" role="dialog" aria-modal="false" aria-labelledby="quarry-quote-title"
                                data-testid="quote-panel">
                                <p id="quarry-quote-title" class="quote-title">{title}</p>
                                <p class="quote-line" data-testid="quote">{quote_line(&quote)}</p>
                                {fit.map(|line| view! {
                                    <p class="notice notice-warn" data-testid="quote-fit">{line}</p>
                                })}
                                {reason.filter(|r| r != "selection_too_large" && r != "insufficient_credits").map(|r| view! {
                                    <p class="notice notice-warn" data-testid="quote-block">{quarry_shared::present::block_reason(&r)}</p>
                                })}
                                <div class="quote-actions">
                                    {(!allowed && fits > 0).then(|| view! {
                                        <button type="button" class="btn btn-primary" node_ref=fit_buy
                                            data-testid="quote-fit-buy"
                                            on:click=move |_| app.buy_what_fits(fits)>
                                            {format!("Buy the {} that fit", count(fits))}
                                        </button>
                                    })}
                                    <button type="button" class=if allowed { "btn btn-primary" } else { "btn" }
                                        node_ref=confirm
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
                }
            }}
            {move || match app.purchase.get() {
                Purchase::Idle => ().into_any(),
                Purchase::Running { action, records } => view! {
                    <div class="quote" role="status" data-testid="buy-progress">
                        <progress aria-label="Working"></progress>
                        {match action {
                            ResultAction::PushEndpoint => format!("Sending {}…", contacts(records)),
                            ResultAction::CsvExport => format!("Preparing the CSV of {}…", contacts(records)),
                        }}
                    </div>
                }.into_any(),
                Purchase::Done { outcome: done, message, .. } => view! {
                    <div class=match done { Outcome::Delivered => "outcome outcome-ok", Outcome::Queued => "outcome outcome-warn" }
                        role="status" tabindex="-1" node_ref=outcome data-testid="buy-outcome"
                        data-outcome=match done { Outcome::Delivered => "delivered", Outcome::Queued => "queued" }>
                        {message}
                    </div>
                }.into_any(),
                Purchase::Failed { failure, .. } => view! {
                    <div class="outcome outcome-error" role="alert" tabindex="-1" node_ref=outcome
                        data-testid="buy-outcome" data-outcome="failed">
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
