//! Rule packs: TOML, a typed expression language, and its evaluator.
pub mod ast;
pub mod parse;
