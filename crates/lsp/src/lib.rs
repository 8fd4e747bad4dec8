//! `assure lsp`: the language server, over stdio.
//!
//! Built on rust-analyzer's `lsp-server` (framing, the handshake, a
//! synchronous loop over crossbeam channels) and `lsp-types` (every
//! message's parameters and results, and the protocol's constants), as
//! ruff's server is: a synchronous loop suits a checker that answers a
//! whole document in milliseconds, and leaves the order of messages plain
//! to see.
//!
//! Three layers, as rust-analyzer keeps `ide` apart from its protocol:
//!
//! - this module: the loop, the handshake, and runs of edits coalesced;
//! - `server`: the open documents and the project, each message's typed
//!   parameters routed to a feature, and the one check per document version
//!   that publishing, lenses and code actions share;
//! - `features`: what is answered, as plain functions of the checker and
//!   a document's text returning `lsp-types` values, tested in process
//!   without a client.
//!
//! Documents are synchronised by incremental changes (a range and its new
//! text; a whole text is taken too); a run of changes waiting in the queue
//! is applied in order and the document checked once, and its diagnostics
//! published. The project (`assure.toml`, packs) is loaded as `lint` loads
//! it, and again when a `.toml` file is saved or changes. Every message is
//! handled inside `catch_unwind`: a panic in one is logged
//! (`window/logMessage`), a request is answered with an error, and the
//! server keeps serving.

mod features;
mod server;
#[cfg(test)]
mod tests;
mod transport;

use assure_check::Checker;
use assure_workspace::Failure;
use assure_workspace::project::Sources;
use lsp_server::{Connection, Message, Notification};
use lsp_types as lsp;
use lsp_types::notification::{DidChangeTextDocument, Notification as _};
use server::Server;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// How the server ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The client asked it to shut down, or closed the connection
    /// (status 0).
    Shutdown,
    /// The client asked it to exit without a shutdown first: the
    /// protocol's status 1.
    ExitWithoutShutdown,
}

/// What the server offers, as the `initialize` reply says.
fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        // Incremental: an edit sends its range and new text, not the whole
        // document (1.3 MB at 10,000 entities, serialised and parsed on
        // every keystroke).
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::SOURCE_FIX_ALL,
                ]),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_lens_provider: Some(lsp::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into(), "#".into()]),
            ..Default::default()
        }),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![server::EXPLAIN.to_owned()],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Runs the server over stdin and stdout until the client asks it to
/// exit. The project is loaded from `sources` as `lint` loads it; no
/// proposal over `max_file_size` bytes is read, nor a message larger than
/// such a proposal would need.
pub fn run(sources: &Sources, max_file_size: u64) -> Result<Ended, Failure> {
    let (sender, receiver, transport) = transport::Transport::stdio(max_file_size);
    let connection = Connection { sender, receiver };
    let capabilities = serde_json::to_value(capabilities())
        .map_err(|e| Failure::new(format!("the server's capabilities: {e}")))?;
    let initialized = connection
        .initialize(capabilities)
        .map_err(|e| Failure::new(format!("the language client did not initialise: {e}")))?;
    let mut server = Server::new(
        load_checker(sources),
        connection.sender.clone(),
        server::workspace_root(initialized),
        max_file_size,
    );
    let mut pending: VecDeque<Message> = VecDeque::new();
    let mut ended = Ended::Shutdown;
    loop {
        let message = match pending.pop_front() {
            Some(message) => message,
            None => match connection.receiver.recv() {
                Ok(message) => message,
                Err(_) => break,
            },
        };
        // Edits that queued up while a document was being checked: the
        // document is checked once, after the last of them.
        let message = coalesce(message, &connection.receiver, &mut pending);
        match message {
            Message::Request(request) => {
                match connection.handle_shutdown(&request) {
                    Ok(true) => break,
                    Ok(false) => {}
                    Err(_) => break,
                }
                let response = server.respond(request);
                let _ = connection.sender.send(Message::Response(response));
            }
            Message::Notification(notification) => {
                if notification.method == lsp::notification::Exit::METHOD {
                    ended = Ended::ExitWithoutShutdown;
                    break;
                }
                match server.on_disk_changed(&notification) {
                    Some(server::OnDisk::Settings) => {
                        server.reload(load_checker(sources));
                        continue;
                    }
                    Some(server::OnDisk::Other) => continue,
                    None => {}
                }
                let method = notification.method.clone();
                let result = catch_unwind(AssertUnwindSafe(|| server.notified(notification)));
                if result.is_err() {
                    server.log(&format!("handling {method} failed"));
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
    Ok(ended)
}

/// `message`, or, if it is a change and more changes to the same document
/// are already waiting, one change holding all of theirs in order (whole
/// texts and ranges alike) with the last version: the document is checked
/// once for the run; a waiting message of another kind stops the run and
/// is kept for after.
fn coalesce(
    message: Message,
    receiver: &crossbeam_channel::Receiver<Message>,
    pending: &mut VecDeque<Message>,
) -> Message {
    let Message::Notification(first) = message else {
        return message;
    };
    if first.method != DidChangeTextDocument::METHOD || !pending.is_empty() {
        return Message::Notification(first);
    }
    let Ok(mut merged) =
        serde_json::from_value::<lsp::DidChangeTextDocumentParams>(first.params.clone())
    else {
        return Message::Notification(first);
    };
    let mut any = false;
    while let Ok(next) = receiver.try_recv() {
        let later = match &next {
            Message::Notification(n) if n.method == DidChangeTextDocument::METHOD => {
                serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params.clone())
                    .ok()
                    .filter(|p| p.text_document.uri == merged.text_document.uri)
            }
            _ => None,
        };
        let Some(later) = later else {
            pending.push_back(next);
            break;
        };
        merged.content_changes.extend(later.content_changes);
        merged.text_document.version = later.text_document.version;
        any = true;
    }
    if !any {
        return Message::Notification(first);
    }
    Message::Notification(Notification::new(first.method, merged))
}

/// The project's checker, or the reason it does not load (which goes to
/// the client's log).
fn load_checker(sources: &Sources) -> Result<Checker, String> {
    match assure_workspace::project::Project::load(sources) {
        Ok(project) => Ok(project.into_checker().0),
        Err(failure) => Err(failure.message),
    }
}
