//! Everything a browser test runs against, on real sockets: a Quarry server (the
//! real router and store, over a fresh SQLite file seeded with the demo data), the
//! demo partner's CRM page on a second origin that the embed key allows, and the
//! same page on a third origin that it does not (plus a page there that frames the
//! widget directly, as a clickjacking site would). All of it stops when dropped.

use std::path::PathBuf;
use std::sync::Arc;

use axum::response::Html;
use axum::routing::get;
use quarry_server::demo::{self, DemoPartner, DemoSite, SetupOptions};
use quarry_server::seed::{seed_demo, SeedOptions};
use quarry_server::store::{ConnectOptions, Store};
use quarry_server::ServeConfig;
use tokio::net::TcpListener;

/// Where Trunk put the widget (`QUARRY_WIDGET_DIR`, default `<workspace>/dist`).
pub fn widget_dir() -> PathBuf {
    std::env::var_os("QUARRY_WIDGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../dist")))
}

/// How a stack is set up.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// People in the seeded demo data.
    pub people: u64,
    /// The operator's cap on embed token lifetimes (`--embed-token-max-ttl-secs`).
    pub token_max_ttl_secs: Option<u64>,
    /// An existing database to serve instead of a fresh seeded one (benchmarks).
    pub database_url: Option<String>,
}

impl Default for StackOptions {
    fn default() -> StackOptions {
        StackOptions {
            people: 5_000,
            token_max_ttl_secs: None,
            database_url: None,
        }
    }
}

/// A server on a port; stopped when dropped.
pub struct Served {
    /// `http://127.0.0.1:<port>`, the origin.
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn listen() -> anyhow::Result<(TcpListener, String)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    Ok((listener, base))
}

fn stopper() -> (
    tokio::sync::oneshot::Sender<()>,
    impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    (stop, async {
        let _ = stopped.await;
    })
}

/// Quarry, the demo partner (allowed origin) and a foreign origin (not allowed).
pub struct Stack {
    pub quarry: Served,
    pub demo: Served,
    pub foreign: Served,
    pub store: Store,
    pub site: Arc<DemoSite>,
    pub partner: DemoPartner,
    _dir: tempfile::TempDir,
}

impl Stack {
    pub async fn start(options: StackOptions) -> anyhow::Result<Stack> {
        let widget = widget_dir();
        anyhow::ensure!(
            widget.join("index.html").is_file(),
            "the widget is not built in {} (run `make test`, which builds it with trunk)",
            widget.display()
        );
        let dir = tempfile::tempdir()?;
        let url = options
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("quarry.db").display()));
        let store = Store::open(&url, &ConnectOptions::default()).await?;
        if options.database_url.is_none() {
            seed_demo(
                &store,
                &SeedOptions {
                    people: options.people,
                    seed: 42,
                    progress: false,
                },
            )
            .await?;
        }

        let (quarry_listener, quarry_base) = listen().await?;
        let (demo_listener, demo_base) = listen().await?;
        let (foreign_listener, foreign_base) = listen().await?;
        let (partner, _) = demo::ensure(
            &store,
            &SetupOptions {
                origins: vec![demo_base.clone()],
                credits: 500,
                file: None,
                delivery_url: None,
            },
        )
        .await
        .map_err(anyhow::Error::msg)?;

        let mut config = ServeConfig::for_tests(widget);
        config.embed_token_max_ttl_secs = options.token_max_ttl_secs;
        let (stop, stopped) = stopper();
        tokio::spawn(quarry_server::run(
            config,
            store.clone(),
            quarry_listener,
            stopped,
        ));
        let quarry = Served {
            base: quarry_base.clone(),
            stop: Some(stop),
        };

        let site = DemoSite::new(quarry_base.clone(), partner.clone())?;
        let (stop, stopped) = stopper();
        tokio::spawn(demo::serve(demo_listener, site.clone(), stopped));
        let demo = Served {
            base: demo_base,
            stop: Some(stop),
        };

        // The same CRM page on an origin the key does not allow, and a page there
        // that frames the widget directly.
        let prefix = partner.public_key["qpk_live_".len()..]
            .get(..8)
            .map(|p| format!("qpk_live_{p}"))
            .unwrap_or_default();
        let framed = format!(
            "<!doctype html><title>Not a partner</title><h1>Someone else's page</h1>\
             <iframe data-testid=\"hostile-frame\" width=\"900\" height=\"500\" \
             src=\"{quarry_base}/embed/?key={prefix}&amp;parent={foreign_base}\"></iframe>"
        );
        let foreign_site = DemoSite::new(quarry_base, partner.clone())?;
        let foreign_router = demo::router(foreign_site).merge(
            axum::Router::new().route("/framed", get(move || async move { Html(framed.clone()) })),
        );
        let (stop, stopped) = stopper();
        tokio::spawn(async move {
            axum::serve(foreign_listener, foreign_router)
                .with_graceful_shutdown(stopped)
                .await
        });
        let foreign = Served {
            base: foreign_base,
            stop: Some(stop),
        };

        let stack = Stack {
            quarry,
            demo,
            foreign,
            store,
            site,
            partner,
            _dir: dir,
        };
        stack.wait_until_ready().await?;
        Ok(stack)
    }

    /// Waits for Quarry's `/readyz` (the search index is built at start).
    async fn wait_until_ready(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(r) = http.get(self.quarry.url("/readyz")).send().await {
                if r.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        anyhow::bail!("Quarry did not become ready")
    }

    /// `GET` a partner API path with the demo partner's secret key.
    pub async fn partner_api(&self, path: &str) -> anyhow::Result<serde_json::Value> {
        self.partner_send(reqwest::Method::GET, path, None).await
    }

    /// Sends a partner API request with the demo partner's secret key.
    pub async fn partner_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> anyhow::Result<serde_json::Value> {
        let mut request = reqwest::Client::new()
            .request(method, self.quarry.url(path))
            .bearer_auth(&self.partner.secret_key);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        Ok(response.json().await?)
    }

    /// How many embed sessions Quarry started (from its Prometheus metrics).
    pub async fn embed_sessions_started(&self) -> anyhow::Result<u64> {
        self.answered("POST", "/v1/prospecting/embed-sessions", "201")
            .await
    }

    /// How many `method route` requests Quarry answered with `status` (from its
    /// Prometheus metrics).
    pub async fn answered(&self, method: &str, route: &str, status: &str) -> anyhow::Result<u64> {
        let text = reqwest::get(self.quarry.url("/metrics"))
            .await?
            .text()
            .await?;
        let (method, route, status) = (
            format!("method=\"{method}\""),
            format!("route=\"{route}\""),
            format!("status=\"{status}\""),
        );
        Ok(text
            .lines()
            .filter(|l| {
                l.starts_with("quarry_http_requests_total{")
                    && l.contains(&method)
                    && l.contains(&route)
                    && l.contains(&status)
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum())
    }
}
