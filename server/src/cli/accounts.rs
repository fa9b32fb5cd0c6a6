//! Partner accounts from the command line: `quarry partner create`, `quarry key
//! create|list|revoke|rotate` and `quarry demo-partner` (which sets up the demo
//! partner through [`crate::demo`] and then serves its page). Secrets are printed
//! once, when made; `--json` prints one JSON object for scripts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use crate::demo::{self, SetupOptions};
use crate::http::iso8601;
use crate::partners::keys::{issue_secret_key, Scope};
use crate::partners::{Mode, Tenant};
use crate::store::{now_unix, ApiKey, Store, StoreError};

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
    /// Origins of the demo partner page, comma separated. Default: the page's own
    /// address, plus http://localhost:<port> when that is 127.0.0.1.
    #[arg(long, env = "QUARRY_DEMO_ORIGINS", value_delimiter = ',')]
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
    /// Address the demo partner page (a second origin) listens on.
    #[arg(long, env = "QUARRY_DEMO_BIND", default_value = "127.0.0.1:8081")]
    pub bind: SocketAddr,
    /// The Quarry server the demo page loads embed.js from.
    #[arg(
        long,
        env = "QUARRY_DEMO_QUARRY_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub quarry_url: String,
    /// Where Quarry pushes bought records (default: the first origin +
    /// /webhooks/quarry, the demo page's own receiver).
    #[arg(long, env = "QUARRY_DEMO_DELIVERY_URL")]
    pub delivery_url: Option<String>,
    /// Set up and print the credentials, then exit instead of serving the page.
    #[arg(long, env = "QUARRY_DEMO_SETUP_ONLY")]
    pub setup_only: bool,
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

/// The page's origins when `--origin` is not given: where it listens (an
/// unspecified address is reached through 127.0.0.1), and the `localhost` alias of
/// 127.0.0.1, so both URLs people type work.
fn default_origins(addr: SocketAddr) -> Vec<String> {
    let addr = reachable(addr);
    let mut origins = vec![format!("http://{addr}")];
    if addr.ip() == IpAddr::V4(Ipv4Addr::LOCALHOST) {
        origins.push(format!("http://localhost:{}", addr.port()));
    }
    origins
}

/// `addr` as a browser reaches it: `0.0.0.0`/`::` become loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, addr.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, addr.port()).into(),
        _ => addr,
    }
}

/// `--quarry-url` without a trailing slash, or why it is not an HTTP(S) base URL.
fn quarry_base(value: &str) -> Result<String, String> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| format!("--quarry-url {value:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!(
            "--quarry-url {value:?} must be an http:// or https:// URL, e.g. http://127.0.0.1:8080"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

pub async fn demo_partner(store: &Store, args: DemoArgs) -> ExitCode {
    let quarry_url = match quarry_base(&args.quarry_url) {
        Ok(url) => url,
        Err(e) => return fail(e),
    };
    // Listen before setting up, so a taken port changes nothing.
    let listener = if args.setup_only {
        None
    } else {
        let hint = "Is another demo partner page running? Choose another address with \
                    --bind (QUARRY_DEMO_BIND).";
        match super::listen(args.bind, hint).await {
            Ok(listener) => Some(listener),
            Err(code) => return code,
        }
    };
    let addr = listener
        .as_ref()
        .and_then(|l| l.local_addr().ok())
        .unwrap_or(args.bind);
    let mut origins: Vec<String> = args
        .origin
        .iter()
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    if origins.is_empty() {
        origins = default_origins(addr);
    }
    let options = SetupOptions {
        origins,
        credits: args.credits,
        file: Some(args.file.clone()),
        delivery_url: args.delivery_url.clone(),
    };
    let (demo, created) = match demo::ensure(store, &options).await {
        Ok(done) => done,
        Err(e) => return fail(e),
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
    println!("  delivery URL     {}", demo.delivery_url);
    println!(
        "  demo customer    {} ({}) with {} credits granted on creation",
        demo.partner_customer_id, demo.external_customer_id, args.credits
    );
    let Some(listener) = listener else {
        return ExitCode::SUCCESS;
    };
    println!("Demo partner page: http://{}/", reachable(addr));
    println!("  (the widget loads from {quarry_url}; run `quarry serve --dev` there)");
    let site = match demo::DemoSite::new(quarry_url, demo) {
        Ok(site) => site,
        Err(e) => {
            return fail(format!(
                "the demo partner's HTTP client cannot be built: {e}"
            ))
        }
    };
    match demo::serve(listener, site, super::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format!("the demo partner page failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_page_origins_follow_where_it_listens() {
        let origins = |addr: &str| default_origins(addr.parse().unwrap());
        assert_eq!(
            origins("127.0.0.1:8081"),
            ["http://127.0.0.1:8081", "http://localhost:8081"]
        );
        assert_eq!(
            origins("0.0.0.0:9000"),
            ["http://127.0.0.1:9000", "http://localhost:9000"]
        );
        assert_eq!(origins("192.0.2.7:8081"), ["http://192.0.2.7:8081"]);
        assert_eq!(origins("[::]:8081"), ["http://[::1]:8081"]);
    }

    #[test]
    fn the_quarry_url_must_be_an_http_base() {
        assert_eq!(
            quarry_base("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert_eq!(
            quarry_base(" https://quarry.example/base/ ").as_deref(),
            Ok("https://quarry.example/base")
        );
        for bad in ["127.0.0.1:8080", "ftp://quarry.example", "not a url", ""] {
            let err = quarry_base(bad).unwrap_err();
            assert!(err.starts_with("--quarry-url"), "{bad}: {err}");
        }
    }
}
