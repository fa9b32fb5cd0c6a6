//! The demo partner, in-process: its set-up in the store (made once, then following
//! the wanted settings), its site as a router (the page's loader tag with a session
//! secret minted through Quarry's API, the receiver's refusals and acceptances)
//! and, end to end, a real Quarry server pushing bought records to the demo CRM
//! across two origins.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use quarry_server::delivery::signing;
use quarry_server::demo::{self, DemoPartner, DemoSite, SetupOptions};
use quarry_server::partners::embed_keys::{CustomerVerification, UpdateEmbedKey};
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::Store;
use quarry_server::wallet::{EnforcementMode, ResetPolicy};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::api::Api;
use crate::contract;
use crate::support::{now, TestServer};

fn options(origins: &[&str], file: Option<std::path::PathBuf>) -> SetupOptions {
    SetupOptions {
        origins: origins.iter().map(|o| o.to_string()).collect(),
        credits: 500,
        file,
        delivery_url: None,
    }
}

fn tenant(demo: &DemoPartner) -> Tenant {
    Tenant {
        partner_id: demo.partner_id.clone(),
        mode: Mode::Live,
    }
}

contract!(set_up_once_as_a_careful_partner_would, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested").join("demo.json");
    let wanted = options(
        &["http://127.0.0.1:8081/crm", "http://localhost:8081"],
        Some(file.clone()),
    );
    let (demo, created) = demo::ensure(&store, &wanted).await.unwrap();
    assert!(created);
    assert!(demo.webhook_secret.starts_with("whsec_"), "{demo:?}");
    assert_eq!(demo.delivery_url, "http://127.0.0.1:8081/webhooks/quarry");
    assert_eq!(
        demo.allowed_origins,
        ["http://127.0.0.1:8081", "http://localhost:8081"]
    );
    let key = store
        .embed_key(&tenant(&demo), &demo.embed_key_id)
        .await
        .unwrap()
        .unwrap();
    let s = &key.settings;
    assert_eq!(s.allowed_origins, demo.allowed_origins);
    assert_eq!(
        s.results.result_delivery_url.as_deref(),
        Some(demo.delivery_url.as_str())
    );
    assert_eq!(
        s.results.result_delivery_cta.as_deref(),
        Some("Add to Tidewater CRM")
    );
    assert!(s.results.csv_export_enabled, "{s:?}");
    assert_eq!(s.customer_verification, CustomerVerification::ServerSession);
    assert_eq!(
        s.defaults.credit_enforcement_mode,
        EnforcementMode::Enforced
    );
    assert_eq!(s.defaults.credit_reset_policy, ResetPolicy::Rollover);
    assert_eq!(
        key.webhook_secret.as_deref(),
        Some(demo.webhook_secret.as_str())
    );
    assert_eq!(key.signing_secret, demo.customer_signing_secret);
    let customer = store
        .customer_by_external_id(&tenant(&demo), "demo-customer")
        .await
        .unwrap()
        .expect("the demo customer exists");
    assert_eq!(customer.partner_customer_id, demo.partner_customer_id);

    // The file: written 0600, read back as the same credentials.
    let written = std::fs::read(&file).unwrap();
    let kept: DemoPartner = serde_json::from_slice(&written).unwrap();
    assert_eq!(kept, demo);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Again: the same partner, nothing new, the file untouched.
    let (again, created) = demo::ensure(&store, &wanted).await.unwrap();
    assert!(!created);
    assert_eq!(again, demo);
    assert_eq!(std::fs::read(&file).unwrap(), written);

    // Someone loosened the key through the API and lengthened the token: the demo
    // restores what it manages and leaves the rest alone.
    let loosened = UpdateEmbedKey {
        customer_verification: Some(CustomerVerification::None),
        result_delivery_cta: Some(None),
        token_ttl_seconds: Some(120),
        ..UpdateEmbedKey::default()
    };
    store
        .update_embed_key(&tenant(&demo), &demo.embed_key_id, &loosened, true, now())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let (again, created) = demo::ensure(&store, &wanted).await.unwrap();
    assert!(!created);
    assert_eq!(again, demo);
    let key = store
        .embed_key(&tenant(&demo), &demo.embed_key_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        key.settings.customer_verification,
        CustomerVerification::ServerSession
    );
    assert_eq!(
        key.settings.results.result_delivery_cta.as_deref(),
        Some("Add to Tidewater CRM")
    );
    assert_eq!(key.settings.token_ttl_seconds, 120);

    // Another port: the key and the file follow it.
    let moved = options(&["http://127.0.0.1:7000"], Some(file.clone()));
    let (followed, created) = demo::ensure(&store, &moved).await.unwrap();
    assert!(!created);
    assert_eq!(followed.partner_id, demo.partner_id);
    assert_eq!(followed.allowed_origins, ["http://127.0.0.1:7000"]);
    assert_eq!(
        followed.delivery_url,
        "http://127.0.0.1:7000/webhooks/quarry"
    );
    let kept: DemoPartner = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(kept, followed);
    let key = store
        .embed_key(&tenant(&demo), &demo.embed_key_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key.settings.allowed_origins, ["http://127.0.0.1:7000"]);
    assert_eq!(
        key.settings.results.result_delivery_url.as_deref(),
        Some("http://127.0.0.1:7000/webhooks/quarry")
    );

    // An explicit delivery URL wins over the default.
    let elsewhere = SetupOptions {
        delivery_url: Some("http://127.0.0.1:7001/hooks/q".into()),
        ..moved.clone()
    };
    let (routed, _) = demo::ensure(&store, &elsewhere).await.unwrap();
    assert_eq!(routed.delivery_url, "http://127.0.0.1:7001/hooks/q");

    // A file from before webhook secrets were kept still loads, and is completed
    // from the stored key.
    let mut old: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let object = old.as_object_mut().unwrap();
    object.remove("webhook_secret");
    object.remove("delivery_url");
    std::fs::write(&file, old.to_string()).unwrap();
    let (completed, created) = demo::ensure(&store, &moved).await.unwrap();
    assert!(!created);
    assert_eq!(completed.webhook_secret, demo.webhook_secret);
    assert_eq!(
        completed.delivery_url,
        "http://127.0.0.1:7000/webhooks/quarry"
    );
    let kept: DemoPartner = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(kept, completed);

    // A revoked key (or a fresh database) means setting up anew.
    store
        .revoke_embed_key(&tenant(&demo), &demo.embed_key_id, now())
        .await
        .unwrap();
    let (fresh, created) = demo::ensure(&store, &moved).await.unwrap();
    assert!(created);
    assert_ne!(fresh.embed_key_id, demo.embed_key_id);

    // Without a file (tests) every call sets up a new partner.
    let (a, created_a) = demo::ensure(&store, &options(&["http://127.0.0.1:7002"], None))
        .await
        .unwrap();
    let (b, created_b) = demo::ensure(&store, &options(&["http://127.0.0.1:7002"], None))
        .await
        .unwrap();
    assert!(created_a && created_b);
    assert_ne!(a.partner_id, b.partner_id);

    // Bad options change nothing and name their flag.
    let err = demo::ensure(&store, &options(&["not an origin"], Some(file.clone())))
        .await
        .unwrap_err();
    assert!(err.contains("--origin"), "{err}");
    let kept: DemoPartner = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(kept, fresh);
});

/// The demo site for a page on 127.0.0.1:8081, minting its session secrets from a
/// real Quarry server (which the caller keeps running).
async fn demo_site(store: &Store) -> (Arc<DemoSite>, TestServer) {
    let (demo, _) = demo::ensure(store, &options(&["http://127.0.0.1:8081"], None))
        .await
        .unwrap();
    let quarry =
        TestServer::start(store.clone(), std::env::temp_dir().join("quarry-no-widget")).await;
    (
        DemoSite::new(format!("{}/", quarry.base), demo).unwrap(),
        quarry,
    )
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn call(site: &Arc<DemoSite>, request: Request<Body>) -> Reply {
    let response = demo::router(site.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// The value of `name="…"` in `html` (the first one).
fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in the page"))
        + name.len()
        + 2;
    let end = html[start..].find('"').unwrap() + start;
    &html[start..end]
}

/// A push as Quarry signs it: headers for `body` under `secret`, sent at `at`.
fn signed_push(secret: &str, id: &str, at: i64, body: &str) -> Request<Body> {
    Request::post("/webhooks/quarry")
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", at.to_string())
        .header(
            "webhook-signature",
            signing::signature_header(&[secret], id, at, body.as_bytes()),
        )
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn push_body(delivery: &str, people: &[(&str, &str)]) -> String {
    json!({
        "event": "prospecting.records.pushed",
        "delivery_id": delivery,
        "chunk": 1,
        "chunks": 1,
        "pushed_records": people.len(),
        "data": people.iter().map(|(id, name)| json!({
            "person_id": id,
            "prospect_id": format!("pr_{id}"),
            "first_name": name,
            "last_name": "Doe",
            "job_title": "VP Sales",
            "business_email": format!("{name}@example.com"),
            "mobile_phone": "+12085550123",
            "company": {"name": "Example Inc"},
            "reveal_state": "purchased",
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

contract!(
    the_page_embeds_the_widget_with_a_fresh_session_secret,
    |store, _db| {
        let (site, quarry) = demo_site(&store).await;
        let demo = site.demo().clone();
        let page = call(&site, get("/")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.headers["cache-control"], "no-store");
        assert!(page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = &page.text;
        let tag = &html[html
            .find(&format!(r#"<script src="{}/embed.js" async"#, quarry.base))
            .expect("the loader tag, from the Quarry URL without its trailing slash")..];
        let tag = &tag[..tag.find("</script>").unwrap()];
        assert_eq!(attribute(tag, "data-partner-key"), demo.public_key);
        assert_eq!(
            attribute(tag, "data-session-secret-url"),
            "/quarry/session-secret"
        );
        assert_eq!(attribute(tag, "data-theme"), "light");
        assert_eq!(attribute(tag, "data-accent"), "#0f766e");
        assert_eq!(attribute(tag, "data-target"), "#quarry-prospecting");
        assert!(
            !tag.contains("data-customer-id"),
            "the page names no customer"
        );
        let secret = attribute(tag, "data-session-secret").to_owned();
        assert!(secret.starts_with("qss_live_"), "{secret}");
        // The page never carries a lasting secret.
        for secret in [
            &demo.secret_key,
            &demo.customer_signing_secret,
            &demo.webhook_secret,
        ] {
            assert!(!html.contains(secret.as_str()));
        }
        for hook in [
            r#"<div id="quarry-prospecting"></div>"#,
            r#"data-testid="crm-contacts""#,
            r#"data-testid="crm-contact-count""#,
            "Tidewater CRM",
        ] {
            assert!(html.contains(hook), "{hook}");
        }
        // The secret names the demo customer and user, once.
        let api = Api::new(&quarry);
        let origin = "http://127.0.0.1:8081";
        let body = json!({"partner_key": demo.public_key, "session_secret": secret});
        let session = api.session(Some(origin), &body).await.expect(201);
        assert_eq!(session["external_customer_id"], "demo-customer");
        api.session(Some(origin), &body)
            .await
            .expect_error(401, "invalid_session_secret");

        let dark = call(&site, get("/?theme=dark")).await;
        assert_eq!(attribute(&dark.text, "data-theme"), "dark");

        // Renewals: a fresh secret from the backend each time.
        let renew = || {
            Request::post("/quarry/session-secret")
                .body(Body::empty())
                .unwrap()
        };
        let minted = call(&site, renew()).await;
        assert_eq!(minted.status, StatusCode::OK);
        assert_eq!(minted.headers["cache-control"], "no-store");
        let fresh = minted.json()["session_secret"].as_str().unwrap().to_owned();
        assert_ne!(fresh, attribute(tag, "data-session-secret"));
        api.session(
            Some(origin),
            &json!({"partner_key": demo.public_key, "session_secret": fresh}),
        )
        .await
        .expect(201);

        for (path, kind) in [
            ("/demo.js", "text/javascript"),
            ("/demo.css", "text/css"),
            ("/healthz", "text/plain"),
        ] {
            let asset = call(&site, get(path)).await;
            assert_eq!(asset.status, StatusCode::OK, "{path}");
            let content_type = asset.headers["content-type"].to_str().unwrap();
            assert!(content_type.starts_with(kind), "{path}: {content_type}");
        }
        let js = call(&site, get("/demo.js")).await.text;
        for event in [
            "quarry:ready",
            "quarry:push",
            "quarry:error",
            "/api/contacts",
        ] {
            assert!(js.contains(event), "demo.js does not handle {event}");
        }
        for path in [
            "/nope",
            "/embed.js",
            "/webhooks/quarry/x",
            "/quarry/signature",
        ] {
            let missing = call(&site, get(path)).await;
            assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
            assert!(missing.json()["error"].is_string());
        }

        // A suspended customer: the page still renders, and the backend passes
        // Quarry's refusal on, so the loader can say why.
        api.patch(
            &format!("/v1/partner-customers/{}", demo.partner_customer_id),
            &demo.secret_key,
            &json!({"status": "suspended"}),
        )
        .await
        .expect(200);
        let page = call(&site, get("/")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(attribute(&page.text, "data-session-secret"), "");
        let refused = call(&site, renew()).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
        assert_eq!(refused.json()["error"]["code"], "customer_suspended");
        quarry.stop().await;
    }
);

contract!(
    the_receiver_takes_only_verified_pushes_once,
    |store, _db| {
        let (site, _quarry) = demo_site(&store).await;
        let secret = site.demo().webhook_secret.clone();
        let body = push_body("dlv_1", &[("per_a", "ann"), ("per_b", "bo")]);
        let at = now();

        let unsigned = call(
            &site,
            Request::post("/webhooks/quarry")
                .header("content-type", "application/json")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
        assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
        assert!(unsigned.json()["error"]
            .as_str()
            .unwrap()
            .contains("webhook-id"));

        let refusals = [
            signed_push(&signing::new_secret(), "msg_1", at, &body),
            signed_push(&secret, "msg_1", at - 301, &body),
            signed_push(&secret, "msg_1", at + 301, &body),
            {
                // Signed, then changed on the way.
                let mut r = signed_push(&secret, "msg_1", at, &body);
                *r.body_mut() = Body::from(body.replace("ann", "eve"));
                r
            },
        ];
        for request in refusals {
            let reply = call(&site, request).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text);
            assert!(reply.json()["error"].is_string());
        }
        assert!(site.receiver().deliveries().is_empty());

        let not_json = call(&site, signed_push(&secret, "msg_x", at, "not json")).await;
        assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
        assert!(not_json.json()["error"].is_string());

        let ok = call(&site, signed_push(&secret, "msg_1", at, &body)).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
        assert_eq!(ok.json()["received"], 2);
        // Quarry retrying the same message: acknowledged, not applied twice.
        let again = call(&site, signed_push(&secret, "msg_1", at + 5, &body)).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(site.receiver().deliveries().len(), 1);

        // A later push with Bo again: one Bo, newest first.
        let later = push_body("dlv_2", &[("per_b", "bob"), ("per_c", "cy")]);
        let ok = call(&site, signed_push(&secret, "msg_2", at, &later)).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);

        let listed = call(&site, get("/api/contacts")).await;
        assert_eq!(listed.status, StatusCode::OK);
        assert_eq!(listed.headers["cache-control"], "no-store");
        let listed = listed.json();
        let names: Vec<&str> = listed["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["record"]["first_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["bob", "cy", "ann"]);
        let first = &listed["contacts"][0];
        assert_eq!(first["record"]["company"]["name"], "Example Inc");
        assert_eq!(first["verified"], true);
        assert!(
            quarry_server::http::parse_iso8601(first["received_at"].as_str().unwrap()).is_some()
        );
        let deliveries = listed["deliveries"].as_array().unwrap();
        assert_eq!(deliveries.len(), 2);
        assert_eq!(deliveries[0]["webhook_id"], "msg_2");
        assert_eq!(deliveries[0]["delivery_id"], "dlv_2");
        assert_eq!(deliveries[0]["records"], 2);
        assert_eq!(deliveries[0]["verified"], true);
        assert_eq!(deliveries[1]["webhook_id"], "msg_1");
        assert_eq!(site.receiver().contacts().len(), 3);
    }
);

contract!(
    quarry_pushes_bought_records_into_the_demo_crm,
    |store, _db| {
        quarry_server::seed::seed_demo(
            &store,
            &quarry_server::seed::SeedOptions {
                people: 300,
                seed: 3,
                progress: false,
            },
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let (demo, _) = demo::ensure(&store, &options(&[&origin], None))
            .await
            .unwrap();
        let quarry = TestServer::start(
            store.store.clone(),
            std::env::temp_dir().join("quarry-no-widget"),
        )
        .await;
        let site = DemoSite::new(quarry.base.clone(), demo.clone()).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = tokio::spawn(demo::serve(listener, site.clone(), async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();

        // What the loader does: ask the partner backend for a session secret, then
        // start a session from the partner's origin.
        let minted: Value = http
            .post(format!("{origin}/quarry/session-secret"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let api = Api::new(&quarry);
        let claimed = api
            .session(
                Some(&origin),
                &json!({"partner_key": demo.public_key, "customer_id": "demo-customer", "user_id": "demo-user"}),
            )
            .await;
        claimed.expect_error(401, "customer_verification_required");
        let session = api
            .session(
                Some(&origin),
                &json!({"partner_key": demo.public_key, "session_secret": minted["session_secret"]}),
            )
            .await
            .expect(201);
        assert_eq!(session["partner_customer_id"], demo.partner_customer_id);
        let token = session["token"].as_str().unwrap();
        let wallet = api.get("/v1/prospecting/wallet", token).await.expect(200);
        assert_eq!(
            wallet["result_action_labels"]["push_endpoint"], "Add to Tidewater CRM",
            "{wallet}"
        );

        let page = api
            .post(
                "/v1/prospecting/sessions",
                token,
                &json!({"q": "sales", "limit": 10}),
            )
            .await
            .expect(201);
        let search_id = page["search_id"].as_str().unwrap();
        let found: Vec<Value> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["prospect_id"].clone())
            .collect();
        assert!(found.len() >= 4, "{page}");
        let ids = found[..3].to_vec();
        let push = |ids: Vec<Value>| {
            let api = &api;
            async move {
                api.post(
                    &format!("/v1/prospecting/sessions/{search_id}/push"),
                    token,
                    &json!({"selection_mode": "selected", "prospect_ids": ids}),
                )
                .await
            }
        };
        let answer = push(ids.clone()).await;
        assert_eq!(answer.header("x-credits-remaining"), Some("497"));
        let result = answer.expect(200);
        assert_eq!(result["delivered"], true, "{result}");
        assert_eq!(result["delivery_status"], 200, "{result}");

        let contacts = site.receiver().contacts();
        assert_eq!(contacts.len(), 3);
        let pushed: std::collections::BTreeSet<&str> =
            ids.iter().map(|v| v.as_str().unwrap()).collect();
        let received: std::collections::BTreeSet<&str> = contacts
            .iter()
            .map(|c| c["prospect_id"].as_str().unwrap())
            .collect();
        assert_eq!(pushed, received);
        for contact in &contacts {
            assert!(contact["person_id"].is_string(), "{contact}");
            assert!(contact["company"]["name"].is_string(), "{contact}");
        }
        let deliveries = site.receiver().deliveries();
        assert_eq!(deliveries.len(), 1);
        assert_eq!(
            deliveries[0].delivery_id.as_deref(),
            result["delivery_id"].as_str()
        );

        // Pushing the same people again (already bought, so free) and one more: the
        // CRM does not duplicate them.
        let mut more = ids.clone();
        more.push(found[3].clone());
        let result = push(more).await.expect(200);
        assert_eq!(result["delivered"], true, "{result}");
        assert_eq!(result["already_purchased_records"], 3, "{result}");
        assert_eq!(site.receiver().contacts().len(), 4);
        assert_eq!(site.receiver().deliveries().len(), 2);
        let listed: Value = http
            .get(format!("{origin}/api/contacts"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["contacts"].as_array().unwrap().len(), 4);

        let _ = stop.send(());
        served.await.unwrap().unwrap();
        quarry.stop().await;
    }
);
