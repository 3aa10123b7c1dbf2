//! Column names shared by every stage: the input columns of a sales export and
//! the bookkeeping columns the pipeline adds. Names only; no logic.

/// The columns of a sales export, in the order the clean data and the
/// rejected-row files use.
pub const INPUT: [&str; 8] = [
    TRANSACTION_ID,
    TIMESTAMP,
    CHANNEL,
    STORE_ID,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
];

/// Input columns a file may leave out.
pub const OPTIONAL: [&str; 2] = [STORE_ID, CUSTOMER_ID];

pub const TRANSACTION_ID: &str = "transaction_id";
pub const TIMESTAMP: &str = "timestamp";
pub const CHANNEL: &str = "channel";
pub const STORE_ID: &str = "store_id";
pub const CUSTOMER_ID: &str = "customer_id";
pub const PRODUCT_ID: &str = "product_id";
pub const QUANTITY: &str = "quantity";
pub const UNIT_PRICE: &str = "unit_price";

/// The channels a row may name (lower case; the rules accept any case).
pub const CHANNELS: [&str; 3] = ["web", "mobile", "store"];

/// Index of the file in the run's file list (byte order of names).
pub const FILE_INDEX: &str = "file_index";
/// Physical line of the record's first line; the header is line 1 unless
/// comment or blank lines precede it.
pub const SOURCE_LINE: &str = "source_line";
pub const SOURCE_FILE: &str = "source_file";
/// Byte offset of the record's first byte in its file: where a row is read
/// again when it is written out.
pub const SOURCE_OFFSET: &str = "source_offset";
/// The record is longer than the limit and was cut off: it has no fields.
pub const OVERSIZED: &str = "oversized";
/// The record's field count differs from its file's header.
pub const RAGGED: &str = "ragged";
/// A hash of the record's store and customer ids, for the duplicate rule.
pub const OTHER_VALUES: &str = "other_values_hash";
/// Some field of the record is not valid UTF-8.
pub const BAD_ENCODING: &str = "bad_encoding";
/// An id field of the record is longer than a warehouse id column holds.
pub const LONG_ID: &str = "long_id";

/// Parsed values, named after what they hold.
pub const TIMESTAMP_UTC: &str = "timestamp_utc";
pub const DATE: &str = "date";
pub const CHANNEL_NAME: &str = "channel_name";
pub const QUANTITY_UNITS: &str = "quantity_units";
pub const UNIT_PRICE_AMOUNT: &str = "unit_price_amount";
pub const LINE_REVENUE: &str = "line_revenue";

pub const DISPOSITION: &str = "disposition";
pub const REASON: &str = "reason";
pub const REASONS: &str = "reasons";

/// The columns of one sale in `staging_sales`, in the order every loader
/// sends them; `sales-etl query` names a folder's `sales` table the same.
pub const SALE_COLUMNS: [&str; 12] = [
    TRANSACTION_ID,
    TIMESTAMP,
    DATE,
    CHANNEL,
    STORE_ID,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
    LINE_REVENUE,
    SOURCE_FILE,
    SOURCE_LINE,
];

/// The longest text the warehouse's id columns hold (VARCHAR(255)).
pub const MAX_TEXT_CHARS: u32 = 255;

/// The text column `name` of `frame`, for the unit tests of every stage.
#[cfg(test)]
pub(crate) fn texts(frame: &polars::prelude::DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect()
}
