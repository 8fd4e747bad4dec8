//! The README and docs/ as a user pastes them: every command the README
//! shows runs as written (placeholders given real paths), every pack
//! example of docs/rule-language.md loads, docs/cli.md's configuration is
//! valid and docs/format.md's proposal well formed; a documented flag,
//! key or example that the binary does not take fails here, not in a
//! user's terminal.

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
                "case.docx" => vec!["proposals/documents/hampshire-mcp.docx".to_owned()],
                "interests.xlsx" => vec!["proposals/documents/register.xlsx".to_owned()],
                "NEW" => vec!["proposals/hampshire-mcp-v2.proposal".to_owned()],
                "PACK.toml" => vec!["rules/psr-2024.toml".to_owned()],
                "notices.jsonl" => vec!["proposals/notices/compiled-releases.jsonl".to_owned()],
                "notices.json" => vec!["proposals/notices/record-package.json".to_owned()],
                "DIR" => vec!["imported".to_owned()],
                "case.proposal" => vec!["imported/ocds-h6vhtk-0c3001.proposal".to_owned()],
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

/// Each code block of `file` fenced with `lang`, with the line it starts
/// on (1-based), indented blocks (in lists) included.
fn code_blocks(file: &str, lang: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, usize)> = None;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(tag) = trimmed.strip_prefix("```") {
                    let indent = line.len() - trimmed.len();
                    open = Some((number + 1, String::new(), indent));
                    if tag.trim() != lang {
                        open.as_mut().unwrap().1.push('\u{0}');
                    }
                }
            }
            Some((start, body, indent)) => {
                if trimmed.starts_with("```") {
                    if !body.starts_with('\u{0}') {
                        blocks.push((*start, std::mem::take(body)));
                    }
                    open = None;
                } else if !body.starts_with('\u{0}') {
                    body.push_str(line.get(*indent..).unwrap_or(line.trim_start()));
                    body.push('\n');
                }
            }
        }
    }
    blocks
}

/// The rule language's examples, as a pack author pastes them: a table
/// (`[[rules]]`, `[[stages]]`, `[params.…]`, `[calendar]`, `[define.…]`)
/// under a pack's header loads with `rules check`; a part of a table
/// (a rule's keys, `[rules.fix]`) is valid TOML of the keys the loader
/// reads.
#[test]
fn every_pack_example_in_the_rule_language_loads() {
    let blocks = code_blocks("docs/rule-language.md", "toml");
    assert!(blocks.len() >= 7, "{blocks:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut loaded = 0;
    for (line, block) in &blocks {
        let first = block.lines().next().unwrap_or("");
        if first.starts_with('[') && !first.starts_with("[rules.") {
            let pack = if first.starts_with("[pack]") {
                block.clone()
            } else {
                format!("[pack]\nname = \"docs-line-{line}\"\nversion = \"0.1.0\"\n\n{block}")
            };
            let path = dir.path().join(format!("line-{line}.toml"));
            std::fs::write(&path, &pack).unwrap();
            let run = assure_in(dir.path(), &["rules", "check", path.to_str().unwrap()]);
            assert_eq!(
                run.status, 0,
                "docs/rule-language.md line {line}:\n{block}\n{}{}",
                run.stdout, run.stderr
            );
            loaded += 1;
        } else {
            let parsed: Result<toml::Table, _> = block.parse();
            assert!(
                parsed.is_ok(),
                "docs/rule-language.md line {line} is not TOML: {parsed:?}"
            );
        }
    }
    assert!(loaded >= 5, "{loaded} of {} loaded", blocks.len());
}

/// The configuration `docs/cli.md` shows is read as written: no CFG or
/// TOML diagnostic, and its `[[allow]]` matches a finding.
#[test]
fn the_configuration_cli_md_shows_is_valid() {
    let blocks = code_blocks("docs/cli.md", "toml");
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assure.toml"), &blocks[0].1).unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("rules/local.toml"),
        "[pack]\nname = \"local\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    copy_tree(&root().join("fixtures"), &dir.path().join("proposals"));
    let run = assure_in(
        dir.path(),
        &["lint", "--format", "json", "proposals/dudley-mcp.proposal"],
    );
    assert_ne!(run.status, 2, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("CFG"), "{}", run.stderr);
    assert!(!run.stdout.contains("matches nothing"), "{}", run.stdout);
    assert!(run.stdout.contains("\"suppressed\""), "{}", run.stdout);
}

/// The proposal `docs/format.md` opens with is written as the format
/// says: no syntax or structural finding.
#[test]
fn the_proposal_format_md_shows_is_well_formed() {
    let blocks = code_blocks("docs/format.md", "");
    assert!(!blocks.is_empty());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("example.proposal"), &blocks[0].1).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--format", "json", "example.proposal"],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let structural: Vec<&str> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|code| {
            ["SYN", "SCH", "REF", "DIR"]
                .iter()
                .any(|p| code.starts_with(p))
        })
        .collect();
    assert_eq!(structural, Vec::<&str>::new(), "{}", run.stdout);
}

/// Where `documented` has a key that `real` lacks at the same place: a
/// path for each (arrays compared by their first items).
fn undocumented_keys(
    documented: &serde_json::Value,
    real: &serde_json::Value,
    at: &str,
) -> Vec<String> {
    use serde_json::Value;
    match (documented, real) {
        (Value::Object(doc), Value::Object(real)) => doc
            .iter()
            .flat_map(|(key, value)| match real.get(key) {
                Some(found) => undocumented_keys(value, found, &format!("{at}/{key}")),
                None => vec![format!("{at}/{key}")],
            })
            .collect(),
        (Value::Array(doc), Value::Array(real)) => match (doc.first(), real.first()) {
            (Some(doc), Some(real)) => undocumented_keys(doc, real, &format!("{at}/0")),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The JSON output docs/cli.md shows has the shape `lint --format json`
/// gives: every key it names is there, at the same place.
#[test]
fn the_json_output_cli_md_shows_is_what_lint_gives() {
    let blocks = code_blocks("docs/cli.md", "json");
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    let documented: serde_json::Value = serde_json::from_str(&blocks[0].1).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assure.toml"), "").unwrap();
    copy_tree(&root().join("fixtures"), &dir.path().join("fixtures"));
    let run = assure_in(
        dir.path(),
        &["lint", "--format", "json", "fixtures/dudley-mcp.proposal"],
    );
    let real: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        undocumented_keys(&documented, &real, ""),
        Vec::<String>::new(),
        "{}",
        run.stdout
    );
    assert_eq!(real["configuration"], "assure.toml");
}
