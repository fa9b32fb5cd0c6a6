//! The wallet meter: credits available, the limits that are set with how much of
//! each is used, and why searching or buying is blocked, in plain words. It is
//! reloaded after every search and every purchase.

use leptos::prelude::*;
use quarry_shared::present::{balance_line, block_reason, limit_lines};

use crate::state::App;

#[component]
pub fn WalletMeter() -> impl IntoView {
    let app = expect_context::<App>();
    let summary = move || {
        app.wallet
            .with(|w| w.as_ref().map(|w| w.wallet.summary.clone()))
    };
    view! {
        <section class="wallet" aria-label="Your credits" data-testid="wallet">
            {move || match (summary(), app.wallet_failure.get()) {
                (Some(s), _) => {
                    let blocked: Vec<String> = [
                        s.limit_state.search_block_reason.clone(),
                        s.limit_state.reveal_block_reason.clone(),
                    ]
                    .into_iter()
                    .flatten()
                    .fold(Vec::new(), |mut seen, r| {
                        if !seen.contains(&r) {
                            seen.push(r);
                        }
                        seen
                    });
                    let available = s.available_credit_units.map(|n| n.to_string()).unwrap_or_default();
                    view! {
                        <p class="balance" data-testid="wallet-balance" data-available=available
                            aria-live="polite">{balance_line(&s)}</p>
                        <ul class="limits">
                            {limit_lines(&s).into_iter().map(|l| view! {
                                <li class="limit" data-testid="wallet-limit">
                                    <span class="limit-label">{l.label}</span>
                                    <meter min="0" max="100" low="70" high="90" optimum="0"
                                        value=l.percent().to_string()
                                        aria-label=format!("{}: {}", l.label, l.text())></meter>
                                    <span class="limit-text">{l.text()}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        {blocked.into_iter().map(|r| view! {
                            <p class="notice notice-warn" data-testid="wallet-block">{block_reason(&r)}</p>
                        }).collect_view()}
                    }.into_any()
                }
                (None, Some(f)) => view! {
                    <p class="balance muted" data-testid="wallet-balance">{format!("Credits unavailable: {}", f.message())}</p>
                }.into_any(),
                (None, None) => view! {
                    <p class="balance muted" data-testid="wallet-balance">"Loading credits…"</p>
                }.into_any(),
            }}
        </section>
    }
}
