//! Published notices read as proposals.
//!
//! Every decision under the Provider Selection Regime is announced in a
//! notice on Find a Tender, which publishes notices as Open Contracting
//! Data Standard (OCDS) JSON: release packages, record packages, and bulk
//! JSON Lines. This crate reads such a file a procurement (an `ocid`) at a
//! time and writes each as a proposal in the text format, with a map from
//! each line to its place: the notice and the JSON pointer of the value
//! (`/releases/0/tender/value`). Parsing, modelling, rules and outputs
//! then work as they do on a `.proposal`, as for a Word document.
//!
//! The shape, in four steps, each a module:
//!
//! - `read`: the bytes as a stream of [`Group`]s, the releases of one
//!   `ocid`; a whole document bounded by [`MAX_DOCUMENT_BYTES`], JSON
//!   Lines a line at a time (each line bounded by [`MAX_LINE_BYTES`], the
//!   releases of an `ocid` on consecutive lines joined), so that memory
//!   does not grow with the file;
//! - `apart`: a first reading of JSON Lines for the procurements whose
//!   releases are on lines apart (as bulk files give a notice a line, in
//!   the order published), so that the second joins them, reading those
//!   lines again, in a few words of memory a procurement;
//! - `words`: the free text as published (HTML line breaks, entities,
//!   template blanks), its sentences, and the dates, amounts and periods
//!   written in words (`03rd June 2026`, `21/10/2025`, `PS14,357`,
//!   `within 8 days`);
//! - `texts`: a release's strings that say something, each with its
//!   pointer and sentences, and where the vocabulary's phrases are said
//!   in them (one automaton for them all, made once a run);
//! - `convert`: a group as proposal text, through the vocabulary's
//!   `[notices]`: which entity a notice is, where each field's value is
//!   (JSON pointers, or the sentence saying a phrase), which phrases choose
//!   an enumerated field's words, and the kinds of the organisations it
//!   names.
//!
//! Nothing here reads a file or knows a regime: which phrases make a
//! notice one of intention, which name a process, are the vocabulary's,
//! extended by packs.

mod apart;
mod convert;
mod read;
mod texts;
mod words;

pub use apart::{Apart, apart};
pub use convert::{Notice, Reader, convert};
pub use read::{
    Group, Groups, MAX_DOCUMENT_BYTES, MAX_LINE_BYTES, MAX_RELEASES, Release, Reread, Unread,
    groups,
};

/// Whether a file's name says it holds notices: `.json`, `.jsonl` or
/// `.ndjson`, in any case.
pub fn is_notices(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
}

#[cfg(test)]
mod tests;
