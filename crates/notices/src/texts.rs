//! A release's free text, read once: every string that says something
//! (not the codes, identifiers and addresses), plain, lower-cased, split
//! into sentences, with its JSON pointer; and where each of the
//! vocabulary's phrases is said in it, found by one automaton for them
//! all.

use crate::words::{self, find_phrase};
use assure_vocab::Vocabulary;
use serde_json::Value;

/// A string of the release, plain, with its pointer; its sentences are
/// found when first asked for (most strings are names and titles, whose
/// sentences no one asks for), and its lower case is in [`Texts::all`].
pub(crate) struct Text {
    pub(crate) pointer: String,
    pub(crate) plain: String,
    sentences: std::cell::OnceCell<Vec<(usize, usize)>>,
}

impl Text {
    /// Where each sentence of the text starts and ends.
    pub(crate) fn sentences(&self) -> &[(usize, usize)] {
        self.sentences.get_or_init(|| {
            words::sentences(&self.plain)
                .into_iter()
                .map(|(start, s)| (start, start + s.len()))
                .collect()
        })
    }
}

pub(crate) struct Texts<'r> {
    pub(crate) texts: Vec<Text>,
    /// Every text, lower case, one a line: what phrases are looked for in,
    /// once each, whichever text says them.
    pub(crate) all: String,
    /// Where each text starts in `all`.
    starts: Vec<usize>,
    /// The vocabulary's phrases, and where each is said in `all` as whole
    /// words: (phrase, end), sorted.
    phrases: &'r Phrases,
    hits: Vec<(u32, u32)>,
}

/// Every phrase the vocabulary's `[notices]` looks for in a notice's
/// text, in one automaton: a release's text is searched once for all of
/// them, not once for each.
pub(crate) struct Phrases {
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Each phrase's index in the automaton; the phrases are the packs', so a
    /// quick hash serves.
    pub(crate) ids: rustc_hash::FxHashMap<String, u32>,
}

impl Phrases {
    pub(crate) fn of(vocabulary: &Vocabulary) -> Phrases {
        let mut ids = rustc_hash::FxHashMap::default();
        let mut patterns: Vec<&str> = Vec::new();
        for field in &vocabulary.notices().fields {
            let chosen = field.values.iter().flat_map(|(_, phrases)| phrases);
            for phrase in field
                .when
                .iter()
                .chain(&field.unless)
                .chain(&field.phrases)
                .chain(chosen)
            {
                if !phrase.is_empty() && !ids.contains_key(phrase) {
                    ids.insert(phrase.clone(), patterns.len() as u32);
                    patterns.push(phrase);
                }
            }
        }
        // Overlapping matches (one phrase may hold another), so standard
        // semantics; a vocabulary too big for an automaton is searched
        // phrase by phrase.
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&patterns)
            .ok();
        Phrases { automaton, ids }
    }

    /// Where each phrase is said in `lower` as whole words: (phrase, end).
    pub(crate) fn hits(&self, lower: &str) -> Vec<(u32, u32)> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut hits: Vec<(u32, u32)> = automaton
            .find_overlapping_iter(lower)
            .filter(|m| words::whole_words(lower, m.start(), m.end()))
            .map(|m| (m.pattern().as_u32(), m.end() as u32))
            .collect();
        hits.sort_unstable();
        hits
    }
}

impl Texts<'_> {
    /// Whether `phrase` is said anywhere, as whole words.
    pub(crate) fn says(&self, phrase: &str) -> bool {
        match self.hits_of(phrase) {
            Some(hits) => !hits.is_empty(),
            None => self.said(phrase).next().is_some(),
        }
    }

    /// Where the automaton found `phrase`, as (phrase, end) in `all`; none
    /// where the phrase is not one of its own or there is no automaton.
    fn hits_of(&self, phrase: &str) -> Option<&[(u32, u32)]> {
        let id = *self.phrases.ids.get(phrase)?;
        self.phrases.automaton.as_ref()?;
        let from = self.hits.partition_point(|&(p, _)| p < id);
        let to = self.hits.partition_point(|&(p, _)| p <= id);
        Some(&self.hits[from..to])
    }

    /// The `t`th text in lower case (ASCII, so that offsets agree).
    pub(crate) fn lower(&self, t: usize) -> &str {
        let start = self.starts[t];
        let end = self
            .starts
            .get(t + 1)
            .map_or(self.all.len(), |&next| next)
            .saturating_sub(1);
        &self.all[start..end]
    }

    /// The text holding `all`'s byte `at`, and `at` within it.
    fn at(&self, at: usize) -> (usize, usize) {
        let t = self.starts.partition_point(|&start| start <= at) - 1;
        (t, at - self.starts[t])
    }

    /// Each place `phrase` is said, as (text, end of the phrase within
    /// it), in order: from the automaton's one search of `all` (a phrase is
    /// never across two texts: they are apart by a line break, which no
    /// phrase holds), else searched for.
    pub(crate) fn said<'t>(
        &'t self,
        phrase: &'t str,
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 't> {
        let place = move |end: usize| {
            // The phrase's last byte is in the text it ends in.
            let (t, last) = self.at(end - 1);
            (t, last + 1)
        };
        if let Some(hits) = self.hits_of(phrase) {
            return Box::new(hits.iter().map(move |&(_, end)| place(end as usize)));
        }
        let mut from = 0;
        Box::new(std::iter::from_fn(move || {
            let end = from + find_phrase(&self.all[from..], phrase)?;
            from = end;
            Some(place(end))
        }))
    }
}

/// Whether a key's strings are codes, identifiers and addresses, not what
/// a notice says; the values under the first few (an organisation's
/// address, contacts and classifications) are passed over whole.
fn is_coded(key: &str) -> bool {
    matches!(
        key,
        "address"
            | "contactPoint"
            | "identifier"
            | "additionalIdentifiers"
            | "classification"
            | "additionalClassifications"
            | "id"
            | "ocid"
            | "uri"
            | "url"
            | "scheme"
            | "email"
            | "telephone"
            | "faxNumber"
            | "postalCode"
            | "currency"
            | "language"
            | "tag"
            | "status"
            | "format"
            | "documentType"
            | "mainProcurementCategory"
            | "initiationType"
            | "date"
            | "datePublished"
            | "dateModified"
            | "startDate"
            | "endDate"
            | "dateSigned"
            | "relatedLot"
    )
}

/// A key as a JSON pointer writes it (RFC 6901).
pub(crate) fn escaped(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The release's strings that say something, plain, with their pointers.
pub(crate) fn texts_of<'r>(release: &Value, base: &str, phrases: &'r Phrases) -> Texts<'r> {
    let mut texts = Vec::new();
    let mut at = base.to_owned();
    collect(release, &mut at, &mut texts);
    let mut all = String::new();
    let mut starts = Vec::with_capacity(texts.len());
    for text in &texts {
        let start = all.len();
        starts.push(start);
        all.push_str(&text.plain);
        all[start..].make_ascii_lowercase();
        all.push('\n');
    }
    let hits = phrases.hits(&all);
    Texts {
        texts,
        all,
        starts,
        phrases,
        hits,
    }
}

/// The strings under `value`, whose pointer is `at` (a buffer each level
/// adds its step to and takes it off again: a pointer is made only for a
/// string kept).
fn collect(value: &Value, at: &mut String, out: &mut Vec<Text>) {
    match value {
        Value::String(raw) => {
            let plain = words::plain(raw);
            if plain.is_empty() {
                return;
            }
            out.push(Text {
                pointer: at.clone(),
                plain,
                sentences: std::cell::OnceCell::new(),
            });
        }
        Value::Array(items) => {
            let len = at.len();
            for (i, item) in items.iter().enumerate() {
                use std::fmt::Write as _;
                let _ = write!(at, "/{i}");
                collect(item, at, out);
                at.truncate(len);
            }
        }
        Value::Object(object) => {
            let len = at.len();
            for (key, item) in object {
                if is_coded(key) {
                    continue;
                }
                at.push('/');
                push_escaped(at, key);
                collect(item, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// A key as a JSON pointer writes it (RFC 6901), added to `at`.
fn push_escaped(at: &mut String, key: &str) {
    if key.contains(['~', '/']) {
        at.push_str(&escaped(key));
    } else {
        at.push_str(key);
    }
}
