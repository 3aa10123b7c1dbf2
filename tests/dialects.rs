//! Files from other tools (issue "real exports as they come"): delimiters,
//! decimal commas, timestamp formats, encodings and per-source settings. The
//! fixtures in `fixtures/dialects/` hold one day of rows as a clean UTF-8
//! export and as Excel writes it (see `make.py` there); read with the right
//! settings, they give the same reports and rejected rows.

use std::path::Path;

use crate::util::Test;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dialects");

/// A test whose `input/` holds the fixture folder `name`'s CSV files.
fn fixture(name: &str) -> Test {
    let mut test = Test::new();
    let folder = Path::new(FIXTURES).join(name);
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        test = test.file(&format!("input/{file}"), std::fs::read(&path).unwrap());
    }
    test
}

fn run(test: &Test, extra: &[&str]) -> crate::util::Output {
    let mut args = vec!["run", "input", "--no-db", "-q", "--format", "json"];
    args.extend(extra);
    test.clone().args(&args).run()
}

/// The Excel export's settings, as the README shows them.
const EXCEL_SETTINGS: &str = r#"[files."pos_*.csv"]
encoding = "windows-1252"
timestamp_formats = ["%d/%m/%Y %H:%M:%S"]
columns = { txn_id = "transaction_id", qty = "quantity" }
channels = { Online = "web", Filiale = "store", App = "mobile" }
"#;

/// What the clean export gives: its daily sales, top products, rejected
/// rows (with the file's name made the same) and per-file counts.
fn outcome(out: &crate::util::Output, file: &str) -> (String, String, String, String) {
    let json = out.json();
    let counts = json["files"][0].clone();
    let counts = format!(
        "{} {} {} {} {}",
        counts["data_rows"],
        counts["valid"],
        counts["invalid"],
        counts["duplicate"],
        counts["outlier"]
    );
    let stem = file.trim_end_matches(".csv");
    (
        out.read("reports/daily_sales_2026-11-25.csv"),
        out.read("reports/top5_products_2026-11-25.csv"),
        out.read(&format!("errors/{stem}.rejected.csv"))
            .replace(file, "FILE"),
        counts,
    )
}

#[test]
fn the_european_excel_export_reads_as_the_clean_one() {
    let clean = run(&fixture("clean"), &[]).code(0);
    let want = outcome(&clean, "sales_2026-11-25.csv");
    assert_eq!(want.3, "9 5 3 1 0", "the fixture's counts");
    let excel = fixture("excel").file("input/sales-etl.toml", EXCEL_SETTINGS);
    let out = run(&excel, &[]).code(0);
    assert_eq!(outcome(&out, "pos_2026-11-25.csv"), want);
    let read_as = &out.json()["files"][0]["read_as"];
    assert_eq!(read_as["delimiter"], ";");
    assert_eq!(read_as["encoding"], "windows-1252");
    assert_eq!(read_as["decimal_comma"], true);
    assert_eq!(read_as["from"]["delimiter"], "sniffed from the header");
    assert_eq!(read_as["from"]["decimal_comma"], "the delimiter is not `,`");
    assert_eq!(
        read_as["from"]["encoding"],
        "sales-etl.toml line 1 [files.\"pos_*.csv\"]"
    );
    // Its rows keep their accents, decoded.
    assert!(out
        .read("errors/pos_2026-11-25.rejected.csv")
        .contains("Renée"));
}

#[test]
fn the_same_export_without_settings_fails_with_hints() {
    let excel = fixture("excel");
    let out = run(&excel, &[]);
    // The header map is missing: `txn_id` is not a sales column.
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.stderr_has("missing required columns `transaction_id`, `quantity` (header line 1); its other columns are `txn_id`, `qty`: a `columns = { \"txn_id\" = \"transaction_id\" }` line in sales-etl.toml names one");
    // With the columns named but not the rest, every timestamp is
    // rejected: the run fails and says what the values look like.
    // Four of its nine rows are not UTF-8, four others have day-first
    // dates, one has no product: the run fails and says what the values
    // look like.
    let named = excel.file(
        "input/sales-etl.toml",
        "[files.\"pos_*\"]\ncolumns = { txn_id = \"transaction_id\", qty = \"quantity\" }\n",
    );
    let out = run(&named, &[]);
    assert_eq!(out.code, 8, "{}", out.stderr);
    out.stderr_has(
        "`pos_2026-11-25.csv`: 9 of its 9 rows invalid (more than its max reject rate, 50 %):\n  \
         4 `bad_encoding`: the file is not UTF-8: if it came from Excel on Windows, try `--encoding windows-1252`\n  \
         4 `bad_timestamp`: values look like `25/11/2026 09:17:00`: try `--timestamp-format '%d/%m/%Y %H:%M:%S'`\n  \
         1 `missing_product_id`\n",
    );
    // The JSON summary on stdout says the same.
    let refused = &out.json()["mostly_rejected"][0];
    assert_eq!(refused["file"], "pos_2026-11-25.csv");
    assert_eq!(refused["rows"], 9);
    assert_eq!(refused["reasons"][1]["reason"], "bad_timestamp");
    assert!(refused["reasons"][1]["hint"]
        .as_str()
        .unwrap()
        .contains("--timestamp-format"));
    // A source's own rate: 100 lets it through.
    let lenient = named.clone().file(
        "input/sales-etl.toml",
        "[files.\"pos_*\"]\ncolumns = { txn_id = \"transaction_id\", qty = \"quantity\" }\nmax_reject_rate = 100\n",
    );
    run(&lenient, &[]).code(0);
    // The flags do what the settings would; the UTF-8 bytes of the names
    // are then wrong, so the encoding is needed too.
    let out = run(
        &named,
        &["--timestamp-format", "%d/%m/%Y %H:%M:%S", "--allow-rejects"],
    )
    .code(0);
    let json = out.json();
    assert_eq!(json["reasons"]["bad_encoding"], 4, "{json}");
}

#[test]
fn a_utf_16_file_with_a_byte_order_mark_needs_no_settings() {
    let clean = run(&fixture("clean"), &[]).code(0);
    let want = outcome(&clean, "sales_2026-11-25.csv");
    let out = run(&fixture("unicode"), &[]).code(0);
    assert_eq!(outcome(&out, "sales_2026-11-25.csv"), want);
    let read_as = &out.json()["files"][0]["read_as"];
    assert_eq!(read_as["encoding"], "utf-16le");
    assert_eq!(read_as["from"]["encoding"], "byte-order mark");
    assert_eq!(read_as["delimiter"], "tab");
    // Its identity is the original file's: size and SHA-256.
    let bytes = std::fs::read(Path::new(FIXTURES).join("unicode/sales_2026-11-25.csv")).unwrap();
    assert_eq!(out.json()["files"][0]["bytes"], bytes.len() as u64);
}

#[test]
fn a_file_not_valid_in_its_encoding_is_named_with_byte_and_line() {
    // A lone surrogate on the second line of a UTF-16LE file.
    let mut bytes = vec![0xFF, 0xFE];
    let text = "transaction_id\ttimestamp\tchannel\tproduct_id\tquantity\tunit_price\nT1\t";
    bytes.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let at = bytes.len();
    bytes.extend([0x00, 0xD8, b'x', 0x00]);
    let test = Test::new().file("input/a.csv", bytes);
    let out = run(&test, &[]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.stderr_has(&format!("a.csv: not valid utf-16le at byte {at} (line 2)"));
    // UTF-8 declared as UTF-16: the message names what would fit.
    let test = Test::new().csv("b.csv", &["T1,2026-11-25 10:00:00,web,,C1,P1,1,2.50"]);
    let out = run(&test, &["--encoding", "utf-16be"]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.stderr_has(
        "b.csv: does not look like utf-16be: it looks like utf-8; try `--encoding utf-8`",
    );
    // UTF-16 without a mark: the header's NUL bytes say which.
    let plain: Vec<u8> = "transaction_id,timestamp\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let out = run(&Test::new().file("input/c.csv", plain), &[]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.stderr_has("it looks like utf-16le; try `--encoding utf-16le`");
}

#[test]
fn the_delimiter_is_sniffed_and_can_be_forced() {
    let semicolon = "transaction_id;timestamp;channel;product_id;quantity;unit_price\n\
                     T1;2026-11-25 10:00:00;web;P1;1;2,50\n\
                     T2;2026-11-25 11:00:00;web;\"P;2\";1;2.50\n";
    let test = Test::new().file("input/a.csv", semicolon);
    let out = run(&test, &[]).code(0);
    assert_eq!(out.json()["totals"]["valid"], 2);
    assert!(out
        .read("reports/daily_sales_2026-11-25.csv")
        .contains("5.00"));
    // Forced to `,`: the header lacks its columns, and the message says
    // which delimiter would find them.
    let out = run(&test, &["--delimiter", ","]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.stderr_has(
        "the header splits into every sales column at `;`, not at `,`: try `--delimiter ';'`",
    );
    // A `,` file whose first data rows hold `;` in quoted fields.
    let comma = "transaction_id,timestamp,channel,product_id,quantity,unit_price\n\
                 T1,2026-11-25 10:00:00,web,\"a;b;c;d;e\",1,2.50\n";
    let out = run(&Test::new().file("input/b.csv", comma), &[]).code(0);
    assert_eq!(out.json()["files"][0]["read_as"]["delimiter"], ",");
    assert_eq!(out.json()["totals"]["valid"], 1);
    // A header alone, and a file of one column.
    let header_only = "transaction_id|timestamp|channel|product_id|quantity|unit_price\n";
    let out = run(&Test::new().file("input/c.csv", header_only), &[]).code(0);
    assert_eq!(out.json()["files"][0]["read_as"]["delimiter"], "|");
    let one = "transaction_id\nT1\n";
    let out = run(&Test::new().file("input/d.csv", one), &[]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    out.stderr_has("d.csv: missing required columns `timestamp`");
}

#[test]
fn decimal_commas_only_where_they_cannot_be_a_delimiter() {
    let rows = [
        "T1,2026-11-25 10:00:00,web,,C1,P1,1,\"12,50\"",
        "T2,2026-11-25 10:00:00,web,,C1,P1,1,\"1.234,50\"",
        "T3,2026-11-25 10:00:00,web,,C1,P1,1,3.50",
    ];
    let test = Test::new().csv("a.csv", &rows);
    let out = run(&test, &["--allow-rejects"]).code(0);
    assert_eq!(out.json()["reasons"]["bad_unit_price"], 2);
    let out = run(&test, &["--decimal-comma", "--allow-rejects"]).code(0);
    // `12,50` reads; a thousands separator is refused, not guessed.
    assert_eq!(out.json()["reasons"]["bad_unit_price"], 1);
    assert!(out.read("errors/a.rejected.csv").contains("\"1.234,50\""));
    assert!(out
        .read("reports/daily_sales_2026-11-25.csv")
        .contains("16.00"));
    // Without the flag, the run fails and names it.
    let out = run(&Test::new().csv("b.csv", &rows[..1]), &[]);
    assert_eq!(out.code, 8, "{}", out.stderr);
    out.stderr_has("values use a decimal comma (`12,50`): try `--decimal-comma`");
}

#[test]
fn settings_file_precedence_and_problems() {
    let settings = "[files.\"*.csv\"]\ntimestamp_formats = \"%d.%m.%Y %H:%M\"\n\
                    [files.\"web_*\"]\ntimestamp_formats = \"%m.%d.%Y %H:%M\"\n";
    let test = Test::new()
        .csv("web_1.csv", &["W1,25.11.2026 10:00,web,,C1,P1,1,2.50"])
        .csv("store_1.csv", &["S1,25.11.2026 10:00,store,,C1,P1,1,2.50"])
        .file("input/sales-etl.toml", settings);
    // The later section wins for web_1 (month 25 does not exist).
    let out = run(&test, &["--allow-rejects"]).code(0);
    let json = out.json();
    let file = |i: usize| json["files"][i].clone();
    assert_eq!(file(0)["file"], "store_1.csv");
    assert_eq!(file(0)["valid"], 1);
    assert_eq!(file(1)["invalid"], 1);
    assert_eq!(
        file(1)["read_as"]["from"]["timestamp_formats"],
        "sales-etl.toml line 3 [files.\"web_*\"]"
    );
    // A flag wins over both.
    let out = run(&test, &["--timestamp-format", "%d.%m.%Y %H:%M"]).code(0);
    assert_eq!(out.json()["totals"]["valid"], 2);
    assert_eq!(
        out.json()["files"][1]["read_as"]["from"]["timestamp_formats"],
        "command line"
    );
    // --config names another file; an unknown key and a bad value are
    // usage errors naming the file and line.
    let typo = test
        .clone()
        .file("other.toml", "[files.\"*\"]\n\ndelimeter = \";\"\n");
    let out = run(&typo, &["--config", "other.toml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has("settings file `other.toml` line 3: unknown field `delimeter`");
    let bad = test.clone().file(
        "input/sales-etl.toml",
        "[files.\"*\"]\nencoding = \"ebcdic\"\n",
    );
    let out = run(&bad, &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has("line 2: `ebcdic` is not an encoding");
    let out = run(&test, &["--config", "missing.toml"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has("settings file `missing.toml`: cannot read");
}

#[test]
fn explain_config_shows_each_files_settings_and_why() {
    let excel = fixture("excel")
        .file("input/sales-etl.toml", EXCEL_SETTINGS)
        .csv(
            "web_2026-11-25.csv",
            &["T1,2026-11-25 10:00:00,web,,C1,P1,1,2.50"],
        );
    let out = excel
        .clone()
        .args(&["run", "input", "--explain-config"])
        .run()
        .code(0);
    let want = "\
settings file input/sales-etl.toml
pos_2026-11-25.csv
  encoding windows-1252 (sales-etl.toml line 1 [files.\"pos_*.csv\"])
  delimiter `;` (sniffed from the header)
  decimal comma yes (the delimiter is not `,`)
  timestamps %d/%m/%Y %H:%M:%S, then ISO 8601 (sales-etl.toml line 1 [files.\"pos_*.csv\"])
  columns qty → quantity, txn_id → transaction_id (sales-etl.toml line 1 [files.\"pos_*.csv\"])
  channels app → mobile, filiale → store, online → web (sales-etl.toml line 1 [files.\"pos_*.csv\"])
  max reject rate 50 % (default)
web_2026-11-25.csv
  encoding utf-8 (default)
  delimiter `,` (sniffed from the header)
  decimal comma no (default)
  timestamps ISO 8601 only (default)
  columns none (default)
  channels none (default)
  max reject rate 50 % (default)
";
    crate::util::assert_text(&out.stdout, want);
    assert!(!out.exists("errors"), "nothing is written");
    assert!(!out.exists("sales.db"), "no warehouse is touched");
}

#[test]
fn every_timestamp_unread_fails_the_run_and_49_percent_does_not() {
    let rows = |bad: usize, all: usize| -> Vec<String> {
        (0..all)
            .map(|i| {
                let when = if i < bad {
                    format!("{:02}/11/2026 10:00", i % 28 + 1)
                } else {
                    "2026-11-25 10:00:00".to_owned()
                };
                format!("T{i},{when},web,,C1,P{},1,2.50", i % 3)
            })
            .collect()
    };
    let test = |bad, all| {
        let lines = rows(bad, all);
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        Test::new().csv("web_2026-11-25.csv", &lines)
    };
    let loaded = |test: &Test| {
        let conn = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
        conn.query_row("SELECT COUNT(*) FROM staging_sales", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or(0)
    };
    let all_bad = test(100, 100);
    let out = all_bad
        .clone()
        .args(&["run", "input", "--db", "sqlite://w.db", "-q"])
        .run();
    assert_eq!(out.code, 8, "{}", out.stderr);
    out.stderr_has("100 `bad_timestamp`: values look like `01/11/2026 10:00`: try `--timestamp-format '%d/%m/%Y %H:%M'`");
    assert_eq!(loaded(&all_bad), 0);
    let some_bad = test(49, 100);
    some_bad
        .clone()
        .args(&["run", "input", "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    assert_eq!(loaded(&some_bad), 51);
}

#[test]
fn query_over_a_folder_reads_it_with_the_same_settings() {
    let excel = fixture("excel").file("input/sales-etl.toml", EXCEL_SETTINGS);
    let out = excel
        .clone()
        .args(&[
            "query",
            "SELECT channel, SUM(line_revenue) AS revenue FROM sales GROUP BY channel ORDER BY channel",
            "input",
            "--format",
            "csv",
        ])
        .run()
        .code(0);
    crate::util::assert_text(
        &out.stdout,
        "channel,revenue\nmobile,74.50\nstore,17.98\nweb,157.99\n",
    );
    // The flags work there too: without the settings file's encoding the
    // names are not UTF-8.
    let out = excel
        .args(&[
            "query",
            "SELECT COUNT(*) AS n FROM rejected WHERE reason = 'bad_encoding'",
            "input",
            "--format",
            "csv",
            "--encoding",
            "utf-8",
        ])
        .run()
        .code(0);
    crate::util::assert_text(&out.stdout, "n\n4\n");
}
