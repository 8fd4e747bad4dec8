//! `cargo xtask fuzz [--seconds N] [TARGET...]`: runs the cargo-fuzz targets
//! of `fuzz/` (proposal, docx, notices, format, pack, config, store) one after the other, each starting
//! from its seeds in `fuzz/seeds/` and the corpus it built before.
//!
//! The targets build with `-s none` (no sanitizer: the code has no
//! `unsafe`), which with `RUSTC_BOOTSTRAP=1` works on the stable toolchain.

use std::path::Path;
use std::process::Command;

/// Every target, with the longest input worth trying.
pub const TARGETS: [(&str, u32); 7] = [
    ("proposal", 4096),
    ("docx", 4096),
    ("notices", 4096),
    ("format", 4096),
    ("pack", 8192),
    ("config", 2048),
    ("store", 36),
];

/// Runs the targets named (all if none) for `seconds` each.
pub fn run(targets: &[String], seconds: u64) -> Result<(), String> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .canonicalize()
        .map_err(|e| format!("fuzz/: {e}"))?;
    for (target, max_len) in TARGETS {
        if !targets.is_empty() && !targets.iter().any(|t| t == target) {
            continue;
        }
        let corpus = fuzz.join("corpus").join(target);
        let artifacts = fuzz.join("artifacts").join(target);
        let crashes_before = count_files(&artifacts);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        println!("fuzzing {target} for {seconds} s");
        let status = Command::new("cargo")
            .current_dir(&fuzz)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "-s", "none", target])
            .arg(&corpus)
            .arg(fuzz.join("seeds").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-max_len={max_len}"))
            .status()
            .map_err(|e| format!("cannot run cargo fuzz (cargo install cargo-fuzz): {e}"))?;
        if !status.success() {
            return Err(if count_files(&artifacts) > crashes_before {
                format!("the {target} fuzzer found a crash: see fuzz/artifacts/{target}/")
            } else {
                format!("cargo fuzz failed on {target} (see its output above)")
            });
        }
    }
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}
