//! The loading thread's plumbing: valid rows travel to a dialect's load on
//! a thread of its own through a channel of two chunks, the load says back
//! which files it passes over, and dropping the handle unfinished rolls the
//! load back. What the thread does with the rows is the dialect's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use super::plan::{LoadEnd, Loaded};
use super::rows::{RejectedText, SaleText};
use crate::error::{Error, Result};

/// A load running on a thread of its own while the valid rows are read:
/// valid rows arrive chunk by chunk and go in inside one transaction, which
/// commits only when [`Streaming::finish`] is called. Dropped unfinished,
/// the thread sees the channel close and rolls back.
pub struct Streaming {
    send: Option<mpsc::SyncSender<Message>>,
    /// The names of the files the warehouse holds already, said once the
    /// load has looked (nothing when it failed before).
    told: Option<mpsc::Receiver<Vec<String>>>,
    worker: Option<std::thread::JoinHandle<Result<Loaded>>>,
    loaded: Arc<AtomicU64>,
}

/// Where the loading thread says which files the warehouse holds already.
pub(crate) type Tell = mpsc::Sender<Vec<String>>;

/// The run's chunks as the loading thread reads them, counted.
pub(crate) struct Feed {
    receive: mpsc::Receiver<Message>,
    /// Valid rows read so far.
    pub(crate) sent: u64,
    /// Rejected rows read so far.
    pub(crate) rejected: u64,
    /// The first chunk of rejected rows, read while looking for valid ones.
    pending: Option<RejectedText>,
    end: Option<LoadEnd>,
}

impl Feed {
    /// The next chunk of valid rows, or `None` after the last: the run
    /// sends every valid row before the rejected ones. An error when the
    /// run stopped first.
    pub(crate) fn next_rows(&mut self) -> std::io::Result<Option<SaleText>> {
        if self.pending.is_some() || self.end.is_some() {
            return Ok(None);
        }
        match self.receive.recv() {
            Ok(Message::Sales(rows)) => {
                self.sent += rows.height() as u64;
                Ok(Some(rows))
            }
            Ok(Message::Rejected(rows)) => {
                self.rejected += rows.height() as u64;
                self.pending = Some(rows);
                Ok(None)
            }
            Ok(Message::Finish(end)) => {
                self.end = Some(end);
                Ok(None)
            }
            Err(_) => Err(std::io::Error::other(STOPPED)),
        }
    }

    /// The next chunk of rejected rows, once the valid ones are read, or
    /// `None` after the last (the run's end is kept for [`Feed::end`]).
    pub(crate) fn next_rejected(&mut self) -> std::io::Result<Option<RejectedText>> {
        if let Some(rows) = self.pending.take() {
            return Ok(Some(rows));
        }
        if self.end.is_some() {
            return Ok(None);
        }
        match self.receive.recv() {
            Ok(Message::Rejected(rows)) => {
                self.rejected += rows.height() as u64;
                Ok(Some(rows))
            }
            Ok(Message::Finish(end)) => {
                self.end = Some(end);
                Ok(None)
            }
            Ok(Message::Sales(_)) => Err(std::io::Error::other(
                "valid rows came after rejected ones (a bug: the run sends the valid rows first)",
            )),
            Err(_) => Err(std::io::Error::other(STOPPED)),
        }
    }

    /// The run's end, once the last rows were read: an error naming
    /// `target` when the run stopped before (the load then rolls back).
    pub(crate) fn end(&mut self, target: &super::Target) -> Result<LoadEnd> {
        self.end.take().ok_or_else(|| Error::Load {
            target: target.masked(),
            message: STOPPED.into(),
        })
    }
}

const STOPPED: &str = "the run stopped before its rows were all sent";

/// What the run hands the loading thread.
pub(crate) enum Message {
    /// Valid rows, made into `staging_sales` values.
    Sales(SaleText),
    /// Rejected rows, made into `rejected_rows` values; after every valid
    /// row.
    Rejected(RejectedText),
    Finish(LoadEnd),
}

impl Streaming {
    /// Runs `work` on a thread named `name` with the feed of the run's
    /// chunks and a counter of rows loaded.
    pub(crate) fn spawn(
        name: &str,
        work: impl FnOnce(Feed, Tell, &AtomicU64) -> Result<Loaded> + Send + 'static,
    ) -> Result<Streaming> {
        // Two chunks in flight at most: memory stays bounded when the
        // database is slower than the reading.
        let (send, receive) = mpsc::sync_channel::<Message>(2);
        let (tell, told) = mpsc::channel();
        let loaded = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&loaded);
        let worker = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let feed = Feed {
                    receive,
                    sent: 0,
                    rejected: 0,
                    pending: None,
                    end: None,
                };
                work(feed, tell, &counter)
            })
            .map_err(|e| Error::Internal(format!("cannot start the loading thread: {e}")))?;
        Ok(Streaming {
            send: Some(send),
            told: Some(told),
            worker: Some(worker),
            loaded,
        })
    }

    /// The files the warehouse holds already, once the load has looked
    /// (waiting for it); none when it stopped before, and said once.
    pub fn unchanged(&mut self) -> Vec<String> {
        self.told
            .take()
            .and_then(|told| told.recv().ok())
            .unwrap_or_default()
    }

    /// Rows inserted so far.
    pub fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    /// Hands rows to the loading thread (waiting while it is two chunks
    /// behind). `false` when it has stopped: [`Streaming::finish`] then
    /// says why.
    pub(crate) fn send(&mut self, rows: Message) -> bool {
        match &self.send {
            Some(send) => send.send(rows).is_ok(),
            None => false,
        }
    }

    /// Ends the rows, lets the thread finish the load and commit, and
    /// returns what it did; meanwhile calls `watch` with the rows loaded
    /// so far about every 20 ms (for a progress bar).
    pub fn finish(mut self, end: LoadEnd, mut watch: impl FnMut(u64)) -> Result<Loaded> {
        if let Some(send) = self.send.take() {
            // A closed channel means the thread stopped: its result says why.
            let _ = send.send(Message::Finish(end));
        }
        while self.worker.as_ref().is_some_and(|w| !w.is_finished()) {
            watch(self.loaded());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        self.join()
    }

    fn join(&mut self) -> Result<Loaded> {
        self.send = None;
        match self.worker.take().map(|w| w.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(Error::Internal("the loading thread panicked".into())),
            None => Err(Error::Internal("the load was already finished".into())),
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        // Closing the channel without a Finish rolls the transaction back.
        if self.worker.is_some() {
            let _ = self.join();
        }
    }
}
