//! Tukey fences on `quantity`: the outlier rule's bounds, from a histogram
//! of the quantities (quantity → rows) the first read counted.

/// Tukey fences on `quantity` over the run's non-duplicate valid candidates.
/// Quartiles use linear interpolation (numpy's and pandas' default), not
/// Polars' default of nearest.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Fences {
    pub q1: f64,
    pub q3: f64,
    pub lower: f64,
    pub upper: f64,
}

impl Fences {
    /// The quantity of a first row lies outside the fences: an outlier.
    /// The same comparison as the judged frame's (as floats).
    pub fn outside(&self, quantity: i32) -> bool {
        let q = f64::from(quantity);
        q < self.lower || q > self.upper
    }
}

/// Tukey fences over a histogram of quantities (quantity → rows); `None`
/// when it is empty.
pub fn fences_of(histogram: &std::collections::BTreeMap<i32, u64>, k: f64) -> Option<Fences> {
    let n: u64 = histogram.values().sum();
    if n == 0 {
        return None;
    }
    let q1 = quantile(histogram, n, 0.25);
    let q3 = quantile(histogram, n, 0.75);
    let iqr = q3 - q1;
    Some(Fences {
        q1,
        q3,
        lower: q1 - k * iqr,
        upper: q3 + k * iqr,
    })
}

/// The `q` quantile with linear interpolation between the two nearest
/// ranks (numpy's and pandas' default, and Polars' `Linear`, computed the
/// same way) from the counts of each value.
fn quantile(histogram: &std::collections::BTreeMap<i32, u64>, n: u64, q: f64) -> f64 {
    let float_idx = (n as f64 - 1.0) * q;
    let idx = (float_idx as u64).min(n - 1);
    let lower = f64::from(nth(histogram, idx));
    if float_idx.ceil() as u64 == idx {
        return lower;
    }
    let upper = f64::from(nth(histogram, idx + 1));
    if lower == upper {
        lower
    } else {
        (float_idx - idx as f64) * (upper - lower) + lower
    }
}

/// The value at 0-based rank `rank` of the sorted quantities.
fn nth(histogram: &std::collections::BTreeMap<i32, u64>, rank: u64) -> i32 {
    let mut below = 0;
    for (value, count) in histogram {
        below += count;
        if rank < below {
            return *value;
        }
    }
    *histogram.keys().next_back().unwrap_or(&0)
}
