//! Model tests: the example proposals model cleanly, and every structural
//! diagnostic is checked with its exact span, message and help.

use crate::{EntityId, Model, Value, build};
use assure_diagnostic::{Diagnostic, LineIndex};
use assure_vocab::Vocabulary;
use insta::assert_snapshot;

static CORE: std::sync::LazyLock<Vocabulary> = std::sync::LazyLock::new(Vocabulary::core);

fn model(text: &str) -> (Model<'_>, Vec<Diagnostic>) {
    let parse = assure_syntax::parse(text);
    let (model, mut diagnostics) = build(text, parse.file, &CORE);
    diagnostics.splice(0..0, parse.errors);
    (model, diagnostics)
}

/// Every diagnostic, rendered plain.
fn check(text: &str) -> String {
    let (_, diagnostics) = model(text);
    assure_diagnostic::render_plain(text, &diagnostics)
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn the_examples_model_without_structural_findings() {
    for name in [
        "cambridgeshire-older-people.proposal",
        "dudley-mcp.proposal",
        "hampshire-mcp.proposal",
        "hampshire-mcp-v2.proposal",
        "tower-hamlets-community.proposal",
    ] {
        assert_eq!(check(&fixture(name)), "", "{name}");
    }
}

#[test]
fn the_dudley_graph() {
    let text = fixture("dudley-mcp.proposal");
    let (model, _) = model(&text);
    let vocabulary = Vocabulary::core();
    assert_eq!(model.entities().len(), 11);
    // One edge per resolved reference item, in source order.
    let edges: Vec<String> = model
        .graph()
        .edge_indices()
        .map(|e| {
            let (from, to) = model.graph().edge_endpoints(e).unwrap();
            let name = |n| match model.entity_at(n) {
                Some(id) => model.entity(id).name.to_string(),
                None => "(proposal)".to_string(),
            };
            let edge = &model.graph()[e];
            let reference = model.reference(e).unwrap();
            assert_eq!(reference.name_span(), edge.span);
            // Given its origin, the same reference; given another node, none.
            assert_eq!(model.reference_from(from, e), Some(reference));
            if to != from {
                assert_eq!(model.reference_from(to, e), None);
            }
            let qualifier = match reference.qualifier().map(|q| &q.value) {
                Some(Value::Percent(p)) => format!(" ({p}%)"),
                Some(Value::Text(t)) => format!(" ({t})"),
                _ => String::new(),
            };
            format!(
                "{} -{}-> {}{qualifier}",
                name(from),
                vocabulary.field(edge.field).name,
                name(to)
            )
        })
        .collect();
    assert_snapshot!(edges.join("\n"), @r####"
    (proposal) -commissioner-> Dudley CCG
    Dudley Primary Care Partnership Ltd -owned-by-> Dr Anita Patel (30%)
    Dudley Primary Care Partnership Ltd -owned-by-> Dr David Green (70%)
    Dr Anita Patel -member-of-> Dudley CCG (governing body)
    Dr Anita Patel -owns-> Dudley Primary Care Partnership Ltd (30%)
    Dr David Green -owns-> Dudley Primary Care Partnership Ltd (70%)
    Dr Paul Hughes -member-of-> Dudley CCG (governing body)
    Ms Claire Rowe -member-of-> Dudley CCG (governing body)
    Mr Steven Marsh -member-of-> Dudley CCG (governing body)
    Ms Helen Shaw -member-of-> Dudley CCG (lay member)
    Dudley MCP contract -commissioner-> Dudley CCG
    Dudley MCP contract -holder-> Dudley Group NHS Foundation Trust
    Dudley MCP contract -subcontractors-> Dudley Primary Care Partnership Ltd
    Russells Hall PFI -held-by-> Dudley Group NHS Foundation Trust
    "####);
}

#[test]
fn values_are_typed_exactly() {
    let text = "population: 310,000\nas-of: 2016-09-30\n# Organisations\n## X\nkind: gp-company\nturnover: £4.5m/yr\ncqc-registered: yes\n# Contracts\n## C\nkind: mcp-virtual\nvalue: £800m\nterm: 5 years\n# Gateway\ncase-for-change: approved 2016-06-20\n";
    let (model, diagnostics) = model(text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let render = |fields: crate::FieldValues| {
        fields
            .iter()
            .map(|f| format!("{:?}", f.value))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_snapshot!(render(model.section_fields(assure_vocab::HEADER)), @r####"
    Number(310000)
    Date(Date { year: 2016, month: 9, day: 30, has_day: true, has_month: true })
    "####);
    assert_snapshot!(render(model.fields(EntityId(0))), @r####"
    Word { word: "gp-company", date: None }
    Money(Money { pence: 450000000, annual: true })
    Bool(true)
    "####);
    assert_snapshot!(render(model.fields(EntityId(1))), @r####"
    Word { word: "mcp-virtual", date: None }
    Money(Money { pence: 80000000000, annual: false })
    Duration(Duration { months: 60, days: 0 })
    "####);
    let gateway = Vocabulary::core().section_by_id("gateway").unwrap();
    assert_snapshot!(render(model.section_fields(gateway)), @r#"Word { word: "approved", date: Some((Date { year: 2016, month: 6, day: 20, has_day: true, has_month: true }, 215..225)) }"#);
}

#[test]
fn a_register_adds_to_the_people_it_names_and_adds_the_others() {
    let text = "# Organisations\n## North CCG\nkind: ccg\n## Riverside\nkind: gp-practice\n# People\n## Dr A\nmember-of: North CCG (governing body)\n## Dr B\nrole: gp\n# Register of interests\n## dr  a\ndirector-of: Riverside\nrole: gp\n## Dr C\nemployed-by: Riverside\n## Dr A\nrole: partner\n";
    let (model, diagnostics) = model(text);
    let names: Vec<&str> = model.entity_ids().map(|id| model.entity(id).name).collect();
    assert_eq!(names, ["North CCG", "Riverside", "Dr A", "Dr B", "Dr C"]);
    let keys = |id: u32| -> Vec<String> {
        model
            .fields(EntityId(id))
            .iter()
            .map(|f| Vocabulary::core().field(f.field).name.clone())
            .collect()
    };
    // Dr A's own field, then those the register adds, in the order written.
    assert_eq!(keys(2), ["member-of", "director-of", "role"]);
    assert_eq!(keys(4), ["employed-by"]);
    // Named twice in the register, a field given again is given twice.
    assert_eq!(
        assure_diagnostic::render_plain(text, &diagnostics),
        "SCH006 18:1 \"role\": field `role` is given twice (help: keep one of the two) [14:1 first given here]\n"
    );
}

#[test]
fn sch001_unknown_section_recovers_as_the_nearest() {
    assert_snapshot!(check("# Organizations\n## A\nkind: ccg\n# Weather\n## B\nkind: sunny\n# People\n## P\nmember-of: A, B\n"), @r#"
    SCH001 1:3 "Organizations": unknown section `Organizations` (help: did you mean `# Organisations`?)
    SCH001 4:3 "Weather": unknown section `Weather` (help: the sections are: Case for change, Organisations, People, Register of interests, Contracts, Liabilities, Governance, Gateway, Risk, Funding)
    "#);
}

#[test]
fn sch002_unknown_fields_with_suggestions() {
    assert_snapshot!(check("modle: mcp\n# Organisations\nkind: ccg\n## A\nkind: ccg\nturnvoer: £1m/yr\nfavourite-colour: blue\n# Gateway\nsafe-to-lanch: pending\n"), @r####"
    SCH002 1:1 "modle": unknown field `modle` for the header (help: did you mean `model`?)
    SCH002 3:1 "kind": field `kind` in `# Organisations` is not under any entity (help: write it under the `## Name` heading of the entity it describes)
    SCH002 6:1 "turnvoer": unknown field `turnvoer` for an organisation (help: did you mean `turnover`?)
    SCH002 7:1 "favourite-colour": unknown field `favourite-colour` for an organisation (help: the fields here are: kind, turnover, established, list-size, owned-by, members, parent, guarantor, cqc-registered, quorum, control-total, governing-body)
    SCH002 9:1 "safe-to-lanch": unknown field `safe-to-lanch` for section `Gateway` (help: did you mean `safe-to-launch`?)
    "####);
}

#[test]
fn sch003_values_of_the_wrong_type() {
    assert_snapshot!(check("population: about 30,000\nlaunch: soon\n# Organisations\n## A\nkind: gp-company\nturnover: £4m\ncqc-registered: true\nowned-by: Dr P (most)\n# People\n## Dr P\nowns: A (all)\n# Contracts\n## C\nkind: alliance\nholder: A, Dr P\nsubcontractors: Dr P\nprocurement: tender\nterm: forever\n# Gateway\ncase-for-change: approved\ncontract-and-capability: pending 2017-01-01\n"), @r####"
    SCH003 1:13 "about 30,000": `population` must be a number, not `about 30,000` (help: write the number alone, e.g. `310,000`)
    SCH003 2:9 "soon": `launch` must be a date (YYYY-MM-DD), not `soon` (help: write a date as YYYY-MM-DD, e.g. `2017-04-01`)
    SCH003 6:11 "£4m": `turnover` must be an amount per year, not `£4m` (help: write `£4m/yr`)
    SCH003 7:17 "true": `cqc-registered` must be yes or no, not `true` (help: write `yes` or `no`)
    SCH003 8:17 "most": the qualifier in `owned-by` must be a percentage, not `most` (help: write a percentage, e.g. `40%`)
    SCH003 11:10 "all": the qualifier in `owns` must be a percentage, not `all` (help: write a percentage, e.g. `40%`)
    SCH003 15:9 "A, Dr P": `holder` takes one name, not a list of 2 (help: name one entity, or use `holders` for several)
    SCH003 16:17 "Dr P": `subcontractors` must name an organisation, but `Dr P` is a person
    SCH003 17:14 "tender": unknown value of `procurement`: `tender` (help: one of: competitive, direct-award, most-capable-provider, extension)
    SCH003 18:7 "forever": `term` must be a duration (e.g. 15 years), not `forever` (help: write a duration, e.g. `15 years`, `6 months` or `90 days`)
    SCH003 20:18 "approved": `approved` needs a date after it (help: write `approved YYYY-MM-DD`, e.g. `approved 2017-04-01`)
    SCH003 21:26 "pending 2017-01-01": `contract-and-capability` takes one word, not `pending 2017-01-01` (help: write `pending` alone)
    "####);
}

#[test]
fn sch004_missing_and_unknown_kinds() {
    assert_snapshot!(check("# Organisations\n## A\nturnover: £1m/yr\n## B\nkind: gp-practise\n## C\nkind: CCG\n# Liabilities\n## L\nkind: mortgage\n"), @r###"
    SCH004 2:1 "## A": organisation `A` has no `kind` (help: add `kind: ...`, one of: ccg, icb, nhs-england, combined-authority, nhs-trust, foundation-trust, gp-practice, gp-federation, gp-company, local-authority, private-company, social-enterprise, llp, joint-venture, pfi-company, regulator)
    SCH004 5:7 "gp-practise": unknown kind of an organisation: `gp-practise` (help: did you mean `gp-practice`?)
    SCH004 10:7 "mortgage": unknown kind of a liability: `mortgage` (help: one of: pfi, lease, loan)
    "###);
}

#[test]
fn sch005_entity_headings_outside_entity_sections() {
    assert_snapshot!(check("## Early\nkind: ccg\n# Case for change\n## Why\nwhy-this-model: because\n"), @r###"
    SCH005 1:1 "## Early": entity heading `## Early` is outside an entity section (help: entities are written under `# Organisations`, `# People`, `# Register of interests`, `# Contracts`, `# Liabilities`)
    SCH005 4:1 "## Why": entity heading `## Why` is outside an entity section (help: entities are written under `# Organisations`, `# People`, `# Register of interests`, `# Contracts`, `# Liabilities`)
    "###);
}

#[test]
fn sch006_a_field_given_twice() {
    assert_snapshot!(check("model: mcp\nmodel: pacs\n# Organisations\n## A\nkind: ccg\nquorum: 3\nkind: icb\nquorum: 4\n"), @r####"
    SCH006 2:1 "model": field `model` is given twice (help: keep one of the two) [1:1 first given here]
    SCH006 7:1 "kind": field `kind` is given twice (help: keep one of the two) [5:1 first given here]
    SCH006 8:1 "quorum": field `quorum` is given twice (help: keep one of the two) [6:1 first given here]
    "####);
}

#[test]
fn ref001_references_to_nothing() {
    assert_snapshot!(check("commissioner: Dudley CGG\n# Organisations\n## Dudley CCG\nkind: ccg\n## Trust\nkind: nhs-trust\nowned-by: Nobody At All (10%), Dudley CCG (90%)\n"), @r####"
    REF001 1:15 "Dudley CGG": reference to `Dudley CGG`, which is not defined (help: did you mean `Dudley CCG`?)
    REF001 7:11 "Nobody At All": reference to `Nobody At All`, which is not defined (help: define it with a `## Nobody At All` heading)
    "####);
}

#[test]
fn ref002_duplicate_names_label_both_headings() {
    assert_snapshot!(check("# Organisations\n## Dudley CCG\nkind: ccg\n# People\n## dudley   ccg\n"), @r####"REF002 5:1 "## dudley   ccg": `dudley ccg` is defined twice (help: give each entity its own name, or merge the two) [2:1 first defined here]"####);
}

#[test]
fn syn002_impossible_values() {
    assert_snapshot!(check("population: 31,00\nas-of: 2017-02-30\n# Organisations\n## A\nkind: gp-company\nturnover: £99999999999999bn/yr\nestablished: 2017-13\n# Contracts\n## C\nkind: other\nterm: 0.5 months\nvalue: £0.001\n# Gateway\ncase-for-change: approved 2015-02-29\n"), @r####"
    SYN002 1:13 "31,00": `31,00` has bad digit grouping: a comma separates thousands, so groups after it have three digits
    SYN002 2:8 "2017-02-30": `2017-02-30` is not a real date: February 2017 has 28 days
    SYN002 6:11 "£99999999999999bn/yr": `£99999999999999bn/yr` is too large an amount to hold exactly
    SYN002 7:14 "2017-13": `2017-13` is not a real date: there is no month 13
    SYN002 11:7 "0.5 months": `0.5 months` is not a whole number of months
    SYN002 12:8 "£0.001": `£0.001` is not a whole number of pence
    SYN002 14:27 "2015-02-29": `2015-02-29` is not a real date: February 2015 has 28 days
    "####);
}

#[test]
fn syn001_in_values() {
    assert_snapshot!(check("# Organisations\n## A\nkind: gp-company\nturnover: £4x/yr\nowned-by: B (40%\n"), @r####"
    SYN001 4:11 "£4x/yr": malformed amount `£4x/yr` (help: write amounts like `£4m`, `£4.5m/yr`, `£1.2bn`, `£350,000` or `GBP 12k`)
    SYN001 5:13 "(": `(` is never closed (help: close the qualifier with `)`)
    "####);
}

#[test]
fn names_with_parentheses_and_commas() {
    let text = "# Organisations\n## Shay Lane Medical Centre (Kelman)\nkind: gp-practice\n## Smith, Jones & Co\nkind: private-company\n## Group\nkind: gp-company\nowned-by: Shay Lane Medical Centre (Kelman) (60%), Smith, Jones & Co (40%)\nmembers: Shay Lane Medical Centre (Kelman), Smith, Jones & Co\n";
    assert_eq!(check(text), "");
    let (model, _) = model(text);
    let shares: Vec<String> = model
        .fields(EntityId(2))
        .iter()
        .filter_map(|f| match &f.value {
            Value::Refs(refs) => Some(
                model
                    .references(refs)
                    .iter()
                    .map(|r| {
                        let q = r
                            .qualifier()
                            .map(|q| format!(" ({:?})", q.value))
                            .unwrap_or_default();
                        format!("{}{q}", r.name(text))
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
            _ => None,
        })
        .collect();
    assert_snapshot!(shares.join("\n"), @r####"
    Shay Lane Medical Centre (Kelman) (Percent(60)) | Smith, Jones & Co (Percent(40))
    Shay Lane Medical Centre (Kelman) | Smith, Jones & Co
    "####);
}

#[test]
fn ownership_cycles_are_just_edges() {
    let text = "# Organisations\n## A\nkind: llp\nowned-by: B (100%)\n## B\nkind: llp\nowned-by: A (100%)\nparent: B\n";
    let (model, diagnostics) = model(text);
    assert!(diagnostics.is_empty());
    assert_eq!(model.graph().edge_count(), 3);
}

#[test]
fn a_proposal_larger_than_a_block_is_typed_as_one() {
    // Entities are typed in blocks (on several threads when there are
    // several); names resolve across blocks and findings come out in
    // source order, as for a small proposal.
    let mut text = String::from("# Organisations\n");
    for i in 0..40_000 {
        text.push_str(&format!("## Org {i}\nkind: ccg\n"));
        match i {
            20_000 => text.push_str("parent: Org 1\n"),
            30_000 => text.push_str("parent: Org Nowhere\n"),
            35_000 => text.push_str("colour: blue\n"),
            _ => {}
        }
    }
    text.push_str("## org 5\nkind: ccg\nparent: ORG  39999\n");
    let (model, diagnostics) = model(&text);
    let index = LineIndex::new(&text);
    let found: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let line = index.line_col(&text, d.span.start).line;
            format!("{} {line} {}", d.code, d.message)
        })
        .collect();
    assert_eq!(
        found,
        [
            "REF001 60005 reference to `Org Nowhere`, which is not defined",
            "SCH002 70006 unknown field `colour` for an organisation",
            "REF002 80005 `org 5` is defined twice",
        ]
    );
    let parent = CORE
        .fields_of(assure_vocab::Owner::Entity(model.entity(EntityId(0)).ty))
        .get("parent")
        .unwrap();
    let model = &model;
    let targets: Vec<(u32, u32)> = model
        .entity_ids()
        .flat_map(|id| {
            model
                .outgoing(model.node(id), parent)
                .map(move |(to, _)| (id.0, model.entity_at(to).unwrap().0))
        })
        .collect();
    assert_eq!(targets, [(20_000, 1), (40_000, 39_999)]);
    assert_eq!(model.lookup("ORG 20000").map(|id| id.0), Some(20_000));
}

#[test]
fn field_values_find_every_field_inline_or_past_the_inline_ids() {
    use crate::{FieldValue, FieldValues};
    use assure_diagnostic::Span;
    use assure_vocab::FieldId;
    // Twelve fields (more than are held inline), one with an id too large
    // for an inline slot and one with the id that marks an empty slot.
    let ids = [3, 1, 70_000, 255, 9, 4, 2, 8, 100, 6, 7, 0];
    let values: Vec<FieldValue<'_>> = ids
        .iter()
        .enumerate()
        .map(|(at, &id)| FieldValue {
            field: FieldId(id),
            key: Span::empty(at as u32),
            value_span: Span::empty(at as u32),
            value: Value::Bool(true),
        })
        .collect();
    let all = FieldValues::new(&values);
    for (at, &id) in ids.iter().enumerate() {
        let found = all.get(FieldId(id)).map(|f| f.key.start);
        assert_eq!(found, Some(at as u32), "field {id}");
    }
    for absent in [5, 254, 256, 70_001, u32::MAX] {
        assert_eq!(all.get(FieldId(absent)), None, "field {absent}");
    }
    // Few enough to be all inline: an absent id is known absent, a large
    // one still found.
    let few = FieldValues::new(&values[..4]);
    assert_eq!(few.get(FieldId(9)), None);
    assert_eq!(few.get(FieldId(70_000)).map(|f| f.key.start), Some(2));
    assert_eq!(few.get(FieldId(255)).map(|f| f.key.start), Some(3));
    assert_eq!(FieldValues::new(&[]).get(FieldId(0)), None);
}

#[test]
fn links_and_graph_list_every_reference_by_node_and_field_in_source_order() {
    // Large enough for typing in blocks on several threads, with several
    // fields, repeated targets and cycles. A name given again in a list
    // without a qualifier is one edge (and REF003); with one, two.
    let count: usize = 20_000;
    let mut text = String::from("# Organisations\n");
    // The edges the text makes, in source order: (from, field, to) by
    // entity index and field name.
    let mut written = Vec::new();
    let mut repeats = 0;
    for i in 0..count {
        let (a, b) = ((i * 7 + 1) % count, (i * 13 + 5) % count);
        text.push_str(&format!(
            "## Org {i}\nkind: ccg\nowned-by: Org {a} (50%), Org {b} (50%)\nmembers: Org {b}, Org {a}, Org {b}\nparent: Org {a}\n"
        ));
        let members: &[usize] = if a == b { &[b] } else { &[b, a] };
        repeats += 3 - members.len();
        let edges = [("owned-by", a), ("owned-by", b)]
            .into_iter()
            .chain(members.iter().map(|&to| ("members", to)))
            .chain([("parent", a)]);
        for (field, to) in edges {
            written.push((i, field, to));
        }
    }
    let (model, diagnostics) = model(&text);
    let codes: Vec<&str> = diagnostics.iter().map(|d| &*d.code).collect();
    assert_eq!(codes, vec!["REF003"; repeats.min(1_000) + 1]);
    let fields = CORE.fields_of(assure_vocab::Owner::Entity(model.entity(EntityId(0)).ty));
    let node = |entity: usize| petgraph::graph::NodeIndex::new(entity + 1);
    let mut outgoing = std::collections::BTreeMap::<_, Vec<_>>::new();
    let mut incoming = std::collections::BTreeMap::<_, Vec<_>>::new();
    let graph = model.graph();
    assert_eq!(graph.edge_count(), written.len());
    assert_eq!(model.edge_count(), written.len());
    for (index, &(from, field, to)) in written.iter().enumerate() {
        let edge = petgraph::graph::EdgeIndex::new(index);
        let field = fields.get(field).unwrap();
        assert_eq!(graph.edge_endpoints(edge), Some((node(from), node(to))));
        assert_eq!(graph[edge].field, field);
        assert_eq!(model.edge(edge), Some(&graph[edge]));
        outgoing
            .entry((node(from), field))
            .or_default()
            .push((edge, node(to)));
        incoming
            .entry((node(to), field))
            .or_default()
            .push((edge, node(from)));
    }
    let listed = |links: &[crate::Link]| -> Vec<_> {
        links.iter().map(|link| (link.edge, link.other)).collect()
    };
    let links = model.links();
    for node in graph.node_indices() {
        for field in ["owned-by", "members", "parent", "kind"] {
            let field = fields.get(field).unwrap();
            let key = (node, field);
            let none = Vec::new();
            assert_eq!(
                &listed(links.outgoing(node, field)),
                outgoing.get(&key).unwrap_or(&none)
            );
            assert_eq!(
                &listed(links.incoming(node, field)),
                incoming.get(&key).unwrap_or(&none)
            );
        }
    }
}

/// A proposal whose organisation `F` lists `items`, after `A`, `B` and
/// `Smith, Jones & Co` are defined, and whose contract `K` names `holder`.
fn long_list(items: &[&str], holder: &str) -> String {
    format!(
        "# Organisations\n## A\nkind: gp-practice\n## B\nkind: gp-practice\n## Smith, Jones & Co\nkind: gp-practice\n## F\nkind: gp-federation\nmembers: {}\n# Contracts\n## K\nkind: alliance\nholder: {holder}\n",
        items.join(", ")
    )
}

/// Each reference of the first list-valued field of `entity`: its name,
/// its target's name and the text of its whole item.
fn references_of(model: &Model<'_>, entity: EntityId) -> Vec<String> {
    let Some(refs) = model.fields(entity).iter().find_map(|f| match &f.value {
        Value::Refs(refs) => Some(refs),
        _ => None,
    }) else {
        return Vec::new();
    };
    model
        .references(refs)
        .iter()
        .map(|r| {
            let target = r.target().map_or("-", |t| model.entity(t).name);
            let item = r.span().text(model.source());
            format!("{} -> {target} at {item:?}", r.name(model.source()))
        })
        .collect()
}

#[test]
fn a_long_list_is_typed_a_window_at_a_time_as_a_short_one_is_whole() {
    // Lexed 4,096 items at a time, each window leaving its last three to
    // the next: a name spread over two items resolved with the items left,
    // a name unknown, and a name spread over the cut between two windows.
    let mut items = vec!["A"; 10_000];
    items[4092] = "Smith, Jones & Co";
    items[4093] = "Nowhere";
    items[4094] = "Smith, Jones & Co";
    items[9_999] = "B";
    let text = long_list(&items, "A");
    let column = text.lines().nth(9).unwrap().find("Nowhere").unwrap() + 1;
    let found = check(&text);
    let (repeats, others): (Vec<&str>, Vec<&str>) =
        found.lines().partition(|line| line.starts_with("REF003"));
    assert_eq!(
        others,
        [format!(
            "REF001 10:{column} \"Nowhere\": reference to `Nowhere`, which is not defined (help: define it as `## Nowhere` under `# Organisations`)"
        )]
    );
    // Every `A` after the first, and the second `Smith, Jones & Co`.
    assert_eq!(repeats.len(), 101);
    assert!(
        repeats[100].contains("(and 9895 more REF003 findings in `members` after it, not listed: a list lists the first 100)"),
        "{}",
        repeats[100]
    );
    let (model, _) = model(&text);
    let references = references_of(&model, EntityId(3));
    assert_eq!(references.len(), 10_000);
    assert_eq!(
        references[4091..4096],
        [
            "A -> A at \"A\"",
            "Smith, Jones & Co -> Smith, Jones & Co at \"Smith, Jones & Co\"",
            "Nowhere -> - at \"Nowhere\"",
            "Smith, Jones & Co -> Smith, Jones & Co at \"Smith, Jones & Co\"",
            "A -> A at \"A\"",
        ]
    );
    assert_eq!(references[9_999], "B -> B at \"B\"");
}

#[test]
fn a_problem_late_in_a_long_list_leaves_it_untyped_as_in_a_short_one() {
    // The windows before the empty item were resolved, with a finding for
    // `Nowhere`: taken back, as a short list with a problem is not typed.
    let mut items = vec!["A"; 9_000];
    items[10] = "Nowhere";
    items[8_000] = "";
    let text = long_list(&items, "A");
    let column = text.lines().nth(9).unwrap().find(", ,").unwrap() + 3;
    assert_eq!(
        check(&text),
        format!("SYN001 10:{column} \",\": empty item in a list (help: remove the extra comma)\n")
    );
    let (model, _) = model(&text);
    assert_eq!(references_of(&model, EntityId(3)), Vec::<String>::new());
}

#[test]
fn a_long_list_where_one_name_is_wanted_is_counted_whole() {
    let items = vec!["A"; 5_000].join(", ");
    let text = long_list(&["A"], &items);
    let (_, diagnostics) = model(&text);
    let found: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d.code.to_string(),
                d.span.text(&text) == items,
                d.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [(
            "SCH003".to_owned(),
            true,
            "`holder` takes one name, not a list of 5000"
        )]
    );
}

#[test]
fn a_reference_takes_24_bytes() {
    // A proposal may hold millions: what most lack is boxed (see
    // `Reference`), and the memory test of `assure-check` counts on it.
    assert_eq!(size_of::<crate::Reference<'_>>(), 24);
}

#[test]
fn a_list_lists_its_first_hundred_findings_and_counts_the_rest() {
    // A line of millions of names that name nothing would otherwise hold
    // millions of findings: past the first hundred, one per code says how
    // many from its place on.
    let mut items = vec!["Nowhere"; 150];
    items.extend(["K", "K", "K", "A"]);
    let text = long_list(&items, "A");
    let (_, diagnostics) = model(&text);
    // `members: ` and each item before with its `, `.
    let column = |item: usize| 10 + items[..item].iter().map(|i| i.len() + 2).sum::<usize>();
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let at = LineIndex::new(&text).line_col(&text, d.span.start);
            format!("{} {}:{} {}", d.code, at.line, at.column, d.message)
        })
        .collect();
    assert_eq!(rendered.len(), 102, "{rendered:#?}");
    assert_eq!(
        rendered[99],
        format!(
            "REF001 10:{} reference to `Nowhere`, which is not defined",
            column(99)
        )
    );
    assert_eq!(
        rendered[100..],
        [
            format!(
                "REF001 10:{} reference to `Nowhere`, which is not defined (and 49 more REF001 findings in `members` after it, not listed: a list lists the first 100)",
                column(100)
            ),
            format!(
                "SCH003 10:{} `members` must name an organisation, but `K` is a contract (and 2 more SCH003 findings in `members` after it, not listed: a list lists the first 100)",
                column(150)
            ),
        ]
    );
}

#[test]
fn a_file_lists_each_codes_first_thousand_findings_over_every_typing_block() {
    // 20,000 entities, typed 16,384 at a time, each with a field of no
    // meaning: the first 1,000 are listed, the 1,001st says how many more.
    let entity = "## E{}\nkind: ccg\nzz: 1\n";
    let text: String = std::iter::once("# Organisations\n".to_owned())
        .chain((0..20_000).map(|i| entity.replace("{}", &i.to_string())))
        .collect();
    let (_, diagnostics) = model(&text);
    let unknown: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| &*d.code == "SCH002")
        .collect();
    assert_eq!(unknown.len(), 1_001);
    let key_of = |entity: usize| {
        let heading = text.find(&format!("## E{entity}\n")).unwrap();
        let key = heading + text[heading..].find("zz").unwrap();
        (key as u32, key as u32 + 2)
    };
    let span = |d: &Diagnostic| (d.span.start, d.span.end);
    assert_eq!(span(unknown[999]), key_of(999));
    assert_eq!(span(unknown[1_000]), key_of(1_000));
    assert_eq!(
        unknown[1_000].message,
        "unknown field `zz` for an organisation (and 18999 more SCH002 findings after it, not listed: a file lists the first 1000 of each code)"
    );
}

#[test]
fn one_entity_of_many_bad_fields_lists_the_first_thousand() {
    let text = format!(
        "# Organisations\n## A\nkind: ccg\n{}",
        "quorum: 3\n".repeat(1_500)
    );
    let (_, diagnostics) = model(&text);
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 1_001);
    assert_eq!(messages[0], "field `quorum` is given twice");
    assert_eq!(
        messages[1_000],
        "field `quorum` is given twice (and 498 more SCH006 findings after it, not listed: a file lists the first 1000 of each code)"
    );
}

#[test]
fn ref003_an_entity_named_again_in_one_list_is_one_link() {
    // With a qualifier each time, `X` is named twice on purpose (two
    // shares): two links. Without one, the repeat is one link and REF003,
    // labelled where it was named first, mended by removing it.
    let text = "# Organisations\n## X\nkind: ccg\n## Y\nkind: gp-federation\nowned-by: X (40%), X, X (60%), X\nmembers: X, X\n";
    assert_snapshot!(check(text), @r#"
    REF003 6:32 "X": `X` is named again in `owned-by` (help: name each entity once, or name the one that was meant) [6:20 named first here]
    REF003 7:13 "X": `X` is named again in `members` (help: name each entity once, or name the one that was meant) [7:10 named first here]
    "#);
    let (model, diagnostics) = model(text);
    assert_eq!(model.edge_count(), 4);
    let (fixed, _) = assure_diagnostic::apply(text, &[&diagnostics[0].fixes[0]]);
    assert!(fixed.contains("owned-by: X (40%), X, X (60%)\n"), "{fixed}");
}
