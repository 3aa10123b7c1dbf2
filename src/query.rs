//! Ad hoc questions in SQL. Over a folder, Polars SQL runs on two tables the
//! pipeline builds exactly as a run would — `sales` (the rows a run loads)
//! and `rejected` (the rows it writes to `errors/`) — and nothing is written.
//! With a database, its own SQL runs in it, read-only, over the warehouse
//! tables (see `db::query`). Either answer is a [`DataFrame`]; this module
//! also prints it. The cleaning itself is the pipeline's.

use std::io::Write;
use std::path::Path;

use comfy_table::{Cell, CellAlignment};

use crate::show::render::header_cell;
use polars::prelude::*;
use polars::sql::SQLContext;

use crate::error::{Error, QueryEngine, Result};
use crate::messages::shown as escaped;
use crate::messages::Messages;
use crate::run::pipeline::{self, Config};
use crate::show::render::markdown_cell;
use crate::sinks::tables::{rejected_table, sales_table};
use crate::sinks::Sink;

/// The table of valid rows, with the warehouse's `staging_sales` columns.
pub const SALES: &str = "sales";
/// The table of rejected rows, with the columns of the `errors/` files.
pub const REJECTED: &str = "rejected";

/// How `sales-etl query` prints its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    /// A table for people (the first --max-rows rows).
    Table,
    /// CSV with a header row, every row.
    Csv,
    /// An array of objects, one per row and line, keys in column order;
    /// exact decimals as strings.
    Json,
    /// A Markdown table, every row.
    Markdown,
}

/// The analyst questions shipped in `queries/`, built into the binary so
/// that `sales-etl query top_customers` works wherever it is installed.
pub const SHIPPED: [(&str, &str); 4] = [
    (
        "rejects_by_file_and_reason",
        include_str!("../queries/rejects_by_file_and_reason.sql"),
    ),
    (
        "revenue_by_hour_and_channel",
        include_str!("../queries/revenue_by_hour_and_channel.sql"),
    ),
    (
        "revenue_by_store",
        include_str!("../queries/revenue_by_store.sql"),
    ),
    (
        "top_customers",
        include_str!("../queries/top_customers.sql"),
    ),
];

/// Dates written without quotes (`WHERE date = 2026-11-25`) are
/// arithmetic: 2026 − 11 − 25 is the number 1990, and the query quietly
/// finds nothing. One warning per such date, naming the quoted form.
pub fn unquoted_dates(sql: &str) -> Vec<String> {
    use sqlparser::ast::{visit_expressions, BinaryOperator, Expr, Value};
    use std::ops::ControlFlow;
    if crate::db::guard::check_size(sql).is_err() {
        return Vec::new();
    }
    let Ok(statements) =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql)
    else {
        return Vec::new();
    };
    let digits = |expr: &Expr, wide: usize| match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) if n.len() == wide && n.bytes().all(|b| b.is_ascii_digit()) => {
                Some(n.clone())
            }
            _ => None,
        },
        _ => None,
    };
    let mut found = Vec::new();
    let _ = visit_expressions(&statements, |expr| {
        if let Expr::BinaryOp {
            left,
            op: BinaryOperator::Minus,
            right,
        } = expr
        {
            if let Expr::BinaryOp {
                left: year,
                op: BinaryOperator::Minus,
                right: month,
            } = left.as_ref()
            {
                if let (Some(y), Some(m), Some(d)) =
                    (digits(year, 4), digits(month, 2), digits(right, 2))
                {
                    found.push(format!(
                        "`{y}-{m}-{d}` without quotes is arithmetic (the number {}), not a date: write '{y}-{m}-{d}'",
                        y.parse::<i64>().unwrap_or(0)
                            - m.parse::<i64>().unwrap_or(0)
                            - d.parse::<i64>().unwrap_or(0)
                    ));
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    found
}

/// The SQL of `argument`: the text of the file it names; else the shipped
/// query it names (`top_customers`, `queries/top_customers.sql`); else
/// itself. A name ending in `.sql` that is neither is an error, not a query.
pub fn read_query(argument: &str) -> Result<String> {
    let path = Path::new(argument);
    let name = argument.trim();
    let name = name.strip_prefix("queries/").unwrap_or(name);
    let name = name.strip_suffix(".sql").unwrap_or(name);
    let shipped = SHIPPED.iter().find(|(shipped, _)| *shipped == name);
    let sql = if path.is_file() {
        std::fs::read_to_string(path).map_err(|e| Error::BadQuery {
            engine: QueryEngine::File,
            message: format!("cannot read `{argument}`: {e}"),
        })?
    } else if let Some((_, sql)) = shipped {
        (*sql).to_owned()
    } else if argument.trim_end().to_ascii_lowercase().ends_with(".sql")
        && !argument.trim().contains(char::is_whitespace)
    {
        let names: Vec<&str> = SHIPPED.iter().map(|(name, _)| *name).collect();
        return Err(Error::BadQuery {
            engine: QueryEngine::File,
            message: format!(
                "`{argument}` does not exist, and no shipped query has that name (they are {})",
                names.join(", ")
            ),
        });
    } else if let Some(near) = shipped_name_near(name) {
        return Err(Error::BadQuery {
            engine: QueryEngine::File,
            message: format!(
                "`{argument}` is neither a file nor a shipped query; did you mean `{near}`?"
            ),
        });
    } else {
        argument.to_owned()
    };
    if statement_text(&sql).is_empty() {
        return Err(Error::BadQuery {
            engine: QueryEngine::Statement,
            message: "it holds no SQL statement".into(),
        });
    }
    Ok(sql)
}

/// The shipped query whose name a single word misspells (at most two
/// edits), if any: `top_customer` for `top_customers`.
fn shipped_name_near(word: &str) -> Option<&'static str> {
    if word.is_empty() || word.contains(|c: char| c.is_whitespace()) {
        return None;
    }
    SHIPPED
        .iter()
        .map(|(name, _)| (strsim::levenshtein(word, name), *name))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, name)| name)
}

/// The SQL without comments, blank space or trailing semicolons: what is
/// left to run.
fn statement_text(sql: &str) -> String {
    sql.lines()
        .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .trim_end_matches(';')
        .trim()
        .to_owned()
}

/// Cleans the folder of `config` as a run would, writing nothing, and runs
/// `sql` (Polars SQL) over its `sales` and `rejected` tables (a table the
/// query does not name is left empty). The query is first checked against
/// empty tables, so a typo fails at once rather than after the files are
/// read.
pub fn over_folder(config: &Config, sql: &str, messages: &Messages) -> Result<DataFrame> {
    crate::db::guard::check_folder_query(sql).map_err(|problem| Error::BadQuery {
        engine: QueryEngine::PolarsSql,
        message: problem,
    })?;
    let (valid, rejected) = pipeline::empty_split()?;
    polars_sql(
        sql,
        sales_table(valid, &[])?,
        rejected_table(rejected, &[])?,
    )?;

    // Only the tables the query names are kept: the valid rows are most of
    // the memory a query over a big folder takes.
    let tables = polars::sql::extract_table_identifiers(sql, false, true)
        .unwrap_or_else(|_| vec![SALES.into(), REJECTED.into()]);
    let names = |table: &str| tables.iter().any(|t| t.eq_ignore_ascii_case(table));
    let mut kept = KeptRows {
        valid: names(SALES).then(Vec::new),
        rejected: names(REJECTED).then(Vec::new),
    };
    let checked = pipeline::run(config, messages, &mut [&mut kept])?;
    let (valid, rejected) = kept.stacked()?;
    let sales = sales_table(valid, &checked.names)?;
    let rejected = rejected_table(rejected, &checked.names)?;
    polars_sql(sql, sales, rejected)
}

/// The sink of a folder query: the judged rows of the tables it names,
/// kept whole (the tables it does not name are left empty).
struct KeptRows {
    valid: Option<Vec<DataFrame>>,
    rejected: Option<Vec<DataFrame>>,
}

impl Sink for KeptRows {
    fn wants_valid_rows(&self) -> bool {
        self.valid.is_some()
    }

    fn valid(&mut self, rows: &DataFrame) -> Result<()> {
        if let Some(valid) = self.valid.as_mut() {
            valid.push(rows.clone());
        }
        Ok(())
    }

    fn rejected(&mut self, rows: &DataFrame) -> Result<()> {
        if let Some(rejected) = self.rejected.as_mut() {
            rejected.push(rows.clone());
        }
        Ok(())
    }
}

impl KeptRows {
    /// The valid and the rejected rows, each stacked in order (empty when
    /// not kept).
    fn stacked(self) -> Result<(DataFrame, DataFrame)> {
        let (mut valid, mut rejected) = pipeline::empty_split()?;
        for (all, parts) in [(&mut valid, self.valid), (&mut rejected, self.rejected)] {
            for part in parts.unwrap_or_default() {
                all.vstack_mut_owned(part)
                    .map_err(Error::engine("query tables"))?;
            }
        }
        Ok((valid, rejected))
    }
}

/// Answers `sql` over a lake that `run --export DIR` wrote: `sales` is
/// every part under `DIR/sales/date=…/` (Parquet or Arrow, read lazily, so
/// a filter on `date` reads only its folders), `rejected` the parts under
/// `DIR/rejected/` (empty when none were exported). Nothing is cleaned
/// again: the lake holds clean rows.
pub fn over_lake(dir: &Path, sql: &str) -> Result<DataFrame> {
    crate::db::guard::check_folder_query(sql).map_err(|problem| Error::BadQuery {
        engine: QueryEngine::PolarsSql,
        message: problem,
    })?;
    let (valid, rejected) = pipeline::empty_split()?;
    let empty_sales = sales_table(valid, &[])?;
    let empty_rejected = rejected_table(rejected, &[])?;
    let parts = |folder: &Path, extension: &str| -> usize {
        glob::glob(&format!(
            "{}/**/*.{extension}",
            glob::Pattern::escape(&folder.to_string_lossy())
        ))
        .map_or(0, |paths| paths.flatten().count())
    };
    let sales_dir = dir.join("sales");
    let Some(extension) = ["parquet", "arrow"]
        .into_iter()
        .find(|e| parts(&sales_dir, e) > 0)
    else {
        return Err(Error::NoInputFiles {
            path: sales_dir.join("date=*").join("*.parquet"),
            ignored: 0,
        });
    };
    let scan = |folder: &Path, hive: bool| -> Result<LazyFrame> {
        let path = PlRefPath::new(format!("{}/**/*.{extension}", folder.display()));
        let hive_options = if hive {
            polars::io::HiveOptions::new_enabled()
        } else {
            polars::io::HiveOptions::new_disabled()
        };
        if extension == "parquet" {
            LazyFrame::scan_parquet(
                path,
                ScanArgsParquet {
                    hive_options,
                    ..ScanArgsParquet::default()
                },
            )
        } else {
            LazyFrame::scan_ipc(
                path,
                IpcScanOptions::default(),
                UnifiedScanArgs {
                    hive_options,
                    ..UnifiedScanArgs::default()
                },
            )
        }
        .map_err(Error::engine("lake"))
    };
    // The columns and types of a folder query's tables, in their order.
    let typed = |frame: LazyFrame, like: &DataFrame| {
        frame.select(
            like.columns()
                .iter()
                .map(|c| col(c.name().clone()).strict_cast(c.dtype().clone()))
                .collect::<Vec<_>>(),
        )
    };
    let sales = typed(scan(&sales_dir, true)?, &empty_sales);
    let rejected_dir = dir.join("rejected");
    let rejected = if parts(&rejected_dir, extension) > 0 {
        typed(scan(&rejected_dir, false)?, &empty_rejected)
    } else {
        empty_rejected.lazy()
    };
    lazy_sql(sql, sales, rejected, Engine::Streaming)
}

fn polars_sql(sql: &str, sales: DataFrame, rejected: DataFrame) -> Result<DataFrame> {
    lazy_sql(sql, sales.lazy(), rejected.lazy(), Engine::Auto)
}

/// Runs `sql` over the two tables with `engine`: the streaming engine for
/// a lake's scans (a month's GROUP BY in 0.7 s and 170 MB, against 1.2 s
/// and 4 GB in memory; BENCHMARKS.md), Polars' choice over frames in memory.
fn lazy_sql(sql: &str, sales: LazyFrame, rejected: LazyFrame, engine: Engine) -> Result<DataFrame> {
    let failed = |e: PolarsError| Error::BadQuery {
        engine: QueryEngine::PolarsSql,
        message: e.to_string(),
    };
    let answer = quietly_caught(|| {
        let mut context = SQLContext::new();
        context.register(SALES, sales);
        context.register(REJECTED, rejected);
        context
            .execute(sql)
            .and_then(|plan| plan.collect_with_engine(engine))
            // One statement has one answer (several come only from several
            // sinks, which SQL cannot ask for).
            .map(|answer| answer.unwrap_single())
    });
    match answer {
        Ok(answer) => {
            let mut answer = answer.map_err(failed)?;
            // Polars names `COUNT(*)` `len`; people and other engines, `count`.
            let taken = |name: &str| answer.get_column_names().iter().any(|c| *c == name);
            if !taken("count") {
                for index in count_star_columns(sql) {
                    let named_len = answer
                        .columns()
                        .get(index)
                        .is_some_and(|c| c.name() == "len");
                    if named_len {
                        answer
                            .rename("len", "count".into())
                            .map_err(Error::engine("query answer"))?;
                        break;
                    }
                }
            }
            Ok(answer)
        }
        Err(panic) => Err(Error::BadQuery {
            engine: QueryEngine::PolarsSql,
            message: format!("the query engine cannot run this statement ({panic})"),
        }),
    }
}

/// The places of bare `COUNT(*)` in the outer SELECT's list (no wildcard
/// before them, so that a place is a column of the answer).
fn count_star_columns(sql: &str) -> Vec<usize> {
    use sqlparser::ast::{SelectItem, SetExpr, Statement};
    let Ok(statements) =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, sql)
    else {
        return Vec::new();
    };
    let Some(Statement::Query(query)) = statements.first() else {
        return Vec::new();
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Vec::new();
    };
    let mut places = Vec::new();
    for (index, item) in select.projection.iter().enumerate() {
        match item {
            SelectItem::UnnamedExpr(expr) if expr.to_string().eq_ignore_ascii_case("count(*)") => {
                places.push(index)
            }
            SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. } => {}
            _ => break,
        }
    }
    places
}

/// Runs `work`, turning a panic inside it (Polars panics on some
/// statements, `CAST(… AS DECIMAL(100,200))` among them) into its message,
/// with the panic hook silenced meanwhile so that no backtrace is printed.
fn quietly_caught<T>(work: impl FnOnce() -> T) -> std::result::Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::panic::set_hook(hook);
    outcome.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "an internal error".into())
    })
}

/// How a column's values are written: numbers right-aligned and bare in
/// JSON, exact decimals right-aligned but quoted in JSON (as the run's
/// money is), the rest as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Decimal,
    Bool,
    Text,
}

/// A column as text, one entry per row (`None` for null), and its kind.
struct TextColumn {
    name: String,
    kind: Kind,
    values: Vec<Option<String>>,
}

fn text_columns(answer: &DataFrame, rows: usize) -> Result<Vec<TextColumn>> {
    let rows = rows.min(answer.height());
    answer
        .columns()
        .iter()
        .map(|column| {
            let column = column.slice(0, rows);
            let dtype = column.dtype();
            let kind = match dtype {
                DataType::Decimal(..) => Kind::Decimal,
                d if d.is_primitive_numeric() => Kind::Number,
                DataType::Boolean => Kind::Bool,
                _ => Kind::Text,
            };
            let values: Vec<Option<String>> = match column.cast(&DataType::String) {
                Ok(text) => text
                    .str()
                    .map_err(Error::engine("query answer"))?
                    .iter()
                    .map(|v| v.map(str::to_owned))
                    .collect(),
                // Nested values (lists, structs) have no cast to text.
                Err(_) => (0..rows)
                    .map(|i| match column.get(i) {
                        Ok(AnyValue::Null) => None,
                        Ok(value) => Some(value.to_string()),
                        Err(_) => None,
                    })
                    .collect(),
            };
            let mut values = values;
            if kind == Kind::Decimal {
                two_decimals(&mut values);
            }
            Ok(TextColumn {
                name: column.name().to_string(),
                kind,
                values,
            })
        })
        .collect()
}

/// Money as people write it: a decimal column whose every value has only
/// zeros after its second decimal (`270.480000`, as sums and `ROUND(x, 2)`
/// of a 6-decimal amount come out) is shown with two (`270.48`); still the
/// exact value. A column with any other digit there keeps all of them.
fn two_decimals(values: &mut [Option<String>]) {
    let cuttable = |v: &String| match v.split_once('.') {
        Some((_, fraction)) => fraction.len() > 2 && fraction[2..].bytes().all(|b| b == b'0'),
        None => false,
    };
    if values.iter().flatten().all(cuttable) {
        for value in values.iter_mut().flatten() {
            let point = value.find('.').unwrap_or(value.len());
            value.truncate(point + 3);
        }
    }
}

/// A number with its thousands grouped, for the terminal: `1901497` →
/// `1,901,497`, `28707424.83` → `28,707,424.83`. Anything else is returned
/// as it is.
fn grouped_number(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return text.to_owned();
    }
    let mut out = String::from(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// Whether the terminal groups a column's thousands: money (decimals)
/// always, whole numbers when one reaches 10,000, so that a year or an
/// hour is left as it is.
fn groups(column: &TextColumn) -> bool {
    match column.kind {
        Kind::Decimal => true,
        Kind::Number => column.values.iter().flatten().any(|v| {
            !v.contains(['.', 'e', 'E'])
                && v.trim_start_matches('-').len() >= 5
                && v.trim_start_matches('-')
                    .bytes()
                    .all(|b| b.is_ascii_digit())
        }),
        Kind::Bool | Kind::Text => false,
    }
}

/// The kinds of file `query --out` writes, by extension.
pub const OUT_EXTENSIONS: [&str; 3] = ["csv", "json", "parquet"];

/// Checks that `path` names a file `write_answer` can write, before the
/// query runs.
pub fn check_out(path: &Path) -> Result<()> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if extension
        .as_deref()
        .is_some_and(|e| OUT_EXTENSIONS.contains(&e))
    {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--out {}: the file's extension says what to write: .csv, .json or .parquet",
            path.display()
        )))
    }
}

/// Writes every row of `answer` to `path`, atomically: `.csv` and `.json`
/// as `--format csv` and `--format json` print them, `.parquet` with the
/// answer's own types (exact decimals stay decimals).
pub fn write_answer(answer: &DataFrame, path: &Path) -> Result<()> {
    check_out(path)?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let height = answer.height();
    match extension.as_str() {
        "parquet" => crate::sinks::output::write_with(dir, path, |file| {
            ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .finish(&mut answer.clone())
                .map(|_| ())
                .map_err(std::io::Error::other)
        }),
        "json" => {
            let columns = text_columns(answer, height)?;
            crate::sinks::output::write_with(dir, path, |mut file| {
                write_json(&columns, height, &mut file)
            })
        }
        _ => {
            let columns = text_columns(answer, height)?;
            crate::sinks::output::write_with(dir, path, |mut file| {
                write_csv(&columns, height, &mut file)
            })
        }
    }
}

/// Prints `answer`. `max_rows` caps the terminal table only (0: no cap);
/// the other formats print every row. `width`: the terminal's columns,
/// which the table's columns are left out to fit (none: all of them).
/// `vertical`: one field per line (`Some(true)`), a table (`Some(false)`),
/// or a table unless fewer than half its columns fit (`None`).
pub fn print(
    answer: &DataFrame,
    format: QueryFormat,
    max_rows: usize,
    vertical: Option<bool>,
    colour: bool,
    width: Option<u16>,
    out: &mut impl Write,
) -> Result<()> {
    let shown = match format {
        QueryFormat::Table if max_rows > 0 => max_rows.min(answer.height()),
        _ => answer.height(),
    };
    let columns = text_columns(answer, shown)?;
    let written = match format {
        QueryFormat::Table => {
            let table = Shape {
                shown,
                height: answer.height(),
                colour,
                width,
            };
            write_table(&columns, &table, vertical, out)
        }
        QueryFormat::Csv => write_csv(&columns, shown, out),
        QueryFormat::Json => write_json(&columns, shown, out),
        QueryFormat::Markdown => write_markdown(&columns, shown, out),
    };
    written.map_err(Error::Stdout)
}

/// The longest text a terminal table shows of one value; longer ones end
/// in `…`.
const CELL_MAX: usize = 40;

/// What a terminal table shows: `shown` of `height` rows, in colour or
/// not, within `width` columns when known.
struct Shape {
    shown: usize,
    height: usize,
    colour: bool,
    width: Option<u16>,
}

fn write_table(
    columns: &[TextColumn],
    shape: &Shape,
    vertical: Option<bool>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let Shape {
        shown,
        height,
        colour,
        width,
    } = *shape;
    // Each column's cells as the terminal shows them.
    let cells: Vec<Vec<String>> = columns
        .iter()
        .map(|c| {
            let grouping = groups(c);
            c.values[..shown]
                .iter()
                .map(|v| match v.as_deref() {
                    None => "null".to_owned(),
                    Some(v) if grouping => grouped_number(v),
                    Some(v) if width.is_some() && v.chars().count() > CELL_MAX => {
                        let mut cut: String = escaped(v).chars().take(CELL_MAX - 1).collect();
                        cut.push('…');
                        cut
                    }
                    Some(v) => escaped(v).into_owned(),
                })
                .collect()
        })
        .collect();
    let kept = columns_that_fit(columns, &cells, width);
    match vertical {
        Some(true) => return write_vertical(columns, &cells, shape, None, out),
        None if kept.len() * 2 < columns.len() => {
            let why = format!(
                "only {} of {} columns fit {} columns: one field per line (--vertical false for a table)",
                kept.len(),
                columns.len(),
                width.unwrap_or_default()
            );
            return write_vertical(columns, &cells, shape, Some(why), out);
        }
        _ => {}
    }
    let mut table = crate::show::render::empty_table(colour);
    if let Some(width) = width {
        table.set_width(width);
    }
    // Left-out columns are marked by one `…` column where they were.
    let elided = kept.len() < columns.len();
    let mut shown_columns: Vec<Option<usize>> = Vec::with_capacity(kept.len() + 1);
    for i in 0..columns.len() {
        if kept.contains(&i) {
            shown_columns.push(Some(i));
        } else if shown_columns.last() != Some(&None) {
            shown_columns.push(None);
        }
    }
    table.set_header(shown_columns.iter().map(|c| match c {
        Some(i) => header_cell(&escaped(&columns[*i].name), colour),
        None => Cell::new("…"),
    }));
    table.add_rows((0..shown).map(|row| {
        shown_columns
            .iter()
            .map(|c| match c {
                Some(i) => Cell::new(&cells[*i][row]),
                None => Cell::new("…"),
            })
            .collect::<Vec<_>>()
    }));
    for (index, c) in shown_columns.iter().enumerate() {
        let number = c.is_some_and(|i| matches!(columns[i].kind, Kind::Number | Kind::Decimal));
        if number {
            if let Some(column) = table.column_mut(index) {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    writeln!(out, "{table}")?;
    let plural = crate::messages::plural(height);
    let mut note = if shown < height {
        format!("{height} rows ({shown} shown; --max-rows 0 or --format csv for all)")
    } else {
        format!("{height} row{plural}")
    };
    if elided {
        let hidden: Vec<&str> = (0..columns.len())
            .filter(|i| !kept.contains(i))
            .map(|i| columns[i].name.as_str())
            .collect();
        note.push_str(&format!(
            "; {} of {} columns left out to fit {} columns: {} (--format csv shows all)",
            hidden.len(),
            columns.len(),
            width.unwrap_or_default(),
            hidden.join(", ")
        ));
    }
    writeln!(out, "{}", crate::messages::wrapped(&note, width))
}

/// One field per line, a record at a time (as psql's `\\x`): for rows
/// wider than the terminal. `why`: the line saying it was chosen for the
/// user.
fn write_vertical(
    columns: &[TextColumn],
    cells: &[Vec<String>],
    shape: &Shape,
    why: Option<String>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let names: Vec<String> = columns
        .iter()
        .map(|c| escaped(&c.name).into_owned())
        .collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    // A value longer than the room beside its name ends in `…`.
    let room = shape
        .width
        .map(|w| usize::from(w).saturating_sub(name_width + 3).max(8));
    for row in 0..shape.shown {
        let title = format!("─[ row {} ]", row + 1);
        let rule = shape
            .width
            .map_or(name_width + 20, usize::from)
            .saturating_sub(title.chars().count());
        writeln!(out, "{title}{}", "─".repeat(rule.min(60)))?;
        for (name, cells) in names.iter().zip(cells) {
            let value = &cells[row];
            let value = match room {
                Some(room) if value.chars().count() > room => {
                    let mut cut: String = value.chars().take(room - 1).collect();
                    cut.push('…');
                    cut
                }
                _ => value.clone(),
            };
            let name = if shape.colour {
                format!("\x1b[1m{name:<name_width$}\x1b[0m")
            } else {
                format!("{name:<name_width$}")
            };
            writeln!(out, "{name} │ {value}")?;
        }
    }
    let mut note = if shape.shown < shape.height {
        format!(
            "{} rows ({} shown; --max-rows 0 or --format csv for all)",
            shape.height, shape.shown
        )
    } else {
        format!(
            "{} row{}",
            shape.height,
            crate::messages::plural(shape.height)
        )
    };
    if let Some(why) = why {
        note.push_str("; ");
        note.push_str(&why);
    }
    writeln!(out, "{}", crate::messages::wrapped(&note, shape.width))
}

/// The columns a table of `width` columns shows: from the first, as many
/// as fit whole beside a `…` column, and at least the first.
fn columns_that_fit(
    columns: &[TextColumn],
    cells: &[Vec<String>],
    width: Option<u16>,
) -> Vec<usize> {
    let all: Vec<usize> = (0..columns.len()).collect();
    let Some(width) = width else {
        return all;
    };
    let widths: Vec<usize> = columns
        .iter()
        .zip(cells)
        .map(|(c, cells)| {
            cells
                .iter()
                .map(|v| v.chars().count())
                .chain([c.name.chars().count()])
                .max()
                .unwrap_or(1)
                + 3
        })
        .collect();
    // With the left border, one column.
    if widths.iter().sum::<usize>() < usize::from(width) {
        return all;
    }
    // Room for the `…` column (a character, two spaces and a border); then
    // columns from both ends in turn, as DuckDB does, while they fit.
    let mut used = 1 + 4;
    let (mut left, mut right) = (0, columns.len());
    let mut kept = Vec::new();
    while left < right {
        let i = if kept.len() % 2 == 0 { left } else { right - 1 };
        if used + widths[i] > usize::from(width) && !kept.is_empty() {
            break;
        }
        used += widths[i];
        kept.push(i);
        if i == left {
            left += 1;
        } else {
            right -= 1;
        }
    }
    kept.sort_unstable();
    kept
}

fn write_csv(columns: &[TextColumn], shown: usize, out: &mut impl Write) -> std::io::Result<()> {
    // Rows are encoded into a buffer and written a batch at a time, so an
    // error writing stdout (a closed pipe) keeps its kind.
    const BATCH: usize = 1024;
    let mut start = 0;
    loop {
        let end = (start + BATCH).min(shown);
        let mut csv = csv::Writer::from_writer(Vec::new());
        if start == 0 {
            csv.write_record(columns.iter().map(|c| c.name.as_str()))?;
        }
        for row in start..end {
            csv.write_record(
                columns
                    .iter()
                    .map(|c| c.values[row].as_deref().unwrap_or("")),
            )?;
        }
        out.write_all(&csv.into_inner().map_err(|e| e.into_error())?)?;
        if end >= shown {
            return Ok(());
        }
        start = end;
    }
}

/// An array of objects, one per line, keys in the answer's column order.
fn write_json(columns: &[TextColumn], shown: usize, out: &mut impl Write) -> std::io::Result<()> {
    let keys: Vec<String> = columns
        .iter()
        .map(|c| serde_json::Value::String(c.name.clone()).to_string())
        .collect();
    write!(out, "[")?;
    for row in 0..shown {
        let fields: Vec<String> = columns
            .iter()
            .zip(&keys)
            .map(|(c, key)| format!("{key}: {}", json_value(c.kind, c.values[row].as_deref())))
            .collect();
        let separator = if row == 0 { "" } else { "," };
        write!(out, "{separator}\n  {{{}}}", fields.join(", "))?;
    }
    writeln!(out, "{}]", if shown == 0 { "" } else { "\n" })
}

fn json_value(kind: Kind, text: Option<&str>) -> serde_json::Value {
    let Some(text) = text else {
        return serde_json::Value::Null;
    };
    let bare = match kind {
        Kind::Number | Kind::Bool => serde_json::from_str::<serde_json::Value>(text).ok(),
        Kind::Decimal | Kind::Text => None,
    };
    bare.filter(|v| v.is_number() || v.is_boolean())
        .unwrap_or_else(|| serde_json::Value::String(text.to_owned()))
}

fn write_markdown(
    columns: &[TextColumn],
    shown: usize,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let cells = |texts: Vec<String>| format!("| {} |", texts.join(" | "));
    writeln!(
        out,
        "{}",
        cells(columns.iter().map(|c| markdown_cell(&c.name)).collect())
    )?;
    writeln!(
        out,
        "|{}|",
        columns
            .iter()
            .map(|c| match c.kind {
                Kind::Number | Kind::Decimal => "---:",
                Kind::Bool | Kind::Text => "---",
            })
            .collect::<Vec<_>>()
            .join("|")
    )?;
    for row in 0..shown {
        writeln!(
            out,
            "{}",
            cells(
                columns
                    .iter()
                    .map(|c| markdown_cell(c.values[row].as_deref().unwrap_or("")))
                    .collect()
            )
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_dates_are_named() {
        assert_eq!(
            unquoted_dates("SELECT * FROM sales WHERE date = 2026-11-25"),
            ["`2026-11-25` without quotes is arithmetic (the number 1990), not a date: write '2026-11-25'"]
        );
        assert_eq!(
            unquoted_dates("SELECT 1 FROM sales WHERE date BETWEEN 2026-11-01 AND 2026-11-30")
                .len(),
            2
        );
        assert!(unquoted_dates("SELECT * FROM sales WHERE date = '2026-11-25'").is_empty());
        assert!(unquoted_dates("SELECT quantity - 1 - 2 FROM sales").is_empty());
        assert!(unquoted_dates("not sql").is_empty());
    }

    #[track_caller]
    fn case(answer: &DataFrame, format: QueryFormat, max_rows: usize, expected: &str) {
        let mut out = Vec::new();
        print(answer, format, max_rows, None, false, None, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    fn answer() -> DataFrame {
        let revenue = Series::new("revenue".into(), ["12.50", "3.25"])
            .cast(&DataType::Decimal(38, 2))
            .unwrap();
        df! {
            "channel" => ["web", "a|b"],
            "orders" => [3i64, 1],
            "share" => [Some(0.75f64), None],
            "late" => [true, false],
        }
        .unwrap()
        .hstack(&[revenue.into_column()])
        .unwrap()
    }

    #[test]
    fn prints_every_format() {
        let answer = answer();
        case(
            &answer,
            QueryFormat::Csv,
            1,
            "channel,orders,share,late,revenue\nweb,3,0.75,true,12.50\na|b,1,,false,3.25\n",
        );
        case(
            &answer,
            QueryFormat::Markdown,
            0,
            "| channel | orders | share | late | revenue |\n\
             |---|---:|---:|---|---:|\n\
             | web | 3 | 0.75 | true | 12.50 |\n\
             | a\\|b | 1 |  | false | 3.25 |\n",
        );
        case(
            &answer.head(Some(1)),
            QueryFormat::Json,
            0,
            "[\n  {\"channel\": \"web\", \"orders\": 3, \"share\": 0.75, \"late\": true, \"revenue\": \"12.50\"}\n]\n",
        );
        case(&answer.head(Some(0)), QueryFormat::Json, 0, "[]\n");
        let mut out = Vec::new();
        print(&answer, QueryFormat::Json, 0, None, false, None, &mut out).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"channel": "web", "orders": 3, "share": 0.75, "late": true, "revenue": "12.50"},
                {"channel": "a|b", "orders": 1, "share": null, "late": false, "revenue": "3.25"},
            ])
        );
    }

    #[test]
    fn a_table_caps_its_rows_and_says_so() {
        let answer = answer();
        let mut out = Vec::new();
        print(&answer, QueryFormat::Table, 1, None, false, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("web"), "{text}");
        assert!(!text.contains("a|b"), "{text}");
        assert!(
            text.ends_with("2 rows (1 shown; --max-rows 0 or --format csv for all)\n"),
            "{text}"
        );
        let mut out = Vec::new();
        print(&answer, QueryFormat::Table, 0, None, false, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("a|b") && text.ends_with("\n2 rows\n"),
            "{text}"
        );
    }

    #[test]
    fn reads_sql_from_text_or_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("q.sql");
        std::fs::write(&file, "-- a question\nSELECT 1;\n").unwrap();
        assert_eq!(
            read_query(file.to_str().unwrap()).unwrap(),
            "-- a question\nSELECT 1;\n"
        );
        assert_eq!(read_query("SELECT 2").unwrap(), "SELECT 2");
        let shipped = include_str!("../queries/top_customers.sql");
        for name in [
            "top_customers",
            "queries/top_customers.sql",
            "top_customers.sql",
        ] {
            assert_eq!(read_query(name).unwrap(), shipped, "{name}");
        }
        let missing = dir.path().join("nope.sql");
        let error = read_query(missing.to_str().unwrap()).unwrap_err();
        assert!(error.to_string().contains("does not exist"), "{error}");
        for empty in ["", "  ;", "-- only a comment\n"] {
            let error = read_query(empty).unwrap_err();
            assert!(error.to_string().contains("no SQL statement"), "{error}");
        }
    }

    #[test]
    fn polars_sql_sees_both_tables() {
        let (valid, rejected) = pipeline::empty_split().unwrap();
        let sales = sales_table(valid, &[]).unwrap();
        let rejected = rejected_table(rejected, &[]).unwrap();
        assert_eq!(
            sales
                .get_column_names()
                .iter()
                .map(|name| name.as_str())
                .collect::<Vec<_>>(),
            [
                "transaction_id",
                "timestamp",
                "date",
                "channel",
                "store_id",
                "customer_id",
                "product_id",
                "quantity",
                "unit_price",
                "line_revenue",
                "source_file",
                "source_line"
            ]
        );
        let answer = polars_sql(
            "SELECT COUNT(*) AS n FROM sales UNION ALL SELECT COUNT(*) FROM rejected",
            sales.clone(),
            rejected.clone(),
        )
        .unwrap();
        assert_eq!(answer.height(), 2);
        let error = polars_sql("SELECT nope FROM sales", sales, rejected).unwrap_err();
        assert!(matches!(error, Error::BadQuery { .. }), "{error}");
    }
}
