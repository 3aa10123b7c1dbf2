//! Messages to the person at the terminal: step lines, warnings and spinners
//! on stderr. Results (tables, JSON) go to stdout and are `render`'s. Nothing
//! here decides what happened; it only tells.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{HumanCount, MultiProgress, ProgressBar, ProgressStyle};

/// A name from outside (a file name) as it may be printed: control
/// characters escaped (`\n`, `\u{1b}`), so that a name cannot start a line
/// of its own or drive the terminal.
pub fn shown(name: &str) -> std::borrow::Cow<'_, str> {
    if name.chars().any(char::is_control) {
        name.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        name.into()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    /// Warnings (and progress on a terminal), no step lines: for a command
    /// whose output is its answer.
    Warnings,
    Normal,
    Verbose,
}

#[derive(Debug, Clone)]
pub struct Messages {
    verbosity: Verbosity,
    /// Spinners only on a terminal.
    progress: bool,
    /// Every bar is drawn through this, so two can show at once (the
    /// reading and the load) and lines printed meanwhile stay whole.
    bars: MultiProgress,
}

impl Messages {
    pub fn new(verbosity: Verbosity) -> Messages {
        Messages {
            verbosity,
            progress: verbosity > Verbosity::Quiet && std::io::stderr().is_terminal(),
            bars: MultiProgress::new(),
        }
    }

    /// No output at all: for tests and library callers.
    pub fn silent() -> Messages {
        Messages {
            verbosity: Verbosity::Quiet,
            progress: false,
            bars: MultiProgress::new(),
        }
    }

    /// A step of the run: "found 3 CSV files".
    pub fn step(&self, text: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Normal {
            self.bars.suspend(|| eprintln!("{}", text.as_ref()));
        }
    }

    /// Detail for `-v`: timings, fences, files written.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Verbose {
            self.bars.suspend(|| eprintln!("  {}", text.as_ref()));
        }
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Warnings {
            self.bars
                .suspend(|| eprintln!("warning: {}", text.as_ref()));
        }
    }

    /// A bar over `total` bytes with throughput and ETA, for reading input.
    /// Hidden when stderr is not a terminal.
    pub fn bytes_bar(&self, text: &str, total: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = self
            .bars
            .add(ProgressBar::new(total).with_message(text.to_owned()));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    }

    /// A bar over `total` items (days of a backfill) with the current one
    /// as its message and time left. Hidden when stderr is not a terminal.
    pub fn items_bar(&self, unit: &str, total: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = self.bars.add(ProgressBar::new(total));
        let template = format!("{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}} left)");
        bar.set_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    }

    /// A bar over at most `total` rows with rows per second and time left,
    /// for a load. Hidden when stderr is not a terminal.
    pub fn rows_bar(&self, text: impl Into<String>, total: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = self
            .bars
            .add(ProgressBar::new(total).with_message(text.into()));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} [{bar:30}] {human_pos}/{human_len} rows ({rate}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{} rows/s", HumanCount(state.per_sec() as u64));
                },
            )
            .progress_chars("=> "),
        );
        bar
    }

    /// A spinner for a stage that may take more than a moment; cleared when
    /// dropped. Hidden when stderr is not a terminal.
    pub fn spinner(&self, text: impl Into<String>) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = self
            .bars
            .add(ProgressBar::new_spinner().with_message(text.into()));
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }
}
