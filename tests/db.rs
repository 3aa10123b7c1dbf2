//! The database load, against a real MariaDB/MySQL server and against
//! SQLite. Each MySQL test gets a freshly created database, dropped
//! afterwards. The server is `SALES_ETL_TEST_MYSQL` (`.ci/run` sets it),
//! by default `mysql://root@127.0.0.1:3306`; a test fails, not skips, when
//! it cannot reach it.

use mysql::prelude::Queryable;

use crate::util::{Test, HEADER};

pub(crate) fn server_url() -> String {
    std::env::var("SALES_ETL_TEST_MYSQL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// A database of its own for one test. No test changes the shared
/// server's settings (a test that needs another setting starts an
/// [`OwnServer`]), so tests share it without a lock.
pub(crate) struct Database {
    pub(crate) name: String,
    pub(crate) conn: mysql::Conn,
}

impl Database {
    pub(crate) fn new() -> Database {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "sales_etl_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        );
        let mut conn = mysql::Conn::new(mysql::Opts::from_url(&server_url()).unwrap())
            .unwrap_or_else(|e| panic!("cannot reach the test server {}: {e}", server_url()));
        conn.query_drop(format!("CREATE DATABASE {name}")).unwrap();
        conn.query_drop(format!("USE {name}")).unwrap();
        Database { name, conn }
    }

    /// Whether the *server* sees a file at `path` (its `/tmp` may not be
    /// the tests' own); checked to see files at all, or it fails.
    pub(crate) fn server_has_file(&mut self, path: &str) -> bool {
        let sees = self.rows("SELECT LOAD_FILE('/etc/passwd') IS NOT NULL");
        assert_eq!(
            sees,
            [["1"]],
            "the server cannot read files: the check would be blind"
        );
        self.rows(&format!("SELECT LOAD_FILE('{path}') IS NOT NULL")) == [["1"]]
    }

    pub(crate) fn url(&self) -> String {
        format!("{}/{}", server_url(), self.name)
    }

    pub(crate) fn rows(&mut self, sql: &str) -> Vec<Vec<String>> {
        let rows: Vec<mysql::Row> = self
            .conn
            .query(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| match row.as_ref(i).unwrap() {
                        mysql::Value::NULL => "NULL".to_owned(),
                        mysql::Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                        other => other.as_sql(true),
                    })
                    .collect()
            })
            .collect()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self
            .conn
            .query_drop(format!("DROP DATABASE IF EXISTS {}", self.name));
    }
}

/// Table contents that a re-run must leave as they were (no load times).
pub(crate) const STAGING: &str = "SELECT transaction_id, `timestamp`, `date`, channel, store_id, customer_id, product_id, quantity, unit_price, line_revenue, source_file, source_line FROM staging_sales ORDER BY transaction_id";
/// [`STAGING`] from a SQLite warehouse: its money, integer millionths,
/// shown as MySQL's DECIMAL text is (money is never negative).
pub(crate) const SQLITE_STAGING: &str = "SELECT transaction_id, `timestamp`, `date`, channel, store_id, customer_id, product_id, quantity, printf('%d.%06d', unit_price_micros / 1000000, unit_price_micros % 1000000), printf('%d.%06d', line_revenue_micros / 1000000, line_revenue_micros % 1000000), source_file, source_line FROM staging_sales ORDER BY transaction_id";
pub(crate) const DAILY: &str = "SELECT `date`, channel, orders, units, revenue FROM reporting_daily_sales ORDER BY `date`, channel";
pub(crate) const TOP: &str = "SELECT `date`, `rank`, product_id, units, revenue FROM reporting_top_products ORDER BY `date`, `rank`";
/// [`DAILY`] and [`TOP`] from a SQLite warehouse, whose revenue is a
/// number (REAL): shown with two decimals as MySQL's DECIMAL(38, 2) is.
pub(crate) const SQLITE_DAILY: &str = "SELECT `date`, channel, orders, units, printf('%.2f', revenue) FROM reporting_daily_sales ORDER BY `date`, channel";
pub(crate) const SQLITE_TOP: &str = "SELECT `date`, `rank`, product_id, units, printf('%.2f', revenue) FROM reporting_top_products ORDER BY `date`, `rank`";

/// The samples' daily sales, worked out by hand from the files in
/// `samples/` (README, "A tour of samples/"): date, channel, orders, units,
/// revenue.
pub(crate) const SAMPLES_DAILY: [[&str; 5]; 4] = [
    ["2026-11-24", "web", "1", "1", "329.00"],
    ["2026-11-25", "mobile", "4", "6", "270.48"],
    ["2026-11-25", "store", "8", "14", "1062.43"],
    ["2026-11-25", "web", "6", "13", "613.43"],
];

/// A database of its own with the samples loaded into it: the database,
/// its URL and the test folder the run used.
pub(crate) fn with_samples() -> (Database, String, Test) {
    let db = Database::new();
    let url = db.url();
    let test = Test::new();
    test.clone()
        .args(&["run", &samples(), "--db", &url, "-q"])
        .run()
        .code(0);
    (db, url, test)
}

pub(crate) fn samples() -> String {
    format!("{}/samples", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn row(id: &str, date: &str, product: &str, quantity: u32) -> String {
    format!("{id},{date} 10:00:00,web,,C1,{product},{quantity},2.50")
}

#[test]
fn mysql_full_load_matches_the_csv_reports() {
    let mut db = Database::new();
    let out = Test::new()
        .args(&["run", &samples(), "--db", &db.url(), "--format", "json"])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["load"]["rows"], 19);
    assert_eq!(json["load"]["method"], "LOAD DATA");
    assert_eq!(json["load"]["replaced"], 0);
    assert_eq!(db.rows("SELECT COUNT(*) FROM staging_sales"), [["19"]]);
    // The database's reports equal the run's own, to the cent.
    let daily: Vec<Vec<String>> = json["daily_sales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            ["date", "channel", "orders", "units", "revenue"]
                .iter()
                .map(|k| {
                    d[k].as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| d[k].to_string())
                })
                .collect()
        })
        .collect();
    assert_eq!(db.rows(DAILY), daily);
    // Both sides above come from the same sums; the figures worked out by
    // hand from the samples are the oracle (issue "checks that can fail").
    assert_eq!(db.rows(DAILY), SAMPLES_DAILY);
    let top = db.rows(TOP);
    assert_eq!(top.len(), json["top_products"].as_array().unwrap().len());
    assert_eq!(top[1], ["2026-11-25", "1", "SKU-MUG-07", "16", "143.84"]);
    let runs = db.rows(
        "SELECT status, data_rows, valid, invalid, duplicate, outlier, load_method FROM etl_runs",
    );
    assert_eq!(runs, [["loaded", "39", "19", "16", "3", "1", "LOAD DATA"]]);
    let files = db.rows("SELECT input_files FROM etl_runs");
    assert!(files[0][0].contains("\"sha256\":\""), "{files:?}");
    // Typed, exact, UTC.
    assert_eq!(
        db.rows("SELECT `timestamp`, unit_price, line_revenue FROM staging_sales WHERE transaction_id = 'W-1003'"),
        [["2026-11-25 08:45:10.000000", "8.990000", "35.960000"]]
    );
}

#[test]
fn mysql_same_run_twice_leaves_identical_tables() {
    let mut db = Database::new();
    let test = Test::new().args(&["run", &samples(), "--db", &db.url(), "--format", "json"]);
    test.run().code(0);
    // The per-file sums and the held-back rows too (issue "checks that can
    // fail": a promise without a test).
    let sums = "SELECT `date`, source_file, channel, product_id, orders, units, revenue \
                FROM daily_file_sales ORDER BY 1, 2, 3, 4";
    let held = "SELECT * FROM held_back_sales ORDER BY 1, 2, 3";
    let before = (
        db.rows(STAGING),
        db.rows(DAILY),
        db.rows(TOP),
        db.rows(sums),
        db.rows(held),
    );
    assert_eq!(before.4.len(), 1, "the samples' one outlier");
    let before_ = (before.0.clone(), before.1.clone(), before.2.clone());
    // Issue "a warehouse you can trust": unchanged files are not loaded
    // again; the cleaning, the files and the reports still run.
    let second = test.run().code(0).json();
    assert_eq!(second["load"]["rows"], 0);
    assert_eq!(second["load"]["replaced"], 0);
    for file in second["load"]["files"].as_array().unwrap() {
        assert_eq!(file["unchanged_since"], 1, "{file}");
    }
    assert_eq!(second["totals"]["valid"], 19);
    assert_eq!(
        (
            db.rows(STAGING),
            db.rows(DAILY),
            db.rows(TOP),
            db.rows(sums),
            db.rows(held)
        ),
        before
    );
    // `--reload` loads them again, and one truthful count of what it
    // replaced is in the step line and the JSON alike.
    let third = test.clone().args(&["--reload"]).run().code(0);
    assert!(third.stderr.contains("19 replaced"), "{}", third.stderr);
    let third = third.json();
    assert_eq!(third["load"]["rows"], 19);
    assert_eq!(third["load"]["replaced"], 19);
    assert_eq!(third["load"]["replaced_by_id"], 0);
    assert_eq!((db.rows(STAGING), db.rows(DAILY), db.rows(TOP)), before_);
    assert_eq!((db.rows(sums), db.rows(held)), (before.3, before.4));
    assert_eq!(
        db.rows("SELECT COUNT(*), MIN(status), MAX(status), SUM(replaced) FROM etl_runs"),
        [["3", "loaded", "loaded", "19"]]
    );
}

/// Issue "a warehouse you can trust": a file is passed over only while the
/// warehouse holds every one of its rows. Here b.csv took T1 from a.csv by
/// its id; a.csv, unchanged, must be loaded again when it comes back.
#[test]
fn sqlite_unchanged_file_whose_rows_were_replaced_is_loaded_again() {
    let test = Test::new()
        .csv(
            "a.csv",
            &[
                &row("T1", "2024-03-01", "P1", 1),
                &row("T2", "2024-03-01", "P2", 1),
            ],
        )
        .file(
            "later/b.csv",
            format!("{HEADER}\n{}\n", row("T1", "2024-03-01", "P1", 5)),
        );
    let run = |folder: &str| {
        test.clone()
            .args(&[
                "run",
                folder,
                "--db",
                "sqlite://w.db",
                "--no-outliers",
                "--format",
                "json",
            ])
            .run()
            .code(0)
            .json()
    };
    run("input");
    let json = run("later");
    assert_eq!(json["load"]["replaced_by_id"], 1);
    let json = run("input");
    assert_eq!(json["load"]["rows"], 2);
    assert_eq!(
        json["load"]["files"][0]["unchanged_since"],
        serde_json::Value::Null
    );
    let path = test.dir().join("w.db");
    assert_eq!(
        sqlite_rows(
            &path,
            "SELECT transaction_id, source_file, quantity FROM staging_sales ORDER BY 1"
        ),
        [["T1", "a.csv", "1"], ["T2", "a.csv", "1"]]
    );
    // Now it holds them all: passed over.
    let json = run("input");
    assert_eq!(json["load"]["rows"], 0);
    assert_eq!(json["load"]["files"][0]["unchanged_since"], 3);
}

#[test]
fn mysql_corrected_export_late_rows_and_moved_ids() {
    let mut db = Database::new();
    let test = Test::new()
        .csv(
            "a.csv",
            &[
                &row("T1", "2024-03-01", "P1", 1),
                &row("T2", "2024-03-01", "P2", 2),
            ],
        )
        .args(&[
            "run",
            "input",
            "--db",
            &db.url(),
            "--no-outliers",
            "--format",
            "json",
        ]);
    test.run().code(0);
    // A late row for 1 March arrives in 2 March's file: 1 March's totals grow.
    let test = test.csv(
        "b.csv",
        &[
            &row("T3", "2024-03-01", "P1", 4),
            &row("T4", "2024-03-02", "P1", 1),
        ],
    );
    test.run().code(0);
    assert_eq!(
        db.rows(DAILY),
        [
            ["2024-03-01", "web", "3", "7", "17.50"],
            ["2024-03-02", "web", "1", "1", "2.50"]
        ]
    );
    // The corrected a.csv drops T2 and moves T1 to 2 March; T4 moves from
    // b.csv into a.csv (replaced, counted).
    let test = test
        .csv("a.csv", &[&row("T1", "2024-03-02", "P1", 1)])
        .csv("b.csv", &[&row("T3", "2024-03-01", "P1", 4)])
        .csv("c.csv", &[&row("T4", "2024-03-02", "P1", 1)]);
    let json = test.run().code(0).json();
    assert_eq!(json["load"]["rows"], 3);
    assert_eq!(
        db.rows(
            "SELECT transaction_id, `date`, source_file FROM staging_sales ORDER BY transaction_id"
        ),
        [
            ["T1", "2024-03-02", "a.csv"],
            ["T3", "2024-03-01", "b.csv"],
            ["T4", "2024-03-02", "c.csv"]
        ]
    );
    assert_eq!(
        db.rows(DAILY),
        [
            ["2024-03-01", "web", "1", "4", "10.00"],
            ["2024-03-02", "web", "2", "2", "5.00"]
        ]
    );
    assert_eq!(
        db.rows(TOP),
        [
            ["2024-03-01", "1", "P1", "4", "10.00"],
            ["2024-03-02", "1", "P1", "2", "5.00"]
        ]
    );
    // The sums per date for period reports follow: T2's P2 is gone from 1
    // March, b.csv's row of 2 March from b.csv.
    assert_eq!(
        db.rows("SELECT `date`, product_id, orders, units, revenue FROM daily_product_sales ORDER BY 1, 2"),
        [
            ["2024-03-01", "P1", "1", "4", "10.000000"],
            ["2024-03-02", "P1", "2", "2", "5.000000"]
        ]
    );
    assert_eq!(
        db.rows("SELECT `date`, source_file, valid_rows FROM daily_file_rows ORDER BY 1, 2"),
        [
            ["2024-03-01", "b.csv", "1"],
            ["2024-03-02", "a.csv", "1"],
            ["2024-03-02", "c.csv", "1"]
        ]
    );
}

#[test]
fn mysql_replaced_ids_from_other_files_are_counted() {
    let db = Database::new();
    let test = Test::new()
        .csv("a.csv", &[&row("T1", "2024-03-01", "P1", 1)])
        .args(&["run", "input", "--db", &db.url(), "--format", "json"]);
    test.run().code(0);
    std::fs::remove_file(test_input(&test, "a.csv")).unwrap();
    let json = test
        .csv("b.csv", &[&row("T1", "2024-03-01", "P1", 2)])
        .run()
        .code(0)
        .json();
    assert_eq!(json["load"]["replaced"], 1);
    assert_eq!(json["load"]["replaced_by_id"], 1);
}

fn test_input(test: &Test, name: &str) -> std::path::PathBuf {
    test.dir().join("input").join(name)
}

#[test]
fn mysql_insert_fallback_gives_the_same_tables() {
    let mut by_load = Database::new();
    let mut by_insert = Database::new();
    Test::new()
        .args(&["run", &samples(), "--db", &by_load.url()])
        .run()
        .code(0);
    let json = Test::new()
        .args(&[
            "run",
            &samples(),
            "--db",
            &by_insert.url(),
            "--load-method",
            "insert",
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(json["load"]["method"], "INSERT");
    assert_eq!(by_insert.rows(STAGING), by_load.rows(STAGING));
    assert_eq!(by_insert.rows(DAILY), by_load.rows(DAILY));
    assert_eq!(by_insert.rows(TOP), by_load.rows(TOP));
}

/// A MariaDB server of a test's own, for a setting that is global on the
/// server (issue "checks that can fail": `SET GLOBAL` on the shared server
/// changed it for every other test). Stopped when dropped.
struct OwnServer {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl OwnServer {
    fn start(options: &[&str]) -> OwnServer {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let as_root = unsafe { libc::geteuid() } == 0;
        let user: &[&str] = if as_root { &["--user=root"] } else { &[] };
        let installed = std::process::Command::new("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(user)
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .output()
            .expect("mariadb-install-db (the MariaDB server package)");
        assert!(
            installed.status.success(),
            "{}",
            String::from_utf8_lossy(&installed.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = ["/usr/sbin/mariadbd", "mariadbd"]
            .into_iter()
            .find(|p| !p.starts_with('/') || std::path::Path::new(p).exists())
            .unwrap();
        let child = std::process::Command::new(server)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(user)
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .args(["--skip-log-bin", "--innodb-buffer-pool-size=16M"])
            .args(options)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mariadbd");
        let server = OwnServer {
            child,
            port,
            _dir: dir,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while mysql::Conn::new(mysql::Opts::from_url(&server.url("mysql")).unwrap()).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        server
    }

    fn url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn mysql_local_infile_off_falls_back_to_insert() {
    let server = OwnServer::start(&["--local-infile=0"]);
    let url = server.url("sales");
    let out = Test::new()
        .args(&["run", &samples(), "--db", &url, "--format", "json"])
        .run();
    let json = out.code(0).json();
    assert_eq!(json["load"]["method"], "INSERT");
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(&url).unwrap()).unwrap();
    let rows: Option<u64> = conn
        .query_first("SELECT COUNT(*) FROM staging_sales")
        .unwrap();
    assert_eq!(rows, Some(19));
}

#[test]
fn mysql_creates_a_missing_database() {
    let mut db = Database::new();
    // A name of its own that does not exist yet; dropped with `db`'s own.
    let missing = format!("{}_new", db.name);
    let url = format!("{}/{missing}", server_url());
    let out = Test::new()
        .args(&["run", &samples(), "--db", &url, "--format", "json"])
        .run()
        .code(0);
    assert_eq!(out.json()["load"]["rows"], 19);
    // Issue "the analyst's terminal": the run says it made a new warehouse.
    out.stderr_has(&format!("created new warehouse {url}"));
    let count = db.rows(&format!("SELECT COUNT(*) FROM {missing}.staging_sales"));
    db.conn
        .query_drop(format!("DROP DATABASE {missing}"))
        .unwrap();
    assert_eq!(count, [["19"]]);
}

/// Issue "a warehouse you can trust": a server that does not answer used to
/// fail the run only after every file was read; it is checked first now.
#[test]
fn mysql_unreachable_server_fails_before_reading_and_hides_the_password() {
    let out = Test::new()
        .args(&[
            "run",
            &samples(),
            "--db",
            "mysql://etl:hunter2@127.0.0.1:1/sales",
        ])
        .run()
        .code(6);
    out.stderr_has(
        "the warehouse `mysql://etl:***@127.0.0.1:1/sales` is not ready: cannot connect",
    )
    .stderr_has("no input was read and nothing was written")
    .stderr_has("--no-db");
    assert!(!out.stderr.contains("hunter2") && !out.stdout.contains("hunter2"));
    assert!(!out.stderr.contains("checked"), "{}", out.stderr);
    assert!(!out.exists("reports"));
    assert!(!out.exists("errors"));
}

/// Issue "a warehouse you can trust": tables changed by hand were accepted
/// and rounded money (a price 1.239 stored as 1.24, a day's revenue shown
/// as a whole number), or lost the unique id the load relies on.
#[test]
fn mysql_tables_changed_by_hand_fail_before_reading() {
    for (change, table, column) in [
        (
            "ALTER TABLE staging_sales MODIFY unit_price DECIMAL(18, 2) NOT NULL",
            "staging_sales",
            "`unit_price` has type `decimal(18,2)`",
        ),
        (
            "ALTER TABLE daily_file_sales MODIFY revenue DECIMAL(38, 0) NOT NULL",
            "daily_file_sales",
            "`revenue` has type `decimal(38,0)`",
        ),
        (
            "ALTER TABLE reporting_daily_sales MODIFY revenue DECIMAL(38, 0) NOT NULL",
            "reporting_daily_sales",
            "`revenue` has type `decimal(38,0)`",
        ),
        (
            "ALTER TABLE staging_sales MODIFY product_id VARCHAR(20) NOT NULL",
            "staging_sales",
            "`product_id` has type `varchar(20)`",
        ),
        (
            "ALTER TABLE staging_sales DROP INDEX staging_sales_transaction_id",
            "staging_sales",
            "`transaction_id` has no unique key",
        ),
    ] {
        let mut db = Database::new();
        let load = Test::new().args(&["run", &samples(), "--db", &db.url()]);
        load.run().code(0);
        db.conn.query_drop(change).unwrap();
        std::fs::remove_dir_all(load.dir().join("reports")).unwrap();
        let before = db.rows("SELECT COUNT(*) FROM etl_runs");
        let out = load.run().code(6);
        out.stderr_has(&format!("table `{table}` cannot take the rows"))
            .stderr_has(column)
            .stderr_has("no input was read");
        assert!(!out.exists("reports"), "{change}");
        assert_eq!(db.rows("SELECT COUNT(*) FROM etl_runs"), before, "{change}");
    }
}

#[test]
fn mysql_missing_column_fails_before_writing() {
    let mut db = Database::new();
    db.conn
        .query_drop("CREATE TABLE staging_sales (transaction_id VARCHAR(255) PRIMARY KEY, `timestamp` DATETIME(6))")
        .unwrap();
    let out = Test::new()
        .args(&["run", &samples(), "--db", &db.url()])
        .run()
        .code(6);
    out.stderr_has("table `staging_sales`")
        .stderr_has("column `date` is missing");
    assert_eq!(db.rows("SELECT COUNT(*) FROM staging_sales"), [["0"]]);
    assert_eq!(db.rows("SHOW TABLES LIKE 'etl_runs'").len(), 0);
}

/// Values that break naive loaders, stored verbatim.
const NASTY: [&str; 6] = [
    "'); DROP TABLE staging_sales;--",
    "back\\slash\\",
    "\\N",
    "NULL",
    "tab\there \"quoted\"",
    "emoji 🛒 and\nnewline",
];

fn nasty_file() -> String {
    let mut text = HEADER.to_owned();
    for (i, value) in NASTY.iter().enumerate() {
        let quoted = format!("\"{}\"", value.replace('"', "\"\""));
        text.push_str(&format!(
            "{quoted},2024-03-01 10:00:00,web,{quoted},{quoted},P{i},1,1.00\n"
        ));
    }
    text
}

#[test]
fn mysql_stores_nasty_values_verbatim_by_both_methods() {
    for method in ["auto", "insert"] {
        let mut db = Database::new();
        Test::new()
            .file("input/a.csv", nasty_file())
            .args(&[
                "run",
                "input",
                "--db",
                &db.url(),
                "--load-method",
                method,
                "--no-outliers",
            ])
            .run()
            .code(0);
        let stored = db.rows(
            "SELECT transaction_id, store_id, customer_id FROM staging_sales ORDER BY product_id",
        );
        let expected: Vec<Vec<String>> = NASTY.iter().map(|v| vec![v.to_string(); 3]).collect();
        assert_eq!(stored, expected, "{method}");
    }
}

#[test]
fn mysql_failure_mid_transaction_leaves_nothing() {
    let mut db = Database::new();
    Test::new()
        .args(&["run", &samples(), "--db", &db.url()])
        .run()
        .code(0);
    let before = (
        db.rows(STAGING),
        db.rows(DAILY),
        db.rows("SELECT COUNT(*) FROM etl_runs"),
    );
    // Fails after staging rows are deleted and loaded, before commit.
    db.conn
        .query_drop(
            "CREATE TRIGGER fail_reports BEFORE INSERT ON reporting_top_products FOR EACH ROW \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'",
        )
        .unwrap();
    let out = Test::new()
        .csv("a.csv", &[&row("T1", "2026-11-25", "P1", 1)])
        .file("input/web_2026-11-25.csv", HEADER)
        .args(&["run", "input", "--db", &db.url()])
        .run()
        .code(6);
    out.stderr_has("injected failure").stderr_has("rolled back");
    assert_eq!(
        (
            db.rows(STAGING),
            db.rows(DAILY),
            db.rows("SELECT COUNT(*) FROM etl_runs")
        ),
        before
    );
}

#[test]
fn mysql_killed_process_mid_load_leaves_nothing() {
    let mut db = Database::new();
    Test::new()
        .args(&["run", &samples(), "--db", &db.url()])
        .run()
        .code(0);
    let before = (
        db.rows(STAGING),
        db.rows(DAILY),
        db.rows("SELECT COUNT(*) FROM etl_runs"),
    );
    let day = Test::new().args(&[
        "generate",
        "--rows",
        "1000000",
        "--date",
        "2026-11-25",
        "--out",
        "day",
    ]);
    let generated = day.run().code(0);
    let input = generated.dir.join("day");
    let url = db.url();
    let runner = Test::new().args(&[
        "run",
        input.to_str().unwrap(),
        "--db",
        &url,
        "-q",
        "--format",
        "json",
    ]);
    let mut child = runner
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once its load transaction has written something.
    let writing = format!(
        "SELECT COUNT(*) FROM information_schema.innodb_trx t \
         JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id \
         WHERE p.db = '{}' AND t.trx_rows_modified > 0",
        db.name
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while db.rows(&writing) == [["0"]] {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
            panic!("the run ended ({status}) before it could be killed: {stderr}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no load transaction seen"
        );
        // MariaDB refreshes INNODB_TRX for a connection only when its last
        // read is over 0.1 s old: poll slower than that.
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The server rolls the dead connection's transaction back.
    let open = format!(
        "SELECT COUNT(*) FROM information_schema.innodb_trx t \
         JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id \
         WHERE p.db = '{}'",
        db.name
    );
    while db.rows(&open) != [["0"]] {
        assert!(
            std::time::Instant::now() < deadline,
            "the killed load was not rolled back"
        );
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
    assert_eq!(
        (
            db.rows(STAGING),
            db.rows(DAILY),
            db.rows("SELECT COUNT(*) FROM etl_runs")
        ),
        before
    );
}

// SQLite: the same behaviours against the embedded file.

pub(crate) fn sqlite_rows(path: &std::path::Path, sql: &str) -> Vec<Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut statement = conn.prepare(sql).unwrap();
    let columns = statement.column_count();
    statement
        .query_map([], |row| {
            Ok((0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Real(f) => f.to_string(),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                })
                .collect())
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn sqlite_is_the_default_and_matches_mysql_reports() {
    let mut db = Database::new();
    let out = Test::new()
        .args(&["run", &samples(), "--format", "json"])
        .run()
        .code(0);
    let json = out.json();
    assert_eq!(json["load"]["target"], "sqlite://sales.db");
    assert_eq!(json["load"]["rows"], 19);
    let path = out.dir.join("sales.db");
    // A new file gets 16 KiB pages (the bulk load's writes, BENCHMARKS.md).
    assert_eq!(sqlite_rows(&path, "PRAGMA page_size"), [["16384"]]);
    Test::new()
        .args(&["run", &samples(), "--db", &db.url()])
        .run()
        .code(0);
    assert_eq!(sqlite_rows(&path, SQLITE_DAILY), db.rows(DAILY));
    assert_eq!(sqlite_rows(&path, SQLITE_TOP), db.rows(TOP));
    assert_eq!(
        sqlite_rows(&path, "SELECT \"timestamp\", unit_price_micros, line_revenue_micros FROM staging_sales WHERE transaction_id = 'W-1003'"),
        [["2026-11-25 08:45:10.000000", "8990000", "35960000"]]
    );
    // Issue "a warehouse you can trust": money is a number in SQLite too,
    // so it sorts and sums as money, and a missing store is NULL.
    assert_eq!(
        sqlite_rows(
            &path,
            "SELECT typeof(line_revenue), MAX(line_revenue) FROM sales"
        ),
        db.rows("SELECT 'real', MAX(line_revenue) FROM sales")
            .into_iter()
            .map(|r| vec![
                r[0].clone(),
                r[1].trim_end_matches('0').trim_end_matches('.').to_owned()
            ])
            .collect::<Vec<_>>()
    );
    let top = |rows: Vec<Vec<String>>| rows.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    let order =
        "SELECT transaction_id FROM sales ORDER BY line_revenue DESC, transaction_id LIMIT 5";
    assert_eq!(top(sqlite_rows(&path, order)), top(db.rows(order)));
    let missing = "SELECT COUNT(*) FROM sales WHERE store_id IS NULL";
    assert_eq!(sqlite_rows(&path, missing), db.rows(missing));
    assert_ne!(sqlite_rows(&path, missing), [["0"]]);
    assert_eq!(
        sqlite_rows(&path, "SELECT COUNT(*) FROM sales WHERE store_id = ''"),
        [["0"]]
    );
}

#[test]
fn sqlite_same_run_twice_and_replaced_ids() {
    let test = Test::new()
        .file("out/.keep", "")
        .csv(
            "a.csv",
            &[
                &row("T1", "2024-03-01", "P1", 1),
                &row("T2", "2024-03-01", "P2", 2),
            ],
        )
        .args(&[
            "run",
            "input",
            "--db",
            "sqlite://out/w.db",
            "--format",
            "json",
            "--no-outliers",
            // The second run's b.csv is one duplicate row.
            "--allow-rejects",
        ]);
    let first = test.run().code(0);
    let path = first.dir.join("out/w.db");
    let before = (
        sqlite_rows(&path, SQLITE_STAGING),
        sqlite_rows(&path, SQLITE_DAILY),
        sqlite_rows(&path, SQLITE_TOP),
    );
    test.run().code(0);
    assert_eq!(
        (
            sqlite_rows(&path, SQLITE_STAGING),
            sqlite_rows(&path, SQLITE_DAILY),
            sqlite_rows(&path, SQLITE_TOP)
        ),
        before
    );
    let test = test.csv("b.csv", &[&row("T2", "2024-03-01", "P2", 3)]);
    let json = test.run().code(0).json();
    // b.csv comes after a.csv: its T2 is a duplicate of a.csv's, not loaded.
    assert_eq!(json["totals"]["duplicate"], 1);
    std::fs::remove_file(test_input(&test, "a.csv")).unwrap();
    let json = test.run().code(0).json();
    assert_eq!(json["load"]["replaced"], 1);
    assert_eq!(
        sqlite_rows(&path, SQLITE_DAILY),
        [["2024-03-01", "web", "2", "4", "10.00"]]
    );
    // The sums per date for period reports: T2 now from b.csv, 3 units.
    assert_eq!(
        sqlite_rows(&path, "SELECT * FROM daily_product_sales ORDER BY 1, 2"),
        [
            ["2024-03-01", "P1", "1", "1", "2500000"],
            ["2024-03-01", "P2", "1", "3", "7500000"]
        ]
    );
    assert_eq!(
        sqlite_rows(&path, "SELECT * FROM daily_file_rows ORDER BY 1, 2"),
        [["2024-03-01", "a.csv", "1"], ["2024-03-01", "b.csv", "1"]]
    );
}

#[test]
fn sqlite_missing_column_fails_before_writing() {
    let test = Test::new().file("input/a.csv", nasty_file());
    let path = test.dir().join("w.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE staging_sales (transaction_id TEXT PRIMARY KEY)")
        .unwrap();
    let out = test
        .args(&["run", "input", "--db", "sqlite://w.db", "--no-outliers"])
        .run()
        .code(6);
    out.stderr_has("table `staging_sales`")
        .stderr_has("column `timestamp` is missing");
    assert_eq!(
        sqlite_rows(&path, "SELECT COUNT(*) FROM staging_sales"),
        [["0"]]
    );
    assert!(sqlite_rows(
        &path,
        "SELECT name FROM sqlite_master WHERE name = 'etl_runs'"
    )
    .is_empty());
}

#[test]
fn sqlite_nasty_values_verbatim_and_failure_rolls_back() {
    let test = Test::new().file("input/a.csv", nasty_file()).args(&[
        "run",
        "input",
        "--db",
        "sqlite://w.db",
        "--no-outliers",
    ]);
    let out = test.run().code(0);
    let path = out.dir.join("w.db");
    let stored = sqlite_rows(
        &path,
        "SELECT transaction_id, store_id, customer_id FROM staging_sales ORDER BY product_id",
    );
    let expected: Vec<Vec<String>> = NASTY.iter().map(|v| vec![v.to_string(); 3]).collect();
    assert_eq!(stored, expected);

    let before = (
        sqlite_rows(&path, SQLITE_STAGING),
        sqlite_rows(&path, SQLITE_DAILY),
    );
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER fail_reports BEFORE INSERT ON reporting_top_products \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let out = test
        .csv("b.csv", &[&row("T9", "2024-03-01", "P9", 1)])
        .run()
        .code(6);
    out.stderr_has("injected failure").stderr_has("rolled back");
    assert_eq!(
        (
            sqlite_rows(&path, SQLITE_STAGING),
            sqlite_rows(&path, SQLITE_DAILY)
        ),
        before
    );
}

#[test]
fn no_db_and_dry_run_load_nothing_and_env_and_dotenv_choose_the_target() {
    let out = Test::new()
        .args(&["run", &samples(), "--no-db", "--format", "json"])
        .env("DATABASE_URL", "sqlite://env.db")
        .run()
        .code(0);
    assert_eq!(out.json()["load"], serde_json::Value::Null);
    assert!(!out.exists("env.db") && !out.exists("sales.db"));
    let out = Test::new()
        .args(&["run", &samples(), "--dry-run"])
        .run()
        .code(0);
    assert!(!out.exists("sales.db"));
    let out = Test::new()
        .args(&["run", &samples(), "--format", "json"])
        .env("DATABASE_URL", "sqlite://env.db")
        .run()
        .code(0);
    assert!(out.exists("env.db"));
    // Issue "the analyst's terminal": the first step line and the JSON name
    // the warehouse and where its URL came from.
    assert!(
        out.stderr
            .starts_with("warehouse sqlite://env.db (from DATABASE_URL)\n"),
        "{}",
        out.stderr
    );
    assert_eq!(
        out.json()["warehouse"],
        serde_json::json!({"target": "sqlite://env.db", "from": "DATABASE_URL"})
    );
    let out = Test::new()
        .file(".env", "DATABASE_URL=sqlite://dotenv.db\n")
        .args(&["run", &samples()])
        .run()
        .code(0);
    assert!(out.exists("dotenv.db"));
    out.stderr_has("warehouse sqlite://dotenv.db (from .env)");
    let out = Test::new()
        .file(".env", "DATABASE_URL=sqlite://dotenv.db\n")
        .args(&["run", &samples(), "--db", "sqlite://flag.db"])
        .env("DATABASE_URL", "sqlite://env.db")
        .run()
        .code(0);
    assert!(out.exists("flag.db") && !out.exists("env.db") && !out.exists("dotenv.db"));
    out.stderr_has("warehouse sqlite://flag.db (from --db)");
    let out = Test::new().args(&["run", &samples()]).run().code(0);
    out.stderr_has("warehouse sqlite://sales.db (from the default)");
    let report = out_report(&out);
    assert_eq!(report["warehouse"]["from"], "the default");
}

/// `report --format json` in the folder of `out`'s run.
fn out_report(out: &crate::util::Output) -> serde_json::Value {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sales-etl"))
        .args([
            "report",
            "--date",
            "2026-11-25",
            "--format",
            "json",
            "--no-files",
        ])
        .current_dir(&out.dir)
        .env_clear()
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("warehouse sqlite://sales.db (from the default)"));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn bad_database_urls_are_usage_errors_without_the_password() {
    let out = Test::new()
        .args(&["run", &samples(), "--db", "postgres://u:secret@h/db"])
        .run()
        .code(2);
    assert!(!out.stderr.contains("secret"), "{}", out.stderr);
    out.stderr_has("postgres://u:***@h/db");
}

/// Issue "a warehouse you can trust": `sqlite://:memory:` loaded and kept
/// nothing, and `sqlite://file:uri.db` wrote `uri.db` that `report` and
/// `query` then could not find. Both are refused by every command.
#[test]
fn sqlite_memory_and_uri_urls_are_refused_everywhere() {
    for url in ["sqlite://:memory:", "sqlite://file:uri.db"] {
        for args in [
            vec!["run", &samples(), "--db", url],
            vec!["report", "--date", "2026-11-25", "--db", url],
            vec!["query", "SELECT 1", "--db", url],
        ] {
            let out = Test::new().args(&args).run().code(2);
            out.stderr_has(url);
            assert!(!out.exists("uri.db") && !out.exists("reports"), "{args:?}");
        }
    }
}

/// `run input --no-outliers` of `test` into a fresh SQLite file, then a
/// fresh MariaDB database: each warehouse's URL and the run's JSON.
pub(crate) fn into_both_warehouses(test: &Test) -> Vec<(String, serde_json::Value)> {
    let db = Database::new();
    ["sqlite://w.db".to_owned(), db.url()]
        .into_iter()
        .map(|url| {
            let args = [
                "run",
                "input",
                "--allow-rejects",
                "--db",
                &url,
                "--no-outliers",
                "--format",
                "json",
            ];
            let json = test.clone().args(&args).run().code(0).json();
            (url, json)
        })
        .collect()
}

/// Issue "a warehouse you can trust": a valid row whose UTC date is
/// 10000-01-01 failed the whole SQLite load as a bug and the MariaDB load
/// with "Data truncated"; it is rejected with a reason now.
#[test]
fn timestamps_no_warehouse_holds_are_rejected_not_fatal() {
    let test = Test::new().csv(
        "a.csv",
        &[
            "T1,9999-12-31 23:30:00-01:00,web,,,P1,1,1.00",
            "T2,0999-06-01 10:00:00,web,,,P1,1,1.00",
            "T3,2024-03-01 10:00:00,web,,,P1,1,1.00",
        ],
    );
    for (url, json) in into_both_warehouses(&test) {
        assert_eq!(json["load"]["rows"], 1, "{url}");
        assert_eq!(json["totals"]["invalid"], 2, "{url}");
    }
    let rejected = test.dir().join("errors/a.rejected.csv");
    let rejected = std::fs::read_to_string(rejected).unwrap();
    assert_eq!(rejected.matches("bad_timestamp").count(), 4, "{rejected}");
}

#[test]
fn mysql_report_equals_the_run() {
    let db = Database::new();
    crate::report::report_equals_run(&db.url());
}

#[test]
fn mysql_query_runs_in_the_warehouse_read_only() {
    let (mut db, url, test) = crate::db::with_samples();
    let answer = test
        .clone()
        .args(&[
            "query",
            "SELECT channel, SUM(orders) AS orders, SUM(revenue) AS revenue FROM reporting_daily_sales GROUP BY channel ORDER BY channel",
            "--db",
            &url,
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    let want = db.rows("SELECT channel, SUM(orders), SUM(revenue) FROM reporting_daily_sales GROUP BY channel ORDER BY channel");
    let rows = answer.as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(&want) {
        assert_eq!(got["channel"], want[0].as_str());
        // SUM of integers is a DECIMAL in MySQL: exact text, as money is.
        assert_eq!(got["orders"], want[1].as_str(), "{answer}");
        assert_eq!(got["revenue"], want[2].as_str(), "{answer}");
    }
    let count = test
        .clone()
        .args(&[
            "query",
            "SELECT COUNT(*) AS n FROM staging_sales",
            "--db",
            &url,
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    let staged = db.rows("SELECT COUNT(*) FROM staging_sales");
    assert_eq!(count[0]["n"].as_u64().unwrap().to_string(), staged[0][0]);
    test.clone()
        .args(&["query", "DELETE FROM staging_sales", "--db", &url])
        .run()
        .code(7)
        .stderr_has("not a question");
    assert_eq!(db.rows("SELECT COUNT(*) FROM staging_sales"), staged);
}

// Issue "load as fast as we clean": the streamed SQLite load.

/// A generated day of `rows` rows with every defect class, in `day/` of
/// the test's folder.
pub(crate) fn generated(rows: u32, seed: u32) -> Test {
    let test = Test::new();
    test.clone()
        .args(&[
            "generate",
            "--rows",
            &rows.to_string(),
            "--date",
            "2026-11-25",
            "--seed",
            &seed.to_string(),
            "--out",
            "day",
        ])
        .run()
        .code(0);
    test
}

#[test]
fn sqlite_streamed_load_equals_the_mysql_load_row_for_row() {
    let mut db = Database::new();
    let test = generated(20_000, 7);
    // Small chunks: the rows reach SQLite in many pieces while they are judged.
    let out = test
        .clone()
        .args(&[
            "run",
            "day",
            "--batch-rows",
            "997",
            "--db",
            "sqlite://w.db",
            "-q",
        ])
        .run()
        .code(0);
    test.args(&["run", "day", "--db", &db.url(), "-q"])
        .run()
        .code(0);
    let path = out.dir.join("w.db");
    let sqlite = sqlite_rows(&path, SQLITE_STAGING);
    assert!(sqlite.len() > 18_000, "{}", sqlite.len());
    assert_eq!(sqlite, db.rows(STAGING));
    assert_eq!(sqlite_rows(&path, SQLITE_DAILY), db.rows(DAILY));
    assert_eq!(sqlite_rows(&path, SQLITE_TOP), db.rows(TOP));
}

#[test]
fn sqlite_load_failing_after_several_chunks_leaves_the_warehouse_as_it_was() {
    let test = generated(20_000, 3);
    let run = test.args(&[
        "run",
        "day",
        "--db",
        "sqlite://w.db",
        "--batch-rows",
        "1000",
        "-q",
    ]);
    let out = run.run().code(0);
    let path = out.dir.join("w.db");
    let before = (
        sqlite_rows(&path, SQLITE_STAGING),
        sqlite_rows(&path, SQLITE_DAILY),
        sqlite_rows(&path, SQLITE_TOP),
        sqlite_rows(&path, "SELECT * FROM daily_file_sales ORDER BY 1, 2, 3, 4"),
        sqlite_rows(&path, "SELECT id, status FROM etl_runs"),
    );
    // Rows of line 10,000 and later are refused: about half the chunks
    // are in when the load fails.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER fail_late BEFORE INSERT ON staging_sales \
             WHEN NEW.source_line >= 10000 \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    std::fs::remove_dir_all(out.dir.join("reports")).unwrap();
    // `--reload`: the warehouse holds these files already.
    let failed = run.clone().args(&["--reload"]).run().code(6);
    failed
        .stderr_has("injected failure")
        .stderr_has("rolled back");
    // The CSV outputs were still written.
    assert!(failed.exists("reports/daily_sales_2026-11-25.csv"));
    let after = (
        sqlite_rows(&path, SQLITE_STAGING),
        sqlite_rows(&path, SQLITE_DAILY),
        sqlite_rows(&path, SQLITE_TOP),
        sqlite_rows(&path, "SELECT * FROM daily_file_sales ORDER BY 1, 2, 3, 4"),
        sqlite_rows(&path, "SELECT id, status FROM etl_runs"),
    );
    assert!(before == after, "the failed load changed the warehouse");
}

#[test]
fn sqlite_killed_process_mid_load_leaves_the_last_commit() {
    let test = generated(1_000_000, 5);
    let out = test
        .clone()
        .args(&["run", &samples(), "--db", "sqlite://w.db", "-q"])
        .run()
        .code(0);
    let path = out.dir.join("w.db");
    let before = (
        sqlite_rows(&path, SQLITE_STAGING),
        sqlite_rows(&path, SQLITE_DAILY),
    );
    let runner = test.args(&[
        "run",
        "day",
        "--db",
        "sqlite://w.db",
        "-q",
        "--batch-rows",
        "5000",
    ]);
    let mut child = runner
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once its open transaction holds rows (issue "checks that can
    // fail": a fixed sleep after the journal appeared proved nothing): the
    // journal is there (a transaction is open) and the file has grown by
    // 8 MiB past its committed size (rows spilled from the page cache into
    // it, which only a commit would keep).
    let journal = out.dir.join("w.db-journal");
    let committed = std::fs::metadata(&path).unwrap().len();
    let grown = || std::fs::metadata(&path).map_or(0, |m| m.len()) > committed + (8 << 20);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !(journal.exists() && grown()) {
        assert!(child.try_wait().unwrap().is_none(), "the run ended first");
        assert!(std::time::Instant::now() < deadline, "no journal seen");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the run finished before it was killed");
    // Opening the file rolls the hot journal back.
    assert!(
        (
            sqlite_rows(&path, SQLITE_STAGING),
            sqlite_rows(&path, SQLITE_DAILY)
        ) == before,
        "the killed load changed the warehouse"
    );
}

#[test]
fn sqlite_rerun_counts_what_each_file_replaced_and_warns_about_another_folder() {
    let test = Test::new()
        .csv(
            "web_2024-03-01.csv",
            &[
                &row("T1", "2024-03-01", "P1", 1),
                &row("T2", "2024-03-01", "P2", 2),
            ],
        )
        .file(
            "other/web_2024-03-01.csv",
            format!("{HEADER}\n{}\n", row("T7", "2024-03-01", "P7", 1)),
        );
    let first = test
        .clone()
        .args(&[
            "run",
            "input",
            "--db",
            "sqlite://w.db",
            "--no-outliers",
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(first["load"]["files"][0]["replaced_rows"], 0);
    assert_eq!(
        first["load"]["files"][0]["earlier"],
        serde_json::Value::Null
    );
    let run_id = first["load"]["run_id"].clone();

    // The same folder again: the warehouse holds the file already.
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "input",
            "--db",
            "sqlite://w.db",
            "--no-outliers",
            "--format",
            "json",
        ];
        args.extend(extra);
        test.clone().args(&args).run().code(0)
    };
    let again = run(&[]);
    let json = again.json();
    assert_eq!(json["load"]["rows"], 0);
    assert_eq!(json["load"]["files"][0]["replaced_rows"], 0);
    assert_eq!(json["load"]["files"][0]["unchanged_since"], run_id);
    assert_eq!(json["load"]["replaced"], 0);
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);
    let second_id = json["load"]["run_id"].clone();

    // `--reload`: its rows replaced, no warning.
    let again = run(&["--reload"]);
    let json = again.json();
    assert_eq!(json["load"]["rows"], 2);
    assert_eq!(json["load"]["files"][0]["replaced_rows"], 2);
    assert_eq!(
        json["load"]["files"][0]["unchanged_since"],
        serde_json::Value::Null
    );
    assert_eq!(json["load"]["replaced"], 2);
    assert!(again.stderr.contains("2 replaced"), "{}", again.stderr);
    assert_eq!(json["load"]["files"][0]["earlier"]["run_id"], second_id);
    assert_eq!(json["load"]["files"][0]["warning"], serde_json::Value::Null);
    assert!(!again.stderr.contains("warning"), "{}", again.stderr);

    // Another folder with a file of the same name: it replaces them, and says so.
    let other = test
        .args(&[
            "run",
            "other",
            "--db",
            "sqlite://w.db",
            "--no-outliers",
            "--format",
            "json",
        ])
        .run()
        .code(0);
    other.stderr_has("from another folder");
    let json = other.json();
    assert_eq!(json["load"]["files"][0]["replaced_rows"], 2);
    let earlier_folder = json["load"]["files"][0]["earlier"]["folder"]
        .as_str()
        .unwrap();
    assert!(earlier_folder.ends_with("input"), "{earlier_folder}");
    assert_eq!(
        sqlite_rows(
            &other.dir.join("w.db"),
            "SELECT transaction_id FROM staging_sales"
        ),
        [["T7"]]
    );
    assert_eq!(
        sqlite_rows(&other.dir.join("w.db"), SQLITE_DAILY),
        [["2024-03-01", "web", "1", "1", "2.50"]]
    );
}

/// A SQLite warehouse made by `layout` (an older version's tables and
/// rows), then a run of one new row into it.
fn run_on_layout(layout: &str) -> (Test, std::path::PathBuf) {
    let test = Test::new().csv("web_2024-03-01.csv", &[&row("T1", "2024-03-01", "P1", 1)]);
    let path = test.dir().join("w.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(layout).unwrap();
    conn.execute_batch(OLD_REPORTS_AND_RUNS).unwrap();
    drop(conn);
    test.clone()
        .args(&[
            "run",
            "input",
            "--db",
            "sqlite://w.db",
            "--no-outliers",
            "-q",
        ])
        .run()
        .code(0);
    (test, path)
}

/// Issue "a warehouse you can trust": a SQLite warehouse of layout 2 (money
/// as decimal text, which sorted as text; missing ids as `''`) is migrated
/// on the next run, its rows kept, its money numbers.
#[test]
fn sqlite_warehouse_of_layout_2_is_migrated_with_its_rows() {
    // `_test` keeps the folder until the end.
    let (_test, path) = run_on_layout(LAYOUT_2);
    assert_eq!(sqlite_rows(&path, "PRAGMA user_version"), [["5"]]);
    assert_eq!(
        sqlite_rows(
            &path,
            "SELECT transaction_id, store_id, unit_price, line_revenue FROM sales ORDER BY line_revenue DESC"
        ),
        [
            ["OLD-1", "S1", "1000", "1000"],
            ["OLD-2", "NULL", "999.99", "999.99"],
            ["T1", "NULL", "2.5", "2.5"]
        ]
    );
    assert_eq!(
        sqlite_rows(&path, SQLITE_DAILY),
        [
            ["2024-02-01", "web", "3", "3", "999.50"],
            ["2024-02-02", "web", "1", "1", "1000.00"],
            ["2024-03-01", "store", "2", "2", "1999.99"],
            ["2024-03-01", "web", "1", "1", "2.50"]
        ]
    );
    // Layout 4: the reports' revenue is a number that sorts as money; the
    // days the run did not touch kept their rows.
    assert_eq!(
        sqlite_rows(
            &path,
            "SELECT \"date\", typeof(revenue) FROM reporting_daily_sales ORDER BY revenue DESC"
        ),
        [
            ["2024-03-01", "real"],
            ["2024-02-02", "real"],
            ["2024-02-01", "real"],
            ["2024-03-01", "real"]
        ]
    );
    assert_eq!(
        sqlite_rows(&path, "SELECT typeof(revenue), revenue FROM reporting_top_products WHERE \"date\" = '2024-02-01'"),
        [["real", "999.5"]]
    );
    // Layout 5: the sums per date and product (the old P1 and the run's T1).
    assert_eq!(
        sqlite_rows(&path, "SELECT * FROM daily_product_sales ORDER BY 1, 2"),
        [
            ["2024-03-01", "P1", "2", "2", "1002500000"],
            ["2024-03-01", "P2", "1", "1", "999990000"]
        ]
    );
}

/// Layout 4 to 5: a warehouse without the sums per date and product and
/// per date and file gets them on its next load, for every stored date,
/// not only the dates the load touches.
#[test]
fn sqlite_warehouse_of_layout_4_gets_its_sums_per_date() {
    let test = Test::new()
        .csv(
            "a.csv",
            &[
                &row("T1", "2024-03-01", "P1", 1),
                &row("T2", "2024-03-02", "P2", 2),
            ],
        )
        .args(&[
            "run",
            "input",
            "--db",
            "sqlite://w.db",
            "--no-outliers",
            "-q",
        ]);
    let path = test.run().code(0).dir.join("w.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP TABLE daily_product_sales; DROP TABLE daily_file_rows; PRAGMA user_version = 4;",
        )
        .unwrap();
    // The next load touches 3 March only.
    test.clone()
        .csv("b.csv", &[&row("T3", "2024-03-03", "P1", 4)])
        .run()
        .code(0);
    assert_eq!(sqlite_rows(&path, "PRAGMA user_version"), [["5"]]);
    assert_eq!(
        sqlite_rows(&path, "SELECT * FROM daily_product_sales ORDER BY 1, 2"),
        [
            ["2024-03-01", "P1", "1", "1", "2500000"],
            ["2024-03-02", "P2", "1", "2", "5000000"],
            ["2024-03-03", "P1", "1", "4", "10000000"]
        ]
    );
    assert_eq!(
        sqlite_rows(&path, "SELECT * FROM daily_file_rows ORDER BY 1, 2"),
        [
            ["2024-03-01", "a.csv", "1"],
            ["2024-03-02", "a.csv", "1"],
            ["2024-03-03", "b.csv", "1"]
        ]
    );
}

/// The second SQLite layout, as sales-etl made it before money became
/// integer millionths.
const LAYOUT_2: &str = r#"
CREATE TABLE staging_sales (
    transaction_id TEXT NOT NULL, "timestamp" TEXT NOT NULL, "date" TEXT NOT NULL,
    channel TEXT NOT NULL, store_id TEXT, customer_id TEXT, product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL, unit_price TEXT NOT NULL, line_revenue TEXT NOT NULL,
    source_file TEXT NOT NULL, source_line INTEGER NOT NULL, run_id INTEGER NOT NULL,
    loaded_at TEXT NOT NULL, PRIMARY KEY (source_file, source_line)
) WITHOUT ROWID;
CREATE UNIQUE INDEX staging_sales_transaction_id ON staging_sales (transaction_id);
CREATE TABLE daily_file_sales ("date" TEXT NOT NULL, source_file TEXT NOT NULL,
    channel TEXT NOT NULL, product_id TEXT NOT NULL, orders INTEGER NOT NULL,
    units INTEGER NOT NULL, revenue_micros INTEGER NOT NULL,
    PRIMARY KEY ("date", source_file, channel, product_id)) WITHOUT ROWID;
INSERT INTO staging_sales VALUES
    ('OLD-1', '2024-03-01 10:00:00.000000', '2024-03-01', 'store', 'S1', NULL, 'P1', 1,
     '1000.000000', '1000.000000', 'store_2024-03-01.csv', 2, 1, '2024-03-01 00:00:00.000000'),
    ('OLD-2', '2024-03-01 11:00:00.000000', '2024-03-01', 'store', '', '', 'P2', 1,
     '999.990000', '999.990000', 'store_2024-03-01.csv', 3, 1, '2024-03-01 00:00:00.000000');
INSERT INTO daily_file_sales VALUES
    ('2024-03-01', 'store_2024-03-01.csv', 'store', 'P1', 1, 1, 1000000000),
    ('2024-03-01', 'store_2024-03-01.csv', 'store', 'P2', 1, 1, 999990000);
PRAGMA user_version = 2;
"#;

/// The tables of layouts 1 and 2 that layout 3 keeps as they were, and
/// the run that loaded the old rows.
const OLD_REPORTS_AND_RUNS: &str = r#"
CREATE TABLE reporting_daily_sales ("date" TEXT NOT NULL, channel TEXT NOT NULL,
    orders INTEGER NOT NULL, units INTEGER NOT NULL, revenue TEXT NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY ("date", channel));
CREATE TABLE reporting_top_products ("date" TEXT NOT NULL, "rank" INTEGER NOT NULL,
    product_id TEXT NOT NULL, units INTEGER NOT NULL, revenue TEXT NOT NULL,
    PRIMARY KEY ("date", "rank"));
CREATE TABLE etl_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,
    finished_at TEXT, tool_version TEXT NOT NULL, input_files TEXT NOT NULL,
    data_rows INTEGER NOT NULL, valid INTEGER NOT NULL, invalid INTEGER NOT NULL,
    duplicate INTEGER NOT NULL, outlier INTEGER NOT NULL, replaced INTEGER NOT NULL,
    load_method TEXT NOT NULL, status TEXT NOT NULL);
INSERT INTO reporting_daily_sales VALUES
    ('2024-02-01', 'web', 3, 3, '999.50', '2024-02-02 00:00:00.000000'),
    ('2024-02-02', 'web', 1, 1, '1000.00', '2024-02-03 00:00:00.000000');
INSERT INTO reporting_top_products VALUES ('2024-02-01', 1, 'P9', 3, '999.50');
INSERT INTO etl_runs (started_at, tool_version, input_files, data_rows, valid, invalid,
    duplicate, outlier, replaced, load_method, status)
VALUES ('2024-03-01 00:00:00.000000', '0.1.0', '[]', 2, 2, 0, 0, 0, 0, 'INSERT', 'loaded');
"#;

/// The first SQLite layout, as sales-etl 0.1.0 up to this change made it.
const LAYOUT_1: &str = r#"
CREATE TABLE staging_sales (
    transaction_id TEXT NOT NULL PRIMARY KEY, "timestamp" TEXT NOT NULL, "date" TEXT NOT NULL,
    channel TEXT NOT NULL, store_id TEXT, customer_id TEXT, product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL, unit_price TEXT NOT NULL, line_revenue TEXT NOT NULL,
    source_file TEXT NOT NULL, source_line INTEGER NOT NULL, run_id INTEGER NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE INDEX staging_sales_date_channel ON staging_sales ("date", channel, quantity, line_revenue);
CREATE INDEX staging_sales_date_product ON staging_sales ("date", product_id, quantity, line_revenue);
CREATE INDEX staging_sales_source_file ON staging_sales (source_file);
INSERT INTO staging_sales VALUES
    ('OLD-1', '2024-02-29 10:00:00.000000', '2024-02-29', 'store', 'S1', NULL, 'P1', 3,
     '1.100000', '3.300000', 'store_2024-02-29.csv', 2, 1, '2024-03-01 00:00:00.000000'),
    ('OLD-2', '2024-03-01 11:00:00.000000', '2024-03-01', 'store', '', ' ', 'P2', 1,
     '0.005000', '0.005000', 'store_2024-03-01.csv', 2, 1, '2024-03-01 00:00:00.000000');
"#;

#[test]
fn sqlite_warehouse_of_the_first_layout_is_migrated_with_its_rows() {
    let (test, path) = run_on_layout(LAYOUT_1);
    assert_eq!(
        sqlite_rows(
            &path,
            "SELECT transaction_id, source_file FROM staging_sales ORDER BY 1"
        ),
        [
            ["OLD-1", "store_2024-02-29.csv"],
            ["OLD-2", "store_2024-03-01.csv"],
            ["T1", "web_2024-03-01.csv"]
        ]
    );
    // 2024-03-01's report merges the old store row with the new web row;
    // the other days' reports are kept.
    assert_eq!(
        sqlite_rows(&path, SQLITE_DAILY),
        [
            ["2024-02-01", "web", "3", "3", "999.50"],
            ["2024-02-02", "web", "1", "1", "1000.00"],
            ["2024-03-01", "store", "1", "1", "0.01"],
            ["2024-03-01", "web", "1", "1", "2.50"]
        ]
    );
    assert_eq!(sqlite_rows(&path, "PRAGMA user_version"), [["5"]]);
    assert_eq!(
        sqlite_rows(
            &path,
            "SELECT transaction_id, store_id, customer_id, unit_price_micros, line_revenue_micros FROM staging_sales ORDER BY 1"
        ),
        [
            ["OLD-1", "S1", "NULL", "1100000", "3300000"],
            ["OLD-2", "NULL", "NULL", "5000", "5000"],
            ["T1", "NULL", "C1", "2500000", "2500000"]
        ]
    );
    // A layout from a newer tool is refused, not misread.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 9")
        .unwrap();
    test.args(&["run", "input", "--db", "sqlite://w.db", "-q"])
        .run()
        .code(6)
        .stderr_has("newer sales-etl");
}

/// Issue "the analyst's terminal": a run creates a missing SQLite file and
/// says so, once; a missing folder is a typo, not a new warehouse (usage
/// error, nothing created).
#[test]
fn sqlite_creates_its_file_and_says_so_never_a_folder() {
    let test = Test::new().csv("a.csv", &[&row("T1", "2024-03-01", "P1", 1)]);
    let first = test.clone().args(&["run", "input"]).run().code(0);
    first.stderr_has("created new warehouse sqlite://sales.db");
    let again = test.clone().args(&["run", "input"]).run().code(0);
    assert!(
        !again.stderr.contains("created new warehouse"),
        "{}",
        again.stderr
    );
    let typo = test
        .args(&["run", "input", "--db", "sqlite://nonexistent_dir/x.db"])
        .run()
        .code(2);
    typo.stderr_has(
        "the folder `nonexistent_dir` does not exist (a run creates the file, not its folder)",
    );
    assert!(!typo.exists("nonexistent_dir"));
}

/// Issue "a warehouse you can trust": both warehouses keep the rejected
/// rows as `errors/` has them, under the folder query's name `rejected`,
/// and a warehouse made before they were kept gets them on the next run
/// (its files are not passed over as unchanged).
#[test]
fn rejected_rows_reach_both_warehouses_and_answer_as_over_the_folder() {
    let db = Database::new();
    let test = Test::new();
    let answer = |place: &str| {
        let sql = "SELECT * FROM rejected ORDER BY source_file, source_line";
        let mut args = vec!["query", sql];
        match place.contains("://") {
            true => args.extend(["--db", place]),
            false => args.push(place),
        }
        args.extend(["--format", "csv", "-q"]);
        test.clone().args(&args).run().code(0).stdout
    };
    let samples = samples();
    let folder = answer(&samples);
    assert!(folder.lines().count() > 10, "{folder}");
    assert!(folder.contains("bad_unit_price"), "{folder}");
    for url in ["sqlite://w.db".to_owned(), db.url()] {
        test.clone()
            .args(&["run", &samples, "--db", &url, "-q"])
            .run()
            .code(0);
        assert_eq!(answer(&url), folder, "{url}");
    }
    let unchanged = |json: serde_json::Value| {
        (json["load"]["files"].as_array().unwrap().iter())
            .filter(|file| !file["unchanged_since"].is_null())
            .count()
    };
    let conn = rusqlite::Connection::open(test.dir().join("w.db")).unwrap();
    conn.execute_batch("DROP VIEW rejected; DROP TABLE rejected_rows;")
        .unwrap();
    drop(conn);
    let rerun = || {
        test.clone()
            .args(&["run", &samples, "--db", "sqlite://w.db", "--format", "json"])
            .run()
            .code(0)
            .json()
    };
    assert_eq!(unchanged(rerun()), 0, "loaded again for its rejected rows");
    assert_eq!(answer("sqlite://w.db"), folder);
    assert_eq!(unchanged(rerun()), 3, "now passed over");
    assert_eq!(answer("sqlite://w.db"), folder);
}

/// A table or view of the user's named `sales` or `rejected` is never
/// replaced by the tool's views; a table is said.
#[test]
fn mysql_a_table_or_view_named_sales_or_rejected_is_left_alone() {
    let mut db = Database::new();
    db.conn
        .query_drop("CREATE TABLE sales (note TEXT); INSERT INTO sales VALUES ('mine')")
        .unwrap();
    db.conn
        .query_drop("CREATE VIEW rejected AS SELECT 1 AS mine")
        .unwrap();
    let out = Test::new()
        .args(&["run", &samples(), "--db", &db.url()])
        .run()
        .code(0);
    out.stderr_has("`sales` in");
    out.stderr_has("is a table of its own");
    assert_eq!(db.rows("SELECT note FROM sales"), [["mine"]]);
    assert_eq!(db.rows("SELECT mine FROM rejected"), [["1"]]);
    assert_eq!(db.rows("SELECT COUNT(*) FROM staging_sales"), [["19"]]);
}

/// Rejected rows keep their values whole, however long: 40 rows with
/// 600 KiB ids (24 MiB in all, more than MariaDB's default packet of 16
/// MiB; the prepared INSERT sends long values apart) are in
/// `rejected_rows` as they came.
#[test]
fn mysql_long_rejected_values_are_kept_whole() {
    let mut db = Database::new();
    let long = "X".repeat(600 * 1024);
    let rows: Vec<String> = (0..40)
        .map(|i| row(&format!("{long}{i}"), "2024-03-01", "P1", 1))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let test = Test::new().csv("web_2024-03-01.csv", &rows);
    test.args(&["run", "input", "--db", &db.url(), "--allow-rejects", "-q"])
        .run()
        .code(0);
    assert_eq!(
        db.rows("SELECT COUNT(*), MIN(LENGTH(transaction_id)), MIN(reason) FROM rejected_rows"),
        [["40", "614401", "id_too_long"]]
    );
}
