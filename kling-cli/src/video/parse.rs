//! The value parsers of `kling video`: camera movements, shots, motion-brush masks.

use kling_types::common::{CameraConfig, CameraControl, CameraType, ShotPrompt};
use kling_types::videos::{DynamicMask, Point};

use crate::args::parse_whole_seconds;
use crate::input::Input;
use crate::output::CommandError;

/// `--camera`: a preset movement, or `AXIS=VALUE` for a simple one.
pub(super) fn parse_camera(text: &str) -> Result<CameraControl, String> {
    match text.split_once('=') {
        Some((axis, value)) => {
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| format!("{value:?} is not a number"))?;
            let config = match axis.trim() {
                "horizontal" => CameraConfig::horizontal(v),
                "vertical" => CameraConfig::vertical(v),
                "pan" => CameraConfig::pan(v),
                "tilt" => CameraConfig::tilt(v),
                "roll" => CameraConfig::roll(v),
                "zoom" => CameraConfig::zoom(v),
                other => {
                    return Err(format!(
                        "unknown axis {other:?} (horizontal, vertical, pan, tilt, roll, zoom)"
                    ));
                }
            };
            Ok(CameraControl::simple(config))
        }
        None if text.trim().is_empty() => Err("empty camera movement".into()),
        None => Ok(CameraControl::preset(CameraType::from(text.trim()))),
    }
}

/// `--shot DURATION:PROMPT`.
pub(crate) fn parse_shot(text: &str) -> Result<(u32, String), String> {
    let (duration, prompt) = text.split_once(':').ok_or_else(|| {
        format!("{text:?}: write a shot as DURATION:PROMPT, e.g. \"3s:a fox wakes up\"")
    })?;
    if prompt.trim().is_empty() {
        return Err(format!("{text:?}: the shot's prompt is empty"));
    }
    Ok((parse_whole_seconds(duration)?, prompt.trim().to_owned()))
}

pub(super) fn shots(list: &[(u32, String)]) -> Vec<ShotPrompt> {
    list.iter()
        .enumerate()
        .map(|(i, (secs, prompt))| ShotPrompt::new(i as u32 + 1, prompt.clone(), *secs))
        .collect()
}

/// `MASK:x1,y1;x2,y2`.
pub(super) fn dynamic_mask(input: &Input, text: &str) -> Result<DynamicMask, CommandError> {
    let bad = || {
        CommandError::usage(format!(
            "--dynamic-mask {text:?}: write MASK:x1,y1;x2,y2;... (a mask file or URL, then its path in pixels)"
        ))
    };
    // The mask may be a URL (with its own colons): the points follow the last colon.
    let (mask, points) = text.rsplit_once(':').ok_or_else(bad)?;
    let points = points
        .split(';')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (x, y) = p.split_once(',').ok_or_else(bad)?;
            Ok(Point::new(
                x.trim().parse().map_err(|_| bad())?,
                y.trim().parse().map_err(|_| bad())?,
            ))
        })
        .collect::<Result<Vec<_>, CommandError>>()?;
    Ok(DynamicMask::new(
        input.image_or_url(mask, "--dynamic-mask")?,
        points,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cameras_and_shots_parse() {
        assert_eq!(
            parse_camera("zoom=5").unwrap(),
            CameraControl::simple(CameraConfig::zoom(5.0))
        );
        assert_eq!(
            parse_camera("down_back").unwrap(),
            CameraControl::preset(CameraType::DownBack)
        );
        assert!(parse_camera("spin=1").is_err());
        assert!(parse_camera("zoom=x").is_err());
        assert_eq!(parse_shot("3s:a fox").unwrap(), (3, "a fox".to_owned()));
        assert!(parse_shot("a fox").is_err());
        assert!(parse_shot("3s: ").is_err());
    }

    #[test]
    fn dynamic_masks_take_urls() {
        let m = dynamic_mask(&Input::default(), "https://x/m.png:1,2;3,4").unwrap();
        assert_eq!(m.trajectories, vec![Point::new(1, 2), Point::new(3, 4)]);
        assert!(dynamic_mask(&Input::default(), "https://x/m.png:1;2").is_err());
    }
}
