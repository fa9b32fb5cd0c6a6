//! Integration tests: one binary, one contract suite. Every test that touches the
//! store runs against SQLite and PostgreSQL through `contract!`, so neither backend
//! has behaviour only its own tests cover.

mod support;

mod cli;
mod companies;
mod data;
mod fuzz;
mod http;
mod search;
