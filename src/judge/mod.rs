//! Judging: the rules of a row ([`rules`]), the memory of ids for the
//! duplicate rule ([`ids`]), the dispositions ([`validate`]) and the outlier
//! fences ([`fences`]), the split into valid and rejected rows with the
//! ledger's check ([`split`]), and the sales sums ([`aggregate`]).

pub mod aggregate;
pub mod fences;
pub mod ids;
pub mod rules;
pub mod split;
pub mod validate;
