//! `cargo xtask bench --lsp`: the release `assure lsp` driven over stdio as
//! an editor drives it, on generated proposals of 1,000 and 10,000
//! entities: how long after a `didChange` its diagnostics arrive (median
//! and worst of 100 edits), how long hover, definition, completion and the
//! code lens take (median and worst of 100 each), and its resident memory
//! after the first edit and after 1,000.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

struct Client {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Client {
    fn send(&mut self, message: &Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.input.flush())
            .map_err(|e| format!("cannot write to the server: {e}"))
    }

    fn receive(&mut self) -> Result<Value, String> {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.output
                .read_line(&mut line)
                .map_err(|e| format!("cannot read from the server: {e}"))?;
            if line.is_empty() {
                return Err("the server closed its output".to_owned());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().map_err(|_| "a bad Content-Length".to_owned())?;
            }
        }
        let mut body = vec![0; length];
        self.output
            .read_exact(&mut body)
            .map_err(|e| format!("cannot read from the server: {e}"))?;
        serde_json::from_slice(&body).map_err(|e| format!("the server sent bad JSON: {e}"))
    }

    /// Waits for a message that `wanted` accepts, skipping the others.
    fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Result<Value, String> {
        loop {
            let message = self.receive()?;
            if wanted(&message) {
                return Ok(message);
            }
        }
    }

    fn request(&mut self, id: u64, method: &str, params: Value) -> Result<Value, String> {
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        message["params"] = params;
        self.send(&message)?;
        self.until(|m| m["id"] == json!(id))
    }

    fn resident_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024.0)
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn median_and_worst(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[times.len() - 1])
}

/// Runs the benchmark and prints its table.
pub fn run(binary: &Path) -> Result<(), String> {
    println!(
        "| entities | size | diagnostics after an edit (median / worst of 100) | hover | definition | completion | code lens | memory after 1 edit → 1,000 |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for entities in [1_000, 10_000] {
        let text = assure_gen::proposal(entities, 1);
        let mut child = Command::new(binary)
            .arg("lsp")
            .env(
                "XDG_CACHE_HOME",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/cache"),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start assure lsp: {e}"))?;
        let input = child.stdin.take().ok_or("no stdin")?;
        let output = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut client = Client {
            child,
            input,
            output,
        };
        client.request(0, "initialize", json!({"capabilities": {}}))?;
        client.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
        let uri = "file:///bench/p.proposal";
        client.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "assure", "version": 1, "text": text}}}))?;
        client.until(|m| m["method"] == "textDocument/publishDiagnostics")?;
        // Each edit changes one value, as typing does, sent as an editor
        // sends it to a server that asks for incremental sync (the range of
        // the first line and its new text), and is timed until its own
        // diagnostics arrive.
        let first_line = text.lines().next().unwrap_or("");
        let mut line_units = first_line.encode_utf16().count();
        let mut edit = |version: i64| {
            let changed =
                first_line.replacen("proposal: ", &format!("proposal: edit {version} "), 1);
            let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": line_units}});
            line_units = changed.encode_utf16().count();
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": changed}]}})
        };
        let mut times = Vec::new();
        let mut first_memory = None;
        for version in 2..1002i64 {
            let message = edit(version);
            let start = Instant::now();
            client.send(&message)?;
            client.until(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["version"] == json!(version)
            })?;
            if version < 102 {
                times.push(start.elapsed());
            }
            if version == 2 {
                first_memory = client.resident_mib();
            }
            if entities >= 10_000 && version >= 102 {
                break;
            }
        }
        let last_memory = client.resident_mib();
        let (diagnostics, worst) = median_and_worst(times);
        // A line of an entity heading, and of a reference, to ask about.
        let heading_line = text.lines().position(|l| l.starts_with("## ")).unwrap_or(0);
        let mut timed = |method: &str,
                         line: usize,
                         character: usize,
                         id: &mut u64|
         -> Result<(Duration, Duration), String> {
            let mut times = Vec::new();
            for _ in 0..100 {
                *id += 1;
                let start = Instant::now();
                client.request(*id, method, json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}))?;
                times.push(start.elapsed());
            }
            Ok(median_and_worst(times))
        };
        let mut id = 10;
        let hover = timed("textDocument/hover", heading_line, 4, &mut id)?;
        let definition = timed("textDocument/definition", heading_line, 4, &mut id)?;
        let completion = timed("textDocument/completion", heading_line + 1, 0, &mut id)?;
        // The lens answers from the version's published check.
        let lens = timed("textDocument/codeLens", 0, 0, &mut id)?;
        let edits = if entities >= 10_000 { "101" } else { "1,000" };
        println!(
            "| {entities} | {:.0} KB | {} / {} | {} / {} | {} / {} | {} / {} | {} / {} | {} → {} MiB ({edits} edits) |",
            text.len() as f64 / 1000.0,
            ms(diagnostics),
            ms(worst),
            ms(hover.0),
            ms(hover.1),
            ms(definition.0),
            ms(definition.1),
            ms(completion.0),
            ms(completion.1),
            ms(lens.0),
            ms(lens.1),
            first_memory.map_or("?".to_owned(), |m| format!("{m:.0}")),
            last_memory.map_or("?".to_owned(), |m| format!("{m:.0}")),
        );
        client.request(999_999, "shutdown", Value::Null)?;
        client.send(&json!({"jsonrpc": "2.0", "method": "exit"}))?;
        let _ = client.child.wait();
    }
    Ok(())
}
