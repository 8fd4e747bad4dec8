//! The second phase of loading packs: each pack's definitions
//! ([`crate::read`]) built into stages, functions and rules, every
//! expression parsed and compiled by `assure-lang` against the vocabulary,
//! with each problem reported at its place in the pack file.

use crate::read::{self, DefineDef, LabelDef, ParamDef, RuleDef, StageDef, Written};
use crate::{
    FixAction, Label, PackErrors, PackSource, Param, Rule, RuleFix, RuleSet, Settings, Stage, codes,
};
use assure_diagnostic::{Diagnostic, Severity, Span, closest};
use assure_lang::{
    Code, CompileError, Compiler, DefineSig, ErrorKind, Globals, ParamValue, Template, Ty,
};
use assure_toml_reader::{DeValue, Reader};
use assure_vocab::Vocabulary;

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
        define_packs: Vec::new(),
        calendars: Vec::new(),
        pack_params: Vec::new(),
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
        if !is_a_pack(&source.text, document.get_ref().get("pack").is_some()) {
            // Not a byte of it quoted: a path that reaches a file by
            // mistake (or on purpose, from a pull request) must not print
            // it.
            failures.push(PackErrors {
                path: source.path.clone(),
                text: String::new(),
                diagnostics: vec![Diagnostic::of(
                    codes::PACK005,
                    Span::empty(0),
                    "this file is not a rule pack: it has no `[pack]` table",
                )],
            });
            continue;
        }
        let mut reader = Reader::new(&source.text);
        reader.diagnostics.extend(toml_errors.iter().cloned());
        if toml_errors.is_empty() {
            let before = set.vocabulary.fields().count();
            let pack = read::read(&mut reader, document, &mut set.vocabulary);
            let added = before..set.vocabulary.fields().count();
            Builder {
                source_index: i,
                reader: &mut reader,
                set: &mut set,
                settings,
            }
            .build(pack);
            if let Some(info) = set.packs.last_mut() {
                info.fields = added.map(|i| assure_vocab::FieldId(i as u32)).collect();
            }
        }
        for diagnostic in &mut reader.diagnostics {
            if *diagnostic.code == *codes::TOML001 {
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

/// Whether a file is meant to be a rule pack: its TOML has a `pack` table
/// or, when it does not parse, a line opens one.
fn is_a_pack(text: &str, has_pack_table: bool) -> bool {
    // For a file that does not read as TOML, a line that opens the `[pack]`
    // table (a `[pack.x]` one, or `[pack` left unclosed) or sets a `pack`
    // key says it was meant as a pack, and its errors are shown;
    // `[packages]` or `packing = 1` does not, and the file is never quoted.
    let opens_pack = |rest: &str| {
        rest.strip_prefix("pack").is_some_and(|after| {
            matches!(after.trim_start().chars().next(), None | Some(']' | '.'))
        })
    };
    has_pack_table
        || text.lines().any(|line| {
            let line = line.trim_start();
            match line.strip_prefix('[') {
                Some(rest) => opens_pack(rest.trim_start()),
                None => line.strip_prefix("pack").is_some_and(|after| {
                    matches!(after.trim_start().chars().next(), Some('=' | '.'))
                }),
            }
        })
}

/// Builds one pack's definitions into the set, reporting into the pack's
/// reader.
struct Builder<'r, 's> {
    source_index: usize,
    reader: &'r mut Reader<'s>,
    set: &'r mut RuleSet,
    settings: &'r Settings,
}

/// What an expression must be, where it is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Any value.
    Value,
    /// True or false.
    Condition,
    /// A place a finding points at.
    Place,
}

impl Builder<'_, '_> {
    fn build(&mut self, pack: read::PackDef) {
        let pack_name = pack.info.name.clone();
        self.set.packs.push(pack.info);
        let params = self.params(pack.params, &format!("pack {pack_name}"));
        self.set
            .pack_params
            .extend(params.into_iter().map(|p| (pack_name.clone(), p)));
        let mut applies = Vec::new();
        for mut stage in pack.stages {
            let condition = stage.applies.take();
            if let Some(index) = self.stage(stage, &pack_name) {
                applies.extend(condition.map(|written| (index, written)));
            }
        }
        for define in pack.defines {
            self.define(define, &pack_name);
        }
        // A stage's `applies` may call the pack's definitions and read its
        // parameters, so it is compiled after them.
        for (index, written) in applies {
            let params = self.pack_param_values(&pack_name);
            self.set.stages[index].applies = self.stage_condition(&written, &params);
        }
        let calendar = pack.calendar.map(|calendar| {
            self.set.calendars.push(calendar);
            self.set.calendars.len() - 1
        });
        for rule in pack.rules {
            if let Some(mut rule) = self.rule(rule, &pack_name) {
                rule.source_index = self.source_index;
                rule.calendar = calendar;
                self.set.rules.push(rule);
            }
        }
    }

    /// Adds a stage, and gives its index.
    fn stage(&mut self, stage: StageDef, pack: &str) -> Option<usize> {
        if let Some(previous) = self.set.stages.iter().find(|s| s.id == stage.id) {
            let by = if previous.pack == pack {
                String::new()
            } else {
                format!(" (pack `{}` declares it first)", previous.pack)
            };
            self.reader.error(
                codes::PACK004,
                stage.id_span,
                format!("the stage `{}` is declared twice{by}", stage.id),
            );
            return None;
        }
        let approved = stage
            .approved
            .and_then(|written| self.stage_condition(&written, &[]));
        self.set.stages.push(Stage {
            title: stage.title.unwrap_or_else(|| stage.id.clone()),
            id: stage.id,
            pack: pack.to_owned(),
            approved,
            applies: None,
        });
        Some(self.set.stages.len() - 1)
    }

    /// A stage's condition (`approved`, `applies`) compiled, reading
    /// `params`; none if it does not compile (the reader has why).
    fn stage_condition(&mut self, written: &Written, params: &[ParamValue]) -> Option<(Code, u32)> {
        let globals = Globals {
            vocabulary: &self.set.vocabulary,
            defines: &self.set.define_sigs,
            params,
        };
        let mut compiler = Compiler::new(&globals);
        let (code, _) = compile(self.reader, &mut compiler, written, Mode::Condition)?;
        Some((code, compiler.slots()))
    }

    /// The values of `pack`'s own parameters, for compiling its code.
    fn pack_param_values(&self, pack: &str) -> Vec<ParamValue> {
        self.set
            .pack_params
            .iter()
            .filter(|(p, _)| p == pack)
            .map(|(_, p)| ParamValue {
                name: p.name.clone(),
                value: p.value.clone(),
            })
            .collect()
    }

    fn define(&mut self, define: DefineDef, pack: &str) {
        let name = define.name;
        if let Some(first) = self.set.define_sigs.iter().position(|d| d.name == name) {
            // Definitions are shared by every pack loaded: say whose it is.
            let by = &self.set.define_packs[first];
            let whose = if by == pack {
                "this pack defines it already".to_owned()
            } else {
                format!("the pack `{by}`, loaded before this one, defines it")
            };
            self.reader.push(
                Diagnostic::of(
                    codes::PACK004,
                    define.key_span,
                    format!("`{name}` is defined twice: {whose}"),
                )
                .with_help(
                    "definitions are shared by every pack loaded: give yours a name of its own",
                ),
            );
            return;
        }
        let Some(written) = define.expr else { return };
        let params = self.pack_param_values(pack);
        let globals = Globals {
            vocabulary: &self.set.vocabulary,
            defines: &self.set.define_sigs,
            params: &params,
        };
        let mut compiler = Compiler::new(&globals);
        for (param, span) in &define.params {
            if compiler.is_bound(param) {
                self.reader.error(
                    codes::PACK004,
                    *span,
                    format!("the parameter `{param}` is listed twice"),
                );
            }
            compiler.bind(param, Ty::Any);
        }
        // A body that failed is reported once; the function still exists,
        // as `none` of any type, so that its callers are not reported too.
        let (body, ty) = compile(self.reader, &mut compiler, &written, Mode::Value)
            .unwrap_or_else(|| (Code::missing(), Ty::Any));
        let slots = compiler.slots();
        self.set.define_packs.push(pack.to_owned());
        self.set.define_sigs.push(DefineSig {
            name,
            arity: define.params.len(),
            ty,
            depth: body.depth(),
        });
        self.set
            .defines
            .push(assure_lang::DefineCode::new(body, slots));
    }

    fn rule(&mut self, rule: RuleDef, pack: &str) -> Option<Rule> {
        if let Some((code, span)) = &rule.code {
            if let Some(previous) = self.set.rules.iter().find(|r| r.code == *code) {
                let message = format!(
                    "the code `{code}` is already used by rule `{}` of pack `{}`",
                    previous.name, previous.pack
                );
                self.reader.error(codes::PACK004, *span, message);
            }
            if codes::lookup(code).is_some() {
                self.reader.error(
                    codes::PACK004,
                    *span,
                    format!("`{code}` is a code of assure itself: a rule cannot use it"),
                );
            }
        }
        let stage = match &rule.stage {
            Some((stage, span)) => match self.set.stages.iter().position(|s| s.id == *stage) {
                Some(index) => index,
                None => {
                    let known: Vec<&str> = self.set.stages.iter().map(|s| s.id.as_str()).collect();
                    let help = closest(stage, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| format!("stages: {}", known.join(", ")));
                    self.reader.push(
                        Diagnostic::of(codes::PACK003, *span, format!("unknown stage `{stage}`"))
                            .with_help(help),
                    );
                    0
                }
            },
            // A rule without a stage belongs to its own pack's first stage
            // (the first of all, for a pack that declares none).
            None => self
                .set
                .stages
                .iter()
                .position(|s| s.pack == pack)
                .unwrap_or(0),
        };
        let code = rule
            .code
            .as_ref()
            .map(|(code, _)| code.as_str())
            .unwrap_or("");
        // The rule's logic as written, for `explain`.
        let mut logic: Vec<(String, String)> = Vec::new();
        for written in rule.fors.iter().flatten() {
            logic.push(("for".into(), written.text.clone()));
        }
        for (name, _, written) in &rule.lets {
            if let Some(written) = written {
                logic.push((format!("let {name}"), written.text.clone()));
            }
        }
        if let Some(written) = &rule.applies {
            logic.push(("applies".into(), written.text.clone()));
        }
        if let Some(written) = &rule.when {
            logic.push(("when".into(), written.text.clone()));
        }
        let params = self.params(rule.params, code);
        // The rule's own parameters, then its pack's (the rule's own win).
        let mut param_values: Vec<ParamValue> = params
            .iter()
            .map(|p| ParamValue {
                name: p.name.clone(),
                value: p.value.clone(),
            })
            .collect();
        for value in self.pack_param_values(pack) {
            if !param_values.iter().any(|p| p.name == value.name) {
                param_values.push(value);
            }
        }
        let globals = Globals {
            vocabulary: &self.set.vocabulary,
            defines: &self.set.define_sigs,
            params: &param_values,
        };
        let mut compiler = Compiler::new(&globals);
        let mut failed = false;
        let mut fors = Vec::new();
        for clause in &rule.fors {
            match clause
                .as_ref()
                .and_then(|written| for_clause(self.reader, &mut compiler, written))
            {
                Some(compiled) => fors.push(compiled),
                None => failed = true,
            }
        }
        for (name, key_span, written) in &rule.lets {
            if compiler.is_bound(name) {
                self.reader.error(
                    codes::PACK004,
                    *key_span,
                    format!("`{name}` is already bound in this rule"),
                );
                failed = true;
                continue;
            }
            match written
                .as_ref()
                .and_then(|written| compile(self.reader, &mut compiler, written, Mode::Value))
            {
                Some((code, ty)) => compiler.declare_let(name, code, ty),
                None => {
                    // Declared as `none` so that its uses are not reported too.
                    compiler.declare_let(name, Code::missing(), Ty::Any);
                    failed = true;
                }
            }
        }
        let applies = match &rule.applies {
            Some(written) => match compile(self.reader, &mut compiler, written, Mode::Condition) {
                Some((code, _)) => Some(code),
                None => {
                    failed = true;
                    None
                }
            },
            None => None,
        };
        let mut needs = Vec::new();
        for (name, key_span, what) in &rule.needs {
            match compiler.let_code(name) {
                Some(code) => needs.push((code, what.clone())),
                None => {
                    let names: Vec<&str> = rule.lets.iter().map(|(n, ..)| n.as_str()).collect();
                    let help = closest(name, names.iter().copied())
                        .map(|near| format!("did you mean `{near}`?"))
                        .unwrap_or_else(|| "`needs` names the rule's `let`s".to_owned());
                    self.reader.push(
                        Diagnostic::of(
                            codes::PACK003,
                            *key_span,
                            format!("`needs.{name}` names no `let` of this rule"),
                        )
                        .with_help(help),
                    );
                    failed = true;
                }
            }
        }
        let when = rule.when.as_ref().and_then(|written| {
            compile(self.reader, &mut compiler, written, Mode::Condition).map(|(code, _)| code)
        });
        let message = rule
            .message
            .as_ref()
            .and_then(|written| template(self.reader, &mut compiler, written));
        let primary = match &rule.primary {
            Some(written) => match compile(self.reader, &mut compiler, written, Mode::Place) {
                Some((code, _)) => Some(code),
                None => {
                    failed = true;
                    None
                }
            },
            None => None,
        };
        let mut labels = Vec::new();
        for label in &rule.labels {
            match compile_label(self.reader, &mut compiler, label) {
                Some(label) => labels.push(label),
                None => failed = true,
            }
        }
        let fix = match &rule.fix {
            Some(fix) => match compile_fix(self.reader, &mut compiler, fix) {
                Some(fix) => Some(fix),
                None => {
                    failed = true;
                    None
                }
            },
            None => None,
        };
        let (Some((code, code_span)), Some(when), Some(message)) = (rule.code, when, message)
        else {
            return None;
        };
        if failed {
            return None;
        }
        Some(Rule {
            code,
            span: code_span,
            logic,
            corpus: rule.corpus,
            name: rule.name,
            pack: pack.to_owned(),
            source_index: 0,
            stage,
            severity: rule.severity.unwrap_or(Severity::Error),
            summary: rule.summary,
            source: rule.source,
            help: rule.help,
            params,
            examples: rule.examples,
            fors,
            lets: compiler.lets(),
            applies,
            needs,
            when,
            message,
            primary,
            labels,
            slots: compiler.slots(),
            calendar: None,
            fix,
        })
    }

    /// A rule's parameters, each with the project's value in force if it
    /// sets one of the same kind.
    fn params(&mut self, params: Vec<ParamDef>, code: &str) -> Vec<Param> {
        params
            .into_iter()
            .map(|param| {
                let name = param.name;
                let mut value = param.default.clone();
                if let Some((_, overridden)) = self.settings.params.iter().find(|(n, _)| *n == name)
                {
                    if param.default.same_kind(overridden) {
                        value = overridden.clone();
                    } else {
                        let message = format!(
                            "the project sets `{name}` of {code} to {}, but its default is {}",
                            crate::describe_kind(overridden),
                            crate::describe_kind(&param.default),
                        );
                        self.reader.error(codes::PACK002, param.key_span, message);
                    }
                }
                Param {
                    name,
                    default: param.default,
                    value,
                    doc: param.doc,
                }
            })
            .collect()
    }
}
/// Compiles a rule's fix: its title and line or replacement as templates,
/// where it inserts as a value, where it replaces as a place.
fn compile_fix(
    reader: &mut Reader<'_>,
    compiler: &mut Compiler<'_>,
    fix: &read::FixDef,
) -> Option<RuleFix> {
    let title = template(reader, compiler, &fix.title);
    let action = match &fix.action {
        read::FixActionDef::Insert { line, into } => {
            let line = template(reader, compiler, line);
            let into = compile(reader, compiler, into, Mode::Value);
            FixAction::Insert {
                line: line?,
                into: into?.0,
            }
        }
        read::FixActionDef::Replace { with, at } => {
            let with = template(reader, compiler, with);
            let at = compile(reader, compiler, at, Mode::Place);
            FixAction::Replace {
                with: with?,
                at: at?.0,
            }
        }
    };
    Some(RuleFix {
        title: title?,
        applicability: fix.applicability,
        action,
    })
}

/// Compiles a label; its `each`, if any, is bound while its place and
/// message are compiled.
fn compile_label(
    reader: &mut Reader<'_>,
    compiler: &mut Compiler<'_>,
    label: &LabelDef,
) -> Option<Label> {
    let each = match &label.each {
        Some(written) => Some(for_clause(reader, compiler, written)?),
        None => None,
    };
    let result = (|| {
        let (at, _) = compile(reader, compiler, label.at.as_ref()?, Mode::Place)?;
        let message = template(reader, compiler, label.message.as_ref()?)?;
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

/// Compiles `name in source`: binds the name to a new slot for the rest of
/// the rule, and returns the slot and the source's code.
fn for_clause(
    reader: &mut Reader<'_>,
    compiler: &mut Compiler<'_>,
    written: &Written,
) -> Option<(u32, Code)> {
    let text = written.text.as_str();
    let Some((binder, offset)) = split_binding(text) else {
        reader.push(
            Diagnostic::of(
                codes::PACK001,
                written.all(),
                "write `for` as `name in collection`".to_owned(),
            )
            .with_help("for example `k in contracts`"),
        );
        return None;
    };
    if compiler.is_bound(binder) {
        reader.error(
            codes::PACK004,
            written.span(assure_lang::ast::ExprSpan::new(0, binder.len())),
            format!("`{binder}` is already bound in this rule"),
        );
        return None;
    }
    let expr = written.parsed(reader, offset, assure_lang::parse_expr)?;
    let (code, item) = match compiler.compile_source(&expr) {
        Ok(compiled) => compiled,
        Err(errors) => {
            report(reader, &errors, offset, written);
            return None;
        }
    };
    let slot = compiler.bind(binder, item);
    Some((slot, code))
}

/// `name in source` → the name, and where the source starts.
fn split_binding(text: &str) -> Option<(&str, usize)> {
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
    Some((name, text.len() - source.len()))
}

/// Parses and compiles the expression `written`, reporting any problem at
/// its place in the pack.
fn compile(
    reader: &mut Reader<'_>,
    compiler: &mut Compiler<'_>,
    written: &Written,
    mode: Mode,
) -> Option<(Code, Ty)> {
    let expr = written.parsed(reader, 0, assure_lang::parse_expr)?;
    let result = match mode {
        Mode::Place => compiler.compile_place(&expr),
        Mode::Value | Mode::Condition => compiler.compile(&expr),
    };
    match result {
        Ok((code, ty)) => {
            if mode == Mode::Condition && !matches!(ty, Ty::Bool | Ty::Any) {
                reader.push(
                    Diagnostic::of(
                        codes::PACK002,
                        written.span(expr.span),
                        format!(
                            "a condition must be true or false, not {}",
                            ty.describe(compiler.vocabulary())
                        ),
                    )
                    .with_help("compare it, or test it with `present(...)`"),
                );
                return None;
            }
            Some((code, ty))
        }
        Err(errors) => {
            report(reader, &errors, 0, written);
            None
        }
    }
}

/// Parses and compiles the message template `written`.
fn template(
    reader: &mut Reader<'_>,
    compiler: &mut Compiler<'_>,
    written: &Written,
) -> Option<Template> {
    let pieces = written.parsed(reader, 0, assure_lang::parse_template)?;
    match compiler.compile_template(pieces) {
        Ok(template) => Some(template),
        Err(errors) => {
            report(reader, &errors, 0, written);
            None
        }
    }
}

/// Reports the problems of an expression that starts `offset` bytes into
/// `written`.
fn report(reader: &mut Reader<'_>, errors: &[CompileError], offset: usize, written: &Written) {
    for error in errors {
        let code = match error.kind {
            ErrorKind::Type => codes::PACK002,
            ErrorKind::Name => codes::PACK003,
            ErrorKind::Limit => codes::PACK001,
        };
        let diagnostic = Diagnostic::of(code, written.span_at(offset, error.span), &error.message)
            .with_help_opt(error.help.clone());
        reader.push(diagnostic);
    }
}
