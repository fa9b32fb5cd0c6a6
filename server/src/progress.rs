//! Progress bars for the operator commands: drawn on a terminal, silent otherwise
//! (scripts and CI logs get only the final summary line).

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Whether progress should be drawn: only when stderr is a terminal.
pub fn wanted() -> bool {
    std::io::stderr().is_terminal()
}

/// A bar over `len` bytes of a file.
pub fn bytes_bar(show: bool, len: u64, label: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_prefix(label.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:40}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// A bar over `len` items.
pub fn count_bar(show: bool, len: u64, label: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len).with_prefix(label.to_owned());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>12} [{bar:40}] {human_pos}/{human_len} ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}
