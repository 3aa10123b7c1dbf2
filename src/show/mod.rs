//! Showing: the terminal tables and JSON of a run's summary and of stored
//! reports ([`render`]), with its bars and sparkline ([`pictures`]).

pub mod pictures;
pub mod render;
