//! Saved searches on both databases: saved from the widget or by the partner,
//! listed with "N new since you last looked", run again as a new counted session
//! (which shows them), deleted; and a watched search announced once as
//! `saved_search.new_matches` when an import brings people it never showed,
//! signed and checked by the Standard Webhooks reference verifier.

use std::time::{Duration, Instant};

use quarry_server::data::import;
use serde_json::{json, Value};

use crate::contract;
use crate::receiver::Receiver;
use crate::support::{partner, write_file, EmbedSetup};
use crate::webhooks::verifies;

async fn sessions(s: &EmbedSetup) -> i64 {
    let wallet = s
        .api
        .get(
            &format!("/v1/partner-customers/{}/wallet", s.customer),
            &s.partner.secret,
        )
        .await
        .expect(200);
    wallet["wallet"]["usage"]["lifetime_search_sessions"]
        .as_i64()
        .unwrap_or_else(|| panic!("{wallet}"))
}

contract!(
    saved_searches_are_kept_listed_run_and_deleted,
    |store, _db| {
        let s = EmbedSetup::start(&store, 1_000, json!({}), |_| {}).await;
        let saved = s
        .api
        .post(
            "/v1/prospecting/saved-searches",
            &s.token,
            &json!({"name": "Texas sales", "q": "sales people in Texas", "filters": {"email_status": ["verified"]}}),
        )
        .await
        .expect(201);
        assert_eq!(saved["new_matches"], 0, "saving counts as having looked");
        assert_eq!(saved["watch"], true);
        assert_eq!(saved["filters"]["email_status"], json!(["verified"]));
        let id = saved["id"].as_str().unwrap().to_owned();
        for (body, status, field) in [
            (json!({"name": "", "q": "cfo"}), 400, "body.name"),
            (json!({"name": "x", "q": "qwxzy vbnmk"}), 422, "q"),
            (json!({"name": "x", "q": "cfo", "colour": 1}), 400, ""),
        ] {
            let answer = s
                .api
                .post("/v1/prospecting/saved-searches", &s.token, &body)
                .await;
            assert_eq!(answer.status.as_u16(), status, "{body}: {}", answer.body);
            if !field.is_empty() {
                assert_eq!(answer.field(), field);
            }
        }
        let list = s
            .api
            .get("/v1/prospecting/saved-searches", &s.token)
            .await
            .expect(200);
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        // The partner sees the customer's saved searches and saves one for it.
        let theirs = s
            .api
            .post(
                &format!("/v1/partner-customers/{}/saved-searches", s.customer),
                &s.partner.secret,
                &json!({"name": "CFOs", "q": "CFOs", "watch": false}),
            )
            .await
            .expect(201);
        let listed = s
            .api
            .get(
                &format!("/v1/partner-customers/{}/saved-searches", s.customer),
                &s.partner.secret,
            )
            .await
            .expect(200);
        assert_eq!(listed["data"].as_array().unwrap().len(), 2);
        let one = s
            .api
            .get(
                &format!(
                    "/v1/partner-customers/{}/saved-searches/{}",
                    s.customer,
                    theirs["id"].as_str().unwrap()
                ),
                &s.partner.secret,
            )
            .await
            .expect(200);
        assert_eq!(
            (one["name"].as_str(), one["watch"].as_bool()),
            (Some("CFOs"), Some(false))
        );
        let seen = s
            .api
            .post(
                &format!(
                    "/v1/prospecting/saved-searches/{}/seen",
                    theirs["id"].as_str().unwrap()
                ),
                &s.token,
                &json!({}),
            )
            .await
            .expect(200);
        assert_eq!(seen["new_matches"], 0);
        let stranger = partner(&store).await;
        s.api
            .get(
                &format!("/v1/partner-customers/{}/saved-searches", s.customer),
                &stranger.secret,
            )
            .await
            .expect_error(404, "not_found");

        // Running one is a new session, counted like a search.
        let before = sessions(&s).await;
        let page = s
            .api
            .post(
                &format!("/v1/prospecting/saved-searches/{id}/run"),
                &s.token,
                &json!({}),
            )
            .await
            .expect(201);
        assert!(page["search_id"].is_string());
        assert_eq!(page["applied_filters"]["email_status"], json!(["verified"]));
        assert_eq!(sessions(&s).await, before + 1);

        s.api
            .delete(&format!("/v1/prospecting/saved-searches/{id}"), &s.token)
            .await
            .expect(200);
        s.api
            .post(
                &format!("/v1/prospecting/saved-searches/{id}/run"),
                &s.token,
                &json!({}),
            )
            .await
            .expect_error(404, "not_found");
        s.api
            .delete(
                &format!(
                    "/v1/partner-customers/{}/saved-searches/{}",
                    s.customer,
                    theirs["id"].as_str().unwrap()
                ),
                &s.partner.secret,
            )
            .await
            .expect(200);
        let empty = s
            .api
            .get("/v1/prospecting/saved-searches", &s.token)
            .await
            .expect(200);
        assert_eq!(empty["data"], json!([]));
    }
);

const COMPANIES: &str = "\
company_id,name,domain,website,phone,linkedin_url,revenue,employee_count,industry,sic,naics,city,state,country,keywords
watch-c1,Lone Star Widgets,lonestarwidgets.example,,,,,120,manufacturing,3569,333999,Austin,TX,US,widgets
";

fn people_csv(n: usize) -> String {
    let mut out = String::from(
        "person_id,company_id,first_name,last_name,job_title,seniority,department,business_email,email_status,email_verified_at,mobile_phone,linkedin_url,city,state\n",
    );
    for i in 0..n {
        out.push_str(&format!(
            "watch-p{i},watch-c1,Dana{i},Reyes,Sales Manager,manager,sales,dana{i}@lonestarwidgets.example,verified,2026-11-01,,,Austin,TX\n"
        ));
    }
    out
}

contract!(
    an_import_announces_new_matches_of_watched_searches_once,
    |store, _db| {
        let s = EmbedSetup::start(&store, 1_000, json!({}), |c| c.index_refresh_secs = 1).await;
        let hooks = Receiver::start("127.0.0.1:0".parse().unwrap()).await;
        let endpoint = s
            .api
            .post(
                "/v1/webhooks/endpoints",
                &s.partner.secret,
                &json!({"url": hooks.url(), "events": ["saved_search.new_matches"]}),
            )
            .await
            .expect(201);
        let watched = s
            .api
            .post(
                "/v1/prospecting/saved-searches",
                &s.token,
                &json!({"name": "TX sales", "q": "sales managers in Texas"}),
            )
            .await
            .expect(201);
        let unwatched = s
            .api
            .post(
                "/v1/prospecting/saved-searches",
                &s.token,
                &json!({"name": "TX sales, quiet", "q": "sales managers in Texas", "watch": false}),
            )
            .await
            .expect(201);
        s.api
            .post(
                "/v1/prospecting/saved-searches",
                &s.token,
                &json!({"name": "Utah", "q": "sales managers in Utah"}),
            )
            .await
            .expect(201);
        // Let the watcher take its first look before the import.
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let dir = tempfile::tempdir().unwrap();
        let companies = write_file(dir.path(), "companies.csv", COMPANIES);
        let people = write_file(dir.path(), "people.csv", &people_csv(7));
        import::import(
            &store,
            &import::ImportOptions {
                companies: Some(companies),
                people: Some(people),
                skip_invalid: false,
                progress: false,
            },
        )
        .await
        .unwrap();
        let got = hooks.wait_for(1, 30).await;
        assert_eq!(got.len(), 1, "one announcement: the watched Texas search");
        let event = &got[0];
        assert!(verifies(
            endpoint["signing_secret"].as_str().unwrap(),
            event
        ));
        assert_eq!(event.body["type"], "saved_search.new_matches");
        assert_eq!(event.body["data"]["saved_search_id"], watched["id"]);
        assert_eq!(
            event.body["data"]["partner_customer_id"],
            s.customer.as_str()
        );
        assert_eq!(event.body["data"]["new_matches"], 7);
        // The widget shows them as new; running the search shows them, and then
        // they are not new any more.
        let started = Instant::now();
        let find = |list: &Value, id: &Value| {
            list["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == *id)
                .cloned()
                .unwrap()
        };
        loop {
            let list = s
                .api
                .get("/v1/prospecting/saved-searches", &s.token)
                .await
                .expect(200);
            if find(&list, &watched["id"])["new_matches"] == 7 {
                assert_eq!(
                    find(&list, &unwatched["id"])["new_matches"],
                    7,
                    "unwatched ones count too"
                );
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{list}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        s.api
            .post(
                &format!(
                    "/v1/prospecting/saved-searches/{}/run",
                    watched["id"].as_str().unwrap()
                ),
                &s.token,
                &json!({}),
            )
            .await
            .expect(201);
        let list = s
            .api
            .get("/v1/prospecting/saved-searches", &s.token)
            .await
            .expect(200);
        assert_eq!(find(&list, &watched["id"])["new_matches"], 0);
        // Once per import: nothing more arrives.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        assert_eq!(hooks.received().len(), 1);
        assert_eq!(
            store
                .scalar(
                    "select count(*) from delivery where event_type = 'saved_search.new_matches'"
                )
                .await,
            1
        );
    }
);
