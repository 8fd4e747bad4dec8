//! `assure explain CODE`: what a code means. A rule's code gives the rule's
//! documentation from its pack (what it checks, why, its parameters, its
//! failing and passing examples); one of assure's own codes gives its
//! explanation from the registry, without reading the project at all.

use crate::commands::write;
use crate::context::Context;
use crate::{ExitStatus, Failure};
use assure_check::explain::{explain_code, explain_rule, unknown};
use assure_diagnostic::codes;
use assure_rules::RuleSet;
use clap::Args;
use std::fmt::Write as _;

/// `assure explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The code, e.g. `CAP001` or `SYN001`.
    #[arg(value_name = "CODE")]
    pub code: String,
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
                Some(rule) => explain_rule(rules, rule),
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
                        None => return Err(Failure::new(unknown(rules, &code))),
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
        let rules = assure_workspace::project::load_packs(
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
