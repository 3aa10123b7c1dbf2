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
    let test = Test::new();
    test.clone()
        .args(&[
            "generate",
            "--rows",
            "30000",
            "--date",
            "2026-11-25",
            "--out",
            "day",
        ])
        .run()
        .code(0);
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
