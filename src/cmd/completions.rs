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

/// The program's name, as the scripts complete it.
const NAME: &str = "sales-etl";

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), NAME, &mut script);
    if args.shell == clap_complete::Shell::Bash {
        script = bash_fixed(&String::from_utf8_lossy(&script)).into_bytes();
    }
    std::io::stdout()
        .lock()
        .write_all(&script)
        .map_err(Error::Stdout)
}

/// clap_complete's bash script (4.6.12 and before) names a subcommand's
/// branch from the program's name with `-` turned into `__subcmd__`
/// (`sales__subcmd__etl__subcmd__run)`) but looks it up with `-` turned
/// into `__` (`sales__etl__subcmd__run`), so with a hyphen in the name no
/// subcommand's flags complete. The branch names are made to match.
fn bash_fixed(script: &str) -> String {
    let wrong = format!("{}__subcmd__", NAME.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", NAME.replace('-', "__"));
    script.replace(&wrong, &right)
}
