//! Embed (loader) key settings: what a partner may configure, the defaults, and the
//! validation that turns a create or update request into stored settings. Origins
//! are normalised here (a full URL becomes its origin; plain HTTP only in dev mode
//! for localhost), so the exact-match check at session time stays trivial.

use serde::{Deserialize, Serialize};

use super::customers::{validate_cta, validate_delivery_url, validate_limits, FieldError};
use super::patch::double_option;
use crate::embed::origin::normalise_allowed_origin;
use crate::wallet::{EnforcementMode, Limits, ResetPolicy};

/// Default embed token lifetime: 15 minutes.
pub const DEFAULT_TOKEN_TTL_SECS: i64 = 900;
/// Bounds of `token_ttl_seconds`: 1 to 60 minutes.
pub const TOKEN_TTL_RANGE: std::ops::RangeInclusive<i64> = 60..=3600;
/// Bounds of `credit_units_per_record`.
pub const UNITS_PER_RECORD_RANGE: std::ops::RangeInclusive<i64> = 1..=1000;
/// At most this many origins per key.
pub const MAX_ORIGINS: usize = 50;

pub use quarry_shared::wallet::ResultAction;

/// Everything stored about an embed key except its identity and secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedKeySettings {
    pub label: Option<String>,
    pub allowed_origins: Vec<String>,
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: Option<String>,
    pub csv_export_enabled: bool,
    pub require_customer_signature: bool,
    pub credit_units_per_record: i64,
    pub token_ttl_seconds: i64,
    pub default_credit_enforcement_mode: EnforcementMode,
    pub default_credit_reset_policy: ResetPolicy,
    pub default_limits: Limits,
    pub default_allowed_result_actions: Vec<ResultAction>,
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
    /// Require a signed customer assertion on every session (default false).
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

fn validate_label(label: Option<String>) -> Result<Option<String>, FieldError> {
    match label.map(|l| l.trim().to_owned()) {
        Some(l) if l.chars().count() > 200 => {
            Err(FieldError::new("label", "label is at most 200 characters"))
        }
        Some(l) if l.is_empty() => Ok(None),
        other => Ok(other),
    }
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

impl CreateEmbedKey {
    /// The settings to store, or the first field at fault.
    pub fn into_settings(self, dev: bool) -> Result<EmbedKeySettings, FieldError> {
        Ok(EmbedKeySettings {
            label: validate_label(self.label)?,
            allowed_origins: normalise_origins(&self.allowed_origins, dev)?,
            result_delivery_url: self
                .result_delivery_url
                .map(|u| validate_delivery_url(&u, dev))
                .transpose()?,
            result_delivery_cta: self.result_delivery_cta.map(validate_cta).transpose()?,
            csv_export_enabled: self.csv_export_enabled.unwrap_or(false),
            require_customer_signature: self.require_customer_signature.unwrap_or(false),
            credit_units_per_record: validate_units_per_record(
                self.credit_units_per_record.unwrap_or(1),
            )?,
            token_ttl_seconds: validate_ttl(
                self.token_ttl_seconds.unwrap_or(DEFAULT_TOKEN_TTL_SECS),
            )?,
            default_credit_enforcement_mode: self
                .credit_enforcement_mode
                .unwrap_or(EnforcementMode::Metered),
            default_credit_reset_policy: self
                .credit_reset_policy
                .unwrap_or(ResetPolicy::MonthlyReset),
            default_limits: validate_limits(self.limits.unwrap_or_default())?,
            default_allowed_result_actions: ResultAction::canonical(
                self.allowed_result_actions
                    .unwrap_or_else(|| ResultAction::ALL.to_vec()),
            ),
        })
    }
}

impl UpdateEmbedKey {
    /// `current` with this update applied, or the first field at fault.
    pub fn apply(
        self,
        mut current: EmbedKeySettings,
        dev: bool,
    ) -> Result<EmbedKeySettings, FieldError> {
        if let Some(label) = self.label {
            current.label = validate_label(label)?;
        }
        if let Some(origins) = self.allowed_origins {
            current.allowed_origins = normalise_origins(&origins, dev)?;
        }
        if let Some(mode) = self.credit_enforcement_mode {
            current.default_credit_enforcement_mode = mode;
        }
        if let Some(policy) = self.credit_reset_policy {
            current.default_credit_reset_policy = policy;
        }
        if let Some(limits) = self.limits {
            current.default_limits = validate_limits(limits)?;
        }
        if let Some(actions) = self.allowed_result_actions {
            current.default_allowed_result_actions = ResultAction::canonical(actions);
        }
        if let Some(url) = self.result_delivery_url {
            current.result_delivery_url =
                url.map(|u| validate_delivery_url(&u, dev)).transpose()?;
        }
        if let Some(cta) = self.result_delivery_cta {
            current.result_delivery_cta = cta.map(validate_cta).transpose()?;
        }
        if let Some(csv) = self.csv_export_enabled {
            current.csv_export_enabled = csv;
        }
        if let Some(signed) = self.require_customer_signature {
            current.require_customer_signature = signed;
        }
        if let Some(units) = self.credit_units_per_record {
            current.credit_units_per_record = validate_units_per_record(units)?;
        }
        if let Some(ttl) = self.token_ttl_seconds {
            current.token_ttl_seconds = validate_ttl(ttl)?;
        }
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
        assert_eq!(s.default_credit_enforcement_mode, EnforcementMode::Metered);
        assert_eq!(s.default_credit_reset_policy, ResetPolicy::MonthlyReset);
        assert!(!s.csv_export_enabled && !s.require_customer_signature);
        assert_eq!(s.default_allowed_result_actions, ResultAction::ALL.to_vec());
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
        ] {
            assert_eq!(input.into_settings(false).unwrap_err().field, field);
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
        assert_eq!(after.result_delivery_cta.as_deref(), Some("Add to CRM"));
        assert_eq!(after.allowed_origins, before.allowed_origins);
        let cleared: UpdateEmbedKey =
            serde_json::from_str(r#"{"result_delivery_cta": null}"#).unwrap();
        assert_eq!(
            cleared.apply(after, false).unwrap().result_delivery_cta,
            None
        );
        assert!(serde_json::from_str::<UpdateEmbedKey>(r#"{"bogus": 1}"#).is_err());
    }
}
