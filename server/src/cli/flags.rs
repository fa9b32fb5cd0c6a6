//! `quarry flags list`: the operator's view of data flags across every partner,
//! newest first, as a table or JSON lines.

use std::process::ExitCode;

use crate::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum FlagsCommand {
    /// List data flags, newest first.
    List {
        /// How many (at most 10,000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub async fn flags(store: &Store, command: FlagsCommand) -> ExitCode {
    let FlagsCommand::List { limit, json } = command;
    let rows = match store.data_flags(None, None, limit).await {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if json {
        for f in &rows {
            let line = serde_json::json!({
                "id": f.flag_id,
                "partner_id": f.tenant.partner_id,
                "mode": f.tenant.mode.as_str(),
                "partner_customer_id": f.partner_customer_id,
                "person_id": f.person_id,
                "reason": f.reason.as_str(),
                "note": f.note,
                "source": f.source.as_str(),
                "credited_units": f.credited_units,
                "created_at": crate::http::iso8601(f.created_at),
            });
            println!("{line}");
        }
        return ExitCode::SUCCESS;
    }
    if rows.is_empty() {
        println!("no data flags");
        return ExitCode::SUCCESS;
    }
    println!(
        "{:<20}  {:<26}  {:<5}  {:<16}  {:<14}  {:>7}  note",
        "created", "partner", "mode", "person", "reason", "credit"
    );
    for f in &rows {
        let note: String = f.note.as_deref().unwrap_or("").chars().take(40).collect();
        println!(
            "{:<20}  {:<26}  {:<5}  {:<16}  {:<14}  {:>7}  {note}",
            crate::http::iso8601(f.created_at),
            f.tenant.partner_id,
            f.tenant.mode.as_str(),
            f.person_id,
            f.reason.as_str(),
            f.credited_units,
        );
    }
    ExitCode::SUCCESS
}
