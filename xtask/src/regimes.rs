//! The coverage maps (`docs/regimes/<pack>.md`) held to the packs they
//! map: every rule of a shipped pack has a row, every rule a row names is
//! in the pack, and a rule's `source` cites the paragraph its row gives.
//! A map is a Markdown table of `| paragraph | obligation | rule |`; a
//! row whose rule cell names no code is an obligation no rule checks, and
//! says why.

use std::collections::BTreeSet;
use std::path::Path;

/// Checks every shipped pack's map, printing what disagrees.
pub fn run(root: &Path) -> Result<(), String> {
    let problems: Vec<String> = assure_rules::BUILTIN_PACKS
        .iter()
        .flat_map(|(name, _)| check(root, name))
        .collect();
    for problem in &problems {
        println!("{problem}");
    }
    if problems.is_empty() {
        println!(
            "{} coverage maps agree with their packs",
            assure_rules::BUILTIN_PACKS.len()
        );
        Ok(())
    } else {
        Err(format!("{} problems in the coverage maps", problems.len()))
    }
}

/// The problems with `pack`'s map, read from `root`: empty when the map
/// and the pack agree.
pub fn check(root: &Path, pack: &str) -> Vec<String> {
    let path = root.join("docs/regimes").join(format!("{pack}.md"));
    let Ok(map) = std::fs::read_to_string(&path) else {
        return vec![format!("{pack}: no coverage map at {}", path.display())];
    };
    let Some(source) = assure_rules::builtin_pack(pack) else {
        return vec![format!("{pack}: no such shipped pack")];
    };
    let rules = match assure_rules::load(
        &[source],
        assure_vocab::Vocabulary::core(),
        &assure_rules::Settings::default(),
    ) {
        Ok(set) => set.rules,
        Err(errors) => return vec![format!("{pack}: the pack does not load: {errors:?}")],
    };
    let mut problems = Vec::new();
    let mut mapped = BTreeSet::new();
    for (paragraph, codes) in rows(&map) {
        for code in codes {
            mapped.insert(code.clone());
            match rules.iter().find(|r| r.code == code) {
                None => problems.push(format!(
                    "{pack}: the map names {code}, which the pack does not have"
                )),
                Some(rule)
                    if !rule
                        .source
                        .to_lowercase()
                        .contains(&paragraph.to_lowercase()) =>
                {
                    problems.push(format!(
                        "{pack}: {code}'s source does not cite `{paragraph}`, as its row in the map says: {}",
                        rule.source
                    ));
                }
                Some(_) => {}
            }
        }
    }
    for rule in &rules {
        if !mapped.contains(&rule.code) {
            problems.push(format!("{pack}: {} has no row in the map", rule.code));
        }
    }
    problems
}

/// Each table row's paragraph and the rule codes in its last cell.
fn rows(map: &str) -> Vec<(String, Vec<String>)> {
    map.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .collect();
            if cells.len() != 3
                || cells[0].trim() == "paragraph"
                || cells[0].trim().starts_with("---")
            {
                return None;
            }
            Some((cells[0].trim().to_owned(), codes(cells[2])))
        })
        .collect()
}

/// The rule codes in `text`: three or four capitals, then three digits.
fn codes(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| {
            let letters = word.chars().take_while(char::is_ascii_uppercase).count();
            (3..=4).contains(&letters)
                && word.len() == letters + 3
                && word[letters..].chars().all(|c| c.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_pack_has_a_coverage_map_that_agrees_with_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let problems: Vec<String> = assure_rules::BUILTIN_PACKS
            .iter()
            .flat_map(|(name, _)| check(&root, name))
            .collect();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_map_out_of_step_with_its_pack_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs/regimes")).unwrap();
        std::fs::write(
            dir.path().join("docs/regimes/isap-2017.md"),
            "| paragraph | obligation | rule |\n|---|---|---|\n| section 9 | checkpoint 1 first | ISAP001 |\n| section 4 | none such | ISAP099 |\n",
        )
        .unwrap();
        let problems = check(dir.path(), "isap-2017");
        assert_eq!(
            problems[0],
            format!(
                "isap-2017: ISAP001's source does not cite `section 9`, as its row in the map says: {}",
                "ISAP (2016, revised 2017), section 4: checkpoint 1 reviews the commissioner's strategic case before the procurement begins."
            )
        );
        assert_eq!(
            problems[1],
            "isap-2017: the map names ISAP099, which the pack does not have"
        );
        assert_eq!(problems[2], "isap-2017: ISAP009 has no row in the map");
        assert_eq!(problems.len(), 10, "{problems:#?}");
    }
}
