//! Pictures for the terminal summary, where people would rather look than
//! read: a bar per channel for revenue and a sparkline of revenue by hour of
//! day. Plain Unicode, never wider than 80 columns; `render` prints them only
//! on a terminal and never in JSON.

use std::collections::BTreeMap;

use crate::money::Money;
use crate::summary::Summary;

/// Columns the longest bar may take.
const BAR_WIDTH: usize = 48;
const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Both pictures, or nothing when the run has no valid row.
pub fn render(summary: &Summary) -> String {
    let mut channels: BTreeMap<&str, Money> = BTreeMap::new();
    for d in &summary.daily_sales {
        let sum = channels.entry(d.channel.as_str()).or_default();
        *sum = *sum + d.revenue;
    }
    if channels.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nRevenue by channel\n");
    for line in bars(&channels.into_iter().collect::<Vec<_>>()) {
        out.push_str(&line);
        out.push('\n');
    }
    if summary.revenue_by_hour.iter().any(|m| m.0 != 0) {
        out.push_str("\nRevenue by hour of day (UTC)\n");
        out.push_str(&sparkline(&summary.revenue_by_hour));
        out.push('\n');
        out.push_str("0     6     12    18   23\n");
    }
    out
}

/// One line per `(label, amount)`: the label, a bar as long as the amount is
/// against the largest (in eighths of a column), the amount.
pub fn bars(rows: &[(&str, Money)]) -> Vec<String> {
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
                (amount.0.max(0) * (BAR_WIDTH as i128 * 8) / largest) as usize
            };
            let mut bar = "█".repeat(eighths / 8);
            if eighths % 8 > 0 {
                bar.push(EIGHTHS[eighths % 8 - 1]);
            }
            format!("{label:<label_width$} {bar:<BAR_WIDTH$} {amount}")
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
    fn bars_are_proportional_and_fit_80_columns() {
        let lines = bars(&[
            ("mobile", Money(50_000_000)),
            ("store", Money(100_000_000)),
            ("web", Money(0)),
        ]);
        assert_eq!(lines[1].matches('█').count(), BAR_WIDTH);
        assert_eq!(lines[0].matches('█').count(), BAR_WIDTH / 2);
        assert_eq!(lines[2].matches('█').count(), 0);
        assert!(lines[1].ends_with(" 100.00"), "{}", lines[1]);
        for line in &lines {
            assert!(line.chars().count() <= 80, "{line}");
        }
        let partial = bars(&[("a", Money(8)), ("b", Money(1))]);
        // 1/8 of 48 columns is 6 columns exactly; 1/8 of that is a sliver.
        assert!(partial[1].contains("██████ "), "{}", partial[1]);
        let sliver = bars(&[("a", Money(384)), ("b", Money(1))]);
        assert!(sliver[1].contains('▏'), "{}", sliver[1]);
    }

    #[test]
    fn sparkline_levels_and_gaps() {
        let values: Vec<Money> = [0, 1, 4, 8, 2].into_iter().map(Money).collect();
        assert_eq!(sparkline(&values), " ▁▄█▂");
        assert_eq!(sparkline(&[Money(0); 3]), "   ");
    }
}
