//! The `quarry` binary: parses the command line and hands over to `cli::execute`.
#![forbid(unsafe_code)]

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = quarry_server::cli::Cli::parse();
    quarry_server::telemetry::init(&cli.global.log_format, &cli.global.log);
    quarry_server::cli::execute(cli).await
}
