//! The syntax tree of the expression language.

use assure_model::{Date, Duration};
use rust_decimal::Decimal;

/// A byte range within one expression's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExprSpan {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl ExprSpan {
    /// The bytes `start..end` (`start..start` if `end` is before it).
    pub fn new(start: usize, end: usize) -> ExprSpan {
        ExprSpan {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub(crate) fn cover(self, other: ExprSpan) -> ExprSpan {
        ExprSpan {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: ExprSpan,
    /// The height of the tree below and including this node.
    pub depth: u32,
}

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `10`, `0.5`.
    Number(Decimal),
    /// `5%`: the number before the `%`.
    Percent(Decimal),
    /// `£10m`, `£4m/yr`: an amount in pence.
    Money {
        /// Pence.
        pence: Decimal,
        /// `/yr`.
        annual: bool,
    },
    /// `2 years`.
    Duration(Duration),
    /// `2017-04-01`.
    Date(Date),
    /// `"text"`.
    Text(String),
    /// `true`, `false`.
    Bool(bool),
    /// `none`: the missing value.
    None,
}

/// Operators with two operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
    /// `not in`.
    NotIn,
    /// `starts-with`.
    StartsWith,
    /// `ends-with`.
    EndsWith,
    /// `contains`.
    Contains,
    /// `??`: the left if present, else the right.
    Coalesce,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// Whether the operator compares (`==` to `contains`): its result is a
    /// truth, and `none` when either side is `none`.
    pub fn compares(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::In
                | BinaryOp::NotIn
                | BinaryOp::StartsWith
                | BinaryOp::EndsWith
                | BinaryOp::Contains
        )
    }
}

impl BinaryOp {
    /// How the operator is written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::StartsWith => "starts-with",
            BinaryOp::EndsWith => "ends-with",
            BinaryOp::Contains => "contains",
            BinaryOp::Coalesce => "??",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// Operators with one operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `not`.
    Not,
    /// `-`.
    Neg,
}

/// One `for name in source` clause of a comprehension.
#[derive(Debug, Clone, PartialEq)]
pub struct ForClause {
    /// The bound name.
    pub binder: String,
    /// Its span.
    pub binder_span: ExprSpan,
    /// What it ranges over.
    pub source: Expr,
}

/// `element for x in source (for y in ...)* (if filter)?`.
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    /// What each iteration yields.
    pub element: Expr,
    /// The `for` clauses, outermost first.
    pub clauses: Vec<ForClause>,
    /// The filter, if any.
    pub filter: Option<Expr>,
}

/// An argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// An expression.
    Expr(Expr),
    /// A generator: `any(x > 0 for x in xs)`.
    Generator(Box<Generator>),
    /// A one-parameter function: `closure(start, x => step)`.
    Lambda {
        /// The parameter.
        param: String,
        /// The parameter's span.
        param_span: ExprSpan,
        /// The body.
        body: Box<Expr>,
    },
}

/// What an expression is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// A name: a binder, a `let`, a collection, a section, `param`.
    Name(String),
    /// `object.name`.
    Member(Box<Expr>, String, ExprSpan),
    /// `list[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `f(args)`.
    Call(String, ExprSpan, Vec<Arg>),
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `[element for x in xs if cond]`.
    Comprehension(Box<Generator>),
    /// `not x`, `-x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl ExprKind {
    /// Calls `visit` on every direct sub-expression, including those inside
    /// arguments, generators and lambdas.
    pub fn for_each_child<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        match self {
            ExprKind::Literal(_) | ExprKind::Name(_) => {}
            ExprKind::Member(object, _, _) => visit(object),
            ExprKind::Index(list, index) => {
                visit(list);
                visit(index);
            }
            ExprKind::Call(_, _, args) => {
                for arg in args {
                    match arg {
                        Arg::Expr(expr) => visit(expr),
                        Arg::Generator(generator) => generator.for_each_child(visit),
                        Arg::Lambda { body, .. } => visit(body),
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(&mut *visit),
            ExprKind::Comprehension(generator) => generator.for_each_child(visit),
            ExprKind::Unary(_, operand) => visit(operand),
            ExprKind::Binary(_, left, right) => {
                visit(left);
                visit(right);
            }
            ExprKind::If(condition, then, otherwise) => {
                visit(condition);
                visit(then);
                visit(otherwise);
            }
        }
    }
}

impl Generator {
    fn for_each_child<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(&self.element);
        for clause in &self.clauses {
            visit(&clause.source);
        }
        if let Some(filter) = &self.filter {
            visit(filter);
        }
    }
}
