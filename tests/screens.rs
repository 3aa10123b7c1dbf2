//! Issue "the analyst's terminal": screens at 60, 80 and 120 columns
//! (`COLUMNS`, as a terminal of that width would give) with no wrapped
//! number, date or header, and no line wider than the screen; a pipe
//! (no `COLUMNS`) gets the whole tables.

use std::collections::HashMap;

use crate::util::Test;

const WIDTHS: [u16; 3] = [60, 80, 120];

/// A generated day big enough for numbers in the millions, a run of it
/// into SQLite, and the commands whose screens are checked.
fn screens() -> (Test, Vec<Vec<String>>) {
    let test = crate::db::generated(30_000, 1);
    test.clone()
        .args(&["run", "day", "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let commands = [
        vec!["run", "day", "--no-db", "--dry-run"],
        vec![
            "run",
            "day",
            "--no-db",
            "--dry-run",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-26",
        ],
        vec!["report", "--date", "2026-11-25", "--db", "sqlite://w.db"],
        vec![
            "query",
            "SELECT * FROM sales ORDER BY transaction_id LIMIT 3",
            "day",
        ],
        vec![
            "query",
            "SELECT * FROM reporting_daily_sales",
            "--db",
            "sqlite://w.db",
        ],
    ];
    let commands = commands
        .iter()
        .map(|c| c.iter().map(|a| a.to_string()).collect())
        .collect();
    (test, commands)
}

/// A table line's cells, trimmed (borders and column separators split).
fn cells(line: &str) -> Vec<String> {
    line.trim_matches('│')
        .split('┆')
        .map(|c| c.trim().to_owned())
        .collect()
}

/// A cell that is a number, an amount or a date, or a piece of one.
fn numeric(cell: &str) -> bool {
    cell != "-"
        && !cell.is_empty()
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-'))
}

/// How often each number, amount or date is a cell of a table in `text`.
fn numeric_cells(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for cell in text
        .lines()
        .filter(|l| l.starts_with('│'))
        .flat_map(cells)
        .filter(|c| numeric(c))
    {
        *counts.entry(cell).or_default() += 1;
    }
    counts
}

/// Checks a screen of `width` columns against the whole tables' cells: no
/// line is wider, every header is one line, and every number, amount or
/// date is a whole one, no more often than in the whole tables (columns
/// may be left out; a number split over two lines would make a piece that
/// is not a value, or one value more).
#[track_caller]
fn check_screen(text: &str, width: u16, whole: &HashMap<String, usize>, what: &str) {
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        let columns = line.chars().count();
        assert!(
            columns <= usize::from(width),
            "{what}: a line of {columns} > {width} columns:\n{line}\n{text}"
        );
    }
    for (i, line) in lines.iter().enumerate() {
        // A header is one line: the border above it, the rule below.
        if line.starts_with('╞') {
            assert!(
                i >= 2 && lines[i - 2].starts_with('╭'),
                "{what}: a header on more than one line at {width}:\n{text}"
            );
        }
    }
    for (cell, count) in numeric_cells(text) {
        let wanted = whole.get(&cell).copied().unwrap_or(0);
        assert!(
            count <= wanted,
            "{what}: `{cell}` {count} times at {width} columns, {wanted} in the whole tables:\n{text}"
        );
    }
}

#[test]
fn screens_at_60_80_and_120_columns_wrap_no_number_date_or_header() {
    let (test, commands) = screens();
    for command in &commands {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        let what = args.join(" ");
        let whole = test.clone().args(&args).run().code(0).stdout;
        let whole_cells = numeric_cells(&whole);
        assert!(!whole_cells.is_empty(), "{what}: no table\n{whole}");
        for width in WIDTHS {
            let screen = test
                .clone()
                .args(&args)
                .env("COLUMNS", &width.to_string())
                .run()
                .code(0)
                .stdout;
            check_screen(&screen, width, &whole_cells, &what);
        }
    }
}

/// What was left out to fit is said; a pipe gets every column.
#[test]
fn left_out_columns_are_named() {
    let test = Test::new().args(&["query", "SELECT * FROM sales LIMIT 3"]);
    let samples = format!("{}/samples", env!("CARGO_MANIFEST_DIR"));
    let narrow = test
        .clone()
        .args(&[&samples, "--vertical", "false"])
        .env("COLUMNS", "60")
        .run()
        .code(0)
        .stdout;
    assert!(
        narrow
            .contains("10 of 12 columns left out to fit 60 columns:\n  timestamp, date, channel,"),
        "{narrow}"
    );
    // Without --vertical false, so few columns fitting turns the rows
    // vertical, one field per line, and says so.
    let vertical = test
        .clone()
        .args(&[&samples])
        .env("COLUMNS", "60")
        .run()
        .code(0)
        .stdout;
    assert!(vertical.starts_with("─[ row 1 ]"), "{vertical}");
    assert!(vertical.contains("\nsource_line    │ "), "{vertical}");
    assert!(vertical.contains("─[ row 3 ]"), "{vertical}");
    assert!(
        vertical.contains("3 rows; only 2 of 12 columns fit 60 columns: one field per\n  line"),
        "{vertical}"
    );
    for line in vertical.lines() {
        assert!(line.chars().count() <= 60, "{line}");
    }
    let asked = test
        .clone()
        .args(&[&samples, "--vertical"])
        .run()
        .code(0)
        .stdout;
    assert!(asked.contains("\ntransaction_id │ "), "{asked}");
    assert!(asked.ends_with("\n3 rows\n"), "{asked}");
    // The first and the last column stay, the `…` between them.
    assert!(
        narrow.contains("│ transaction_id ┆ … ┆ source_line │"),
        "{narrow}"
    );
    let whole = test.clone().args(&[&samples]).run().code(0).stdout;
    assert!(whole.contains("source_line"), "{whole}");
    assert!(!whole.contains("left out"), "{whole}");

    let summary = Test::new()
        .args(&["run", &samples, "--no-db", "--dry-run"])
        .env("COLUMNS", "60")
        .run()
        .code(0)
        .stdout;
    assert!(
        summary.contains("(orders left out to fit 60 columns;"),
        "{summary}"
    );
    assert!(summary.contains("│ file "), "{summary}");
    assert!(summary.contains("┆ dupl. ┆"), "{summary}");
}

/// Issue "the analyst's week": on a terminal of 60, 80 and 160 columns (a
/// pty that `script` makes, sized with `stty`), no step line, warning,
/// spinner or progress-bar frame is wider than the terminal, whatever the
/// bars' numbers grow to, and the tables fit it too.
#[test]
fn step_lines_and_bars_on_a_terminal_fit_its_width() {
    let test = crate::db::generated(300_000, 1);
    for width in [60usize, 80, 160] {
        let line = format!(
            "stty cols {width} rows 50; exec '{}' run day --db sqlite://w{width}.db",
            env!("CARGO_BIN_EXE_sales-etl")
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .current_dir(test.dir())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("script runs");
        let screen = without_escapes(&String::from_utf8_lossy(&out.stdout));
        assert!(out.status.success(), "{screen}");
        // What a run says on the way, whole words on each line.
        for said in ["found 3 CSV files", "loaded"] {
            assert!(screen.contains(said), "`{said}` at {width}:\n{screen}");
        }
        // At 60 columns a file name breaks after its `_`, not mid-name.
        if width == 60 {
            assert!(
                screen.contains("│ mobile_ ") && screen.contains("│ 2026-11-25.csv "),
                "{screen}"
            );
        }
        for frame in screen.split(['\r', '\n']) {
            assert!(
                frame.chars().count() <= width,
                "a line of {} > {width} columns:\n{frame}\n\n{screen}",
                frame.chars().count()
            );
        }
    }
}

/// `text` without terminal control sequences (CSI, OSC and two-byte
/// escapes), as the screen shows it.
fn without_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters, then one final byte from @ to ~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: to BEL or ESC \.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}
