//! Saves an exported CSV as a file: a Blob, an object URL and a clicked
//! `<a download>`, all inside the iframe (no third-party cookies or storage).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Offers `bytes` to the person as the file `name`.
pub fn save(name: &str, bytes: &[u8]) {
    let array = js_sys::Array::new();
    array.push(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let Some(link) = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    link.set_href(&url);
    link.set_download(name);
    link.set_hidden(true);
    if let Some(body) = document().body() {
        let _ = body.append_child(&link);
        link.click();
        let _ = body.remove_child(&link);
    }
    // The browser has the file once the click is handled; free the memory later.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}
