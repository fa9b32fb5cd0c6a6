//! Embed sessions: the exact Origin check and CORS, customer upsert without wallet
//! resets, the signed customer assertion, the token's claims, the distinct 401s of
//! bad tokens, revocation and suspension taking effect within seconds, the per-IP
//! limit, and live/test isolation.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{KeyInit, Mac};
use quarry_server::embed::token::{EmbedClaims, TokenKeys};
use quarry_server::partners::keys::Scope;
use quarry_server::partners::{Mode, Tenant};
use quarry_server::store::{SpendRequest, Store};
use reqwest::Method;
use serde_json::{json, Value};

use crate::api::{Answer, Api};
use crate::contract;
use crate::support::{add_key, now, partner, TestPartner, TestServer};

const ORIGIN: &str = "https://app.partner.example";
const WALLET: &str = "/v1/prospecting/wallet";

async fn setup(store: &Store, settings: Value) -> (TestServer, Api, TestPartner, Value) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.clone(), dir.path().into()).await;
    drop(dir);
    let api = Api::new(&server);
    let p = partner(store).await;
    let mut body = json!({"allowed_origins": [ORIGIN, "https://other.example:8443"]});
    if let (Some(b), Some(extra)) = (body.as_object_mut(), settings.as_object()) {
        b.extend(extra.clone());
    }
    let key = api.embed_key(&p.secret, body).await;
    (server, api, p, key)
}

fn public_key(key: &Value) -> &str {
    key["public_key"].as_str().unwrap()
}

fn claims_of(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let decode = |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    (decode(parts[0]), decode(parts[1]))
}

/// The partner backend's side of the signed customer assertion, written from the
/// contract (not from the server's own code).
fn sign(secret: &str, customer: &str, user: Option<&str>, ts: i64) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{customer}.{}.{ts}", user.unwrap_or("")).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn session_token(api: &Api, key: &Value, customer: &str) -> String {
    let answer = api
        .session(
            Some(ORIGIN),
            &json!({"partner_key": public_key(key), "customer_id": customer}),
        )
        .await;
    answer.expect(201)["token"].as_str().unwrap().to_owned()
}

/// Polls until `check` holds or five seconds pass.
async fn eventually(mut check: impl AsyncFnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

contract!(
    sessions_check_the_origin_exactly_and_give_tokens_only_to_it,
    |store, _db| {
        let (server, api, _p, key) = setup(&store, json!({})).await;
        let body = json!({"partner_key": public_key(&key), "customer_id": "acme-42"});
        for origin in [
            None,
            Some("https://evil.example"),
            Some("http://app.partner.example"),
            Some("https://app.partner.example:444"),
            Some("https://sub.app.partner.example"),
            Some("https://other.example"),
            Some("null"),
        ] {
            let answer = api.session(origin, &body).await;
            answer.expect_error(403, "origin_not_allowed");
            // The refusal (no token in it) is readable by the page that asked, so
            // the loader can say why; a missing or opaque origin gets no CORS.
            let readable = origin.filter(|o| *o != "null");
            assert_eq!(
                answer.header("access-control-allow-origin"),
                readable,
                "{origin:?}"
            );
            assert!(answer.body.get("token").is_none(), "{}", answer.body);
        }
        for origin in [ORIGIN, "https://other.example:8443"] {
            let answer = api.session(Some(origin), &body).await;
            assert_eq!(answer.header("access-control-allow-origin"), Some(origin));
            assert!(answer.header("vary").unwrap().contains("origin"));
            answer.expect(201);
        }
        // Preflights carry no key: answered for any well-formed origin; only the POST
        // decides, and only an allowed origin ever gets a token.
        let preflight = async |origin: &'static str| {
            api.send(
                Method::OPTIONS,
                "/v1/prospecting/embed-sessions",
                None,
                None,
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    ("access-control-request-headers", "content-type"),
                ],
            )
            .await
        };
        let ok = preflight(ORIGIN).await;
        assert_eq!(ok.status, 204);
        assert_eq!(ok.header("access-control-allow-origin"), Some(ORIGIN));
        assert_eq!(ok.header("access-control-allow-methods"), Some("POST"));
        assert!(ok
            .header("access-control-allow-headers")
            .unwrap()
            .contains("content-type"));
        let evil = preflight("https://evil.example").await;
        assert_eq!(evil.status, 204);
        assert_eq!(
            evil.header("access-control-allow-origin"),
            Some("https://evil.example")
        );
        let opaque = preflight("null").await;
        assert_eq!(opaque.status, 403);
        assert_eq!(opaque.header("access-control-allow-origin"), None);
        server.stop().await;
    }
);

contract!(
    sessions_upsert_customers_once_and_never_reset_their_wallet,
    |store, _db| {
        let (server, api, p, key) = setup(
            &store,
            json!({"credit_enforcement_mode": "enforced", "credit_reset_policy": "rollover",
               "limits": {"monthly_record_reveals": 50}}),
        )
        .await;
        let first = api
            .session(
                Some(ORIGIN),
                &json!({"partner_key": public_key(&key), "customer_id": "acme-42",
                                       "customer_name": "Acme", "user_id": "u-7"}),
            )
            .await
            .expect(201);
        let id = first["partner_customer_id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("pc_"));
        assert_eq!(first["external_customer_id"], "acme-42");
        let customer = api
            .get(&format!("/v1/partner-customers/{id}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(customer["name"], "Acme");
        assert_eq!(customer["credit_enforcement_mode"], "enforced");
        assert_eq!(customer["credit_reset_policy"], "rollover");
        assert_eq!(customer["limits"], json!({"monthly_record_reveals": 50}));
        assert_eq!(customer["embed_key_id"], key["embed_key"]["id"]);

        // Credits granted and partly spent survive later sessions.
        api.post(
            &format!("/v1/partner-customers/{id}/wallet/credits"),
            &p.secret,
            &json!({"credit_units": 10}),
        )
        .await
        .expect(201);
        let tenant = Tenant {
            partner_id: p.partner_id.clone(),
            mode: Mode::Live,
        };
        let spend = SpendRequest {
            units: 4,
            records: 4,
            user_id: Some("u-7"),
            reference: None,
        };
        store
            .spend(&tenant, &id, spend, now())
            .await
            .unwrap()
            .unwrap();
        let again = api
            .session(
                Some(ORIGIN),
                &json!({"partner_key": public_key(&key), "customer_id": "acme-42",
                                       "customer_name": "Renamed"}),
            )
            .await
            .expect(201);
        assert_eq!(again["partner_customer_id"], id.as_str());
        let wallet = api
            .get(WALLET, again["token"].as_str().unwrap())
            .await
            .expect(200);
        assert_eq!(wallet["partner_customer_id"], id.as_str());
        assert_eq!(wallet["wallet"]["available_credit_units"], 6);
        assert_eq!(wallet["wallet"]["usage"]["lifetime_record_reveals"], 4);
        let customer = api
            .get(&format!("/v1/partner-customers/{id}"), &p.secret)
            .await
            .expect(200);
        assert_eq!(customer["name"], "Acme");

        // Another customer id is another customer, with its own empty wallet.
        let other = api
            .session(
                Some(ORIGIN),
                &json!({"partner_key": public_key(&key), "customer_id": "globex"}),
            )
            .await
            .expect(201);
        assert_ne!(other["partner_customer_id"], id.as_str());
        let wallet = api
            .get(WALLET, other["token"].as_str().unwrap())
            .await
            .expect(200);
        assert_eq!(wallet["wallet"]["available_credit_units"], 0);
        server.stop().await;
    }
);

contract!(
    bad_bootstrap_requests_are_refused_with_their_code,
    |store, _db| {
        let (server, api, p, key) = setup(&store, json!({})).await;
        let answer = api
            .session(
                Some(ORIGIN),
                &json!({"partner_key": "qpk_live_nope", "customer_id": "c"}),
            )
            .await;
        answer.expect_error(401, "invalid_partner_key");
        assert_eq!(answer.field(), "body.partner_key");
        for (body, field) in [
            (
                json!({"partner_key": public_key(&key), "customer_id": ""}),
                "body.customer_id",
            ),
            (
                json!({"partner_key": public_key(&key), "customer_id": "a\u{7}b"}),
                "body.customer_id",
            ),
            (json!({"partner_key": public_key(&key)}), "body.customer_id"),
            (
                json!({"partner_key": public_key(&key), "customer_id": "c", "extra": 1}),
                "body.extra",
            ),
        ] {
            let answer = api.session(Some(ORIGIN), &body).await;
            answer.expect_error(400, "invalid_body");
            assert_eq!(answer.field(), field, "{body}");
        }
        let id = key["embed_key"]["id"].as_str().unwrap();
        api.delete(&format!("/v1/prospecting/embed-keys/{id}"), &p.secret)
            .await
            .expect(200);
        api.session(
            Some(ORIGIN),
            &json!({"partner_key": public_key(&key), "customer_id": "c"}),
        )
        .await
        .expect_error(401, "embed_key_revoked");
        server.stop().await;
    }
);

contract!(
    signed_customer_assertions_are_required_when_the_key_says_so,
    |store, _db| {
        let (server, api, _p, key) =
            setup(&store, json!({"require_customer_signature": true})).await;
        let secret = key["customer_signing_secret"].as_str().unwrap();
        let pk = public_key(&key);
        let t = now();
        let cases = [
            (json!({"partner_key": pk, "customer_id": "acme"}), 401),
            (
                json!({"partner_key": pk, "customer_id": "acme", "user_id": "u1", "timestamp": t,
                "customer_signature": sign(secret, "acme", Some("u2"), t)}),
                401,
            ),
            (
                json!({"partner_key": pk, "customer_id": "globex", "user_id": "u1", "timestamp": t,
                "customer_signature": sign(secret, "acme", Some("u1"), t)}),
                401,
            ),
            (
                json!({"partner_key": pk, "customer_id": "acme", "user_id": "u1", "timestamp": t - 620,
                "customer_signature": sign(secret, "acme", Some("u1"), t - 620)}),
                401,
            ),
            (
                json!({"partner_key": pk, "customer_id": "acme", "user_id": "u1", "timestamp": t + 620,
                "customer_signature": sign(secret, "acme", Some("u1"), t + 620)}),
                401,
            ),
            (
                json!({"partner_key": pk, "customer_id": "acme", "timestamp": t,
                "customer_signature": sign("qcs_wrong", "acme", None, t)}),
                401,
            ),
            (
                json!({"partner_key": pk, "customer_id": "acme", "timestamp": t, "customer_signature": "zz"}),
                401,
            ),
            (
                json!({"partner_key": pk, "customer_id": "acme", "user_id": "u1", "timestamp": t - 590,
                "customer_signature": sign(secret, "acme", Some("u1"), t - 590)}),
                201,
            ),
            (
                json!({"partner_key": pk, "customer_id": "acme", "timestamp": t,
                "customer_signature": sign(secret, "acme", None, t).to_uppercase()}),
                201,
            ),
        ];
        for (body, status) in cases {
            let answer = api.session(Some(ORIGIN), &body).await;
            if status == 401 {
                answer.expect_error(401, "invalid_customer_signature");
            } else {
                answer.expect(201);
            }
        }
        // Nothing was created by the refused attempts: only "acme" exists.
        let tenant_customers = store
            .customers(
                &Tenant {
                    partner_id: _p.partner_id.clone(),
                    mode: Mode::Live,
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(
            tenant_customers
                .iter()
                .map(|c| c.external_customer_id.as_str())
                .collect::<Vec<_>>(),
            vec!["acme"]
        );
        server.stop().await;
    }
);

contract!(tokens_carry_the_documented_claims, |store, _db| {
    let (server, api, p, key) = setup(&store, json!({"token_ttl_seconds": 600})).await;
    let before = now();
    let answer = api
        .session(
            Some(ORIGIN),
            &json!({"partner_key": public_key(&key), "customer_id": "acme", "user_id": "u-7"}),
        )
        .await
        .expect(201);
    let token = answer["token"].as_str().unwrap();
    let (header, claims) = claims_of(token);
    assert_eq!(header["alg"], "HS256");
    assert_eq!(header["kid"], "k1");
    assert_eq!(claims["iss"], "quarry");
    assert_eq!(claims["aud"], "quarry-embed");
    assert_eq!(claims["sub"], answer["partner_customer_id"]);
    assert_eq!(claims["pid"], p.partner_id.as_str());
    assert_eq!(claims["ekid"], key["embed_key"]["id"]);
    assert_eq!(claims["uid"], "u-7");
    assert_eq!(claims["origin"], ORIGIN);
    assert_eq!(claims["mode"], "live");
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!(iat >= before && iat <= now());
    assert_eq!(exp - iat, 600);
    assert_eq!(answer["expires_in"], 600);
    let expires_at = time::OffsetDateTime::parse(
        answer["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(expires_at.unix_timestamp(), exp);
    let second = session_token(&api, &key, "acme").await;
    assert_ne!(claims["jti"], claims_of(&second).1["jti"]);
    server.stop().await;
});

contract!(bad_tokens_get_distinct_401_codes, |store, _db| {
    let (server, api, p, key) = setup(&store, json!({})).await;
    let good = session_token(&api, &key, "acme").await;
    let wallet = api.get(WALLET, &good).await.expect(200);
    for field in [
        "available_credit_units",
        "granted_credit_units",
        "limit_state",
        "usage",
        "limits",
    ] {
        assert!(wallet["wallet"].get(field).is_some(), "{field}: {wallet}");
    }

    let (_, claims) = claims_of(&good);
    let claims: EmbedClaims = serde_json::from_value(claims).unwrap();
    let secret = store.server_secret("embed_token_k1").await.unwrap();
    let sign_with = |kid: &str, claims: &EmbedClaims| {
        TokenKeys::new(vec![(kid.to_owned(), secret.clone().into_bytes())])
            .unwrap()
            .issue(claims)
            .unwrap()
    };
    let expired = EmbedClaims {
        iat: now() - 1000,
        exp: now() - 60,
        ..claims.clone()
    };
    let other_audience = EmbedClaims {
        aud: "someone-else".into(),
        ..claims.clone()
    };
    let other_issuer = EmbedClaims {
        iss: "not-quarry".into(),
        ..claims.clone()
    };
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let mut payload =
        serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    payload["sub"] = json!("pc_someone_else");
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    let tampered = parts.join(".");

    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "token_malformed"),
        (Some("not-a-token".into()), "token_malformed"),
        (Some(p.secret.clone()), "token_malformed"),
        (Some(sign_with("k1", &expired)), "token_expired"),
        (
            Some(sign_with("k1", &other_audience)),
            "token_invalid_audience",
        ),
        (Some(sign_with("k1", &other_issuer)), "token_invalid_issuer"),
        (Some(sign_with("k9", &claims)), "token_unknown_kid"),
        (Some(tampered), "token_invalid_signature"),
    ];
    for (bearer, code) in cases {
        let answer: Answer = api
            .send(Method::GET, WALLET, bearer.as_deref(), None, &[])
            .await;
        answer.expect_error(401, code);
    }
    // Re-signed by us with the right key, the same claims are fine.
    api.get(WALLET, &sign_with("k1", &claims)).await.expect(200);
    server.stop().await;
});

contract!(
    revoking_the_key_or_suspending_the_customer_bites_within_seconds,
    |store, _db| {
        let (server, api, p, key) = setup(&store, json!({})).await;
        let acme = session_token(&api, &key, "acme").await;
        let globex = session_token(&api, &key, "globex").await;
        api.get(WALLET, &acme).await.expect(200);
        api.get(WALLET, &globex).await.expect(200);

        let acme_id = claims_of(&acme).1["sub"].as_str().unwrap().to_owned();
        api.patch(
            &format!("/v1/partner-customers/{acme_id}"),
            &p.secret,
            &json!({"status": "suspended"}),
        )
        .await
        .expect(200);
        assert!(
            eventually(async || api.get(WALLET, &acme).await.code() == "customer_suspended").await,
            "a suspended customer's token still worked after 5 s"
        );
        api.get(WALLET, &globex).await.expect(200);
        api.session(
            Some(ORIGIN),
            &json!({"partner_key": public_key(&key), "customer_id": "acme"}),
        )
        .await
        .expect_error(403, "customer_suspended");
        api.patch(
            &format!("/v1/partner-customers/{acme_id}"),
            &p.secret,
            &json!({"status": "active"}),
        )
        .await
        .expect(200);
        assert!(eventually(async || api.get(WALLET, &acme).await.status == 200).await);

        let id = key["embed_key"]["id"].as_str().unwrap();
        api.delete(&format!("/v1/prospecting/embed-keys/{id}"), &p.secret)
            .await
            .expect(200);
        assert!(
            eventually(async || api.get(WALLET, &globex).await.code() == "embed_key_revoked").await,
            "a revoked key's token still worked after 5 s"
        );
        server.stop().await;
    }
);

contract!(bootstrap_is_rate_limited_per_ip, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(store.store.clone(), dir.path().into(), |c| {
        c.rate_limit_embed_sessions_per_ip = 2;
    })
    .await;
    let api = Api::new(&server);
    let p = partner(&store).await;
    let key = api
        .embed_key(&p.secret, json!({"allowed_origins": [ORIGIN]}))
        .await;
    let body = json!({"partner_key": public_key(&key), "customer_id": "acme"});
    let mut checked = false;
    for _ in 0..3 {
        // Wait for a fresh window if fewer than 5 s remain in this one.
        let first = api.session(Some(ORIGIN), &body).await;
        let reset: u64 = first.header("x-ratelimit-reset").unwrap().parse().unwrap();
        if first.status == 429 || reset < 5 {
            tokio::time::sleep(Duration::from_secs(reset + 1)).await;
            continue;
        }
        assert_eq!(first.status, 201, "{}", first.body);
        assert_eq!(first.header("x-ratelimit-limit"), Some("2"));
        assert_eq!(first.header("x-ratelimit-used"), Some("1"));
        let second = api.session(Some(ORIGIN), &body).await;
        assert_eq!(
            (
                second.status.as_u16(),
                second.header("x-ratelimit-remaining")
            ),
            (201, Some("0"))
        );
        let third = api.session(Some(ORIGIN), &body).await;
        third.expect_error(429, "rate_limited");
        assert!(third.header("retry-after").is_some());
        assert!(third
            .header("ratelimit-policy")
            .unwrap()
            .starts_with("\"embed-session-ip\""));
        checked = true;
        break;
    }
    assert!(checked);
    server.stop().await;
});

contract!(sandbox_sessions_make_sandbox_customers, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(store.store.clone(), dir.path().into()).await;
    let api = Api::new(&server);
    let live = partner(&store).await;
    let test = add_key(&store, &live.partner_id, Mode::Test, &Scope::ALL).await;
    let key = api
        .embed_key(&test.secret, json!({"allowed_origins": [ORIGIN]}))
        .await;
    let token = session_token(&api, &key, "acme").await;
    let (_, claims) = claims_of(&token);
    assert_eq!(claims["mode"], "test");
    let id = claims["sub"].as_str().unwrap();
    api.get(&format!("/v1/partner-customers/{id}"), &test.secret)
        .await
        .expect(200);
    api.get(&format!("/v1/partner-customers/{id}"), &live.secret)
        .await
        .expect_error(404, "not_found");
    // The same external id under the live key is a different customer.
    let live_key = api
        .embed_key(&live.secret, json!({"allowed_origins": [ORIGIN]}))
        .await;
    let live_token = session_token(&api, &live_key, "acme").await;
    assert_ne!(claims_of(&live_token).1["sub"], claims["sub"]);
    // Grants in the sandbox do not show in live.
    api.post(
        &format!("/v1/partner-customers/{id}/wallet/credits"),
        &test.secret,
        &json!({"credit_units": 5}),
    )
    .await
    .expect(201);
    let wallet = api.get(WALLET, &live_token).await.expect(200);
    assert_eq!(wallet["wallet"]["granted_credit_units"], 0);
    server.stop().await;
});

contract!(configured_token_secrets_rotate_by_kid, |store, _db| {
    let k1 = "k1:first-secret-0123456789abcdef0123456789";
    let k2 = "k2:second-secret-0123456789abcdef012345678";
    let start = async |secrets: &[&str]| {
        let secrets: Vec<_> = secrets.iter().map(|s| s.parse().unwrap()).collect();
        let dir = std::env::temp_dir().join("quarry-no-widget");
        TestServer::start_with(store.store.clone(), dir, move |c| {
            c.embed_token_secrets = secrets
        })
        .await
    };
    let a = start(&[k1]).await;
    let api = Api::new(&a);
    let p = partner(&store).await;
    let key = api
        .embed_key(&p.secret, json!({"allowed_origins": [ORIGIN]}))
        .await;
    let old = session_token(&api, &key, "acme").await;
    assert_eq!(claims_of(&old).0["kid"], "k1");
    a.stop().await;

    // The new secret signs; the old one is still accepted while its tokens live.
    let b = start(&[k2, k1]).await;
    let api = Api::new(&b);
    api.get(WALLET, &old).await.expect(200);
    let new = session_token(&api, &key, "acme").await;
    assert_eq!(claims_of(&new).0["kid"], "k2");
    b.stop().await;

    // Once k1 is dropped, its tokens are refused as signed by an unknown key.
    let c = start(&[k2]).await;
    let api = Api::new(&c);
    api.get(WALLET, &old)
        .await
        .expect_error(401, "token_unknown_kid");
    api.get(WALLET, &new).await.expect(200);
    c.stop().await;
});

contract!(
    behind_a_proxy_the_client_ip_header_keys_the_limit,
    |store, _db| {
        let dir = std::env::temp_dir().join("quarry-no-widget");
        let server = TestServer::start_with(store.store.clone(), dir, |c| {
            c.rate_limit_embed_sessions_per_ip = 1;
            c.client_ip_header = Some("x-forwarded-for".into());
        })
        .await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        let key = api
            .embed_key(&p.secret, json!({"allowed_origins": [ORIGIN]}))
            .await;
        let body = json!({"partner_key": public_key(&key), "customer_id": "acme"});
        let from = async |forwarded: &str| {
            api.send(
                Method::POST,
                "/v1/prospecting/embed-sessions",
                None,
                Some(&body),
                &[("origin", ORIGIN), ("x-forwarded-for", forwarded)],
            )
            .await
        };
        // The proxy's entry (the last) is the client, whatever the client claimed first.
        let mut checked = false;
        for _ in 0..3 {
            let first = from("10.0.0.1, 203.0.113.7").await;
            let reset: u64 = first.header("x-ratelimit-reset").unwrap().parse().unwrap();
            if first.status != 201 || reset < 5 {
                tokio::time::sleep(Duration::from_secs(reset + 1)).await;
                continue;
            }
            from("10.0.0.2, 203.0.113.7")
                .await
                .expect_error(429, "rate_limited");
            from("203.0.113.8").await.expect(201);
            checked = true;
            break;
        }
        assert!(checked);
        server.stop().await;
    }
);

/// A built-widget folder whose page has Trunk's inline bootstrap script.
fn widget_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Quarry</title><script type=\"module\">init()</script>",
    )
    .unwrap();
    dir
}

async fn page_policy(api: &Api, query: &str) -> (u16, String, String) {
    let response = api
        .http
        .get(format!("{}/embed/{query}", api.base))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if !response.headers().contains_key("content-security-policy") {
        panic!("{query}: {status} {}", response.text().await.unwrap());
    }
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, csp, cache)
}

fn frame_ancestors(csp: &str) -> &str {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .unwrap_or_else(|| panic!("no frame-ancestors in {csp}"))
}

contract!(
    the_widget_page_may_be_framed_only_by_the_keys_origins,
    |store, _db| {
        let dist = widget_dir();
        let server = TestServer::start(store.clone(), dist.path().into()).await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        let key = api
            .embed_key(
                &p.secret,
                json!({"allowed_origins": [ORIGIN, "https://other.example:8443"]}),
            )
            .await;
        let public = public_key(&key);
        let prefix = &public[.."qpk_live_".len() + 8];

        let (status, csp, cache) = page_policy(&api, &format!("?key={prefix}")).await;
        assert_eq!((status, cache.as_str()), (200, "no-cache"));
        assert_eq!(
            frame_ancestors(&csp),
            "https://app.partner.example https://other.example:8443"
        );
        // The inline bootstrap script is allowed by its hash, nothing else inline.
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("connect-src 'self'"), "{csp}");
        // The full public key works as well as its prefix.
        let (_, csp, _) = page_policy(&api, &format!("?key={public}")).await;
        assert!(frame_ancestors(&csp).starts_with(ORIGIN), "{csp}");

        // Unknown, malformed or missing keys: nobody may frame it.
        for query in [
            "",
            "?key=qpk_live_00000000",
            "?key=nonsense",
            "?key=qpk_live_%27none%27",
            "index.html",
        ] {
            let (status, csp, _) = page_policy(&api, query).await;
            assert_eq!(status, 200, "{query}");
            assert_eq!(frame_ancestors(&csp), "'none'", "{query}");
        }

        // Origins follow an update, and a revoked key stops being frameable
        // within the cache's two seconds.
        let id = key["embed_key"]["id"].as_str().unwrap();
        api.send(
            Method::PATCH,
            &format!("/v1/prospecting/embed-keys/{id}"),
            Some(&p.secret),
            Some(&json!({"allowed_origins": ["https://new.partner.example"]})),
            &[],
        )
        .await
        .expect(200);
        assert!(
            eventually(async || {
                let (_, csp, _) = page_policy(&api, &format!("?key={prefix}")).await;
                frame_ancestors(&csp) == "https://new.partner.example"
            })
            .await
        );
        api.delete(&format!("/v1/prospecting/embed-keys/{id}"), &p.secret)
            .await
            .expect(200);
        assert!(
            eventually(async || {
                let (_, csp, _) = page_policy(&api, &format!("?key={prefix}")).await;
                frame_ancestors(&csp) == "'none'"
            })
            .await
        );

        // Another tenant's key never lends its origins to this prefix.
        let (_, csp, _) = page_policy(&api, "?key=qpk_test_00000000").await;
        assert_eq!(frame_ancestors(&csp), "'none'");
        server.stop().await;
    }
);

contract!(the_loader_is_served_as_javascript, |store, _db| {
    let server = TestServer::start(store.clone(), widget_dir().path().into()).await;
    let response = reqwest::get(format!("{}/embed.js", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(headers["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=300"));
    let body = response.text().await.unwrap();
    assert!(
        body.contains("/v1/prospecting/embed-sessions"),
        "not the loader"
    );
    assert!(body.contains("window.Quarry"), "not the loader");
    server.stop().await;
});

contract!(the_operator_can_cap_token_lifetimes, |store, _db| {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(store.clone(), dir.path().into(), |c| {
        c.embed_token_max_ttl_secs = Some(5);
    })
    .await;
    let api = Api::new(&server);
    let p = partner(&store).await;
    let key = api
        .embed_key(
            &p.secret,
            json!({"allowed_origins": [ORIGIN], "token_ttl_seconds": 900}),
        )
        .await;
    let answer = api
        .session(
            Some(ORIGIN),
            &json!({"partner_key": public_key(&key), "customer_id": "short-lived"}),
        )
        .await
        .expect(201);
    assert_eq!(answer["expires_in"], 5);
    let (_, claims) = claims_of(answer["token"].as_str().unwrap());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        5
    );
    server.stop().await;
});

/// One GET with the request target sent exactly as written (an HTTP client would
/// normalise `./`, `../` and some escapes before sending): status, headers, body.
async fn raw_get(base: &str, target: &str) -> (u16, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

contract!(
    every_spelling_of_the_widget_page_carries_the_keys_policy,
    |store, _db| {
        let dist = widget_dir();
        std::fs::create_dir_all(dist.path().join("sub")).unwrap();
        std::fs::write(
            dist.path().join("sub/index.html"),
            "<!doctype html><p>inner</p>",
        )
        .unwrap();
        std::fs::write(dist.path().join("quarry-1c2d3e4f5a6b7c8d.css"), "p{}").unwrap();
        let server = TestServer::start(store.clone(), dist.path().into()).await;
        let api = Api::new(&server);
        let p = partner(&store).await;
        let key = api
            .embed_key(&p.secret, json!({"allowed_origins": [ORIGIN]}))
            .await;
        let prefix = &public_key(&key)[.."qpk_live_".len() + 8];
        #[derive(Debug, Clone, Copy, PartialEq)]
        enum Want {
            /// The widget page, framed by the key's origins only.
            Page,
            /// Another file: 200, framed by nobody.
            Other,
            /// Not found.
            Missing,
            /// Not found, or another file framed by nobody.
            OtherOrMissing,
        }
        // Request targets sent as written: percent escapes, doubled slashes, dot
        // segments, a trailing slash.
        for (path, want) in [
            ("/embed/", Want::Page),
            ("/embed", Want::Page),
            ("/embed/index.html", Want::Page),
            ("/embed/%69ndex.html", Want::Page),
            ("/embed/index%2Ehtml", Want::Page),
            ("/embed/%69%6E%64%65%78%2E%68%74%6D%6C", Want::Page),
            ("/embed//index.html", Want::Page),
            ("/embed///", Want::Page),
            ("/embed/./index.html", Want::Page),
            ("/embed/%2E/index.html", Want::Page),
            ("/embed/sub/../index.html", Want::Page),
            ("/embed/sub/%2E%2E/index.html", Want::Page),
            ("/embed/.//./index.html", Want::Page),
            ("/embed/%2Findex.html", Want::Page),
            ("/embed/index.html/", Want::Missing),
            ("/embed/../index.html", Want::Missing),
            ("/embed/%2E%2E/index.html", Want::Missing),
            ("/embed/sub/", Want::Other),
            ("/embed/sub/index.html", Want::Other),
            ("/embed/sub//index.html", Want::OtherOrMissing),
            ("/embed/quarry-1c2d3e4f5a6b7c8d.css", Want::Other),
        ] {
            let (status, headers, body) =
                raw_get(&server.base, &format!("{path}?key={prefix}")).await;
            let header = |name: &str| {
                headers
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            };
            let got = match (status, body.contains("init()")) {
                (200, true) => Want::Page,
                (200, false) => Want::Other,
                (404, _) => Want::Missing,
                _ => panic!("{path}: {status} {body}"),
            };
            let fits = got == want || (want == Want::OtherOrMissing && got != Want::Page);
            assert!(fits, "{path}: {got:?}, wanted {want:?}");
            if status != 200 {
                continue;
            }
            let csp = header("content-security-policy")
                .unwrap_or_else(|| panic!("{path}: 200 without a policy: {body}"));
            let ancestors = frame_ancestors(&csp).to_owned();
            match got {
                Want::Page => assert_eq!(ancestors, ORIGIN, "{path}"),
                _ => assert_eq!(ancestors, "'none'", "{path}: {body}"),
            }
            if header("content-type").is_some_and(|t| t.starts_with("text/html")) {
                assert!(
                    csp.contains("default-src 'none'"),
                    "{path}: weak policy {csp}"
                );
            }
        }
        server.stop().await;
    }
);
