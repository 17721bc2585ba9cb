//! Durations as people type them (`500ms`, `5s`, `2m`, `1m30s`; a bare number is seconds), for
//! command lines, environment variables and config files: one syntax for every tool of the
//! workspace.

use std::fmt;
use std::time::Duration;

/// A duration that did not parse, with what was wrong and an example of what works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseDurationError(String);

impl fmt::Display for ParseDurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseDurationError {}

const HINT: &str = "e.g. 500ms, 5s, 2m, 1h or 1m30s; a bare number is seconds";

/// Ten years: longer than any wait; beyond it is a typo (and `Duration` arithmetic would
/// overflow).
const LONGEST_SECS: f64 = 10.0 * 365.0 * 86_400.0;

/// Parses a duration: numbers with units (`ms`, `s`, `m`, `h`), summed (`1m30s`), decimals
/// allowed (`1.5s`); a bare number alone is seconds (`5`, `0.5`). At most ten years.
///
/// # Errors
///
/// [`ParseDurationError`] naming the text and what was wrong with it.
pub fn parse_duration(text: &str) -> Result<Duration, ParseDurationError> {
    let err = |what: String| ParseDurationError(format!("{what} ({HINT})"));
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(err("an empty duration".into()));
    }
    let mut rest = trimmed;
    let mut total = 0.0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let value: f64 = number
            .parse()
            .map_err(|_| err(format!("{text:?} is not a duration")))?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let scale = match unit.trim() {
            "" if next.is_empty() && total == 0.0 => 1.0,
            "s" | "sec" | "secs" => 1.0,
            "ms" => 0.001,
            "m" | "min" | "mins" => 60.0,
            "h" => 3600.0,
            "" => return Err(err(format!("{text:?}: a unit is missing after {number}"))),
            other => return Err(err(format!("unknown unit {other:?} in {text:?}"))),
        };
        total += value * scale;
        rest = next;
    }
    if !total.is_finite() || total > LONGEST_SECS {
        return Err(err(format!("{text:?} is longer than ten years")));
    }
    Ok(Duration::from_secs_f64(total))
}

/// Shows a duration the way [`parse_duration`] reads it (`1m30s`, `500ms`, `0s`).
pub fn show_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let secs = duration.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (value, unit) in [(h, "h"), (m, "m")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        let d = |t| parse_duration(t).unwrap();
        assert_eq!(d("100ms"), Duration::from_millis(100));
        assert_eq!(d("5s"), Duration::from_secs(5));
        assert_eq!(d("5"), Duration::from_secs(5));
        assert_eq!(d("1.5"), Duration::from_millis(1500));
        assert_eq!(d("1.5s"), Duration::from_millis(1500));
        assert_eq!(d("2m"), Duration::from_secs(120));
        assert_eq!(d("1h"), Duration::from_secs(3600));
        assert_eq!(d("1m30s"), Duration::from_secs(90));
        assert_eq!(d(" 0 "), Duration::ZERO);
        for bad in [
            "",
            "s",
            "5x",
            "-1s",
            "1m30",
            "1e9h",
            "abc",
            "5 5",
            "99999999h",
        ] {
            let e = parse_duration(bad).unwrap_err().to_string();
            assert!(e.contains("e.g. 500ms"), "{bad}: {e}");
        }
    }

    #[test]
    fn durations_show_as_typed() {
        assert_eq!(show_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(show_duration(Duration::from_secs(3690)), "1h1m30s");
        assert_eq!(show_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(show_duration(Duration::from_secs(1800)), "30m");
        assert_eq!(show_duration(Duration::ZERO), "0s");
        for text in ["1m30s", "500ms", "2h", "0s"] {
            assert_eq!(show_duration(parse_duration(text).unwrap()), text);
        }
    }
}
