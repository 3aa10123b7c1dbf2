//! Exact money: amounts are `i128` counts of millionths (the scale of
//! `unit_price`), summed without floating point and rounded half-up to cents
//! only where they are written.

use std::fmt;
use std::ops::Add;

/// Scale of `unit_price` and money: six decimal places, stored exactly.
pub const MONEY_SCALE: usize = 6;

const UNITS_PER_CENT: i128 = 10i128.pow(MONEY_SCALE as u32 - 2);

/// An amount in millionths of a currency unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub i128);

impl Money {
    /// Cents, rounded half away from zero.
    pub fn cents(self) -> i128 {
        let half = UNITS_PER_CENT / 2;
        if self.0 >= 0 {
            (self.0 + half) / UNITS_PER_CENT
        } else {
            (self.0 - half) / UNITS_PER_CENT
        }
    }
}

impl Money {
    /// Plain decimal text (`613.43`, `-0.5`, `12`) with at most six
    /// decimals, as the warehouse stores amounts.
    pub fn parse(text: &str) -> Option<Money> {
        let (negative, digits) = match text.trim().strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.trim()),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > MONEY_SCALE
            || whole.len() > 30
        {
            return None;
        }
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let fraction: i128 = format!("{fraction:0<MONEY_SCALE$}").parse().ok()?;
        let amount = whole * 10i128.pow(MONEY_SCALE as u32) + fraction;
        Some(Money(if negative { -amount } else { amount }))
    }
}

impl Money {
    /// The exact amount as decimal text with six decimals (`2247.500000`),
    /// which [`Money::parse`] reads back unchanged.
    pub fn exact(self) -> String {
        let mut text = String::new();
        push_money(&mut text, self.0);
        text
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::default(), Add::add)
    }
}

/// Two decimals: `1234.50`, `-0.05`.
impl Money {
    /// For people: cents with thousands separators (`1,062.43`). Files and
    /// JSON keep the plain form of [`Display`](fmt::Display).
    pub fn grouped(self) -> String {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.abs();
        format!("{sign}{}.{:02}", grouped(cents / 100), cents % 100)
    }
}

/// A whole number with thousands separators, for people: `9,506,073`.
pub fn grouped(n: impl num_format::ToFormattedString) -> String {
    n.to_formatted_string(&num_format::Locale::en)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.cents();
        let sign = if cents < 0 { "-" } else { "" };
        let cents = cents.abs();
        let text = format!("{sign}{}.{:02}", cents / 100, cents % 100);
        f.pad(&text)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Appends millionths as exact decimal text with six decimals (`8.990000`).
#[inline]
pub fn push_money(out: &mut String, millionths: i128) {
    if millionths < 0 {
        out.push('-');
    }
    let amount = millionths.unsigned_abs();
    let whole = amount / 1_000_000;
    match u64::try_from(whole) {
        Ok(whole) => push_digits(out, whole, 1),
        Err(_) => out.push_str(&whole.to_string()),
    }
    out.push('.');
    push_digits(out, (amount % 1_000_000) as u64, 6);
}

/// Appends `value` in decimal, zero-padded to `width` digits.
// Inlined where rows are written (`db::rows`): it runs for every field of
// every row, and it lives in another module (another codegen unit).
#[inline]
pub(crate) fn push_digits(out: &mut String, value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let at = at.min(digits.len().saturating_sub(width));
    for digit in &digits[at..] {
        out.push(char::from(*digit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_text_reads_back() {
        for micros in [0, 1, -1, 2_247_500_000, -123_456_789, 10i128.pow(20) + 7] {
            let text = Money(micros).exact();
            assert_eq!(Money::parse(&text), Some(Money(micros)), "{text}");
        }
        assert_eq!(Money(2_247_500_000).exact(), "2247.500000");
        assert_eq!(Money(-5).exact(), "-0.000005");
    }

    #[test]
    fn grouped_for_people() {
        assert_eq!(Money(1_062_430_000).grouped(), "1,062.43");
        assert_eq!(Money(-1_234_567_890_000).grouped(), "-1,234,567.89");
        assert_eq!(Money(5_000).grouped(), "0.01");
        assert_eq!(Money(0).grouped(), "0.00");
        assert_eq!(grouped(9_506_073u64), "9,506,073");
        assert_eq!(grouped(-42i64), "-42");
    }

    #[track_caller]
    fn case(millionths: i128, expected: &str) {
        assert_eq!(Money(millionths).to_string(), expected, "{millionths}");
    }

    #[test]
    fn rounds_half_up_to_cents() {
        case(0, "0.00");
        case(1_234_500_000, "1234.50");
        case(4_999, "0.00");
        case(5_000, "0.01");
        case(14_999, "0.01");
        case(15_000, "0.02");
        case(-5_000, "-0.01");
        case(-4_999, "0.00");
        case(i128::from(i64::MAX) * 1_000, "9223372036854775.81");
    }

    #[test]
    fn parses_warehouse_text() {
        assert_eq!(Money::parse("613.43"), Some(Money(613_430_000)));
        assert_eq!(Money::parse("8.990000"), Some(Money(8_990_000)));
        assert_eq!(Money::parse("-0.5"), Some(Money(-500_000)));
        assert_eq!(Money::parse("12"), Some(Money(12_000_000)));
        for bad in ["", ".", "1.2345678", "1e3", "abc", "1.2.3"] {
            assert_eq!(Money::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn sums_exactly() {
        // 0.1 + 0.2 in floating point is 0.30000000000000004.
        let total: Money = [Money(100_000), Money(200_000)].into_iter().sum();
        assert_eq!(total, Money(300_000));
        // Rounding happens once, on the total: 3 × 0.005 = 0.015 → 0.02.
        let total: Money = [Money(5_000); 3].into_iter().sum();
        assert_eq!(total.to_string(), "0.02");
    }
}
