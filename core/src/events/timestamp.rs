//! [`Timestamp`]: the lenient RFC 3339 reading of the date-times Qonto sends as text.

use core::fmt;

/// A date-time read from RFC 3339 text, as Qonto sends them: with or without a fraction
/// (`…07Z`, `…07.000Z`, `…00.123456+01:00`), `Z` or an offset, `T`, `t` or a space between date
/// and time. The typed payloads keep every timestamp as the text sent; this reads one.
///
/// ```
/// use qonto_webhooks::events::Timestamp;
///
/// let t = Timestamp::parse("2022-03-04T17:58:30.5+02:00").unwrap();
/// assert_eq!((t.unix_seconds, t.nanos, t.offset_minutes), (1_646_409_510, 500_000_000, 120));
/// assert_eq!(Timestamp::parse("2025-01-24T10:55:00Z").unwrap().unix_seconds, 1_737_716_100);
/// assert!(Timestamp::parse("2022-11-31T10:55:00Z").is_err()); // no such day
/// assert!(Timestamp::parse("2025-01-24T10:55:00").is_err()); // no offset: which instant?
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub unix_seconds: i64,
    /// The fraction of the second, in nanoseconds (digits beyond nine are dropped).
    pub nanos: u32,
    /// The offset from UTC the text gave, in minutes (`0` for `Z`, `120` for `+02:00`).
    pub offset_minutes: i16,
}

/// A text that is not an RFC 3339 date-time, or names one that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseTimestampError(());

impl fmt::Display for ParseTimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "not an RFC 3339 date-time (expected YYYY-MM-DDTHH:MM:SS[.fraction] then Z or an \
             offset such as +01:00, naming a real date and time)",
        )
    }
}

impl core::error::Error for ParseTimestampError {}

/// The number `b` holds (ASCII digits only).
fn number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Timestamp {
    /// Reads `text` (see [`Timestamp`]).
    ///
    /// # Errors
    /// [`ParseTimestampError`] when `text` is not of that form, or names a date or time that
    /// does not exist (`2022-11-31`, `25:00`, an offset of 24 hours or more).
    pub fn parse(text: &str) -> Result<Timestamp, ParseTimestampError> {
        Timestamp::read(text.as_bytes()).ok_or(ParseTimestampError(()))
    }

    fn read(b: &[u8]) -> Option<Timestamp> {
        let field = |from: usize, to: usize| number(b.get(from..to)?);
        let at = |i: usize| b.get(i).copied();
        if at(4) != Some(b'-')
            || at(7) != Some(b'-')
            || at(13) != Some(b':')
            || at(16) != Some(b':')
        {
            return None;
        }
        if !matches!(at(10), Some(b'T' | b't' | b' ')) {
            return None;
        }
        let (year, month, day) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
        let (hour, minute, second) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if at(i) == Some(b'.') {
            let digits = b
                .get(i + 1..)?
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits == 0 {
                return None;
            }
            for k in 0..9 {
                let digit = if k < digits { at(i + 1 + k)? - b'0' } else { 0 };
                nanos = nanos * 10 + u32::from(digit);
            }
            i += 1 + digits;
        }
        let offset_minutes: i64 = match b.get(i..)? {
            b"Z" | b"z" => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let (hours, minutes) = (number(&[*h1, *h2])?, number(&[*m1, *m2])?);
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let minutes = i64::from(hours * 60 + minutes);
                if *sign == b'-' { -minutes } else { minutes }
            }
            _ => return None,
        };
        let days = days_from_civil(i64::from(year), month, day);
        let seconds = i64::from(hour * 3600 + minute * 60 + second);
        Some(Timestamp {
            unix_seconds: days * 86_400 + seconds - offset_minutes * 60,
            nanos,
            offset_minutes: i16::try_from(offset_minutes).ok()?,
        })
    }
}
