//! The Word documents of `cargo xtask bench`: a generated proposal laid out
//! as a business case (numbered sections as Heading 1, entities as
//! Heading 2 over a two-column table of labels and values, header fields
//! as `Label: value` paragraphs), then converted and checked; its length
//! given in pages of 45 lines.

use crate::bench::{median, ms};
use assure_check::Checker;
use std::io::Write as _;

/// A Word document holding the generated proposal of `entities`, and how
/// many lines (paragraphs and table rows) it has.
pub fn document(entities: usize) -> Result<(Vec<u8>, usize), String> {
    let text = assure_gen::proposal(entities, 1);
    let mut body = String::new();
    let mut lines = 0;
    let mut table: Vec<(String, String)> = Vec::new();
    let flush = |body: &mut String, table: &mut Vec<(String, String)>| {
        if table.is_empty() {
            return;
        }
        body.push_str("<w:tbl>");
        for (label, value) in table.drain(..) {
            body.push_str(&format!(
                "<w:tr><w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc></w:tr>",
                escape(&label),
                escape(&value)
            ));
        }
        body.push_str("</w:tbl>");
    };
    let mut in_entity = false;
    for line in text.lines() {
        let heading = |level: u8, text: &str| {
            format!(
                r#"<w:p><w:pPr><w:outlineLvl w:val="{level}"/></w:pPr><w:r><w:t>{}</w:t></w:r></w:p>"#,
                escape(text)
            )
        };
        if let Some(title) = line.strip_prefix("# ") {
            flush(&mut body, &mut table);
            body.push_str(&heading(0, title));
            in_entity = false;
        } else if let Some(name) = line.strip_prefix("## ") {
            flush(&mut body, &mut table);
            body.push_str(&heading(1, name));
            in_entity = true;
        } else if let Some((key, value)) = line.split_once(": ").filter(|_| !line.starts_with(' '))
        {
            let label = key.replace('-', " ");
            if in_entity {
                table.push((label, value.to_owned()));
            } else {
                body.push_str(&format!(
                    "<w:p><w:r><w:t>{}: {}</w:t></w:r></w:p>",
                    escape(&label),
                    escape(value)
                ));
            }
        } else if !line.trim().is_empty() && !line.starts_with("<!--") {
            flush(&mut body, &mut table);
            body.push_str(&format!(
                "<w:p><w:r><w:t>{}</w:t></w:r></w:p>",
                escape(line.trim())
            ));
        } else {
            continue;
        }
        lines += 1;
    }
    flush(&mut body, &mut table);
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let failed = |e: zip::result::ZipError| e.to_string();
    zip.start_file("[Content_Types].xml", options)
        .map_err(failed)?;
    zip.write_all(b"<Types></Types>")
        .map_err(|e| e.to_string())?;
    zip.start_file("word/document.xml", options)
        .map_err(failed)?;
    zip.write_all(document.as_bytes())
        .map_err(|e| e.to_string())?;
    zip.finish().map_err(failed)?;
    Ok((out.into_inner(), lines))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The table of Word documents: conversion alone, and conversion and check.
pub fn run(checker: &Checker, quick: bool) -> Result<(), String> {
    println!();
    println!("| Word document | size | convert | convert + check | findings |");
    println!("|---:|---:|---:|---:|---:|");
    let sizes: &[usize] = if quick {
        &[1_800]
    } else {
        &[180, 1_800, 18_000]
    };
    for &entities in sizes {
        let (bytes, lines) = document(entities)?;
        let runs = if quick || entities > 10_000 { 5 } else { 21 };
        let vocabulary = checker.vocabulary();
        let kind = assure_documents::Kind::Word;
        let converted = assure_documents::convert(kind, &bytes, vocabulary).map_err(|e| e.0)?;
        let convert = median(runs, || {
            std::hint::black_box(assure_documents::convert(kind, &bytes, vocabulary).ok());
        });
        let both = median(runs, || {
            if let Ok(converted) = assure_documents::convert(kind, &bytes, vocabulary) {
                std::hint::black_box(
                    checker.check_owned("bench.docx", converted.text.into_bytes()),
                );
            }
        });
        let findings = checker
            .check("bench.docx", converted.text.as_bytes())
            .findings
            .len();
        println!(
            "| {} pages ({entities} entities) | {:.2} MB | {} | {} | {findings} |",
            lines / 45,
            bytes.len() as f64 / 1e6,
            ms(convert),
            ms(both),
        );
    }
    Ok(())
}
