//! Reading: which files a run has ([`discover`]), how each is written
//! ([`settings`], [`dialect`], [`decode`]), their records as frames of raw
//! text ([`extract`]), and the first read of every file in ranges on every
//! thread (`ranges`).

pub mod decode;
pub mod dialect;
pub mod discover;
pub mod extract;
pub(crate) mod ranges;
pub mod settings;
