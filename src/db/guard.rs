//! The guard of `sales-etl query --db`: the warehouse is only ever read.
//! A statement is parsed (with the dialect of the warehouse's engine) and
//! refused before it reaches the database unless it is exactly one
//! read-only question: a query (SELECT, WITH … SELECT, set operations) with
//! no `INTO`, no locking read, no variable assignment and no function that
//! reads a file or changes the server, or on MySQL/MariaDB a SHOW, DESCRIBE
//! or EXPLAIN of one. The engines' own read-only modes stay on as a second
//! wall (a read-only SQLite open and `Statement::readonly`, a read-only
//! transaction on a connection that runs one prepared statement).

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Query, SetExpr, Statement, TableFactor, Visit, Visitor,
};
use sqlparser::dialect::{Dialect, MySqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Which SQL a warehouse speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Mysql,
    Sqlite,
}

/// Functions that read the server's files, hold locks on it or run
/// programs: refused anywhere in a statement.
const REFUSED_FUNCTIONS: [&str; 7] = [
    "load_file",
    "get_lock",
    "release_lock",
    "release_all_locks",
    "sys_exec",
    "sys_eval",
    "load_extension",
];

/// `Ok` when `sql` is one query over a folder's tables: Polars SQL's table
/// functions (`read_csv('/any/path')`, `read_parquet`…) would read any file
/// the user can, so a `FROM` that calls a function is refused.
pub fn check_folder_query(sql: &str) -> Result<(), String> {
    let statements = Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql)
        .map_err(|e| format!("the statement cannot be checked, so it is not run: {e}"))?;
    let mut guard = FolderGuard;
    for statement in &statements {
        if let ControlFlow::Break(problem) = statement.visit(&mut guard) {
            return Err(problem);
        }
    }
    Ok(())
}

struct FolderGuard;

impl Visitor for FolderGuard {
    type Break = String;

    fn pre_visit_table_factor(&mut self, table: &TableFactor) -> ControlFlow<String> {
        match table {
            TableFactor::Table { args: Some(_), name, .. } => ControlFlow::Break(format!(
                "`{name}(…)` reads files: a folder query reads only the tables `sales` and `rejected`"
            )),
            TableFactor::TableFunction { .. } | TableFactor::Function { .. } => ControlFlow::Break(
                "a table function reads files: a folder query reads only the tables `sales` and `rejected`"
                    .into(),
            ),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// `Ok` when `sql` is one read-only statement for `engine`; else why not.
pub fn check(sql: &str, engine: Engine) -> Result<(), String> {
    let dialect: &dyn Dialect = match engine {
        Engine::Mysql => &MySqlDialect {},
        Engine::Sqlite => &SQLiteDialect {},
    };
    let statements = Parser::parse_sql(dialect, sql).map_err(|e| {
        format!("the statement cannot be checked as read-only, so it is not run: {e}")
    })?;
    let statement = match statements.as_slice() {
        [one] => one,
        [] => return Err("there is no statement to run".into()),
        several => {
            return Err(format!(
                "{} statements: `query --db` runs exactly one",
                several.len()
            ))
        }
    };
    let mut guard = Guard { engine };
    match statement.visit(&mut guard) {
        ControlFlow::Break(problem) => Err(problem),
        ControlFlow::Continue(()) => Ok(()),
    }
}

struct Guard {
    engine: Engine,
}

impl Visitor for Guard {
    type Break = String;

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<String> {
        let mysql = self.engine == Engine::Mysql;
        match statement {
            Statement::Query(_) => ControlFlow::Continue(()),
            Statement::Explain { analyze: true, .. } => {
                ControlFlow::Break("EXPLAIN ANALYZE runs its statement: not allowed".into())
            }
            Statement::Explain { .. } => ControlFlow::Continue(()),
            Statement::ExplainTable { .. }
            | Statement::ShowTables { .. }
            | Statement::ShowColumns { .. }
            | Statement::ShowCreate { .. }
            | Statement::ShowDatabases { .. }
            | Statement::ShowVariables { .. }
            | Statement::ShowStatus { .. }
            | Statement::ShowCollation { .. }
            | Statement::ShowFunctions { .. }
                if mysql =>
            {
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Break(format!(
                "only {} is allowed: `{}` is not a question",
                if mysql {
                    "a SELECT (or WITH … SELECT), SHOW, DESCRIBE or EXPLAIN"
                } else {
                    "a SELECT (or WITH … SELECT) or EXPLAIN"
                },
                first_words(&statement.to_string())
            )),
        }
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if !query.locks.is_empty() {
            return ControlFlow::Break(
                "a locking read (FOR UPDATE / FOR SHARE) is not allowed".into(),
            );
        }
        body_is_read_only(&query.body)
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<String> {
        match expr {
            Expr::Function(function) => {
                let name = function
                    .name
                    .0
                    .last()
                    .map(|part| part.to_string().trim_matches('`').to_ascii_lowercase())
                    .unwrap_or_default();
                if REFUSED_FUNCTIONS.contains(&name.as_str()) {
                    return ControlFlow::Break(format!(
                        "`{name}` reads files or changes the server: not allowed"
                    ));
                }
                ControlFlow::Continue(())
            }
            Expr::BinaryOp {
                op: BinaryOperator::Assignment,
                ..
            } => ControlFlow::Break("assigning a variable (`:=`) is not allowed".into()),
            _ => ControlFlow::Continue(()),
        }
    }
}

/// A query body that only reads: no `SELECT … INTO`, no data-changing
/// statement inside.
fn body_is_read_only(body: &SetExpr) -> ControlFlow<String> {
    match body {
        SetExpr::Select(select) if select.into.is_some() => {
            ControlFlow::Break("SELECT … INTO writes: not allowed".into())
        }
        SetExpr::Select(_) | SetExpr::Values(_) | SetExpr::Table(_) => ControlFlow::Continue(()),
        SetExpr::Query(query) => body_is_read_only(&query.body),
        SetExpr::SetOperation { left, right, .. } => {
            body_is_read_only(left)?;
            body_is_read_only(right)
        }
        _ => ControlFlow::Break("a statement that changes data is not allowed".into()),
    }
}

/// The first words of a statement, for a message.
fn first_words(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(3).collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn allowed(sql: &str, engine: Engine) {
        if let Err(problem) = check(sql, engine) {
            panic!("`{sql}` refused: {problem}");
        }
    }

    #[track_caller]
    fn refused(sql: &str, engine: Engine, why: &str) {
        match check(sql, engine) {
            Ok(()) => panic!("`{sql}` allowed"),
            Err(problem) => assert!(problem.contains(why), "`{sql}`: {problem}"),
        }
    }

    #[test]
    fn questions_pass() {
        use Engine::*;
        for engine in [Mysql, Sqlite] {
            allowed("SELECT * FROM staging_sales LIMIT 3", engine);
            allowed(
                "WITH t AS (SELECT date, SUM(units) AS u FROM reporting_daily_sales GROUP BY date) \
                 SELECT * FROM t ORDER BY u DESC",
                engine,
            );
            allowed("SELECT 1 UNION ALL SELECT 2;", engine);
            allowed("EXPLAIN SELECT * FROM etl_runs", engine);
        }
        allowed("SHOW TABLES", Mysql);
        allowed("DESCRIBE staging_sales", Mysql);
        allowed("SELECT SLEEP(1)", Mysql);
    }

    /// Every form the issue "hardening" found writing through `query --db`.
    #[test]
    fn writes_files_and_server_settings_are_refused() {
        use Engine::*;
        refused(
            "SET SESSION TRANSACTION READ WRITE; DELETE FROM staging_sales WHERE source_file='x'",
            Mysql,
            "exactly one",
        );
        refused("SELECT 1; DROP TABLE staging_sales", Mysql, "exactly one");
        refused("CREATE TABLE x(i int)", Mysql, "not a question");
        refused("DELETE FROM staging_sales", Mysql, "not a question");
        refused("SET GLOBAL max_connections = 5", Mysql, "not a question");
        refused("SELECT LOAD_FILE('/etc/passwd')", Mysql, "load_file");
        refused("SELECT 1 INTO @x", Mysql, "INTO");
        refused("SELECT @x := 1", Mysql, "variable");
        refused("SELECT * FROM staging_sales FOR UPDATE", Mysql, "locking");
        refused("EXPLAIN ANALYZE SELECT 1", Mysql, "ANALYZE");
        refused("VACUUM INTO 'copy.db'", Sqlite, "");
        refused("ATTACH DATABASE 'x.db' AS x", Sqlite, "");
        refused("PRAGMA journal_mode = WAL", Sqlite, "");
        refused("SELECT load_extension('x')", Sqlite, "load_extension");
        refused("SHOW TABLES", Sqlite, "");
        refused("", Sqlite, "no statement");
    }

    /// Issue "hardening", case 9: a folder query read any file.
    #[test]
    fn folder_queries_read_only_their_tables() {
        assert!(check_folder_query("SELECT channel, COUNT(*) FROM sales GROUP BY 1").is_ok());
        assert!(check_folder_query(
            "WITH r AS (SELECT * FROM rejected) SELECT * FROM r JOIN sales USING (source_file)"
        )
        .is_ok());
        for sql in [
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM sales JOIN read_parquet('/x.parquet') p ON true",
        ] {
            let problem = check_folder_query(sql).unwrap_err();
            assert!(problem.contains("reads files"), "{sql}: {problem}");
        }
    }

    #[test]
    fn into_outfile_is_refused_however_it_is_written() {
        for sql in [
            "SELECT * FROM staging_sales INTO OUTFILE '/tmp/x'",
            "SELECT * INTO OUTFILE '/tmp/x' FROM staging_sales",
            "SELECT * FROM staging_sales INTO DUMPFILE '/tmp/x'",
        ] {
            assert!(check(sql, Engine::Mysql).is_err(), "{sql} allowed");
        }
    }
}
