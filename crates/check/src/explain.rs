//! What a code means, as `assure explain`, the editor's explanation pages
//! and the report site's page per code show it: one of assure's own codes
//! from the registry (what kind it is, then its explanation), or a rule
//! from its pack (what it checks, why, how, its parameters, the fields its
//! pack adds, its failing and passing examples).

use assure_diagnostic::closest;
use assure_diagnostic::codes::{self, CodeInfo, Scope};
use assure_rules::{Rule, RuleSet};
use std::fmt::Write as _;

/// What `code` (any case, spaces around it ignored) means: one of
/// assure's own codes, or a rule of `rules`; none for a code neither has.
pub fn explanation(rules: &RuleSet, code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    match codes::lookup(&code) {
        Some(info) => Some(explain_code(info)),
        None => rules.rule(&code).map(|rule| explain_rule(rules, rule)),
    }
}

/// Why `code` is explained by nothing: the nearest code there is, or where
/// to find them all.
pub fn unknown(rules: &RuleSet, code: &str) -> String {
    let known = rules
        .rules
        .iter()
        .map(|r| r.code.as_str())
        .chain(codes::ALL.iter().map(|info| info.code));
    let hint = closest(code, known).map_or_else(
        || "`assure rules list --all` shows every code".to_owned(),
        |c| format!("did you mean `{c}`?"),
    );
    format!("no rule has the code `{code}`; {hint}")
}

/// One of assure's own codes: what kind it is, then its explanation.
pub fn explain_code(info: &CodeInfo) -> String {
    let (kind, where_) = match info.scope {
        Scope::Proposal => ("structural; always on", "reported in proposals"),
        Scope::Pack => ("rule packs", "the pack is refused and the run fails"),
        Scope::Config => (
            "assure.toml",
            "the configuration is refused and the run fails",
        ),
        Scope::Toml => (
            "TOML input",
            "the file is refused and the run fails; in a rule pack it is reported as a PACK code",
        ),
    };
    format!(
        "{} ({kind})\n{} · {where_}\n\n{}",
        info.code, info.severity, info.explanation
    )
}

/// A rule of `rules`, from its pack.
pub fn explain_rule(rules: &RuleSet, rule: &Rule) -> String {
    let mut out = String::new();
    let pack = rules.packs.iter().find(|p| p.name == rule.pack);
    let version = pack.map_or(String::new(), |p| format!(" {}", p.version));
    let _ = writeln!(out, "{}: {}", rule.code, rule.name);
    let _ = writeln!(
        out,
        "{} · stage {} · pack {}{version}",
        rule.severity, rules.stages[rule.stage].id, rule.pack
    );
    let _ = writeln!(out, "\nWhat it checks\n{}", indent(&rule.summary));
    let _ = writeln!(out, "\nWhy\n{}", indent(&rule.source));
    if !rule.logic.is_empty() {
        let _ = writeln!(out, "\nHow");
        for (key, text) in &rule.logic {
            let _ = writeln!(out, "    {key}: {}", text.trim());
        }
    }
    if !rule.params.is_empty() {
        let _ = writeln!(out, "\nParameters");
        for param in &rule.params {
            let default = if param.is_default() {
                String::new()
            } else {
                format!(" (default {})", param.default)
            };
            let _ = writeln!(out, "  {} = {}{default}", param.name, param.value);
            if let Some(doc) = &param.doc {
                let _ = writeln!(out, "      {doc}");
            }
        }
    }
    if let Some(help) = &rule.help {
        let _ = writeln!(out, "\nInstead\n{}", indent(help));
    }
    if let Some(pack) = pack.filter(|p| !p.fields.is_empty()) {
        let _ = writeln!(out, "\nFields pack {} adds", pack.name);
        for &id in &pack.fields {
            let field = rules.vocabulary.field(id);
            let doc = field
                .doc
                .as_deref()
                .map_or(String::new(), |d| format!(": {d}"));
            let _ = writeln!(
                out,
                "    {} of {}, {}{doc}",
                field.name,
                rules.vocabulary.owner_name(field.owner),
                field.ty.describe()
            );
        }
    }
    if let Some((fail, _)) = &rule.examples.fail {
        let _ = writeln!(out, "\nFails\n{}", indent(fail.trim_matches('\n')));
    }
    if let Some((pass, _)) = &rule.examples.pass {
        let _ = writeln!(out, "\nPasses\n{}", indent(pass.trim_matches('\n')));
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
