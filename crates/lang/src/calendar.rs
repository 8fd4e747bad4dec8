//! A working-day calendar: weekends and a list of holidays over a range of
//! dates, for `working_days` and `add_working_days`.
//!
//! A calendar knows only the years it lists: a date outside its range
//! gives no answer (the evaluator notes the date, and the rule says it
//! could not assess the binding), never a guess that treats the unknown
//! years as holiday-free.

use assure_model::Date;

/// Weekends and holidays between two dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Its name, for messages: `england-and-wales`.
    pub name: String,
    /// The first day it covers.
    pub first: Date,
    /// The last day it covers.
    pub last: Date,
    /// The holidays that fall on weekdays, as day numbers, sorted.
    holidays: Vec<i64>,
}

impl Calendar {
    /// The calendar called `name` from `first` to `last` with `holidays`
    /// (those outside the range or on a weekend are dropped: they change no
    /// count).
    pub fn new(name: &str, first: Date, last: Date, holidays: &[Date]) -> Calendar {
        let mut days: Vec<i64> = holidays
            .iter()
            .map(|d| d.days())
            .filter(|&d| d >= first.days() && d <= last.days() && is_weekday(d))
            .collect();
        days.sort_unstable();
        days.dedup();
        Calendar {
            name: name.to_owned(),
            first,
            last,
            holidays: days,
        }
    }

    /// How many holidays on weekdays it lists.
    pub fn holiday_count(&self) -> usize {
        self.holidays.len()
    }

    /// The working days after `from` up to and including `to` (negative
    /// when `to` is before `from`), or the first date outside the calendar.
    pub fn working_days(&self, from: Date, to: Date) -> Result<i64, Date> {
        self.covers(from)?;
        self.covers(to)?;
        let (a, b) = (from.days(), to.days());
        Ok(if a <= b {
            self.working_through(b) - self.working_through(a)
        } else {
            -(self.working_through(a) - self.working_through(b))
        })
    }

    /// The `n`th working day after `from` (before it, for negative `n`;
    /// `from` itself for 0), or the first date outside the calendar.
    pub fn add_working_days(&self, from: Date, n: i64) -> Result<Date, Date> {
        self.covers(from)?;
        let start = from.days();
        let target = self.working_through(start).checked_add(n);
        // The day sought is the first whose count reaches the target (for a
        // step back, the first whose count reaches it and is a working day):
        // found by bisection over the calendar's range.
        let (mut low, mut high) = if n >= 0 {
            (start, self.last.days() + 1)
        } else {
            (self.first.days(), start)
        };
        let Some(target) = target else {
            return Err(if n >= 0 { self.last } else { self.first });
        };
        if n == 0 {
            return Ok(from);
        }
        while low < high {
            let middle = low + (high - low) / 2;
            if self.working_through(middle) >= target {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        if low > self.last.days() || self.working_through(low) != target {
            let edge = if n >= 0 { self.last } else { self.first };
            return Err(Date::from_days(edge.days() + n.signum()).unwrap_or(edge));
        }
        Date::from_days(low).ok_or(self.last)
    }

    /// Whether `date` is in the calendar's range; the date if not.
    fn covers(&self, date: Date) -> Result<(), Date> {
        if date < self.first || date > self.last {
            Err(date)
        } else {
            Ok(())
        }
    }

    /// Working days from the start of time to `day`, inclusive, as a
    /// difference of counts: weekdays less the holidays up to `day`.
    fn working_through(&self, day: i64) -> i64 {
        weekdays_through(day) - self.holidays.partition_point(|&h| h <= day) as i64
    }
}

/// Weekdays from a fixed Monday up to and including `day`.
fn weekdays_through(day: i64) -> i64 {
    // Day 0, 1970-01-01, was a Thursday: day -3 was a Monday.
    let since_monday = day + 3 + 1;
    since_monday.div_euclid(7) * 5 + since_monday.rem_euclid(7).min(5)
}

/// Whether `day` is Monday to Friday.
pub(crate) fn is_weekday(day: i64) -> bool {
    (day + 3).rem_euclid(7) < 5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn england_2017() -> Calendar {
        let holidays: Vec<Date> = [
            "2017-01-02",
            "2017-04-14",
            "2017-04-17",
            "2017-05-01",
            "2017-05-29",
            "2017-08-28",
            "2017-12-25",
            "2017-12-26",
        ]
        .map(date)
        .to_vec();
        Calendar::new("test", date("2017-01-01"), date("2017-12-31"), &holidays)
    }

    #[test]
    fn counts_weekdays_less_holidays_after_the_first_date() {
        let calendar = england_2017();
        // Friday 2017-04-07 to Friday 2017-04-21: ten weekdays, two of
        // them Good Friday and Easter Monday.
        assert_eq!(
            calendar.working_days(date("2017-04-07"), date("2017-04-21")),
            Ok(8)
        );
        assert_eq!(
            calendar.working_days(date("2017-04-21"), date("2017-04-07")),
            Ok(-8)
        );
        assert_eq!(
            calendar.working_days(date("2017-04-08"), date("2017-04-09")),
            Ok(0)
        );
    }

    #[test]
    fn adds_working_days_skipping_weekends_and_holidays() {
        let calendar = england_2017();
        assert_eq!(
            calendar.add_working_days(date("2017-04-07"), 8),
            Ok(date("2017-04-21"))
        );
        assert_eq!(
            calendar.add_working_days(date("2017-04-21"), -8),
            Ok(date("2017-04-07"))
        );
        // From a Saturday, the first working day is the Monday.
        assert_eq!(
            calendar.add_working_days(date("2017-03-04"), 1),
            Ok(date("2017-03-06"))
        );
        assert_eq!(
            calendar.add_working_days(date("2017-03-04"), 0),
            Ok(date("2017-03-04"))
        );
    }

    #[test]
    fn a_date_outside_the_calendar_has_no_answer() {
        let calendar = england_2017();
        assert_eq!(
            calendar.working_days(date("2017-12-20"), date("2018-01-05")),
            Err(date("2018-01-05"))
        );
        assert_eq!(
            calendar.add_working_days(date("2017-12-20"), 10),
            Err(date("2018-01-01"))
        );
        assert_eq!(
            calendar.add_working_days(date("2017-12-20"), i64::MAX),
            Err(date("2017-12-31"))
        );
    }
}
