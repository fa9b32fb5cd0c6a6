//! The widget's state and the flows that change it: search, refine, page, select,
//! quote, buy, and the wallet. Components read the signals and call these methods;
//! no component talks HTTP itself.
//!
//! The state lives here, not with the token: a renewed token (every few minutes,
//! or after a laptop sleeps) changes nothing on screen — the query, filters,
//! selection and page all stay.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quarry_shared::api::Facets;
use quarry_shared::interpret::interpret;
use quarry_shared::present;
use quarry_shared::prospecting::{
    location_change, AppliedFilters, LocationChange, ProspectPreview, Quote, Selection,
    SelectionMode, SessionPage, StartSession,
};
use quarry_shared::wallet::{ResultAction, WalletView};

use crate::api::{self, ApiFailure};
use crate::bridge::{self, Link};

/// Rows per page.
pub const PAGE_SIZE: u32 = 25;

/// Where the current search stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// No search yet.
    Idle,
    Loading,
    Loaded,
    Failed(ApiFailure),
}

/// Where a purchase stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Buy {
    Idle,
    /// Asking what it would cost.
    Quoting(ResultAction),
    /// The quote, waiting for the person to confirm.
    Quoted {
        action: ResultAction,
        quote: Quote,
        selection: Selection,
    },
    Running {
        action: ResultAction,
        records: u64,
    },
    Done {
        action: ResultAction,
        outcome: Outcome,
        message: String,
    },
    Failed {
        action: ResultAction,
        failure: ApiFailure,
    },
}

/// How a finished purchase went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Pushed and accepted by the partner, or downloaded.
    Delivered,
    /// Bought; the partner did not accept it yet, retries are scheduled.
    Queued,
}

/// Every signal of the app; `Copy`, shared through context.
#[derive(Clone, Copy)]
pub struct App {
    pub link: RwSignal<Link>,
    pub online: RwSignal<bool>,
    /// The text in the search box.
    pub query: RwSignal<String>,
    pub status: RwSignal<Status>,
    /// The text of the session on screen, as it was submitted.
    pub searched: RwSignal<Option<String>>,
    pub page: RwSignal<Option<SessionPage>>,
    /// Facets of the session's unrefined first page: which options exist.
    pub base_facets: RwSignal<Option<Facets>>,
    /// The facets of the latest first page (refined).
    pub facets: RwSignal<Option<Facets>>,
    pub filters: RwSignal<AppliedFilters>,
    /// The filters the session on screen started with (only ever a place its
    /// text does not name: refinements narrow a session, a new place is a new
    /// search).
    pub started: RwSignal<AppliedFilters>,
    /// The cursor of each page visited; the last is the page on screen.
    pub cursors: RwSignal<Vec<Option<String>>>,
    /// Ticked prospect ids, in the order they were ticked.
    pub selected: RwSignal<Vec<String>>,
    /// "Select all results" is on.
    pub all_results: RwSignal<bool>,
    pub wallet: RwSignal<Option<WalletView>>,
    pub wallet_failure: RwSignal<Option<ApiFailure>>,
    pub buy: RwSignal<Buy>,
    /// Bumped by every search request; late answers of older ones are dropped.
    generation: StoredValue<u64>,
    /// What "Try again" re-runs: the last search request that failed.
    failed: StoredValue<Option<Retry>>,
}

/// A search request to run again.
#[derive(Debug, Clone, PartialEq)]
enum Retry {
    Submit,
    Load {
        search_id: String,
        cursor: Option<String>,
        first: bool,
    },
}

impl App {
    pub fn new() -> App {
        App {
            link: RwSignal::new(Link::Connecting),
            online: RwSignal::new(!api::is_offline()),
            query: RwSignal::new(String::new()),
            status: RwSignal::new(Status::Idle),
            searched: RwSignal::new(None),
            page: RwSignal::new(None),
            base_facets: RwSignal::new(None),
            facets: RwSignal::new(None),
            filters: RwSignal::new(AppliedFilters::default()),
            started: RwSignal::new(AppliedFilters::default()),
            cursors: RwSignal::new(vec![None]),
            selected: RwSignal::new(Vec::new()),
            all_results: RwSignal::new(false),
            wallet: RwSignal::new(None),
            wallet_failure: RwSignal::new(None),
            buy: RwSignal::new(Buy::Idle),
            generation: StoredValue::new(0),
            failed: StoredValue::new(None),
        }
    }

    fn next_generation(&self) -> u64 {
        self.generation.update_value(|g| *g += 1);
        self.generation.get_value()
    }

    fn is_current(&self, generation: u64) -> bool {
        self.generation.get_value() == generation
    }

    /// Runs the text in the search box as a new session. The session starts
    /// unrefined (or in the place the filters name, when the text names another),
    /// so its facets say which options the text allows; refinements on screen are
    /// then applied to its first page (refining never counts a search).
    pub fn submit(&self) {
        let q = self.query.get_untracked().trim().to_owned();
        if q.is_empty() {
            return;
        }
        let wanted = self.filters.get_untracked();
        let started = match location_change(&interpret(&q), &AppliedFilters::default(), &wanted) {
            LocationChange::Moves => wanted.location_part(),
            LocationChange::Same | LocationChange::Narrows => AppliedFilters::default(),
        };
        self.start(q, started);
    }

    /// Starts a session for `q` with the place filters `started`.
    fn start(&self, q: String, started: AppliedFilters) {
        bridge::mark("quarry:submit");
        let app = *self;
        let generation = self.next_generation();
        self.status.set(Status::Loading);
        self.buy.set(Buy::Idle);
        let body = StartSession {
            q: q.clone(),
            filters: (started != AppliedFilters::default()).then(|| started.clone()),
            limit: Some(PAGE_SIZE),
        };
        spawn_local(async move {
            let answer = api::start_session(app.link, &body).await;
            if !app.is_current(generation) {
                return;
            }
            match answer {
                Ok(page) => {
                    app.base_facets.set(page.facets.clone());
                    app.cursors.set(vec![None]);
                    app.clear_selection();
                    app.failed.set_value(None);
                    app.searched.set(Some(q));
                    let refined = app.filters.with_untracked(|f| f.over(&started) != started);
                    app.started.set(started);
                    if refined {
                        app.load_from(page.search_id, None, true);
                    } else {
                        app.show(page, true);
                    }
                }
                Err(failure) => {
                    app.failed.set_value(Some(Retry::Submit));
                    app.status.set(Status::Failed(failure));
                }
            }
            // A new session counts against the wallet's search limits.
            app.refresh_wallet();
        });
    }

    /// Changes the refinement filters and reloads the first page; a place the
    /// session's text does not cover starts a new (counted) search there.
    pub fn refine(&self, change: impl FnOnce(&mut AppliedFilters)) {
        self.filters.update(change);
        if self.page.with_untracked(Option::is_none) {
            return;
        }
        self.cursors.set(vec![None]);
        self.clear_selection();
        let Some(q) = self.searched.get_untracked() else {
            return;
        };
        let wanted = self.filters.get_untracked();
        let started = self.started.get_untracked();
        match location_change(&interpret(&q), &started, &wanted) {
            LocationChange::Moves => self.start(q, wanted.location_part()),
            LocationChange::Same | LocationChange::Narrows => self.load(None, true),
        }
    }

    /// Clears every refinement.
    pub fn clear_filters(&self) {
        self.refine(|f| *f = AppliedFilters::default());
    }

    pub fn next_page(&self) {
        let next = self
            .page
            .with_untracked(|p| p.as_ref().and_then(|p| p.pagination.next_cursor.clone()));
        if let Some(cursor) = next {
            self.cursors.update(|c| c.push(Some(cursor.clone())));
            self.load(Some(cursor), false);
        }
    }

    pub fn previous_page(&self) {
        if self.cursors.with_untracked(Vec::len) < 2 {
            return;
        }
        self.cursors.update(|c| {
            c.pop();
        });
        let cursor = self.cursors.with_untracked(|c| c.last().cloned().flatten());
        self.load(cursor, false);
    }

    /// The page on screen again (after a purchase: owned rows show in full).
    pub fn reload(&self) {
        let cursor = self.cursors.with_untracked(|c| c.last().cloned().flatten());
        self.load(cursor, false);
    }

    /// Runs again the search request that failed (or reloads the page on screen).
    pub fn retry(&self) {
        match self.failed.get_value() {
            Some(Retry::Submit) => self.submit(),
            Some(Retry::Load {
                search_id,
                cursor,
                first,
            }) => self.load_from(search_id, cursor, first),
            None => self.reload(),
        }
        if self.wallet_failure.with_untracked(Option::is_some) {
            self.refresh_wallet();
        }
    }

    /// A page of the session on screen (paging, refining).
    fn load(&self, cursor: Option<String>, first: bool) {
        if let Some(search_id) = self.search_id() {
            bridge::mark("quarry:submit");
            self.load_from(search_id, cursor, first);
        }
    }

    /// Loads a page of session `search_id` with the filters on screen; `first`:
    /// it is the first page, whose facets replace the refined counts.
    fn load_from(&self, search_id: String, cursor: Option<String>, first: bool) {
        let app = *self;
        let generation = self.next_generation();
        let filters = self.filters.get_untracked();
        self.status.set(Status::Loading);
        let retry = Retry::Load {
            search_id: search_id.clone(),
            cursor: cursor.clone(),
            first,
        };
        spawn_local(async move {
            let answer =
                api::session_page(app.link, &search_id, &filters, cursor.as_deref(), PAGE_SIZE)
                    .await;
            if !app.is_current(generation) {
                return;
            }
            match answer {
                Ok(page) => {
                    app.failed.set_value(None);
                    app.show(page, first);
                }
                Err(failure) => {
                    app.failed.set_value(Some(retry));
                    app.status.set(Status::Failed(failure));
                }
            }
        });
    }

    /// Puts a page on screen (a first page brings its facets).
    fn show(&self, page: SessionPage, first: bool) {
        if first || page.facets.is_some() {
            self.facets.set(page.facets.clone());
        }
        self.page.set(Some(page));
        self.status.set(Status::Loaded);
        after_render(|| bridge::mark("quarry:results"));
    }

    // ----- selection -----

    pub fn is_selected(&self, id: &str) -> bool {
        self.all_results.get() || self.selected.with(|s| s.iter().any(|x| x == id))
    }

    pub fn toggle(&self, id: &str) {
        if self.all_results.get_untracked() {
            // Unticking one row of "all results" leaves the rest of the page ticked.
            self.all_results.set(false);
            let ids = self.page_ids();
            self.selected
                .set(ids.into_iter().filter(|x| x != id).collect());
            return;
        }
        self.selected.update(|s| {
            if let Some(i) = s.iter().position(|x| x == id) {
                s.remove(i);
            } else {
                s.push(id.to_owned());
            }
        });
        self.buy.set(Buy::Idle);
    }

    /// Ticks or unticks every row on the page.
    pub fn set_page_selected(&self, on: bool) {
        self.all_results.set(false);
        let ids = self.page_ids();
        self.selected.update(|s| {
            if on {
                for id in ids {
                    if !s.contains(&id) {
                        s.push(id);
                    }
                }
            } else {
                s.retain(|x| !ids.contains(x));
            }
        });
        self.buy.set(Buy::Idle);
    }

    pub fn select_all_results(&self) {
        self.all_results.set(true);
        self.buy.set(Buy::Idle);
    }

    pub fn clear_selection(&self) {
        self.all_results.set(false);
        self.selected.set(Vec::new());
        self.buy.set(Buy::Idle);
    }

    /// Every row of the page is ticked.
    pub fn page_fully_selected(&self) -> bool {
        if self.all_results.get() {
            return true;
        }
        let ids = self.page.with(ids_on);
        !ids.is_empty() && self.selected.with(|s| ids.iter().all(|id| s.contains(id)))
    }

    fn page_ids(&self) -> Vec<String> {
        self.page.with_untracked(ids_on)
    }

    pub fn rows(&self) -> Vec<ProspectPreview> {
        self.page
            .with(|p| p.as_ref().map(|p| p.data.clone()).unwrap_or_default())
    }

    /// How many records the selection covers.
    pub fn selection_count(&self) -> u64 {
        if self.all_results.get() {
            return self
                .page
                .with(|p| p.as_ref().map(|p| p.pagination.deliverable()).unwrap_or(0));
        }
        self.selected.with(Vec::len) as u64
    }

    /// The selection body for quote, push and export.
    fn selection(&self) -> Option<Selection> {
        if self.all_results.get_untracked() {
            return Some(Selection {
                selection_mode: SelectionMode::AllResults,
                prospect_ids: None,
                applied_filters: Some(self.filters.get_untracked()),
            });
        }
        let ids = self.selected.get_untracked();
        if ids.is_empty() {
            return None;
        }
        let page = self.page_ids();
        let whole_page = ids.len() == page.len() && page.iter().all(|id| ids.contains(id));
        // The refinements on screen, which may override the text (another state):
        // the rows were picked from those results, not from the session's first page.
        Some(Selection {
            selection_mode: if whole_page {
                SelectionMode::Page
            } else {
                SelectionMode::Selected
            },
            prospect_ids: Some(ids),
            applied_filters: Some(self.filters.get_untracked()),
        })
    }

    // ----- buying -----

    /// Asks what the selection would cost with `action`.
    pub fn start_buy(&self, action: ResultAction) {
        let (Some(selection), Some(search_id)) = (self.selection(), self.search_id()) else {
            return;
        };
        let app = *self;
        self.buy.set(Buy::Quoting(action));
        spawn_local(async move {
            match api::quote(app.link, &search_id, &selection).await {
                Ok(quote) => app.buy.set(Buy::Quoted {
                    action,
                    quote,
                    selection,
                }),
                Err(failure) => app.buy.set(Buy::Failed { action, failure }),
            }
        });
    }

    pub fn cancel_buy(&self) {
        self.buy.set(Buy::Idle);
    }

    /// Buys the quoted selection: pushes it or downloads it.
    pub fn confirm_buy(&self) {
        let Buy::Quoted {
            action,
            quote,
            selection,
        } = self.buy.get_untracked()
        else {
            return;
        };
        let Some(search_id) = self.search_id() else {
            return;
        };
        let app = *self;
        self.buy.set(Buy::Running {
            action,
            records: quote.records,
        });
        spawn_local(async move {
            let done = match action {
                ResultAction::PushEndpoint => {
                    let key = idempotency_key();
                    match api::push(app.link, &search_id, &selection, &key).await {
                        Ok(result) => {
                            bridge::emit("push", serde_json::to_value(&result).unwrap_or_default());
                            Buy::Done {
                                action,
                                outcome: if result.delivered {
                                    Outcome::Delivered
                                } else {
                                    Outcome::Queued
                                },
                                message: present::push_outcome(&result),
                            }
                        }
                        Err(failure) => Buy::Failed { action, failure },
                    }
                }
                ResultAction::CsvExport => {
                    match api::export(app.link, &search_id, &selection).await {
                        Ok((result, bytes)) => {
                            crate::download::save(&result.filename, &bytes);
                            bridge::emit(
                                "export",
                                serde_json::to_value(&result).unwrap_or_default(),
                            );
                            Buy::Done {
                                action,
                                outcome: Outcome::Delivered,
                                message: present::export_outcome(&result),
                            }
                        }
                        Err(failure) => Buy::Failed { action, failure },
                    }
                }
            };
            let bought = matches!(done, Buy::Done { .. });
            if let Buy::Failed { failure, .. } = &done {
                bridge::emit("error", failure.to_json());
            }
            app.buy.set(done);
            if bought {
                app.selected.set(Vec::new());
                app.all_results.set(false);
                app.reload();
            }
            app.refresh_wallet();
        });
    }

    fn search_id(&self) -> Option<String> {
        self.page
            .with_untracked(|p| p.as_ref().map(|p| p.search_id.clone()))
    }

    // ----- wallet -----

    pub fn refresh_wallet(&self) {
        let app = *self;
        spawn_local(async move {
            match api::wallet(app.link).await {
                Ok(wallet) => {
                    bridge::emit("wallet", serde_json::to_value(&wallet).unwrap_or_default());
                    app.wallet.set(Some(wallet));
                    app.wallet_failure.set(None);
                }
                Err(failure) => app.wallet_failure.set(Some(failure)),
            }
        });
    }

    /// The label of an action the customer may use (`"Add to HubSpot"`).
    pub fn action_label(&self, action: ResultAction) -> Option<String> {
        self.wallet.with(|w| {
            w.as_ref()
                .and_then(|w| w.action_label(action))
                .map(str::to_owned)
        })
    }
}

/// The prospect ids of the page on screen.
fn ids_on(page: &Option<SessionPage>) -> Vec<String> {
    page.as_ref()
        .map(|p| p.data.iter().map(|r| r.prospect_id.clone()).collect())
        .unwrap_or_default()
}

/// A fresh `Idempotency-Key`, so a retried request never buys or sends twice.
fn idempotency_key() -> String {
    let random = (js_sys::Math::random() * 1e16) as u64;
    format!("qw-{}-{random:x}", js_sys::Date::now() as u64)
}

/// Runs `f` once the DOM update for the current change has been painted.
fn after_render(f: impl FnOnce() + 'static) {
    request_animation_frame(f);
}
