//! Where a load goes: the URL of a warehouse, parsed into a [`Target`], and
//! the one masking of passwords every message and record uses.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// Where a command's database URL came from, said beside the warehouse it
/// names, so that a `.env` or a `DATABASE_URL` set long ago is never a
/// surprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlSource {
    /// `--db`.
    Flag,
    /// The `DATABASE_URL` environment variable.
    Environment,
    /// The `SALES_ETL_QUERY_URL` environment variable (`query --db` only:
    /// an account that may only read).
    QueryEnvironment,
    /// `DATABASE_URL` in `.env` in the working folder.
    DotEnv,
    /// None of those: `sqlite://sales.db`.
    Default,
}

impl UrlSource {
    pub fn name(self) -> &'static str {
        match self {
            UrlSource::Flag => "--db",
            UrlSource::Environment => "DATABASE_URL",
            UrlSource::QueryEnvironment => "SALES_ETL_QUERY_URL",
            UrlSource::DotEnv => ".env",
            UrlSource::Default => "the default",
        }
    }
}

/// A warehouse as a command names it: the URL (password masked) and where
/// it came from; `warehouse` in the JSON summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Named {
    pub target: String,
    pub from: &'static str,
}

impl Named {
    pub fn new(target: &Target, source: UrlSource) -> Named {
        Named {
            target: target.masked(),
            from: source.name(),
        }
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (from {})", self.target, self.from)
    }
}

/// Where valid rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `sqlite://path`: an embedded SQLite file, created when missing.
    Sqlite(PathBuf),
    /// `mysql://user:pass@host:port/db`: MySQL 8 or MariaDB.
    Mysql(String),
}

/// The default when no URL is given: a SQLite file in the working folder.
pub const DEFAULT_URL: &str = "sqlite://sales.db";

impl Target {
    pub fn parse(url: &str) -> Result<Target> {
        let bad = |problem: &str| Error::BadDatabaseUrl {
            url: mask_url(url),
            problem: problem.to_owned(),
        };
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(bad("no file path after `sqlite://`"));
            }
            // SQLite reads these as an in-memory database or a URI, which
            // would keep nothing or name another file than the one that
            // `report` and `query` open: one meaning of a URL everywhere.
            if path.starts_with(":memory:") {
                return Err(bad(
                    "an in-memory database keeps nothing after the run: name a file, `sqlite://sales.db`",
                ));
            }
            if path.starts_with("file:") {
                return Err(bad(
                    "SQLite `file:` URIs are not supported: name the file, `sqlite://path/to/file.db`",
                ));
            }
            Ok(Target::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            let url = url.replacen("mariadb://", "mysql://", 1);
            let opts = ::mysql::Opts::from_url(&url).map_err(|e| bad(&e.to_string()))?;
            if opts.get_db_name().is_none_or(str::is_empty) {
                return Err(bad(
                    "no database name: use `mysql://user@host:3306/database`",
                ));
            }
            Ok(Target::Mysql(url))
        } else {
            Err(bad(
                "use `sqlite://path/to/file.db` or `mysql://user:password@host:3306/database`",
            ))
        }
    }

    /// The URL with any password replaced by `***`, for every message.
    pub fn masked(&self) -> String {
        match self {
            Target::Sqlite(path) => format!("sqlite://{}", path.display()),
            Target::Mysql(url) => mask_url(url),
        }
    }
}

/// The one masking of every URL the tool prints or stores: the password of
/// the user info (`user:secret@` → `user:***@`) and the value of every
/// password-like query parameter (`?password=…` → `?password=***`).
///
/// The user info is found by the URL grammar read the cautious way: it ends
/// at the *last* `@` of the whole text, since a password typed unencoded
/// may hold `/`, `:`, `@`, `?` or `#`. (When a query parameter holds an `@`
/// too, more than the password is hidden: the safe side.) A `sqlite://`
/// URL is a path and is kept as it is; text that is not a URL at all is not
/// shown.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(not a URL)".into();
    };
    if scheme.eq_ignore_ascii_case("sqlite") {
        return url.to_owned();
    }
    let (user, after) = match rest.rfind('@') {
        Some(at) => {
            let user = match rest[..at].split_once(':') {
                Some((user, _password)) => format!("{user}:***@"),
                None => format!("{}@", &rest[..at]),
            };
            (user, &rest[at + 1..])
        }
        None => (String::new(), rest),
    };
    let (host, query) = match after.split_once('?') {
        Some((host, query)) => (host, Some(query)),
        None => (after, None),
    };
    let mut masked = format!("{scheme}://{user}{host}");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if secret_key(key) => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        masked.push('?');
        masked.push_str(&pairs.join("&"));
    }
    masked
}

/// A query parameter that may carry a secret.
fn secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token", "key"]
        .iter()
        .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn mask(url: &str, expected: &str) {
        assert_eq!(mask_url(url), expected);
    }

    #[test]
    fn passwords_are_masked() {
        mask(
            "mysql://root:s3cr%40t@db:3306/sales",
            "mysql://root:***@db:3306/sales",
        );
        mask(
            "mysql://root@127.0.0.1:3306/sales",
            "mysql://root@127.0.0.1:3306/sales",
        );
        mask("mysql://u:p@ss@host/db", "mysql://u:***@host/db");
        mask("sqlite://sales.db", "sqlite://sales.db");
        // Issue "hardening": a `/` in the password, and passwords as
        // query parameters.
        mask("mysql://u:S3cr3t/x@h/db", "mysql://u:***@h/db");
        mask(
            "mysql://u@h:3306/db?password=S3cr3t&prefer_socket=false",
            "mysql://u@h:3306/db?password=***&prefer_socket=false",
        );
        mask(
            "mysql://u@h/db?PASS=a&pwd=b",
            "mysql://u@h/db?PASS=***&pwd=***",
        );
        mask("not a url S3cr3t", "(not a URL)");
        // Issue "hardening, second round": the user info was cut at a `?`
        // before the `@` was looked for.
        for password in [
            "Se?cr3tX",
            "Se#cr3tX",
            "Se/c?r#3@tX",
            "Se&cr=3tX",
            "S e%3Fc",
        ] {
            let url = format!("mysql://u:{password}@127.0.0.1:3306/db?pwd=k&ssl=true");
            let masked = mask_url(&url);
            assert_eq!(masked, "mysql://u:***@127.0.0.1:3306/db?pwd=***&ssl=true");
        }
        mask("mysql://u@h/db?opt=a@b", "mysql://u@h/db?opt=a@b");
    }

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("sqlite://x/y.db").unwrap(),
            Target::Sqlite("x/y.db".into())
        );
        assert!(matches!(
            Target::parse("mysql://root@localhost:3306/sales").unwrap(),
            Target::Mysql(_)
        ));
        // Issue "a warehouse you can trust": `:memory:` kept nothing and
        // `file:` URIs named one file for `run`, another for `report`.
        for (url, said) in [
            ("sqlite://:memory:", "in-memory"),
            ("sqlite://:memory:?cache=shared", "in-memory"),
            ("sqlite://file:uri.db", "URIs are not supported"),
            ("sqlite://file:uri.db?mode=memory", "URIs are not supported"),
        ] {
            let err = Target::parse(url).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::USAGE, "{url}");
            assert!(err.to_string().contains(said), "{url}: {err}");
        }
        assert_eq!(
            Target::parse("sqlite://./file.db").unwrap(),
            Target::Sqlite("./file.db".into())
        );
        for bad in [
            "postgres://x/y",
            "sqlite://",
            "mysql://root@localhost:3306",
            "mysql://root:pw@localhost:3306/",
        ] {
            let err = Target::parse(bad).unwrap_err().to_string();
            assert!(!err.contains(":pw"), "{err}");
            if bad.contains(":pw@") {
                assert!(err.contains("root:***@"), "{err}");
            }
        }
    }
}
