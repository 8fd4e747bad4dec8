//! `cargo xtask hunt`: looks for silent passes before users find them.
//!
//! Every fixture is checked with every shipped pack, as `assure rules test`
//! checks it. For each error it gives, the field the error rests on (the
//! line it points at, and each line it labels) is rewritten the ways people
//! write fields: deleted, its key capitalised, in bold, with a dash, as a
//! bullet, with a zero-width space, as a Markdown table row; its value
//! `TBC` or `N/A`, an amount in words or without its period; the line
//! moved under the next heading; the whole file with CR line endings; a
//! non-breaking space after the colon.
//!
//! A rewritten proposal must still give the error, or something new that
//! keeps the error's stage from `ready`: an error or a finding that says a
//! rule could not judge something (EVAL001-EVAL003), of that stage, an
//! earlier one, or structural. A rewrite after which the error is gone and
//! nothing new stands in its place is a silent pass, and fails the task
//! with the rewrite printed.
//!
//! Some rewrites change what the proposal says, and then the error may
//! rightly go: deleting `member-of:` says the person is no member.
//! [`MEANING_CHANGES`] lists those, each with why; every other silent
//! pass fails.

use assure_check::{Checker, FileReport, Finding, Status};
use assure_diagnostic::Severity;
use assure_syntax::LineKind;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The packs shipped with assure besides the default, all loaded.
const SHIPPED_PACKS: [&str; 3] = ["coi-2017", "psr-2024", "isap-2017"];

/// A way people rewrite a field line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rewrite {
    Delete,
    Capitalised,
    Bold,
    Dash,
    Bullet,
    ZeroWidthSpace,
    TableRow,
    Tbc,
    NotApplicable,
    AmountInWords,
    WithoutPeriod,
    UnderNextHeading,
    CarriageReturns,
    NonBreakingSpace,
}

const REWRITES: [Rewrite; 14] = [
    Rewrite::Delete,
    Rewrite::Capitalised,
    Rewrite::Bold,
    Rewrite::Dash,
    Rewrite::Bullet,
    Rewrite::ZeroWidthSpace,
    Rewrite::TableRow,
    Rewrite::Tbc,
    Rewrite::NotApplicable,
    Rewrite::AmountInWords,
    Rewrite::WithoutPeriod,
    Rewrite::UnderNextHeading,
    Rewrite::CarriageReturns,
    Rewrite::NonBreakingSpace,
];

impl Rewrite {
    fn name(self) -> &'static str {
        match self {
            Rewrite::Delete => "field deleted",
            Rewrite::Capitalised => "key capitalised",
            Rewrite::Bold => "key in bold",
            Rewrite::Dash => "dash for the colon",
            Rewrite::Bullet => "as a bullet",
            Rewrite::ZeroWidthSpace => "zero-width space in the key",
            Rewrite::TableRow => "as a table row",
            Rewrite::Tbc => "value TBC",
            Rewrite::NotApplicable => "value N/A",
            Rewrite::AmountInWords => "amount in words",
            Rewrite::WithoutPeriod => "amount without its period",
            Rewrite::UnderNextHeading => "line moved under the next heading",
            Rewrite::CarriageReturns => "CR line endings",
            Rewrite::NonBreakingSpace => "non-breaking space after the colon",
        }
    }
}

/// Rewrites after which an error may rightly go, because the proposal
/// then says something else: (the error's code, rewrite, field key, why).
/// Filler (`TBC`, `N/A`) is never here: it says nothing, and so cannot
/// change what a proposal says.
const MEANING_CHANGES: &[(&str, Rewrite, &str, &str)] = &[
    // A step not taken yet: the checkpoint or notice before it is in
    // place, so the step may be taken, and the stage is rightly ready.
    (
        "ISAP001",
        Rewrite::Delete,
        "advertised",
        "not advertised yet, after a checkpoint 1 that is recorded",
    ),
    (
        "ISAP002",
        Rewrite::Delete,
        "signed",
        "not signed yet, after a checkpoint 2 that is recorded",
    ),
    // A notice that states no deadline for representations: the
    // schedules of notices do not require one, and the standstill itself
    // (PSR007) still holds the award back.
    (
        "PSR016",
        Rewrite::Delete,
        "representations-deadline",
        "a notice of intention that states no deadline",
    ),
    (
        "PSR017",
        Rewrite::Delete,
        "representations-deadline",
        "a notice of intention that states no deadline",
    ),
    (
        "PSR006",
        Rewrite::Delete,
        "awarded",
        "not awarded yet, after a notice of intention that is recorded",
    ),
    (
        "PSR007",
        Rewrite::Delete,
        "awarded",
        "not awarded yet: the standstill may still be kept",
    ),
    (
        "PSR008",
        Rewrite::Delete,
        "awarded",
        "not awarded yet, after the provider was told the review's outcome",
    ),
    (
        "PSR010",
        Rewrite::Delete,
        "awarded",
        "not awarded yet, so no notice of award is due",
    ),
    // An event that did not happen, or a fact that is not so.
    (
        "PSR008",
        Rewrite::Delete,
        "representations",
        "no representations were made",
    ),
    (
        "PSR009",
        Rewrite::Delete,
        "panel-advice-sought",
        "the panel's advice was not sought",
    ),
    (
        "PFI001",
        Rewrite::Delete,
        "transfers-to",
        "the liability is not transferred",
    ),
    (
        "COI001",
        Rewrite::Delete,
        "member-of",
        "the person sits on no body",
    ),
    (
        "COI001",
        Rewrite::Delete,
        "governing-body",
        "the body lists no board, so the person sits on no body of it",
    ),
    (
        "COI001",
        Rewrite::UnderNextHeading,
        "governing-body",
        "the board is then the next organisation's, on which the person has an interest, not a seat at the commissioner",
    ),
    (
        "COI001",
        Rewrite::Delete,
        "partner-in",
        "the person has no such interest",
    ),
    (
        "CIG012",
        Rewrite::Delete,
        "conflicted",
        "the minutes record no conflict (COI001-COI003 judge the members' interests)",
    ),
    (
        "FUND001",
        Rewrite::Delete,
        "transformation-funding",
        "no transformation funding is sought",
    ),
    (
        "GATE001",
        Rewrite::Delete,
        "contract-and-capability",
        "the gateway has not approved that stage",
    ),
    (
        "GATE001",
        Rewrite::Delete,
        "safe-to-launch",
        "the gateway has not approved that stage",
    ),
    (
        "PROC001",
        Rewrite::Delete,
        "procurement",
        "a contract that is no care model, with no route written, is none of the 2016 rule's business",
    ),
    // Another amount: a total is read as one, and CAP001's message says so
    // when it fires.
    (
        "CAP001",
        Rewrite::WithoutPeriod,
        "value",
        "£150m is a total over the term, not £150m a year",
    ),
];

/// A field line of a fixture: where it is and what it says.
#[derive(Debug, Clone)]
struct FieldLine {
    /// Byte range of its lines, continuations included, and the line end.
    whole: std::ops::Range<usize>,
    /// Byte range of its first line's content.
    first: std::ops::Range<usize>,
    key: String,
    /// Its first line after `key:`, as written (with the leading space).
    rest: String,
}

/// One silent pass: the fixture, the error, the rewrite and its line.
struct Escape {
    fixture: String,
    line: u32,
    code: String,
    rewrite: Rewrite,
    written: String,
    left: String,
}

pub fn run() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let started = Instant::now();
    let packs: Vec<PathBuf> = SHIPPED_PACKS.iter().map(PathBuf::from).collect();
    let rules =
        assure_workspace::project::load_packs(true, &packs, &assure_rules::Settings::default())
            .map_err(|f| f.message)?;
    let checker = Checker::new(rules).with_as_of(Some(assure_check::AsOf {
        date: assure_workspace::clock_date(),
        source: "the clock".to_owned(),
    }));
    let fixtures = fixtures(&root.join("fixtures"))?;
    let results: Vec<Hunted> = fixtures
        .par_iter()
        .map(|path| hunt_fixture(&checker, &root, path))
        .collect::<Result<_, String>>()?;
    let errors: usize = results.iter().map(|r| r.errors).sum();
    let tried: usize = results.iter().map(|r| r.tried).sum();
    let escapes: Vec<&Escape> = results.iter().flat_map(|r| &r.escapes).collect();
    let mut used = vec![0usize; MEANING_CHANGES.len()];
    for &index in results.iter().flat_map(|r| &r.excused) {
        used[index] += 1;
    }
    let mut out = String::new();
    for escape in &escapes {
        let _ = writeln!(
            out,
            "SILENT  {}:{} {}: {}\n        wrote: {}\n        {}",
            escape.fixture,
            escape.line,
            escape.code,
            escape.rewrite.name(),
            escape.written.escape_debug(),
            escape.left
        );
    }
    // An excuse no rewrite needs any more is a hole waiting to be used.
    let unused: Vec<String> = MEANING_CHANGES
        .iter()
        .zip(&used)
        .filter(|(_, n)| **n == 0)
        .map(|((code, rewrite, key, _), _)| format!("{code} {} `{key}`", rewrite.name()))
        .collect();
    for excuse in &unused {
        let _ = writeln!(
            out,
            "UNUSED  excuse {excuse}: no rewrite needs it; remove it"
        );
    }
    let _ = writeln!(
        out,
        "{} fixtures, {errors} errors, {tried} rewritten proposals checked in {:.1} s: {} silent passes, {} changes of meaning excused ({} excuses)",
        fixtures.len(),
        started.elapsed().as_secs_f64(),
        escapes.len(),
        used.iter().sum::<usize>(),
        MEANING_CHANGES.len()
    );
    print!("{out}");
    if !unused.is_empty() {
        return Err(format!("{} excuses match nothing", unused.len()));
    }
    if escapes.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} rewrites let an error pass silently",
            escapes.len()
        ))
    }
}

/// Every `*.proposal` under `dir`, sorted.
fn fixtures(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "proposal")
        {
            found.push(entry.into_path());
        }
    }
    found.sort();
    Ok(found)
}

/// What hunting one fixture found.
#[derive(Default)]
struct Hunted {
    errors: usize,
    tried: usize,
    escapes: Vec<Escape>,
    /// Indices into [`MEANING_CHANGES`] of the excuses that were needed.
    excused: Vec<usize>,
}

/// The errors of one fixture, each rewritten every way: how many errors,
/// how many rewritten proposals, and the silent passes among them.
fn hunt_fixture(checker: &Checker, root: &Path, path: &Path) -> Result<Hunted, String> {
    let shown = path
        .strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let Ok(text) = String::from_utf8(bytes) else {
        // A fixture of bytes that are not text has no field to rewrite.
        return Ok(Hunted::default());
    };
    let baseline = checker.check_fixture(&shown, text.as_bytes()).report;
    let parse = assure_syntax::parse(&text);
    let lines = &parse.file.lines;
    let errors: Vec<&Finding> = baseline
        .findings
        .iter()
        .filter(|f| f.is_active() && f.diagnostic.severity == Severity::Error)
        // A rule's: a structural error is about how a line is written,
        // and rewriting the line may rightly mend it.
        .filter(|f| checker.rules().rule(&f.diagnostic.code).is_some())
        .collect();
    let before = counts(&baseline);
    let mut tried = 0;
    let mut escapes = Vec::new();
    let mut excused = Vec::new();
    for error in &errors {
        let spans = std::iter::once(error.diagnostic.span)
            .chain(error.diagnostic.labels.iter().map(|l| l.span));
        let mut targets: Vec<FieldLine> = Vec::new();
        for span in spans {
            let Some(field) = field_at(&text, &parse, span.start as usize) else {
                continue;
            };
            if !targets.iter().any(|t| t.whole == field.whole) {
                targets.push(field);
            }
        }
        for target in &targets {
            for rewrite in REWRITES {
                let Some(rewritten) = rewrite_field(&text, lines, target, rewrite) else {
                    continue;
                };
                tried += 1;
                let after = checker.check_fixture(&shown, rewritten.as_bytes()).report;
                if let Some(left) = silent(checker, error, &before, &after) {
                    let code = error.diagnostic.code.to_string();
                    let excuse = MEANING_CHANGES.iter().position(|(c, r, key, _)| {
                        *c == code && *r == rewrite && *key == target.key
                    });
                    if let Some(excuse) = excuse {
                        excused.push(excuse);
                    } else {
                        let written = if rewrite == Rewrite::Delete {
                            format!("(deleted) {}", written_line(&text, target.first.start))
                        } else {
                            written_line(&rewritten, target.first.start)
                        };
                        escapes.push(Escape {
                            fixture: shown.clone(),
                            line: baseline
                                .line_index()
                                .line_col(&text, error.diagnostic.span.start)
                                .line,
                            code,
                            rewrite,
                            written,
                            left,
                        });
                    }
                }
            }
        }
    }
    Ok(Hunted {
        errors: errors.len(),
        tried,
        escapes,
        excused,
    })
}

/// The field whose line holds byte `at`, if it is a field's line or its
/// continuation's.
fn field_at(text: &str, parse: &assure_syntax::Parse, at: usize) -> Option<FieldLine> {
    let file = &parse.file;
    let index = file
        .lines
        .partition_point(|line| line.span.start as usize <= at)
        .checked_sub(1)?;
    let (LineKind::Field { field } | LineKind::Continuation { field, .. }) = file.lines[index].kind
    else {
        return None;
    };
    let field = &file.fields[field as usize];
    if field.loose {
        return None;
    }
    let first = &file.lines[field.line as usize];
    let last = (field.line as usize + 1..file.lines.len())
        .take_while(|&l| {
            matches!(file.lines[l].kind, LineKind::Continuation { field: f, .. } if file.fields[f as usize].line == field.line)
        })
        .last()
        .unwrap_or(field.line as usize);
    let key = field.key.text(text).to_owned();
    let content = first.span.start as usize..first.span.end as usize;
    let rest = text[field.key.end as usize + 1..content.end].to_owned();
    Some(FieldLine {
        whole: first.span.start as usize..file.lines[last].end as usize,
        first: content,
        key,
        rest,
    })
}

/// `text` with `field` rewritten so; `None` if the rewrite does not apply
/// to it (an amount in words of a value that is no amount).
fn rewrite_field(
    text: &str,
    lines: &[assure_syntax::Line],
    field: &FieldLine,
    rewrite: Rewrite,
) -> Option<String> {
    let key = &field.key;
    let rest = &field.rest;
    let value = rest.trim();
    let line = match rewrite {
        Rewrite::Delete => {
            let mut out = text.to_owned();
            out.replace_range(field.whole.clone(), "");
            return Some(out);
        }
        Rewrite::CarriageReturns => return Some(text.replace("\r\n", "\r").replace('\n', "\r")),
        Rewrite::UnderNextHeading => {
            let after = lines.iter().find(|l| {
                l.span.start as usize >= field.whole.end
                    && matches!(l.kind, LineKind::Section { .. } | LineKind::Entity { .. })
            })?;
            let moved = &text[field.whole.clone()];
            let moved = if moved.ends_with('\n') {
                moved.to_owned()
            } else {
                format!("{moved}\n")
            };
            let at = after.end as usize;
            let mut out = String::with_capacity(text.len() + 1);
            out.push_str(&text[..field.whole.start]);
            out.push_str(&text[field.whole.end..at]);
            if !text[..at].ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&moved);
            out.push_str(&text[at..]);
            return Some(out);
        }
        Rewrite::Capitalised => {
            let mut chars = key.chars();
            let first = chars.next()?.to_uppercase().collect::<String>();
            format!("{first}{}:{rest}", chars.as_str())
        }
        Rewrite::Bold => format!("**{key}:**{rest}"),
        Rewrite::Dash => format!("{key} - {value}"),
        Rewrite::Bullet => format!("- {key}:{rest}"),
        Rewrite::ZeroWidthSpace => {
            let middle = key.len() / 2;
            format!("{}\u{200b}{}:{rest}", &key[..middle], &key[middle..])
        }
        Rewrite::TableRow => format!("| {key} | {value} |"),
        Rewrite::Tbc => format!("{key}: TBC"),
        Rewrite::NotApplicable => format!("{key}: N/A"),
        Rewrite::AmountInWords => format!("{key}: {}", amount_in_words(value)?),
        Rewrite::WithoutPeriod => format!("{key}: {}", value.strip_suffix("/yr")?),
        Rewrite::NonBreakingSpace => format!("{key}:\u{a0}{}", rest.strip_prefix(' ')?),
    };
    let mut out = text.to_owned();
    out.replace_range(field.first.clone(), &line);
    Some(out)
}

/// `£5.1m/yr` as `£5.1 million per year`; `None` for a value that is no
/// amount with a unit.
fn amount_in_words(value: &str) -> Option<String> {
    let (amount, annual) = match value.strip_suffix("/yr") {
        Some(amount) => (amount, true),
        None => (value, false),
    };
    let number = amount.strip_prefix('£')?;
    let (digits, unit) = if let Some(d) = number.strip_suffix("bn") {
        (d, "billion")
    } else if let Some(d) = number.strip_suffix('m') {
        (d, "million")
    } else if let Some(d) = number.strip_suffix('k') {
        (d, "thousand")
    } else {
        return None;
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    Some(format!(
        "£{digits} {unit}{}",
        if annual { " per year" } else { "" }
    ))
}

/// The line of `text` starting at byte `at`.
fn written_line(text: &str, at: usize) -> String {
    let rest = &text[at.min(text.len())..];
    rest.split(['\n', '\r']).next().unwrap_or("").to_owned()
}

/// Active findings by (code, message): what a rewrite is compared with.
fn counts(report: &FileReport) -> HashMap<(String, String), usize> {
    let mut counts = HashMap::new();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        *counts
            .entry((
                finding.diagnostic.code.to_string(),
                finding.diagnostic.message.clone(),
            ))
            .or_insert(0) += 1;
    }
    counts
}

/// Why `after` passes `error` silently, or `None` if it does not: it still
/// gives the error's code, or something new that stands in its stage.
fn silent(
    checker: &Checker,
    error: &Finding,
    before: &HashMap<(String, String), usize>,
    after: &FileReport,
) -> Option<String> {
    let code = &error.diagnostic.code;
    if after
        .findings
        .iter()
        .any(|f| f.is_active() && f.diagnostic.code == *code)
    {
        return None;
    }
    let rules = checker.rules();
    let stage_index = |stage: &Option<String>| stage.as_ref().and_then(|s| rules.stage_index(s));
    let error_stage = stage_index(&error.stage);
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for finding in after.findings.iter().filter(|f| f.is_active()) {
        let key = (
            finding.diagnostic.code.to_string(),
            finding.diagnostic.message.clone(),
        );
        let n = seen.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n <= before.get(&key).copied().unwrap_or(0) {
            continue;
        }
        let stands = finding.diagnostic.severity == Severity::Error
            || assure_diagnostic::codes::is_not_assessed(&finding.diagnostic.code);
        let in_stage = match (stage_index(&finding.stage), error_stage) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(found), Some(wanted)) => rules.precedes(found, wanted),
        };
        if stands && in_stage {
            return None;
        }
    }
    let stage = error.stage.as_deref().unwrap_or("every stage");
    let status = after
        .readiness
        .iter()
        .find(|r| Some(&r.stage) == error.stage.as_ref())
        .map_or("", |r| match r.status {
            Status::Ready => " (now ready)",
            Status::Approved => " (now approved)",
            _ => "",
        });
    Some(format!(
        "the error is gone, and nothing new stands at {stage}{status}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pack of two rules on one field, each in a stage of its own: one
    /// that stops applying when the field is not written (a silent pass
    /// when it is deleted), one that needs it (not assessed). The second
    /// stage comes later, so its not-assessed finding does not stand for
    /// the first's error.
    const PACK: &str = r#"
[pack]
name = "hunted"
version = "0.1.0"
description = "rules for the hunter's own test"

[[stages]]
id = "first"
title = "First"

[[stages]]
id = "second"
title = "Second"

[vocabulary.entities.organisation.fields]
beds = { type = "number", doc = "beds" }

[[rules]]
code = "HUNT001"
name = "too-few-beds-if-written"
stage = "first"
severity = "error"
summary = "Too few beds, judged only where beds are written."
source = "test"
for = "o in organisations"
applies = "present(o.beds)"
when = "o.beds < 10"
message = "{o.name} has {o.beds} beds"
primary = "field(o.beds)"

[[rules]]
code = "HUNT002"
name = "too-few-beds"
stage = "second"
severity = "error"
summary = "Too few beds."
source = "test"
for = "o in organisations"
let.beds = "o.beds"
needs.beds = "how many beds"
when = "beds < 5"
message = "{o.name} has {beds} beds"
primary = "field(o.beds)"
"#;

    const FIXTURE: &str = "proposal: P

# Organisations

## Small Trust
kind: nhs-trust
beds: 3
";

    fn hunted() -> Hunted {
        let source = assure_rules::PackSource {
            path: "hunted.toml".to_owned(),
            text: PACK.to_owned(),
        };
        let rules = assure_rules::load(
            &[source],
            assure_vocab::Vocabulary::core(),
            &assure_rules::Settings::default(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.proposal");
        std::fs::write(&path, FIXTURE).unwrap();
        hunt_fixture(&Checker::new(rules), dir.path(), &path).unwrap()
    }

    #[test]
    fn a_rule_that_stops_applying_when_its_field_goes_is_caught_and_one_that_needs_it_is_not() {
        let hunted = hunted();
        assert_eq!(hunted.errors, 2);
        let escapes: Vec<String> = hunted
            .escapes
            .iter()
            .map(|e| {
                format!(
                    "{}:{} {} {}: {}",
                    e.fixture,
                    e.line,
                    e.code,
                    e.rewrite.name(),
                    e.written
                )
            })
            .collect();
        // Filler is caught by the engine for both (EVAL002), and every
        // way of writing the key is read; deleting the line is caught only
        // where the rule needs the field.
        assert_eq!(
            escapes,
            ["small.proposal:7 HUNT001 field deleted: (deleted) beds: 3"]
        );
        assert!(hunted.excused.is_empty());
    }
}
