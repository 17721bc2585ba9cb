//! What a case reports of itself: its own peak memory and CPU time (Linux `/proc`), and the
//! one line of JSON the suite reads.

use std::time::Duration;

/// Peak resident memory of this process, in KiB (`VmHWM`).
pub(crate) fn peak_rss_kib() -> u64 {
    status_field("VmHWM:").unwrap_or(0)
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// CPU time (user + system) this process used so far.
pub(crate) fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces), 1-based: utime is 14, stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // The fields after ")" start at field 3; utime (14) is index 11, stime (15) index 12.
    let total = ticks(11) + ticks(12);
    // Clock ticks are 100 per second on Linux.
    Duration::from_millis(total * 10)
}

/// What one measurement gave.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metrics {
    /// The headline value (requests/s, MB/s, ns per op).
    pub(crate) value: f64,
    /// Peak RSS, KiB.
    pub(crate) rss_kib: u64,
    /// CPU time, seconds.
    pub(crate) cpu_s: f64,
    /// Requests the server answered per task (jobs).
    pub(crate) requests_per_task: f64,
}

impl Metrics {
    /// The metrics of this process's run, with `value`.
    pub(crate) fn now(value: f64) -> Self {
        Self {
            value,
            rss_kib: peak_rss_kib(),
            cpu_s: cpu_time().as_secs_f64(),
            requests_per_task: 0.0,
        }
    }

    /// As one JSON line.
    pub(crate) fn to_json(&self) -> String {
        serde_json::json!({
            "value": self.value,
            "rss_kib": self.rss_kib,
            "cpu_s": self.cpu_s,
            "requests_per_task": self.requests_per_task,
        })
        .to_string()
    }

    /// From the JSON line a case printed.
    pub(crate) fn from_json(line: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        Some(Self {
            value: v["value"].as_f64()?,
            rss_kib: v["rss_kib"].as_u64().unwrap_or(0),
            cpu_s: v["cpu_s"].as_f64().unwrap_or(0.0),
            requests_per_task: v["requests_per_task"].as_f64().unwrap_or(0.0),
        })
    }
}

/// The median of `values` (0 when empty).
pub(crate) fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        f64::midpoint(values[mid - 1], values[mid])
    }
}

/// The cases against kling-mock (`polls`, `fleet-scale`): what they share.
pub(crate) mod mock {
    use std::time::Duration;

    /// The `p` quantile of `sorted` (zero when empty).
    pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }

    /// How many answers the mock gave with service code `code`.
    pub(crate) fn code(stats: &kling_mock::MockStats, code: &str) -> u64 {
        stats.codes.get(code).copied().unwrap_or(0)
    }

    /// The number after `name` in `args`, or `default`.
    pub(crate) fn number(args: &[&str], name: &str, default: f64) -> Result<f64, String> {
        let value = args
            .iter()
            .position(|a| *a == name)
            .and_then(|i| args.get(i + 1));
        value.map_or(Ok(default), |v| {
            v.parse::<f64>()
                .map_err(|_| format!("{name} takes a number, not {v:?}"))
        })
    }
}
