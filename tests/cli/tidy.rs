//! Repository rules a reviewer would otherwise have to remember: a `//!`
//! doc on every module, no test that cannot fail, a firing and a
//! near-miss fixture for every rule of every pack shipped with assure, and
//! no file written for a user but through `crates/workspace/src/write.rs`.

use crate::root;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = Vec::new();
    for dir in ["src", "crates", "xtask", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    files
}

#[test]
fn every_module_has_a_doc_comment() {
    let files = all_rust_files();
    assert!(files.len() > 30, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|path| {
            path.strip_prefix(root())
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "modules without a `//!` doc comment"
    );
}

/// The binary's library exposes `run` and what it is given, nothing else:
/// xtask, fuzz and the language server use library crates.
#[test]
fn the_binary_exposes_only_run() {
    let text = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let public: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("pub "))
        .map(|line| line.split(['(', '<', '{', ';']).next().unwrap_or(line))
        .collect();
    assert_eq!(
        public,
        [
            "pub use context::Environment",
            "pub enum ExitStatus ",
            "pub fn run"
        ]
    );
}

/// No source file outside the tests is over 900 lines: past that, a
/// module holds more than one idea, and its parts want names.
#[test]
fn no_source_file_is_over_900_lines() {
    let long: Vec<String> = all_rust_files()
        .iter()
        .filter(|path| {
            let shown = path.strip_prefix(root()).unwrap_or(path);
            !shown.starts_with("tests")
                && !shown.components().any(|c| c.as_os_str() == "tests")
                && !shown.ends_with("tests.rs")
        })
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path)
                .unwrap_or_default()
                .lines()
                .count();
            (lines > 900).then(|| {
                format!(
                    "{}: {lines} lines",
                    path.strip_prefix(root()).unwrap_or(path).display()
                )
            })
        })
        .collect();
    assert_eq!(long, Vec::<String>::new());
}

#[test]
fn no_test_is_ignored_or_expected_to_panic() {
    let forbidden = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    let offenders: Vec<String> = all_rust_files()
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            forbidden.iter().any(|f| text.contains(f))
        })
        .map(|path| path.display().to_string())
        .collect();
    assert_eq!(offenders, Vec::<String>::new());
}

/// The codes of the rules of every pack shipped with assure
/// (`rules/*.toml`), read from their text, and how many rules they have.
fn shipped_pack_codes() -> (Vec<String>, usize) {
    let mut codes = Vec::new();
    let mut rules = 0;
    for (name, _) in assure_rules::BUILTIN_PACKS {
        let pack = std::fs::read_to_string(root().join(format!("rules/{name}.toml"))).unwrap();
        codes.extend(
            pack.lines()
                .filter_map(|line| line.strip_prefix("code = \""))
                .filter_map(|rest| rest.strip_suffix('"'))
                .map(str::to_owned),
        );
        rules += pack.matches("[[rules]]").count();
    }
    (codes, rules)
}

#[test]
fn every_rule_has_a_firing_and_a_near_miss_fixture() {
    let (codes, rules) = shipped_pack_codes();
    assert_eq!(codes.len(), rules);
    let missing: Vec<String> = codes
        .iter()
        .flat_map(|code| {
            ["fires", "near-miss"]
                .map(|kind| format!("fixtures/rules/{}-{kind}.proposal", code.to_lowercase()))
        })
        .filter(|path| !root().join(path).exists())
        .collect();
    assert_eq!(missing, Vec::<String>::new());
}

/// Every code written in the Rust source (in a string, a constant or a
/// comment) is one of the registry's or a rule of the default pack: a code
/// emitted anywhere must be declared once, with its explanation, in
/// `crates/diagnostic/src/codes.rs`.
#[test]
fn every_code_in_the_source_is_registered() {
    let (rule_codes, _) = shipped_pack_codes();
    // The code messages and docs use as an example of a pack's own; no
    // finding has it.
    let example = "LOC001";
    let known = |code: &str| {
        assure_diagnostic::codes::lookup(code).is_some()
            || rule_codes.iter().any(|rule| rule == code)
            || code == example
    };
    let mut unknown = Vec::new();
    for path in all_rust_files() {
        let shown = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        // Tests make up codes on purpose (`TEST001`, `SLOW001`).
        if shown.starts_with("tests/") || shown.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            let letters = word.trim_end_matches(|c: char| c.is_ascii_digit());
            let is_code = (2..=5).contains(&letters.len())
                && word.len() == letters.len() + 3
                && letters.chars().all(|c| c.is_ascii_uppercase());
            if is_code && !known(word) {
                unknown.push(format!("{shown}: {word}"));
            }
        }
    }
    assert_eq!(unknown, Vec::<String>::new(), "codes the registry lacks");
}

/// Each library crate depends only on the crates below it
/// (ARCHITECTURE.md, "Dependencies between crates"), and none on the CLI's
/// own dependencies. A crate missing from the table fails: say where it
/// sits.
#[test]
fn crates_depend_only_downwards() {
    let allowed: &[(&str, &[&str])] = &[
        ("diagnostic", &[]),
        ("stdx", &[]),
        ("gen", &[]),
        ("store", &[]),
        ("test-tools", &[]),
        (
            "site",
            &["check", "diagnostic", "model", "report", "store", "vocab"],
        ),
        ("syntax", &["diagnostic"]),
        ("toml-reader", &["diagnostic"]),
        ("vocab", &["diagnostic", "toml-reader"]),
        ("model", &["diagnostic", "stdx", "syntax", "vocab"]),
        ("lang", &["diagnostic", "syntax", "vocab", "model"]),
        (
            "rules",
            &[
                "diagnostic",
                "stdx",
                "syntax",
                "lang",
                "vocab",
                "model",
                "toml-reader",
            ],
        ),
        (
            "check",
            &["diagnostic", "syntax", "vocab", "model", "rules"],
        ),
        (
            "report",
            &["diagnostic", "stdx", "vocab", "model", "check", "rules"],
        ),
        ("documents", &["diagnostic", "vocab"]),
        ("notices", &["diagnostic", "documents", "stdx", "vocab"]),
        (
            "workspace",
            &[
                "check",
                "diagnostic",
                "documents",
                "model",
                "notices",
                "rules",
                "site",
                "store",
                "toml-reader",
                "vocab",
            ],
        ),
        (
            "lsp",
            &[
                "check",
                "diagnostic",
                "model",
                "report",
                "syntax",
                "vocab",
                "workspace",
            ],
        ),
    ];
    // The front end (what reads the user's files, and the language server)
    // may walk folders and read files in parallel; nothing below it may.
    let front_end = ["workspace", "lsp"];
    let dependencies = |manifest: &str| -> Vec<String> {
        let text = std::fs::read_to_string(root().join(manifest)).unwrap_or_default();
        let section = text.split("[dependencies]").nth(1).unwrap_or_default();
        let section = section.split("\n[").next().unwrap_or_default();
        section
            .lines()
            .filter_map(|line| line.split(['.', ' ', '=']).next())
            .filter(|name| !name.is_empty() && !name.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let mut wrong = Vec::new();
    let mut crates: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    for name in &crates {
        let Some((_, ok)) = allowed.iter().find(|(crate_name, _)| crate_name == name) else {
            wrong.push(format!("crates/{name} is not in this test's table"));
            continue;
        };
        for dependency in dependencies(&format!("crates/{name}/Cargo.toml")) {
            let upward = dependency
                .strip_prefix("assure-")
                .is_some_and(|assure| !ok.contains(&assure));
            let cli_only = dependency == "clap"
                || (!front_end.contains(&name.as_str())
                    && ["rayon", "walkdir"].contains(&dependency.as_str()));
            if upward || cli_only {
                wrong.push(format!("crates/{name} depends on {dependency}"));
            }
        }
    }
    // The checking pipeline never touches a database: of the front end,
    // only the history (`assure report`) and its site read the store.
    let mut front = Vec::new();
    for dir in ["src", "crates/workspace/src", "crates/lsp/src"] {
        rust_files(&root().join(dir), &mut front);
    }
    for path in front {
        let relative = path.strip_prefix(root()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let allowed = [
            "crates/workspace/src/history.rs",
            "crates/workspace/src/site.rs",
        ];
        if text.contains("assure_store") && !allowed.contains(&relative.as_str()) {
            wrong.push(format!("{relative} uses assure_store"));
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
}

#[test]
fn only_the_write_module_writes_a_users_files() {
    // Every file assure writes for a user goes through `crates/workspace/src/write.rs`
    // (exclusive create, no link followed, nothing deleted it did not
    // write). The store writes its database and nothing else; tests, xtask
    // and the throw-away PostgreSQL cluster are not the product.
    let writing = [
        "fs::write(",
        "File::create(",
        "File::create_new(",
        "OpenOptions::new(",
        "fs::rename(",
        "fs::remove_file(",
        "fs::remove_dir(",
        "fs::remove_dir_all(",
        "fs::copy(",
        "fs::hard_link(",
        "fs::symlink(",
        ".persist(",
    ];
    let root = root();
    let mut files = Vec::new();
    for dir in ["src", "crates"] {
        rust_files(&root.join(dir), &mut files);
    }
    let offending: Vec<String> = files
        .iter()
        .filter(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            !(relative == Path::new("crates/workspace/src/write.rs")
                || relative.starts_with("crates/store")
                || relative.starts_with("crates/test-tools")
                || relative.components().any(|c| c.as_os_str() == "tests")
                || relative.ends_with("tests.rs"))
        })
        .flat_map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let relative = path.strip_prefix(&root).unwrap().display().to_string();
            writing
                .iter()
                .filter(|call| text.contains(*call))
                .map(move |call| format!("{relative}: {call}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offending.is_empty(),
        "writes outside crates/workspace/src/write.rs: {offending:?}"
    );
}

/// A code's severity lives in the registry alone: every finding of a
/// registered code that lint gives on the fixtures, and on inputs made to
/// give each structural code, has the registry's severity (emit sites take
/// it from there; `Diagnostic::of` is the only way to make one).
#[test]
fn every_registered_finding_has_the_registrys_severity() {
    let run = crate::assure(&[
        "--pack",
        "coi-2017",
        "--pack",
        "psr-2024",
        "--pack",
        "isap-2017",
        "lint",
        "--format",
        "json",
        "fixtures",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    let mut wrong = Vec::new();
    for file in json["files"].as_array().unwrap() {
        for finding in file["findings"].as_array().unwrap() {
            let code = finding["code"].as_str().unwrap();
            if let Some(info) = assure_diagnostic::codes::lookup(code) {
                seen.insert(code.to_owned());
                if finding["severity"] != info.severity.as_str() {
                    wrong.push(format!(
                        "{code}: {} in {}",
                        finding["severity"], file["path"]
                    ));
                }
            }
        }
    }
    assert_eq!(wrong, Vec::<String>::new());
    // The fixtures give most of the proposal codes: the check means something.
    assert!(seen.len() >= 15, "{seen:?}");
}
