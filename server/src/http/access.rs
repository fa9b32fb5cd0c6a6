//! What the gates in `auth` remember between requests, so a request from a caller
//! seen before costs no store read: partner keys by the digest of the presented
//! secret, and per (embed key, customer) whether an embed token may still be used.
//! Nothing here expires by time. The change feed (`crate::changes`) calls
//! [`AccessCache::forget_all`] when the store's auth revision moves, which every
//! replica hears within a second of a revocation, a rotation or a suspension.
//!
//! Only answers the store gave are kept: an unknown key or customer is read again
//! next time, so guessing secrets cannot fill the cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use crate::embed::token::EmbedClaims;
use crate::partners::customers::CustomerStatus;
use crate::partners::keys::Presented;
use crate::partners::Tenant;
use crate::store::{ApiKey, EmbedKeyStatus, Store, StoreError};

/// Entries per map before it is emptied and refilled (a bound, not a working
/// size: a deployment has far fewer keys and live sessions).
const MAX_ENTRIES: usize = 200_000;

/// Whether an embed token's key and customer still allow its use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedAccess {
    Allowed,
    KeyRevoked,
    CustomerSuspended,
    /// The customer the token names does not exist (never cached).
    UnknownCustomer,
}

/// (embed key id, partner customer id).
type EmbedEntry = (String, String);

#[derive(Debug, Default)]
pub struct AccessCache {
    /// Moves on every [`AccessCache::forget_all`]; an answer read from the store
    /// before it moved is not kept.
    generation: AtomicU64,
    keys: RwLock<HashMap<String, ApiKey>>,
    embeds: RwLock<HashMap<EmbedEntry, EmbedAccess>>,
}

impl AccessCache {
    /// Forgets every answer (the store's auth revision moved).
    pub fn forget_all(&self) {
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let mut embeds = self.embeds.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        keys.clear();
        embeds.clear();
    }

    /// The stored key matching a presented secret, whatever its state (the caller
    /// checks [`ApiKey::is_usable`], which needs the time of each request).
    pub async fn api_key(
        &self,
        store: &Store,
        presented: &Presented,
    ) -> Result<Option<ApiKey>, StoreError> {
        if let Some(key) = read(&self.keys).get(&presented.hash) {
            return Ok(Some(key.clone()));
        }
        let generation = self.generation.load(Ordering::Acquire);
        let found = store.find_api_key(presented).await?;
        if let Some(key) = &found {
            self.keep(&self.keys, generation, presented.hash.clone(), key.clone());
        }
        Ok(found)
    }

    /// Whether the token's embed key is active and its customer not suspended.
    pub async fn embed(
        &self,
        store: &Store,
        tenant: &Tenant,
        claims: &EmbedClaims,
    ) -> Result<EmbedAccess, StoreError> {
        let entry = (claims.ekid.clone(), claims.sub.clone());
        if let Some(access) = read(&self.embeds).get(&entry) {
            return Ok(*access);
        }
        let generation = self.generation.load(Ordering::Acquire);
        let access = load_embed(store, tenant, claims).await?;
        if access != EmbedAccess::UnknownCustomer {
            self.keep(&self.embeds, generation, entry, access);
        }
        Ok(access)
    }

    /// Keeps an answer read at `generation`, unless everything was forgotten since.
    fn keep<K: std::hash::Hash + Eq, V>(
        &self,
        map: &RwLock<HashMap<K, V>>,
        generation: u64,
        key: K,
        value: V,
    ) {
        let mut map = map.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, value);
    }
}

fn read<K, V>(map: &RwLock<HashMap<K, V>>) -> std::sync::RwLockReadGuard<'_, HashMap<K, V>> {
    map.read().unwrap_or_else(|p| p.into_inner())
}

async fn load_embed(
    store: &Store,
    tenant: &Tenant,
    claims: &EmbedClaims,
) -> Result<EmbedAccess, StoreError> {
    let key = store.embed_key(tenant, &claims.ekid).await?;
    if !key.is_some_and(|k| k.status == EmbedKeyStatus::Active) {
        return Ok(EmbedAccess::KeyRevoked);
    }
    Ok(match store.customer(tenant, &claims.sub).await? {
        None => EmbedAccess::UnknownCustomer,
        Some(c) if c.settings.status == CustomerStatus::Suspended => EmbedAccess::CustomerSuspended,
        Some(_) => EmbedAccess::Allowed,
    })
}
