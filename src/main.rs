//! The `sales-etl` binary: parses arguments, calls the library, reports an
//! error once and exits with the documented code.

use clap::Parser;
use sales_etl::cmd::{Cli, Command};
use sales_etl::error::{exit, Error};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(args) => sales_etl::cmd::run::run(args),
    };
    let code = match result {
        Ok(()) => exit::SUCCESS,
        // `sales-etl run … | head` closes the pipe: not an error.
        Err(Error::Stdout(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::SUCCESS,
        Err(error) => {
            report(&error);
            error.exit_code()
        }
    };
    std::process::exit(code);
}

/// One message, no backtrace: `error: …` and a hint where one helps.
fn report(error: &Error) {
    let report = color_eyre::eyre::Report::msg(error.to_string());
    let report = match error.suggestion() {
        Some(hint) => color_eyre::Section::suggestion(report, hint),
        None => report,
    };
    eprintln!("error: {report:?}");
}
