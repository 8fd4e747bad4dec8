//! From syntax tree to [`Code`]: names resolved to slots, sections, fields
//! and functions, and every operation type-checked against the vocabulary
//! (the judgements are in [`crate::check`], each built-in's in its entry of
//! [`crate::builtins`]).
//!
//! Compilation happens once, when a pack loads. Everything an expression
//! can get wrong without looking at a proposal (an unknown field, money
//! compared with a duration, a misspelt parameter) is caught here, with the
//! span of the offending sub-expression.

use crate::ast::{Arg, BinaryOp, Expr, ExprKind, ExprSpan, Generator, Literal, UnaryOp};
use crate::builtins::{self, Aggregated, Args, Form, Reached};
use crate::check::{self, Typing};
use crate::ir::{Code, Comprehension, FieldLookup, Member, Op, Piece, Template};
use crate::parse::TemplatePiece;
use crate::ty::Ty;
use crate::value::Val;
use assure_diagnostic::closest;
use assure_vocab::{EntityTypeId, FieldId, Owner, SectionId, ValueType, Vocabulary};

mod calls;
use std::sync::Arc;

/// What kind of problem a [`CompileError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Types or units that do not go together, or a function given the
    /// wrong arguments.
    Type,
    /// A name, field, parameter or function that does not exist.
    Name,
    /// A limit passed: `let`s and functions that call each other deeper
    /// than [`MAX_EVAL_DEPTH`].
    Limit,
}

/// The deepest an expression may reach once the `let`s and functions it
/// uses are counted in: each `let` or function adds its own depth to the
/// expression that uses it. Evaluation recurses that deep, so the limit
/// keeps the stack bounded whatever a pack chains.
pub const MAX_EVAL_DEPTH: u32 = 400;

/// A problem found while compiling an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// What kind of problem.
    pub kind: ErrorKind,
    /// Where, within the expression (for a template, within the template).
    pub span: ExprSpan,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// The signature of a user-defined function.
#[derive(Debug, Clone)]
pub struct DefineSig {
    /// Its name.
    pub name: String,
    /// How many arguments it takes.
    pub arity: usize,
    /// What it returns.
    pub ty: Ty,
    /// How deep evaluating its body may recurse ([`Code::depth`]).
    pub depth: u32,
}

/// A named constant the expressions may read as `param.NAME`.
#[derive(Debug, Clone)]
pub struct ParamValue {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: Val<'static>,
}

/// Names a compiler can see besides its local bindings.
pub struct Globals<'g> {
    /// The vocabulary.
    pub vocabulary: &'g Vocabulary,
    /// User-defined functions compiled so far.
    pub defines: &'g [DefineSig],
    /// The parameters (`param.NAME`) in scope.
    pub params: &'g [ParamValue],
}

/// Compiles expressions in one scope: a rule (its `for` binders and `let`s)
/// or a definition (its parameters).
pub struct Compiler<'g> {
    globals: &'g Globals<'g>,
    scope: Vec<(String, u32, Ty)>,
    lets: Vec<(String, Op, Ty, u32)>,
    next_slot: u32,
    in_place: bool,
    /// The deepest `let` or function the expression being compiled uses.
    reached: u32,
    errors: Vec<CompileError>,
}

type Compiled = (Op, Ty);

impl<'g> Compiler<'g> {
    /// A compiler with nothing bound.
    pub fn new(globals: &'g Globals<'g>) -> Self {
        Compiler {
            globals,
            scope: Vec::new(),
            lets: Vec::new(),
            next_slot: 0,
            in_place: false,
            reached: 0,
            errors: Vec::new(),
        }
    }

    /// The vocabulary compiled against.
    pub fn vocabulary(&self) -> &'g Vocabulary {
        self.globals.vocabulary
    }

    /// Forgets the most recent binding.
    pub fn unbind_last(&mut self) {
        self.scope.pop();
    }

    /// How many slots a frame needs.
    pub fn slots(&self) -> u32 {
        self.next_slot
    }

    /// Binds `name` to a new slot of type `ty`, for the rest of the scope.
    pub fn bind(&mut self, name: &str, ty: Ty) -> u32 {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.scope.push((name.to_owned(), slot, ty));
        slot
    }

    /// Declares a `let`, compiled, visible to later expressions.
    pub fn declare_let(&mut self, name: &str, code: Code, ty: Ty) {
        self.lets.push((name.to_owned(), code.0, ty, code.1));
    }

    /// Code that reads the `let` called `name`, if one is declared.
    pub fn let_code(&self, name: &str) -> Option<Code> {
        let index = self.lets.iter().position(|(n, ..)| n == name)?;
        Some(Code(Op::Let(index as u32), self.lets[index].3))
    }

    /// The compiled `let`s, in order.
    pub fn lets(&self) -> Vec<Code> {
        self.lets
            .iter()
            .map(|(_, op, _, depth)| Code(op.clone(), *depth))
            .collect()
    }

    /// Whether a name is already bound in this scope.
    pub fn is_bound(&self, name: &str) -> bool {
        self.scope.iter().any(|(n, _, _)| n == name) || self.lets.iter().any(|(n, ..)| n == name)
    }

    /// Compiles an expression; on error, returns every problem found.
    pub fn compile(&mut self, expr: &Expr) -> Result<(Code, Ty), Vec<CompileError>> {
        self.in_place = false;
        self.finish(expr)
    }

    /// Compiles a place: an expression naming where a finding points, in
    /// which places (`heading(x)`, `field(x.f)`) are allowed and `let`s are
    /// inlined, so that a `let` bound to a field still points at the field.
    pub fn compile_place(&mut self, expr: &Expr) -> Result<(Code, Ty), Vec<CompileError>> {
        self.in_place = true;
        let result = self.finish(expr);
        self.in_place = false;
        result
    }

    /// Compiles what a binder ranges over, returning its code and the type
    /// of its items.
    pub fn compile_source(&mut self, expr: &Expr) -> Result<(Code, Ty), Vec<CompileError>> {
        let (code, ty) = self.compile(expr)?;
        match self.typing().item(&ty, expr.span) {
            Some(item) => Ok((code, item)),
            None => Err(std::mem::take(&mut self.errors)),
        }
    }

    /// Compiles a message template's holes. Every hole is compiled, so that
    /// every problem is reported, each at its place in the template.
    pub fn compile_template(
        &mut self,
        pieces: Vec<TemplatePiece>,
    ) -> Result<Template, Vec<CompileError>> {
        let mut compiled = Vec::with_capacity(pieces.len());
        let mut errors = Vec::new();
        for piece in pieces {
            match piece {
                TemplatePiece::Text(text) => compiled.push(Piece::Text(text)),
                TemplatePiece::Hole(expr, offset) => match self.compile(&expr) {
                    Ok((code, _)) => compiled.push(Piece::Hole(code.0)),
                    Err(found) => errors.extend(found.into_iter().map(|mut error| {
                        error.span.start += offset as u32;
                        error.span.end += offset as u32;
                        error
                    })),
                },
            }
        }
        if errors.is_empty() {
            Ok(Template { pieces: compiled })
        } else {
            Err(errors)
        }
    }

    fn finish(&mut self, expr: &Expr) -> Result<(Code, Ty), Vec<CompileError>> {
        self.reached = 0;
        let (op, ty) = self.expr(expr);
        let depth = expr.depth.saturating_add(self.reached);
        if depth > MAX_EVAL_DEPTH {
            self.error(
                ErrorKind::Limit,
                expr.span,
                format!(
                    "with the `let`s and functions it uses, this expression is {depth} operations deep; the limit is {MAX_EVAL_DEPTH}"
                ),
                Some("compute the chain in fewer steps, for instance with a comprehension or an aggregate over a list".to_owned()),
            );
        }
        if self.errors.is_empty() {
            Ok((Code(op, depth), ty))
        } else {
            Err(std::mem::take(&mut self.errors))
        }
    }

    fn typing(&mut self) -> Typing<'_> {
        Typing {
            vocabulary: self.globals.vocabulary,
            errors: &mut self.errors,
        }
    }

    /// Reports a problem; the expression compiles to `none` of any type,
    /// so that compilation goes on and reports the rest.
    fn error(
        &mut self,
        kind: ErrorKind,
        span: ExprSpan,
        message: String,
        help: Option<String>,
    ) -> Compiled {
        self.errors.push(CompileError {
            kind,
            span,
            message,
            help,
        });
        nothing()
    }

    fn describe(&self, ty: &Ty) -> String {
        ty.describe(self.globals.vocabulary)
    }

    fn expr(&mut self, expr: &Expr) -> Compiled {
        match &expr.kind {
            ExprKind::Literal(literal) => {
                let constant = Val::of_literal(literal);
                let ty = constant.ty();
                (Op::Const(constant), ty)
            }
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::Member(object, name, name_span) => self.member(object, name, *name_span),
            ExprKind::Index(list, index) => {
                let (list_op, list_ty) = self.expr(list);
                let (index_op, index_ty) = self.expr(index);
                if !matches!(index_ty, Ty::Number | Ty::Any) {
                    let message = format!(
                        "an index must be a number, not {}",
                        self.describe(&index_ty)
                    );
                    return self.error(ErrorKind::Type, index.span, message, None);
                }
                let Some(item) = self.typing().item(&list_ty, list.span) else {
                    return nothing();
                };
                (Op::Index(Box::new(list_op), Box::new(index_op)), item)
            }
            ExprKind::Call(name, name_span, args) => self.call(name, *name_span, args, expr.span),
            ExprKind::List(items) => {
                let mut ops = Vec::with_capacity(items.len());
                let mut item_ty = Ty::Missing;
                for item in items {
                    let (op, ty) = self.expr(item);
                    item_ty = item_ty.join(&ty);
                    ops.push(op);
                }
                if item_ty == Ty::Missing {
                    item_ty = Ty::Any;
                }
                (Op::List(ops), Ty::List(Box::new(item_ty)))
            }
            ExprKind::Comprehension(generator) => {
                let (comprehension, ty) = self.generator(generator);
                (
                    Op::Comprehension(Box::new(comprehension)),
                    Ty::List(Box::new(ty)),
                )
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                let (op, ty) = self.expr(operand);
                self.typing().expect_bool(&ty, operand.span, "`not`");
                (Op::Not(Box::new(op)), Ty::Bool)
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                let (op, ty) = self.expr(operand);
                if !check::negatable(&ty) {
                    let message = format!("cannot negate {}", self.describe(&ty));
                    return self.error(ErrorKind::Type, expr.span, message, None);
                }
                (Op::Neg(Box::new(op)), ty)
            }
            ExprKind::Binary(op, left, right) => self.binary(*op, left, right, expr.span),
            ExprKind::If(condition, then, otherwise) => {
                let (condition_op, condition_ty) = self.expr(condition);
                self.typing()
                    .expect_bool(&condition_ty, condition.span, "the condition of `if`");
                let (then_op, then_ty) = self.expr(then);
                let (otherwise_op, otherwise_ty) = self.expr(otherwise);
                let ty = then_ty.join(&otherwise_ty);
                (
                    Op::If(
                        Box::new(condition_op),
                        Box::new(then_op),
                        Box::new(otherwise_op),
                    ),
                    ty,
                )
            }
        }
    }

    fn name(&mut self, name: &str, span: ExprSpan) -> Compiled {
        if let Some((_, slot, ty)) = self.scope.iter().rev().find(|(n, _, _)| n == name) {
            return (Op::Slot(*slot), ty.clone());
        }
        if let Some(index) = self.lets.iter().position(|(n, ..)| n == name) {
            let (_, op, ty, depth) = &self.lets[index];
            self.reached = self.reached.max(*depth);
            if self.in_place {
                return (op.clone(), ty.clone());
            }
            return (Op::Let(index as u32), ty.clone());
        }
        let vocabulary = self.globals.vocabulary;
        if name == "proposal" {
            return (
                Op::Section(assure_vocab::HEADER),
                Ty::Section(assure_vocab::HEADER),
            );
        }
        if let Some(section) = vocabulary
            .section_by_id(name)
            .filter(|s| *s != assure_vocab::HEADER)
        {
            return match vocabulary.section(section).entity {
                Some(ty) => (Op::All(ty), Ty::List(Box::new(Ty::Entity(Some(ty))))),
                None => (Op::Section(section), Ty::Section(section)),
            };
        }
        if name == "param" {
            return self.error(
                ErrorKind::Type,
                span,
                "`param` is not a value on its own".to_owned(),
                Some("name the parameter: `param.NAME`".to_owned()),
            );
        }
        let mut known: Vec<&str> = self.scope.iter().map(|(n, _, _)| n.as_str()).collect();
        known.extend(self.lets.iter().map(|(n, ..)| n.as_str()));
        known.push("proposal");
        known.extend(vocabulary.sections().iter().skip(1).map(|s| s.id.as_str()));
        let help = closest(name, known.iter().copied())
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| {
                format!(
                    "names here: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        self.error(
            ErrorKind::Name,
            span,
            format!("unknown name `{name}`"),
            Some(help),
        )
    }

    fn member(&mut self, object: &Expr, name: &str, name_span: ExprSpan) -> Compiled {
        if let ExprKind::Name(object_name) = &object.kind
            && object_name == "param"
            && !self.scope.iter().any(|(n, _, _)| n == "param")
        {
            return self.param(name, name_span);
        }
        let (op, ty) = self.expr(object);
        let vocabulary = self.globals.vocabulary;
        let object_op = Box::new(op);
        match &ty {
            Ty::Entity(_) if name == "name" => (Op::Member(object_op, Member::Name), Ty::Text),
            Ty::Entity(entity_type) if name == "kind" => {
                let kinds = entity_type.map(|t| {
                    Arc::new(assure_vocab::EnumType {
                        name: None,
                        values: vocabulary.entity_type(t).kinds.clone(),
                        dated: Vec::new(),
                    })
                });
                (Op::Member(object_op, Member::Kind), Ty::Word(kinds))
            }
            Ty::Entity(Some(entity_type)) => {
                self.owned_field(Owner::Entity(*entity_type), name, object_op, name_span)
            }
            Ty::Section(section) => {
                self.owned_field(Owner::Section(*section), name, object_op, name_span)
            }
            Ty::Edge(qualifier) => match name {
                "from" => (Op::Member(object_op, Member::From), Ty::Any),
                "to" => (Op::Member(object_op, Member::To), Ty::Entity(None)),
                "qualifier" => (
                    Op::Member(object_op, Member::Qualifier),
                    (**qualifier).clone(),
                ),
                _ => self.error(
                    ErrorKind::Name,
                    name_span,
                    format!("a link has no `{name}`"),
                    Some("a link has `from`, `to` and `qualifier`".to_owned()),
                ),
            },
            Ty::Word(_) if name == "date" => (Op::Member(object_op, Member::Date), Ty::Date),
            Ty::Entity(None) | Ty::Any => {
                let member = match name {
                    "from" if ty == Ty::Any => Some((Member::From, Ty::Any)),
                    "to" if ty == Ty::Any => Some((Member::To, Ty::Entity(None))),
                    "qualifier" if ty == Ty::Any => Some((Member::Qualifier, Ty::Any)),
                    "date" if ty == Ty::Any => Some((Member::Date, Ty::Date)),
                    "name" => Some((Member::Name, Ty::Text)),
                    "kind" => Some((Member::Kind, Ty::Word(None))),
                    _ => None,
                };
                if let Some((member, member_ty)) = member {
                    return (Op::Member(object_op, member), member_ty);
                }
                let lookup = self.lookup(name);
                let mut fields = lookup.entity.iter().chain(&lookup.section).flatten();
                let Some(first) = fields.next() else {
                    let all: Vec<&str> =
                        vocabulary.fields().map(|(_, f)| f.name.as_str()).collect();
                    let help =
                        closest(name, all.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                    return self.error(
                        ErrorKind::Name,
                        name_span,
                        format!("no entity has a field `{name}`"),
                        help,
                    );
                };
                // The field's type if every owner's field of that name has
                // the same, else not known until evaluation.
                let first_ty = Ty::of_field(&vocabulary.field(*first).ty);
                let field_ty = fields.fold(first_ty, |previous, field| {
                    let this = Ty::of_field(&vocabulary.field(*field).ty);
                    if previous == this { previous } else { Ty::Any }
                });
                (Op::Member(object_op, Member::Field(lookup)), field_ty)
            }
            Ty::List(_) => self.error(
                ErrorKind::Type,
                name_span,
                format!("a list has no field `{name}`"),
                Some(format!(
                    "take it from each item: `[x.{name} for x in LIST]`"
                )),
            ),
            other => {
                let message = format!("{} has no field `{name}`", self.describe(other));
                self.error(ErrorKind::Type, name_span, message, None)
            }
        }
    }

    /// `object.name` where the object's owner (entity type or section) is
    /// known: the field, or an unknown-field error with a suggestion.
    fn owned_field(
        &mut self,
        owner: Owner,
        name: &str,
        object_op: Box<Op>,
        name_span: ExprSpan,
    ) -> Compiled {
        let vocabulary = self.globals.vocabulary;
        match vocabulary.fields_of(owner).get(name) {
            Some(field) => {
                let field_ty = Ty::of_field(&vocabulary.field(field).ty);
                (
                    Op::Member(object_op, Member::Field(self.lookup(name))),
                    field_ty,
                )
            }
            None => {
                let names: Vec<&str> = vocabulary
                    .fields_of(owner)
                    .ids()
                    .iter()
                    .map(|id| vocabulary.field(*id).name.as_str())
                    .collect();
                let help =
                    closest(name, names.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                let message = format!("{} has no field `{name}`", vocabulary.owner_name(owner));
                self.error(ErrorKind::Name, name_span, message, help)
            }
        }
    }

    fn lookup(&self, name: &str) -> Arc<FieldLookup> {
        let vocabulary = self.globals.vocabulary;
        let entity = (0..vocabulary.entity_types().len())
            .map(|i| {
                vocabulary
                    .fields_of(Owner::Entity(EntityTypeId(i as u32)))
                    .get(name)
            })
            .collect();
        let section = (0..vocabulary.sections().len())
            .map(|i| {
                vocabulary
                    .fields_of(Owner::Section(SectionId(i as u32)))
                    .get(name)
            })
            .collect();
        Arc::new(FieldLookup { entity, section })
    }

    fn param(&mut self, name: &str, span: ExprSpan) -> Compiled {
        let params = self.globals.params;
        if let Some(param) = params.iter().find(|p| p.name == name) {
            // A parameter whose value could not be read (reported where it
            // is declared) is `none` of any type, so that its uses add no
            // errors of their own.
            let ty = match &param.value {
                Val::Missing => Ty::Any,
                // A list parameter's items are of one kind (checked where
                // it is read).
                Val::List(items) => Ty::List(Box::new(items.first().map_or(Ty::Any, Val::ty))),
                value => value.ty(),
            };
            return (Op::Const(param.value.clone()), ty);
        }
        let known: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        let help = match closest(name, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => "declare it under the rule's `params`".to_owned(),
            None => format!("this rule's parameters: {}", known.join(", ")),
        };
        self.error(
            ErrorKind::Name,
            span,
            format!("unknown parameter `{name}`"),
            Some(help),
        )
    }

    /// A text literal compared with a word of a known list must be one of
    /// its words: a misspelt one would never match, and the rule never fire.
    fn check_words(&mut self, ty: &Ty, literal: &Expr) {
        let (Ty::Word(Some(words)), ExprKind::Literal(Literal::Text(word))) = (ty, &literal.kind)
        else {
            return;
        };
        if words.values.iter().any(|w| w == word) {
            return;
        }
        let what = match &words.name {
            Some(name) => format!("`{name}`"),
            None => "the kinds".to_owned(),
        };
        let help = match closest(word, words.values.iter().map(String::as_str)) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the words are: {}", words.values.join(", ")),
        };
        self.error(
            ErrorKind::Name,
            literal.span,
            format!("`{word}` is not one of {what}, so this never matches"),
            Some(help),
        );
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: ExprSpan) -> Compiled {
        let (left_op, left_ty) = self.expr(left);
        let (right_op, right_ty) = self.expr(right);
        let (l, r) = (Box::new(left_op), Box::new(right_op));
        let mismatch = |this: &mut Self, verb: &str, detail: String| {
            let message = if detail.is_empty() {
                format!(
                    "cannot {verb} {} and {}",
                    this.describe(&left_ty),
                    this.describe(&right_ty)
                )
            } else {
                format!("this {detail}")
            };
            this.error(ErrorKind::Type, span, message, None)
        };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let what = format!("`{}`", op.symbol());
                self.typing().expect_bool(&left_ty, left.span, &what);
                self.typing().expect_bool(&right_ty, right.span, &what);
                let op = if op == BinaryOp::And {
                    Op::And(l, r)
                } else {
                    Op::Or(l, r)
                };
                (op, Ty::Bool)
            }
            BinaryOp::Coalesce => {
                let ty = left_ty.join(&right_ty);
                (Op::Coalesce(l, r), ty)
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                let zero = is_zero(&l) || is_zero(&r);
                if let Err(detail) = check::comparable(&left_ty, &right_ty, ordering, zero) {
                    return mismatch(self, "compare", detail);
                }
                if !ordering {
                    self.check_words(&left_ty, right);
                    self.check_words(&right_ty, left);
                }
                (Op::Binary(op, l, r), Ty::Bool)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let Some(item) = self.typing().item(&right_ty, right.span) else {
                    return (Op::Const(Val::Missing), Ty::Bool);
                };
                if check::comparable(&left_ty, &item, false, false).is_err() {
                    let message = format!(
                        "cannot look for {} in {}",
                        self.describe(&left_ty),
                        self.describe(&right_ty)
                    );
                    return self.error(ErrorKind::Type, span, message, None);
                }
                if let ExprKind::List(items) = &right.kind {
                    for item in items {
                        self.check_words(&left_ty, item);
                    }
                }
                // `"word" in k.words`: the word must be one of the list's.
                if let Ty::List(item) = &right_ty {
                    self.check_words(item, left);
                }
                (Op::Binary(op, l, r), Ty::Bool)
            }
            BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => {
                for (ty, expr) in [(&left_ty, left), (&right_ty, right)] {
                    if !matches!(ty, Ty::Text | Ty::Word(_) | Ty::Any | Ty::Missing) {
                        let message =
                            format!("`{}` works on text, not {}", op.symbol(), self.describe(ty));
                        self.error(ErrorKind::Type, expr.span, message, None);
                    }
                }
                (Op::Binary(op, l, r), Ty::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let symbol = op.symbol().chars().next().unwrap_or('+');
                match check::arithmetic(symbol, &left_ty, &right_ty) {
                    Ok(ty) => (Op::Binary(op, l, r), ty),
                    Err(detail) => {
                        let verb = match op {
                            BinaryOp::Add => "add",
                            BinaryOp::Sub => "subtract",
                            BinaryOp::Mul => "multiply",
                            _ => "divide",
                        };
                        mismatch(self, verb, detail)
                    }
                }
            }
        }
    }

    fn generator(&mut self, generator: &Generator) -> (Comprehension, Ty) {
        let depth = self.scope.len();
        let mut clauses = Vec::with_capacity(generator.clauses.len());
        for clause in &generator.clauses {
            let (op, ty) = self.expr(&clause.source);
            let item = self
                .typing()
                .item(&ty, clause.source.span)
                .unwrap_or(Ty::Any);
            let slot = self.bind(&clause.binder, item);
            clauses.push((slot, op));
        }
        let filter = generator.filter.as_ref().map(|filter| {
            let (op, ty) = self.expr(filter);
            self.typing()
                .expect_bool(&ty, filter.span, "the `if` of a comprehension");
            op
        });
        let (element, ty) = self.expr(&generator.element);
        self.scope.truncate(depth);
        (
            Comprehension {
                element,
                clauses,
                filter,
            },
            ty,
        )
    }
}

/// What an expression with a problem compiles to.
fn nothing() -> Compiled {
    (Op::Const(Val::Missing), Ty::Any)
}

fn is_zero(op: &Op) -> bool {
    matches!(op, Op::Const(Val::Number(n)) if n.is_zero())
}
