//! The free text of notices, as published: HTML line breaks and entities,
//! sentences, and the values written in words (dates in every form
//! notices use, amounts, periods), each found where a phrase says it is.

use assure_documents::Cleaned;

/// `raw` made plain: HTML line breaks and paragraphs as new lines, other
/// tags dropped, the common entities decoded, then as a word processor's
/// text is made plain (template blanks become placeholders).
pub(crate) fn plain(raw: &str) -> String {
    if is_plain(raw) {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            match tag(rest) {
                Some((breaks, len)) => {
                    out.push(if breaks { '\n' } else { ' ' });
                    rest = &rest[len..];
                }
                None => {
                    out.push('<');
                    rest = &rest[1..];
                }
            }
        } else {
            match entity(rest) {
                Some((c, len)) => {
                    out.push(c);
                    rest = &rest[len..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    Cleaned::of(&out).0
}

/// Whether `raw` is plain already: printable ASCII, no tag, entity or
/// bracket, spaces single and inside, and no prompt of a content control
/// (each opens with `Click`, `Choose` or `Enter`): most of a notice's
/// strings (names, titles, codes), which are then taken as they are.
fn is_plain(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let printable = bytes
        .iter()
        .all(|b| (0x20..0x7f).contains(b) && !matches!(b, b'<' | b'&' | b'['));
    printable
        && !raw.starts_with(' ')
        && !raw.ends_with(' ')
        && memchr::memmem::find(bytes, b"  ").is_none()
        && !says_prompt(bytes)
}

/// Whether `bytes` hold `click`, `choos` or `enter` in any case: each
/// place a `c` or an `e` starts is compared, not every window.
fn says_prompt(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(at, b)| {
        matches!(b | 0x20, b'c' | b'e')
            && bytes.get(at..at + 5).is_some_and(|w| {
                w.eq_ignore_ascii_case(b"click")
                    || w.eq_ignore_ascii_case(b"choos")
                    || w.eq_ignore_ascii_case(b"enter")
            })
    })
}

/// An HTML tag at the start of `text` (`<br/>`, `<p>`, `</li>`): whether it
/// breaks the line, and its length. Anything else (`<<`, `< 5`) is text.
fn tag(text: &str) -> Option<(bool, usize)> {
    let end = text[1..].find('>')? + 2;
    if end > 40 {
        return None;
    }
    let inner = text[1..end - 1]
        .trim_start_matches('/')
        .trim_end_matches('/');
    let name: String = inner
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    const TAGS: [&str; 16] = [
        "br", "p", "div", "li", "ul", "ol", "tr", "td", "table", "b", "i", "u", "strong", "em",
        "span", "a",
    ];
    if !TAGS.contains(&name.as_str()) {
        return None;
    }
    let breaks = matches!(
        name.as_str(),
        "br" | "p" | "div" | "li" | "ul" | "ol" | "tr" | "table"
    );
    Some((breaks, end))
}

/// An HTML entity at the start of `text`: the character and its length.
fn entity(text: &str) -> Option<(char, usize)> {
    let end = text.as_bytes()[..text.len().min(12)]
        .iter()
        .position(|b| *b == b';')?
        + 1;
    let name = &text[1..end - 1];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "pound" => '£',
        _ => {
            let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => name.strip_prefix('#')?.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end))
}

/// The sentences of plain text, each with its byte offset: split at line
/// breaks and after a full stop, question mark or semicolon followed by a
/// space (`Dr. Smith` splits too; a sentence is where a value is looked
/// for, so too short is safer than too long).
pub(crate) fn sentences(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n'
            || (matches!(b, b'.' | b'?' | b';' | b'!')
                && bytes.get(i + 1).is_some_and(|n| *n == b' ')
                && !is_abbreviation(&text[start..i]));
        if ends {
            push_sentence(&mut out, text, start, i + 1);
            start = i + 1;
        }
    }
    push_sentence(&mut out, text, start, text.len());
    out
}

fn push_sentence<'t>(out: &mut Vec<(usize, &'t str)>, text: &'t str, start: usize, end: usize) {
    let sentence = &text[start..end];
    let trimmed = sentence.trim_start();
    let offset = start + (sentence.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        out.push((offset, trimmed));
    }
}

/// Whether a full stop after `before` ends an abbreviation or a number's
/// ordinal rather than a sentence (`e.g.`, `No.`).
fn is_abbreviation(before: &str) -> bool {
    let last = before.rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        last.as_str(),
        "e.g" | "i.e" | "no" | "etc" | "st" | "approx" | "inc"
    )
}

/// Where `phrase` (lower case) is in `lower` (lower-cased text) as whole
/// words: the byte offset just after it.
pub(crate) fn find_phrase(lower: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    // memchr's search: built for each call, it costs far less than the
    // standard library's.
    while let Some(at) = memchr::memmem::find(&lower.as_bytes()[from..], phrase.as_bytes()) {
        let start = from + at;
        let end = start + phrase.len();
        if whole_words(lower, start, end) {
            return Some(end);
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Whether `lower[start..end]`, a phrase found there, stands as whole
/// words: no letter or digit runs into it on either side, unless the
/// phrase starts or ends that side in punctuation (`(psr)`, `decision
/// makers:`), which needs no edge.
pub(crate) fn whole_words(lower: &str, start: usize, end: usize) -> bool {
    let phrase = &lower[start..end];
    let before = lower[..start].chars().next_back();
    let after = lower[end..].chars().next();
    let edge = |c: Option<char>, inner: Option<char>| {
        inner.is_some_and(|i| !i.is_alphanumeric()) || c.is_none_or(|c| !c.is_alphanumeric())
    };
    edge(before, phrase.chars().next()) && edge(after, phrase.chars().next_back())
}

fn month(word: &str) -> Option<u32> {
    assure_stdx::words::month_named(word)
}

/// A day of the month as written: `3`, `03`, `3rd`, `03rd`, `21st,`.
fn day(word: &str) -> Option<u32> {
    let word = word.trim_end_matches([',', '.']).to_ascii_lowercase();
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &word[digits.len()..];
    if digits.is_empty() || digits.len() > 2 || !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok()
}

fn year(word: &str) -> Option<i32> {
    let word = word.trim_end_matches([',', '.', ')', ';', ':']);
    (word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// A date as the canonical form writes it; a day that does not exist is
/// written as given (`2026-02-30`), for the model to say so.
fn iso(year: i32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// A day as (year, month, day).
pub(crate) type Day = (i32, u32, u32);

/// The first date in `text`, in any form notices use (`03rd June 2026`,
/// `3 June 2026`, `June 3, 2026`, `21/10/2025`, `21/10/25`, `21.10.2025`,
/// `2025-10-21`, `21-Oct-2025`), as the canonical form writes it; or the
/// first placeholder before any (`<<Add date>>`, `DD/MM/YYYY` as
/// `<<DD/MM/YYYY>>`), which is written as found for SYN004 to say so.
pub(crate) fn find_date(text: &str) -> Option<String> {
    find_date_near(text, None)
}

/// [`find_date`], and a day and month written without a year
/// (`Wednesday 17th June`) in the year that puts it nearest `notice`, the
/// day of the notice that says it, where that is known.
pub(crate) fn find_date_near(text: &str, notice: Option<Day>) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        if word.starts_with("<<") {
            let start = text.find(word).unwrap_or(0);
            let end = text[start..]
                .find(">>")
                .map_or(text.len(), |e| start + e + 2);
            return Some(text[start..end].to_owned());
        }
        let bare = word.trim_end_matches(['.', ',', ';', ':']);
        if let Some(found) = numeric_date(bare) {
            return Some(found);
        }
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        if let Some(d) = day(word) {
            let (month_word, year_word) = if next(1).eq_ignore_ascii_case("of") {
                (next(2), next(3))
            } else {
                (next(1), next(2))
            };
            if let Some(m) = month(month_word) {
                if let Some(y) = year(year_word) {
                    return Some(iso(y, m, d));
                }
                if let Some(found) = without_year(month_word, m, d, notice) {
                    return Some(found);
                }
            }
        }
        if let Some(m) = month(word)
            && word.chars().next().is_some_and(char::is_alphabetic)
            && let Some(d) = day(next(1))
        {
            if let Some(y) = year(next(2)) {
                return Some(iso(y, m, d));
            }
            if let Some(found) = without_year(word, m, d, notice) {
                return Some(found);
            }
        }
    }
    None
}

/// A day and month written without a year, in the year that puts it
/// nearest the notice (`8 January` in a notice of 30 December is next
/// year's; `17 June` in a notice of 20 June is that June's, three days
/// before the notice, which PSR017 then says, rather than next year's, which
/// would hide it); only where the month's name is written as a date writes
/// it (`June`, not `may` the verb) and the notice's day is known.
fn without_year(month_word: &str, m: u32, d: u32, notice: Option<Day>) -> Option<String> {
    let (year, notice_month, notice_day) = notice?;
    if !month_word.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    // Half a year, in days counted as months of 31: nearer than that in
    // the notice's own year is nearest there.
    const HALF_YEAR: i64 = 186;
    let offset = |m: u32, d: u32| i64::from(m) * 31 + i64::from(d);
    let after_notice = offset(m, d) - offset(notice_month, notice_day);
    let year = if after_notice > HALF_YEAR {
        year - 1
    } else if after_notice < -HALF_YEAR {
        year + 1
    } else {
        year
    };
    Some(iso(year, m, d))
}

/// The `YYYY-MM-DD` an ISO date or date-time
/// (`2026-06-05T09:30:00+01:00`) starts with, its digits unchecked.
pub(crate) fn iso_head(text: &str) -> Option<&str> {
    let head = text.get(..10)?;
    head.bytes()
        .enumerate()
        .all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        .then_some(head)
}

/// The day an ISO date or date-time (`2026-06-05T09:30:00+01:00`) starts
/// with, where it is one.
pub(crate) fn iso_day(text: &str) -> Option<Day> {
    let head = iso_head(text)?;
    let y = head[..4].parse().ok()?;
    let m = head[5..7].parse().ok()?;
    let d = head[8..].parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// `2025-10-21`, `21/10/2025`, `21/10/25`, `21.10.2025`, `21-10-2025`,
/// `21-Oct-2025`; a blank such as `DD/MM/YYYY` as a placeholder. A year of
/// two digits is this century's.
fn numeric_date(word: &str) -> Option<String> {
    let parts: Vec<&str> = word.split(['/', '.', '-']).collect();
    if parts.len() != 3 {
        return None;
    }
    let is_blank = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| matches!(c, 'D' | 'd' | 'M' | 'm' | 'Y' | 'y' | 'X' | 'x'))
    };
    if parts.iter().all(|p| is_blank(p)) {
        return Some(format!("<<{word}>>"));
    }
    let number = |p: &str, len: std::ops::RangeInclusive<usize>| {
        (len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    if let (Some(y), Some(m), Some(d)) = (
        number(parts[0], 4..=4),
        number(parts[1], 1..=2),
        number(parts[2], 1..=2),
    ) {
        return Some(iso(y as i32, m, d));
    }
    let year = |p: &str| {
        number(p, 4..=4)
            .or_else(|| number(p, 2..=2).map(|y| 2000 + y))
            .map(|y| y as i32)
    };
    let month_of = |p: &str| {
        number(p, 1..=2).or_else(|| {
            // A month by name only between letters' separators as
            // written: `21-Oct-2025`.
            p.chars()
                .next()
                .is_some_and(char::is_alphabetic)
                .then(|| month(p))
                .flatten()
        })
    };
    if let (Some(d), Some(m), Some(y)) =
        (number(parts[0], 1..=2), month_of(parts[1]), year(parts[2]))
    {
        return Some(iso(y, m, d));
    }
    None
}

/// An amount found in words: its canonical form, and whether the pound
/// sign came out as `PS` (as text converted from some publishing systems
/// writes `£`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Amount {
    pub(crate) text: String,
    pub(crate) written_ps: bool,
}

/// The first amount of pounds in `text`: `£1,234.50`, `PS1,234`,
/// `GBP 1,234`, with `m`, `million`, `k`, `bn` after it.
pub(crate) fn find_amount(text: &str) -> Option<Amount> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (prefix_len, written_ps) = if text[i..].starts_with('£') {
            ('£'.len_utf8(), false)
        } else if text[i..].starts_with("PS") && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            (2, true)
        } else if text[i..].starts_with("GBP") && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
        {
            (3, false)
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let mut at = i + prefix_len;
        if !written_ps {
            while bytes.get(at) == Some(&b' ') {
                at += 1;
            }
        }
        let digits_start = at;
        while at < bytes.len()
            && (bytes[at].is_ascii_digit() || bytes[at] == b',' || bytes[at] == b'.')
        {
            at += 1;
        }
        let number = text[digits_start..at].trim_end_matches([',', '.']);
        if number.is_empty() || !number.as_bytes()[0].is_ascii_digit() {
            i += prefix_len;
            continue;
        }
        let rest = text[digits_start + number.len()..].trim_start();
        let lower = rest.to_ascii_lowercase();
        let unit = [
            ("million", "m"),
            ("bn", "bn"),
            ("billion", "bn"),
            ("m", "m"),
            ("k", "k"),
        ]
        .iter()
        .find(|(word, _)| {
            lower.starts_with(word)
                && !lower[word.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
        })
        .map_or("", |(_, unit)| *unit);
        let after_unit = lower[lower.len().min(unit_length(&lower, unit))..].trim_start();
        let annual = [
            "per year",
            "per annum",
            "a year",
            "each year",
            "p.a.",
            "pa ",
        ]
        .iter()
        .any(|said| after_unit.starts_with(said));
        // `PS` is kept as written: the model reads it as pounds, and says
        // so (SCH008), so the notice's lost pound sign is flagged.
        let sign = if written_ps { "PS" } else { "£" };
        let per_year = if annual { "/yr" } else { "" };
        return Some(Amount {
            text: format!("{sign}{number}{unit}{per_year}"),
            written_ps,
        });
    }
    None
}

/// How long the multiplier `unit` was as written at the start of `lower`
/// (`million` for `m`).
fn unit_length(lower: &str, unit: &str) -> usize {
    if unit.is_empty() {
        return 0;
    }
    ["million", "billion", "bn", "m", "k"]
        .iter()
        .find(|word| {
            lower.starts_with(*word)
                && !lower[word.len()..].starts_with(|c: char| c.is_ascii_alphabetic())
        })
        .map_or(0, |word| word.len())
}

/// A period written as a number of days or weeks (`within 8 days of
/// publication`, `10 calendar days`), canonical (`8 days`); not a number of
/// working days, which no duration says.
pub(crate) fn find_period(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let Ok(n) = word.parse::<u32>() else {
            continue;
        };
        let mut k = i + 1;
        if words
            .get(k)
            .is_some_and(|w| w.eq_ignore_ascii_case("calendar"))
        {
            k += 1;
        }
        let unit = words.get(k).map(|w| {
            w.trim_end_matches([',', '.', ';', ')'])
                .to_ascii_lowercase()
        });
        match unit.as_deref() {
            Some("days" | "day") => return Some(format!("{n} days")),
            Some("weeks" | "week") => return Some(format!("{n} weeks")),
            _ => {}
        }
    }
    None
}

/// The first number in `text` that one of `units` (lower case, one word
/// or more) follows: `8 working days`, `eight (8) working days`,
/// `eight working days`.
pub(crate) fn find_count(text: &str, units: &[String]) -> Option<u32> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '(' | ')'))
                .to_ascii_lowercase()
        })
        .collect();
    for (i, word) in words.iter().enumerate() {
        let Some(n) = count(word) else {
            continue;
        };
        // `eight (8) working days`: the figure repeated in brackets.
        let mut k = i + 1;
        if words.get(k).and_then(|w| count(w)) == Some(n) {
            k += 1;
        }
        let follows = |unit: &String| {
            let unit: Vec<&str> = unit.split_whitespace().collect();
            !unit.is_empty()
                && words.len() >= k + unit.len()
                && unit.iter().zip(&words[k..]).all(|(u, w)| u == w)
        };
        if units.iter().any(follows) {
            return Some(n);
        }
    }
    None
}

/// A count written in figures or as a word (up to thirty).
fn count(word: &str) -> Option<u32> {
    if !word.is_empty() && word.len() <= 4 && word.bytes().all(|b| b.is_ascii_digit()) {
        return word.parse().ok();
    }
    const WORDS: [&str; 30] = [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "twenty-one",
        "twenty-two",
        "twenty-three",
        "twenty-four",
        "twenty-five",
        "twenty-six",
        "twenty-seven",
        "twenty-eight",
        "twenty-nine",
        "thirty",
    ];
    WORDS.iter().position(|w| *w == word).map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_breaks_and_entities_are_made_plain() {
        assert_eq!(
            plain("Decision makers: Finance lead.<br/><br/>No conflicts &amp; none&#39;s."),
            "Decision makers: Finance lead.\nNo conflicts & none's."
        );
        assert_eq!(plain("a <b>bold</b> word"), "a bold word");
        assert_eq!(plain("by [Add date] &pound;5"), "by <<Add date>> £5");
        // An ampersand before text that is not ASCII (found by fuzzing).
        assert_eq!(
            plain("&\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}: x"),
            "&\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}: x"
        );
    }

    #[test]
    fn plain_text_is_taken_as_it_is_and_anything_else_is_cleaned() {
        for raw in ["Community Nursing Services", "PS14,357", "a (b) c; d."] {
            assert!(is_plain(raw), "{raw}");
            assert_eq!(plain(raw), Cleaned::of(raw).0);
        }
        for raw in [
            "two  spaces",
            " lead",
            "x\ny",
            "Click here to enter text.",
            "[Add date]",
            "caf\u{e9}",
            "a &amp; b",
        ] {
            assert!(!is_plain(raw), "{raw}");
        }
        assert_eq!(plain("Choose an item."), "<<Choose an item.>>");
    }

    #[test]
    fn dates_in_every_form_notices_use() {
        let date = |t: &str| find_date(t);
        let v = |s: &str| Some(s.to_owned());
        assert_eq!(date("by 03rd June 2026"), v("2026-06-03"));
        assert_eq!(date("by 20th October 2025."), v("2025-10-20"));
        assert_eq!(date("midnight 30th March 2026"), v("2026-03-30"));
        assert_eq!(date("by 21/10/2025"), v("2025-10-21"));
        assert_eq!(date("by 1.4.2026"), v("2026-04-01"));
        assert_eq!(date("on 2025-10-21T12:00"), None);
        assert_eq!(date("on 2025-10-21"), v("2025-10-21"));
        assert_eq!(date("June 3, 2026"), v("2026-06-03"));
        assert_eq!(date("the 3rd of Sept 2026"), v("2026-09-03"));
        // Written as given, for the model to say it does not exist.
        assert_eq!(date("by 30th February 2026"), v("2026-02-30"));
        assert_eq!(date("by 31/04/2026"), v("2026-04-31"));
        assert_eq!(
            date("by <<Add date>> at noon"),
            Some("<<Add date>>".to_owned())
        );
        assert_eq!(date("by DD/MM/YYYY"), Some("<<DD/MM/YYYY>>".to_owned()));
        assert_eq!(date("within 8 days of publication"), None);
        assert_eq!(date("Lot 3 of 2026"), None);
        // A year of two digits, a month by name between dashes.
        assert_eq!(date("by 23:59 on 17/06/26"), v("2026-06-17"));
        assert_eq!(date("by 17-Jun-2026"), v("2026-06-17"));
        assert_eq!(date("by 1-Sept-26."), v("2026-09-01"));
        assert_eq!(date("lots 3-4-5"), None);
        // Without a year, nothing unless the notice's day is known.
        assert_eq!(date("by 5pm on Wednesday 17th June"), None);
    }

    #[test]
    fn a_date_without_its_year_is_the_one_nearest_the_notice() {
        let near = |t: &str, notice: Day| find_date_near(t, Some(notice));
        let v = |s: &str| Some(s.to_owned());
        let notice = (2026, 6, 5);
        assert_eq!(
            near("by 5pm on Wednesday 17th June", notice),
            v("2026-06-17")
        );
        assert_eq!(near("by June 17th.", notice), v("2026-06-17"));
        // The year that puts it nearest the notice: a day before the
        // notice stays before it (for PSR017 to say), not next year's.
        assert_eq!(near("by 5 June", notice), v("2026-06-05"));
        assert_eq!(near("by 4 June", notice), v("2026-06-04"));
        assert_eq!(near("by 8 January", (2025, 12, 30)), v("2026-01-08"));
        assert_eq!(near("by 20 December", (2026, 1, 5)), v("2025-12-20"));
        assert_eq!(near("by 4 December", notice), v("2026-12-04"));
        assert_eq!(near("by 6 December", notice), v("2025-12-06"));
        // A year, where written, is the year.
        assert_eq!(near("by 4 June 2026", notice), v("2026-06-04"));
        // `may` the verb is not May.
        assert_eq!(near("8 providers may make representations", notice), None);
        assert_eq!(iso_day("2026-06-05T09:30:00+01:00"), Some(notice));
        assert_eq!(iso_day("2026-13-05"), None);
        assert_eq!(iso_day("2026-6-5T10:00"), None);
        assert_eq!(iso_day("June"), None);
        assert_eq!(iso_head("2026-02-30T09:00"), Some("2026-02-30"));
    }

    #[test]
    fn amounts_with_the_pound_sign_lost() {
        let amount = |t: &str| find_amount(t);
        assert_eq!(
            amount("is PS9,785,132.00 in total"),
            Some(Amount {
                text: "PS9,785,132.00".into(),
                written_ps: true
            })
        );
        assert_eq!(
            amount("about £7.1 million over five years"),
            Some(Amount {
                text: "£7.1m".into(),
                written_ps: false
            })
        );
        assert_eq!(
            amount("GBP 450,000").map(|a| a.text),
            Some("£450,000".into())
        );
        assert_eq!(
            amount("PS14,357 per year for three years").map(|a| a.text),
            Some("PS14,357/yr".into())
        );
        assert_eq!(
            amount("£1.2m a year").map(|a| a.text),
            Some("£1.2m/yr".into())
        );
        assert_eq!(amount("the PSR applies (PS: none)"), None);
        assert_eq!(amount("UPS14 is a code"), None);
    }

    #[test]
    fn periods_in_days_not_working_days() {
        assert_eq!(
            find_period("within 8 days of publication"),
            Some("8 days".into())
        );
        assert_eq!(find_period("10 calendar days"), Some("10 days".into()));
        assert_eq!(find_period("within 8 working days"), None);
    }

    #[test]
    fn counts_in_the_units_given() {
        let units = ["working days".to_owned(), "business days".to_owned()];
        let found = |t: &str| find_count(t, &units);
        assert_eq!(found("within 8 working days of publication"), Some(8));
        assert_eq!(found("within eight (8) working days"), Some(8));
        assert_eq!(found("within ten business days."), Some(10));
        assert_eq!(found("within 8 days of publication"), None);
        assert_eq!(found("lot 2: 8 working"), None);
        assert_eq!(found("2 lots within 8 working days"), Some(8));
    }

    #[test]
    fn phrases_are_found_as_whole_words() {
        assert_eq!(find_phrase("the psr applies", "psr"), Some(7));
        assert_eq!(find_phrase("the psrs apply", "psr"), None);
        assert_eq!(find_phrase("regime (psr) notice", "(psr)"), Some(12));
        assert_eq!(
            find_phrase("decision makers: a, b", "decision makers:"),
            Some(16)
        );
    }

    #[test]
    fn sentences_split_at_stops_and_breaks() {
        let split: Vec<&str> = sentences("One. Two e.g. three.\nFour")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(split, ["One.", "Two e.g. three.", "Four"]);
    }
}
