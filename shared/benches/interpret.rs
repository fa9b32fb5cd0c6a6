//! Interpreter speed (issue 3: "inputs up to 10 KB handled in well under a
//! millisecond"), measured here rather than asserted in tests: the example
//! queries, the benchmark query list, a 10 KB query, a pasted list of every
//! city, and `roles_in_title` over typical titles. The widget runs the same code
//! in WASM on every keystroke, so the short-query figures are its budget too.
//!
//! `cargo bench -p quarry-shared --bench interpret` (part of `make bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use quarry_shared::interpret::{interpret, roles_in_title};
use quarry_shared::taxonomy::EXAMPLE_QUERIES;

/// The queries `make bench` also runs against the index and over HTTP.
const BENCH_QUERIES: &str = include_str!("../../server/benches/queries.txt");

const TITLES: &[&str] = &[
    "Founder & CEO",
    "Chief Marketing Officer",
    "VP of Sales",
    "Senior Software Engineer",
    "Director of Human Resources",
    "Head of Growth Marketing",
    "Broker/Owner",
    "Registered Nurse",
    "Regional Sales Manager, West",
    "Co-Founder and Chief Technology Officer",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Runs `f` over every input `rounds` times (after one warm-up pass) and prints
/// p50 / p99 / max per call, with the target when there is one.
fn measure(name: &str, inputs: &[String], rounds: usize, target: Option<Duration>, f: fn(&str)) {
    for q in inputs {
        f(q);
    }
    let mut took = Vec::with_capacity(inputs.len() * rounds);
    for _ in 0..rounds {
        for q in inputs {
            let started = Instant::now();
            f(q);
            took.push(started.elapsed());
        }
    }
    took.sort_unstable();
    let p50 = percentile(&took, 0.5);
    let p99 = percentile(&took, 0.99);
    let max = took[took.len() - 1];
    let verdict = match target {
        Some(t) if max <= t => format!("  (target ≤ {t:?}: met)"),
        Some(t) => format!("  (target ≤ {t:?}: MISSED)"),
        None => String::new(),
    };
    println!(
        "{name:<44} n={:<6} p50 {p50:>10.2?}  p99 {p99:>10.2?}  max {max:>10.2?}{verdict}",
        took.len()
    );
}

/// About 10,000 bytes of real query words (the example queries, cycled): roles,
/// places and sizes to match all the way through, the interpreter's worst case.
fn ten_kilobytes() -> String {
    let mut out = String::new();
    for q in EXAMPLE_QUERIES.iter().cycle() {
        if out.len() + q.len() + 2 > 10_000 {
            break;
        }
        out.push_str(q);
        out.push_str(", ");
    }
    out
}

fn run_interpret(q: &str) {
    black_box(interpret(black_box(q)));
}

fn run_titles(t: &str) {
    black_box(roles_in_title(black_box(t)));
}

fn main() {
    let cold = Instant::now();
    black_box(interpret(
        "CMOs of SaaS companies with 50+ employees in Nevada",
    ));
    println!(
        "first call (builds the vocabulary tables): {:.2?}",
        cold.elapsed()
    );

    let examples: Vec<String> = EXAMPLE_QUERIES.iter().map(|q| (*q).to_owned()).collect();
    measure("example queries", &examples, 500, None, run_interpret);

    let bench: Vec<String> = BENCH_QUERIES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    measure(
        "benchmark queries (server/benches)",
        &bench,
        200,
        None,
        run_interpret,
    );

    let long = ten_kilobytes();
    let label = format!("a {}-byte query", long.len());
    measure(
        &label,
        &[long],
        200,
        Some(Duration::from_millis(1)),
        run_interpret,
    );

    let cities: Vec<&str> = quarry_shared::geo::CITIES.iter().map(|c| c.name).collect();
    let every_city = format!("CEOs in {}", cities.join(", "));
    let label = format!("every city pasted ({} bytes)", every_city.len());
    measure(&label, &[every_city], 50, None, run_interpret);

    let titles: Vec<String> = TITLES.iter().map(|t| (*t).to_owned()).collect();
    measure("roles_in_title", &titles, 2_000, None, run_titles);
}
