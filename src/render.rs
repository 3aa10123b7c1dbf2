//! Rendering for the terminal and for machines: comfy-table tables of a
//! run's summary (and of stored reports), or the summary
//! as one JSON object. Rendering only; the numbers come from `summary`.

use std::io::{IsTerminal, Write};

use comfy_table::modifiers::UTF8_ROUND_CORNERS;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table};

use crate::aggregate::{DailySales, TopProduct};
use crate::money::{grouped, Money};
use crate::summary::{DayStatus, DaySummary, Summary};

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
                write!(out, "{}", crate::pictures::render(summary))?;
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
    let style = Style { colour };
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
    writeln!(out, "Days")?;
    writeln!(out, "{table}")?;
    for day in days.iter().filter(|d| d.error.is_some()) {
        writeln!(
            out,
            "{}: {}",
            day.date,
            day.error.as_deref().unwrap_or_default()
        )?;
    }
    Ok(())
}

/// Whether stdout is a terminal: pictures are for people looking at one.
pub fn pictures_wanted() -> bool {
    std::io::stdout().is_terminal()
}

fn print_tables(summary: &Summary, colour: bool, out: &mut impl Write) -> std::io::Result<()> {
    let style = Style { colour };

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
            Cell::new(crate::messages::shown(&file.file)),
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
    writeln!(out, "Rows per file")?;
    writeln!(out, "{files}")?;

    if !summary.skipped_files.is_empty() {
        let mut skipped = style.table(&["skipped file", "why"]);
        for file in &summary.skipped_files {
            skipped.add_row(vec![
                Cell::new(crate::messages::shown(&file.file)),
                Cell::new(crate::messages::shown(&file.error)),
            ]);
        }
        writeln!(out, "\nSkipped files")?;
        writeln!(out, "{skipped}")?;
    }

    if !summary.reasons.is_empty() {
        let mut reasons: Vec<(&String, &u64)> = summary.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let mut table = style.table(&["reject reason", "rows"]);
        for (reason, rows) in reasons {
            table.add_row(vec![Cell::new(reason), Cell::new(grouped(*rows))]);
        }
        writeln!(out, "\nRejected rows by reason")?;
        writeln!(out, "{table}")?;
    }

    match &summary.fences {
        Some(f) => writeln!(
            out,
            "\nOutlier fences on quantity: Q1 {}, Q3 {}; valid within [{}, {}]",
            f.q1, f.q3, f.lower, f.upper
        )?,
        None => writeln!(
            out,
            "\nOutlier fences on quantity: none (rule off or no rows)"
        )?,
    }

    if let Some(load) = &summary.load {
        writeln!(
            out,
            "Loaded {} rows into {} by {} in {:.1} s ({} rows/s; run {})",
            load.rows,
            load.target,
            load.method.name(),
            load.seconds,
            load.rows_per_second,
            load.run_id
        )?;
        if load.replaced > 0 {
            writeln!(
                out,
                "  replaced {} row{} of other files with the same transaction ids",
                load.replaced,
                if load.replaced == 1 { "" } else { "s" }
            )?;
        }
        for file in load.files.iter().filter(|f| f.replaced_rows > 0) {
            let from = match &file.earlier {
                Some(e) if !e.folder.is_empty() => {
                    format!(" (run {}, from {})", e.run_id, e.folder)
                }
                Some(e) => format!(" (run {})", e.run_id),
                None => String::new(),
            };
            writeln!(
                out,
                "  {} replaced {} row{} loaded earlier from a file of that name{from}",
                file.file,
                file.replaced_rows,
                if file.replaced_rows == 1 { "" } else { "s" }
            )?;
        }
    }

    write_daily_and_top(&summary.daily_sales, &summary.top_products, &style, out)
}

fn write_daily_and_top(
    daily_sales: &[DailySales],
    top_products: &[TopProduct],
    style: &Style,
    out: &mut impl Write,
) -> std::io::Result<()> {
    if !daily_sales.is_empty() {
        let mut daily = style.table(&["date", "channel", "orders", "units", "revenue"]);
        for d in daily_sales {
            daily.add_row(vec![
                Cell::new(&d.date),
                Cell::new(&d.channel),
                Cell::new(grouped(d.orders)),
                Cell::new(grouped(d.units)),
                Cell::new(d.revenue.grouped()),
            ]);
        }
        let orders: u64 = daily_sales.iter().map(|d| d.orders).sum();
        let units: i64 = daily_sales.iter().map(|d| d.units).sum();
        let revenue: Money = daily_sales.iter().map(|d| d.revenue).sum();
        daily.add_row(vec![
            style.total("total"),
            Cell::new(""),
            style.total(&grouped(orders)),
            style.total(&grouped(units)),
            style.total(&revenue.grouped()),
        ]);
        writeln!(out, "\nDaily sales")?;
        writeln!(out, "{daily}")?;
    }

    if !top_products.is_empty() {
        let mut top = style.table(&["date", "rank", "product", "units", "revenue"]);
        for p in top_products {
            top.add_row(vec![
                Cell::new(&p.date),
                Cell::new(p.rank),
                Cell::new(&p.product_id),
                Cell::new(grouped(p.units)),
                Cell::new(p.revenue.grouped()),
            ]);
        }
        writeln!(out, "\nTop products")?;
        writeln!(out, "{top}")?;
    }
    Ok(())
}

/// How `sales-etl report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Tables for people.
    Table,
    /// The daily sales CSV, a blank line, the top products CSV (as the files).
    Csv,
    /// `{"daily_sales": [...], "top_products": [...]}`, as in `run`'s JSON.
    Json,
    /// Two Markdown tables, for a wiki page or a pull request.
    Markdown,
}

/// The reports of `sales-etl report`.
pub fn print_reports(
    daily: &[DailySales],
    top: &[TopProduct],
    warehouse: &crate::db::target::Named,
    format: ReportFormat,
    colour: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Table => write_daily_and_top(daily, top, &Style { colour }, out),
        ReportFormat::Json => {
            let json = serde_json::json!({
                "warehouse": warehouse,
                "daily_sales": daily,
                "top_products": top
            });
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        }
        ReportFormat::Csv => {
            let mut csv = csv::Writer::from_writer(Vec::new());
            for row in daily {
                csv.serialize(row).map_err(std::io::Error::other)?;
            }
            out.write_all(&csv.into_inner().map_err(|e| e.into_error())?)?;
            writeln!(out)?;
            let mut csv = csv::Writer::from_writer(Vec::new());
            for row in top {
                csv.serialize(row).map_err(std::io::Error::other)?;
            }
            out.write_all(&csv.into_inner().map_err(|e| e.into_error())?)
        }
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
            writeln!(out, "| date | rank | product | units | revenue |")?;
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
            Ok(())
        }
    }
}

/// Text safe inside a Markdown table cell: pipes escaped, line breaks as spaces.
pub(crate) fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

struct Style {
    colour: bool,
}

impl Style {
    fn table(&self, header: &[&str]) -> Table {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL_CONDENSED)
            .apply_modifier(UTF8_ROUND_CORNERS)
            .set_content_arrangement(ContentArrangement::Dynamic);
        if !self.colour {
            table.force_no_tty();
        }
        table.set_header(header.iter().map(|h| {
            let cell = Cell::new(h);
            if self.colour {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for (index, name) in header.iter().enumerate().skip(1) {
            if let Some(column) = table.column_mut(index) {
                if !matches!(*name, "channel" | "product" | "why" | "status") {
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

    fn total(&self, text: &str) -> Cell {
        let cell = Cell::new(text);
        if self.colour {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    }
}
