//! An Office file as it arrives: what it is (a zip package, or something
//! else a user might have named `.docx`), and a zip package's parts read
//! within bounds, so that a zip bomb is refused before it fills memory.

use crate::Refusal;
use std::io::{Cursor, Read};

/// The most entries a package may list: Word's own files hold a few dozen.
pub const MAX_ENTRIES: usize = 10_000;

/// The most bytes one part may unpack to: many times the XML of a
/// thousand-page document.
pub const MAX_PART_BYTES: u64 = 256 << 20;

/// A zip package, its parts read on demand.
pub struct Package<'b> {
    archive: zip::ZipArchive<Cursor<&'b [u8]>>,
    /// The most bytes a part may unpack to.
    limit: u64,
}

/// The start of an OLE compound file: a legacy `.doc`, or an Office file
/// encrypted (by a password or a sensitivity label), which is wrapped in
/// one.
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Why `bytes` are not a zip package, in words for the person who named
/// the file; none if they may be one.
pub fn not_a_package(bytes: &[u8], kind: &str) -> Option<Refusal> {
    if bytes.is_empty() {
        return Some(Refusal::new("the file is empty"));
    }
    if bytes.starts_with(&OLE) {
        // An encrypted package keeps its content in a stream named
        // `EncryptedPackage` (its name in UTF-16 in the directory).
        let name: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let encrypted = bytes.windows(name.len()).any(|w| w == name.as_slice());
        return Some(Refusal::new(if encrypted {
            "this file is encrypted (perhaps by a sensitivity label): save an unprotected copy and check that"
                .to_owned()
        } else {
            format!(
                "this is a Word 97-2003 document (.doc) or another older Office file, not a {kind}: save it as a {kind} and check that"
            )
        }));
    }
    if bytes.starts_with(b"%PDF") {
        return Some(Refusal::new(format!(
            "this is a PDF, not a {kind}: check the {kind} it was made from"
        )));
    }
    if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(b"PK\x05\x06") {
        return Some(Refusal::new(format!(
            "this is not a {kind} (a {kind} is a zip package, and this file does not start as one)"
        )));
    }
    None
}

impl<'b> Package<'b> {
    /// Opens the package in `bytes`.
    pub fn open(bytes: &'b [u8], kind: &str) -> Result<Package<'b>, Refusal> {
        if let Some(refusal) = not_a_package(bytes, kind) {
            return Err(refusal);
        }
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Refusal::new(format!("this {kind} is not a readable zip package: {e}")))?;
        if archive.len() > MAX_ENTRIES {
            return Err(Refusal::new(format!(
                "this {kind} lists {} parts, more than the {MAX_ENTRIES} assure reads",
                archive.len()
            )));
        }
        Ok(Package {
            archive,
            limit: MAX_PART_BYTES,
        })
    }

    /// This package, its parts bounded at `limit` bytes (a test's bomb
    /// need not be 256 MiB).
    #[cfg(test)]
    pub fn with_limit(self, limit: u64) -> Package<'b> {
        Package { limit, ..self }
    }

    /// Unpacks every part within the bound, keeping nothing: for a reader
    /// that does not bound what it unpacks.
    pub fn check_every_part(&mut self) -> Result<(), Refusal> {
        for index in 0..self.archive.len() {
            let mut file = self
                .archive
                .by_index(index)
                .map_err(|e| Refusal::new(format!("a part cannot be read: {e}")))?;
            let name = file.name().map(|n| n.into_owned()).unwrap_or_default();
            if file.size() > self.limit {
                return Err(too_large(&name, self.limit));
            }
            let read = std::io::copy(&mut (&mut file).take(self.limit + 1), &mut std::io::sink())
                .map_err(|e| {
                Refusal::new(format!("its part {name} cannot be unpacked: {e}"))
            })?;
            if read > self.limit {
                return Err(too_large(&name, self.limit));
            }
        }
        Ok(())
    }

    /// The part `name` as UTF-8 text; none if the package has no such part.
    pub fn text(&mut self, name: &str) -> Result<Option<String>, Refusal> {
        let mut file = match self.archive.by_name(name) {
            Ok(file) => file,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(Refusal::new(format!("its part {name} cannot be read: {e}"))),
        };
        // The size the entry declares is a claim; the bytes read are capped
        // whatever it says.
        if file.size() > self.limit {
            return Err(too_large(name, self.limit));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(self.limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Refusal::new(format!("its part {name} cannot be unpacked: {e}")))?;
        if bytes.len() as u64 > self.limit {
            return Err(too_large(name, self.limit));
        }
        let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Refusal::new(format!("its part {name} is not UTF-8 XML")))
    }
}

fn too_large(name: &str, limit: u64) -> Refusal {
    Refusal::new(format!(
        "its part {name} unpacks to more than {} MiB (a zip bomb, or not a document assure can read)",
        limit >> 20
    ))
}
