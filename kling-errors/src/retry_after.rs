//! `Retry-After` and `retry-after-ms` parsing (`reliability.md` 1.3.3): delta-seconds (a float
//! is tolerated), milliseconds, or an HTTP-date compared with the injected clock. Anything
//! negative, past, empty, non-ASCII, overflowing or unparsable is treated as absent; capping
//! the value is the retry policy's job, not the parser's.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::headers::HeaderLookup;

/// Values above this many seconds are treated as overflow (about 31 years): no server means it,
/// and it keeps every later `Duration` arithmetic far from panicking.
const MAX_SECONDS: f64 = 1e9;

/// A non-negative decimal number (`3`, `3.5`), in the unit of the caller.
fn parse_number(value: &str) -> Option<f64> {
    let value = value.trim();
    let (int, frac) = match value.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (value, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || frac.is_some_and(|f| f.is_empty() || !digits(f)) {
        return None;
    }
    // Long digit strings overflow: reject before parsing (40 digits would parse as a float).
    if int.trim_start_matches('0').len() > 10 {
        return None;
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n <= MAX_SECONDS)
}

/// Parses a `Retry-After` value: delta-seconds, or an HTTP-date that lies after `now`.
///
/// Returns `None` for a past date, a negative or unparsable value, or one too large to mean
/// anything.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Some(seconds) = parse_number(value) {
        return Some(Duration::from_secs_f64(seconds));
    }
    let at = parse_http_date(value)?;
    at.duration_since(now).ok().filter(|d| !d.is_zero())
}

/// Parses a `retry-after-ms` value (milliseconds; a float is tolerated).
pub fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    parse_number(value).map(|ms| Duration::from_secs_f64(ms / 1000.0))
}

/// The server's requested delay from a response's headers: `retry-after-ms` when present and
/// valid, else `Retry-After`.
pub fn retry_after_from_headers<H: HeaderLookup + ?Sized>(
    headers: &H,
    now: SystemTime,
) -> Option<Duration> {
    headers
        .header("retry-after-ms")
        .and_then(parse_retry_after_ms)
        .or_else(|| {
            headers
                .header("retry-after")
                .and_then(|v| parse_retry_after(v, now))
        })
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(name: &str) -> Option<u32> {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .map(|i| i as u32 + 1)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (the classic era-based algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn number<T: std::str::FromStr>(text: &str, len: std::ops::RangeInclusive<usize>) -> Option<T> {
    (len.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())?
}

fn clock(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.split(':');
    let h = number(parts.next()?, 2..=2)?;
    let m = number(parts.next()?, 2..=2)?;
    let s = number(parts.next()?, 2..=2)?;
    (parts.next().is_none() && h < 24 && m < 60 && s < 61).then_some((h, m, s))
}

fn to_system_time(
    year: i64,
    month: u32,
    day: u32,
    (h, m, s): (u32, u32, u32),
) -> Option<SystemTime> {
    if !(1970..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + i64::from(h * 3600 + m * 60 + s);
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Parses an HTTP-date (RFC 9110 5.6.7): the preferred IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) and the two obsolete forms (RFC 850 and asctime).
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if !text.is_ascii() {
        return None;
    }
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    match words.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [wd, day, mon, year, time, "GMT"] if wd.ends_with(',') => to_system_time(
            number(year, 4..=4)?,
            month(mon)?,
            number(day, 2..=2)?,
            clock(time)?,
        ),
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: 70-99 are 19xx).
        [wd, date, time, "GMT"] if wd.ends_with(',') => {
            let mut parts = date.split('-');
            let day = number(parts.next()?, 2..=2)?;
            let mon = month(parts.next()?)?;
            let yy: i64 = number(parts.next()?, 2..=2)?;
            if parts.next().is_some() {
                return None;
            }
            let year = if yy >= 70 { 1900 + yy } else { 2000 + yy };
            to_system_time(year, mon, day, clock(time)?)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_wd, mon, day, time, year] => to_system_time(
            number(year, 4..=4)?,
            month(mon)?,
            number(day, 1..=2)?,
            clock(time)?,
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE_1994: u64 = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn http_dates_in_all_three_forms() {
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(parse_http_date(form), Some(at(DATE_1994)), "{form}");
        }
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(UNIX_EPOCH)
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"),
            Some(at(951_825_600))
        );
    }

    #[test]
    fn bad_dates_are_absent() {
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sün, 06 Nov 1994 08:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_table() {
        let now = at(DATE_1994);
        let cases: &[(&str, Option<Duration>)] = &[
            ("3", Some(Duration::from_secs(3))),
            (" 120 ", Some(Duration::from_secs(120))),
            ("0", Some(Duration::ZERO)),
            ("1.5", Some(Duration::from_millis(1500))),
            ("3600", Some(Duration::from_secs(3600))),
            (
                "Sun, 06 Nov 1994 10:49:37 GMT",
                Some(Duration::from_secs(7200)),
            ),
            ("Sun, 06 Nov 1994 08:49:37 GMT", None), // now: nothing to wait for
            ("Sun, 06 Nov 1994 07:49:37 GMT", None), // past
            ("-5", None),
            ("", None),
            ("abc", None),
            ("1e3", None),
            ("+3", None),
            ("3.", None),
            (".5", None),
            ("٣", None),
            ("1234567890123456789012345678901234567890", None),
            ("99999999999", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_retry_after(value, now), *expected, "{value:?}");
        }
    }

    #[test]
    fn milliseconds_win_over_seconds() {
        let now = at(DATE_1994);
        let both = [("Retry-After", "3"), ("retry-after-ms", "250")];
        assert_eq!(
            retry_after_from_headers(&both, now),
            Some(Duration::from_millis(250))
        );
        let bad_ms = [("Retry-After", "3"), ("retry-after-ms", "soon")];
        assert_eq!(
            retry_after_from_headers(&bad_ms, now),
            Some(Duration::from_secs(3))
        );
        let none: [(&str, &str); 0] = [];
        assert_eq!(retry_after_from_headers(&none, now), None);
    }
}
