//! The `quarry` binary as an operator and a script use it: separate processes, exit
//! codes, stdout/stderr, and `serve --bind --database-url` over real HTTP.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::write_file;

const QUARRY: &str = env!("CARGO_BIN_EXE_quarry");

fn quarry(db: &str, args: &[&str]) -> Output {
    Command::new(QUARRY)
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env_remove("QUARRY_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run quarry")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_documents_every_flag_with_its_environment_variable() {
    for command in ["serve", "import", "seed-demo", "export-csv", "migrate"] {
        let out = Command::new(QUARRY)
            .args([command, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let help = text(&out.stdout);
        let lines: Vec<&str> = help.lines().collect();
        let is_option = |l: &str| l.trim_start().starts_with('-');
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
            assert!(section.contains("[env: QUARRY_"), "{command}: {section}");
        }
    }
}

#[test]
fn seed_export_and_import_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    let out = quarry(&db, &["seed-demo", "--people", "300", "--seed", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("and 300 people (seed 3)"),
        "{}",
        text(&out.stdout)
    );

    // --if-empty leaves a populated database alone.
    let out = quarry(&db, &["seed-demo", "--people", "10", "--if-empty"]);
    assert!(
        text(&out.stdout).contains("already holds 300 people"),
        "{}",
        text(&out.stdout)
    );

    let csv = dir.path().join("csv");
    let out = quarry(&db, &["export-csv", "--out", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let other = format!("sqlite://{}", dir.path().join("b.db").display());
    let companies = csv.join("companies.csv");
    let people = csv.join("people.csv");
    let out = quarry(
        &other,
        &[
            "import",
            "--companies",
            companies.to_str().unwrap(),
            "--people",
            people.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("and 300 people"),
        "{}",
        text(&out.stdout)
    );
    // Quiet when not on a terminal: no progress bar escapes in the output.
    assert!(
        !text(&out.stderr).contains('\u{1b}'),
        "{:?}",
        text(&out.stderr)
    );

    // A bad file: every bad row on stderr, non-zero exit, nothing imported.
    let bad = write_file(
        dir.path(),
        "bad.csv",
        "company_id,name,domain\nx1,Good,good.com\nx2,Bad,not a domain\nx3,,bad..com\n",
    );
    let out = quarry(&other, &["import", "--companies", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.csv:3: domain: not a valid domain (\"not a domain\")"),
        "{stderr}"
    );
    assert!(stderr.contains("bad.csv:4: name: is required"), "{stderr}");
    assert!(
        stderr.contains("bad.csv:4: domain: not a valid domain"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    let out = quarry(
        &other,
        &[
            "export-csv",
            "--out",
            dir.path().join("after").to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = std::fs::read_to_string(dir.path().join("after/companies.csv")).unwrap();
    assert!(
        !after.contains("x1,Good"),
        "the valid row of a rejected file was imported"
    );

    // --skip-invalid imports the good row and still reports the bad ones.
    let out = quarry(
        &other,
        &[
            "import",
            "--companies",
            bad.to_str().unwrap(),
            "--skip-invalid",
        ],
    );
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("skipped 3 invalid row(s)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let out = quarry("mysql://root:hunter2@db/x", &["migrate"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unsupported database URL"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the password leaked: {stderr}");
}

#[test]
fn serve_binds_where_told_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let mut child = Command::new(QUARRY)
        .args([
            "serve",
            "--bind",
            &bind,
            "--database-url",
            &db,
            "--widget-dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let started = Instant::now();
    let ready = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(&bind) {
            use std::io::{Read, Write};
            stream
                .write_all(b"GET /readyz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            if let Err(e) = stream.read_to_string(&mut answer) {
                let _ = child.kill();
                let out = child.wait_with_output().unwrap();
                panic!(
                    "reading /readyz: {e}; the server said: {}",
                    text(&out.stderr)
                );
            }
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(ready.contains(r#""database":"sqlite""#), "{ready}");

    // The same port again: a clear message and exit code 2.
    let out = Command::new(QUARRY)
        .args(["serve", "--bind", &bind, "--database-url", &db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is already in use"),
        "{}",
        text(&out.stderr)
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// Pushes go straight to the partner: proxy variables in the server's
/// environment (an operator's shell, a container default) are never used, so
/// the address checks see the real destination.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_ignore_proxy_variables() {
    use serde_json::{json, Value};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let out = quarry(&db, &["seed-demo", "--people", "300", "--seed", "3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = quarry(
        &db,
        &["partner", "create", "--name", "Proxy test", "--json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let secret = created["secret_key"].as_str().unwrap().to_owned();
    let receiver = crate::receiver::Receiver::start("127.0.0.1:0".parse().unwrap()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(QUARRY)
        .args([
            "serve",
            "--dev",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &db,
        ])
        .arg("--widget-dir")
        .arg(dir.path())
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("http_proxy", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let started = Instant::now();
    while http.get(format!("{base}/readyz")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "no server");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let origin = "http://127.0.0.1:8081";
    let post = async |path: &str, bearer: Option<&str>, body: Value| -> Value {
        let mut request = http
            .post(format!("{base}{path}"))
            .header("origin", origin)
            .json(&body);
        if let Some(b) = bearer {
            request = request.bearer_auth(b);
        }
        let response = request.send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.unwrap()
    };
    let key = post(
        "/v1/prospecting/embed-keys",
        Some(&secret),
        json!({"allowed_origins": [origin], "result_delivery_url": receiver.url()}),
    )
    .await;
    let session = post(
        "/v1/prospecting/embed-sessions",
        None,
        json!({"partner_key": key["public_key"], "customer_id": "acme"}),
    )
    .await;
    let token = session["token"].as_str().unwrap();
    let page = post(
        "/v1/prospecting/sessions",
        Some(token),
        json!({"q": "decision makers", "limit": 5}),
    )
    .await;
    let first = page["data"][0]["prospect_id"].clone();
    let pushed = post(
        &format!(
            "/v1/prospecting/sessions/{}/push",
            page["search_id"].as_str().unwrap()
        ),
        Some(token),
        json!({"selection_mode": "selected", "prospect_ids": [first]}),
    )
    .await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(pushed["delivered"], true, "{pushed}");
    assert_eq!(receiver.received().len(), 1);
}
