//! `assure explain CODE`: what a code means. A rule's code gives the rule's
//! documentation from its pack (what it checks, why, its parameters, its
//! failing and passing examples); one of assure's own codes gives its
//! explanation from the registry, without reading the project at all.

use crate::commands::write;
use crate::context::Context;
use crate::{ExitStatus, Failure};
use assure_diagnostic::closest;
use assure_diagnostic::codes::{self, CodeInfo, Scope};
use assure_rules::{Rule, RuleSet};
use clap::Args;
use std::fmt::Write as _;

/// `assure explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, e.g. `CAP001` or `SYN001`.
    #[arg(value_name = "CODE")]
    pub code: String,
}

/// What `code` means: one of assure's own codes, or a rule of `rules`
/// (the editor's "explain" shows this too).
pub fn explanation(rules: &RuleSet, code: &str) -> Result<String, Failure> {
    let code = code.trim().to_ascii_uppercase();
    match codes::lookup(&code) {
        Some(info) => Ok(explain_code(info)),
        None => match rules.rule(&code) {
            Some(rule) => Ok(explain_rule(rules, rule)),
            None => Err(unknown(rules, &code)),
        },
    }
}

/// Prints what `code` means.
pub fn run(args: &ExplainArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    let code = args.code.trim().to_ascii_uppercase();
    let text = match codes::lookup(&code) {
        Some(info) => explain_code(info),
        None => {
            let project = context.project()?;
            let rules = &project.rules;
            match rules.rule(&code) {
                Some(_) => explanation(rules, &code)?,
                None => match project.off.iter().find(|r| r.code == code) {
                    Some(rule) => {
                        let config = project.config.path.as_ref().map_or_else(
                            || "the configuration".to_owned(),
                            |p| p.display().to_string(),
                        );
                        let mut text = explain_rule(rules, rule);
                        let _ = writeln!(
                            text,
                            "\nThis rule is off in this project: {config} sets `{code} = \"off\"`, so it does not run."
                        );
                        text
                    }
                    None => match shipped(&code) {
                        // A shipped pack's code is explained by name,
                        // selected or not, and says how to select it.
                        Some((pack, shipped_rules)) => {
                            let rule = shipped_rules
                                .rule(&code)
                                .expect("the shipped pack has the code it was found by");
                            let mut text = explain_rule(&shipped_rules, rule);
                            let _ = writeln!(
                                text,
                                "\nThis rule is in the pack `{pack}` shipped with assure, which this project does not select: `--pack {pack}`, or `packs = [\"{pack}\"]` in assure.toml."
                            );
                            text
                        }
                        None => return Err(unknown(rules, &code)),
                    },
                },
            }
        }
    };
    write(context.stdout, &wrap(&text, context.common.width))?;
    Ok(ExitStatus::Ok)
}

/// The shipped pack that has a rule `code`, and that pack loaded alone
/// over the embedded default (whose vocabulary it extends).
fn shipped(code: &str) -> Option<(&'static str, RuleSet)> {
    assure_rules::BUILTIN_PACKS.iter().find_map(|(name, text)| {
        if !text.contains(&format!("code = \"{code}\"")) {
            return None;
        }
        let packs = [std::path::PathBuf::from(*name)];
        let rules = crate::project::load_packs(
            *name != "nhs-new-care-models",
            &packs,
            &assure_rules::Settings::default(),
        )
        .ok()?;
        rules.rule(code).is_some().then_some((*name, rules))
    })
}

/// `text` with each line longer than `width` broken between words, its
/// indentation kept on the lines it continues on; code blocks, tables and
/// a rule's examples (under `Fails` and `Passes`) as they are, since they
/// are proposals to copy.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut in_example = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !line.is_empty() && !line.starts_with(' ') {
            in_example = line == "Fails" || line == "Passes";
        }
        let verbatim = in_code || in_example || line.trim_start().starts_with('|');
        if verbatim || line.chars().count() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let mut current = String::from(indent);
        for word in line.split_whitespace() {
            let fits = current.trim().is_empty()
                || current.chars().count() + 1 + word.chars().count() <= width;
            if !fits {
                out.push_str(current.trim_end());
                out.push('\n');
                current = String::from(indent);
            }
            if !current.trim().is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out
}

fn unknown(rules: &RuleSet, code: &str) -> Failure {
    let known = rules
        .rules
        .iter()
        .map(|r| r.code.as_str())
        .chain(codes::ALL.iter().map(|info| info.code));
    let hint = closest(code, known).map_or_else(
        || "`assure rules list --all` shows every code".to_owned(),
        |c| format!("did you mean `{c}`?"),
    );
    Failure::new(format!("no rule has the code `{code}`; {hint}"))
}

/// One of assure's own codes: what kind it is, then its explanation.
fn explain_code(info: &CodeInfo) -> String {
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

fn explain_rule(rules: &RuleSet, rule: &Rule) -> String {
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
