//! sales-etl turns a folder of messy daily sales CSV exports into audited
//! clean data, an audit trail of every rejected row and daily reports.
//!
//! The modules follow the pipeline: [`discover`] → [`extract`] →
//! [`rules`]/[`validate`] → [`split`] → the [`sink`]s ([`aggregate`],
//! [`output`], [`db`]) → [`render`]; [`pipeline`] drives the passes and
//! hands judged rows to the sinks, reading the files in ranges on every
//! thread (`ranges`); [`batch`] plugs in a run's sinks;
//! [`query`] answers SQL over a folder's cleaned rows or the warehouse. The
//! binary is a thin layer over [`cmd`].

pub mod aggregate;
pub mod batch;
pub mod cmd;
pub mod columns;
pub mod db;
pub mod discover;
pub mod error;
pub mod export;
pub mod extract;
pub mod fault;
pub mod fences;
pub mod generate;
pub mod ids;
pub mod messages;
pub mod money;
pub mod output;
pub mod pictures;
pub mod pipeline;
pub mod query;
mod ranges;
pub mod render;
pub mod rules;
pub mod sink;
pub mod split;
pub mod summary;
pub mod validate;
