//! `assure.toml`: the project configuration, found upward from the current
//! directory or given with `--config`.
//!
//! Read in two steps, as cargo-deny reads its config: first the TOML with
//! spans, every key and type checked ([`Config::parse`]); then, once the
//! packs are loaded, every code and parameter checked against them
//! ([`Config::validate`]). Each problem is a diagnostic into the file, and
//! any makes the run fail with status 2.

use assure_check::suppress::AllowEntry;
use assure_diagnostic::{Diagnostic, Span, closest, codes};
use assure_rules::{RuleSet, TomlConstant, Val, describe_kind};
use assure_toml_reader::{Reader, Table, Value, span_of};
use globset::Glob;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The name of the configuration file.
pub const FILE_NAME: &str = "assure.toml";

/// A severity override.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The rule does not run.
    Off,
    /// The rule reports at this severity.
    At(assure_diagnostic::Severity),
}

/// One `[[allow]]` entry, as written.
#[derive(Debug, Clone)]
pub struct Allow {
    /// The path glob.
    pub path: String,
    /// The code.
    pub code: (String, Span),
    /// The entity, if given.
    pub entity: Option<String>,
    /// Why.
    pub reason: String,
    /// The entry's table, for messages.
    pub span: Span,
}

/// The configuration, read but not yet checked against the packs.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from, if anywhere.
    pub path: Option<PathBuf>,
    /// Its text.
    pub text: String,
    /// Extra packs, resolved against the configuration's directory.
    pub packs: Vec<PathBuf>,
    /// Whether to load the embedded default pack.
    pub default_pack: bool,
    /// Severity overrides by code.
    pub rules: Vec<(String, Span, Level)>,
    /// Parameter overrides by name.
    pub params: Vec<(String, Span, Val<'static>)>,
    /// Suppressions.
    pub allows: Vec<Allow>,
    /// The date rules judge "today" by, unless `--as-of` gives one.
    pub as_of: Option<assure_model::Date>,
}

/// A configuration that cannot be used: its diagnostics.
#[derive(Debug)]
pub struct ConfigErrors {
    /// The file.
    pub path: String,
    /// Its text.
    pub text: String,
    /// What is wrong.
    pub diagnostics: Vec<Diagnostic>,
}

impl Config {
    /// The configuration in force: `explicit` if given, else `assure.toml`
    /// in `start` or the nearest directory above it, else the defaults.
    pub fn discover(explicit: Option<&Path>, start: &Path) -> Result<Config, String> {
        let path = match explicit {
            Some(path) => Some(path.to_path_buf()),
            None => start
                .ancestors()
                .map(|dir| dir.join(FILE_NAME))
                .find(|p| p.is_file()),
        };
        let Some(path) = path else {
            return Ok(Config {
                default_pack: true,
                ..Config::default()
            });
        };
        // Shown relative to where assure runs, as the user would write it:
        // `assure.toml`, or `../../assure.toml` for one found above.
        let path = match path.parent().and_then(|dir| start.strip_prefix(dir).ok()) {
            Some(below) if explicit.is_none() && path.is_absolute() => {
                let mut shown = PathBuf::new();
                for _ in below.components() {
                    shown.push("..");
                }
                shown.join(FILE_NAME)
            }
            _ => path,
        };
        let bytes = crate::files::read_settings(&path)
            .map_err(|e| format!("cannot read the configuration {}: {e}", path.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the configuration {} is not UTF-8", path.display()))?;
        Ok(Config {
            path: Some(path),
            text,
            default_pack: true,
            ..Config::default()
        })
    }

    /// Reads the text: keys and types. What can be read is kept, with the
    /// problems found, so that they are reported with those that checking
    /// against the packs finds, in one run; a file that is not TOML at all
    /// fails at once.
    pub fn parse(mut self) -> Result<(Config, Vec<Diagnostic>), ConfigErrors> {
        let Some(path) = self.path.clone() else {
            return Ok((self, Vec::new()));
        };
        let text = self.text.clone();
        let (document, mut diagnostics) = assure_toml_reader::parse(&text);
        if !diagnostics.is_empty() {
            return Err(self.errors(diagnostics));
        }
        let mut reader = Reader::new(&text);
        {
            let mut root = Table::root(&document);
            self.read(&mut reader, &mut root, &path);
            root.finish(
                &mut reader,
                &["packs", "default-pack", "rules", "params", "allow", "as-of"],
                "assure.toml",
            );
        }
        diagnostics.append(&mut reader.diagnostics);
        Ok((self, diagnostics))
    }

    /// The configuration's `diagnostics`, as a failure to report.
    pub fn errors(&self, mut diagnostics: Vec<Diagnostic>) -> ConfigErrors {
        diagnostics.sort_by_key(|d| d.span.start);
        ConfigErrors {
            path: self
                .path
                .as_ref()
                .map_or_else(String::new, |p| p.display().to_string()),
            text: self.text.clone(),
            diagnostics,
        }
    }

    fn read(&mut self, reader: &mut Reader<'_>, root: &mut Table<'_, '_>, path: &Path) {
        let base = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if let Some(packs) = root.get("packs")
            && let Some(packs) = reader.strings(packs, "`packs`")
        {
            // Compared once symbolic links are resolved, so that neither `..`
            // nor a link leads out.
            let root = base.canonicalize().ok();
            for (pack, span) in packs {
                if assure_rules::names_builtin(pack) {
                    self.packs.push(PathBuf::from(pack));
                    continue;
                }
                if assure_rules::is_bare_name(pack) && !base.join(pack).exists() {
                    reader.push(
                        Diagnostic::of(codes::CFG001, span, format!("no pack is called `{pack}`"))
                            .with_help(assure_rules::unknown_pack_help(pack)),
                    );
                    continue;
                }
                let resolved = base.join(pack);
                let inside = match (&root, resolved.canonicalize()) {
                    (Some(root), Ok(real)) => Some(real.starts_with(root)),
                    _ => None,
                };
                if inside == Some(false) {
                    reader.error(
                        codes::CFG003,
                        span,
                        format!(
                            "`{pack}` is outside {}, the configuration's directory; a pack named here must be inside it",
                            base.display()
                        ),
                    );
                    continue;
                }
                if resolved.is_file() {
                    self.packs.push(resolved);
                } else {
                    reader.error(
                        codes::CFG001,
                        span,
                        format!("no rule pack at `{pack}` (relative to {})", base.display()),
                    );
                }
            }
        }
        if let Some(value) = root.get("as-of")
            && let Some((text, span)) = reader.date_text(value, "`as-of`")
        {
            match crate::day(&text) {
                Ok(date) => self.as_of = Some(date),
                Err(message) => reader.error(codes::CFG002, span, message),
            }
        }
        if let Some(value) = root.get("default-pack")
            && let Some(flag) = reader.boolean(value, "`default-pack`")
        {
            self.default_pack = flag;
        }
        if let Some(rules) = root.get("rules")
            && let Some(mut table) = reader.table(rules, "`[rules]`")
        {
            for (code, key_span, value) in table.entries() {
                let Some((level, span)) = reader.string(value, &format!("the severity of {code}"))
                else {
                    continue;
                };
                let level = match level {
                    "off" => Level::Off,
                    other => match assure_diagnostic::Severity::parse(other) {
                        Some(severity) => Level::At(severity),
                        None => {
                            reader.push(
                                Diagnostic::of(
                                    codes::CFG002,
                                    span,
                                    format!("`{level}` is not a severity"),
                                )
                                .with_help("use `off`, `info`, `warning` or `error`"),
                            );
                            continue;
                        }
                    },
                };
                self.rules.push((code.to_owned(), key_span, level));
            }
        }
        if let Some(params) = root.get("params")
            && let Some(mut table) = reader.table(params, "`[params]`")
        {
            for (name, key_span, value) in table.entries() {
                if let Some(constant) = constant(reader, value, name) {
                    self.params.push((name.to_owned(), key_span, constant));
                }
                let _ = key_span;
            }
        }
        if let Some(allows) = root.get("allow") {
            for mut table in reader.tables(allows, "`[[allow]]`") {
                let span = reader.first_line(table.span());
                let path = match table.get("path") {
                    Some(value) => reader
                        .string(value, "`path`")
                        .map(|(s, span)| (s.to_owned(), span)),
                    None => Some(("**".to_owned(), span)),
                };
                let code = table
                    .required(reader, "code", "an `[[allow]]` entry")
                    .and_then(|v| reader.string(v, "`code`"))
                    .map(|(s, span)| (s.to_owned(), span));
                let entity = table
                    .get("entity")
                    .and_then(|v| reader.string(v, "`entity`"))
                    .map(|(s, _)| s.to_owned());
                let reason = table
                    .required(reader, "reason", "an `[[allow]]` entry")
                    .and_then(|v| reader.string(v, "`reason`"))
                    .map(|(s, span)| (s.trim().to_owned(), span));
                table.finish(
                    reader,
                    &["path", "code", "entity", "reason"],
                    "an `[[allow]]` entry",
                );
                if let Some((reason, span)) = &reason
                    && reason.is_empty()
                {
                    reader.error(
                        codes::CFG002,
                        *span,
                        "the reason must say why the finding is acceptable",
                    );
                }
                if let Some((glob, glob_span)) = &path
                    && let Err(error) = Glob::new(glob)
                {
                    reader.error(
                        codes::CFG002,
                        *glob_span,
                        format!("`{glob}` is not a glob: {}", error.kind()),
                    );
                }
                if let (Some((path, _)), Some(code), Some((reason, _))) = (path, code, reason) {
                    self.allows.push(Allow {
                        path,
                        code,
                        entity,
                        reason,
                        span,
                    });
                }
            }
        }
    }

    /// Checks codes and parameters against the loaded packs.
    pub fn validate(&self, rules: &RuleSet) -> Result<(), ConfigErrors> {
        let mut diagnostics = Vec::new();
        let codes: Vec<&str> = rules.rules.iter().map(|r| r.code.as_str()).collect();
        let unknown_code = |code: &str, span: Span, diagnostics: &mut Vec<Diagnostic>| {
            if rules.rule(code).is_some() {
                return;
            }
            let message = if codes::of_proposals().any(|info| info.code == code) {
                format!("{code} is a structural finding: it is always on and cannot be configured")
            } else {
                format!("no rule has the code {code}")
            };
            let help = closest(code, codes.iter().copied()).map_or_else(
                || "`assure rules list` shows every code".to_owned(),
                |c| format!("did you mean `{c}`?"),
            );
            diagnostics.push(Diagnostic::of(codes::CFG001, span, message).with_help(help));
        };
        for (code, span, _) in &self.rules {
            unknown_code(code, *span, &mut diagnostics);
        }
        for allow in &self.allows {
            unknown_code(&allow.code.0, allow.code.1, &mut diagnostics);
        }
        for (name, span, value) in &self.params {
            let defaults: Vec<&assure_rules::Param> =
                rules.params().filter(|p| p.name == *name).collect();
            match defaults.first() {
                None => {
                    let names: Vec<&str> = rules.params().map(|p| p.name.as_str()).collect();
                    let help = closest(name, names.iter().copied()).map_or_else(
                        || "`assure explain CODE` lists a rule's parameters".to_owned(),
                        |c| format!("did you mean `{c}`?"),
                    );
                    diagnostics.push(
                        Diagnostic::of(
                            codes::CFG001,
                            *span,
                            format!("no rule or pack has a parameter `{name}`"),
                        )
                        .with_help(help),
                    );
                }
                Some(param) if !param.default.same_kind(value) => {
                    diagnostics.push(
                        Diagnostic::of(
                            codes::CFG002,
                            *span,
                            format!(
                                "`{name}` is {} (its default is {}), not {}",
                                describe_kind(&param.default),
                                param.default,
                                describe_kind(value)
                            ),
                        )
                        .with_help(format!(
                            "write it like its default: {name} = {}",
                            toml_value(&param.default)
                        )),
                    );
                }
                Some(_) => {}
            }
        }
        if diagnostics.is_empty() {
            Ok(())
        } else {
            Err(self.errors(diagnostics))
        }
    }

    /// The `[[allow]]` entries, ready for the checker.
    pub fn allow_entries(&self) -> Vec<AllowEntry> {
        self.allows
            .iter()
            .enumerate()
            .filter_map(|(index, allow)| {
                let matcher = Glob::new(&allow.path).ok()?.compile_matcher();
                Some(AllowEntry {
                    index,
                    path_matches: Arc::new(move |path: &str| matcher.is_match(path)),
                    code: allow.code.0.clone(),
                    entity: allow.entity.clone(),
                    reason: allow.reason.clone(),
                })
            })
            .collect()
    }

    /// Applies the severity overrides to `rules`.
    /// Applies the severity overrides; returns the rules switched off,
    /// which no longer run but are still explained and listed.
    pub fn apply_levels(&self, rules: &mut RuleSet) -> Vec<assure_rules::Rule> {
        let mut off = Vec::new();
        for (code, _, level) in &self.rules {
            match level {
                Level::Off => {
                    let (removed, kept) = std::mem::take(&mut rules.rules)
                        .into_iter()
                        .partition(|r| r.code.eq_ignore_ascii_case(code));
                    rules.rules = kept;
                    off.extend::<Vec<_>>(removed);
                }
                Level::At(severity) => {
                    for rule in rules
                        .rules
                        .iter_mut()
                        .filter(|r| r.code.eq_ignore_ascii_case(code))
                    {
                        rule.severity = *severity;
                    }
                }
            }
        }
        off
    }

    /// The parameter overrides, for loading the packs.
    pub fn settings(&self) -> assure_rules::Settings {
        assure_rules::Settings {
            params: self
                .params
                .iter()
                .map(|(name, _, value)| (name.clone(), value.clone()))
                .collect(),
        }
    }
}

fn constant(reader: &mut Reader<'_>, value: &Value<'_>, name: &str) -> Option<Val<'static>> {
    if let assure_toml_reader::DeValue::Array(items) = value.get_ref() {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(constant(reader, item, name)?);
        }
        return assure_rules::list_of_one_kind(values)
            .map_err(|message| {
                reader.error(
                    codes::CFG002,
                    span_of(value),
                    format!("`{name}`: {message}"),
                );
            })
            .ok();
    }
    let read = match assure_rules::read_constant(value, &format!("`{name}`")) {
        TomlConstant::Value(constant) => Ok(constant),
        // A bare word (an item of a list of kinds, say) is a word.
        TomlConstant::Text(text) if is_word(text) => Ok(Val::Owned(text.into())),
        TomlConstant::Text(text) => assure_rules::parse_constant(text),
        TomlConstant::Problem(message) => Err(message),
    };
    read.map_err(|message| reader.error(codes::CFG002, span_of(value), message))
        .ok()
}

/// Whether `text` is a bare word: a letter, then letters, digits and `-`.
fn is_word(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The value as the configuration would write it.
fn toml_value(value: &Val<'_>) -> String {
    match value {
        Val::Number(_) | Val::Bool(_) | Val::Owned(_) | Val::Text(_) => value.to_string(),
        other => format!("\"{other}\""),
    }
}
