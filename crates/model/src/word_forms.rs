//! Values as people write them in a word processor, read as the format
//! writes them: `£1.5 million per annum` is `£1.5m/yr`, `75 per cent` is
//! `75%`, `1st April 2017` and `01/04/2017` are `2017-04-01`. The typer
//! reads such a value and reports it (SCH008) with the canonical form, so
//! that the rules judge what was meant and the author learns the form.
//!
//! Each function returns the canonical text, or `None` when the text is not
//! in a form it knows (or is canonical already): the typer then reads the
//! text as usual. Each looks at the text first for the words it rewrites,
//! so that the values of a large proposal, written canonically, cost a scan
//! and nothing more.

/// An amount written with words or spaces: `£1.5 million`, `£ 1.5m/yr`,
/// `£1.5m / yr`, `£150m per year`, `£150m per annum`, `£150m p.a.`,
/// `1.5m GBP`; and `PS14,357`, the pound sign as some publishing systems
/// turn it into ASCII (Find a Tender's notices among them).
pub(crate) fn money(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let lower = lower.replace('\u{a0}', " ");
    let (body, annual) = split_annual(&lower);
    let body = body.trim();
    let (body, currency) = if let Some(rest) = body.strip_suffix("gbp") {
        (rest.trim(), true)
    } else if let Some(rest) = body.strip_prefix("gbp") {
        (rest.trim(), true)
    } else if let Some(rest) = body.strip_prefix('£') {
        (rest.trim(), true)
    } else if let Some(rest) = body
        .strip_prefix("ps")
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    {
        (rest, true)
    } else {
        (body, false)
    };
    if !currency {
        return None;
    }
    let (number, multiplier) = split_multiplier(body)?;
    if number.is_empty()
        || !number
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let canonical = format!("£{number}{multiplier}{}", if annual { "/yr" } else { "" });
    (canonical != text.trim()).then_some(canonical)
}

/// The text before a `per year` in any of its spellings, and whether there
/// was one.
fn split_annual(text: &str) -> (&str, bool) {
    for suffix in [
        "per annum",
        "per year",
        "a year",
        "each year",
        "p.a.",
        "p.a",
        "pa",
        "/ yr",
        "/yr",
        "/ year",
        "/year",
    ] {
        if let Some(body) = text.strip_suffix(suffix) {
            return (body, true);
        }
    }
    (text, false)
}

/// A number and its multiplier written as a word or a letter: `1.5
/// million` is `("1.5", "m")`.
fn split_multiplier(text: &str) -> Option<(&str, &'static str)> {
    for (suffix, multiplier) in [
        ("billion", "bn"),
        ("bn", "bn"),
        ("million", "m"),
        ("mn", "m"),
        ("m", "m"),
        ("thousand", "k"),
        ("k", "k"),
    ] {
        if let Some(number) = text.strip_suffix(suffix) {
            return Some((number.trim(), multiplier));
        }
    }
    Some((text.trim(), ""))
}

/// A percentage in words: `75 per cent`, `75 percent`, `75 pc`.
pub(crate) fn percent(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let number = ["per cent", "percent", "pc", " %"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))?
        .trim();
    let numeric = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.');
    numeric.then(|| format!("{number}%"))
}

/// A date in words or in the UK's day-first order: `1 April 2017`, `1st
/// April 2017`, `01/04/2017`, `1.4.2017`; a month alone, `April 2017`.
pub(crate) fn date(text: &str) -> Option<String> {
    let text = text.trim();
    if let Some(date) = numeric_date(text) {
        return Some(date);
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [day, month, year] => {
            let day = day
                .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                .parse::<u8>()
                .ok()?;
            let month = month_number(month)?;
            let year = year.parse::<u16>().ok().filter(|y| *y >= 1000)?;
            Some(format!("{year:04}-{month:02}-{day:02}"))
        }
        [month, year] => {
            let month = month_number(month)?;
            let year = year.parse::<u16>().ok().filter(|y| *y >= 1000)?;
            Some(format!("{year:04}-{month:02}"))
        }
        _ => None,
    }
}

/// A year alone, `2011`: four digits, nothing else.
pub(crate) fn year(text: &str) -> Option<i32> {
    let text = text.trim();
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
        .filter(|y| *y >= 1000)
}

/// `dd/mm/yyyy`, `d/m/yyyy`, `dd.mm.yyyy`, `dd-mm-yyyy`: day first, as in
/// the UK.
fn numeric_date(text: &str) -> Option<String> {
    let separator = ['/', '.', '-']
        .into_iter()
        .find(|s| text.matches(*s).count() == 2)?;
    let parts: Vec<&str> = text.split(separator).collect();
    let [day, month, year] = parts.as_slice() else {
        return None;
    };
    if year.len() != 4 || day.len() > 2 || month.len() > 2 {
        return None;
    }
    let day = day.parse::<u8>().ok()?;
    let month = month.parse::<u8>().ok().filter(|m| (1..=12).contains(m))?;
    let year = year.parse::<u16>().ok()?;
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn month_number(word: &str) -> Option<u8> {
    assure_stdx::words::month_named(word).map(|m| m as u8)
}

/// A word of `allowed` written with spaces or capitals: `foundation trust`,
/// `NHS Trust`, `Not Started`, `most capable provider`.
pub(crate) fn word<'a>(text: &str, allowed: &'a [String]) -> Option<&'a str> {
    let text = text.trim();
    let folded: String = text
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-");
    allowed
        .iter()
        .find(|value| **value == folded && value.as_str() != text)
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_words_are_read_as_the_format_writes_them() {
        let cases = [
            ("£1.5 million", Some("£1.5m")),
            ("£1.5 million/yr", Some("£1.5m/yr")),
            ("PS14,357", Some("£14,357")),
            ("PS9,785,132.00", Some("£9,785,132.00")),
            ("PS7.1m", Some("£7.1m")),
            ("PSR", None),
            ("PS 14", None),
            ("£1.5m / yr", Some("£1.5m/yr")),
            ("£ 1.5m/yr", Some("£1.5m/yr")),
            ("£150m per year", Some("£150m/yr")),
            ("£150m per annum", Some("£150m/yr")),
            ("£150m p.a.", Some("£150m/yr")),
            ("1.5m GBP", Some("£1.5m")),
            ("£2 billion", Some("£2bn")),
            ("£350,000 a year", Some("£350,000/yr")),
            ("£1.5m/yr", None),
            ("£4m", None),
            ("about £4m", None),
            ("1.5 million", None),
        ];
        for (text, expected) in cases {
            assert_eq!(money(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn percentages_and_dates_in_words() {
        assert_eq!(percent("75 per cent").as_deref(), Some("75%"));
        assert_eq!(percent("12.5 percent").as_deref(), Some("12.5%"));
        assert_eq!(percent("most"), None);
        assert_eq!(date("1 April 2017").as_deref(), Some("2017-04-01"));
        assert_eq!(date("1st April 2017").as_deref(), Some("2017-04-01"));
        assert_eq!(date("21st Sept 2016").as_deref(), Some("2016-09-21"));
        assert_eq!(date("01/04/2017").as_deref(), Some("2017-04-01"));
        assert_eq!(date("1.4.2017").as_deref(), Some("2017-04-01"));
        assert_eq!(date("April 2017").as_deref(), Some("2017-04"));
        assert_eq!(date("2017-04-01").as_deref(), None);
        assert_eq!(date("soon"), None);
        assert_eq!(date("13/13/2017"), None);
    }

    #[test]
    fn words_with_spaces_or_capitals_are_the_vocabulary_words() {
        let allowed: Vec<String> = ["foundation-trust", "nhs-trust", "not-started"]
            .map(String::from)
            .to_vec();
        assert_eq!(word("foundation trust", &allowed), Some("foundation-trust"));
        assert_eq!(word("NHS Trust", &allowed), Some("nhs-trust"));
        assert_eq!(word("Not Started", &allowed), Some("not-started"));
        assert_eq!(word("nhs-trust", &allowed), None);
        assert_eq!(word("trust", &allowed), None);
    }
}
