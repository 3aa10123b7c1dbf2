//! The `sales-etl` binary: parses arguments, calls the library, reports an
//! error once and exits with the documented code.

use color_eyre::config::{HookBuilder, Theme};
use sales_etl::cmd::{Cli, Command};
use sales_etl::error::{exit, Error};

/// mimalloc keeps freed pages for reuse: with the system allocator every
/// chunk's large buffers went back to the kernel and were zeroed again for
/// the next (13% of a 10M-row run was the kernel clearing pages).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse_or_exit();
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
            report(&error);
            error.exit_code()
        }
    };
    std::process::exit(code);
}

/// An error the way clap prints its own: `error: <what>` (its further
/// lines, such as a list of bad files, under it), then `hint: <what to do>`
/// where there is one; `error:` in bold red when stderr is a terminal that
/// takes colour.
fn report(error: &Error) {
    let colour = sales_etl::show::render::colour_wanted_on_stderr();
    let (error_word, hint_word) = if colour {
        ("\x1b[1;31merror:\x1b[0m", "\x1b[1;32mhint:\x1b[0m")
    } else {
        ("error:", "hint:")
    };
    eprintln!("{error_word} {error}");
    if let Some(hint) = error.suggestion() {
        eprintln!("{hint_word} {hint}");
    }
}

/// color-eyre for panics only, without backtraces, locations or
/// environment hints: the errors this tool reports are printed by
/// [`report`].
fn install_error_reporter() {
    // A `RUST_BACKTRACE` set for other programs must not turn a message
    // about a bad file into a stack dump.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    let theme = if sales_etl::show::render::colour_wanted_on_stderr() {
        Theme::dark()
    } else {
        Theme::new()
    };
    let _ = HookBuilder::blank()
        .display_env_section(false)
        .theme(theme)
        .install();
}
