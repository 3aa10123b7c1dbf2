//! Property tests on the library: for generated exports, every data row
//! gets exactly one disposition, per file, and the same input gives
//! byte-identical outputs, on one thread or several.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::prelude::*;
use sales_etl::judge::validate;
use sales_etl::messages::Messages;
use sales_etl::run::batch;
use sales_etl::run::pipeline::{self, Config};

/// The seed of every property test here: fixed, so that a failing case
/// comes back on the next run; `PROPTEST_RNG_SEED=<n>` tries another.
fn seed() -> u64 {
    std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_207)
}

/// One line of a generated file.
#[derive(Debug, Clone)]
enum Line {
    /// A data row; `fields` are joined with commas as they are.
    Row(Vec<String>),
    Comment,
    Blank,
}

fn field(values: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(values).prop_map(str::to_owned)
}

fn row() -> impl Strategy<Value = Line> {
    (
        field(&["T1", "T2", "T3", "T4", "T5", "T6", "", " ", "T 7"]),
        field(&[
            "2024-03-01 10:00:00",
            "2024-03-01T23:30:00-02:00",
            "2024-02-30 10:00:00",
            " 2024-03-01 10:00:00\t",
            "",
            "x",
        ]),
        field(&["web", "Mobile", "store", " web ", "fax", ""]),
        field(&["", "S1", " S1"]),
        field(&["", "C1", "\"Doe, J\"", "\"a\nb\"", LONG]),
        field(&["P1", "P2", "P3", " P1", ""]),
        field(&[
            "1",
            "2",
            "3",
            "4",
            " 2 ",
            "0",
            "-1",
            "900",
            "x",
            "",
            "99999999999",
        ]),
        field(&["9.99", "0", "1.50", "\t9.99", "-1", "1e3", "", "0.10"]),
        0..3usize,
    )
        .prop_map(|(t, ts, ch, st, cu, p, q, u, shape)| {
            let mut fields = vec![t, ts, ch, st, cu, p, q, u];
            match shape {
                1 => fields.truncate(5),
                2 => fields.push("extra".into()),
                _ => {}
            }
            // Mostly well-formed rows.
            Line::Row(fields)
        })
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![8 => row(), 1 => Just(Line::Comment), 1 => Just(Line::Blank)]
}

fn files() -> impl Strategy<Value = Vec<Vec<Line>>> {
    prop::collection::vec(prop::collection::vec(line(), 0..40), 1..4)
}

/// A field that makes its row longer than [`MAX_RECORD_BYTES`]: the row is
/// one `oversized_row`, and the rows after it are read as usual.
const LONG: &str = "Zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
const MAX_RECORD_BYTES: usize = 160;

const HEADER: &str =
    "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price";

/// Writes the files; returns the data rows written per file name.
fn write(dir: &Path, files: &[Vec<Line>], crlf: bool) -> BTreeMap<String, u64> {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut rows = BTreeMap::new();
    for (i, lines) in files.iter().enumerate() {
        let name = format!("f{i}.csv");
        let mut text = format!("{HEADER}{end}");
        let mut count = 0;
        for line in lines {
            match line {
                Line::Row(fields) => {
                    text.push_str(&fields.join(","));
                    count += 1;
                }
                Line::Comment => text.push_str("# note"),
                Line::Blank => text.push_str("  "),
            }
            text.push_str(end);
        }
        std::fs::write(dir.join(&name), text).unwrap();
        rows.insert(name, count);
    }
    rows
}

fn config(input: &Path, out: &Path) -> Config {
    Config {
        input_dir: input.to_path_buf(),
        errors_dir: out.join("errors"),
        reports_dir: out.join("reports"),
        top: 3,
        rules: validate::Options::default(),
        skip_bad_files: false,
        batch_rows: pipeline::DEFAULT_BATCH_ROWS,
        threads: 1,
        range_bytes: pipeline::DEFAULT_RANGE_BYTES,
        limits: sales_etl::read::extract::Limits {
            max_record_bytes: MAX_RECORD_BYTES,
            ..Default::default()
        },
        files: None,
        max_reject_rate: 1.0,
        sources: Default::default(),
    }
}

/// Data rows in every rejected-rows file under `dir`.
fn rejected_rows(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| {
            let path = e.unwrap().path();
            csv::Reader::from_path(&path).unwrap().records().count() as u64
        })
        .sum()
}

/// Every file under `dir`, relative path → bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    for sub in ["errors", "reports"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            found.insert(
                format!("{sub}/{}", entry.file_name().to_string_lossy()),
                std::fs::read(entry.path()).unwrap(),
            );
        }
    }
    found
}

proptest! {
    // Seeded (issue "checks that can fail"): the same 48 cases every run,
    // so a failure repeats; another seed with PROPTEST_RNG_SEED=<n>.
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed()),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_row_gets_one_disposition_and_outputs_repeat(
        files in files(),
        crlf in any::<bool>(),
        batch_rows in 1usize..8,
        range_bytes in 1u64..300,
        per_product in proptest::option::of(1u64..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("input");
        std::fs::create_dir(&input).unwrap();
        let written = write(&input, &files, crlf);

        let outputs = batch::Outputs::default();
        let mut first = config(&input, &dir.path().join("a"));
        first.rules.per_product = per_product;
        let (summary, _) = batch::run(&first, &outputs, &Messages::silent()).unwrap();
        let summary = &summary;
        let mut total = 0;
        for file in &summary.files {
            let a = &file.accounting;
            prop_assert_eq!(a.data_rows, written[&file.file.name], "rows read from {}", file.file.name);
            prop_assert_eq!(a.data_rows, a.valid + a.invalid + a.duplicate + a.outlier);
            total += a.data_rows;
        }
        prop_assert_eq!(summary.totals.data_rows, total);
        // The sales totals (a sink) saw exactly the ledger's valid rows.
        let orders: u64 = summary.daily_sales.iter().map(|d| d.orders).sum();
        prop_assert_eq!(orders, summary.totals.valid);
        // What the outlier rule held back is exactly its rows.
        let held: u64 = summary.held_back.iter().map(|h| h.rows).sum();
        prop_assert_eq!(held, summary.totals.outlier);
        prop_assert_eq!(rejected_rows(&dir.path().join("a/errors")), summary.totals.rejected());
        let rejected_by_reason: u64 = summary.reasons.values().sum();
        prop_assert_eq!(rejected_by_reason, summary.totals.rejected());

        // Again in chunks of a few rows, the files cut into ranges of a few
        // bytes read by two threads: chunk and range boundaries change
        // nothing.
        let mut small = config(&input, &dir.path().join("b"));
        small.rules.per_product = per_product;
        small.batch_rows = batch_rows;
        small.threads = 2;
        small.range_bytes = range_bytes;
        let (second, _) = batch::run(&small, &outputs, &Messages::silent()).unwrap();
        prop_assert_eq!(&second.totals, &summary.totals);
        prop_assert_eq!(contents(&dir.path().join("a")), contents(&dir.path().join("b")));
    }
}

/// Pieces of SQL-ish text, hostile ones among them: random statements made
/// of them must never crash the guard or `query`.
const SQLISH: &[&str] = &[
    "SELECT",
    "FROM",
    "sales",
    "rejected",
    "staging_sales",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    ",",
    ";",
    "*",
    "+",
    "-",
    "/",
    "%",
    "=",
    "<",
    "1",
    "0",
    "-1",
    "1e308",
    "9223372036854775807",
    "'x'",
    "'",
    "\"",
    "`",
    "\\",
    "?",
    "@x",
    ":=",
    "--",
    "-- ",
    "#",
    "/*",
    "*/",
    "/*!",
    "/*M!",
    "/*+",
    "\n",
    "\u{a0}",
    "\u{1b}[2J",
    "AS",
    "CAST(",
    "DECIMAL(100,200)",
    "INTERVAL '100000000 years'",
    "timestamp",
    "quantity",
    "unit_price",
    "line_revenue",
    "source_file",
    "date",
    "reason",
    "COLUMNS('(')",
    "LPAD(",
    "REPEAT(",
    "SUM(",
    "COUNT(*)",
    "GROUP BY",
    "ORDER BY",
    "LIMIT",
    "UNION",
    "WITH",
    "RECURSIVE",
    "INTO",
    "OUTFILE",
    "DROP",
    "TABLE",
    "SLEEP(",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "IN",
    "LIKE",
    "IS NULL",
    "BETWEEN",
    "EXPLAIN",
    "SHOW",
    "TABLES",
];

/// A SQLite warehouse of the samples, made once for every case.
fn sample_warehouse() -> &'static str {
    static WAREHOUSE: std::sync::OnceLock<(tempfile::TempDir, String)> = std::sync::OnceLock::new();
    &WAREHOUSE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("w.db").display());
            let out = crate::util::Test::new()
                .args(&["run", &crate::db::samples(), "--db", &url, "-q"])
                .run();
            assert_eq!(out.code, 0, "{}", out.stderr);
            (dir, url)
        })
        .1
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed()),
        ..ProptestConfig::default()
    })]

    /// Issue "hardening, second round", case 6: random SQL-ish text never
    /// panics the guard, on either engine or over a folder.
    #[test]
    fn random_text_never_panics_the_guard(
        tokens in prop::collection::vec(prop::sample::select(SQLISH), 0..40),
    ) {
        use sales_etl::db::guard::{self, Engine};
        let sql = tokens.join(" ");
        let _ = guard::check(&sql, Engine::Mysql);
        let _ = guard::check(&sql, Engine::Sqlite);
        let _ = guard::check_folder_query(&sql);
        let _ = guard::mysql_text(&sql);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 40,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed()),
        ..ProptestConfig::default()
    })]

    /// Issue "hardening, second round", case 6: random SQL-ish text given
    /// to `query`, over a folder or a warehouse, ends in an answer (0), a
    /// refusal (7) or a usage error (2) — never a panic (101) or an abort
    /// (134).
    #[test]
    fn random_sql_never_crashes_query(
        tokens in prop::collection::vec(prop::sample::select(SQLISH), 1..30),
        warehouse in any::<bool>(),
    ) {
        let sql = tokens.join(" ");
        let samples = crate::db::samples();
        let args: Vec<&str> = if warehouse {
            vec!["query", &sql, "--db", sample_warehouse()]
        } else {
            vec!["query", &sql, &samples]
        };
        let out = crate::util::Test::new().args(&args).run();
        prop_assert!(
            matches!(out.code, 0 | 2 | 7),
            "{sql:?} exited {}:\n{}",
            out.code,
            out.stderr
        );
        prop_assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

/// One sale as values, before a tool writes it: (id, timestamp as
/// `(y, m, d, h, min, s)` or garbage, channel, store, customer, product,
/// quantity, price as text with a `.` or garbage).
type Sale = (
    String,
    Result<(u32, u32, u32, u32, u32, u32), String>,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn sale() -> impl Strategy<Value = Sale> {
    let moment = prop_oneof![
        4 => (2024u32..2027, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60).prop_map(Ok),
        1 => field(&["x", "", "yesterday"]).prop_map(Err),
    ];
    (
        field(&["T1", "T2", "T3", "T4", "T5", ""]),
        moment,
        field(&["web", "Mobile", "store", "fax", ""]),
        field(&["", "S1", "Müller", "a;b"]),
        field(&["", "C1", "Doe, J", "Renée", "x|y", "tab\there"]),
        field(&["P1", "P2", " P3", ""]),
        field(&["1", "2", "3", "0", "-1", "x", "900"]),
        field(&["9.99", "0", "1.50", "\t2.25", "-1", "1e3", "", "x", "12"]),
    )
}

/// How a tool writes its files: a delimiter, an encoding (0 UTF-8, 1
/// Windows-1252, 2 UTF-16LE with its mark) and day-first timestamps.
#[derive(Debug, Clone, Copy)]
struct Written {
    delimiter: u8,
    encoding: u8,
    day_first: bool,
}

/// Writes `files` of sales as `how` says (the clean form: `,`, UTF-8, ISO).
fn write_sales(dir: &Path, files: &[Vec<Sale>], how: Written) {
    for (i, sales) in files.iter().enumerate() {
        let mut csv = csv::WriterBuilder::new()
            .delimiter(how.delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        csv.write_record(HEADER.split(',')).unwrap();
        for (id, moment, channel, store, customer, product, quantity, price) in sales {
            let timestamp = match moment {
                Ok((y, m, d, h, min, s)) if how.day_first => {
                    format!("{d:02}/{m:02}/{y} {h:02}:{min:02}:{s:02}")
                }
                Ok((y, m, d, h, min, s)) => format!("{y}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}"),
                Err(garbage) => garbage.clone(),
            };
            let price = match how.delimiter {
                b',' => price.clone(),
                _ => price.replace('.', ","),
            };
            let fields = [
                id, &timestamp, channel, store, customer, product, quantity, &price,
            ];
            csv.write_record(fields).unwrap();
        }
        let text = String::from_utf8(csv.into_inner().unwrap()).unwrap();
        let bytes = match how.encoding {
            0 => text.into_bytes(),
            1 => encoding_rs::WINDOWS_1252.encode(&text).0.into_owned(),
            _ => [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect(),
        };
        std::fs::write(dir.join(format!("f{i}.csv")), bytes).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed()),
        ..ProptestConfig::default()
    })]

    /// The same sales written as another tool writes them (a delimiter, an
    /// encoding, decimal commas, day-first dates), read with the settings
    /// that say so, give byte-identical `errors/` and reports.
    #[test]
    fn the_same_sales_in_any_dialect_give_the_same_outputs(
        files in prop::collection::vec(prop::collection::vec(sale(), 0..30), 1..3),
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        encoding in 0u8..3,
        day_first in any::<bool>(),
    ) {
        use sales_etl::read::settings::{Encoding, Settings, Sources};
        let dir = tempfile::tempdir().unwrap();
        let (clean, other) = (dir.path().join("clean"), dir.path().join("other"));
        std::fs::create_dir(&clean).unwrap();
        std::fs::create_dir(&other).unwrap();
        write_sales(&clean, &files, Written { delimiter: b',', encoding: 0, day_first: false });
        let how = Written { delimiter, encoding, day_first };
        write_sales(&other, &files, how);

        let outputs = batch::Outputs::default();
        let (want, _) = batch::run(&config(&clean, &dir.path().join("a")), &outputs, &Messages::silent()).unwrap();
        let mut read_as = config(&other, &dir.path().join("b"));
        read_as.sources = Sources {
            flags: Settings {
                encoding: (encoding == 1).then_some(Encoding::Windows1252),
                timestamp_formats: day_first.then(|| vec!["%d/%m/%Y %H:%M:%S".to_owned()]),
                ..Settings::default()
            },
            file: None,
        };
        let (got, _) = batch::run(&read_as, &outputs, &Messages::silent()).unwrap();
        prop_assert_eq!(&got.totals, &want.totals, "{:?}", how);
        prop_assert_eq!(contents(&dir.path().join("b")), contents(&dir.path().join("a")), "{:?}", how);
    }
}
