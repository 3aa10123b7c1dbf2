//! Rendering for the terminal and for machines: comfy-table tables of a
//! run's summary (and of stored reports), or the summary
//! as one JSON object. Rendering only; the numbers come from `summary`.

use std::io::{IsTerminal, Write};

use comfy_table::modifiers::UTF8_ROUND_CORNERS;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use crate::judge::aggregate::{DailySales, HeldBack, TopProduct};
use crate::messages::wrapped;
use crate::money::{grouped, Money};
use crate::run::summary::{DayStatus, DaySummary, Summary};

/// How the summary is printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people.
    Table,
    /// One JSON object for programs.
    Json,
}

/// Whether tables may use colour: stdout is a terminal and `NO_COLOR` is unset.
pub fn colour_wanted() -> bool {
    std::io::stdout().is_terminal() && no_color_unset()
}

/// The same for error messages on stderr.
pub fn colour_wanted_on_stderr() -> bool {
    std::io::stderr().is_terminal() && no_color_unset()
}

fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints the summary; `pictures`: add the revenue bars and sparkline
/// (meant for a terminal, and never in JSON).
pub fn print(
    summary: &Summary,
    format: Format,
    colour: bool,
    pictures: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, summary)?;
            writeln!(out)
        }
        Format::Table => {
            print_tables(summary, colour, out)?;
            if pictures {
                write!(out, "{}", crate::show::pictures::render(summary, width()))?;
            }
            Ok(())
        }
    }
}

/// The days of a backfill: a row per day, or `{"days": [...]}` in JSON with
/// each day's full summary.
pub fn print_days(
    days: &[DaySummary],
    format: Format,
    colour: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "days": days }))?;
        return writeln!(out);
    }
    let style = Style::new(colour);
    let mut table = style.table(&[
        "date",
        "files",
        "data rows",
        "valid",
        "invalid",
        "duplicate",
        "outlier",
        "loaded",
        "status",
    ]);
    for day in days {
        let mut row = vec![Cell::new(&day.date), Cell::new(day.files)];
        match &day.summary {
            Some(s) => {
                let t = &s.totals;
                row.extend([
                    Cell::new(grouped(t.data_rows)),
                    style.count(t.valid, Color::Green),
                    style.count(t.invalid, Color::Red),
                    style.count(t.duplicate, Color::Yellow),
                    style.count(t.outlier, Color::Magenta),
                    Cell::new(s.load.as_ref().map_or("-".into(), |l| grouped(l.rows))),
                ]);
            }
            None => row.extend((0..6).map(|_| Cell::new("-"))),
        }
        let status = Cell::new(day.status.name());
        row.push(match day.status {
            DayStatus::Failed if colour => status.fg(Color::Red),
            _ => status,
        });
        table.add_row(row);
    }
    style.show(
        out,
        "Days",
        table,
        &[
            "files",
            "duplicate",
            "outlier",
            "invalid",
            "loaded",
            "data rows",
        ],
    )?;
    for day in days.iter().filter(|d| d.error.is_some()) {
        style.line(
            out,
            &format!("{}: {}", day.date, day.error.as_deref().unwrap_or_default()),
        )?;
    }
    Ok(())
}

/// The one look of every table the tool prints (`run`, `report`, `query`):
/// rounded UTF-8 borders, columns that share the width, no colour unless
/// asked.
pub(crate) fn empty_table(colour: bool) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .apply_modifier(UTF8_ROUND_CORNERS)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !colour {
        table.force_no_tty();
    }
    table
}

/// Whether stdout is a terminal: pictures are for people looking at one.
pub fn pictures_wanted() -> bool {
    std::io::stdout().is_terminal()
}

fn print_tables(summary: &Summary, colour: bool, out: &mut impl Write) -> std::io::Result<()> {
    let style = Style::new(colour);
    print_files(summary, &style, out)?;
    print_skipped(summary, &style, out)?;
    print_reasons(summary, &style, out)?;
    print_fences(summary, &style, out)?;
    print_load(summary, &style, out)?;
    write_daily_and_top(
        &summary.daily_sales,
        &summary.held_back,
        &summary.top_products,
        &style,
        out,
    )
}

/// "Rows per file": each file's counts by disposition, and the total.
fn print_files(summary: &Summary, style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    let mut files = style.table(&[
        "file",
        "data rows",
        "valid",
        "invalid",
        "duplicate",
        "outlier",
    ]);
    for file in &summary.files {
        let a = &file.accounting;
        files.add_row(vec![
            Cell::new(crate::messages::shown(&file.file.name)),
            Cell::new(grouped(a.data_rows)),
            style.count(a.valid, Color::Green),
            style.count(a.invalid, Color::Red),
            style.count(a.duplicate, Color::Yellow),
            style.count(a.outlier, Color::Magenta),
        ]);
    }
    let t = &summary.totals;
    files.add_row(vec![
        style.total("total"),
        style.total(&grouped(t.data_rows)),
        style.total(&grouped(t.valid)),
        style.total(&grouped(t.invalid)),
        style.total(&grouped(t.duplicate)),
        style.total(&grouped(t.outlier)),
    ]);
    style.show(
        out,
        "Rows per file",
        files,
        &["duplicate", "outlier", "invalid", "data rows"],
    )?;
    Ok(())
}

/// The files `--skip-bad-files` left out, and why.
fn print_skipped(summary: &Summary, style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    if !summary.skipped_files.is_empty() {
        let mut skipped = style.table(&["skipped file", "why"]);
        for file in &summary.skipped_files {
            skipped.add_row(vec![
                Cell::new(crate::messages::shown(&file.file)),
                Cell::new(crate::messages::shown(&file.error)),
            ]);
        }
        style.show(out, "\nSkipped files", skipped, &[])?;
    }
    Ok(())
}

/// "Rejected rows by reason", most rows first.
fn print_reasons(summary: &Summary, style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    if !summary.reasons.is_empty() {
        let mut reasons: Vec<(&String, &u64)> = summary.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        // Revenue is known for the outliers only: an invalid row's price
        // may not be a number.
        let held: Money = summary.held_back.iter().map(|h| h.revenue).sum();
        let mut table = style.table(&["reject reason", "rows", "revenue"]);
        for (reason, rows) in reasons {
            let revenue = match reason.as_str() {
                "outlier" => held.grouped(),
                _ => "-".to_owned(),
            };
            table.add_row(vec![
                Cell::new(reason),
                Cell::new(grouped(*rows)),
                Cell::new(revenue),
            ]);
        }
        style.show(out, "\nRejected rows by reason", table, &[])?;
    }
    Ok(())
}

/// The outlier fences and what they held back.
fn print_fences(summary: &Summary, style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    match &summary.fences {
        Some(f) => {
            style.line(
                out,
                &format!(
                    "\nOutlier fences on quantity: Q1 {}, Q3 {}; valid within [{}, {}]",
                    f.q1, f.q3, f.lower, f.upper
                ),
            )?;
            if let Some(p) = &summary.fences_per_product {
                style.line(
                    out,
                    &format!(
                        "Fences per product: {} product{} with at least {} rows have their own; the others are held to these",
                        grouped(p.products as u64),
                        crate::messages::plural(p.products),
                        grouped(p.min_rows)
                    ),
                )?;
            }
            if let Some(line) = held_back_line(&summary.held_back, &summary.daily_sales) {
                style.line(out, &line)?;
            }
        }
        None => style.line(
            out,
            "\nOutlier fences on quantity: none (rule off or no rows)",
        )?,
    }
    Ok(())
}

/// What the load did: rows, method, speed, and per file what it replaced
/// or left alone.
fn print_load(summary: &Summary, style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    if let Some(load) = &summary.load {
        style.line(
            out,
            &format!(
                "Loaded {} rows into {} by {} in {:.1} s ({} rows/s; run {})",
                grouped(load.rows),
                load.target,
                load.method.name(),
                load.seconds,
                grouped(load.rows_per_second),
                load.run_id
            ),
        )?;
        if load.replaced_by_id > 0 {
            style.line(
                out,
                &format!(
                    "  replaced {} row{} of other files with the same transaction ids",
                    grouped(load.replaced_by_id),
                    crate::messages::plural(load.replaced_by_id)
                ),
            )?;
        }
        for file in &load.files {
            if let Some(run) = file.unchanged_since {
                style.line(
                    out,
                    &format!(
                        "  {} unchanged since run {run}, not reloaded",
                        crate::messages::shown(&file.file)
                    ),
                )?;
            }
        }
        for file in load.files.iter().filter(|f| f.replaced_rows > 0) {
            let from = match &file.earlier {
                Some(e) if !e.folder.is_empty() => {
                    format!(" (run {}, from {})", e.run_id, e.folder)
                }
                Some(e) => format!(" (run {})", e.run_id),
                None => String::new(),
            };
            style.line(
                out,
                &format!(
                    "  {} replaced {} row{} loaded earlier from a file of that name{from}",
                    crate::messages::shown(&file.file),
                    grouped(file.replaced_rows),
                    crate::messages::plural(file.replaced_rows)
                ),
            )?;
        }
    }
    Ok(())
}

/// "Held back as outliers: …": rows, units and revenue, and the revenue's
/// share of what was kept; `None` when the rule held back nothing.
fn held_back_line(held_back: &[HeldBack], daily_sales: &[DailySales]) -> Option<String> {
    if held_back.is_empty() {
        return None;
    }
    let rows: u64 = held_back.iter().map(|h| h.rows).sum();
    let units: i64 = held_back.iter().map(|h| h.units).sum();
    let revenue: Money = held_back.iter().map(|h| h.revenue).sum();
    let kept: Money = daily_sales.iter().map(|d| d.revenue).sum();
    // Below the revenue kept, a share of it; above, a multiple (a share
    // of 2104.7 % reads badly).
    let ratio = revenue.0 as f64 / kept.0 as f64;
    let share = match kept.0 {
        ..=0 => String::new(),
        _ if ratio < 1.0 => format!(" ({:.1} % of the {} kept)", ratio * 100.0, kept.grouped()),
        _ => format!(" ({:.1} times the {} kept)", ratio, kept.grouped()),
    };
    Some(format!(
        "Held back as outliers: {} row{}, {} units, revenue {}{share}",
        grouped(rows),
        crate::messages::plural(rows),
        grouped(units),
        revenue.grouped()
    ))
}

fn write_daily_and_top(
    daily_sales: &[DailySales],
    held_back: &[HeldBack],
    top_products: &[TopProduct],
    style: &Style,
    out: &mut impl Write,
) -> std::io::Result<()> {
    if !daily_sales.is_empty() {
        // A column of revenue held back as outliers when there is any.
        let held = !held_back.is_empty();
        let mut header = vec!["date", "channel", "orders", "units", "revenue"];
        if held {
            header.push("held back");
        }
        let mut daily = style.table(&header);
        let held_on = |d: &DailySales| -> Money {
            held_back
                .iter()
                .filter(|h| h.date == d.date && h.channel == d.channel)
                .map(|h| h.revenue)
                .sum()
        };
        for d in daily_sales {
            let mut row = vec![
                Cell::new(&d.date),
                Cell::new(&d.channel),
                Cell::new(grouped(d.orders)),
                Cell::new(grouped(d.units)),
                Cell::new(d.revenue.grouped()),
            ];
            if held {
                row.push(Cell::new(held_on(d).grouped()));
            }
            daily.add_row(row);
        }
        // A date and channel whose every row was held back.
        for h in held_back.iter().filter(|h| {
            !daily_sales
                .iter()
                .any(|d| d.date == h.date && d.channel == h.channel)
        }) {
            daily.add_row(vec![
                Cell::new(&h.date),
                Cell::new(&h.channel),
                Cell::new("0"),
                Cell::new("0"),
                Cell::new(Money(0).grouped()),
                Cell::new(h.revenue.grouped()),
            ]);
        }
        let orders: u64 = daily_sales.iter().map(|d| d.orders).sum();
        let units: i64 = daily_sales.iter().map(|d| d.units).sum();
        let revenue: Money = daily_sales.iter().map(|d| d.revenue).sum();
        let mut total = vec![
            style.total("total"),
            Cell::new(""),
            style.total(&grouped(orders)),
            style.total(&grouped(units)),
            style.total(&revenue.grouped()),
        ];
        if held {
            let held: Money = held_back.iter().map(|h| h.revenue).sum();
            total.push(style.total(&held.grouped()));
        }
        daily.add_row(total);
        style.show(out, "\nDaily sales", daily, &["orders", "units"])?;
    }

    if !top_products.is_empty() {
        let mut top = style.table(&["date", "rank", "product", "units", "revenue"]);
        for p in top_products {
            top.add_row(vec![
                Cell::new(&p.date),
                Cell::new(p.rank),
                Cell::new(crate::messages::shown(&p.product_id)),
                Cell::new(grouped(p.units)),
                Cell::new(p.revenue.grouped()),
            ]);
        }
        style.show(out, "\nTop products", top, &["rank", "units"])?;
    }
    Ok(())
}

/// How `sales-etl report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Tables for people.
    Table,
    /// One table as CSV (the first, or --table NAME), as the files have it.
    Csv,
    /// One object of every table, its keys in a fixed order.
    Json,
    /// Markdown tables, for a wiki page or a pull request.
    Markdown,
}

/// The tables of `sales-etl report`, for `--format csv --table NAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportTable {
    /// Days: sales per date and channel.
    #[value(name = "daily_sales", alias = "daily-sales")]
    DailySales,
    /// Days: the top products of each date; periods: of the whole range.
    #[value(name = "top_products", alias = "top-products")]
    TopProducts,
    /// Days: what the outlier rule held back per date and channel.
    #[value(name = "held_back", alias = "held-back")]
    HeldBack,
    /// Days and periods: the partial days, and why.
    #[value(name = "partial_days", alias = "partial-days")]
    PartialDays,
    /// Periods: sales per period and channel, with the change.
    Periods,
    /// Periods: the whole range per channel against the days before.
    Range,
}

impl ReportTable {
    /// Whether this is a table of a period report (`periodic`) or of a day
    /// report.
    pub fn of(self, periodic: bool) -> bool {
        match self {
            ReportTable::TopProducts | ReportTable::PartialDays => true,
            ReportTable::DailySales | ReportTable::HeldBack => !periodic,
            ReportTable::Periods | ReportTable::Range => periodic,
        }
    }

    pub fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }

    /// The tables of a period report or of a day report, for a message.
    pub fn names(periodic: bool) -> String {
        use clap::ValueEnum;
        ReportTable::value_variants()
            .iter()
            .filter(|t| t.of(periodic))
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The JSON of `sales-etl report` for days, its keys in this order (the
/// tables in the order of `run`'s JSON).
#[derive(serde::Serialize)]
struct DaysJson<'a> {
    warehouse: &'a crate::db::target::Named,
    daily_sales: &'a [DailySales],
    held_back: &'a [HeldBack],
    top_products: &'a [TopProduct],
    partial_days: &'a [crate::period::PartialDay],
}

/// The reports of `sales-etl report` for days; `partial`: the partial days
/// among them.
pub fn print_reports(
    reports: &crate::db::Reports,
    partial: &[crate::period::PartialDay],
    warehouse: &crate::db::target::Named,
    format: ReportFormat,
    table: ReportTable,
    colour: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let (daily, top) = (&reports.daily, &reports.top);
    match format {
        ReportFormat::Table => {
            let style = Style::new(colour);
            if let Some(line) = held_back_line(&reports.held_back, daily) {
                style.line(out, &line)?;
            }
            write_daily_and_top(daily, &reports.held_back, top, &style, out)?;
            if !partial.is_empty() {
                writeln!(out, "\nPartial days")?;
                for day in partial {
                    style.line(out, &format!("{}  {}", day.date, day.why))?;
                }
            }
            Ok(())
        }
        ReportFormat::Json => {
            let json = DaysJson {
                warehouse,
                daily_sales: daily,
                held_back: &reports.held_back,
                top_products: top,
                partial_days: partial,
            };
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        }
        ReportFormat::Csv => match table {
            ReportTable::TopProducts => write_csv(top, out),
            ReportTable::HeldBack => write_csv(&reports.held_back, out),
            ReportTable::PartialDays => write_csv(partial, out),
            _ => write_csv(daily, out),
        },
        ReportFormat::Markdown => {
            writeln!(out, "## Daily sales\n")?;
            writeln!(out, "| date | channel | orders | units | revenue |")?;
            writeln!(out, "|---|---|---:|---:|---:|")?;
            for d in daily {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    d.date,
                    markdown_cell(&d.channel),
                    d.orders,
                    d.units,
                    d.revenue
                )?;
            }
            writeln!(out, "\n## Top products\n")?;
            writeln!(out, "| date | rank | product_id | units | revenue |")?;
            writeln!(out, "|---|---:|---|---:|---:|")?;
            for t in top {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    t.date,
                    t.rank,
                    markdown_cell(&t.product_id),
                    t.units,
                    t.revenue
                )?;
            }
            if !reports.held_back.is_empty() {
                writeln!(out, "\n## Held back as outliers\n")?;
                writeln!(out, "| date | channel | rows | units | revenue |")?;
                writeln!(out, "|---|---|---:|---:|---:|")?;
                for h in &reports.held_back {
                    writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        h.date,
                        markdown_cell(&h.channel),
                        h.rows,
                        h.units,
                        h.revenue
                    )?;
                }
            }
            if !partial.is_empty() {
                writeln!(out, "\n## Partial days\n")?;
                writeln!(out, "| date | why |")?;
                writeln!(out, "|---|---|")?;
                for d in partial {
                    writeln!(out, "| {} | {} |", d.date, markdown_cell(&d.why))?;
                }
            }
            Ok(())
        }
    }
}

/// `rows` as CSV, a header first.
pub(super) fn write_csv<T: serde::Serialize>(
    rows: &[T],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    for row in rows {
        csv.serialize(row).map_err(std::io::Error::other)?;
    }
    out.write_all(&csv.into_inner().map_err(|e| e.into_error())?)
}

/// Text safe inside a Markdown table cell: pipes escaped, line breaks as spaces.
pub(crate) fn markdown_cell(text: &str) -> String {
    crate::messages::shown(&text.replace('|', "\\|").replace(['\n', '\r'], " ")).into_owned()
}

/// Columns a table may take: `COLUMNS` when set to a number (as `ls` reads
/// it), else the width of the terminal that stdout is, else none: a pipe or
/// a file gets whole tables.
pub fn width() -> Option<u16> {
    let columns = std::env::var("COLUMNS").ok();
    if let Some(columns) = columns.and_then(|c| c.trim().parse::<u16>().ok()) {
        return Some(columns.max(MIN_WIDTH));
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    // A terminal that does not say its size is taken to be 80 wide.
    Some(terminal_size::terminal_size_of(std::io::stdout()).map_or(80, |(w, _)| w.0.max(MIN_WIDTH)))
}

/// Narrower terminals are drawn as if they were this wide.
const MIN_WIDTH: u16 = 40;

/// A column of names or reasons may wrap down to this many characters; the
/// other columns (numbers, dates, money) never wrap.
const WRAP_MIN: u16 = 12;

/// Columns whose text may wrap to fit.
fn wraps(header: &str) -> bool {
    matches!(
        header,
        "file" | "skipped file" | "why" | "reject reason" | "reason" | "product"
    )
}

/// Fits `table` into `width` columns: every column keeps its content's
/// width except those that [`wraps`], which may shrink to their least
/// width ([`least_widths`]); when that is still too wide, long headers give
/// way to short ones (they do so before a name wraps), then the columns
/// named in `drop` are left out, in that order, until the table fits. A
/// name that wraps breaks after a separator ([`broken`]). `bold`: the
/// header is bold. Returns the headers left out.
pub(crate) fn fit(table: &mut Table, width: Option<u16>, drop: &[&str], bold: bool) -> Vec<String> {
    use comfy_table::{ColumnConstraint, Width};
    let Some(width) = width else {
        return Vec::new();
    };
    let width = usize::from(width);
    table.set_width(width as u16);
    let mut headers: Vec<String> = table
        .header()
        .map(|h| h.cell_iter().map(Cell::content).collect())
        .unwrap_or_default();
    let mut content = table.column_max_content_widths();
    // Short headers come before a name breaks: checked with the names whole.
    if needed_width(&content, &[]) > width && headers.iter().any(|h| short_header(h).is_some()) {
        headers = headers
            .iter()
            .map(|h| short_header(h).unwrap_or(h).to_owned())
            .collect();
        table.set_header(headers.iter().map(|h| header_cell(h, bold)));
        content = table.column_max_content_widths();
    }
    let least = least_widths(table, &headers, &content);
    let mut hidden = Vec::new();
    for name in drop {
        if needed_width(&least, &hidden) <= width {
            break;
        }
        let name = short_header(name).unwrap_or(name);
        if let Some(i) = headers.iter().position(|h| h == name) {
            hidden.push(i);
        }
    }
    for (i, header) in headers.iter().enumerate() {
        let constraint = if hidden.contains(&i) {
            ColumnConstraint::Hidden
        } else if wraps(header) {
            ColumnConstraint::LowerBoundary(Width::Fixed(least[i]))
        } else {
            ColumnConstraint::ContentWidth
        };
        if let Some(column) = table.column_mut(i) {
            column.set_constraint(constraint);
        }
    }
    for (i, header) in headers.iter().enumerate() {
        if hidden.contains(&i) || !wraps(header) {
            continue;
        }
        let mut others = hidden.clone();
        others.push(i);
        let room = width
            .saturating_sub(needed_width(&least, &others) + 3)
            .max(usize::from(least[i]));
        if usize::from(content[i]) > room {
            *table = with_column_broken(table, i, room, bold);
        }
    }
    hidden.into_iter().map(|i| headers[i].clone()).collect()
}

/// The least width of each column: its content's, or for a column that
/// [`wraps`], its longest word (cut after a space, `/` or `_`, as
/// [`broken`] cuts first), but no less than [`WRAP_MIN`] and no more than
/// its content.
fn least_widths(table: &Table, headers: &[String], content: &[u16]) -> Vec<u16> {
    headers
        .iter()
        .zip(content)
        .enumerate()
        .map(|(i, (header, whole))| {
            if !wraps(header) {
                return *whole;
            }
            let word = table
                .column_cells_iter(i)
                .flatten()
                .flat_map(|cell| {
                    cell.content()
                        .split_inclusive(FIRST_BREAKS)
                        .map(|word| word.chars().count())
                        .collect::<Vec<_>>()
                })
                .max()
                .unwrap_or(0);
            (u16::try_from(word).unwrap_or(u16::MAX))
                .max(WRAP_MIN)
                .min(*whole)
        })
        .collect()
}

/// What a table needs at least, `hidden` columns left out: each column
/// `widths`, a space either side and a border.
fn needed_width(widths: &[u16], hidden: &[usize]) -> usize {
    1 + widths
        .iter()
        .enumerate()
        .filter(|(i, _)| !hidden.contains(i))
        .map(|(_, w)| usize::from(*w) + 3)
        .sum::<usize>()
}

/// `table` again with the cells of `column` longer than `room` broken
/// into lines of `room` at most ([`broken`]); the other cells, the header
/// and the columns' settings as they were.
fn with_column_broken(table: &Table, column: usize, room: usize, colour: bool) -> Table {
    let mut new = empty_table(colour);
    if let Some(header) = table.header() {
        new.set_header(header.cell_iter().cloned().collect::<Vec<_>>());
    }
    for row in table.row_iter() {
        new.add_row(
            row.cell_iter()
                .enumerate()
                .map(|(i, cell)| {
                    let text = cell.content();
                    match i == column && text.chars().count() > room {
                        true => Cell::new(broken(&text, room)),
                        false => cell.clone(),
                    }
                })
                .collect::<Vec<_>>(),
        );
    }
    for (i, settings) in table.column_iter().enumerate() {
        if let Some(column) = new.column_mut(i) {
            *column = settings.clone();
        }
    }
    if let Some(width) = table.width() {
        new.set_width(width);
    }
    new
}

/// Where a name breaks first: after these.
const FIRST_BREAKS: &[char] = &[' ', '/', '_'];

/// `text` in lines of `room` characters at most: broken after a space,
/// `/` or `_` where it can, else after a `-` or `.`, and mid-word only
/// where none of them does.
fn broken(text: &str, room: usize) -> String {
    broken_at(text, room, &[FIRST_BREAKS, &['-', '.']]).join("\n")
}

/// The lines of [`broken`], breaking after the separators of the first
/// tier of `tiers`, then within a piece still too long by the next.
fn broken_at(text: &str, room: usize, tiers: &[&[char]]) -> Vec<String> {
    let Some((separators, rest)) = tiers.split_first() else {
        // No separator left: cut where each line ends.
        let chars: Vec<char> = text.chars().collect();
        return chars
            .chunks(room.max(1))
            .map(|chunk| chunk.iter().collect())
            .collect();
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in text.split_inclusive(|c| separators.contains(&c)) {
        let length = piece.chars().count();
        if line.chars().count() + length <= room {
            line.push_str(piece);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if length <= room {
            line.push_str(piece);
        } else {
            let mut parts = broken_at(piece, room, rest);
            line = parts.pop().unwrap_or_default();
            lines.extend(parts);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A header cell, bold on a colour terminal.
pub(crate) fn header_cell(text: &str, bold: bool) -> Cell {
    let cell = Cell::new(text);
    if bold {
        cell.add_attribute(Attribute::Bold)
    } else {
        cell
    }
}

/// The header a narrow terminal gets instead of a long one.
fn short_header(header: &str) -> Option<&'static str> {
    Some(match header {
        "data rows" => "rows",
        "invalid" => "inval.",
        "duplicate" => "dupl.",
        "outlier" => "outl.",
        "held back" => "held",
        "reject reason" => "reason",
        _ => return None,
    })
}

/// The line under a table that had to leave columns out.
fn left_out_note(left_out: &[String], width: Option<u16>) -> Option<String> {
    if left_out.is_empty() {
        return None;
    }
    Some(format!(
        "({} left out to fit {} columns; --format json has every column)",
        left_out.join(", "),
        width.unwrap_or_default(),
    ))
}

pub(super) struct Style {
    pub(super) colour: bool,
    pub(super) width: Option<u16>,
}

impl Style {
    pub(super) fn new(colour: bool) -> Style {
        Style {
            colour,
            width: width(),
        }
    }

    /// Writes `title`, then `table` fitted to the width (leaving out the
    /// columns of `drop` in that order if it must, and saying so).
    pub(super) fn show(
        &self,
        out: &mut impl Write,
        title: &str,
        mut table: Table,
        drop: &[&str],
    ) -> std::io::Result<()> {
        let left_out = fit(&mut table, self.width, drop, self.colour);
        writeln!(out, "{title}")?;
        writeln!(out, "{table}")?;
        if let Some(note) = left_out_note(&left_out, self.width) {
            self.line(out, &note)?;
        }
        Ok(())
    }

    /// Writes `text` and a line break, its words wrapped at the width (a
    /// wrapped line goes on indented by two spaces).
    pub(super) fn line(&self, out: &mut impl Write, text: &str) -> std::io::Result<()> {
        writeln!(out, "{}", wrapped(text, self.width))
    }

    pub(super) fn table(&self, header: &[&str]) -> Table {
        let mut table = empty_table(self.colour);
        table.set_header(header.iter().map(|h| header_cell(h, self.colour)));
        for (index, name) in header.iter().enumerate().skip(1) {
            if let Some(column) = table.column_mut(index) {
                if !matches!(*name, "channel" | "product" | "why" | "status" | "change") {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        table
    }

    /// A count coloured when non-zero.
    fn count(&self, n: u64, colour: Color) -> Cell {
        let cell = Cell::new(grouped(n));
        if self.colour && n > 0 {
            cell.fg(colour)
        } else {
            cell
        }
    }

    pub(super) fn total(&self, text: &str) -> Cell {
        let cell = Cell::new(text);
        if self.colour {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_back_is_a_share_or_a_multiple_of_what_was_kept() {
        let held = |revenue: i128| {
            vec![HeldBack {
                date: "2026-11-25".into(),
                channel: "web".into(),
                rows: 1,
                units: 250,
                revenue: Money(revenue),
            }]
        };
        let kept = vec![DailySales {
            date: "2026-11-25".into(),
            channel: "web".into(),
            orders: 3,
            units: 4,
            revenue: Money(100_000_000),
        }];
        assert_eq!(
            held_back_line(&held(98_800_000), &kept).unwrap(),
            "Held back as outliers: 1 row, 250 units, revenue 98.80 (98.8 % of the 100.00 kept)"
        );
        assert_eq!(
            held_back_line(&held(2_104_700_000), &kept).unwrap(),
            "Held back as outliers: 1 row, 250 units, revenue 2,104.70 (21.0 times the 100.00 kept)"
        );
        assert_eq!(
            held_back_line(&held(5), &[]).unwrap(),
            "Held back as outliers: 1 row, 250 units, revenue 0.00"
        );
    }

    #[test]
    fn prose_wraps_at_the_width_and_keeps_words_whole() {
        let text = "Held back as outliers: 891 rows, 45,678 units, revenue 1,234,567.89";
        assert_eq!(wrapped(text, None), text);
        assert_eq!(
            wrapped(text, Some(40)),
            "Held back as outliers: 891 rows, 45,678\n  units, revenue 1,234,567.89"
        );
        assert_eq!(wrapped("\n  a b", Some(3)), "\n  a\n    b");
        assert_eq!(
            wrapped("unbreakable-word x", Some(5)),
            "unbreakable-word\n  x"
        );
    }

    #[test]
    fn names_break_after_a_separator_where_they_can() {
        assert_eq!(
            broken("mobile_2026-11-25.csv", 19),
            "mobile_\n2026-11-25.csv"
        );
        assert_eq!(
            broken("mobile_2026-11-25.csv", 12),
            "mobile_\n2026-11-25.\ncsv"
        );
        assert_eq!(broken("mobile_2026-11-25.csv", 21), "mobile_2026-11-25.csv");
        assert_eq!(
            broken("averyveryverylongname", 8),
            "averyver\nyverylon\ngname"
        );
        assert_eq!(
            broken("a_averyveryverylong", 8),
            "a_\naveryver\nyverylon\ng"
        );
        assert_eq!(broken("day 1/web sales.csv", 10), "day 1/web \nsales.csv");
    }

    /// A table too wide for its width first takes short headers, then
    /// leaves out columns in the order given, and says which.
    #[test]
    fn fit_shortens_headers_then_leaves_out_columns() {
        let style = Style {
            colour: false,
            width: None,
        };
        let table = || {
            let mut t = style.table(&["file", "data rows", "valid", "duplicate", "outlier"]);
            t.add_row(vec![
                "a_very_long_file_name.csv",
                "1,000,000",
                "999,000",
                "500",
                "500",
            ]);
            t
        };
        let mut whole = table();
        assert!(fit(&mut whole, None, &["duplicate"], false).is_empty());
        let mut short = table();
        assert!(fit(&mut short, Some(56), &["duplicate"], false).is_empty());
        let text = short.to_string();
        assert!(text.contains("┆      rows ┆"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 56), "{text}");
        // Issue "the analyst's week": short headers come before a name is
        // broken (73 columns whole, 67 with short headers).
        let mut names_whole = table();
        assert!(fit(&mut names_whole, Some(68), &["duplicate"], false).is_empty());
        let text = names_whole.to_string();
        assert!(text.contains("a_very_long_file_name.csv"), "{text}");
        assert!(text.contains("dupl."), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 68), "{text}");
        let mut narrow = table();
        assert_eq!(
            fit(&mut narrow, Some(46), &["duplicate", "outlier"], false),
            ["dupl."]
        );
        let text = narrow.to_string();
        assert!(!text.contains("dupl."), "{text}");
        assert!(text.contains("1,000,000"), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 46), "{text}");
    }
}
