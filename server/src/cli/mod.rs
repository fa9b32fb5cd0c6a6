//! The operator's command line: `serve`, `migrate`, `import`, `seed-demo`,
//! `export-csv`, and partner accounts (`partner`, `key`, `demo-partner`, in
//! [`accounts`]). Every flag has a `QUARRY_*` environment variable, shown by `--help`.
//! Summaries go to stdout, problems to stderr; the exit code says which.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};

mod accounts;
mod flags;

use crate::config::{GlobalConfig, ServeConfig};
use crate::data::{export, import};
use crate::store::{redact_url, ConnectOptions, Store};
use crate::{progress, seed};

/// Quarry: embeddable B2B prospecting. Runs the server and the operator's data tools.
#[derive(Debug, Parser)]
#[command(name = "quarry", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalConfig,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the widget (applies pending migrations first).
    Serve(ServeConfig),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import companies and people from CSV files (see the README for the columns).
    Import(ImportArgs),
    /// Generate the deterministic demo data set.
    SeedDemo(SeedArgs),
    /// Write the data set as companies.csv and people.csv (the format `import` reads).
    ExportCsv(ExportArgs),
    /// Partner accounts.
    #[command(subcommand)]
    Partner(accounts::PartnerCommand),
    /// A partner's secret API keys: create, list, revoke, rotate.
    #[command(subcommand)]
    Key(accounts::KeyCommand),
    /// Data flags partners and their customers reported.
    #[command(subcommand)]
    Flags(flags::FlagsCommand),
    /// Set up (once) the demo partner, its embed key and a demo customer with credits,
    /// then serve its demo CRM page with the widget embedded (until Ctrl-C).
    DemoPartner(accounts::DemoArgs),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Companies CSV file.
    #[arg(long, env = "QUARRY_IMPORT_COMPANIES")]
    pub companies: Option<PathBuf>,
    /// People CSV file (their company_id must be in --companies or already imported).
    #[arg(long, env = "QUARRY_IMPORT_PEOPLE")]
    pub people: Option<PathBuf>,
    /// Import the valid rows and report the invalid ones, instead of importing nothing.
    #[arg(long, env = "QUARRY_IMPORT_SKIP_INVALID")]
    pub skip_invalid: bool,
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Number of people to generate (companies follow from their sizes).
    #[arg(long, env = "QUARRY_SEED_PEOPLE", default_value_t = 250_000,
          value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    pub people: u64,
    /// Random seed: the same seed always generates the same rows.
    #[arg(long, env = "QUARRY_SEED", default_value_t = 42)]
    pub seed: u64,
    /// Do nothing if the database already holds people (for first-run set-up).
    #[arg(long, env = "QUARRY_SEED_IF_EMPTY")]
    pub if_empty: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Directory to write companies.csv and people.csv into (created if missing).
    #[arg(long, env = "QUARRY_EXPORT_OUT")]
    pub out: PathBuf,
}

/// Runs a parsed command line.
pub async fn execute(cli: Cli) -> ExitCode {
    let url = cli.global.database_url();
    let options = match &cli.command {
        Command::Serve(config) => ConnectOptions {
            max_connections: config
                .db_max_connections
                .unwrap_or(if url.starts_with("sqlite:") { 4 } else { 16 }),
            ..ConnectOptions::default()
        },
        // Bulk commands hold one long transaction or stream; slowness is expected.
        _ => ConnectOptions {
            max_connections: 4,
            slow_statement: Duration::from_secs(600),
            ..ConnectOptions::default()
        },
    };
    let options = ConnectOptions {
        statement_cache: cli
            .global
            .db_statement_cache_capacity
            .map(|n| usize::try_from(n).unwrap_or(0)),
        ..options
    };
    // Behind PgBouncer in transaction mode, migrations run over the direct URL.
    if let Some(direct) = cli.global.database_listen_url.as_deref() {
        match Store::open(direct, &ConnectOptions::default()).await {
            Ok(store) => store.close().await,
            Err(e) => {
                eprintln!("error: cannot migrate through {}: {e}", redact_url(direct));
                return ExitCode::from(2);
            }
        }
    }
    let opened = if cli.global.database_listen_url.is_some() {
        Store::connect(&url, &options).await
    } else {
        Store::open(&url, &options).await
    };
    let store = match opened {
        // The change feed listens over the direct URL, never through PgBouncer.
        Ok(store) => match cli.global.database_listen_url.as_deref() {
            Some(direct) => store.with_listen_url(direct),
            None => store,
        },
        Err(e) => {
            eprintln!("error: cannot open the database {}: {e}", redact_url(&url));
            return ExitCode::from(2);
        }
    };
    let code = match cli.command {
        Command::Serve(mut config) => {
            if config.index_snapshot_dir.is_none() {
                config.index_snapshot_dir = sqlite_file(&url).map(|file| {
                    let mut dir = file.into_os_string();
                    dir.push(".index");
                    dir.into()
                });
            }
            serve(config, store.clone()).await
        }
        Command::Migrate => {
            println!("database {} is up to date", redact_url(&url));
            ExitCode::SUCCESS
        }
        Command::Import(args) => run_import(&store, args).await,
        Command::SeedDemo(args) => run_seed(&store, args).await,
        Command::ExportCsv(args) => run_export(&store, args).await,
        Command::Partner(command) => accounts::partner(&store, command).await,
        Command::Key(command) => accounts::key(&store, command).await,
        Command::DemoPartner(args) => accounts::demo_partner(&store, args).await,
        Command::Flags(command) => flags::flags(&store, command).await,
    };
    store.close().await;
    code
}

async fn serve(config: ServeConfig, store: Store) -> ExitCode {
    let hint = "Is another quarry running? Choose another address with --bind (QUARRY_BIND), \
                e.g. `make run PORT=8090`.";
    let listener = match listen(config.bind, hint).await {
        Ok(listener) => listener,
        Err(code) => return code,
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, database = store.backend().as_str(), "quarry is listening");
    println!("Quarry is running:");
    println!("  loader   http://{addr}/embed.js (partners embed the widget with it)");
    println!("  health   http://{addr}/healthz");
    println!("  API      http://{addr}/v1/openapi.json");
    match crate::run(config, store, listener, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: server failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
/// Binds `addr`, or says why not (with `in_use_hint` when another process holds
/// it) and gives the exit code.
pub(crate) async fn listen(
    addr: std::net::SocketAddr,
    in_use_hint: &str,
) -> Result<tokio::net::TcpListener, ExitCode> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            eprintln!("error: {addr} is already in use. {in_use_hint}");
        } else {
            eprintln!("error: cannot listen on {addr}: {e}");
        }
        ExitCode::from(2)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn run_import(store: &Store, args: ImportArgs) -> ExitCode {
    let started = Instant::now();
    let options = import::ImportOptions {
        companies: args.companies,
        people: args.people,
        skip_invalid: args.skip_invalid,
        progress: progress::wanted(),
    };
    match import::import(store, &options).await {
        Ok(report) => {
            for e in &report.errors {
                eprintln!("{e}");
            }
            println!(
                "imported {} companies and {} people in {:.1} s{}",
                report.companies,
                report.people,
                started.elapsed().as_secs_f64(),
                if report.errors.is_empty() {
                    String::new()
                } else {
                    format!("; skipped {} invalid row(s)", report.errors.len())
                }
            );
            ExitCode::SUCCESS
        }
        Err(import::ImportError::Rejected(report)) => {
            for e in &report.errors {
                eprintln!("{e}");
            }
            eprintln!(
                "error: {} invalid row(s); nothing was imported (fix them, or pass --skip-invalid to import the valid rows)",
                report.errors.len()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}; nothing was imported");
            ExitCode::FAILURE
        }
    }
}

async fn run_seed(store: &Store, args: SeedArgs) -> ExitCode {
    if args.if_empty {
        match store.data_counts().await {
            Ok((_, people)) if people > 0 => {
                println!("the database already holds {people} people; not seeding");
                return ExitCode::SUCCESS;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let started = Instant::now();
    let options = seed::SeedOptions {
        people: args.people,
        seed: args.seed,
        progress: progress::wanted(),
    };
    match seed::seed_demo(store, &options).await {
        Ok(report) => {
            println!(
                "seeded {} companies and {} people (seed {}) in {:.1} s",
                report.companies,
                report.people,
                args.seed,
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: seeding failed: {e}; nothing was written");
            ExitCode::FAILURE
        }
    }
}

async fn run_export(store: &Store, args: ExportArgs) -> ExitCode {
    let started = Instant::now();
    match export::export(store, &args.out).await {
        Ok(report) => {
            println!(
                "exported {} companies and {} people to {} in {:.1} s",
                report.companies,
                report.people,
                args.out.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: export failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The file of a `sqlite://PATH` URL (`None` for memory databases and PostgreSQL).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}
