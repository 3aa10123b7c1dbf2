//! Reading: which files a run has ([`discover`]), their records as frames
//! of raw text ([`extract`]), and the first read of every file in ranges on
//! every thread (`ranges`).

pub mod discover;
pub mod extract;
pub(crate) mod ranges;
