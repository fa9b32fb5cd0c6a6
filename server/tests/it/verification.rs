//! Who the customer is (PRODUCT.md §2.7): the unambiguous `v2` signed assertion
//! (no other split of dotted ids verifies), the old message only for ids without
//! dots, server-minted single-use session secrets, and the embed key's
//! `customer_verification` deciding which of them a session needs.

use hmac::{KeyInit, Mac};
use quarry_server::partners::keys::{recognise_session_secret, Scope};
use quarry_server::partners::Mode;
use serde_json::{json, Value};

use crate::api::{Answer, Api};
use crate::contract;
use crate::support::{add_key, now, partner, TestPartner, TestServer};

const ORIGIN: &str = "https://app.partner.example";
const MINT: &str = "/v1/prospecting/embed-sessions/server";

fn hmac_hex(secret: &str, message: &str) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `v2` message of PRODUCT.md §2.7, written from the contract.
fn sign_v2(secret: &str, customer: &str, user: Option<&str>, ts: i64) -> String {
    let user = user.unwrap_or("");
    hmac_hex(
        secret,
        &format!(
            "v2:{}:{customer}:{}:{user}:{ts}",
            customer.len(),
            user.len()
        ),
    )
}

/// The message before `v2`: `customer_id.user_id.timestamp`.
fn sign_legacy(secret: &str, customer: &str, user: Option<&str>, ts: i64) -> String {
    hmac_hex(secret, &format!("{customer}.{}.{ts}", user.unwrap_or("")))
}

async fn setup(store: &quarry_server::Store, key: Value) -> (TestServer, Api, TestPartner, Value) {
    let (server, api, p) = crate::support::serve(store).await;
    let mut body = json!({"allowed_origins": [ORIGIN]});
    if let (Some(b), Some(extra)) = (body.as_object_mut(), key.as_object()) {
        b.extend(extra.clone());
    }
    let key = api.embed_key(&p.secret, body).await;
    (server, api, p, key)
}

async fn signed(
    api: &Api,
    key: &Value,
    customer: &str,
    user: Option<&str>,
    signature: &str,
    ts: i64,
) -> Answer {
    let mut body = json!({"partner_key": key["public_key"], "customer_id": customer,
                          "customer_signature": signature, "timestamp": ts});
    if let Some(user) = user {
        body["user_id"] = json!(user);
    }
    api.session(Some(ORIGIN), &body).await
}

contract!(
    a_signature_for_one_split_of_dotted_ids_never_verifies_another,
    |store, _db| {
        let (server, api, _p, key) =
            setup(&store, json!({"require_customer_signature": true})).await;
        let secret = key["customer_signing_secret"].as_str().unwrap();
        let ts = now();

        // The old message cannot tell ("org.team", "bob") from ("org", "team.bob"):
        // a partner signing e-mail user ids hands out such signatures every day.
        let old = sign_legacy(secret, "org.team", Some("bob"), ts);
        signed(&api, &key, "org", Some("team.bob"), &old, ts)
            .await
            .expect_error(401, "invalid_customer_signature");
        // With dots in an id only v2 is accepted, even for the split it was made for.
        signed(&api, &key, "org.team", Some("bob"), &old, ts)
            .await
            .expect_error(401, "invalid_customer_signature");

        let v2 = sign_v2(secret, "org.team", Some("bob"), ts);
        let token = signed(&api, &key, "org.team", Some("bob"), &v2, ts)
            .await
            .expect(201);
        assert_eq!(token["external_customer_id"], "org.team");
        for (customer, user) in [
            ("org", Some("team.bob")),
            ("org.team.bob", None),
            ("org.team", Some("bob.")),
        ] {
            signed(&api, &key, customer, user, &v2, ts)
                .await
                .expect_error(401, "invalid_customer_signature");
        }
        // An e-mail user id, signed with v2.
        let email = "ann.lee@acme.example";
        let v2 = sign_v2(secret, "acme", Some(email), ts);
        signed(&api, &key, "acme", Some(email), &v2, ts)
            .await
            .expect(201);

        // Partners on the old message keep working while their ids have no dots.
        let old = sign_legacy(secret, "acme-42", Some("u-7"), ts);
        signed(&api, &key, "acme-42", Some("u-7"), &old, ts)
            .await
            .expect(201);
        let old = sign_legacy(secret, "acme-42", None, ts);
        signed(&api, &key, "acme-42", None, &old, ts)
            .await
            .expect(201);
        assert_eq!(key["embed_key"]["customer_verification"], "signature");
        server.stop().await;
    }
);

async fn mint(api: &Api, secret: &str, body: Value) -> Answer {
    api.post(MINT, secret, &body).await
}

contract!(
    server_minted_session_secrets_are_single_use_and_name_the_customer,
    |store, _db| {
        let (server, api, p, key) =
            setup(&store, json!({"customer_verification": "server_session"})).await;
        assert_eq!(key["embed_key"]["customer_verification"], "server_session");
        assert_eq!(key["embed_key"]["require_customer_signature"], true);
        let public = key["public_key"].as_str().unwrap();

        // A page can no longer just claim a customer id, signed or not.
        api.session(
            Some(ORIGIN),
            &json!({"partner_key": public, "customer_id": "acme"}),
        )
        .await
        .expect_error(401, "customer_verification_required");
        let ts = now();
        let secret = key["customer_signing_secret"].as_str().unwrap();
        signed(
            &api,
            &key,
            "acme",
            None,
            &sign_v2(secret, "acme", None, ts),
            ts,
        )
        .await
        .expect_error(401, "customer_verification_required");

        let minted = mint(
            &api,
            &p.secret,
            json!({"partner_key": public, "customer_id": "acme.eu", "customer_name": "Acme EU",
                   "user_id": "ann.lee@acme.example"}),
        )
        .await;
        assert!(minted
            .header("cache-control")
            .is_some_and(|c| c.contains("no-store")));
        let minted = minted.expect(201);
        let session_secret = minted["session_secret"].as_str().unwrap().to_owned();
        assert!(session_secret.starts_with("qss_live_"), "{minted}");
        assert_eq!(minted["expires_in"], 300);
        assert!(minted["expires_at"].is_string());

        // The browser trades it for a token, once, on an allowed origin only.
        let exchange = json!({"partner_key": public, "session_secret": session_secret.clone()});
        api.session(Some("https://evil.example"), &exchange)
            .await
            .expect_error(403, "origin_not_allowed");
        let session = api.session(Some(ORIGIN), &exchange).await.expect(201);
        assert_eq!(session["external_customer_id"], "acme.eu");
        let token = session["token"].as_str().unwrap();
        let payload: Value = {
            use base64::Engine;
            let part = token.split('.').nth(1).unwrap();
            serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(part)
                    .unwrap(),
            )
            .unwrap()
        };
        assert_eq!(payload["uid"], "ann.lee@acme.example");
        let customer = session["partner_customer_id"].as_str().unwrap();
        let view = api
            .get(&format!("/v1/partner-customers/{customer}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(view["name"], "Acme EU");
        api.session(Some(ORIGIN), &exchange)
            .await
            .expect_error(401, "invalid_session_secret");
        // A secret names its customer: claiming another one with it is refused.
        let other = mint(
            &api,
            &p.secret,
            json!({"partner_key": public, "customer_id": "acme"}),
        )
        .await
        .expect(201);
        api.session(
            Some(ORIGIN),
            &json!({"partner_key": public, "session_secret": other["session_secret"],
                    "customer_id": "globex"}),
        )
        .await
        .expect_error(400, "invalid_body");
        // A minted secret is never kept for replay: the same Idempotency-Key mints
        // a fresh secret rather than handing the first one out again.
        let keyed = |api: Api, secret: String| async move {
            api.send(
                reqwest::Method::POST,
                MINT,
                Some(&secret),
                Some(&json!({"partner_key": public, "customer_id": "acme"})),
                &[("idempotency-key", "mint-1")],
            )
            .await
        };
        let one = keyed(api.clone(), p.secret.clone()).await;
        let two = keyed(api.clone(), p.secret.clone()).await;
        assert_eq!(two.header("x-idempotent-replay"), None);
        let (one, two) = (one.expect(201), two.expect(201));
        assert_ne!(one["session_secret"], two["session_secret"]);
        for bogus in ["qss_live_nope", "", "qk_live_x"] {
            api.session(
                Some(ORIGIN),
                &json!({"partner_key": public, "session_secret": bogus}),
            )
            .await
            .expect_error(401, "invalid_session_secret");
        }

        // Minting is the partner's backend: secret key, scope, tenant, and bad input.
        api.post(
            MINT,
            "qk_live_nope",
            &json!({"partner_key": public, "customer_id": "a"}),
        )
        .await
        .expect_error(401, "unauthorized");
        let narrow = add_key(&store, &p.partner_id, Mode::Live, &[Scope::Data]).await;
        mint(
            &api,
            &narrow.secret,
            json!({"partner_key": public, "customer_id": "a"}),
        )
        .await
        .expect_error(403, "insufficient_scope");
        let sandbox = add_key(&store, &p.partner_id, Mode::Test, &Scope::ALL).await;
        let answer = mint(
            &api,
            &sandbox.secret,
            json!({"partner_key": public, "customer_id": "a"}),
        )
        .await;
        answer.expect_error(400, "invalid_body");
        assert_eq!(answer.field(), "body.partner_key");
        let stranger = partner(&store).await;
        mint(
            &api,
            &stranger.secret,
            json!({"partner_key": public, "customer_id": "a"}),
        )
        .await
        .expect_error(400, "invalid_body");
        let answer = mint(
            &api,
            &p.secret,
            json!({"partner_key": public, "customer_id": ""}),
        )
        .await;
        answer.expect_error(400, "invalid_body");
        assert_eq!(answer.field(), "body.customer_id");
        let answer = mint(&api, &p.secret, json!({"partner_key": public})).await;
        answer.expect_error(400, "invalid_body");

        // A suspended customer gets no secret at all.
        api.patch(
            &format!("/v1/partner-customers/{customer}"),
            &p.secret,
            &json!({"status": "suspended"}),
        )
        .await
        .expect(200);
        mint(
            &api,
            &p.secret,
            json!({"partner_key": public, "customer_id": "acme.eu"}),
        )
        .await
        .expect_error(403, "customer_suspended");
        server.stop().await;
    }
);

contract!(
    session_secrets_expire_after_five_minutes_in_the_store,
    |store, _db| {
        use quarry_server::partners::Tenant;
        let (server, api, p, key) =
            setup(&store, json!({"customer_verification": "server_session"})).await;
        let public = key["public_key"].as_str().unwrap();
        let minted = mint(
            &api,
            &p.secret,
            json!({"partner_key": public, "customer_id": "acme"}),
        )
        .await
        .expect(201);
        let secret = &recognise_session_secret(minted["session_secret"].as_str().unwrap()).unwrap();
        let tenant = Tenant {
            partner_id: p.partner_id.clone(),
            mode: Mode::Live,
        };
        let key_id = key["embed_key"]["id"].as_str().unwrap();
        // Another tenant cannot use it.
        let sandbox = Tenant {
            mode: Mode::Test,
            ..tenant.clone()
        };
        assert!(store
            .take_server_session(&sandbox, key_id, secret, now())
            .await
            .unwrap()
            .is_none());
        // Five minutes and a second later nobody can use it any more.
        assert!(store
            .take_server_session(&tenant, key_id, secret, now() + 301)
            .await
            .unwrap()
            .is_none());
        let taken = store
            .take_server_session(&tenant, key_id, secret, now())
            .await
            .unwrap()
            .expect("still valid");
        assert_eq!(taken.tenant, tenant);
        assert_eq!(taken.external_customer_id, "acme");
        assert!(store
            .take_server_session(&tenant, key_id, secret, now())
            .await
            .unwrap()
            .is_none());
        server.stop().await;
    }
);

contract!(purges_remove_expired_server_sessions, |store, _db| {
    use quarry_server::partners::Tenant;
    use quarry_server::purge::{once, Retention};
    let (server, api, p, key) =
        setup(&store, json!({"customer_verification": "server_session"})).await;
    let public = key["public_key"].as_str().unwrap();
    let minted = mint(
        &api,
        &p.secret,
        json!({"partner_key": public, "customer_id": "acme"}),
    )
    .await
    .expect(201);
    let secret = &recognise_session_secret(minted["session_secret"].as_str().unwrap()).unwrap();
    let retention = Retention {
        every: std::time::Duration::from_secs(600),
        delivered_bodies_secs: 604_800,
    };
    // While it is valid a purge leaves it alone.
    let t = now();
    assert_eq!(once(&store, retention, t).await.unwrap().session_secrets, 0);
    // Past its five minutes the purge removes the row itself.
    assert_eq!(
        once(&store, retention, t + 301)
            .await
            .unwrap()
            .session_secrets,
        1
    );
    let tenant = Tenant {
        partner_id: p.partner_id.clone(),
        mode: Mode::Live,
    };
    let key_id = key["embed_key"]["id"].as_str().unwrap();
    assert!(store
        .take_server_session(&tenant, key_id, secret, t)
        .await
        .unwrap()
        .is_none());
    server.stop().await;
});

contract!(each_verification_mode_accepts_what_it_says, |store, _db| {
    let (server, api, p, key) = setup(&store, json!({})).await;
    assert_eq!(key["embed_key"]["customer_verification"], "none");
    let public = key["public_key"].as_str().unwrap().to_owned();
    let id = key["embed_key"]["id"].as_str().unwrap().to_owned();
    let signing = key["customer_signing_secret"].as_str().unwrap().to_owned();
    let path = format!("/v1/prospecting/embed-keys/{id}");
    let claimed = json!({"partner_key": public, "customer_id": "acme"});
    let minted = async || {
        mint(
            &api,
            &p.secret,
            json!({"partner_key": public, "customer_id": "acme"}),
        )
        .await
        .expect(201)["session_secret"]
            .clone()
    };

    // none: a claimed id, and server sessions work too.
    api.session(Some(ORIGIN), &claimed).await.expect(201);
    let s = minted().await;
    api.session(
        Some(ORIGIN),
        &json!({"partner_key": public, "session_secret": s}),
    )
    .await
    .expect(201);

    // signature (and its old spelling, require_customer_signature: true).
    let updated = api
        .patch(
            &path,
            &p.secret,
            &json!({"require_customer_signature": true}),
        )
        .await
        .expect(200);
    assert_eq!(updated["customer_verification"], "signature");
    assert_eq!(updated["require_customer_signature"], true);
    api.session(Some(ORIGIN), &claimed)
        .await
        .expect_error(401, "invalid_customer_signature");
    let ts = now();
    signed(
        &api,
        &key,
        "acme",
        None,
        &sign_v2(&signing, "acme", None, ts),
        ts,
    )
    .await
    .expect(201);
    let s = minted().await;
    api.session(
        Some(ORIGIN),
        &json!({"partner_key": public, "session_secret": s}),
    )
    .await
    .expect(201);

    // server_session: only a secret.
    let updated = api
        .patch(
            &path,
            &p.secret,
            &json!({"customer_verification": "server_session"}),
        )
        .await
        .expect(200);
    assert_eq!(updated["require_customer_signature"], true);
    // A client that only knows the old boolean cannot downgrade it by writing
    // back what it read, nor turn it off with it.
    let kept = api
        .patch(
            &path,
            &p.secret,
            &json!({"require_customer_signature": true}),
        )
        .await
        .expect(200);
    assert_eq!(kept["customer_verification"], "server_session");
    let answer = api
        .patch(
            &path,
            &p.secret,
            &json!({"require_customer_signature": false}),
        )
        .await;
    answer.expect_error(400, "invalid_body");
    assert_eq!(answer.field(), "body.customer_verification");
    signed(
        &api,
        &key,
        "acme",
        None,
        &sign_v2(&signing, "acme", None, ts),
        ts,
    )
    .await
    .expect_error(401, "customer_verification_required");

    // Contradictions and unknown modes are refused, naming the field.
    let answer = api
        .patch(
            &path,
            &p.secret,
            &json!({"customer_verification": "none", "require_customer_signature": true}),
        )
        .await;
    answer.expect_error(400, "invalid_body");
    assert_eq!(answer.field(), "body.customer_verification");
    let answer = api
        .patch(
            &path,
            &p.secret,
            &json!({"customer_verification": "psychic"}),
        )
        .await;
    answer.expect_error(400, "invalid_body");
    let answer = api
        .post(
            "/v1/prospecting/embed-keys",
            &p.secret,
            &json!({"allowed_origins": [ORIGIN], "customer_verification": "signature",
                        "require_customer_signature": false}),
        )
        .await;
    answer.expect_error(400, "invalid_body");
    server.stop().await;
});
