//! Typed values: exact money, calendar dates, durations, and the conversions
//! from the lexer's tokens that report SYN002 for impossible values.

use assure_diagnostic::excerpt;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// An amount of money, held exactly in pence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    /// The amount in pence.
    pub pence: i64,
    /// Whether it is an amount per year (`/yr`).
    pub annual: bool,
}

impl Money {
    /// The amount in pounds, exactly.
    pub fn pounds(self) -> Decimal {
        Decimal::new(self.pence, 2)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_pounds(self.pounds()))?;
        if self.annual {
            f.write_str("/yr")?;
        }
        Ok(())
    }
}

/// Writes an amount of pounds the way proposals do: `£4.5m`, `£1.2bn`,
/// `£350,000`, `£12.50`.
pub fn format_pounds(pounds: Decimal) -> String {
    let sign = if pounds.is_sign_negative() { "-" } else { "" };
    let magnitude = pounds.abs();
    for (unit, suffix) in [(1_000_000_000i64, "bn"), (1_000_000, "m")] {
        let unit = Decimal::from(unit);
        if magnitude >= unit {
            let scaled = (magnitude / unit).round_dp(2).normalize();
            return format!("{sign}£{scaled}{suffix}");
        }
    }
    let rounded = magnitude.round_dp(2).normalize();
    let whole = rounded.trunc();
    let fraction = rounded - whole;
    let mut out = format!("{sign}£{}", group_thousands(&whole.to_string()));
    if !fraction.is_zero() {
        out.push_str(format!("{:.2}", fraction).trim_start_matches('0'));
    }
    out
}

/// Writes a number with thousands separators: `310000.5` → `310,000.5`.
pub fn format_number(number: Decimal) -> String {
    let normal = number.normalize();
    let text = normal.abs().to_string();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w.to_owned(), Some(f.to_owned())),
        None => (text, None),
    };
    let sign = if normal.is_sign_negative() && !normal.is_zero() {
        "-"
    } else {
        ""
    };
    match fraction {
        Some(fraction) => format!("{sign}{}.{fraction}", group_thousands(&whole)),
        None => format!("{sign}{}", group_thousands(&whole)),
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A calendar date; `2017-04` is a month, compared as its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    /// The year, 1 to 9999.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month; 1 when only the month or year was given.
    pub day: u8,
    /// Whether the day was written.
    pub has_day: bool,
    /// Whether the month was written (`2011` alone is a year: month and
    /// day 1, neither written).
    pub has_month: bool,
}

impl Date {
    /// Parses `YYYY-MM-DD` or `YYYY-MM`, rejecting dates the calendar does
    /// not have.
    pub fn parse(text: &str) -> Result<Date, String> {
        let mut parts = text.split('-');
        let number = |part: Option<&str>| part.and_then(|p| p.parse::<u32>().ok());
        let (Some(year), Some(month)) = (number(parts.next()), number(parts.next())) else {
            return Err(format!(
                "`{}` is not a date (write YYYY-MM-DD)",
                excerpt(text)
            ));
        };
        let day = parts.next();
        let has_day = day.is_some();
        let day = if has_day { number(day) } else { Some(1) };
        let Some(day) = day else {
            return Err(format!(
                "`{}` is not a date (write YYYY-MM-DD)",
                excerpt(text)
            ));
        };
        if year == 0 {
            return Err(format!(
                "`{}` is not a real date: there is no year 0",
                excerpt(text)
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(format!(
                "`{}` is not a real date: there is no month {month}",
                excerpt(text)
            ));
        }
        let days_in_month = days_in_month(year as i32, month as u8);
        if day == 0 || day > u32::from(days_in_month) {
            return Err(format!(
                "`{}` is not a real date: {} {year} has {days_in_month} days",
                excerpt(text),
                MONTH_NAMES[month as usize - 1]
            ));
        }
        Ok(Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
            has_day,
            has_month: true,
        })
    }

    /// The year alone (`established: 2011`), 1 to 9999: any day of it.
    pub fn year_only(year: i32) -> Option<Date> {
        (1..=9999).contains(&year).then_some(Date {
            year,
            month: 1,
            day: 1,
            has_day: false,
            has_month: false,
        })
    }

    /// The first day it may be: itself, if its day was written.
    pub fn earliest(self) -> Date {
        Date {
            month: if self.has_month { self.month } else { 1 },
            day: if self.has_day { self.day } else { 1 },
            has_day: true,
            has_month: true,
            ..self
        }
    }

    /// The last day it may be: the end of its month, or of its year, when
    /// only they were written.
    pub fn latest(self) -> Date {
        let month = if self.has_month { self.month } else { 12 };
        Date {
            month,
            day: if self.has_day {
                self.day
            } else {
                days_in_month(self.year, month)
            },
            has_day: true,
            has_month: true,
            ..self
        }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days(self) -> i64 {
        // Howard Hinnant's days-from-civil, on a March-based year.
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month = i64::from(self.month);
        let day_of_year =
            (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` after 1970-01-01, if it is within years 1 to 9999.
    pub fn from_days(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        (1..=9999).contains(&year).then_some(Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
            has_day: true,
            has_month: true,
        })
    }

    /// The date `months` later (or earlier), the day clamped to the end of a
    /// shorter month: 2016-01-31 plus one month is 2016-02-29.
    pub fn add_months(self, months: i64) -> Option<Date> {
        let index = i64::from(self.year)
            .checked_mul(12)?
            .checked_add(i64::from(self.month) - 1)?
            .checked_add(months)?;
        let year = index.div_euclid(12);
        let month = (index.rem_euclid(12) + 1) as u8;
        if !(1..=9999).contains(&year) {
            return None;
        }
        let day = self.day.min(days_in_month(year as i32, month));
        Some(Date {
            year: year as i32,
            month,
            day,
            has_day: self.has_day,
            has_month: self.has_month,
        })
    }

    /// The date `duration` later (or earlier, with `sign` -1): months by the
    /// calendar, then days. A date written without its day moves only by
    /// whole months (and one without its month by whole years), keeping
    /// what it does not say unsaid; by anything else it is `None`, since
    /// the answer is no month or year.
    pub fn add(self, duration: Duration, sign: i64) -> Option<Date> {
        let months = duration.months.checked_mul(sign)?;
        let days = duration.days.checked_mul(sign)?;
        if !self.has_day && (days != 0 || (!self.has_month && months % 12 != 0)) {
            return None;
        }
        let moved = self.add_months(months)?;
        if !self.has_day {
            return Some(moved);
        }
        Date::from_days(moved.days().checked_add(days)?)
    }

    /// The calendar distance from `self` to a later `other`, in whole months
    /// and the days left over: 2015-10-01 to 2017-04-01 is 18 months.
    pub fn until(self, other: Date) -> Duration {
        if other < self {
            let back = other.until(self);
            return Duration {
                months: -back.months,
                days: -back.days,
            };
        }
        let mut months = (i64::from(other.year) - i64::from(self.year)) * 12
            + i64::from(other.month)
            - i64::from(self.month);
        let mut anchor = self.add_months(months);
        while anchor.is_some_and(|a| a > other) && months > 0 {
            months -= 1;
            anchor = self.add_months(months);
        }
        let days = anchor.map_or(0, |a| other.days() - a.days());
        Duration { months, days }
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.year, self.month, self.day).cmp(&(other.year, other.month, other.day))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.has_day {
            write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
        } else if self.has_month {
            write!(f, "{:04}-{:02}", self.year, self.month)
        } else {
            write!(f, "{:04}", self.year)
        }
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A length of time in calendar months and days: `15 years` is 180 months,
/// `2 weeks` is 14 days. Adding it to a date follows the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    /// Whole months.
    pub months: i64,
    /// Days beyond the months.
    pub days: i64,
}

/// The mean Gregorian year in days, used only to compare a duration in
/// months with one in days.
const DAYS_PER_YEAR: Decimal = Decimal::from_parts(3_652_425, 0, 0, false, 4);

impl Duration {
    /// The length in years, exactly for months and by the mean Gregorian
    /// year for days.
    pub fn years(self) -> Decimal {
        let months = Decimal::from(self.months) / Decimal::from(12);
        if self.days == 0 {
            months
        } else {
            months + Decimal::from(self.days) / DAYS_PER_YEAR
        }
    }

    /// Compares two durations: by months and days when neither mixes units
    /// the other lacks, else by length in years.
    pub fn compare(self, other: Duration) -> Ordering {
        if self.days == 0 && other.days == 0 {
            return self.months.cmp(&other.months);
        }
        if self.months == 0 && other.months == 0 {
            return self.days.cmp(&other.days);
        }
        self.years().cmp(&other.years())
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: i64, unit: &str| {
            if n == 1 || n == -1 {
                format!("{n} {unit}")
            } else {
                format!("{n} {unit}s")
            }
        };
        let mut parts = Vec::new();
        if self.months != 0 {
            if self.months % 12 == 0 {
                parts.push(plural(self.months / 12, "year"));
            } else {
                parts.push(plural(self.months, "month"));
            }
        }
        // Days stay days: a rule's `28 days` is shown as written, not as
        // `4 weeks`.
        if self.days != 0 {
            parts.push(plural(self.days, "day"));
        }
        if parts.is_empty() {
            parts.push("0 days".into());
        }
        f.write_str(&parts.join(" "))
    }
}

/// Reads a number token: `310,000`, `43`, `0.75`. A `,` must group digits by
/// three; an overlong number is an error.
pub fn parse_number(text: &str) -> Result<Decimal, String> {
    let (whole, _) = text.split_once('.').unwrap_or((text, ""));
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let grouped = whole.contains(',');
    if grouped && (first.is_empty() || first.len() > 3 || groups.any(|g| g.len() != 3)) {
        return Err(format!(
            "`{}` has bad digit grouping: a comma separates thousands, so groups after it have three digits",
            excerpt(text)
        ));
    }
    let mut buffer = [0u8; 40];
    let exact = if !text.contains(',') {
        Decimal::from_str_exact(text)
    } else if let Some(plain) = without_commas(text, &mut buffer) {
        Decimal::from_str_exact(plain)
    } else {
        Decimal::from_str_exact(&text.replace(',', ""))
    };
    exact.map_err(|_| {
        format!(
            "`{}` is too large or too precise to hold exactly",
            excerpt(text)
        )
    })
}

/// `text` without its commas, written into `buffer` (no allocation: a
/// proposal has millions of numbers); `None` if it does not fit.
fn without_commas<'b>(text: &str, buffer: &'b mut [u8]) -> Option<&'b str> {
    let mut len = 0;
    for &byte in text.as_bytes().iter().filter(|&&b| b != b',') {
        *buffer.get_mut(len)? = byte;
        len += 1;
    }
    // Only ASCII commas were dropped, so the bytes are still UTF-8.
    std::str::from_utf8(&buffer[..len]).ok()
}

/// Reads a money token (`£4.5m/yr`, `GBP 12k`, `£350,000`) into pence,
/// exactly: a fraction of a penny, or an amount beyond what 64 bits of pence
/// hold, is an error.
pub fn parse_money(text: &str) -> Result<Money, String> {
    let (number, multiplier, annual) = assure_syntax::number::split_money(text)
        .ok_or_else(|| format!("`{}` is not an amount of money", excerpt(text)))?;
    let too_large = || format!("`{}` is too large an amount to hold exactly", excerpt(text));
    let amount = parse_number(number)?;
    let scale: i64 = match multiplier {
        "" => 1,
        "k" | "K" => 1_000,
        "m" | "M" => 1_000_000,
        _ if multiplier.eq_ignore_ascii_case("bn") => 1_000_000_000,
        other => {
            let other = other.to_ascii_lowercase();
            return Err(format!("`{other}` is not a multiplier (use k, m or bn)"));
        }
    };
    let pence = amount
        .checked_mul(Decimal::from(scale))
        .and_then(|a| a.checked_mul(Decimal::ONE_HUNDRED))
        .ok_or_else(too_large)?;
    if !pence.fract().is_zero() {
        return Err(format!(
            "`{}` is not a whole number of pence",
            excerpt(text)
        ));
    }
    let pence = pence.to_i64().ok_or_else(too_large)?;
    Ok(Money { pence, annual })
}

/// Reads a percent token: `40%`, `12.5%`; the result is the number before
/// the `%`.
pub fn parse_percent(text: &str) -> Result<Decimal, String> {
    parse_number(text.trim_end_matches('%'))
}

/// Reads a duration token: `15 years`, `6 months`, `1 year`, `90 days`,
/// `2 weeks`, `1.5 years`. The length must come to whole months (for years
/// and months) or whole days (for weeks and days).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("`{}` is not a duration", excerpt(text)))?;
    let amount = parse_number(number)?;
    let unit = unit.trim();
    let (per_unit, in_months) = match unit.trim_end_matches('s') {
        "year" => (12, true),
        "month" => (1, true),
        "week" => (7, false),
        "day" => (1, false),
        _ => return Err(format!("`{unit}` is not a unit of time")),
    };
    let total = amount
        .checked_mul(Decimal::from(per_unit))
        .ok_or_else(|| format!("`{}` is too long a duration", excerpt(text)))?;
    if !total.fract().is_zero() {
        let whole = if in_months { "months" } else { "days" };
        return Err(format!(
            "`{}` is not a whole number of {whole}",
            excerpt(text)
        ));
    }
    let total = total
        .to_i64()
        .filter(|t| t.unsigned_abs() <= 1_000_000)
        .ok_or_else(|| format!("`{}` is too long a duration", excerpt(text)))?;
    Ok(if in_months {
        Duration {
            months: total,
            days: 0,
        }
    } else {
        Duration {
            months: 0,
            days: total,
        }
    })
}

impl FromStr for Date {
    type Err = String;
    fn from_str(text: &str) -> Result<Date, String> {
        Date::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_by_three() {
        assert_eq!(parse_number("310,000"), Ok(Decimal::from(310_000)));
        assert_eq!(parse_number("1,234,567.5"), Ok(Decimal::new(12_345_675, 1)));
        assert_eq!(
            parse_number("31,00").unwrap_err(),
            "`31,00` has bad digit grouping: a comma separates thousands, so groups after it have three digits"
        );
        assert!(parse_number("1234,567").is_err());
        assert!(parse_number("1,2345").is_err());
        assert!(parse_number("99999999999999999999999999999999").is_err());
    }

    #[test]
    fn a_grouped_number_too_long_for_the_stack_reads_as_a_short_one_would() {
        // 42 digits, past the 40 read without an allocation: the leading
        // zeros leave a value that fits.
        let long = format!("000{}", ",000".repeat(12)) + ",001";
        assert_eq!(parse_number(&long), Ok(Decimal::ONE));
        let too_large = format!("100{}", ",000".repeat(13));
        assert_eq!(
            parse_number(&too_large).unwrap_err(),
            format!(
                "`{}` is too large or too precise to hold exactly",
                excerpt(&too_large)
            )
        );
    }

    #[test]
    fn money_is_exact_in_pence() {
        assert_eq!(
            parse_money("£4.5m/yr"),
            Ok(Money {
                pence: 450_000_000,
                annual: true
            })
        );
        assert_eq!(
            parse_money("£1.2bn"),
            Ok(Money {
                pence: 120_000_000_000,
                annual: false
            })
        );
        assert_eq!(
            parse_money("GBP 12k"),
            Ok(Money {
                pence: 1_200_000,
                annual: false
            })
        );
        assert_eq!(
            parse_money("£12.50"),
            Ok(Money {
                pence: 1250,
                annual: false
            })
        );
        assert_eq!(
            parse_money("£0.001").unwrap_err(),
            "`£0.001` is not a whole number of pence"
        );
        assert_eq!(
            parse_money("£99999999999bn").unwrap_err(),
            "`£99999999999bn` is too large an amount to hold exactly"
        );
        assert_eq!(
            parse_money("£92233720368547758.07"),
            Ok(Money {
                pence: i64::MAX,
                annual: false
            })
        );
        assert!(parse_money("£92233720368547758.08").is_err());
        for (text, pence) in [
            ("£2K", 200_000),
            ("£3M", 300_000_000),
            ("£1BN", 100_000_000_000),
        ] {
            assert_eq!(parse_money(text).map(|m| m.pence), Ok(pence), "{text}");
        }
        assert_eq!(
            parse_money("£5X").unwrap_err(),
            "`£5X` is not an amount of money"
        );
    }

    #[test]
    fn money_and_numbers_format_like_proposals() {
        let show = |text| parse_money(text).unwrap().to_string();
        assert_eq!(show("£4.5m/yr"), "£4.5m/yr");
        assert_eq!(show("£1,200,000,000"), "£1.2bn");
        assert_eq!(show("£350,000"), "£350,000");
        assert_eq!(show("£12.50"), "£12.50");
        assert_eq!(show("£0.05"), "£0.05");
        assert_eq!(format_number(Decimal::new(3_100_005, 1)), "310,000.5");
        assert_eq!(format_number(Decimal::from(-1234)), "-1,234");
    }

    #[test]
    fn dates_are_real_calendar_dates() {
        assert_eq!(
            Date::parse("2016-02-29").map(|d| d.to_string()),
            Ok("2016-02-29".into())
        );
        assert_eq!(
            Date::parse("2017-02-29").unwrap_err(),
            "`2017-02-29` is not a real date: February 2017 has 28 days"
        );
        assert_eq!(
            Date::parse("2017-02-30").unwrap_err(),
            "`2017-02-30` is not a real date: February 2017 has 28 days"
        );
        assert_eq!(
            Date::parse("2017-13").unwrap_err(),
            "`2017-13` is not a real date: there is no month 13"
        );
        assert_eq!(
            Date::parse("1900-02-29").unwrap_err(),
            "`1900-02-29` is not a real date: February 1900 has 28 days"
        );
        assert!(Date::parse("2000-02-29").is_ok());
        assert_eq!(Date::parse("2017-04").unwrap().to_string(), "2017-04");
    }

    #[test]
    fn day_numbers_round_trip() {
        for text in [
            "1970-01-01",
            "2016-02-29",
            "0001-01-01",
            "9999-12-31",
            "2017-04-01",
        ] {
            let date = Date::parse(text).unwrap();
            assert_eq!(Date::from_days(date.days()), Some(date), "{text}");
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        assert_eq!(Date::parse("2000-03-01").unwrap().days(), 11_017);
    }

    #[test]
    fn calendar_arithmetic() {
        let date = |t| Date::parse(t).unwrap();
        assert_eq!(date("2016-01-31").add_months(1), Some(date("2016-02-29")));
        assert_eq!(
            date("2016-09-30").add(Duration { months: 8, days: 0 }, 1),
            Some(date("2017-05-30"))
        );
        assert_eq!(
            date("2015-10-01").until(date("2017-04-01")),
            Duration {
                months: 18,
                days: 0
            }
        );
        assert_eq!(
            date("2013-04-01").until(date("2015-04-01")),
            Duration {
                months: 24,
                days: 0
            }
        );
        assert_eq!(
            date("2014-11-01").until(date("2015-04-01")),
            Duration { months: 5, days: 0 }
        );
        assert_eq!(
            date("2016-01-31").until(date("2016-03-01")),
            Duration { months: 1, days: 1 }
        );
        assert_eq!(
            date("2017-04-01").until(date("2015-10-01")),
            Duration {
                months: -18,
                days: 0
            }
        );
        assert_eq!(date("9999-12-31").add_months(1), None);
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("15 years"),
            Ok(Duration {
                months: 180,
                days: 0
            })
        );
        assert_eq!(
            parse_duration("1.5 years"),
            Ok(Duration {
                months: 18,
                days: 0
            })
        );
        assert_eq!(
            parse_duration("2 weeks"),
            Ok(Duration {
                months: 0,
                days: 14
            })
        );
        assert_eq!(
            parse_duration("0.5 months").unwrap_err(),
            "`0.5 months` is not a whole number of months"
        );
        assert!(parse_duration("99999999999 years").is_err());
        let years = |m| Duration { months: m, days: 0 };
        assert_eq!(years(264).compare(years(120)), Ordering::Greater);
        assert_eq!(
            Duration {
                months: 0,
                days: 31
            }
            .compare(years(1)),
            Ordering::Greater
        );
        assert_eq!(years(120).years(), Decimal::from(10));
        assert_eq!(years(264).to_string(), "22 years");
        assert_eq!(
            Duration {
                months: 18,
                days: 0
            }
            .to_string(),
            "18 months"
        );
        assert_eq!(
            Duration {
                months: 0,
                days: 14
            }
            .to_string(),
            "14 days"
        );
    }
}
