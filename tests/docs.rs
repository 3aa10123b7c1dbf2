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
    ] {
        assert!(
            readme.contains(&format!("| {code} |")),
            "exit code {code} is not in the README"
        );
    }
}
