//! Pictures for the terminal summary, where people would rather look than
//! read: a bar per channel for revenue and a sparkline of revenue by hour of
//! day. Plain Unicode, as wide as the terminal allows; `render` prints them
//! only on a terminal and never in JSON.

use std::collections::BTreeMap;

use crate::money::Money;
use crate::run::summary::Summary;

/// Columns the longest bar takes when the width is not known.
const BAR_WIDTH: usize = 48;
/// The longest bar on any terminal, and the shortest.
const BAR_MAX: usize = 72;
const BAR_MIN: usize = 8;
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
pub const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Both pictures, or nothing when the run has no valid row; `width`: the
/// terminal's columns, which the bars and the sparkline grow or shrink to.
pub fn render(summary: &Summary, width: Option<u16>) -> String {
    let mut channels: BTreeMap<&str, Money> = BTreeMap::new();
    for d in &summary.daily_sales {
        let sum = channels.entry(d.channel.as_str()).or_default();
        *sum = *sum + d.revenue;
    }
    if channels.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nRevenue by channel\n");
    let rows: Vec<(&str, Money)> = channels.into_iter().collect();
    for line in bars(&rows, bar_width(&rows, width)) {
        out.push_str(&line);
        out.push('\n');
    }
    if summary.revenue_by_hour.iter().any(|m| m.0 != 0) {
        // Each hour one, two or three columns wide, as the width allows.
        let per_hour = width.map_or(1, |w| (usize::from(w) / 24).clamp(1, 3));
        out.push_str("\nRevenue by hour of day (UTC)\n");
        let line: String = sparkline(&summary.revenue_by_hour)
            .chars()
            .flat_map(|c| std::iter::repeat_n(c, per_hour))
            .collect();
        out.push_str(&line);
        out.push('\n');
        out.push_str(&hour_axis(per_hour));
        out.push('\n');
    }
    out
}

/// The longest bar's columns: what is left of `width` beside the labels
/// and amounts, within [`BAR_MIN`]..=[`BAR_MAX`].
fn bar_width(rows: &[(&str, Money)], width: Option<u16>) -> usize {
    let Some(width) = width else {
        return BAR_WIDTH;
    };
    let label = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let amount = rows
        .iter()
        .map(|(_, m)| m.grouped().chars().count())
        .max()
        .unwrap_or(0);
    usize::from(width)
        .saturating_sub(label + amount + 2)
        .clamp(BAR_MIN, BAR_MAX)
}

/// Hours 0, 6, 12, 18 and 23 under a sparkline of `per_hour` columns an hour.
fn hour_axis(per_hour: usize) -> String {
    let mut axis = String::new();
    for hour in [0, 6, 12, 18, 23] {
        let at = hour * per_hour;
        while axis.chars().count() < at {
            axis.push(' ');
        }
        axis.push_str(&hour.to_string());
    }
    axis
}

/// One line per `(label, amount)`: the label, a bar as long as the amount is
/// against the largest (in eighths of a column, the largest `bar_width`
/// columns), the amount with thousands grouped.
pub fn bars(rows: &[(&str, Money)], bar_width: usize) -> Vec<String> {
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let largest = rows.iter().map(|(_, m)| m.0.max(0)).max().unwrap_or(0);
    rows.iter()
        .map(|(label, amount)| {
            let eighths = if largest == 0 {
                0
            } else {
                (amount.0.max(0) * (bar_width as i128 * 8) / largest) as usize
            };
            let mut bar = "█".repeat(eighths / 8);
            if eighths % 8 > 0 {
                bar.push(EIGHTHS[eighths % 8 - 1]);
            }
            format!(
                "{label:<label_width$} {bar:<bar_width$} {}",
                amount.grouped()
            )
        })
        .collect()
}

/// One character per value, its height against the largest; a zero is a
/// space, so hours without sales show as gaps.
pub fn sparkline(values: &[Money]) -> String {
    let largest = values.iter().map(|m| m.0).max().unwrap_or(0);
    values
        .iter()
        .map(|m| {
            if m.0 <= 0 || largest <= 0 {
                ' '
            } else {
                let level = ((m.0 * 8 - 1) / largest) as usize;
                LEVELS[level.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_fit_the_width() {
        let rows = [
            ("mobile", Money(50_000_000)),
            ("store", Money(100_000_000)),
            ("web", Money(0)),
        ];
        let lines = bars(&rows, BAR_WIDTH);
        assert_eq!(lines[1].matches('█').count(), BAR_WIDTH);
        assert_eq!(lines[0].matches('█').count(), BAR_WIDTH / 2);
        assert_eq!(lines[2].matches('█').count(), 0);
        assert!(lines[1].ends_with(" 100.00"), "{}", lines[1]);
        for width in [40u16, 60, 80, 120, 200] {
            let bar = bar_width(&rows, Some(width));
            for line in bars(&rows, bar) {
                assert!(
                    line.chars().count() <= usize::from(width),
                    "{width}: {line}"
                );
            }
        }
        assert_eq!(bar_width(&rows, Some(60)), 60 - 6 - 6 - 2);
        assert_eq!(bar_width(&rows, Some(200)), BAR_MAX);
        let partial = bars(&[("a", Money(8)), ("b", Money(1))], BAR_WIDTH);
        // 1/8 of 48 columns is 6 columns exactly; 1/8 of that is a sliver.
        assert!(partial[1].contains("██████ "), "{}", partial[1]);
        let sliver = bars(&[("a", Money(384)), ("b", Money(1))], BAR_WIDTH);
        assert!(sliver[1].contains('▏'), "{}", sliver[1]);
        let grouped = bars(&[("a", Money(1_234_567_000_000))], 10);
        assert!(grouped[0].ends_with(" 1,234,567.00"), "{}", grouped[0]);
    }

    #[test]
    fn hour_axis_under_one_to_three_columns_an_hour() {
        assert_eq!(hour_axis(1), "0     6     12    18   23");
        assert_eq!(hour_axis(2).find("12"), Some(24));
        assert_eq!(hour_axis(3).find("23"), Some(69));
    }

    #[test]
    fn sparkline_levels_and_gaps() {
        let values: Vec<Money> = [0, 1, 4, 8, 2].into_iter().map(Money).collect();
        assert_eq!(sparkline(&values), " ▁▄█▂");
        assert_eq!(sparkline(&[Money(0); 3]), "   ");
    }
}
