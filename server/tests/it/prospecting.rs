//! Prospecting sessions over HTTP with an embed token: counting search sessions
//! once (and not when blocked or not understood), free paging and refinement,
//! masked previews that never carry what is sold, owned records in full,
//! net-new-only, ownership of sessions and idle expiry.

use quarry_server::partners::{Mode, Tenant};
use quarry_server::seed;
use quarry_server::store::ProspectSession;
use reqwest::Method;
use serde_json::{json, Value};

use crate::api::Api;
use crate::contract;
use crate::support::urlencode;
use crate::support::{now, partner, TestPartner, TestServer};

const ORIGIN: &str = "https://app.partner.example";
const SESSIONS: &str = "/v1/prospecting/sessions";

struct Setup {
    server: TestServer,
    api: Api,
    partner: TestPartner,
    key: Value,
}

async fn setup(store: &quarry_server::Store, key_settings: Value) -> Setup {
    seed::seed_demo(
        store,
        &seed::SeedOptions {
            people: 3000,
            seed: 5,
            progress: false,
        },
    )
    .await
    .unwrap();
    let (server, api, partner) = crate::support::serve(store).await;
    let mut body = json!({"allowed_origins": [ORIGIN]});
    if let (Some(b), Some(extra)) = (body.as_object_mut(), key_settings.as_object()) {
        b.extend(extra.clone());
    }
    let key = api.embed_key(&partner.secret, body).await;
    Setup {
        server,
        api,
        partner,
        key,
    }
}

async fn token(s: &Setup, customer: &str) -> String {
    let answer = s
        .api
        .session(
            Some(ORIGIN),
            &json!({"partner_key": s.key["public_key"], "customer_id": customer}),
        )
        .await;
    answer.expect(201)["token"].as_str().unwrap().to_owned()
}

async fn sessions_used(api: &Api, token: &str) -> i64 {
    let wallet = api.get("/v1/prospecting/wallet", token).await.expect(200);
    wallet["wallet"]["usage"]["monthly_search_sessions"]
        .as_i64()
        .unwrap()
}

contract!(
    sessions_are_counted_once_and_pages_are_free,
    |store, _db| {
        let s = setup(&store, json!({"credit_enforcement_mode": "enforced", "limits": {"monthly_search_sessions": 2}})).await;
        let t = token(&s, "acme").await;
        let first = s
            .api
            .post(SESSIONS, &t, &json!({"q": "sales people", "limit": 10}))
            .await
            .expect(201);
        let search_id = first["search_id"].as_str().unwrap().to_owned();
        assert_eq!(first["data"].as_array().unwrap().len(), 10);
        assert!(first["facets"].is_object());
        assert!(first["pagination"]["total_records"].as_u64().unwrap() > 10);
        assert_eq!(sessions_used(&s.api, &t).await, 1);

        let cursor = first["pagination"]["next_cursor"].as_str().unwrap();
        let next = s
            .api
            .get(
                &format!("{SESSIONS}/{search_id}?limit=10&cursor={cursor}"),
                &t,
            )
            .await
            .expect(200);
        let ids = |page: &Value| -> Vec<String> {
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["prospect_id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(
            ids(&next).iter().all(|id| !ids(&first).contains(id)),
            "pages overlap"
        );
        let refined = s
            .api
            .get(
                &format!(
                    "{SESSIONS}/{search_id}?applied_filters={}",
                    urlencode(r#"{"has_phone":true}"#)
                ),
                &t,
            )
            .await
            .expect(200);
        assert!(refined["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["has_phone"] == true));
        assert_eq!(refined["applied_filters"], json!({"has_phone": true}));
        assert_eq!(
            sessions_used(&s.api, &t).await,
            1,
            "paging or refining counted a session"
        );

        // Not understood: 422 and nothing counted.
        let answer = s.api.post(SESSIONS, &t, &json!({"q": "pls"})).await;
        answer.expect_error(422, "query_not_understood");
        assert_eq!(sessions_used(&s.api, &t).await, 1);

        s.api
            .post(SESSIONS, &t, &json!({"q": "CEOs"}))
            .await
            .expect(201);
        let blocked = s.api.post(SESSIONS, &t, &json!({"q": "CEOs"})).await;
        blocked.expect_error(402, "limit_reached");
        assert_eq!(
            blocked.body["block_reason"],
            "monthly_search_session_limit_reached"
        );
        assert_eq!(blocked.body["available"], 0);
        assert_eq!(
            sessions_used(&s.api, &t).await,
            2,
            "a blocked search was counted"
        );
        // Paging an existing session still works when new sessions are blocked.
        s.api
            .get(&format!("{SESSIONS}/{search_id}"), &t)
            .await
            .expect(200);

        for (body, field) in [
            (json!({"q": "CEOs", "limit": 0}), "body.limit"),
            (
                json!({"q": "CEOs", "filters": {"seniority": ["emperor"]}}),
                "body.filters.seniority[0]",
            ),
            (
                json!({"q": "CEOs", "filters": {"email_status": ["maybe"]}}),
                "body.filters.email_status[0]",
            ),
            (
                json!({"q": "CEOs", "filters": {"colour": "red"}}),
                "body.filters.colour",
            ),
        ] {
            let answer = s.api.post(SESSIONS, &t, &body).await;
            assert_eq!(answer.status.as_u16(), 400, "{body}: {}", answer.body);
            assert_eq!(answer.field(), field, "{body}");
        }
        s.server.stop().await;
    }
);

contract!(
    previews_never_carry_what_is_sold_until_it_is_owned,
    |store, _db| {
        let s = setup(&store, json!({})).await;
        let t = token(&s, "acme").await;
        let first = s
            .api
            .post(SESSIONS, &t, &json!({"q": "sales people", "limit": 100}))
            .await
            .expect(201);
        let previews = first["data"].as_array().unwrap().clone();
        assert!(!previews.is_empty());
        let ids: Vec<u32> = previews
            .iter()
            .map(|p| {
                p["prospect_id"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("pr_")
                    .parse()
                    .unwrap()
            })
            .collect();
        let people = store.people_by_ids(&ids).await.unwrap();
        let mut secrets_checked = 0;
        for (preview, row) in previews.iter().zip(&people) {
            assert_eq!(preview["reveal_state"], "preview");
            let text = preview.to_string();
            let p = &row.person;
            let mut secrets: Vec<&str> = vec![p.person_id.as_str()];
            if p.last_name.chars().count() > 1 {
                secrets.push(p.last_name.as_str());
            }
            secrets.extend(p.business_email.as_deref());
            secrets.extend(p.mobile_phone.as_deref());
            secrets.extend(p.linkedin_url.as_deref());
            if let Some(email) = p.business_email.as_deref() {
                let (local, domain) = email.split_once('@').unwrap();
                let masked = format!("{}•••@{domain}", local.chars().next().unwrap());
                assert_eq!(preview["email"].as_str(), Some(masked.as_str()));
            }
            for secret in secrets {
                assert!(!text.contains(secret), "{secret:?} leaked in {text}");
                secrets_checked += 1;
            }
            assert_eq!(preview["first_name"], p.first_name.as_str());
            assert_eq!(preview["has_email"], p.business_email.is_some());
        }
        assert!(secrets_checked > 200, "{secrets_checked}");

        // Buy two: they come back in full, and net_new_only hides them.
        let customer = first_customer(&s, &store).await;
        let tenant = Tenant {
            partner_id: s.partner.partner_id.clone(),
            mode: Mode::Live,
        };
        crate::support::buy(&store, &tenant, &customer, &ids[..2], 1)
            .await
            .unwrap();
        let search_id = first["search_id"].as_str().unwrap();
        let again = s
            .api
            .get(&format!("{SESSIONS}/{search_id}?limit=100"), &t)
            .await
            .expect(200);
        let owned: Vec<&Value> = again["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["reveal_state"] == "purchased")
            .collect();
        assert_eq!(owned.len(), 2);
        for p in owned {
            let row = people
                .iter()
                .find(|r| format!("pr_{}", r.id) == p["prospect_id"].as_str().unwrap())
                .unwrap();
            assert_eq!(p["last_name"], row.person.last_name.as_str());
            assert_eq!(p["email"].as_str(), row.person.business_email.as_deref());
        }
        let net_new = s
            .api
            .get(
                &format!(
                    "{SESSIONS}/{search_id}?limit=100&applied_filters={}",
                    urlencode(r#"{"net_new_only":true}"#)
                ),
                &t,
            )
            .await
            .expect(200);
        assert_eq!(
            net_new["pagination"]["total_records"].as_u64().unwrap() + 2,
            first["pagination"]["total_records"].as_u64().unwrap()
        );
        assert!(net_new["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["reveal_state"] == "preview"));
        s.server.stop().await;
    }
);

async fn first_customer(s: &Setup, store: &quarry_server::Store) -> String {
    let tenant = Tenant {
        partner_id: s.partner.partner_id.clone(),
        mode: Mode::Live,
    };
    store.customers(&tenant, None, 1).await.unwrap()[0]
        .partner_customer_id
        .clone()
}

contract!(
    sessions_belong_to_their_customer_and_expire_when_idle,
    |store, _db| {
        let s = setup(&store, json!({})).await;
        let acme = token(&s, "acme").await;
        let globex = token(&s, "globex").await;
        let first = s
            .api
            .post(SESSIONS, &acme, &json!({"q": "CEOs"}))
            .await
            .expect(201);
        let path = format!("{SESSIONS}/{}", first["search_id"].as_str().unwrap());
        s.api.get(&path, &acme).await.expect(200);
        s.api
            .get(&path, &globex)
            .await
            .expect_error(404, "not_found");
        s.api
            .send(Method::GET, &path, None, None, &[])
            .await
            .expect_error(401, "token_malformed");
        // Another partner's customer with the same external id is someone else.
        let other = partner(&store).await;
        let key = s
            .api
            .embed_key(&other.secret, json!({"allowed_origins": [ORIGIN]}))
            .await;
        let theirs = s.api.customer_session(ORIGIN, &key, "acme").await;
        s.api
            .get(&path, theirs["token"].as_str().unwrap())
            .await
            .expect_error(404, "not_found");

        // A session idle longer than a day answers 410.
        let customer = first_customer(&s, &store).await;
        let tenant = Tenant {
            partner_id: s.partner.partner_id.clone(),
            mode: Mode::Live,
        };
        let old = now() - 2 * 86_400;
        let stale = ProspectSession {
            search_id: "search_stale".into(),
            partner_customer_id: customer,
            embed_key_id: s.key["embed_key"]["id"].as_str().unwrap().into(),
            user_id: None,
            q: "CEOs".into(),
            filters: "{}".into(),
            created_at: old,
            last_used_at: old,
        };
        store
            .start_session(&tenant, &stale, now())
            .await
            .unwrap()
            .unwrap();
        s.api
            .get(&format!("{SESSIONS}/search_stale"), &acme)
            .await
            .expect_error(410, "session_expired");
        // The taxonomy for chips.
        let taxonomy = s
            .api
            .get("/v1/prospecting/taxonomy", &acme)
            .await
            .expect(200);
        assert!(
            taxonomy["fast_paths"]["taxonomy"]["roles"]
                .as_array()
                .unwrap()
                .len()
                > 10
        );
        s.server.stop().await;
    }
);
