//! `sales-etl query`: every shipped analyst query, checked against figures
//! computed here from the warehouse a run loaded and the `errors/` files it
//! wrote; SQL over the warehouse itself (read-only); errors and exit codes.

use std::collections::BTreeMap;

use crate::db::sqlite_rows;
use crate::report::samples;
use crate::util::Test;

/// The analyst queries shipped in `queries/`, each tested below.
const SHIPPED: [&str; 4] = [
    "rejects_by_file_and_reason.sql",
    "revenue_by_hour_and_channel.sql",
    "revenue_by_store.sql",
    "top_customers.sql",
];

fn shipped(name: &str) -> String {
    format!("{}/queries/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A folder run into a fresh SQLite warehouse and `errors/`, the facts the
/// queries' answers are checked against.
struct Loaded {
    test: Test,
    input: String,
}

/// 4,000 generated rows of 2026-11-25 with every kind of defect, in `day/`.
fn generated_day(seed: &str) -> Test {
    let test = Test::new();
    test.clone()
        .args(&[
            "generate",
            "--rows",
            "4000",
            "--date",
            "2026-11-25",
            "--out",
            "day",
            "--seed",
            seed,
        ])
        .run()
        .code(0);
    test
}

impl Loaded {
    fn samples() -> Loaded {
        Loaded::run(Test::new(), samples())
    }

    /// A generated day with every kind of defect.
    fn generated() -> Loaded {
        let test = generated_day("11");
        let input = test.dir().join("day").to_str().unwrap().to_owned();
        Loaded::run(test, input)
    }

    fn run(test: Test, input: String) -> Loaded {
        test.clone()
            .args(&["run", &input, "--db", "sqlite://w.db", "-q"])
            .run()
            .code(0);
        Loaded { test, input }
    }

    /// The answer of a query over the folder, as CSV records.
    fn query(&self, sql: &str) -> Vec<BTreeMap<String, String>> {
        let out = self
            .test
            .clone()
            .args(&["query", sql, &self.input, "--format", "csv", "-q"])
            .run()
            .code(0);
        let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
        let header = reader.headers().unwrap().clone();
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                header
                    .iter()
                    .zip(r.iter())
                    .map(|(h, v)| (h.to_owned(), v.to_owned()))
                    .collect()
            })
            .collect()
    }

    /// Valid rows as the warehouse holds them.
    fn sales(&self) -> Vec<Sale> {
        sqlite_rows(
            &self.test.dir().join("w.db"),
            "SELECT \"timestamp\", \"date\", channel, store_id, customer_id, quantity, line_revenue_micros FROM staging_sales",
        )
        .into_iter()
        .map(|r| Sale {
            hour: r[0][11..13].parse().unwrap(),
            date: r[1].clone(),
            channel: r[2].clone(),
            store: Some(r[3].clone()).filter(|s| s != "NULL"),
            customer: Some(r[4].clone()).filter(|s| s != "NULL"),
            units: r[5].parse().unwrap(),
            revenue: r[6].parse().unwrap(),
        })
        .collect()
    }
}

/// A decimal amount as the answer prints it (`1062.43`, `8.990000`) in
/// millionths, read here rather than with the crate's money code that the
/// answer comes from (issue "checks that can fail").
fn millionths(text: &str) -> i128 {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    assert!(
        fraction.len() <= 6 && fraction.bytes().all(|b| b.is_ascii_digit()),
        "revenue {text:?}"
    );
    let whole: i128 = whole.parse().unwrap_or_else(|_| panic!("revenue {text:?}"));
    let fraction: i128 = format!("{fraction:0<6}").parse().unwrap();
    whole * 1_000_000 + fraction
}

struct Sale {
    hour: u32,
    date: String,
    channel: String,
    store: Option<String>,
    customer: Option<String>,
    units: i64,
    /// Millionths.
    revenue: i128,
}

/// Orders, units and revenue of a group.
#[derive(Debug, Default, Clone, PartialEq)]
struct Totals {
    orders: u64,
    units: i64,
    /// Millionths.
    revenue: i128,
    first_day: String,
    last_day: String,
}

impl Totals {
    fn add(&mut self, sale: &Sale) {
        self.orders += 1;
        self.units += sale.units;
        self.revenue += sale.revenue;
        if self.first_day.is_empty() || sale.date < self.first_day {
            self.first_day = sale.date.clone();
        }
        if sale.date > self.last_day {
            self.last_day = sale.date.clone();
        }
    }

    /// The same figures read from a query's answer.
    fn of(row: &BTreeMap<String, String>) -> Totals {
        Totals {
            orders: row["orders"].parse().unwrap(),
            units: row["units"].parse().unwrap(),
            revenue: millionths(&row["revenue"]),
            first_day: row.get("first_day").cloned().unwrap_or_default(),
            last_day: row.get("last_day").cloned().unwrap_or_default(),
        }
    }

    fn without_days(mut self) -> Totals {
        self.first_day.clear();
        self.last_day.clear();
        self
    }
}

fn revenue_by_hour_and_channel(loaded: &Loaded) {
    let mut want: BTreeMap<(u32, String), Totals> = BTreeMap::new();
    for sale in loaded.sales() {
        want.entry((sale.hour, sale.channel.clone()))
            .or_default()
            .add(&sale);
    }
    let want: Vec<_> = want
        .into_iter()
        .map(|(key, t)| (key, t.without_days()))
        .collect();
    let got: Vec<_> = loaded
        .query(&shipped("revenue_by_hour_and_channel.sql"))
        .iter()
        .map(|r| {
            let key = (r["hour_utc"].parse().unwrap(), r["channel"].clone());
            (key, Totals::of(r))
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

/// Best revenue first, ties by key; at most `limit` groups.
fn ranked(groups: BTreeMap<String, Totals>, limit: usize) -> Vec<(String, Totals)> {
    let mut ranked: Vec<_> = groups.into_iter().collect();
    ranked.sort_by(|a, b| b.1.revenue.cmp(&a.1.revenue).then(a.0.cmp(&b.0)));
    ranked.truncate(limit);
    ranked
}

/// A query that ranks groups of sales by revenue (best first, ties by key),
/// checked against the same groups summed here; `key` says which group a
/// sale is in (none: left out).
fn ranked_groups(
    loaded: &Loaded,
    query: &str,
    key_column: &str,
    key: impl Fn(&Sale) -> Option<String>,
    limit: usize,
    with_days: bool,
) {
    let mut groups: BTreeMap<String, Totals> = BTreeMap::new();
    for sale in loaded.sales() {
        if let Some(key) = key(&sale) {
            groups.entry(key).or_default().add(&sale);
        }
    }
    let want: Vec<_> = ranked(groups, limit)
        .into_iter()
        .map(|(k, t)| (k, if with_days { t } else { t.without_days() }))
        .collect();
    let got: Vec<_> = loaded
        .query(&shipped(query))
        .iter()
        .map(|r| (r[key_column].clone(), Totals::of(r)))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

fn revenue_by_store(loaded: &Loaded) {
    ranked_groups(
        loaded,
        "revenue_by_store.sql",
        "store_id",
        |sale| sale.store.clone(),
        usize::MAX,
        false,
    );
}

fn top_customers(loaded: &Loaded) {
    ranked_groups(
        loaded,
        "top_customers.sql",
        "customer_id",
        |sale| sale.customer.clone(),
        10,
        true,
    );
}

/// Against the rows of every `errors/*.rejected.csv` the run wrote.
fn rejects_by_file_and_reason(loaded: &Loaded) {
    let mut want: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
    for entry in std::fs::read_dir(loaded.test.dir().join("errors")).unwrap() {
        let mut reader = csv::Reader::from_path(entry.unwrap().path()).unwrap();
        for record in reader.deserialize::<BTreeMap<String, String>>() {
            let r = record.unwrap();
            let line: u64 = r["source_line"].parse().unwrap();
            let key = (
                r["source_file"].clone(),
                r["disposition"].clone(),
                r["reason"].clone(),
            );
            let (rows, first) = want.entry(key).or_insert((0, u64::MAX));
            *rows += 1;
            *first = (*first).min(line);
        }
    }
    // Each file's groups, most rows first, ties by reason.
    let mut want: Vec<_> = want.into_iter().collect();
    want.sort_by(|(a, (a_rows, _)), (b, (b_rows, _))| {
        (&a.0, std::cmp::Reverse(a_rows), &a.2).cmp(&(&b.0, std::cmp::Reverse(b_rows), &b.2))
    });
    let got: Vec<_> = loaded
        .query(&shipped("rejects_by_file_and_reason.sql"))
        .iter()
        .map(|r| {
            let key = (
                r["source_file"].clone(),
                r["disposition"].clone(),
                r["reason"].clone(),
            );
            let value = (
                r["rejected_rows"].parse().unwrap(),
                r["first_line"].parse().unwrap(),
            );
            (key, value)
        })
        .collect();
    assert!(want.len() > 3, "{want:?}");
    assert_eq!(got, want);
}

#[test]
fn every_shipped_query_is_tested() {
    let mut found: Vec<String> =
        std::fs::read_dir(format!("{}/queries", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
    found.sort();
    assert_eq!(found, SHIPPED);
    let built_in: Vec<String> = sales_etl::query::SHIPPED
        .iter()
        .map(|(name, _)| format!("{name}.sql"))
        .collect();
    assert_eq!(built_in, SHIPPED);
}

#[test]
fn a_shipped_query_runs_by_name_from_anywhere() {
    // The test folder has no queries/: the name finds the built-in copy.
    let by_name = Test::new()
        .args(&[
            "query",
            "revenue_by_store",
            &samples(),
            "--format",
            "csv",
            "-q",
        ])
        .run()
        .code(0)
        .stdout;
    let by_file = Test::new()
        .args(&[
            "query",
            &shipped("revenue_by_store.sql"),
            &samples(),
            "--format",
            "csv",
            "-q",
        ])
        .run()
        .code(0)
        .stdout;
    assert_eq!(by_name, by_file);
    assert!(
        by_name.starts_with("store_id,orders,units,revenue\n"),
        "{by_name}"
    );
}

#[test]
fn shipped_queries_answer_the_samples() {
    let loaded = Loaded::samples();
    revenue_by_hour_and_channel(&loaded);
    revenue_by_store(&loaded);
    top_customers(&loaded);
    rejects_by_file_and_reason(&loaded);
}

#[test]
fn shipped_queries_answer_a_generated_day() {
    let loaded = Loaded::generated();
    revenue_by_hour_and_channel(&loaded);
    revenue_by_store(&loaded);
    top_customers(&loaded);
    rejects_by_file_and_reason(&loaded);
}

#[test]
fn a_query_over_a_folder_writes_nothing() {
    let test = Test::new();
    let out = test
        .clone()
        .args(&[
            "query",
            "SELECT channel, COUNT(*) AS orders FROM sales GROUP BY channel ORDER BY channel",
            &samples(),
        ])
        .run()
        .code(0);
    assert!(out.stdout.contains("mobile"), "{}", out.stdout);
    assert!(out.stdout.ends_with("3 rows\n"), "{}", out.stdout);
    let left: Vec<_> = std::fs::read_dir(test.dir()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_tables_hold_every_row_of_the_run() {
    let test = Test::new();
    let run = test
        .clone()
        .args(&["run", &samples(), "--format", "json", "--dry-run", "-q"])
        .run()
        .code(0)
        .json();
    let counts = test
        .clone()
        .args(&[
            "query",
            "SELECT 'valid' AS disposition, COUNT(*) AS n FROM sales \
             UNION ALL SELECT disposition, COUNT(*) AS n FROM rejected GROUP BY disposition",
            &samples(),
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    let mut got: BTreeMap<String, u64> = BTreeMap::new();
    for row in counts.as_array().unwrap() {
        got.insert(
            row["disposition"].as_str().unwrap().to_owned(),
            row["n"].as_u64().unwrap(),
        );
    }
    for disposition in ["valid", "invalid", "duplicate", "outlier"] {
        let want = run["totals"][disposition].as_u64().unwrap();
        assert_eq!(
            got.get(disposition).copied().unwrap_or(0),
            want,
            "{disposition}"
        );
    }
}

#[test]
fn rule_flags_change_the_tables_as_they_change_a_run() {
    let outliers = |flag: &str| {
        let mut args = vec![
            "query",
            "SELECT COUNT(*) AS n FROM rejected WHERE disposition = 'outlier'",
        ];
        let samples = samples();
        args.push(&samples);
        args.extend(["--format", "csv", "-q"]);
        if !flag.is_empty() {
            args.push(flag);
        }
        Test::new().args(&args).run().code(0).stdout
    };
    // The samples hold exactly one outlier (web line 17, 250 units).
    assert_eq!(outliers(""), "n\n1\n");
    assert_eq!(outliers("--no-outliers"), "n\n0\n");
}

#[test]
fn date_picks_one_days_files() {
    let test = Test::new()
        .file(
            "in/web_2026-11-24.csv",
            format!("{}W1,2026-11-24 10:00:00,web,,C1,P1,1,2.00\n", crate::util::HEADER),
        )
        .file(
            "in/web_2026-11-25.csv",
            format!(
                "{}W2,2026-11-25 10:00:00,web,,C1,P1,1,2.00\nW3,2026-11-25 11:00:00,web,,C1,P1,1,2.00\n",
                crate::util::HEADER
            ),
        );
    let count = |date: &str| {
        test.clone()
            .args(&[
                "query",
                "SELECT COUNT(*) AS n, MIN(source_file) AS file FROM sales",
                "in",
                "--date",
                date,
                "--format",
                "csv",
                "-q",
            ])
            .run()
    };
    assert_eq!(
        count("2026-11-25").code(0).stdout,
        "n,file\n2,web_2026-11-25.csv\n"
    );
    count("2026-11-23").code(4);
}

#[test]
fn a_bad_query_fails_before_any_file_is_read() {
    // The folder does not exist: had the files been read first, this
    // would be exit 4.
    Test::new()
        .args(&["query", "SELECT nope FROM sales", "missing-folder"])
        .run()
        .code(7)
        .stderr_has("the query failed in Polars SQL")
        .stderr_has("nope");
    Test::new()
        .args(&["query", "SELEC 1", "missing-folder"])
        .run()
        .code(7);
    Test::new()
        .args(&["query", "queries/no_such_question.sql", &samples()])
        .run()
        .code(7)
        .stderr_has("`queries/no_such_question.sql` does not exist")
        .stderr_has("top_customers");
}

#[test]
fn formats_print_the_same_answer() {
    let sql = "SELECT product_id, SUM(quantity) AS units, SUM(line_revenue) AS revenue \
               FROM sales GROUP BY product_id ORDER BY product_id";
    let print = |format: &str| {
        Test::new()
            .args(&["query", sql, &samples(), "--format", format, "-q"])
            .run()
            .code(0)
            .stdout
    };
    let csv = print("csv");
    let json: serde_json::Value = serde_json::from_str(&print("json")).unwrap();
    let markdown = print("markdown");
    let table = print("table");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), json.as_array().unwrap().len());
    for (line, object) in rows.iter().zip(json.as_array().unwrap()) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(object["product_id"], fields[0]);
        assert_eq!(object["units"].as_i64().unwrap().to_string(), fields[1]);
        // Money stays exact: a string in JSON, as in `run`'s summary.
        assert_eq!(object["revenue"], fields[2]);
        assert!(
            markdown.contains(&format!("| {} |", fields.join(" | "))),
            "{markdown}"
        );
        assert!(
            table.contains(fields[0]) && table.contains(fields[2]),
            "{table}"
        );
    }
    assert!(markdown.starts_with("| product_id | units | revenue |\n|---|---:|---:|\n"));
}

#[test]
fn sql_in_the_sqlite_warehouse_is_read_only() {
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let valid = sqlite_rows(
        &test.dir().join("w.db"),
        "SELECT COUNT(*) FROM staging_sales",
    );
    let out = test
        .clone()
        .args(&[
            "query",
            "SELECT COUNT(*) AS n FROM staging_sales",
            "--db",
            "sqlite://w.db",
            "--format",
            "csv",
        ])
        .run()
        .code(0);
    assert_eq!(out.stdout, format!("n\n{}\n", valid[0][0]));
    // A bare --db after the SQL: DATABASE_URL.
    let out = test
        .clone()
        .args(&[
            "query",
            "SELECT COUNT(*) AS n FROM staging_sales",
            "--format",
            "csv",
            "--db",
        ])
        .env("DATABASE_URL", "sqlite://w.db")
        .run()
        .code(0);
    assert_eq!(out.stdout, format!("n\n{}\n", valid[0][0]));
    test.clone()
        .args(&[
            "query",
            "DELETE FROM staging_sales",
            "--db",
            "sqlite://w.db",
        ])
        .run()
        .code(7)
        .stderr_has("not a question")
        .stderr_has("the warehouse has the view sales");
    // Each kind of failed query gets its own hint (issue "the analyst's
    // terminal"): over a folder, the folder's tables.
    test.clone()
        .args(&["query", "SELECT nope FROM sales", &samples()])
        .run()
        .code(7)
        .stderr_has("over a folder the tables are `sales` and `rejected`");
    test.clone()
        .args(&[
            "query",
            "SELECT nope FROM staging_sales",
            "--db",
            "sqlite://w.db",
        ])
        .run()
        .code(7)
        .stderr_has("no such column: nope")
        .stderr_has("the warehouse has the view sales");
    assert_eq!(
        sqlite_rows(
            &test.dir().join("w.db"),
            "SELECT COUNT(*) FROM staging_sales"
        ),
        valid
    );
    test.clone()
        .args(&["query", "SELECT 1", "--db", "sqlite://nothing.db"])
        .run()
        .code(6)
        .stderr_has("no warehouse to query");
    assert!(!test.dir().join("nothing.db").exists());
}

/// Issue "the analyst's terminal": a word one or two letters off a shipped
/// query's name is not run as SQL; the error names the query meant.
#[test]
fn a_misspelt_shipped_query_gets_did_you_mean() {
    Test::new()
        .args(&["query", "top_customer", &samples()])
        .run()
        .code(7)
        .stderr_has(
            "`top_customer` is neither a file nor a shipped query; did you mean `top_customers`?",
        );
}

/// Issue "the analyst's terminal": `query` prints its answer and the
/// cleaning's warnings, its step lines only with `-v`.
#[test]
fn query_prints_step_lines_only_with_verbose() {
    let sql = "SELECT COUNT(*) AS n FROM sales";
    let out = Test::new().args(&["query", sql, &samples()]).run().code(0);
    assert!(!out.stderr.contains("found 3 CSV files"), "{}", out.stderr);
    out.stderr_has("warning: web_2026-11-25.csv: unknown column `coupon` left out");
    assert!(out.stdout.contains("19"), "{}", out.stdout);
    Test::new()
        .args(&["query", sql, &samples(), "-v"])
        .run()
        .code(0)
        .stderr_has("found 3 CSV files");
    let quiet = Test::new()
        .args(&["query", sql, &samples(), "-q"])
        .run()
        .code(0);
    assert_eq!(quiet.stderr, "");
}

/// Issue "a warehouse you can trust": the shipped queries that read
/// `sales` give the same answer over the folder, from the SQLite warehouse
/// and from MariaDB, to the cent (`query top_customers --db` used to fail
/// with "no such table: sales").
#[test]
fn every_shipped_query_answers_alike_over_a_folder_and_both_warehouses() {
    let db = crate::db::Database::new();
    let test = generated_day("5");
    for url in ["sqlite://w.db".to_owned(), db.url()] {
        test.clone()
            .args(&["run", "day", "--db", &url, "-q"])
            .run()
            .code(0);
    }
    // Issue "a warehouse you can trust": every shipped query, `rejected`
    // and `EXTRACT` included, answers alike.
    let mut names: Vec<String> =
        std::fs::read_dir(format!("{}/queries", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .filter_map(|entry| {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                name.strip_suffix(".sql").map(str::to_owned)
            })
            .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in &names {
        let name = name.as_str();
        let answer = |place: &[&str]| {
            let mut args = vec!["query", name];
            args.extend(place);
            args.extend(["--format", "csv", "-q"]);
            test.clone().args(&args).run().code(0).stdout
        };
        let folder = answer(&["day"]);
        assert!(folder.lines().count() > 5, "{name}: {folder}");
        assert_eq!(
            answer(&["--db", "sqlite://w.db"]),
            folder,
            "{name} from SQLite"
        );
        assert_eq!(answer(&["--db", &db.url()]), folder, "{name} from MariaDB");
    }
}

#[test]
fn an_unquoted_date_is_named_in_a_warning() {
    let out = Test::new()
        .csv("a.csv", &["T1,2024-03-01 10:00:00,web,,C1,P1,1,2.50"])
        .args(&[
            "query",
            "SELECT COUNT(*) AS n FROM sales WHERE date = 2024-03-01",
            "input",
            "--format",
            "csv",
        ])
        .run()
        .code(0);
    out.stderr_has("`2024-03-01` without quotes is arithmetic (the number 2020), not a date: write '2024-03-01'");
}

/// `--out` keeps the answer: CSV and JSON as printed, Parquet typed;
/// nothing on stdout; a name without a known extension is refused before
/// any file is read.
#[test]
fn an_answer_is_kept_in_a_file() {
    let sql = "SELECT product_id, COUNT(*), SUM(line_revenue) AS revenue \
               FROM sales GROUP BY product_id ORDER BY product_id";
    let test = Test::new();
    let printed = test
        .clone()
        .args(&["query", sql, &samples(), "--format", "csv", "-q"])
        .run()
        .code(0)
        .stdout
        .clone();
    // Polars' `len` for COUNT(*) is shown as `count`.
    assert!(
        printed.starts_with("product_id,count,revenue\n"),
        "{printed}"
    );
    let json = test
        .clone()
        .args(&["query", sql, &samples(), "--format", "json", "-q"])
        .run()
        .code(0)
        .stdout
        .clone();
    for name in ["kept/answer.csv", "kept/answer.json", "kept/answer.parquet"] {
        let out = test
            .clone()
            .args(&["query", sql, &samples(), "--out", name])
            .run()
            .code(0);
        assert_eq!(out.stdout, "", "{name}");
        out.stderr_has(&format!("rows to {name}"));
    }
    let read = |name: &str| std::fs::read_to_string(test.dir().join(name)).unwrap();
    assert_eq!(read("kept/answer.csv"), printed);
    assert_eq!(read("kept/answer.json"), json);
    // Parquet keeps the decimal type; read back, it is the same answer.
    use polars::prelude::SerReader;
    let file = std::fs::File::open(test.dir().join("kept/answer.parquet")).unwrap();
    let frame = polars::prelude::ParquetReader::new(file).finish().unwrap();
    assert_eq!(frame.height(), printed.lines().count() - 1);
    assert!(matches!(
        frame.column("revenue").unwrap().dtype(),
        polars::prelude::DataType::Decimal(_, 6)
    ));
    // No temporary file is left beside them.
    let mut left: Vec<String> = std::fs::read_dir(test.dir().join("kept"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["answer.csv", "answer.json", "answer.parquet"]);
    test.clone()
        .args(&["query", sql, "no-such-folder", "--out", "answer.xlsx"])
        .run()
        .code(2)
        .stderr_has(
            "--out answer.xlsx: the file's extension says what to write: .csv, .json or .parquet",
        );
}

/// `--lake` asks the lake that `run --export` wrote: the same answers as
/// over the raw folder, Parquet and Arrow, with or without the rejected
/// rows exported.
#[test]
fn the_exported_lake_answers_like_the_folder() {
    let sql = "SELECT date, channel, COUNT(*) AS n, SUM(line_revenue) AS revenue \
               FROM sales GROUP BY date, channel ORDER BY date, channel";
    let rejects = "SELECT source_file, reason, COUNT(*) AS n FROM rejected \
                   GROUP BY 1, 2 ORDER BY 1, 2";
    let test = Test::new();
    let ask = |args: &[&str]| {
        let mut all = vec!["query"];
        all.extend(args);
        all.extend(["--format", "csv", "-q"]);
        test.clone().args(&all).run().code(0).stdout.clone()
    };
    let folder = ask(&[sql, &samples()]);
    let folder_rejects = ask(&[rejects, &samples()]);
    assert!(folder.lines().count() > 2, "{folder}");
    for format in ["parquet", "arrow"] {
        let lake = format!("lake-{format}");
        test.clone()
            .args(&[
                "run",
                &samples(),
                "--no-db",
                "-q",
                "--export",
                &lake,
                "--export-format",
                format,
                "--export-rejected",
            ])
            .run()
            .code(0);
        assert_eq!(ask(&[sql, "--lake", &lake]), folder, "{format}");
        assert_eq!(ask(&[rejects, "--lake", &lake]), folder_rejects, "{format}");
        // A filter on the partition column.
        let one_day = ask(&[
            "SELECT COUNT(*) AS n FROM sales WHERE date = '2026-11-25'",
            "--lake",
            &lake,
        ]);
        let folder_day = ask(&[
            "SELECT COUNT(*) AS n FROM sales WHERE date = '2026-11-25'",
            &samples(),
        ]);
        assert_eq!(one_day, folder_day, "{format}");
    }
    // Without the rejected rows exported, `rejected` is empty.
    test.clone()
        .args(&["run", &samples(), "--no-db", "-q", "--export", "plain"])
        .run()
        .code(0);
    assert_eq!(
        ask(&["SELECT COUNT(*) AS n FROM rejected", "--lake", "plain"]),
        "n\n0\n"
    );
    // A folder that is no lake.
    test.clone()
        .args(&["query", "SELECT 1", "--lake", "nowhere"])
        .run()
        .code(4)
        .stderr_has("nowhere/sales/date=*/*.parquet");
}
