//! `assure lsp`: the language server, over stdio.
//!
//! Built on rust-analyzer's `lsp-server` (framing, the handshake, a
//! synchronous loop over crossbeam channels) and `lsp-types` (the
//! protocol's types), as ruff's server is: a synchronous loop suits a
//! checker that answers a whole document in milliseconds, and leaves the
//! order of messages plain to see. Documents are synchronised by
//! incremental changes (a range and its new text; a whole text is taken
//! too); a run of changes waiting in the queue is applied in order and the
//! document checked once, and its diagnostics published. The project (`assure.toml`, packs) is loaded as `lint`
//! loads it, and again when a `.toml` file is saved or changes.
//!
//! Every request is answered inside `catch_unwind`: a panic in one is
//! logged (`window/logMessage`) and answered with an error, and the server
//! keeps serving.

use crate::context::Context;
use crate::{ExitStatus, Failure};
use assure_check::{Checker, FileReport};
use assure_diagnostic::{Applicability, LineIndex, Span};
use assure_model::{EntityId, Model, Value};
use assure_vocab::{HEADER, Owner, SectionId, ValueType, Vocabulary};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use rayon::prelude::*;
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

mod transport;

/// Runs the server until the client asks it to exit.
pub fn run(context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    let (sender, receiver, transport) =
        transport::Transport::stdio(context.common.max_proposal_bytes);
    let connection = Connection { sender, receiver };
    let capabilities = json!({
        // Incremental: an edit sends its range and new text, not the whole
        // document (1.3 MB at 10,000 entities, serialised and parsed on
        // every keystroke).
        "textDocumentSync": {"openClose": true, "change": 2},
        "codeActionProvider": {"codeActionKinds": ["quickfix", "source.fixAll"]},
        "hoverProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
        "renameProvider": true,
        "documentSymbolProvider": true,
        "foldingRangeProvider": true,
        "documentFormattingProvider": true,
        "codeLensProvider": {"resolveProvider": false},
        "completionProvider": {"triggerCharacters": [":", " ", "#"]},
        "executeCommandProvider": {"commands": ["assure.explain"]},
    });
    let initialized = connection
        .initialize(capabilities)
        .map_err(|e| Failure::new(format!("the language client did not initialise: {e}")))?;
    let mut server = Server {
        checker: load_checker(context),
        documents: HashMap::new(),
        sender: connection.sender.clone(),
        root: workspace_root(&initialized),
        on_disk: std::cell::RefCell::new(None),
        explained: std::cell::RefCell::new(HashMap::new()),
        max_file_size: context.common.max_proposal_bytes,
    };
    let mut pending: std::collections::VecDeque<Message> = std::collections::VecDeque::new();
    let mut status = ExitStatus::Ok;
    loop {
        let message = match pending.pop_front() {
            Some(message) => message,
            None => match connection.receiver.recv() {
                Ok(message) => message,
                Err(_) => break,
            },
        };
        // Edits that queued up while a document was being checked: only the
        // last of a run of whole-text changes to one document is checked.
        let message = coalesce(message, &connection.receiver, &mut pending);
        match message {
            Message::Request(request) => {
                match connection.handle_shutdown(&request) {
                    Ok(true) => break,
                    Ok(false) => {}
                    Err(_) => break,
                }
                let response = server.respond(&request);
                let _ = connection.sender.send(Message::Response(response));
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    // Exit without a shutdown first: the protocol's status 1.
                    status = ExitStatus::Findings;
                    break;
                }
                if notification.method == "textDocument/didSave"
                    || notification.method == "workspace/didChangeWatchedFiles"
                {
                    if touches(&notification.params, ".toml") {
                        server.checker = load_checker(context);
                        server.on_disk.replace(None);
                        for document in server.documents.values_mut() {
                            document.checked = std::cell::OnceCell::new();
                        }
                        server.explained.replace(HashMap::new());
                        server.recheck_all();
                    } else if touches(&notification.params, ".proposal") {
                        // Corpus rules read the workspace's proposals again.
                        server.on_disk.replace(None);
                    }
                    continue;
                }
                let result = catch_unwind(AssertUnwindSafe(|| server.notified(&notification)));
                if result.is_err() {
                    server.log(&format!("handling {} failed", notification.method));
                }
            }
            Message::Response(_) => {}
        }
    }
    // The writer thread ends when every sender is gone.
    drop(server);
    drop(connection);
    transport
        .finish()
        .map_err(|e| Failure::new(format!("the language server's output ended badly: {e}")))?;
    Ok(status)
}

/// `message`, or, if it is a change and more changes to the same document
/// are already waiting, one change holding all of theirs in order (whole
/// texts and ranges alike) with the last version: the document is checked
/// once for the run; a waiting message of another kind stops the run and
/// is kept for after.
fn coalesce(
    message: Message,
    receiver: &crossbeam_channel::Receiver<Message>,
    pending: &mut std::collections::VecDeque<Message>,
) -> Message {
    let Message::Notification(mut merged) = message else {
        return message;
    };
    if merged.method != "textDocument/didChange" || !pending.is_empty() {
        return Message::Notification(merged);
    }
    let uri = merged.params["textDocument"]["uri"].clone();
    while let Ok(next) = receiver.try_recv() {
        match next {
            Message::Notification(n)
                if n.method == "textDocument/didChange"
                    && n.params["textDocument"]["uri"] == uri =>
            {
                let Notification { mut params, .. } = n;
                let later = params["contentChanges"].take();
                if let (Some(changes), Some(later)) = (
                    merged.params["contentChanges"].as_array_mut(),
                    later.as_array(),
                ) {
                    changes.extend(later.iter().cloned());
                }
                merged.params["textDocument"]["version"] = params["textDocument"]["version"].take();
            }
            other => {
                pending.push_back(other);
                break;
            }
        }
    }
    Message::Notification(merged)
}

/// `text` with each of an LSP `didChange`'s `contentChanges` applied in
/// turn: a change with a `range` replaces that range (positions in UTF-16
/// units, clamped to the text), one without replaces the whole text.
fn apply_changes(mut text: String, changes: &[Json]) -> String {
    for change in changes {
        let Some(new_text) = change["text"].as_str() else {
            continue;
        };
        if change["range"].is_object() {
            let positions = Positions::new(&text);
            let start = positions.offset(&change["range"]["start"]) as usize;
            let end = positions.offset(&change["range"]["end"]) as usize;
            let (start, end) = (start.min(end), start.max(end));
            text.replace_range(start..end, new_text);
        } else {
            new_text.clone_into(&mut text);
        }
    }
    text
}

/// The project's checker, or the default pack's if the project does not
/// load (the reason goes to the client's log through stderr).
fn load_checker(context: &mut Context<'_>) -> Result<Checker, String> {
    match crate::project::Project::load(&context.common) {
        Ok(project) => Ok(project.into_checker().0),
        Err(failure) => Err(failure.message),
    }
}

/// Whether a save or a change notification names a file whose name ends
/// in `suffix` (`.toml`: a setting or a pack; `.proposal`).
fn touches(params: &Json, suffix: &str) -> bool {
    let names = |v: &Json| v["uri"].as_str().is_some_and(|u| u.ends_with(suffix));
    names(&params["textDocument"])
        || params["changes"]
            .as_array()
            .is_some_and(|changes| changes.iter().any(names))
}

/// The workspace folder the client opened, as a path: the first of
/// `workspaceFolders`, else `rootUri`; none for a client that opened files
/// alone.
fn workspace_root(initialize: &Json) -> Option<PathBuf> {
    let uri = initialize["workspaceFolders"][0]["uri"]
        .as_str()
        .or_else(|| initialize["rootUri"].as_str())?;
    uri.starts_with("file:")
        .then(|| PathBuf::from(display_path(uri)))
}

/// How many of the workspace's proposals corpus rules read: past it, the
/// rest are left out and the client's log says so.
const MAX_WORKSPACE_PROPOSALS: usize = 2_000;

/// An open document.
struct Document {
    text: String,
    version: i32,
    /// What hover, definition, references and rename ask, built on the
    /// first of them after a change.
    index: std::cell::OnceCell<Index>,
    /// The document's own check, made when another open document's corpus
    /// rules first need it after a change, and kept for the next.
    checked: std::cell::OnceCell<FileReport>,
    /// What was published for this version (the check with corpus
    /// findings): lenses and code actions answer from it, so that an edit
    /// costs one check however many of them the editor asks for, and they
    /// say what the diagnostics say.
    published: std::cell::RefCell<Option<FileReport>>,
}

impl Document {
    fn new(text: String, version: i32) -> Document {
        Document {
            text,
            version,
            index: std::cell::OnceCell::new(),
            checked: std::cell::OnceCell::new(),
            published: std::cell::RefCell::new(None),
        }
    }

    /// The document's own check, as `path`.
    fn checked(&self, checker: &Checker, path: &str) -> FileReport {
        self.checked
            .get_or_init(|| checker.check(path, self.text.as_bytes()))
            .clone()
    }
}

/// The entities and references of one version of a document.
struct Index {
    /// Each entity's name in its heading.
    names: Vec<Span>,
    /// Every reference's name, the entity it names, and the entity it is
    /// written under, in source order.
    references: Vec<(Span, Option<usize>, Option<usize>)>,
    /// Each entity's hover text.
    hovers: Vec<String>,
}

impl Index {
    fn build(checker: &Checker, text: &str) -> Index {
        let modelled = checker.model(text);
        let model = &modelled.model;
        let vocabulary = checker.vocabulary();
        let names: Vec<Span> = model
            .entity_ids()
            .map(|id| model.entity(id).name_span)
            .collect();
        let mut references = all_references(model, vocabulary);
        references.sort_by_key(|(span, _, _)| span.start);
        let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (_, target, owner) in &references {
            if let (Some(target), Some(owner)) = (target, owner)
                && !referrers[*target].contains(owner)
            {
                referrers[*target].push(*owner);
            }
        }
        let hovers = model
            .entity_ids()
            .map(|id| {
                let entity = model.entity(id);
                let ty = vocabulary.entity_type(entity.ty);
                let mut out = format!("**{}**: {}", entity.name, ty.id);
                if let Some(kind) = entity.kind {
                    out.push_str(&format!(" ({kind})"));
                }
                out.push_str("\n\n");
                for field in model.fields(id).iter().take(12) {
                    let def = vocabulary.field(field.field);
                    if def.name == "kind" {
                        continue;
                    }
                    out.push_str(&format!(
                        "- `{}`: {}\n",
                        def.name,
                        assure_report::export::value_text(model, &field.value)
                    ));
                }
                let by = &referrers[id.0 as usize];
                if !by.is_empty() {
                    let shown: Vec<&str> = by
                        .iter()
                        .take(10)
                        .map(|&e| model.entity(EntityId(e as u32)).name)
                        .collect();
                    let more = by.len().saturating_sub(10);
                    out.push_str(&format!("\nreferred to by: {}", shown.join(", ")));
                    if more > 0 {
                        out.push_str(&format!(" and {more} more"));
                    }
                    out.push('\n');
                }
                out
            })
            .collect();
        Index {
            names,
            references,
            hovers,
        }
    }

    /// The entity whose name, in its heading or a reference, is at `offset`.
    fn entity_at(&self, offset: u32) -> Option<usize> {
        let inside = |s: &Span| s.start <= offset && offset <= s.end;
        if let Some(i) = self.names.iter().position(inside) {
            return Some(i);
        }
        let after = self.references.partition_point(|(s, _, _)| s.end < offset);
        self.references[after..]
            .iter()
            .take_while(|(s, _, _)| s.start <= offset)
            .find(|(s, _, _)| inside(s))
            .and_then(|(_, target, _)| *target)
    }

    /// The references to entity `i`, in source order.
    fn references_to(&self, i: usize) -> impl Iterator<Item = Span> + '_ {
        self.references
            .iter()
            .filter(move |(_, target, _)| *target == Some(i))
            .map(|(span, _, _)| *span)
    }
}

struct Server {
    checker: Result<Checker, String>,
    documents: HashMap<String, Document>,
    sender: crossbeam_channel::Sender<Message>,
    /// The workspace folder, whose proposals corpus rules read with the
    /// open documents.
    root: Option<PathBuf>,
    /// The workspace's proposals on disk, checked once, by path: read on
    /// the first check that needs them and again after a proposal or a
    /// setting is saved or changes on disk.
    on_disk: std::cell::RefCell<Option<Vec<(String, FileReport)>>>,
    /// Each code's explanation as a `file:` URI a diagnostic links to
    /// (`codeDescription`), written once per text; `None` where there is
    /// no cache folder to write it in.
    explained: std::cell::RefCell<HashMap<String, Option<String>>>,
    /// The largest proposal read from disk (`--max-file-size`).
    max_file_size: u64,
}

impl Server {
    fn notified(&mut self, notification: &Notification) {
        let params = &notification.params;
        let uri = params["textDocument"]["uri"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        match notification.method.as_str() {
            "textDocument/didOpen" => {
                let text = params["textDocument"]["text"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned();
                let version = params["textDocument"]["version"].as_i64().unwrap_or(0) as i32;
                self.documents
                    .insert(uri.clone(), Document::new(text, version));
                self.publish(&uri);
            }
            "textDocument/didChange" => {
                let Some(changes) = params["contentChanges"].as_array() else {
                    return;
                };
                // A change to a document not open is a whole text or nothing.
                let before = self
                    .documents
                    .remove(&uri)
                    .map(|d| d.text)
                    .unwrap_or_default();
                let version = params["textDocument"]["version"].as_i64().unwrap_or(0) as i32;
                self.documents.insert(
                    uri.clone(),
                    Document::new(apply_changes(before, changes), version),
                );
                self.publish(&uri);
            }
            "textDocument/didClose" => {
                self.documents.remove(&uri);
                self.notify(
                    "textDocument/publishDiagnostics",
                    json!({"uri": uri, "diagnostics": []}),
                );
            }
            _ => {}
        }
    }

    fn notify(&self, method: &str, params: Json) {
        // Built as it is, not through `Notification::new`, which would
        // serialise the parameters into a second copy of themselves (18 ms
        // for the diagnostics of a 10,000-entity proposal).
        let _ = self.sender.send(Message::Notification(Notification {
            method: method.to_owned(),
            params,
        }));
    }

    /// `assure.explain CODE`: the explanation `assure explain` prints, shown
    /// to the user (`window/showMessage`) and returned.
    fn execute(&self, params: &Json) -> Result<Json, String> {
        if params["command"] != "assure.explain" {
            return Err(format!("no command {}", params["command"]));
        }
        let code = params["arguments"][0].as_str().unwrap_or("");
        let checker = self.checker.as_ref().map_err(Clone::clone)?;
        let text = crate::commands::explain::explanation(checker.rules(), code)
            .map_err(|failure| failure.message)?;
        self.notify("window/showMessage", json!({"type": 3, "message": text}));
        Ok(json!(text))
    }

    /// An error in the client's log (`window/logMessage`).
    fn log(&self, message: &str) {
        self.notify(
            "window/logMessage",
            json!({"type": 1, "message": format!("assure: {message}")}),
        );
    }

    fn recheck_all(&self) {
        for uri in self.documents.keys() {
            self.publish(uri);
        }
    }

    /// Checks the document at `uri` and publishes its diagnostics and its
    /// readiness (`assure/readiness`).
    fn publish(&self, uri: &str) {
        let Some(document) = self.documents.get(uri) else {
            return;
        };
        let checker = match &self.checker {
            Ok(checker) => checker,
            Err(reason) => {
                self.log(&format!("the project does not load: {reason}"));
                return;
            }
        };
        let report = checker.check(&display_path(uri), document.text.as_bytes());
        let report = self.with_corpus_findings(checker, uri, report);
        document.published.replace(Some(report.clone()));
        let positions = Positions::new(&document.text);
        let active: Vec<&assure_check::Finding> =
            report.findings.iter().filter(|f| f.is_active()).collect();
        let mut links: HashMap<&str, Option<String>> = HashMap::new();
        for finding in &active {
            let code = &*finding.diagnostic.code;
            if !links.contains_key(code) {
                links.insert(code, self.explanation_uri(checker, code));
            }
        }
        // Built on every core: thousands of diagnostics at 10,000 entities.
        let diagnostics: Vec<Json> = active
            .par_iter()
            .map(|f| {
                let mut diagnostic = diagnostic_json(uri, &positions, f);
                if let Some(Some(href)) = links.get(&*f.diagnostic.code) {
                    diagnostic["codeDescription"] = json!({ "href": href });
                }
                diagnostic
            })
            .collect();
        self.notify(
            "textDocument/publishDiagnostics",
            json!({"uri": uri, "version": document.version, "diagnostics": diagnostics}),
        );
        let rows: Vec<Json> = report
            .readiness
            .iter()
            .map(|r| json!({"stage": r.label(), "status": r.status.as_str(), "describe": r.describe()}))
            .collect();
        self.notify("assure/readiness", json!({"uri": uri, "readiness": rows}));
    }

    /// The report of the document at `uri` as published for its version,
    /// made now (and kept) if it was not.
    fn report_of(&self, checker: &Checker, uri: &str, document: &Document) -> FileReport {
        if let Some(report) = &*document.published.borrow() {
            return report.clone();
        }
        let report = checker.check(&display_path(uri), document.text.as_bytes());
        let report = self.with_corpus_findings(checker, uri, report);
        document.published.replace(Some(report.clone()));
        report
    }

    /// `report` with the findings of corpus rules, read over the document
    /// and the workspace's other proposals (the open ones as the editor
    /// holds them, the rest as on disk); without a workspace, or a pack
    /// with corpus rules, the document is a corpus of one.
    fn with_corpus_findings(&self, checker: &Checker, uri: &str, report: FileReport) -> FileReport {
        let mut corpus = vec![report];
        if checker.rules().rules.iter().any(|rule| rule.corpus) {
            let this = display_path(uri);
            self.load_workspace(checker);
            let open: HashMap<String, &Document> = self
                .documents
                .iter()
                .map(|(u, d)| (display_path(u), d))
                .collect();
            if let Some(on_disk) = &*self.on_disk.borrow() {
                for (path, on_disk) in on_disk {
                    if *path == this {
                        continue;
                    }
                    corpus.push(match open.get(path) {
                        Some(document) => document.checked(checker, path),
                        None => on_disk.clone(),
                    });
                }
            }
            let listed: std::collections::HashSet<&str> =
                corpus.iter().map(|r| r.path.as_str()).collect();
            let unlisted: Vec<(&String, &&Document)> = open
                .iter()
                .filter(|(path, _)| !listed.contains(path.as_str()))
                .collect();
            let extra: Vec<FileReport> = unlisted
                .into_iter()
                .map(|(path, document)| document.checked(checker, path))
                .collect();
            corpus.extend(extra);
        }
        checker.add_corpus_findings(&mut corpus);
        corpus.swap_remove(0)
    }

    /// The `file:` URI of `code`'s explanation (what `assure explain` prints),
    /// written on first use into the user's cache folder
    /// (`$XDG_CACHE_HOME/assure/explain`, else `~/.cache/assure/explain`)
    /// under a name that holds a hash of the text, so that two projects'
    /// packs never share a page.
    fn explanation_uri(&self, checker: &Checker, code: &str) -> Option<String> {
        if let Some(known) = self.explained.borrow().get(code) {
            return known.clone();
        }
        let uri = (|| {
            let text = crate::commands::explain::explanation(checker.rules(), code).ok()?;
            // The XDG rules: a relative path in XDG_CACHE_HOME is ignored.
            let absolute = |d: &std::ffi::OsString| Path::new(d).is_absolute();
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .filter(absolute)
                .map(PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME")
                        .filter(absolute)
                        .map(|home| PathBuf::from(home).join(".cache"))
                })?;
            let dir = cache.join("assure").join("explain");
            std::fs::create_dir_all(&dir).ok()?;
            let name: String = code
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(32)
                .collect();
            let hash = assure_check::fnv1a64(text.as_bytes());
            let path = dir.join(format!("{name}-{}.md", &hash[..12]));
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                crate::write::put(&path, text.as_bytes()).ok()?;
            }
            Some(file_uri(&path))
        })();
        self.explained
            .borrow_mut()
            .insert(code.to_owned(), uri.clone());
        uri
    }

    /// Reads and checks the workspace's proposals, unless they are held.
    fn load_workspace(&self, checker: &Checker) {
        if self.on_disk.borrow().is_some() {
            return;
        }
        let Some(root) = &self.root else {
            self.on_disk.replace(Some(Vec::new()));
            return;
        };
        // Found as `lint` and `report` find them, so that corpus rules
        // give one answer for one tree.
        let discovered = crate::files::discover(std::slice::from_ref(root));
        for note in &discovered.notes {
            self.log(note);
        }
        let left_out = discovered
            .files
            .len()
            .saturating_sub(MAX_WORKSPACE_PROPOSALS);
        let found = discovered
            .files
            .iter()
            .take(MAX_WORKSPACE_PROPOSALS)
            .map(|file| {
                let shown = file.path.display().to_string();
                let report = match file.read(self.max_file_size) {
                    Ok(bytes) => checker.check(&shown, &bytes),
                    Err(error) => checker.unreadable(&shown, &error),
                };
                (shown, report)
            })
            .collect();
        if left_out > 0 {
            self.log(&format!(
                "corpus rules read the first {MAX_WORKSPACE_PROPOSALS} proposals of {}; {left_out} more were left out (`assure lint` reads them all)",
                root.display()
            ));
        }
        self.on_disk.replace(Some(found));
    }

    /// Answers a request, catching a panic as an error response.
    fn respond(&mut self, request: &Request) -> Response {
        let id = request.id.clone();
        let method = request.method.clone();
        match catch_unwind(AssertUnwindSafe(|| self.answer(request))) {
            Ok(Ok(result)) => Response::new_ok(id, result),
            Ok(Err(message)) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
            Err(_) => {
                self.log(&format!("answering {method} failed; still serving"));
                Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("assure could not answer {method}"),
                )
            }
        }
    }

    fn answer(&self, request: &Request) -> Result<Json, String> {
        let params = &request.params;
        if request.method == "workspace/executeCommand" {
            return self.execute(params);
        }
        let uri = params["textDocument"]["uri"].as_str().unwrap_or("");
        let Some(document) = self.documents.get(uri) else {
            return Ok(Json::Null);
        };
        let checker = self.checker.as_ref().map_err(Clone::clone)?;
        let text = document.text.as_str();
        let positions = Positions::new(text);
        let at = |p: &Json| positions.offset(p);
        Ok(match request.method.as_str() {
            "textDocument/codeAction" => {
                let report = self.report_of(checker, uri, document);
                code_actions(checker, &report, uri, text, &positions, &params["range"])
            }
            "textDocument/formatting" => {
                match assure_check::format::format(checker, &display_path(uri), text) {
                    Ok(formatted) if formatted != text => {
                        json!([{"range": positions.range(Span::new(0, text.len() as u32)), "newText": formatted}])
                    }
                    Ok(_) => json!([]),
                    Err(why) => return Err(format!("assure cannot format this proposal: {why}")),
                }
            }
            "textDocument/hover" => {
                let index = document.index.get_or_init(|| Index::build(checker, text));
                let offset = at(&params["position"]);
                match index.entity_at(offset) {
                    Some(i) => json!({"contents": {"kind": "markdown", "value": index.hovers[i]}}),
                    None => field_hover(checker, text, offset).map_or(
                        Json::Null,
                        |markdown| json!({"contents": {"kind": "markdown", "value": markdown}}),
                    ),
                }
            }
            "textDocument/definition" => {
                let index = document.index.get_or_init(|| Index::build(checker, text));
                index.entity_at(at(&params["position"])).map_or(
                    Json::Null,
                    |i| json!({"uri": uri, "range": positions.range(index.names[i])}),
                )
            }
            "textDocument/references" => {
                let index = document.index.get_or_init(|| Index::build(checker, text));
                match index.entity_at(at(&params["position"])) {
                    Some(i) => Json::Array(
                        std::iter::once(index.names[i])
                            .chain(index.references_to(i))
                            .map(|s| json!({"uri": uri, "range": positions.range(s)}))
                            .collect(),
                    ),
                    None => json!([]),
                }
            }
            "textDocument/rename" => {
                let index = document.index.get_or_init(|| Index::build(checker, text));
                let new_name = params["newName"].as_str().unwrap_or("").trim();
                if new_name.is_empty() || new_name.contains(['\n', '\r', ',', '(', ')']) {
                    return Err("a name is one line, without `,` or brackets".to_owned());
                }
                match index.entity_at(at(&params["position"])) {
                    Some(i) => {
                        let edits: Vec<Json> = std::iter::once(index.names[i])
                            .chain(index.references_to(i))
                            .map(|s| json!({"range": positions.range(s), "newText": new_name}))
                            .collect();
                        json!({"changes": {uri: edits}})
                    }
                    None => Json::Null,
                }
            }
            "textDocument/documentSymbol" => document_symbols(checker, text, &positions),
            "textDocument/foldingRange" => folding_ranges(text, &positions),
            "textDocument/codeLens" => {
                let report = self.report_of(checker, uri, document);
                let summary: Vec<String> = report
                    .readiness
                    .iter()
                    .map(|r| format!("{} {}", r.label(), r.describe()))
                    .collect();
                json!([{
                    "range": positions.range(Span::empty(0)),
                    "command": {"title": summary.join(" · "), "command": ""},
                }])
            }
            "textDocument/completion" => completion(checker, text, at(&params["position"])),
            _ => Json::Null,
        })
    }
}

/// A path to show for a document: its file path, or the URI.
fn display_path(uri: &str) -> String {
    uri.parse::<lsp::Uri>()
        .ok()
        .filter(|u| u.scheme().is_some_and(|s| s.as_str() == "file"))
        .map_or_else(|| uri.to_owned(), |u| percent_decoded(u.path().as_str()))
}

/// A `file:` URI for `path`, every byte but letters, digits and `-._~/`
/// percent-encoded.
fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for byte in path.display().to_string().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = path.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Converts between byte offsets and LSP positions (lines, UTF-16 units),
/// on the line index every output uses (a lone CR ends a line there too).
struct Positions<'t> {
    text: &'t str,
    lines: LineIndex,
}

impl<'t> Positions<'t> {
    fn new(text: &'t str) -> Self {
        Positions {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The byte offset where 0-based `line` starts.
    fn start(&self, line: usize) -> Option<usize> {
        let line = u32::try_from(line).ok()?.checked_add(1)?;
        self.lines.line_start(line).map(|s| s as usize)
    }

    fn position(&self, offset: u32) -> Json {
        let offset = (offset as usize).min(self.text.len());
        let line = self.lines.line_of(offset as u32) as usize - 1;
        let start = self.start(line).unwrap_or(0);
        let character: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        json!({"line": line, "character": character})
    }

    fn range(&self, span: Span) -> Json {
        json!({"start": self.position(span.start), "end": self.position(span.end)})
    }

    /// The byte offset of an LSP position, clamped to the text.
    fn offset(&self, position: &Json) -> u32 {
        let line = position["line"].as_u64().unwrap_or(0) as usize;
        let character = position["character"].as_u64().unwrap_or(0) as usize;
        let Some(start) = self.start(line) else {
            return self.text.len() as u32;
        };
        let end = self.start(line + 1).unwrap_or(self.text.len());
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= character {
                return (start + i) as u32;
            }
            units += c.len_utf16();
        }
        end as u32
    }
}

fn severity(severity: assure_diagnostic::Severity) -> u8 {
    match severity {
        assure_diagnostic::Severity::Error => 1,
        assure_diagnostic::Severity::Warning => 2,
        assure_diagnostic::Severity::Info => 3,
    }
}

fn diagnostic_json(uri: &str, positions: &Positions<'_>, finding: &assure_check::Finding) -> Json {
    let d = &finding.diagnostic;
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<Json> = d
        .labels
        .iter()
        .map(|l| json!({"location": {"uri": uri, "range": positions.range(l.span)}, "message": l.message}))
        .collect();
    let mut out = json!({
        "range": positions.range(d.span),
        "severity": severity(d.severity),
        "code": &*d.code,
        "source": "assure",
        "message": message,
    });
    if !related.is_empty() {
        out["relatedInformation"] = Json::Array(related);
    }
    // An allowance that suppresses nothing is unnecessary text.
    if *d.code == *assure_diagnostic::codes::DIR001 && d.message.contains("suppresses nothing") {
        out["tags"] = json!([1]);
    }
    out
}

/// The code actions for the findings in `range`: each fix, "allow CODE
/// here", and for the whole file "apply every safe fix".
fn code_actions(
    checker: &Checker,
    report: &FileReport,
    uri: &str,
    text: &str,
    positions: &Positions<'_>,
    range: &Json,
) -> Json {
    // Findings on the lines of the range: a cursor anywhere on a line asks
    // for what is wrong on it.
    let line = |p: &Json| p["line"].as_u64().unwrap_or(0);
    let (first, last) = (line(&range["start"]), line(&range["end"]));
    let mut actions = Vec::new();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        let span = finding.diagnostic.span;
        let (from, to) = (
            line(&positions.position(span.start)),
            line(&positions.position(span.end)),
        );
        if to < first || from > last {
            continue;
        }
        let diagnostic = diagnostic_json(uri, positions, finding);
        for fix in &finding.diagnostic.fixes {
            let edits: Vec<Json> = fix
                .edits
                .iter()
                .map(|e| json!({"range": positions.range(e.span), "newText": e.replacement}))
                .collect();
            actions.push(json!({
                "title": fix.title,
                "kind": "quickfix",
                "diagnostics": [diagnostic],
                "isPreferred": fix.applicability == Applicability::Safe,
                "edit": {"changes": {uri: edits}},
            }));
        }
        if let Some(action) = allow_here(uri, text, positions, finding, &diagnostic) {
            actions.push(action);
        }
        let code = &*finding.diagnostic.code;
        actions.push(json!({
            "title": format!("explain {code}"),
            "kind": "quickfix",
            "diagnostics": [diagnostic],
            "command": {"title": format!("explain {code}"), "command": "assure.explain", "arguments": [code]},
        }));
    }
    let fixed = assure_check::fix::fix_text(checker, &display_path(uri), text, |_, fix| {
        fix.applicability == Applicability::Safe
    });
    if fixed.text != text {
        actions.push(json!({
            "title": "assure: apply every safe fix",
            "kind": "source.fixAll",
            "edit": {"changes": {uri: [{"range": positions.range(Span::new(0, text.len() as u32)), "newText": fixed.text}]}},
        }));
    }
    Json::Array(actions)
}

/// "Allow CODE here": an `assure-allow` line above the finding's line,
/// for the findings of rules (assure's own cannot be allowed).
fn allow_here(
    uri: &str,
    text: &str,
    positions: &Positions<'_>,
    finding: &assure_check::Finding,
    diagnostic: &Json,
) -> Option<Json> {
    let code = &*finding.diagnostic.code;
    if assure_diagnostic::codes::lookup(code).is_some() {
        return None;
    }
    let offset = finding.diagnostic.span.start as usize;
    let line_start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(json!({
        "title": format!("allow {code} here (say why)"),
        "kind": "quickfix",
        "diagnostics": [diagnostic],
        "edit": {"changes": {uri: [{
            "range": positions.range(Span::empty(line_start as u32)),
            "newText": format!("<!-- assure-allow: {code} <<WHY IT IS ACCEPTABLE>> -->{newline}"),
        }]}},
    }))
}

/// Every reference of the model: its name's span, the entity it names, and
/// the entity it is written under (by index).
fn all_references(
    model: &Model<'_>,
    vocabulary: &Vocabulary,
) -> Vec<(Span, Option<usize>, Option<usize>)> {
    let mut out = Vec::new();
    let mut add = |value: &Value<'_>, owner: Option<usize>| {
        if let Value::Refs(refs) = value {
            out.extend(
                model
                    .references(refs)
                    .iter()
                    .map(|r| (r.name_span(), r.target().map(|t| t.0 as usize), owner)),
            );
        }
    };
    for id in model.entity_ids() {
        for field in model.fields(id).iter() {
            add(&field.value, Some(id.0 as usize));
        }
    }
    for index in 0..vocabulary.sections().len() {
        for field in model.section_fields(SectionId(index as u32)).iter() {
            add(&field.value, None);
        }
    }
    out
}

/// Markdown for a field's key at `offset` (its type and meaning), or for a
/// code in a directive (what the rule or check is).
fn field_hover(checker: &Checker, text: &str, offset: u32) -> Option<String> {
    let vocabulary = checker.vocabulary();
    let parse = assure_syntax::parse(text);
    let code = parse
        .file
        .comments
        .iter()
        .filter_map(|c| c.directive.as_ref())
        .flat_map(|d| d.codes.iter())
        .find(|s| s.start <= offset && offset <= s.end);
    if let Some(code) = code {
        let code = code.text(text).to_ascii_uppercase();
        return match checker.rules().rule(&code) {
            Some(rule) => Some(format!(
                "**{}** ({}): {}",
                rule.code, rule.name, rule.summary
            )),
            None => assure_diagnostic::codes::lookup(&code)
                .map(|info| format!("**{}** ({}): {}", info.code, info.name, info.summary)),
        };
    }
    let field = parse
        .file
        .fields
        .iter()
        .find(|f| f.key.start <= offset && offset <= f.key.end)?;
    let key = field.key.text(text);
    let (_, def) = vocabulary.fields().find(|(_, d)| d.name == key)?;
    Some(format!(
        "`{key}`: {}{}",
        def.ty.describe(),
        def.doc
            .as_deref()
            .map_or(String::new(), |d| format!("\n\n{d}"))
    ))
}

/// Sections and, under entity sections, their entities.
fn document_symbols(checker: &Checker, text: &str, positions: &Positions<'_>) -> Json {
    let parse = assure_syntax::parse(text);
    let lines = &parse.file.lines;
    let mut sections: Vec<Json> = Vec::new();
    let end_of = |from: usize, stop: &dyn Fn(&assure_syntax::LineKind) -> bool| {
        lines[from + 1..]
            .iter()
            .position(|l| stop(&l.kind))
            .map_or(text.len() as u32, |i| lines[from + i].end)
    };
    for (i, line) in lines.iter().enumerate() {
        match &line.kind {
            assure_syntax::LineKind::Section { title } => {
                let end = end_of(i, &|k| matches!(k, assure_syntax::LineKind::Section { .. }));
                let known = checker
                    .vocabulary()
                    .section_by_title(title.text(text))
                    .is_some();
                sections.push(json!({
                    "name": title.text(text),
                    "kind": if known { 3 } else { 15 },
                    "range": positions.range(Span::new(line.span.start, end)),
                    "selectionRange": positions.range(*title),
                    "children": [],
                }));
            }
            assure_syntax::LineKind::Entity { name } => {
                let end = end_of(i, &|k| {
                    matches!(
                        k,
                        assure_syntax::LineKind::Section { .. }
                            | assure_syntax::LineKind::Entity { .. }
                    )
                });
                let symbol = json!({
                    "name": name.text(text),
                    "kind": 19,
                    "range": positions.range(Span::new(line.span.start, end)),
                    "selectionRange": positions.range(*name),
                });
                match sections.last_mut() {
                    Some(section) => {
                        if let Some(children) = section["children"].as_array_mut() {
                            children.push(symbol);
                        }
                    }
                    None => sections.push(symbol),
                }
            }
            _ => {}
        }
    }
    Json::Array(sections)
}

/// A fold per section and per entity.
fn folding_ranges(text: &str, positions: &Positions<'_>) -> Json {
    let parse = assure_syntax::parse(text);
    let lines = &parse.file.lines;
    let line_of = |offset: u32| positions.position(offset)["line"].as_u64().unwrap_or(0);
    let mut ranges = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let is_section = matches!(line.kind, assure_syntax::LineKind::Section { .. });
        let is_entity = matches!(line.kind, assure_syntax::LineKind::Entity { .. });
        if !is_section && !is_entity {
            continue;
        }
        let last = lines[i + 1..]
            .iter()
            .position(|l| match l.kind {
                assure_syntax::LineKind::Section { .. } => true,
                assure_syntax::LineKind::Entity { .. } => is_entity,
                _ => false,
            })
            .map_or(lines.len() - 1, |j| i + j);
        // Not the blank lines before the next heading.
        let mut last = last;
        while last > i && lines[last].kind == assure_syntax::LineKind::Blank {
            last -= 1;
        }
        if last > i {
            ranges.push(json!({
                "startLine": line_of(line.span.start),
                "endLine": line_of(lines[last].span.start),
            }));
        }
    }
    Json::Array(ranges)
}

/// Completions at `offset`: section titles after `# `, fields of the
/// block at the start of a line, and after `key: ` the kinds, words or
/// entity names the field takes.
fn completion(checker: &Checker, text: &str, offset: u32) -> Json {
    let vocabulary = checker.vocabulary();
    let offset = offset as usize;
    let line_start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let before = &text[line_start..offset.min(text.len())];
    let item = |label: &str, kind: u8, detail: String| json!({"label": label, "kind": kind, "detail": detail});
    if let Some(after) = before.trim_start().strip_prefix("<!--")
        && after.trim_start().starts_with("assure-allow:")
    {
        return Json::Array(
            checker
                .rules()
                .rules
                .iter()
                .map(|r| item(&r.code, 21, r.summary.clone()))
                .collect(),
        );
    }
    if before.starts_with('#') && !before.starts_with("##") {
        return Json::Array(
            vocabulary
                .sections()
                .iter()
                .filter_map(|s| s.title.as_deref())
                .map(|t| item(t, 9, "section".into()))
                .collect(),
        );
    }
    let owner = owner_at(vocabulary, text, line_start);
    if let Some((key, _)) = before.split_once(':') {
        let key = key.trim();
        let Some(owner) = owner else {
            return json!([]);
        };
        let Some(id) = vocabulary.fields_of(owner).get(key) else {
            return json!([]);
        };
        let field = vocabulary.field(id);
        let words: Vec<String> = match &field.ty {
            ValueType::Kind => match owner {
                Owner::Entity(ty) => vocabulary.entity_type(ty).kinds.clone(),
                Owner::Section(_) => Vec::new(),
            },
            ValueType::Enum(e) | ValueType::Words(e) => e.values.clone(),
            ValueType::Bool => vec!["yes".into(), "no".into()],
            ValueType::Ref(reference) => {
                let modelled = checker.model(text);
                let model = &modelled.model;
                model
                    .entity_ids()
                    .filter(|&e| match reference.target {
                        assure_vocab::Target::Any => true,
                        assure_vocab::Target::Entity(ty) => model.entity(e).ty == ty,
                    })
                    .map(|e| model.entity(e).name.to_owned())
                    .collect()
            }
            _ => Vec::new(),
        };
        return Json::Array(
            words
                .iter()
                .map(|w| item(w, 12, field.ty.describe()))
                .collect(),
        );
    }
    // A field name: those of the block not yet written.
    let Some(owner) = owner else {
        return json!([]);
    };
    let parse = assure_syntax::parse(text);
    let written: Vec<&str> = block_keys(&parse.file, text, line_start);
    Json::Array(
        vocabulary
            .fields_of(owner)
            .ids()
            .iter()
            .map(|&id| vocabulary.field(id))
            .filter(|f| !written.contains(&f.name.as_str()))
            .map(|f| {
                json!({
                    "label": f.name,
                    "kind": 5,
                    "detail": f.ty.describe(),
                    "documentation": f.doc,
                    "insertText": format!("{}: ", f.name),
                })
            })
            .collect(),
    )
}

/// Whose fields a line at `line_start` is among: the header, a section,
/// or an entity of a section's type.
fn owner_at(vocabulary: &Vocabulary, text: &str, line_start: usize) -> Option<Owner> {
    let mut owner = Some(Owner::Section(HEADER));
    for line in text[..line_start].lines() {
        if let Some(name) = line.strip_prefix("## ") {
            let _ = name;
            owner = match owner {
                Some(Owner::Section(s)) => vocabulary.section(s).entity.map(Owner::Entity),
                other => other,
            };
        } else if let Some(title) = line.strip_prefix("# ") {
            owner = vocabulary
                .section_by_title(title.trim())
                .map(Owner::Section);
        }
    }
    owner
}

/// The keys written in the block (header, section or entity) that the line
/// at `line_start` is in.
fn block_keys<'t>(
    file: &assure_syntax::SourceFile,
    text: &'t str,
    line_start: usize,
) -> Vec<&'t str> {
    let lines = &file.lines;
    let here = lines
        .iter()
        .position(|l| l.span.start as usize >= line_start)
        .unwrap_or(lines.len());
    let heading = |k: &assure_syntax::LineKind| {
        matches!(
            k,
            assure_syntax::LineKind::Section { .. } | assure_syntax::LineKind::Entity { .. }
        )
    };
    let start = lines[..here]
        .iter()
        .rposition(|l| heading(&l.kind))
        .map_or(0, |i| i + 1);
    let end = lines[here.min(lines.len())..]
        .iter()
        .position(|l| heading(&l.kind))
        .map_or(lines.len(), |i| here + i);
    lines[start..end]
        .iter()
        .filter_map(|l| match l.kind {
            assure_syntax::LineKind::Field { field } => {
                Some(file.fields[field as usize].key.text(text))
            }
            _ => None,
        })
        .collect()
}
