//! The widget's state: one [`Criteria`] value (what the person searches for: the
//! text, the session's start and the refinements, `quarry_shared::criteria`) and
//! the [`View`] of it (order, page size, page). The session, the page of results
//! with its facets and the quote are resources keyed on them, so a change anywhere
//! (the text, a chip, a control, a column header) is one new value and everything
//! on screen follows from it; a late answer to an older value is dropped by the
//! resource itself. Buying is the one imperative flow: it acts, then reloads.
//!
//! The state lives here, not with the token: a renewed token (every few minutes,
//! or after a laptop sleeps) changes nothing on screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use quarry_shared::criteria::Criteria;
use quarry_shared::present;
use quarry_shared::prospecting::{
    AppliedFilters, Quote, Selection, SelectionMode, SessionPage, Sort, StartSession,
};
use quarry_shared::wallet::{ResultAction, WalletView};

use crate::api::{self, ApiFailure};
use crate::bridge::{self, Link};

/// Page sizes offered; the first is the default.
pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// The longest search text the server takes for a session.
pub const MAX_QUERY_CHARS: usize = 500;

/// How the results of the criteria are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub sort: Sort,
    pub page_size: u32,
    /// From 1.
    pub page: u32,
}

impl Default for View {
    fn default() -> View {
        View {
            sort: Sort::default(),
            page_size: PAGE_SIZES[0],
            page: 1,
        }
    }
}

/// A page of results as a resource holds it: nothing asked yet, or the answer.
pub type Loaded<T> = Option<Result<T, ApiFailure>>;

/// A quote asked for: buying `selection` with `action` in session `search_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteRequest {
    pub action: ResultAction,
    pub search_id: String,
    pub selection: Selection,
}

/// Where a purchase stands once the person confirmed it.
#[derive(Debug, Clone, PartialEq)]
pub enum Purchase {
    Idle,
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

/// Every signal and resource of the app; `Copy`, shared through context.
#[derive(Clone, Copy)]
pub struct App {
    pub link: RwSignal<Link>,
    pub online: RwSignal<bool>,
    /// The text in the search box (what the person is typing).
    pub draft: RwSignal<String>,
    /// What is searched; `None` before the first search.
    pub criteria: RwSignal<Option<Criteria>>,
    pub view: RwSignal<View>,
    /// The session (its first page), keyed on the criteria's text and start.
    pub session: LocalResource<Loaded<SessionPage>>,
    /// The page on screen, keyed on the session, the refinements and the view.
    pub results: LocalResource<Loaded<SessionPage>>,
    /// Bumped to run the session again after it failed ("Try again").
    session_retry: RwSignal<u32>,
    /// Bumped to load the page again (after a purchase, "Try again").
    reload: RwSignal<u32>,
    /// Ticked prospect ids, in the order they were ticked.
    pub selected: RwSignal<Vec<String>>,
    /// "Select all results" is on.
    pub all_results: RwSignal<bool>,
    /// The quote asked for, and the answer.
    pub quote_for: RwSignal<Option<QuoteRequest>>,
    pub quote: LocalResource<Loaded<(QuoteRequest, Quote)>>,
    pub purchase: RwSignal<Purchase>,
    /// The row whose detail is open.
    pub detail: RwSignal<Option<String>>,
    pub wallet: RwSignal<Option<WalletView>>,
    pub wallet_failure: RwSignal<Option<ApiFailure>>,
}

impl App {
    pub fn new() -> App {
        let link = RwSignal::new(Link::Connecting);
        let criteria = RwSignal::new(None::<Criteria>);
        let view = RwSignal::new(View::default());
        let session_retry = RwSignal::new(0u32);
        let reload = RwSignal::new(0u32);
        // Only the text and the start make a session: refinements never start one.
        let session_key = Memo::new(move |_| {
            criteria.with(|c| c.as_ref().map(|c| (c.q.clone(), c.started.clone())))
        });
        let session = LocalResource::new(move || {
            let key = session_key.get();
            session_retry.track();
            async move {
                let (q, started) = key?;
                bridge::mark("quarry:submit");
                let body = StartSession {
                    q,
                    filters: (started != AppliedFilters::default()).then_some(started),
                    limit: Some(PAGE_SIZES[0]),
                };
                Some(api::start_session(link, &body).await)
            }
        });
        let applied = Memo::new(move |_| criteria.with(|c| c.as_ref().map(Criteria::applied)));
        let results = LocalResource::new(move || {
            let applied = applied.get();
            let view = view.get();
            let reloads = reload.get();
            async move {
                let first = match session.await? {
                    Ok(first) => first,
                    Err(failure) => return Some(Err(failure)),
                };
                let applied = applied?;
                let started = criteria
                    .with_untracked(|c| c.as_ref().map(|c| c.started.clone()))
                    .unwrap_or_default();
                // The session's own first page, unless something asks for another.
                if applied == started && view == View::default() && reloads == 0 {
                    return Some(Ok(first));
                }
                bridge::mark("quarry:submit");
                Some(api::session_page(link, &first.search_id, &applied, view).await)
            }
        });
        let quote_for = RwSignal::new(None::<QuoteRequest>);
        let quote = LocalResource::new(move || {
            let request = quote_for.get();
            async move {
                let request = request?;
                let answer = api::quote(link, &request.search_id, &request.selection).await;
                Some(answer.map(|q| (request, q)))
            }
        });
        App {
            link,
            online: RwSignal::new(!api::is_offline()),
            draft: RwSignal::new(String::new()),
            criteria,
            view,
            session,
            results,
            session_retry,
            reload,
            selected: RwSignal::new(Vec::new()),
            all_results: RwSignal::new(false),
            quote_for,
            quote,
            purchase: RwSignal::new(Purchase::Idle),
            detail: RwSignal::new(None),
            wallet: RwSignal::new(None),
            wallet_failure: RwSignal::new(None),
        }
    }

    /// Sets up what follows from the state: the wallet after every new session
    /// (it counts one), and nothing stale after a change of what is searched.
    pub fn watch(&self) {
        let app = *self;
        // A new session counts against the wallet's search limits.
        Effect::new(move |_| {
            if app.session.with(|s| matches!(s, Some(Some(_)))) {
                app.refresh_wallet();
            }
        });
        // Other people, other selection: a change of the criteria clears it.
        Effect::new(move |previous: Option<Option<AppliedFilters>>| {
            let now = app
                .criteria
                .with(|c| c.as_ref().map(|c| (c.q.clone(), c.applied())))
                .map(|(_, a)| a);
            if previous.is_some() {
                app.clear_selection();
            }
            now
        });
        // A failed page clears what was on screen and what could act on it.
        Effect::new(move |_| {
            if app.failure().is_some() {
                app.clear_selection();
            }
        });
    }

    // ----- searching -----

    /// Runs the text in the search box as a new search (a counted session).
    pub fn submit(&self) {
        let text = self.draft.get_untracked();
        let text = text.trim();
        if text.is_empty() || text.chars().count() > MAX_QUERY_CHARS {
            return;
        }
        let keep = self
            .criteria
            .with_untracked(|c| c.as_ref().map(|c| c.filters.clone()))
            .unwrap_or_default();
        let next = Criteria::search(text, &keep);
        let same = self.criteria.with_untracked(|c| {
            c.as_ref()
                .is_some_and(|c| c.q == next.q && c.started == next.started)
        });
        self.set_criteria(next);
        if same {
            // Searching the same words again is a new search (after an expired
            // session, or to see new data), not nothing.
            self.reload.set(0);
            self.session_retry.update(|n| *n += 1);
        }
    }

    /// Puts `next` on screen: the box says it, the view starts at page 1. Nothing
    /// left to search for is the start screen again.
    pub fn set_criteria(&self, next: Criteria) {
        self.draft.set(next.text.clone());
        self.purchase.set(Purchase::Idle);
        self.quote_for.set(None);
        self.detail.set(None);
        if next.is_blank() {
            self.criteria.set(None);
            self.draft.set(String::new());
            return;
        }
        let same_session = self.criteria.with_untracked(|c| {
            c.as_ref()
                .is_some_and(|c| c.q == next.q && c.started == next.started)
        });
        if !same_session {
            self.reload.set(0);
        }
        self.criteria.set(Some(next));
        if self.view.with_untracked(|v| v.page != 1) {
            self.view.update(|v| v.page = 1);
        }
    }

    /// Changes the criteria on screen with `change` (a control, a chip).
    pub fn change(&self, change: impl FnOnce(&Criteria) -> Criteria) {
        if let Some(next) = self.criteria.with_untracked(|c| c.as_ref().map(change)) {
            self.set_criteria(next);
        }
    }

    /// Changes the refinements with `change`, for controls with no text of their
    /// own (verified only, net-new only, the city).
    pub fn refine(&self, change: impl FnOnce(&mut AppliedFilters)) {
        self.change(|c| {
            let mut next = c.clone();
            change(&mut next.filters);
            let text = next.text_reading();
            if quarry_shared::prospecting::location_change(&text, &c.started, &next.applied())
                == quarry_shared::prospecting::LocationChange::Moves
            {
                next.started = next.filters.location_part();
            }
            next
        });
    }

    /// Shows the results in `view`.
    pub fn set_view(&self, change: impl FnOnce(&mut View)) {
        self.view.update(change);
        self.detail.set(None);
        self.purchase.set(Purchase::Idle);
        self.quote_for.set(None);
    }

    /// Runs again what failed: the session (a new one when it expired), or the
    /// page.
    pub fn retry(&self) {
        let session_failed = self
            .session
            .with_untracked(|s| matches!(s, Some(Some(Err(_)))));
        // An expired session cannot be paged again: a new one is started.
        let expired = untrack(|| self.failure())
            .is_some_and(|f| f.code() == Some(quarry_shared::ErrorCode::SessionExpired.as_str()));
        if session_failed || expired {
            self.reload.set(0);
            self.session_retry.update(|n| *n += 1);
        } else {
            self.reload.update(|n| *n += 1);
        }
        if self.wallet_failure.with_untracked(Option::is_some) {
            self.refresh_wallet();
        }
    }

    /// The page on screen again (after a purchase: owned rows show in full, in place).
    pub fn reload(&self) {
        self.reload.update(|n| *n += 1);
    }

    /// The page on screen, if it loaded.
    pub fn page(&self) -> Option<SessionPage> {
        self.results.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref())
                .and_then(|r| r.as_ref().ok())
                .cloned()
        })
    }

    /// Why the results failed, if they did.
    pub fn failure(&self) -> Option<ApiFailure> {
        self.results.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref())
                .and_then(|r| r.as_ref().err())
                .cloned()
        })
    }

    /// Whether a search is under way (a first search, or the next page of one).
    pub fn searching(&self) -> bool {
        self.criteria.with(Option::is_some) && self.results.with(|r| r.is_none())
    }

    // ----- selection -----

    pub fn is_selected(&self, id: &str) -> bool {
        self.all_results.get() || self.selected.with(|s| s.iter().any(|x| x == id))
    }

    pub fn toggle(&self, id: &str) {
        self.quote_for.set(None);
        self.purchase.set(Purchase::Idle);
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
    }

    /// Ticks or unticks every row on the page.
    pub fn set_page_selected(&self, on: bool) {
        self.all_results.set(false);
        self.quote_for.set(None);
        self.purchase.set(Purchase::Idle);
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
    }

    pub fn select_all_results(&self) {
        self.all_results.set(true);
        self.quote_for.set(None);
        self.purchase.set(Purchase::Idle);
    }

    pub fn clear_selection(&self) {
        self.all_results.set(false);
        self.selected.set(Vec::new());
        self.quote_for.set(None);
    }

    /// Every row of the page is ticked.
    pub fn page_fully_selected(&self) -> bool {
        if self.all_results.get() {
            return true;
        }
        let ids = self.results.with(|_| self.page_ids_tracked());
        !ids.is_empty() && self.selected.with(|s| ids.iter().all(|id| s.contains(id)))
    }

    fn page_ids_tracked(&self) -> Vec<String> {
        self.page()
            .map(|p| p.data.iter().map(|r| r.prospect_id.clone()).collect())
            .unwrap_or_default()
    }

    fn page_ids(&self) -> Vec<String> {
        untrack(|| self.page_ids_tracked())
    }

    /// How many records the selection covers.
    pub fn selection_count(&self) -> u64 {
        if self.all_results.get() {
            return self.page().map(|p| p.pagination.deliverable()).unwrap_or(0);
        }
        self.selected.with(Vec::len) as u64
    }

    /// The selection body for quote, push and export.
    fn selection(&self) -> Option<Selection> {
        let applied = self
            .criteria
            .with_untracked(|c| c.as_ref().map(Criteria::applied))?;
        if self.all_results.get_untracked() {
            return Some(Selection {
                selection_mode: SelectionMode::AllResults,
                prospect_ids: None,
                applied_filters: Some(applied),
                limit: None,
            });
        }
        let ids = self.selected.get_untracked();
        if ids.is_empty() {
            return None;
        }
        let page = self.page_ids();
        let whole_page = ids.len() == page.len() && page.iter().all(|id| ids.contains(id));
        // The refinements on screen (which may override the text): the rows were
        // picked from those results.
        Some(Selection {
            selection_mode: if whole_page {
                SelectionMode::Page
            } else {
                SelectionMode::Selected
            },
            prospect_ids: Some(ids),
            applied_filters: Some(applied),
            limit: None,
        })
    }

    // ----- buying -----

    /// Asks what the selection would cost with `action` (the quote resource loads).
    pub fn start_buy(&self, action: ResultAction) {
        let (Some(selection), Some(page)) = (self.selection(), untrack(|| self.page())) else {
            return;
        };
        self.purchase.set(Purchase::Idle);
        self.quote_for.set(Some(QuoteRequest {
            action,
            search_id: page.search_id,
            selection,
        }));
    }

    /// Quotes only the first `n` of the quoted selection ("buy the N that fit").
    pub fn buy_what_fits(&self, n: u64) {
        self.quote_for.update(|q| {
            if let Some(q) = q {
                q.selection.limit = u32::try_from(n).ok().filter(|&n| n > 0);
            }
        });
    }

    /// Closes the quote without buying.
    pub fn cancel_buy(&self) {
        self.quote_for.set(None);
    }

    /// The quote on screen, when it has loaded.
    pub fn quoted(&self) -> Option<Result<(QuoteRequest, Quote), ApiFailure>> {
        let wanted = self.quote_for.get()?;
        self.quote
            .get()
            .flatten()
            .filter(|answer| answer.as_ref().map_or(true, |(r, _)| *r == wanted))
    }

    /// Buys the quoted selection: pushes it or downloads it.
    pub fn confirm_buy(&self) {
        let Some(Ok((request, quote))) = untrack(|| self.quoted()) else {
            return;
        };
        if !quote.allowed {
            return;
        }
        let app = *self;
        let action = request.action;
        self.quote_for.set(None);
        self.purchase.set(Purchase::Running {
            action,
            records: quote.records,
        });
        let target = self
            .action_label_untracked(ResultAction::PushEndpoint)
            .and_then(|l| present::cta_target(&l).map(str::to_owned));
        spawn_local(async move {
            let done = match action {
                ResultAction::PushEndpoint => {
                    let key = idempotency_key();
                    match api::push(app.link, &request.search_id, &request.selection, &key).await {
                        Ok(result) => {
                            bridge::emit("push", serde_json::to_value(&result).unwrap_or_default());
                            Purchase::Done {
                                action,
                                outcome: if result.delivered {
                                    Outcome::Delivered
                                } else {
                                    Outcome::Queued
                                },
                                message: present::push_outcome_to(&result, target.as_deref()),
                            }
                        }
                        Err(failure) => Purchase::Failed { action, failure },
                    }
                }
                ResultAction::CsvExport => {
                    match api::export(app.link, &request.search_id, &request.selection).await {
                        Ok((result, bytes)) => {
                            crate::download::save(&result.filename, &bytes);
                            bridge::emit(
                                "export",
                                serde_json::to_value(&result).unwrap_or_default(),
                            );
                            Purchase::Done {
                                action,
                                outcome: Outcome::Delivered,
                                message: present::export_outcome(&result),
                            }
                        }
                        Err(failure) => Purchase::Failed { action, failure },
                    }
                }
            };
            let bought = matches!(done, Purchase::Done { .. });
            if let Purchase::Failed { failure, .. } = &done {
                bridge::emit("error", failure.to_json());
            }
            app.purchase.set(done);
            if bought {
                app.selected.set(Vec::new());
                app.all_results.set(false);
                app.reload();
            }
            app.refresh_wallet();
        });
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

    fn action_label_untracked(&self, action: ResultAction) -> Option<String> {
        untrack(|| self.action_label(action))
    }
}

/// A fresh `Idempotency-Key`, so a retried request never buys or sends twice.
fn idempotency_key() -> String {
    let random = (js_sys::Math::random() * 1e16) as u64;
    format!("qw-{}-{random:x}", js_sys::Date::now() as u64)
}
