//! The guard of `sales-etl query --db`: the warehouse is only ever read.
//! A statement is parsed (with the dialect of the warehouse's engine) and
//! refused before it reaches the database unless it is exactly one
//! read-only question: a query (SELECT, WITH … SELECT, set operations) with
//! no `INTO`, no locking read, no variable assignment and no function that
//! reads a file, waits, locks or changes the server, or on MySQL/MariaDB a
//! SHOW, DESCRIBE or EXPLAIN of one. The engines' own read-only modes stay
//! on as a second wall (a read-only SQLite open and `Statement::readonly`,
//! a read-only transaction on a connection that runs one prepared
//! statement).
//!
//! On MySQL/MariaDB the guard does not trust two parsers to agree on what
//! a comment is: MariaDB *runs* `/*!…*/` and `/*M!…*/`, reads `--x` as two
//! minus signs and `#` as a comment. [`mysql_text`] reads the text by the
//! server's own lexer rules, refuses what could be read two ways, and takes
//! every comment out; the text without comments is what is checked **and**
//! what is sent, so the server never sees a comment at all.

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

/// Functions that read the server's files, hold or wait for locks, wait or
/// burn time (and swallow the time limit: an interrupted `SLEEP` returns
/// 1, not an error), advance sequences or run programs: refused anywhere in
/// a statement.
const REFUSED_FUNCTIONS: [&str; 22] = [
    "load_file",
    "get_lock",
    "release_lock",
    "release_all_locks",
    "is_free_lock",
    "is_used_lock",
    "sleep",
    "benchmark",
    "master_pos_wait",
    "master_gtid_wait",
    "source_pos_wait",
    "wait_for_executed_gtid_set",
    "wait_until_sql_thread_after_gtids",
    "nextval",
    "setval",
    "lastval",
    "sys_exec",
    "sys_eval",
    "load_extension",
    "readfile",
    "writefile",
    "fts3_tokenizer",
];

/// The most bytes of SQL `query` takes.
pub const MAX_SQL_BYTES: usize = 256 * 1024;

/// The most operators, parentheses and `CASE`/`WHEN` words one statement
/// may hold. Every reader of SQL down the line (sqlparser's visitors, the
/// Polars planner, SQLite's parser) walks an expression by recursion, so a
/// `1+1+…` of some thousands of terms overflowed the stack; a real question
/// holds a few dozen.
pub const MAX_OPERATORS: usize = 2_000;

/// `Ok` when `sql` is small and flat enough to parse safely: at most
/// [`MAX_SQL_BYTES`] bytes and [`MAX_OPERATORS`] operators, counted by
/// sqlparser's tokenizer (a loop, not a recursion).
pub fn check_size(sql: &str) -> Result<(), String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    if sql.len() > MAX_SQL_BYTES {
        return Err(format!(
            "the statement is {} bytes long; `query` takes at most {MAX_SQL_BYTES}",
            sql.len()
        ));
    }
    let dialect = sqlparser::dialect::GenericDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize()
        .map_err(|e| format!("the statement cannot be read: {e}"))?;
    let operators = tokens
        .iter()
        .filter(|token| match token {
            Token::Word(word) => matches!(
                word.value.to_ascii_uppercase().as_str(),
                "AND" | "OR" | "NOT" | "XOR" | "CASE" | "WHEN" | "BETWEEN" | "IN" | "LIKE" | "IS"
            ),
            Token::Whitespace(_)
            | Token::Number(..)
            | Token::Comma
            | Token::SemiColon
            | Token::Period
            | Token::RParen
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::Placeholder(_) => false,
            _ => true,
        })
        .count();
    if operators > MAX_OPERATORS {
        return Err(format!(
            "the statement holds {operators} operators and parentheses; `query` takes at most \
             {MAX_OPERATORS} (a deeper expression is more than the readers of SQL can nest)"
        ));
    }
    Ok(())
}

/// The text MariaDB/MySQL would run, read by the server's own lexer rules
/// with every comment taken out, or why the text is refused.
///
/// Refused, because the server and another reader of SQL may read it two
/// ways: an executable comment (`/*!…*/`, `/*M!…*/`) or optimizer hint
/// (`/*+…*/`); a comment opened inside a comment or never closed; `--` not
/// followed by a space, tab or line end (MariaDB reads `--x` as two minus
/// signs); a backslash inside a quoted string (its meaning depends on the
/// server's `sql_mode`); a quote never closed; a character outside quotes
/// that is not printable ASCII (MariaDB reads a no-break space as part of a
/// name, other readers as a space); a `?` placeholder, which has no value.
pub fn mysql_text(sql: &str) -> Result<String, String> {
    let bytes = sql.as_bytes();
    let mut text = String::with_capacity(sql.len());
    let mut kept = 0; // bytes before this are in `text` or were comments
    let mut at = 0;
    let line_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |n| from + n)
    };
    while at < bytes.len() {
        let byte = bytes[at];
        let comment_end = match byte {
            b'\'' | b'"' | b'`' => {
                at = quoted_end(bytes, at)?;
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let inner = &bytes[at + 2..];
                if inner.starts_with(b"!") || inner.starts_with(b"M!") || inner.starts_with(b"m!") {
                    return Err(
                        "an executable comment (`/*!…*/` or `/*M!…*/`) runs on the server: \
                         not allowed"
                            .into(),
                    );
                }
                if inner.starts_with(b"+") {
                    return Err(
                        "an optimizer hint (`/*+…*/`) can change the server's settings: \
                                not allowed"
                            .into(),
                    );
                }
                let Some(length) = inner.windows(2).position(|pair| pair == b"*/") else {
                    return Err("a comment `/*` is never closed".into());
                };
                if inner[..length].windows(2).any(|pair| pair == b"/*") {
                    return Err("a comment opened inside a comment is read differently by \
                                different servers: not allowed"
                        .into());
                }
                at + 2 + length + 2
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => match bytes.get(at + 2) {
                None | Some(b' ' | b'\t' | b'\r' | b'\n') => line_end(at),
                Some(_) => {
                    return Err(
                        "`--` not followed by a space is two minus signs to MariaDB and \
                                a comment to other readers: write `- -` or `-- `"
                            .into(),
                    )
                }
            },
            b'#' => line_end(at),
            b'?' => return Err("a placeholder `?` has no value in `query`".into()),
            b' ' | b'\t' | b'\r' | b'\n' | 0x21..=0x7e => {
                at += 1;
                continue;
            }
            _ => {
                let shown = sql[at..].chars().next().map_or(0, u32::from);
                return Err(format!(
                    "the character U+{shown:04X} outside quotes can be read two ways \
                     (as part of a name or as a space): put it inside quotes or backticks"
                ));
            }
        };
        text.push_str(&sql[kept..at]);
        text.push(' ');
        at = comment_end;
        kept = at;
    }
    text.push_str(&sql[kept..]);
    Ok(text)
}

/// Where the quoted string, name or identifier opening at `start` ends (a
/// doubled quote stays inside it).
fn quoted_end(bytes: &[u8], start: usize) -> Result<usize, String> {
    let quote = bytes[start];
    let mut at = start + 1;
    loop {
        match bytes.get(at) {
            None => {
                return Err(format!(
                    "the quote {} opened at byte {} is never closed",
                    quote as char,
                    start + 1
                ))
            }
            Some(b'\\') if quote != b'`' => {
                return Err(
                    "a backslash inside a quoted string means one thing or another by the \
                            server's sql_mode (NO_BACKSLASH_ESCAPES): not allowed"
                        .into(),
                )
            }
            Some(&b) if b == quote => {
                if bytes.get(at + 1) == Some(&quote) {
                    at += 2;
                } else {
                    return Ok(at + 1);
                }
            }
            Some(_) => at += 1,
        }
    }
}

/// `Ok` when `sql` is one query over a folder's tables: Polars SQL's table
/// functions (`read_csv('/any/path')`, `read_parquet`…) would read any file
/// the user can, so a `FROM` that calls a function is refused.
pub fn check_folder_query(sql: &str) -> Result<(), String> {
    check_size(sql)?;
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

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<String> {
        padding_is_bounded(expr)
    }
}

/// The longest padding `LPAD`/`RPAD`/`REPEAT` may ask for in a folder query.
const MAX_PADDING: u64 = 100_000;

/// `LPAD(x, 9223372036854775807)` made Polars allocate without bound and
/// abort: the length must be a literal number up to [`MAX_PADDING`].
fn padding_is_bounded(expr: &Expr) -> ControlFlow<String> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments, Value};
    let Expr::Function(function) = expr else {
        return ControlFlow::Continue(());
    };
    let name = function
        .name
        .0
        .last()
        .map(|part| part.to_string().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(name.as_str(), "lpad" | "rpad" | "repeat") {
        return ControlFlow::Continue(());
    }
    let length = match &function.args {
        FunctionArguments::List(list) => match list.args.get(1) {
            Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(value)))) => {
                match &value.value {
                    Value::Number(number, _) => number.parse::<u64>().ok(),
                    _ => None,
                }
            }
            _ => None,
        },
        _ => None,
    };
    match length {
        Some(length) if length <= MAX_PADDING => ControlFlow::Continue(()),
        _ => ControlFlow::Break(format!(
            "`{}`'s length must be a number from 0 to {MAX_PADDING}",
            name.to_ascii_uppercase()
        )),
    }
}

/// The text to send when `sql` is one read-only statement for `engine`;
/// else why not. On MySQL/MariaDB it is `sql` without its comments (see
/// [`mysql_text`]), on SQLite `sql` itself.
pub fn check(sql: &str, engine: Engine) -> Result<String, String> {
    if crate::fault::strikes(crate::fault::Fault::GuardOff) {
        return Ok(sql.to_owned());
    }
    let (dialect, sql): (&dyn Dialect, String) = match engine {
        Engine::Mysql if sql.len() <= MAX_SQL_BYTES => (&MySqlDialect {}, mysql_text(sql)?),
        Engine::Mysql | Engine::Sqlite => (&SQLiteDialect {}, sql.to_owned()),
    };
    check_size(&sql)?;
    let statements = Parser::parse_sql(dialect, &sql).map_err(|e| {
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
        ControlFlow::Continue(()) => Ok(sql),
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
            Ok(_) => panic!("`{sql}` allowed"),
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

    /// Issue "hardening, second round", case 1: MariaDB ran what sqlparser
    /// read as a comment, and sqlparser checked a decoy MariaDB ignored.
    #[test]
    fn executable_comments_are_refused_however_they_are_spelled() {
        for sql in [
            "/*M!100000 DROP TABLE staging_sales */ /*!50700 SELECT 1 */",
            "SELECT 1 /*!99999 , 2 */",
            "SELECT 1 /*! FROM dual */",
            "SELECT * FROM staging_sales /*M! INTO OUTFILE 'x.txt' */",
            "/*M!100000 SET STATEMENT max_statement_time=0 FOR */ SELECT 1",
            "SELECT /*+ SET_VAR(max_execution_time=0) */ 1",
            "SELECT 1 /*m!100000 , 2 */",
        ] {
            let problem = check(sql, Engine::Mysql).unwrap_err();
            assert!(
                problem.contains("executable comment") || problem.contains("optimizer hint"),
                "{sql}: {problem}"
            );
        }
    }

    /// Comments are what MariaDB's lexer says they are, and the text sent
    /// holds none.
    #[test]
    fn comments_are_read_as_mariadb_reads_them() {
        let sent = check(
            "SELECT 1 -- a comment\n, 2 # another\n/* a third */",
            Engine::Mysql,
        )
        .unwrap();
        assert_eq!(sent, "SELECT 1  \n, 2  \n ");
        assert_eq!(check("SELECT 1 --", Engine::Mysql).unwrap(), "SELECT 1  ");
        // Comment-like text inside quotes is data, kept as it is.
        let quoted = r##"SELECT '/*!50700 x */ -- # ''' AS `/*M! y */`, "--""#""##;
        assert_eq!(check(quoted, Engine::Mysql).unwrap(), quoted);
        for (sql, why) in [
            // `--` + no-break space: a comment to sqlparser, not to MariaDB.
            (
                "SELECT 1 --\u{a0} FROM (SELECT 2 AS `\u{a0}`) t INTO OUTFILE 'f'",
                "`--` not followed by a space",
            ),
            ("SELECT 1--1", "`--` not followed by a space"),
            ("SELECT 1 /* a /* b */", "inside a comment"),
            ("SELECT 1 /* never closed", "never closed"),
            ("SELECT 'never closed", "never closed"),
            (r"SELECT 'it\'s'", "backslash"),
            ("SELECT 1\u{a0}FROM dual", "U+00A0"),
            ("SELECT 1\u{0b}", "U+000B"),
            ("SELECT ?", "placeholder"),
        ] {
            let problem = check(sql, Engine::Mysql).unwrap_err();
            assert!(problem.contains(why), "{sql:?}: {problem}");
        }
    }

    /// Case 1: functions that wait, lock, burn time or advance sequences.
    #[test]
    fn functions_with_side_effects_are_refused() {
        for sql in [
            "SELECT SLEEP(6)",
            "SELECT BENCHMARK(100000000, MD5('x'))",
            "SELECT GET_LOCK('x', 10)",
            "SELECT IS_FREE_LOCK('x')",
            "SELECT NEXTVAL(s)",
            "SELECT MASTER_POS_WAIT('f', 4)",
            "SELECT * FROM staging_sales WHERE sleep(1) = 0",
        ] {
            assert!(check(sql, Engine::Mysql).is_err(), "{sql} allowed");
        }
    }

    /// Case 6: deep expressions overflowed the stack and long ones ran for
    /// minutes; both are refused before any parser recurses.
    #[test]
    fn deep_or_huge_statements_are_refused_before_parsing() {
        let terms = |n: usize, op: &str| {
            let mut sql = "SELECT 1".to_owned();
            for _ in 0..n {
                sql.push_str(op);
                sql.push('1');
            }
            sql
        };
        for engine in [Engine::Mysql, Engine::Sqlite] {
            assert!(check(&terms(500, "+"), engine).is_ok());
            for sql in [
                terms(5_000, "+"),
                terms(100_000, " AND "),
                terms(200_000, "+"),
            ] {
                let problem = check(&sql, engine).unwrap_err();
                assert!(
                    problem.contains("operators") || problem.contains("bytes"),
                    "{problem}"
                );
            }
        }
        assert!(check_folder_query(&terms(5_000, "+")).is_err());
        let nested = format!("SELECT {}1{}", "(".repeat(3_000), ")".repeat(3_000));
        assert!(check_folder_query(&nested).is_err());
        let long = format!("SELECT '{}'", "x".repeat(MAX_SQL_BYTES));
        assert!(check_folder_query(&long).is_err());
    }

    /// Case 6: `LPAD(x, 9223372036854775807)` aborted on allocation.
    #[test]
    fn padding_is_bounded_in_folder_queries() {
        assert!(check_folder_query("SELECT LPAD(product_id, 12, '0') FROM sales").is_ok());
        for sql in [
            "SELECT LPAD(transaction_id, 9223372036854775807) FROM sales",
            "SELECT RPAD(transaction_id, quantity * 1000000000000) FROM sales",
            "SELECT REPEAT(product_id, 100001) FROM sales",
        ] {
            let problem = check_folder_query(sql).unwrap_err();
            assert!(problem.contains("length"), "{sql}: {problem}");
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
