//! Tests of the language and the default pack, in the `check(input, expect)`
//! style: each renders findings as `line CODE message` and compares.

use super::*;
use assure_diagnostic::LineIndex;

fn render_pack_errors(errors: &[PackErrors]) -> String {
    errors
        .iter()
        .map(|pack| assure_diagnostic::render_plain(&pack.text, &pack.diagnostics))
        .collect()
}

fn default_rules() -> RuleSet {
    match RuleSet::default_set() {
        Ok(set) => set,
        Err(errors) => panic!(
            "the default pack does not load:\n{}",
            render_pack_errors(&errors)
        ),
    }
}

/// The default pack and `text` (named `path`) loaded together.
fn with_default_pack(path: &str, text: String) -> RuleSet {
    let sources = [
        default_pack(),
        PackSource {
            path: path.into(),
            text,
        },
    ];
    load(&sources, Vocabulary::core(), &Settings::default()).unwrap()
}

fn lint_with(set: &RuleSet, proposal: &str) -> String {
    let parse = assure_syntax::parse(proposal);
    let (model, _) = assure_model::build(proposal, parse.file, &set.vocabulary);
    let evaluation = set.evaluate(&model, &Options::default());
    let index = LineIndex::new(proposal);
    let mut findings = evaluation.findings;
    findings.sort_by_key(|f| (f.diagnostic.span.start, f.diagnostic.code.clone()));
    let mut out = String::new();
    for f in findings {
        let d = &f.diagnostic;
        out.push_str(&format!(
            "{} {} {}\n",
            index.line_col(proposal, d.span.start).line,
            d.code,
            d.message
        ));
        for label in &d.labels {
            out.push_str(&format!(
                "  {} {}\n",
                index.line_col(proposal, label.span.start).line,
                label.message
            ));
        }
    }
    out
}

#[test]
fn default_pack_loads() {
    let set = default_rules();
    assert_eq!(
        set.stages.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        [
            "case-for-change",
            "contract-and-capability",
            "safe-to-launch"
        ]
    );
    // Every rule written in the pack is loaded, each code once.
    assert_eq!(set.rules.len(), DEFAULT_PACK.matches("[[rules]]").count());
    let mut codes: Vec<&str> = set.rules.iter().map(|r| r.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), set.rules.len());
}

fn lint_fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/{name}.proposal",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("the shared examples are in fixtures/");
    lint_with(&default_rules(), &text)
}

#[test]
fn hampshire_v1_fails_five_rules() {
    insta::assert_snapshot!(lint_fixture("hampshire-mcp"), @"
    5 CFC003 the population is given as 180,000, but the practices' list sizes add up to 161,500, which differs by more than 5%
      35 Lyndhurst Surgery: 62,000
      39 Totton Health Centre: 58,500
      43 New Milton Practice: 41,000
    59 FAIL001 Mid Hampshire MCP contract is a care-model contract with no failure regime (a risk share is not enough)
    63 CAP002 Mid Hampshire GP Federation was established 18 months before the contract starts (2015-10-01 to 2017-04-01), short of the minimum track record of 2 years, and no guarantor or parent covers the annual value
      29 established here
    66 CAP001 the contract is worth £150m/yr, 16.67 times the turnover of Mid Hampshire GP Federation (£9m/yr); the limit is 10 times
      28 the turnover of Mid Hampshire GP Federation
    81 PFI002 Lymington Hospital PFI runs for 22 years more, but passes to the holder of Mid Hampshire MCP contract, which runs for only 10 years
      67 Mid Hampshire MCP contract runs for 10 years
    84 PFI001 Lymington Hospital PFI would pass to Mid Hampshire GP Federation, which is not an NHS trust, foundation trust or local authority, and nothing behind it is a trust or has a turnover of 10 times the annual charge of £6m/yr
    ");
}

#[test]
fn hampshire_v2_resolves_them() {
    // All but one: the 2016 newsletters ask for a failure regime beside the
    // risk share, and neither version plans for the provider's failure.
    assert_eq!(
        lint_fixture("hampshire-mcp-v2"),
        "59 FAIL001 Mid Hampshire MCP contract is a care-model contract with no failure regime (a risk share is not enough)\n"
    );
}

#[test]
fn dudley_launches_too_soon() {
    insta::assert_snapshot!(lint_fixture("dudley-mcp"), @"7 GATE002 launch on 2017-04-01 is too soon: 2 gateway stages still pending need about 8 months from 2016-09-30, so not before 2017-05-30");
}

#[test]
fn cambridgeshire_lead_provider() {
    insta::assert_snapshot!(lint_fixture("cambridgeshire-older-people"), @"
    35 FAIL001 Older people and adult community services contract is a care-model contract with no risk share and no failure regime
    40 CAP002 UnitingCare Partnership LLP was established 5 months before the contract starts (2014-11-01 to 2015-04-01), short of the minimum track record of 2 years, and no guarantor or parent covers the annual value
      28 established here
    40 CAP003 UnitingCare Partnership LLP holds a care-model contract but gives no turnover, so its capacity to hold the contract (CAP001) cannot be judged
    43 EVAL002 CAP001 (contract-dwarfs-holder) could not be assessed for `Older people and adult community services contract`: it needs the `turnover` of every holder
    ");
}

#[test]
fn tower_hamlets_conflicts() {
    insta::assert_snapshot!(lint_fixture("tower-hamlets-community"), @"
    16 COI003 Tower Hamlets CCG needs 5 members to be quorate, but once its 3 conflicted members (Dr Amira Khan, Dr Ben Cole and Dr Daniel Price) step out only 4 of the 7 listed under `# People` remain
      39 conflicted
      47 conflicted
      61 conflicted
    47 COI001 Dr Ben Cole sits on Tower Hamlets CCG, which commissions Community health services contract, and has an interest in Tower Hamlets GP Care Group CIC on its provider side through their partnership in Limehouse Practice, with no conflict-plan
      49 member of the commissioner
      50 interest
    54 COI002 Dr Chloe Adeyemi sits on Tower Hamlets CCG and has interests in Whitechapel Health Centre, but has not declared them
      56 member of the commissioner
      57 interest
    61 COI001 Dr Daniel Price sits on Tower Hamlets CCG, which commissions Community health services contract, and has an interest in Tower Hamlets GP Care Group CIC on its provider side through their employment by Tower Hamlets GP Care Group CIC, with no conflict-plan
      63 member of the commissioner
      64 interest
    61 COI002 Dr Daniel Price sits on Tower Hamlets CCG and has interests in Tower Hamlets GP Care Group CIC, but has not declared them
      63 member of the commissioner
      64 interest
    ");
}

#[test]
fn every_rule_has_examples_that_behave() {
    let set = default_rules();
    for rule in &set.rules {
        assert!(
            rule.examples.fail.is_some() && rule.examples.pass.is_some(),
            "{} lacks an example",
            rule.code
        );
    }
    assert_eq!(set.check_examples(None), []);
}

/// Loads `pack` after the default one, and renders its problems.
fn load_errors(pack: &str) -> String {
    let sources = [
        default_pack(),
        PackSource {
            path: "test.toml".into(),
            text: pack.into(),
        },
    ];
    match load(&sources, Vocabulary::core(), &Settings::default()) {
        Ok(_) => "loaded\n".to_owned(),
        Err(errors) => render_pack_errors(&errors),
    }
}

const HEAD: &str = "[pack]\nname = \"test\"\nversion = \"1\"\n";

/// Every pack of `fixtures/packs/` loaded after the default one: its
/// problems must be exactly those written beside it, in `NAME.expected`.
/// `ASSURE_BLESS=1` writes the files instead, for a deliberate change.
#[test]
fn fixture_packs_give_the_diagnostics_written_beside_them() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/packs");
    let bless = std::env::var_os("ASSURE_BLESS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/packs exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let expected_path = path.with_extension("expected");
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => {}
            Some("expected") if !path.with_extension("toml").exists() => {
                wrong.push(format!("{name}: no pack beside it"));
                continue;
            }
            _ => continue,
        }
        let text = std::fs::read_to_string(path).expect("a fixture pack is UTF-8");
        let rendered = load_errors(&text);
        checked += 1;
        if bless {
            std::fs::write(&expected_path, &rendered).expect("writes the expectation");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if rendered != expected {
            wrong.push(format!(
                "{name}:\n--- expected\n{expected}--- found\n{rendered}"
            ));
        }
    }
    assert!(
        checked >= 10,
        "found only {checked} fixture packs in {}",
        dir.display()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_example_of_each_pack_code_gives_it() {
    let mut checked = 0;
    for info in codes::ALL {
        if info.scope != codes::Scope::Pack {
            continue;
        }
        let Some((language, example)) = info.example() else {
            continue;
        };
        assert_eq!(language, "toml", "{}", info.code);
        let rendered = load_errors(example);
        assert!(
            rendered.starts_with(&format!("{} ", info.code)),
            "{}: {rendered}",
            info.code
        );
        checked += 1;
    }
    // PACK006 is found by running a loaded pack's examples, not by loading.
    assert_eq!(checked, 6);
}

#[test]
fn a_pack_adds_a_rule_a_parameter_and_a_field_without_rust() {
    let pack = r#"
[pack]
name = "local"
version = "0.1.0"

[vocabulary.entities.organisation.fields]
ofsted-rating = { enum = ["outstanding", "good", "requires-improvement", "inadequate"], doc = "the latest Ofsted rating" }
beds = { type = "number" }

[[rules]]
code = "LOC001"
name = "too-few-beds"
stage = "safe-to-launch"
severity = "warning"
summary = "A provider with a poor Ofsted rating needs enough beds."
source = "local policy"
for = "o in organisations"
when = 'o.ofsted-rating in ["requires-improvement", "inadequate"] and o.beds < param.min_beds'
message = "{o.name} is rated {o.ofsted-rating} and has {o.beds} beds, fewer than {param.min_beds}"
primary = "o.beds"
labels = [{ at = "o.ofsted-rating", message = "rated here" }]
[rules.params.min_beds]
default = 20
"#;
    let sources = [
        default_pack(),
        PackSource {
            path: "local.toml".into(),
            text: pack.into(),
        },
    ];
    let set = match load(&sources, Vocabulary::core(), &Settings::default()) {
        Ok(set) => set,
        Err(errors) => panic!("{}", render_pack_errors(&errors)),
    };
    let proposal = "proposal: Example\nmodel: other\n# Organisations\n\n## Care Home\nkind: private-company\nofsted-rating: inadequate\nbeds: 12\n\n## Other Home\nkind: private-company\nofsted-rating: good\nbeds: 2\n";
    insta::assert_snapshot!(lint_with(&set, proposal), @"
    8 LOC001 Care Home is rated inadequate and has 12 beds, fewer than 20
      7 rated here
    ");
    let settings = Settings {
        params: vec![("min_beds".into(), Val::Number(10.into()))],
    };
    let set = load(&sources, Vocabulary::core(), &settings).unwrap();
    assert_eq!(lint_with(&set, proposal), "");
}

/// A closure whose step reads something of the binding (here the
/// organisation the rule is about) is not shared between bindings: each
/// walk starts from A and leaves out the organisation it is for. One whose
/// step reads only its parameter is shared, and gives the same lists.
#[test]
fn closures_are_shared_only_when_their_step_reads_nothing_else() {
    let pack = format!(
        "{HEAD}{}",
        r#"
[[rules]]
code = "CYC002"
name = "cycle-without-me"
stage = "case-for-change"
severity = "info"
summary = "s"
source = "s"
for = "o in organisations"
let.others = "closure(first(organisations), x => [y for y in referrers(x, owned-by) if y != o])"
let.all = "closure(o, x => referrers(x, owned-by))"
when = "true"
message = "{o.name}: others {others}; all {all}"
"#
    );
    let set = with_default_pack("cycle.toml", pack);
    let proposal = "proposal: Cycle\nmodel: other\n# Organisations\n\n## A\nkind: llp\nowned-by: C\n\n## B\nkind: llp\nowned-by: A\n\n## C\nkind: llp\nowned-by: B\n";
    insta::assert_snapshot!(lint_with(&set, proposal), @"
    5 CYC002 A: others A, B and C; all A, B and C
    9 CYC002 B: others A; all A, B and C
    13 CYC002 C: others A and B; all A, B and C
    ");
}

#[test]
fn traversals_end_on_cycles() {
    let pack = format!(
        "{HEAD}{}",
        r#"
[[rules]]
code = "CYC001"
name = "cycle"
stage = "case-for-change"
severity = "info"
summary = "s"
source = "s"
for = "o in organisations"
let.reach = "closure(o, x => referrers(x, owned-by) + list(x.parent))"
when = "count(reach) > 1"
message = "{o.name} reaches {reach}"
"#
    );
    let set = with_default_pack("cycle.toml", pack);
    let proposal = "proposal: Cycle\nmodel: other\n# Organisations\n\n## A\nkind: llp\nowned-by: B (100%)\n\n## B\nkind: llp\nowned-by: A (100%)\nparent: A\n";
    insta::assert_snapshot!(lint_with(&set, proposal), @"
    5 CYC001 A reaches A and B
    9 CYC001 B reaches A and B
    ");
}

#[test]
fn traversals_and_unique_list_each_entity_once_however_long_the_list() {
    // Lists up to 16 long are kept distinct by a scan, longer ones by a
    // hash set: `Big` has 40 children, some of which it also part-owns, the
    // repeats coming after the list has grown past the scan.
    let set = slow_rule(
        "DIST001",
        r#"for = "o in organisations"
let.children = "referrers(o, parent, owned-by)"
let.again = "unique(referrers(o, parent) + referrers(o, owned-by) + referrers(o, parent))"
let.below = "closure(o, x => referrers(x, parent, owned-by))"
when = "count(children) > 0"
message = "{o.name}: {count(children)} {count(again)} {count(below)}""#,
    );
    let mut proposal = String::from(
        "proposal: Big\n\n# Organisations\n\n## Big\nkind: llp\n\n## Small\nkind: llp\n",
    );
    for i in 0..40 {
        proposal.push_str(&format!("\n## Child {i}\nkind: llp\nparent: Big\n"));
        if i % 3 == 0 {
            proposal.push_str("owned-by: Big (10%)\n");
        }
    }
    for i in 0..5 {
        proposal.push_str(&format!(
            "\n## Small child {i}\nkind: llp\nparent: Small\nowned-by: Small (1%)\n"
        ));
    }
    insta::assert_snapshot!(lint_with(&set, &proposal), @"
    5 DIST001 Big: 40 40 41
    8 DIST001 Small: 5 5 6
    ");
}

/// A pack of one slow info rule, `code`, in the first stage, whose other
/// keys are `body`.
fn slow_rule(code: &str, body: &str) -> RuleSet {
    let pack = format!(
        "{HEAD}[[stages]]\nid = \"case-for-change\"\n\n[[rules]]\ncode = \"{code}\"\nname = \"slow\"\n\
         stage = \"case-for-change\"\nseverity = \"info\"\nsummary = \"s\"\nsource = \"s\"\n{body}\n"
    );
    let sources = [PackSource {
        path: "slow.toml".into(),
        text: pack,
    }];
    load(&sources, Vocabulary::core(), &Settings::default()).unwrap()
}

/// A proposal of `count` organisations.
fn organisations(count: usize) -> String {
    let mut proposal = String::from("proposal: Big\n\n# Organisations\n");
    for i in 0..count {
        proposal.push_str(&format!("\n## Org {i}\nkind: llp\n"));
    }
    proposal
}

#[test]
fn evaluation_is_bounded_by_fuel() {
    let set = slow_rule(
        "SLOW001",
        r#"let.big = "[a for a in organisations for b in organisations for c in organisations for d in organisations]"
when = "count(big) > 0"
message = "{count(big)}""#,
    );
    insta::assert_snapshot!(lint_with(&set, &organisations(60)), @"1 EVAL001 rule SLOW001 stopped after 5120000 steps, so it was not fully assessed");
}

#[test]
fn findings_made_before_the_fuel_ran_out_are_kept_and_none_after() {
    // Each organisation costs about a million steps; the budget runs out
    // part way through the list.
    let set = slow_rule(
        "SLOW002",
        r#"for = "o in organisations"
let.work = "count([a for a in organisations for b in organisations])"
when = "work > 0"
message = "{o.name}""#,
    );
    insta::assert_snapshot!(lint_with(&set, &organisations(500)), @"
    1 EVAL001 rule SLOW002 stopped after 6000000 steps, so it was not fully assessed
    5 SLOW002 Org 0
    8 SLOW002 Org 1
    11 SLOW002 Org 2
    14 SLOW002 Org 3
    ");
}

#[test]
fn labels_are_capped() {
    let mut proposal =
        String::from("proposal: Many\nmodel: other\npopulation: 1,000,000\n\n# Organisations\n");
    for i in 0..20 {
        proposal.push_str(&format!(
            "\n## Practice {i}\nkind: gp-practice\nlist-size: 1,000\n"
        ));
    }
    let out = lint_with(&default_rules(), &proposal);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1 + MAX_LABELS, "{out}");
    assert_eq!(
        lines[MAX_LABELS],
        "  69 Practice 15: 1,000 (and 4 more like it)"
    );
}

#[test]
fn a_toml_value_is_read_as_a_parameter_the_same_way_for_packs_and_configurations() {
    use crate::{TomlConstant, read_constant};
    let source = "a = 12\nb = 0.5\nc = true\nd = \"5%\"\ne = 1e400\nf = [1]\ng = 99999999999999999999999999999999\n";
    let (document, errors) = assure_toml_reader::parse(source);
    let read: Vec<String> = document
        .get_ref()
        .iter()
        .map(|(key, value)| {
            let read = match read_constant(value, &format!("`{}`", key.get_ref())) {
                TomlConstant::Value(constant) => format!("value {constant:?}"),
                TomlConstant::Text(text) => format!("text {text}"),
                TomlConstant::Problem(problem) => format!("problem: {problem}"),
            };
            format!("{}: {read}", key.get_ref())
        })
        .collect();
    assert!(errors.is_empty());
    insta::assert_snapshot!(read.join("\n"), @r"
    a: value Number(12)
    b: value Number(0.5)
    c: value Bool(true)
    d: text 5%
    e: problem: `e` is not a decimal number
    f: problem: `f` must be a number or a string, not an array
    g: problem: `g` is too large
    ");
}

/// `count` lets, each adding one to the one before.
fn chained_lets(count: usize) -> String {
    let mut body = String::from("let.x0 = \"1\"\n");
    for i in 1..count {
        body.push_str(&format!("let.x{i} = \"x{} + 1\"\n", i - 1));
    }
    body.push_str(&format!(
        "when = \"x{} > 0\"\nmessage = \"{{x{}}}\"\n",
        count - 1,
        count - 1
    ));
    body
}

#[test]
fn a_chain_of_lets_as_deep_as_the_limit_is_evaluated() {
    // Each `x + 1` is two operations deep, so 199 lets and the condition
    // `x198 > 0` reach the limit of 400; evaluated on a test thread's small
    // stack, in a debug build.
    let set = slow_rule("DEEP001", &chained_lets(199));
    insta::assert_snapshot!(lint_with(&set, &organisations(1)), @"1 DEEP001 199");
}

#[test]
fn a_chain_of_lets_past_the_limit_is_refused_where_it_passes_it() {
    let pack = format!(
        "{HEAD}[[stages]]\nid = \"s\"\n\n[[rules]]\ncode = \"DEEP002\"\nname = \"deep\"\n\
         stage = \"s\"\nseverity = \"info\"\nsummary = \"s\"\nsource = \"s\"\n{}",
        chained_lets(250)
    );
    let rendered = load_errors(&pack);
    insta::assert_snapshot!(rendered.lines().next().unwrap_or(""), @r#"PACK001 214:13 "x199 + 1": with the `let`s and functions it uses, this expression is 401 operations deep; the limit is 400 (help: compute the chain in fewer steps, for instance with a comprehension or an aggregate over a list)"#);
    assert_eq!(rendered.matches("PACK").count(), 1, "{rendered}");
}

#[test]
fn a_chain_of_functions_past_the_limit_is_refused_once_per_overflow() {
    let mut pack = String::from(HEAD);
    pack.push_str("[define.d0]\nparams = []\nexpr = \"1\"\n");
    for i in 1..250 {
        pack.push_str(&format!(
            "[define.d{i}]\nparams = []\nexpr = \"d{}() + 1\"\n",
            i - 1
        ));
    }
    let rendered = load_errors(&pack);
    insta::assert_snapshot!(rendered.lines().next().unwrap_or(""), @r#"PACK001 606:9 "d199() + 1": with the `let`s and functions it uses, this expression is 401 operations deep; the limit is 400 (help: compute the chain in fewer steps, for instance with a comprehension or an aggregate over a list)"#);
    assert_eq!(rendered.matches("PACK").count(), 1, "{rendered}");
}

/// `count` lets, each joining the one before to itself, from `seed`.
fn doubling_lets(seed: &str, count: usize) -> String {
    let mut body = format!("let.x0 = '{seed}'\n");
    for i in 1..count {
        body.push_str(&format!("let.x{i} = \"x{} + x{}\"\n", i - 1, i - 1));
    }
    body.push_str(&format!(
        "when = \"x{} != x0\"\nmessage = \"m\"\n",
        count - 1
    ));
    body
}

#[test]
fn joining_a_list_to_itself_stops_at_the_value_limit_not_out_of_memory() {
    let set = slow_rule("BOMB001", &doubling_lets("[1]", 40));
    insta::assert_snapshot!(lint_with(&set, &organisations(1)), @"1 EVAL001 rule BOMB001 stopped: it built a list or text 1048576 long, and the limit is 1000008, so it was not fully assessed");
}

#[test]
fn joining_a_text_to_itself_stops_at_the_value_limit_not_out_of_memory() {
    let set = slow_rule("BOMB002", &doubling_lets("\"ab\"", 40));
    insta::assert_snapshot!(lint_with(&set, &organisations(1)), @"1 EVAL001 rule BOMB002 stopped: it built a list or text 1048576 long, and the limit is 1000008, so it was not fully assessed");
}

#[test]
fn joining_lists_costs_a_step_per_item() {
    // 13 doublings build lists of 2 to 8,192 items: 16,382 steps in all,
    // which a budget of 10,000 steps (8,000, and 2,000 for the one
    // organisation) cannot pay, though it pays the 50-odd operations.
    let set = slow_rule("BOMB003", &doubling_lets("[1]", 14));
    let model_text = organisations(1);
    let parse = assure_syntax::parse(&model_text);
    let (model, _) = assure_model::build(&model_text, parse.file, &set.vocabulary);
    let options = Options {
        base_fuel: 8_000,
        ..Options::default()
    };
    let evaluation = set.evaluate(&model, &options);
    let messages: Vec<&str> = evaluation
        .findings
        .iter()
        .map(|f| &*f.diagnostic.message)
        .collect();
    assert_eq!(
        messages,
        ["rule BOMB003 stopped after 10000 steps, so it was not fully assessed"]
    );
}

#[test]
fn counts_read_as_english() {
    let one_pending = "proposal: P\nmodel: other\nas-of: 2016-09-30\nlaunch: 2016-12-01\n\n# Gateway\ncase-for-change: approved 2016-06-01\ncontract-and-capability: approved 2016-08-01\nsafe-to-launch: pending\n";
    insta::assert_snapshot!(lint_with(&default_rules(), one_pending), @"4 GATE002 launch on 2016-12-01 is too soon: 1 gateway stage still pending needs about 4 months from 2016-09-30, so not before 2017-01-30");
}

#[test]
fn membership_in_a_long_list_is_the_same_hashed_as_scanned() {
    // 100 organisations: `in` searches the list of all of them through a
    // hashed set, the short lists by a scan.
    let set = slow_rule(
        "MEMB001",
        r#"for = "o in organisations"
let.all = "[x for x in organisations]"
let.few = "[x for x in organisations if x.name in [\"Org 1\", \"Org 2\"]]"
when = "o in all and o not in few and not (o in [first(all)])"
message = "{o.name}""#,
    );
    let found = lint_with(&set, &organisations(100));
    let names: Vec<&str> = found
        .lines()
        .map(|l| l.rsplit("MEMB001 ").next().unwrap())
        .collect();
    assert_eq!(names.len(), 97, "{found}");
    assert!(
        !names
            .iter()
            .any(|n| ["Org 0", "Org 1", "Org 2"].contains(n))
    );
    assert_eq!(names[0], "Org 3");
    assert_eq!(names[96], "Org 99");
}

#[test]
fn a_field_written_but_unusable_is_neither_missing_nor_present() {
    let set = slow_rule(
        "GIVN001",
        r#"when = "true"
message = "missing {missing(proposal.population)}, present {present(proposal.population)}, missing as-of {missing(proposal.as-of)}""#,
    );
    let malformed = "proposal: P\npopulation: 350k\n";
    insta::assert_snapshot!(lint_with(&set, malformed), @"1 GIVN001 missing no, present no, missing as-of yes");
    let absent = "proposal: P\n";
    insta::assert_snapshot!(lint_with(&set, absent), @"1 GIVN001 missing yes, present no, missing as-of yes");
    let given = "proposal: P\npopulation: 350,000\n";
    insta::assert_snapshot!(lint_with(&set, given), @"1 GIVN001 missing no, present yes, missing as-of yes");
}

#[test]
fn one_conflicted_member_reads_as_english() {
    let proposal = "proposal: P\nmodel: other\ncommissioner: The CCG\n\n# Organisations\n\n## The CCG\nkind: ccg\nquorum: 1\n\n## GP Co\nkind: gp-company\nturnover: £5m/yr\n\n# People\n\n## Dr A\nmember-of: The CCG (governing body)\nowns: GP Co (50%)\nconflict-plan: excluded from the decision\ninterest-declared: 2016-01-01\n\n# Contracts\n\n## K\nkind: other\ncommissioner: The CCG\nholder: GP Co\nvalue: £1m/yr\n";
    let found = lint_with(&default_rules(), proposal);
    let coi003 = found.lines().find(|l| l.contains("COI003")).unwrap_or("");
    insta::assert_snapshot!(coi003, @"9 COI003 The CCG needs 1 member to be quorate, but once its 1 conflicted member (Dr A) steps out only 0 of the 1 listed under `# People` remain");
}

#[test]
fn a_long_list_in_a_message_shows_its_first_items_and_how_many_more() {
    let set = slow_rule(
        "LIST001",
        "when = \"true\"\nmessage = \"{organisations}; {[o for o in organisations if o.name == \\\"Org 3\\\"]}\"",
    );
    insta::assert_snapshot!(lint_with(&set, &organisations(100)), @"1 LIST001 Org 0, Org 1, Org 2, Org 3, Org 4, Org 5, Org 6, Org 7, Org 8 and 91 more; Org 3");
}

/// The field lines of `text` (a `key:` at the start of a line, with the
/// indented lines continuing it), as ranges of line indices.
fn field_blocks(text: &str) -> Vec<std::ops::Range<usize>> {
    let lines: Vec<&str> = text.lines().collect();
    let is_field = |line: &str| {
        line.split_once(':').is_some_and(|(key, _)| {
            key.starts_with(|c: char| c.is_ascii_lowercase())
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
    };
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if is_field(lines[i]) {
            let mut end = i + 1;
            while end < lines.len() && lines[end].starts_with("  ") {
                end += 1;
            }
            blocks.push(i..end);
            i = end;
        } else {
            i += 1;
        }
    }
    blocks
}

/// Each binding a rule judged in `text`, by the name of its subject.
fn outcomes_in(
    set: &RuleSet,
    text: &str,
    today: Option<assure_model::Date>,
    corpus: bool,
) -> Vec<(String, String, Outcome)> {
    let parse = assure_syntax::parse(text);
    let (model, _) = assure_model::build(text, parse.file, &set.vocabulary);
    let options = Options {
        today,
        corpus,
        outcomes: true,
        ..Options::default()
    };
    set.evaluate(&model, &options)
        .outcomes
        .into_iter()
        .map(|(code, subject, outcome)| {
            let name = subject.map_or_else(String::new, |id| model.entity(id).name.to_owned());
            (code, name, outcome)
        })
        .collect()
}

/// Every rule of the shipped packs, loaded together, judges what it reads:
/// in its `fail` example each field is deleted in turn, and the binding
/// that fired must still fire, be not assessed (EVAL002), or no longer
/// apply (its `applies` false). A rule that passes a binding because a
/// field it reads was not written passes what it did not read.
#[test]
fn no_rule_passes_a_binding_for_want_of_a_field() {
    let sources: Vec<PackSource> = BUILTIN_PACKS
        .iter()
        .filter_map(|(name, _)| builtin_pack(name))
        .collect();
    let set = match load(&sources, Vocabulary::core(), &Settings::default()) {
        Ok(set) => set,
        Err(errors) => panic!("{}", render_pack_errors(&errors)),
    };
    // A list of references not written is the empty list (no interests
    // declared, no members listed): deleting one is an answer, not a gap.
    let lists: Vec<&str> = set
        .vocabulary
        .fields()
        .filter(|(_, def)| matches!(&def.ty, assure_vocab::ValueType::Ref(r) if r.many))
        .map(|(_, def)| def.name.as_str())
        .collect();
    let mut silent = Vec::new();
    for rule in &set.rules {
        let Some((example, _)) = &rule.examples.fail else {
            continue;
        };
        let today = rule.examples.as_of;
        let fired: Vec<String> = outcomes_in(&set, example, today, rule.corpus)
            .into_iter()
            .filter(|(code, _, outcome)| *code == rule.code && *outcome == Outcome::Fired)
            .map(|(_, subject, _)| subject)
            .collect();
        if fired.is_empty() {
            silent.push(format!("{}'s fail example does not fire", rule.code));
        }
        let lines: Vec<&str> = example.lines().collect();
        for block in field_blocks(example) {
            let key = lines[block.start].split(':').next().unwrap_or_default();
            if lists.contains(&key) {
                continue;
            }
            let without: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| !block.contains(i))
                .map(|(_, line)| format!("{line}\n"))
                .collect();
            for (code, subject, outcome) in outcomes_in(&set, &without, today, rule.corpus) {
                if code == rule.code && outcome == Outcome::Passed && fired.contains(&subject) {
                    silent.push(format!(
                        "{code} passes {} without `{}`",
                        if subject.is_empty() {
                            "the proposal"
                        } else {
                            &subject
                        },
                        lines[block.start]
                    ));
                }
            }
        }
    }
    assert!(
        silent.is_empty(),
        "{} silent passes:\n{}",
        silent.len(),
        silent.join("\n")
    );
}

/// A definition's result is remembered for the entity it was computed for,
/// by the rule that computed it and the rules after it; each binding that
/// calls it is still told which fields it found absent, so what each says
/// it could not judge is the same as if it had computed the result itself.
#[test]
fn a_remembered_definition_still_names_the_fields_it_lacked() {
    let pack = r#"
[pack]
name = "shared"
version = "0.1.0"

[vocabulary.entities.organisation.fields]
score = { type = "number" }

[define.strong]
params = ["o"]
expr = "o.score > 3"

[[rules]]
code = "SHR001"
name = "weak-holder"
stage = "safe-to-launch"
severity = "warning"
summary = "A contract's holder is strong."
source = "local policy"
for = "k in contracts"
when = "not strong(k.holder)"
message = "{k.name} is held by a weak provider"
primary = "heading(k)"

[[rules]]
code = "SHR002"
name = "strong-holder-of-value"
stage = "safe-to-launch"
severity = "warning"
summary = "A strong holder's contract is worth little."
source = "local policy"
for = "k in contracts"
when = "strong(k.holder) and k.value > £5"
message = "{k.name} is worth {k.value}"
primary = "heading(k)"
"#;
    let set = with_default_pack("shared.toml", pack.into());
    let proposal = "proposal: Example\nmodel: other\n\n# Organisations\n\n## Care Ltd\nkind: private-company\n\n# Contracts\n\n## First\nkind: other\nholder: Care Ltd\nvalue: £10\n\n## Second\nkind: other\nholder: Care Ltd\nvalue: £10\n";
    let said: Vec<String> = lint_with(&set, proposal)
        .lines()
        .filter(|line| line.contains("SHR00"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        said,
        [
            "11 EVAL002 SHR001 (weak-holder) could not be assessed for `First`: it cannot tell whether it holds: it reads `score` of `Care Ltd`, not written",
            "11 EVAL002 SHR002 (strong-holder-of-value) could not be assessed for `First`: it cannot tell whether it holds: it reads `score` of `Care Ltd`, not written",
            "16 EVAL002 SHR001 (weak-holder) could not be assessed for `Second`: it cannot tell whether it holds: it reads `score` of `Care Ltd`, not written",
            "16 EVAL002 SHR002 (strong-holder-of-value) could not be assessed for `Second`: it cannot tell whether it holds: it reads `score` of `Care Ltd`, not written",
        ]
    );
}
