//! Notices read as proposals: the groups a file gives, the text written
//! for each procurement and each line's place, and what is refused.

use crate::{Unread, convert, groups};
use assure_diagnostic::place::Part;

fn vocabulary() -> assure_vocab::Vocabulary {
    let packs = [
        assure_rules::default_pack(),
        assure_rules::builtin_pack("psr-2024").expect("psr-2024 ships"),
    ];
    assure_rules::load(
        &packs,
        assure_vocab::Vocabulary::core(),
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("{:?}", e[0].diagnostics))
    .vocabulary
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/notices/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the fixture exists")
}

/// A release's line and pointer.
type Located = (Option<u32>, String);

/// Each group's `ocid` with its releases' lines and pointers.
fn shape(bytes: &[u8]) -> Vec<(String, Vec<Located>)> {
    shape_of(groups(bytes))
}

fn shape_of(
    items: impl Iterator<Item = Result<crate::Group, Unread>>,
) -> Vec<(String, Vec<Located>)> {
    items
        .map(|group| {
            let group = group.expect("every group reads");
            let releases = group
                .releases
                .iter()
                .map(|r| (r.line, r.pointer.clone()))
                .collect();
            (group.ocid, releases)
        })
        .collect()
}

/// The record package fixture's one procurement, converted.
fn record_notice() -> crate::Notice {
    let group = groups(&fixture("record-package.json")[..])
        .next()
        .expect("one group")
        .expect("it reads");
    convert(&group, &vocabulary())
}

fn unread(bytes: &[u8]) -> Vec<Unread> {
    groups(bytes).filter_map(Result::err).collect()
}

#[test]
fn a_release_package_gives_each_procurement_once_wherever_its_releases_are() {
    assert_eq!(
        shape(&fixture("release-package.json")),
        [
            (
                "ocds-h6vhtk-0a1001".to_owned(),
                vec![
                    (None, "/releases/0".to_owned()),
                    (None, "/releases/2".to_owned())
                ]
            ),
            (
                "ocds-h6vhtk-0a1002".to_owned(),
                vec![(None, "/releases/1".to_owned())]
            ),
        ]
    );
}

#[test]
fn json_lines_join_the_releases_of_one_procurement_on_consecutive_lines() {
    let shape = shape(&fixture("compiled-releases.jsonl"));
    assert_eq!(shape.len(), 8);
    assert_eq!(shape[0].1, [(Some(1), String::new())]);
    assert_eq!(shape[7].0, "ocds-h6vhtk-0b2008");
    assert_eq!(
        shape[7].1,
        [(Some(8), String::new()), (Some(9), String::new())]
    );
}

/// Each group's `ocid` and its releases' lines and pointers, the releases
/// of an `ocid` on lines apart joined by a first reading.
fn joined_shape(bytes: &[u8]) -> Vec<(String, Vec<Located>)> {
    let apart = crate::apart(bytes);
    shape_of(groups(bytes).joining(apart, Box::new(bytes.to_vec())))
}

fn at_lines(ocid: &str, lines: &[(u32, &str)]) -> (String, Vec<Located>) {
    (
        ocid.to_owned(),
        lines
            .iter()
            .map(|(line, pointer)| (Some(*line), (*pointer).to_owned()))
            .collect(),
    )
}

#[test]
fn json_lines_join_the_releases_of_one_procurement_on_lines_apart() {
    // A bulk file gives a notice a line, in the order published: X's
    // intention, Y's, X's award, a package with Z and X, and Y's award
    // after a line that is not JSON.
    let lines = concat!(
        "{\"ocid\": \"X\", \"id\": \"x-1\"}\n",
        "{\"ocid\": \"Y\", \"id\": \"y-1\"}\n",
        "{\"ocid\": \"X\", \"id\": \"x-2\"}\n",
        "\n",
        "{\"releases\": [{\"ocid\": \"Z\", \"id\": \"z-1\"}, {\"ocid\": \"X\", \"id\": \"x-3\"}]}\n",
        "not json\n",
        "{\"ocid\": \"Y\", \"id\": \"y-2\"}\n",
    )
    .as_bytes();
    let expected_groups = [
        at_lines("X", &[(1, ""), (3, ""), (5, "/releases/1")]),
        at_lines("Y", &[(2, ""), (7, "")]),
        at_lines("Z", &[(5, "/releases/0")]),
    ];
    let joined: Vec<_> = {
        let apart = crate::apart(lines);
        assert_eq!(apart.procurements(), 2);
        groups(lines)
            .joining(apart, Box::new(lines.to_vec()))
            .collect()
    };
    let (read, unread): (Vec<_>, Vec<_>) = joined.into_iter().partition(Result::is_ok);
    assert_eq!(
        unread
            .into_iter()
            .map(|u| u.unwrap_err().to_string())
            .collect::<Vec<_>>(),
        ["line 6: not JSON: expected ident (column 2)"]
    );
    let read: Vec<_> = read
        .into_iter()
        .map(|g| {
            let g = g.unwrap();
            let releases = g.releases.iter().map(|r| (r.line, r.pointer.clone()));
            (g.ocid, releases.collect::<Vec<_>>())
        })
        .collect();
    assert_eq!(read, expected_groups);
    // Read once, without the first reading, they are procurements apart.
    let apart_once = groups(lines)
        .filter_map(Result::ok)
        .filter(|group| group.ocid == "X")
        .count();
    assert_eq!(apart_once, 3);
}

#[test]
fn releases_apart_are_joined_in_a_procurement_of_at_most_the_most_releases() {
    // X's first line holds the most releases a procurement is given with;
    // its releases two lines on are a procurement of their own, joined to
    // those after them.
    let full: Vec<String> = (0..crate::MAX_RELEASES)
        .map(|i| format!("{{\"ocid\": \"X\", \"id\": \"{i}\"}}"))
        .collect();
    let text = format!(
        "{{\"releases\": [{}]}}\n{{\"ocid\": \"Y\"}}\n{{\"ocid\": \"X\", \"id\": \"a\"}}\n{{\"ocid\": \"Y\"}}\n{{\"ocid\": \"X\", \"id\": \"b\"}}\n",
        full.join(", ")
    );
    let shape = joined_shape(text.as_bytes());
    let sizes: Vec<(&str, usize, Option<u32>)> = shape
        .iter()
        .map(|(ocid, releases)| (ocid.as_str(), releases.len(), releases[0].0))
        .collect();
    assert_eq!(
        sizes,
        [
            ("X", crate::MAX_RELEASES, Some(1)),
            ("Y", 2, Some(2)),
            ("X", 2, Some(3))
        ]
    );
}

/// A source that cannot be read again.
struct Gone;

impl crate::Reread for Gone {
    fn read_at(&self, _: u64, _: &mut [u8]) -> std::io::Result<()> {
        Err(std::io::Error::other("the file is gone"))
    }
}

#[test]
fn a_line_that_cannot_be_read_again_is_said_and_read_where_it_is() {
    let lines = b"{\"ocid\": \"X\"}\n{\"ocid\": \"Y\"}\n{\"ocid\": \"X\"}\n";
    let items: Vec<String> = groups(&lines[..])
        .joining(crate::apart(&lines[..]), Box::new(Gone))
        .map(|item| match item {
            Ok(group) => format!(
                "{} at {:?}",
                group.ocid,
                group.releases.iter().map(|r| r.line).collect::<Vec<_>>()
            ),
            Err(unread) => unread.to_string(),
        })
        .collect();
    assert_eq!(
        items,
        [
            "line 3: cannot be read again to join it to the procurement X: the file is gone",
            "X at [Some(1)]",
            "Y at [Some(2)]",
            "X at [Some(3)]",
        ]
    );
}

/// Every release, by its `ocid`, line and pointer, sorted.
fn releases_of(
    items: impl Iterator<Item = Result<crate::Group, Unread>>,
) -> Vec<(String, Located)> {
    let mut all: Vec<(String, Located)> = items
        .filter_map(Result::ok)
        .flat_map(|group| {
            let ocid = group.ocid;
            group
                .releases
                .into_iter()
                .map(move |r| (ocid.clone(), (r.line, r.pointer)))
        })
        .collect();
    all.sort();
    all
}

#[test]
fn joining_gives_every_release_once_and_each_procurement_once() {
    // Lines of releases and packages of a few `ocid`s in a scrambled
    // order, with lines that are not releases between them; and a document
    // whose lines are releases too, which is read whole and joins nothing.
    let mut seed = 7u64;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _ in 0..200 {
        let mut text = String::new();
        for _ in 0..next(12) {
            let ocid = |n: u64| format!("\"ocid\": \"o{n}\"");
            match next(6) {
                0 => text.push_str(&format!(
                    "{{\"releases\": [{{{}}}, {{{}}}]}}\n",
                    ocid(next(4)),
                    ocid(next(4))
                )),
                1 => text.push_str("not json\n\n"),
                2 => text.push_str("{\"ocid\": 5}\n"),
                _ => text.push_str(&format!("{{{}}}\n", ocid(next(4)))),
            }
        }
        let bytes = text.as_bytes();
        let joined: Vec<_> = groups(bytes)
            .joining(crate::apart(bytes), Box::new(bytes.to_vec()))
            .collect();
        assert_eq!(
            releases_of(joined.iter().cloned()),
            releases_of(groups(bytes)),
            "in {text}"
        );
        let mut ocids: Vec<&str> = joined
            .iter()
            .filter_map(|g| g.as_ref().ok())
            .map(|g| g.ocid.as_str())
            .collect();
        let procurements = ocids.len();
        ocids.sort_unstable();
        ocids.dedup();
        assert_eq!(ocids.len(), procurements, "in {text}");
    }
    let document =
        b"{\"releases\": [\n{\"ocid\": \"X\"}\n,\n{\"ocid\": \"Y\"}\n,\n{\"ocid\": \"X\"}\n]}\n";
    assert_eq!(crate::apart(&document[..]).procurements(), 1);
    assert_eq!(
        releases_of(
            groups(&document[..]).joining(crate::apart(&document[..]), Box::new(document.to_vec()))
        ),
        releases_of(groups(&document[..]))
    );
}

#[test]
fn a_document_and_consecutive_lines_need_no_second_reading() {
    assert!(crate::apart(&fixture("release-package.json")[..]).is_empty());
    assert!(crate::apart(&fixture("compiled-releases.jsonl")[..]).is_empty());
    assert_eq!(
        joined_shape(&fixture("compiled-releases.jsonl")),
        shape(&fixture("compiled-releases.jsonl"))
    );
}

#[test]
fn a_record_package_gives_its_releases_whole_before_its_compiled_release() {
    assert_eq!(
        shape(&fixture("record-package.json")),
        [(
            "ocds-h6vhtk-0c3001".to_owned(),
            vec![
                (None, "/records/0/releases/0".to_owned()),
                (None, "/records/0/releases/1".to_owned())
            ]
        )]
    );
    // Linked releases (a URL each) leave the compiled release.
    let linked = br#"{"records": [{"ocid": "ocds-x-1", "releases": [{"url": "https://example.org/r/1", "date": "2026-01-01"}], "compiledRelease": {"ocid": "ocds-x-1", "id": "c", "date": "2026-01-01"}}]}"#;
    assert_eq!(
        shape(linked),
        [(
            "ocds-x-1".to_owned(),
            vec![(Some(1), "/records/0/compiledRelease".to_owned())]
        )]
    );
}

#[test]
fn a_record_package_is_written_as_a_proposal() {
    let notice = record_notice();
    assert_eq!(notice.notices, ["093001-2025", "013001-2026"]);
    insta::assert_snapshot!(notice.text);
}

#[test]
fn each_line_is_placed_at_the_notice_and_pointer_it_came_from() {
    let notice = record_notice();
    let at = notice
        .text
        .find("representations-deadline:")
        .expect("the deadline is read");
    let place = notice.places.at(at as u32).expect("it has a place");
    assert_eq!(place.headings, ["ocds-h6vhtk-0c3001", "notice 093001-2025"]);
    assert_eq!(
        place.part,
        Part::Json {
            line: None,
            pointer: "/records/0/releases/0/description".into()
        }
    );
    assert_eq!(
        place.describe(),
        "ocds-h6vhtk-0c3001 › notice 093001-2025 › /records/0/releases/0/description"
    );
    assert!(notice.places.is_whole_document());
}

#[test]
fn what_is_not_open_contracting_data_is_refused_with_its_line() {
    let said =
        |bytes: &[u8]| -> Vec<String> { unread(bytes).iter().map(ToString::to_string).collect() };
    assert_eq!(said(b""), ["it is empty: no notices in it"]);
    assert_eq!(said(b"\n  \n"), ["it is empty: no notices in it"]);
    assert_eq!(
        said(b"[1, 2]"),
        ["line 1: not Open Contracting data: a list where a release, a record or a package is"]
    );
    assert_eq!(
        said(b"{\"ocid\": \"ocds-a\"}\nnot json\n{\"a\": 1}\n{\"ocid\": \"\"}\n"),
        [
            "line 2: not JSON: expected ident (column 2)",
            "line 3: not Open Contracting data: an object with no `releases`, `records` or `ocid`",
            "line 4: the release has no `ocid`: it cannot be joined to a procurement",
        ]
    );
    // A document that breaks off: where, by the document's line.
    assert_eq!(
        said(b"{\n  \"releases\": [\n    {\"ocid\": \"a\"},\n"),
        ["line 4: not JSON: EOF while parsing a value (column 0)"]
    );
    assert_eq!(
        said(br#"{"records": [{"ocid": "a"}]}"#),
        ["line 1: /records/0 has neither its releases nor a compiled release"]
    );
}

#[test]
fn a_byte_order_mark_and_windows_line_ends_are_read_past() {
    let lines = b"\xEF\xBB\xBF{\"ocid\": \"a\"}\r\n{\"ocid\": \"b\"}\r\n";
    let ocids: Vec<String> = groups(&lines[..])
        .map(|g| g.expect("it reads").ocid)
        .collect();
    assert_eq!(ocids, ["a", "b"]);
    let document = b"\xEF\xBB\xBF{\r\n  \"releases\": [{\"ocid\": \"c\"}]\r\n}\r\n";
    let ocids: Vec<String> = groups(&document[..])
        .map(|g| g.expect("it reads").ocid)
        .collect();
    assert_eq!(ocids, ["c"]);
}

#[test]
fn hostile_json_is_bounded() {
    // Nesting past serde_json's limit is an error, not a stack overflow.
    let deep = format!(
        "{{\"ocid\": \"a\", \"x\": {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert_eq!(
        unread(deep.as_bytes())
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["line 1: not JSON: recursion limit exceeded (column 146)"]
    );
    // A number no amount has is read as written, for the model to judge.
    let huge = br#"{"ocid": "a", "awards": [{"value": {"amount": 1e308, "currency": "GBP"}}]}"#;
    let group = groups(&huge[..])
        .next()
        .expect("a group")
        .expect("it reads");
    let notice = convert(&group, &vocabulary());
    let value = notice
        .text
        .lines()
        .find_map(|line| line.strip_prefix("value: £"))
        .expect("the amount is written");
    assert_eq!(
        (value.len(), value.bytes().all(|b| b.is_ascii_digit())),
        (309, true)
    );
    // A line past the limit is passed over without being held.
    let mut long = vec![b' '; crate::MAX_LINE_BYTES + 10];
    long.push(b'\n');
    long.extend_from_slice(b"{\"ocid\": \"after\"}\n");
    let items: Vec<_> = groups(&long[..]).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]
            .as_ref()
            .map(|g| g.ocid.clone())
            .unwrap_err()
            .to_string(),
        "line 1: longer than 64 MiB: passed over"
    );
    assert_eq!(
        items[1].as_ref().map(|g| g.ocid.as_str()).ok(),
        Some("after")
    );
}

/// A reader of endless JSON Lines that counts what was taken from it.
struct Endless {
    line: u64,
    pending: Vec<u8>,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            self.line += 1;
            self.pending = format!(
                "{{\"ocid\": \"ocds-{}\", \"date\": \"2026-01-01\"}}\n",
                self.line
            )
            .into_bytes();
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

#[test]
fn json_lines_are_read_a_procurement_at_a_time() {
    let read = std::rc::Rc::new(std::cell::Cell::new(0));
    let source = std::io::BufReader::with_capacity(
        64,
        Endless {
            line: 0,
            pending: Vec::new(),
            read: read.clone(),
        },
    );
    let mut endless = groups(source);
    let first = endless.next().expect("a group").expect("it reads");
    assert_eq!(first.ocid, "ocds-1");
    // The first procurement is given once the next line starts another:
    // two lines read, not the file.
    assert!(read.get() < 200, "{} bytes read", read.get());
    let thousandth = endless.nth(998).expect("a group").expect("it reads");
    assert_eq!(thousandth.ocid, "ocds-1000");
}

/// The automaton finds each of the vocabulary's phrases where the search
/// for one phrase at a time does, as whole words, overlapping or not.
#[test]
fn the_phrase_automaton_finds_what_a_search_for_each_phrase_finds() {
    let vocabulary = vocabulary();
    let phrases = crate::texts::Phrases::of(&vocabulary);
    let texts = [
        "this is a provider selection regime (psr) intention to award notice under direct award process c.",
        "decision makers: director of strategy; decision-makers: chief finance officer\nopt c (option c) and process cc",
        "representationsrepresentations representation, conflicts of interest: none. the most suitable provider process",
        "\u{e9}direct award process c\u{e9} quality and innovation; value; social value; improving access",
        "",
    ];
    for text in texts {
        let hits = phrases.hits(text);
        let mut expected: Vec<(u32, u32)> = Vec::new();
        for (phrase, &id) in &phrases.ids {
            let mut from = 0;
            while let Some(end) = crate::words::find_phrase(&text[from..], phrase) {
                expected.push((id, (from + end) as u32));
                from += end - phrase.len() + phrase.chars().next().map_or(1, char::len_utf8);
            }
        }
        expected.sort_unstable();
        assert_eq!(hits, expected, "in {text:?}");
        assert!(
            !hits.is_empty() || text.is_empty(),
            "nothing found in {text:?}"
        );
    }
}

/// A deadline's day and month with no year is read in the sentence that
/// speaks of representations, never from the sentence after it, where a
/// day and month may be of something else.
#[test]
fn a_date_without_its_year_is_read_only_where_representations_are_spoken_of() {
    let notice = |description: &str| {
        let release = serde_json::json!({
            "ocid": "ocds-h6vhtk-0f0001",
            "id": "0f0001-1",
            "date": "2026-06-05T09:30:00+01:00",
            "description": description,
            "tender": {"id": "0f0001", "title": "Minor surgery"},
        });
        let line = serde_json::to_vec(&release).unwrap();
        let group = groups(&line[..]).next().unwrap().unwrap();
        convert(&group, &vocabulary()).text
    };
    let said = notice(
        "This is a Provider Selection Regime (PSR) intention to award notice. Representations must be made by 5pm on Wednesday 17th June.",
    );
    assert!(
        said.contains("representations-deadline: 2026-06-17\n"),
        "{said}"
    );
    let after = notice(
        "This is a Provider Selection Regime (PSR) intention to award notice. Representations may be made to the ICB. The contract starts on 1 April.",
    );
    assert!(!after.contains("representations-deadline"), "{after}");
    let after_with_year = notice(
        "This is a Provider Selection Regime (PSR) intention to award notice. Representations may be made to the ICB. The deadline is 17 June 2026.",
    );
    assert!(
        after_with_year.contains("representations-deadline: 2026-06-17\n"),
        "{after_with_year}"
    );
}

/// A source read again that counts its reads.
struct Counted {
    bytes: Vec<u8>,
    reads: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl crate::Reread for Counted {
    fn read_at(&self, start: u64, into: &mut [u8]) -> std::io::Result<()> {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.bytes.read_at(start, into)
    }
}

#[test]
fn a_page_of_many_procurements_is_read_again_once_for_them_all() {
    // Two pages (packages a line) of the same fifty procurements, a
    // notice of another between them: each procurement is joined to its
    // release on the second page, which is read again once, not fifty
    // times.
    let page = |tag: &str| {
        let releases: Vec<String> = (0..50)
            .map(|i| format!("{{\"ocid\": \"A{i}\", \"id\": \"{tag}{i}\"}}"))
            .collect();
        format!("{{\"releases\": [{}]}}\n", releases.join(", "))
    };
    let text = format!("{}{{\"ocid\": \"B\"}}\n{}", page("first"), page("second"));
    let bytes = text.as_bytes();
    let reads = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let reread = Counted {
        bytes: bytes.to_vec(),
        reads: reads.clone(),
    };
    let shape = shape_of(groups(bytes).joining(crate::apart(bytes), Box::new(reread)));
    assert_eq!(shape.len(), 51);
    assert_eq!(
        shape[7],
        at_lines("A7", &[(1, "/releases/7"), (3, "/releases/7")])
    );
    assert_eq!(shape[50], at_lines("B", &[(2, "")]));
    assert_eq!(reads.load(std::sync::atomic::Ordering::Relaxed), 1);
}
