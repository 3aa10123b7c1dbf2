//! `sales-etl completions`: print a shell completion script.

use std::io::Write;

use clap::{Args, CommandFactory};

use crate::cmd::Cli;
use crate::error::{Error, Result};

pub const EXAMPLES: &str = "\
Examples:
  sales-etl completions bash > ~/.local/share/bash-completion/completions/sales-etl
  sales-etl completions zsh > ~/.zfunc/_sales-etl    # with fpath+=~/.zfunc before compinit
  sales-etl completions fish > ~/.config/fish/completions/sales-etl.fish";

/// Print a completion script for your shell on stdout.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sales-etl", &mut script);
    std::io::stdout()
        .lock()
        .write_all(&script)
        .map_err(Error::Stdout)
}
