//! Period reports (`report` with no date, `--last`, `--by`): generated days
//! backfilled into SQLite (and MariaDB), each figure held to the sums of the
//! generated days' own truths, and the partial days marked.

use std::collections::BTreeMap;

use mysql::prelude::Queryable;
use serde_json::Value;

use crate::db::sqlite_rows;
use crate::util::Test;

/// The first and last generated day: Monday of ISO week 46 to Wednesday of
/// week 48 of 2026.
const FIRST: u32 = 9;
const LAST: u32 = 25;

fn date(day: u32) -> String {
    format!("2026-11-{day:02}")
}

/// Days 9 to 25 of November generated (700 rows each) and backfilled into
/// `w.db`; the 25th is only its store file, as if the others were late.
/// Returns the test and the truth's revenue in cents per (date, channel)
/// of the files loaded.
fn three_weeks() -> (Test, BTreeMap<(String, String), u64>) {
    let test = Test::new();
    let mut revenue = BTreeMap::new();
    for day in FIRST..=LAST {
        let (day, out) = (date(day), format!("gen/{}", date(day)));
        test.clone()
            .args(&[
                "generate",
                "--rows",
                "700",
                "--date",
                &day,
                "--out",
                &out,
                "--seed",
                &day[8..],
            ])
            .run()
            .code(0);
        let channels: &[&str] = if day == date(LAST) {
            &["store"]
        } else {
            &["web", "mobile", "store"]
        };
        let input = test.dir().join("input");
        std::fs::create_dir_all(&input).unwrap();
        for channel in channels {
            let name = format!("{channel}_{day}.csv");
            std::fs::copy(test.dir().join(&out).join(&name), input.join(&name)).unwrap();
        }
        let truth: Value = serde_json::from_str(
            &std::fs::read_to_string(test.dir().join(&out).join("_truth.json")).unwrap(),
        )
        .unwrap();
        for row in truth["daily_sales"].as_array().unwrap() {
            let channel = row["channel"].as_str().unwrap();
            if channels.contains(&channel) {
                *revenue
                    .entry((row["date"].as_str().unwrap().to_owned(), channel.to_owned()))
                    .or_insert(0) += cents(row["revenue"].as_str().unwrap());
            }
        }
    }
    backfill(&test, "sqlite://w.db");
    (test, revenue)
}

/// `run input --from FIRST --to LAST` into `db`.
fn backfill(test: &Test, db: &str) {
    test.clone()
        .args(&[
            "run",
            "input",
            "--from",
            &date(FIRST),
            "--to",
            &date(LAST),
            "--db",
            db,
            "-q",
        ])
        .run()
        .code(0);
}

fn cents(amount: &str) -> u64 {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
    whole.parse::<u64>().unwrap() * 100 + format!("{fraction:0<2}")[..2].parse::<u64>().unwrap()
}

/// The truth's revenue of `channel` (None: every channel) from day `from`
/// to day `to` of November.
fn truth_sum(
    truth: &BTreeMap<(String, String), u64>,
    from: u32,
    to: u32,
    channel: Option<&str>,
) -> u64 {
    truth
        .iter()
        .filter(|((d, c), _)| *d >= date(from) && *d <= date(to) && channel.is_none_or(|x| x == c))
        .map(|(_, cents)| cents)
        .sum()
}

fn report(test: &Test, args: &[&str]) -> crate::util::Output {
    let mut all = vec!["report", "--db", "sqlite://w.db"];
    all.extend(args);
    test.clone().args(&all).run()
}

#[test]
fn period_reports_add_up_compare_and_mark_partial_days() {
    let (test, truth) = three_weeks();

    // No date: the latest complete day, the 24th (the 25th has a fifth of
    // a day's rows).
    let latest = report(&test, &["--format", "json"]).code(0);
    latest.stderr_has("latest complete day 2026-11-24 (2026-11-25 is partial:");
    let latest = latest.json();
    let dates: Vec<&str> = latest["daily_sales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-11-24"; 3]);

    // Two weeks to the 24th: week 47 whole against week 46, week 48 to
    // Tuesday against week 47 to Tuesday.
    let weeks = report(&test, &["--last", "2w", "--format", "json"])
        .code(0)
        .json();
    assert_eq!(weeks["from"], "2026-11-16");
    assert_eq!(weeks["to"], "2026-11-24");
    assert_eq!(weeks["by"], "week");
    let row = |period: &str, channel: &str| -> Value {
        weeks["periods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["period"] == period && r["channel"] == channel)
            .unwrap_or_else(|| panic!("no {period} {channel}"))
            .clone()
    };
    let amount = |v: &Value| cents(v.as_str().unwrap());
    for channel in [Some("web"), Some("mobile"), Some("store"), None] {
        let name = channel.unwrap_or("all");
        let w47 = row("2026-W47", name);
        assert_eq!(
            amount(&w47["revenue"]),
            truth_sum(&truth, 16, 22, channel),
            "{name}"
        );
        assert_eq!(
            amount(&w47["previous_revenue"]),
            truth_sum(&truth, 9, 15, channel),
            "{name}"
        );
        let change =
            truth_sum(&truth, 16, 22, channel) as i64 - truth_sum(&truth, 9, 15, channel) as i64;
        let shown = w47["change"].as_str().unwrap();
        assert_eq!(
            shown
                .strip_prefix('-')
                .map_or(cents(shown) as i64, |c| -(cents(c) as i64)),
            change,
            "{name}"
        );
        assert_eq!(w47["partial"], false);
        let w48 = row("2026-W48", name);
        assert_eq!(w48["from"], "2026-11-23");
        assert_eq!(w48["to"], "2026-11-24");
        assert_eq!(amount(&w48["revenue"]), truth_sum(&truth, 23, 24, channel));
        assert_eq!(
            amount(&w48["previous_revenue"]),
            truth_sum(&truth, 16, 17, channel)
        );
    }
    // The whole range against the nine days before it: the 7th and 8th are
    // not whole days (the 8th is late rows only), so no change.
    let all = weeks["range"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(all["channel"], "all");
    assert_eq!(amount(&all["revenue"]), truth_sum(&truth, 16, 24, None));
    assert_eq!(all["change"], Value::Null);
    assert!(weeks["partial_days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == "2026-11-08" && d["why"].as_str().unwrap().contains("late row")));

    // Week 46 is compared with week 45, which has only the 8th's late
    // rows: not compared, and week 45 itself is partial.
    let three = report(&test, &["--last", "3w", "--format", "json"])
        .code(0)
        .json();
    let w46 = three["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["period"] == "2026-W46" && r["channel"] == "all")
        .unwrap()
        .clone();
    assert_eq!(w46["partial"], false);
    assert_eq!(w46["change"], Value::Null);

    // Days of a range, each against the day before.
    let days = report(
        &test,
        &[
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-25",
            "--by",
            "day",
            "--format",
            "csv",
        ],
    )
    .code(0)
    .stdout
    .clone();
    let lines: Vec<&str> = days.lines().collect();
    assert_eq!(
        lines[0],
        "period,from,to,channel,orders,units,revenue,partial,previous_revenue,change,change_percent"
    );
    // 6 days of 3 channels and an `all` row each (the 25th's web and
    // mobile have nothing stored: zero, and partial).
    assert_eq!(lines.len(), 1 + 6 * 4, "{days}");
    let the_25th: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("2026-11-25,"))
        .collect();
    assert!(
        the_25th.iter().all(|l| l.contains(",true,,,")),
        "{the_25th:?}"
    );

    // Top products of the range, against the warehouse's rows themselves.
    let top = report(
        &test,
        &[
            "--last",
            "2w",
            "--format",
            "csv",
            "--table",
            "top_products",
            "--top",
            "3",
        ],
    )
    .code(0)
    .stdout
    .clone();
    let by_rows = sqlite_rows(
        &test.dir().join("w.db"),
        "SELECT product_id, SUM(quantity), printf('%.2f', SUM(line_revenue_micros) / 1e6) FROM staging_sales \
         WHERE \"date\" BETWEEN '2026-11-16' AND '2026-11-24' GROUP BY product_id \
         ORDER BY SUM(quantity) DESC, SUM(line_revenue_micros) DESC, product_id LIMIT 3",
    );
    let mut expected = String::from("rank,product_id,units,revenue\n");
    for (rank, row) in by_rows.iter().enumerate() {
        expected.push_str(&format!("{},{}\n", rank + 1, row.join(",")));
    }
    assert_eq!(top, expected);

    // --out writes every table, atomically, one CSV each.
    report(&test, &["--last", "2w", "--out", "weekly", "-q"]).code(0);
    let mut written: Vec<String> = std::fs::read_dir(test.dir().join("weekly"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "partial_days_2026-11-16_2026-11-24.csv",
            "range_2026-11-16_2026-11-24.csv",
            "sales_by_week_2026-11-16_2026-11-24.csv",
            "top_products_2026-11-16_2026-11-24.csv"
        ]
    );

    // For people: the change with an arrow, a sparkline with its scale.
    let table = report(&test, &["--last", "2w"]).code(0);
    let shown = &table.stdout;
    assert!(shown.contains("2026-W47"), "{shown}");
    assert!(shown.contains('▲') || shown.contains('▼'), "{shown}");
    assert!(
        shown.contains("Revenue per day, 2026-11-16 to 2026-11-24"),
        "{shown}"
    );
    assert!(shown.contains("low ") && shown.contains("high "), "{shown}");
    assert!(
        shown.contains("Partial days (not compared)\n2026-11-08"),
        "{shown}"
    );

    // Every line fits the terminal, from 60 columns to 160.
    for width in [60, 80, 160] {
        let screen = test
            .clone()
            .args(&["report", "--db", "sqlite://w.db", "--last", "3w"])
            .env("COLUMNS", &width.to_string())
            .run()
            .code(0)
            .stdout
            .clone();
        for line in screen.lines() {
            assert!(line.chars().count() <= width, "{width}: {line}\n{screen}");
        }
        assert!(screen.contains("Top products"), "{screen}");
    }
}

#[test]
fn period_report_arguments_are_checked() {
    let test = Test::new();
    report(&test, &["--last", "5x"])
        .code(2)
        .stderr_has("write 7d (days), 4w (ISO weeks) or 3m (months)");
    report(&test, &["--date", "2026-11-25", "--table", "periods"])
        .code(2)
        .stderr_has("--table periods is not a table of a day report: choose one of daily_sales, top_products, held_back, partial_days");
    report(&test, &["--last", "1w", "--date", "2026-11-25"]).code(2);
    // An empty warehouse has no latest day.
    report(&test, &[]).code(6);
    // A date where the folder goes.
    report(&test, &["2026-11-25"])
        .code(2)
        .stderr_has("`2026-11-25` is not a folder: for the report of a day, use --date 2026-11-25");
    // A folder of nothing a run would read; a file where the folder goes;
    // a folder with no valid row.
    std::fs::create_dir_all(test.dir().join("empty")).unwrap();
    report(&test, &["empty", "--last", "1w"]).code(4);
    let test = test.csv("a.csv", &["T1,not a time,web,,C1,P1,1,2.50"]);
    report(&test, &["input/a.csv"])
        .code(2)
        .stderr_has("`input/a.csv` is a file: `report` reads a folder");
    report(&test, &["input"])
        .code(8)
        .stderr_has("no report of this folder:\n`a.csv`: 1 of its 1 rows invalid");
    report(&test, &["input", "--allow-rejects"])
        .code(6)
        .stderr_has("none of its rows is valid");
}

/// MariaDB answers every period report as SQLite does, key for key but the
/// warehouse's name.
#[test]
fn period_reports_agree_on_sqlite_and_mariadb() {
    let (test, _) = three_weeks();
    let db = crate::db::Database::new();
    backfill(&test, &db.url());
    let mut answers = Vec::new();
    for args in [
        &[][..],
        &["--last", "2w"],
        &["--last", "10d", "--by", "week", "--top", "7"],
        &[
            "--from",
            "2026-11-08",
            "--to",
            "2026-11-25",
            "--by",
            "month",
        ],
        &["--date", "2026-11-08"],
    ] {
        let json = |url: &str| {
            let mut all = vec!["report", "--db", url, "--format", "json", "-q"];
            all.extend(args);
            let mut value = test.clone().args(&all).run().code(0).json();
            value["warehouse"] = Value::Null;
            value
        };
        let sqlite = json("sqlite://w.db");
        assert_eq!(json(&db.url()), sqlite, "{args:?}");
        answers.push((args, sqlite));
    }
    // A warehouse not loaded since before the sums per date and product
    // (and per date and file) is read from daily_file_sales, to the same
    // answers; its next load fills them.
    let mut db = db;
    let drop = "DROP TABLE daily_product_sales; DROP TABLE daily_file_rows;";
    rusqlite::Connection::open(test.dir().join("w.db"))
        .unwrap()
        .execute_batch(drop)
        .unwrap();
    for table in ["daily_product_sales", "daily_file_rows"] {
        db.conn.query_drop(format!("DROP TABLE {table}")).unwrap();
    }
    for (args, sqlite) in &answers {
        for url in ["sqlite://w.db", &db.url()] {
            let mut all = vec!["report", "--db", url, "--format", "json", "-q"];
            all.extend(*args);
            let mut value = test.clone().args(&all).run().code(0).json();
            value["warehouse"] = Value::Null;
            assert_eq!(&value, sqlite, "{url} without the sums per date: {args:?}");
        }
    }
}

/// A folder's report is what one `run` of the folder would store: the same
/// JSON, key for key but the source's name, as the report of a warehouse
/// that such a run loaded; and the folder report writes nothing.
#[test]
fn period_reports_from_a_folder_equal_those_of_its_run() {
    let (test, _) = three_weeks();
    let listing = |dir: &std::path::Path| {
        let mut names: Vec<String> = walk(dir);
        names.sort();
        names
    };
    let before = listing(test.dir());
    let out = test
        .clone()
        .args(&["report", "input", "--last", "1w"])
        .run()
        .code(0);
    out.stderr_has("folder input: cleaned as `run` would clean it, nothing written");
    // The latest complete day is the 24th, in week 48 (as from a warehouse).
    assert!(out.stdout.contains("2026-W48 ┆ mobile"), "{}", out.stdout);
    assert_eq!(
        listing(test.dir()),
        before,
        "the folder report wrote a file"
    );
    test.clone()
        .args(&["run", "input", "--db", "sqlite://one.db", "-q"])
        .run()
        .code(0);
    for args in [
        &[][..],
        &["--last", "2w"],
        &["--last", "10d", "--by", "week", "--top", "7"],
        &["--last", "1m", "--by", "day"],
        &["--from", "2026-11-10", "--to", "2026-11-12", "--top", "3"],
        &["--date", "2026-11-25"],
    ] {
        let json = |source: &[&str]| {
            let mut all = vec!["report"];
            all.extend(source);
            all.extend(["--format", "json", "-q"]);
            all.extend(args);
            let mut value = test.clone().args(&all).run().code(0).json();
            value["warehouse"] = Value::Null;
            value
        };
        let warehouse = json(&["--db", "sqlite://one.db"]);
        assert_ne!(
            warehouse["top_products"],
            Value::Array(Vec::new()),
            "{args:?}"
        );
        assert_eq!(json(&["input"]), warehouse, "{args:?}");
    }
    // A folder of DATE/ folders, as a backfill reads it, reports as the
    // same files in one folder do (their _truth.json files are not CSV).
    let flat = test.dir().join("flat");
    std::fs::create_dir_all(&flat).unwrap();
    for day in FIRST..=LAST {
        for channel in ["web", "mobile", "store"] {
            let name = format!("{channel}_{}.csv", date(day));
            let from = test.dir().join("gen").join(date(day)).join(&name);
            std::fs::copy(from, flat.join(&name)).unwrap();
        }
    }
    let json = |folder: &str| {
        let all = ["report", folder, "--last", "2w", "--format", "json", "-q"];
        let mut value = test.clone().args(&all).run().code(0).json();
        value["warehouse"] = Value::Null;
        value
    };
    assert_eq!(json("gen"), json("flat"));
}

/// Every file under `dir`, as paths relative to it.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}
