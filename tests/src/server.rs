//! A Quarry server for browser tests: the real router on an ephemeral port over a
//! fresh SQLite file, serving the widget Trunk built into `dist/`.

use std::path::PathBuf;

use quarry_server::store::{ConnectOptions, Store};
use quarry_server::ServeConfig;

/// A running server; stops when dropped.
pub struct QuarryServer {
    pub base: String,
    pub store: Store,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

/// Where Trunk put the widget (`QUARRY_WIDGET_DIR`, default `<workspace>/dist`).
pub fn widget_dir() -> PathBuf {
    std::env::var_os("QUARRY_WIDGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../dist")))
}

impl QuarryServer {
    pub async fn start() -> anyhow::Result<QuarryServer> {
        let widget = widget_dir();
        anyhow::ensure!(
            widget.join("index.html").is_file(),
            "the widget is not built in {} (run `make test`, which builds it with trunk)",
            widget.display()
        );
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("quarry.db").display());
        let store = Store::open(&url, &ConnectOptions::default()).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(quarry_server::run(
            ServeConfig::for_tests(widget),
            store.clone(),
            listener,
            async {
                let _ = stopped.await;
            },
        ));
        Ok(QuarryServer {
            base,
            store,
            stop: Some(stop),
            _dir: dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for QuarryServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
