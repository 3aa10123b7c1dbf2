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

/// `"s"` unless `n` is one: `format!("{n} file{}", plural(n))`. The one
/// plural of every message.
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) {
        ""
    } else {
        "s"
    }
}

/// A message for the terminal, every line of it [`shown`]: the one way
/// step lines, details and warnings reach stderr, so that a value from data
/// or a file name inside one cannot drive the terminal either. Line breaks
/// the message itself holds stay.
fn terminal_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(|c| c.is_control() && c != '\n') {
        text.split('\n')
            .map(shown)
            .collect::<Vec<_>>()
            .join("\n")
            .into()
    } else {
        text.into()
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
            self.bars
                .suspend(|| eprintln!("{}", terminal_text(text.as_ref())));
        }
    }

    /// Detail for `-v`: timings, fences, files written.
    pub fn detail(&self, text: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Verbose {
            self.bars
                .suspend(|| eprintln!("  {}", terminal_text(text.as_ref())));
        }
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        if self.verbosity >= Verbosity::Warnings {
            self.bars
                .suspend(|| eprintln!("warning: {}", terminal_text(text.as_ref())));
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
        bar.set_style(bar_style(BYTES_TAILS, stderr_width()));
        bar
    }

    /// A bar over `total` items (days of a backfill) with the current one
    /// as its message and time left. Hidden when stderr is not a terminal.
    pub fn items_bar(&self, unit: &str, total: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = self.bars.add(ProgressBar::new(total));
        bar.set_style(bar_style(
            (
                &format!("{{pos}}/{{len}} {unit} ({{eta}} left)"),
                &format!("{{pos}}/{{len}} {unit}"),
            ),
            stderr_width(),
        ));
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
        bar.set_style(bar_style(ROWS_TAILS, stderr_width()).with_key(
            "rate",
            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{} rows/s", HumanCount(state.per_sec() as u64));
            },
        ));
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

/// What follows the bar of bytes read: with room, and on a narrow terminal.
const BYTES_TAILS: (&str, &str) = (
    "{binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta} left)",
    "{binary_bytes}/{binary_total_bytes} {eta}",
);
/// The same for rows loaded (`rate` is a key of [`Messages::rows_bar`]).
const ROWS_TAILS: (&str, &str) = (
    "{human_pos}/{human_len} rows ({rate}, {eta} left)",
    "{human_pos}/{human_len} rows",
);

fn stderr_width() -> u16 {
    terminal_size::terminal_size_of(std::io::stderr()).map_or(80, |(w, _)| w.0)
}

/// A bar's style fitted to `width` columns, so that it takes one line: the
/// message fills what the bar and the tail leave (cut short on a narrow
/// terminal); below 100 columns the bar is shorter and the narrow tail
/// (`tails.1`) replaces the full one.
fn bar_style(tails: (&str, &str), width: u16) -> ProgressStyle {
    let (bar, tail) = match width {
        120.. => (30, tails.0),
        100..120 => (20, tails.0),
        80..100 => (20, tails.1),
        _ => (10, tails.1),
    };
    ProgressStyle::with_template(&format!("{{wide_msg}} [{{bar:{bar}}}] {tail}"))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use indicatif::{ProgressDrawTarget, TermLike};

    use super::*;

    /// A terminal of `width` columns that keeps what is drawn on it.
    #[derive(Debug, Clone)]
    struct Screen {
        width: u16,
        text: Arc<Mutex<String>>,
    }

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.text.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            // A line drawn again starts afresh.
            self.write_str("\n")
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The lines of a bar drawn at `width` columns, its message long.
    fn drawn(tails: (&str, &str), width: u16, total: u64) -> Vec<String> {
        let screen = Screen {
            width,
            text: Arc::default(),
        };
        let bar = ProgressBar::with_draw_target(
            Some(total),
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        )
        .with_message("loading into mysql://etl:***@warehouse.example.com:3306/sales");
        bar.set_style(bar_style(tails, width).with_key(
            "rate",
            |_: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "1,234,567 rows/s");
            },
        ));
        bar.set_position(total / 3);
        bar.abandon();
        let text = screen.text.lock().unwrap().clone();
        text.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Issue "the analyst's terminal": a bar takes one line at 60 columns
    /// and more; the message is cut, never the numbers.
    #[test]
    fn bars_take_one_line_at_60_columns_and_more() {
        for width in [60u16, 80, 100, 120, 200] {
            for (tails, total) in [(BYTES_TAILS, 3 << 40), (ROWS_TAILS, 98_765_432_109)] {
                let lines = drawn(tails, width, total);
                assert!(!lines.is_empty(), "nothing drawn at {width}");
                for line in &lines {
                    let columns = line.chars().count();
                    assert!(columns <= usize::from(width), "{columns} > {width}: {line}");
                    assert!(line.contains("] "), "{line}");
                }
            }
        }
        let wide = drawn(ROWS_TAILS, 120, 1000).join("\n");
        assert!(wide.contains("rows/s"), "{wide}");
    }
}
