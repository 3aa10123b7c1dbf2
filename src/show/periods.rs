//! Printing a period report (`sales-etl report --last 4w --by week`): a
//! table of periods with their change, the whole range against the days
//! before it, a sparkline of revenue per channel, the partial days and the
//! top products — as tables for people, JSON, Markdown or one CSV table.
//! The numbers come from `period`; files and JSON carry them plain, the
//! terminal adds arrows and colour.

use std::io::Write;

use comfy_table::{Cell, Color};
use serde::Serialize;

use super::pictures::LEVELS;
use super::render::{markdown_cell, write_csv, ReportFormat, Style};
use crate::db::target::Named;
use crate::db::RangeProduct;
use crate::money::{grouped, Money};
use crate::period::{DailyLine, PartialDay, PeriodReport, PeriodRow, Unit, ALL_CHANNELS};

/// One table of a period report, for `--table` (CSV on stdout) and the
/// names of the files `--out` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodTable {
    /// One row per period and channel, and one for all channels.
    Periods,
    /// The whole range per channel against as many days before it.
    Range,
    /// The top products of the whole range.
    #[value(name = "top_products", alias = "top-products")]
    TopProducts,
    /// The partial days in the range or the spans it is compared with.
    #[value(name = "partial_days", alias = "partial-days")]
    PartialDays,
}

impl PeriodTable {
    pub const ALL: [PeriodTable; 4] = [
        PeriodTable::Periods,
        PeriodTable::Range,
        PeriodTable::TopProducts,
        PeriodTable::PartialDays,
    ];

    /// The file `--out` writes this table to.
    pub fn file_name(self, report: &PeriodReport) -> String {
        let (from, to) = (report.range.from, report.range.to);
        match self {
            PeriodTable::Periods => format!("sales_by_{}_{from}_{to}.csv", report.by.name()),
            PeriodTable::Range => format!("range_{from}_{to}.csv"),
            PeriodTable::TopProducts => format!("top_products_{from}_{to}.csv"),
            PeriodTable::PartialDays => format!("partial_days_{from}_{to}.csv"),
        }
    }

    /// The table as CSV, a header first.
    pub fn write_csv(self, report: &PeriodReport, out: &mut impl Write) -> std::io::Result<()> {
        match self {
            PeriodTable::Periods => write_csv(&report.periods, out),
            PeriodTable::Range => write_csv(&report.range_rows, out),
            PeriodTable::TopProducts => write_csv(&report.top, out),
            PeriodTable::PartialDays => write_csv(&report.partial_days, out),
        }
    }
}

/// The JSON of a period report, its keys in this order.
#[derive(Serialize)]
struct Json<'a> {
    warehouse: &'a Named,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    by: Unit,
    previous_from: chrono::NaiveDate,
    previous_to: chrono::NaiveDate,
    periods: &'a [PeriodRow],
    range: &'a [PeriodRow],
    partial_days: &'a [PartialDay],
    daily_revenue: &'a [DailyLine],
    top_products: &'a [RangeProduct],
}

/// Prints `report` in `format`; `table` picks the one table a CSV prints.
pub fn print(
    report: &PeriodReport,
    warehouse: &Named,
    format: ReportFormat,
    table: PeriodTable,
    colour: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Table => print_tables(report, &Style::new(colour), out),
        ReportFormat::Csv => table.write_csv(report, out),
        ReportFormat::Json => {
            let json = Json {
                warehouse,
                from: report.range.from,
                to: report.range.to,
                by: report.by,
                previous_from: report.previous.from,
                previous_to: report.previous.to,
                periods: &report.periods,
                range: &report.range_rows,
                partial_days: &report.partial_days,
                daily_revenue: &report.lines,
                top_products: &report.top,
            };
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)
        }
        ReportFormat::Markdown => print_markdown(report, out),
    }
}

/// The change as people read it: an arrow, the amount and the percent; or
/// why there is none.
fn change_cell(row: &PeriodRow, style: &Style) -> Cell {
    let Some(change) = row.change else {
        return Cell::new(if row.partial { "partial" } else { "–" });
    };
    let (arrow, colour) = match change.0.signum() {
        1 => ("▲", Color::Green),
        -1 => ("▼", Color::Red),
        _ => ("=", Color::Reset),
    };
    let percent = row
        .change_percent
        .map(|p| format!(" {p:+.1} %"))
        .unwrap_or_default();
    let cell = Cell::new(format!(
        "{arrow} {}{percent}",
        Money(change.0.abs()).grouped()
    ));
    if style.colour && change.0 != 0 {
        cell.fg(colour)
    } else {
        cell
    }
}

fn print_tables(report: &PeriodReport, style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    let unit = report.by.name();
    style.line(
        out,
        &format!(
            "{} to {} by {unit}; each {unit} against the {unit} before, the whole range against {} to {}",
            report.range.from, report.range.to, report.previous.from, report.previous.to
        ),
    )?;
    let mut table = style.table(&[unit, "channel", "orders", "units", "revenue", "change"]);
    let mut last = "";
    for row in &report.periods {
        let all = row.channel == ALL_CHANNELS;
        let text = |t: String| if all { style.total(&t) } else { Cell::new(t) };
        let label = if row.period == last {
            String::new()
        } else {
            row.period.clone()
        };
        last = &row.period;
        table.add_row(vec![
            Cell::new(label),
            text(row.channel.clone()),
            text(grouped(row.orders)),
            text(grouped(row.units)),
            text(row.revenue.grouped()),
            change_cell(row, style),
        ]);
    }
    style.show(
        out,
        &format!("\nSales by {unit}"),
        table,
        &["orders", "units"],
    )?;
    uncompared_note(&report.periods, style, out)?;

    let mut range = style.table(&["channel", "orders", "units", "revenue", "before", "change"]);
    for row in &report.range_rows {
        let all = row.channel == ALL_CHANNELS;
        let text = |t: String| if all { style.total(&t) } else { Cell::new(t) };
        range.add_row(vec![
            text(row.channel.clone()),
            text(grouped(row.orders)),
            text(grouped(row.units)),
            text(row.revenue.grouped()),
            Cell::new(row.previous_revenue.map(Money::grouped).unwrap_or_default()),
            change_cell(row, style),
        ]);
    }
    let title = format!(
        "\nThe {} days against the {} days before",
        grouped(report.range.days()),
        grouped(report.previous.days())
    );
    style.show(out, &title, range, &["orders", "units"])?;
    uncompared_note(&report.range_rows, style, out)?;

    if !report.lines.is_empty() {
        writeln!(
            out,
            "\nRevenue per day, {} to {}",
            report.range.from, report.range.to
        )?;
        for line in sparklines(report, style.width) {
            writeln!(out, "{line}")?;
        }
    }
    if !report.partial_days.is_empty() {
        writeln!(out, "\nPartial days (not compared)")?;
        for day in &report.partial_days {
            style.line(out, &format!("{}  {}", day.date, day.why))?;
        }
    }
    if !report.top.is_empty() {
        let mut top = style.table(&["rank", "product", "units", "revenue"]);
        for p in &report.top {
            top.add_row(vec![
                Cell::new(p.rank),
                Cell::new(crate::messages::shown(&p.product_id)),
                Cell::new(grouped(p.units)),
                Cell::new(p.revenue.grouped()),
            ]);
        }
        let title = format!(
            "\nTop products, {} to {}",
            report.range.from, report.range.to
        );
        style.show(out, &title, top, &["units"])?;
    }
    Ok(())
}

/// Says why a row has `–` for its change, when one has.
fn uncompared_note(rows: &[PeriodRow], style: &Style, out: &mut impl Write) -> std::io::Result<()> {
    if rows.iter().any(|r| !r.partial && r.change.is_none()) {
        style.line(
            out,
            "–: a day it is compared with has no sales stored or is partial",
        )?;
    }
    Ok(())
}

/// A sparkline per channel, one mark per day (or per few days when the
/// range is wider than the terminal), with its lowest and highest day.
fn sparklines(report: &PeriodReport, width: Option<u16>) -> Vec<String> {
    let label_width = report
        .lines
        .iter()
        .map(|l| l.channel.chars().count())
        .max()
        .unwrap_or(0);
    let days = report.range.days() as usize;
    let room = width.map_or(days, |w| {
        usize::from(w).saturating_sub(label_width + 1).max(8)
    });
    let per_mark = days.div_ceil(room).max(1);
    let mut lines = Vec::new();
    for line in &report.lines {
        let marks: Vec<Money> = line
            .revenue
            .chunks(per_mark)
            .map(|days| days.iter().copied().sum())
            .collect();
        let day_of = |i: usize| report.range.from + chrono::Days::new(i as u64);
        let low = line.revenue.iter().enumerate().min_by_key(|(_, m)| **m);
        let high = line.revenue.iter().enumerate().max_by_key(|(_, m)| **m);
        let spark = format!("{:<label_width$} {}", line.channel, ranged(&marks));
        let scale = match (low, high) {
            (Some((l, low)), Some((h, high))) => format!(
                "low {} ({}), high {} ({})",
                low.grouped(),
                day_of(l),
                high.grouped(),
                day_of(h)
            ),
            _ => String::new(),
        };
        let fits = |text: &str| width.is_none_or(|w| text.chars().count() <= usize::from(w));
        let beside = format!("{spark}  {scale}");
        let below = format!("{:label_width$} {scale}", "");
        if fits(&beside) {
            lines.push(beside);
        } else if fits(&below) {
            lines.push(spark);
            lines.push(below);
        } else {
            // Low and high a line each.
            lines.push(spark);
            for part in scale.split(", ") {
                lines.push(format!("{:label_width$} {part}", ""));
            }
        }
    }
    if per_mark > 1 {
        lines.push(format!("(one mark per {per_mark} days)"));
    }
    lines
}

/// One character per value, its height between the lowest value (▁) and
/// the highest (█), so that the shape shows even where every day is near
/// the same; a day with nothing is a space.
fn ranged(values: &[Money]) -> String {
    let present = values.iter().filter(|m| m.0 != 0).map(|m| m.0);
    let (low, high) = (present.clone().min(), present.max());
    values
        .iter()
        .map(|m| match (low, high) {
            _ if m.0 == 0 => ' ',
            (Some(low), Some(high)) if high > low => {
                let level = (m.0 - low) * 7 / (high - low);
                LEVELS[level.clamp(0, 7) as usize]
            }
            _ => LEVELS[3],
        })
        .collect()
}

fn print_markdown(report: &PeriodReport, out: &mut impl Write) -> std::io::Result<()> {
    let option = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
    let rows = |rows: &[PeriodRow], out: &mut dyn Write| -> std::io::Result<()> {
        writeln!(
            out,
            "| period | from | to | channel | orders | units | revenue | partial | previous_revenue | change | change_percent |"
        )?;
        writeln!(out, "|---|---|---|---|---:|---:|---:|---|---:|---:|---:|")?;
        for r in rows {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.period,
                r.from,
                r.to,
                markdown_cell(&r.channel),
                r.orders,
                r.units,
                r.revenue,
                r.partial,
                option(r.previous_revenue),
                option(r.change),
                r.change_percent.map(|p| p.to_string()).unwrap_or_default()
            )?;
        }
        Ok(())
    };
    writeln!(out, "## Sales by {}\n", report.by.name())?;
    rows(&report.periods, out)?;
    writeln!(
        out,
        "\n## {} to {} against {} to {}\n",
        report.range.from, report.range.to, report.previous.from, report.previous.to
    )?;
    rows(&report.range_rows, out)?;
    if !report.partial_days.is_empty() {
        writeln!(out, "\n## Partial days\n")?;
        writeln!(out, "| date | why |")?;
        writeln!(out, "|---|---|")?;
        for d in &report.partial_days {
            writeln!(out, "| {} | {} |", d.date, markdown_cell(&d.why))?;
        }
    }
    writeln!(out, "\n## Top products\n")?;
    writeln!(out, "| rank | product_id | units | revenue |")?;
    writeln!(out, "|---:|---|---:|---:|")?;
    for p in &report.top {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            p.rank,
            markdown_cell(&p.product_id),
            p.units,
            p.revenue
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_spans_its_lowest_to_its_highest_value() {
        let values: Vec<Money> = [100, 110, 0, 120, 105].into_iter().map(Money).collect();
        assert_eq!(ranged(&values), "▁▄ █▂");
        assert_eq!(ranged(&[Money(5), Money(5)]), "▄▄");
        assert_eq!(ranged(&[Money(0)]), " ");
    }
}
