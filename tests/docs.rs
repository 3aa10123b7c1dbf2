//! The README agrees with the code.

use sales_etl::error::exit;
use sales_etl::rules::RULES;

fn readme() -> String {
    std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn rules_table_lists_every_rule_in_order() {
    let readme = readme();
    let listed: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("| invalid |"))
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    let rules: Vec<&str> = RULES.iter().map(|r| r.reason).collect();
    assert_eq!(
        listed, rules,
        "README rules table differs from src/rules.rs"
    );
}

#[test]
fn exit_codes_are_documented() {
    let readme = readme();
    for code in [
        exit::SUCCESS,
        exit::INTERNAL,
        exit::USAGE,
        exit::BAD_INPUT,
        exit::NO_INPUT,
        exit::OUTPUT,
        exit::DATABASE,
        exit::QUERY,
    ] {
        assert!(
            readme.contains(&format!("| {code} |")),
            "exit code {code} is not in the README"
        );
    }
}

#[test]
fn readme_query_example_is_real_output() {
    let readme = readme();
    let command = "$ sales-etl query queries/rejects_by_file_and_reason.sql samples -q\n";
    let start = readme.find(command).expect("the example is in the README") + command.len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let root = env!("CARGO_MANIFEST_DIR");
    let out = crate::util::Test::new()
        .args(&[
            "query",
            &format!("{root}/queries/rejects_by_file_and_reason.sql"),
            &format!("{root}/samples"),
            "-q",
        ])
        .run()
        .code(0);
    crate::util::assert_text(&out.stdout, block);
}
