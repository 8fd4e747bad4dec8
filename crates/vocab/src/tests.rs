//! Vocabulary loading: the core file, extensions, and every kind of error.

use crate::{Owner, Target, ValueType, Vocabulary};
use insta::assert_snapshot;

#[test]
fn the_core_vocabulary_loads_cleanly() {
    let mut vocabulary = Vocabulary::empty();
    let errors = vocabulary.extend_from_source(crate::CORE_SOURCE);
    assert_snapshot!(assure_diagnostic::render_plain(crate::CORE_SOURCE, &errors), @"");
    let titles: Vec<&str> = vocabulary
        .sections()
        .iter()
        .filter_map(|s| s.title.as_deref())
        .collect();
    assert_eq!(
        titles,
        [
            "Case for change",
            "Organisations",
            "People",
            "Register of interests",
            "Contracts",
            "Liabilities",
            "Governance",
            "Gateway",
            "Risk",
            "Funding"
        ]
    );
    let organisation = vocabulary.entity_type_by_id("organisation").unwrap();
    let owned_by = vocabulary
        .entity_type(organisation)
        .fields
        .get("owned-by")
        .unwrap();
    let ValueType::Ref(reference) = &vocabulary.field(owned_by).ty else {
        panic!("owned-by must be a reference");
    };
    assert!(reference.many);
    assert_eq!(reference.target, Target::Any);
    assert_eq!(reference.qualifier.as_deref(), Some(&ValueType::Percent));
    // The bodies of 2026 beside those of 2016: NHS England and combined
    // authorities commission under the Provider Selection Regime.
    let kinds = &vocabulary.entity_type(organisation).kinds;
    for kind in [
        "ccg",
        "icb",
        "nhs-england",
        "combined-authority",
        "foundation-trust",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
    let person = vocabulary.entity_type_by_id("person").unwrap();
    assert!(vocabulary.entity_type(person).kind_field.is_none());
    assert_eq!(
        vocabulary.section_by_title("case  FOR change"),
        vocabulary.section_by_id("case-for-change")
    );
}

#[test]
fn a_pack_adds_kinds_fields_sections_and_enum_values() {
    let mut vocabulary = Vocabulary::core();
    let extension = r#"
[types]
model = { enum = ["integrated-care"] }
[[sections]]
id = "workforce"
title = "Workforce"
[sections.fields]
vacancy-rate = "percent"
[entities.organisation]
kinds = ["charity"]
[entities.organisation.fields]
staff = { type = "number", kinds = ["charity", "nhs-trust"], doc = "head count" }
turnover = "annual-money"
"#;
    let errors = vocabulary.extend_from_source(extension);
    assert_snapshot!(assure_diagnostic::render_plain(extension, &errors), @"");
    let organisation = vocabulary.entity_type_by_id("organisation").unwrap();
    assert!(
        vocabulary
            .entity_type(organisation)
            .kinds
            .iter()
            .any(|k| k == "charity")
    );
    let staff = vocabulary
        .entity_type(organisation)
        .fields
        .get("staff")
        .unwrap();
    assert_eq!(vocabulary.field(staff).owner, Owner::Entity(organisation));
    let workforce = vocabulary.section_by_title("workforce").unwrap();
    assert!(
        vocabulary
            .section(workforce)
            .fields
            .get("vacancy-rate")
            .is_some()
    );
    let ValueType::Enum(model) = vocabulary.named_type("model").unwrap() else {
        panic!("model is an enum");
    };
    assert!(model.position("integrated-care").is_some() && model.position("mcp").is_some());
}

#[test]
fn every_error_in_an_extension_is_reported() {
    let mut vocabulary = Vocabulary::core();
    let extension = r#"
[types]
text = { enum = ["a"] }
odd = { enum = ["a"], dated = ["b"] }
[[sections]]
id = "extra"
title = "Organisations"
[[sections]]
id = "notes"
title = "Notes"
[sections.fields]
Bad-Key = "text"
kind = "text"
score = "nubmer"
link = { ref = "organisaton" }
both = { type = "text", enum = ["x"] }
[entities.organisation.fields]
turnover = "money"
size = { type = "number", kinds = ["gp-practise"], colour = "red" }
[entities.orphan]
kinds = ["x"]
"#;
    let errors = vocabulary.extend_from_source(extension);
    assert_snapshot!(assure_diagnostic::render_plain(extension, &errors), @r#"
    VOC001 3:1 "text": `text` is a base type and cannot be redefined
    TOML003 4:32 "\"b\"": `b` is in `dated` but not in `enum`
    VOC001 7:9 "\"Organisations\"": title `Organisations` is already used by section `organisations`
    TOML003 12:1 "Bad-Key": `Bad-Key` cannot be a field key: keys are lower-case letters, digits and `-`, starting with a letter
    VOC001 13:1 "kind": `kind` is declared by an entity type's `kinds`, not as a field
    TOML003 14:9 "\"nubmer\"": unknown type `nubmer` (help: did you mean `number`?)
    TOML003 15:16 "\"organisaton\"": unknown entity type `organisaton` (help: did you mean `organisation`?)
    TOML003 16:8 "{ type = \"text\", enum = [\"x\"] }": a field's type needs exactly one of `type`, `enum`, `ref` or `refs`
    VOC001 18:1 "turnover": field `turnover` of organisation is already declared as an annual amount (ending in /yr)
    TOML003 19:36 "\"gp-practise\"": `gp-practise` is not a kind of organisation (help: did you mean `gp-practice`?)
    TOML002 19:52 "colour": unknown key `colour` in a field's type (help: expected one of: type, enum, dated, ref, refs, qualifier, kinds, doc, positive, many, labels)
    VOC001 20:11 "orphan": entity type `orphan` is held by no section (help: add a section with `entity = "orphan"`)
    "#);
}

#[test]
fn fold_lower_cases_each_char_and_joins_words_with_one_space() {
    let inputs = [
        "Dudley CCG",
        "  Dudley \t\n ccg  ",
        "A\u{b}B\u{c}C\rD",
        "",
        " \t ",
        "x",
        "MIXED case, With (Parens) 50%",
        "Ärztehaus  Süd",
        "ΟΔΟΣ\u{a0}Σ",
        "İstanbul\u{2003}Clinic",
        "ascii then\u{85}next",
    ];
    for input in inputs {
        let expected = input
            .split_whitespace()
            .map(|word| {
                word.chars()
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(crate::fold(input), expected, "{input:?}");
    }
    assert_eq!(crate::fold("  Dudley \t\n ccg  "), "dudley ccg");
    assert_eq!(crate::fold("A\u{b}B\u{c}C\rD"), "a b c d");
}

#[test]
fn curly_quotes_fold_as_straight_ones() {
    assert_eq!(
        crate::fold("Queen\u{2019}s  Square"),
        crate::fold("queen's square")
    );
    assert_eq!(crate::fold("\u{201c}The Hub\u{201d}"), "\"the hub\"");
}

#[test]
fn what_outputs_show_is_named_by_the_vocabulary_and_checked() {
    let vocabulary = Vocabulary::core();
    assert_eq!(vocabulary.shown().title.as_deref(), Some("proposal"));
    assert_eq!(vocabulary.shown().owner.as_deref(), Some("commissioner"));
    let mut vocabulary = Vocabulary::core();
    let extension = "[shown]\ntitle = \"turnover\"\nowner = \"established\"\n";
    let errors = vocabulary.extend_from_source(extension);
    assert_snapshot!(assure_diagnostic::render_plain(extension, &errors), @r#"
    TOML003 2:9 "\"turnover\"": `title` must name a field of the header
    TOML003 3:9 "\"established\"": `owner` must name a field that refers to an entity
    "#);
}
