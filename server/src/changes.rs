//! The change feed: how a replica learns, within a second, that another process
//! (another replica, or the operator's CLI) revoked a key, suspended a customer or
//! imported data, without reading the store on every request.
//!
//! The store keeps two revisions (`store::changes::Revisions`), bumped by triggers.
//! A checker compares them with the last ones it saw: a moved auth revision
//! empties the gates' cache (`http::access`), a moved data version wakes the
//! search index's rebuild. What makes the checker look:
//! - on PostgreSQL, a `NOTIFY` heard on a dedicated listener connection (over
//!   `QUARRY_DATABASE_LISTEN_URL` when set), plus a safety look every second;
//!   while that connection is down, a look every quarter second until it is back;
//! - on SQLite (one machine), a look every quarter second: one indexed read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::http::access::AccessCache;
use crate::store::changes::Revisions;
use crate::store::{Store, StoreError};

/// How often the checker looks while no listener is connected (SQLite always).
pub const POLL: Duration = Duration::from_millis(250);
/// How often it looks anyway while the listener is connected: a connection that
/// died silently (no reset, no keepalive answer yet) still misses nothing for
/// longer than this.
pub const SAFETY_POLL: Duration = Duration::from_secs(1);
/// How long to wait before connecting the listener again.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The checker's state: what it saw last, and whom it tells.
#[derive(Debug)]
pub struct ChangeFeed {
    store: Store,
    access: Arc<AccessCache>,
    /// Woken when the data version moves (the search index rebuilds).
    data_moved: Arc<Notify>,
    seen: Mutex<Revisions>,
    /// Woken by the listener (a notification, or its connection coming or going).
    wake: Notify,
    listening: AtomicBool,
}

impl ChangeFeed {
    /// Reads the current revisions: what the caches are built from from now on.
    pub async fn start(
        store: Store,
        access: Arc<AccessCache>,
        data_moved: Arc<Notify>,
    ) -> Result<Arc<ChangeFeed>, StoreError> {
        let seen = store.revisions().await?;
        Ok(Arc::new(ChangeFeed {
            store,
            access,
            data_moved,
            seen: Mutex::new(seen),
            wake: Notify::new(),
            listening: AtomicBool::new(false),
        }))
    }

    /// Runs the checker and, on PostgreSQL, the listener, until aborted.
    pub fn spawn(self: &Arc<Self>) -> Vec<JoinHandle<()>> {
        let checker = {
            let feed = self.clone();
            tokio::spawn(async move { feed.check_forever().await })
        };
        let listener = {
            let feed = self.clone();
            tokio::spawn(async move { feed.listen_forever().await })
        };
        vec![checker, listener]
    }

    /// Compares the store's revisions with the last ones seen and tells whom it
    /// concerns.
    pub async fn check(&self) -> Result<(), StoreError> {
        let now = self.store.revisions().await?;
        let before = std::mem::replace(
            &mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()),
            now,
        );
        if now.auth != before.auth {
            tracing::debug!(revision = now.auth, "keys or customers changed");
            self.access.forget_all();
        }
        if now.data != before.data {
            tracing::debug!(version = now.data, "data changed");
            self.data_moved.notify_one();
        }
        Ok(())
    }

    async fn check_forever(&self) {
        loop {
            let every = if self.listening.load(Ordering::Acquire) {
                SAFETY_POLL
            } else {
                POLL
            };
            // Either way, look: woken or not.
            let _ = tokio::time::timeout(every, self.wake.notified()).await;
            if let Err(e) = self.check().await {
                tracing::warn!(error = %e, "cannot read the change revisions; keeping the caches");
            }
        }
    }

    /// Holds a listener connection, reconnecting; returns at once on SQLite.
    async fn listen_forever(&self) {
        loop {
            match self.store.change_listener().await {
                Ok(None) => return,
                Ok(Some(mut listener)) => {
                    self.listening.store(true, Ordering::Release);
                    // What changed while not listening.
                    self.wake.notify_one();
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(_)) => self.wake.notify_one(),
                            // Lost and connected again: notifications in between are gone.
                            Ok(None) => self.wake.notify_one(),
                            Err(e) => {
                                tracing::warn!(error = %e, "the change listener's connection failed; polling until it is back");
                                break;
                            }
                        }
                    }
                    self.listening.store(false, Ordering::Release);
                    self.wake.notify_one();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot connect the change listener; polling until it can");
                }
            }
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    }
}
