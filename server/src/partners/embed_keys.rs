//! Embed (loader) key settings: the origins allowed to embed, how a session must
//! prove who the customer is, the price and token lifetime, and the shared wallet
//! defaults and result settings of [`super::settings`], with the validation that
//! turns a create or update request into stored settings. Origins are normalised
//! here (a full URL becomes its origin; plain HTTP only in dev mode for
//! localhost), so the exact-match check at session time stays trivial.

use serde::{Deserialize, Serialize};

use super::patch::double_option;
use super::settings::{
    settings_patches, validate_text, FieldError, ResultSettings, WalletSettings,
};
use crate::embed::origin::normalise_allowed_origin;
use crate::wallet::{EnforcementMode, Limits, ResetPolicy};

pub use super::settings::ResultAction;

/// Default embed token lifetime: 15 minutes.
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 900;
/// Bounds of `token_ttl_seconds`: 1 to 60 minutes.
pub const TOKEN_TTL_RANGE: std::ops::RangeInclusive<i64> = 60..=3600;
/// Bounds of `credit_units_per_record`.
pub const UNITS_PER_RECORD_RANGE: std::ops::RangeInclusive<i64> = 1..=1000;
/// At most this many origins per key.
pub const MAX_ORIGINS: usize = 50;

/// How an embed session proves which customer it is for (PRODUCT.md §2.7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CustomerVerification {
    /// The page names the customer; a signature or a session secret is checked
    /// when given.
    #[default]
    None,
    /// A signed customer assertion (or a server-minted session secret).
    Signature,
    /// Only a server-minted session secret (`qss_…`).
    ServerSession,
}

impl CustomerVerification {
    /// Whether a session may name its customer with a signed assertion.
    pub fn accepts_signature(self) -> bool {
        self != CustomerVerification::ServerSession
    }

    /// Whether a session may name its customer with no proof at all.
    pub fn accepts_claim(self) -> bool {
        self == CustomerVerification::None
    }
}

/// Everything stored about an embed key except its identity and secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedKeySettings {
    pub label: Option<String>,
    pub allowed_origins: Vec<String>,
    pub customer_verification: CustomerVerification,
    pub credit_units_per_record: i64,
    pub token_ttl_seconds: i64,
    /// What a customer gets on its first embed session.
    pub defaults: WalletSettings,
    /// What the key's customers fall back on.
    pub results: ResultSettings,
}

/// `POST /v1/prospecting/embed-keys`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEmbedKey {
    /// A name for people (`Partner app loader`).
    pub label: Option<String>,
    /// HTTPS origins allowed to start embed sessions; full URLs are normalised to
    /// their origin. Wildcards are refused.
    pub allowed_origins: Vec<String>,
    /// Default wallet mode of auto-created customers (default `metered`).
    #[serde(alias = "default_credit_enforcement_mode")]
    pub credit_enforcement_mode: Option<EnforcementMode>,
    /// Default reset policy of auto-created customers (default `monthly_reset`).
    #[serde(alias = "default_credit_reset_policy")]
    pub credit_reset_policy: Option<ResetPolicy>,
    /// Default limits of auto-created customers.
    #[serde(alias = "default_limits")]
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Limits>,
    /// Default result actions of auto-created customers (default: both).
    #[serde(alias = "default_allowed_result_actions")]
    pub allowed_result_actions: Option<Vec<ResultAction>>,
    /// HTTPS endpoint receiving pushed records.
    pub result_delivery_url: Option<String>,
    /// Button text of the push action (default `Push`).
    pub result_delivery_cta: Option<String>,
    /// Allow CSV export in the iframe (default false).
    pub csv_export_enabled: Option<bool>,
    /// How sessions prove their customer: `none` (default), `signature` or
    /// `server_session` (recommended).
    pub customer_verification: Option<CustomerVerification>,
    /// The older spelling: `true` asks for a proven customer (`signature`, or
    /// `server_session` when the key already requires it), `false` for `none`.
    pub require_customer_signature: Option<bool>,
    /// Credit units one net-new record costs (default 1).
    pub credit_units_per_record: Option<i64>,
    /// Embed token lifetime in seconds, 60–3600 (default 900).
    pub token_ttl_seconds: Option<i64>,
}

/// `PATCH /v1/prospecting/embed-keys/{id}`: only the fields present change; `null`
/// clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEmbedKey {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub label: Option<Option<String>>,
    pub allowed_origins: Option<Vec<String>>,
    #[serde(alias = "default_credit_enforcement_mode")]
    pub credit_enforcement_mode: Option<EnforcementMode>,
    #[serde(alias = "default_credit_reset_policy")]
    pub credit_reset_policy: Option<ResetPolicy>,
    #[serde(alias = "default_limits")]
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Limits>,
    #[serde(alias = "default_allowed_result_actions")]
    pub allowed_result_actions: Option<Vec<ResultAction>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub result_delivery_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub result_delivery_cta: Option<Option<String>>,
    pub csv_export_enabled: Option<bool>,
    pub customer_verification: Option<CustomerVerification>,
    pub require_customer_signature: Option<bool>,
    pub credit_units_per_record: Option<i64>,
    pub token_ttl_seconds: Option<i64>,
}

/// Normalises and checks an origin list: non-empty, each a valid origin, no
/// duplicates after normalisation (kept once, first-seen order).
pub fn normalise_origins(origins: &[String], dev: bool) -> Result<Vec<String>, FieldError> {
    if origins.is_empty() {
        return Err(FieldError::new(
            "allowed_origins",
            "allowed_origins needs at least one HTTPS origin, e.g. https://app.partner.example",
        ));
    }
    if origins.len() > MAX_ORIGINS {
        return Err(FieldError::new(
            "allowed_origins",
            format!("allowed_origins takes at most {MAX_ORIGINS} origins"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(origins.len());
    for (i, origin) in origins.iter().enumerate() {
        let normalised = normalise_allowed_origin(origin, dev).map_err(|e| {
            FieldError::new(format!("allowed_origins[{i}]"), format!("{origin:?}: {e}"))
        })?;
        if !out.contains(&normalised) {
            out.push(normalised);
        }
    }
    Ok(out)
}

fn validate_ttl(ttl: i64) -> Result<i64, FieldError> {
    if TOKEN_TTL_RANGE.contains(&ttl) {
        Ok(ttl)
    } else {
        Err(FieldError::new(
            "token_ttl_seconds",
            "token_ttl_seconds must be between 60 and 3600 (1 to 60 minutes)",
        ))
    }
}

fn validate_units_per_record(units: i64) -> Result<i64, FieldError> {
    if UNITS_PER_RECORD_RANGE.contains(&units) {
        Ok(units)
    } else {
        Err(FieldError::new(
            "credit_units_per_record",
            "credit_units_per_record must be between 1 and 1000",
        ))
    }
}

/// The verification a request asks of a key verifying with `current`:
/// `customer_verification`, or its older spelling `require_customer_signature`
/// (`true`: the customer must be proven, by a signature unless the key already
/// requires server sessions; `false`: no proof). Both given must agree, and the
/// older spelling never turns server sessions off: a client that reads the key and
/// writes the boolean back cannot downgrade it by accident.
fn verification(
    current: CustomerVerification,
    explicit: Option<CustomerVerification>,
    require_signature: Option<bool>,
) -> Result<Option<CustomerVerification>, FieldError> {
    let field = "customer_verification";
    match (explicit, require_signature) {
        (Some(e), Some(required)) if (e != CustomerVerification::None) != required => {
            Err(FieldError::new(
                field,
                format!(
                    "customer_verification {} contradicts require_customer_signature {required}; send one of them",
                    serde_json::to_string(&e).unwrap_or_default()
                ),
            ))
        }
        (Some(e), _) => Ok(Some(e)),
        (None, None) => Ok(None),
        (None, Some(true)) => Ok(Some(match current {
            CustomerVerification::ServerSession => CustomerVerification::ServerSession,
            _ => CustomerVerification::Signature,
        })),
        (None, Some(false)) if current == CustomerVerification::ServerSession => {
            Err(FieldError::new(
                field,
                "this key requires server-minted sessions; change that with customer_verification, not require_customer_signature",
            ))
        }
        (None, Some(false)) => Ok(Some(CustomerVerification::None)),
    }
}

impl CreateEmbedKey {
    /// The settings to store, or the first field at fault.
    pub fn into_settings(self, dev: bool) -> Result<EmbedKeySettings, FieldError> {
        let defaults = EmbedKeySettings {
            label: None,
            allowed_origins: normalise_origins(&self.allowed_origins, dev)?,
            customer_verification: CustomerVerification::None,
            credit_units_per_record: 1,
            token_ttl_seconds: DEFAULT_TOKEN_TTL_SECS,
            defaults: WalletSettings::default(),
            results: ResultSettings::default(),
        };
        UpdateEmbedKey {
            label: Some(self.label),
            allowed_origins: None,
            credit_enforcement_mode: self.credit_enforcement_mode,
            credit_reset_policy: self.credit_reset_policy,
            limits: self.limits,
            allowed_result_actions: self.allowed_result_actions,
            result_delivery_url: self.result_delivery_url.map(Some),
            result_delivery_cta: self.result_delivery_cta.map(Some),
            csv_export_enabled: self.csv_export_enabled,
            customer_verification: self.customer_verification,
            require_customer_signature: self.require_customer_signature,
            credit_units_per_record: self.credit_units_per_record,
            token_ttl_seconds: self.token_ttl_seconds,
        }
        .apply(defaults, dev)
    }
}

settings_patches!(UpdateEmbedKey);

impl UpdateEmbedKey {
    /// `current` with this update applied, or the first field at fault.
    pub fn apply(
        &self,
        mut current: EmbedKeySettings,
        dev: bool,
    ) -> Result<EmbedKeySettings, FieldError> {
        if let Some(label) = &self.label {
            current.label = validate_text("label", label.clone(), 200)?;
        }
        if let Some(origins) = &self.allowed_origins {
            current.allowed_origins = normalise_origins(origins, dev)?;
        }
        if let Some(v) = verification(
            current.customer_verification,
            self.customer_verification,
            self.require_customer_signature,
        )? {
            current.customer_verification = v;
        }
        if let Some(units) = self.credit_units_per_record {
            current.credit_units_per_record = validate_units_per_record(units)?;
        }
        if let Some(ttl) = self.token_ttl_seconds {
            current.token_ttl_seconds = validate_ttl(ttl)?;
        }
        let (wallet, results) = self.patches();
        current.defaults = wallet.apply(current.defaults)?;
        current.results = results.apply(current.results, dev)?;
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(origins: &[&str]) -> CreateEmbedKey {
        CreateEmbedKey {
            allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
            ..CreateEmbedKey::default()
        }
    }

    #[test]
    fn defaults_follow_the_reference() {
        let s = create(&["https://partner.example/app?x=1"])
            .into_settings(false)
            .unwrap();
        assert_eq!(s.allowed_origins, vec!["https://partner.example"]);
        assert_eq!(s.credit_units_per_record, 1);
        assert_eq!(s.token_ttl_seconds, 900);
        assert_eq!(s.defaults, WalletSettings::default());
        assert_eq!(s.results, ResultSettings::default());
        assert_eq!(s.customer_verification, CustomerVerification::None);
    }

    #[test]
    fn origins_are_checked_and_deduplicated() {
        let s = create(&[
            "https://a.example/x",
            "https://A.example",
            "https://b.example:8443",
        ])
        .into_settings(false)
        .unwrap();
        assert_eq!(
            s.allowed_origins,
            vec!["https://a.example", "https://b.example:8443"]
        );
        for (origins, dev, field) in [
            (vec![], false, "allowed_origins"),
            (vec!["https://*.example"], false, "allowed_origins[0]"),
            (
                vec!["https://ok.example", "http://plain.example"],
                false,
                "allowed_origins[1]",
            ),
            (vec!["http://localhost:3000"], false, "allowed_origins[0]"),
            (vec!["http://plain.example"], true, "allowed_origins[0]"),
        ] {
            let err = create(&origins).into_settings(dev).unwrap_err();
            assert_eq!(err.field, field, "{origins:?}");
        }
        let dev = create(&["http://localhost:3000", "http://127.0.0.1:8081"])
            .into_settings(true)
            .unwrap();
        assert_eq!(dev.allowed_origins.len(), 2);
    }

    #[test]
    fn bounds_name_their_field() {
        for (input, field) in [
            (
                CreateEmbedKey {
                    token_ttl_seconds: Some(59),
                    ..create(&["https://a.example"])
                },
                "token_ttl_seconds",
            ),
            (
                CreateEmbedKey {
                    token_ttl_seconds: Some(3601),
                    ..create(&["https://a.example"])
                },
                "token_ttl_seconds",
            ),
            (
                CreateEmbedKey {
                    credit_units_per_record: Some(0),
                    ..create(&["https://a.example"])
                },
                "credit_units_per_record",
            ),
            (
                CreateEmbedKey {
                    result_delivery_url: Some("http://partner.example/hook".into()),
                    ..create(&["https://a.example"])
                },
                "result_delivery_url",
            ),
            (
                CreateEmbedKey {
                    limits: Some(Limits {
                        monthly_credit_units: Some(-1),
                        ..Limits::default()
                    }),
                    ..create(&["https://a.example"])
                },
                "limits.monthly_credit_units",
            ),
            (
                CreateEmbedKey {
                    label: Some("x".repeat(201)),
                    ..create(&["https://a.example"])
                },
                "label",
            ),
        ] {
            assert_eq!(input.into_settings(false).unwrap_err().field, field);
        }
    }

    #[test]
    fn verification_and_its_old_spelling_agree() {
        use CustomerVerification as V;
        // (current, customer_verification, require_customer_signature, result)
        let cases = [
            (V::None, None, None, Ok(None)),
            (V::None, None, Some(true), Ok(Some(V::Signature))),
            (V::Signature, None, Some(false), Ok(Some(V::None))),
            (
                V::None,
                Some(V::ServerSession),
                None,
                Ok(Some(V::ServerSession)),
            ),
            (
                V::None,
                Some(V::Signature),
                Some(true),
                Ok(Some(V::Signature)),
            ),
            (
                V::None,
                Some(V::ServerSession),
                Some(true),
                Ok(Some(V::ServerSession)),
            ),
            (V::None, Some(V::None), Some(false), Ok(Some(V::None))),
            (
                V::None,
                Some(V::None),
                Some(true),
                Err("customer_verification"),
            ),
            (
                V::None,
                Some(V::Signature),
                Some(false),
                Err("customer_verification"),
            ),
            // The old boolean never downgrades server sessions.
            (
                V::ServerSession,
                None,
                Some(true),
                Ok(Some(V::ServerSession)),
            ),
            (
                V::ServerSession,
                None,
                Some(false),
                Err("customer_verification"),
            ),
            (V::ServerSession, Some(V::None), None, Ok(Some(V::None))),
        ];
        for (current, explicit, old, want) in cases {
            let got = verification(current, explicit, old).map_err(|e| e.field);
            assert_eq!(
                got,
                want.map_err(str::to_owned),
                "{current:?} {explicit:?} {old:?}"
            );
        }
        assert!(!V::ServerSession.accepts_signature() && !V::ServerSession.accepts_claim());
        assert!(V::Signature.accepts_signature() && !V::Signature.accepts_claim());
        assert!(V::None.accepts_claim());
        // The names the API and the store use.
        for (v, name) in [
            (V::None, "\"none\""),
            (V::Signature, "\"signature\""),
            (V::ServerSession, "\"server_session\""),
        ] {
            assert_eq!(serde_json::to_string(&v).unwrap(), name);
        }
    }

    #[test]
    fn updates_change_only_what_they_name() {
        let before = create(&["https://a.example"]).into_settings(false).unwrap();
        let patch: UpdateEmbedKey = serde_json::from_str(
            r#"{"token_ttl_seconds": 120, "result_delivery_cta": "Add to CRM", "label": null}"#,
        )
        .unwrap();
        let after = patch.apply(before.clone(), false).unwrap();
        assert_eq!(after.token_ttl_seconds, 120);
        assert_eq!(
            after.results.result_delivery_cta.as_deref(),
            Some("Add to CRM")
        );
        assert_eq!(after.allowed_origins, before.allowed_origins);
        let cleared: UpdateEmbedKey =
            serde_json::from_str(r#"{"result_delivery_cta": null}"#).unwrap();
        assert_eq!(
            cleared
                .apply(after, false)
                .unwrap()
                .results
                .result_delivery_cta,
            None
        );
        assert!(serde_json::from_str::<UpdateEmbedKey>(r#"{"bogus": 1}"#).is_err());
    }
}
