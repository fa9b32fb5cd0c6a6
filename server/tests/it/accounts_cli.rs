//! Partner accounts from the command line, as an operator and a script use them:
//! `quarry partner create`, `quarry key create|list|revoke|rotate` and `quarry
//! demo-partner`, each a separate process on a SQLite file, and the keys they print
//! against a real `quarry serve` on that same file. The HTTP contract suite covers
//! PostgreSQL; this file covers what only the binary does (printing a secret once,
//! exit codes, the demo credentials file).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

const QUARRY: &str = env!("CARGO_BIN_EXE_quarry");

const ALL_SCOPES: [&str; 4] = ["data", "embed_keys", "customers", "wallets"];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A SQLite database file in its own temp dir, used by one test.
struct TempDb {
    dir: tempfile::TempDir,
    path: PathBuf,
    url: String,
}

impl TempDb {
    fn new() -> TempDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("accounts.db");
        let url = format!("sqlite://{}", path.display());
        TempDb { dir, path, url }
    }

    /// Runs `quarry --database-url <this db> ARGS` to completion.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(QUARRY)
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .env_remove("QUARRY_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .output()
            .expect("run quarry")
    }

    /// Runs a command that must succeed and print one JSON value.
    #[track_caller]
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "quarry {args:?} failed: {}",
            text(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "quarry {args:?} printed no JSON ({e}): {}",
                text(&out.stdout)
            )
        })
    }

    /// Runs a command that must fail; returns its stderr.
    #[track_caller]
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "quarry {args:?} succeeded: {}",
            text(&out.stdout)
        );
        text(&out.stderr)
    }

    /// Every byte SQLite keeps for this database: the file and, if a process left
    /// them, its WAL and rollback journal.
    fn stored_bytes(&self) -> Vec<u8> {
        let mut bytes = std::fs::read(&self.path).expect("the database file exists");
        for suffix in ["-wal", "-journal"] {
            let mut side = self.path.clone().into_os_string();
            side.push(suffix);
            if let Ok(more) = std::fs::read(&side) {
                bytes.extend(more);
            }
        }
        bytes
    }
}

fn str_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field:?} in {value}"))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// `kind` followed by exactly 32 ASCII letters and digits.
#[track_caller]
fn assert_key_shape(secret: &str, kind: &str) {
    let rest = secret
        .strip_prefix(kind)
        .unwrap_or_else(|| panic!("{secret:?} does not start with {kind:?}"));
    assert_eq!(rest.len(), 32, "{secret:?}");
    assert!(
        rest.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{secret:?}"
    );
}

/// Checks an issued-key answer (`partner create`, `key create|rotate --json`).
#[track_caller]
fn assert_issued(out: &Value, mode: &str, scopes: &[&str]) {
    assert!(str_of(out, "partner_id").starts_with("ptr_"), "{out}");
    assert!(str_of(out, "key_id").starts_with("key_"), "{out}");
    assert_eq!(str_of(out, "mode"), mode, "{out}");
    assert_eq!(out["scopes"], serde_json::json!(scopes), "{out}");
    let secret = str_of(out, "secret_key");
    assert_key_shape(secret, &format!("qk_{mode}_"));
    assert!(secret.starts_with(str_of(out, "prefix")), "{out}");
}

#[test]
fn partner_create_prints_the_key_once_and_stores_only_its_digest() {
    let db = TempDb::new();
    let live = db.json(&["partner", "create", "--name", "Acme", "--json"]);
    assert_issued(&live, "live", &ALL_SCOPES);
    let sandbox = db.json(&["partner", "create", "--name", "Acme", "--test", "--json"]);
    assert_issued(&sandbox, "test", &ALL_SCOPES);
    assert_ne!(live["partner_id"], sandbox["partner_id"]);

    // Text output for people: the secret, and a warning that it is shown once.
    let out = db.run(&["partner", "create", "--name", "Acme Text"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let shown = stdout
        .lines()
        .find_map(|l| l.strip_prefix("secret    "))
        .unwrap_or_else(|| panic!("no secret line: {stdout}"))
        .to_owned();
    assert_key_shape(&shown, "qk_live_");
    assert!(stdout.contains("not shown again"), "{stdout}");

    // Every process has exited: whatever is on disk is all the database holds.
    let stored = db.stored_bytes();
    for secret in [
        str_of(&live, "secret_key"),
        str_of(&sandbox, "secret_key"),
        shown.as_str(),
    ] {
        assert!(
            !contains(&stored, secret),
            "the secret {secret} is stored in clear text"
        );
        assert!(
            contains(&stored, &sha256_hex(secret)),
            "the SHA-256 digest of {secret} is not stored"
        );
    }
    assert!(
        !contains(
            &stored,
            &str_of(&live, "secret_key")["qk_live_".len() + 8..]
        ),
        "the hidden part of the key is stored"
    );
}

#[test]
fn key_create_takes_scopes_and_a_label_and_refuses_what_it_does_not_know() {
    let db = TempDb::new();
    let partner = db.json(&["partner", "create", "--name", "Acme", "--json"]);
    let id = str_of(&partner, "partner_id");

    let key = db.json(&[
        "key",
        "create",
        "--partner",
        id,
        "--scope",
        "data",
        "--label",
        "ci",
        "--json",
    ]);
    assert_issued(&key, "live", &["data"]);
    assert_eq!(str_of(&key, "partner_id"), id);

    let two = db.json(&[
        "key",
        "create",
        "--partner",
        id,
        "--scope",
        "wallets,customers,wallets",
        "--test",
        "--json",
    ]);
    // Printed as stored and listed: in canonical order, each once.
    assert_issued(&two, "test", &["customers", "wallets"]);

    let list = db.json(&["key", "list", "--partner", id, "--json"]);
    let labelled = listed(&list, &key);
    assert_eq!(labelled["label"], "ci", "{labelled}");
    assert_eq!(
        labelled["scopes"],
        serde_json::json!(["data"]),
        "{labelled}"
    );
    assert_eq!(listed(&list, &two)["scopes"], two["scopes"], "{list}");

    let stderr = db.fails(&[
        "key",
        "create",
        "--partner",
        id,
        "--scope",
        "data,bogus",
        "--json",
    ]);
    assert!(stderr.contains("bogus"), "{stderr}");

    let stderr = db.fails(&["key", "create", "--partner", "ptr_nobody", "--json"]);
    assert!(stderr.contains("ptr_nobody"), "{stderr}");

    // Neither refusal made a key.
    let after = db.json(&["key", "list", "--partner", id, "--json"]);
    assert_eq!(after.as_array().unwrap().len(), 3, "{after}");
}

#[test]
fn key_list_shows_prefixes_never_secrets_and_revoke_stays_within_its_partner() {
    let db = TempDb::new();
    let first = db.json(&["partner", "create", "--name", "Acme", "--json"]);
    let id = str_of(&first, "partner_id");
    let second = db.json(&[
        "key",
        "create",
        "--partner",
        id,
        "--label",
        "backup",
        "--json",
    ]);
    let secrets = [str_of(&first, "secret_key"), str_of(&second, "secret_key")];

    for json in [true, false] {
        let mut args = vec!["key", "list", "--partner", id];
        if json {
            args.push("--json");
        }
        let out = db.run(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        for secret in secrets {
            assert!(!stdout.contains(secret), "a secret is listed: {stdout}");
            assert!(
                stdout.contains(&secret[.."qk_live_".len() + 8]),
                "the prefix of {secret} is not listed: {stdout}"
            );
        }
    }

    let list = db.json(&["key", "list", "--partner", id, "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    for issued in [&first, &second] {
        let key = listed(&list, issued);
        assert_eq!(key["prefix"], issued["prefix"]);
        assert_eq!(key["status"], "active", "{key}");
        assert_eq!(key["revoked_at"], Value::Null, "{key}");
    }

    let out = db.run(&[
        "key",
        "revoke",
        "--partner",
        id,
        "--key",
        str_of(&second, "key_id"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = db.json(&["key", "list", "--partner", id, "--json"]);
    assert_eq!(listed(&list, &first)["status"], "active", "{list}");
    assert_eq!(listed(&list, &second)["status"], "revoked", "{list}");
    assert!(listed(&list, &second)["revoked_at"].is_string(), "{list}");

    // Another partner cannot revoke Acme's key, even knowing its id.
    let other = db.json(&["partner", "create", "--name", "Other", "--json"]);
    let stderr = db.fails(&[
        "key",
        "revoke",
        "--partner",
        str_of(&other, "partner_id"),
        "--key",
        str_of(&first, "key_id"),
    ]);
    assert!(stderr.contains(str_of(&first, "key_id")), "{stderr}");
    assert_eq!(
        db.json(&["key", "list", "--partner", id, "--json"]),
        list,
        "a failed revoke changed Acme's keys"
    );
    let others = db.json(&[
        "key",
        "list",
        "--partner",
        str_of(&other, "partner_id"),
        "--json",
    ]);
    assert_eq!(others.as_array().unwrap().len(), 1, "{others}");
    assert_eq!(others[0]["status"], "active", "{others}");
}

/// The entry of `key list --json` for an issued key. Keys made in the same second
/// may be listed in either order.
#[track_caller]
fn listed<'a>(list: &'a Value, issued: &Value) -> &'a Value {
    let matching: Vec<&Value> = list
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter(|k| k["key_id"] == issued["key_id"])
        .collect();
    assert_eq!(matching.len(), 1, "{} in {list}", issued["key_id"]);
    matching[0]
}

/// A `quarry serve` child process, killed when dropped (also when a test panics).
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `quarry serve` on a free port of 127.0.0.1 and waits for `/healthz`.
    async fn start(db: &TempDb) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let widget = db.dir.path().join("widget");
        std::fs::create_dir_all(&widget).expect("widget dir");
        let log = db.dir.path().join("serve.log");
        let child = Command::new(QUARRY)
            .arg("--database-url")
            .arg(&db.url)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--widget-dir")
            .arg(&widget)
            .env_remove("QUARRY_DATABASE_URL")
            .env_remove("DATABASE_URL")
            .env_remove("QUARRY_RATE_LIMIT_PER_KEY")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start quarry serve");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let health = client
                .get(format!("{}/healthz", server.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "quarry serve did not start:\n{}",
                std::fs::read_to_string(&server.log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// How a request presents its secret key.
#[derive(Debug, Clone, Copy)]
enum Presented<'a> {
    Bearer(&'a str),
    ApiKey(&'a str),
}

/// `GET /v1/prospecting/embed-keys` with a key: the status and the JSON body.
async fn list_embed_keys(server: &Server, key: Presented<'_>) -> (u16, Value) {
    let request = reqwest::Client::new().get(format!("{}/v1/prospecting/embed-keys", server.base));
    let request = match key {
        Presented::Bearer(secret) => request.bearer_auth(secret),
        Presented::ApiKey(secret) => request.header("x-api-key", secret),
    };
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[track_caller]
fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "{}", answer.1);
}

#[tokio::test]
async fn keys_from_the_command_line_work_over_http_until_revoked_or_rotated() {
    let db = TempDb::new();
    let partner = db.json(&["partner", "create", "--name", "Acme", "--json"]);
    let id = str_of(&partner, "partner_id").to_owned();
    let first = str_of(&partner, "secret_key").to_owned();
    let server = Server::start(&db).await;

    for presented in [Presented::Bearer(&first), Presented::ApiKey(&first)] {
        let (status, body) = list_embed_keys(&server, presented).await;
        assert_eq!(status, 200, "{presented:?}: {body}");
        assert!(body["data"].is_array(), "{body}");
    }
    // A well-formed key nobody issued.
    let unknown = format!("qk_live_{}", "A".repeat(32));
    assert_error(
        &list_embed_keys(&server, Presented::Bearer(&unknown)).await,
        401,
        "unauthorized",
    );

    // Revocation by another process bites within a second.
    let out = db.run(&[
        "key",
        "revoke",
        "--partner",
        &id,
        "--key",
        str_of(&partner, "key_id"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    crate::support::within_a_second("a key revoked by the CLI refused", || async {
        list_embed_keys(&server, Presented::Bearer(&first)).await.0 == 401
    })
    .await;
    for presented in [Presented::Bearer(&first), Presented::ApiKey(&first)] {
        assert_error(
            &list_embed_keys(&server, presented).await,
            401,
            "api_key_revoked",
        );
    }

    // Rotation without grace: the new key works, the old one stops at once; the
    // new key keeps the old one's scopes.
    let old = db.json(&[
        "key",
        "create",
        "--partner",
        &id,
        "--scope",
        "embed_keys,data",
        "--json",
    ]);
    let old_secret = str_of(&old, "secret_key");
    assert_eq!(
        list_embed_keys(&server, Presented::Bearer(old_secret))
            .await
            .0,
        200
    );
    let rotated = db.json(&[
        "key",
        "rotate",
        "--partner",
        &id,
        "--key",
        str_of(&old, "key_id"),
        "--json",
    ]);
    assert_issued(&rotated, "live", &["data", "embed_keys"]);
    assert_ne!(rotated["key_id"], old["key_id"]);
    let new_secret = str_of(&rotated, "secret_key");
    let (status, body) = list_embed_keys(&server, Presented::Bearer(new_secret)).await;
    assert_eq!(status, 200, "{body}");
    crate::support::within_a_second("a rotated-out key refused", || async {
        list_embed_keys(&server, Presented::Bearer(old_secret))
            .await
            .0
            == 401
    })
    .await;
    assert_error(
        &list_embed_keys(&server, Presented::Bearer(old_secret)).await,
        401,
        "api_key_revoked",
    );

    // Rotation with a grace period: both work until it ends.
    let graced = db.json(&[
        "key",
        "rotate",
        "--partner",
        &id,
        "--key",
        str_of(&rotated, "key_id"),
        "--grace-seconds",
        "3600",
        "--json",
    ]);
    for secret in [new_secret, str_of(&graced, "secret_key")] {
        let (status, body) = list_embed_keys(&server, Presented::ApiKey(secret)).await;
        assert_eq!(status, 200, "{secret}: {body}");
    }
    // A revoked key cannot be rotated back to life.
    let stderr = db.fails(&[
        "key",
        "rotate",
        "--partner",
        &id,
        "--key",
        str_of(&old, "key_id"),
    ]);
    assert!(stderr.contains("revoked"), "{stderr}");
    drop(server);
}

#[tokio::test]
async fn demo_partner_is_created_once_and_kept_in_its_file() {
    let db = TempDb::new();
    let file = db.dir.path().join("demo.json");
    let file_arg = file.to_str().expect("utf-8 temp path");
    let args = [
        "demo-partner",
        "--setup-only",
        "--file",
        file_arg,
        "--origin",
        "http://127.0.0.1:9999",
    ];

    let out = db.run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("created"), "{stdout}");
    let written = std::fs::read(&file).expect("the demo file is written");
    let demo: Value = serde_json::from_slice(&written).expect("the demo file is JSON");
    assert!(str_of(&demo, "partner_id").starts_with("ptr_"), "{demo}");
    assert_key_shape(str_of(&demo, "secret_key"), "qk_live_");
    assert_key_shape(str_of(&demo, "public_key"), "qpk_live_");
    assert!(str_of(&demo, "embed_key_id").starts_with("ek_"), "{demo}");
    assert!(
        str_of(&demo, "partner_customer_id").starts_with("pc_"),
        "{demo}"
    );
    assert!(
        str_of(&demo, "customer_signing_secret").starts_with("qcs_"),
        "{demo}"
    );
    assert_eq!(demo["external_customer_id"], "demo-customer");
    assert_eq!(
        demo["allowed_origins"],
        serde_json::json!(["http://127.0.0.1:9999"])
    );
    assert!(
        str_of(&demo, "webhook_secret").starts_with("whsec_"),
        "{demo}"
    );
    assert_eq!(
        demo["delivery_url"],
        "http://127.0.0.1:9999/webhooks/quarry"
    );
    assert!(stdout.contains(str_of(&demo, "secret_key")), "{stdout}");
    assert!(
        stdout.contains("http://127.0.0.1:9999/webhooks/quarry"),
        "{stdout}"
    );
    // --setup-only: set up and printed, and nothing served.
    assert!(!stdout.contains("Demo partner page"), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the demo file holds secrets: {mode:o}");
    }

    let out = db.run(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("already set up"), "{stdout}");
    assert!(!stdout.contains("created"), "{stdout}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        written,
        "a second run rewrote the demo file"
    );

    let partner_id = str_of(&demo, "partner_id");
    assert_eq!(
        partners_named(&db.path, "Quarry demo partner").await,
        [partner_id]
    );
    let keys = db.json(&["key", "list", "--partner", partner_id, "--json"]);
    assert_eq!(keys.as_array().unwrap().len(), 1, "{keys}");
    assert!(str_of(&demo, "secret_key").starts_with(str_of(&keys[0], "prefix")));

    // `make run` on another port: the same demo partner, its key following the origin.
    let moved = [
        "demo-partner",
        "--setup-only",
        "--file",
        file_arg,
        "--origin",
        "http://127.0.0.1:7777/demo",
    ];
    let out = db.run(&moved);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("http://127.0.0.1:7777"));
    let again: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(again["partner_id"], demo["partner_id"]);
    assert_eq!(
        again["allowed_origins"],
        serde_json::json!(["http://127.0.0.1:7777"])
    );
    assert_eq!(
        again["delivery_url"],
        "http://127.0.0.1:7777/webhooks/quarry"
    );
    assert_eq!(again["webhook_secret"], demo["webhook_secret"]);
    let store = quarry_server::Store::open(
        &format!("sqlite://{}", db.path.display()),
        &quarry_server::store::ConnectOptions::default(),
    )
    .await
    .unwrap();
    let tenant = quarry_server::partners::Tenant {
        partner_id: partner_id.to_owned(),
        mode: quarry_server::partners::Mode::Live,
    };
    let key = store
        .embed_key(&tenant, str_of(&demo, "embed_key_id"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(key.settings.allowed_origins, vec!["http://127.0.0.1:7777"]);
    assert_eq!(
        key.settings.results.result_delivery_url.as_deref(),
        Some("http://127.0.0.1:7777/webhooks/quarry")
    );
    assert_eq!(
        key.settings.customer_verification,
        quarry_server::partners::embed_keys::CustomerVerification::ServerSession
    );
    assert_eq!(
        key.webhook_secret.as_deref(),
        demo["webhook_secret"].as_str()
    );
    store.close().await;
}

/// A `quarry demo-partner` child process serving the demo page, killed when
/// dropped (also when a test panics).
struct DemoPage {
    child: Child,
    base: String,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Drop for DemoPage {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl DemoPage {
    fn logs(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            std::fs::read_to_string(&self.stdout).unwrap_or_default(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    /// Waits up to `limit` for the process to end by itself.
    async fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

/// Starts `quarry demo-partner ARGS` (serving) on `port` and waits for `/healthz`.
async fn start_demo_page(db: &TempDb, port: u16, args: &[&str]) -> DemoPage {
    let stdout = db.dir.path().join(format!("demo-{port}.out"));
    let stderr = db.dir.path().join(format!("demo-{port}.err"));
    let child = Command::new(QUARRY)
        .arg("--database-url")
        .arg(&db.url)
        .arg("demo-partner")
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(args)
        .env_remove("QUARRY_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .stdout(std::fs::File::create(&stdout).expect("stdout file"))
        .stderr(std::fs::File::create(&stderr).expect("stderr file"))
        .spawn()
        .expect("start quarry demo-partner");
    let mut page = DemoPage {
        child,
        base: format!("http://127.0.0.1:{port}"),
        stdout,
        stderr,
    };
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let health = client
            .get(format!("{}/healthz", page.base))
            .timeout(Duration::from_secs(2))
            .send()
            .await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return page;
        }
        if let Ok(Some(status)) = page.child.try_wait() {
            panic!("quarry demo-partner exited ({status}):\n{}", page.logs());
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "quarry demo-partner did not start:\n{}",
            page.logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The value of `name="…"` in `html` (the first one).
fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 2;
    let end = html[start..].find('"').expect("a closing quote") + start;
    &html[start..end]
}

#[tokio::test]
async fn demo_partner_serves_the_crm_page_and_its_receiver_until_stopped() {
    let db = TempDb::new();
    let file = db.dir.path().join("demo.json");
    let file_arg = file.to_str().expect("utf-8 temp path");
    let port = free_port();
    let args = ["--file", file_arg, "--quarry-url", "http://127.0.0.1:1"];
    let mut page = start_demo_page(&db, port, &args).await;
    let stdout = std::fs::read_to_string(&page.stdout).unwrap();
    assert!(stdout.contains("created"), "{stdout}");
    assert!(
        stdout.contains(&format!("Demo partner page: http://127.0.0.1:{port}/")),
        "{stdout}"
    );
    let demo: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    // Without --origin, the page's origins follow --bind.
    assert_eq!(
        demo["allowed_origins"],
        serde_json::json!([
            format!("http://127.0.0.1:{port}"),
            format!("http://localhost:{port}")
        ])
    );
    assert_eq!(
        demo["delivery_url"],
        format!("http://127.0.0.1:{port}/webhooks/quarry")
    );

    let http = reqwest::Client::new();
    let html = http
        .get(format!("{}/", page.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html
        .find(r#"<script src="http://127.0.0.1:1/embed.js" async"#)
        .unwrap_or_else(|| panic!("no loader tag in {html}"));
    let tag = &html[at..at + html[at..].find("</script>").unwrap()];
    assert_eq!(
        attribute(tag, "data-partner-key"),
        str_of(&demo, "public_key")
    );
    // Quarry is not reachable here (--quarry-url points nowhere): the page still
    // renders, with no session secret, and renewals say the backend could not mint
    // one. (Minting against a real Quarry: tests/it/demo.rs and the browser tests.)
    assert_eq!(attribute(tag, "data-session-secret"), "");
    assert_eq!(
        attribute(tag, "data-session-secret-url"),
        "/quarry/session-secret"
    );
    let renewal = http
        .post(format!("{}/quarry/session-secret", page.base))
        .send()
        .await
        .unwrap();
    assert_eq!(renewal.status(), 502);

    let hook = format!("{}/webhooks/quarry", page.base);
    let body = serde_json::json!({
        "event": "prospecting.records.pushed",
        "delivery_id": "dlv_cli",
        "chunk": 1,
        "chunks": 1,
        "data": [{"person_id": "per_1", "prospect_id": "pr_1", "first_name": "Jane",
                  "last_name": "Doe", "company": {"name": "Example Inc"}}],
    })
    .to_string();
    let unsigned = http
        .post(&hook)
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let signature = quarry_server::delivery::signing::signature_header(
        &[str_of(&demo, "webhook_secret")],
        "msg_cli",
        now,
        body.as_bytes(),
    );
    let signed = http
        .post(&hook)
        .header("content-type", "application/json")
        .header("webhook-id", "msg_cli")
        .header("webhook-timestamp", now.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    assert_eq!(signed.json::<Value>().await.unwrap()["received"], 1);
    let listed: Value = http
        .get(format!("{}/api/contacts", page.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["contacts"][0]["record"]["person_id"], "per_1",
        "{listed}"
    );
    assert_eq!(listed["deliveries"][0]["webhook_id"], "msg_cli", "{listed}");

    // A second page on the same port: a clear error, exit code 2, nothing changed.
    let before = std::fs::read(&file).unwrap();
    let taken = db.run(&[
        "demo-partner",
        "--file",
        file_arg,
        "--bind",
        &format!("127.0.0.1:{port}"),
        "--origin",
        "http://127.0.0.1:5555",
    ]);
    assert_eq!(taken.status.code(), Some(2), "{}", text(&taken.stderr));
    assert!(
        text(&taken.stderr).contains("already in use"),
        "{}",
        text(&taken.stderr)
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);

    // SIGTERM stops it gracefully.
    #[cfg(unix)]
    {
        let sent = Command::new("kill")
            .args(["-TERM", &page.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        let status = page
            .exit_within(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("SIGTERM did not stop it:\n{}", page.logs()));
        assert!(status.success(), "{status}:\n{}", page.logs());
    }
    drop(page);
}

/// The ids of the partners called `name`, read straight from the database file.
async fn partners_named(path: &Path, name: &str) -> Vec<String> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open the db");
    let ids: Vec<(String,)> =
        sqlx::query_as("select partner_id from partner where name = $1 order by partner_id")
            .bind(name)
            .fetch_all(&pool)
            .await
            .expect("read partners");
    pool.close().await;
    ids.into_iter().map(|(id,)| id).collect()
}

#[test]
fn account_commands_document_every_flag_with_its_environment_variable() {
    for command in [
        &["partner", "create"][..],
        &["key", "create"],
        &["key", "list"],
        &["key", "revoke"],
        &["key", "rotate"],
        &["demo-partner"],
    ] {
        let out = Command::new(QUARRY)
            .args(command)
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success(), "{command:?}: {}", text(&out.stderr));
        let help = text(&out.stdout);
        let lines: Vec<&str> = help.lines().collect();
        let is_option = |l: &str| l.trim_start().starts_with('-');
        let mut checked = 0;
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            if !trimmed.starts_with("--") || trimmed.starts_with("--help") {
                continue;
            }
            // The option's text runs until the next option line (clap wraps it).
            let mut words: Vec<&str> = line.split_whitespace().collect();
            for next in &lines[i + 1..] {
                if is_option(next) {
                    break;
                }
                words.extend(next.split_whitespace());
            }
            let section = words.join(" ");
            assert!(section.contains("[env: QUARRY_"), "{command:?}: {section}");
            checked += 1;
        }
        // --database-url, --log-format, --log and at least one of the command's own.
        assert!(checked >= 4, "{command:?}: only {checked} flags in\n{help}");
    }
}
