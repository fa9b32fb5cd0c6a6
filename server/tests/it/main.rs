//! Integration tests: one binary, one contract suite. Every test that touches the
//! store runs against SQLite and PostgreSQL through `contract!`, so neither backend
//! has behaviour only its own tests cover.

mod api;
mod receiver;
mod support;

mod accounts_cli;
mod buying;
mod cli;
mod companies;
mod customers;
mod data;
mod data_flags;
mod delivery_faults;
mod demo;
mod demo_data;
mod embed;
mod exclusions;
mod facets;
mod fuzz;
mod http;
mod idempotency;
mod jobs;
mod partner_api;
mod prospecting;
mod purchases;
mod push;
mod replica_changes;
mod replicas;
mod sandbox;
mod saved_searches;
mod search;
mod semantics;
mod shapes;
mod snapshots;
mod spend;
mod stored_answers;
mod suppressions;
mod usage;
mod verification;
mod webhooks;
mod working;
