//! SQL written once for every engine. The shipped queries use standard
//! SQL that Polars and MySQL/MariaDB read alike; SQLite lacks a few of its
//! forms, which are rewritten here into SQLite's own before the text is
//! checked and sent. Only the parts that need it change: a query without
//! them is sent as written.

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions_mut, DateTimeField, Expr};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

/// `sql` in SQLite's words: `EXTRACT(field FROM x)` becomes
/// `CAST(strftime('%…', x) AS INTEGER)` (SQLite has no `EXTRACT`). The text
/// is returned unchanged when nothing needs rewriting, or when it does not
/// parse (the guard then says why).
pub fn for_sqlite(sql: &str) -> Result<String, String> {
    // Text too big to parse safely is left for the guard to refuse.
    if super::guard::check_size(sql).is_err() {
        return Ok(sql.to_owned());
    }
    let Ok(mut statements) = Parser::parse_sql(&SQLiteDialect {}, sql) else {
        return Ok(sql.to_owned());
    };
    let mut rewritten = false;
    let outcome = visit_expressions_mut(&mut statements, |expr| {
        let Expr::Extract {
            field, expr: of, ..
        } = expr
        else {
            return ControlFlow::Continue(());
        };
        let format = match field {
            DateTimeField::Year => "%Y",
            DateTimeField::Month => "%m",
            DateTimeField::Day => "%d",
            DateTimeField::Hour => "%H",
            DateTimeField::Minute => "%M",
            DateTimeField::Second => "%S",
            other => {
                return ControlFlow::Break(format!(
                    "EXTRACT({other} FROM …) has no SQLite form here: use strftime()"
                ))
            }
        };
        let text = format!("CAST(strftime('{format}', {of}) AS INTEGER)");
        match Parser::new(&SQLiteDialect {})
            .try_with_sql(&text)
            .and_then(|mut parser| parser.parse_expr())
        {
            Ok(replacement) => {
                *expr = replacement;
                rewritten = true;
                ControlFlow::Continue(())
            }
            Err(e) => ControlFlow::Break(format!("EXTRACT cannot be rewritten for SQLite: {e}")),
        }
    });
    if let ControlFlow::Break(problem) = outcome {
        return Err(problem);
    }
    Ok(match rewritten {
        true => statements
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        false => sql.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extract_becomes_strftime_and_the_rest_is_left_as_written() {
        assert_eq!(
            for_sqlite("SELECT EXTRACT(HOUR FROM \"timestamp\") AS h FROM sales").unwrap(),
            "SELECT CAST(strftime('%H', \"timestamp\") AS INTEGER) AS h FROM sales"
        );
        assert_eq!(
            for_sqlite("SELECT EXTRACT(YEAR FROM date) + 1 FROM sales").unwrap(),
            "SELECT CAST(strftime('%Y', date) AS INTEGER) + 1 FROM sales"
        );
        let as_written = "select  date -- a comment\nfrom sales";
        assert_eq!(for_sqlite(as_written).unwrap(), as_written);
        assert_eq!(for_sqlite("not sql at all").unwrap(), "not sql at all");
        assert!(for_sqlite("SELECT EXTRACT(EPOCH FROM date) FROM sales")
            .unwrap_err()
            .contains("strftime"));
    }
}
