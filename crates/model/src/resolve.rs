//! Name resolution: the index of entity names (REF002 for a name given
//! twice), and each reference item resolved to the entity it names (REF001
//! when it names none, SCH003 when it names one of the wrong type).

use crate::names::{NameIndex, Named};
use crate::outline::Outline;
use crate::store::room_for;
use crate::typing::Typer;
use crate::{EntityId, Reference, Value};
use assure_diagnostic::{Applicability, Diagnostic, Fix, Span, closest, codes, excerpt as shorten};
use assure_syntax::{Item, ValueTree};
use assure_vocab::{FieldDef, RefType, Target, ValueType, fold, with_article};
use std::borrow::Cow;

/// How many "did you mean" searches one file may run: each scans every
/// entity name, so a file with thousands of broken references must not run
/// thousands of them.
pub(crate) const SUGGESTION_BUDGET: u32 = 64;
/// How many names one search considers.
const SUGGESTION_CANDIDATES: usize = 5_000;
/// How many comma-separated items a name may span (`Smith, Jones & Co`).
const MAX_ITEMS_IN_A_NAME: usize = 4;
/// How many findings one reference list's items may have before the rest
/// are counted, by code, in one finding: a line of millions of names that
/// name nothing would otherwise hold a finding of hundreds of bytes for
/// every three bytes of text.
const FINDINGS_LISTED_PER_LIST: usize = 100;

/// The findings of a list past [`FINDINGS_LISTED_PER_LIST`], by code: the
/// first one, and how many.
#[derive(Default)]
struct Unlisted(Vec<(Diagnostic, usize)>);

impl Unlisted {
    /// Counts one more finding of `code` if one is counted already.
    fn counted(&mut self, code: &str) -> bool {
        let found = self.0.iter_mut().find(|(first, _)| &*first.code == code);
        found.map(|(_, count)| *count += 1).is_some()
    }

    fn count(&mut self, findings: impl Iterator<Item = Diagnostic>) {
        for finding in findings {
            if !self.counted(&finding.code) {
                self.0.push((finding, 1));
            }
        }
    }

    /// A finding per code: the first not listed, saying how many more
    /// after it were not, as [`Listed`](assure_diagnostic::Listed) says it.
    fn findings(self, key: &str) -> impl Iterator<Item = Diagnostic> {
        self.0.into_iter().map(move |(mut first, count)| {
            if count > 1 {
                let why = format!("a list lists the first {FINDINGS_LISTED_PER_LIST}");
                first.stand_for(count - 1, &format!(" in `{key}`"), &why);
            }
            first
        })
    }
}

/// Finds, among one field's references in order, each that names an entity
/// an earlier one named, neither with a qualifier: the same link twice.
/// Typing reports it (REF003); linking makes one edge of the two, so that a
/// line of millions of repeats is not millions of edges.
#[derive(Default)]
pub(crate) struct Repeats {
    /// Each entity named so far, with where: scanned while the list is
    /// short, hashed once it is not.
    short: Vec<(EntityId, usize)>,
    long: rustc_hash::FxHashMap<EntityId, usize>,
}

impl Repeats {
    /// How many entities a list names before they are hashed.
    const SCANNED: usize = 16;

    /// The index of the earlier reference that the one at `index` repeats,
    /// if it does; else it is recorded.
    pub(crate) fn earlier(&mut self, index: usize, reference: &Reference<'_>) -> Option<usize> {
        if reference.qualifier().is_some() {
            return None;
        }
        let target = reference.target()?;
        if self.long.is_empty() && self.short.len() < Self::SCANNED {
            if let Some(&(_, at)) = self.short.iter().find(|(named, _)| *named == target) {
                return Some(at);
            }
            self.short.push((target, index));
            return None;
        }
        if self.long.is_empty() {
            self.long.extend(self.short.drain(..));
        }
        match self.long.entry(target) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
                None
            }
        }
    }
}

/// How many top-level items of a reference list are lexed at a time.
const WINDOW_ITEMS: usize = 4_096;

/// The text of the value in `segments` as [`ValueTree::text`] gives it:
/// every run of white space, line breaks included, folded to one space.
fn folded_text(source: &str, segments: &[Span]) -> String {
    let words = segments
        .iter()
        .flat_map(|s| s.text(source).split_whitespace());
    let mut text = String::new();
    for word in words {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
    text
}

/// A reference item's name, resolved or not.
struct Resolution<'a, 't> {
    target: Option<Named>,
    name: Cow<'a, str>,
    name_span: Span,
    span: Span,
    qualifier: Option<&'t assure_syntax::Qualifier>,
    items_used: usize,
}

/// Indexes entity names; a name given twice is REF002 on the later
/// heading, and references go to the first.
pub(crate) fn index_names(source: &str, outline: &mut Outline<'_>) -> NameIndex {
    let (names, twice) = NameIndex::new(source, &outline.entities);
    for (later, first) in twice {
        let entity = &outline.entities[later.0 as usize];
        let first = &outline.entities[first.0 as usize];
        outline.diagnostics.push(
            Diagnostic::of(
                codes::REF002,
                entity.heading,
                format!("`{}` is defined twice", shorten(entity.name)),
            )
            .with_label(first.heading, "first defined here")
            .with_help("give each entity its own name, or merge the two"),
        );
    }
    names
}

impl<'a> Typer<'a, '_> {
    fn lookup(&self, name: &str) -> Option<Named> {
        let mut buffer = self.fold_buffer.borrow_mut();
        assure_vocab::fold_into(name, &mut buffer);
        self.names.get(&buffer, self.source, self.entities)
    }

    /// Types the reference field `def` written in `segments` (its value at
    /// `span`), a window of items at a time: a list of millions of names
    /// holds the tokens of one window, not of the whole list.
    pub(crate) fn references(
        &mut self,
        def: &FieldDef,
        reference: &RefType,
        segments: &[Span],
        span: Span,
    ) -> Option<Value<'a>> {
        let mut tree = std::mem::take(&mut self.tree);
        let value = self.references_in(def, reference, segments, span, &mut tree);
        self.tree = tree;
        value
    }

    fn references_in(
        &mut self,
        def: &FieldDef,
        reference: &RefType,
        segments: &[Span],
        span: Span,
        tree: &mut ValueTree,
    ) -> Option<Value<'a>> {
        let key = def.name.as_str();
        let mut next = tree.lex_window(self.source, segments, span.start, WINDOW_ITEMS);
        if !tree.problems.is_empty() {
            self.problems_from(tree, segments, next);
            return None;
        }
        let items = match next {
            None => tree.items.len(),
            Some(_) => assure_syntax::count_items(self.source, segments),
        };
        if !reference.many && items > 1 {
            if next.is_some() && self.problems_from(tree, segments, next) {
                return None;
            }
            // A single name may itself contain ", ".
            let whole = match next {
                None => tree.text(self.source, &(0..tree.tokens.len() as u32)),
                Some(_) => Cow::Owned(folded_text(self.source, segments)),
            };
            if let Some(target) = self.lookup(&whole) {
                let target = self.check_target(key, reference, target, &whole, span);
                let (page, start) = room_for(&mut self.refs, 1);
                self.refs[page].push(Reference::new(self.source, target, whole, span, span, None));
                return Some(self.refs_since(page, start));
            }
            let plural = format!("{key}s");
            let help = match self.vocabulary.fields_of(def.owner).get(&plural) {
                Some(id) if matches!(&self.vocabulary.field(id).ty, ValueType::Ref(r) if r.many) => {
                    format!("name one entity, or use `{plural}` for several")
                }
                _ => "name one entity".to_owned(),
            };
            self.push(
                Diagnostic::of(
                    codes::SCH003,
                    span,
                    format!("`{key}` takes one name, not a list of {items}"),
                )
                .with_help(help),
            );
            return None;
        }
        // Each reference takes at least one item: room for as many.
        let (page, start) = room_for(&mut self.refs, items);
        let diagnostics_before = self.diagnostics.len();
        let suggestions_before = self.suggestions_left;
        let mut unlisted = Unlisted::default();
        let mut repeats = Repeats::default();
        loop {
            // A name may run over the next few items: a window that the
            // value goes on after leaves its last few to the next.
            let lookahead = if next.is_some() {
                MAX_ITEMS_IN_A_NAME - 1
            } else {
                0
            };
            let finish = tree.items.len().saturating_sub(lookahead);
            let mut index = 0;
            while index < finish {
                let item = self.reference(key, reference, tree, index);
                index += item.1;
                let at = self.refs[page].len() - start;
                if let Some(first) = repeats.earlier(at, &item.0) {
                    // Past the list's first findings, a repeat after the
                    // first not listed is only counted: a line of millions
                    // of repeats is not millions of findings made.
                    let listed = diagnostics_before + FINDINGS_LISTED_PER_LIST;
                    if self.diagnostics.len() < listed || !unlisted.counted(&codes::REF003) {
                        let first = self.refs[page][start + first].span();
                        let after = self.refs[page][start + at - 1].span().end;
                        self.repeated(key, &item.0, first, after);
                    }
                }
                self.refs[page].push(item.0);
                let listed = diagnostics_before + FINDINGS_LISTED_PER_LIST;
                if self.diagnostics.len() > listed {
                    unlisted.count(self.diagnostics.drain(listed..));
                }
            }
            let Some(cut) = next else { break };
            let resume = tree.items.get(index).map_or(cut, |item| item.span.start);
            next = tree.lex_window(self.source, segments, resume, WINDOW_ITEMS);
            if !tree.problems.is_empty() {
                // The value is not typed, as a short one with a problem is
                // not: what its earlier windows found is taken back.
                self.refs[page].truncate(start);
                if start == 0 {
                    // The page was made for this field; its room goes too.
                    self.refs[page].shrink_to_fit();
                }
                self.diagnostics.truncate(diagnostics_before);
                self.suggestions_left = suggestions_before;
                self.problems_from(tree, segments, next);
                return None;
            }
        }
        for finding in unlisted.findings(key) {
            self.push(finding);
        }
        Some(self.refs_since(page, start))
    }

    /// REF003 for `repeat`, which names the entity the item at `first`
    /// does, in `key`; the fix removes it with the separator before it,
    /// which starts where the item before it ends (`after`).
    fn repeated(&mut self, key: &str, repeat: &Reference<'a>, first: Span, after: u32) {
        let name = repeat.name(self.source);
        let span = repeat.span();
        self.push(
            Diagnostic::of(
                codes::REF003,
                span,
                format!("`{}` is named again in `{key}`", shorten(name)),
            )
            .with_label(first, "named first here")
            .with_help("name each entity once, or name the one that was meant")
            .with_fix(Fix::replace(
                "remove the repeat",
                Applicability::Safe,
                Span::new(after, span.end),
                "",
            )),
        );
    }

    /// The reference starting at item `index` of `tree`, resolved and
    /// checked, and how many items it takes.
    fn reference(
        &mut self,
        key: &str,
        reference: &RefType,
        tree: &ValueTree,
        index: usize,
    ) -> (Reference<'a>, usize) {
        let resolution = self.resolve(tree, &tree.items[index..]);
        let target = match resolution.target {
            Some(target) => self.check_target(
                key,
                reference,
                target,
                &resolution.name,
                resolution.name_span,
            ),
            None => {
                self.unresolved(reference, &resolution.name, resolution.name_span);
                None
            }
        };
        let qualifier = resolution
            .qualifier
            .and_then(|q| self.qualifier(key, reference.qualifier.as_deref(), tree, q));
        let typed = Reference::new(
            self.source,
            target,
            resolution.name,
            resolution.name_span,
            resolution.span,
            qualifier,
        );
        (typed, resolution.items_used)
    }

    /// SYN001 for the problems of `tree`, a window of the value in
    /// `segments`, and of every window from `next` on; whether there were
    /// any.
    fn problems_from(
        &mut self,
        tree: &mut ValueTree,
        segments: &[Span],
        mut next: Option<u32>,
    ) -> bool {
        let mut any = self.value_problems(&tree.problems);
        while let Some(from) = next {
            next = tree.lex_window(self.source, segments, from, WINDOW_ITEMS);
            any |= self.value_problems(&tree.problems);
        }
        any
    }

    /// Resolves the reference starting at `items[0]`: the whole item (a name
    /// may end in parentheses), else the item without its qualifier, else a
    /// name containing ", " spread over the next items.
    fn resolve<'t>(&self, tree: &'t ValueTree, items: &'t [Item]) -> Resolution<'a, 't> {
        let item = &items[0];
        let full = tree.item_text(self.source, item);
        let may_name_whole = item.qualifier.is_none() || self.names_end_in_parenthesis;
        if may_name_whole && let Some(target) = self.lookup(&full) {
            return Resolution {
                target: Some(target),
                name: full,
                name_span: item.span,
                span: item.span,
                qualifier: None,
                items_used: 1,
            };
        }
        let head = tree.text(self.source, &item.head);
        let head_span = tree.span_of(&item.head).unwrap_or(item.span);
        if item.qualifier.is_some()
            && let Some(target) = self.lookup(&head)
        {
            return Resolution {
                target: Some(target),
                name: head,
                name_span: head_span,
                span: item.span,
                qualifier: item.qualifier.as_deref(),
                items_used: 1,
            };
        }
        let mut joined = full.to_string();
        for (offset, next) in items
            .iter()
            .enumerate()
            .skip(1)
            .take(MAX_ITEMS_IN_A_NAME - 1)
        {
            let with_qualifier = format!("{joined}, {}", tree.item_text(self.source, next));
            let candidates = [
                (with_qualifier.clone(), None),
                (
                    format!("{joined}, {}", tree.text(self.source, &next.head)),
                    next.qualifier.as_deref(),
                ),
            ];
            for (name, qualifier) in candidates {
                if qualifier.is_none() && name != with_qualifier {
                    continue;
                }
                if let Some(target) = self.lookup(&name) {
                    let name_end = match qualifier {
                        Some(_) => tree.span_of(&next.head).map_or(next.span.end, |s| s.end),
                        None => next.span.end,
                    };
                    return Resolution {
                        target: Some(target),
                        name: Cow::Owned(name),
                        name_span: Span::new(item.span.start, name_end),
                        span: item.span.cover(next.span),
                        qualifier,
                        items_used: offset + 1,
                    };
                }
            }
            joined = with_qualifier;
        }
        let (name, name_span) = if item.qualifier.is_some() {
            (head, head_span)
        } else {
            (full, item.span)
        };
        Resolution {
            target: None,
            name,
            name_span,
            span: item.span,
            qualifier: item.qualifier.as_deref(),
            items_used: 1,
        }
    }

    /// The target, if it is of a type the field may name; SCH003 if not.
    fn check_target(
        &mut self,
        key: &str,
        reference: &RefType,
        target: Named,
        name: &str,
        span: Span,
    ) -> Option<EntityId> {
        let Target::Entity(wanted) = reference.target else {
            return Some(target.id);
        };
        // The type comes with the name: the entity itself is not read.
        let actual = target.ty;
        if actual == wanted {
            return Some(target.id);
        }
        let wanted = &self.vocabulary.entity_type(wanted).id;
        let actual = &self.vocabulary.entity_type(actual).id;
        self.push(Diagnostic::of(
            codes::SCH003,
            span,
            format!(
                "`{key}` must name {}, but `{}` is {}",
                with_article(wanted),
                shorten(name),
                with_article(actual)
            ),
        ));
        None
    }

    /// The parts of `name` if it is a list written with ` and `, `&` or
    /// `;` (or `,` without a space) whose every part names an entity: `B
    /// and C` is two references, not one to define.
    fn list_written_otherwise(&self, name: &str) -> Option<Vec<String>> {
        let normalized = name
            .replace(" and ", ";")
            .replace(" & ", ";")
            .replace(',', ";");
        if !normalized.contains(';') {
            return None;
        }
        let parts: Vec<String> = normalized
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        (parts.len() > 1 && parts.iter().all(|p| self.lookup(p).is_some())).then_some(parts)
    }

    fn unresolved(&mut self, reference: &RefType, name: &str, span: Span) {
        if self.unknown_section_names.contains(&fold(name)) {
            return;
        }
        if let Some(parts) = self.list_written_otherwise(name) {
            self.push(
                Diagnostic::of(
                    codes::REF001,
                    span,
                    format!(
                        "`{}` names no entity, but its {} parts do: a list's items are separated by `, `",
                        shorten(name),
                        parts.len()
                    ),
                )
                .with_help(format!("write `{}`", parts.join(", ")))
                .with_fix(Fix::replace(
                    format!("write `{}`", parts.join(", ")),
                    Applicability::Safe,
                    span,
                    parts.join(", "),
                )),
            );
            return;
        }
        let mut diagnostic = Diagnostic::of(
            codes::REF001,
            span,
            format!("reference to `{}`, which is not defined", shorten(name)),
        );
        let suggestion = if self.suggestions_left > 0 {
            self.suggestions_left -= 1;
            let candidates = self
                .entities
                .iter()
                .filter(|e| match reference.target {
                    Target::Entity(ty) => e.ty == ty,
                    Target::Any => true,
                })
                .map(|e| e.name)
                .take(SUGGESTION_CANDIDATES);
            closest(name, candidates)
        } else {
            None
        };
        diagnostic = match suggestion {
            Some(near) => diagnostic
                .with_help(format!("did you mean `{near}`?"))
                .with_fix(Fix::replace(
                    format!("refer to `{near}`"),
                    Applicability::Unsafe,
                    span,
                    near,
                )),
            None => {
                let section = match reference.target {
                    Target::Entity(ty) => {
                        let section = self.vocabulary.entity_type(ty).section;
                        self.vocabulary
                            .sections()
                            .get(section.0 as usize)
                            .and_then(|s| s.title.clone())
                    }
                    Target::Any => None,
                };
                match section {
                    Some(title) => diagnostic.with_help(format!(
                        "define it as `## {}` under `# {title}`",
                        shorten(name)
                    )),
                    None => diagnostic
                        .with_help(format!("define it with a `## {}` heading", shorten(name))),
                }
            }
        };
        self.push(diagnostic);
    }
}
