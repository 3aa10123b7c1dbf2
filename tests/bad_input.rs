//! Every class of bad input: none may crash the tool or lose a row.

use crate::util::{Test, HEADER};

const ROW: &str = "T1,2024-03-01 10:00:00,web,,C1,P1,2,9.99";

fn totals(out: &crate::util::Output) -> serde_json::Value {
    out.json()["totals"].clone()
}

#[test]
fn empty_folder_has_its_own_exit_code() {
    let out = Test::new()
        .file("input/notes.txt", "x")
        .args(&["run", "input"])
        .run()
        .code(4);
    out.stderr_has("no CSV files in `input` (1 other file ignored)");
    let out = Test::new()
        .args(&["run", "missing"])
        .env("RUST_BACKTRACE", "1")
        .run()
        .code(4);
    out.stderr_has("input folder `missing` does not exist");
    // A message, never a stack dump, whatever the environment says.
    assert!(
        !out.stderr.contains("acktrace") && !out.stderr.contains("Location"),
        "{}",
        out.stderr
    );
}

#[test]
fn unusable_files_fail_before_anything_is_written() {
    let out = Test::new()
        .csv("good.csv", &[ROW, ROW])
        .file(
            "input/no_quantity.csv",
            "transaction_id,timestamp,channel,product_id,unit_price\n",
        )
        .file("input/binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
        .file("input/empty.csv", "")
        .args(&["run", "input"])
        .run()
        .code(3);
    out.stderr_has("3 input files cannot be read")
        .stderr_has("no_quantity.csv: missing required column `quantity`")
        .stderr_has("binary.csv: not a UTF-8 text file")
        .stderr_has("empty.csv: no header row");
    assert!(
        !out.exists("errors") && !out.exists("reports"),
        "wrote output before failing"
    );
}

#[test]
fn skip_bad_files_lists_them_and_goes_on() {
    let out = Test::new()
        .csv("good.csv", &[ROW])
        .file("input/empty.csv", "")
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--skip-bad-files",
            "--format",
            "json",
        ])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["skipped_files"][0]["file"], "empty.csv");
    assert_eq!(json["files"].as_array().unwrap().len(), 1);
    assert_eq!(json["totals"]["valid"], 1);
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"T\xff1,2024-03-01 10:00:00,web,,C1,P1,2,9.99\n");
    bytes.extend_from_slice(b"T\x002,2024-03-01 10:00:00,web,,C1,P1,2,9.99\n");
    bytes.extend_from_slice(b"T3,2024-03-01 10:00:00,web,,C\xc3,P1,2,9.99\n");
    let out = Test::new()
        .file("input/a.csv", bytes)
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--format",
            "json",
            "--no-outliers",
        ])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["totals"]["data_rows"], 3);
    assert_eq!(json["reasons"]["bad_encoding"], 2);
    assert_eq!(json["totals"]["valid"], 1);
    let rejected = out.read("errors/a.rejected.csv");
    assert!(rejected.contains("T\u{fffd}1,"), "{rejected}");
}

#[test]
fn a_one_megabyte_field() {
    let long = "x".repeat(1 << 20);
    let test = Test::new().csv(
        "a.csv",
        &[
            &format!("{long},2024-03-01 10:00:00,web,,C1,P1,2,9.99"),
            &format!("T2,2024-03-01 10:00:00,web,,\"{long}\",P1,2,9.99"),
        ],
    );
    // Rows just over the default limit of 1 MiB are rejected as oversized;
    // with a larger limit they are read whole.
    let json = test
        .clone()
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--format",
            "json",
            "--no-db",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(json["reasons"]["oversized_row"], 2);
    let test = test.args(&[
        "run",
        "input",
        "--allow-rejects",
        "--format",
        "json",
        "--max-record-bytes",
        "2MiB",
    ]);
    let out = test.command().arg("--no-db").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Read whole, then rejected: the warehouse's id columns hold 255
    // characters. Issue "a warehouse you can trust": such a row failed the
    // whole load (exit 6); it is a rejected row with a reason now.
    assert_eq!(json["reasons"]["id_too_long"], 2);
    assert_eq!(json["totals"]["valid"], 0);
    let json = test.args(&["--db", "sqlite://w.db"]).run().code(0).json();
    assert_eq!(json["load"]["rows"], 0);
}

/// Issue "a warehouse you can trust": an id of 256 characters is rejected
/// as `id_too_long`, one of 255 (however many bytes) is loaded, in both
/// warehouses; the other rows of the file load as usual.
#[test]
fn ids_longer_than_a_warehouse_column_are_rejected() {
    let ok = "é".repeat(255);
    let long = "x".repeat(256);
    let test = Test::new().csv(
        "a.csv",
        &[
            &format!("{ok},2024-03-01 10:00:00,web,,,P1,1,1.00"),
            &format!("T2,2024-03-01 10:00:00,web,{long},,P1,1,1.00"),
            &format!("T3,2024-03-01 10:00:00,web,,{long},P1,1,1.00"),
            &format!("T4,2024-03-01 10:00:00,web,,,{long},1,1.00"),
            &format!("{long},2024-03-01 10:00:00,web,,,P1,1,1.00"),
            "T6,2024-03-01 10:00:00,web,,,P1,1,1.00",
        ],
    );
    for (url, json) in crate::db::into_both_warehouses(&test) {
        assert_eq!(json["reasons"]["id_too_long"], 4, "{url}");
        assert_eq!(json["load"]["rows"], 2, "{url}");
    }
}

#[test]
fn an_unterminated_quote_is_a_rejected_row_not_a_crash() {
    let out = Test::new()
        .csv(
            "a.csv",
            &[
                ROW,
                "T2,2024-03-01 10:00:00,web,,\"C1,P1,2,9.99",
                "T3,2024-03-01 10:00:00,web,,C1,P1,2,9.99",
            ],
        )
        .args(&["run", "input", "--allow-rejects", "--format", "json"])
        .run()
        .code(0);
    let json = out.json();
    // The open quote swallows the rest of the file into one field: the row
    // is ragged, and its line is reported.
    assert_eq!(json["totals"]["data_rows"], 2);
    assert_eq!(json["reasons"]["ragged_row"], 1);
    assert!(out
        .read("errors/a.rejected.csv")
        .contains(",a.csv,3,invalid,ragged_row,"));
}

#[test]
fn numbers_that_overflow() {
    let out = Test::new()
        .csv(
            "a.csv",
            &[
                "T1,2024-03-01 10:00:00,web,,C1,P1,99999999999999999999999999,9.99",
                "T2,2024-03-01 10:00:00,web,,C1,P1,2,99999999999999999999999999999999999999999.5",
                "T3,2024-03-01 10:00:00,web,,C1,P1,2147483647,999999999999.999999",
                "T5,2024-03-01 10:00:00,web,,C1,P1,9,999999999999.999999",
                "T4,99999-03-01 10:00:00,web,,C1,P1,1,1",
            ],
        )
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--format",
            "json",
            "--no-outliers",
        ])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["reasons"]["bad_quantity"], 1);
    assert_eq!(json["reasons"]["bad_unit_price"], 1);
    assert_eq!(json["reasons"]["bad_timestamp"], 1);
    // Issue "a warehouse you can trust": a line no warehouse keeps exactly
    // (2147483647 × 999999999999.999999) is rejected, not fatal to the load.
    assert_eq!(json["reasons"]["revenue_out_of_range"], 1);
    // A line just under the ceiling: 9 × 999999999999.999999 =
    // 8999999999999.999991, exact, rounded once.
    assert_eq!(json["daily_sales"][0]["revenue"], "9000000000000.00");
}

#[test]
fn two_thousand_tiny_files() {
    let mut test = Test::new();
    for i in 0..2000 {
        test = test.csv(
            &format!("f{i:04}.csv"),
            &[&format!("T{i},2024-03-01 10:00:00,web,,C1,P1,2,9.99")],
        );
    }
    let out = test
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--format",
            "json",
            "-q",
            "--dry-run",
        ])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["files"].as_array().unwrap().len(), 2000);
    assert_eq!(json["totals"]["valid"], 2000);
}

#[test]
fn ignored_hidden_and_unknown_columns() {
    let out = Test::new()
        .file(
            "input/a.csv",
            format!("{},coupon\n{ROW},X\n", HEADER.trim_end()),
        )
        .file("input/.~lock.a.csv#", "lock")
        .file("input/readme.txt", "x")
        .args(&["run", "input"])
        .run()
        .code(0);
    out.stderr_has("warning: ignored 1 non-CSV file: readme.txt")
        .stderr_has("warning: a.csv: unknown column `coupon` left out");
}

#[test]
fn header_only_and_comment_only_bodies() {
    let out = Test::new()
        .file("input/a.csv", format!("{HEADER}# nothing today\n\n"))
        .args(&["run", "input", "--allow-rejects", "--format", "json"])
        .run()
        .code(0);
    assert_eq!(totals(&out)["data_rows"], 0);
    assert_eq!(out.json()["fences"], serde_json::Value::Null);
}

/// Issue "clean at the speed of reading": files cut into ranges of 64
/// bytes, read by two threads, give byte for byte the outputs of one
/// thread reading each file whole, though quoted line breaks, CRLF, a BOM,
/// comment and blank lines, ragged and oversized rows straddle the cuts
/// (a range that begins inside a quoted field is read again from where
/// the range before it ends).
#[test]
fn ranges_read_on_two_threads_equal_one_thread_byte_for_byte() {
    let mut web = String::from("\u{feff}# exported\n");
    web.push_str(HEADER);
    web.push('\n');
    let mut mobile = HEADER.replace('\n', "\r\n");
    mobile.push_str("\r\n");
    for i in 0..400 {
        let customer = match i % 7 {
            0 => "\"Doe,\nJane\"".to_owned(),
            1 => format!(
                "\"a \"\"quoted\"\"\n# not a comment\n{}\"",
                "x".repeat(i % 90)
            ),
            2 => "\"\"".to_owned(),
            _ => format!("C{i}"),
        };
        let id = if i % 11 == 0 {
            "T5".to_owned()
        } else {
            format!("T{i}")
        };
        let quantity = if i % 37 == 0 { 400 } else { 1 + i % 4 };
        let row = format!(
            "{id},2024-03-01 10:{:02}:00,web,,{customer},P{},{quantity},9.99",
            i % 60,
            i % 9
        );
        web.push_str(&row);
        web.push('\n');
        mobile.push_str(&row.replace("web", "mobile").replace('\n', "\r\n"));
        mobile.push_str("\r\n");
        match i % 50 {
            3 => web.push_str("# a comment line with a \" quote\n\n   \n"),
            4 => web.push_str("T-short,2024-03-01 10:00:00\n"),
            5 => web.push_str(&format!("T-long,\"{}\n", "y".repeat(300))),
            _ => {}
        }
    }
    let test = Test::new()
        .file("input/web_2024-03-01.csv", &web)
        .file("input/mobile_2024-03-01.csv", &mobile);
    let one = test
        .clone()
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--no-db",
            "--threads",
            "1",
            "--max-record-bytes",
            "256",
            "--errors-dir",
            "one/errors",
            "--reports-dir",
            "one/reports",
            "--format",
            "json",
        ])
        .run()
        .code(0);
    let many = test
        .args(&[
            "run",
            "input",
            "--allow-rejects",
            "--no-db",
            "--threads",
            "2",
            "--range-bytes",
            "64",
            "--max-record-bytes",
            "256",
            "--errors-dir",
            "many/errors",
            "--reports-dir",
            "many/reports",
            "--format",
            "json",
        ])
        .run()
        .code(0);
    let (a, b) = (one.json(), many.json());
    assert_eq!(a["totals"], b["totals"]);
    assert_eq!(a["files"], b["files"]);
    assert_eq!(a["reasons"], b["reasons"]);
    assert!(
        a["reasons"]["oversized_row"].as_u64().unwrap() > 0,
        "{}",
        a["reasons"]
    );
    assert!(
        a["reasons"]["ragged_row"].as_u64().unwrap() > 0,
        "{}",
        a["reasons"]
    );
    assert!(a["totals"]["duplicate"].as_u64().unwrap() > 0);
    for name in [
        "errors/web_2024-03-01.rejected.csv",
        "errors/mobile_2024-03-01.rejected.csv",
        "reports/daily_sales_2024-03-01.csv",
        "reports/top5_products_2024-03-01.csv",
    ] {
        assert_eq!(
            one.read(&format!("one/{name}")),
            many.read(&format!("many/{name}")),
            "{name}"
        );
    }
}
