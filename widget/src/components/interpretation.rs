//! The chips under the search box: one per filter of the search, from the text
//! ("CMO", "SaaS and software companies") or from a control ("Nevada", "Verified
//! emails", "Net-new only"), and the interpreter's warnings. They are a view of
//! the criteria (`quarry_shared::criteria`): removing a chip clears its refinement
//! or takes it out of the text, and the search runs again either way. While the
//! person types, the chips are the local reading of the text, and removing one
//! edits the text and searches.

use leptos::prelude::*;
use quarry_shared::criteria::{SearchChip, Source};
use quarry_shared::interpret::{chips, interpret, without_chip, ChipKind, Interpretation};

use crate::state::App;

fn kind_class(kind: ChipKind) -> &'static str {
    match kind {
        ChipKind::Role
        | ChipKind::Seniority
        | ChipKind::Department
        | ChipKind::AllEmployees
        | ChipKind::EmailStatus
        | ChipKind::Phone => "chip chip-person",
        ChipKind::Industry | ChipKind::Size | ChipKind::Domain => "chip chip-company",
        ChipKind::Location => "chip chip-place",
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

/// What the chip row shows: the running search's chips, or the text being typed.
#[derive(Debug, Clone, PartialEq)]
enum Reading {
    /// The search on screen (the server's reading with the refinements).
    Searched(Vec<SearchChip>, Vec<String>),
    /// What is being typed, read locally.
    Typing(Box<Interpretation>),
}

#[component]
pub fn InterpretationChips() -> impl IntoView {
    let app = expect_context::<App>();
    let reading = Memo::new(move |_| {
        let draft = app.draft.get();
        let searched = app.criteria.with(|c| {
            c.as_ref()
                .filter(|c| c.text.trim() == draft.trim())
                .cloned()
        });
        match (searched, app.page()) {
            (Some(c), Some(page)) => Reading::Searched(
                c.chips(&page.interpretation),
                page.interpretation.warnings.clone(),
            ),
            _ => Reading::Typing(Box::new(interpret(&draft))),
        }
    });
    let list = Memo::new(move |_| match reading.get() {
        Reading::Searched(list, _) => list,
        Reading::Typing(i) => chips(&i)
            .into_iter()
            .map(|chip| SearchChip {
                chip,
                source: Source::Text,
            })
            .collect(),
    });
    let warnings = Memo::new(move |_| match reading.get() {
        Reading::Searched(_, w) => w,
        Reading::Typing(i) => i.warnings.clone(),
    });
    let authoritative = move || matches!(reading.get(), Reading::Searched(..));
    let remove = move |chip: SearchChip| {
        if authoritative() {
            let next = app
                .criteria
                .with_untracked(|c| c.as_ref().and_then(|c| c.without(&chip)));
            if let Some(next) = next {
                app.set_criteria(next);
            }
        } else if let Some(edited) = app.draft.with_untracked(|q| without_chip(q, &chip.chip.id)) {
            app.draft.set(edited);
            app.submit();
        }
        focus_search();
    };

    view! {
        <div class="interpretation" aria-live="polite">
            <Show when=move || !list.with(Vec::is_empty)>
                <div class="chips" role="list" aria-label="What the search understood" data-testid="chips"
                    data-source=move || if authoritative() { "server" } else { "local" }>
                    <span class="chips-title">{move || if authoritative() { "Searching for" } else { "Understood" }}</span>
                    <For
                        each=move || list.get()
                        key=|c| (c.chip.id.clone(), c.source == Source::Text)
                        children=move |chip| {
                            let label = chip.chip.label.clone();
                            let source = match chip.source {
                                Source::Text => "text",
                                Source::Refinement => "filter",
                            };
                            let removing = chip.clone();
                            let excluded = chip.chip.excluded;
                            let class = if excluded {
                                format!("{} chip-excluded", kind_class(chip.chip.kind))
                            } else {
                                kind_class(chip.chip.kind).to_owned()
                            };
                            let title = if excluded {
                                format!("{} left out", kind_name(chip.chip.kind))
                            } else {
                                kind_name(chip.chip.kind).to_owned()
                            };
                            view! {
                                <span class=class role="listitem" data-testid="chip"
                                    data-chip-id=chip.chip.id.clone() data-chip-source=source
                                    data-excluded=excluded.to_string() title=title>
                                    <Show when=move || excluded>
                                        <span class="visually-hidden">"Not "</span>
                                    </Show>
                                    <span class="chip-label">{chip.chip.label.clone()}</span>
                                    <button type="button" class="chip-remove" data-testid="chip-remove"
                                        aria-label=format!("Remove {label} from the search")
                                        on:click=move |_| remove(removing.clone())>
                                        "×"
                                    </button>
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
