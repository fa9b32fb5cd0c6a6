//! The settings partner customers and embed keys share, with their validation and
//! `PATCH` semantics written once:
//! - [`WalletSettings`]: how a wallet enforces and resets, its limits and the
//!   result actions it offers. A customer holds its own; an embed key holds the
//!   defaults a customer gets on its first embed session.
//! - [`ResultSettings`]: where pushed records go, the push button's label and
//!   whether CSV export is on. A customer's own values win; unset ones fall back
//!   on its embed key's ([`Effective`]).
//!
//! Requests stay flat (the reference field names, one `deny_unknown_fields` body
//! each); they are split into a [`WalletPatch`] and a [`ResultPatch`], and a create
//! is a patch over the defaults.

use serde::{Deserialize, Serialize};

use crate::wallet::{EnforcementMode, Limits, ResetPolicy};

pub use quarry_shared::wallet::ResultAction;

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

/// How a wallet enforces, resets and limits, and which result actions it offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletSettings {
    pub credit_enforcement_mode: EnforcementMode,
    pub credit_reset_policy: ResetPolicy,
    pub limits: Limits,
    pub allowed_result_actions: Vec<ResultAction>,
}

impl Default for WalletSettings {
    /// The reference defaults: metered, monthly reset, no limits, both actions.
    fn default() -> Self {
        WalletSettings {
            credit_enforcement_mode: EnforcementMode::Metered,
            credit_reset_policy: ResetPolicy::MonthlyReset,
            limits: Limits::default(),
            allowed_result_actions: ResultAction::ALL.to_vec(),
        }
    }
}

/// Where results go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultSettings {
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: Option<String>,
    pub csv_export_enabled: bool,
}

/// A change to [`WalletSettings`]: absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalletPatch {
    pub credit_enforcement_mode: Option<EnforcementMode>,
    pub credit_reset_policy: Option<ResetPolicy>,
    pub limits: Option<Limits>,
    pub allowed_result_actions: Option<Vec<ResultAction>>,
}

impl WalletPatch {
    /// `current` with the patch applied, or the first field at fault.
    pub fn apply(self, mut current: WalletSettings) -> Result<WalletSettings, FieldError> {
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
        Ok(current)
    }
}

/// A change to [`ResultSettings`]: absent fields stay, `Some(None)` clears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultPatch {
    pub result_delivery_url: Option<Option<String>>,
    pub result_delivery_cta: Option<Option<String>>,
    pub csv_export_enabled: Option<bool>,
}

impl ResultPatch {
    /// `current` with the patch applied, or the first field at fault. `dev`
    /// allows plain-HTTP and local delivery URLs.
    pub fn apply(
        self,
        mut current: ResultSettings,
        dev: bool,
    ) -> Result<ResultSettings, FieldError> {
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

/// `patches()` and `sets_delivery_url()` for an update that names the shared
/// settings fields (`credit_enforcement_mode` … `csv_export_enabled`): customers
/// and embed keys spell them alike, so the split is written once.
macro_rules! settings_patches {
    ($update:ty) => {
        impl $update {
            /// The wallet and result parts of the change.
            fn patches(
                &self,
            ) -> (
                $crate::partners::settings::WalletPatch,
                $crate::partners::settings::ResultPatch,
            ) {
                (
                    $crate::partners::settings::WalletPatch {
                        credit_enforcement_mode: self.credit_enforcement_mode,
                        credit_reset_policy: self.credit_reset_policy,
                        limits: self.limits.clone(),
                        allowed_result_actions: self.allowed_result_actions.clone(),
                    },
                    $crate::partners::settings::ResultPatch {
                        result_delivery_url: self.result_delivery_url.clone(),
                        result_delivery_cta: self.result_delivery_cta.clone(),
                        csv_export_enabled: self.csv_export_enabled,
                    },
                )
            }

            /// Whether the update sets the delivery URL (to anything, even the
            /// same): how a partner says its endpoint is back after a `410 Gone`.
            pub fn sets_delivery_url(&self) -> bool {
                self.result_delivery_url.is_some()
            }
        }
    };
}
pub(crate) use settings_patches;

/// What a customer can do now: its own result settings merged over its embed
/// key's, and the actions both allowed *and* configured (a delivery URL for push,
/// CSV on for export), with their button labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective {
    pub result_delivery_url: Option<String>,
    pub result_delivery_cta: String,
    pub actions: Vec<(ResultAction, String)>,
    /// The delivery URL answered `410 Gone` and was not set again since, so push
    /// is not offered.
    pub push_gone: bool,
}

/// The push button's label when neither customer nor key names one.
pub const DEFAULT_CTA: &str = "Push";

impl Effective {
    /// `own` over `key`'s.
    pub fn merge(
        wallet: &WalletSettings,
        own: &ResultSettings,
        key: Option<&ResultSettings>,
    ) -> Effective {
        let url = own
            .result_delivery_url
            .clone()
            .or_else(|| key.and_then(|k| k.result_delivery_url.clone()));
        let cta = own
            .result_delivery_cta
            .clone()
            .or_else(|| key.and_then(|k| k.result_delivery_cta.clone()))
            .unwrap_or_else(|| DEFAULT_CTA.to_owned());
        let csv_configured = own.csv_export_enabled || key.is_some_and(|k| k.csv_export_enabled);
        let actions: Vec<(ResultAction, String)> = wallet
            .allowed_result_actions
            .iter()
            .filter_map(|action| match action {
                ResultAction::PushEndpoint if url.is_some() => Some((*action, cta.clone())),
                ResultAction::CsvExport if csv_configured => {
                    Some((*action, "Export CSV".to_owned()))
                }
                _ => None,
            })
            .collect();
        Effective {
            result_delivery_url: url,
            result_delivery_cta: cta,
            actions,
            push_gone: false,
        }
    }

    /// The delivery URL answered `410 Gone`: push is no longer offered.
    pub fn push_is_gone(mut self) -> Effective {
        self.actions
            .retain(|(a, _)| *a != ResultAction::PushEndpoint);
        self.push_gone = true;
        self
    }

    /// Whether `action` is offered.
    pub fn allows(&self, action: ResultAction) -> bool {
        self.actions.iter().any(|(a, _)| *a == action)
    }

    /// Whether the customer can export CSV now.
    pub fn csv_export_enabled(&self) -> bool {
        self.allows(ResultAction::CsvExport)
    }
}

/// A delivery URL: an absolute HTTPS URL without credentials (plain HTTP only in
/// dev mode) that does not name a local or private address. Where a name resolves
/// to is checked again when delivering.
pub fn validate_delivery_url(value: &str, dev: bool) -> Result<String, FieldError> {
    let field = "result_delivery_url";
    if value.len() > 2048 {
        return Err(FieldError::new(
            field,
            "result_delivery_url is at most 2048 characters",
        ));
    }
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

/// Free text of at most `max` printable characters; blank means none.
pub fn validate_text(
    field: &str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if v.chars().count() > max || v.chars().any(char::is_control) => {
            Err(FieldError::new(
                field,
                format!("{field} is at most {max} printable characters"),
            ))
        }
        Some(v) if v.is_empty() => Ok(None),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(url: Option<&str>, cta: Option<&str>, csv: bool) -> ResultSettings {
        ResultSettings {
            result_delivery_url: url.map(str::to_owned),
            result_delivery_cta: cta.map(str::to_owned),
            csv_export_enabled: csv,
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
        let long = format!("https://crm.example/{}", "x".repeat(2048));
        assert_eq!(
            validate_delivery_url(&long, false).unwrap_err().field,
            "result_delivery_url"
        );
    }

    #[test]
    fn effective_settings_merge_the_customers_over_the_keys() {
        let wallet = WalletSettings::default();
        let key = results(Some("https://key.example/hook"), Some("Add to CRM"), true);
        // Nothing of its own: the key's apply.
        let e = Effective::merge(&wallet, &ResultSettings::default(), Some(&key));
        assert_eq!(
            e.result_delivery_url.as_deref(),
            Some("https://key.example/hook")
        );
        assert_eq!(e.result_delivery_cta, "Add to CRM");
        assert!(e.csv_export_enabled());
        assert_eq!(
            e.actions,
            vec![
                (ResultAction::PushEndpoint, "Add to CRM".to_owned()),
                (ResultAction::CsvExport, "Export CSV".to_owned())
            ]
        );
        // Its own values win.
        let own = results(Some("https://own.example/hook"), Some("Save"), false);
        let e = Effective::merge(&wallet, &own, Some(&key));
        assert_eq!(
            e.result_delivery_url.as_deref(),
            Some("https://own.example/hook")
        );
        assert_eq!(e.result_delivery_cta, "Save");
        // An action not allowed is not offered, however configured.
        let only_push = WalletSettings {
            allowed_result_actions: vec![ResultAction::PushEndpoint],
            ..WalletSettings::default()
        };
        let e = Effective::merge(&only_push, &own, Some(&key));
        assert!(!e.csv_export_enabled() && !e.allows(ResultAction::CsvExport));
        // Nothing configured anywhere: nothing offered, the default label.
        let e = Effective::merge(&wallet, &ResultSettings::default(), None);
        assert!(e.actions.is_empty());
        assert_eq!(e.result_delivery_cta, DEFAULT_CTA);
        // A gone endpoint is not offered until the URL changes.
        let e = Effective::merge(&wallet, &ResultSettings::default(), Some(&key)).push_is_gone();
        assert!(!e.allows(ResultAction::PushEndpoint) && e.allows(ResultAction::CsvExport));
        assert!(e.push_gone);
    }

    #[test]
    fn patches_change_only_what_they_name() {
        let before = results(Some("https://a.example/hook"), Some("Push it"), true);
        let patch = ResultPatch {
            result_delivery_cta: Some(None),
            ..ResultPatch::default()
        };
        let after = patch.apply(before.clone(), false).unwrap();
        assert_eq!(after, results(Some("https://a.example/hook"), None, true));
        let bad = ResultPatch {
            result_delivery_cta: Some(Some(" ".into())),
            ..ResultPatch::default()
        };
        assert_eq!(
            bad.apply(before, false).unwrap_err().field,
            "result_delivery_cta"
        );

        let wallet = WalletPatch {
            limits: Some(Limits {
                monthly_credit_units: Some(-1),
                ..Limits::default()
            }),
            ..WalletPatch::default()
        };
        assert_eq!(
            wallet.apply(WalletSettings::default()).unwrap_err().field,
            "limits.monthly_credit_units"
        );
        let wallet = WalletPatch {
            credit_enforcement_mode: Some(EnforcementMode::Enforced),
            allowed_result_actions: Some(vec![ResultAction::CsvExport, ResultAction::CsvExport]),
            ..WalletPatch::default()
        };
        let after = wallet.apply(WalletSettings::default()).unwrap();
        assert_eq!(after.credit_enforcement_mode, EnforcementMode::Enforced);
        assert_eq!(after.allowed_result_actions, vec![ResultAction::CsvExport]);
        assert_eq!(after.credit_reset_policy, ResetPolicy::MonthlyReset);
    }

    #[test]
    fn text_is_trimmed_bounded_and_blank_means_none() {
        assert_eq!(
            validate_text("name", Some(" Acme ".into()), 10),
            Ok(Some("Acme".into()))
        );
        assert_eq!(validate_text("name", Some("   ".into()), 10), Ok(None));
        assert_eq!(validate_text("name", None, 10), Ok(None));
        assert_eq!(
            validate_text("label", Some("x".repeat(11)), 10)
                .unwrap_err()
                .field,
            "label"
        );
        assert!(validate_text("name", Some("a\nb".into()), 10).is_err());
    }
}
