//! The server's state between messages: the project's checker, the open
//! documents and what was published for each version, the workspace's
//! proposals on disk for corpus rules; each message's typed parameters
//! routed to its feature, and the result sent back as `lsp-types` values.

use crate::features::{self, Index, Positions, display_path, file_uri};
use crate::lsp;
use assure_check::{Checker, FileReport};
use assure_diagnostic::Span;
use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value as Json;
use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The command that shows a code's explanation.
pub(crate) const EXPLAIN: &str = "assure.explain";

/// `assure/readiness`: each stage's readiness of a document, sent after
/// its diagnostics (the editor shows it in a status line).
enum ReadinessNotification {}

impl lsp::notification::Notification for ReadinessNotification {
    type Params = ReadinessParams;
    const METHOD: &'static str = "assure/readiness";
}

/// The parameters of `assure/readiness`.
#[derive(Debug, serde::Serialize, Deserialize)]
struct ReadinessParams {
    uri: lsp::Uri,
    readiness: Vec<ReadinessRow>,
}

/// One stage's readiness.
#[derive(Debug, serde::Serialize, Deserialize)]
struct ReadinessRow {
    stage: String,
    status: String,
    describe: String,
}

/// The workspace folder the client opened, as a path: the first of
/// `workspaceFolders`, else `rootUri`; none for a client that opened files
/// alone.
pub(crate) fn workspace_root(initialize: Json) -> Option<PathBuf> {
    // Only the roots are read: a client's capabilities are not checked.
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Roots {
        #[serde(default)]
        workspace_folders: Option<Vec<lsp::WorkspaceFolder>>,
        #[serde(default)]
        root_uri: Option<lsp::Uri>,
    }
    let roots: Roots = serde_json::from_value(initialize).ok()?;
    let uri = roots
        .workspace_folders
        .and_then(|folders| folders.into_iter().next().map(|f| f.uri))
        .or(roots.root_uri)?;
    uri.as_str()
        .starts_with("file:")
        .then(|| PathBuf::from(display_path(uri.as_str())))
}

/// An open document.
struct Document {
    text: String,
    version: i32,
    /// What hover, definition, references and rename ask, built on the
    /// first of them after a change.
    index: OnceCell<Index>,
    /// The document's own check, made when another open document's corpus
    /// rules first need it after a change, and kept for the next.
    checked: OnceCell<FileReport>,
    /// What was published for this version (the check with corpus
    /// findings): lenses and code actions answer from it, so that an edit
    /// costs one check however many of them the editor asks for, and they
    /// say what the diagnostics say.
    published: RefCell<Option<FileReport>>,
}

impl Document {
    fn new(text: String, version: i32) -> Document {
        Document {
            text,
            version,
            index: OnceCell::new(),
            checked: OnceCell::new(),
            published: RefCell::new(None),
        }
    }

    /// The document's own check, as `path`.
    fn checked(&self, checker: &Checker, path: &str) -> FileReport {
        self.checked
            .get_or_init(|| checker.check(path, self.text.as_bytes()))
            .clone()
    }

    fn index(&self, checker: &Checker) -> &Index {
        self.index.get_or_init(|| Index::build(checker, &self.text))
    }
}

/// The server between messages.
pub(crate) struct Server {
    checker: Result<Checker, String>,
    /// Open documents by URI, as the client wrote it.
    documents: HashMap<String, Document>,
    sender: crossbeam_channel::Sender<Message>,
    /// The workspace folder, whose proposals corpus rules read with the
    /// open documents.
    root: Option<PathBuf>,
    /// The workspace's proposals on disk, checked once, by path: read on
    /// the first check that needs them and again after a proposal or a
    /// setting is saved or changes on disk.
    on_disk: RefCell<Option<Vec<(String, FileReport)>>>,
    /// Each code's explanation as a `file:` URI a diagnostic links to
    /// (`codeDescription`), written once per text; `None` where there is
    /// no cache folder to write it in.
    explained: RefCell<HashMap<String, Option<lsp::Uri>>>,
    /// The largest proposal read from disk (`--max-file-size`).
    max_file_size: u64,
}

impl Server {
    pub(crate) fn new(
        checker: Result<Checker, String>,
        sender: crossbeam_channel::Sender<Message>,
        root: Option<PathBuf>,
        max_file_size: u64,
    ) -> Server {
        Server {
            checker,
            documents: HashMap::new(),
            sender,
            root,
            on_disk: RefCell::new(None),
            explained: RefCell::new(HashMap::new()),
            max_file_size,
        }
    }

    /// What a save or a change on disk (`didSave`,
    /// `didChangeWatchedFiles`) touches, if `notification` is one: a
    /// proposal's drops the workspace's proposals read for corpus rules
    /// (read again when next needed); a `.toml` file's means the project
    /// is to be loaded again.
    pub(crate) fn on_disk_changed(&self, notification: &Notification) -> Option<OnDisk> {
        let uris: Vec<lsp::Uri> = match notification.method.as_str() {
            lsp::notification::DidSaveTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidSaveTextDocumentParams>(
                    notification.params.clone(),
                )
                .map(|p| vec![p.text_document.uri])
                .unwrap_or_default()
            }
            lsp::notification::DidChangeWatchedFiles::METHOD => {
                serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(
                    notification.params.clone(),
                )
                .map(|p| p.changes.into_iter().map(|c| c.uri).collect())
                .unwrap_or_default()
            }
            _ => return None,
        };
        let touches = |suffix: &str| uris.iter().any(|u| u.as_str().ends_with(suffix));
        if touches(".toml") {
            return Some(OnDisk::Settings);
        }
        if touches(".proposal") {
            self.on_disk.replace(None);
        }
        Some(OnDisk::Other)
    }

    /// The project loaded again: every document checked again with it.
    pub(crate) fn reload(&mut self, checker: Result<Checker, String>) {
        self.checker = checker;
        self.on_disk.replace(None);
        for document in self.documents.values_mut() {
            document.checked = OnceCell::new();
            document.published.replace(None);
        }
        self.explained.replace(HashMap::new());
        for uri in self.documents.keys() {
            self.publish(uri);
        }
    }

    /// A document opened, changed or closed.
    pub(crate) fn notified(&mut self, notification: Notification) {
        use lsp::notification::{DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument};
        let Notification { method, params } = notification;
        match method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(params) = self.params::<lsp::DidOpenTextDocumentParams>(&method, params)
                else {
                    return;
                };
                let document = params.text_document;
                let uri = document.uri.as_str().to_owned();
                self.documents
                    .insert(uri.clone(), Document::new(document.text, document.version));
                self.publish(&uri);
            }
            DidChangeTextDocument::METHOD => {
                let Some(params) = self.params::<lsp::DidChangeTextDocumentParams>(&method, params)
                else {
                    return;
                };
                let uri = params.text_document.uri.as_str().to_owned();
                // A change to a document not open is a whole text or nothing.
                let before = self
                    .documents
                    .remove(&uri)
                    .map(|d| d.text)
                    .unwrap_or_default();
                let text = features::apply_changes(before, &params.content_changes);
                self.documents.insert(
                    uri.clone(),
                    Document::new(text, params.text_document.version),
                );
                self.publish(&uri);
            }
            DidCloseTextDocument::METHOD => {
                let Some(params) = self.params::<lsp::DidCloseTextDocumentParams>(&method, params)
                else {
                    return;
                };
                self.documents.remove(params.text_document.uri.as_str());
                self.notify::<lsp::notification::PublishDiagnostics>(
                    lsp::PublishDiagnosticsParams {
                        uri: params.text_document.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    },
                );
            }
            _ => {}
        }
    }

    /// A notification's parameters, or none (and a line in the client's
    /// log) if they are not what the protocol says.
    fn params<P: serde::de::DeserializeOwned>(&self, method: &str, params: Json) -> Option<P> {
        match serde_json::from_value(params) {
            Ok(params) => Some(params),
            Err(error) => {
                self.log(&format!(
                    "{method} with parameters not as the protocol says: {error}"
                ));
                None
            }
        }
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.notify_json(
            N::METHOD,
            serde_json::to_value(params).unwrap_or(Json::Null),
        );
    }

    fn notify_json(&self, method: &str, params: Json) {
        // Built as it is, not through `Notification::new`, which would
        // serialise the parameters into a second copy of themselves (18 ms
        // for the diagnostics of a 10,000-entity proposal).
        let _ = self.sender.send(Message::Notification(Notification {
            method: method.to_owned(),
            params,
        }));
    }

    /// An error in the client's log (`window/logMessage`).
    pub(crate) fn log(&self, message: &str) {
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams {
            typ: lsp::MessageType::ERROR,
            message: format!("assure: {message}"),
        });
    }

    /// Checks the document at `uri` and publishes its diagnostics and its
    /// readiness (`assure/readiness`).
    fn publish(&self, uri: &str) {
        let Some(document) = self.documents.get(uri) else {
            return;
        };
        let Ok(lsp_uri) = uri.parse::<lsp::Uri>() else {
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
        let mut links: HashMap<&str, Option<lsp::Uri>> = HashMap::new();
        for finding in &active {
            let code = &*finding.diagnostic.code;
            if !links.contains_key(code) {
                links.insert(code, self.explanation_uri(checker, code));
            }
        }
        // Built and serialised on every core: thousands of diagnostics at
        // 10,000 entities.
        let diagnostics: Vec<Json> = active
            .par_iter()
            .map(|f| {
                let href = links.get(&*f.diagnostic.code).cloned().flatten();
                let diagnostic = features::diagnostic(&lsp_uri, &positions, f, href);
                serde_json::to_value(diagnostic).unwrap_or(Json::Null)
            })
            .collect();
        let params = serde_json::json!({
            "uri": uri,
            "version": document.version,
            "diagnostics": diagnostics,
        });
        self.notify_json(lsp::notification::PublishDiagnostics::METHOD, params);
        self.notify::<ReadinessNotification>(ReadinessParams {
            uri: lsp_uri,
            readiness: report
                .readiness
                .iter()
                .map(|r| ReadinessRow {
                    stage: r.label(),
                    status: r.status.as_str().to_owned(),
                    describe: r.describe(),
                })
                .collect(),
        });
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
            let listed: HashSet<&str> = corpus.iter().map(|r| r.path.as_str()).collect();
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
    fn explanation_uri(&self, checker: &Checker, code: &str) -> Option<lsp::Uri> {
        if let Some(known) = self.explained.borrow().get(code) {
            return known.clone();
        }
        let uri = (|| {
            let text = assure_check::explain::explanation(checker.rules(), code)?;
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
                assure_workspace::write::put(&path, text.as_bytes()).ok()?;
            }
            file_uri(&path).parse::<lsp::Uri>().ok()
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
        let discovered = assure_workspace::files::discover(std::slice::from_ref(root));
        for note in &discovered.notes {
            self.log(note);
        }
        // Every one, as `lint` reads them: a proposal left out could hide
        // a corpus finding CI would give, and the editor would show a pass.
        let max_file_size = self.max_file_size;
        let found = discovered
            .files
            .par_iter()
            .map(|file| {
                let shown = file.path.display().to_string();
                let report = match file.read(max_file_size) {
                    Ok(bytes) => checker.check(&shown, &bytes),
                    Err(error) => checker.unreadable(&shown, &error),
                };
                (shown, report)
            })
            .collect();
        self.on_disk.replace(Some(found));
    }

    /// Answers a request, catching a panic as an error response.
    pub(crate) fn respond(&mut self, request: Request) -> Response {
        let Request { id, method, params } = request;
        match catch_unwind(AssertUnwindSafe(|| self.answer(&method, params))) {
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

    /// The result of a request: its typed parameters read, its document
    /// found (none open: `null`), its feature asked.
    fn answer(&self, method: &str, params: Json) -> Result<Json, String> {
        use lsp::request as r;
        let read = |what: Json| -> Result<Routed, String> {
            let bad = |e: serde_json::Error| format!("{method}: {e}");
            Ok(match method {
                r::CodeActionRequest::METHOD => Routed::CodeAction(
                    serde_json::from_value::<lsp::CodeActionParams>(what).map_err(bad)?,
                ),
                r::Formatting::METHOD => Routed::Formatting(
                    serde_json::from_value::<lsp::DocumentFormattingParams>(what).map_err(bad)?,
                ),
                r::HoverRequest::METHOD
                | r::GotoDefinition::METHOD
                | r::References::METHOD
                | r::Completion::METHOD => Routed::At(
                    serde_json::from_value::<lsp::TextDocumentPositionParams>(what).map_err(bad)?,
                ),
                r::Rename::METHOD => {
                    Routed::Rename(serde_json::from_value::<lsp::RenameParams>(what).map_err(bad)?)
                }
                r::DocumentSymbolRequest::METHOD
                | r::FoldingRangeRequest::METHOD
                | r::CodeLensRequest::METHOD => Routed::Document(
                    serde_json::from_value::<WholeDocument>(what)
                        .map_err(bad)?
                        .text_document,
                ),
                r::ExecuteCommand::METHOD => Routed::Execute(
                    serde_json::from_value::<lsp::ExecuteCommandParams>(what).map_err(bad)?,
                ),
                _ => Routed::Unknown,
            })
        };
        let routed = read(params)?;
        if let Routed::Execute(params) = &routed {
            return self.execute(params);
        }
        let document_id = match &routed {
            Routed::CodeAction(p) => &p.text_document,
            Routed::Formatting(p) => &p.text_document,
            Routed::At(p) => &p.text_document,
            Routed::Rename(p) => &p.text_document_position.text_document,
            Routed::Document(d) => d,
            Routed::Execute(_) | Routed::Unknown => return Ok(Json::Null),
        };
        let uri = &document_id.uri;
        let Some(document) = self.documents.get(uri.as_str()) else {
            return Ok(Json::Null);
        };
        let checker = self.checker.as_ref().map_err(Clone::clone)?;
        let text = document.text.as_str();
        let positions = Positions::new(text);
        let json = |value: Result<Json, serde_json::Error>| value.map_err(|e| e.to_string());
        match (method, &routed) {
            (r::CodeActionRequest::METHOD, Routed::CodeAction(p)) => {
                let report = self.report_of(checker, uri.as_str(), document);
                json(serde_json::to_value(features::code_actions(
                    checker, &report, uri, text, &positions, p.range,
                )))
            }
            (r::Formatting::METHOD, _) => {
                match assure_check::format::format(checker, &display_path(uri.as_str()), text) {
                    Ok(formatted) if formatted != text => {
                        json(serde_json::to_value(vec![lsp::TextEdit {
                            range: positions.range(Span::new(0, text.len() as u32)),
                            new_text: formatted,
                        }]))
                    }
                    Ok(_) => Ok(Json::Array(Vec::new())),
                    Err(why) => Err(format!("assure cannot format this proposal: {why}")),
                }
            }
            (r::HoverRequest::METHOD, Routed::At(p)) => {
                let offset = positions.offset(p.position);
                json(serde_json::to_value(features::hover(
                    checker,
                    document.index(checker),
                    text,
                    offset,
                )))
            }
            (r::GotoDefinition::METHOD, Routed::At(p)) => {
                let index = document.index(checker);
                let at = index.entity_at(positions.offset(p.position));
                json(serde_json::to_value(at.map(|i| lsp::Location {
                    uri: uri.clone(),
                    range: positions.range(index.names[i]),
                })))
            }
            (r::References::METHOD, Routed::At(p)) => {
                let index = document.index(checker);
                let spans = index.name_and_references(positions.offset(p.position));
                json(serde_json::to_value(
                    spans
                        .into_iter()
                        .map(|span| lsp::Location {
                            uri: uri.clone(),
                            range: positions.range(span),
                        })
                        .collect::<Vec<_>>(),
                ))
            }
            (r::Rename::METHOD, Routed::Rename(p)) => {
                let edit = features::rename(
                    document.index(checker),
                    uri,
                    &positions,
                    p.text_document_position.position,
                    &p.new_name,
                )?;
                json(serde_json::to_value(edit))
            }
            (r::DocumentSymbolRequest::METHOD, _) => json(serde_json::to_value(
                features::document_symbols(checker, text, &positions),
            )),
            (r::FoldingRangeRequest::METHOD, _) => json(serde_json::to_value(
                features::folding_ranges(text, &positions),
            )),
            (r::CodeLensRequest::METHOD, _) => {
                let report = self.report_of(checker, uri.as_str(), document);
                json(serde_json::to_value(features::readiness_lens(
                    &report, &positions,
                )))
            }
            (r::Completion::METHOD, Routed::At(p)) => json(serde_json::to_value(
                features::completion(checker, text, positions.offset(p.position)),
            )),
            _ => Ok(Json::Null),
        }
    }

    /// `assure.explain CODE`: the explanation `assure explain` prints, shown
    /// to the user (`window/showMessage`) and returned.
    fn execute(&self, params: &lsp::ExecuteCommandParams) -> Result<Json, String> {
        if params.command != EXPLAIN {
            return Err(format!("no command {:?}", params.command));
        }
        let code = params
            .arguments
            .first()
            .and_then(Json::as_str)
            .unwrap_or("");
        let checker = self.checker.as_ref().map_err(Clone::clone)?;
        let text = assure_check::explain::explanation(checker.rules(), code)
            .ok_or_else(|| assure_check::explain::unknown(checker.rules(), code))?;
        self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
            typ: lsp::MessageType::INFO,
            message: text.clone(),
        });
        Ok(Json::String(text))
    }
}

/// What changed on disk.
pub(crate) enum OnDisk {
    /// A setting or a pack: the project is loaded again.
    Settings,
    /// Anything else (proposals are read again when next needed).
    Other,
}

/// A request's parameters, read as its method's type.
enum Routed {
    CodeAction(lsp::CodeActionParams),
    Formatting(lsp::DocumentFormattingParams),
    At(lsp::TextDocumentPositionParams),
    Rename(lsp::RenameParams),
    Document(lsp::TextDocumentIdentifier),
    Execute(lsp::ExecuteCommandParams),
    Unknown,
}

/// The part of a whole-document request's parameters the server reads
/// (symbols, folding, lenses: their progress tokens are not used).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WholeDocument {
    text_document: lsp::TextDocumentIdentifier,
}
