//! The commands the README shows, run as written (placeholders given real
//! paths): a documented flag or subcommand that the binary does not take
//! fails here, not in a user's terminal.

use crate::{assure_in, root};
use std::path::Path;

/// Copies `from` (a folder) to `to`, files and folders, no links.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Each `assure …` line of the README's code blocks, with its
/// placeholders filled: those that need a server or an editor left out.
fn readme_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut in_code = false;
    let mut commands = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let Some(rest) = line.strip_prefix("assure ") else {
            continue;
        };
        if !in_code || rest.starts_with("lsp") || rest.contains("postgres://") {
            continue;
        }
        let command = rest.split("  #").next().unwrap().trim();
        let words: Vec<String> = command
            .split_whitespace()
            .flat_map(|word| match word {
                "PATH..." | "PATH" | "[PATH]" | "FILE" => {
                    vec!["proposals/dudley-mcp.proposal".to_owned()]
                }
                "OLD" => vec!["proposals/hampshire-mcp.proposal".to_owned()],
                "NEW" => vec!["proposals/hampshire-mcp-v2.proposal".to_owned()],
                "PACK.toml" => vec!["rules/psr-2024.toml".to_owned()],
                "[--all]" => vec!["--all".to_owned()],
                "[--check]" => vec!["--check".to_owned()],
                other => vec![other.to_owned()],
            })
            .collect();
        commands.push(words);
    }
    commands
}

#[test]
fn every_command_the_readme_shows_runs_as_written() {
    let commands = readme_commands();
    assert!(commands.len() >= 20, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures"), &dir.path().join("proposals"));
    copy_tree(&root().join("fixtures"), &dir.path().join("fixtures"));
    copy_tree(&root().join("rules"), &dir.path().join("rules"));
    for words in commands {
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        // `init` writes a new file: one of its own each time.
        let args: Vec<&str> = if args[0] == "init" {
            vec!["init", "new.proposal"]
        } else {
            args
        };
        let _ = std::fs::remove_file(dir.path().join("new.proposal"));
        let run = assure_in(dir.path(), &args);
        // 0 or 1 (findings): never 2, a command or flag not taken.
        assert!(
            run.status == 0 || run.status == 1,
            "`assure {}` exited {}: {}",
            args.join(" "),
            run.status,
            run.stderr
        );
    }
}
