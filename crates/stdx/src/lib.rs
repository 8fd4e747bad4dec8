//! Helpers that belong to no stage of the pipeline, shared by the crates
//! that need them (rust-analyzer's `stdx` is the model).
//!
//! Nothing here knows of proposals, packs or outputs, and nothing here does
//! I/O; it depends on the standard library alone.

pub mod parallel;
pub mod words;
