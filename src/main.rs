//! The `sales-etl` binary: parses arguments, calls the library, reports an
//! error once and exits with the documented code.

use clap::Parser;
use color_eyre::config::{HookBuilder, Theme};
use color_eyre::Section;
use sales_etl::cmd::{Cli, Command};
use sales_etl::error::{exit, Error};

/// mimalloc keeps freed pages for reuse: with the system allocator every
/// chunk's large buffers went back to the kernel and were zeroed again for
/// the next (13% of a 10M-row run was the kernel clearing pages).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    install_error_reporter();
    let result = match &cli.command {
        Command::Run(args) => sales_etl::cmd::run::run(args),
        Command::Generate(args) => sales_etl::cmd::generate::run(args),
        Command::Report(args) => sales_etl::cmd::report::run(args),
        Command::Query(args) => sales_etl::cmd::query::run(args),
        Command::Completions(args) => sales_etl::cmd::completions::run(args),
    };
    let code = match result {
        Ok(()) => exit::SUCCESS,
        // `sales-etl run … | head` closes the pipe: not an error.
        Err(Error::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::SUCCESS,
        Err(error) => {
            let code = error.exit_code();
            let hint = error.suggestion();
            let mut report = color_eyre::eyre::Report::new(error);
            if let Some(hint) = hint {
                report = report.suggestion(hint);
            }
            eprintln!("Error: {report:?}");
            code
        }
    };
    std::process::exit(code);
}

/// color-eyre without backtraces, locations or environment hints: the
/// errors this tool reports are about the user's input, not its own code.
fn install_error_reporter() {
    // A `RUST_BACKTRACE` set for other programs must not turn a message
    // about a bad file into a stack dump.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    let theme = if sales_etl::render::colour_wanted_on_stderr() {
        Theme::dark()
    } else {
        Theme::new()
    };
    let _ = HookBuilder::blank()
        .display_env_section(false)
        .theme(theme)
        .install();
}
