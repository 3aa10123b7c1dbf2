//! Issue "hardening, second round": each case a hostile review found, as a
//! test that failed before the fix — against the real MariaDB where it
//! concerns it, the table checked unchanged after each.

use crate::db::{samples, Database, DAILY, STAGING};
use crate::util::Test;

/// Everything a `query --db` could change on the server, as one value.
fn server_state(db: &mut Database) -> Vec<Vec<String>> {
    let mut state = db.rows(STAGING);
    state.extend(db.rows(DAILY));
    state.extend(db.rows(&format!(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{}'",
        db.name
    )));
    // What the hidden statements below would make, by name: other tests
    // add users and databases of their own meanwhile.
    state.extend(db.rows("SELECT COUNT(*) FROM mysql.user WHERE user = 'hostile_etl'"));
    state.extend(db.rows(
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'hostile_etl'",
    ));
    state.extend(db.rows("SELECT @@global.max_connections, @@global.max_statement_time"));
    state.extend(db.rows("SELECT COUNT(*) FROM mysql.plugin WHERE dl LIKE 'ha_blackhole%'"));
    state
}

/// Case 1: MariaDB ran what the guard read as a comment. Every statement
/// the review ran that way now exits 7 before reaching the server, and
/// nothing on the server changed.
#[test]
fn executable_comments_never_reach_mariadb() {
    let (mut db, url, test) = crate::db::with_samples();
    let before = server_state(&mut db);
    let outfile = format!("/tmp/sales_etl_hostile_{}", std::process::id());
    let hidden = [
        "DROP TABLE staging_sales".to_owned(),
        "CREATE USER hostile_etl".to_owned(),
        "CREATE DATABASE hostile_etl".to_owned(),
        "GRANT ALL ON *.* TO hostile_etl".to_owned(),
        "SET PASSWORD = PASSWORD('x')".to_owned(),
        "SET GLOBAL max_connections = 7".to_owned(),
        "KILL 1".to_owned(),
        "INSTALL SONAME 'ha_blackhole'".to_owned(),
    ];
    let mut attempts: Vec<String> = hidden
        .iter()
        .map(|statement| format!("/*M!100000 {statement} */ /*!50700 SELECT 1 */"))
        .collect();
    attempts.extend([
        format!("SELECT * FROM staging_sales /*M! INTO OUTFILE '{outfile}' */"),
        format!("SELECT * FROM staging_sales /*!INTO OUTFILE '{outfile}' */"),
        format!("SELECT 1 --\u{a0} FROM (SELECT 2 AS `\u{a0}`) t INTO OUTFILE '{outfile}'"),
        "SELECT /*+ SET_VAR(max_statement_time=0) */ 1".to_owned(),
        "SELECT BENCHMARK(1000000000, MD5('x'))".to_owned(),
        "SELECT 1 # comment\n; DROP TABLE staging_sales".to_owned(),
        "SELECT ?".to_owned(),
    ]);
    for sql in &attempts {
        let out = test
            .clone()
            .args(&["query", sql, "--db", &url, "--timeout", "2"])
            .run();
        assert_eq!(out.code, 7, "{sql}\n{}", out.stderr);
        assert_eq!(server_state(&mut db), before, "{sql} changed the server");
    }
    assert!(!std::path::Path::new(&outfile).exists());
    assert!(!db.server_has_file(&outfile), "the server wrote {outfile}");
    // The time limit cannot be lifted from the text: the statement is
    // stopped by the server after `--timeout` (SLEEP is refused; a
    // count over a cubed catalogue stands for any slow question).
    let endless = "SELECT COUNT(*) FROM information_schema.columns a, \
                   information_schema.columns b, information_schema.columns c";
    let hidden_limit = format!("/*M!100000 SET STATEMENT max_statement_time=0 FOR */ {endless}");
    test.clone()
        .args(&["query", endless, "--db", &url, "--timeout", "1"])
        .run()
        .code(7)
        .stderr_has("max_statement_time");
    test.clone()
        .args(&["query", &hidden_limit, "--db", &url, "--timeout", "1"])
        .run()
        .code(7)
        .stderr_has("executable comment");
    // A real question with every kind of comment still runs, and a warning
    // says the account could write.
    let out = test
        .clone()
        .args(&[
            "query",
            "SELECT COUNT(*) AS n -- rows\nFROM staging_sales # all of them\n/* done */",
            "--db",
            &url,
            "--format",
            "csv",
        ])
        .run()
        .code(0);
    let rows = db.rows("SELECT COUNT(*) FROM staging_sales")[0][0].clone();
    assert_eq!(
        out.stdout.lines().nth(1),
        Some(rows.as_str()),
        "{}",
        out.stdout
    );
    out.stderr_has("this account may change the warehouse");
}

/// Defence in depth: a SELECT-only account named by SALES_ETL_QUERY_URL is
/// used by a bare `query --db`, and no warning is printed for it.
#[test]
fn a_select_only_account_answers_without_a_warning() {
    use mysql::prelude::Queryable;
    let (mut db, url, test) = crate::db::with_samples();
    let user = format!("ro_{}", std::process::id());
    db.conn
        .query_drop(format!("CREATE USER IF NOT EXISTS '{user}'@'%'"))
        .unwrap();
    db.conn
        .query_drop(format!("GRANT SELECT ON {}.* TO '{user}'@'%'", db.name))
        .unwrap();
    let host = url.rsplit('@').next().unwrap();
    let reader = format!("mysql://{user}@{host}");
    let out = test
        .clone()
        .env("SALES_ETL_QUERY_URL", &reader)
        .env("DATABASE_URL", &url)
        .args(&[
            "query",
            "SELECT COUNT(*) AS n FROM staging_sales",
            "--db",
            "--format",
            "csv",
            "-v",
        ])
        .run()
        .code(0);
    let _ = db.conn.query_drop(format!("DROP USER '{user}'@'%'"));
    let rows = db.rows("SELECT COUNT(*) FROM staging_sales")[0][0].clone();
    assert_eq!(
        out.stdout.lines().nth(1),
        Some(rows.as_str()),
        "{}",
        out.stdout
    );
    out.stderr_has("SALES_ETL_QUERY_URL");
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

/// Case 6 and 9: `--timeout` out of bounds was a panic (1e20) or no limit
/// at all (0.0000001); now a usage error.
#[test]
fn a_timeout_out_of_bounds_is_a_usage_error() {
    for seconds in ["1e20", "0.0000001", "0", "-1", "NaN", "inf"] {
        Test::new()
            .args(&[
                "query",
                "SELECT 1",
                "--db",
                "sqlite://w.db",
                &format!("--timeout={seconds}"),
            ])
            .run()
            .code(2)
            .stderr_has("a millisecond");
    }
}

/// Case 6: statements that made Polars panic or abort, or overflowed the
/// stack, exit 7 with a message — never 101 or 134.
#[test]
fn folder_queries_that_break_the_engine_exit_7() {
    let terms: String = (0..5_000).map(|_| "+1").collect();
    let deep = format!("SELECT 1{terms} FROM sales");
    for sql in [
        "SELECT CAST('1' AS DECIMAL(100,200)) FROM sales",
        "SELECT timestamp + INTERVAL '100000000 years' FROM sales",
        "SELECT COLUMNS('(') FROM sales",
        "SELECT LPAD(transaction_id, 9223372036854775807) FROM sales",
        deep.as_str(),
    ] {
        let out = Test::new().args(&["query", sql, &samples()]).run();
        assert_eq!(out.code, 7, "{sql}\n{}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
    // Too long for a command line: from a file, as `query` takes it.
    let terms: String = (0..200_000).map(|_| "+1").collect();
    for terms in [&terms[..20_000], &terms[..]] {
        let test = Test::new().file("deep.sql", format!("SELECT 1{terms}"));
        let deep = test.dir().join("deep.sql").display().to_string();
        let out = test
            .args(&["query", &deep, "--db", "sqlite://w.db"])
            .run()
            .code(7);
        assert!(!out.stderr.contains("overflow"), "{}", out.stderr);
    }
}

/// Case 9: a `.env` that is a link to nothing fell back to the default
/// warehouse without a word.
#[test]
fn a_dangling_dotenv_link_is_a_usage_error() {
    let test = Test::new();
    std::os::unix::fs::symlink("nowhere.env", test.dir().join(".env")).unwrap();
    let out = test.args(&["run", &samples(), "-q"]).run().code(2);
    out.stderr_has("link to nothing");
    assert!(!out.exists("sales.db"));
}

/// The lake's files, relative path → contents, symbolic links as
/// `-> target`.
pub(crate) fn lake(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(folder) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                files.insert(name, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                todo.push(path);
            } else if !name.ends_with(".sales-etl.lock") {
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Runs in the SQLite file `w.db` of `test` so far.
fn runs_in(test: &Test) -> String {
    let conn = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
    conn.query_row("SELECT COUNT(*) FROM etl_runs", [], |r| r.get::<_, i64>(0))
        .unwrap()
        .to_string()
}

/// Case 2 and 4: an export failure after the commit lost the lake, and the
/// export followed planted links. Now a folder that is a file or a link
/// stops the run before the commit (warehouse and lake as they were), a
/// failure after the commit keeps the old parts and names the files, and
/// no link is followed, for writing or for removing.
#[test]
fn the_lake_changes_with_the_warehouse_or_not_at_all() {
    let test = Test::new();
    let run = || {
        test.clone()
            .args(&[
                "run",
                &samples(),
                "--export",
                "lake",
                "--export-rejected",
                "--db",
                "sqlite://w.db",
                "-q",
            ])
            .run()
    };
    run().code(0);
    let dir = test.dir().join("lake");
    let date = dir.join("sales/date=2026-11-25");
    assert!(date.join("web_2026-11-25.parquet").is_file());
    let before = lake(&dir);
    let runs = runs_in(&test);

    // A file where `rejected/` goes: stopped before the commit.
    std::fs::rename(dir.join("rejected"), test.dir().join("rejected.kept")).unwrap();
    std::fs::write(dir.join("rejected"), "junk").unwrap();
    let out = run().code(5);
    out.stderr_has("not a folder");
    assert_eq!(runs_in(&test), runs, "the load committed");
    std::fs::remove_file(dir.join("rejected")).unwrap();
    std::fs::rename(test.dir().join("rejected.kept"), dir.join("rejected")).unwrap();
    assert_eq!(lake(&dir), before);

    // The day's folder a link to another folder: stopped, nothing written
    // through it.
    let victim = test.dir().join("victim");
    std::fs::rename(&date, &victim).unwrap();
    std::os::unix::fs::symlink(&victim, &date).unwrap();
    let victim_before = lake(&victim);
    run().code(5).stderr_has("symbolic link");
    assert_eq!(lake(&victim), victim_before);
    assert_eq!(runs_in(&test), runs);
    std::fs::remove_file(&date).unwrap();
    std::fs::rename(&victim, &date).unwrap();

    // A planted `date=1999-01-01` link to a folder holding a file named as
    // a part: not removed. A killed run's temporary file: removed.
    let elsewhere = test.dir().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("web_2026-11-25.parquet"), "keep me").unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("sales/date=1999-01-01")).unwrap();
    std::fs::write(dir.join(".export-stale1"), "left by kill -9").unwrap();
    run().code(0);
    assert!(elsewhere.join("web_2026-11-25.parquet").exists());
    assert!(!dir.join(".export-stale1").exists());
    std::fs::remove_file(dir.join("sales/date=1999-01-01")).unwrap();
    assert_eq!(
        lake(&dir).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );

    // A part that cannot be replaced after the commit: the run says which
    // files to export again, and the other parts are there, old or new.
    let runs = runs_in(&test);
    let blocked = date.join("web_2026-11-25.parquet");
    std::fs::remove_file(&blocked).unwrap();
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("x"), "a folder in the way").unwrap();
    let out = run().code(5);
    out.stderr_has("the warehouse holds this run's rows");
    out.stderr_has("web_2026-11-25.csv");
    assert_ne!(runs_in(&test), runs, "the load committed");
    for (name, _) in before
        .iter()
        .filter(|(n, _)| !n.contains("web_2026-11-25.parquet"))
    {
        assert!(dir.join(name).is_file(), "{name} is missing");
    }
    std::fs::remove_dir_all(&blocked).unwrap();
    run().code(0);
    assert_eq!(
        lake(&dir).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
}

/// Case 4: a link planted where the lock file goes made the run create the
/// file it pointed at.
#[test]
fn the_lock_file_follows_no_link() {
    let test = Test::new().file("errors/keep", "");
    let target = test.dir().join("created-by-the-run");
    std::os::unix::fs::symlink(&target, test.dir().join("errors/.sales-etl.lock")).unwrap();
    let out = test
        .args(&["run", &samples(), "--no-db", "-q"])
        .run()
        .code(5);
    out.stderr_has("symbolic link");
    assert!(!target.exists());
}

/// Case 7: one CSV with rows on 1,500 dates opened a file per date and
/// failed under `ulimit -n 1024`; it now works under 256, every row in
/// the lake once.
#[test]
fn an_export_of_many_dates_keeps_few_files_open() {
    let mut text = crate::util::HEADER.to_owned();
    let first = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let rows = 3_000;
    for i in 0..rows {
        let date = first + chrono::Days::new(i % 1_500);
        text.push_str(&crate::db::row(
            &format!("T{i}"),
            &date.to_string(),
            "P1",
            1,
        ));
        text.push('\n');
    }
    let test = Test::new().file("input/many.csv", text);
    let out = test
        .clone()
        .args(&[
            "run",
            "input",
            "--export",
            "lake",
            "--db",
            "sqlite://w.db",
            "-q",
            "--format",
            "json",
        ])
        .run_after("ulimit -n 256");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut exported = 0;
    let mut folders = 0;
    for partition in std::fs::read_dir(test.dir().join("lake/sales"))
        .unwrap()
        .flatten()
    {
        folders += 1;
        for part in std::fs::read_dir(partition.path()).unwrap().flatten() {
            let file = std::fs::File::open(part.path()).unwrap();
            use polars::prelude::SerReader;
            exported += polars::prelude::ParquetReader::new(file)
                .finish()
                .unwrap()
                .height();
        }
    }
    assert_eq!(folders, 1_500);
    assert_eq!(exported, rows as usize);
}

/// Case 5: output files were 0600 under a umask of 022; they follow the
/// umask, as `cp`'s and `sqlite3`'s do.
#[test]
fn output_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, mode) in [("022", 0o644), ("077", 0o600)] {
        let test = Test::new();
        let out = test
            .clone()
            .args(&[
                "run",
                &samples(),
                "--export",
                "lake",
                "--export-rejected",
                "--no-db",
                "-q",
            ])
            .run_after(&format!("umask {umask}"));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let mut seen = 0;
        for folder in ["errors", "reports", "lake"] {
            for (name, _) in lake(&test.dir().join(folder)) {
                let path = test.dir().join(folder).join(&name);
                let found = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(found, mode, "{folder}/{name} under umask {umask}");
                seen += 1;
            }
        }
        assert!(seen > 6, "{seen} files");
    }
}

/// Case 8: ids holding terminal escapes were printed raw in `run`'s top
/// products, `query`'s tables and `report`; `-v`'s "wrote" lines printed
/// control characters from file names. Files keep the raw value.
#[test]
fn terminal_escapes_in_data_and_names_are_shown_escaped() {
    let hostile = ["P\u{1b}]0;owned\u{7}", "P\u{1b}[2J", "P\u{1b}[8m"];
    let mut lines: Vec<String> = Vec::new();
    for (i, product) in hostile.iter().enumerate() {
        lines.push(crate::db::row(&format!("T{i}"), "2026-11-25", product, 3));
    }
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let test = Test::new()
        .csv("web_2026-11-25.csv", &lines)
        .csv("web\u{1b}[2J\r\nx_2026-11-25.csv", &lines[..1]);
    let runs = [
        vec!["run", "input", "--db", "sqlite://w.db", "-v"],
        vec![
            "query",
            "SELECT product_id, COUNT(*) FROM sales GROUP BY 1",
            "input",
        ],
        vec![
            "query",
            "SELECT product_id AS \"a\u{1b}[2J\" FROM sales",
            "--db",
            "sqlite://w.db",
        ],
        vec!["report", "--date", "2026-11-25", "--db", "sqlite://w.db"],
    ];
    for args in runs {
        let out = test.clone().args(&args).env("COLUMNS", "200").run();
        assert_eq!(out.code, 0, "{args:?}\n{}", out.stderr);
        for said in [&out.stdout, &out.stderr] {
            assert!(
                !said.contains('\u{1b}') && !said.contains('\u{7}') && !said.contains('\r'),
                "{args:?} printed a control character:\n{said:?}"
            );
        }
    }
    let top =
        std::fs::read_to_string(test.dir().join("reports/top5_products_2026-11-25.csv")).unwrap();
    assert!(
        top.contains(hostile[0]),
        "the file keeps the raw id: {top:?}"
    );
}

/// Case 2: `kill -9` during the export's last step left 426 of 800 parts.
/// The process now dies (a test-only fault) right after the first part is
/// renamed in: every part is there, old or new, and the next run puts the
/// rest in place and removes the temporary files left behind.
#[test]
fn a_run_killed_while_swapping_the_export_in_loses_no_part() {
    let test = Test::new();
    let args = [
        "run",
        &samples(),
        "--export",
        "lake",
        "--export-rejected",
        "--no-db",
        "-q",
    ];
    test.clone().args(&args).run().code(0);
    let dir = test.dir().join("lake");
    let before: Vec<String> = lake(&dir).into_keys().collect();
    assert!(before.len() >= 6, "{before:?}");
    let killed = test
        .clone()
        .args(&args)
        .env("SALES_ETL_TEST_FAULT", "export-dies-mid-swap")
        .run();
    assert_ne!(killed.code, 0, "the fault did not strike");
    let after = lake(&dir);
    for name in &before {
        assert!(after.contains_key(name), "{name} is missing after the kill");
    }
    assert!(
        after.keys().any(|n| n.starts_with(".export-")),
        "the kill left no temporary file: it did not land mid-swap"
    );
    test.clone().args(&args).run().code(0);
    let healed: Vec<String> = lake(&dir).into_keys().collect();
    assert_eq!(healed, before);
}
