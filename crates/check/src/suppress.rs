//! Suppressions: inline `<!-- assure-allow: CODE reason -->` directives and
//! the project's `[[allow]]` entries, and the entity and field each finding
//! is about (what suppressions and baselines match on).
//!
//! A suppressed finding is kept, marked with its reason, so that outputs
//! can list it: nothing is silently dropped. A directive without a reason,
//! naming an unknown or structural code, or suppressing nothing, is itself a
//! finding (DIR001).

use crate::Finding;
use assure_diagnostic::{
    Applicability, Diagnostic, Fix, LineIndex, Listed, Span, closest, codes, prefix_from,
};
use assure_model::Model;
use assure_rules::RuleSet;
use assure_syntax::{Comment, DirectiveKind, LineKind, Parse, SourceFile};
use std::fmt;
use std::sync::Arc;

/// Why a finding does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The reason given.
    pub reason: String,
    /// Where the suppression comes from.
    pub origin: Origin,
}

impl Suppression {
    /// Whether the finding is in the baseline rather than suppressed.
    pub fn is_baseline(&self) -> bool {
        self.origin == Origin::Baseline
    }
}

/// Where a suppression comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An `assure-allow` directive on this 1-based line.
    Inline {
        /// The directive's line.
        line: u32,
    },
    /// The project configuration's `[[allow]]` entry with this index.
    Config {
        /// The entry's index.
        index: usize,
    },
    /// The baseline given with `--baseline`.
    Baseline,
}

impl Origin {
    /// `inline`, `config` or `baseline`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Inline { .. } => "inline",
            Origin::Config { .. } => "config",
            Origin::Baseline => "baseline",
        }
    }
}

/// A project-level suppression: findings of `code` in files the path test
/// accepts (and about `entity`, if given).
#[derive(Clone)]
pub struct AllowEntry {
    /// Its index in the configuration.
    pub index: usize,
    /// Whether a file's path is covered.
    pub path_matches: Arc<dyn Fn(&str) -> bool + Send + Sync>,
    /// The code.
    pub code: String,
    /// The entity, by name (case and spacing folded).
    pub entity: Option<String>,
    /// Why.
    pub reason: String,
}

impl fmt::Debug for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllowEntry")
            .field("index", &self.index)
            .field("code", &self.code)
            .field("entity", &self.entity)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// Sets each finding's entity (the `## heading` whose block holds its
/// primary span) and field (the field whose text holds it).
pub fn locate(findings: &mut [Finding], model: &Model<'_>, text: &str) {
    let fields = model.written_fields();
    // Entities and section headings are each in document order; a block
    // is the later of the last of each to start at or before a finding.
    let entities = model.entities();
    let headings = model.headings();
    // Findings visited in the order of their start, so that the block and
    // the field each lies in are found moving forward through memory, not
    // by a binary search over a million blocks per finding.
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| findings[i].diagnostic.span.start);
    let (mut entity, mut heading, mut field) = (0, 0, 0);
    for i in order {
        let finding = &mut findings[i];
        let at = finding.diagnostic.span.start;
        entity = prefix_from(entities, entity, |e| e.heading.start <= at);
        heading = prefix_from(headings, heading, |h| h.span.start <= at);
        let section_start = heading.checked_sub(1).map(|i| headings[i].span.start);
        finding.entity = entity
            .checked_sub(1)
            .map(|i| &entities[i])
            .filter(|e| section_start.is_none_or(|start| e.heading.start > start))
            .map(|e| e.name.to_owned());
        field = prefix_from(fields, field, |f| f.start <= at);
        finding.field = field
            .checked_sub(1)
            .map(|i| &fields[i])
            .filter(|f| at <= f.end)
            .map(|f| field_key(f.text(text)).to_owned());
    }
}

/// A field's key, from the field as written: up to its colon, which no key
/// contains.
fn field_key(field: &str) -> &str {
    field.split_once(':').map_or(field, |(key, _)| key)
}

/// An `assure-allow` directive, with the 1-based line it is written on and
/// the line it covers: worked out from the tree's lines, which a large
/// file's check frees before its rules run.
#[derive(Debug, Clone)]
pub struct InlineAllow {
    /// The comment carrying the directive.
    pub comment: Comment,
    /// The line it is written on.
    pub written_at: u32,
    /// The line it covers, if any.
    pub target: Option<u32>,
}

/// The file's `assure-allow` directives and the lines they cover.
pub fn inline_allows(parse: &Parse, text: &str) -> Vec<InlineAllow> {
    let file = &parse.file;
    let mut allows = Vec::new();
    // Built only for a file with directives: most have none.
    let mut index = None;
    let mut last_search = None;
    for comment in &file.comments {
        if comment
            .directive
            .as_ref()
            .is_none_or(|d| !matches!(d.kind, DirectiveKind::Allow | DirectiveKind::Misspelt))
        {
            continue;
        }
        let index = index.get_or_insert_with(|| LineIndex::new(text));
        let i = comment.line as usize;
        allows.push(InlineAllow {
            comment: comment.clone(),
            written_at: index.line_col(text, file.lines[i].span.start).line,
            target: covered_line(
                file,
                i,
                index,
                text,
                |l| file.lines[l].kind == LineKind::Comment,
                &mut last_search,
            ),
        });
    }
    allows
}

/// Applies the file's `assure-allow` directives to `findings`, returning
/// the DIR001 findings for directives that are malformed or unused.
pub fn apply_inline(
    findings: &mut [Finding],
    allows: &[InlineAllow],
    text: &str,
    rules: &RuleSet,
) -> Vec<Finding> {
    // A file of a directive on every line would otherwise hold a finding
    // for each: each code's first are listed, the rest counted.
    let mut problems = Listed::new();
    if allows.is_empty() {
        return Vec::new();
    }
    let index = LineIndex::new(text);
    // Each finding's line, found once, and the findings by line: each
    // directive reads those on the line it covers, not every finding.
    let mut by_line: Vec<(u32, usize)> = findings
        .iter()
        .enumerate()
        .map(|(at, finding)| (index.line_col(text, finding.diagnostic.span.start).line, at))
        .collect();
    by_line.sort_unstable();
    for allow in allows {
        let comment = &allow.comment;
        let Some(directive) = &comment.directive else {
            continue;
        };
        let (at, written_at, target) = (comment.span, allow.written_at, allow.target);
        if directive.kind == DirectiveKind::Misspelt {
            let codes: Vec<String> = directive
                .codes
                .iter()
                .map(|c| c.text(text).to_ascii_uppercase())
                .collect();
            let codes = if codes.is_empty() {
                "CODE".to_owned()
            } else {
                codes.join(", ")
            };
            let reason = directive.reason.map_or("the reason", |r| r.text(text));
            let mut problem = dir001(
                directive.keyword,
                format!(
                    "`{}` is not a directive, so this comment allows nothing",
                    directive.keyword.text(text)
                ),
                format!("write `<!-- assure-allow: {codes} {reason} -->`"),
            );
            problem = problem.with_fix(Fix::replace(
                "write `assure-allow`",
                Applicability::Safe,
                directive.keyword,
                "assure-allow",
            ));
            problems.push(problem);
            continue;
        }
        if directive.codes.is_empty() {
            problems.push(dir001(
                at,
                "this suppression names no code",
                "write `<!-- assure-allow: CODE why it is acceptable -->`",
            ));
            continue;
        }
        let Some(reason) = directive.reason.map(|r| r.text(text).to_owned()) else {
            problems.push(dir001(
                at,
                "this suppression gives no reason, so it suppresses nothing",
                "say why the finding is acceptable: `<!-- assure-allow: CODE the reason -->`",
            ));
            continue;
        };
        // A placeholder for the reason (what the editor's action writes,
        // to be replaced) or a word that stands for nothing is no reason.
        if reason.contains("<<") || rules.vocabulary.is_filler(&reason) {
            problems.push(dir001(
                at,
                format!(
                    "this suppression's reason `{}` says nothing, so it suppresses nothing",
                    assure_diagnostic::excerpt(&reason)
                ),
                "say why the finding is acceptable in its place: `<!-- assure-allow: CODE the reason -->`",
            ));
            continue;
        }
        for code_span in &directive.codes {
            let written = code_span.text(text);
            let upper = written.to_ascii_uppercase();
            let code = upper.as_str();
            if written != code {
                let mut problem = dir001(
                    *code_span,
                    format!("codes are written in capitals: `{code}`, not `{written}`"),
                    format!("write `{code}`"),
                );
                problem = problem.with_fix(Fix::replace(
                    format!("write `{code}`"),
                    Applicability::Safe,
                    *code_span,
                    code,
                ));
                problems.push(problem);
            }
            if codes::of_proposals().any(|info| info.code == code) {
                problems.push(dir001(
                    *code_span,
                    format!("{code} is a structural finding and cannot be suppressed"),
                    "fix the line instead",
                ));
                continue;
            }
            if rules.rule(code).is_none() {
                let known = rules.rules.iter().map(|r| r.code.as_str());
                let help = closest(code, known).map_or_else(
                    || "`assure rules list` shows every code".to_owned(),
                    |c| format!("did you mean `{c}`?"),
                );
                problems.push(dir001(
                    *code_span,
                    format!("no rule has the code {code}"),
                    help,
                ));
                continue;
            }
            let mut used = false;
            let on_line = target.map_or(&[][..], |line| {
                let first = by_line.partition_point(|&(l, _)| l < line);
                let last = by_line.partition_point(|&(l, _)| l <= line);
                &by_line[first..last]
            });
            for &(_, at) in on_line {
                let finding = &mut findings[at];
                if *finding.diagnostic.code != *code || finding.suppressed.is_some() {
                    continue;
                }
                used = true;
                // One that stands for findings not listed, elsewhere, is
                // not allowed by a directive on its line: they are not.
                if finding.diagnostic.unlisted == 0 {
                    finding.suppressed = Some(Suppression {
                        reason: reason.clone(),
                        origin: Origin::Inline { line: written_at },
                    });
                }
            }
            if !used {
                let line = target.map_or_else(|| "after it".to_owned(), |l| format!("on line {l}"));
                problems.push(dir001(
                    *code_span,
                    format!("this suppression of {code} suppresses nothing: there is no {code} finding {line}"),
                    "remove it, or move it to the line before the finding",
                ));
            }
        }
    }
    problems
        .into_vec()
        .into_iter()
        .map(Finding::structural)
        .collect()
}

/// The 1-based line a directive on line `i` covers: its own line when it
/// ends a line, else the next line that is not blank and not `skipped`.
/// Asked of comment lines in order, a run of them is searched once:
/// `last` holds the last search (where it started, the line it found), and
/// every line between the two is blank or skipped, so a comment there
/// covers the same line. Searched anew for each comment of a run of
/// 170,000, that was quadratic (10 s).
pub(crate) fn covered_line(
    file: &SourceFile,
    i: usize,
    index: &LineIndex,
    text: &str,
    skipped: impl Fn(usize) -> bool,
    last: &mut Option<(usize, Option<usize>)>,
) -> Option<u32> {
    let lines = &file.lines;
    let line = &lines[i];
    if line.kind != LineKind::Comment {
        return Some(index.line_col(text, line.span.start).line);
    }
    let found = match *last {
        Some((from, found)) if from < i && i < found.unwrap_or(lines.len()) => found,
        _ => (i + 1..lines.len()).find(|&l| lines[l].kind != LineKind::Blank && !skipped(l)),
    };
    *last = Some((i, found));
    found.map(|l| index.line_col(text, lines[l].span.start).line)
}

fn dir001(span: Span, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::of(codes::DIR001, span, message).with_help(help)
}

/// Applies the project's `[[allow]]` entries to the findings of the file
/// at `path`, returning the indices of the entries that matched.
pub fn apply_config(findings: &mut [Finding], path: &str, entries: &[AllowEntry]) -> Vec<usize> {
    let shown = path.strip_prefix("./").unwrap_or(path);
    let mut used = Vec::new();
    for entry in entries {
        if !(entry.path_matches)(shown) {
            continue;
        }
        let wanted_entity = entry.entity.as_deref().map(assure_vocab::fold);
        for finding in findings.iter_mut() {
            let entity_matches = match (&wanted_entity, &finding.entity) {
                (None, _) => true,
                // One that stands for findings not listed, perhaps of other
                // entities, is allowed only with every finding of its code.
                (Some(_), _) if finding.diagnostic.unlisted > 0 => false,
                (Some(wanted), Some(entity)) => *wanted == assure_vocab::fold(entity),
                (Some(_), None) => false,
            };
            if *finding.diagnostic.code == *entry.code
                && finding.suppressed.is_none()
                && entity_matches
            {
                finding.suppressed = Some(Suppression {
                    reason: entry.reason.clone(),
                    origin: Origin::Config { index: entry.index },
                });
                if !used.contains(&entry.index) {
                    used.push(entry.index);
                }
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {

    #[test]
    fn each_directive_of_a_run_of_comments_covers_the_line_after_the_run() {
        let text = concat!(
            "proposal: A\n",
            "<!-- assure-allow: CFC001 a -->\n",
            "<!-- assure-allow: CFC002 b -->\n",
            "\n",
            "<!-- assure-allow: CFC003 c -->\n",
            "model: mcp <!-- assure-allow: CFC004 d -->\n",
            "<!-- assure-allow: CFC005 e -->\n",
            "<!-- assure-allow: CFC006 f -->\n",
        );
        let parse = assure_syntax::parse(text);
        let covered: Vec<(u32, Option<u32>)> = super::inline_allows(&parse, text)
            .iter()
            .map(|allow| (allow.written_at, allow.target))
            .collect();
        assert_eq!(
            covered,
            [
                (2, Some(6)),
                (3, Some(6)),
                (5, Some(6)),
                (6, Some(6)),
                (7, None),
                (8, None)
            ]
        );
    }
    use crate::Checker;
    use assure_rules::RuleSet;

    #[test]
    fn findings_are_located_in_their_entity_and_field() {
        // A field of the header, of an entity, of a section after that
        // entity (in no entity), and continued over a line; a heading in
        // no field.
        let text = concat!(
            "proposal: A\nmodel: mcp\ncolour: red\n\n",
            "# Organisations\n\n## X\nkind: ccg\ncolour: blue\n\n",
            "# Case for change\nsavings: lots\nwhy-this-model: because\n  it is\n\n",
            "## Y\nkind: ccg\n",
        );
        let checker = Checker::new(RuleSet::default_set().unwrap());
        let report = checker.check("a.proposal", text.as_bytes());
        let index = report.line_index();
        let located: Vec<String> = report
            .findings
            .iter()
            .map(|f| {
                let line = index.line_col(text, f.diagnostic.span.start).line;
                let entity = f.entity.as_deref().unwrap_or("-");
                let field = f.field.as_deref().unwrap_or("-");
                format!("{} {line} {entity} {field}", f.diagnostic.code)
            })
            .collect();
        assert_eq!(
            located,
            [
                "CFC004 2 - model",
                "SCH002 3 - colour",
                "SCH002 9 X colour",
                "SCH003 12 - savings",
                "SCH005 16 - -",
            ]
        );
    }
}
