//! Flags, help text, exit codes, step lines and output files.

use crate::util::Test;

const ROW: &str = "T1,2024-03-01 10:00:00,web,,C1,P1,2,9.99";

#[test]
fn help_has_examples_and_version_prints() {
    let out = Test::new().args(&["run", "--help"]).run().code(0);
    assert!(out.stdout.contains("Examples:"), "{}", out.stdout);
    assert!(out.stdout.contains("--iqr-k"));
    let out = Test::new().args(&["--version"]).run().code(0);
    assert!(out.stdout.starts_with("sales-etl "), "{}", out.stdout);
}

#[test]
fn usage_errors_exit_2() {
    Test::new().args(&["run", "--top", "0"]).run().code(2);
    Test::new().args(&["run", "--iqr-k", "nan"]).run().code(2);
    Test::new().args(&["run", "--format", "xml"]).run().code(2);
    Test::new().args(&["frobnicate"]).run().code(2);
}

#[test]
fn rejected_rows_are_findings_exit_0_with_step_lines() {
    let out = Test::new()
        .csv(
            "a.csv",
            &[ROW, ROW, "T2,2024-03-01 10:00:00,web,,C1,P1,-1,9.99"],
        )
        .args(&["run", "input", "--no-outliers"])
        .run()
        .code(0);
    out.stderr_has("found 1 CSV file")
        .stderr_has("removed 1 duplicate row\n")
        .stderr_has("wrote 2 rejected rows to errors");
    assert!(out.stdout.contains("Rows per file"));
    assert!(!out.stdout.contains('\u{1b}'), "colour when not a terminal");
}

#[test]
fn quiet_prints_no_step_lines() {
    let out = Test::new()
        .csv("a.csv", &[ROW])
        .args(&["run", "input", "-q"])
        .run()
        .code(0);
    assert_eq!(out.stderr, "");
}

#[test]
fn verbose_prints_timings() {
    let out = Test::new()
        .csv("a.csv", &[ROW])
        .args(&["run", "input", "-v"])
        .run()
        .code(0);
    out.stderr_has("read_ms")
        .stderr_has("valid_ms")
        .stderr_has("rejected_ms")
        .stderr_has("wrote reports/daily_sales_2024-03-01.csv");
}

#[test]
fn json_has_the_documented_keys() {
    let out = Test::new()
        .csv("a.csv", &[ROW])
        .args(&["run", "input", "--format", "json"])
        .run()
        .code(0);
    let json = out.json();
    // Every key the README documents, no more and no fewer (issue "checks
    // that can fail": 7 of them were checked), and each mentioned there.
    let documented = [
        "started_at",
        "files",
        "totals",
        "reasons",
        "fences",
        "fences_per_product",
        "daily_sales",
        "held_back",
        "top_products",
        "revenue_by_hour",
        "skipped_files",
        "mostly_rejected",
        "warnings",
        "written",
        "dry_run",
        "timings",
        "warehouse",
        "load",
    ];
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = documented.to_vec();
    sorted.sort_unstable();
    let mut found = keys.clone();
    found.sort_unstable();
    assert_eq!(found, sorted);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for key in documented {
        assert!(
            readme.contains(&format!("`{key}`")),
            "README does not document `{key}`"
        );
    }
    assert_eq!(json["dry_run"], false);
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(0));
    assert_eq!(json["warehouse"]["from"], "the default");
    assert_eq!(json["totals"]["valid"], 1);
    assert_eq!(json["daily_sales"][0]["revenue"], "19.98");
    assert_eq!(json["top_products"][0]["product_id"], "P1");
}

#[test]
fn dry_run_writes_nothing() {
    let out = Test::new()
        .csv("a.csv", &[ROW, ROW])
        .args(&["run", "input", "--dry-run"])
        .run()
        .code(0);
    // Issue "the analyst's terminal": a dry run names the target it skipped.
    out.stderr_has("dry run: no file written, nothing loaded into sqlite://sales.db");
    assert!(!out.exists("errors") && !out.exists("reports") && !out.exists("sales.db"));
}

/// Issue "the analyst's terminal": a date in another form says which form
/// it takes (exit 2, as every usage error).
#[test]
fn dates_in_another_form_name_the_form() {
    for args in [
        &["run", "input", "--date", "25/11/2026"][..],
        &["report", "--from", "2026-11-25", "--to", "Nov 30"][..],
    ] {
        Test::new()
            .csv("a.csv", &[ROW])
            .args(args)
            .run()
            .code(2)
            .stderr_has("is not a date in the form YYYY-MM-DD, such as 2026-11-25");
    }
}

/// Issue "the analyst's terminal": step lines count bytes in binary units,
/// as the progress bars do.
#[test]
fn sizes_are_in_binary_units() {
    let rows: Vec<&str> = std::iter::repeat_n(ROW, 40).collect();
    Test::new()
        .csv("a.csv", &rows)
        .args(&["run", "input", "--no-db", "--allow-rejects"])
        .run()
        .code(0)
        .stderr_has("found 1 CSV file (1.7 KiB) in input");
}

#[test]
fn custom_output_dirs_and_top_n() {
    let out = Test::new()
        .csv(
            "a.csv",
            &[
                "T1,2024-03-01 10:00:00,web,,C1,A,3,1",
                "T2,2024-03-01 10:00:00,web,,C1,B,2,1",
                "T3,2024-03-01 10:00:00,web,,C1,C,1,1",
            ],
        )
        .args(&[
            "run",
            "input",
            "--top",
            "2",
            "--reports-dir",
            "out/r",
            "--errors-dir",
            "out/e",
        ])
        .run()
        .code(0);
    assert_eq!(
        out.read("out/r/top2_products_2024-03-01.csv"),
        "date,rank,product_id,units,revenue\n2024-03-01,1,A,3,3.00\n2024-03-01,2,B,2,2.00\n"
    );
}

/// Issue "the analyst's terminal": a run with another `--top` replaces the
/// day's top-products file instead of leaving the old one beside it; other
/// days' files and other files stay.
#[test]
fn another_top_replaces_the_days_top_file() {
    let test = Test::new()
        .csv("a.csv", &[ROW])
        .file("reports/top5_products_2024-02-29.csv", "other day\n")
        .file("reports/top5_notes_2024-03-01.csv", "not a report\n");
    // Clones share the folder: the second run finds the first's files.
    let out = test
        .clone()
        .args(&["run", "input", "--no-db"])
        .run()
        .code(0);
    assert!(out.exists("reports/top5_products_2024-03-01.csv"));
    let out = test
        .args(&["run", "input", "--no-db", "--top", "3"])
        .run()
        .code(0);
    assert!(out.exists("reports/top3_products_2024-03-01.csv"));
    assert!(!out.exists("reports/top5_products_2024-03-01.csv"));
    assert!(out.exists("reports/top5_products_2024-02-29.csv"));
    assert!(out.exists("reports/top5_notes_2024-03-01.csv"));
}

#[test]
fn rerun_rewrites_rejects_and_removes_stale_ones() {
    let test = Test::new()
        .csv("a.csv", &[ROW, ROW])
        .args(&["run", "input"]);
    let first = test.run().code(0).read("errors/a.rejected.csv");
    let second = test.run().code(0).read("errors/a.rejected.csv");
    assert_eq!(first, second, "re-run appended");
    assert_eq!(second.lines().count(), 2);
    // The corrected export has no rejects: its old rejects file goes.
    let test = test.csv("a.csv", &[ROW]);
    let out = test.run().code(0);
    assert!(!out.exists("errors/a.rejected.csv"));
}

#[test]
fn outlier_flags() {
    let rows: Vec<String> = (1..=8)
        .map(|i| format!("T{i},2024-03-01 10:00:00,web,,C1,P1,{},1", i % 3 + 1))
        .chain(["T9,2024-03-01 10:00:00,web,,C1,P1,40,1".to_owned()])
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "input", "--format", "json"];
        args.extend(extra);
        Test::new()
            .csv("a.csv", &rows)
            .args(&args)
            .run()
            .code(0)
            .json()
    };
    assert_eq!(run(&[])["totals"]["outlier"], 1);
    assert_eq!(run(&["--no-outliers"])["totals"]["outlier"], 0);
    assert_eq!(run(&["--no-outliers"])["fences"], serde_json::Value::Null);
    assert_eq!(run(&["--iqr-k", "100"])["totals"]["outlier"], 0);
}

#[test]
fn unwritable_output_exits_5() {
    let out = Test::new()
        .csv("a.csv", &[ROW, ROW])
        .file("blocker", "a file where the errors folder should be")
        .args(&["run", "input", "--errors-dir", "blocker/errors"])
        .run()
        .code(5);
    out.stderr_has("cannot write `blocker/errors`");
}

#[test]
fn broken_pipe_exits_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let test = Test::new()
        .csv("a.csv", &[ROW])
        .args(&["run", "input", "-q"]);
    let output = test.command().stdout(writer).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn default_input_folder_is_data_raw() {
    let out = Test::new()
        .file("data/raw/a.csv", format!("{}{ROW}\n", crate::util::HEADER))
        .args(&["run", "--format", "json"])
        .run()
        .code(0);
    assert_eq!(out.json()["totals"]["valid"], 1);
}

#[test]
fn completions_for_every_shell_name_the_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Test::new().args(&["completions", shell]).run().code(0);
        assert!(out.stdout.contains("sales-etl"), "{shell}");
        assert!(out.stdout.contains("batch-rows"), "{shell}");
    }
    Test::new().args(&["completions", "tcsh"]).run().code(2);
}

/// Issue "the analyst's terminal": the bash script completes a
/// subcommand's flags, not only subcommand names. Run in bash as bash's
/// `complete -F` would call it.
#[test]
fn bash_completes_flags_of_a_subcommand() {
    let test = Test::new();
    let script = test.clone().args(&["completions", "bash"]).run().code(0);
    let path = test.dir().join("sales-etl.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    // Calls `function` as bash's `complete -F` would, in the test's folder.
    let call = |function: &str, words: &[&str]| -> String {
        let line = format!(
            "cd {dir}; source {path}; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             {function} sales-etl {cur} {prev}; echo \"${{COMPREPLY[*]}}\"",
            dir = test.dir().display(),
            path = path.display(),
            words = words.join(" "),
            cword = words.len() - 1,
            cur = words[words.len() - 1],
            prev = words[words.len() - 2],
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "-c", &line])
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let complete = |words: &[&str]| call("_sales__etl", words);
    assert_eq!(complete(&["sales-etl", "run", "--dr"]), "--dry-run");
    assert_eq!(complete(&["sales-etl", "report", "--fr"]), "--from");
    assert_eq!(complete(&["sales-etl", "rep"]), "report");
    assert!(complete(&["sales-etl", "query", "--"]).contains("--max-rows"));
    // The shipped queries' names, as `query`'s first word (issue "the
    // analyst's week").
    let queries = |words: &[&str]| call("_sales__etl__with__queries", words);
    assert_eq!(queries(&["sales-etl", "query", "top_c"]), "top_customers");
    let both = queries(&["sales-etl", "query", "revenue_by"]);
    assert!(
        both.contains("revenue_by_hour_and_channel") && both.contains("revenue_by_store"),
        "{both}"
    );
    // Not as the folder, nor after another subcommand.
    assert_eq!(
        queries(&["sales-etl", "query", "top_customers", "top_c"]),
        ""
    );
    assert_eq!(queries(&["sales-etl", "run", "top_c"]), "");
}

/// Issue "the analyst's week": the zsh and fish scripts load in their
/// shells and offer the shipped queries' names as `query`'s first word
/// (fish is asked as it completes; zsh's script is loaded and its function
/// defined). A shell that is not installed is skipped, saying so, unless
/// SALES_ETL_TEST_SHELLS is set (CI installs both and sets it).
#[test]
fn zsh_and_fish_scripts_load_and_offer_query_names() {
    let test = Test::new();
    let required = std::env::var_os("SALES_ETL_TEST_SHELLS").is_some();
    let run = |shell: &str, args: &[&str], line: &str| -> String {
        let out = std::process::Command::new(shell)
            .args(args)
            .arg(line)
            .current_dir(test.dir())
            .output()
            .unwrap_or_else(|e| panic!("{shell}: {e}"));
        assert!(
            out.status.success(),
            "{shell} {line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for shell in ["fish", "zsh"] {
        let installed = std::process::Command::new(shell)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            assert!(!required, "{shell} is not installed");
            eprintln!("{shell} is not installed: its completion script is not run");
            continue;
        }
        let script = test.clone().args(&["completions", shell]).run().code(0);
        let path = test.dir().join(format!("sales-etl.{shell}"));
        std::fs::write(&path, &script.stdout).unwrap();
        let path = path.display();
        if shell == "fish" {
            let complete = |line: &str| {
                run(
                    "fish",
                    &["--no-config", "-c"],
                    &format!("source {path}; complete -C'{line}'"),
                )
            };
            assert!(complete("sales-etl query top_c").contains("top_customers\tshipped query"));
            let both = complete("sales-etl query revenue_by");
            assert!(
                both.contains("revenue_by_hour_and_channel") && both.contains("revenue_by_store"),
                "{both}"
            );
            assert!(!complete("sales-etl query top_customers top_c").contains("top_customers"));
            assert!(complete("sales-etl run --dr").contains("--dry-run"));
        } else {
            let defined = run(
                "zsh",
                &["-f", "-c"],
                &format!(
                    "autoload -U compinit; compinit -u -D; source {path}; \
                     print -r -- ${{+functions[_sales-etl]}}"
                ),
            );
            assert_eq!(defined.trim(), "1");
            assert!(script.stdout.contains(
                "queries:shipped query:(rejects_by_file_and_reason revenue_by_hour_and_channel"
            ));
        }
    }
}

/// Pictures are for terminals: a pipe gets the tables only; the JSON has
/// the numbers behind the sparkline.
#[test]
fn no_pictures_in_a_pipe_and_hours_in_json() {
    let out = Test::new()
        .csv("a.csv", &[ROW])
        .args(&["run", "input", "--no-db"])
        .run()
        .code(0);
    assert!(!out.stdout.contains("Revenue by hour"), "{}", out.stdout);
    assert!(!out.stdout.contains('█'), "{}", out.stdout);
    let json = Test::new()
        .csv("a.csv", &[ROW])
        .args(&["run", "input", "--no-db", "--format", "json"])
        .run()
        .code(0)
        .json();
    let hours = json["revenue_by_hour"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    let sold: Vec<usize> = (0..24).filter(|h| hours[*h] != "0.00").collect();
    assert_eq!(sold, [10], "{hours:?}");
    assert_eq!(hours[10], "19.98");
}

/// Issue "the analyst's terminal": the terminal's tables group thousands;
/// the report files keep plain numbers.
#[test]
fn tables_group_thousands_files_stay_plain() {
    let out = Test::new()
        .csv(
            "a.csv",
            &[
                "T1,2024-03-01 10:00:00,web,,C1,P1,2,999.99",
                "T2,2024-03-01 11:00:00,web,,C1,P1,2,1000.01",
            ],
        )
        .args(&["run", "input", "--no-db", "--no-outliers"])
        .run()
        .code(0);
    assert!(out.stdout.contains("4,000.00"), "{}", out.stdout);
    assert!(out
        .read("reports/daily_sales_2024-03-01.csv")
        .contains("2024-03-01,web,2,4,4000.00"));
}

/// Issue "the analyst's terminal": `run` takes files of one folder as well
/// as a folder; files are read in name order whatever the order given.
#[test]
fn run_reads_named_files_of_one_folder() {
    let test = Test::new()
        .csv("a_2024-03-01.csv", &[ROW])
        .csv("b_2024-03-01.csv", &[ROW.replace("T1", "T2").as_str()])
        .csv("c.csv", &[ROW.replace("T1", "T3").as_str()])
        .file("other/d.csv", "");
    let json = test
        .clone()
        .args(&[
            "run",
            "input/b_2024-03-01.csv",
            "input/a_2024-03-01.csv",
            "input/a_2024-03-01.csv",
            "--no-db",
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    let names: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a_2024-03-01.csv", "b_2024-03-01.csv"]);
    assert_eq!(json["totals"]["valid"], 2);

    // A day of named files: the undated one is left out, with a warning.
    let day = test
        .clone()
        .args(&[
            "run",
            "input/c.csv",
            "input/b_2024-03-01.csv",
            "--date",
            "2024-03-01",
            "--no-db",
        ])
        .run()
        .code(0);
    day.stderr_has("with no date in the name left out: c.csv");

    test.clone()
        .args(&["run", "input/a_2024-03-01.csv", "other/d.csv"])
        .run()
        .code(2)
        .stderr_has("are in different folders");
    test.clone()
        .args(&["run", "input/a_2024-03-01.csv", "input"])
        .run()
        .code(2)
        .stderr_has("give one folder, or files, not both");
    test.clone()
        .args(&["run", "input/nope.csv"])
        .run()
        .code(4)
        .stderr_has("input file `input/nope.csv` does not exist");
}

/// Issue "the analyst's terminal": `--outliers per-product`. Product A sells
/// one or two, product B (a case of 24) sells 24 to 26: against the run's
/// fences every B row is an outlier; against its own only the absurd one.
#[test]
fn outliers_per_product_hold_each_product_to_its_own_fences() {
    let mut lines = Vec::new();
    for i in 0..300 {
        lines.push(format!(
            "A{i},2024-03-01 10:00:00,web,,C1,A,{},1.00",
            1 + i % 2
        ));
    }
    for i in 0..60 {
        lines.push(format!(
            "B{i},2024-03-01 11:00:00,store,S1,C2,B,{},10.00",
            24 + i % 3
        ));
    }
    lines.push("B-absurd,2024-03-01 12:00:00,store,S1,C2,B,1000,10.00".into());
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let test = Test::new().csv("day.csv", &lines);
    let json = |extra: &[&str]| {
        let mut args = vec!["run", "input", "--no-db", "--dry-run", "--format", "json"];
        args.extend(extra);
        test.clone().args(&args).run().code(0).json()
    };
    let run = json(&[]);
    assert_eq!(run["totals"]["outlier"], 61);
    assert_eq!(run["fences_per_product"], serde_json::Value::Null);
    let per_product = json(&["--outliers", "per-product", "--outlier-min-rows", "50"]);
    assert_eq!(per_product["totals"]["outlier"], 1);
    assert_eq!(per_product["totals"]["valid"], 360);
    assert_eq!(
        per_product["fences_per_product"],
        serde_json::json!({"min_rows": 50, "products": 2})
    );
    assert_eq!(
        per_product["held_back"],
        serde_json::json!([{"date": "2024-03-01", "channel": "store", "rows": 1, "units": 1000, "revenue": "10000.00"}])
    );
    // Too few rows for fences of its own: B is held to the run's.
    let few = json(&["--outliers", "per-product", "--outlier-min-rows", "100"]);
    assert_eq!(few["totals"]["outlier"], 61);
    assert_eq!(few["fences_per_product"]["products"], 1);
    // The outlier rows written to errors/ are the same ones.
    let out = test
        .clone()
        .args(&[
            "run",
            "input",
            "--no-db",
            "--outliers",
            "per-product",
            "--outlier-min-rows",
            "50",
        ])
        .run()
        .code(0);
    out.stderr_has(
        "flagged 1 outlier (quantity outside [-2, 5], or its product's own fences for 2 products)",
    );
    let rejected = out.read("errors/day.rejected.csv");
    assert_eq!(rejected.lines().count(), 2, "{rejected}");
    assert!(rejected.contains("B-absurd"), "{rejected}");
    assert!(
        out.stdout
            .contains("Fences per product: 2 products with at least 50 rows"),
        "{}",
        out.stdout
    );
    // The rows loaded are the valid ones under the products' fences.
    let into_db = test
        .clone()
        .args(&[
            "run",
            "input",
            "--db",
            "sqlite://w.db",
            "--outliers",
            "per-product",
            "--outlier-min-rows",
            "50",
            "--format",
            "json",
        ])
        .run()
        .code(0)
        .json();
    assert_eq!(into_db["load"]["rows"], 360);
    test.clone()
        .args(&["run", "input", "--no-outliers", "--outliers", "per-product"])
        .run()
        .code(2);
}

#[test]
fn every_subcommand_typo_gets_a_tip() {
    for (typed, meant) in [
        ("rn", "run"),
        ("rum", "run"),
        ("gen", "generate"),
        ("qeury", "query"),
    ] {
        let out = Test::new().args(&[typed]).run();
        assert_eq!(out.code, 2, "{typed}: {}", out.stderr);
        out.stderr_has(&format!("a similar subcommand exists: '{meant}'"));
    }
    let out = Test::new().args(&["deploy"]).run();
    assert_eq!(out.code, 2);
    assert!(!out.stderr.contains("similar"), "{}", out.stderr);
}

#[test]
fn step_lines_group_their_numbers() {
    let rows: Vec<String> = (0..1500)
        .map(|i| format!("T{i},2024-03-01 10:00:00,web,,C1,P1,1,2.50"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let out = Test::new()
        .csv("a.csv", &rows)
        .args(&["run", "input", "--no-db"])
        .run()
        .code(0);
    out.stderr_has("checked 1,500 data rows: 1,500 valid, 0 invalid");
}
