//! Extract: reads the run's CSV files as frames of raw text, a chunk of rows
//! at a time ([`FileReader`]) or bytes at once ([`parse`]).
//!
//! Every data row becomes one frame row holding its eight input fields as the
//! text the file had (null where the file has no such column or the row is
//! short), its file index and physical line, and two structural flags: the row
//! is ragged (a field count other than its header's) or holds bytes that are
//! not UTF-8. Polars' CSV reader can report neither a physical line nor a
//! ragged row (it pads short rows and drops extra fields without a word), so
//! the records are split by the `csv` crate in the same single pass that
//! builds the columns. Judging the rows is `rules`'
//! work, not this module's.
//!
//! A file that cannot be read as a sales CSV at all (unreadable, not text, no
//! header, a required column missing, a header beyond the [`Limits`]) is
//! returned as a [`BadFile`].
//!
//! Hostile input costs bounded memory: a record longer than
//! [`Limits::max_record_bytes`] becomes one row flagged `oversized` (its
//! fields are not kept) and reading resumes at the line after the one it
//! started on, so an unterminated quote costs one row, not the rest of the
//! file. A chunk holds at most [`CHUNK_BYTES`] of text.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};

use indicatif::ProgressBar;
use polars::prelude::*;

use crate::columns;
use crate::error::BadFile;
use crate::read::dialect::{self, Dialect};
use crate::read::discover::InputFile;
use crate::read::settings::{self, Resolved};

/// The rows of one input file.
#[derive(Debug)]
pub struct FileRows {
    pub frame: DataFrame,
    /// Data rows read: every record but the header, comments and blank lines.
    pub data_rows: u64,
    /// Header columns that are not sales columns, left out of the clean data.
    pub unknown_columns: Vec<String>,
}

/// A frame with the columns of [`parse`] and no rows: the run's rows when
/// every file was skipped.
pub fn empty() -> DataFrame {
    let header = columns::INPUT.join(",");
    parse(
        header.as_bytes(),
        0,
        0,
        Limits::default(),
        &ProgressBar::hidden(),
    )
    .expect("the canonical header parses")
    .frame
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Text bytes a chunk holds at most, whatever its row count: a file of
/// long rows is cut into more chunks, so memory stays bounded. Generated
/// days (75 bytes a row) reach the default row count first.
pub const CHUNK_BYTES: usize = 32 << 20;

/// What a file may cost: limits for hostile input, generous for real
/// exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A record of more bytes (quoted line breaks included) is rejected
    /// as `oversized_row`; a header of more bytes makes a bad file.
    pub max_record_bytes: usize,
    /// A header of more fields makes a bad file.
    pub max_columns: usize,
}

pub const DEFAULT_MAX_RECORD_BYTES: usize = 1 << 20;
pub const DEFAULT_MAX_COLUMNS: usize = 10_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_columns: DEFAULT_MAX_COLUMNS,
        }
    }
}

/// A limit as a person gave it: `1 MiB`, `512 KiB`, `3000 bytes`.
pub fn limit_text(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// A record cut off at [`Limits::max_record_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oversized {
    /// Physical line the record starts on.
    pub line: u64,
    /// The record runs over line breaks: a quoted field opened on `line`
    /// and is not closed within the limit (an unterminated quote, most
    /// likely).
    pub open_quote: bool,
}

impl Oversized {
    /// What happened, for a warning: `line 5 is longer than 1 MiB`.
    pub fn describe(&self, limit: usize) -> String {
        let limit = limit_text(limit);
        if self.open_quote {
            format!(
                "line {}: a quoted field opens there and is not closed within {limit} (an unterminated quote?)",
                self.line
            )
        } else {
            format!("the record at line {} is longer than {limit}", self.line)
        }
    }
}

/// Parses CSV bytes whole: the first record that is neither a comment nor
/// blank is the header. `capacity` is a row-count hint for the column
/// builders.
pub fn parse<R: Read>(
    reader: R,
    file_index: u32,
    capacity: usize,
    limits: Limits,
    progress: &ProgressBar,
) -> Result<FileRows, String> {
    let mut reader = FileReader::new(
        reader,
        file_index,
        progress.clone(),
        limits,
        &Resolved::default(),
    )?;
    let frame = reader.chunk(usize::MAX, capacity)?;
    Ok(FileRows {
        frame,
        data_rows: reader.data_rows(),
        unknown_columns: reader.unknown_columns().to_vec(),
    })
}

/// Reads one file's rows in chunks of at most a given number of rows, so
/// that a run holds one chunk of raw text at a time however large the file.
/// Chunks come in file order; their rows are numbered by physical line.
pub struct FileReader<R> {
    records: Records<R>,
    header: Header,
    file_index: u32,
    /// Added to every line number: the line feeds before this reader's
    /// first byte, where they are known.
    line_base: u64,
    /// Rows for the first read only (see [`FileReader::for_screening`]).
    screening: bool,
    data_rows: u64,
    /// Data records counted as the parser returns them (see
    /// [`FileReader::counted`]).
    counted: u64,
    /// The first [`OVERSIZED_KEPT`] oversized records, for warnings.
    oversized: Vec<Oversized>,
    oversized_rows: u64,
}

/// Oversized records a reader remembers for its warning; the rest are
/// counted.
pub const OVERSIZED_KEPT: usize = 3;

/// A point between records in a file: its byte offset and the line feeds
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Place {
    pub offset: u64,
    pub line_feeds: u64,
}

impl FileReader<Window> {
    /// Reads the records of `file` from `start` on, for one range of a file
    /// read by several threads. `exact`: `start` is known to be where a
    /// record begins (and `line_feeds` the line feeds before it); else the
    /// reader begins at the first line start at or after `start`, a guess
    /// that the caller checks against the previous range's end (see
    /// [`FileReader::entry`]), with lines counted from `start`. Reading stops
    /// before the first record that begins at or after `stop_at`, and never
    /// reads past `size`.
    #[allow(clippy::too_many_arguments)]
    pub fn range(
        file: &InputFile,
        header: &Header,
        index: u32,
        start: Place,
        exact: bool,
        stop_at: u64,
        size: u64,
        limits: Limits,
    ) -> Result<FileReader<Window>, String> {
        let handle = File::open(&file.path).map_err(|e| format!("cannot open: {e}"))?;
        let mut window = Window {
            file: handle,
            at: start.offset,
            end: size,
        };
        let mut line_base = start.line_feeds;
        let mut origin = start.offset;
        if !exact {
            // The first line start at or after `start`: a record begins
            // there unless a quoted field spans it, which the caller's
            // check finds.
            if start.offset > 0 {
                window.at = start.offset - 1;
                window
                    .skip_line()
                    .map_err(|e| format!("read failed: {e}"))?;
                origin = window.at;
            }
            line_base = 0;
        }
        let records = Records::resume(
            window,
            origin,
            limits.max_record_bytes,
            stop_at,
            header.dialect.delimiter,
        );
        Ok(FileReader {
            records,
            header: header.clone(),
            file_index: index,
            line_base,
            screening: false,
            data_rows: 0,
            counted: 0,
            oversized: Vec::new(),
            oversized_rows: 0,
        })
    }

    /// The rows at `places` (record starts, in increasing order, with the
    /// line feeds before each), read again by offset: the same frame the
    /// sequential read gave for them.
    pub fn fetch(&mut self, places: &[Place]) -> Result<DataFrame, String> {
        let mut rows = Rows::new(&self.header, places.len(), self.screening);
        for place in places {
            self.records
                .jump(*place)
                .map_err(|e| format!("read failed at byte {}: {e}", place.offset))?;
            self.line_base = 0;
            let Some(record) = self.records.next()? else {
                return Err(format!(
                    "no record at byte {} (line {}): the file changed while it was read",
                    place.offset,
                    place.line_feeds + 1
                ));
            };
            rows.push(&self.header, &record);
        }
        rows.finish(self.file_index)
    }

    /// Where this reader found its first record (or stopped, having found
    /// none), for the check that a range began where the previous one
    /// ended.
    pub fn entry(&self) -> Option<Place> {
        self.records.entry.map(|(offset, feeds)| Place {
            offset,
            line_feeds: feeds + self.line_base,
        })
    }

    /// Where reading stopped: the first record at or after `stop_at`, or
    /// the end of the file; `None` before it stopped.
    pub fn stopped(&self) -> Option<Place> {
        self.records.done.then(|| self.position())
    }
}

impl FileReader<File> {
    /// Opens a file and reads its header. (The file's SHA-256 for the run
    /// record is made by the first read, `read::ranges`.)
    pub fn open(
        file: &InputFile,
        index: u32,
        progress: &ProgressBar,
        limits: Limits,
        resolved: &Resolved,
    ) -> Result<FileReader<File>, BadFile> {
        let handle = File::open(&file.path).map_err(|e| BadFile {
            file: file.name.clone(),
            problem: format!("cannot open: {e}"),
        })?;
        FileReader::new(handle, index, progress.clone(), limits, resolved).map_err(|problem| {
            BadFile {
                file: file.name.clone(),
                problem,
            }
        })
    }
}

impl<R: Read> FileReader<R> {
    /// Reads up to the header: the first record that is neither a comment
    /// nor blank. Its delimiter is the settings' or, when they name none,
    /// the one that splits the header into the sales columns
    /// ([`dialect::sniff`]).
    pub fn new(
        reader: R,
        file_index: u32,
        progress: ProgressBar,
        limits: Limits,
        resolved: &Resolved,
    ) -> Result<Self, String> {
        let mut records = Records::new(reader, progress, limits.max_record_bytes)?;
        let line = records.peek_line(limits.max_record_bytes)?;
        let delimiter = resolved
            .settings
            .delimiter
            .unwrap_or_else(|| dialect::sniff(&line, resolved));
        records.set_delimiter(delimiter);
        let dialect = Dialect::new(resolved, delimiter);
        let header = loop {
            let Some(record) = records.next()? else {
                return Err(
                    "no header row: the file is empty or holds only comments and blank lines"
                        .into(),
                );
            };
            if let Some(oversized) = record.oversized {
                return Err(format!(
                    "the header (line {}) is longer than {} (--max-record-bytes)",
                    oversized.line,
                    limit_text(limits.max_record_bytes)
                ));
            }
            if record.len() > limits.max_columns {
                return Err(format!(
                    "the header (line {}) has {} columns, more than {} (--max-columns)",
                    record.line,
                    record.len(),
                    limits.max_columns
                ));
            }
            if !record.is_blank() {
                break parse_header(&record, &line, dialect)?;
            }
        };
        Ok(FileReader {
            records,
            header,
            file_index,
            line_base: 0,
            screening: false,
            data_rows: 0,
            counted: 0,
            oversized: Vec::new(),
            oversized_rows: 0,
        })
    }

    /// Rows for the first read, which judges them but writes none out:
    /// the fields the rules parse (timestamp, channel, quantity, unit price)
    /// come trimmed, as the rules read them, instead of verbatim, and store
    /// and customer ids, which only the duplicate rule's hash reads, are
    /// left out (null) beside that hash. Building those text columns was a
    /// tenth of the read.
    pub fn for_screening(mut self) -> Self {
        self.screening = true;
        self
    }

    /// The file's header, for readers of other ranges of the same file.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Where the reader stands: the file offset of the next byte to parse
    /// and the line feeds read so far (the header reader's: where the data
    /// rows begin).
    pub fn position(&self) -> Place {
        Place {
            offset: self.records.offset(),
            line_feeds: self.records.newlines + self.line_base,
        }
    }

    /// The first few records rejected as oversized so far, and how many
    /// there were in all.
    pub fn oversized(&self) -> (&[Oversized], u64) {
        (&self.oversized, self.oversized_rows)
    }

    /// The next chunk of at most `max_rows` rows; `None` once the file is
    /// read to its end.
    pub fn next_chunk(&mut self, max_rows: usize) -> Result<Option<DataFrame>, String> {
        if self.records.done {
            return Ok(None);
        }
        let frame = self.chunk(max_rows, max_rows.min(1 << 16))?;
        if frame.height() == 0 && self.records.done {
            return Ok(None);
        }
        Ok(Some(frame))
    }

    /// Data rows read so far: every record but the header, comments and
    /// blank lines.
    pub fn data_rows(&self) -> u64 {
        self.data_rows
    }

    /// Data records the parser returned so far, counted apart from the rows
    /// the reader built of them: the independent count behind "every data
    /// row ends with exactly one disposition".
    pub fn counted(&self) -> u64 {
        self.counted
    }

    /// Header columns that are not sales columns, left out of the clean data.
    pub fn unknown_columns(&self) -> &[String] {
        &self.header.unknown
    }

    /// Up to `max_rows` rows (possibly none) as a frame: the eight input
    /// fields as text (null where the file has no such column or the row is
    /// short), file index, physical line, byte offset, and the `oversized`,
    /// `ragged` and `bad_encoding` flags.
    fn chunk(&mut self, max_rows: usize, capacity: usize) -> Result<DataFrame, String> {
        let mut rows = Rows::new(&self.header, capacity, self.screening);
        while rows.len() < max_rows && rows.text_bytes < CHUNK_BYTES {
            let Some(mut record) = self.records.next()? else {
                break;
            };
            if record.is_blank() {
                continue;
            }
            // Counted here, apart from the rows built below: the run's
            // check compares this count with the dispositions.
            self.counted += 1;
            if crate::fault::strikes(crate::fault::Fault::ReaderDropsRow) {
                continue;
            }
            record.line += self.line_base;
            if let Some(cut) = &mut record.oversized {
                cut.line = record.line;
                if self.oversized.len() < OVERSIZED_KEPT {
                    self.oversized.push(*cut);
                }
                self.oversized_rows += 1;
            }
            rows.push(&self.header, &record);
        }
        self.data_rows += rows.len() as u64;
        rows.finish(self.file_index)
    }
}

/// The columns of a frame of rows while it is built.
struct Rows {
    /// Per input column: its builder, or `None` where the file has no such
    /// column or the column is left out (see [`FileReader::for_screening`]).
    text: Vec<Option<StringChunkedBuilder>>,
    /// Per input column: keep its text trimmed of spaces and tabs.
    trim: [bool; 8],
    /// Per input column: what of the file's dialect rewrites it.
    rewrite: [Rewrite; 8],
    lines: Vec<u64>,
    offsets: Vec<u64>,
    oversized: Vec<bool>,
    ragged: Vec<bool>,
    bad_encoding: Vec<bool>,
    long_id: Vec<bool>,
    other_values: Vec<u64>,
    text_bytes: usize,
}

/// Input columns the rules parse, trimmed for the first read.
const PARSED: [&str; 4] = [
    columns::TIMESTAMP,
    columns::CHANNEL,
    columns::QUANTITY,
    columns::UNIT_PRICE,
];

/// Input columns no rule reads, hashed for the duplicate rule.
const OTHER: [&str; 2] = [columns::STORE_ID, columns::CUSTOMER_ID];

impl Rows {
    fn new(header: &Header, capacity: usize, screening: bool) -> Rows {
        let left_out = |name: &str| screening && OTHER.contains(&name);
        Rows {
            text: columns::INPUT
                .iter()
                .zip(&header.positions)
                .map(|(name, position)| {
                    position
                        .filter(|_| !left_out(name))
                        .map(|_| StringChunkedBuilder::new((*name).into(), capacity))
                })
                .collect(),
            trim: columns::INPUT.map(|name| screening && PARSED.contains(&name)),
            rewrite: columns::INPUT.map(|name| Rewrite::of(name, &header.dialect)),
            lines: Vec::with_capacity(capacity),
            offsets: Vec::with_capacity(capacity),
            oversized: Vec::with_capacity(capacity),
            ragged: Vec::with_capacity(capacity),
            bad_encoding: Vec::with_capacity(capacity),
            long_id: Vec::with_capacity(capacity),
            other_values: Vec::with_capacity(capacity),
            text_bytes: 0,
        }
    }

    fn len(&self) -> usize {
        self.lines.len()
    }

    /// Adds a record that is not blank.
    fn push(&mut self, header: &Header, record: &Record) {
        self.lines.push(record.line);
        self.offsets.push(record.offset);
        self.text_bytes += record.bytes().len();
        if record.oversized.is_some() {
            // No field is kept: the row is rejected for its size alone.
            self.oversized.push(true);
            self.ragged.push(false);
            self.bad_encoding.push(false);
            self.long_id.push(false);
            self.other_values.push(0);
            for builder in self.text.iter_mut().flatten() {
                builder.append_null();
            }
            return;
        }
        self.oversized.push(false);
        self.ragged.push(record.len() != header.width);
        // One check for the whole record; per field only when it fails.
        let record_is_text = std::str::from_utf8(record.bytes()).is_ok();
        self.bad_encoding.push(!record_is_text);
        let field = |column: usize| header.positions[column].and_then(|p| record.get(p));
        self.long_id.push(
            IDS.iter()
                .any(|column| field(*column).is_some_and(longer_than_an_id)),
        );
        self.other_values
            .push(other_values_hash(field(STORE), field(CUSTOMER)));
        for (column, builder) in self.text.iter_mut().enumerate() {
            let Some(builder) = builder else {
                continue;
            };
            match field(column) {
                None => builder.append_null(),
                Some(bytes) => {
                    let bytes = if self.trim[column] {
                        trim_spaces(bytes)
                    } else {
                        bytes
                    };
                    if record_is_text {
                        // The whole record is UTF-8 and fields split at
                        // ASCII bytes, so every field is UTF-8 too.
                        let text = std::str::from_utf8(bytes).unwrap_or_default();
                        match self.rewrite[column].apply(text, &header.dialect) {
                            Some(rewritten) => builder.append_value(rewritten),
                            None => builder.append_value(text),
                        }
                    } else {
                        builder.append_value(String::from_utf8_lossy(bytes))
                    }
                }
            }
        }
    }

    fn finish(self, file_index: u32) -> Result<DataFrame, String> {
        let rows = self.lines.len();
        let mut frame_columns: Vec<Column> = Vec::with_capacity(columns::INPUT.len() + 8);
        frame_columns.push(Column::new_scalar(
            columns::FILE_INDEX.into(),
            Scalar::from(file_index),
            rows,
        ));
        frame_columns.push(Column::new(columns::SOURCE_LINE.into(), self.lines));
        frame_columns.push(Column::new(columns::SOURCE_OFFSET.into(), self.offsets));
        frame_columns.push(Column::new(columns::OVERSIZED.into(), self.oversized));
        frame_columns.push(Column::new(columns::RAGGED.into(), self.ragged));
        frame_columns.push(Column::new(columns::BAD_ENCODING.into(), self.bad_encoding));
        frame_columns.push(Column::new(columns::LONG_ID.into(), self.long_id));
        frame_columns.push(Column::new(columns::OTHER_VALUES.into(), self.other_values));
        for (name, builder) in columns::INPUT.iter().zip(self.text) {
            frame_columns.push(match builder {
                Some(builder) => builder.finish().into_column(),
                None => Column::full_null((*name).into(), rows, &DataType::String),
            });
        }
        DataFrame::new(rows, frame_columns).map_err(|e| format!("cannot build rows: {e}"))
    }
}

/// How a field of a file's dialect becomes the text the rules read
/// (see [`Dialect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rewrite {
    None,
    Price,
    Timestamp,
    Channel,
}

impl Rewrite {
    fn of(column: &str, dialect: &Dialect) -> Rewrite {
        if !dialect.rewrites() {
            return Rewrite::None;
        }
        match column {
            columns::UNIT_PRICE => Rewrite::Price,
            columns::TIMESTAMP => Rewrite::Timestamp,
            columns::CHANNEL => Rewrite::Channel,
            _ => Rewrite::None,
        }
    }

    /// The field's text rewritten, when the dialect changes it; the spaces
    /// around it are kept, as they are for any field.
    fn apply(self, text: &str, dialect: &Dialect) -> Option<String> {
        if self == Rewrite::None {
            return None;
        }
        // Spaces and tabs are ASCII: the bounds fall between characters.
        let (start, end) = trim_bounds(text.as_bytes());
        let inner = &text[start..end];
        let rewritten = match self {
            Rewrite::None => None,
            Rewrite::Price => dialect.price(inner),
            Rewrite::Timestamp => dialect.timestamp(inner),
            Rewrite::Channel => dialect.channel(inner),
        }?;
        Some(format!("{}{rewritten}{}", &text[..start], &text[end..]))
    }
}

const STORE: usize = 3;
const CUSTOMER: usize = 4;
/// The id fields, by their place in [`columns::INPUT`]: transaction,
/// store, customer and product.
const IDS: [usize; 4] = [0, STORE, CUSTOMER, 5];

/// More characters than a warehouse id column holds
/// ([`crate::columns::MAX_TEXT_CHARS`]), counted as UTF-8 characters (bytes
/// that do not continue one), kept verbatim as they are stored.
fn longer_than_an_id(bytes: &[u8]) -> bool {
    let limit = crate::columns::MAX_TEXT_CHARS as usize;
    bytes.len() > limit && bytes.iter().filter(|b| (**b as i8) >= -0x40).count() > limit
}

/// A field without the spaces and tabs around it, as the rules read it.
fn trim_spaces(bytes: &[u8]) -> &[u8] {
    let (start, end) = trim_bounds(bytes);
    &bytes[start..end]
}

/// Where a field's text begins and ends without the spaces and tabs
/// around it.
fn trim_bounds(bytes: &[u8]) -> (usize, usize) {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |at| at + 1);
    (start, end)
}

/// The hash of a row's store and customer ids, byte for byte (a missing
/// field distinct from an empty one): the duplicate rule compares them, and
/// no other rule reads them.
fn other_values_hash(store: Option<&[u8]>, customer: Option<&[u8]>) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x07_e4).hash_one((store, customer))
}

/// A file's bytes from one offset up to a fixed size, read by offset
/// (`pread`), so that several readers share nothing and a reader can jump
/// to a record it read before.
pub struct Window {
    file: File,
    /// File offset of the next byte to read.
    at: u64,
    /// Nothing at or after this offset is read: the file's size when the
    /// run began, so a file that grows meanwhile is read as it was.
    end: u64,
}

impl Window {
    /// Moves past the next line feed (or to the end).
    fn skip_line(&mut self) -> std::io::Result<()> {
        let mut buffer = [0u8; 1 << 14];
        loop {
            let n = self.read(&mut buffer)?;
            if n == 0 {
                return Ok(());
            }
            if let Some(at) = memchr::memchr(b'\n', &buffer[..n]) {
                self.at -= (n - at - 1) as u64;
                return Ok(());
            }
        }
    }
}

impl Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.end.saturating_sub(self.at);
        let n = (buf.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        #[cfg(unix)]
        let got = std::os::unix::fs::FileExt::read_at(&self.file, &mut buf[..n], self.at)?;
        #[cfg(windows)]
        let got = std::os::windows::fs::FileExt::seek_read(&self.file, &mut buf[..n], self.at)?;
        self.at += got as u64;
        Ok(got)
    }
}

impl Seek for Window {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::Current(delta) => self.at.checked_add_signed(delta),
            SeekFrom::End(delta) => self.end.checked_add_signed(delta),
        };
        self.at = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.at)
    }
}

/// Splits bytes into CSV records with `csv-core` (RFC 4180 quoting, `#`
/// comment lines, blank lines skipped, LF, CRLF or CR endings) and tracks
/// the physical line each record starts on. Empty and comment lines are
/// passed over here, before the parser would, so that a record's first
/// byte (and so its line) is known exactly, and so that an oversized record
/// can be cut off and the bytes after its first line read again.
struct Records<R> {
    input: Source<R>,
    /// File offset of the input's first byte.
    origin: u64,
    /// Where the first record begins (or reading stopped, having found
    /// none), and the line feeds before it.
    entry: Option<(u64, u64)>,
    /// No record that begins at or after this file offset is read.
    stop_at: u64,
    parser: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// Line feeds consumed so far.
    newlines: u64,
    done: bool,
    max_record_bytes: usize,
    /// The current record's bytes that earlier calls of the parser read:
    /// kept only while a record spans calls (a buffer boundary, a field
    /// longer than the field buffer), and never more than the limit.
    spanned: Vec<u8>,
}

/// The parser's input: bytes given back after an oversized record first,
/// then the file's.
struct Source<R> {
    again: Vec<u8>,
    again_at: usize,
    file: BufReader<Tally<R>>,
    /// Bytes consumed, less those given back: the offset of the next byte
    /// to parse, counted from the input's first byte.
    position: u64,
}

impl<R: Read> Source<R> {
    fn fill(&mut self) -> std::io::Result<&[u8]> {
        if self.again_at < self.again.len() {
            return Ok(&self.again[self.again_at..]);
        }
        self.again.clear();
        self.again_at = 0;
        self.file.fill_buf()
    }

    /// [`Source::fill`], its error naming the line reached (`newlines`
    /// line feeds read so far).
    fn fill_at(&mut self, newlines: u64) -> Result<&[u8], String> {
        self.fill()
            .map_err(|e| format!("read failed at line {}: {e}", newlines + 1))
    }

    /// Marks `n` bytes of the last [`Source::fill`] as read.
    fn consume(&mut self, n: usize) {
        self.position += n as u64;
        if self.again_at < self.again.len() {
            self.again_at += n;
        } else {
            self.file.consume(n);
        }
    }

    /// Puts bytes already read back in front of the rest.
    fn give_back(&mut self, bytes: &[u8]) {
        self.position -= bytes.len() as u64;
        let mut again = Vec::with_capacity(bytes.len() + self.again.len() - self.again_at);
        again.extend_from_slice(bytes);
        again.extend_from_slice(&self.again[self.again_at..]);
        self.again = again;
        self.again_at = 0;
    }
}

/// The bytes a file reader has read, shown on the progress bar as they
/// pass, a buffer at a time.
struct Tally<R> {
    inner: R,
    progress: ProgressBar,
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

impl<R: Seek> Seek for Tally<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

/// One record, borrowed from [`Records`] until the next call.
struct Record<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
    /// Physical line of the record's first byte, 1-based.
    line: u64,
    /// File offset of the record's first byte.
    offset: u64,
    /// Set when the record was cut off at the limit: it has no fields.
    oversized: Option<Oversized>,
}

impl<R: Read> Records<R> {
    fn new(reader: R, progress: ProgressBar, max_record_bytes: usize) -> Result<Self, String> {
        let mut tally = Tally {
            inner: reader,
            progress,
        };
        // A read may return fewer bytes than asked for (a pipe): read the
        // three a BOM takes, or up to the end.
        let mut start = [0u8; 3];
        let mut have = 0;
        while have < start.len() {
            match tally.read(&mut start[have..]) {
                Ok(0) => break,
                Ok(n) => have += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read: {e}")),
            }
        }
        let start = &start[..have];
        let bom = start == UTF8_BOM;
        let mut records = Records::with_source(
            Source {
                again: if bom { Vec::new() } else { start.to_vec() },
                again_at: 0,
                file: BufReader::with_capacity(1 << 16, tally),
                position: 0,
            },
            0,
            max_record_bytes,
            u64::MAX,
        );
        if bom {
            records.input.position = UTF8_BOM.len() as u64;
        }
        Ok(records)
    }

    /// Records of an input that begins at file offset `origin`, where a
    /// record (or a line) begins: no BOM is looked for.
    fn resume(
        reader: R,
        origin: u64,
        max_record_bytes: usize,
        stop_at: u64,
        delimiter: u8,
    ) -> Self {
        let tally = Tally {
            inner: reader,
            progress: ProgressBar::hidden(),
        };
        let source = Source {
            again: Vec::new(),
            again_at: 0,
            file: BufReader::with_capacity(1 << 16, tally),
            position: 0,
        };
        let mut records = Records::with_source(source, origin, max_record_bytes, stop_at);
        records.set_delimiter(delimiter);
        records
    }

    /// Parses fields at `delimiter` from here on.
    fn set_delimiter(&mut self, delimiter: u8) {
        self.parser = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .comment(Some(b'#'))
            .build();
    }

    /// The bytes of the next line that holds a record (the header's, when
    /// called first), up to its line break and at most `limit` bytes, left
    /// unread: what the delimiter is sniffed from.
    fn peek_line(&mut self, limit: usize) -> Result<Vec<u8>, String> {
        self.pass_lines_without_records()?;
        let mut line = self.input.again[self.input.again_at..].to_vec();
        if memchr::memchr2(b'\n', b'\r', &line).is_none() {
            let more = self
                .input
                .file
                .fill_buf()
                .map_err(|e| format!("read failed at line {}: {e}", self.newlines + 1))?;
            line.extend_from_slice(more);
        }
        let end = memchr::memchr2(b'\n', b'\r', &line).unwrap_or(line.len());
        line.truncate(end.min(limit));
        Ok(line)
    }

    fn with_source(input: Source<R>, origin: u64, max_record_bytes: usize, stop_at: u64) -> Self {
        Records {
            input,
            origin,
            entry: None,
            stop_at,
            // Comment lines are passed over before the parser is called
            // at a record's start; the parser knows them too, so that it
            // would skip the same lines if it ever met one there.
            parser: csv_core::ReaderBuilder::new().comment(Some(b'#')).build(),
            fields: vec![0; 1 << 12],
            ends: vec![0; 32],
            newlines: 0,
            done: false,
            max_record_bytes,
            spanned: Vec::new(),
        }
    }

    /// File offset of the next byte to parse.
    fn offset(&self) -> u64 {
        self.origin + self.input.position
    }

    fn next(&mut self) -> Result<Option<Record<'_>>, String> {
        use csv_core::ReadRecordResult as Parsed;
        if self.done {
            return Ok(None);
        }
        self.pass_lines_without_records()?;
        let offset = self.offset();
        if self.entry.is_none() {
            self.entry = Some((offset, self.newlines));
        }
        if offset >= self.stop_at {
            self.done = true;
            return Ok(None);
        }
        let line = self.newlines + 1;
        let (mut field_bytes, mut field_count, mut record_bytes) = (0, 0, 0);
        self.spanned.clear();
        loop {
            let input = self.input.fill_at(self.newlines)?;
            let (result, read, written, ended) = self.parser.read_record(
                input,
                &mut self.fields[field_bytes..],
                &mut self.ends[field_count..],
            );
            let consumed = &input[..read];
            self.newlines += memchr::memchr_iter(b'\n', consumed).count() as u64;
            record_bytes += read;
            field_bytes += written;
            field_count += ended;
            if record_bytes > self.max_record_bytes && result != Parsed::End {
                let mut bytes = std::mem::take(&mut self.spanned);
                bytes.extend_from_slice(consumed);
                self.input.consume(read);
                let open_quote = self.resume_after_first_line(&bytes, result == Parsed::Record)?;
                bytes.clear();
                self.spanned = bytes;
                return Ok(Some(Record {
                    fields: &[],
                    ends: &[],
                    line,
                    offset,
                    oversized: Some(Oversized { line, open_quote }),
                }));
            }
            match result {
                Parsed::InputEmpty | Parsed::OutputFull | Parsed::OutputEndsFull => {
                    self.spanned.extend_from_slice(consumed);
                    self.input.consume(read);
                    if result == Parsed::OutputFull {
                        self.fields.resize(self.fields.len() * 2, 0);
                    } else if result == Parsed::OutputEndsFull {
                        self.ends.resize(self.ends.len() * 2, 0);
                    }
                }
                Parsed::Record => {
                    self.input.consume(read);
                    return Ok(Some(Record {
                        fields: &self.fields[..field_bytes],
                        ends: &self.ends[..field_count],
                        line,
                        offset,
                        oversized: None,
                    }));
                }
                Parsed::End => {
                    self.done = true;
                    self.input.consume(read);
                    return Ok(None);
                }
            }
        }
    }

    /// After a record longer than the limit (`bytes`: all of it read so
    /// far; `complete`: the parser reached its end), reading goes on at the
    /// first line break after its first byte, wherever the reads happened
    /// to stop: the bytes after that break are given back to be parsed
    /// again, or, when none was read yet, the input is passed over up to
    /// it. True when that break lies inside the record and within the
    /// limit: a quoted field opened on the record's first line and ran on.
    fn resume_after_first_line(&mut self, bytes: &[u8], complete: bool) -> Result<bool, String> {
        self.parser.reset();
        let body = match bytes.split_last() {
            Some((b'\n' | b'\r', body)) if complete => body,
            _ => bytes,
        };
        if let Some(at) = memchr::memchr2(b'\n', b'\r', body) {
            let again = &bytes[at + 1..];
            self.newlines -= memchr::memchr_iter(b'\n', again).count() as u64;
            self.input.give_back(again);
            return Ok(at < self.max_record_bytes);
        }
        if complete {
            return Ok(false);
        }
        loop {
            let input = self.input.fill_at(self.newlines)?;
            if input.is_empty() {
                return Ok(false);
            }
            match memchr::memchr2(b'\n', b'\r', input) {
                Some(at) => {
                    self.newlines += u64::from(input[at] == b'\n');
                    self.input.consume(at + 1);
                    return Ok(false);
                }
                None => {
                    let all = input.len();
                    self.input.consume(all);
                }
            }
        }
    }

    /// Passes over what the parser skips where a record may start: the
    /// line breaks of empty lines, and `#` comment lines (which end at a
    /// line feed, as the parser's do).
    fn pass_lines_without_records(&mut self) -> Result<(), String> {
        let mut in_comment = false;
        loop {
            let input = self.input.fill_at(self.newlines)?;
            if in_comment {
                match memchr::memchr(b'\n', input) {
                    Some(at) => {
                        self.input.consume(at + 1);
                        self.newlines += 1;
                        in_comment = false;
                    }
                    None if input.is_empty() => return Ok(()),
                    None => {
                        let all = input.len();
                        self.input.consume(all);
                    }
                }
                continue;
            }
            match input.first() {
                Some(b'\n') => {
                    self.input.consume(1);
                    self.newlines += 1;
                }
                Some(b'\r') => self.input.consume(1),
                Some(b'#') => {
                    self.input.consume(1);
                    in_comment = true;
                }
                _ => return Ok(()),
            }
        }
    }
}

impl<R: Read + Seek> Records<R> {
    /// Goes to a record read before: `place` is where it begins.
    fn jump(&mut self, place: Place) -> std::io::Result<()> {
        // Bytes given back and not read again lie between the parser's
        // position and the file reader's.
        let ahead = (self.input.again.len() - self.input.again_at) as u64;
        self.input.again.clear();
        self.input.again_at = 0;
        let delta = place.offset as i64 - (self.origin + self.input.position + ahead) as i64;
        self.input.file.seek_relative(delta)?;
        self.input.position = place.offset - self.origin;
        self.parser.reset();
        self.newlines = place.line_feeds;
        self.done = false;
        self.stop_at = u64::MAX;
        Ok(())
    }
}

impl Record<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(&self.fields[start..end])
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Every field's bytes, concatenated.
    fn bytes(&self) -> &[u8] {
        self.fields
    }

    /// A line of only spaces or tabs parses as one such field; it is not a row.
    fn is_blank(&self) -> bool {
        self.len() == 1 && self.fields.iter().all(|b| *b == b' ' || *b == b'\t')
    }
}

/// A file's header: which field holds which sales column.
#[derive(Debug, Clone)]
pub struct Header {
    /// Number of fields in the header; every data row must have as many.
    width: usize,
    /// For each of `columns::INPUT`, its field position in this file.
    positions: [Option<usize>; 8],
    unknown: Vec<String>,
    /// How the file is written, for every reader of it.
    pub dialect: Dialect,
}

/// The header `record` (`line`: its raw bytes) of a file in `dialect`.
fn parse_header(record: &Record, line: &[u8], dialect: Dialect) -> Result<Header, String> {
    if std::str::from_utf8(record.bytes()).is_err() || record.bytes().contains(&0) {
        return Err(format!(
            "not a UTF-8 text file: the header (line {}) holds {}{}",
            record.line,
            if record.bytes().contains(&0) {
                "NUL bytes"
            } else {
                "bytes that are not UTF-8"
            },
            crate::read::decode::would_fit(line, settings::Encoding::Utf8)
        ));
    }
    let mut positions = [None; 8];
    let mut unknown = Vec::new();
    for (position, raw) in record.iter().enumerate() {
        // Checked above: the whole record is UTF-8.
        let name = String::from_utf8_lossy(raw);
        let key = name.trim().to_lowercase();
        let key = dialect.column_of(&key).to_owned();
        match columns::INPUT.iter().position(|c| *c == key) {
            Some(i) if positions[i].is_some() => {
                return Err(format!(
                    "column `{key}` appears more than once in the header"
                ));
            }
            Some(i) => positions[i] = Some(position),
            None => unknown.push(name.into_owned()),
        }
    }
    let missing: Vec<&str> = columns::INPUT
        .iter()
        .zip(&positions)
        .filter(|(name, position)| position.is_none() && !columns::OPTIONAL.contains(name))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let split = match dialect::better_delimiter(line, dialect.delimiter, &dialect) {
            Some(other) => format!(
                "; the header splits into every sales column at `{}`, not at `{}`: try `--delimiter '{}'`",
                settings::delimiter_name(other),
                settings::delimiter_name(dialect.delimiter),
                settings::delimiter_name(other),
            ),
            None if !unknown.is_empty() => format!(
                "; its other columns are {}: a `columns = {{ \"{}\" = \"{}\" }}` line in sales-etl.toml names one",
                unknown
                    .iter()
                    .take(8)
                    .map(|c| format!("`{}`", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", "),
                unknown[0].trim(),
                missing[0],
            ),
            None => String::new(),
        };
        return Err(format!(
            "missing required column{} {list} (header line {}){split}",
            crate::messages::plural(missing.len()),
            record.line,
        ));
    }
    Ok(Header {
        width: record.len(),
        positions,
        unknown,
        dialect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price\n";

    fn rows(input: &[u8]) -> FileRows {
        parse(input, 0, 0, Limits::default(), &ProgressBar::hidden()).unwrap()
    }

    fn limited(input: &[u8], max_record_bytes: usize) -> FileRows {
        let limits = Limits {
            max_record_bytes,
            ..Limits::default()
        };
        parse(input, 0, 0, limits, &ProgressBar::hidden()).unwrap()
    }

    use crate::columns::texts as text;

    fn numbers(frame: &DataFrame, column: &str) -> Vec<u64> {
        frame
            .column(column)
            .unwrap()
            .u64()
            .unwrap()
            .iter()
            .map(Option::unwrap)
            .collect()
    }

    fn flags(frame: &DataFrame, column: &str) -> Vec<bool> {
        frame
            .column(column)
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(Option::unwrap)
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_physical_lines() {
        let input = format!(
            "# exported 2024-03-01\n{HEADER}T1,2024-03-01 10:00:00,web,,C1,P1,1,2.50\n\n   \n# comment\nT2,2024-03-01 11:00:00,web,,C1,P1,2,2.50\n"
        );
        let got = rows(input.as_bytes());
        assert_eq!(got.data_rows, 2);
        assert_eq!(numbers(&got.frame, columns::SOURCE_LINE), [3, 7]);
        assert_eq!(
            text(&got.frame, columns::TRANSACTION_ID),
            [Some("T1".into()), Some("T2".into())]
        );
    }

    #[test]
    fn quoted_newlines_hash_and_crlf() {
        let input = format!(
            "{}\"T1\",2024-03-01 10:00:00,web,,\"Doe, \"\"J\"\"\n# not a comment\",P1,1,2.50\r\nT2,2024-03-01 10:00:00,web,,#5,P1,1,2.50\r\n",
            HEADER.replace('\n', "\r\n")
        );
        let got = rows(input.as_bytes());
        assert_eq!(
            text(&got.frame, columns::CUSTOMER_ID),
            [
                Some("Doe, \"J\"\n# not a comment".into()),
                Some("#5".into())
            ]
        );
        assert_eq!(numbers(&got.frame, columns::SOURCE_LINE), [2, 4]);
        assert_eq!(flags(&got.frame, columns::RAGGED), [false, false]);
    }

    #[test]
    fn lines_at_end_of_input() {
        // No final line feed; then an unterminated quote that swallows the
        // rest of the file, final line feed included.
        let input = format!("{HEADER}T1,a,web,,C,P,1,2\nT2,a,web,,C,P,1,2");
        assert_eq!(
            numbers(&rows(input.as_bytes()).frame, columns::SOURCE_LINE),
            [2, 3]
        );
        let input = format!("{HEADER}T1,a,web,,\"C,P,1,2\nT2,a,web,,C,P,1,2\n");
        let got = rows(input.as_bytes());
        assert_eq!(numbers(&got.frame, columns::SOURCE_LINE), [2]);
        assert_eq!(flags(&got.frame, columns::RAGGED), [true]);
        // A lone CR ends a line too.
        let input = format!(
            "{}T1,a,web,,C,P,1,2\rT2,a,web,,C,P,1,2\r",
            HEADER.replace('\n', "\r")
        );
        assert_eq!(
            numbers(&rows(input.as_bytes()).frame, columns::SOURCE_LINE).len(),
            2
        );
    }

    #[test]
    fn bom_any_column_order_case_and_spaces() {
        let input = b"\xEF\xBB\xBF Quantity ,UNIT_PRICE,product_id,channel,timestamp,transaction_id,discount\n3,1.00,P9,web,2024-03-01 10:00:00,T1,0.1\n";
        let got = rows(input);
        assert_eq!(text(&got.frame, columns::QUANTITY), [Some("3".into())]);
        assert_eq!(text(&got.frame, columns::STORE_ID), [None]);
        assert_eq!(got.unknown_columns, ["discount"]);
    }

    #[test]
    fn ragged_rows_are_flagged_not_fixed() {
        let input = format!(
            "{HEADER}T1,2024-03-01 10:00:00,web\nT2,2024-03-01 10:00:00,web,,C,P,1,2,extra\n"
        );
        let got = rows(input.as_bytes());
        assert_eq!(flags(&got.frame, columns::RAGGED), [true, true]);
        assert_eq!(
            text(&got.frame, columns::QUANTITY),
            [None, Some("1".into())]
        );
    }

    #[test]
    fn invalid_utf8_and_nul_are_data_not_crashes() {
        let mut input = HEADER.as_bytes().to_vec();
        input.extend_from_slice(
            b"T\xFF1,2024-03-01 10:00:00,web,,C,P,1,2\nT\x002,2024-03-01 10:00:00,web,,C,P,1,2\n",
        );
        let got = rows(&input);
        assert_eq!(flags(&got.frame, columns::BAD_ENCODING), [true, false]);
        assert_eq!(
            text(&got.frame, columns::TRANSACTION_ID)[1],
            Some("T\u{0}2".into())
        );
    }

    #[track_caller]
    fn bad(input: &[u8], expected: &str) {
        let problem = parse(input, 0, 0, Limits::default(), &ProgressBar::hidden()).unwrap_err();
        assert!(
            problem.contains(expected),
            "{problem:?} does not contain {expected:?}"
        );
    }

    #[test]
    fn unusable_files() {
        bad(b"", "no header row");
        bad(b"# only a comment\n\n", "no header row");
        bad(
            b"transaction_id,timestamp,channel\n",
            "missing required columns `product_id`, `quantity`, `unit_price`",
        );
        bad(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a");
        bad(
            b"transaction_id,timestamp,channel,product_id,quantity,unit_price,Quantity\n",
            "column `quantity` appears more than once",
        );
    }

    #[test]
    fn header_only_file_has_no_rows() {
        assert_eq!(rows(HEADER.as_bytes()).data_rows, 0);
    }

    /// A reader that hands out a few bytes per call, so that records span
    /// many buffers and the parser's every partial state is met.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// Lines, oversized flags, ragged flags and transaction ids, row by row.
    fn shape(got: &FileRows) -> Vec<(u64, bool, bool, Option<String>)> {
        let lines = numbers(&got.frame, columns::SOURCE_LINE);
        let oversized = flags(&got.frame, columns::OVERSIZED);
        let ragged = flags(&got.frame, columns::RAGGED);
        let ids = text(&got.frame, columns::TRANSACTION_ID);
        (0..lines.len())
            .map(|i| (lines[i], oversized[i], ragged[i], ids[i].clone()))
            .collect()
    }

    /// `count` good rows with ids T0, T1, …
    fn good_rows(count: usize) -> String {
        (0..count)
            .map(|i| format!("T{i},2024-03-01 10:00:00,web,,C1,P1,1,2.50\n"))
            .collect()
    }

    #[test]
    fn a_long_line_is_one_oversized_row_and_reading_goes_on() {
        let long = "x".repeat(300);
        let input =
            format!("{HEADER}T0,a,web,,C,P,1,2\nL,{long},web,,C,P,1,2\r\nT2,a,web,,C,P,1,2\n");
        let got = limited(input.as_bytes(), 200);
        assert_eq!(
            shape(&got),
            [
                (2, false, false, Some("T0".into())),
                (3, true, false, None),
                (4, false, false, Some("T2".into())),
            ]
        );
        assert_eq!(got.data_rows, 3);
    }

    /// Issue "hardening", case 10: one unterminated quote turned the rest
    /// of the file into a single ragged row.
    #[test]
    fn an_unterminated_quote_costs_one_row_not_the_rest_of_the_file() {
        let input = format!(
            "{HEADER}# a comment\nT-open,a,web,,\"Doe,P,1,2\n{}",
            good_rows(1_000)
        );
        let got = limited(input.as_bytes(), 4_096);
        let shape = shape(&got);
        assert_eq!(shape.len(), 1_001);
        assert_eq!(shape[0], (3, true, false, None));
        for (i, row) in shape[1..].iter().enumerate() {
            assert_eq!(*row, (4 + i as u64, false, false, Some(format!("T{i}"))));
        }
        let mut reader = FileReader::new(
            input.as_bytes(),
            0,
            ProgressBar::hidden(),
            Limits {
                max_record_bytes: 4_096,
                ..Limits::default()
            },
            &Resolved::default(),
        )
        .unwrap();
        while reader.next_chunk(100).unwrap().is_some() {}
        let (first, all) = reader.oversized();
        assert_eq!(all, 1);
        assert_eq!(
            first,
            [Oversized {
                line: 3,
                open_quote: true
            }]
        );
        // Below the limit the quote still runs to the end of the file.
        let small = format!("{HEADER}T-open,a,web,,\"Doe,P,1,2\n{}", good_rows(3));
        assert_eq!(shape_of(&rows(small.as_bytes())), [(2, false, true)]);
    }

    fn shape_of(got: &FileRows) -> Vec<(u64, bool, bool)> {
        shape(got)
            .into_iter()
            .map(|(l, o, r, _)| (l, o, r))
            .collect()
    }

    #[test]
    fn a_line_without_end_is_passed_over_in_bounded_memory() {
        let limit = 1_000;
        let mut input = HEADER.as_bytes().to_vec();
        input.extend(std::iter::repeat_n(b'y', 2_000_000));
        input.extend_from_slice(b"\nT1,a,web,,C,P,1,2\n");
        let mut records = Records::new(&input[..], ProgressBar::hidden(), limit).unwrap();
        let mut seen = Vec::new();
        while let Some(record) = records.next().unwrap() {
            seen.push((record.line, record.oversized.is_some(), record.len()));
        }
        assert_eq!(seen, [(1, false, 8), (2, true, 0), (3, false, 8)]);
        assert!(
            records.fields.len() <= 2 * limit + 4_096,
            "{}",
            records.fields.len()
        );
        assert!(records.spanned.capacity() <= limit + (1 << 16));
        // Without a line break at all: the row, then the end of the file.
        let mut input = HEADER.as_bytes().to_vec();
        input.extend(std::iter::repeat_n(b'"', 5_000));
        assert_eq!(shape_of(&limited(&input, limit)), [(2, true, false)]);
    }

    #[track_caller]
    fn beyond(input: &str, max_record_bytes: usize, max_columns: usize, expected: &str) {
        let limits = Limits {
            max_record_bytes,
            max_columns,
        };
        let problem = parse(input.as_bytes(), 0, 0, limits, &ProgressBar::hidden()).unwrap_err();
        assert!(problem.contains(expected), "{problem:?} lacks {expected:?}");
    }

    #[test]
    fn headers_beyond_the_limits_make_a_bad_file() {
        let wide = format!("{},x\n", "c,".repeat(20));
        beyond(&wide, 30, 10, "longer than 30 bytes (--max-record-bytes)");
        beyond(
            &wide,
            1_000,
            10,
            "has 22 columns, more than 10 (--max-columns)",
        );
    }

    #[test]
    fn a_huge_comment_line_is_passed_over() {
        let input = format!("#{}\n{HEADER}T1,a,web,,C,P,1,2\n", "c".repeat(100_000));
        let got = limited(input.as_bytes(), 100);
        assert_eq!(shape_of(&got), [(3, false, false)]);
    }

    /// A file of `text` in a temporary folder, as the pipeline finds it.
    fn input_file(dir: &std::path::Path, text: &str) -> InputFile {
        let path = dir.join("a.csv");
        std::fs::write(&path, text).unwrap();
        InputFile {
            name: "a.csv".into(),
            size: text.len() as u64,
            path,
        }
    }

    /// Inputs at the edges of the record reader: BOM and comment lines,
    /// CRLF with a quoted CRLF, an open quote, long lines inside and outside
    /// quotes, an unterminated quote at the end, CR-only lines.
    fn edge_cases() -> [String; 6] {
        let long = "z".repeat(150);
        [
            format!("\u{feff}# c\n\n{HEADER}{}", good_rows(20)),
            format!(
                "{}T1,a,web,,\"x\r\ny\",P,1,2\r\n\r\n# c\r\nT2,a,web,,C,P,1,2\r\n",
                HEADER.replace('\n', "\r\n")
            ),
            format!("{HEADER}T1,a,web,,\"open,P,1,2\n{}", good_rows(30)),
            format!(
                "{HEADER}T1,{long},web\n{}L,\"{long}\n{long}\",P\n{}",
                good_rows(3),
                good_rows(2)
            ),
            format!("{HEADER}T1,a,web,,C,P,1,2\n\"{long}"),
            format!(
                "{}T1,a,web,,C,P,1,2\rT2,a,web,,C,P,1,2\r",
                HEADER.replace('\n', "\r")
            ),
        ]
    }

    /// Rows read again by offset (what the run does for the rows it writes
    /// out) equal the rows of the sequential read, after oversized records
    /// whose bytes were given back too.
    #[test]
    fn rows_fetched_by_offset_equal_the_rows_read() {
        let inputs = edge_cases();
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_record_bytes: 128,
            ..Limits::default()
        };
        for input in &inputs {
            let file = input_file(dir.path(), input);
            let mut reader = whole_range(&file, limits);
            let read = reader.next_chunk(usize::MAX).unwrap().unwrap();
            let places: Vec<Place> = numbers(&read, columns::SOURCE_OFFSET)
                .into_iter()
                .zip(numbers(&read, columns::SOURCE_LINE))
                .map(|(offset, line)| Place {
                    offset,
                    line_feeds: line - 1,
                })
                .collect();
            // In order, and every other row backwards-free: jumps both ways.
            assert_eq!(reader.fetch(&places).unwrap(), read, "{input:?}");
            let odd: Vec<Place> = places.iter().copied().skip(1).step_by(2).collect();
            let fetched = reader.fetch(&odd).unwrap();
            assert_eq!(fetched.height(), odd.len());
            assert_eq!(
                numbers(&fetched, columns::SOURCE_LINE),
                odd.iter().map(|p| p.line_feeds + 1).collect::<Vec<_>>()
            );
        }
    }

    /// A reader of the whole of `file`, as one range after its header.
    fn whole_range(file: &InputFile, limits: Limits) -> FileReader<Window> {
        let opened = FileReader::open(
            file,
            0,
            &ProgressBar::hidden(),
            limits,
            &Resolved::default(),
        )
        .unwrap();
        FileReader::range(
            file,
            opened.header(),
            0,
            opened.position(),
            true,
            u64::MAX,
            file.size,
            limits,
        )
        .unwrap()
    }

    /// Rows for screening: parsed fields trimmed as the rules read them,
    /// ids verbatim, store and customer ids only in their hash (a missing
    /// field distinct from an empty one).
    #[test]
    fn rows_for_screening() {
        let input = format!(
            "{HEADER} T1 ,\t2024-03-01 10:00:00 , web ,S1,C1, P1 , 2 ,\t9.99\nT2,a,web,,C1,P,1,2\nT3,a,web\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = input_file(dir.path(), &input);
        let limits = Limits::default();
        let mut reader = whole_range(&file, limits).for_screening();
        let rows = reader.next_chunk(10).unwrap().unwrap();
        let first = |column: &str| text(&rows, column)[0].clone();
        assert_eq!(first(columns::TRANSACTION_ID).as_deref(), Some(" T1 "));
        assert_eq!(first(columns::PRODUCT_ID).as_deref(), Some(" P1 "));
        assert_eq!(
            first(columns::TIMESTAMP).as_deref(),
            Some("2024-03-01 10:00:00")
        );
        assert_eq!(first(columns::CHANNEL).as_deref(), Some("web"));
        assert_eq!(first(columns::QUANTITY).as_deref(), Some("2"));
        assert_eq!(first(columns::UNIT_PRICE).as_deref(), Some("9.99"));
        assert_eq!(text(&rows, columns::CUSTOMER_ID), [None, None, None]);
        let hashes = numbers(&rows, columns::OTHER_VALUES);
        // ("S1", "C1"), ("", "C1"), (missing, missing): all different.
        assert_ne!(hashes[0], hashes[1]);
        assert_ne!(hashes[1], hashes[2]);
        assert_eq!(trim_spaces(b" \t a b\t "), b"a b");
        assert_eq!(trim_spaces(b" \t "), b"");
    }

    /// Issue "checks that can fail", a promise without a test: a chunk
    /// holds at most [`CHUNK_BYTES`] of text however many rows were asked
    /// for, and the rows it leaves come in the next.
    #[test]
    fn a_chunk_stops_at_its_byte_cap() {
        // Half a MiB a row, within the default record limit (a record over
        // it keeps no field, and so no text).
        let wide = "p".repeat(1 << 19);
        let mut input = HEADER.to_owned();
        for i in 0..80 {
            input.push_str(&format!("T{i},2024-03-01 10:00:00,web,,C,{wide},1,2\n"));
        }
        let dir = tempfile::tempdir().unwrap();
        let file = input_file(dir.path(), &input);
        let limits = Limits::default();
        let mut reader = whole_range(&file, limits);
        let mut heights = Vec::new();
        while let Some(rows) = reader.next_chunk(1_000).unwrap() {
            heights.push(rows.height());
        }
        // The row that reaches the cap is the chunk's last.
        let most = CHUNK_BYTES / (1 << 19);
        assert_eq!(heights, [most, 80 - most], "rows per chunk");
        assert_eq!(reader.counted(), 80);
    }

    /// A range that begins at a guessed line start inside a quoted field
    /// finds a first record other than where the range before it stops:
    /// the run's check for reading the range again.
    #[test]
    fn a_range_guessed_inside_a_quoted_field_does_not_match() {
        let text =
            format!("{HEADER}T1,a,web,,\"x\nT9,a,web,,C,P,1,2\nz\",P,1,2\nT2,a,web,,C,P,1,2\n");
        let dir = tempfile::tempdir().unwrap();
        let file = input_file(dir.path(), &text);
        let limits = Limits::default();
        let opened = FileReader::open(
            &file,
            0,
            &ProgressBar::hidden(),
            limits,
            &Resolved::default(),
        )
        .unwrap();
        let cut = (HEADER.len() + 5) as u64;
        let mut first = FileReader::range(
            &file,
            opened.header(),
            0,
            opened.position(),
            true,
            cut,
            file.size,
            limits,
        )
        .unwrap();
        while first.next_chunk(100).unwrap().is_some() {}
        let stop = first.stopped().unwrap();
        let mut guessed = FileReader::range(
            &file,
            opened.header(),
            0,
            Place {
                offset: cut,
                line_feeds: 0,
            },
            false,
            u64::MAX,
            file.size,
            limits,
        )
        .unwrap();
        while guessed.next_chunk(100).unwrap().is_some() {}
        assert_ne!(guessed.entry().unwrap().offset, stop.offset);
        // Read again from where the first range stopped: T2 on line 5.
        let mut again = FileReader::range(
            &file,
            opened.header(),
            0,
            stop,
            true,
            u64::MAX,
            file.size,
            limits,
        )
        .unwrap();
        let rows = again.next_chunk(100).unwrap().unwrap();
        assert_eq!(numbers(&rows, columns::SOURCE_LINE), [5]);
    }

    /// Records that span reads (a few bytes per read) come out exactly as
    /// from one buffer: lines, flags, fields, limits and all.
    #[test]
    fn reads_of_any_size_give_the_same_rows() {
        let inputs = edge_cases();
        for input in &inputs {
            let whole = limited(input.as_bytes(), 128);
            for piece in [1, 3, 7, 64] {
                let trickled = parse(
                    Trickle(input.as_bytes(), piece),
                    0,
                    0,
                    Limits {
                        max_record_bytes: 128,
                        ..Limits::default()
                    },
                    &ProgressBar::hidden(),
                )
                .unwrap();
                assert_eq!(
                    trickled.frame, whole.frame,
                    "{input:?} in pieces of {piece}"
                );
            }
        }
    }
}
