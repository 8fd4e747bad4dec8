//! `cargo xtask docs`: the parts of `docs/` written from the code, so that
//! they cannot drift from it: `docs/codes.md` (every code of the registry
//! with its explanation, then every rule of the default pack), the table of
//! built-in functions in `docs/rule-language.md` (from
//! `assure_lang::BUILTINS`) and the core vocabulary in `docs/format.md`
//! (from `rules/vocabulary.toml`). A test fails when any is out of date.

use assure_diagnostic::codes::{self, Scope};
use assure_rules::RuleSet;
use assure_vocab::{FieldId, Target, ValueType, Vocabulary, with_article};
use std::fmt::Write as _;
use std::path::Path;

/// Where the built-in functions' table starts and ends in
/// `docs/rule-language.md`.
const BUILTINS: (&str, &str) = (
    "<!-- builtins: written by `cargo xtask docs` -->\n",
    "<!-- /builtins -->\n",
);
/// Where the core vocabulary starts and ends in `docs/format.md`.
const VOCABULARY: (&str, &str) = (
    "<!-- vocabulary: written by `cargo xtask docs` -->\n",
    "<!-- /vocabulary -->\n",
);

/// Writes the generated docs under `root`.
pub fn write(root: &Path) -> Result<(), String> {
    let codes_path = root.join("docs/codes.md");
    std::fs::write(&codes_path, codes_md()?)
        .map_err(|e| format!("cannot write {}: {e}", codes_path.display()))?;
    for (file, marks, section) in [
        ("docs/rule-language.md", BUILTINS, builtins_table()),
        ("docs/format.md", VOCABULARY, vocabulary_md()),
    ] {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        std::fs::write(&path, replaced(&text, marks, &section)?)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// `docs/codes.md`.
pub fn codes_md() -> Result<String, String> {
    let sources: Vec<_> = assure_rules::BUILTIN_PACKS
        .iter()
        .filter_map(|(name, _)| assure_rules::builtin_pack(name))
        .collect();
    let rules: RuleSet = assure_rules::load(
        &sources,
        Vocabulary::core(),
        &assure_rules::Settings::default(),
    )
    .map_err(|_| "the shipped packs do not load together".to_owned())?;
    let mut out = String::from(
        "# Codes\n\n\
         Every code assure reports: its own (the syntax, the schema, references,\n\
         suppressions, evaluation, rule packs, TOML and `assure.toml`), then the\n\
         rules of the default pack. `assure explain CODE` prints the same text;\n\
         `assure rules list --all` lists them. Written by `cargo xtask docs` from\n\
         `crates/diagnostic/codes/` and `rules/nhs-new-care-models.toml`.\n\n\
         ## assure's own codes\n\n\
         | code | severity | reported in | meaning |\n|---|---|---|---|\n",
    );
    for info in codes::ALL {
        let scope = match info.scope {
            Scope::Proposal => "a proposal (always on)",
            Scope::Pack => "a rule pack",
            Scope::Config => "`assure.toml`",
            Scope::Toml => "any TOML file",
        };
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | {} | {scope} | {} |",
            info.severity,
            info.summary,
            code = info.code,
            anchor = info.code.to_lowercase()
        );
    }
    for info in codes::ALL {
        let _ = write!(out, "\n### {}\n\n{}", info.code, info.explanation);
    }
    for (index, pack) in rules.packs.iter().enumerate() {
        let heading = if index == 0 {
            "Rules of the default pack".to_owned()
        } else {
            format!("Rules of `{}` (`--pack {0}`)", pack.name)
        };
        let _ = writeln!(
            out,
            "\n## {heading}\n\n`{}` {}{}\n",
            pack.name,
            pack.version,
            pack.description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        );
        out.push_str(
            "| code | severity | stage | name | what it checks |\n|---|---|---|---|---|\n",
        );
        for rule in rules.rules.iter().filter(|r| r.pack == pack.name) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                rule.code, rule.severity, rules.stages[rule.stage].id, rule.name, rule.summary
            );
        }
    }
    out.push_str(
        "\n`assure explain CODE` shows a rule's source, its parameters and a\n\
         failing and a passing example.\n",
    );
    Ok(out)
}

/// The built-in functions as a Markdown table.
pub fn builtins_table() -> String {
    let mut out = String::from("| function | gives |\n|---|---|\n");
    for builtin in assure_lang::BUILTINS {
        let _ = writeln!(out, "| `{}` | {} |", builtin.usage, builtin.doc);
    }
    out
}

/// The core vocabulary: each section's fields, then each kind of entity's.
pub fn vocabulary_md() -> String {
    let vocabulary = Vocabulary::core();
    let mut out = String::new();
    for section in vocabulary.sections() {
        let title = section.title.as_deref().map_or_else(
            || "The header (before the first section)".to_owned(),
            |t| format!("`# {t}`"),
        );
        match section.entity {
            Some(ty) => {
                let ty = vocabulary.entity_type(ty);
                let _ = writeln!(out, "### {title}: `## Name` of each {}\n", ty.id);
                if !ty.kinds.is_empty() {
                    let kinds: Vec<String> = ty.kinds.iter().map(|k| format!("`{k}`")).collect();
                    let _ = writeln!(out, "`kind`: {}.\n", kinds.join(", "));
                }
                fields_table(&vocabulary, ty.fields.ids(), &mut out);
            }
            None => {
                let _ = writeln!(out, "### {title}\n");
                fields_table(&vocabulary, section.fields.ids(), &mut out);
            }
        }
    }
    out
}

fn fields_table(vocabulary: &Vocabulary, ids: &[FieldId], out: &mut String) {
    out.push_str("| field | value | meaning |\n|---|---|---|\n");
    for id in ids {
        let field = vocabulary.field(*id);
        if field.name == "kind" {
            continue;
        }
        let value = match &field.ty {
            ValueType::Ref(reference) => {
                let (one, many) = match reference.target {
                    Target::Any => ("any entity".to_owned(), "any entities".to_owned()),
                    Target::Entity(ty) => {
                        let id = &vocabulary.entity_type(ty).id;
                        (with_article(id), plural(id))
                    }
                };
                let what = if reference.many {
                    format!("names of {many}")
                } else {
                    format!("the name of {one}")
                };
                match &reference.qualifier {
                    Some(qualifier) => {
                        format!("{what}, each qualified by {}", qualifier.describe())
                    }
                    None => what,
                }
            }
            other => other.describe(),
        };
        let kinds = field
            .kinds
            .as_ref()
            .map(|kinds| format!(" (for {})", kinds.join(", ")))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {value}{kinds} | {} |",
            field.name,
            field.doc.as_deref().unwrap_or("")
        );
    }
    out.push('\n');
}

fn plural(noun: &str) -> String {
    match noun {
        "person" => "people".to_owned(),
        _ if noun.ends_with('y') => format!("{}ies", &noun[..noun.len() - 1]),
        _ => format!("{noun}s"),
    }
}

/// `text` with the part between `marks` replaced by `section`.
fn replaced(text: &str, (start, end): (&str, &str), section: &str) -> Result<String, String> {
    let (before, rest) = text
        .split_once(start)
        .ok_or_else(|| format!("no `{}` in the file", start.trim()))?;
    let (_, after) = rest
        .split_once(end)
        .ok_or_else(|| format!("no `{}` in the file", end.trim()))?;
    Ok(format!("{before}{start}{section}{end}{after}"))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn the_generated_docs_are_up_to_date() {
        let codes = std::fs::read_to_string(root().join("docs/codes.md")).unwrap_or_default();
        assert!(
            codes == super::codes_md().expect("the default pack loads"),
            "docs/codes.md is out of date: run `cargo xtask docs`"
        );
        for (file, marks, section) in [
            (
                "docs/rule-language.md",
                super::BUILTINS,
                super::builtins_table(),
            ),
            ("docs/format.md", super::VOCABULARY, super::vocabulary_md()),
        ] {
            let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
            assert!(
                super::replaced(&text, marks, &section).as_deref() == Ok(text.as_str()),
                "{file} is out of date: run `cargo xtask docs`"
            );
        }
    }
}
