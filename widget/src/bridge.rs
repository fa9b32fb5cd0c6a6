//! The widget's side of the loader protocol (`public/embed.js`): it says hello to
//! the partner page, receives the embed token by `postMessage`, asks for a new one
//! when the server refuses it, reports purchases and wallet changes, and tells the
//! loader how tall it wants to be.
//!
//! Trust rules: a message counts only when it comes from the parent window and from
//! the partner origin — the one the loader named in the iframe URL, which must also
//! be the `origin` claim of the token (the server bound the token to the page that
//! bootstrapped it). Messages go out to that exact origin, never `*`. The token
//! lives in memory only: no cookies, no storage.

use std::cell::RefCell;
use std::time::Duration;

use futures::channel::oneshot;
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How the link to the partner page stands, for the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    /// Waiting for the first token.
    Connecting,
    /// A token is in hand.
    Ready,
    /// The server refused the token; a new one was asked for.
    Renewing,
    /// Not inside a partner page, or the partner page cannot start a session.
    Fatal { title: String, detail: String },
}

/// What the iframe URL says (`/embed/?key=…&parent=…&theme=…&accent=…`).
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub parent_origin: Option<String>,
    pub theme: Option<String>,
    pub accent: Option<String>,
}

struct Token {
    value: String,
    /// `Date.now()` milliseconds after which the token is stale.
    stale_at: f64,
}

#[derive(Default)]
struct State {
    params: Params,
    token: Option<Token>,
    waiters: Vec<oneshot::Sender<String>>,
    /// Whether `quarry:ready` was sent (once, after the first token).
    ready_sent: bool,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// The iframe URL's parameters.
pub fn params() -> Params {
    STATE.with(|s| s.borrow().params.clone())
}

fn read_params() -> Params {
    let search = window().location().search().unwrap_or_default();
    let query = web_sys::UrlSearchParams::new_with_str(&search).ok();
    let get = |name: &str| {
        query
            .as_ref()
            .and_then(|q| q.get(name))
            .filter(|v| !v.is_empty())
    };
    let parent_origin = get("parent")
        .and_then(|p| web_sys::Url::new(&p).ok())
        .map(|u| u.origin())
        .filter(|o| o != "null");
    Params {
        parent_origin,
        theme: get("theme"),
        accent: get("accent"),
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The `origin` claim of a JWT, read without verifying (the server verifies).
fn token_origin(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let mut b64: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while b64.len() % 4 != 0 {
        b64.push('=');
    }
    let text = window().atob(&b64).ok()?;
    let claims: Value = serde_json::from_str(&text).ok()?;
    claims.get("origin")?.as_str().map(str::to_owned)
}

fn post(message: Value) {
    let Some(origin) = params().parent_origin else {
        return;
    };
    let Ok(Some(parent)) = window().parent() else {
        return;
    };
    if let Ok(value) = serde_wasm(&message) {
        let _ = parent.post_message(&value, &origin);
    }
}

/// JSON to a plain JS object (structured clone carries it to the loader).
fn serde_wasm(value: &Value) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&value.to_string())
}

fn is_from_parent(event: &web_sys::MessageEvent) -> bool {
    let Some(expected) = params().parent_origin else {
        return false;
    };
    if event.origin() != expected {
        return false;
    }
    let (Some(source), Ok(Some(parent))) = (event.source(), window().parent()) else {
        return false;
    };
    js_sys::Object::is(&source, parent.as_ref())
}

/// Starts listening to the loader and says hello. `refresh` runs when the partner
/// page calls `handle.refresh()`.
pub fn start(link: RwSignal<Link>, refresh: impl Fn() + 'static) {
    let params = read_params();
    STATE.with(|s| s.borrow_mut().params = params.clone());
    let framed = window()
        .parent()
        .ok()
        .flatten()
        .is_some_and(|p| !js_sys::Object::is(p.as_ref(), window().as_ref()));
    if !framed || params.parent_origin.is_none() {
        link.set(Link::Fatal {
            title: "Open this from your app".into(),
            detail: "Prospecting runs inside the app you use; this page cannot be used on its own."
                .into(),
        });
        return;
    }

    let handle = window_event_listener(leptos::ev::message, move |event: web_sys::MessageEvent| {
        if !is_from_parent(&event) {
            return;
        }
        let data: Value = match js_sys::JSON::stringify(&event.data())
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|s| serde_json::from_str(&s).ok())
        {
            Some(v) => v,
            None => return,
        };
        match data["type"].as_str() {
            Some("quarry:token") => accept_token(&data, link),
            Some("quarry:refresh") => refresh(),
            Some("quarry:token-error") => link.set(stopped()),
            Some("quarry:viewport") => show_visible(&data),
            _ => {}
        }
    });
    // The listener lives as long as the page.
    std::mem::forget(handle);
    watch_size();
    post(json!({"type": "quarry:hello", "v": 1}));
}

fn accept_token(data: &Value, link: RwSignal<Link>) {
    let Some(token) = data["token"].as_str().filter(|t| !t.is_empty()) else {
        return;
    };
    // The token must be for the page that frames us.
    if token_origin(token) != params().parent_origin {
        link.set(Link::Fatal {
            title: "Prospecting couldn't start".into(),
            detail: "The session does not belong to this page.".into(),
        });
        return;
    }
    let expires_in = data["expires_in"].as_f64().unwrap_or(60.0).max(0.0);
    let (waiters, first) = STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.token = Some(Token {
            value: token.to_owned(),
            stale_at: now_ms() + expires_in * 1000.0,
        });
        let first = !s.ready_sent;
        s.ready_sent = true;
        (std::mem::take(&mut s.waiters), first)
    });
    for waiter in waiters {
        let _ = waiter.send(token.to_owned());
    }
    if link.get_untracked() != Link::Ready {
        link.set(Link::Ready);
    }
    if first {
        post(json!({"type": "quarry:ready", "v": 1}));
        mark("quarry:token");
    }
}

/// The loader could not renew the session (key revoked, customer suspended…). It
/// hides this frame and explains the reason on the partner page in its own words,
/// so the widget only stops waiting for tokens.
fn stopped() -> Link {
    Link::Fatal {
        title: "Prospecting stopped".into(),
        detail: "Reload the page to start again.".into(),
    }
}

/// A token to call the API with: the current one, or the next one to arrive.
pub async fn token() -> String {
    let (fresh, receiver) = STATE.with(|s| {
        let mut s = s.borrow_mut();
        match &s.token {
            Some(t) if now_ms() < t.stale_at => (Some(t.value.clone()), None),
            _ => {
                let (tx, rx) = oneshot::channel();
                s.waiters.push(tx);
                (None, Some(rx))
            }
        }
    });
    if let Some(token) = fresh {
        return token;
    }
    // A token past its time: ask for the next one (the loader collapses requests).
    if STATE.with(|s| s.borrow().token.is_some()) {
        post(json!({"type": "quarry:token-request", "v": 1, "reason": "stale"}));
    }
    match receiver {
        Some(rx) => rx.await.unwrap_or_default(),
        None => String::new(),
    }
}

/// The server refused `stale`: forget it, ask the loader for a new one and wait.
pub async fn renewed_token(stale: &str, link: RwSignal<Link>) -> String {
    let rx = STATE.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(t) = &s.token {
            if t.value != stale {
                // Another call already got a new one.
                return Err(t.value.clone());
            }
        }
        s.token = None;
        let (tx, rx) = oneshot::channel();
        s.waiters.push(tx);
        Ok(rx)
    });
    match rx {
        Err(token) => token,
        Ok(rx) => {
            if !matches!(link.get_untracked(), Link::Fatal { .. }) {
                link.set(Link::Renewing);
            }
            post(json!({"type": "quarry:token-request", "v": 1, "reason": "refused"}));
            rx.await.unwrap_or_default()
        }
    }
}

/// The loader says which part of this frame the partner page shows (`top` and
/// `bottom`, in frame pixels): the action bar sticks to the top of it, so the
/// selection and its buttons stay within reach however far the page is scrolled.
fn show_visible(data: &Value) {
    let (Some(top), Some(bottom)) = (data["top"].as_f64(), data["bottom"].as_f64()) else {
        return;
    };
    if !(top.is_finite() && bottom.is_finite()) {
        return;
    }
    if let Some(root) = document()
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let style = root.style();
        // Whole pixels, formatted as integers (float formatting is heavy in WASM).
        let px = |v: f64| format!("{}px", v.max(0.0).round() as i64);
        let _ = style.set_property("--q-visible-top", &px(top));
        let _ = style.set_property("--q-visible-height", &px(bottom - top));
    }
}

/// Tells the partner page what happened (`push`, `export`, `wallet`, `error`).
pub fn emit(kind: &str, payload: Value) {
    let mut message = json!({"type": format!("quarry:{kind}"), "v": 1});
    let field = match kind {
        "push" | "export" => "result",
        "wallet" => "wallet",
        _ => "error",
    };
    message[field] = payload;
    post(message);
}

/// A performance mark (the speed benchmark reads them).
pub fn mark(name: &str) {
    if let Some(p) = window().performance() {
        let _ = p.mark(name);
    }
}

/// Reports the page height to the loader whenever it changes.
fn watch_size() {
    let report = Closure::<dyn FnMut()>::new(move || {
        // The body's own box, not the viewport: the frame can grow and shrink.
        if let Some(body) = document().body() {
            let height = body.get_bounding_client_rect().height().ceil();
            post(json!({"type": "quarry:resize", "v": 1, "height": height}));
        }
    });
    let callback = report.as_ref().unchecked_ref::<js_sys::Function>().clone();
    if let (Ok(observer), Some(body)) = (web_sys::ResizeObserver::new(&callback), document().body())
    {
        observer.observe(&body);
        std::mem::forget(observer);
    }
    report.forget();
    // One report right away, the observer takes over from there.
    set_timeout(
        move || {
            let _ = callback.call0(&JsValue::NULL);
        },
        Duration::from_millis(0),
    );
}
