//! The programs some of assure's tests drive, found in one place:
//! Chromium (the report site rendered), Neovim (the language server driven
//! from a real editor), PostgreSQL (the history's second backend), npm
//! (the SARIF validators), and python-docx and LibreOffice (Word documents
//! made by producers other than assure).
//!
//! Plain `cargo test` needs none of them: a test whose program is not
//! installed says so, once per program, on the terminal (not captured), and
//! passes over what it could not check. `.ci/run` sets
//! `ASSURE_EXTERNAL_TESTS=1`, and then a missing program is installed from
//! Debian's packages (`apt-get`, as root) or the test fails: CI never skips.

pub mod postgres;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Whether the tests that drive external programs must run (`.ci/run`):
/// a missing program is then installed or fails the test.
pub fn external_required() -> bool {
    std::env::var("ASSURE_EXTERNAL_TESTS").is_ok_and(|v| v == "1")
}

/// A program a test drives: its first path of `candidates` that exists,
/// else the first on `PATH` named `name`. Missing, and required
/// ([`external_required`]), it is installed from the Debian package
/// `package`, and a failure to install panics; missing and not required,
/// [`left_to_ci`] says so and this gives `None`.
pub fn program(name: &str, candidates: &[&str], package: &str) -> Option<PathBuf> {
    let find = || {
        candidates
            .iter()
            .map(PathBuf::from)
            .find(|p| is_executable(p))
            .or_else(|| on_path(name))
    };
    if let Some(found) = find() {
        return Some(found);
    }
    if !external_required() {
        left_to_ci(name);
        return None;
    }
    if let Err(e) = apt_install(package) {
        panic!("{name} is needed: {e}");
    }
    Some(find().unwrap_or_else(|| panic!("apt-get installed {package}, but no {name} was found")))
}

/// Debian's Python 3 with the module `module` (python-docx is `docx`):
/// missing, and required, the Debian package `package` is installed (a
/// failure panics); missing and not required, [`left_to_ci`] says so and
/// this gives `None`. Debian's interpreter, not the first on `PATH`, since
/// Debian's packages install into it.
pub fn python_module(module: &str, package: &str) -> Option<PathBuf> {
    let python = PathBuf::from("/usr/bin/python3");
    let imports = || {
        Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if imports() {
        return Some(python);
    }
    if !external_required() {
        left_to_ci(package);
        return None;
    }
    if let Err(e) = apt_install(package) {
        panic!("{package} is needed: {e}");
    }
    assert!(
        imports(),
        "apt-get installed {package}, but python3 cannot import {module}"
    );
    Some(python)
}

/// Installs the Debian package `package` (as `.ci/run` does).
pub fn apt_install(package: &str) -> Result<(), String> {
    static APT: Mutex<()> = Mutex::new(());
    let _one_at_a_time = APT.lock().unwrap_or_else(|e| e.into_inner());
    let status = Command::new("sh")
        .args([
            "-c",
            &format!(
                "DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {package} >/dev/null"
            ),
        ])
        .status()
        .map_err(|e| format!("apt-get: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("apt-get install {package} failed"))
    }
}

/// Says, once per `what` in this process, that the tests needing it were
/// left to `.ci/run`: on the terminal, past the test harness's capture.
pub fn left_to_ci(what: &str) {
    static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if said.iter().any(|w| w == what) {
        return;
    }
    said.push(what.to_owned());
    let _ = writeln!(
        std::io::stderr().lock(),
        "note: {what} is not installed here: the checks that need it are left to .ci/run"
    );
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a file someone may run (an executable bit set).
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_is_found_on_the_path_or_left_to_ci() {
        assert!(program("sh", &[], "dash").is_some());
        assert_eq!(
            program("sh", &["/nonexistent/sh", "/bin/sh"], "dash"),
            Some(PathBuf::from("/bin/sh"))
        );
        // A file that cannot be run is not the program: the next one is.
        let plain = std::env::temp_dir().join(format!("assure-plain-{}", std::process::id()));
        std::fs::write(&plain, "not a program").unwrap();
        let found = program("sh", &[plain.to_str().unwrap(), "/bin/sh"], "dash");
        let _ = std::fs::remove_file(&plain);
        assert_eq!(found, Some(PathBuf::from("/bin/sh")));
        // Under `.ci/run` a missing program is installed, which a made-up
        // package cannot be: that case is the CI's own.
        if !external_required() {
            assert_eq!(
                program(
                    "assure-no-such-program",
                    &["/nonexistent/x"],
                    "no-such-package"
                ),
                None
            );
        }
    }
}
