//! Partner customer settings: a name, a status, and the shared wallet and result
//! settings of [`super::settings`]. A customer first seen through an embed session
//! starts from its key's wallet defaults; one created by the partner API from the
//! reference defaults. Its result settings are its own overrides: unset ones fall
//! back on its embed key's (see [`super::settings::Effective`]).

use serde::{Deserialize, Serialize};

use super::patch::double_option;
use super::settings::{
    settings_patches, validate_text, FieldError, ResultAction, ResultSettings, WalletSettings,
};
use crate::wallet::{EnforcementMode, Limits, ResetPolicy, WalletPolicy};

pub use quarry_shared::wallet::CustomerStatus;

/// Everything stored about a customer except identity and timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSettings {
    pub name: Option<String>,
    pub status: CustomerStatus,
    pub wallet: WalletSettings,
    /// The customer's own result settings (overrides of its key's).
    pub results: ResultSettings,
}

impl CustomerSettings {
    /// A customer first seen through an embed session: the key's wallet defaults,
    /// no result settings of its own (the key's apply).
    pub fn from_defaults(defaults: &WalletSettings, name: Option<String>) -> CustomerSettings {
        CustomerSettings {
            name: validate_name(name).ok().flatten(),
            status: CustomerStatus::Active,
            wallet: defaults.clone(),
            results: ResultSettings::default(),
        }
    }

    /// The rules the customer's wallet obeys.
    pub fn wallet_policy(&self) -> WalletPolicy {
        WalletPolicy {
            mode: self.wallet.credit_enforcement_mode,
            reset: self.wallet.credit_reset_policy,
            limits: self.wallet.limits.clone(),
            suspended: self.status == CustomerStatus::Suspended,
        }
    }
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
    /// Overrides the embed key's delivery URL for this customer.
    pub result_delivery_url: Option<String>,
    /// Overrides the embed key's push button label.
    pub result_delivery_cta: Option<String>,
    /// CSV export on for this customer even when its key has it off.
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

/// A partner's customer (or user) id: 1–128 printable characters.
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
    validate_text("name", name, 200)
}

impl CreateCustomer {
    /// The external id and settings to store, or the first field at fault.
    pub fn into_settings(self, dev: bool) -> Result<(String, CustomerSettings), FieldError> {
        let external = validate_external_id("customer_id", &self.customer_id)?;
        let update = UpdateCustomer {
            name: Some(self.name),
            status: self.status,
            credit_enforcement_mode: self.credit_enforcement_mode,
            credit_reset_policy: self.credit_reset_policy,
            limits: self.limits,
            allowed_result_actions: self.allowed_result_actions,
            result_delivery_url: self.result_delivery_url.map(Some),
            result_delivery_cta: self.result_delivery_cta.map(Some),
            csv_export_enabled: self.csv_export_enabled,
        };
        let defaults = CustomerSettings {
            name: None,
            status: CustomerStatus::Active,
            wallet: WalletSettings::default(),
            results: ResultSettings::default(),
        };
        Ok((external, update.apply(defaults, dev)?))
    }
}

settings_patches!(UpdateCustomer);

impl UpdateCustomer {
    /// `current` with this update applied, or the first field at fault.
    pub fn apply(
        &self,
        mut current: CustomerSettings,
        dev: bool,
    ) -> Result<CustomerSettings, FieldError> {
        if let Some(name) = &self.name {
            current.name = validate_name(name.clone())?;
        }
        if let Some(status) = self.status {
            current.status = status;
        }
        let (wallet, results) = self.patches();
        current.wallet = wallet.apply(current.wallet)?;
        current.results = results.apply(current.results, dev)?;
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
    fn creates_start_from_the_reference_defaults() {
        let (_, s) = create("c1").into_settings(false).unwrap();
        assert_eq!(s.status, CustomerStatus::Active);
        assert_eq!(s.wallet, WalletSettings::default());
        assert_eq!(s.results, ResultSettings::default());
        let bad = CreateCustomer {
            result_delivery_url: Some("http://crm.example/hook".into()),
            ..create("c1")
        };
        assert_eq!(
            bad.into_settings(false).unwrap_err().field,
            "result_delivery_url"
        );
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
        let after = patch.apply(settings.clone(), false).unwrap();
        assert_eq!(after.status, CustomerStatus::Suspended);
        assert!(after.wallet_policy().suspended);
        assert_eq!(after.wallet, settings.wallet);
        assert!(serde_json::from_str::<UpdateCustomer>(r#"{"status":"deleted"}"#).is_err());
        let cleared: UpdateCustomer =
            serde_json::from_str(r#"{"result_delivery_url":null}"#).unwrap();
        assert!(cleared.sets_delivery_url());
    }
}
