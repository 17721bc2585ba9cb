//! Preflight validation as a table: each known-bad combination is rejected with the code the
//! server would answer and the field; the documented valid ones pass; unknown models are not
//! blocked; validation can be switched off.

use kling_errors::ValidationError;
use kling_types::Endpoint;
use kling_types::account::{BillingFilter, ExportBillingPackage, GetAccountCosts};
use kling_types::audio::{CreateTextToAudio, CreateVideoToAudio, Tts};
use kling_types::common::{CameraType, ElementRef, ShotPrompt, ShotType, VoiceRef};
use kling_types::general::{CreateCustomVoice, CreateElement, VoiceSample};
use kling_types::images::*;
use kling_types::multi_elements::{CreateMultiElements, EditMode};
use kling_types::runblob::{Generate, GenerateO1Video, GenerateO3Video, RunBlobModel};
use kling_types::standard::{self, Audio, Content, Resolution, StandardModel, TaskFilter};
use kling_types::videos::*;
use kling_types::{AspectRatio, CameraConfig, CameraControl, Mode, Model, Sound};

const IMG: &str = "https://example.com/a.png";

fn t2v() -> CreateText2Video {
    CreateText2Video::new("a fox in the snow")
}

fn i2v() -> CreateImage2Video {
    CreateImage2Video::new(IMG)
}

fn shots(durations: &[u32]) -> Vec<ShotPrompt> {
    durations
        .iter()
        .enumerate()
        .map(|(i, d)| ShotPrompt::new(i as u32 + 1, "shot", *d))
        .collect()
}

fn two_axes() -> CameraConfig {
    let mut config = CameraConfig::pan(3.0);
    config.zoom = 2.0;
    config
}

fn preset_with_config() -> CameraControl {
    let mut camera = CameraControl::preset(CameraType::DownBack);
    camera.config = Some(CameraConfig::zoom(1.0));
    camera
}

fn loud_face() -> FaceChoice {
    let mut face = FaceChoice::audio_id("f", "a", 0, 5000, 0);
    face.sound_volume = Some(3.0);
    face
}

fn v<E: Endpoint>(e: E) -> Result<(), ValidationError> {
    e.validate()
}

#[test]
fn known_bad_combinations_are_rejected_with_code_and_field() {
    let long = "x".repeat(2501);
    let cases: Vec<(&str, Result<(), ValidationError>, &str, &str)> = vec![
        // text to video
        (
            "empty prompt",
            v(CreateText2Video::new("  ")),
            "prompt",
            "Kling 1201",
        ),
        (
            "prompt over 2500",
            v(CreateText2Video::new(long.clone())),
            "prompt",
            "Kling 1201",
        ),
        (
            "negative prompt over 2500",
            v(t2v().negative_prompt(long.clone())),
            "negative_prompt",
            "Kling 1201",
        ),
        (
            "cfg_scale out of range",
            v(t2v().model(Model::KlingV1_6).cfg_scale(1.5)),
            "cfg_scale",
            "Kling 1201",
        ),
        (
            "cfg_scale on v2.x",
            v(t2v().model(Model::KlingV2_6).cfg_scale(0.5)),
            "cfg_scale",
            "Kling 1201",
        ),
        (
            "v1-5 has no text to video",
            v(t2v().model(Model::KlingV1_5)),
            "model_name",
            "Kling 1201",
        ),
        (
            "v2-1 has no text to video",
            v(t2v().model(Model::KlingV2_1)),
            "model_name",
            "Kling 1201",
        ),
        (
            "omni model on text2video",
            v(t2v().model(Model::KlingV3Omni)),
            "model_name",
            "Kling 1201",
        ),
        (
            "camera on v2-6",
            v(t2v()
                .model(Model::KlingV2_6)
                .camera_control(CameraControl::simple(CameraConfig::pan(3.0)))),
            "camera_control",
            "Kling 1201",
        ),
        (
            "camera on v1 pro",
            v(t2v()
                .mode(Mode::Pro)
                .camera_control(CameraControl::simple(CameraConfig::pan(3.0)))),
            "camera_control",
            "Kling 1201",
        ),
        (
            "camera two axes",
            v(t2v().camera_control(CameraControl::simple(two_axes()))),
            "camera_control.config",
            "Kling 1201",
        ),
        (
            "camera axis over 10",
            v(t2v().camera_control(CameraControl::simple(CameraConfig::zoom(11.0)))),
            "camera_control.config.zoom",
            "Kling 1201",
        ),
        (
            "camera no axis",
            v(t2v().camera_control(CameraControl::simple(CameraConfig::default()))),
            "camera_control.config",
            "Kling 1201",
        ),
        (
            "camera preset with config",
            v(t2v().camera_control(preset_with_config())),
            "camera_control.config",
            "Kling 1201",
        ),
        (
            "camera simple without config",
            v(t2v().camera_control(CameraControl::preset(CameraType::Simple))),
            "camera_control.config",
            "Kling 1201",
        ),
        (
            "4k on v2-6",
            v(t2v().model(Model::KlingV2_6).mode(Mode::FourK)),
            "mode",
            "Kling 1201",
        ),
        (
            "15 s on v1",
            v(t2v().duration(15)),
            "duration",
            "Kling 1201",
        ),
        (
            "7 s on v1-6",
            v(t2v().model(Model::KlingV1_6).duration(7)),
            "duration",
            "Kling 1201",
        ),
        (
            "sound on v1-6",
            v(t2v().model(Model::KlingV1_6).sound(Sound::On)),
            "sound",
            "Kling 1201",
        ),
        (
            "sound on v2-6 std",
            v(t2v()
                .model(Model::KlingV2_6)
                .mode(Mode::Std)
                .sound(Sound::On)),
            "sound",
            "Kling 1201",
        ),
        (
            "three voices",
            v(t2v().model(Model::KlingV3).sound(Sound::On).voice_list([
                VoiceRef::new("a"),
                VoiceRef::new("b"),
                VoiceRef::new("c"),
            ])),
            "voice_list",
            "Kling 1201",
        ),
        (
            "voices without sound",
            v(t2v().model(Model::KlingV3).voice_list([VoiceRef::new("a")])),
            "voice_list",
            "Kling 1201",
        ),
        (
            "multi-shot on v2-6",
            v(t2v()
                .model(Model::KlingV2_6)
                .multi_shot(true)
                .shot_type(ShotType::Intelligence)),
            "multi_shot",
            "Kling 1201",
        ),
        (
            "multi-shot without shot type",
            v(t2v().model(Model::KlingV3).multi_shot(true)),
            "shot_type",
            "Kling 1201",
        ),
        (
            "seven shots",
            v(t2v()
                .model(Model::KlingV3)
                .duration(7)
                .multi_shot(true)
                .shot_type(ShotType::Customize)
                .multi_prompt(shots(&[1; 7]))),
            "multi_prompt",
            "Kling 1201",
        ),
        (
            "shots do not add up",
            v(t2v()
                .model(Model::KlingV3)
                .duration(10)
                .multi_shot(true)
                .shot_type(ShotType::Customize)
                .multi_prompt(shots(&[4, 4]))),
            "multi_prompt",
            "Kling 1201",
        ),
        (
            "shot prompt over 512",
            v(t2v()
                .model(Model::KlingV3)
                .duration(5)
                .multi_shot(true)
                .shot_type(ShotType::Customize)
                .multi_prompt([ShotPrompt::new(1, "x".repeat(513), 5)])),
            "multi_prompt[0].prompt",
            "Kling 1201",
        ),
        (
            "zero-second shot",
            v(t2v()
                .model(Model::KlingV3)
                .duration(5)
                .multi_shot(true)
                .shot_type(ShotType::Customize)
                .multi_prompt(shots(&[0, 5]))),
            "multi_prompt[0].duration",
            "Kling 1201",
        ),
        // image to video
        (
            "data URL that is not base64",
            v(CreateImage2Video::new("data:text/plain,hi")),
            "image",
            "Kling 1201",
        ),
        (
            "image not base64",
            v(CreateImage2Video::new("not base64!")),
            "image",
            "Kling 1201",
        ),
        (
            "end frame with camera",
            v(i2v()
                .model(Model::KlingV1_5)
                .mode(Mode::Pro)
                .image_tail(IMG)
                .camera_control(CameraControl::simple(CameraConfig::zoom(2.0)))),
            "image_tail",
            "Kling 1201",
        ),
        (
            "masks with end frame",
            v(i2v().image_tail(IMG).static_mask(IMG)),
            "image_tail",
            "Kling 1201",
        ),
        (
            "four elements",
            v(i2v()
                .model(Model::KlingV3)
                .element_list((1..=4).map(ElementRef::new))),
            "element_list",
            "Kling 1201",
        ),
        (
            "elements with voices",
            v(i2v()
                .model(Model::KlingV3)
                .sound(Sound::On)
                .element_list([ElementRef::new(1)])
                .voice_list([VoiceRef::new("v")])),
            "voice_list",
            "Kling 1201",
        ),
        (
            "end frame on v2-master",
            v(i2v().model(Model::KlingV2Master).image_tail(IMG)),
            "image_tail",
            "Kling 1201",
        ),
        (
            "end frame on v1-6 std",
            v(i2v()
                .model(Model::KlingV1_6)
                .mode(Mode::Std)
                .image_tail(IMG)),
            "image_tail",
            "Kling 1201",
        ),
        (
            "seven mask groups",
            v(i2v().dynamic_masks(
                (0..7).map(|_| DynamicMask::new(IMG, [Point::new(0, 0), Point::new(1, 1)])),
            )),
            "dynamic_masks",
            "Kling 1201",
        ),
        (
            "one-point trajectory",
            v(i2v().dynamic_masks([DynamicMask::new(IMG, [Point::new(0, 0)])])),
            "dynamic_masks[0].trajectories",
            "Kling 1201",
        ),
        (
            "motion brush on v2-6",
            v(i2v().model(Model::KlingV2_6).static_mask(IMG)),
            "dynamic_masks",
            "Kling 1201",
        ),
        (
            "camera on i2v v1",
            v(i2v().camera_control(CameraControl::simple(CameraConfig::zoom(2.0)))),
            "camera_control",
            "Kling 1201",
        ),
        (
            "i2v on v2-1 with cfg",
            v(i2v().model(Model::KlingV2_1).cfg_scale(0.2)),
            "cfg_scale",
            "Kling 1201",
        ),
        // multi-image to video
        (
            "five subjects",
            v(CreateMultiImage2Video::new([IMG; 5], "walk")),
            "image_list",
            "Kling 1201",
        ),
        (
            "multi-image on v2-6",
            v(CreateMultiImage2Video::new([IMG], "walk").model(Model::KlingV2_6)),
            "model_name",
            "Kling 1201",
        ),
        (
            "multi-image without prompt",
            v(CreateMultiImage2Video::new([IMG], "")),
            "prompt",
            "Kling 1201",
        ),
        // video extend
        (
            "extend without video",
            v(CreateVideoExtend::new("")),
            "video_id",
            "Kling 1201",
        ),
        // omni video
        (
            "omni without aspect ratio",
            v(CreateOmniVideo::new("boat")),
            "aspect_ratio",
            "Kling 1201",
        ),
        (
            "omni aspect ratio with first frame",
            v(CreateOmniVideo::new("boat")
                .image_list([OmniImage::first_frame(IMG)])
                .aspect_ratio(AspectRatio::Square)),
            "aspect_ratio",
            "Kling 1201",
        ),
        (
            "omni end frame alone",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .image_list([OmniImage::end_frame(IMG)])),
            "image_list",
            "Kling 1201",
        ),
        (
            "omni two videos",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .video_list([
                    OmniVideo::new("u", ReferType::Feature),
                    OmniVideo::new("v", ReferType::Feature),
                ])),
            "video_list",
            "Kling 1201",
        ),
        (
            "omni sound with a video",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .sound(Sound::On)
                .video_list([OmniVideo::new("u", ReferType::Feature)])),
            "sound",
            "Kling 1201",
        ),
        (
            "omni eight references",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .image_list((0..8).map(|_| OmniImage::reference(IMG)))),
            "image_list",
            "Kling 1201",
        ),
        (
            "omni five references with a video",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .image_list((0..5).map(|_| OmniImage::reference(IMG)))
                .video_list([OmniVideo::new("u", ReferType::Feature)])),
            "image_list",
            "Kling 1201",
        ),
        (
            "omni 12 s on O1",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .duration(12)),
            "duration",
            "Kling 1201",
        ),
        (
            "multi-shot on kling-video-o1",
            v(CreateOmniVideo::multi_shot(shots(&[5]))
                .model(Model::KlingVideoO1)
                .image_list([OmniImage::first_frame(IMG)])),
            "multi_shot",
            "Kling 1201",
        ),
        (
            "omni base video with first frame",
            v(CreateOmniVideo::new("boat")
                .image_list([OmniImage::first_frame(IMG)])
                .video_list([OmniVideo::new("u", ReferType::Base)])),
            "image_list",
            "Kling 1201",
        ),
        (
            "omni with a non-omni model",
            v(CreateOmniVideo::new("boat")
                .aspect_ratio(AspectRatio::Square)
                .model(Model::KlingV2_6)),
            "model_name",
            "Kling 1201",
        ),
        // motion control
        (
            "motion on v1",
            v(CreateMotionControl::new(
                Model::KlingV1,
                IMG,
                "u",
                CharacterOrientation::Video,
                Mode::Std,
            )),
            "model_name",
            "Kling 1201",
        ),
        (
            "motion in 4k",
            v(CreateMotionControl::new(
                Model::KlingV3,
                IMG,
                "u",
                CharacterOrientation::Video,
                Mode::FourK,
            )),
            "mode",
            "Kling 1201",
        ),
        (
            "motion two elements",
            v(CreateMotionControl::new(
                Model::KlingV3,
                IMG,
                "u",
                CharacterOrientation::Video,
                Mode::Pro,
            )
            .element_list([ElementRef::new(1), ElementRef::new(2)])),
            "element_list",
            "Kling 1201",
        ),
        // lip sync
        (
            "lip sync text over 120",
            v(CreateLipSync::text(
                VideoSource::Id("v".into()),
                "x".repeat(121),
                "voice",
            )),
            "input.text",
            "Kling 1201",
        ),
        (
            "lip sync speed 2.5",
            v(CreateLipSync::text(VideoSource::Id("v".into()), "hi", "voice").voice_speed(2.5)),
            "input.voice_speed",
            "Kling 1201",
        ),
        (
            "advanced lip sync audio under 2 s",
            v(CreateAdvancedLipSync::new(
                "s",
                FaceChoice::audio_id("f", "a", 0, 1500, 0),
            )),
            "face_choose[0].sound_end_time",
            "Kling 1201",
        ),
        (
            "advanced lip sync volume 3",
            v(CreateAdvancedLipSync::new("s", loud_face())),
            "face_choose[0].sound_volume",
            "Kling 1201",
        ),
        // avatar, effects
        (
            "avatar bad image",
            v(CreateAvatar::new("", AvatarAudio::AudioId("a".into()))),
            "image",
            "Kling 1201",
        ),
        (
            "two-image scene with one image",
            v(CreateEffect::single("hug_pro", IMG)),
            "input.images",
            "Kling 1201",
        ),
        (
            "one-image scene with two images",
            v(CreateEffect::pair("color_mixing", IMG, IMG)),
            "input.image",
            "Kling 1201",
        ),
        // audio
        (
            "sound effect of 2.5 s",
            v(CreateTextToAudio::new("door", 2.5)),
            "duration",
            "Kling 1201",
        ),
        (
            "sound effect with two decimals",
            v(CreateTextToAudio::new("door", 3.55)),
            "duration",
            "Kling 1201",
        ),
        (
            "sound effect prompt over 200",
            v(CreateTextToAudio::new("x".repeat(201), 5.0)),
            "prompt",
            "Kling 1201",
        ),
        (
            "video to audio prompt over 200",
            v(CreateVideoToAudio::new(VideoSource::Id("v".into())).bgm_prompt("x".repeat(201))),
            "bgm_prompt",
            "Kling 1201",
        ),
        (
            "tts over 1000",
            v(Tts::new("x".repeat(1001), "v", VoiceLanguage::En)),
            "text",
            "Kling 1201",
        ),
        (
            "tts speed 0.5",
            v(Tts::new("hi", "v", VoiceLanguage::En).voice_speed(0.5)),
            "voice_speed",
            "Kling 1201",
        ),
        // images
        (
            "ten images",
            v(CreateImageGeneration::new("cat").n(10)),
            "n",
            "Kling 1201",
        ),
        (
            "negative prompt with a reference",
            v(CreateImageGeneration::new("cat")
                .image(IMG)
                .negative_prompt("dog")),
            "negative_prompt",
            "Kling 1201",
        ),
        (
            "reference kind without image",
            v(CreateImageGeneration::new("cat").image_reference(ImageReference::Face)),
            "image_reference",
            "Kling 1201",
        ),
        (
            "human fidelity with face",
            v(CreateImageGeneration::new("cat")
                .image(IMG)
                .image_reference(ImageReference::Face)
                .human_fidelity(0.5)),
            "human_fidelity",
            "Kling 1201",
        ),
        (
            "21:9 on v1",
            v(CreateImageGeneration::new("cat")
                .model(Model::KlingV1)
                .aspect_ratio(AspectRatio::Wide21x9)),
            "aspect_ratio",
            "Kling 1201",
        ),
        (
            "video ratio auto on generations",
            v(CreateImageGeneration::new("cat").aspect_ratio(AspectRatio::Auto)),
            "aspect_ratio",
            "Kling 1201",
        ),
        (
            "series on image-o1",
            v(CreateOmniImage::new("cat").result_type(ResultType::Series)),
            "result_type",
            "Kling 1201",
        ),
        (
            "series of 10",
            v(CreateOmniImage::new("cat")
                .model(Model::KlingV3Omni)
                .series_amount("10")),
            "series_amount",
            "Kling 1201",
        ),
        (
            "expand over 3x",
            v(CreateImageExpand::new(IMG, 1.0, 1.0, 0.1, 0.0)),
            "up_expansion_ratio",
            "Kling 1201",
        ),
        (
            "expand ratio 2.5",
            v(CreateImageExpand::new(IMG, 2.5, 0.0, 0.0, 0.0)),
            "up_expansion_ratio",
            "Kling 1201",
        ),
        (
            "try-on bad garment",
            v(CreateVirtualTryOn::new(IMG, "   ")),
            "cloth_image",
            "Kling 1201",
        ),
        (
            "five subjects to image",
            v(CreateMultiImage2Image::new([IMG; 5])),
            "subject_image_list",
            "Kling 1201",
        ),
        // multi-element editing
        (
            "swap with two images",
            v(CreateMultiElements::new("s", EditMode::Swap, "swap")
                .image_list([ImageItem::from(IMG), ImageItem::from(IMG)])),
            "image_list",
            "Kling 1201",
        ),
        (
            "removal with an image",
            v(CreateMultiElements::new("s", EditMode::Removal, "remove")
                .image_list([ImageItem::from(IMG)])),
            "image_list",
            "Kling 1201",
        ),
        (
            "edit of 7 s",
            v(CreateMultiElements::new("s", EditMode::Removal, "remove").duration(7)),
            "duration",
            "Kling 1201",
        ),
        // voices and elements
        (
            "voice name over 20",
            v(CreateCustomVoice::new(
                "x".repeat(21),
                VoiceSample::Url("u".into()),
            )),
            "voice_name",
            "Kling 1201",
        ),
        (
            "element with 4 views",
            v(CreateElement::from_images(
                "Mia",
                "girl",
                IMG,
                (0..4).map(|_| IMG.to_owned()),
            )),
            "element_image_list.refer_images",
            "Kling 1201",
        ),
        (
            "element description over 100",
            v(CreateElement::from_video("Leo", "x".repeat(101), "u")),
            "element_description",
            "Kling 1201",
        ),
        // account and lists
        (
            "costs backwards",
            v(GetAccountCosts::new(2, 1)),
            "start_time",
            "Kling 1201",
        ),
        (
            "billing name and id",
            v(ExportBillingPackage::new(1, 2)
                .filter(BillingFilter::new("package_name", ["a".to_owned()]))
                .filter(BillingFilter::new("package_id", ["b".to_owned()]))),
            "filters",
            "Kling 1201",
        ),
        (
            "billing limit 501",
            v(ExportBillingPackage::new(1, 2).limit(501)),
            "limit",
            "Kling 1201",
        ),
        (
            "page size 501",
            v(ListText2VideoTasks::new().page_size(501)),
            "pageSize",
            "Kling 1201",
        ),
        (
            "page 0",
            v(ListImage2VideoTasks::new().page(0)),
            "pageNum",
            "Kling 1201",
        ),
        (
            "empty task id",
            v(GetText2VideoTask::by_task_id("")),
            "task_id",
            "Kling 1201",
        ),
        // new standard
        (
            "standard empty prompt",
            v(standard::CreateTextToVideo::new(
                StandardModel::Kling3_0,
                "",
            )),
            "prompt",
            "Kling 1201",
        ),
        (
            "standard 7 s on 2.6",
            v(standard::CreateTextToVideo::new(StandardModel::Kling2_6, "fox").duration(7)),
            "settings.duration",
            "Kling 1201",
        ),
        (
            "standard 4k on 2.6",
            v(
                standard::CreateTextToVideo::new(StandardModel::Kling2_6, "fox")
                    .resolution(Resolution::FourK),
            ),
            "settings.resolution",
            "Kling 1201",
        ),
        (
            "standard multi-shot on 2.6",
            v(standard::CreateTextToVideo::new(StandardModel::Kling2_6, "fox").multi_shot(true)),
            "settings.multi_shot",
            "Kling 1201",
        ),
        (
            "standard 2.6 audio at 720p",
            v(
                standard::CreateTextToVideo::new(StandardModel::Kling2_6, "fox")
                    .audio(Audio::Native),
            ),
            // A conditional rule names what set it off (the sound), its message the resolution.
            "settings.audio",
            "Kling 1201",
        ),
        (
            "standard 16 s",
            v(standard::CreateTextToVideo::new(StandardModel::Kling3_0, "fox").duration(16)),
            "settings.duration",
            "Kling 1201",
        ),
        (
            "standard i2v with aspect ratio",
            v(
                standard::CreateImageToVideo::new(StandardModel::Kling3_0, IMG)
                    .aspect_ratio(AspectRatio::Square),
            ),
            "settings.aspect_ratio",
            "Kling 1201",
        ),
        (
            "standard i2v last frame on turbo",
            v(
                standard::CreateImageToVideo::new(StandardModel::Kling3_0Turbo, IMG)
                    .content(Content::last_frame(IMG)),
            ),
            "contents",
            "Kling 1201",
        ),
        (
            "standard i2v two first frames",
            v(
                standard::CreateImageToVideo::new(StandardModel::Kling3_0, IMG)
                    .content(Content::first_frame(IMG)),
            ),
            "contents",
            "Kling 1201",
        ),
        (
            "standard omni without aspect ratio",
            v(standard::CreateOmniVideo::new(
                StandardModel::Kling3_0Omni,
                "boat",
            )),
            "settings.aspect_ratio",
            "Kling 1201",
        ),
        (
            "standard motion native audio",
            v(standard::CreateMotionControl::new(
                StandardModel::Kling2_6,
                IMG,
                "u",
                CharacterOrientation::Image,
            )
            .audio(Audio::Native)),
            "settings.audio",
            "Kling 1201",
        ),
        (
            "standard get no ids",
            v(standard::GetTasks::by_ids([])),
            "task_ids",
            "Kling 1201",
        ),
        (
            "standard list bad filter",
            v(standard::ListTasks::new().filter(TaskFilter::new("model", ["x".to_owned()]))),
            "filters[0].key",
            "Kling 1201",
        ),
        // RunBlob: its own labels
        (
            "runblob six images",
            v(GenerateO3Video::new("fox").images_url((0..6).map(|_| IMG.to_owned()))),
            "images_url",
            "RunBlob TOO_MANY_IMAGES",
        ),
        (
            "runblob mixed inputs",
            v(GenerateO3Video::new("fox")
                .images_url([IMG.to_owned()])
                .images_base64(["iVBOR".to_owned()])),
            "images_url",
            "RunBlob MIXED_IMAGE_INPUTS",
        ),
        (
            "runblob o3 7 s",
            v(GenerateO3Video::new("fox").duration(7)),
            "duration",
            "RunBlob INVALID_DURATION",
        ),
        (
            "runblob o3 wrong model",
            v(GenerateO3Video::new("fox").model(RunBlobModel::Kling2_6)),
            "model",
            "RunBlob INVALID_MODEL",
        ),
        (
            "runblob empty prompt",
            v(Generate::new("")),
            "prompt",
            "RunBlob INVALID_PARAMETERS",
        ),
        (
            "runblob kling_3 20 s",
            v(Generate::new("fox")
                .model(RunBlobModel::Kling3)
                .duration(20)),
            "duration",
            "RunBlob INVALID_DURATION",
        ),
        (
            "runblob classic 7 s",
            v(Generate::new("fox")
                .model(RunBlobModel::Kling1_6)
                .duration(7)),
            "duration",
            "RunBlob INVALID_DURATION",
        ),
        (
            "runblob o1 text 7 s",
            v(GenerateO1Video::new("fox").duration(7)),
            "duration",
            "RunBlob INVALID_DURATION",
        ),
        (
            "runblob image url and base64",
            v(Generate::new("fox").image_url(IMG).image_base64("iVBOR")),
            "image_url",
            "RunBlob MIXED_IMAGE_INPUTS",
        ),
    ];
    let mut failures = Vec::new();
    for (name, result, field, code) in &cases {
        match result {
            Ok(()) => failures.push(format!("{name}: accepted")),
            Err(e) if e.field() != *field || e.code().to_string() != *code => {
                failures.push(format!(
                    "{name}: got {} `{}` ({}), want {code} `{field}`",
                    e.code(),
                    e.field(),
                    e.message()
                ))
            }
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn documented_valid_requests_pass() {
    let cases: Vec<(&str, Result<(), ValidationError>)> = vec![
        (
            "camera on t2v v1 std 5 s",
            v(t2v()
                .model(Model::KlingV1)
                .mode(Mode::Std)
                .duration(5)
                .camera_control(CameraControl::simple(CameraConfig::zoom(5.0)))),
        ),
        (
            "camera preset on t2v v1",
            v(t2v().camera_control(CameraControl::preset(CameraType::ForwardUp))),
        ),
        (
            "camera on i2v v1-5 pro 5 s",
            v(i2v()
                .model(Model::KlingV1_5)
                .mode(Mode::Pro)
                .duration(5)
                .camera_control(CameraControl::simple(CameraConfig::pan(-3.0)))),
        ),
        (
            "v3 4k 15 s with sound",
            v(t2v()
                .model(Model::KlingV3)
                .mode(Mode::FourK)
                .duration(15)
                .sound(Sound::On)),
        ),
        (
            "v3 customized multi-shot, empty prompt",
            v(CreateText2Video::new("")
                .model(Model::KlingV3)
                .duration(10)
                .multi_shot(true)
                .shot_type(ShotType::Customize)
                .multi_prompt(shots(&[3, 3, 4]))),
        ),
        (
            "v2-6 pro sound with voices",
            v(t2v()
                .model(Model::KlingV2_6)
                .mode(Mode::Pro)
                .sound(Sound::On)
                .voice_list([VoiceRef::new("a"), VoiceRef::new("b")])),
        ),
        (
            "v1-6 cfg_scale",
            v(t2v().model(Model::KlingV1_6).cfg_scale(0.8)),
        ),
        (
            "end frame on v2-5-turbo pro",
            v(i2v()
                .model(Model::KlingV2_5Turbo)
                .mode(Mode::Pro)
                .image_tail(IMG)),
        ),
        (
            "end frame only on v1",
            v(CreateImage2Video::from_end_frame(IMG)),
        ),
        (
            "motion brush on v1 5 s",
            v(i2v()
                .static_mask(IMG)
                .dynamic_masks([DynamicMask::new(IMG, [Point::new(0, 0), Point::new(5, 5)])])),
        ),
        (
            "raw base64 image",
            v(CreateImage2Video::new("data:image/png;base64,iVBORw0KGgo=")),
        ),
        (
            "omni first and end frame",
            v(CreateOmniVideo::new("dusk")
                .image_list([OmniImage::first_frame(IMG), OmniImage::end_frame(IMG)])),
        ),
        (
            "omni base video, no ratio",
            v(CreateOmniVideo::new("edit")
                .model(Model::KlingV3Omni)
                .video_list([OmniVideo::new("u", ReferType::Base)])),
        ),
        (
            "omni v3 15 s",
            v(CreateOmniVideo::new("boat")
                .model(Model::KlingV3Omni)
                .aspect_ratio(AspectRatio::Square)
                .duration(15)),
        ),
        (
            "motion v3 with one element",
            v(CreateMotionControl::new(
                Model::KlingV3,
                IMG,
                "u",
                CharacterOrientation::Image,
                Mode::Pro,
            )
            .element_list([ElementRef::new(1)])),
        ),
        (
            "expand to exactly 3x",
            v(CreateImageExpand::new(IMG, 0.5, 0.5, 0.0, 0.0)),
        ),
        (
            "omni image series on v3-omni",
            v(CreateOmniImage::new("cat")
                .model(Model::KlingV3Omni)
                .result_type(ResultType::Series)
                .series_amount("auto")),
        ),
        (
            "sound effect 10.0 s",
            v(CreateTextToAudio::new("door", 10.0)),
        ),
        (
            "standard 2.6 audio at 1080p",
            v(
                standard::CreateTextToVideo::new(StandardModel::Kling2_6, "fox")
                    .audio(Audio::Native)
                    .resolution(Resolution::P1080)
                    .duration(10),
            ),
        ),
        (
            "standard 3.0 4k multi-shot",
            v(
                standard::CreateTextToVideo::new(StandardModel::Kling3_0, "shot 1, 5, a fox;")
                    .resolution(Resolution::FourK)
                    .multi_shot(true)
                    .duration(5),
            ),
        ),
        (
            "standard omni with first frame",
            v(
                standard::CreateOmniVideo::new(StandardModel::Kling3_0Omni, "boat")
                    .content(Content::first_frame(IMG)),
            ),
        ),
        (
            "runblob o3 five base64 images, 15 s, pro",
            v(GenerateO3Video::new("fox")
                .images_base64((0..5).map(|_| "iVBOR".to_owned()))
                .duration(15)
                .model(RunBlobModel::KlingO3Pro)),
        ),
        (
            "runblob kling_3 12 s",
            v(Generate::new("fox")
                .model(RunBlobModel::Kling3)
                .duration(12)),
        ),
        (
            "runblob o1 image 7 s",
            v(GenerateO1Video::new("fox")
                .images_urls([IMG.to_owned()])
                .duration(7)),
        ),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name}: {e}")))
        .collect();
    assert!(failures.is_empty(), "rejected:\n{}", failures.join("\n"));
}

#[test]
fn unknown_models_are_not_blocked_and_validation_can_be_switched_off() {
    let tomorrow = Model::from("kling-v9-ultra");
    assert!(
        t2v()
            .model(tomorrow.clone())
            .mode(Mode::from("8k"))
            .duration(42)
            .cfg_scale(0.3)
            .validate()
            .is_ok()
    );
    assert!(i2v().model(tomorrow).image_tail(IMG).validate().is_ok());
    let bad = t2v().model(Model::KlingV2_6).cfg_scale(0.5);
    assert!(bad.validate().is_err());
    assert!(bad.without_validation().validate().is_ok());
    assert!(
        standard::CreateTextToVideo::new(StandardModel::Kling2_6, "")
            .without_validation()
            .validate()
            .is_ok()
    );
    assert!(
        standard::CreateTextToVideo::new(StandardModel::from("kling-4.0"), "fox")
            .duration(30)
            .validate()
            .is_ok()
    );
}
