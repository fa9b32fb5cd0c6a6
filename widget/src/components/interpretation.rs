//! The chips under the search box ("CMO", "SaaS and software companies",
//! "Nevada") and the interpreter's warnings. Removing a chip edits the query text
//! (see `quarry_shared::interpret::without_chip`), so what is shown is always what
//! will be searched.

use leptos::prelude::*;
use quarry_shared::interpret::{chips, without_chip, ChipKind, Interpretation};

use crate::state::App;

fn kind_class(kind: ChipKind) -> &'static str {
    match kind {
        ChipKind::Role | ChipKind::Seniority | ChipKind::Department | ChipKind::AllEmployees => {
            "chip chip-person"
        }
        ChipKind::Industry | ChipKind::Size => "chip chip-company",
        ChipKind::Location => "chip chip-place",
        ChipKind::EmailStatus | ChipKind::Phone => "chip chip-person",
        ChipKind::Domain => "chip chip-company",
        ChipKind::Keyword | ChipKind::MaxRecords => "chip chip-other",
    }
}

fn kind_name(kind: ChipKind) -> &'static str {
    match kind {
        ChipKind::Role => "Role",
        ChipKind::Seniority => "Seniority",
        ChipKind::Department => "Department",
        ChipKind::Industry => "Industry",
        ChipKind::Location => "Location",
        ChipKind::Size => "Company size",
        ChipKind::Keyword => "Keyword",
        ChipKind::MaxRecords => "Limit",
        ChipKind::AllEmployees => "People",
        ChipKind::EmailStatus => "Email",
        ChipKind::Phone => "Phone",
        ChipKind::Domain => "Company",
    }
}

#[component]
pub fn InterpretationChips(
    interpretation: Signal<Interpretation>,
    /// Whether this is the server's reading of the submitted text.
    authoritative: Signal<bool>,
) -> impl IntoView {
    let app = expect_context::<App>();
    let list = Memo::new(move |_| interpretation.with(chips));
    let warnings = Memo::new(move |_| interpretation.with(|i| i.warnings.clone()));

    view! {
        <div class="interpretation" aria-live="polite">
            <Show when=move || !list.with(Vec::is_empty)>
                <div class="chips" role="list" aria-label="What the search understood" data-testid="chips"
                    data-source=move || if authoritative.get() { "server" } else { "local" }>
                    <span class="chips-title">{move || if authoritative.get() { "Searching for" } else { "Understood" }}</span>
                    <For
                        each=move || list.get()
                        key=|c| c.id.clone()
                        children=move |chip| {
                            let id = chip.id.clone();
                            let label = chip.label.clone();
                            let removable = app.query.with_untracked(|q| without_chip(q, &id).is_some());
                            let remove = move |_| {
                                let q = app.query.get_untracked();
                                if let Some(edited) = without_chip(&q, &id) {
                                    app.query.set(edited);
                                    focus_search();
                                }
                            };
                            view! {
                                <span class=kind_class(chip.kind) role="listitem" data-testid="chip"
                                    data-chip-id=chip.id.clone() title=kind_name(chip.kind)>
                                    <span class="chip-label">{chip.label.clone()}</span>
                                    <Show when=move || removable>
                                        <button type="button" class="chip-remove" data-testid="chip-remove"
                                            aria-label=format!("Remove {label} from the search")
                                            on:click=remove.clone()>
                                            "×"
                                        </button>
                                    </Show>
                                </span>
                            }
                        }
                    />
                </div>
            </Show>
            <Show when=move || !warnings.with(Vec::is_empty)>
                <ul class="warnings" aria-label="Notes on the search">
                    <For
                        each=move || warnings.get()
                        key=|w| w.clone()
                        children=|w| view! { <li class="warning" data-testid="warning">{w}</li> }
                    />
                </ul>
            </Show>
        </div>
    }
}

fn focus_search() {
    if let Some(input) = document().get_element_by_id("quarry-q") {
        use wasm_bindgen::JsCast;
        if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
            let _ = input.focus();
        }
    }
}
