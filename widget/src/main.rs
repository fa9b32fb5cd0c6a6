//! Entry point of the embeddable widget: installs the panic hook (panics reach the
//! browser console instead of vanishing) and mounts the app.
#![forbid(unsafe_code)]

mod api;
mod app;
mod bridge;
mod components;
mod download;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
