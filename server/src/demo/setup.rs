//! Sets up the demo partner the way a careful partner would set itself up: a live
//! secret key, an embed key for the demo page's origins that requires
//! server-minted sessions (PRODUCT.md §2.7) and pushes to the demo CRM's receiver,
//! and a customer with credits.
//!
//! The API shows secrets once, but the demo page needs them on every start, so they
//! are kept in a file (0600). Later runs re-use the file and only make the stored
//! key follow what this run wants (another port, an older set-up), so `make run`
//! keeps working without piling up demo partners. Pure orchestration over
//! [`Store`]: the CLI and the browser tests call [`ensure`] in-process.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::partners::customers::{CustomerSettings, CustomerStatus};
use crate::partners::embed_keys::{CreateEmbedKey, CustomerVerification, EmbedKeySettings};
use crate::partners::keys::{issue_secret_key, EmbedKeySecrets, Scope};
use crate::partners::{Mode, Tenant};
use crate::store::{now_unix, EmbedKeyStatus, Store};
use crate::wallet::{EnforcementMode, Grant, ResetPolicy};

/// The demo partner's name, as stored.
pub const PARTNER_NAME: &str = "Quarry demo partner";
/// The demo customer's id in the partner's own system.
pub const CUSTOMER_ID: &str = "demo-customer";
/// The demo customer's display name.
pub const CUSTOMER_NAME: &str = "Demo customer";
/// The push button's label: the demo page plays a CRM called Tidewater CRM.
pub const DELIVERY_CTA: &str = "Add to Tidewater CRM";
/// Where the demo site receives pushes, below its first origin.
pub const RECEIVER_PATH: &str = "/webhooks/quarry";

/// What [`ensure`] sets up.
#[derive(Debug, Clone)]
pub struct SetupOptions {
    /// Origins of the demo page (full URLs are normalised to their origin).
    pub origins: Vec<String>,
    /// Credits granted to the demo customer when it is created.
    pub credits: i64,
    /// Where the credentials are kept between runs; `None` writes nothing.
    pub file: Option<PathBuf>,
    /// Where pushes go; default: the first origin + [`RECEIVER_PATH`].
    pub delivery_url: Option<String>,
}

/// The demo partner's credentials, kept in the set-up file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPartner {
    pub partner_id: String,
    pub secret_key: String,
    pub embed_key_id: String,
    pub public_key: String,
    /// Signs the customer assertion (`data-customer-signature`).
    pub customer_signing_secret: String,
    pub partner_customer_id: String,
    pub external_customer_id: String,
    pub allowed_origins: Vec<String>,
    /// The embed key's Standard Webhooks secret (`whsec_…`): the receiver checks
    /// pushes with it. Files written before it existed get it from the store.
    #[serde(default)]
    pub webhook_secret: String,
    /// Where Quarry pushes bought records.
    #[serde(default)]
    pub delivery_url: String,
}

/// Secrets stay out of logs and panic messages.
impl std::fmt::Debug for DemoPartner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoPartner")
            .field("partner_id", &self.partner_id)
            .field("secret_key", &"<redacted>")
            .field("embed_key_id", &self.embed_key_id)
            .field("public_key", &self.public_key)
            .field("customer_signing_secret", &"<redacted>")
            .field("partner_customer_id", &self.partner_customer_id)
            .field("external_customer_id", &self.external_customer_id)
            .field("allowed_origins", &self.allowed_origins)
            .field("webhook_secret", &"<redacted>")
            .field("delivery_url", &self.delivery_url)
            .finish()
    }
}

impl DemoPartner {
    fn tenant(&self) -> Tenant {
        Tenant {
            partner_id: self.partner_id.clone(),
            mode: Mode::Live,
        }
    }
}

/// Sets up the demo partner, or re-uses the one in `options.file`, and makes its
/// embed key match `options`. Returns the credentials and whether they are new.
pub async fn ensure(store: &Store, options: &SetupOptions) -> Result<(DemoPartner, bool), String> {
    let wanted = wanted_settings(options)?;
    if let Some(file) = &options.file {
        if let Some(kept) = read(file) {
            if let Some(demo) = follow(store, kept.clone(), &wanted).await? {
                if demo != kept {
                    write(file, &demo)?;
                }
                return Ok((demo, false));
            }
        }
    }
    let demo = create(store, options.credits, wanted).await?;
    if let Some(file) = &options.file {
        write(file, &demo)?;
    }
    Ok((demo, true))
}

/// The embed key settings the demo wants, validated as the API would in dev mode
/// (which is what allows plain-HTTP localhost origins and delivery URLs).
fn wanted_settings(options: &SetupOptions) -> Result<EmbedKeySettings, String> {
    let origins = crate::partners::embed_keys::normalise_origins(&options.origins, true)
        .map_err(|e| format!("--origin: {}", e.message))?;
    let delivery_url = match &options.delivery_url {
        Some(url) => url.clone(),
        None => format!("{}{RECEIVER_PATH}", origins[0]),
    };
    CreateEmbedKey {
        label: Some("Demo partner page".into()),
        allowed_origins: origins,
        result_delivery_url: Some(delivery_url),
        result_delivery_cta: Some(DELIVERY_CTA.into()),
        csv_export_enabled: Some(true),
        customer_verification: Some(CustomerVerification::ServerSession),
        credit_enforcement_mode: Some(EnforcementMode::Enforced),
        credit_reset_policy: Some(ResetPolicy::Rollover),
        ..CreateEmbedKey::default()
    }
    .into_settings(true)
    .map_err(|e| match e.field.as_str() {
        "result_delivery_url" => format!("--delivery-url: {}", e.message),
        _ => e.message,
    })
}

/// The settings the demo manages, applied over what is stored (a partner may have
/// changed others, such as the token lifetime, through the API).
fn managed(mut stored: EmbedKeySettings, wanted: &EmbedKeySettings) -> EmbedKeySettings {
    stored.allowed_origins = wanted.allowed_origins.clone();
    stored.results = wanted.results.clone();
    stored.customer_verification = wanted.customer_verification;
    stored.defaults.credit_enforcement_mode = wanted.defaults.credit_enforcement_mode;
    stored.defaults.credit_reset_policy = wanted.defaults.credit_reset_policy;
    stored
}

/// Brings a kept demo partner in line with `wanted`; `None` when its partner or an
/// active embed key is gone from the store (a fresh database), so it is set up anew.
async fn follow(
    store: &Store,
    mut demo: DemoPartner,
    wanted: &EmbedKeySettings,
) -> Result<Option<DemoPartner>, String> {
    let tenant = demo.tenant();
    if store
        .partner(&demo.partner_id)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        return Ok(None);
    }
    let Some(mut key) = store
        .embed_key(&tenant, &demo.embed_key_id)
        .await
        .map_err(|e| e.to_string())?
        .filter(|k| k.status == EmbedKeyStatus::Active)
    else {
        return Ok(None);
    };
    let now = now_unix();
    let settings = managed(key.settings.clone(), wanted);
    if settings != key.settings {
        key = store
            .replace_embed_key_settings(&tenant, &demo.embed_key_id, &settings, now)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the demo embed key vanished while it was updated")?;
    }
    if key.webhook_secret.is_none() {
        // A key made before pushes were signed: give it a secret now.
        key = store
            .rotate_webhook_secret(
                &tenant,
                &demo.embed_key_id,
                &crate::delivery::signing::new_secret(),
                now,
                now,
            )
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the demo embed key vanished while its webhook secret was set")?;
    }
    // The store is the truth: a secret rotated through the API is followed too.
    demo.webhook_secret = key.webhook_secret.unwrap_or_default();
    demo.allowed_origins = key.settings.allowed_origins;
    demo.delivery_url = key.settings.results.result_delivery_url.unwrap_or_default();
    Ok(Some(demo))
}

async fn create(
    store: &Store,
    credits: i64,
    settings: EmbedKeySettings,
) -> Result<DemoPartner, String> {
    let now = now_unix();
    let partner = store
        .create_partner(PARTNER_NAME, now)
        .await
        .map_err(|e| e.to_string())?;
    let tenant = Tenant {
        partner_id: partner.partner_id.clone(),
        mode: Mode::Live,
    };
    let secret = issue_secret_key(Mode::Live);
    store
        .insert_api_key(&tenant, &secret, Some("demo"), &Scope::ALL, now)
        .await
        .map_err(|e| e.to_string())?;
    let secrets = EmbedKeySecrets::issue(Mode::Live);
    let key = store
        .insert_embed_key(&tenant, &secrets, &settings, now)
        .await
        .map_err(|e| e.to_string())?;
    let mut customer =
        CustomerSettings::from_defaults(&settings.defaults, Some(CUSTOMER_NAME.into()));
    customer.status = CustomerStatus::Active;
    let (customer, _) = store
        .upsert_customer(
            &tenant,
            CUSTOMER_ID,
            &customer,
            Some(&key.embed_key_id),
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
    let grant = Grant {
        id: String::new(),
        units: credits,
        credit_type: Some("demo".into()),
        starts_at: now,
        expires_at: None,
        created_at: now,
    };
    store
        .add_grant(
            &tenant,
            &customer.partner_customer_id,
            &grant,
            Some("demo credits"),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(DemoPartner {
        partner_id: partner.partner_id,
        secret_key: secret.secret,
        embed_key_id: key.embed_key_id,
        public_key: secrets.public.secret,
        customer_signing_secret: secrets.signing_secret,
        partner_customer_id: customer.partner_customer_id,
        external_customer_id: customer.external_customer_id,
        allowed_origins: settings.allowed_origins,
        webhook_secret: secrets.webhook_secret,
        delivery_url: settings.results.result_delivery_url.unwrap_or_default(),
    })
}

/// The kept credentials; `None` when there are none (or they cannot be read, in
/// which case the demo is set up anew and the file replaced).
fn read(file: &Path) -> Option<DemoPartner> {
    serde_json::from_slice(&std::fs::read(file).ok()?).ok()
}

fn write(file: &Path, demo: &DemoPartner) -> Result<(), String> {
    let written = (|| {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(demo).map_err(std::io::Error::other)?;
        std::fs::write(file, text)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok::<_, std::io::Error>(())
    })();
    written.map_err(|e| format!("cannot write {}: {e}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(origins: &[&str], delivery_url: Option<&str>) -> SetupOptions {
        SetupOptions {
            origins: origins.iter().map(|o| o.to_string()).collect(),
            credits: 10,
            file: None,
            delivery_url: delivery_url.map(str::to_owned),
        }
    }

    #[test]
    fn the_delivery_url_defaults_to_the_receiver_on_the_first_origin() {
        let s = wanted_settings(&options(
            &["http://127.0.0.1:8081/crm?x=1", "http://localhost:8081"],
            None,
        ))
        .unwrap();
        assert_eq!(
            s.allowed_origins,
            vec!["http://127.0.0.1:8081", "http://localhost:8081"]
        );
        assert_eq!(
            s.results.result_delivery_url.as_deref(),
            Some("http://127.0.0.1:8081/webhooks/quarry")
        );
        assert_eq!(s.results.result_delivery_cta.as_deref(), Some(DELIVERY_CTA));
        assert!(s.results.csv_export_enabled);
        assert_eq!(s.customer_verification, CustomerVerification::ServerSession);
        assert_eq!(
            s.defaults.credit_enforcement_mode,
            EnforcementMode::Enforced
        );
        assert_eq!(s.defaults.credit_reset_policy, ResetPolicy::Rollover);

        let s = wanted_settings(&options(
            &["http://127.0.0.1:8081"],
            Some("http://127.0.0.1:9000/hook"),
        ))
        .unwrap();
        assert_eq!(
            s.results.result_delivery_url.as_deref(),
            Some("http://127.0.0.1:9000/hook")
        );
    }

    #[test]
    fn bad_options_name_their_flag() {
        let err = wanted_settings(&options(&[], None)).unwrap_err();
        assert!(err.starts_with("--origin"), "{err}");
        let err = wanted_settings(&options(&["ftp://x"], None)).unwrap_err();
        assert!(err.starts_with("--origin"), "{err}");
        let err =
            wanted_settings(&options(&["http://127.0.0.1:8081"], Some("not a url"))).unwrap_err();
        assert!(err.starts_with("--delivery-url"), "{err}");
    }

    #[test]
    fn only_the_managed_settings_are_followed() {
        let wanted = wanted_settings(&options(&["http://127.0.0.1:7000"], None)).unwrap();
        let mut stored = wanted_settings(&options(&["http://127.0.0.1:8081"], None)).unwrap();
        stored.token_ttl_seconds = 120;
        stored.customer_verification = CustomerVerification::None;
        stored.results.result_delivery_cta = None;
        let after = managed(stored, &wanted);
        assert_eq!(after.token_ttl_seconds, 120);
        assert_eq!(
            EmbedKeySettings {
                token_ttl_seconds: wanted.token_ttl_seconds,
                ..after
            },
            wanted
        );
    }

    #[test]
    fn debug_output_hides_the_secrets() {
        let demo = DemoPartner {
            partner_id: "ptr_1".into(),
            secret_key: "qk_live_SECRET".into(),
            embed_key_id: "ek_1".into(),
            public_key: "qpk_live_x".into(),
            customer_signing_secret: "qcs_SECRET".into(),
            partner_customer_id: "pc_1".into(),
            external_customer_id: CUSTOMER_ID.into(),
            allowed_origins: vec![],
            webhook_secret: "whsec_SECRET".into(),
            delivery_url: String::new(),
        };
        let shown = format!("{demo:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("ptr_1"), "{shown}");
    }
}
