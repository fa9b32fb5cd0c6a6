//! `/v1/prospecting/embed-keys`: the partner's browser-safe loader keys. The public
//! key and the customer-signing secret are in the create answer only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use quarry_shared::ErrorBody;
use serde::Serialize;

use super::auth::PartnerAuth;
use super::error::ApiError;
use super::extract::Json;
use super::{field_error, iso8601, AppState};
use crate::delivery::signing;
use crate::partners::embed_keys::{
    CreateEmbedKey, CustomerVerification, ResultAction, UpdateEmbedKey,
};
use crate::partners::keys::{EmbedKeySecrets, Scope};
use crate::partners::Mode;
use crate::store::{now_unix, EmbedKey, EmbedKeyStatus};
use crate::wallet::{EnforcementMode, Limits, ResetPolicy};

/// An embed key as the API shows it (never its secrets).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmbedKeyView {
    pub id: String,
    /// The visible start of the public key; the iframe URL carries it.
    pub key_prefix: String,
    pub label: Option<String>,
    pub status: EmbedKeyStatus,
    pub mode: Mode,
    pub allowed_origins: Vec<String>,
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: Option<String>,
    pub csv_export_enabled: bool,
    /// How sessions prove their customer: `none`, `signature` or `server_session`.
    pub customer_verification: CustomerVerification,
    /// Whether sessions must prove their customer (`customer_verification` is not
    /// `none`); the older spelling.
    pub require_customer_signature: bool,
    pub credit_units_per_record: i64,
    pub token_ttl_seconds: i64,
    pub default_credit_enforcement_mode: EnforcementMode,
    pub default_credit_reset_policy: ResetPolicy,
    pub default_limits: Limits,
    pub default_allowed_result_actions: Vec<ResultAction>,
    pub created_at: String,
    pub updated_at: String,
    pub revoked_at: Option<String>,
}

impl From<EmbedKey> for EmbedKeyView {
    fn from(k: EmbedKey) -> Self {
        let s = k.settings;
        EmbedKeyView {
            id: k.embed_key_id,
            key_prefix: k.key_prefix,
            label: s.label,
            status: k.status,
            mode: k.tenant.mode,
            allowed_origins: s.allowed_origins,
            result_delivery_url: s.results.result_delivery_url,
            result_delivery_cta: s.results.result_delivery_cta,
            csv_export_enabled: s.results.csv_export_enabled,
            customer_verification: s.customer_verification,
            require_customer_signature: s.customer_verification != CustomerVerification::None,
            credit_units_per_record: s.credit_units_per_record,
            token_ttl_seconds: s.token_ttl_seconds,
            default_credit_enforcement_mode: s.defaults.credit_enforcement_mode,
            default_credit_reset_policy: s.defaults.credit_reset_policy,
            default_limits: s.defaults.limits,
            default_allowed_result_actions: s.defaults.allowed_result_actions,
            created_at: iso8601(k.created_at),
            updated_at: iso8601(k.updated_at),
            revoked_at: k.revoked_at.map(iso8601),
        }
    }
}

/// The create answer: the only time the secrets are shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedEmbedKey {
    /// Goes into `data-partner-key`; browser-safe, restricted by `allowed_origins`.
    pub public_key: String,
    /// Signs customer assertions on the partner's backend (keep it secret).
    pub customer_signing_secret: String,
    /// Standard Webhooks secret (`whsec_…`) to verify pushed records with.
    pub webhook_signing_secret: String,
    pub embed_key: EmbedKeyView,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmbedKeyList {
    pub data: Vec<EmbedKeyView>,
}

fn not_found() -> ApiError {
    ApiError::not_found("No embed key with this id.")
}

/// Creates an embed key.
#[utoipa::path(post, path = "/v1/prospecting/embed-keys", tag = "embed keys",
    security(("api_key" = [])), request_body = CreateEmbedKey,
    responses(
        (status = 201, description = "Created; the public key and signing secret are shown only now", body = CreatedEmbedKey),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody),
        (status = 403, description = "The key lacks the embed_keys scope", body = ErrorBody)))]
pub async fn create_embed_key(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Json(body): Json<CreateEmbedKey>,
) -> Result<(StatusCode, axum::Json<CreatedEmbedKey>), ApiError> {
    let tenant = auth.require(Scope::EmbedKeys)?;
    let settings = body.into_settings(state.config.dev).map_err(field_error)?;
    let secrets = EmbedKeySecrets::issue(tenant.mode);
    let key = state
        .store
        .insert_embed_key(&tenant, &secrets, &settings, now_unix())
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedEmbedKey {
            public_key: secrets.public.secret,
            customer_signing_secret: secrets.signing_secret,
            webhook_signing_secret: secrets.webhook_secret,
            embed_key: key.into(),
        }),
    ))
}

/// Lists the caller's embed keys, newest first.
#[utoipa::path(get, path = "/v1/prospecting/embed-keys", tag = "embed keys",
    security(("api_key" = [])),
    responses((status = 200, description = "The embed keys", body = EmbedKeyList),
        (status = 401, description = "Missing or invalid API key", body = ErrorBody)))]
pub async fn list_embed_keys(
    auth: PartnerAuth,
    State(state): State<AppState>,
) -> Result<axum::Json<EmbedKeyList>, ApiError> {
    let tenant = auth.require(Scope::EmbedKeys)?;
    let keys = state.store.embed_keys(&tenant).await?;
    Ok(axum::Json(EmbedKeyList {
        data: keys.into_iter().map(EmbedKeyView::from).collect(),
    }))
}

/// One embed key.
#[utoipa::path(get, path = "/v1/prospecting/embed-keys/{embed_key_id}", tag = "embed keys",
    security(("api_key" = [])), params(("embed_key_id" = String, Path, description = "Embed key id")),
    responses((status = 200, description = "The embed key", body = EmbedKeyView),
        (status = 404, description = "No such key for this partner and mode", body = ErrorBody)))]
pub async fn get_embed_key(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<EmbedKeyView>, ApiError> {
    let tenant = auth.require(Scope::EmbedKeys)?;
    let key = state
        .store
        .embed_key(&tenant, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok(axum::Json(key.into()))
}

/// Changes an embed key's settings; absent fields stay, `null` clears (concurrent
/// updates of different fields never undo each other). Setting the delivery URL
/// resumes pushes to an endpoint that answered 410.
#[utoipa::path(patch, path = "/v1/prospecting/embed-keys/{embed_key_id}", tag = "embed keys",
    security(("api_key" = [])), params(("embed_key_id" = String, Path, description = "Embed key id")),
    request_body = UpdateEmbedKey,
    responses((status = 200, description = "The updated key", body = EmbedKeyView),
        (status = 400, description = "Invalid body (the field is named)", body = ErrorBody),
        (status = 404, description = "No such key for this partner and mode", body = ErrorBody)))]
pub async fn update_embed_key(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<UpdateEmbedKey>,
) -> Result<axum::Json<EmbedKeyView>, ApiError> {
    let tenant = auth.require(Scope::EmbedKeys)?;
    let key = state
        .store
        .update_embed_key(&tenant, &id, &body, state.config.dev, now_unix())
        .await?
        .ok_or_else(not_found)?
        .map_err(field_error)?;
    Ok(axum::Json(key.into()))
}

/// Revokes an embed key: no new sessions, and existing tokens stop working within
/// seconds.
#[utoipa::path(delete, path = "/v1/prospecting/embed-keys/{embed_key_id}", tag = "embed keys",
    security(("api_key" = [])), params(("embed_key_id" = String, Path, description = "Embed key id")),
    responses((status = 200, description = "The revoked key", body = EmbedKeyView),
        (status = 404, description = "No such key for this partner and mode", body = ErrorBody)))]
pub async fn revoke_embed_key(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<EmbedKeyView>, ApiError> {
    let tenant = auth.require(Scope::EmbedKeys)?;
    let key = state
        .store
        .revoke_embed_key(&tenant, &id, now_unix())
        .await?
        .ok_or_else(not_found)?;
    // Its sessions stop on this replica at once (the others within a second).
    state.access.forget_all();
    Ok(axum::Json(key.into()))
}

/// A new webhook signing secret, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedWebhookSecret {
    pub webhook_signing_secret: String,
    /// Until then pushes carry signatures with the old secret too.
    pub previous_secret_valid_until: String,
    pub embed_key: EmbedKeyView,
}

/// How long the previous webhook secret keeps signing after a rotation.
const WEBHOOK_ROTATION_GRACE_SECS: i64 = 86_400;

/// Rotates the key's webhook signing secret; for a day pushes are signed with
/// both, so receivers can switch without dropping a delivery.
#[utoipa::path(post, path = "/v1/prospecting/embed-keys/{embed_key_id}/webhook-secret/rotate", tag = "embed keys",
    security(("api_key" = [])), params(("embed_key_id" = String, Path, description = "Embed key id")),
    responses((status = 200, description = "The new secret, shown once", body = RotatedWebhookSecret),
        (status = 404, description = "No such key for this partner and mode", body = ErrorBody)))]
pub async fn rotate_webhook_secret(
    auth: PartnerAuth,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::Json<RotatedWebhookSecret>, ApiError> {
    let tenant = auth.require(Scope::EmbedKeys)?;
    let now = now_unix();
    let secret = signing::new_secret();
    let until = now + WEBHOOK_ROTATION_GRACE_SECS;
    let key = state
        .store
        .rotate_webhook_secret(&tenant, &id, &secret, until, now)
        .await?
        .ok_or_else(not_found)?;
    Ok(axum::Json(RotatedWebhookSecret {
        webhook_signing_secret: secret,
        previous_secret_valid_until: iso8601(until),
        embed_key: key.into(),
    }))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/prospecting/embed-keys",
            get(list_embed_keys).post(create_embed_key),
        )
        .route(
            "/v1/prospecting/embed-keys/{embed_key_id}",
            get(get_embed_key)
                .patch(update_embed_key)
                .delete(revoke_embed_key),
        )
        .route(
            "/v1/prospecting/embed-keys/{embed_key_id}/webhook-secret/rotate",
            axum::routing::post(rotate_webhook_secret),
        )
}
