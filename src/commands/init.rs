//! `assure init [PATH]`: a commented starting proposal, never written over
//! an existing file; the fields and sections added by each pack named
//! with `--pack` are in it too, each with a placeholder that says what to
//! write. `assure.toml` is not read.

use crate::context::Context;
use crate::{ExitStatus, Failure};
use assure_diagnostic::visible;
use clap::Args;
use std::path::PathBuf;

/// `assure init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(value_name = "PATH", default_value = "new.proposal")]
    pub path: PathBuf,
}

/// The starting proposal.
const TEMPLATE: &str = include_str!("../templates/new.proposal");

/// `template` with a placeholder line for each field the loaded packs add:
/// in the first entity of its type, at the end of its section, or in a new
/// section at the end.
fn with_pack_fields(template: &str, rules: &assure_rules::RuleSet) -> String {
    use assure_vocab::Owner;
    let vocabulary = &rules.vocabulary;
    let mut lines: Vec<String> = template.lines().map(str::to_owned).collect();
    let mut appended: Vec<(String, Vec<String>)> = Vec::new();
    for pack in &rules.packs {
        for &id in &pack.fields {
            let field = vocabulary.field(id);
            // A new type's `kind` is written with its heading, below.
            if field.name == "kind" {
                continue;
            }
            let what = field
                .doc
                .clone()
                .unwrap_or_else(|| field.ty.describe())
                .to_uppercase();
            let line = format!("{}: <<{what}>>", field.name);
            let comment = format!(
                "<!-- {}: {} (pack {}) -->",
                field.name,
                field.ty.describe(),
                pack.name
            );
            let (title, entity) = match field.owner {
                Owner::Section(section) => (vocabulary.section(section).title.clone(), false),
                Owner::Entity(ty) => (
                    vocabulary
                        .section(vocabulary.entity_type(ty).section)
                        .title
                        .clone(),
                    true,
                ),
            };
            // The header's fields go after the header's own.
            let Some(title) = title else {
                let at = lines
                    .iter()
                    .position(|l| l.is_empty())
                    .unwrap_or(lines.len());
                lines.splice(at..at, [comment, line]);
                continue;
            };
            let heading = format!("# {title}");
            let Some(start) = lines.iter().position(|l| *l == heading) else {
                match appended.iter_mut().find(|(t, _)| *t == title) {
                    Some((_, fields)) => fields.extend([comment, line]),
                    None => {
                        let mut fields = Vec::new();
                        if let Owner::Entity(ty) = field.owner {
                            let ty = vocabulary.entity_type(ty);
                            fields.push(format!(
                                "\n## <<NAME OF {}>>",
                                assure_vocab::with_article(&ty.id).to_uppercase()
                            ));
                            if !ty.kinds.is_empty() {
                                fields.push(format!("<!-- kind: {} -->", ty.kinds.join(", ")));
                                fields.push("kind: <<KIND>>".to_owned());
                            }
                        }
                        fields.extend([comment, line]);
                        appended.push((title, fields));
                    }
                }
                continue;
            };
            let section_end = lines[start + 1..]
                .iter()
                .position(|l| l.starts_with("# "))
                .map_or(lines.len(), |i| start + 1 + i);
            let (from, to) = if entity {
                match lines[start + 1..section_end]
                    .iter()
                    .position(|l| l.starts_with("## "))
                {
                    Some(i) => {
                        let first = start + 1 + i;
                        let end = lines[first + 1..section_end]
                            .iter()
                            .position(|l| l.starts_with("## "))
                            .map_or(section_end, |j| first + 1 + j);
                        (first, end)
                    }
                    None => {
                        appended.push((
                            String::new(),
                            vec![
                                comment,
                                format!("<!-- under each `##` of # {title} -->"),
                                line,
                            ],
                        ));
                        continue;
                    }
                }
            } else {
                (start, section_end)
            };
            // After the block's last line that is not blank.
            let mut at = to;
            while at > from + 1 && lines[at - 1].trim().is_empty() {
                at -= 1;
            }
            lines.splice(at..at, [comment, line]);
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    for (title, fields) in appended {
        if !title.is_empty() {
            text.push_str(&format!("\n# {title}\n"));
        }
        for line in fields {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

/// Writes the starting proposal: the template is made first (a pack that
/// fails to load leaves no file behind), then the file is created whole,
/// never over an existing name.
pub fn run(args: &InitArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    let shown = visible(&args.path.display().to_string()).into_owned();
    // Only packs named with `--pack`: a broken `assure.toml` must not stop
    // someone from starting a proposal.
    let template = if context.common.sources.packs.is_empty() {
        TEMPLATE.to_owned()
    } else {
        let rules = assure_workspace::project::load_packs(
            true,
            &context.common.sources.packs,
            &assure_rules::Settings::default(),
        )?;
        with_pack_fields(TEMPLATE, &rules)
    };
    assure_workspace::write::create_new(&args.path, template.as_bytes())
        .map_err(|why| Failure::new(format!("cannot write {shown}: {why}")))?;
    writeln!(
        context.stdout,
        "wrote {shown}: replace each <<PLACEHOLDER>>, then run `assure lint {shown}` to see what is still missing"
    )?;
    Ok(ExitStatus::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use assure_syntax::LineKind;

    /// A comment that says which finding a field clears sits directly
    /// above that field: the field's key is one the named rule reads.
    #[test]
    fn each_comment_naming_a_finding_sits_above_a_field_its_rule_reads() {
        let rules = assure_rules::RuleSet::default_set().unwrap();
        let parse = assure_syntax::parse(TEMPLATE);
        let file = &parse.file;
        let mut checked = Vec::new();
        for comment in &file.comments {
            let body = comment.body.text(TEMPLATE);
            for rule in rules
                .rules
                .iter()
                .filter(|r| body.contains(r.code.as_str()))
            {
                let below = (comment.line as usize + 1..file.lines.len())
                    .find(|&l| file.lines[l].kind != LineKind::Comment)
                    .map(|l| &file.lines[l].kind);
                let Some(LineKind::Field { field }) = below else {
                    panic!("no field below the comment naming {}", rule.code);
                };
                let key = file.fields[*field as usize].key.text(TEMPLATE);
                assert!(
                    rule.logic.iter().any(|(_, text)| text.contains(key)),
                    "the comment naming {} sits above `{key}`, which it does not read",
                    rule.code
                );
                checked.push(format!("{} {key}", rule.code));
            }
        }
        assert_eq!(checked, ["CFC001 why-this-model", "FAIL001 failure-regime"]);
    }
}
