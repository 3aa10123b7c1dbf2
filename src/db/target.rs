//! Where a load goes: the URL of a warehouse, parsed into a [`Target`], and
//! the one masking of passwords every message and record uses.

use std::path::PathBuf;

use crate::error::{Error, Result};

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

/// `mysql://user:secret@host/db` → `mysql://user:***@host/db`.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
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
        for bad in [
            "postgres://x/y",
            "sqlite://",
            "mysql://root@localhost:3306",
            "mysql://root:pw@localhost:3306/",
        ] {
            let err = Target::parse(bad).unwrap_err().to_string();
            assert!(!err.contains("pw@"), "{err}");
        }
    }
}
