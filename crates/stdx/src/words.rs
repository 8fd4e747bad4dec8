//! Words of the calendar as people write them.

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month (1 to 12) a word names: its name or the start of it, at least
/// three letters, in any case, a full stop or comma after it or not
/// (`March`, `Sept.`, `dec`).
pub fn month_named(word: &str) -> Option<u32> {
    let word = word.trim_end_matches(['.', ',']).to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&word))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::month_named;

    #[test]
    fn months_by_name_or_its_start() {
        assert_eq!(month_named("March"), Some(3));
        assert_eq!(month_named("Sept."), Some(9));
        assert_eq!(month_named("dec,"), Some(12));
        assert_eq!(month_named("may"), Some(5));
        assert_eq!(month_named("ma"), None);
        assert_eq!(month_named("mayor"), None);
    }
}
