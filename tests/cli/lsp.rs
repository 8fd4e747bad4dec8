//! `assure lsp` driven over stdio as an editor drives it, and in a real
//! editor: Neovim, headless, attaching the server to a proposal, reading
//! its diagnostics, applying a code action and checking the buffer.

use crate::{assure, root};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A running server and the messages it has sent.
struct Server {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    notifications: Vec<Value>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, json!({"capabilities": {}}))
    }

    /// Started in `dir` with the workspace folder `dir` open.
    fn start_in_workspace(dir: &Path) -> Server {
        Server::start_with(
            dir,
            json!({"capabilities": {}, "workspaceFolders": [{"uri": format!("file://{}", dir.display()), "name": "w"}]}),
        )
    }

    fn start_with(dir: &Path, initialize: Value) -> Server {
        Server::start_with_options(dir, &[], initialize)
    }

    /// Started with `options` before `lsp` (`--max-file-size 1`).
    fn start_with_options(dir: &Path, options: &[&str], initialize: Value) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_assure"))
            .args(options)
            .arg("lsp")
            .current_dir(dir)
            // Explanations are written into the test's folder, never the
            // user's cache.
            .env("XDG_CACHE_HOME", dir.join(".cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("assure lsp starts");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let mut server = Server {
            child,
            input,
            output,
            notifications: Vec::new(),
        };
        server.request(0, "initialize", initialize);
        server.notify("initialized", json!({}));
        server
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.output.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.output.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        message["params"] = params;
        self.send(&message);
    }

    /// The result of a request (notifications that come first are kept).
    fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        message["params"] = params;
        self.send(&message);
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message["result"].clone();
            }
            self.notifications.push(message);
        }
    }

    /// The next notification of `method`, waiting for it.
    fn next(&mut self, method: &str) -> Value {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| n["method"] == method)
        {
            return self.notifications.remove(i)["params"].clone();
        }
        loop {
            let message = self.receive();
            if message["method"] == method {
                return message["params"].clone();
            }
            self.notifications.push(message);
        }
    }

    fn stop(mut self) -> i32 {
        self.request(999, "shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

const DOC: &str = "file:///tmp/assure-lsp-test/p.proposal";

const PROPOSAL: &str = "proposal: P
Model: mcp
commissioner: North CCG
population: 120,000

# Organisations

## North CCG
kind: ccg

## Provider
kind: nhs-trust
turnover: £200m/yr
cqc-registered: yes

# Contracts

## MCP contract
kind: mcp-virtual
commissioner: North CCG
holder: Provder
value: £20m/yr
term: 10 years
procurement: competitive
risk-share: shared

# Risk
failure-regime: step-in by the CCG
";

fn open(server: &mut Server, text: &str) -> Vec<String> {
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": DOC, "languageId": "assure", "version": 1, "text": text}}),
    );
    diagnostics(server)
}

fn diagnostics(server: &mut Server) -> Vec<String> {
    let published = server.next("textDocument/publishDiagnostics");
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["range"]["start"]["line"],
                d["range"]["start"]["character"],
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap().lines().next().unwrap()
            )
        })
        .collect()
}

#[test]
fn diagnostics_follow_the_text_and_code_actions_mend_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    assert_eq!(
        open(&mut server, PROPOSAL),
        [
            "1:0 SCH007 `Model:` is read as the field `model`, but is not written as a field is",
            "1:7 CFC001 the proposal's model is `mcp`, but the case for change does not say why this model rather than the other",
            "20:8 REF001 reference to `Provder`, which is not defined",
            "21:7 EVAL002 CAP001 (contract-dwarfs-holder) could not be assessed for `MCP contract`: it needs who holds the contract (`holder`, or `holders` for a joint one)",
        ]
    );
    let readiness = server.next("assure/readiness");
    // SCH007 warns: a key read as its field blocks nothing.
    assert_eq!(readiness["readiness"][0]["describe"], "blocked (2 errors)");
    // The fixes for line 21 (0-based 20): the closest name.
    let actions = server.request(
        1,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": DOC}, "range": {"start": {"line": 20, "character": 0}, "end": {"line": 20, "character": 0}}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "refer to `Provider`",
            "explain REF001",
            "assure: apply every safe fix"
        ]
    );
    // "explain" runs on the server and shows what `assure explain` prints.
    let explained = server.request(9, "workspace/executeCommand", actions[1]["command"].clone());
    assert!(
        explained
            .as_str()
            .unwrap()
            .starts_with("REF001 (structural; always on)\nerror · reported in proposals\n"),
        "{explained}"
    );
    let shown = server.next("window/showMessage");
    assert_eq!(shown["message"], explained);
    assert_eq!(
        actions[0]["edit"]["changes"][DOC],
        json!([{"range": {"start": {"line": 20, "character": 8}, "end": {"line": 20, "character": 15}}, "newText": "Provider"}])
    );
    // The client applies the edit and sends the new text: diagnostics follow.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": DOC, "version": 2}, "contentChanges": [{"text": PROPOSAL.replace("Provder", "Provider").replace("Model:", "model:")}]}),
    );
    assert_eq!(
        diagnostics(&mut server),
        [
            "1:7 CFC001 the proposal's model is `mcp`, but the case for change does not say why this model rather than the other"
        ]
    );
    let actions = server.request(
        2,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": DOC}, "range": {"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 7}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions[0]["title"], "allow CFC001 here (say why)");
    assert_eq!(
        actions[0]["edit"]["changes"][DOC][0]["newText"],
        "<!-- assure-allow: CFC001 <<WHY IT IS ACCEPTABLE>> -->\n"
    );
    assert_eq!(server.stop(), 0);
}

#[test]
fn hover_definition_references_rename_symbols_completion_and_formatting() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let text = PROPOSAL.replace("Provder", "Provider");
    open(&mut server, &text);
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": DOC}, "position": {"line": line, "character": character}});
    let hover = server.request(1, "textDocument/hover", at(10, 4));
    assert_eq!(
        hover["contents"]["value"],
        "**Provider**: organisation (nhs-trust)\n\n- `turnover`: £200m/yr\n- `cqc-registered`: yes\n\nreferred to by: MCP contract\n"
    );
    let hover = server.request(2, "textDocument/hover", at(12, 2));
    assert_eq!(
        hover["contents"]["value"],
        "`turnover`: an annual amount (ending in /yr)\n\nannual turnover"
    );
    let definition = server.request(3, "textDocument/definition", at(20, 10));
    assert_eq!(definition["uri"], DOC);
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 10, "character": 3})
    );
    let references = server.request(4, "textDocument/references", at(7, 4));
    let lines: Vec<&Value> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["range"]["start"]["line"])
        .collect();
    assert_eq!(lines, [&json!(7), &json!(2), &json!(19)]);
    let rename = server.request(
        5,
        "textDocument/rename",
        json!({"textDocument": {"uri": DOC}, "position": {"line": 7, "character": 4}, "newName": "North ICB"}),
    );
    assert_eq!(rename["changes"][DOC].as_array().unwrap().len(), 3);
    let symbols = server.request(
        6,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": DOC}}),
    );
    let names: Vec<String> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let children: Vec<&str> = s["children"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            format!("{}: {}", s["name"].as_str().unwrap(), children.join(", "))
        })
        .collect();
    assert_eq!(
        names,
        [
            "Organisations: North CCG, Provider",
            "Contracts: MCP contract",
            "Risk: "
        ]
    );
    let completion = server.request(7, "textDocument/completion", at(13, 0));
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"established") && !labels.contains(&"turnover"),
        "{labels:?}"
    );
    let formatting = server.request(
        8,
        "textDocument/formatting",
        json!({"textDocument": {"uri": DOC}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        formatting[0]["newText"].as_str().unwrap(),
        text.replace("Model:", "model:")
    );
    assert_eq!(server.stop(), 0);
}

#[test]
fn codes_in_directives_are_explained_and_completed() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let text =
        "proposal: P\n<!-- assure-allow: CAP001 guaranteed -->\nversion: 1\n<!-- assure-allow: \n";
    open(&mut server, text);
    let hover = server.request(
        1,
        "textDocument/hover",
        json!({"textDocument": {"uri": DOC}, "position": {"line": 1, "character": 21}}),
    );
    assert_eq!(
        hover["contents"]["value"],
        "**CAP001** (contract-dwarfs-holder): A care-model contract must not be worth many times its holder's turnover."
    );
    let completion = server.request(
        2,
        "textDocument/completion",
        json!({"textDocument": {"uri": DOC}, "position": {"line": 3, "character": 19}}),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    // Every rule of the default pack, the only one loaded.
    let pack = std::fs::read_to_string(root().join("rules/nhs-new-care-models.toml")).unwrap();
    assert_eq!(labels.len(), pack.matches("\n[[rules]]\n").count());
    assert_eq!(labels[0], "CFC001");
    assert_eq!(server.stop(), 0);
}

#[test]
fn edits_sent_faster_than_they_are_checked_end_with_the_last_texts_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    open(&mut server, PROPOSAL);
    server.next("assure/readiness");
    // Ten edits without waiting; the server may check fewer, but the last
    // diagnostics it publishes are the last text's.
    for version in 2..12 {
        let text = if version == 11 {
            PROPOSAL
                .replace("Provder", "Provider")
                .replace("Model:", "model:")
        } else {
            PROPOSAL.replace(
                "population: 120,000",
                &format!("population: 12{version},000"),
            )
        };
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": DOC, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }
    let last = loop {
        let published = server.next("textDocument/publishDiagnostics");
        if published["version"] == json!(11) {
            break published;
        }
    };
    let codes: Vec<&str> = last["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CFC001"]);
    assert_eq!(server.stop(), 0);
}

#[test]
fn bad_requests_are_answered_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    open(&mut server, "proposal: P\n\u{1b}[31m\n## \n");
    // Positions past the end, on no document, and an unknown method.
    let far = json!({"textDocument": {"uri": DOC}, "position": {"line": 999, "character": 999}});
    assert_eq!(
        server.request(1, "textDocument/hover", far.clone()),
        Value::Null
    );
    assert_eq!(
        server.request(2, "textDocument/definition", far),
        Value::Null
    );
    assert_eq!(
        server.request(3, "textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere"}, "position": {"line": 0, "character": 0}})),
        Value::Null
    );
    assert_eq!(server.request(4, "assure/nothing", json!({})), Value::Null);
    let symbols = server.request(
        5,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": DOC}}),
    );
    assert!(symbols.is_array());
    assert_eq!(server.stop(), 0);
}

fn neovim() -> Option<PathBuf> {
    assure_test_tools::program("nvim", &["/usr/bin/nvim"], "neovim")
}

#[test]
fn neovim_shows_the_diagnostics_and_applies_a_fix() {
    let Some(nvim) = neovim() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let proposal = dir.path().join("p.proposal");
    std::fs::write(&proposal, PROPOSAL).unwrap();
    let script = root().join("tests/editor/neovim.lua");
    let output = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-u", "NONE"])
        .arg(&proposal)
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("ASSURE", env!("CARGO_BIN_EXE_assure"))
        .env("XDG_CACHE_HOME", dir.path().join(".cache"))
        .env("RESULT", dir.path().join("result.txt"))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("neovim runs");
    let result = std::fs::read_to_string(dir.path().join("result.txt")).unwrap_or_else(|_| {
        panic!(
            "neovim wrote no result\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(
        result,
        "diagnostics: 1:0 SCH007, 1:7 CFC001, 20:8 REF001, 21:7 EVAL002
actions at 20: refer to `Provider` | explain REF001 | assure: apply every safe fix
line 20 after: holder: Provider
"
    );
}

/// Edits sent as ranges (as editors send them once the server asks for
/// incremental sync), several in one notification and in several, lead to
/// the same diagnostics as the whole text would; positions count UTF-16
/// units, so an emoji before an edit on its line does not shift it.
#[test]
fn incremental_edits_are_applied_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    let text = PROPOSAL
        .replace("## Provider", "## Pro🏥vider")
        .replace("holder: Provder", "holder: Pro🏥vder");
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": DOC, "languageId": "assure", "version": 1, "text": text}}),
    );
    assert_eq!(diagnostics(&mut server).len(), 4);
    let range = |line: u32, from: u32, to: u32| json!({"start": {"line": line, "character": from}, "end": {"line": line, "character": to}});
    // Two edits in one notification: a line inserted above (every later
    // line moves down one), then "Model" made "model" on the line that is
    // now line 2.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": DOC, "version": 2}, "contentChanges": [
            {"range": range(1, 0, 0), "text": "<!-- a note -->\n"},
            {"range": range(2, 0, 1), "text": "m"},
        ]}),
    );
    assert_eq!(
        diagnostics(&mut server),
        [
            "2:7 CFC001 the proposal's model is `mcp`, but the case for change does not say why this model rather than the other",
            "21:8 REF001 reference to `Pro🏥vder`, which is not defined",
            "22:7 EVAL002 CAP001 (contract-dwarfs-holder) could not be assessed for `MCP contract`: it needs who holds the contract (`holder`, or `holders` for a joint one)",
        ]
    );
    // "i" after `holder: Pro🏥v`: 8 + 3 + 2 (the emoji's two units) + 1.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": DOC, "version": 3}, "contentChanges": [
            {"range": range(21, 14, 14), "text": "i"},
        ]}),
    );
    assert_eq!(
        diagnostics(&mut server),
        [
            "2:7 CFC001 the proposal's model is `mcp`, but the case for change does not say why this model rather than the other"
        ]
    );
    // A range past the end of the text is clamped to it.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": DOC, "version": 4}, "contentChanges": [
            {"range": range(900, 0, 5), "text": "\n<!-- the end -->\n"},
        ]}),
    );
    assert_eq!(diagnostics(&mut server).len(), 1);
    assert_eq!(server.stop(), 0);
}

/// Corpus rules read the workspace's other proposals, as `lint` of the
/// folder does: PSR011 counts an authority's awards in every proposal. The
/// other proposal as the editor holds it counts, not as it is on disk.
#[test]
fn corpus_rules_read_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assure.toml"),
        "packs = [\"psr-2024\"]\nas-of = 2026-10-01\n",
    )
    .unwrap();
    let award = |awarded: &str, summary: &str| {
        format!(
            "proposal: P\n\n# Organisations\n\n## North ICB\nkind: icb\n{summary}\n# Contracts\n\n## Services {awarded}\nkind: apms\ncommissioner: North ICB\naward-process: direct-award-b\nawarded: {awarded}\naward-notice: {awarded}\n"
        )
    };
    let a = award("2024-06-03", "psr-summary-published: 2025-04-10\n");
    std::fs::write(dir.path().join("a.proposal"), &a).unwrap();
    std::fs::write(dir.path().join("b.proposal"), award("2025-06-03", "")).unwrap();
    let a_uri = format!("file://{}/a.proposal", dir.path().display());
    let psr011 = |server: &mut Server| -> Vec<String> {
        diagnostics(server)
            .into_iter()
            .filter(|d| d.contains("PSR011"))
            .collect()
    };
    let open_a = |server: &mut Server| {
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": a_uri, "languageId": "assure", "version": 1, "text": a}}),
        );
    };
    // Files opened alone: a.proposal is a corpus of one.
    let mut alone = Server::start(dir.path());
    open_a(&mut alone);
    assert_eq!(psr011(&mut alone), Vec::<String>::new());
    assert_eq!(alone.stop(), 0);
    // In the workspace: b.proposal's award of 2025/26 counts.
    let mut server = Server::start_in_workspace(dir.path());
    open_a(&mut server);
    assert_eq!(
        psr011(&mut server),
        [
            "4:0 PSR011 North ICB awarded contracts under the regime in the year 2025/26, which ended on 2026-03-31; its annual summary was expected by 2026-09-30, and the last was published on 2025-04-10"
        ]
    );
    let _ = server.next("assure/readiness");
    // b.proposal opened and its award moved to 2024/25 in the editor:
    // what the editor holds counts, and a.proposal's summary covers it.
    let b_uri = format!("file://{}/b.proposal", dir.path().display());
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": b_uri, "languageId": "assure", "version": 1, "text": award("2024-07-01", "")}}),
    );
    let _ = diagnostics(&mut server);
    let _ = server.next("assure/readiness");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": a_uri, "version": 2}, "contentChanges": [{"text": a}]}),
    );
    assert_eq!(psr011(&mut server), Vec::<String>::new());
    assert_eq!(server.stop(), 0);
}

/// The editor's corpus rules read the tree `lint` reads: not a link out
/// of it, not a file over `--max-file-size`; every other proposal, in
/// hidden folders too, however many.
#[test]
fn the_editor_reads_the_tree_lint_reads() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join(".drafts")).unwrap();
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    std::fs::write(
        tree.join("assure.toml"),
        "packs = [\"psr-2024\"]\nas-of = 2026-10-01\n",
    )
    .unwrap();
    let award = |awarded: &str, summary: &str| {
        format!(
            "proposal: P\n\n# Organisations\n\n## North ICB\nkind: icb\n{summary}\n# Contracts\n\n## Services {awarded}\nkind: apms\ncommissioner: North ICB\naward-process: direct-award-b\nawarded: {awarded}\naward-notice: {awarded}\n"
        )
    };
    let a = award("2024-06-03", "psr-summary-published: 2025-04-10\n");
    std::fs::write(tree.join("a.proposal"), &a).unwrap();
    // Awards of 2025/26 that would need a later summary, neither read.
    let later = award("2025-06-03", "");
    std::fs::write(dir.path().join("outside/c.proposal"), &later).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside/c.proposal"),
        tree.join("leak.proposal"),
    )
    .unwrap();
    let big = format!("{later}{}", "Prose that goes on.\n".repeat(60_000));
    std::fs::write(tree.join("big.proposal"), big).unwrap();
    // PSR011's messages, wherever lint places them (at the organisation's
    // first heading in the tree; the editor, in the open document).
    let psr011_of_a = |tree: &Path| -> Vec<String> {
        let lint = crate::assure_in(
            tree,
            &["--max-file-size", "1", "lint", "--format", "json", "."],
        );
        let json: Value = serde_json::from_str(&lint.stdout).unwrap();
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["findings"].as_array().unwrap().clone())
            .filter(|f| f["code"] == "PSR011")
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let in_editor = |tree: &Path| -> Vec<String> {
        let mut server = Server::start_with_options(
            tree,
            &["--max-file-size", "1"],
            json!({"capabilities": {}, "workspaceFolders": [{"uri": format!("file://{}", tree.display()), "name": "w"}]}),
        );
        server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": format!("file://{}/a.proposal", tree.display()), "languageId": "assure", "version": 1, "text": a}}),
        );
        let found = diagnostics(&mut server)
            .into_iter()
            .filter_map(|d| d.split_once(" PSR011 ").map(|(_, m)| m.to_owned()))
            .collect();
        assert_eq!(server.stop(), 0);
        found
    };
    assert_eq!(psr011_of_a(&tree), Vec::<String>::new());
    assert_eq!(in_editor(&tree), Vec::<String>::new());
    // One more proposal the search does read: both see its award.
    std::fs::write(tree.join(".drafts/read.proposal"), &later).unwrap();
    let linted = psr011_of_a(&tree);
    assert_eq!(linted.len(), 1, "{linted:?}");
    assert_eq!(in_editor(&tree), linted);
}

/// Each diagnostic's code links to its explanation (`codeDescription`): a
/// page of what `assure explain` prints, written once into the cache.
#[test]
fn codes_link_to_their_explanation() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": DOC, "languageId": "assure", "version": 1, "text": PROPOSAL}}),
    );
    let published = server.next("textDocument/publishDiagnostics");
    let links: Vec<(String, String)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["codeDescription"]["href"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(links.len(), 4);
    let explain = dir.path().join(".cache/assure/explain");
    for (code, href) in links {
        let path = href.strip_prefix("file://").unwrap();
        assert!(path.starts_with(&explain.display().to_string()), "{href}");
        let page = std::fs::read_to_string(path).unwrap();
        // The same words as `assure explain`, which wraps to the terminal.
        let explained = assure(&["explain", &code]).stdout;
        let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(words(&page), words(&explained), "{code}");
    }
    assert_eq!(server.stop(), 0);
}

#[test]
fn the_server_survives_what_a_client_should_not_send() {
    let dir = tempfile::tempdir().unwrap();
    // A lone surrogate in a document's text: valid JSON that ended the
    // server. It is read as U+FFFD, and the server answers on.
    let mut server = Server::start(dir.path());
    server.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": DOC, "languageId": "proposal", "version": 1, "text": "proposal: P\n"}}}));
    server.next("textDocument/publishDiagnostics");
    let body = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{DOC}","version":2}},"contentChanges":[{{"text":"proposal: P\ud83d\nmodel: mcp\n"}}]}}}}"#
    );
    write!(server.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    server.input.flush().unwrap();
    let published = server.next("textDocument/publishDiagnostics");
    assert_eq!(published["version"], 2, "{published}");
    let symbols = server.request(
        7,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": DOC}}),
    );
    assert!(symbols.is_array(), "{symbols}");
    // A length of 8 GB, five bytes after it and the input closed: nothing
    // allocated for it, and the server ends as at the end of any input.
    write!(server.input, "Content-Length: 8000000000\r\n\r\nshort").unwrap();
    let Server {
        mut child, input, ..
    } = server;
    drop(input);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path());
    server.notify("exit", Value::Null);
    assert_eq!(server.child.wait().unwrap().code(), Some(1));
}
