//! A run: the passes over the inputs that hand judged rows to the sinks
//! ([`pipeline`]), one batch with its sinks, report files and load
//! ([`batch`]), and what it found, for the terminal and JSON ([`summary`]).

pub mod batch;
pub mod pipeline;
pub mod summary;
