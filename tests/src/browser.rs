//! Headless Chromium over chromedriver. Each test gets its own chromedriver, its own
//! empty profile, and a guarantee that Chromium is closed even when the test fails or
//! panics: `Browser::run` always ends the WebDriver session before reporting.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::{Client, ClientBuilder};
use futures::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Flags Chromium needs as root on a machine with no network but loopback.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

fn path_from_env(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// A browser session.
pub struct Browser {
    pub client: Client,
    /// Where downloads land (inside the session's throwaway profile).
    pub downloads: PathBuf,
}

impl Browser {
    /// Whether the browser is installed; when it is not and `QUARRY_REQUIRE_BROWSER`
    /// is unset, browser tests skip (`make test` sets it, so there they fail instead).
    pub fn available() -> bool {
        let present = path_from_env("QUARRY_CHROMIUM", "/usr/bin/chromium").exists()
            && path_from_env("QUARRY_CHROMEDRIVER", "/usr/bin/chromedriver").exists();
        if !present {
            assert!(
                std::env::var("QUARRY_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "QUARRY_REQUIRE_BROWSER=1 but chromium/chromedriver are not installed"
            );
            eprintln!("skipping browser test: chromium or chromedriver is not installed");
        }
        present
    }

    /// Starts chromedriver and Chromium, runs `test`, and always shuts both down.
    pub async fn run<F, Fut>(test: F) -> anyhow::Result<()>
    where
        F: FnOnce(Browser) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let profile = tempfile::tempdir()?;
        let downloads = profile.path().join("downloads");
        std::fs::create_dir_all(&downloads)?;
        let port = free_port()?;
        let mut driver = tokio::process::Command::new(path_from_env(
            "QUARRY_CHROMEDRIVER",
            "/usr/bin/chromedriver",
        ))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting chromedriver")?;
        wait_for_port(port, Duration::from_secs(20))
            .await
            .context("chromedriver did not start")?;

        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": path_from_env("QUARRY_CHROMIUM", "/usr/bin/chromium"),
                "args": args,
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                    "safebrowsing.enabled": false,
                },
            }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("starting a Chromium session")?;

        let outcome = AssertUnwindSafe(test(Browser {
            client: client.clone(),
            downloads,
        }))
        .catch_unwind()
        .await;
        // End the session (closing Chromium) whatever happened, then stop the driver.
        let _ = client.close().await;
        let _ = driver.kill().await;
        drop(profile);
        match outcome {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_for_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < limit,
            "port {port} did not open within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A chromedriver-only command (`POST /session/{id}/<path>` with a JSON body).
#[derive(Debug)]
struct ChromiumCommand {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for ChromiumCommand {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/{}",
            session.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Runs a Chrome DevTools Protocol command (`Network.clearBrowserCache`, …).
pub async fn cdp(client: &Client, cmd: &str, params: serde_json::Value) -> anyhow::Result<()> {
    client
        .issue_cmd(ChromiumCommand {
            path: "goog/cdp/execute",
            body: json!({"cmd": cmd, "params": params}),
        })
        .await
        .with_context(|| format!("CDP {cmd}"))?;
    Ok(())
}

impl Browser {
    /// Takes the browser off the network (`true`) or back on it; the page sees it
    /// (`navigator.onLine`, `offline`/`online` events).
    pub async fn set_offline(&self, offline: bool) -> anyhow::Result<()> {
        let body = json!({"network_conditions": {
            "offline": offline, "latency": 0,
            "download_throughput": -1, "upload_throughput": -1,
        }});
        self.client
            .issue_cmd(ChromiumCommand {
                path: "chromium/network_conditions",
                body,
            })
            .await
            .context("setting network conditions")?;
        Ok(())
    }
}
