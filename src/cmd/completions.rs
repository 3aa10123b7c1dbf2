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
    let text = String::from_utf8_lossy(&script).into_owned();
    match args.shell {
        clap_complete::Shell::Bash => {
            let mut fixed = bash_fixed(&text);
            fixed.push_str(&bash_query_names());
            script = fixed.into_bytes();
        }
        clap_complete::Shell::Zsh => script = zsh_with_query_names(&text).into_bytes(),
        clap_complete::Shell::Fish => {
            script = format!("{text}{}", fish_query_names()).into_bytes();
        }
        _ => {}
    }
    std::io::stdout()
        .lock()
        .write_all(&script)
        .map_err(Error::Stdout)
}

/// A bash function around clap's that also offers the shipped queries'
/// names as `query`'s first word, bound in place of clap's. (clap's static
/// scripts only complete a value from a fixed list, and `query` takes any
/// SQL, so the names are added here.)
fn bash_query_names() -> String {
    format!(
        r#"
# The shipped queries' names, as the first word after `query`.
_sales__etl__with__queries() {{
    _sales__etl "$@"
    [[ "${{COMP_WORDS[1]}}" == query ]] || return 0
    local i words=0
    for (( i = 2; i < COMP_CWORD; i++ )); do
        [[ "${{COMP_WORDS[i]}}" == -* ]] || words=$((words + 1))
    done
    if (( words == 0 )) && [[ "${{COMP_WORDS[COMP_CWORD]}}" != -* ]]; then
        COMPREPLY+=( $(compgen -W "{names}" -- "${{COMP_WORDS[COMP_CWORD]}}") )
    fi
}}
complete -F _sales__etl__with__queries -o nosort -o bashdefault -o default {NAME}
"#,
        names = query_names()
    )
}

/// The shipped queries' names, space-separated.
fn query_names() -> String {
    let names: Vec<&str> = crate::query::SHIPPED
        .iter()
        .map(|(name, _)| *name)
        .collect();
    names.join(" ")
}

/// clap's zsh script with `query`'s first word completed as a shipped
/// query's name or a file (clap's completes any file: `_default`).
fn zsh_with_query_names(script: &str) -> String {
    let action = format!(
        "{{_alternative \"queries:shipped query:({})\" \"files:file:_files\"}}",
        query_names()
    );
    script
        .lines()
        .map(|line| match line.trim_start().starts_with("':query -- ") {
            true => line.replacen(":_default' \\", &format!(":{action}' \\"), 1),
            false => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Fish completions of the shipped queries' names as `query`'s first word
/// (files are still offered beside them).
fn fish_query_names() -> String {
    format!(
        "\n# The shipped queries' names, as the first word after `query`.\n\
         complete -c {NAME} -n \"__fish_seen_subcommand_from query; and test (count (commandline -opc)) -eq 2\" \
         -a \"{}\" -d \"shipped query\"\n",
        query_names()
    )
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
