//! Checks shared by the legacy video families.

use kling_errors::ValidationError;

use crate::common::{CameraControl, CameraType, Secs, ShotPrompt, ShotType};
use crate::validate::{ensure, invalid, max_chars};

/// Multi-shot rules: a shot type when on, 1-6 shots adding up to the duration for `customize`
/// (which models take multi-shot at all: the models data).
pub(crate) fn check_multi_shot(
    multi_shot: Option<bool>,
    shot_type: Option<&ShotType>,
    shots: &[ShotPrompt],
    duration: Secs,
) -> Result<(), ValidationError> {
    if multi_shot != Some(true) {
        return Ok(());
    }
    let Some(shot_type) = shot_type else {
        return Err(invalid("shot_type", "is required when multi_shot is true"));
    };
    if *shot_type != ShotType::Customize {
        return Ok(());
    }
    ensure(
        (1..=6).contains(&shots.len()),
        "multi_prompt",
        format!("takes 1 to 6 shots, got {}", shots.len()),
    )?;
    let mut total = 0u32;
    for (i, shot) in shots.iter().enumerate() {
        let field = format!("multi_prompt[{i}]");
        ensure(
            !shot.prompt.trim().is_empty(),
            &format!("{field}.prompt"),
            "is required",
        )?;
        max_chars(&format!("{field}.prompt"), Some(&shot.prompt), 512)?;
        ensure(
            shot.duration.0 >= 1 && shot.duration <= duration,
            &format!("{field}.duration"),
            format!("must be at least 1 and at most the total duration {duration}"),
        )?;
        total = total.saturating_add(shot.duration.0);
    }
    ensure(
        total == duration.0,
        "multi_prompt",
        format!("shot durations add up to {total}, but the video is {duration} seconds"),
    )
}

/// `camera_control`: `simple` needs a config with exactly one non-zero axis in [-10, 10]; the
/// presets take no config.
pub(crate) fn check_camera(camera: &CameraControl) -> Result<(), ValidationError> {
    match (&camera.kind, &camera.config) {
        (CameraType::Simple, None) => Err(invalid(
            "camera_control.config",
            "is required for type simple",
        )),
        (CameraType::Simple, Some(config)) => {
            for (axis, value) in config.axes() {
                ensure(
                    (-10.0..=10.0).contains(&value),
                    &format!("camera_control.config.{axis}"),
                    format!("must be within [-10, 10], got {value}"),
                )?;
            }
            let moving = config.axes().iter().filter(|(_, v)| *v != 0.0).count();
            ensure(
                moving == 1,
                "camera_control.config",
                format!("exactly one axis must be non-zero, got {moving}"),
            )
        }
        (CameraType::Custom(_), _) => Ok(()),
        (_, Some(_)) => Err(invalid(
            "camera_control.config",
            format!("must be omitted for type {}", camera.kind),
        )),
        (_, None) => Ok(()),
    }
}
