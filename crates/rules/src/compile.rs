//! From syntax tree to [`Code`]: names resolved to slots, sections, fields
//! and functions, and every operation type-checked against the vocabulary.
//!
//! Compilation happens once per pack load. Everything a rule can get wrong
//! without looking at a proposal (an unknown field, money compared with a
//! duration, a misspelt parameter) is caught here, with the span of the
//! offending sub-expression.

use crate::ast::{Arg, BinaryOp, Expr, ExprKind, ExprSpan, Generator, Literal, UnaryOp};
use crate::ty::{self, Per, Ty};
use assure_diagnostic::closest;
use assure_model::{Date, Duration};
use assure_vocab::{EntityTypeId, FieldId, Owner, SectionId, ValueType, Vocabulary};
use rust_decimal::Decimal;
use std::sync::Arc;

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// `none`.
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Decimal),
    /// A percentage (the number before `%`).
    Percent(Decimal),
    /// Money in pence.
    Money(Decimal, bool),
    /// A duration.
    Duration(Duration),
    /// A date.
    Date(Date),
    /// Text.
    Text(Box<str>),
}

impl Const {
    /// The constant's type.
    pub fn ty(&self) -> Ty {
        match self {
            Const::Missing => Ty::Missing,
            Const::Bool(_) => Ty::Bool,
            Const::Number(_) => Ty::Number,
            Const::Percent(_) => Ty::Percent,
            Const::Money(_, true) => Ty::Money(Per::Annual),
            Const::Money(_, false) => Ty::Money(Per::Total),
            Const::Duration(_) => Ty::Duration,
            Const::Date(_) => Ty::Date,
            Const::Text(_) => Ty::Text,
        }
    }

    /// The constant a literal denotes.
    pub fn from_literal(literal: &Literal) -> Const {
        match literal {
            Literal::Number(n) => Const::Number(*n),
            Literal::Percent(n) => Const::Percent(*n),
            Literal::Money { pence, annual } => Const::Money(*pence, *annual),
            Literal::Duration(d) => Const::Duration(*d),
            Literal::Date(d) => Const::Date(*d),
            Literal::Text(t) => Const::Text(t.as_str().into()),
            Literal::Bool(b) => Const::Bool(*b),
            Literal::None => Const::Missing,
        }
    }
}

impl std::fmt::Display for Const {
    /// The constant as a pack author would write it: `10`, `5%`, `£10m`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Const::Missing => f.write_str("none"),
            Const::Bool(b) => write!(f, "{b}"),
            Const::Number(n) => write!(f, "{}", n.normalize()),
            Const::Percent(n) => write!(f, "{}%", n.normalize()),
            Const::Money(pence, annual) => {
                let pounds = pence.checked_div(Decimal::ONE_HUNDRED).unwrap_or(*pence);
                f.write_str(&assure_model::value::format_pounds(pounds))?;
                if *annual { f.write_str("/yr") } else { Ok(()) }
            }
            Const::Duration(d) => write!(f, "{d}"),
            Const::Date(d) => write!(f, "{d}"),
            Const::Text(t) => write!(f, "{t:?}"),
        }
    }
}

/// Where a field name leads, for each owner that has a field of that name.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldLookup {
    /// The name.
    pub name: Box<str>,
    /// By entity type index.
    pub entity: Vec<Option<FieldId>>,
    /// By section index.
    pub section: Vec<Option<FieldId>>,
}

/// A member access, resolved as far as the static type allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Member {
    /// A field of an entity or section.
    Field(Arc<FieldLookup>),
    /// An entity's name.
    Name,
    /// An entity's kind.
    Kind,
    /// Where a link starts.
    From,
    /// Where a link leads.
    To,
    /// A link's qualifier.
    Qualifier,
    /// The date of a dated word.
    Date,
}

/// Functions built into the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `present(x)`.
    Present,
    /// `missing(x)`.
    Missing,
    /// `first(xs)`.
    First,
    /// `unique(xs)`.
    Unique,
    /// `list(x)`.
    ListOf,
    /// `intersects(xs, ys)`.
    Intersects,
    /// `lower(text)`.
    Lower,
    /// `abs(q)`.
    Abs,
    /// `per_year(money, duration)`.
    PerYear,
    /// `years(duration)`.
    Years,
    /// `text(x)`: a value as a message would show it.
    Text,
    /// `heading(x)`: a place.
    Heading,
    /// `field(e.f)`: a place.
    FieldPlace,
}

/// Aggregates over a list or a generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// Whether any element is true.
    Any,
    /// Whether every element is true.
    All,
    /// How many elements are true (of a generator) or present (of a list).
    Count,
    /// The sum.
    Sum,
    /// The least.
    Min,
    /// The greatest.
    Max,
}

/// A link direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Along the reference, from the entity that writes it.
    Forward,
    /// Against it, from the entity named.
    Backward,
}

/// A compiled comprehension.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    /// What each iteration yields.
    pub element: Code,
    /// Slot and source of each `for`, outermost first.
    pub clauses: Vec<(u32, Code)>,
    /// The filter.
    pub filter: Option<Code>,
}

/// A compiled expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    /// A constant.
    Const(Const),
    /// A bound variable.
    Slot(u32),
    /// A rule's `let`, evaluated on first use.
    Let(u32),
    /// A non-entity section, or the header.
    Section(SectionId),
    /// Every entity of a type.
    All(EntityTypeId),
    /// `object.member`.
    Member(Box<Code>, Member),
    /// `list[index]`, 1-based.
    Index(Box<Code>, Box<Code>),
    /// `[a, b]`.
    List(Vec<Code>),
    /// `[x for ...]`.
    Comprehension(Box<Comprehension>),
    /// `any(...)` and friends.
    Aggregate(Aggregate, Box<Comprehension>),
    /// A builtin function.
    Call(Builtin, Vec<Code>),
    /// A pack-defined function.
    Define(u32, Vec<Code>),
    /// `closure(start, x => step)`.
    Closure(Box<Code>, u32, Box<Code>),
    /// `links(x, fields)` and `backlinks(x, fields)`.
    Links(Direction, Box<Code>, Arc<[FieldId]>),
    /// `referrers(x, fields)`.
    Referrers(Box<Code>, Arc<[FieldId]>),
    /// `not x`.
    Not(Box<Code>),
    /// `-x`.
    Neg(Box<Code>),
    /// `a and b`.
    And(Box<Code>, Box<Code>),
    /// `a or b`.
    Or(Box<Code>, Box<Code>),
    /// `a ?? b`.
    Coalesce(Box<Code>, Box<Code>),
    /// Any other binary operator.
    Binary(BinaryOp, Box<Code>, Box<Code>),
    /// `if c then a else b`.
    If(Box<Code>, Box<Code>, Box<Code>),
}

/// A problem found while compiling an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// `PACK002` (types and units) or `PACK003` (unknown names).
    pub code: &'static str,
    /// Where, within the expression.
    pub span: ExprSpan,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Pack error codes.
pub mod codes {
    /// The pack's TOML or an expression in it cannot be parsed.
    pub const PACK001: &str = "PACK001";
    /// A type or unit error in an expression.
    pub const PACK002: &str = "PACK002";
    /// An unknown name, field, parameter or function.
    pub const PACK003: &str = "PACK003";
    /// A code, rule name, stage or definition declared twice.
    pub const PACK004: &str = "PACK004";
    /// Rule metadata that is missing or invalid.
    pub const PACK005: &str = "PACK005";
    /// A rule's example does not behave as it says.
    pub const PACK006: &str = "PACK006";
}

/// The signature of a pack-defined function.
#[derive(Debug, Clone)]
pub struct DefineSig {
    /// Its name.
    pub name: String,
    /// How many arguments it takes.
    pub arity: usize,
    /// What it returns.
    pub ty: Ty,
}

/// A parameter's value, for compilation.
#[derive(Debug, Clone)]
pub struct ParamValue {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: Const,
}

/// Names a compiler can see besides its local bindings.
pub struct Globals<'g> {
    /// The vocabulary.
    pub vocabulary: &'g Vocabulary,
    /// Pack-defined functions compiled so far.
    pub defines: &'g [DefineSig],
    /// The rule's parameters (empty outside a rule).
    pub params: &'g [ParamValue],
}

const BUILTINS: [&str; 23] = [
    "text",
    "present",
    "missing",
    "first",
    "unique",
    "list",
    "intersects",
    "lower",
    "abs",
    "per_year",
    "years",
    "heading",
    "field",
    "any",
    "all",
    "count",
    "sum",
    "min",
    "max",
    "links",
    "backlinks",
    "referrers",
    "closure",
];

/// Compiles expressions in one scope: a rule (its `for` binders and `let`s)
/// or a definition (its parameters).
pub struct Compiler<'g> {
    globals: &'g Globals<'g>,
    scope: Vec<(String, u32, Ty)>,
    lets: Vec<(String, Code, Ty)>,
    next_slot: u32,
    in_place: bool,
    errors: Vec<CompileError>,
}

type Compiled = (Code, Ty);

impl<'g> Compiler<'g> {
    /// A compiler with nothing bound.
    pub fn new(globals: &'g Globals<'g>) -> Self {
        Compiler {
            globals,
            scope: Vec::new(),
            lets: Vec::new(),
            next_slot: 0,
            in_place: false,
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
        self.lets.push((name.to_owned(), code, ty));
    }

    /// The compiled `let`s, in order.
    pub fn lets(&self) -> Vec<Code> {
        self.lets.iter().map(|(_, code, _)| code.clone()).collect()
    }

    /// Whether a name is already bound in this scope.
    pub fn is_bound(&self, name: &str) -> bool {
        self.scope.iter().any(|(n, _, _)| n == name) || self.lets.iter().any(|(n, _, _)| n == name)
    }

    /// Compiles an expression; on error, returns every problem found.
    pub fn compile(&mut self, expr: &Expr) -> Result<Compiled, Vec<CompileError>> {
        self.in_place = false;
        self.finish(expr)
    }

    /// Compiles a place: an expression naming where a finding points, in
    /// which `heading(x)` and `field(x.f)` are allowed and `let`s are
    /// inlined, so that a `let` bound to a field still points at the field.
    pub fn compile_place(&mut self, expr: &Expr) -> Result<Compiled, Vec<CompileError>> {
        self.in_place = true;
        let result = self.finish(expr);
        self.in_place = false;
        result
    }

    /// Compiles the source of a `for`, returning its code and item type.
    pub fn compile_source(&mut self, expr: &Expr) -> Result<Compiled, Vec<CompileError>> {
        let (code, ty) = self.compile(expr)?;
        match self.item_type(&ty, expr.span) {
            Some(item) => Ok((code, item)),
            None => Err(std::mem::take(&mut self.errors)),
        }
    }

    fn finish(&mut self, expr: &Expr) -> Result<Compiled, Vec<CompileError>> {
        let compiled = self.expr(expr);
        if self.errors.is_empty() {
            Ok(compiled)
        } else {
            Err(std::mem::take(&mut self.errors))
        }
    }

    fn error(
        &mut self,
        code: &'static str,
        span: ExprSpan,
        message: String,
        help: Option<String>,
    ) -> Compiled {
        self.errors.push(CompileError {
            code,
            span,
            message,
            help,
        });
        (Code::Const(Const::Missing), Ty::Any)
    }

    fn describe(&self, ty: &Ty) -> String {
        ty.describe(self.globals.vocabulary)
    }

    fn expr(&mut self, expr: &Expr) -> Compiled {
        match &expr.kind {
            ExprKind::Literal(literal) => {
                let constant = Const::from_literal(literal);
                let ty = constant.ty();
                (Code::Const(constant), ty)
            }
            ExprKind::Name(name) => self.name(name, expr.span),
            ExprKind::Member(object, name, name_span) => self.member(object, name, *name_span),
            ExprKind::Index(list, index) => {
                let (list_code, list_ty) = self.expr(list);
                let (index_code, index_ty) = self.expr(index);
                if !matches!(index_ty, Ty::Number | Ty::Any) {
                    let message = format!(
                        "an index must be a number, not {}",
                        self.describe(&index_ty)
                    );
                    return self.error(codes::PACK002, index.span, message, None);
                }
                let Some(item) = self.item_type(&list_ty, list.span) else {
                    return (Code::Const(Const::Missing), Ty::Any);
                };
                (Code::Index(Box::new(list_code), Box::new(index_code)), item)
            }
            ExprKind::Call(name, name_span, args) => self.call(name, *name_span, args, expr.span),
            ExprKind::List(items) => {
                let mut codes = Vec::with_capacity(items.len());
                let mut item_ty = Ty::Missing;
                for item in items {
                    let (code, ty) = self.expr(item);
                    item_ty = item_ty.join(&ty);
                    codes.push(code);
                }
                if item_ty == Ty::Missing {
                    item_ty = Ty::Any;
                }
                (Code::List(codes), Ty::List(Box::new(item_ty)))
            }
            ExprKind::Comprehension(generator) => {
                let (comprehension, ty) = self.generator(generator);
                (
                    Code::Comprehension(Box::new(comprehension)),
                    Ty::List(Box::new(ty)),
                )
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                let (code, ty) = self.expr(operand);
                self.expect_bool(&ty, operand.span, "`not`");
                (Code::Not(Box::new(code)), Ty::Bool)
            }
            ExprKind::Unary(UnaryOp::Neg, operand) => {
                let (code, ty) = self.expr(operand);
                if !matches!(
                    ty,
                    Ty::Number | Ty::Percent | Ty::Money(_) | Ty::Duration | Ty::Any | Ty::Missing
                ) {
                    let message = format!("cannot negate {}", self.describe(&ty));
                    return self.error(codes::PACK002, expr.span, message, None);
                }
                (Code::Neg(Box::new(code)), ty)
            }
            ExprKind::Binary(op, left, right) => self.binary(*op, left, right, expr.span),
            ExprKind::If(condition, then, otherwise) => {
                let (condition_code, condition_ty) = self.expr(condition);
                self.expect_bool(&condition_ty, condition.span, "the condition of `if`");
                let (then_code, then_ty) = self.expr(then);
                let (otherwise_code, otherwise_ty) = self.expr(otherwise);
                let ty = then_ty.join(&otherwise_ty);
                (
                    Code::If(
                        Box::new(condition_code),
                        Box::new(then_code),
                        Box::new(otherwise_code),
                    ),
                    ty,
                )
            }
        }
    }

    fn expect_bool(&mut self, ty: &Ty, span: ExprSpan, what: &str) {
        if !matches!(ty, Ty::Bool | Ty::Any | Ty::Missing) {
            let message = format!(
                "{what} needs a true-or-false value, not {}",
                self.describe(ty)
            );
            let help = match ty {
                Ty::List(_) => {
                    Some("test a list with `any(...)`, `all(...)` or `count(...) > 0`".to_owned())
                }
                _ => Some("test whether a value is given with `present(...)`".to_owned()),
            };
            self.error(codes::PACK002, span, message, help);
        }
    }

    fn item_type(&mut self, ty: &Ty, span: ExprSpan) -> Option<Ty> {
        match ty.item() {
            Some(item) => Some(item),
            None => {
                let message = format!("expected a list, found {}", self.describe(ty));
                let help = Some("make a list of one value with `list(x)`".to_owned());
                self.error(codes::PACK002, span, message, help);
                None
            }
        }
    }

    fn name(&mut self, name: &str, span: ExprSpan) -> Compiled {
        if let Some((_, slot, ty)) = self.scope.iter().rev().find(|(n, _, _)| n == name) {
            return (Code::Slot(*slot), ty.clone());
        }
        if let Some(index) = self.lets.iter().position(|(n, _, _)| n == name) {
            let (_, code, ty) = &self.lets[index];
            if self.in_place {
                return (code.clone(), ty.clone());
            }
            return (Code::Let(index as u32), ty.clone());
        }
        let vocabulary = self.globals.vocabulary;
        if name == "proposal" {
            return (
                Code::Section(assure_vocab::HEADER),
                Ty::Section(assure_vocab::HEADER),
            );
        }
        if let Some(section) = vocabulary
            .section_by_id(name)
            .filter(|s| *s != assure_vocab::HEADER)
        {
            return match vocabulary.section(section).entity {
                Some(ty) => (Code::All(ty), Ty::List(Box::new(Ty::Entity(Some(ty))))),
                None => (Code::Section(section), Ty::Section(section)),
            };
        }
        if name == "param" {
            return self.error(
                codes::PACK002,
                span,
                "`param` is not a value on its own".to_owned(),
                Some("name the parameter: `param.NAME`".to_owned()),
            );
        }
        let mut known: Vec<&str> = self.scope.iter().map(|(n, _, _)| n.as_str()).collect();
        known.extend(self.lets.iter().map(|(n, _, _)| n.as_str()));
        known.push("proposal");
        known.extend(vocabulary.sections().iter().skip(1).map(|s| s.id.as_str()));
        let help = closest(name, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
        let help = help.or_else(|| {
            Some(format!(
                "names here: {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
        self.error(codes::PACK003, span, format!("unknown name `{name}`"), help)
    }

    fn member(&mut self, object: &Expr, name: &str, name_span: ExprSpan) -> Compiled {
        if let ExprKind::Name(object_name) = &object.kind
            && object_name == "param"
            && !self.scope.iter().any(|(n, _, _)| n == "param")
        {
            return self.param(name, name_span);
        }
        let (code, ty) = self.expr(object);
        let vocabulary = self.globals.vocabulary;
        let object_code = Box::new(code);
        match &ty {
            Ty::Entity(_) if name == "name" => (Code::Member(object_code, Member::Name), Ty::Text),
            Ty::Entity(_) if name == "kind" => (Code::Member(object_code, Member::Kind), Ty::Word),
            Ty::Entity(Some(entity_type)) => {
                self.owned_field(Owner::Entity(*entity_type), name, object_code, name_span)
            }
            Ty::Section(section) => {
                self.owned_field(Owner::Section(*section), name, object_code, name_span)
            }
            Ty::Edge(qualifier) => match name {
                "from" => (Code::Member(object_code, Member::From), Ty::Any),
                "to" => (Code::Member(object_code, Member::To), Ty::Entity(None)),
                "qualifier" => (
                    Code::Member(object_code, Member::Qualifier),
                    (**qualifier).clone(),
                ),
                _ => self.error(
                    codes::PACK003,
                    name_span,
                    format!("a link has no `{name}`"),
                    Some("a link has `from`, `to` and `qualifier`".to_owned()),
                ),
            },
            Ty::Word if name == "date" => (Code::Member(object_code, Member::Date), Ty::Date),
            Ty::Entity(None) | Ty::Any => {
                let member = match name {
                    "from" if ty == Ty::Any => Some((Member::From, Ty::Any)),
                    "to" if ty == Ty::Any => Some((Member::To, Ty::Entity(None))),
                    "qualifier" if ty == Ty::Any => Some((Member::Qualifier, Ty::Any)),
                    "date" if ty == Ty::Any => Some((Member::Date, Ty::Date)),
                    "name" => Some((Member::Name, Ty::Text)),
                    "kind" => Some((Member::Kind, Ty::Word)),
                    _ => None,
                };
                if let Some((member, member_ty)) = member {
                    return (Code::Member(object_code, member), member_ty);
                }
                let lookup = self.lookup(name);
                if lookup
                    .entity
                    .iter()
                    .chain(&lookup.section)
                    .all(Option::is_none)
                {
                    let all: Vec<&str> =
                        vocabulary.fields().map(|(_, f)| f.name.as_str()).collect();
                    let help =
                        closest(name, all.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                    return self.error(
                        codes::PACK003,
                        name_span,
                        format!("no entity has a field `{name}`"),
                        help,
                    );
                }
                let mut field_ty: Option<Ty> = None;
                for field in lookup.entity.iter().chain(&lookup.section).flatten() {
                    let this = Ty::of_field(&vocabulary.field(*field).ty);
                    field_ty = Some(match field_ty {
                        None => this,
                        Some(previous) if previous == this => previous,
                        Some(_) => Ty::Any,
                    });
                }
                (
                    Code::Member(object_code, Member::Field(lookup)),
                    field_ty.unwrap_or(Ty::Any),
                )
            }
            Ty::List(_) => self.error(
                codes::PACK002,
                name_span,
                format!("a list has no field `{name}`"),
                Some(format!(
                    "take it from each item: `[x.{name} for x in LIST]`"
                )),
            ),
            other => {
                let message = format!("{} has no field `{name}`", self.describe(other));
                self.error(codes::PACK002, name_span, message, None)
            }
        }
    }

    /// `object.name` where the object's owner (entity type or section) is
    /// known: the field, or an unknown-field error with a suggestion.
    fn owned_field(
        &mut self,
        owner: Owner,
        name: &str,
        object_code: Box<Code>,
        name_span: ExprSpan,
    ) -> Compiled {
        let vocabulary = self.globals.vocabulary;
        match vocabulary.fields_of(owner).get(name) {
            Some(field) => {
                let field_ty = Ty::of_field(&vocabulary.field(field).ty);
                (
                    Code::Member(object_code, Member::Field(self.lookup(name))),
                    field_ty,
                )
            }
            None => {
                let names = self.field_names(owner);
                let help = closest(name, names.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"));
                let message = format!("{} has no field `{name}`", vocabulary.owner_name(owner));
                self.error(codes::PACK003, name_span, message, help)
            }
        }
    }

    fn field_names(&self, owner: Owner) -> Vec<String> {
        let vocabulary = self.globals.vocabulary;
        vocabulary
            .fields_of(owner)
            .ids()
            .iter()
            .map(|id| vocabulary.field(*id).name.clone())
            .collect()
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
        Arc::new(FieldLookup {
            name: name.into(),
            entity,
            section,
        })
    }

    fn param(&mut self, name: &str, span: ExprSpan) -> Compiled {
        match self.globals.params.iter().find(|p| p.name == name) {
            Some(param) => (Code::Const(param.value.clone()), param.value.ty()),
            None => {
                let known: Vec<&str> = self
                    .globals
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect();
                let help = match closest(name, known.iter().copied()) {
                    Some(s) => Some(format!("did you mean `{s}`?")),
                    None if known.is_empty() => {
                        Some("declare it under the rule's `params`".to_owned())
                    }
                    None => Some(format!("this rule's parameters: {}", known.join(", "))),
                };
                self.error(
                    codes::PACK003,
                    span,
                    format!("unknown parameter `{name}`"),
                    help,
                )
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr, span: ExprSpan) -> Compiled {
        let (left_code, left_ty) = self.expr(left);
        let (right_code, right_ty) = self.expr(right);
        let (l, r) = (Box::new(left_code), Box::new(right_code));
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
            this.error(codes::PACK002, span, message, None)
        };
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.expect_bool(&left_ty, left.span, &format!("`{}`", op.symbol()));
                self.expect_bool(&right_ty, right.span, &format!("`{}`", op.symbol()));
                let code = if op == BinaryOp::And {
                    Code::And(l, r)
                } else {
                    Code::Or(l, r)
                };
                (code, Ty::Bool)
            }
            BinaryOp::Coalesce => {
                let ty = left_ty.join(&right_ty);
                (Code::Coalesce(l, r), ty)
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => {
                let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
                let zero = is_zero(&l) || is_zero(&r);
                if let Err(detail) = ty::comparable(&left_ty, &right_ty, ordering, zero) {
                    return mismatch(self, "compare", detail);
                }
                (Code::Binary(op, l, r), Ty::Bool)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let Some(item) = self.item_type(&right_ty, right.span) else {
                    return (Code::Const(Const::Missing), Ty::Bool);
                };
                if ty::comparable(&left_ty, &item, false, false).is_err() {
                    let message = format!(
                        "cannot look for {} in {}",
                        self.describe(&left_ty),
                        self.describe(&right_ty)
                    );
                    return self.error(codes::PACK002, span, message, None);
                }
                (Code::Binary(op, l, r), Ty::Bool)
            }
            BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => {
                for (ty, expr) in [(&left_ty, left), (&right_ty, right)] {
                    if !matches!(ty, Ty::Text | Ty::Word | Ty::Any | Ty::Missing) {
                        let message =
                            format!("`{}` works on text, not {}", op.symbol(), self.describe(ty));
                        self.error(codes::PACK002, expr.span, message, None);
                    }
                }
                (Code::Binary(op, l, r), Ty::Bool)
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let symbol = op.symbol().chars().next().unwrap_or('+');
                match ty::arithmetic(symbol, &left_ty, &right_ty) {
                    Ok(ty) => (Code::Binary(op, l, r), ty),
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
            let (code, ty) = self.expr(&clause.source);
            let item = self.item_type(&ty, clause.source.span).unwrap_or(Ty::Any);
            let slot = self.bind(&clause.binder, item);
            clauses.push((slot, code));
        }
        let filter = generator.filter.as_ref().map(|filter| {
            let (code, ty) = self.expr(filter);
            self.expect_bool(&ty, filter.span, "the `if` of a comprehension");
            code
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

    fn call(&mut self, name: &str, name_span: ExprSpan, args: &[Arg], span: ExprSpan) -> Compiled {
        let aggregate = match name {
            "any" => Some(Aggregate::Any),
            "all" => Some(Aggregate::All),
            "count" => Some(Aggregate::Count),
            "sum" => Some(Aggregate::Sum),
            "min" => Some(Aggregate::Min),
            "max" => Some(Aggregate::Max),
            _ => None,
        };
        if let Some(aggregate) = aggregate {
            return self.aggregate(aggregate, name, args, span);
        }
        match name {
            "links" | "backlinks" | "referrers" => return self.links(name, args, span),
            "closure" => return self.closure(args, span),
            _ => {}
        }
        let builtin = match name {
            "present" => Some((Builtin::Present, 1)),
            "missing" => Some((Builtin::Missing, 1)),
            "first" => Some((Builtin::First, 1)),
            "unique" => Some((Builtin::Unique, 1)),
            "list" => Some((Builtin::ListOf, 1)),
            "intersects" => Some((Builtin::Intersects, 2)),
            "lower" => Some((Builtin::Lower, 1)),
            "abs" => Some((Builtin::Abs, 1)),
            "per_year" => Some((Builtin::PerYear, 2)),
            "years" => Some((Builtin::Years, 1)),
            "text" => Some((Builtin::Text, 1)),
            "heading" => Some((Builtin::Heading, 1)),
            "field" => Some((Builtin::FieldPlace, 1)),
            _ => None,
        };
        let Some((builtin, arity)) = builtin else {
            return self.define_call(name, name_span, args, span);
        };
        if matches!(builtin, Builtin::Heading | Builtin::FieldPlace) && !self.in_place {
            return self.error(
                codes::PACK002,
                name_span,
                format!("`{name}(...)` names a place, and is allowed only in `primary` and in labels' `at`"),
                None,
            );
        }
        let Some(compiled) = self.plain_args(name, args, arity, span) else {
            return (Code::Const(Const::Missing), Ty::Any);
        };
        let tys: Vec<Ty> = compiled.iter().map(|(_, ty)| ty.clone()).collect();
        let codes: Vec<Code> = compiled.into_iter().map(|(code, _)| code).collect();
        let arg_span = |i: usize| match &args[i] {
            Arg::Expr(e) => e.span,
            _ => span,
        };
        let ty = match builtin {
            Builtin::Present | Builtin::Missing => Ty::Bool,
            Builtin::First => self.item_type(&tys[0], arg_span(0)).unwrap_or(Ty::Any),
            Builtin::Unique => {
                self.item_type(&tys[0], arg_span(0));
                tys[0].clone()
            }
            Builtin::ListOf => match &tys[0] {
                Ty::List(_) => tys[0].clone(),
                other => Ty::List(Box::new(other.clone())),
            },
            Builtin::Intersects => {
                self.item_type(&tys[0], arg_span(0));
                self.item_type(&tys[1], arg_span(1));
                Ty::Bool
            }
            Builtin::Lower => {
                self.expect(
                    &tys[0],
                    &[Ty::Text, Ty::Word],
                    arg_span(0),
                    "`lower`",
                    "text",
                );
                Ty::Text
            }
            Builtin::Abs => {
                if !tys[0].is_quantity() && tys[0] != Ty::Missing {
                    let message = format!("`abs` needs a quantity, not {}", self.describe(&tys[0]));
                    self.error(codes::PACK002, arg_span(0), message, None);
                }
                tys[0].clone()
            }
            Builtin::PerYear => {
                self.expect(
                    &tys[0],
                    &[
                        Ty::Money(Per::Total),
                        Ty::Money(Per::Either),
                        Ty::Money(Per::Annual),
                    ],
                    arg_span(0),
                    "`per_year`",
                    "money",
                );
                self.expect(
                    &tys[1],
                    &[Ty::Duration],
                    arg_span(1),
                    "`per_year`",
                    "a duration",
                );
                Ty::Money(Per::Annual)
            }
            Builtin::Text => Ty::Text,
            Builtin::Years => {
                self.expect(
                    &tys[0],
                    &[Ty::Duration],
                    arg_span(0),
                    "`years`",
                    "a duration",
                );
                Ty::Number
            }
            Builtin::Heading => {
                if !matches!(tys[0], Ty::Entity(_) | Ty::Section(_) | Ty::Any) {
                    let message = format!(
                        "`heading` needs an entity or a section, not {}",
                        self.describe(&tys[0])
                    );
                    self.error(codes::PACK002, arg_span(0), message, None);
                }
                Ty::Any
            }
            Builtin::FieldPlace => {
                if !matches!(codes[0], Code::Member(_, Member::Field(_))) {
                    self.error(
                        codes::PACK002,
                        arg_span(0),
                        "`field(...)` takes a field: `field(k.procurement)`".to_owned(),
                        None,
                    );
                }
                Ty::Any
            }
        };
        (Code::Call(builtin, codes), ty)
    }

    fn expect(&mut self, ty: &Ty, allowed: &[Ty], span: ExprSpan, what: &str, wanted: &str) {
        if !allowed.contains(ty) && !matches!(ty, Ty::Any | Ty::Missing) {
            let message = format!("{what} needs {wanted}, not {}", self.describe(ty));
            self.error(codes::PACK002, span, message, None);
        }
    }

    fn plain_args(
        &mut self,
        name: &str,
        args: &[Arg],
        arity: usize,
        span: ExprSpan,
    ) -> Option<Vec<Compiled>> {
        if args.len() != arity {
            let plural = if arity == 1 { "" } else { "s" };
            self.error(
                codes::PACK002,
                span,
                format!(
                    "`{name}` takes {arity} argument{plural}, not {}",
                    args.len()
                ),
                None,
            );
            return None;
        }
        let mut compiled = Vec::with_capacity(args.len());
        for arg in args {
            match arg {
                Arg::Expr(expr) => compiled.push(self.expr(expr)),
                Arg::Generator(generator) => {
                    self.error(
                        codes::PACK002,
                        generator.element.span,
                        format!("`{name}` does not take a generator; write a list: `{name}([... for ...])`"),
                        None,
                    );
                    return None;
                }
                Arg::Lambda { param_span, .. } => {
                    self.error(
                        codes::PACK002,
                        *param_span,
                        format!("`{name}` does not take a function; only `closure` does"),
                        None,
                    );
                    return None;
                }
            }
        }
        Some(compiled)
    }

    fn aggregate(
        &mut self,
        aggregate: Aggregate,
        name: &str,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let (comprehension, item_ty, item_span) = match args {
            [Arg::Generator(generator)] => {
                let (comprehension, ty) = self.generator(generator);
                (comprehension, ty, generator.element.span)
            }
            [Arg::Expr(list)] => {
                let (code, ty) = self.expr(list);
                let item = self.item_type(&ty, list.span).unwrap_or(Ty::Any);
                // `count(xs)` is `count(x for x in xs)`, with a fresh slot.
                let slot = self.next_slot;
                self.next_slot += 1;
                (
                    Comprehension {
                        element: Code::Slot(slot),
                        clauses: vec![(slot, code)],
                        filter: None,
                    },
                    item,
                    list.span,
                )
            }
            _ => {
                return self.error(
                    codes::PACK002,
                    span,
                    format!("`{name}` takes one list or generator: `{name}(x.f for x in xs)`"),
                    None,
                );
            }
        };
        let ty = match aggregate {
            Aggregate::Any | Aggregate::All => {
                if matches!(args, [Arg::Generator(_)]) {
                    self.expect_bool(&item_ty, item_span, &format!("each element of `{name}`"));
                }
                Ty::Bool
            }
            Aggregate::Count => Ty::Number,
            Aggregate::Sum => {
                if !item_ty.is_quantity() && item_ty != Ty::Missing {
                    let message = format!("cannot sum {}", self.describe(&item_ty));
                    self.error(codes::PACK002, item_span, message, None);
                }
                item_ty
            }
            Aggregate::Min | Aggregate::Max => {
                if !matches!(
                    item_ty,
                    Ty::Number
                        | Ty::Percent
                        | Ty::Money(_)
                        | Ty::Duration
                        | Ty::Date
                        | Ty::Text
                        | Ty::Any
                ) {
                    let message = format!("{} has no order", self.describe(&item_ty));
                    self.error(codes::PACK002, item_span, message, None);
                }
                item_ty
            }
        };
        (Code::Aggregate(aggregate, Box::new(comprehension)), ty)
    }

    fn links(&mut self, name: &str, args: &[Arg], span: ExprSpan) -> Compiled {
        let Some((Arg::Expr(from), fields)) = args.split_first() else {
            return self.error(
                codes::PACK002,
                span,
                format!("`{name}` takes an entity and one or more reference fields: `{name}(x, owned-by)`"),
                None,
            );
        };
        if fields.is_empty() {
            return self.error(
                codes::PACK002,
                span,
                format!("`{name}` needs at least one reference field after the entity"),
                None,
            );
        }
        let (from_code, from_ty) = self.expr(from);
        if !matches!(
            from_ty,
            Ty::Entity(_) | Ty::Section(_) | Ty::Any | Ty::Missing
        ) {
            let message = format!(
                "`{name}` starts from an entity, not {}",
                self.describe(&from_ty)
            );
            self.error(codes::PACK002, from.span, message, None);
        }
        let vocabulary = self.globals.vocabulary;
        let mut ids = Vec::new();
        let mut qualifier = Ty::Missing;
        let mut owners: Vec<Owner> = Vec::new();
        let mut targets = Ty::Missing;
        for field in fields {
            let (field_name, field_span) = match field {
                Arg::Expr(Expr {
                    kind: ExprKind::Name(n) | ExprKind::Literal(Literal::Text(n)),
                    span,
                    ..
                }) => (n.as_str(), *span),
                Arg::Expr(e) => {
                    self.error(
                        codes::PACK002,
                        e.span,
                        "name a reference field here, like `owned-by`".to_owned(),
                        None,
                    );
                    continue;
                }
                _ => {
                    self.error(
                        codes::PACK002,
                        span,
                        "name a reference field here, like `owned-by`".to_owned(),
                        None,
                    );
                    continue;
                }
            };
            let before = ids.len();
            for (id, def) in vocabulary.fields() {
                if def.name == field_name
                    && let ValueType::Ref(reference) = &def.ty
                {
                    ids.push(id);
                    owners.push(def.owner);
                    let q = reference
                        .qualifier
                        .as_deref()
                        .map_or(Ty::Missing, Ty::of_field);
                    qualifier = qualifier.join(&q);
                    targets = targets.join(&match reference.target {
                        assure_vocab::Target::Any => Ty::Entity(None),
                        assure_vocab::Target::Entity(t) => Ty::Entity(Some(t)),
                    });
                }
            }
            if ids.len() == before {
                let refs: Vec<&str> = vocabulary
                    .fields()
                    .filter(|(_, f)| f.is_edge())
                    .map(|(_, f)| f.name.as_str())
                    .collect();
                let help = closest(field_name, refs.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"));
                self.error(
                    codes::PACK003,
                    field_span,
                    format!("no reference field is called `{field_name}`"),
                    help,
                );
            }
        }
        let ids: Arc<[FieldId]> = ids.into();
        match name {
            "referrers" => {
                let mut ty: Option<Ty> = None;
                for owner in owners {
                    let this = match owner {
                        Owner::Entity(t) => Ty::Entity(Some(t)),
                        Owner::Section(_) => continue,
                    };
                    ty = Some(ty.map_or(this.clone(), |t| t.join(&this)));
                }
                let item = ty.unwrap_or(Ty::Entity(None));
                (
                    Code::Referrers(Box::new(from_code), ids),
                    Ty::List(Box::new(item)),
                )
            }
            _ => {
                let direction = if name == "links" {
                    Direction::Forward
                } else {
                    Direction::Backward
                };
                let _ = targets;
                (
                    Code::Links(direction, Box::new(from_code), ids),
                    Ty::List(Box::new(Ty::Edge(Box::new(qualifier)))),
                )
            }
        }
    }

    fn closure(&mut self, args: &[Arg], span: ExprSpan) -> Compiled {
        let [Arg::Expr(start), Arg::Lambda { param, body, .. }] = args else {
            return self.error(
                codes::PACK002,
                span,
                "`closure` takes a start and a step: `closure(x, o => o.parent)`".to_owned(),
                None,
            );
        };
        let (start_code, start_ty) = self.expr(start);
        let item = match &start_ty {
            Ty::List(item) => (**item).clone(),
            other => other.clone(),
        };
        if !matches!(item, Ty::Entity(_) | Ty::Any | Ty::Missing) {
            let message = format!("`closure` walks entities, not {}", self.describe(&start_ty));
            return self.error(codes::PACK002, start.span, message, None);
        }
        let slot = self.bind(param, Ty::Entity(None));
        let (step_code, step_ty) = self.expr(body);
        self.scope.pop();
        let step_item = match &step_ty {
            Ty::List(item) => (**item).clone(),
            other => other.clone(),
        };
        if !matches!(step_item, Ty::Entity(_) | Ty::Any | Ty::Missing) {
            let message = format!(
                "a `closure` step must lead to entities, not {}",
                self.describe(&step_ty)
            );
            return self.error(codes::PACK002, body.span, message, None);
        }
        (
            Code::Closure(Box::new(start_code), slot, Box::new(step_code)),
            Ty::List(Box::new(Ty::Entity(None))),
        )
    }

    fn define_call(
        &mut self,
        name: &str,
        name_span: ExprSpan,
        args: &[Arg],
        span: ExprSpan,
    ) -> Compiled {
        let defines = self.globals.defines;
        let Some(index) = defines.iter().position(|d| d.name == name) else {
            let mut known: Vec<&str> = BUILTINS.to_vec();
            known.extend(defines.iter().map(|d| d.name.as_str()));
            let help = closest(name, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
            return self.error(
                codes::PACK003,
                name_span,
                format!("unknown function `{name}`"),
                help,
            );
        };
        let sig = &defines[index];
        let Some(compiled) = self.plain_args(name, args, sig.arity, span) else {
            return (Code::Const(Const::Missing), Ty::Any);
        };
        (
            Code::Define(
                index as u32,
                compiled.into_iter().map(|(code, _)| code).collect(),
            ),
            sig.ty.clone(),
        )
    }
}

fn is_zero(code: &Code) -> bool {
    matches!(code, Code::Const(Const::Number(n)) if n.is_zero())
}
