//! Partner customer settings: status, wallet policy, limits, result actions and
//! delivery, with their defaults (from the embed key that created the customer, or
//! the API request) and validation. Also the shared field checks embed keys use.

use serde::{Deserialize, Serialize};

use super::embed_keys::{EmbedKeySettings, ResultAction};
use super::patch::double_option;
use crate::wallet::{EnforcementMode, Limits, ResetPolicy};

pub use quarry_shared::wallet::CustomerStatus;

/// A request field that failed validation, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Everything stored about a customer except identity and timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSettings {
    pub name: Option<String>,
    pub status: CustomerStatus,
    pub credit_enforcement_mode: EnforcementMode,
    pub credit_reset_policy: ResetPolicy,
    pub limits: Limits,
    pub allowed_result_actions: Vec<ResultAction>,
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: Option<String>,
    pub csv_export_enabled: bool,
}

impl CustomerSettings {
    /// A customer first seen through an embed session gets the key's defaults. The
    /// delivery URL and CSV flag stay unset on the customer: the key's own apply
    /// until the partner sets the customer's.
    pub fn from_key_defaults(key: &EmbedKeySettings, name: Option<String>) -> CustomerSettings {
        CustomerSettings {
            name: name.and_then(|n| validate_name(Some(n)).ok().flatten()),
            status: CustomerStatus::Active,
            credit_enforcement_mode: key.default_credit_enforcement_mode,
            credit_reset_policy: key.default_credit_reset_policy,
            limits: key.default_limits.clone(),
            allowed_result_actions: key.default_allowed_result_actions.clone(),
            result_delivery_url: None,
            result_delivery_cta: None,
            csv_export_enabled: false,
        }
    }
}

/// The result actions a customer can use now, with their button labels: allowed on
/// the customer *and* configured (a delivery URL for push, CSV enabled for export)
/// on the customer or its embed key.
pub fn effective_actions(
    customer: &CustomerSettings,
    key: Option<&EmbedKeySettings>,
) -> Vec<(ResultAction, String)> {
    let delivery = customer.result_delivery_url.is_some()
        || key.is_some_and(|k| k.result_delivery_url.is_some());
    let csv = customer.csv_export_enabled || key.is_some_and(|k| k.csv_export_enabled);
    let cta = customer
        .result_delivery_cta
        .clone()
        .or_else(|| key.and_then(|k| k.result_delivery_cta.clone()))
        .unwrap_or_else(|| "Push".to_owned());
    customer
        .allowed_result_actions
        .iter()
        .filter_map(|action| match action {
            ResultAction::PushEndpoint if delivery => Some((*action, cta.clone())),
            ResultAction::CsvExport if csv => Some((*action, "Export CSV".to_owned())),
            _ => None,
        })
        .collect()
}

/// `POST /v1/partner-customers`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomer {
    /// The partner's own id for this customer (unique per partner and mode).
    pub customer_id: String,
    /// Display name.
    pub name: Option<String>,
    /// `active` (default) or `suspended`.
    pub status: Option<CustomerStatus>,
    /// `enforced` or `metered` (default `metered`).
    pub credit_enforcement_mode: Option<EnforcementMode>,
    /// `monthly_reset` (default) or `rollover`.
    pub credit_reset_policy: Option<ResetPolicy>,
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Limits>,
    /// Default: both actions.
    pub allowed_result_actions: Option<Vec<ResultAction>>,
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: Option<String>,
    pub csv_export_enabled: Option<bool>,
}

/// `PATCH /v1/partner-customers/{id}`: only the fields present change; `null`
/// clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    pub status: Option<CustomerStatus>,
    pub credit_enforcement_mode: Option<EnforcementMode>,
    pub credit_reset_policy: Option<ResetPolicy>,
    #[schema(value_type = Option<Object>)]
    pub limits: Option<Limits>,
    pub allowed_result_actions: Option<Vec<ResultAction>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub result_delivery_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub result_delivery_cta: Option<Option<String>>,
    pub csv_export_enabled: Option<bool>,
}

/// A partner's customer id: 1–128 printable characters.
pub fn validate_external_id(field: &str, value: &str) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 128 || trimmed.chars().any(char::is_control)
    {
        return Err(FieldError::new(
            field,
            format!("{field} must be 1 to 128 printable characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn validate_name(name: Option<String>) -> Result<Option<String>, FieldError> {
    match name.map(|n| n.trim().to_owned()) {
        Some(n) if n.chars().count() > 200 || n.chars().any(char::is_control) => Err(
            FieldError::new("name", "name is at most 200 printable characters"),
        ),
        Some(n) if n.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// A delivery URL: an absolute HTTPS URL without credentials (plain HTTP only in
/// dev mode). Where it resolves to is checked when delivering.
pub fn validate_delivery_url(value: &str, dev: bool) -> Result<String, FieldError> {
    let field = "result_delivery_url";
    let url = url::Url::parse(value.trim())
        .map_err(|_| FieldError::new(field, "result_delivery_url must be an absolute URL"))?;
    let scheme_ok = url.scheme() == "https" || (dev && url.scheme() == "http");
    if !scheme_ok {
        return Err(FieldError::new(
            field,
            "result_delivery_url must use HTTPS (plain HTTP only when the server runs with --dev)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(FieldError::new(
            field,
            "result_delivery_url needs a host and no user name or password",
        ));
    }
    if value.len() > 2048 {
        return Err(FieldError::new(
            field,
            "result_delivery_url is at most 2048 characters",
        ));
    }
    crate::delivery::sender::check_url(url.as_str(), dev).map_err(|e| {
        FieldError::new(
            field,
            format!("result_delivery_url cannot be delivered to: {e}"),
        )
    })?;
    Ok(url.to_string())
}

/// A button label: 1–40 printable characters.
pub fn validate_cta(value: String) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 40 || trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            "result_delivery_cta",
            "result_delivery_cta must be 1 to 40 printable characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Limits are counts: none may be negative.
pub fn validate_limits(limits: Limits) -> Result<Limits, FieldError> {
    let fields = [
        ("monthly_credit_units", limits.monthly_credit_units),
        ("lifetime_credit_units", limits.lifetime_credit_units),
        ("monthly_search_sessions", limits.monthly_search_sessions),
        ("lifetime_search_sessions", limits.lifetime_search_sessions),
        ("monthly_record_reveals", limits.monthly_record_reveals),
        ("lifetime_record_reveals", limits.lifetime_record_reveals),
    ];
    for (name, value) in fields {
        if value.is_some_and(|v| v < 0) {
            return Err(FieldError::new(
                format!("limits.{name}"),
                format!("limits.{name} must be zero or more (leave it out for no limit)"),
            ));
        }
    }
    Ok(limits)
}

impl CreateCustomer {
    /// The external id and settings to store, or the first field at fault.
    pub fn into_settings(self, dev: bool) -> Result<(String, CustomerSettings), FieldError> {
        let external = validate_external_id("customer_id", &self.customer_id)?;
        Ok((
            external,
            CustomerSettings {
                name: validate_name(self.name)?,
                status: self.status.unwrap_or(CustomerStatus::Active),
                credit_enforcement_mode: self
                    .credit_enforcement_mode
                    .unwrap_or(EnforcementMode::Metered),
                credit_reset_policy: self
                    .credit_reset_policy
                    .unwrap_or(ResetPolicy::MonthlyReset),
                limits: validate_limits(self.limits.unwrap_or_default())?,
                allowed_result_actions: ResultAction::canonical(
                    self.allowed_result_actions
                        .unwrap_or_else(|| ResultAction::ALL.to_vec()),
                ),
                result_delivery_url: self
                    .result_delivery_url
                    .map(|u| validate_delivery_url(&u, dev))
                    .transpose()?,
                result_delivery_cta: self.result_delivery_cta.map(validate_cta).transpose()?,
                csv_export_enabled: self.csv_export_enabled.unwrap_or(false),
            },
        ))
    }
}

impl UpdateCustomer {
    /// `current` with this update applied, or the first field at fault.
    pub fn apply(
        self,
        mut current: CustomerSettings,
        dev: bool,
    ) -> Result<CustomerSettings, FieldError> {
        if let Some(name) = self.name {
            current.name = validate_name(name)?;
        }
        if let Some(status) = self.status {
            current.status = status;
        }
        if let Some(mode) = self.credit_enforcement_mode {
            current.credit_enforcement_mode = mode;
        }
        if let Some(policy) = self.credit_reset_policy {
            current.credit_reset_policy = policy;
        }
        if let Some(limits) = self.limits {
            current.limits = validate_limits(limits)?;
        }
        if let Some(actions) = self.allowed_result_actions {
            current.allowed_result_actions = ResultAction::canonical(actions);
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
        Ok(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(id: &str) -> CreateCustomer {
        CreateCustomer {
            customer_id: id.into(),
            ..CreateCustomer::default()
        }
    }

    #[test]
    fn external_ids_are_checked() {
        assert_eq!(
            create(" acme-42 ").into_settings(false).unwrap().0,
            "acme-42"
        );
        for bad in ["", "   ", "a\nb", &"x".repeat(129)] {
            assert_eq!(
                create(bad).into_settings(false).unwrap_err().field,
                "customer_id"
            );
        }
    }

    #[test]
    fn delivery_urls_must_be_https_outside_dev_mode() {
        assert!(validate_delivery_url("https://crm.example/hook", false).is_ok());
        assert!(validate_delivery_url("http://crm.example/hook", false).is_err());
        assert!(validate_delivery_url("http://127.0.0.1:9/hook", true).is_ok());
        assert!(validate_delivery_url("https://user:pw@crm.example/", false).is_err());
        assert!(validate_delivery_url("ftp://crm.example/", true).is_err());
        assert!(validate_delivery_url("https://127.0.0.1/hook", false).is_err());
        assert!(validate_delivery_url("https://169.254.169.254/latest/meta-data", false).is_err());
        assert!(validate_delivery_url("https://127.0.0.1/hook", true).is_ok());
        assert!(validate_delivery_url("/relative", false).is_err());
    }

    #[test]
    fn effective_actions_need_configuration() {
        let key = super::super::embed_keys::CreateEmbedKey {
            allowed_origins: vec!["https://a.example".into()],
            result_delivery_url: Some("https://a.example/hook".into()),
            result_delivery_cta: Some("Add to HubSpot".into()),
            ..Default::default()
        }
        .into_settings(false)
        .unwrap();
        let mut customer = CustomerSettings::from_key_defaults(&key, Some("Acme".into()));
        assert_eq!(
            effective_actions(&customer, Some(&key)),
            vec![(ResultAction::PushEndpoint, "Add to HubSpot".to_owned())]
        );
        customer.csv_export_enabled = true;
        assert_eq!(effective_actions(&customer, Some(&key)).len(), 2);
        assert!(effective_actions(&customer, None)
            .iter()
            .all(|(a, _)| *a == ResultAction::CsvExport));
        customer.allowed_result_actions = vec![];
        assert!(effective_actions(&customer, Some(&key)).is_empty());
    }

    #[test]
    fn updates_validate_like_creates() {
        let (_, settings) = create("c1").into_settings(false).unwrap();
        let patch: UpdateCustomer = serde_json::from_str(
            r#"{"status":"suspended","limits":{"monthly_search_sessions":-2}}"#,
        )
        .unwrap();
        assert_eq!(
            patch.apply(settings.clone(), false).unwrap_err().field,
            "limits.monthly_search_sessions"
        );
        let patch: UpdateCustomer = serde_json::from_str(r#"{"status":"suspended"}"#).unwrap();
        assert_eq!(
            patch.apply(settings, false).unwrap().status,
            CustomerStatus::Suspended
        );
        assert!(serde_json::from_str::<UpdateCustomer>(r#"{"status":"deleted"}"#).is_err());
    }
}
