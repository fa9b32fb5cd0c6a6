//! Partner accounts from the command line: `quarry partner create`, `quarry key
//! create|list|revoke|rotate` and `quarry demo-partner`. Secrets are printed once,
//! when made; `--json` prints one JSON object for scripts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};

use crate::http::iso8601;
use crate::partners::customers::{CustomerSettings, CustomerStatus};
use crate::partners::embed_keys::CreateEmbedKey;
use crate::partners::keys::{issue_public_key, issue_secret_key, issue_signing_secret, Scope};
use crate::partners::{Mode, Tenant};
use crate::store::{now_unix, ApiKey, Store, StoreError};
use crate::wallet::{EnforcementMode, Grant, ResetPolicy};

#[derive(Debug, clap::Subcommand)]
pub enum PartnerCommand {
    /// Create a partner account and print its first secret key (shown once).
    Create {
        /// The partner's name.
        #[arg(long, env = "QUARRY_PARTNER_NAME")]
        name: String,
        /// Give it a sandbox key (`qk_test_…`) instead of a live one.
        #[arg(long, env = "QUARRY_KEY_TEST")]
        test: bool,
        /// Print JSON instead of text.
        #[arg(long, env = "QUARRY_JSON")]
        json: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Create another secret key for a partner (shown once).
    Create {
        /// The partner id (`ptr_…`).
        #[arg(long, env = "QUARRY_PARTNER_ID")]
        partner: String,
        /// A sandbox key (`qk_test_…`).
        #[arg(long, env = "QUARRY_KEY_TEST")]
        test: bool,
        /// Scopes, comma separated: data, embed_keys, customers, wallets (default: all).
        #[arg(long, env = "QUARRY_KEY_SCOPES", value_delimiter = ',')]
        scope: Vec<String>,
        /// A name for people.
        #[arg(long, env = "QUARRY_KEY_LABEL")]
        label: Option<String>,
        /// Print JSON instead of text.
        #[arg(long, env = "QUARRY_JSON")]
        json: bool,
    },
    /// List a partner's keys (prefixes only; secrets are never stored).
    List {
        /// The partner id (`ptr_…`).
        #[arg(long, env = "QUARRY_PARTNER_ID")]
        partner: String,
        /// Print JSON instead of text.
        #[arg(long, env = "QUARRY_JSON")]
        json: bool,
    },
    /// Revoke a key at once.
    Revoke {
        /// The partner id (`ptr_…`).
        #[arg(long, env = "QUARRY_PARTNER_ID")]
        partner: String,
        /// The key id (`key_…`).
        #[arg(long, env = "QUARRY_KEY_ID")]
        key: String,
    },
    /// Replace a key with a new one of the same mode, scopes and label; the old key
    /// stops working at once, or after --grace-seconds.
    Rotate {
        /// The partner id (`ptr_…`).
        #[arg(long, env = "QUARRY_PARTNER_ID")]
        partner: String,
        /// The key id (`key_…`).
        #[arg(long, env = "QUARRY_KEY_ID")]
        key: String,
        /// Seconds the old key keeps working (0: revoked at once).
        #[arg(long, env = "QUARRY_KEY_GRACE_SECONDS", default_value_t = 0,
              value_parser = clap::value_parser!(u32).range(0..=2_592_000))]
        grace_seconds: u32,
        /// Print JSON instead of text.
        #[arg(long, env = "QUARRY_JSON")]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Origins of the demo partner page, comma separated.
    #[arg(
        long,
        env = "QUARRY_DEMO_ORIGINS",
        value_delimiter = ',',
        default_value = "http://127.0.0.1:8081,http://localhost:8081"
    )]
    pub origin: Vec<String>,
    /// Credits granted to the demo customer.
    #[arg(long, env = "QUARRY_DEMO_CREDITS", default_value_t = 500,
          value_parser = clap::value_parser!(i64).range(1..))]
    pub credits: i64,
    /// Where the demo credentials are kept between runs (they are shown once by
    /// the API, but the demo page needs them on every start).
    #[arg(
        long,
        env = "QUARRY_DEMO_FILE",
        default_value = "data/demo-partner.json"
    )]
    pub file: PathBuf,
}

/// What `partner create` and `key create|rotate` print.
#[derive(Debug, Serialize)]
struct IssuedKeyOutput {
    partner_id: String,
    key_id: String,
    mode: Mode,
    prefix: String,
    scopes: Vec<&'static str>,
    secret_key: String,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

fn mode_of(test: bool) -> Mode {
    if test {
        Mode::Test
    } else {
        Mode::Live
    }
}

fn print_issued(out: &IssuedKeyOutput, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(out).unwrap_or_default());
    } else {
        println!("partner   {}", out.partner_id);
        println!(
            "key id    {} ({}, scopes: {})",
            out.key_id,
            out.mode.as_str(),
            out.scopes.join(", ")
        );
        println!("secret    {}", out.secret_key);
        println!("Store the secret now: it is not shown again.");
    }
}

async fn issue(
    store: &Store,
    tenant: &Tenant,
    scopes: &[Scope],
    label: Option<&str>,
) -> Result<IssuedKeyOutput, StoreError> {
    let issued = issue_secret_key(tenant.mode);
    let key = store
        .insert_api_key(tenant, &issued, label, scopes, now_unix())
        .await?;
    Ok(IssuedKeyOutput {
        partner_id: key.partner_id,
        key_id: key.key_id,
        mode: key.mode,
        prefix: key.prefix,
        scopes: key.scopes.iter().map(|s| s.as_str()).collect(),
        secret_key: issued.secret,
    })
}

pub async fn partner(store: &Store, command: PartnerCommand) -> ExitCode {
    match command {
        PartnerCommand::Create { name, test, json } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return fail("--name must be 1 to 200 characters");
            }
            let result = async {
                let partner = store.create_partner(name, now_unix()).await?;
                let tenant = Tenant {
                    partner_id: partner.partner_id,
                    mode: mode_of(test),
                };
                issue(store, &tenant, &Scope::ALL, Some("first key")).await
            }
            .await;
            match result {
                Ok(out) => {
                    print_issued(&out, json);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

async fn existing_partner(store: &Store, partner_id: &str) -> Result<(), ExitCode> {
    match store.partner(partner_id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(fail(format!("no partner {partner_id:?}"))),
        Err(e) => Err(fail(e)),
    }
}

fn key_json(k: &ApiKey, now: i64) -> serde_json::Value {
    serde_json::json!({
        "key_id": k.key_id,
        "mode": k.mode,
        "prefix": k.prefix,
        "label": k.label,
        "scopes": k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "status": if k.is_usable(now) { "active" } else { "revoked" },
        "created_at": iso8601(k.created_at),
        "expires_at": k.expires_at.map(iso8601),
        "revoked_at": k.revoked_at.map(iso8601),
    })
}

pub async fn key(store: &Store, command: KeyCommand) -> ExitCode {
    let now = now_unix();
    match command {
        KeyCommand::Create {
            partner,
            test,
            scope,
            label,
            json,
        } => {
            if let Err(code) = existing_partner(store, &partner).await {
                return code;
            }
            let scopes = if scope.is_empty() {
                Scope::ALL.to_vec()
            } else {
                let mut parsed = Vec::new();
                for name in &scope {
                    match Scope::parse(name.trim()) {
                        Some(s) => parsed.push(s),
                        None => {
                            return fail(format!(
                                "unknown scope {name:?}; use data, embed_keys, customers or wallets"
                            ))
                        }
                    }
                }
                // Printed as stored: in canonical order, each once.
                parsed.sort();
                parsed.dedup();
                parsed
            };
            let tenant = Tenant {
                partner_id: partner,
                mode: mode_of(test),
            };
            match issue(store, &tenant, &scopes, label.as_deref()).await {
                Ok(out) => {
                    print_issued(&out, json);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        KeyCommand::List { partner, json } => {
            if let Err(code) = existing_partner(store, &partner).await {
                return code;
            }
            match store.api_keys(&partner).await {
                Ok(keys) if json => {
                    let list: Vec<_> = keys.iter().map(|k| key_json(k, now)).collect();
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&list).unwrap_or_default()
                    );
                    ExitCode::SUCCESS
                }
                Ok(keys) => {
                    for k in &keys {
                        let scopes: Vec<_> = k.scopes.iter().map(|s| s.as_str()).collect();
                        println!(
                            "{}  {}…  {}  {}  scopes: {}{}",
                            k.key_id,
                            k.prefix,
                            k.mode.as_str(),
                            if k.is_usable(now) {
                                "active "
                            } else {
                                "revoked"
                            },
                            scopes.join(","),
                            k.label
                                .as_deref()
                                .map(|l| format!("  ({l})"))
                                .unwrap_or_default()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        KeyCommand::Revoke { partner, key } => {
            match store.revoke_api_key(&partner, &key, now).await {
                Ok(true) => {
                    println!("revoked {key}");
                    ExitCode::SUCCESS
                }
                Ok(false) => fail(format!("partner {partner:?} has no key {key:?}")),
                Err(e) => fail(e),
            }
        }
        KeyCommand::Rotate {
            partner,
            key,
            grace_seconds,
            json,
        } => {
            let old = match store.api_key(&partner, &key).await {
                Ok(Some(k)) if k.is_usable(now) => k,
                Ok(Some(_)) => return fail(format!("key {key:?} is already revoked")),
                Ok(None) => return fail(format!("partner {partner:?} has no key {key:?}")),
                Err(e) => return fail(e),
            };
            let result = async {
                let out = issue(store, &old.tenant(), &old.scopes, old.label.as_deref()).await?;
                if grace_seconds == 0 {
                    store.revoke_api_key(&partner, &key, now).await?;
                } else {
                    store
                        .expire_api_key(&partner, &key, now + i64::from(grace_seconds))
                        .await?;
                }
                Ok::<_, StoreError>(out)
            }
            .await;
            match result {
                Ok(out) => {
                    print_issued(&out, json);
                    if !json {
                        if grace_seconds == 0 {
                            println!("The old key {key} is revoked.");
                        } else {
                            println!("The old key {key} keeps working for {grace_seconds} s.");
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
    }
}

/// The demo partner's credentials, kept in `--file`.
#[derive(Debug, Serialize, Deserialize)]
pub struct DemoPartner {
    pub partner_id: String,
    pub secret_key: String,
    pub embed_key_id: String,
    pub public_key: String,
    pub customer_signing_secret: String,
    pub partner_customer_id: String,
    pub external_customer_id: String,
    pub allowed_origins: Vec<String>,
}

fn read_demo(file: &Path) -> Option<DemoPartner> {
    serde_json::from_slice(&std::fs::read(file).ok()?).ok()
}

fn write_demo(file: &Path, demo: &DemoPartner) -> std::io::Result<()> {
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
    Ok(())
}

async fn create_demo(store: &Store, args: &DemoArgs) -> Result<DemoPartner, String> {
    let now = now_unix();
    let settings = CreateEmbedKey {
        label: Some("Demo partner page".into()),
        allowed_origins: args.origin.clone(),
        csv_export_enabled: Some(true),
        credit_enforcement_mode: Some(EnforcementMode::Enforced),
        credit_reset_policy: Some(ResetPolicy::Rollover),
        ..CreateEmbedKey::default()
    }
    .into_settings(true)
    .map_err(|e| format!("--origin: {e}"))?;
    let partner = store
        .create_partner("Quarry demo partner", now)
        .await
        .map_err(|e| e.to_string())?;
    let tenant = Tenant {
        partner_id: partner.partner_id.clone(),
        mode: Mode::Live,
    };
    let secret = issue(store, &tenant, &Scope::ALL, Some("demo"))
        .await
        .map_err(|e| e.to_string())?;
    let public = issue_public_key(Mode::Live);
    let signing_secret = issue_signing_secret();
    let key = store
        .insert_embed_key(
            &tenant,
            &public,
            &signing_secret,
            &crate::delivery::signing::new_secret(),
            &settings,
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut customer = CustomerSettings::from_key_defaults(&settings, Some("Demo customer".into()));
    customer.status = CustomerStatus::Active;
    let (customer, _) = store
        .upsert_customer(
            &tenant,
            "demo-customer",
            &customer,
            Some(&key.embed_key_id),
            now,
        )
        .await
        .map_err(|e| e.to_string())?;
    let grant = Grant {
        id: String::new(),
        units: args.credits,
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
        secret_key: secret.secret_key,
        embed_key_id: key.embed_key_id,
        public_key: public.secret,
        customer_signing_secret: signing_secret,
        partner_customer_id: customer.partner_customer_id,
        external_customer_id: customer.external_customer_id,
        allowed_origins: settings.allowed_origins,
    })
}

/// Points the existing demo embed key at `origins` when they changed (a `make run`
/// on another port), so the demo page keeps working; rewrites the file to match.
async fn follow_origins(
    store: &Store,
    mut demo: DemoPartner,
    origins: &[String],
    file: &Path,
) -> Result<DemoPartner, String> {
    let tenant = Tenant {
        partner_id: demo.partner_id.clone(),
        mode: Mode::Live,
    };
    let Some(key) = store
        .embed_key(&tenant, &demo.embed_key_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(demo);
    };
    let wanted = crate::partners::embed_keys::normalise_origins(origins, true)
        .map_err(|e| format!("--origin: {e}"))?;
    if key.settings.allowed_origins == wanted {
        return Ok(demo);
    }
    let mut settings = key.settings;
    settings.allowed_origins = wanted.clone();
    store
        .update_embed_key(&tenant, &demo.embed_key_id, &settings, now_unix())
        .await
        .map_err(|e| e.to_string())?;
    demo.allowed_origins = wanted;
    write_demo(file, &demo).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(demo)
}

pub async fn demo_partner(store: &Store, args: DemoArgs) -> ExitCode {
    let existing = match read_demo(&args.file) {
        Some(demo) => match store.partner(&demo.partner_id).await {
            Ok(Some(_)) => Some(demo),
            Ok(None) => None,
            Err(e) => return fail(e),
        },
        None => None,
    };
    let (demo, created) = match existing {
        Some(demo) => match follow_origins(store, demo, &args.origin, &args.file).await {
            Ok(demo) => (demo, false),
            Err(e) => return fail(e),
        },
        None => match create_demo(store, &args).await {
            Ok(demo) => {
                if let Err(e) = write_demo(&args.file, &demo) {
                    return fail(format!("cannot write {}: {e}", args.file.display()));
                }
                (demo, true)
            }
            Err(e) => return fail(e),
        },
    };
    println!(
        "Demo partner ({}; kept in {}):",
        if created { "created" } else { "already set up" },
        args.file.display()
    );
    println!("  partner id       {}", demo.partner_id);
    println!("  secret key       {}", demo.secret_key);
    println!(
        "  embed key        {} (public key {})",
        demo.embed_key_id, demo.public_key
    );
    println!("  allowed origins  {}", demo.allowed_origins.join(", "));
    println!(
        "  demo customer    {} ({}) with {} credits granted on creation",
        demo.partner_customer_id, demo.external_customer_id, args.credits
    );
    ExitCode::SUCCESS
}
