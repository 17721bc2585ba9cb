//! The argument types and value parsers every command group shares (durations with units,
//! modes, what happens after a create). A leaf: it imports no command module (the command
//! tree is `cli.rs`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

pub(crate) use kling_core::time::{parse_duration, show_duration};

/// A required choice among `args` (at least one given): a missing one is reported naming
/// every alternative (`<--audio-id <ID>|--sound-file <FILE>>`), not only the first.
pub(crate) fn one_of<const N: usize>(id: &'static str, args: [&'static str; N]) -> clap::ArgGroup {
    clap::ArgGroup::new(id)
        .required(true)
        .multiple(true)
        .args(args)
}

/// What happens after a create: shared by every create command.
#[derive(Args, Clone, Default)]
pub(crate) struct FlowArgs {
    /// Wait for the task to finish
    #[arg(long)]
    pub(crate) wait: bool,
    /// Wait, then download every result file into DIR (videos, images, audio, watermarked copies)
    #[arg(long, value_name = "DIR")]
    pub(crate) download: Option<PathBuf>,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Skip the SDK's preflight checks (for a model or option newer than this version; the server still checks)
    #[arg(long)]
    pub(crate) no_validate: bool,
}

impl FlowArgs {
    /// Whether the command waits for the task.
    pub(crate) fn waits(&self) -> bool {
        self.wait || self.download.is_some()
    }
}

/// How Kling reports on a task: the caller's id and the callback. Not on RunBlob, which takes
/// no external id.
#[derive(Args, Clone, Default)]
pub(crate) struct Delivery {
    /// Your id for the task (generated when absent); a create whose answer was lost is found again by it
    #[arg(long, value_name = "ID")]
    pub(crate) external_task_id: Option<String>,
    /// Where Kling POSTs status changes
    #[arg(long, value_name = "URL")]
    pub(crate) callback_url: Option<String>,
}

/// A generation mode of the legacy API.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ModeArg {
    /// 720p, cost-effective
    Std,
    /// 1080p
    Pro,
    /// 4K (v3 family)
    #[value(name = "4k")]
    FourK,
}

impl From<ModeArg> for kling_types::Mode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Std => Self::Std,
            ModeArg::Pro => Self::Pro,
            ModeArg::FourK => Self::FourK,
        }
    }
}

/// Native sound.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SoundArg {
    /// Generate sound
    On,
    /// Silent
    Off,
}

impl From<SoundArg> for kling_types::Sound {
    fn from(sound: SoundArg) -> Self {
        match sound {
            SoundArg::On => Self::On,
            SoundArg::Off => Self::Off,
        }
    }
}

/// The language of speech.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LanguageArg {
    /// Chinese
    Zh,
    /// English
    En,
}

impl From<LanguageArg> for kling_types::videos::VoiceLanguage {
    fn from(language: LanguageArg) -> Self {
        match language {
            LanguageArg::Zh => Self::Zh,
            LanguageArg::En => Self::En,
        }
    }
}

/// Which input a motion-control character's orientation follows.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OrientationArg {
    /// As in the character image
    Image,
    /// As in the motion video
    Video,
}

impl From<OrientationArg> for kling_types::videos::CharacterOrientation {
    fn from(orientation: OrientationArg) -> Self {
        match orientation {
            OrientationArg::Image => Self::Image,
            OrientationArg::Video => Self::Video,
        }
    }
}

/// Parses a video length: a duration (`5`, `5s`, `10s`) that is whole seconds.
pub(crate) fn parse_whole_seconds(text: &str) -> Result<u32, String> {
    let duration = parse_duration(text).map_err(|e| e.to_string())?;
    if duration.subsec_nanos() != 0 {
        return Err(format!("{text:?}: video lengths are whole seconds"));
    }
    u32::try_from(duration.as_secs()).map_err(|_| format!("{text:?} is too long"))
}

/// Parses a length in seconds with decimals (`5.5`, `5.5s`, `5500ms`).
pub(crate) fn parse_seconds_f64(text: &str) -> Result<f64, String> {
    parse_duration(text)
        .map(|d| d.as_secs_f64())
        .map_err(|e| e.to_string())
}

/// Parses a time offset into milliseconds (`1500ms`, `1.5s`, `2`).
pub(crate) fn parse_millis(text: &str) -> Result<i64, String> {
    let duration = parse_duration(text).map_err(|e| e.to_string())?;
    i64::try_from(duration.as_millis()).map_err(|_| format!("{text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_durations() {
        assert_eq!(parse_whole_seconds("10s"), Ok(10));
        assert_eq!(parse_whole_seconds("10"), Ok(10));
        assert!(parse_whole_seconds("1500ms").is_err());
        assert_eq!(parse_millis("1.5s"), Ok(1500));
        assert_eq!(parse_seconds_f64("5500ms"), Ok(5.5));
    }
}
