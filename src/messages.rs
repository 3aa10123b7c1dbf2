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

/// `text` with its words wrapped at `width` columns, each wrapped line
/// going on indented by two spaces; unchanged without a width. Line breaks
/// in `text` are kept; a word longer than a line stays whole.
pub fn wrapped(text: &str, width: Option<u16>) -> String {
    let Some(width) = width.map(usize::from) else {
        return text.to_owned();
    };
    text.split('\n')
        .map(|line| wrap_line(line, width))
        .collect::<Vec<_>>()
        .join("\n")
}

fn wrap_line(line: &str, width: usize) -> String {
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    let mut out = " ".repeat(indent);
    let mut column = indent;
    for (i, word) in body.split(' ').enumerate() {
        let length = word.chars().count();
        if i > 0 && column + 1 + length > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent + 2));
            column = indent + 2;
        } else if i > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += length;
    }
    out
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
            let text = self.fitted(&terminal_text(text.as_ref()));
            self.bars.suspend(|| eprintln!("{text}"));
        }
    }

    /// `text` with its words wrapped at the terminal's width when stderr is
    /// one (a pipe gets it whole, one line per message).
    fn fitted(&self, text: &str) -> String {
        if self.progress {
            wrapped(text, Some(stderr_width()))
        } else {
            text.to_owned()
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
            let text = self.fitted(&format!("warning: {}", terminal_text(text.as_ref())));
            self.bars.suspend(|| eprintln!("{text}"));
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
        bar.set_style(bar_style(text, BYTES_TAILS, stderr_width()));
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
            "",
            (
                &format!("{{pos:>3}}/{{len}} {unit} ({{eta:>3}} left)"),
                &format!("{{pos:>3}}/{{len}} {unit}"),
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
        let text = text.into();
        let bar = self
            .bars
            .add(ProgressBar::new(total).with_message(text.clone()));
        bar.set_style(bar_style(&text, ROWS_TAILS, stderr_width()).with_key(
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
        // The message is cut to the line, so that the spinner never wraps.
        let room = usize::from(stderr_width()).saturating_sub(14).max(10);
        let bar = self
            .bars
            .add(ProgressBar::new_spinner().with_message(cut(&text.into(), room)));
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }
}

/// `text` in at most `room` characters, ending in `…` when cut.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// What follows the bar of bytes read: with room, and on a narrow terminal.
const BYTES_TAILS: (&str, &str) = (
    "{binary_bytes:>10}/{binary_total_bytes} ({binary_bytes_per_sec:>12}, {eta:>3} left)",
    "{binary_bytes:>10}/{binary_total_bytes} {eta:>3}",
);
/// The same for rows loaded (`rate` is a key of [`Messages::rows_bar`]).
const ROWS_TAILS: (&str, &str) = (
    "{human_pos:>11}/{human_len} rows ({rate:>15}, {eta:>3} left)",
    "{human_pos:>11}/{human_len} rows",
);

fn stderr_width() -> u16 {
    terminal_size::terminal_size_of(std::io::stderr()).map_or(80, |(w, _)| w.0)
}

/// A bar's style fitted to `width` columns, so that it takes one line: a
/// short `message` is followed by a bar that fills what the tail leaves;
/// a long one fills what a fixed bar and the tail leave (cut short on a
/// narrow terminal). Below 100 columns the bar is shorter and the narrow
/// tail (`tails.1`) replaces the full one. The tail's numbers are padded,
/// so that nothing shifts as they grow.
fn bar_style(message: &str, tails: (&str, &str), width: u16) -> ProgressStyle {
    let (bar, tail) = match width {
        120.. => (30, tails.0),
        100..120 => (20, tails.0),
        80..100 => (20, tails.1),
        _ => (10, tails.1),
    };
    // The tail's widest (padded numbers, "1023.99 MiB", a long time left).
    const TAIL_MOST: usize = 64;
    let short = message.chars().count() + 2 + bar + 2 + TAIL_MOST <= usize::from(width);
    let template = if short {
        format!("{{msg}} [{{wide_bar}}] {tail}")
    } else {
        format!("{{wide_msg}} [{{bar:{bar}}}] {tail}")
    };
    ProgressStyle::with_template(&template)
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
        drawn_with(
            "loading into mysql://etl:***@warehouse.example.com:3306/sales",
            tails,
            width,
            total,
        )
    }

    /// The lines of a bar with `message` drawn at `width` columns.
    fn drawn_with(message: &str, tails: (&str, &str), width: u16, total: u64) -> Vec<String> {
        let screen = Screen {
            width,
            text: Arc::default(),
        };
        let bar = ProgressBar::with_draw_target(
            Some(total),
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        )
        .with_message(message.to_owned());
        bar.set_style(bar_style(message, tails, width).with_key(
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

    /// A short message is not padded across a wide terminal: the bar
    /// follows it and takes the room, and the line still fits.
    #[test]
    fn a_short_message_is_followed_by_its_bar() {
        for width in [60u16, 80, 160, 220] {
            for line in drawn_with("reading", BYTES_TAILS, width, 3 << 30) {
                assert!(line.chars().count() <= usize::from(width), "{line}");
                if width >= 160 {
                    assert!(line.starts_with("reading [==="), "{width}: {line}");
                }
            }
        }
        // The numbers keep their columns as they grow.
        let early = drawn_with("reading", BYTES_TAILS, 160, 3 << 30);
        let at = |lines: &[String]| lines[0].find('/').unwrap();
        let screen = Screen {
            width: 160,
            text: Arc::default(),
        };
        let bar = ProgressBar::with_draw_target(
            Some(3 << 30),
            ProgressDrawTarget::term_like(Box::new(screen.clone())),
        )
        .with_message("reading");
        bar.set_style(bar_style("reading", BYTES_TAILS, 160));
        bar.set_position(5);
        bar.abandon();
        let small: Vec<String> = screen
            .text
            .lock()
            .unwrap()
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        assert_eq!(at(&early), at(&small), "{early:?} {small:?}");
    }
}
