//! Scripted faults: what a matching request gets instead of (or before) its normal answer.

use std::time::Duration;

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultAction {
    /// An error envelope with this HTTP status and Kling code.
    Status {
        /// HTTP status.
        status: u16,
        /// Kling service code.
        code: i64,
    },
    /// The same, with a `Retry-After` of this many seconds.
    RetryAfter {
        /// HTTP status.
        status: u16,
        /// Kling service code.
        code: i64,
        /// Seconds.
        seconds: u64,
    },
    /// A load balancer's HTML 502 page.
    Html502,
    /// The normal answer, its JSON cut in half.
    Truncate,
    /// The normal answer, after this delay.
    Delay(Duration),
    /// No answer for 10 minutes (the client times out after sending).
    Stall,
}

/// A scripted fault: the `skip`-th and following `times` requests matching `method` and the
/// path prefix get `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Fault {
    /// `GET`, `POST`, or any when `None`.
    pub method: Option<String>,
    /// The path prefix (`/v1/videos/text2video`).
    pub path_prefix: String,
    /// Matching requests let through first.
    pub skip: u32,
    /// Matching requests that get the fault.
    pub times: u32,
    /// What happens.
    pub action: FaultAction,
}

impl Fault {
    /// A fault on every request to `path_prefix`, `times` times.
    pub fn new(
        method: Option<&str>,
        path_prefix: impl Into<String>,
        times: u32,
        action: FaultAction,
    ) -> Self {
        Self {
            method: method.map(str::to_uppercase),
            path_prefix: path_prefix.into(),
            skip: 0,
            times,
            action,
        }
    }

    /// Parses `[METHOD] PATH ACTION [xN]`, where ACTION is `STATUS:CODE`, `STATUS:CODE:retry=SECS`,
    /// `html502`, `truncate`, `stall` or `delay=MS` (or `delay=2s`) (for `--fault` on the
    /// command line).
    ///
    /// # Errors
    ///
    /// A message naming what did not parse.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut words: Vec<&str> = text.split_whitespace().collect();
        let method = match words.first() {
            Some(m) if ["GET", "POST"].contains(&m.to_uppercase().as_str()) => {
                Some(words.remove(0).to_uppercase())
            }
            _ => None,
        };
        let times = match words
            .last()
            .and_then(|w| w.strip_prefix('x'))
            .and_then(|n| n.parse().ok())
        {
            Some(n) => {
                words.pop();
                n
            }
            None => 1,
        };
        let [path, action] = words.as_slice() else {
            return Err(format!(
                "expected `[METHOD] PATH ACTION [xN]`, got {text:?}"
            ));
        };
        let action = match *action {
            "html502" => FaultAction::Html502,
            "truncate" => FaultAction::Truncate,
            "stall" => FaultAction::Stall,
            a if a.starts_with("delay=") => {
                let value = &a["delay=".len()..];
                // A bare number is milliseconds here (the historical syntax); units work too.
                FaultAction::Delay(match value.parse::<u64>() {
                    Ok(ms) => Duration::from_millis(ms),
                    Err(_) => kling_core::time::parse_duration(value).map_err(|e| e.to_string())?,
                })
            }
            a => {
                let parts: Vec<&str> = a.split(':').collect();
                let num = |s: &str| {
                    s.parse::<i64>()
                        .map_err(|_| format!("bad number {s:?} in {a:?}"))
                };
                let status = |s: &str| {
                    s.parse::<u16>()
                        .ok()
                        .filter(|n| (100..=599).contains(n))
                        .ok_or_else(|| format!("bad HTTP status {s:?} in {a:?} (100 to 599)"))
                };
                match parts.as_slice() {
                    [s, c] => FaultAction::Status {
                        status: status(s)?,
                        code: num(c)?,
                    },
                    [s, c, r] if r.starts_with("retry=") => FaultAction::RetryAfter {
                        status: status(s)?,
                        code: num(c)?,
                        seconds: r["retry=".len()..]
                            .parse()
                            .map_err(|_| format!("bad retry seconds in {a:?}"))?,
                    },
                    _ => {
                        return Err(format!(
                            "unknown fault action {a:?} (STATUS:CODE, STATUS:CODE:retry=SECS, html502, truncate, stall, delay=MS)"
                        ));
                    }
                }
            }
        };
        Ok(Self {
            method,
            path_prefix: (*path).to_owned(),
            skip: 0,
            times,
            action,
        })
    }
}

/// The first matching fault, consumed.
pub(crate) fn take(faults: &mut [Fault], method: &str, path: &str) -> Option<FaultAction> {
    for fault in faults {
        let method_ok = fault.method.as_deref().is_none_or(|m| m == method);
        if method_ok && path.starts_with(&fault.path_prefix) && fault.times > 0 {
            if fault.skip > 0 {
                fault.skip -= 1;
                return None;
            }
            fault.times -= 1;
            return Some(fault.action.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        let f = Fault::parse("post /v1/videos/text2video 429:1303:retry=2 x3").unwrap();
        assert_eq!(f.method.as_deref(), Some("POST"));
        assert_eq!(f.times, 3);
        assert_eq!(
            f.action,
            FaultAction::RetryAfter {
                status: 429,
                code: 1303,
                seconds: 2
            }
        );
        let f = Fault::parse("/tasks delay=250").unwrap();
        assert_eq!(f.action, FaultAction::Delay(Duration::from_millis(250)));
        let f = Fault::parse("/tasks delay=2s").unwrap();
        assert_eq!(f.action, FaultAction::Delay(Duration::from_secs(2)));
        assert!(Fault::parse("/tasks 99999:1").is_err());
        assert!(Fault::parse("/tasks nonsense").is_err());
        assert!(Fault::parse("").is_err());
    }

    #[test]
    fn faults_are_consumed_in_order_after_their_skips() {
        let mut faults = vec![Fault {
            skip: 1,
            ..Fault::new(Some("GET"), "/v1/", 1, FaultAction::Html502)
        }];
        assert_eq!(take(&mut faults, "POST", "/v1/x"), None, "method differs");
        assert_eq!(take(&mut faults, "GET", "/v1/x"), None, "skipped");
        assert_eq!(
            take(&mut faults, "GET", "/v1/x"),
            Some(FaultAction::Html502)
        );
        assert_eq!(take(&mut faults, "GET", "/v1/x"), None, "used up");
    }
}
