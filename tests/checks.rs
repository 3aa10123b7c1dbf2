//! Issue "checks that can fail": the run's counts are made apart and
//! compared, and a row lost or doubled anywhere fails the run with exit 1
//! before anything is committed. Each place is tested by injecting the
//! fault (`SALES_ETL_TEST_FAULT`, see `src/fault.rs`).

use crate::db::{samples, STAGING};
use crate::hostile::lake;
use crate::util::Test;

/// Runs in the SQLite warehouse `w.db`, its staging rows and its rejected
/// rows.
fn warehouse(test: &Test) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        count("SELECT COUNT(*) FROM etl_runs"),
        count("SELECT COUNT(*) FROM staging_sales"),
        count("SELECT COUNT(*) FROM rejected_rows"),
    )
}

#[test]
fn a_row_lost_or_doubled_anywhere_fails_the_run_and_commits_nothing() {
    let test = Test::new();
    let args = [
        "run",
        &samples(),
        "--db",
        "sqlite://w.db",
        "--export",
        "lake",
        "--export-rejected",
        "--reload",
        "-q",
    ];
    test.clone().args(&args).run().code(0);
    let before = (warehouse(&test), lake(&test.dir().join("lake")));
    let errors_before = lake(&test.dir().join("errors"));
    for (fault, said) in [
        ("reader-drops-row", "row accounting does not add up"),
        ("rejected-drops-row", "errors/ for `"),
        ("loader-drops-row", "the load into sqlite://w.db"),
        (
            "loader-drops-rejected-row",
            "the load into sqlite://w.db's rejected rows",
        ),
        ("export-doubles-row", "the export's sales for `"),
    ] {
        let out = test
            .clone()
            .args(&args)
            .env("SALES_ETL_TEST_FAULT", fault)
            .run();
        assert_eq!(out.code, 1, "{fault}: {}", out.stderr);
        out.stderr_has(said);
        assert_eq!(
            (warehouse(&test), lake(&test.dir().join("lake"))),
            before,
            "{fault}: the warehouse or the lake changed"
        );
        assert_eq!(lake(&test.dir().join("errors")), errors_before, "{fault}");
    }
}

/// The same for a load into MariaDB: the server's own count of the rows it
/// took is compared too, and a lost row rolls the load back.
#[test]
fn a_row_lost_on_the_way_to_mariadb_fails_the_run_and_commits_nothing() {
    let (mut db, url, test) = crate::db::with_samples();
    let before = db.rows(STAGING);
    let runs = db.rows("SELECT COUNT(*) FROM etl_runs");
    let out = test
        .clone()
        .args(&["run", &samples(), "--db", &url, "--reload", "-q"])
        .env("SALES_ETL_TEST_FAULT", "loader-drops-row")
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("holds 18 rows where the ledger counts 19");
    assert_eq!(db.rows(STAGING), before);
    assert_eq!(db.rows("SELECT COUNT(*) FROM etl_runs"), runs);
    let rejected = db.rows("SELECT COUNT(*) FROM rejected_rows");
    let out = test
        .clone()
        .args(&["run", &samples(), "--db", &url, "--reload", "-q"])
        .env("SALES_ETL_TEST_FAULT", "loader-drops-rejected-row")
        .run();
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("rejected rows");
    assert_eq!(db.rows("SELECT COUNT(*) FROM rejected_rows"), rejected);
    assert_eq!(db.rows("SELECT COUNT(*) FROM etl_runs"), runs);
}

/// Issue "checks that can fail": every documented exit code, reached by a
/// command, and the codes reached are exactly the documented ones.
#[test]
fn every_documented_exit_code_is_reachable() {
    use sales_etl::error::exit;
    let bad_csv = "transaction_id,when\nT1,x\n";
    let cases: Vec<(i32, Test)> = vec![
        (
            exit::SUCCESS,
            Test::new().args(&["run", &samples(), "--no-db", "-q"]),
        ),
        (
            exit::INTERNAL,
            Test::new()
                .args(&["run", &samples(), "--no-db", "-q"])
                .env("SALES_ETL_TEST_FAULT", "reader-drops-row"),
        ),
        (
            exit::USAGE,
            Test::new().args(&["run", &samples(), "--bogus"]),
        ),
        (
            exit::BAD_INPUT,
            Test::new()
                .file("input/web_2026-11-25.csv", bad_csv)
                .args(&["run", "input", "--no-db", "-q"]),
        ),
        (
            exit::NO_INPUT,
            Test::new().args(&["run", "no-such-folder", "--no-db"]),
        ),
        (
            exit::OUTPUT,
            Test::new()
                .file("errors", "a file where the folder goes")
                .args(&["run", &samples(), "--no-db", "-q"]),
        ),
        (
            exit::DATABASE,
            Test::new().args(&[
                "run",
                &samples(),
                "--db",
                "mysql://root@127.0.0.1:1/x",
                "-q",
            ]),
        ),
        (
            exit::QUERY,
            Test::new().args(&["query", "SELEC 1", &samples()]),
        ),
        (
            exit::MOSTLY_REJECTED,
            Test::new()
                .csv(
                    "a.csv",
                    &[
                        "T1,25/11/2026 14:03,web,,C1,P1,1,2.50",
                        "T2,25/11/2026 14:04,web,,C1,P1,1,2.50",
                    ],
                )
                .args(&["run", "input", "--no-db", "-q"]),
        ),
    ];
    let reached: Vec<i32> = cases.iter().map(|(code, _)| *code).collect();
    let documented: Vec<i32> = exit::MEANINGS.iter().map(|(code, _)| *code).collect();
    assert_eq!(reached, documented);
    for (code, test) in cases {
        let out = test.run();
        assert_eq!(out.code, code, "{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

/// The engines' own read-only walls, each alone: with the guard switched
/// off (a test-only fault), a statement that writes still fails with exit
/// 7 and changes nothing — MariaDB's read-only transaction, SQLite's
/// read-only connection.
#[test]
fn the_engines_read_only_walls_hold_without_the_guard() {
    let (mut db, url, test) = crate::db::with_samples();
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let before = (db.rows(STAGING), warehouse(&test));
    for target in [url.as_str(), "sqlite://w.db"] {
        for sql in [
            "DELETE FROM staging_sales",
            "UPDATE staging_sales SET quantity = 0",
        ] {
            let out = test
                .clone()
                .args(&["query", sql, "--db", target])
                .env("SALES_ETL_TEST_FAULT", "guard-off")
                .run();
            assert_eq!(out.code, 7, "{target} {sql}: {}", out.stderr);
        }
    }
    assert_eq!((db.rows(STAGING), warehouse(&test)), before);
}

/// Issue "checks that can fail", a promise without a test: tables use
/// colour on a terminal, and never under `NO_COLOR`. The terminal is a
/// pseudo-terminal from `script` (util-linux).
#[test]
fn no_color_turns_the_terminal_colour_off() {
    let coloured = |no_color: Option<&str>| -> bool {
        let dir = tempfile::tempdir().unwrap();
        let command = format!(
            "{} run {} --no-db",
            env!("CARGO_BIN_EXE_sales-etl"),
            samples()
        );
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .current_dir(dir.path())
            .env_clear()
            .env("TERM", "xterm-256color")
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if let Some(value) = no_color {
            script.env("NO_COLOR", value);
        }
        let out = crate::util::finished_within(
            script.spawn().expect("script (util-linux)"),
            crate::util::WATCHDOG,
            &[],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Rows per file"), "{text}");
        // A colour (SGR) sequence, `ESC [ digits;… m`; the progress bar's
        // cursor moves (`ESC [ 2K`) are not colour.
        text.split("\u{1b}[").skip(1).any(|rest| {
            let code: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ';')
                .collect();
            !code.is_empty() && rest[code.len()..].starts_with('m') && code != "0"
        })
    };
    assert!(coloured(None), "no colour on a terminal");
    assert!(!coloured(Some("1")), "colour under NO_COLOR=1");
    // An empty NO_COLOR is unset, as no-color.org says.
    assert!(coloured(Some("")), "no colour under an empty NO_COLOR");
}

/// Issue "checks that can fail", a promise without a test: a file that
/// changes while the run reads it is exit 3 and nothing is written. The
/// run is held between its reads by the output lock, which this test takes
/// first; the file grows meanwhile.
#[test]
fn a_file_changed_while_it_is_read_is_exit_3() {
    use std::io::{BufRead, Write};
    let test = Test::new()
        .csv(
            "web_2026-11-25.csv",
            &[&crate::db::row("T1", "2026-11-25", "P1", 1)],
        )
        .file("errors/.sales-etl.lock", "");
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(test.dir().join("errors/.sales-etl.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = test
        .clone()
        .args(&["run", "input", "--db", "sqlite://w.db"])
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("waiting for another sales-etl run") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "ended first: {said}"
        );
        said.push_str(&line);
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(test.dir().join("input/web_2026-11-25.csv"))
        .unwrap();
    writeln!(file, "{}", crate::db::row("T2", "2026-11-25", "P2", 2)).unwrap();
    drop(file);
    lock.unlock().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(3), "{said}{rest}");
    assert!(rest.contains("web_2026-11-25.csv"), "{rest}");
    assert!(!test.dir().join("w.db").exists() || warehouse(&test).0 == 0);
    // The folders were made for their locks; no file went into them.
    for folder in ["errors", "reports"] {
        let files = lake(&test.dir().join(folder));
        assert!(files.is_empty(), "{folder}: {:?}", files.keys());
    }
}

/// Issue "checks that can fail", a promise without a test: rows the server
/// skips with a warning while it takes them (here a CHECK constraint added
/// by hand; LOAD DATA LOCAL turns such errors into warnings) fail the load
/// and roll it back, and the warning is said.
#[test]
fn a_server_warning_during_the_load_rolls_it_back() {
    use mysql::prelude::Queryable;
    let (mut db, url, test) = crate::db::with_samples();
    let before = (db.rows(STAGING), db.rows("SELECT COUNT(*) FROM etl_runs"));
    // The rows already there break it: not checked when it is added.
    db.conn
        .query_drop("SET SESSION check_constraint_checks = 0")
        .unwrap();
    db.conn
        .query_drop("ALTER TABLE staging_sales ADD CONSTRAINT few_units CHECK (quantity < 3)")
        .unwrap();
    let out = test
        .clone()
        .args(&["run", &samples(), "--db", &url, "--reload", "-q"])
        .run();
    assert_eq!(out.code, 6, "{}", out.stderr);
    out.stderr_has("the server reported")
        .stderr_has("warning(s)");
    assert_eq!(
        (db.rows(STAGING), db.rows("SELECT COUNT(*) FROM etl_runs")),
        before
    );
}

/// Issue "real exports as they come": a file most of whose rows are
/// rejected for one reason fails the run (exit 8) before anything is
/// loaded, says the file, the reason and the counts, and still writes
/// `errors/` and the reports; `--allow-rejects` and a higher
/// `--max-reject-rate` load the valid rows as before.
#[test]
fn a_file_mostly_rejected_for_one_reason_fails_loudly_and_loads_nothing() {
    let test = Test::new()
        .csv(
            "web_2026-11-25.csv",
            &[
                "T1,25/11/2026 14:03,web,,C1,P1,1,2.50",
                "T2,25/11/2026 14:04,web,,C1,P1,1,2.50",
                "T3,2026-11-25 14:05:00,web,,C1,P1,1,2.50",
            ],
        )
        .csv(
            "store_2026-11-25.csv",
            &["S1,2026-11-25 10:00:00,store,ST1,C1,P1,1,2.50"],
        );
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "input",
            "--db",
            "sqlite://w.db",
            "--no-outliers",
            "-q",
        ];
        args.extend(extra);
        test.clone().args(&args).run()
    };
    let out = run(&[]);
    assert_eq!(out.code, 8, "{}", out.stderr);
    out.stderr_has(
        "`web_2026-11-25.csv`: 2 of its 3 rows invalid (more than its max reject rate, 50 %):\n  \
         2 `bad_timestamp`: values look like `25/11/2026 14:03`: try `--timestamp-format '%d/%m/%Y %H:%M'`",
    );
    out.stderr_has("--allow-rejects");
    assert!(out.exists("errors/web_2026-11-25.rejected.csv"));
    assert!(out.exists("reports/daily_sales_2026-11-25.csv"));
    let rows = |test: &Test| {
        let conn = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(0);
        (
            count("SELECT COUNT(*) FROM staging_sales"),
            count("SELECT COUNT(*) FROM etl_runs WHERE status = 'loaded'"),
        )
    };
    assert_eq!(rows(&test), (0, 0), "nothing loaded");
    // Two of three is 66.7 %: a rate of 70 % lets it through, as does
    // --allow-rejects.
    run(&["--max-reject-rate", "70"]).code(0);
    assert_eq!(rows(&test), (2, 1));
    run(&["--allow-rejects", "--reload"]).code(0);
    assert_eq!(rows(&test), (2, 2));
    let out = run(&["--max-reject-rate", "101"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}
