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
//! header, a required column missing) is returned as a [`BadFile`].

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use indicatif::ProgressBar;
use polars::prelude::*;
use sha2::{Digest, Sha256};

use crate::columns;
use crate::discover::InputFile;
use crate::error::BadFile;

/// The rows of one input file.
#[derive(Debug)]
pub struct FileRows {
    pub frame: DataFrame,
    /// Data rows read: every record but the header, comments and blank lines.
    pub data_rows: u64,
    /// Header columns that are not sales columns, left out of the clean data.
    pub unknown_columns: Vec<String>,
    /// SHA-256 of the file's bytes, hex, computed while reading.
    pub sha256: String,
}

/// A frame with the columns of [`parse`] and no rows: the run's rows when
/// every file was skipped.
pub fn empty() -> DataFrame {
    let header = columns::INPUT.join(",");
    parse(header.as_bytes(), 0, 0, &ProgressBar::hidden())
        .expect("the canonical header parses")
        .frame
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses CSV bytes whole: the first record that is neither a comment nor
/// blank is the header. `capacity` is a row-count hint for the column
/// builders.
pub fn parse<R: Read>(
    reader: R,
    file_index: u32,
    capacity: usize,
    progress: &ProgressBar,
) -> Result<FileRows, String> {
    let mut reader = FileReader::new(reader, file_index, progress.clone(), true)?;
    let frame = reader.chunk(usize::MAX, capacity)?;
    Ok(FileRows {
        frame,
        data_rows: reader.data_rows(),
        unknown_columns: reader.unknown_columns().to_vec(),
        sha256: reader.sha256().unwrap_or_default(),
    })
}

/// Reads one file's rows in chunks of at most a given number of rows, so
/// that a run holds one chunk of raw text at a time however large the file.
/// Chunks come in file order; their rows are numbered by physical line.
pub struct FileReader<R> {
    records: Records<R>,
    header: Header,
    file_index: u32,
    data_rows: u64,
}

impl FileReader<File> {
    /// Opens a file and reads its header; `sha256`: hash the file for the
    /// run record (else only the cheap CRC-32 is kept).
    pub fn open(
        file: &InputFile,
        index: u32,
        progress: &ProgressBar,
        sha256: bool,
    ) -> Result<FileReader<File>, BadFile> {
        let handle = File::open(&file.path).map_err(|e| BadFile {
            file: file.name.clone(),
            problem: format!("cannot open: {e}"),
        })?;
        FileReader::new(handle, index, progress.clone(), sha256).map_err(|problem| BadFile {
            file: file.name.clone(),
            problem,
        })
    }
}

impl<R: Read> FileReader<R> {
    /// Reads up to the header: the first record that is neither a comment
    /// nor blank.
    pub fn new(
        reader: R,
        file_index: u32,
        progress: ProgressBar,
        sha256: bool,
    ) -> Result<Self, String> {
        let mut records = Records::new(reader, progress, sha256)?;
        let header = loop {
            let Some(record) = records.next()? else {
                return Err(
                    "no header row: the file is empty or holds only comments and blank lines"
                        .into(),
                );
            };
            if !record.is_blank() {
                break parse_header(&record)?;
            }
        };
        Ok(FileReader {
            records,
            header,
            file_index,
            data_rows: 0,
        })
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

    /// Header columns that are not sales columns, left out of the clean data.
    pub fn unknown_columns(&self) -> &[String] {
        &self.header.unknown
    }

    /// SHA-256 of the bytes read so far, hex, if asked for at
    /// [`FileReader::new`]: of the whole file once
    /// [`FileReader::next_chunk`] has returned `None`.
    pub fn sha256(&self) -> Option<String> {
        let sha = self.records.digest().sha.as_ref()?;
        Some(format!("{:x}", sha.clone().finalize()))
    }

    /// Bytes read so far and their CRC-32: enough to tell that two reads
    /// of a file met the same bytes.
    pub fn fingerprint(&self) -> (u64, u32) {
        let digest = self.records.digest();
        (digest.bytes, digest.crc.clone().finalize())
    }

    /// Up to `max_rows` rows (possibly none) as a frame: the eight input
    /// fields as text (null where the file has no such column or the row is
    /// short), file index, physical line, and the `ragged` and
    /// `bad_encoding` flags.
    fn chunk(&mut self, max_rows: usize, capacity: usize) -> Result<DataFrame, String> {
        let header = &self.header;
        let mut text: Vec<Option<StringChunkedBuilder>> = columns::INPUT
            .iter()
            .zip(&header.positions)
            .map(|(name, position)| {
                position.map(|_| StringChunkedBuilder::new((*name).into(), capacity))
            })
            .collect();
        let mut lines: Vec<u64> = Vec::with_capacity(capacity);
        let mut ragged: Vec<bool> = Vec::with_capacity(capacity);
        let mut bad_encoding: Vec<bool> = Vec::with_capacity(capacity);

        while lines.len() < max_rows {
            let Some(record) = self.records.next()? else {
                break;
            };
            if record.is_blank() {
                continue;
            }
            lines.push(record.line);
            ragged.push(record.len() != header.width);
            // One check for the whole record; per field only when it fails.
            let record_is_text = std::str::from_utf8(record.bytes()).is_ok();
            bad_encoding.push(!record_is_text);
            for (builder, position) in text.iter_mut().zip(&header.positions) {
                let (Some(builder), Some(position)) = (builder, position) else {
                    continue;
                };
                match record.get(*position) {
                    None => builder.append_null(),
                    Some(bytes) if record_is_text => {
                        // The whole record is UTF-8 and fields split at ASCII
                        // bytes, so every field is UTF-8 too.
                        builder.append_value(std::str::from_utf8(bytes).unwrap_or_default())
                    }
                    Some(bytes) => builder.append_value(String::from_utf8_lossy(bytes)),
                }
            }
        }

        let rows = lines.len();
        self.data_rows += rows as u64;
        let mut frame_columns: Vec<Column> = Vec::with_capacity(columns::INPUT.len() + 4);
        frame_columns.push(Column::new_scalar(
            columns::FILE_INDEX.into(),
            Scalar::from(self.file_index),
            rows,
        ));
        frame_columns.push(Column::new(columns::SOURCE_LINE.into(), lines));
        frame_columns.push(Column::new(columns::RAGGED.into(), ragged));
        frame_columns.push(Column::new(columns::BAD_ENCODING.into(), bad_encoding));
        for (name, builder) in columns::INPUT.iter().zip(text) {
            frame_columns.push(match builder {
                Some(builder) => builder.finish().into_column(),
                None => Column::full_null((*name).into(), rows, &DataType::String),
            });
        }
        DataFrame::new(rows, frame_columns).map_err(|e| format!("cannot build rows: {e}"))
    }
}

/// Splits bytes into CSV records with `csv-core` (RFC 4180 quoting, `#`
/// comment lines, blank lines skipped, LF, CRLF or CR endings) and tracks
/// the physical line each record starts on, which `csv`'s own position does
/// not give exactly (it counts skipped comment lines and the LF of a CRLF
/// into the next record).
struct Records<R> {
    input: BufReader<Tally<R>>,
    parser: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// Line feeds consumed so far.
    newlines: u64,
    done: bool,
}

/// The bytes a file reader has read: counted, shown on the progress bar and
/// hashed as they pass, a buffer at a time.
struct Tally<R> {
    inner: R,
    /// SHA-256 for the run record, when asked for.
    sha: Option<Sha256>,
    /// CRC-32, cheap, to see that a second read met the same bytes.
    crc: crc32fast::Hasher,
    bytes: u64,
    progress: ProgressBar,
}

impl<R: Read> Read for Tally<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let bytes = &buf[..n];
        if let Some(sha) = &mut self.sha {
            sha.update(bytes);
        }
        self.crc.update(bytes);
        self.bytes += n as u64;
        self.progress.inc(n as u64);
        Ok(n)
    }
}

/// One record, borrowed from [`Records`] until the next call.
struct Record<'a> {
    fields: &'a [u8],
    ends: &'a [usize],
    /// Physical line of the record's first byte, 1-based.
    line: u64,
}

impl<R: Read> Records<R> {
    fn new(reader: R, progress: ProgressBar, sha256: bool) -> Result<Self, String> {
        let digest = Tally {
            inner: reader,
            sha: sha256.then(Sha256::new),
            crc: crc32fast::Hasher::new(),
            bytes: 0,
            progress,
        };
        let mut input = BufReader::with_capacity(1 << 16, digest);
        let start = input.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
        if start.starts_with(UTF8_BOM) {
            input.consume(UTF8_BOM.len());
        }
        Ok(Records {
            input,
            parser: csv_core::ReaderBuilder::new().comment(Some(b'#')).build(),
            fields: vec![0; 1 << 12],
            ends: vec![0; 32],
            newlines: 0,
            done: false,
        })
    }

    fn next(&mut self) -> Result<Option<Record<'_>>, String> {
        use csv_core::ReadRecordResult as Parsed;
        if self.done {
            return Ok(None);
        }
        let (mut field_bytes, mut field_count) = (0, 0);
        let mut last_byte = b'\n';
        loop {
            let line = self.newlines + 1;
            let input = self
                .input
                .fill_buf()
                .map_err(|e| format!("read failed at line {line}: {e}"))?;
            let at_end_of_input = input.is_empty();
            let (result, read, written, ended) = self.parser.read_record(
                input,
                &mut self.fields[field_bytes..],
                &mut self.ends[field_count..],
            );
            self.newlines += memchr::memchr_iter(b'\n', &input[..read]).count() as u64;
            if read > 0 {
                last_byte = input[read - 1];
            }
            self.input.consume(read);
            field_bytes += written;
            field_count += ended;
            match result {
                Parsed::InputEmpty => continue,
                Parsed::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                Parsed::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Parsed::Record => {
                    let fields = &self.fields[..field_bytes];
                    // The record ends on the line of its terminator, whose
                    // LF (if it is one) is counted already; a record cut
                    // short by the end of the input has no terminator, and
                    // a final LF there belongs to a quoted field. It starts
                    // as many lines earlier as it holds quoted line feeds.
                    let terminated_by_lf = !at_end_of_input && last_byte == b'\n';
                    let end_line = self.newlines + u64::from(!terminated_by_lf);
                    let inside = memchr::memchr_iter(b'\n', fields).count() as u64;
                    return Ok(Some(Record {
                        fields,
                        ends: &self.ends[..field_count],
                        line: end_line - inside,
                    }));
                }
                Parsed::End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        }
    }
}

impl<R> Records<R> {
    /// What is known of the bytes read so far: of the whole file once
    /// `next` has returned `None`.
    fn digest(&self) -> &Tally<R> {
        self.input.get_ref()
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

struct Header {
    /// Number of fields in the header; every data row must have as many.
    width: usize,
    /// For each of `columns::INPUT`, its field position in this file.
    positions: [Option<usize>; 8],
    unknown: Vec<String>,
}

fn parse_header(record: &Record) -> Result<Header, String> {
    let Ok(line) = std::str::from_utf8(record.bytes()) else {
        return Err("not a UTF-8 text file: the header holds bytes that are not UTF-8".into());
    };
    if line.contains('\0') {
        return Err("not a text file: the header holds NUL bytes".into());
    }
    let mut positions = [None; 8];
    let mut unknown = Vec::new();
    for (position, raw) in record.iter().enumerate() {
        // Checked above: the whole record is UTF-8.
        let name = String::from_utf8_lossy(raw);
        let key = name.trim().to_lowercase();
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
        return Err(format!(
            "missing required column{} {list} (header line {})",
            if missing.len() == 1 { "" } else { "s" },
            record.line,
        ));
    }
    Ok(Header {
        width: record.len(),
        positions,
        unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price\n";

    fn rows(input: &[u8]) -> FileRows {
        parse(input, 0, 0, &ProgressBar::hidden()).unwrap()
    }

    fn text(frame: &DataFrame, column: &str) -> Vec<Option<String>> {
        frame
            .column(column)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_owned))
            .collect()
    }

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
        let problem = parse(input, 0, 0, &ProgressBar::hidden()).unwrap_err();
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
}
