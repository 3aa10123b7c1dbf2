//! Issue "hardening": each case a hostile user found, as a test that failed
//! before the fix — against the real MariaDB and SQLite where it concerns
//! them.

use mysql::prelude::Queryable;

use crate::db::{row, samples, server_url, sqlite_rows, Database, DAILY, SQLITE_STAGING, STAGING};
use crate::util::{Test, HEADER};

/// Starts both runs at once and fails unless both succeed.
fn both_succeed_at_once(a: Test, b: Test) {
    let spawn = |test: &Test| {
        test.command()
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [spawn(&a), spawn(&b)];
    for child in children {
        let out = crate::util::finished_within(child, crate::util::WATCHDOG, &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A sales file of `rows` valid rows of one day, ids `<letter><n>`.
fn many_rows(letter: &str, rows: u32) -> String {
    let mut text = HEADER.to_owned();
    for i in 0..rows {
        let product = format!("P{}", i % 11);
        text.push_str(&row(
            &format!("{letter}{i}"),
            "2026-11-25",
            &product,
            1 + i % 4,
        ));
        text.push('\n');
    }
    text
}

/// Case 1: `query --db` could write to MariaDB. Every form found refuses
/// with exit code 7 before it reaches the server, and the tables, the
/// server's files and its settings stay as they were.
#[test]
fn query_db_refuses_writes_files_and_settings_on_mariadb() {
    let (mut db, url, test) = crate::db::with_samples();
    let before = (db.rows(STAGING), db.rows(DAILY));
    let connections = db.rows("SELECT @@max_connections");
    let outfile = format!("/tmp/sales_etl_outfile_{}", std::process::id());
    for sql in [
        "SET SESSION TRANSACTION READ WRITE; DELETE FROM staging_sales WHERE source_file='store_2026-11-25.csv'".to_owned(),
        "SELECT 1; CREATE TABLE x(i int)".to_owned(),
        "SELECT 1; DROP TABLE staging_sales".to_owned(),
        "DELETE FROM staging_sales".to_owned(),
        format!("SELECT * FROM staging_sales INTO OUTFILE '{outfile}'"),
        "SELECT LOAD_FILE('/etc/passwd')".to_owned(),
        "SET GLOBAL max_connections = 5".to_owned(),
        "SELECT @x := 1".to_owned(),
    ] {
        test.clone()
            .args(&["query", &sql, "--db", &url])
            .run()
            .code(7);
    }
    assert!(
        (db.rows(STAGING), db.rows(DAILY)) == before,
        "a query changed the warehouse"
    );
    assert_eq!(db.rows("SELECT @@max_connections"), connections);
    assert!(!std::path::Path::new(&outfile).exists());
    assert!(!db.server_has_file(&outfile), "the server wrote {outfile}");
    let tables = db.rows(&format!(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{}' AND table_name = 'x'",
        db.name
    ));
    assert_eq!(tables, [["0"]]);
}

/// Case 2: `VACUUM INTO` wrote a copy of the SQLite warehouse.
#[test]
fn query_db_refuses_vacuum_into_on_sqlite() {
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    test.clone()
        .args(&["query", "VACUUM INTO 'copy.db'", "--db", "sqlite://w.db"])
        .run()
        .code(7);
    assert!(!test.dir().join("copy.db").exists());
}

/// Case 9: `query --db` had no timeout.
#[test]
fn query_db_stops_at_its_timeout() {
    let db = Database::new();
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", &db.url(), "-q"])
        .run()
        .code(0);
    // SLEEP is refused now (issue "hardening, second round"); a count over
    // a cubed catalogue stands for a slow question, and the server says it
    // stopped it (no wall-time assertion: issue "checks that can fail").
    let slow = "SELECT COUNT(*) FROM information_schema.columns a, \
                information_schema.columns b, information_schema.columns c";
    test.clone()
        .args(&["query", slow, "--db", &db.url(), "--timeout", "1"])
        .run()
        .code(7)
        .stderr_has("max_statement_time");
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let endless =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n";
    test.clone()
        .args(&[
            "query",
            endless,
            "--db",
            "sqlite://w.db",
            "--timeout",
            "0.5",
        ])
        .run()
        .code(7)
        .stderr_has("interrupt");
}

/// Case 3: `WEB.CSV` and `WEB.csv` shared one rejected-rows file, and one
/// input's rejected rows vanished.
#[test]
fn inputs_that_differ_in_case_keep_their_own_rejected_rows() {
    let bad = "T9,2026-11-25 10:00:00,web,,C1,P1,zero,2.50";
    let test = Test::new()
        .file(
            "input/WEB.CSV",
            format!("{HEADER}{bad}\n{}\n", row("T1", "2026-11-25", "P1", 1)),
        )
        .file(
            "input/WEB.csv",
            format!(
                "{HEADER}{}\nT8,x,web,,C1,P1,1,2.50\n",
                row("T2", "2026-11-25", "P2", 1)
            ),
        )
        .args(&["run", "input", "--no-db", "--format", "json"]);
    for _ in 0..2 {
        let out = test.run().code(0);
        assert_eq!(out.json()["totals"]["invalid"], 2);
        let first = out.read("errors/WEB.rejected.csv");
        let second = out.read("errors/WEB~2.rejected.csv");
        assert!(first.contains("T9") && !first.contains("T8"), "{first}");
        assert!(second.contains("T8") && !second.contains("T9"), "{second}");
    }
}

/// Case 6: passwords in query parameters, or holding a `/`, were printed.
#[test]
fn passwords_never_reach_any_output() {
    let secret = "S3cr3tPw";
    let failing = [
        format!("{}/sales_etl_nope?password={secret}", server_url()),
        format!("mysql://u:{secret}/x@127.0.0.1:3306/sales"),
        // Issue "hardening, second round": the user info was cut at `?`.
        format!("mysql://u:Q?{secret}@127.0.0.1:3306/sales"),
        format!("mysql://u:Q#{secret}@127.0.0.1:3306/sales"),
        format!("mysql://u:Q?&#@/:{secret}@127.0.0.1:3306/sales?x=1"),
    ];
    for url in &failing {
        for args in [
            vec!["run", &samples(), "--db", url, "--format", "json"],
            vec![
                "run",
                &samples(),
                "--db",
                url,
                "--date",
                "2026-11-25",
                "--format",
                "json",
            ],
            vec!["report", "--date", "2026-11-25", "--db", url],
            vec!["query", "SELECT 1", "--db", url],
        ] {
            let out = Test::new().args(&args).run();
            assert_ne!(out.code, 0, "{args:?}");
            assert!(
                !out.stdout.contains(secret) && !out.stderr.contains(secret),
                "{args:?}\n{}\n{}",
                out.stdout,
                out.stderr
            );
        }
        // The same URL from the environment and from `.env`.
        for test in [
            Test::new().env("DATABASE_URL", url),
            Test::new().file(".env", format!("DATABASE_URL='{url}'\n")),
        ] {
            for args in [
                vec!["run", &samples(), "--format", "json"],
                vec!["query", "SELECT 1", "--db"],
            ] {
                let out = test.clone().args(&args).run();
                assert_ne!(out.code, 0, "{args:?}");
                let said = format!("{}{}", out.stdout, out.stderr);
                assert!(!said.contains(secret), "{args:?}\n{said}");
            }
        }
    }
    // A succeeding load as a user with a password: not in the summary, the
    // step lines, the files or the run record.
    let mut db = Database::new();
    let user = format!("etl_{}", std::process::id());
    let password = "Pw/S3cr3tPw";
    db.conn
        .query_drop(format!(
            "CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY '{password}'"
        ))
        .unwrap();
    db.conn
        .query_drop(format!("GRANT ALL ON {}.* TO '{user}'@'%'", db.name))
        .unwrap();
    let server = server_url();
    let host = server.rsplit('@').next().unwrap();
    let url = format!("mysql://{user}:Pw%2FS3cr3tPw@{host}/{}", db.name);
    let out = Test::new()
        .args(&["run", &samples(), "--db", &url, "--format", "json"])
        .run()
        .code(0);
    assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret));
    assert!(
        out.stdout.contains(&format!("{user}:***@")),
        "{}",
        out.stdout
    );
    let record = db.rows("SELECT input_files, status FROM etl_runs");
    assert!(!format!("{record:?}").contains(secret));
    let _ = db.conn.query_drop(format!("DROP USER '{user}'@'%'"));
}

/// Case 9: a `.env` that cannot be read fell back to sqlite://sales.db,
/// and an empty DATABASE_URL was an error.
#[test]
fn dotenv_that_cannot_be_read_is_a_usage_error() {
    let out = Test::new()
        .file(".env", "# warehouse\nDATABASE_URL=\"sqlite://w.db\n")
        .args(&["run", &samples(), "-q"])
        .run()
        .code(2);
    out.stderr_has("line 2");
    assert!(!out.exists("sales.db"));
    Test::new()
        .file(".env/x", "")
        .args(&["run", &samples(), "-q"])
        .run()
        .code(2)
        .stderr_has("not a file");
    let out = Test::new()
        .args(&["run", &samples(), "-q"])
        .env("DATABASE_URL", "")
        .run()
        .code(0);
    assert!(out.exists("sales.db"));
}

/// Case 4: two runs sharing a working folder corrupted each other's files.
/// Twenty pairs at once: every run succeeds and every file is whole, equal
/// to the same run's file made alone; the report files of the date both
/// write are one run's set, never a mix.
#[test]
fn runs_sharing_a_folder_take_turns() {
    let day = |letter: &str| -> String {
        let mut text = HEADER.to_owned();
        for i in 0..2_000 {
            text.push_str(&row(
                &format!("{letter}{i}"),
                "2026-11-25",
                &format!("P{}", i % 7),
                1 + i % 3,
            ));
            text.push('\n');
            if i % 50 == 0 {
                text.push_str(&format!(
                    "{letter}bad{i},2026-11-25 10:00:00,web,,C1,P1,zero,2.50\n"
                ));
            }
        }
        text
    };
    // Both runs write the reports of the same date; their own files have
    // names of their own.
    let test = Test::new().file("x/web_2026-11-25.csv", day("X")).file(
        "y/store_2026-11-25.csv",
        day("Y").replace(",web,", ",store,"),
    );
    let name = |input: &str| if input == "x" { "web" } else { "store" };
    const DAILY_FILE: &str = "daily_sales_2026-11-25.csv";
    const TOP_FILE: &str = "top5_products_2026-11-25.csv";
    let alone = |input: &str| {
        let (errors, reports) = (format!("alone_{input}"), format!("alone_reports_{input}"));
        let out = test
            .clone()
            .args(&[
                "run",
                input,
                "--no-db",
                "-q",
                "--errors-dir",
                &errors,
                "--reports-dir",
                &reports,
            ])
            .run()
            .code(0);
        (
            out.read(&format!("{errors}/{}_2026-11-25.rejected.csv", name(input))),
            out.read(&format!("{reports}/{DAILY_FILE}")),
            out.read(&format!("{reports}/{TOP_FILE}")),
        )
    };
    let (x_alone, y_alone) = (alone("x"), alone("y"));
    assert_ne!(x_alone.1, y_alone.1, "the two runs' reports must differ");
    for _ in 0..20 {
        let spawn = |input: &str| {
            test.clone()
                .args(&["run", input, "--no-db", "-q"])
                .command()
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        };
        let (mut x, mut y) = (spawn("x"), spawn("y"));
        assert!(x.wait().unwrap().success());
        assert!(y.wait().unwrap().success());
        let read = |path: &str| std::fs::read_to_string(test.dir().join(path)).unwrap();
        assert_eq!(read("errors/web_2026-11-25.rejected.csv"), x_alone.0);
        assert_eq!(read("errors/store_2026-11-25.rejected.csv"), y_alone.0);
        // The report files are one run's set, whole: the one that wrote last.
        let reports = (
            read(&format!("reports/{DAILY_FILE}")),
            read(&format!("reports/{TOP_FILE}")),
        );
        assert!(
            reports == (x_alone.1.clone(), x_alone.2.clone())
                || reports == (y_alone.1.clone(), y_alone.2.clone()),
            "report files mixed or cut:\n{}\n{}",
            reports.0,
            reports.1
        );
    }
    // With --no-wait a run that finds the folder busy fails with exit 5.
    let lock = std::fs::File::open(test.dir().join("errors/.sales-etl.lock")).unwrap();
    lock.lock().unwrap();
    test.clone()
        .args(&["run", "x", "--no-db", "-q", "--no-wait"])
        .run()
        .code(5);
    drop(lock);
}

/// Case 8: two loads into one MariaDB database at once ended in a deadlock
/// for one of them. Both succeed, and the result equals loading them one
/// after the other.
#[test]
fn concurrent_mariadb_loads_both_succeed() {
    let mut sequential = Database::new();
    let mut concurrent = Database::new();
    let test = Test::new()
        .file("a/web_a.csv", many_rows("A", 3_000))
        .file("b/web_b.csv", many_rows("B", 3_000));
    for input in ["a", "b"] {
        test.clone()
            .args(&[
                "run",
                input,
                "--db",
                &sequential.url(),
                "-q",
                "--no-outliers",
                "--errors-dir",
                input,
            ])
            .run()
            .code(0);
    }
    for _ in 0..20 {
        let run = |input: &str| {
            test.clone().args(&[
                "run",
                input,
                "--db",
                &concurrent.url(),
                "-q",
                "--no-outliers",
                "--errors-dir",
                input,
            ])
        };
        both_succeed_at_once(run("a"), run("b"));
        assert_eq!(concurrent.rows(STAGING), sequential.rows(STAGING));
        assert_eq!(concurrent.rows(DAILY), sequential.rows(DAILY));
    }
}

/// Case 7: after a SQLite load was killed, `report` and `query --db`
/// failed on the hot journal until the next run.
#[test]
fn readers_see_the_last_commit_after_a_killed_load() {
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    // A hot journal as a killed load leaves it: a transaction's journal
    // written, the process gone before the commit.
    let path = test.dir().join("w.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA cache_size = 1; BEGIN IMMEDIATE; DELETE FROM staging_sales; DELETE FROM reporting_daily_sales;")
            .unwrap();
        // Copy the journal while the transaction is open, then let it roll
        // back; the copy is the journal of a process that died here.
        let journal = test.dir().join("w.db-journal");
        let hot = std::fs::read(&journal).unwrap();
        let db_mid = std::fs::read(&path).unwrap();
        conn.execute_batch("ROLLBACK").unwrap();
        drop(conn);
        std::fs::write(&journal, hot).unwrap();
        std::fs::write(&path, db_mid).unwrap();
    }
    let out = test
        .clone()
        .args(&[
            "report",
            "--date",
            "2026-11-25",
            "--db",
            "sqlite://w.db",
            "--no-files",
            "--format",
            "csv",
        ])
        .run()
        .code(0);
    assert!(
        out.stdout.contains("2026-11-25,store,8,14,1062.43"),
        "{}",
        out.stdout
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
    assert_eq!(out.stdout, "n\n19\n");
    assert_eq!(
        sqlite_rows(&path, "SELECT COUNT(*) FROM staging_sales"),
        [["19"]]
    );
}

/// Case 5: the temporary files had fixed names, so a planted symlink made a
/// run overwrite its target, and names of 237+ bytes failed every run.
#[test]
fn temporary_files_follow_no_link_and_long_names_work() {
    let bad = "T9,2026-11-25 10:00:00,web,,C1,P1,zero,2.50";
    let long = format!("{}_2026-11-25.csv", "w".repeat(230));
    let test = Test::new()
        .file("input/web_2026-11-25.csv", format!("{HEADER}{bad}\n"))
        .file(&format!("input/{long}"), format!("{HEADER}{bad}\n"))
        .file("victim.txt", "keep me")
        .file("errors/keep", "");
    std::os::unix::fs::symlink(
        test.dir().join("victim.txt"),
        test.dir()
            .join("errors/.web_2026-11-25.rejected.csv.partial"),
    )
    .unwrap();
    let out = test
        .args(&["run", "input", "--no-db", "--allow-rejects", "-q"])
        .run()
        .code(0);
    assert_eq!(out.read("victim.txt"), "keep me");
    let written = out.dir.join("errors/web_2026-11-25.rejected.csv");
    assert!(!written.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(out
        .read("errors/web_2026-11-25.rejected.csv")
        .contains("T9"));
    let long_rejects = format!("errors/{}_2026-11-25.rejected.csv", "w".repeat(230));
    assert!(out.read(&long_rejects).contains("T9"));
}

/// Case 9: a folder query could read any file through Polars SQL's table
/// functions.
#[test]
fn folder_query_reads_no_file_but_its_inputs() {
    Test::new()
        .file("secret.csv", "a\n1\n")
        .args(&["query", "SELECT * FROM read_csv('secret.csv')", &samples()])
        .run()
        .code(7)
        .stderr_has("reads files");
}

/// Case 9: file names holding a newline or ESC were printed raw, so a name
/// could forge a "warning:" line or drive the terminal.
#[test]
fn file_names_are_printed_escaped() {
    let name = "evil\nwarning: all good\u{1b}[2J.csv";
    let out = Test::new()
        .file(
            &format!("input/{name}"),
            "transaction_id,timestamp,channel,product_id,quantity,unit_price,coupon\nT1,2026-11-25 10:00:00,web,P1,1,2.50,x\n",
        )
        .args(&["run", "input", "--no-db"])
        .run()
        .code(0);
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            !text
                .lines()
                .any(|line| line.starts_with("warning: all good")),
            "{text}"
        );
    }
    out.stderr_has("evil\\nwarning: all good\\u{1b}[2J.csv");
}

/// Case 9: a failed connection in `query` or `report` said that nothing
/// was loaded and that CSV files were written.
#[test]
fn connection_errors_say_what_was_being_done() {
    let url = "mysql://root@127.0.0.1:1/sales";
    for args in [
        vec!["query", "SELECT 1", "--db", url],
        vec!["report", "--date", "2026-11-25", "--db", url],
    ] {
        let out = Test::new().args(&args).run().code(6);
        out.stderr_has("cannot connect to `mysql://root@127.0.0.1:1/sales`");
        assert!(!out.stderr.contains("nothing was loaded"), "{}", out.stderr);
        // Issue "the analyst's terminal": the driver's words, not its
        // error's Debug form (`DriverError { … }`).
        out.stderr_has("Could not connect to address");
        assert!(!out.stderr.contains("DriverError"), "{}", out.stderr);
    }
}

/// Issue "the analyst's terminal": an output folder that cannot be made
/// names the OS error once (it was printed again as a cause).
#[test]
fn an_unwritable_output_folder_says_the_os_error_once() {
    let out = Test::new()
        .csv("a.csv", &["T1,2026-11-25 10:00:00,web,,C1,P1,1,2.50"])
        .file("blocked", "a file, not a folder")
        .args(&["run", "input", "--no-db", "--errors-dir", "blocked/errors"])
        .run()
        .code(5);
    out.stderr_has("cannot write `blocked/errors`");
    assert_eq!(out.stderr.matches("os error").count(), 1, "{}", out.stderr);
}

/// Case 9: a run of day 26 with late rows of day 25 replaced a complete
/// `reports/daily_sales_2026-11-25.csv` with one holding only its late rows.
#[test]
fn report_files_are_never_replaced_by_part_of_a_day() {
    let day_25: Vec<String> = (1..=3)
        .map(|i| row(&format!("A{i}"), "2026-11-25", "P1", 1))
        .collect();
    let day_26 = [
        row("Z1", "2026-11-26", "P1", 2),
        row("Z2", "2026-11-25", "P2", 5),
    ];
    let file = |rows: &[String]| format!("{HEADER}{}\n", rows.join("\n"));
    let test = Test::new()
        .file("a/web_2026-11-25.csv", file(&day_25))
        .file("z/web_2026-11-26.csv", file(&day_26));

    // Without a warehouse: the late rows do not replace the whole day.
    test.clone()
        .args(&["run", "a", "--no-db", "-q"])
        .run()
        .code(0);
    let whole = test.clone().args(&["run", "z", "--no-db"]).run().code(0);
    whole.stderr_has("left the report files of 2026-11-25 as they were");
    assert_eq!(
        whole.read("reports/daily_sales_2026-11-25.csv"),
        "date,channel,orders,units,revenue\n2026-11-25,web,3,3,7.50\n"
    );
    assert!(whole.exists("reports/daily_sales_2026-11-26.csv"));

    // With one: the day's file is the warehouse's whole day.
    let test = test.file("w/.keep", "");
    test.clone()
        .args(&["run", "a", "--db", "sqlite://w/w.db", "-q"])
        .run()
        .code(0);
    let out = test
        .clone()
        .args(&["run", "z", "--db", "sqlite://w/w.db", "-q"])
        .run()
        .code(0);
    assert_eq!(
        out.read("reports/daily_sales_2026-11-25.csv"),
        "date,channel,orders,units,revenue\n2026-11-25,web,4,8,20.00\n"
    );
}

/// Two loads into one SQLite file at once (runs with folders of their own):
/// they take turns on SQLite's lock, both succeed, and the result equals
/// loading them one after the other.
#[test]
fn concurrent_sqlite_loads_both_succeed() {
    let test = Test::new()
        .file("a/web_a.csv", many_rows("A", 20_000))
        .file("b/web_b.csv", many_rows("B", 20_000));
    let run = |input: &str, db: &str| {
        test.clone().args(&[
            "run",
            input,
            "--db",
            db,
            "-q",
            "--no-outliers",
            "--errors-dir",
            &format!("errors_{input}"),
            "--reports-dir",
            &format!("reports_{input}"),
        ])
    };
    for input in ["a", "b"] {
        run(input, "sqlite://sequential.db").run().code(0);
    }
    let sequential = test.dir().join("sequential.db");
    for round in 0..20 {
        let db = format!("sqlite://concurrent_{round}.db");
        both_succeed_at_once(run("a", &db), run("b", &db));
        let concurrent = test.dir().join(format!("concurrent_{round}.db"));
        assert_eq!(
            sqlite_rows(&concurrent, SQLITE_STAGING),
            sqlite_rows(&sequential, SQLITE_STAGING)
        );
        assert_eq!(
            sqlite_rows(&concurrent, DAILY),
            sqlite_rows(&sequential, DAILY)
        );
    }
}

/// Runs `test` while something else holds the warehouse's load lock: the
/// run must say that it waits, then succeed once `release` has let go.
fn waits_and_says_so(test: Test, release: impl FnOnce()) {
    use std::io::BufRead;
    let mut child = test
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A run that waits without end fails the test instead of hanging it.
    let pid = child.id().to_string();
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if stopped
            .recv_timeout(std::time::Duration::from_secs(120))
            .is_err()
        {
            let _ = std::process::Command::new("kill").arg(&pid).status();
        }
    });
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said = String::new();
    loop {
        let Some(Ok(line)) = lines.next() else {
            panic!("the run never said that it waits:\n{said}");
        };
        said.push_str(&line);
        said.push('\n');
        if line.contains("waiting for another load into") {
            break;
        }
    }
    release();
    said.extend(lines.map_while(Result::ok).map(|l| l + "\n"));
    let status = child.wait().unwrap();
    let _ = stop.send(());
    watchdog.join().unwrap();
    assert!(status.success(), "{said}");
}

/// Issue "hardening": a load that waited for another said nothing.
#[test]
fn a_sqlite_load_that_waits_says_so() {
    let test = Test::new().csv("web_2026-11-25.csv", &[&row("T1", "2026-11-25", "P1", 1)]);
    let run = test
        .clone()
        .args(&["run", "input", "--db", "sqlite://w.db"]);
    run.run().code(0);
    let other = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    waits_and_says_so(run, move || other.execute_batch("ROLLBACK").unwrap());
}

/// Issue "hardening": a load that waited for another said nothing.
#[test]
fn a_mariadb_load_that_waits_says_so() {
    let db = Database::new();
    let mut other = mysql::Conn::new(mysql::Opts::from_url(&db.url()).unwrap()).unwrap();
    let lock = format!("sales-etl load: {}", db.name);
    let taken: Option<i64> = other
        .exec_first("SELECT GET_LOCK(?, 10)", (&lock,))
        .unwrap();
    assert_eq!(taken, Some(1));
    let test = Test::new().csv("web_2026-11-25.csv", &[&row("T1", "2026-11-25", "P1", 1)]);
    waits_and_says_so(test.args(&["run", "input", "--db", &db.url()]), move || {
        other.exec_drop("SELECT RELEASE_LOCK(?)", (&lock,)).unwrap()
    });
}

/// Case 10: one unterminated quote turned the million good rows after it
/// into one ragged row, and a long line was held whole. Each costs one
/// `oversized_row` now, named in a warning, and every other row is read.
#[test]
fn an_unterminated_quote_or_a_huge_line_costs_one_row() {
    let mut text = HEADER.to_owned();
    text.push_str("Q1,2026-11-25 10:00:00,web,,\"C1,P1,1,2.50\n");
    for i in 0..40_000 {
        text.push_str(&row(&format!("T{i}"), "2026-11-25", "P1", 1));
        text.push('\n');
    }
    text.push_str(&format!("L1,{}\n", "x".repeat(3 << 20)));
    text.push_str(&row("T-last", "2026-11-25", "P1", 1));
    text.push('\n');
    let test = Test::new().file("input/web_2026-11-25.csv", text);
    let out = test
        .clone()
        .args(&["run", "input", "--no-db", "--format", "json"])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["totals"]["data_rows"], 40_003);
    assert_eq!(json["totals"]["valid"], 40_001);
    assert_eq!(json["reasons"]["oversized_row"], 2);
    let rejected = out.read("errors/web_2026-11-25.rejected.csv");
    assert_eq!(rejected.lines().count(), 3, "{rejected}");
    assert!(rejected.contains(",web_2026-11-25.csv,2,invalid,oversized_row,oversized_row\n"));
    assert!(rejected.contains(",web_2026-11-25.csv,40003,invalid,oversized_row,oversized_row\n"));
    out.stderr_has(
        "web_2026-11-25.csv: 2 records rejected as `oversized_row` (--max-record-bytes): line 2: a quoted field opens there and is not closed within 1 MiB (an unterminated quote?); the record at line 40003 is longer than 1 MiB",
    );
    // A larger limit keeps the long line (a ragged row now), and the quote
    // still opens at line 2 and runs until it is cut off at 4 MiB.
    let json = test
        .args(&[
            "run",
            "input",
            "--no-db",
            "--format",
            "json",
            "--max-record-bytes",
            "4MiB",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(json["reasons"]["oversized_row"], 1);
    assert_eq!(json["reasons"]["ragged_row"], 1);
}

/// Case 10: a header of millions of fields took gigabytes. A header beyond
/// the limits makes a bad file, exit code 3, named with the limit.
#[test]
fn a_header_beyond_the_limits_is_a_bad_file() {
    let wide: String = (0..30).map(|i| format!("extra{i},")).collect::<String>() + HEADER;
    let test = Test::new().file("input/a.csv", wide);
    test.clone()
        .args(&["run", "input", "--no-db", "--max-columns", "20"])
        .run()
        .code(3)
        .stderr_has("a.csv: the header (line 1) has 38 columns, more than 20 (--max-columns)");
    let long = format!("{},{}\n", HEADER.trim_end(), "y".repeat(2 << 20));
    Test::new()
        .file("input/a.csv", long)
        .args(&["run", "input", "--no-db"])
        .run()
        .code(3)
        .stderr_has("a.csv: the header (line 1) is longer than 1 MiB (--max-record-bytes)");
}
