//! The settings that apply to a customer (its own merged over an embed key's),
//! with a push endpoint that answered `410 Gone` not offered. One lookup serves a
//! whole answer: a page of customers reads each embed key and each delivery URL's
//! gone mark once, not once per customer.

use std::collections::HashMap;

use super::error::ApiError;
use super::AppState;
use crate::partners::settings::Effective;
use crate::partners::Tenant;
use crate::store::{Customer, EmbedKey};

/// Embed keys and gone marks read so far for one tenant's answer.
pub struct SettingsLookup<'a> {
    state: &'a AppState,
    tenant: &'a Tenant,
    keys: HashMap<String, Option<EmbedKey>>,
    gone: HashMap<String, bool>,
}

impl<'a> SettingsLookup<'a> {
    pub fn new(state: &'a AppState, tenant: &'a Tenant) -> SettingsLookup<'a> {
        SettingsLookup {
            state,
            tenant,
            keys: HashMap::new(),
            gone: HashMap::new(),
        }
    }

    /// What applies to `customer` through the embed key `key_id`, else the key it
    /// falls back on.
    pub async fn effective(
        &mut self,
        customer: &Customer,
        key_id: Option<&str>,
    ) -> Result<Effective, ApiError> {
        let key = match key_id.or(customer.embed_key_id.as_deref()) {
            Some(id) => self.key(id).await?,
            None => None,
        };
        self.effective_with(customer, key.as_ref()).await
    }

    /// What applies to `customer` through `key`, already read.
    pub async fn effective_with(
        &mut self,
        customer: &Customer,
        key: Option<&EmbedKey>,
    ) -> Result<Effective, ApiError> {
        let s = &customer.settings;
        let effective = Effective::merge(&s.wallet, &s.results, key.map(|k| &k.settings.results));
        let gone = match &effective.result_delivery_url {
            Some(url) => self.is_gone(url).await?,
            None => false,
        };
        Ok(if gone {
            effective.push_is_gone()
        } else {
            effective
        })
    }

    async fn key(&mut self, id: &str) -> Result<Option<EmbedKey>, ApiError> {
        if let Some(key) = self.keys.get(id) {
            return Ok(key.clone());
        }
        let key = self.state.store.embed_key(self.tenant, id).await?;
        self.keys.insert(id.to_owned(), key.clone());
        Ok(key)
    }

    async fn is_gone(&mut self, url: &str) -> Result<bool, ApiError> {
        if let Some(&gone) = self.gone.get(url) {
            return Ok(gone);
        }
        let gone = self.state.store.is_gone(self.tenant, url).await?;
        self.gone.insert(url.to_owned(), gone);
        Ok(gone)
    }
}
