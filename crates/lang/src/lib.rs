//! The expression language of rule packs: parsed, type-checked against the
//! vocabulary, compiled once, and evaluated over a proposal's model.
//!
//! This crate knows expressions and nothing of packs, rules, stages or
//! TOML: `assure-rules` reads a pack, hands each expression's text here,
//! and places what comes back into rules. The stages of the language:
//!
//! - [`parse_expr`], [`parse_template`] (`parse/`): text to an
//!   [`ast::Expr`] with nom, refusing input too long or too deep to handle
//!   safely;
//! - [`Compiler`] (`compile/`): names resolved against the vocabulary and
//!   the scope's bindings, every operation type-checked (`check.rs`,
//!   [`Ty`]), everything turned into [`Code`] (`ir.rs`) once;
//! - [`Evaluator`] (`eval/`): code run over a [`assure_model::Model`],
//!   with a visited set on every traversal and a fuel budget, so that
//!   evaluation always ends;
//! - [`Val`] ([`value`]): the one value type, of literals, parameters and
//!   results alike, with its comparison and arithmetic.
//!
//! Every built-in function is one entry of [`BUILTINS`] (`builtins/mod.rs`),
//! with its name, typing and evaluation: adding a function is adding an
//! entry.

pub mod ast;
mod builtins;
mod calendar;
mod check;
mod compile;
mod eval;
mod ir;
mod parse;
mod ty;
pub mod value;

pub use builtins::{BUILTINS, Builtin};
pub use calendar::Calendar;
pub use compile::{
    CompileError, Compiler, DefineSig, ErrorKind, Globals, MAX_EVAL_DEPTH, ParamValue,
};
pub use eval::{Evaluator, Frame};
pub use ir::{Code, DefineCode, Template};
pub use parse::{
    MAX_DEPTH, MAX_LENGTH, MAX_TREE_DEPTH, ParseError, TemplatePiece, parse_expr, parse_template,
};
pub use ty::{Per, Ty};
pub use value::Val;

#[cfg(test)]
mod tests;
