//! The language server's framing over standard input and output, bounded.
//!
//! `lsp-server` reads a message by allocating its `Content-Length` first
//! (a header of 8 GB allocated 8 GB before a byte of it arrived) and ends
//! the server on any message `serde_json` refuses, valid JSON with a lone
//! surrogate escape (`"\ud83d"`) among them. Here a header line is at most
//! [`MAX_HEADER_LINE`] bytes, a body grows only as its bytes arrive and is
//! skipped past [`max_body`], a lone surrogate is read as U+FFFD, and a
//! message that still cannot be read is reported to the client and passed
//! over: the server goes on.

use crossbeam_channel::{Receiver, Sender};
use lsp_server::Message;
use std::io::{self, BufRead, Read as _};
use std::thread::JoinHandle;

/// The longest header line read (`Content-Length: ...`, `Content-Type: ...`).
pub(crate) const MAX_HEADER_LINE: usize = 8 << 10;

/// The largest body read, for documents of at most `max_file_size` bytes:
/// a document is sent as a JSON string, in which a byte can take six
/// (`\u0000`), with room for the rest of the message.
pub(crate) fn max_body(max_file_size: u64) -> u64 {
    max_file_size.saturating_mul(6).saturating_add(1 << 20)
}

/// The two threads moving messages between the channels and stdio.
pub(crate) struct Transport {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl Transport {
    /// Starts reading standard input into one channel and writing the
    /// other to standard output; the channels' ends for the server.
    pub(crate) fn stdio(max_file_size: u64) -> (Sender<Message>, Receiver<Message>, Transport) {
        let (to_server, from_client) = crossbeam_channel::bounded::<Message>(0);
        let (to_client, from_server) = crossbeam_channel::bounded::<Message>(0);
        // What the reader says to the client goes its own way, so that the
        // writer ends with the server, whatever the reader is waiting on.
        let (said, from_reader) = crossbeam_channel::unbounded::<Message>();
        let limit = max_body(max_file_size);
        let reader = std::thread::spawn(move || {
            let stdin = io::stdin();
            read_messages(&mut stdin.lock(), limit, &to_server, &said)
        });
        let writer = std::thread::spawn(move || {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            let mut reader_says = Some(from_reader);
            loop {
                let never = crossbeam_channel::never();
                let logs = reader_says.as_ref().unwrap_or(&never);
                crossbeam_channel::select! {
                    recv(from_server) -> message => match message {
                        Ok(message) => message.write(&mut out)?,
                        Err(_) => return Ok(()),
                    },
                    recv(logs) -> message => match message {
                        Ok(message) => message.write(&mut out)?,
                        Err(_) => reader_says = None,
                    },
                }
            }
        });
        (to_client, from_client, Transport { reader, writer })
    }

    /// Waits for the writer to send what it was given (it ends when every
    /// sender is gone). The reader is left: it may wait on input that never
    /// comes, and ends with the process.
    pub(crate) fn finish(self) -> io::Result<()> {
        drop(self.reader);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer failed")))
    }
}

/// Reads messages from `input` until it ends or its framing is broken,
/// sending each to `server`; what cannot be read is said to the client
/// through `client`.
pub(crate) fn read_messages(
    input: &mut impl BufRead,
    limit: u64,
    server: &Sender<Message>,
    client: &Sender<Message>,
) -> io::Result<()> {
    loop {
        let Some(length) = read_header(input)? else {
            return Ok(());
        };
        if length > limit {
            // Read past it, to the next message: nothing of it is kept.
            let skipped = io::copy(&mut input.by_ref().take(length), &mut io::sink())?;
            if skipped < length {
                return Ok(());
            }
            let _ = client.send(log(&format!(
                "assure passed over a message of {length} bytes: the limit is {limit} (raise --max-file-size for larger documents)"
            )));
            continue;
        }
        let mut body = Vec::new();
        input.by_ref().take(length).read_to_end(&mut body)?;
        if (body.len() as u64) < length {
            return Ok(());
        }
        match serde_json::from_slice::<Message>(&without_lone_surrogates(&body)) {
            Ok(message) => {
                if server.send(message).is_err() {
                    return Ok(());
                }
            }
            Err(error) => {
                let _ = client.send(log(&format!(
                    "assure passed over a message it could not read: {error}"
                )));
            }
        }
    }
}

/// The headers of the next message: its length, or `None` at the end of
/// the input.
fn read_header(input: &mut impl BufRead) -> io::Result<Option<u64>> {
    let mut length = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        input
            .by_ref()
            .take(MAX_HEADER_LINE as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if line.is_empty() {
            return Ok(None);
        }
        if line.len() > MAX_HEADER_LINE || !line.ends_with(b"\r\n") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a message header is not a line of at most 8 KiB ending in CRLF",
            ));
        }
        let text = String::from_utf8_lossy(&line[..line.len() - 2]);
        if text.is_empty() {
            return length.map(Some).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a message has no Content-Length",
                )
            });
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<u64>().map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a Content-Length is not a number",
                )
            })?);
        }
    }
}

/// `window/logMessage` with `message`, as a warning.
fn log(message: &str) -> Message {
    Message::Notification(lsp_server::Notification::new(
        "window/logMessage".to_owned(),
        serde_json::json!({"type": 2, "message": message}),
    ))
}

/// `json` with each escape of a lone surrogate (`\ud83d` with no low half
/// after it, or a low half alone) written `\ufffd`: valid JSON that
/// `serde_json` refuses. Escaped backslashes are respected.
fn without_lone_surrogates(json: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !json.windows(2).any(|w| w == b"\\u") {
        return std::borrow::Cow::Borrowed(json);
    }
    let unit = |at: usize| -> Option<u16> {
        let hex = json.get(at..at + 6)?;
        if &hex[..2] != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(json.len());
    let mut at = 0;
    while at < json.len() {
        if json[at] != b'\\' {
            out.push(json[at]);
            at += 1;
            continue;
        }
        match unit(at) {
            Some(high @ 0xD800..=0xDBFF) => match unit(at + 6) {
                Some(0xDC00..=0xDFFF) => {
                    out.extend_from_slice(&json[at..at + 12]);
                    at += 12;
                }
                _ => {
                    let _ = high;
                    out.extend_from_slice(b"\\ufffd");
                    at += 6;
                }
            },
            Some(0xDC00..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                at += 6;
            }
            // Any other escape, `\\` included, is two bytes and kept.
            _ => {
                out.extend_from_slice(&json[at..(at + 2).min(json.len())]);
                at += 2;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], limit: u64) -> (Vec<Message>, Vec<Message>, io::Result<()>) {
        let (server, from_client) = crossbeam_channel::unbounded();
        let (client, to_client) = crossbeam_channel::unbounded();
        let result = read_messages(&mut &input[..], limit, &server, &client);
        drop((server, client));
        (
            from_client.iter().collect(),
            to_client.iter().collect(),
            result,
        )
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_huge_length_is_passed_over_without_allocating_it() {
        let mut input = b"Content-Length: 8000000000\r\n\r\nshort".to_vec();
        let (messages, said, result) = read_all(&input, 1 << 20);
        assert!(messages.is_empty() && said.is_empty());
        assert!(result.is_ok());
        // A long one the limit refuses is skipped to the next message.
        input = format!("Content-Length: 80\r\n\r\n{}", "x".repeat(80)).into_bytes();
        input.extend(framed(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).bytes());
        let (messages, said, _) = read_all(&input, 60);
        assert_eq!(messages.len(), 1);
        assert_eq!(said.len(), 1);
    }

    #[test]
    fn a_lone_surrogate_is_read_as_a_replacement_character() {
        let body = r#"{"jsonrpc":"2.0","method":"x","params":{"a":"\ud83d!","b":"\udc00","c":"\\ud83d","d":"\ud83d\ude00"}}"#;
        let (messages, said, result) = read_all(framed(body).as_bytes(), 1 << 20);
        assert!(result.is_ok() && said.is_empty());
        let Message::Notification(n) = &messages[0] else {
            panic!("{messages:?}");
        };
        assert_eq!(
            n.params,
            serde_json::json!({"a": "\u{fffd}!", "b": "\u{fffd}", "c": "\\ud83d", "d": "😀"})
        );
    }

    #[test]
    fn a_message_that_is_not_json_is_said_and_passed_over() {
        let mut input = framed("{not json").into_bytes();
        input.extend(framed(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).bytes());
        let (messages, said, result) = read_all(&input, 1 << 20);
        assert!(result.is_ok());
        assert_eq!(messages.len(), 1);
        let Message::Notification(log) = &said[0] else {
            panic!("{said:?}");
        };
        assert!(
            log.params["message"]
                .as_str()
                .unwrap()
                .starts_with("assure passed over a message it could not read: ")
        );
    }

    #[test]
    fn broken_framing_ends_the_input_with_an_error() {
        let long = format!("X-Padding: {}\r\n", "a".repeat(MAX_HEADER_LINE));
        for input in [
            long.as_str(),
            "Content-Type: x\r\n\r\n",
            "Content-Length: many\r\n\r\n",
        ] {
            let (_, _, result) = read_all(input.as_bytes(), 1 << 20);
            assert_eq!(
                result.unwrap_err().kind(),
                io::ErrorKind::InvalidData,
                "{input:?}"
            );
        }
    }
}
