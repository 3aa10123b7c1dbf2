//! Per-source settings: how to read the files of each source, remembered in
//! `sales-etl.toml` (in the input folder, or `--config FILE`) and given on
//! the command line. A section per file-name glob:
//!
//! ```toml
//! [files."pos_*.csv"]
//! delimiter = ";"
//! decimal_comma = true
//! timestamp_formats = ["%d/%m/%Y %H:%M"]
//! encoding = "windows-1252"
//! max_reject_rate = 80
//! columns = { txn_id = "transaction_id", qty = "quantity" }
//! channels = { Online = "web", Filiale = "store" }
//! ```
//!
//! Every section whose glob matches a file applies to it, in the order
//! written, a later one's key winning over an earlier one's; a flag wins
//! over them all. This module parses and checks the settings and says
//! where each of a file's came from; `dialect` turns them into how a file
//! is read, `decode` into how it is decoded.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::columns;
use crate::error::{Error, Result};

/// The settings file looked for in the input folder.
pub const FILE_NAME: &str = "sales-etl.toml";

/// Delimiters a file may use, in the order the sniffer prefers them.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A text encoding the reader decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// Windows-1252, also for `latin1` and `iso-8859-1` (as browsers and
    /// the WHATWG standard read them: the same bytes, a superset).
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// The names `--encoding` and `encoding =` take.
    pub const NAMES: [&'static str; 7] = [
        "utf-8",
        "windows-1252",
        "cp1252",
        "latin1",
        "iso-8859-1",
        "utf-16le",
        "utf-16be",
    ];

    pub fn parse(name: &str) -> Option<Encoding> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "windows-1252" | "cp1252" | "latin1" | "latin-1" | "iso-8859-1" => {
                Some(Encoding::Windows1252)
            }
            "utf-16le" | "utf16le" => Some(Encoding::Utf16Le),
            "utf-16be" | "utf16be" => Some(Encoding::Utf16Be),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }
}

/// A delimiter as settings and messages show it: `,` `;` `tab` `|`.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".into(),
        other => (other as char).to_string(),
    }
}

/// `,` `;` `|`, `tab` or `\t`: one ASCII character that is not a quote, a
/// `#`, a letter, a digit or a line break.
pub fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    let byte = match text {
        "tab" | "\\t" | "\t" => b'\t',
        _ if text.len() == 1 => text.as_bytes()[0],
        _ => 0,
    };
    let usable = byte.is_ascii()
        && !byte.is_ascii_alphanumeric()
        && !matches!(byte, 0 | b'"' | b'#' | b'\n' | b'\r' | b' ' | b'.' | b'-');
    if usable {
        Ok(byte)
    } else {
        Err(format!(
            "`{text}` is not a delimiter: one character such as `,` `;` `|` or `tab`"
        ))
    }
}

/// A chrono format the timestamp reader can use: it must name a year, a
/// month, a day and (unless it is a date alone) an hour.
pub fn check_timestamp_format(format: &str) -> std::result::Result<(), String> {
    use chrono::format::{Fixed, Item, Numeric, StrftimeItems};
    let has = |wanted: &Numeric| {
        StrftimeItems::new(format).any(|item| match item {
            Item::Numeric(numeric, _) => numeric == *wanted,
            _ => false,
        })
    };
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        return Err(format!("`{format}` is not a chrono timestamp format"));
    }
    let full_date = StrftimeItems::new(format)
        .any(|item| matches!(item, Item::Fixed(Fixed::RFC2822 | Fixed::RFC3339)));
    let dated = [Numeric::Year, Numeric::Month, Numeric::Day]
        .iter()
        .all(has);
    if !full_date && !dated {
        return Err(format!(
            "`{format}` names no full date: it needs a year (`%Y`), a month (`%m`) and a day (`%d`)"
        ));
    }
    Ok(())
}

/// One source's settings; every key may be left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub delimiter: Option<u8>,
    pub decimal_comma: Option<bool>,
    pub timestamp_formats: Option<Vec<String>>,
    pub encoding: Option<Encoding>,
    /// A fraction, 0 to 1.
    pub max_reject_rate: Option<f64>,
    /// A header's column name (lower case, trimmed) to the sales column it
    /// holds.
    pub columns: BTreeMap<String, String>,
    /// A channel value (lower case, trimmed) to `web`, `mobile` or `store`.
    pub channels: BTreeMap<String, String>,
}

/// The keys of [`Settings`], in the order an explanation lists them.
pub const KEYS: [&str; 7] = [
    "encoding",
    "delimiter",
    "decimal_comma",
    "timestamp_formats",
    "columns",
    "channels",
    "max_reject_rate",
];

impl Settings {
    fn has(&self, key: &str) -> bool {
        match key {
            "encoding" => self.encoding.is_some(),
            "delimiter" => self.delimiter.is_some(),
            "decimal_comma" => self.decimal_comma.is_some(),
            "timestamp_formats" => self.timestamp_formats.is_some(),
            "columns" => !self.columns.is_empty(),
            "channels" => !self.channels.is_empty(),
            "max_reject_rate" => self.max_reject_rate.is_some(),
            _ => false,
        }
    }

    /// `over`'s keys over these: a key `over` sets wins; the maps are
    /// merged, `over`'s entries winning.
    fn overlaid(mut self, over: &Settings) -> Settings {
        self.delimiter = over.delimiter.or(self.delimiter);
        self.decimal_comma = over.decimal_comma.or(self.decimal_comma);
        if over.timestamp_formats.is_some() {
            self.timestamp_formats = over.timestamp_formats.clone();
        }
        self.encoding = over.encoding.or(self.encoding);
        self.max_reject_rate = over.max_reject_rate.or(self.max_reject_rate);
        self.columns
            .extend(over.columns.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.channels
            .extend(over.channels.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }
}

/// Where a file's setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Section {
        path: PathBuf,
        glob: String,
        line: usize,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("command line"),
            Origin::Section { path, glob, line } => {
                let name = path.file_name().unwrap_or(path.as_os_str());
                write!(
                    f,
                    "{} line {line} [files.\"{glob}\"]",
                    name.to_string_lossy()
                )
            }
        }
    }
}

/// A file's settings, and where each key came from.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub settings: Settings,
    pub origins: BTreeMap<&'static str, Origin>,
}

/// One `[files."GLOB"]` section.
#[derive(Debug, Clone)]
struct Section {
    glob: String,
    pattern: glob::Pattern,
    line: usize,
    settings: Settings,
}

/// A parsed settings file.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    pub path: PathBuf,
    sections: Vec<Section>,
}

/// The run's settings: the flags, over the settings file's sections.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub flags: Settings,
    pub file: Option<SettingsFile>,
}

impl Sources {
    /// The settings of the file named `name` (in its folder), and where
    /// each came from.
    pub fn for_file(&self, name: &str) -> Resolved {
        let mut resolved = Resolved::default();
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: false,
        };
        if let Some(file) = &self.file {
            for section in &file.sections {
                if !section.pattern.matches_with(name, options) {
                    continue;
                }
                resolved.settings = resolved.settings.overlaid(&section.settings);
                for key in KEYS.iter().filter(|key| section.settings.has(key)) {
                    resolved.origins.insert(
                        key,
                        Origin::Section {
                            path: file.path.clone(),
                            glob: section.glob.clone(),
                            line: section.line,
                        },
                    );
                }
            }
        }
        resolved.settings = resolved.settings.overlaid(&self.flags);
        for key in KEYS.iter().filter(|key| self.flags.has(key)) {
            resolved.origins.insert(key, Origin::Flag);
        }
        resolved
    }
}

/// The settings file of a run: `--config FILE` (which must exist), else
/// `sales-etl.toml` in the input folder when there is one.
pub fn find(config: Option<&Path>, input_dir: &Path) -> Result<Option<SettingsFile>> {
    let (path, required) = match config {
        Some(path) => (path.to_path_buf(), true),
        None => (input_dir.join(FILE_NAME), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
        Err(e) => {
            return Err(Error::Settings {
                path,
                line: None,
                problem: format!("cannot read: {e}"),
            })
        }
    };
    parse(&text)
        .map(|sections| {
            Some(SettingsFile {
                path: path.clone(),
                sections,
            })
        })
        .map_err(|(line, problem)| Error::Settings {
            path,
            line,
            problem,
        })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    files: BTreeMap<Spanned<String>, RawSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    delimiter: Option<Spanned<String>>,
    decimal_comma: Option<bool>,
    timestamp_formats: Option<Spanned<OneOrMore>>,
    encoding: Option<Spanned<String>>,
    max_reject_rate: Option<Spanned<Number>>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    channels: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMore {
    One(String),
    More(Vec<String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Integer(i64),
    Float(f64),
}

/// A problem in the settings text: its line (when known) and what.
type Problem = (Option<usize>, String);

/// Parses a settings file's text into its sections, checked: an unknown
/// key, a bad glob or a bad value is a problem naming its line.
fn parse(text: &str) -> std::result::Result<Vec<Section>, Problem> {
    let line_of = |at: usize| Some(text[..at.min(text.len())].matches('\n').count() + 1);
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().and_then(|span| line_of(span.start));
        (line, e.message().to_owned())
    })?;
    let mut sections = Vec::new();
    for (glob, raw) in raw.files {
        let line = line_of(glob.span().start);
        let bad = |at: usize, problem: String| (line_of(at), problem);
        let pattern = glob::Pattern::new(glob.get_ref())
            .map_err(|e| (line, format!("`{}` is not a glob: {e}", glob.get_ref())))?;
        let mut settings = Settings {
            decimal_comma: raw.decimal_comma,
            ..Settings::default()
        };
        if let Some(delimiter) = &raw.delimiter {
            settings.delimiter = Some(
                parse_delimiter(delimiter.get_ref()).map_err(|p| bad(delimiter.span().start, p))?,
            );
        }
        if let Some(encoding) = &raw.encoding {
            settings.encoding = Some(Encoding::parse(encoding.get_ref()).ok_or_else(|| {
                bad(
                    encoding.span().start,
                    format!(
                        "`{}` is not an encoding this tool reads ({})",
                        encoding.get_ref(),
                        Encoding::NAMES.join(", ")
                    ),
                )
            })?);
        }
        if let Some(formats) = &raw.timestamp_formats {
            let list = match formats.get_ref() {
                OneOrMore::One(one) => vec![one.clone()],
                OneOrMore::More(more) => more.clone(),
            };
            if list.is_empty() {
                return Err(bad(
                    formats.span().start,
                    "`timestamp_formats` is empty".into(),
                ));
            }
            for format in &list {
                check_timestamp_format(format).map_err(|p| bad(formats.span().start, p))?;
            }
            settings.timestamp_formats = Some(list);
        }
        if let Some(rate) = &raw.max_reject_rate {
            let percent = match rate.get_ref() {
                Number::Integer(n) => *n as f64,
                Number::Float(x) => *x,
            };
            settings.max_reject_rate =
                Some(percent_of(percent).map_err(|p| bad(rate.span().start, p))?);
        }
        settings.columns = mapped(&raw.columns, &columns::INPUT, "a sales column", &bad)?;
        settings.channels = mapped(&raw.channels, &columns::CHANNELS, "a channel", &bad)?;
        sections.push(Section {
            glob: glob.into_inner(),
            pattern,
            line: line.unwrap_or(0),
            settings,
        });
    }
    // The map sorted them by glob; they apply in the order written.
    sections.sort_by_key(|section| section.line);
    Ok(sections)
}

/// A map of names to one of `allowed` (`columns`, `channels`), keys and
/// values lower case and trimmed; a value not allowed is a problem at its
/// place.
fn mapped(
    raw: &BTreeMap<String, Spanned<String>>,
    allowed: &[&str],
    what: &str,
    bad: &dyn Fn(usize, String) -> Problem,
) -> std::result::Result<BTreeMap<String, String>, Problem> {
    let mut map = BTreeMap::new();
    for (name, target) in raw {
        let value = target.get_ref().trim().to_lowercase();
        if !allowed.contains(&value.as_str()) {
            return Err(bad(
                target.span().start,
                format!(
                    "`{}` is not {what} ({})",
                    target.get_ref(),
                    allowed.join(", ")
                ),
            ));
        }
        map.insert(name.trim().to_lowercase(), value);
    }
    Ok(map)
}

/// A share in percent, 0 to 100, as a fraction.
pub fn percent_of(percent: f64) -> std::result::Result<f64, String> {
    if (0.0..=100.0).contains(&percent) {
        Ok(percent / 100.0)
    } else {
        Err(format!("`{percent}` is not a percentage from 0 to 100"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(text: &str) -> Sources {
        Sources {
            flags: Settings::default(),
            file: Some(SettingsFile {
                path: PathBuf::from("sales-etl.toml"),
                sections: parse(text).unwrap(),
            }),
        }
    }

    #[track_caller]
    fn problem(text: &str, line: Option<usize>, has: &str) {
        let (got_line, got) = parse(text).unwrap_err();
        assert_eq!(got_line, line, "{got}");
        assert!(got.contains(has), "{got:?} lacks {has:?}");
    }

    const EUROPEAN: &str = r#"
[files."*.csv"]
max_reject_rate = 60

[files."pos_*.csv"]
delimiter = ";"
decimal_comma = true
timestamp_formats = "%d/%m/%Y %H:%M"
encoding = "Windows-1252"
columns = { TXN_ID = "transaction_id", qty = "Quantity" }

[files."pos_*.csv".channels]
Online = "web"
"#;

    #[test]
    fn sections_apply_by_glob_in_the_order_written() {
        let sources = sources(EUROPEAN);
        let pos = sources.for_file("pos_2026-11-25.csv");
        assert_eq!(pos.settings.delimiter, Some(b';'));
        assert_eq!(pos.settings.encoding, Some(Encoding::Windows1252));
        assert_eq!(pos.settings.decimal_comma, Some(true));
        assert_eq!(
            pos.settings.timestamp_formats,
            Some(vec!["%d/%m/%Y %H:%M".to_owned()])
        );
        assert_eq!(pos.settings.max_reject_rate, Some(0.6));
        assert_eq!(pos.settings.columns["txn_id"], "transaction_id");
        assert_eq!(pos.settings.columns["qty"], "quantity");
        assert_eq!(pos.settings.channels["online"], "web");
        assert_eq!(
            pos.origins["delimiter"].to_string(),
            "sales-etl.toml line 5 [files.\"pos_*.csv\"]"
        );
        assert_eq!(
            pos.origins["max_reject_rate"].to_string(),
            "sales-etl.toml line 2 [files.\"*.csv\"]"
        );
        let web = sources.for_file("web_2026-11-25.csv");
        assert_eq!(web.settings.delimiter, None);
        assert_eq!(web.settings.max_reject_rate, Some(0.6));
        assert!(!web.origins.contains_key("delimiter"));
    }

    #[test]
    fn one_line_is_enough() {
        let sources = sources(
            "files.\"pos_*.csv\" = { encoding = \"windows-1252\", timestamp_formats = \"%d/%m/%Y %H:%M\" }\n",
        );
        let pos = sources.for_file("pos_2026-11-25.csv").settings;
        assert_eq!(pos.encoding, Some(Encoding::Windows1252));
        assert_eq!(
            pos.timestamp_formats,
            Some(vec!["%d/%m/%Y %H:%M".to_owned()])
        );
    }

    #[test]
    fn a_later_section_wins_and_flags_win_over_all() {
        let mut sources = sources(
            "[files.\"pos_*\"]\ndelimiter = \";\"\n[files.\"pos_b*\"]\ndelimiter = \"|\"\n",
        );
        assert_eq!(sources.for_file("pos_a.csv").settings.delimiter, Some(b';'));
        assert_eq!(sources.for_file("pos_b.csv").settings.delimiter, Some(b'|'));
        sources.flags.delimiter = Some(b'\t');
        let flagged = sources.for_file("pos_b.csv");
        assert_eq!(flagged.settings.delimiter, Some(b'\t'));
        assert_eq!(flagged.origins["delimiter"], Origin::Flag);
    }

    #[test]
    fn problems_name_their_line() {
        problem(
            "[files.\"*\"]\ndelimeter = \";\"\n",
            Some(2),
            "unknown field `delimeter`",
        );
        problem("delimiter = \";\"\n", Some(1), "unknown field `delimiter`");
        problem(
            "[files.\"*\"]\n\ndelimiter = \";;\"\n",
            Some(3),
            "not a delimiter",
        );
        problem(
            "[files.\"*\"]\nencoding = \"ebcdic\"\n",
            Some(2),
            "not an encoding",
        );
        problem(
            "[files.\"*\"]\ntimestamp_formats = [\"%H:%M\"]\n",
            Some(2),
            "names no full date",
        );
        problem(
            "[files.\"*\"]\nmax_reject_rate = 150\n",
            Some(2),
            "from 0 to 100",
        );
        problem(
            "[files.\"*\"]\ncolumns = { id = \"txn\" }\n",
            Some(2),
            "`txn` is not a sales column",
        );
        problem(
            "[files.\"*\"]\nchannels = { Online = \"internet\" }\n",
            Some(2),
            "`internet` is not a channel",
        );
        problem("[files.\"[\"]\n", Some(1), "not a glob");
        problem("[files.\"*\"\n", Some(1), "");
    }

    #[test]
    fn delimiters_and_encodings_by_name() {
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert!(parse_delimiter("\"").is_err());
        assert!(parse_delimiter("ab").is_err());
        assert_eq!(Encoding::parse("latin1"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("UTF-16LE"), Some(Encoding::Utf16Le));
        assert_eq!(Encoding::parse("utf-7"), None);
    }
}
