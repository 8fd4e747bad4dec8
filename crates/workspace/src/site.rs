//! The report site, written into a folder assure owns: the site itself is
//! built by `assure_site`, which writes through a sink; here the sink is a
//! [`Folder`], built beside the old site and exchanged for it in one step.

use crate::write::Folder;
use assure_check::Checker;
use assure_store::History;

impl assure_site::Sink for Folder {
    fn dir(&mut self, relative: &str) -> Result<(), String> {
        Folder::dir(self, relative)
    }

    fn file(&mut self, relative: &str, bytes: &[u8]) -> Result<(), String> {
        Folder::file(self, relative, bytes)
    }
}

/// Writes the site for `run_id` into `folder` and puts it in place of
/// the old one ([`crate::write::Folder`]: built beside it and exchanged in
/// one step, so that a run killed while writing leaves the previous site
/// whole, never an index of one run over pages of another); returns a note
/// for anything of the old site it kept.
pub fn write(
    store: &mut dyn History,
    run_id: i64,
    checker: &Checker,
    mut folder: Folder,
) -> Result<Vec<String>, String> {
    let explain = |code: &str| assure_check::explain::explanation(checker.rules(), code);
    assure_site::build(store, run_id, checker, &explain, &mut folder)?;
    folder.finish()
}
