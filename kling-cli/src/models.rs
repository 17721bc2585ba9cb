//! `kling models`: what each legacy video model accepts, read from kling-types' capability
//! matrix (`Model::video_capabilities`), the same data the SDK's preflight checks use.

use clap::Args;
use kling_types::{EndFrame, Model, VideoCapabilities};
use serde_json::{Value, json};

use crate::output::{Format, print_json};

/// `kling models`.
#[derive(Args)]
pub(crate) struct ModelsArgs {
    /// Only this model
    model: Option<String>,
}

fn modes(caps: &VideoCapabilities) -> Vec<String> {
    caps.modes
        .map(|m| m.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

fn durations(caps: &VideoCapabilities) -> String {
    let (lo, hi) = caps.durations;
    if caps.five_or_ten_only {
        "5, 10".to_owned()
    } else {
        format!("{lo}-{hi}")
    }
}

fn end_frame(caps: &VideoCapabilities) -> &'static str {
    match caps.end_frame {
        EndFrame::Yes => "yes",
        EndFrame::ProOnly => "pro only",
        EndFrame::No => "no",
        _ => "?",
    }
}

fn sound(caps: &VideoCapabilities) -> &'static str {
    match (caps.sound, caps.sound_needs_pro) {
        (false, _) => "no",
        (true, true) => "pro only",
        (true, false) => "yes",
    }
}

fn as_json(model: &Model, caps: &VideoCapabilities) -> Value {
    json!({
        "model": model.as_str(),
        "text_to_video": caps.text_to_video,
        "image_to_video": caps.image_to_video,
        "modes": caps.modes.map(|_| modes(caps)),
        "durations": {"min": caps.durations.0, "max": caps.durations.1, "five_or_ten_only": caps.five_or_ten_only},
        "cfg_scale": caps.cfg_scale,
        "sound": caps.sound,
        "sound_needs_pro": caps.sound_needs_pro,
        "end_frame": end_frame(caps),
        "multi_shot": caps.multi_shot,
    })
}

/// Prints the matrix (or one model's row).
pub(crate) fn run(args: &ModelsArgs, format: Format) -> Result<(), crate::output::Failure> {
    let rows: Vec<(Model, VideoCapabilities)> = match &args.model {
        Some(name) => {
            let model = Model::from(name.as_str());
            match model.video_capabilities() {
                Some(caps) => vec![(model, caps)],
                None if model.is_omni_video() => {
                    return Err(crate::output::Failure::usage(format!(
                        "{model} is an omni-video model (`kling video omni`); the matrix covers text2video and image2video"
                    )));
                }
                None => {
                    return Err(crate::output::Failure::usage(format!(
                        "{name} is not a video model this version knows (nothing is checked against it; it is passed through)"
                    )));
                }
            }
        }
        None => Model::KNOWN
            .iter()
            .filter_map(|m| m.video_capabilities().map(|c| (m.clone(), c)))
            .collect(),
    };
    let omni: Vec<&str> = Model::KNOWN
        .iter()
        .filter(|m| m.is_omni_video())
        .map(Model::as_str)
        .collect();
    match format {
        Format::Json => print_json(&json!({
            "video_models": rows.iter().map(|(m, c)| as_json(m, c)).collect::<Vec<_>>(),
            "omni_video_models": omni,
        })),
        Format::Text => {
            println!(
                "{:<18} {:<5} {:<5} {:<11} {:<9} {:<5} {:<9} {:<9} multi-shot",
                "model", "t2v", "i2v", "modes", "seconds", "cfg", "sound", "end frame"
            );
            let yes = |b: bool| if b { "yes" } else { "no" };
            for (model, caps) in &rows {
                let modes = if caps.modes.is_some() {
                    modes(caps).join(",")
                } else {
                    "any".into()
                };
                println!(
                    "{:<18} {:<5} {:<5} {:<11} {:<9} {:<5} {:<9} {:<9} {}",
                    model.as_str(),
                    yes(caps.text_to_video),
                    yes(caps.image_to_video),
                    modes,
                    durations(caps),
                    yes(caps.cfg_scale),
                    sound(caps),
                    end_frame(caps),
                    yes(caps.multi_shot)
                );
            }
            if args.model.is_none() {
                println!("\nomni video (`kling video omni`): {}", omni.join(", "));
                println!("other names are passed through unchecked (--model any-name)");
            }
        }
    }
    Ok(())
}
