//! `kling video lip-sync|identify-face|advanced-lip-sync|avatar`: talking videos.

use clap::Args;
use kling_client_async::Client;
use kling_client_async::prelude::*;
use kling_types::common::WatermarkInfo;
use kling_types::videos::{
    AvatarAudio, CreateAdvancedLipSync, CreateAvatar, CreateLipSync, FaceChoice,
    FaceIdentification, GetLipSyncTask, IdentifyFace,
};
use serde_json::json;

use crate::args::{Delivery, FlowArgs, LanguageArg, ModeArg, one_of, parse_millis};
use crate::flow::{Ctx, Fresh, Shape};
use crate::input::{self, Input};
use crate::legacy::deliver;
use crate::output::{CommandError, Format, print_task, to_value};

/// `kling video lip-sync`.
#[derive(Args)]
#[command(group(one_of("video_id_or_video_url", ["video_id", "video_url"])))]
pub(crate) struct LipSync {
    /// The Kling video id to sync (or --video-url)
    #[arg(long, conflicts_with = "video_url")]
    video_id: Option<String>,
    /// The video URL to sync
    #[arg(long)]
    video_url: Option<String>,
    /// What the person says (with --voice-id; `-`: stdin; at most 120 characters)
    #[arg(long, requires = "voice_id", conflicts_with_all = ["audio_url", "audio_file"])]
    text: Option<String>,
    /// The voice that says --text (see `kling voice presets`)
    #[arg(long, requires = "text")]
    voice_id: Option<String>,
    /// The language of --text
    #[arg(long, value_enum, requires = "text")]
    voice_language: Option<LanguageArg>,
    /// The speed of --text, in [0.8, 2.0]
    #[arg(long, requires = "text")]
    voice_speed: Option<f64>,
    /// The audio the person follows: a URL
    #[arg(long, conflicts_with = "audio_file")]
    audio_url: Option<String>,
    /// The audio the person follows: a local file or `-` (sent as base64)
    #[arg(long)]
    audio_file: Option<String>,
    /// Where Kling POSTs status changes
    #[arg(long, value_name = "URL")]
    callback_url: Option<String>,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling video identify-face`.
#[derive(Args)]
#[command(group(one_of("video_id_or_video_url", ["video_id", "video_url"])))]
pub(crate) struct IdentifyFaceArgs {
    /// The Kling video id (or --video-url)
    #[arg(long, conflicts_with = "video_url")]
    video_id: Option<String>,
    /// The video URL
    #[arg(long)]
    video_url: Option<String>,
    /// Print the exact HTTP request (secrets redacted) and send nothing
    #[arg(long)]
    dry_run: bool,
}

/// `kling video advanced-lip-sync`.
#[derive(Args)]
pub(crate) struct AdvancedLipSync {
    /// The session of `kling video identify-face`
    #[arg(long)]
    session_id: String,
    /// A face and its audio: face_id=ID,audio_id=ID|sound_file=FILE_OR_URL,start=0s,end=5s,insert=0s[,volume=1,original_volume=1] (repeat)
    #[arg(long = "face", required = true, value_name = "SPEC")]
    faces: Vec<String>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// `kling video avatar`.
#[derive(Args)]
#[command(group(one_of("audio_id_or_sound_file", ["audio_id", "sound_file"])))]
pub(crate) struct Avatar {
    /// The portrait: file, URL or `-`
    #[arg(long)]
    image: String,
    /// What it says: an audio id from `kling audio tts`
    #[arg(long, conflicts_with = "sound_file")]
    audio_id: Option<String>,
    /// What it says: an audio file or URL (mp3, wav, m4a, aac; 2-300 s)
    #[arg(long)]
    sound_file: Option<String>,
    /// How it moves (`-`: stdin)
    #[arg(long)]
    prompt: Option<String>,
    /// Quality tier
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Also return watermarked copies
    #[arg(long)]
    watermark: bool,
    #[command(flatten)]
    delivery: Delivery,
    #[command(flatten)]
    flow: FlowArgs,
}

/// Lip sync: the API takes no external task id, so the SDK cannot run it as a job
/// (`CreateLipSync` is no `CreateEndpoint`); the CLI posts it once and waits on its task.
pub(crate) async fn lip_sync(a: &LipSync, ctx: &Ctx, client: &Client) -> Result<(), CommandError> {
    let video = input::video_source(a.video_id.as_ref(), a.video_url.as_ref())?;
    let mut r = match (&a.text, &a.audio_url, &a.audio_file) {
        (Some(text), None, None) => {
            let voice = a.voice_id.clone().unwrap_or_default();
            let mut r = CreateLipSync::text(video, ctx.input.text(text, "--text")?, voice);
            if let Some(language) = a.voice_language {
                r = r.voice_language(language.into());
            }
            if let Some(speed) = a.voice_speed {
                r = r.voice_speed(speed);
            }
            r
        }
        (None, Some(url), None) => CreateLipSync::audio_url(video, input::url(url, "--audio-url")?),
        (None, None, Some(file)) => {
            CreateLipSync::audio_file(video, ctx.input.file_or_url(file, "--audio-file")?)
        }
        _ => {
            return Err(CommandError::usage(
                "give what the person says: --text with --voice-id, --audio-url or --audio-file",
            ));
        }
    };
    r.callback_url = a.callback_url.clone();
    if a.flow.no_validate {
        r = r.without_validation();
    }
    if a.flow.dry_run {
        return ctx.dry_run(client, &r);
    }
    if let Some(dir) = &a.flow.download {
        crate::flow::ready_dir(dir)?;
    }
    let reply = client.send(&r).await?;
    let task = reply.value;
    let resume = ctx.created(
        crate::flow::legacy_wait(&kling_types::Endpoint::path(&r))?(&task.task_id),
        &task.task_id,
        None,
        a.flow.download.as_deref(),
    );
    let extra = json!({
        "request_id": reply.request_id,
        "wait_command": resume.command,
    });
    if !a.flow.waits() {
        match ctx.format {
            Format::Json => {
                let mut doc = json!({"task": to_value(&task), "files": []});
                if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
                    doc.extend(extra.clone());
                }
                ctx.emit(doc);
            }
            Format::Text => {
                print_task(&task);
                println!("wait for it: {}", resume.command);
            }
        }
        return Ok(());
    }
    let query = GetLipSyncTask::by_task_id(task.task_id.clone());
    ctx.finish(
        client,
        &query,
        Fresh::JustCreated,
        a.flow.download.as_deref(),
        extra,
    )
    .await
}

/// Identify-face: a synchronous call.
pub(crate) async fn identify_face(
    a: &IdentifyFaceArgs,
    ctx: &Ctx,
    client: &Client,
) -> Result<(), CommandError> {
    let r = IdentifyFace::new(input::video_source(
        a.video_id.as_ref(),
        a.video_url.as_ref(),
    )?);
    ctx.send(
        client,
        &r,
        a.dry_run,
        Shape::Result,
        |found: &FaceIdentification| {
            println!("session id: {}", found.session_id);
            for face in &found.face_data {
                let span = match (face.start_time, face.end_time) {
                    (Some(s), Some(e)) => format!("  {s}-{e} ms"),
                    _ => String::new(),
                };
                println!("face {}{span}", face.face_id);
            }
        },
    )
    .await
}

/// One `--face` of advanced lip sync.
fn face(input: &Input, spec: &str) -> Result<FaceChoice, CommandError> {
    let bad = |why: &str| CommandError::usage(format!("--face {spec:?}: {why}"));
    let mut keys = std::collections::BTreeMap::new();
    for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| bad("write key=value pairs"))?;
        keys.insert(k.trim(), v.trim());
    }
    let time = |key: &str| -> Result<i64, CommandError> {
        let v = keys
            .get(key)
            .ok_or_else(|| bad(&format!("{key}= is required")))?;
        parse_millis(v).map_err(|e| bad(&e))
    };
    let volume = |key: &str| -> Result<Option<f64>, CommandError> {
        keys.get(key)
            .map(|v| {
                v.parse()
                    .map_err(|_| bad(&format!("{key} is not a number")))
            })
            .transpose()
    };
    let id = keys
        .get("face_id")
        .ok_or_else(|| bad("face_id= is required"))?;
    let (start, end, insert) = (time("start")?, time("end")?, time("insert")?);
    let mut choice = match (keys.get("audio_id"), keys.get("sound_file")) {
        (Some(audio), None) => FaceChoice::audio_id(*id, *audio, start, end, insert),
        (None, Some(file)) => FaceChoice::sound_file(
            *id,
            input.file_or_url(file, "--face sound_file")?,
            start,
            end,
            insert,
        ),
        _ => return Err(bad("give one of audio_id= and sound_file=")),
    };
    choice.sound_volume = volume("volume")?;
    choice.original_audio_volume = volume("original_volume")?;
    for key in keys.keys() {
        if !matches!(
            *key,
            "face_id"
                | "audio_id"
                | "sound_file"
                | "start"
                | "end"
                | "insert"
                | "volume"
                | "original_volume"
        ) {
            return Err(bad(&format!("unknown key {key:?}")));
        }
    }
    Ok(choice)
}

/// Advanced lip sync.
pub(crate) async fn advanced(
    a: &AdvancedLipSync,
    ctx: &Ctx,
    client: &Client,
) -> Result<(), CommandError> {
    let mut faces = a.faces.iter().map(|f| face(&ctx.input, f));
    let first = faces
        .next()
        .ok_or_else(|| CommandError::usage("give at least one --face"))??;
    let mut r = CreateAdvancedLipSync::new(a.session_id.clone(), first);
    for f in faces {
        r.face_choose.push(f?);
    }
    r.watermark_info = a.watermark.then(|| WatermarkInfo::new(true));
    deliver!(r, a.delivery, a.flow);
    ctx.create_legacy(client, r, &a.flow).await
}

/// Avatar.
pub(crate) async fn avatar(a: &Avatar, ctx: &Ctx, client: &Client) -> Result<(), CommandError> {
    let audio = match (&a.audio_id, &a.sound_file) {
        (Some(id), None) => AvatarAudio::AudioId(id.clone()),
        (None, Some(file)) => AvatarAudio::SoundFile(ctx.input.file_or_url(file, "--sound-file")?),
        _ => {
            return Err(CommandError::usage(
                "give one of --audio-id and --sound-file",
            ));
        }
    };
    let mut r = CreateAvatar::new(ctx.input.image_or_url(&a.image, "--image")?, audio);
    r.prompt = ctx.input.opt_text(a.prompt.as_ref(), "--prompt")?;
    r.mode = a.mode.map(Into::into);
    r.watermark_info = a.watermark.then(|| WatermarkInfo::new(true));
    deliver!(r, a.delivery, a.flow);
    ctx.create_legacy(client, r, &a.flow).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_parse() {
        let f = face(
            &Input::default(),
            "face_id=f1,audio_id=a1,start=0,end=2s,insert=500ms,volume=1.5",
        )
        .unwrap();
        assert_eq!(
            (
                f.face_id.as_str(),
                f.sound_end_time,
                f.sound_insert_time,
                f.sound_volume
            ),
            ("f1", 2000, 500, Some(1.5))
        );
        for bad in [
            "audio_id=a,start=0,end=1,insert=0",
            "face_id=f,start=0,end=1,insert=0",
            "face_id=f,audio_id=a,end=1,insert=0",
            "face_id=f,audio_id=a,start=0,end=1,insert=0,color=red",
            "face_id=f,audio_id=a,start=x,end=1,insert=0",
        ] {
            assert!(face(&Input::default(), bad).is_err(), "{bad}");
        }
    }
}
