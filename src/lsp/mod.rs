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

mod features;
mod transport;

use features::*;

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
        let report = self.check_and_keep(checker, uri, document);
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
        self.check_and_keep(checker, uri, document)
    }

    /// Checks the document at `uri` with its corpus findings, and keeps
    /// the report as the one published for its version.
    fn check_and_keep(&self, checker: &Checker, uri: &str, document: &Document) -> FileReport {
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
