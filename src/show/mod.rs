//! Showing: the terminal tables and JSON of a run's summary and of stored
//! reports ([`render`]), with its bars and sparkline ([`pictures`]), and
//! period reports ([`periods`]).

pub mod periods;
pub mod pictures;
pub mod render;
