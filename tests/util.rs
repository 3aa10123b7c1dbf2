//! Runs the binary in a temporary folder with a clean environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;

#[derive(Clone)]
pub struct Test {
    /// Shared with every [`Output`], so the folder lives while either does.
    dir: Rc<tempfile::TempDir>,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
    _keep: Rc<tempfile::TempDir>,
}

/// The longest a test waits for one run of the binary (issue "checks that
/// can fail": a run waiting on a lock could hang the suite for an hour).
pub const WATCHDOG: std::time::Duration = std::time::Duration::from_secs(300);

/// The output of `child` (its streams piped), killed and failed when it has
/// not ended within `limit`.
pub fn finished_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
    what: &[String],
) -> std::process::Output {
    use std::io::Read;
    use wait_timeout::ChildExt;
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let status = match child.wait_timeout(limit).expect("wait for sales-etl") {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sales-etl {what:?} did not end within {limit:?}: killed");
        }
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// The header of a complete sales export.
pub const HEADER: &str =
    "transaction_id,timestamp,channel,store_id,customer_id,product_id,quantity,unit_price\n";

impl Test {
    pub fn new() -> Test {
        Test {
            dir: Rc::new(tempfile::tempdir().expect("temporary folder")),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Writes `contents` to `relative` inside the test folder.
    pub fn file(self, relative: &str, contents: impl AsRef<[u8]>) -> Test {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// A CSV in `input/` with the full header and these data lines.
    pub fn csv(self, name: &str, lines: &[&str]) -> Test {
        let mut text = HEADER.to_owned();
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        self.file(&format!("input/{name}"), text)
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sales-etl"));
        command
            .args(&self.args)
            .current_dir(self.dir.path())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self) -> Output {
        self.output_of(self.command())
    }

    /// Runs the binary from `/bin/sh` after `setup` (a `ulimit`, a `umask`).
    pub fn run_after(&self, setup: &str) -> Output {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(format!("{setup} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_sales-etl"))
            .args(&self.args)
            .current_dir(self.dir.path())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null());
        self.output_of(command)
    }

    fn output_of(&self, mut command: Command) -> Output {
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sales-etl");
        let output = finished_within(child, WATCHDOG, &self.args);
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            dir: self.dir.path().to_path_buf(),
            _keep: Rc::clone(&self.dir),
        }
    }
}

impl Output {
    /// Fails with both streams shown when the exit code is not `code`.
    #[track_caller]
    pub fn code(self, code: i32) -> Output {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.dir.join(relative))
            .unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.dir.join(relative).exists()
    }

    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Output {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// Line-by-line diff for readable failures on whole files.
#[track_caller]
pub fn assert_text(got: &str, want: &str) {
    if got != want {
        let mut report = String::new();
        let (got_lines, want_lines): (Vec<_>, Vec<_>) =
            (got.lines().collect(), want.lines().collect());
        for i in 0..got_lines.len().max(want_lines.len()) {
            let (g, w) = (got_lines.get(i), want_lines.get(i));
            if g != w {
                report.push_str(&format!(
                    "line {}:\n  want {:?}\n  got  {:?}\n",
                    i + 1,
                    w,
                    g
                ));
            }
        }
        panic!("text differs:\n{report}");
    }
}
