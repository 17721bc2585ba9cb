//! A wait, shown: a spinner with its own clock on a terminal, a line per status change (and
//! every 30 s) on a pipe, the SDK's notes above either.

use std::io::IsTerminal;
use std::time::Duration;

use kling_client_async::prelude::*;
use kling_client_async::{Client, Pollable, WaitOptions};

use super::Ctx;
use crate::args::show_duration;
use crate::output::{CommandError, Format};

impl Ctx {
    /// Whether progress goes to stderr.
    pub(super) fn progress(&self) -> bool {
        self.format == Format::Text && !self.quiet
    }

    /// Wait options with progress: a spinner on a terminal, a line per status change
    /// otherwise, nothing with `--quiet` or JSON output. Finish the bar when the wait ends.
    /// A task `fresh` from a create is first polled after the SDK's first delay; any other
    /// is looked at at once (a finished task returns, an unknown id fails fast).
    pub(crate) fn wait_options(
        &self,
        fresh: Fresh,
    ) -> (WaitOptions<'static>, Option<indicatif::ProgressBar>) {
        let bar = (self.progress() && std::io::stderr().is_terminal()).then(|| {
            // The spinner's own clock ticks each second between polls.
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg}  {elapsed}")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let mut options = WaitOptions::new();
        if fresh == Fresh::JustCreated {
            options = options.after_create();
        }
        if let Some(max) = &self.settings.max_wait {
            options = options.max_wait(max.value);
        }
        let lines = self.progress() && bar.is_none();
        let spinner = bar.clone();
        let mut last = PipeLine::default();
        let options = options.progress(move |p| {
            if let Some(bar) = &spinner {
                bar.set_message(format!("{}  {}", p.task_id, p.status));
            } else if lines && let Some(line) = last.next(&p.task_id, &p.status, p.elapsed) {
                eprintln!("{line}");
            }
        });
        (options, bar)
    }

    /// Waits for the task `query` reads, showing progress.
    pub(crate) async fn wait<Q: Pollable>(
        &self,
        client: &Client,
        query: &Q,
        fresh: Fresh,
    ) -> Result<Q::Task, CommandError> {
        let (options, bar) = self.wait_options(fresh);
        self.notes.follow(bar.as_ref());
        let result = client.wait(query, options).await;
        self.notes.follow(None);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(result?)
    }
}

/// How often a wait shown on a pipe (a log, CI) says it is still waiting.
const PIPE_EVERY: Duration = Duration::from_secs(30);

/// The progress of a wait on a pipe: a line at each change of status, and one every 30 s
/// while it stays the same (so a log shows the wait is alive).
#[derive(Default)]
struct PipeLine {
    status: String,
    at: Option<Duration>,
}

impl PipeLine {
    /// The line a poll that saw `status` after `elapsed` prints, if any.
    fn next(&mut self, task_id: &str, status: &str, elapsed: Duration) -> Option<String> {
        let due = self
            .at
            .is_none_or(|at| status != self.status || elapsed.saturating_sub(at) >= PIPE_EVERY);
        if !due {
            return None;
        }
        status.clone_into(&mut self.status);
        self.at = Some(elapsed);
        let shown = show_duration(Duration::from_secs(elapsed.as_secs()));
        Some(format!("{task_id}  {status}  {shown}"))
    }
}

/// Whether a wait is for a task this command just created, or for one of unknown age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fresh {
    /// Created a moment ago by this command.
    JustCreated,
    /// Named by the user: it may have finished long ago, or not exist.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_gets_a_line_per_status_and_one_every_30_s() {
        let mut line = PipeLine::default();
        let shown: Vec<Option<String>> = [
            ("submitted", 0),
            ("submitted", 5),
            ("processing", 12),
            ("processing", 24),
            ("processing", 41),
            ("processing", 66),
            ("succeeded", 70),
        ]
        .into_iter()
        .map(|(s, t)| line.next("7", s, Duration::from_secs(t)))
        .collect();
        let shown: Vec<&str> = shown.iter().flatten().map(String::as_str).collect();
        assert_eq!(
            shown,
            [
                "7  submitted  0s",
                "7  processing  12s",
                "7  processing  1m6s",
                "7  succeeded  1m10s"
            ]
        );
    }
}
