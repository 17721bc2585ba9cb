//! Instants the API sends as milliseconds since the Unix epoch, shown as UTC dates without a
//! date library (`2026-12-04 20:41 UTC`).

/// `at` as milliseconds since the Unix epoch, as stores and the API keep instants (0 before
/// 1970, saturating far after).
pub fn unix_ms(at: std::time::SystemTime) -> i64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `ms` since the Unix epoch as `YYYY-MM-DD HH:MM UTC`; `None` before 1970 or past year 9999.
pub fn show_utc_ms(ms: i64) -> Option<String> {
    if !(0..=253_402_300_799_999).contains(&ms) {
        return None;
    }
    let secs = ms / 1000;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    Some(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    ))
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (days >= 0), after Howard
/// Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_become_milliseconds() {
        use std::time::{Duration, UNIX_EPOCH};
        assert_eq!(unix_ms(UNIX_EPOCH + Duration::from_millis(1_500)), 1_500);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(show_utc_ms(0).as_deref(), Some("1970-01-01 00:00 UTC"));
        assert_eq!(
            show_utc_ms(1_781_080_778_802).as_deref(),
            Some("2026-06-10 08:39 UTC")
        );
        assert_eq!(
            show_utc_ms(951_782_400_000).as_deref(),
            Some("2000-02-29 00:00 UTC")
        );
        assert_eq!(show_utc_ms(-1), None);
        assert_eq!(show_utc_ms(i64::MAX), None);
    }
}
