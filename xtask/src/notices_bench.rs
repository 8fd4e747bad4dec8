//! `cargo xtask bench --notices`: `assure lint` of a year of published
//! notices as JSON Lines, at 5 MB and at 100 and 500 MB: wall time,
//! throughput and peak memory, which must not grow with the file.

use crate::bench::{assure_binary, run_assure};
use std::io::Write as _;

/// The notices fixture whose lines are the pattern of each generated one.
const PATTERN: &str = include_str!("../../fixtures/notices/compiled-releases.jsonl");

/// A release of the fixture filled out as Find a Tender's are: each party
/// with its address, contact point and classifications, the tender's items
/// with their classifications and delivery addresses, its documents. About
/// 4 KB, most of it what a check passes over.
fn as_published(line: &str) -> Result<serde_json::Value, String> {
    let mut release: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let address = serde_json::json!({
        "streetAddress": "Unit 4, Riverside Business Park, Station Road",
        "locality": "Brackenford",
        "region": "UKK30",
        "postalCode": "BK1 2AB",
        "countryName": "United Kingdom"
    });
    if let Some(parties) = release["parties"].as_array_mut() {
        for party in parties {
            party["address"] = address.clone();
            party["contactPoint"] = serde_json::json!({
                "name": "Procurement team",
                "email": "procurement@example.nhs.uk",
                "telephone": "+44 1234 567890"
            });
            party["details"] = serde_json::json!({
                "url": "https://www.example.nhs.uk/",
                "classifications": [
                    {"scheme": "TED_CA_TYPE", "id": "BODY_PUBLIC", "description": "Body governed by public law"},
                    {"scheme": "COFOG", "id": "07", "description": "Health"}
                ]
            });
            party["identifier"] = serde_json::json!({"legalName": party["name"].clone()});
        }
    }
    release["tender"]["items"] = serde_json::json!([{
        "id": "1",
        "additionalClassifications": [
            {"scheme": "CPV", "id": "85100000", "description": "Health services"},
            {"scheme": "CPV", "id": "85140000", "description": "Miscellaneous health services"}
        ],
        "deliveryAddresses": [{"region": "UKK30"}, {"region": "UKK40"}, {"countryName": "United Kingdom"}],
        "relatedLot": "1"
    }]);
    release["tender"]["documents"] = serde_json::json!([
        {"id": "1", "documentType": "tenderNotice", "title": "Notice of intention to award", "url": "https://www.find-tender.service.gov.uk/Notice/000000-2026", "format": "text/html", "language": "en", "datePublished": release["date"].clone()},
        {"id": "2", "documentType": "evaluationReports", "title": "Summary of the decision", "url": "https://example.nhs.uk/documents/decision-summary.pdf", "format": "application/pdf", "language": "en"}
    ]);
    release["bids"] = serde_json::json!({"statistics": [{"id": "1", "measure": "bids", "value": 1, "relatedLot": "1"}]});
    Ok(release)
}

/// Writes JSON Lines of at least `bytes` bytes: the fixture's procurements,
/// filled out as published, again and again, each under an `ocid` of its
/// own; the count written.
fn write_year(path: &std::path::Path, bytes: u64) -> Result<u64, String> {
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let lines: Vec<String> = PATTERN
        .lines()
        .map(|line| as_published(line).map(|release| release.to_string()))
        .collect::<Result<_, _>>()?;
    let (mut written, mut procurements) = (0u64, 0u64);
    'year: loop {
        for line in &lines {
            let ocid = format!("ocds-h6vhtk-y{procurements:07}");
            // Every pattern's ocid starts so; the last two lines share one.
            let line = line.replace("ocds-h6vhtk-0b20", &format!("{ocid}-"));
            out.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(|e| e.to_string())?;
            written += line.len() as u64 + 1;
            procurements += 1;
            if written >= bytes {
                break 'year;
            }
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(procurements)
}

/// Times `assure --pack psr-2024 lint --format json` of each size.
pub fn run(quick: bool) -> Result<(), String> {
    let binary = assure_binary()?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let sizes: &[u64] = if quick { &[5, 50] } else { &[5, 100, 500] };
    println!("| JSON Lines | lines | assure lint --format json | throughput | peak memory |");
    println!("|---:|---:|---:|---:|---:|");
    for &megabytes in sizes {
        let path = dir.join(format!("notices-{megabytes}mb.jsonl"));
        let lines = write_year(&path, megabytes << 20)?;
        let size = std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
        let args: Vec<&std::ffi::OsStr> = ["--pack", "psr-2024", "lint", "--format", "json"]
            .iter()
            .map(std::ffi::OsStr::new)
            .chain([path.as_os_str()])
            .collect();
        let (elapsed, peak) = run_assure(&binary, &args, true)?;
        let mb = size as f64 / f64::from(1 << 20);
        println!(
            "| {mb:.0} MB | {lines} | {:.2} s | {:.0} MB/s | {} |",
            elapsed.as_secs_f64(),
            mb / elapsed.as_secs_f64(),
            peak.map_or_else(|| "n/a".to_owned(), |p| format!("{p:.0} MiB"))
        );
        // The smallest is kept, for a profiler; the others take the disk.
        if megabytes != sizes[0] {
            std::fs::remove_file(&path).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
