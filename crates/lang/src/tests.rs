//! Tests of the language on its own: expressions compiled against the core
//! vocabulary and evaluated over a small proposal, each result or problem
//! compared as text. Every built-in function has a case here, and a test
//! fails if one is added to the table without one.

use crate::{BUILTINS, Compiler, Evaluator, Frame, Globals, ParamValue, Val, parse_expr};
use assure_model::Date;
use assure_vocab::Vocabulary;

static CORE: std::sync::LazyLock<Vocabulary> = std::sync::LazyLock::new(Vocabulary::core);

const PROPOSAL: &str = "proposal: Example
population: 12,000

# Organisations

## Trust
kind: nhs-trust
turnover: £200m/yr
established: 2016-04

## GP Co
kind: gp-company
turnover: £5m/yr
established: 2011
owned-by: Trust (60%), Dr A (40%)
parent: Trust

# People

## Dr A
owns: GP Co (40%)

# Contracts

## Contract
kind: mcp-fully-integrated
holder: GP Co
value: £60m
term: 10 years
";

const PARAMS: [(&str, &str); 1] = [("limit", "10")];

/// A calendar of April 2017, with Easter's two bank holidays.
static CALENDAR: std::sync::LazyLock<crate::Calendar> = std::sync::LazyLock::new(|| {
    let day = |text| Date::parse(text).unwrap();
    crate::Calendar::new(
        "test",
        day("2017-04-01"),
        day("2017-04-30"),
        &[day("2017-04-14"), day("2017-04-17")],
    )
});

fn globals_params() -> Vec<ParamValue> {
    PARAMS
        .iter()
        .map(|(name, value)| ParamValue {
            name: (*name).to_owned(),
            value: match parse_expr(value).map(|e| e.kind) {
                Ok(crate::ast::ExprKind::Literal(literal)) => Val::of_literal(&literal),
                _ => Val::Missing,
            },
        })
        .collect()
}

/// `expr` evaluated over [`PROPOSAL`], as a message would show it; or its
/// problems, each as `start..end kind: message`.
fn eval(expr: &str) -> String {
    eval_marked(expr).0
}

/// What `expr` gives, and whether a filter met `none` computing it.
fn eval_marked(expr: &str) -> (String, bool) {
    let parse = assure_syntax::parse(PROPOSAL);
    let (model, diagnostics) = assure_model::build(PROPOSAL, parse.file, &CORE);
    // Only GP Co's year alone, which it is written to be.
    assert!(
        diagnostics.iter().all(|d| &*d.code == "SCH008"),
        "{diagnostics:?}"
    );
    let params = globals_params();
    let globals = Globals {
        vocabulary: &CORE,
        defines: &[],
        params: &params,
    };
    let mut compiler = Compiler::new(&globals);
    let parsed = match parse_expr(expr) {
        Ok(parsed) => parsed,
        Err(error) => return (format!("parse error: {}", error.message), false),
    };
    let (code, _) = match compiler.compile(&parsed) {
        Ok(compiled) => compiled,
        Err(errors) => {
            let errors = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}..{} {:?}: {}",
                        e.span.start, e.span.end, e.kind, e.message
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            return (errors, false);
        }
    };
    let evaluator = Evaluator::new(&model, &CORE, &[], 100_000)
        .with_today(Date::parse("2017-04-21").ok())
        .with_calendar(Some(&CALENDAR));
    let mut frame = Frame::new(compiler.slots(), &[]);
    let value = evaluator.eval(&code, &mut frame);
    (evaluator.display(&value), evaluator.take_uncertain())
}

/// One case per built-in: its name, an expression using it, what it gives.
const BUILTIN_CASES: &[(&str, &str, &str)] = &[
    (
        "text",
        r#"text(proposal.population) + " people""#,
        "12,000 people",
    ),
    ("present", "present(proposal.population)", "yes"),
    ("missing", "missing(proposal.model)", "yes"),
    ("first", "first(organisations).name", "Trust"),
    (
        "unique",
        "count(unique(organisations + organisations))",
        "2",
    ),
    (
        "list",
        "count(list(none)) + count(list(1)) + count(list([1, 2]))",
        "3",
    ),
    (
        "intersects",
        "intersects(organisations, [first(organisations)])",
        "yes",
    ),
    ("lower", r#"lower("GP Co")"#, "gp co"),
    ("abs", "abs(-2 years)", "2 years"),
    (
        "per_year",
        "per_year(first(contracts).value, first(contracts).term)",
        "£6m/yr",
    ),
    ("years", "years(first(contracts).term) * 2", "20"),
    ("year", "year(2017-04-01)", "2,017"),
    ("month", "month(2017-04-01)", "4"),
    (
        "day",
        "[day(2017-04-30), day(proposal.as-of)]",
        "30 and none",
    ),
    (
        "weekday",
        "[weekday(2017-04-01), weekday(2016-02-29)]",
        "saturday and monday",
    ),
    (
        "financial_year",
        "[financial_year(2017-03-31), financial_year(2017-04-01), financial_year(1999-12-31)]",
        "2016/17, 2017/18 and 1999/00",
    ),
    (
        "is_annual",
        "[is_annual(£4m/yr), is_annual(first(contracts).value)]",
        "yes and no",
    ),
    (
        "any",
        "any(o.turnover > £100m/yr for o in organisations)",
        "yes",
    ),
    (
        "all",
        "all(o.turnover > £100m/yr for o in organisations)",
        "no",
    ),
    (
        "count",
        "count(o for o in organisations if present(o.parent))",
        "1",
    ),
    ("sum", "sum(o.turnover for o in organisations)", "£205m/yr"),
    ("min", "min(o.turnover for o in organisations)", "£5m/yr"),
    ("max", "max([1, 3, 2])", "3"),
    (
        "links",
        "[e.qualifier for e in links(first(contracts).holder, owned-by)]",
        "60% and 40%",
    ),
    (
        "backlinks",
        "[e.from for e in backlinks(first(organisations), owned-by)]",
        "GP Co",
    ),
    (
        "referrers",
        "referrers(first(organisations), owned-by, parent)",
        "GP Co",
    ),
    (
        "closure",
        "closure(first(contracts).holder, o => o.parent)",
        // In the order they are written, not the order reached.
        "Trust and GP Co",
    ),
    ("today", "today()", "2017-04-21"),
    (
        "days",
        "[days(2017-04-01 - 2017-03-01), days(2 weeks), days(1 month)]",
        "31, 14 and none",
    ),
    (
        "financial_year_end",
        "[financial_year_end(2017-04-01), financial_year_end(2017-03-31)]",
        "2018-03-31 and 2017-03-31",
    ),
    (
        "total",
        "[total(£4m/yr, 10 years), total(£40m, 10 years), total(£4m/yr, none)]",
        "£40m, £40m and none",
    ),
    (
        "working_days",
        "[working_days(2017-04-07, today()), working_days(2017-04-07, 2017-05-02)]",
        "8 and none",
    ),
    (
        "add_working_days",
        "[add_working_days(2017-04-07, 8), add_working_days(2017-04-21, -8), add_working_days(2017-04-28, 2)]",
        "2017-04-21, 2017-04-07 and none",
    ),
];

/// Places evaluate to `none` outside `primary` and labels' `at`, and are
/// refused there by the compiler.
const PLACES: &[(&str, &str, &str)] = &[
    (
        "heading",
        "heading(first(organisations))",
        "0..7 Type: `heading(...)` names a place, and is allowed only in `primary` and in labels' `at`",
    ),
    (
        "field",
        "field(first(organisations).kind)",
        "0..5 Type: `field(...)` names a place, and is allowed only in `primary` and in labels' `at`",
    ),
];

/// Each expression gives what is written beside it.
fn assert_cases<'c>(cases: impl IntoIterator<Item = &'c (&'c str, &'c str)>) {
    for (expr, expected) in cases {
        assert_eq!(eval(expr), *expected, "{expr}");
    }
}

#[test]
fn every_builtin_gives_what_its_doc_says() {
    let cases: Vec<(&str, &str)> = BUILTIN_CASES
        .iter()
        .chain(PLACES)
        .map(|(_, expr, expected)| (*expr, *expected))
        .collect();
    assert_cases(&cases);
    let mut covered: Vec<&str> = BUILTIN_CASES
        .iter()
        .chain(PLACES)
        .map(|(name, _, _)| *name)
        .collect();
    covered.sort_unstable();
    let mut names: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    names.sort_unstable();
    assert_eq!(
        covered, names,
        "a built-in without a case, or a case without a built-in"
    );
}

#[test]
fn builtins_type_their_arguments() {
    let cases = [
        (
            "per_year(1, 2)",
            "9..10 Type: `per_year` needs money, not a number\n12..13 Type: `per_year` needs a duration, not a number",
        ),
        ("lower(1)", "6..7 Type: `lower` needs text, not a number"),
        ("abs(\"x\")", "4..7 Type: `abs` needs a quantity, not text"),
        ("first(1)", "6..7 Type: expected a list, found a number"),
        (
            "present(1, 2)",
            "0..13 Type: `present` takes 1 argument, not 2",
        ),
        (
            "sum(o.name for o in organisations)",
            "4..10 Type: cannot sum text",
        ),
        (
            "any(o.name for o in organisations)",
            "4..10 Type: each element of `any` needs a true-or-false value, not text",
        ),
        (
            "links(proposal.population, owned-by)",
            "6..25 Type: `links` starts from an entity, not a number",
        ),
        (
            "referrers(first(organisations), owns-by)",
            "32..39 Name: no reference field is called `owns-by`",
        ),
        (
            "closure(1, x => x)",
            "8..9 Type: `closure` walks entities, not a number",
        ),
        ("presnt(1)", "0..6 Name: unknown function `presnt`"),
        ("year(1)", "5..6 Type: `year` needs a date, not a number"),
        (
            "is_annual(2 years)",
            "10..17 Type: `is_annual` needs money, not a duration",
        ),
    ];
    assert_cases(&cases);
}

#[test]
fn values_read_write_and_compute_with_units() {
    let cases = [
        ("£4m/yr * 10", "£40m/yr"),
        ("£60m / 10 years", "£6m/yr"),
        ("2017-04-01 + 18 months", "2018-10-01"),
        ("2017-04-01 - 2015-10-01", "18 months"),
        // A difference of dates compares exactly with a duration in days
        // or in months: February 2017 has 28 days.
        ("2017-03-01 - 2017-02-01 > 28 days", "no"),
        ("2017-03-01 - 2017-02-01 == 28 days", "yes"),
        ("2017-03-02 - 2017-02-01 > 28 days", "yes"),
        ("2018-04-01 - 2016-04-01 >= 2 years", "yes"),
        ("2018-03-31 - 2016-04-01 >= 2 years", "no"),
        ("2017-03-01 - 2017-02-01 < 2017-04-01 - 2017-03-01", "yes"),
        ("(2017-03-01 - 2017-02-01) + 1 day", "1 month 1 day"),
        ("5% * 200", "10"),
        ("param.limit * 2", "20"),
        (
            "first(organisations).turnover > param.limit * £1m/yr",
            "yes",
        ),
        ("none == none", "none"),
        ("proposal.model < \"x\"", "none"),
        ("proposal.model ?? \"unknown\"", "unknown"),
        (
            "£1m + 1 year",
            "0..13 Type: cannot add a total amount of money and a duration",
        ),
        (
            "£1m/yr > £1m",
            "0..14 Type: this compares a total with an annual amount: convert the total with `per_year(amount, term)`",
        ),
    ];
    assert_cases(&cases);
    // A literal written back as a pack author would write it.
    for literal in [
        "10",
        "5%",
        "£10m",
        "£4.5m/yr",
        "2 years",
        "2017-04-01",
        "\"text\"",
        "true",
        "none",
    ] {
        let Ok(crate::ast::Expr {
            kind: crate::ast::ExprKind::Literal(parsed),
            ..
        }) = parse_expr(literal)
        else {
            panic!("{literal} is not a literal");
        };
        assert_eq!(Val::of_literal(&parsed).to_string(), literal);
    }
}

/// The language's rule for `none`, held by every operator and built-in:
/// a condition that meets `none` is neither true nor false (it is `none`,
/// and a rule so judged is not assessed), unless the rest decides it; a
/// list a filter built past a `none` is marked uncertain; arithmetic and
/// totals with `none` are `none`; `present`, `missing`, `??` and `list`
/// ask about it and answer. (`proposal.as-of` and `proposal.stp` are not
/// written in the proposal these run over.)
#[test]
fn none_is_neither_true_nor_false_for_every_operator() {
    let cases: &[(&str, &str, bool)] = &[
        ("proposal.as-of == 2017-01-01", "none", false),
        ("proposal.as-of != 2017-01-01", "none", false),
        ("proposal.as-of < 2017-01-01", "none", false),
        ("proposal.as-of <= 2017-01-01", "none", false),
        ("proposal.as-of > 2017-01-01", "none", false),
        ("proposal.as-of >= 2017-01-01", "none", false),
        ("proposal.as-of in [2017-01-01]", "none", false),
        ("proposal.as-of not in [2017-01-01]", "none", false),
        ("2017-01-01 in [2017-01-01, proposal.as-of]", "yes", false),
        ("2018-01-01 in [2017-01-01, proposal.as-of]", "none", false),
        (
            "2018-01-01 not in [2017-01-01, proposal.as-of]",
            "none",
            false,
        ),
        ("2018-01-01 not in [2017-01-01]", "yes", false),
        (r#"proposal.stp starts-with "N""#, "none", false),
        (r#"proposal.stp ends-with "N""#, "none", false),
        (r#"proposal.stp contains "N""#, "none", false),
        ("not (proposal.as-of > 2017-01-01)", "none", false),
        ("proposal.as-of > 2017-01-01 and false", "no", false),
        ("false and proposal.as-of > 2017-01-01", "no", false),
        ("proposal.as-of > 2017-01-01 and true", "none", false),
        ("true and proposal.as-of > 2017-01-01", "none", false),
        ("proposal.as-of > 2017-01-01 or true", "yes", false),
        ("true or proposal.as-of > 2017-01-01", "yes", false),
        ("proposal.as-of > 2017-01-01 or false", "none", false),
        (
            "if proposal.as-of > 2017-01-01 then 1 else 2",
            "none",
            false,
        ),
        ("proposal.as-of ?? 2017-01-01", "2017-01-01", false),
        ("proposal.as-of + 1 month", "none", false),
        ("proposal.population * none", "none", false),
        ("any([false, proposal.as-of > 2017-01-01])", "none", false),
        ("any([true, proposal.as-of > 2017-01-01])", "yes", false),
        ("all([true, proposal.as-of > 2017-01-01])", "none", false),
        ("all([false, proposal.as-of > 2017-01-01])", "no", false),
        ("count([1, none])", "1", true),
        ("sum([1, none])", "none", false),
        ("min([1, none])", "none", false),
        ("max([1, none])", "none", false),
        (
            "count([x for x in [1, 2] if proposal.as-of > 2017-01-01])",
            "0",
            true,
        ),
        ("[x for x in [1, 2] if x > 1]", "2", false),
        ("present(proposal.as-of)", "no", false),
        ("missing(proposal.as-of)", "yes", false),
        ("count(list(proposal.as-of))", "0", false),
    ];
    for (expr, expected, uncertain) in cases {
        assert_eq!(
            eval_marked(expr),
            ((*expected).to_owned(), *uncertain),
            "{expr}"
        );
    }
}

#[test]
fn a_date_without_its_day_is_judged_only_where_every_day_of_it_agrees() {
    let trust = "first(organisations).established";
    let gp = r#"first([o for o in organisations if o.name == "GP Co"]).established"#;
    let cases: Vec<(String, &str)> = vec![
        (trust.to_owned(), "2016-04"),
        (gp.to_owned(), "2011"),
        (format!("{trust} < 2016-05-01"), "yes"),
        (format!("{trust} >= 2016-04-01"), "yes"),
        (format!("{trust} < 2016-04-15"), "none"),
        (format!("{trust} == 2016-04-15"), "none"),
        (format!("{trust} == 2016-05-15"), "no"),
        (format!("{trust} != 2016-05-15"), "yes"),
        (format!("{trust} + 2 years"), "2018-04"),
        (format!("{trust} + 2 years > 2018-04-01"), "none"),
        (format!("{trust} + 2 years > 2018-03-31"), "yes"),
        (format!("{trust} + 10 days"), "none"),
        (format!("{gp} + 18 months"), "none"),
        (format!("{gp} + 2 years"), "2013"),
        (format!("{gp} + 2 years < 2014-01-01"), "yes"),
        (format!("{gp} + 2 years < 2013-06-01"), "none"),
        (
            format!("2017-04-01 - {gp}"),
            "between 63 months 1 day and 75 months",
        ),
        (format!("2017-04-01 - {gp} > 5 years"), "yes"),
        (format!("2017-04-01 - {gp} > 6 years"), "none"),
        (format!("month({gp})"), "none"),
        (format!("year({gp})"), "2,011"),
        (format!("day({trust})"), "none"),
        (format!("financial_year({trust})"), "2016/17"),
        (format!("financial_year({gp})"), "none"),
        (format!("working_days({trust}, 2017-04-28)"), "none"),
    ];
    for (expr, expected) in &cases {
        assert_eq!(eval(expr), *expected, "{expr}");
    }
}
