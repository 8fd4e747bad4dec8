//! Loading rule packs: TOML read with spans, then every expression parsed
//! and compiled against the vocabulary, with each problem reported at its
//! place in the pack file.
//!
//! A pack is:
//!
//! ```toml
//! [pack]            # name, version, description
//! [vocabulary]      # optional: sections, kinds and fields the pack adds
//! [[stages]]        # id, title, approved (an expression)
//! [define.NAME]     # params = ["x"], expr, doc: a function later code may call
//! [[rules]]         # code, name, stage, severity, summary, source, help,
//!                   # params, for, let, when, message, primary, labels, examples
//! ```

use crate::ast::{Expr, ExprSpan};
use crate::compile::{CompileError, Compiler, Const, DefineSig, Globals, ParamValue, codes};
use crate::eval::DefineCode;
use crate::parse::{self, TemplatePiece};
use crate::ty::Ty;
use crate::{Label, Piece, Rule, RuleSet, Stage};
use assure_diagnostic::{Diagnostic, Severity, Span, closest};
use assure_toml_reader::{DeValue, Reader, Table, Value, span_of};
use assure_vocab::Vocabulary;

/// A rule pack's text and where it came from.
#[derive(Debug, Clone)]
pub struct PackSource {
    /// The path shown in diagnostics (`<embedded>/...` for the default).
    pub path: String,
    /// The TOML.
    pub text: String,
}

/// The problems found in one pack.
#[derive(Debug, Clone)]
pub struct PackErrors {
    /// The pack's path.
    pub path: String,
    /// The pack's text.
    pub text: String,
    /// What is wrong, pointing into `text`.
    pub diagnostics: Vec<Diagnostic>,
}

/// Overrides a project applies when loading packs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Parameter values by name, replacing the packs' defaults.
    pub params: Vec<(String, Const)>,
}

const PACK_KEYS: [&str; 5] = ["pack", "vocabulary", "stages", "define", "rules"];
const RULE_KEYS: [&str; 15] = [
    "code", "name", "stage", "severity", "summary", "source", "help", "params", "for", "let",
    "when", "message", "primary", "labels", "examples",
];

/// Loads packs in order onto `base`. A pack whose `[pack] name` a later pack
/// repeats is replaced by it, so `--pack` can stand in for the embedded
/// default.
pub fn load(
    sources: &[PackSource],
    base: Vocabulary,
    settings: &Settings,
) -> Result<RuleSet, Vec<PackErrors>> {
    let documents: Vec<_> = sources
        .iter()
        .map(|s| assure_toml_reader::parse(&s.text))
        .collect();
    let names: Vec<Option<String>> = documents
        .iter()
        .map(|(doc, _)| {
            let pack = doc.get_ref().get("pack")?;
            match pack.get_ref() {
                DeValue::Table(t) => match t.get("name").map(|v| v.get_ref()) {
                    Some(DeValue::String(s)) => Some(s.to_string()),
                    _ => None,
                },
                _ => None,
            }
        })
        .collect();
    let mut set = RuleSet {
        packs: Vec::new(),
        stages: Vec::new(),
        rules: Vec::new(),
        defines: Vec::new(),
        define_sigs: Vec::new(),
        vocabulary: base,
    };
    let mut failures = Vec::new();
    for (i, (source, (document, toml_errors))) in sources.iter().zip(&documents).enumerate() {
        let replaced = names[i]
            .as_ref()
            .is_some_and(|name| names[i + 1..].iter().any(|n| n.as_ref() == Some(name)));
        if replaced {
            continue;
        }
        let mut reader = Reader::new(&source.text);
        reader.diagnostics.extend(toml_errors.iter().cloned());
        if toml_errors.is_empty() {
            let mut root = Table::root(document);
            PackLoader {
                source_index: i,
                reader: &mut reader,
                set: &mut set,
                settings,
            }
            .load(&mut root);
            root.finish(&mut reader, &PACK_KEYS, "a rule pack");
        }
        for diagnostic in &mut reader.diagnostics {
            if *diagnostic.code == *assure_toml_reader::codes::TOML001 {
                diagnostic.code = codes::PACK001.into();
            } else if diagnostic.code.starts_with("TOML") {
                diagnostic.code = codes::PACK005.into();
            }
        }
        reader
            .diagnostics
            .sort_by_key(|d| (d.span.start, d.span.end));
        if reader.has_errors() {
            failures.push(PackErrors {
                path: source.path.clone(),
                text: source.text.clone(),
                diagnostics: std::mem::take(&mut reader.diagnostics),
            });
        }
    }
    if failures.is_empty() {
        Ok(set)
    } else {
        Err(failures)
    }
}

struct PackLoader<'r, 's> {
    source_index: usize,
    reader: &'r mut Reader<'s>,
    set: &'r mut RuleSet,
    settings: &'r Settings,
}

impl PackLoader<'_, '_> {
    fn load(&mut self, root: &mut Table<'_, '_>) {
        let pack_name = self.metadata(root);
        if let Some(vocabulary) = root.get("vocabulary")
            && let Some(mut table) = self.reader.table(vocabulary, "`vocabulary`")
        {
            self.set.vocabulary.extend(self.reader, &mut table);
            table.finish(
                self.reader,
                &assure_vocab::VOCABULARY_KEYS,
                "the pack's vocabulary",
            );
        }
        if let Some(stages) = root.get("stages") {
            for mut table in self.reader.tables(stages, "each of `stages`") {
                self.stage(&mut table);
                table.finish(self.reader, &["id", "title", "approved"], "a stage");
            }
        }
        if let Some(defines) = root.get("define")
            && let Some(mut table) = self.reader.table(defines, "`define`")
        {
            let entries: Vec<_> = table.entries().collect();
            for (name, key_span, value) in entries {
                self.define(name, key_span, value);
            }
        }
        if let Some(rules) = root.get("rules") {
            for mut table in self.reader.tables(rules, "each of `rules`") {
                if let Some(mut rule) = self.rule(&mut table, &pack_name) {
                    rule.source_index = self.source_index;
                    self.set.rules.push(rule);
                }
                table.finish(self.reader, &RULE_KEYS, "a rule");
            }
        }
    }

    fn metadata(&mut self, root: &mut Table<'_, '_>) -> String {
        let Some(pack) = root.required(self.reader, "pack", "a rule pack") else {
            return String::new();
        };
        let Some(mut table) = self.reader.table(pack, "`pack`") else {
            return String::new();
        };
        let name = table
            .required(self.reader, "name", "`[pack]`")
            .and_then(|v| self.reader.string(v, "the pack's name"))
            .map(|(s, _)| s.to_owned())
            .unwrap_or_default();
        let version = table
            .required(self.reader, "version", "`[pack]`")
            .and_then(|v| self.reader.string(v, "the pack's version"))
            .map(|(s, _)| s.to_owned())
            .unwrap_or_default();
        let description = table
            .get("description")
            .and_then(|v| self.reader.string(v, "the pack's description"))
            .map(|(s, _)| s.to_owned());
        table.finish(self.reader, &["name", "version", "description"], "`[pack]`");
        self.set.packs.push(crate::PackInfo {
            name: name.clone(),
            version,
            description,
        });
        name
    }

    fn string_at<'t, 'i>(
        &mut self,
        table: &mut Table<'t, 'i>,
        key: &str,
        what: &str,
        required: bool,
    ) -> Option<(&'t str, Span, &'t Value<'i>)> {
        let value = if required {
            table.required(self.reader, key, what)
        } else {
            table.get(key)
        }?;
        let (text, span) = self.reader.string(value, &format!("`{key}` of {what}"))?;
        Some((text, span, value))
    }

    fn stage(&mut self, table: &mut Table<'_, '_>) {
        let Some((id, id_span, _)) = self.string_at(table, "id", "a stage", true) else {
            return;
        };
        let title = self
            .string_at(table, "title", "a stage", false)
            .map(|(t, _, _)| t.to_owned());
        if self.set.stages.iter().any(|s| s.id == id) {
            self.reader.error(
                codes::PACK004,
                id_span,
                format!("the stage `{id}` is declared twice"),
            );
            return;
        }
        let approved = match self.string_at(table, "approved", "a stage", false) {
            Some((text, _, value)) => {
                let globals = Globals {
                    vocabulary: &self.set.vocabulary,
                    defines: &self.set.define_sigs,
                    params: &[],
                };
                let mut compiler = Compiler::new(&globals);
                let compiled = compile_in(self.reader, &mut compiler, text, value, Mode::Condition);
                compiled.map(|(code, _)| (code, compiler.slots()))
            }
            None => None,
        };
        self.set.stages.push(Stage {
            id: id.to_owned(),
            title: title.unwrap_or_else(|| id.to_owned()),
            approved,
        });
    }

    fn define(&mut self, name: &str, key_span: Span, value: &Value<'_>) {
        let Some(mut table) = self.reader.table(value, &format!("`define.{name}`")) else {
            return;
        };
        if self.set.define_sigs.iter().any(|d| d.name == name) {
            self.reader.error(
                codes::PACK004,
                key_span,
                format!("`{name}` is defined twice"),
            );
            return;
        }
        let params: Vec<(String, Span)> = match table.get("params") {
            Some(params) => self
                .reader
                .strings(params, "`params` of a definition")
                .map(|v| {
                    v.into_iter()
                        .map(|(s, span)| (s.to_owned(), span))
                        .collect()
                })
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let expr = self.string_at(&mut table, "expr", &format!("`define.{name}`"), true);
        let _ = self.string_at(&mut table, "doc", "a definition", false);
        table.finish(
            self.reader,
            &["params", "expr", "doc"],
            &format!("`define.{name}`"),
        );
        let Some((text, _, value)) = expr else { return };
        let globals = Globals {
            vocabulary: &self.set.vocabulary,
            defines: &self.set.define_sigs,
            params: &[],
        };
        let mut compiler = Compiler::new(&globals);
        for (param, span) in &params {
            if compiler.is_bound(param) {
                self.reader.error(
                    codes::PACK004,
                    *span,
                    format!("the parameter `{param}` is listed twice"),
                );
            }
            compiler.bind(param, Ty::Any);
        }
        let Some((body, ty)) = compile_in(self.reader, &mut compiler, text, value, Mode::Value)
        else {
            return;
        };
        let slots = compiler.slots();
        self.set.define_sigs.push(DefineSig {
            name: name.to_owned(),
            arity: params.len(),
            ty,
        });
        self.set.defines.push(DefineCode { body, slots });
    }

    fn rule(&mut self, table: &mut Table<'_, '_>, pack: &str) -> Option<Rule> {
        // The compiler borrows the vocabulary while the loader reports into
        // its reader; lend the vocabulary out for the rule's duration.
        let vocabulary = std::mem::replace(&mut self.set.vocabulary, Vocabulary::empty());
        let define_sigs = std::mem::take(&mut self.set.define_sigs);
        let rule = self.rule_with(table, pack, &vocabulary, &define_sigs);
        self.set.vocabulary = vocabulary;
        self.set.define_sigs = define_sigs;
        rule
    }

    fn rule_with(
        &mut self,
        table: &mut Table<'_, '_>,
        pack: &str,
        vocabulary: &Vocabulary,
        define_sigs: &[DefineSig],
    ) -> Option<Rule> {
        let what = "a rule";
        let (code, code_span, _) = self.string_at(table, "code", what, true)?;
        let code = code.to_owned();
        let valid_code = code.len() >= 4
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && code.chars().last().is_some_and(|c| c.is_ascii_digit());
        if !valid_code {
            self.reader.error(
                codes::PACK005,
                code_span,
                format!("`{code}` is not a rule code: use capitals then digits, like `CAP006`"),
            );
        }
        if let Some(previous) = self.set.rules.iter().find(|r| r.code == code) {
            let message = format!(
                "the code `{code}` is already used by rule `{}` of pack `{}`",
                previous.name, previous.pack
            );
            self.reader.error(codes::PACK004, code_span, message);
        }
        if assure_diagnostic::codes::STRUCTURAL.contains(&code.as_str()) {
            self.reader.error(
                codes::PACK004,
                code_span,
                format!("`{code}` is a structural code: a rule cannot use it"),
            );
        }
        let name = self
            .string_at(table, "name", what, true)
            .map(|(s, _, _)| s.to_owned())
            .unwrap_or_default();
        let stage = match self.string_at(table, "stage", what, true) {
            Some((stage, span, _)) => match self.set.stages.iter().position(|s| s.id == stage) {
                Some(index) => index,
                None => {
                    let known: Vec<&str> = self.set.stages.iter().map(|s| s.id.as_str()).collect();
                    let help = closest(stage, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("stages: {}", known.join(", ")));
                    self.reader.push(
                        Diagnostic::error(codes::PACK003, span, format!("unknown stage `{stage}`"))
                            .with_help(help),
                    );
                    0
                }
            },
            None => 0,
        };
        let severity = match self.string_at(table, "severity", what, true) {
            Some((text, span, _)) => Severity::parse(text).unwrap_or_else(|| {
                self.reader.push(
                    Diagnostic::error(codes::PACK005, span, format!("unknown severity `{text}`"))
                        .with_help("use `error`, `warning` or `info`"),
                );
                Severity::Error
            }),
            None => Severity::Error,
        };
        let summary = self
            .string_at(table, "summary", what, true)
            .map(|(s, _, _)| s.to_owned())
            .unwrap_or_default();
        let source = self
            .string_at(table, "source", what, true)
            .map(|(s, _, _)| s.to_owned())
            .unwrap_or_default();
        let help = self
            .string_at(table, "help", what, false)
            .map(|(s, _, _)| s.to_owned());
        let params = self.params(table, &code);
        let globals_params: Vec<ParamValue> = params
            .iter()
            .map(|p| ParamValue {
                name: p.name.clone(),
                value: p.value.clone(),
            })
            .collect();
        let globals = Globals {
            vocabulary,
            defines: define_sigs,
            params: &globals_params,
        };
        let mut compiler = Compiler::new(&globals);
        let mut failed = false;

        let mut fors = Vec::new();
        if let Some(value) = table.get("for") {
            let value: &Value<'_> = value;
            let clauses: Vec<&Value<'_>> = match value.get_ref() {
                DeValue::Array(items) => items.iter().collect(),
                _ => vec![value],
            };
            for clause in clauses {
                let Some((text, _)) = self.reader.string(clause, "`for`") else {
                    failed = true;
                    continue;
                };
                match self.for_clause(&mut compiler, text, clause) {
                    Some(compiled) => fors.push(compiled),
                    None => failed = true,
                }
            }
        }
        if let Some(lets) = table.get("let")
            && let Some(mut lets) = self.reader.table(lets, "`let`")
        {
            let entries: Vec<_> = lets.entries().collect();
            for (name, key_span, value) in entries {
                if compiler.is_bound(name) {
                    self.reader.error(
                        codes::PACK004,
                        key_span,
                        format!("`{name}` is already bound in this rule"),
                    );
                    failed = true;
                    continue;
                }
                let Some((text, _)) = self.reader.string(value, &format!("`let.{name}`")) else {
                    failed = true;
                    continue;
                };
                match compile_in(self.reader, &mut compiler, text, value, Mode::Value) {
                    Some((code, ty)) => compiler.declare_let(name, code, ty),
                    None => failed = true,
                }
            }
        }
        let when = match self.string_at(table, "when", what, true) {
            Some((text, _, value)) => {
                compile_in(self.reader, &mut compiler, text, value, Mode::Condition)
                    .map(|(code, _)| code)
            }
            None => None,
        };
        let message = match self.string_at(table, "message", what, true) {
            Some((text, _, value)) => self.template(&mut compiler, text, value),
            None => None,
        };
        let primary = match self.string_at(table, "primary", what, false) {
            Some((text, _, value)) => {
                match compile_in(self.reader, &mut compiler, text, value, Mode::Place) {
                    Some((code, _)) => Some(code),
                    None => {
                        failed = true;
                        None
                    }
                }
            }
            None => None,
        };
        let mut labels = Vec::new();
        if let Some(value) = table.get("labels") {
            for mut label_table in self.reader.tables(value, "each of `labels`") {
                match self.label(&mut compiler, &mut label_table) {
                    Some(label) => labels.push(label),
                    None => failed = true,
                }
                label_table.finish(self.reader, &["each", "at", "message"], "a label");
            }
        }
        let examples = self.examples(table);
        let (Some(when), Some(message)) = (when, message) else {
            return None;
        };
        if failed {
            return None;
        }
        Some(Rule {
            code,
            name,
            pack: pack.to_owned(),
            source_index: 0,
            stage,
            severity,
            summary,
            source,
            help,
            params,
            examples,
            fors,
            lets: compiler.lets(),
            when,
            message,
            primary,
            labels,
            slots: compiler.slots(),
        })
    }

    fn params(&mut self, table: &mut Table<'_, '_>, code: &str) -> Vec<crate::Param> {
        let mut params = Vec::new();
        let Some(value) = table.get("params") else {
            return params;
        };
        let Some(mut params_table) = self.reader.table(value, "`params`") else {
            return params;
        };
        let entries: Vec<_> = params_table.entries().collect();
        for (name, key_span, value) in entries {
            let Some(mut param) = self.reader.table(value, &format!("parameter `{name}`")) else {
                continue;
            };
            let default = param.required(self.reader, "default", &format!("parameter `{name}`"));
            let doc = param
                .get("doc")
                .and_then(|v| self.reader.string(v, "a parameter's `doc`"))
                .map(|(s, _)| s.to_owned());
            param.finish(
                self.reader,
                &["default", "doc"],
                &format!("parameter `{name}`"),
            );
            let Some(default) = default else { continue };
            let Some(constant) = self.constant(default, &format!("the default of `{name}`")) else {
                continue;
            };
            let mut value = constant.clone();
            if let Some((_, overridden)) = self.settings.params.iter().find(|(n, _)| n == name) {
                if !crate::same_kind(&constant, overridden) {
                    let message = format!(
                        "the project sets `{name}` of {code} to {}, but its default is {}",
                        describe_const(overridden),
                        describe_const(&constant)
                    );
                    self.reader.error(codes::PACK002, key_span, message);
                } else {
                    value = overridden.clone();
                }
            }
            params.push(crate::Param {
                name: name.to_owned(),
                default: constant,
                value,
                doc,
            });
        }
        params
    }

    fn constant(&mut self, value: &Value<'_>, what: &str) -> Option<Const> {
        let text = match read_constant(value, what) {
            TomlConstant::Value(constant) => return Some(constant),
            TomlConstant::Problem(message) => {
                self.reader.error(codes::PACK002, span_of(value), message);
                return None;
            }
            TomlConstant::Text(text) => text,
        };
        let expr = parse_in(self.reader, text, value)?;
        match expr.kind {
            crate::ast::ExprKind::Literal(literal) => Some(Const::from_literal(&literal)),
            crate::ast::ExprKind::Name(word) => Some(Const::Text(word.into())),
            _ => {
                self.reader.push(
                    Diagnostic::error(
                        codes::PACK002,
                        span_of(value),
                        format!("{what} must be a single value"),
                    )
                    .with_help("write a number, `5%`, `£10m`, `2 years`, a date or a quoted word"),
                );
                None
            }
        }
    }

    fn for_clause(
        &mut self,
        compiler: &mut Compiler<'_>,
        text: &str,
        value: &Value<'_>,
    ) -> Option<(u32, crate::compile::Code)> {
        let (binder, source_text, offset) = split_binding(text).or_else(|| {
            let at = expr_span(
                self.reader.source(),
                value,
                text,
                ExprSpan::new(0, text.len()),
            );
            self.reader.push(
                Diagnostic::error(
                    codes::PACK001,
                    at,
                    "write `for` as `name in collection`".to_owned(),
                )
                .with_help("for example `k in contracts`"),
            );
            None
        })?;
        if compiler.is_bound(binder) {
            let at = expr_span(
                self.reader.source(),
                value,
                text,
                ExprSpan::new(0, binder.len()),
            );
            self.reader.error(
                codes::PACK004,
                at,
                format!("`{binder}` is already bound in this rule"),
            );
            return None;
        }
        let expr = parse_at(self.reader, source_text, offset, text, value)?;
        let (code, item) = match compiler.compile_source(&expr) {
            Ok(compiled) => compiled,
            Err(errors) => {
                report(self.reader, &errors, offset, text, value);
                return None;
            }
        };
        let slot = compiler.bind(binder, item);
        Some((slot, code))
    }

    fn template(
        &mut self,
        compiler: &mut Compiler<'_>,
        text: &str,
        value: &Value<'_>,
    ) -> Option<Vec<Piece>> {
        let pieces = match parse::parse_template(text) {
            Ok(pieces) => pieces,
            Err(error) => {
                let at = expr_span(self.reader.source(), value, text, error.span);
                self.reader.error(codes::PACK001, at, error.message);
                return None;
            }
        };
        let mut compiled = Vec::with_capacity(pieces.len());
        let mut ok = true;
        for piece in pieces {
            match piece {
                TemplatePiece::Text(text) => compiled.push(Piece::Text(text)),
                TemplatePiece::Hole(expr, offset) => match compiler.compile(&expr) {
                    Ok((code, _)) => compiled.push(Piece::Hole(code)),
                    Err(errors) => {
                        report(self.reader, &errors, offset, text, value);
                        ok = false;
                    }
                },
            }
        }
        ok.then_some(compiled)
    }

    fn label(&mut self, compiler: &mut Compiler<'_>, table: &mut Table<'_, '_>) -> Option<Label> {
        let each = match self.string_at(table, "each", "a label", false) {
            Some((text, _, value)) => Some(self.for_clause(compiler, text, value)?),
            None => None,
        };
        let at = self.string_at(table, "at", "a label", true);
        let message = self.string_at(table, "message", "a label", true);
        let result = (|| {
            let (at_text, _, at_value) = at?;
            let (at, _) = compile_in(self.reader, compiler, at_text, at_value, Mode::Place)?;
            let (message_text, _, message_value) = message?;
            let message = self.template(compiler, message_text, message_value)?;
            Some(Label {
                each: each.clone(),
                at,
                message,
            })
        })();
        if each.is_some() {
            compiler.unbind_last();
        }
        result
    }

    fn examples(&mut self, table: &mut Table<'_, '_>) -> crate::Examples {
        let mut examples = crate::Examples::default();
        let Some(value) = table.get("examples") else {
            return examples;
        };
        let Some(mut examples_table) = self.reader.table(value, "`examples`") else {
            return examples;
        };
        examples.fail = self
            .string_at(&mut examples_table, "fail", "`examples`", false)
            .map(|(s, span, _)| (s.to_owned(), span));
        examples.pass = self
            .string_at(&mut examples_table, "pass", "`examples`", false)
            .map(|(s, span, _)| (s.to_owned(), span));
        examples_table.finish(self.reader, &["fail", "pass"], "`examples`");
        examples
    }
}

fn describe_const(constant: &Const) -> String {
    match constant {
        Const::Missing => "`none`".to_owned(),
        Const::Bool(_) => "a boolean".to_owned(),
        Const::Number(_) => "a number".to_owned(),
        Const::Percent(_) => "a percentage".to_owned(),
        Const::Money(_, true) => "an annual amount".to_owned(),
        Const::Money(_, false) => "an amount of money".to_owned(),
        Const::Duration(_) => "a duration".to_owned(),
        Const::Date(_) => "a date".to_owned(),
        Const::Text(_) => "text".to_owned(),
    }
}

/// `name in source` → the name, the source text and its offset.
fn split_binding(text: &str) -> Option<(&str, &str, usize)> {
    let trimmed_start = text.len() - text.trim_start().len();
    let rest = &text[trimmed_start..];
    let name_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    let name = &rest[..name_len];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let after = &rest[name_len..];
    let after_trimmed = after.trim_start();
    let source = after_trimmed.strip_prefix("in")?;
    if !source.starts_with(char::is_whitespace) {
        return None;
    }
    let offset = text.len() - source.len();
    Some((name, source, offset))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Value,
    Condition,
    Place,
}

/// A parameter's value as written in TOML (a pack's default, a
/// configuration's setting), before its text, if any, is parsed.
#[derive(Debug)]
pub enum TomlConstant<'v> {
    /// A number or a boolean, read.
    Value(Const),
    /// A string, for the caller to parse: packs and configurations accept
    /// different things in one.
    Text(&'v str),
    /// Why the value cannot be a parameter's, naming it as `what`.
    Problem(String),
}

/// Reads `value` as a parameter's value, calling it `what` in problems.
pub fn read_constant<'v>(value: &'v Value<'_>, what: &str) -> TomlConstant<'v> {
    match value.get_ref() {
        DeValue::Integer(i) => match i.as_str().parse() {
            Ok(n) => TomlConstant::Value(Const::Number(n)),
            Err(_) => TomlConstant::Problem(format!("{what} is too large")),
        },
        DeValue::Float(f) => match f.as_str().parse() {
            Ok(n) => TomlConstant::Value(Const::Number(n)),
            Err(_) => TomlConstant::Problem(format!("{what} is not a decimal number")),
        },
        DeValue::Boolean(b) => TomlConstant::Value(Const::Bool(*b)),
        DeValue::String(text) => TomlConstant::Text(text),
        other => TomlConstant::Problem(format!(
            "{what} must be a number or a string, not {}",
            assure_toml_reader::type_name(other)
        )),
    }
}

fn parse_in(reader: &mut Reader<'_>, text: &str, value: &Value<'_>) -> Option<Expr> {
    parse_at(reader, text, 0, text, value)
}

/// Parses `fragment`, which starts at `offset` within the TOML string whose
/// decoded text is `text`.
fn parse_at(
    reader: &mut Reader<'_>,
    fragment: &str,
    offset: usize,
    text: &str,
    value: &Value<'_>,
) -> Option<Expr> {
    match parse::parse_expr(fragment) {
        Ok(expr) => Some(expr),
        Err(error) => {
            let span = ExprSpan {
                start: error.span.start + offset as u32,
                end: error.span.end + offset as u32,
            };
            let at = expr_span(reader.source(), value, text, span);
            reader.error(codes::PACK001, at, error.message);
            None
        }
    }
}

/// Parses and compiles the expression `text`, read from the TOML string
/// `value`, reporting any problem at its place in the pack.
fn compile_in(
    reader: &mut Reader<'_>,
    compiler: &mut Compiler<'_>,
    text: &str,
    value: &Value<'_>,
    mode: Mode,
) -> Option<(crate::compile::Code, Ty)> {
    let expr = parse_in(reader, text, value)?;
    let expr = &expr;
    let result = match mode {
        Mode::Place => compiler.compile_place(expr),
        _ => compiler.compile(expr),
    };
    match result {
        Ok((code, ty)) => {
            if mode == Mode::Condition && !matches!(ty, Ty::Bool | Ty::Any) {
                let at = expr_span(reader.source(), value, text, expr.span);
                reader.push(
                    Diagnostic::error(
                        codes::PACK002,
                        at,
                        format!(
                            "a condition must be true or false, not {}",
                            ty.describe(compiler_vocabulary(compiler))
                        ),
                    )
                    .with_help("compare it, or test it with `present(...)`"),
                );
                return None;
            }
            Some((code, ty))
        }
        Err(errors) => {
            report(reader, &errors, 0, text, value);
            None
        }
    }
}

fn compiler_vocabulary<'c>(compiler: &'c Compiler<'_>) -> &'c Vocabulary {
    compiler.vocabulary()
}

fn report(
    reader: &mut Reader<'_>,
    errors: &[CompileError],
    offset: usize,
    text: &str,
    value: &Value<'_>,
) {
    for error in errors {
        let span = ExprSpan {
            start: error.span.start + offset as u32,
            end: error.span.end + offset as u32,
        };
        let at = expr_span(reader.source(), value, text, span);
        let diagnostic = Diagnostic::error(error.code, at, error.message.clone())
            .with_help_opt(error.help.clone());
        reader.push(diagnostic);
    }
}

/// Maps a span within a TOML string's decoded text to the pack file. Exact
/// when the string has no escapes (the usual case for expressions); the
/// whole string otherwise.
fn expr_span(source: &str, value: &Value<'_>, decoded: &str, span: ExprSpan) -> Span {
    let whole = span_of(value);
    let raw = whole.text(source);
    for (open, close) in [
        ("\"\"\"", "\"\"\""),
        ("'''", "'''"),
        ("\"", "\""),
        ("'", "'"),
    ] {
        if let Some(inner) = raw.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            let mut start = whole.start + open.len() as u32;
            let mut body = inner;
            if open.len() == 3 {
                if let Some(rest) = body.strip_prefix("\r\n") {
                    body = rest;
                    start += 2;
                } else if let Some(rest) = body.strip_prefix('\n') {
                    body = rest;
                    start += 1;
                }
            }
            if body == decoded {
                return Span::new(start + span.start, start + span.end.max(span.start));
            }
            break;
        }
    }
    whole
}
