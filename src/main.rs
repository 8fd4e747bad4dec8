//! The `assure` binary: a thin shell around [`assure::run`].

use assure::Environment;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

// The pipeline allocates many small values per field and per rule step;
// mimalloc makes that ~15% faster than the system allocator (see
// docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let environment = Environment {
        stdout_is_terminal: io::stdout().is_terminal(),
        no_color: std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty()),
        width: Environment::width(
            std::env::var("COLUMNS").ok().as_deref(),
            terminal_size::terminal_size_of(io::stdout()).map(|(w, _)| usize::from(w.0)),
        ),
    };
    // Not locked for the whole run: `assure lsp` writes its messages from
    // lsp-server's own thread, and logs to stderr from the main one.
    let mut stdout = BufWriter::new(io::stdout());
    let mut stderr = io::stderr();
    let status = assure::run(std::env::args_os(), &mut stdout, &mut stderr, &environment);
    // A closed pipe on the final flush is the reader's choice, not an error.
    let _ = stdout.flush();
    ExitCode::from(status.code())
}
