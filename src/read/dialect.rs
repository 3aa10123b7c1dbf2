//! How one file is written: its delimiter (given, or sniffed from its
//! header), whether its prices use a decimal comma, the formats of its
//! timestamps and the names of its channels. [`Dialect`] turns a field
//! written that way into the text the rules read (`12,50` into `12.50`,
//! `25/11/2026 14:03` into `2026-11-25 14:03:00`, `Online` into `web`), so
//! the rules, `errors/` and the reports are the same whatever tool wrote the
//! file. A field that does not read that way is left as it was, for the
//! rules to reject.
//!
//! It also has the hints a run gives when most of a file is rejected for
//! one reason ([`hint`]). Settings and where they come from are `settings`'.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::format::{Item, Parsed, StrftimeItems};
use serde::Serialize;

use crate::columns;
use crate::read::settings::{self, delimiter_name, Resolved, DELIMITERS};

/// How a file is read; cheap to clone (a reader per range holds one).
#[derive(Debug, Clone)]
pub struct Dialect {
    pub delimiter: u8,
    /// `,` is read as the decimal mark of prices.
    pub decimal_comma: bool,
    formats: Arc<[Format]>,
    /// Lower-case value to channel.
    channels: Arc<BTreeMap<String, String>>,
    /// Lower-case header name to sales column.
    pub columns: Arc<BTreeMap<String, String>>,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect {
            delimiter: b',',
            decimal_comma: false,
            formats: Arc::from(Vec::new()),
            channels: Arc::default(),
            columns: Arc::default(),
        }
    }
}

/// A timestamp format, parsed once.
#[derive(Debug)]
struct Format {
    items: Vec<Item<'static>>,
}

/// How a file was read, for `-v`, `--explain-config` and the JSON summary:
/// each setting and where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadAs {
    pub encoding: String,
    pub delimiter: String,
    pub decimal_comma: bool,
    /// Empty: ISO 8601 only.
    pub timestamp_formats: Vec<String>,
    pub columns: BTreeMap<String, String>,
    pub channels: BTreeMap<String, String>,
    /// Percent.
    pub max_reject_rate: String,
    /// Each setting's source: `command line`, a settings section, `sniffed`,
    /// `byte-order mark` or `default`.
    pub from: BTreeMap<String, String>,
}

impl Dialect {
    /// The dialect `resolved` asks for, with `delimiter` (given or sniffed).
    pub fn new(resolved: &Resolved, delimiter: u8) -> Dialect {
        let settings = &resolved.settings;
        let formats = settings
            .timestamp_formats
            .iter()
            .flatten()
            .map(|text| Format {
                items: StrftimeItems::new(text)
                    .parse_to_owned()
                    .unwrap_or_default(),
            })
            .collect::<Vec<_>>();
        Dialect {
            delimiter,
            decimal_comma: settings.decimal_comma.unwrap_or(delimiter != b','),
            formats: Arc::from(formats),
            channels: Arc::new(settings.channels.clone()),
            columns: Arc::new(settings.columns.clone()),
        }
    }

    /// Whether any field is rewritten: false for today's files, whose
    /// rows then cost nothing more.
    pub fn rewrites(&self) -> bool {
        self.decimal_comma || !self.formats.is_empty() || !self.channels.is_empty()
    }

    /// The sales column a header name holds, after the settings' map.
    pub fn column_of<'a>(&'a self, name: &'a str) -> &'a str {
        self.columns.get(name).map_or(name, String::as_str)
    }

    /// A trimmed price field as the rules read it, when it differs: `12,50`
    /// is `12.50` with a decimal comma. A value with both `,` and `.` (a
    /// thousands separator) is left alone, for the rule to refuse.
    pub fn price(&self, text: &str) -> Option<String> {
        if !self.decimal_comma || text.contains('.') {
            return None;
        }
        let mut commas = text.match_indices(',');
        commas.next()?;
        if commas.next().is_some() {
            return None;
        }
        Some(text.replacen(',', ".", 1))
    }

    /// A trimmed timestamp in one of the file's formats, as ISO 8601
    /// (`2026-11-25 14:03:00`, with its offset when it has one); `None`
    /// when no format reads it (ISO text is read by the rules as always).
    pub fn timestamp(&self, text: &str) -> Option<String> {
        self.formats.iter().find_map(|format| format.iso(text))
    }

    /// A trimmed channel value by its alias, when it has one.
    pub fn channel(&self, text: &str) -> Option<String> {
        if self.channels.is_empty() {
            return None;
        }
        self.channels.get(&text.to_lowercase()).cloned()
    }
}

impl Format {
    fn iso(&self, text: &str) -> Option<String> {
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, text, self.items.iter()).ok()?;
        let date = parsed.to_naive_date().ok()?;
        let time = if parsed.hour_div_12().is_some() || parsed.hour_mod_12().is_some() {
            parsed.to_naive_time().ok()?
        } else {
            chrono::NaiveTime::MIN
        };
        let moment = date.and_time(time);
        let mut iso = String::with_capacity(32);
        let _ = write!(iso, "{}", moment.format("%Y-%m-%d %H:%M:%S%.f"));
        if let Some(offset) = parsed.offset() {
            let sign = if offset < 0 { '-' } else { '+' };
            let minutes = offset.abs() / 60;
            let _ = write!(iso, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        }
        Some(iso)
    }
}

/// The delimiter of a header line: the candidate ([`DELIMITERS`]) that
/// splits it into the most sales columns (required ones first), the
/// earlier candidate on a tie, `,` when none finds any.
pub fn sniff(header: &[u8], resolved: &Resolved) -> u8 {
    let dialect = Dialect::new(resolved, b',');
    DELIMITERS
        .iter()
        .copied()
        .map(|delimiter| (score(header, delimiter, &dialect), delimiter))
        .fold((Score::default(), b','), |best, next| {
            if next.0 > best.0 {
                next
            } else {
                best
            }
        })
        .1
}

/// What a delimiter makes of a header: required columns found, then
/// other sales columns found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    required: usize,
    optional: usize,
}

/// How many sales columns `header` holds when split at `delimiter`.
pub fn score(header: &[u8], delimiter: u8, dialect: &Dialect) -> Score {
    let mut score = Score::default();
    for field in split_line(header, delimiter) {
        let name = String::from_utf8_lossy(&field).trim().to_lowercase();
        let column = dialect.column_of(&name);
        if columns::OPTIONAL.contains(&column) {
            score.optional += 1;
        } else if columns::INPUT.contains(&column) {
            score.required += 1;
        }
    }
    score
}

/// The fields of one line split at `delimiter`, quotes honoured.
fn split_line(line: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
    use csv_core::ReadFieldResult as Read;
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut fields = Vec::new();
    let mut field = vec![0u8; line.len() + 1];
    let (mut input, mut length) = (line, 0);
    loop {
        // An empty input tells the parser the line has ended.
        let (result, read, written) = reader.read_field(input, &mut field[length..]);
        input = &input[read..];
        length += written;
        match result {
            Read::Field { record_end } => {
                fields.push(field[..length].to_vec());
                length = 0;
                if record_end {
                    return fields;
                }
            }
            Read::InputEmpty => {}
            Read::OutputFull | Read::End => return fields,
        }
    }
}

/// A delimiter other than `chosen` that would find every required column
/// of `header`, for the message of a header that lacks some.
pub fn better_delimiter(header: &[u8], chosen: u8, dialect: &Dialect) -> Option<u8> {
    let required = columns::INPUT.len() - columns::OPTIONAL.len();
    DELIMITERS
        .iter()
        .copied()
        .filter(|d| *d != chosen)
        .find(|d| score(header, *d, dialect).required == required)
}

/// A file's [`ReadAs`]: its settings, the delimiter and encoding it was read
/// with, and where each came from.
pub fn read_as(
    resolved: &Resolved,
    dialect: &Dialect,
    encoding: (settings::Encoding, &str),
    delimiter_from: &str,
    default_rate: f64,
) -> ReadAs {
    let settings = &resolved.settings;
    let origin = |key: &str, otherwise: &str| {
        resolved
            .origins
            .get(key)
            .map_or(otherwise.to_owned(), |origin| origin.to_string())
    };
    let mut from = BTreeMap::new();
    from.insert("encoding".into(), origin("encoding", encoding.1));
    from.insert("delimiter".into(), origin("delimiter", delimiter_from));
    let decimal_default = if dialect.delimiter == b',' {
        "default"
    } else {
        "the delimiter is not `,`"
    };
    from.insert(
        "decimal_comma".into(),
        origin("decimal_comma", decimal_default),
    );
    for key in [
        "timestamp_formats",
        "columns",
        "channels",
        "max_reject_rate",
    ] {
        from.insert(key.into(), origin(key, "default"));
    }
    ReadAs {
        encoding: encoding.0.name().into(),
        delimiter: delimiter_name(dialect.delimiter),
        decimal_comma: dialect.decimal_comma,
        timestamp_formats: settings.timestamp_formats.clone().unwrap_or_default(),
        columns: settings.columns.clone(),
        channels: settings.channels.clone(),
        max_reject_rate: format!(
            "{}",
            settings.max_reject_rate.unwrap_or(default_rate) * 100.0
        ),
        from,
    }
}

impl ReadAs {
    /// One line per setting, for `-v` and `--explain-config`.
    pub fn lines(&self) -> Vec<String> {
        let from = |key: &str| self.from.get(key).cloned().unwrap_or_default();
        let map = |map: &BTreeMap<String, String>| {
            if map.is_empty() {
                "none".to_owned()
            } else {
                map.iter()
                    .map(|(k, v)| format!("{k} → {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let formats = if self.timestamp_formats.is_empty() {
            "ISO 8601 only".to_owned()
        } else {
            format!("{}, then ISO 8601", self.timestamp_formats.join(", "))
        };
        vec![
            format!("encoding {} ({})", self.encoding, from("encoding")),
            format!(
                "delimiter {} ({})",
                match self.delimiter.as_str() {
                    "tab" => "tab".to_owned(),
                    other => format!("`{other}`"),
                },
                from("delimiter")
            ),
            format!(
                "decimal comma {} ({})",
                if self.decimal_comma { "yes" } else { "no" },
                from("decimal_comma")
            ),
            format!("timestamps {formats} ({})", from("timestamp_formats")),
            format!("columns {} ({})", map(&self.columns), from("columns")),
            format!("channels {} ({})", map(&self.channels), from("channels")),
            format!(
                "max reject rate {} % ({})",
                self.max_reject_rate,
                from("max_reject_rate")
            ),
        ]
    }
}

/// The input column a reject reason is about, whose values a hint reads.
pub fn column_of_reason(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "bad_timestamp" => columns::TIMESTAMP,
        "bad_unit_price" => columns::UNIT_PRICE,
        "bad_quantity" => columns::QUANTITY,
        "bad_channel" => columns::CHANNEL,
        _ => return None,
    })
}

/// Timestamp formats the hint tries on rejected values, day first before
/// month first (a value with a day above 12 settles which).
const LIKELY_FORMATS: [&str; 16] = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
];

/// A hint for a file most of whose rows were rejected for `reason`, from
/// a sample of the rejected values of the reason's column.
pub fn hint(reason: &str, samples: &[String], read_as: &ReadAs) -> Option<String> {
    let example = samples
        .first()
        .map(|s| crate::messages::shown(s).into_owned());
    match reason {
        "bad_timestamp" => {
            let example = example?;
            let fits = |format: &str| {
                let resolved = Resolved {
                    settings: settings::Settings {
                        timestamp_formats: Some(vec![format.to_owned()]),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                let dialect = Dialect::new(&resolved, b',');
                samples.iter().all(|s| dialect.timestamp(s.trim()).is_some())
            };
            let format = LIKELY_FORMATS.iter().find(|f| fits(f))?;
            Some(format!(
                "values look like `{example}`: try `--timestamp-format '{format}'`"
            ))
        }
        "bad_unit_price" => {
            let comma = |s: &String| {
                let s = s.trim();
                s.contains(',') && s.replacen(',', ".", 1).parse::<f64>().is_ok()
            };
            if samples.iter().any(|s| s.contains(',') && s.contains('.')) {
                Some(format!(
                    "values like `{}` use a thousands separator, which is refused: export the prices without one",
                    example?
                ))
            } else if !samples.is_empty() && samples.iter().all(comma) && !read_as.decimal_comma {
                Some(format!(
                    "values use a decimal comma (`{}`): try `--decimal-comma`",
                    example?
                ))
            } else {
                None
            }
        }
        "bad_encoding" if read_as.encoding == "utf-8" => Some(
            "the file is not UTF-8: if it came from Excel on Windows, try `--encoding windows-1252`"
                .into(),
        ),
        "ragged_row" => Some(format!(
            "its rows do not split into the header's fields at {}: is that its delimiter? `--delimiter` sets it",
            match read_as.delimiter.as_str() {
                "tab" => "tabs".to_owned(),
                other => format!("`{other}`"),
            }
        )),
        "bad_channel" => Some(format!(
            "values like `{}` are not web, mobile or store: name them in sales-etl.toml, e.g. `channels = {{ \"{}\" = \"web\" }}`",
            example.clone()?,
            example?
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::settings::Settings;

    fn resolved(settings: Settings) -> Resolved {
        Resolved {
            settings,
            ..Default::default()
        }
    }

    fn with_formats(formats: &[&str]) -> Dialect {
        Dialect::new(
            &resolved(Settings {
                timestamp_formats: Some(formats.iter().map(|f| f.to_string()).collect()),
                ..Default::default()
            }),
            b',',
        )
    }

    #[test]
    fn sniffs_the_delimiter_from_the_header() {
        let none = Resolved::default();
        let header =
            "transaction_id;timestamp;channel;store_id;customer_id;product_id;quantity;unit_price";
        assert_eq!(sniff(header.as_bytes(), &none), b';');
        assert_eq!(sniff(header.replace(';', "\t").as_bytes(), &none), b'\t');
        assert_eq!(sniff(header.replace(';', "|").as_bytes(), &none), b'|');
        assert_eq!(sniff(header.replace(';', ",").as_bytes(), &none), b',');
        // A `;` inside a quoted name does not make the file `;`-separated.
        let quoted =
            "transaction_id,timestamp,channel,\"note; free\",product_id,quantity,unit_price";
        assert_eq!(sniff(quoted.as_bytes(), &none), b',');
        // One column: nothing to tell; `,`.
        assert_eq!(sniff(b"transaction_id", &none), b',');
        assert_eq!(sniff(b"", &none), b',');
        // The header map counts: `txn` is the transaction id.
        let mapped = resolved(Settings {
            columns: [("txn".to_owned(), "transaction_id".to_owned())].into(),
            ..Default::default()
        });
        let renamed = b"txn|timestamp|channel|product_id|quantity|unit_price";
        assert_eq!(sniff(renamed, &mapped), b'|');
        let found =
            |resolved: &Resolved| score(renamed, b'|', &Dialect::new(resolved, b',')).required;
        assert_eq!((found(&none), found(&mapped)), (5, 6));
        assert_eq!(
            split_line(b"a;\"b;c\";", b';'),
            [b"a".to_vec(), b"b;c".to_vec(), b"".to_vec()]
        );
    }

    #[test]
    fn decimal_comma_prices() {
        let comma = Dialect {
            decimal_comma: true,
            ..Dialect::default()
        };
        assert_eq!(comma.price("12,50").as_deref(), Some("12.50"));
        assert_eq!(comma.price("-0,5").as_deref(), Some("-0.5"));
        assert_eq!(comma.price("12.50"), None);
        assert_eq!(comma.price("1.234,50"), None);
        assert_eq!(comma.price("1,234,50"), None);
        assert_eq!(Dialect::default().price("12,50"), None);
        // The delimiter decides unless asked.
        let semicolon = Dialect::new(&Resolved::default(), b';');
        assert!(semicolon.decimal_comma);
        let asked_not = Dialect::new(
            &resolved(Settings {
                decimal_comma: Some(false),
                ..Default::default()
            }),
            b';',
        );
        assert!(!asked_not.decimal_comma);
    }

    #[test]
    fn timestamps_in_given_formats() {
        let day_first = with_formats(&["%d/%m/%Y %H:%M", "%d/%m/%Y"]);
        assert_eq!(
            day_first.timestamp("25/11/2026 14:03").as_deref(),
            Some("2026-11-25 14:03:00")
        );
        assert_eq!(
            day_first.timestamp("25/11/2026").as_deref(),
            Some("2026-11-25 00:00:00")
        );
        assert_eq!(day_first.timestamp("11/25/2026 14:03"), None);
        assert_eq!(day_first.timestamp("2026-11-25 14:03:00"), None);
        let us = with_formats(&["%m/%d/%Y %I:%M %p"]);
        assert_eq!(
            us.timestamp("11/25/2026 02:03 PM").as_deref(),
            Some("2026-11-25 14:03:00")
        );
        let zoned = with_formats(&["%d.%m.%Y %H:%M:%S%.f %z"]);
        assert_eq!(
            zoned.timestamp("25.11.2026 14:03:07.25 +0100").as_deref(),
            Some("2026-11-25 14:03:07.250+01:00")
        );
        // What the rules then read is the same instant as the ISO text.
        let iso = zoned.timestamp("25.11.2026 14:03:07.25 +0100").unwrap();
        assert_eq!(
            crate::judge::rules::iso_micros(&iso),
            crate::judge::rules::iso_micros("2026-11-25T13:03:07.25Z")
        );
    }

    #[test]
    fn channel_aliases() {
        let aliased = Dialect::new(
            &resolved(Settings {
                channels: [("online".to_owned(), "web".to_owned())].into(),
                ..Default::default()
            }),
            b',',
        );
        assert_eq!(aliased.channel("ONLINE").as_deref(), Some("web"));
        assert_eq!(aliased.channel("web"), None);
        assert_eq!(Dialect::default().channel("online"), None);
    }

    #[test]
    fn hints_from_rejected_values() {
        let read_as = ReadAs {
            encoding: "utf-8".into(),
            delimiter: ",".into(),
            ..ReadAs::default()
        };
        let samples = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        let hint_of = |reason, values: &[&str]| hint(reason, &samples(values), &read_as);
        assert_eq!(
            hint_of("bad_timestamp", &["25/11/2026 14:03", "01/11/2026 09:00"]).unwrap(),
            "values look like `25/11/2026 14:03`: try `--timestamp-format '%d/%m/%Y %H:%M'`"
        );
        assert!(hint_of("bad_timestamp", &["11/25/2026 14:03"])
            .unwrap()
            .contains("'%m/%d/%Y %H:%M'"));
        assert!(hint_of("bad_timestamp", &["11/25/2026 2:03 PM"])
            .unwrap()
            .contains("'%m/%d/%Y %I:%M %p'"));
        assert_eq!(hint_of("bad_timestamp", &["yesterday"]), None);
        assert!(hint_of("bad_unit_price", &["12,50", "3,99"])
            .unwrap()
            .contains("--decimal-comma"));
        assert!(hint_of("bad_unit_price", &["1.234,50"])
            .unwrap()
            .contains("thousands separator"));
        assert_eq!(hint_of("bad_unit_price", &["abc"]), None);
        assert!(hint_of("bad_encoding", &[])
            .unwrap()
            .contains("--encoding windows-1252"));
        assert!(hint_of("bad_channel", &["Online"])
            .unwrap()
            .contains("\"Online\" = \"web\""));
    }
}
