//! Every endpoint's request, minimal and fully populated, pinned as method, path, query and
//! pretty JSON body.

mod common;

use common::render;
use kling_types::common::{ElementRef, ShotPrompt, ShotType, VoiceRef, WatermarkInfo, YesNo};
use kling_types::videos::*;
use kling_types::{AspectRatio, CameraConfig, CameraControl, Mode, Model, Sound};

macro_rules! snap {
    ($name:literal, $endpoint:expr) => {
        insta::assert_snapshot!($name, render(&$endpoint));
    };
}

#[test]
fn text2video() {
    snap!("text2video_minimal", CreateText2Video::new("A red fox trotting through fresh snow at dawn"));
    snap!(
        "text2video_full",
        CreateText2Video::new("A red fox trotting through fresh snow at dawn")
            .model(Model::KlingV1)
            .negative_prompt("blur")
            .cfg_scale(0.5)
            .mode(Mode::Std)
            .camera_control(CameraControl::simple(CameraConfig::zoom(5.0)))
            .aspect_ratio(AspectRatio::Landscape16x9)
            .duration(5)
            .watermark_info(WatermarkInfo::new(true))
            .callback_url("https://example.com/kling/cb")
            .external_task_id("job-42")
    );
    snap!(
        "text2video_v3_multi_shot",
        CreateText2Video::new("")
            .model(Model::KlingV3)
            .multi_shot(true)
            .shot_type(ShotType::Customize)
            .multi_prompt([ShotPrompt::new(1, "the fox wakes", 4), ShotPrompt::new(2, "the fox runs", 6)])
            .voice_list([VoiceRef::new("oversea_male1")])
            .sound(Sound::On)
            .mode(Mode::FourK)
            .duration(10)
    );
    snap!("text2video_get", GetText2VideoTask::by_task_id("831922345719271433"));
    snap!("text2video_get_external", GetText2VideoTask::by_external_task_id("job 42/a"));
    snap!("text2video_list", ListText2VideoTasks::new().page(2).page_size(50));
}

#[test]
fn image2video() {
    snap!("image2video_minimal", CreateImage2Video::new("https://example.com/start.png"));
    snap!(
        "image2video_full",
        CreateImage2Video::new("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg")
            .model(Model::KlingV2_6)
            .image_tail("https://example.com/end.png")
            .prompt("she turns and smiles")
            .negative_prompt("blur")
            .sound(Sound::Off)
            .mode(Mode::Pro)
            .duration(10)
            .watermark_info(WatermarkInfo::new(false))
            .callback_url("https://example.com/cb")
            .external_task_id("job-43")
    );
    snap!(
        "image2video_motion_brush",
        CreateImage2Video::new("https://example.com/start.png")
            .model(Model::KlingV1)
            .static_mask("https://example.com/static.png")
            .dynamic_masks([DynamicMask::new(
                "https://example.com/mask.png",
                [Point::new(0, 0), Point::new(100, 50), Point::new(200, 80)]
            )])
    );
    snap!(
        "image2video_camera",
        CreateImage2Video::new("iVBORw0KGgoAAAANSUhEUg")
            .model(Model::KlingV1_5)
            .prompt("slow push through the forest")
            .mode(Mode::Pro)
            .duration(5)
            .camera_control(CameraControl::simple(CameraConfig::zoom(5.0)))
    );
    snap!(
        "image2video_elements",
        CreateImage2Video::new("https://example.com/start.png")
            .model(Model::KlingV3)
            .prompt("<<<element_1>>> waves")
            .element_list([ElementRef::new(839123456789)])
    );
    snap!("image2video_get", GetImage2VideoTask::by_task_id("1"));
    snap!("image2video_list", ListImage2VideoTasks::new());
}

#[test]
fn multi_image2video() {
    snap!(
        "multi_image2video_minimal",
        CreateMultiImage2Video::new(["https://example.com/a.png"], "two friends walk")
    );
    snap!(
        "multi_image2video_full",
        CreateMultiImage2Video::new(["https://example.com/a.png", "https://example.com/b.png"], "two friends walk")
            .model(Model::KlingV1_6)
            .negative_prompt("rain")
            .mode(Mode::Pro)
            .duration(10)
            .aspect_ratio(AspectRatio::Square)
            .watermark_info(WatermarkInfo::new(true))
            .callback_url("https://example.com/cb")
            .external_task_id("job-44")
    );
    snap!("multi_image2video_get", GetMultiImage2VideoTask::by_task_id("1"));
    snap!("multi_image2video_list", ListMultiImage2VideoTasks::new());
}

#[test]
fn video_extend() {
    snap!("extend_minimal", CreateVideoExtend::new("831922345827123456"));
    snap!(
        "extend_full",
        CreateVideoExtend::new("831922345827123456")
            .prompt("the fox jumps")
            .negative_prompt("blur")
            .cfg_scale(0.7)
            .callback_url("https://example.com/cb")
            .external_task_id("job-45")
    );
    snap!("extend_get", GetVideoExtendTask::by_task_id("1"));
    snap!("extend_list", ListVideoExtendTasks::new());
}

#[test]
fn omni_video() {
    snap!("omni_minimal", CreateOmniVideo::new("a paper boat on a river").aspect_ratio(AspectRatio::Landscape16x9));
    snap!(
        "omni_full",
        CreateOmniVideo::new("<<<image_1>>> becomes <<<element_1>>>, style of <<<video_1>>>")
            .model(Model::KlingV3Omni)
            .image_list([OmniImage::reference("https://example.com/ref.png")])
            .element_list([ElementRef::new(1001)])
            .video_list([OmniVideo::new("https://example.com/ref.mp4", ReferType::Feature).keep_original_sound(false)])
            .voice_list([VoiceRef::new("v1")])
            .mode(Mode::Pro)
            .aspect_ratio(AspectRatio::Portrait9x16)
            .duration(10)
            .watermark_info(WatermarkInfo::new(false))
            .callback_url("https://example.com/cb")
            .external_task_id("job-46")
    );
    snap!(
        "omni_first_last_frame",
        CreateOmniVideo::new("from dawn to dusk")
            .image_list([OmniImage::first_frame("https://example.com/a.png"), OmniImage::end_frame("https://example.com/b.png")])
    );
    snap!(
        "omni_multi_shot",
        CreateOmniVideo::multi_shot([ShotPrompt::new(1, "rain begins", 2), ShotPrompt::new(2, "rain stops", 3)])
            .model(Model::KlingV3Omni)
            .aspect_ratio(AspectRatio::Square)
    );
    snap!("omni_get", GetOmniVideoTask::by_task_id("1"));
    snap!("omni_list", ListOmniVideoTasks::new());
}

#[test]
fn motion_control() {
    snap!(
        "motion_minimal",
        CreateMotionControl::new(Model::KlingV2_6, "https://example.com/me.png", "https://example.com/dance.mp4", CharacterOrientation::Video, Mode::Std)
    );
    snap!(
        "motion_full",
        CreateMotionControl::new(Model::KlingV3, "https://example.com/me.png", "https://example.com/dance.mp4", CharacterOrientation::Image, Mode::Pro)
            .prompt("on a beach")
            .keep_original_sound(YesNo::No)
            .element_list([ElementRef::new(7)])
            .watermark_info(WatermarkInfo::new(true))
            .callback_url("https://example.com/cb")
            .external_task_id("job-47")
    );
    snap!("motion_get", GetMotionControlTask::by_task_id("1"));
    snap!("motion_list", ListMotionControlTasks::new());
}

#[test]
fn lip_sync() {
    snap!(
        "lip_sync_text",
        CreateLipSync::text(VideoSource::Id("831922345827123456".into()), "Hello there", "oversea_male1")
    );
    snap!(
        "lip_sync_text_full",
        CreateLipSync::text(VideoSource::Url("https://example.com/v.mp4".into()), "Hello there", "genshin_vindi2")
            .voice_language(VoiceLanguage::En)
            .voice_speed(1.2)
            .callback_url("https://example.com/cb")
    );
    snap!("lip_sync_audio_url", CreateLipSync::audio_url(VideoSource::Id("1".into()), "https://example.com/a.mp3"));
    snap!("lip_sync_audio_file", CreateLipSync::audio_file(VideoSource::Id("1".into()), "SUQzBAAAAAAAI1RTU0UAAAAPAAAD"));
    snap!("lip_sync_get", GetLipSyncTask::by_task_id("1"));
    snap!("lip_sync_list", ListLipSyncTasks::new());
    snap!("identify_face", IdentifyFace::new(VideoSource::Url("https://example.com/v.mp4".into())));
    snap!(
        "advanced_lip_sync_minimal",
        CreateAdvancedLipSync::new("sess-1", FaceChoice::audio_id("face-1", "audio-1", 0, 5000, 1000))
    );
    let mut face = FaceChoice::sound_file("face-1", "https://example.com/a.mp3", 500, 4500, 0);
    face.sound_volume = Some(1.5);
    face.original_audio_volume = Some(0.2);
    snap!(
        "advanced_lip_sync_full",
        CreateAdvancedLipSync::new("sess-1", face)
            .watermark_info(WatermarkInfo::new(true))
            .callback_url("https://example.com/cb")
            .external_task_id("job-48")
    );
    snap!("advanced_lip_sync_get", GetAdvancedLipSyncTask::by_task_id("1"));
    snap!("advanced_lip_sync_list", ListAdvancedLipSyncTasks::new());
}

#[test]
fn avatar() {
    snap!("avatar_minimal", CreateAvatar::new("https://example.com/me.png", AvatarAudio::AudioId("audio-1".into())));
    snap!(
        "avatar_full",
        CreateAvatar::new("https://example.com/me.png", AvatarAudio::SoundFile("https://example.com/a.mp3".into()))
            .prompt("smiles, then nods")
            .mode(Mode::Pro)
            .watermark_info(WatermarkInfo::new(false))
            .callback_url("https://example.com/cb")
            .external_task_id("job-49")
    );
    snap!("avatar_get", GetAvatarTask::by_task_id("1"));
    snap!("avatar_list", ListAvatarTasks::new().page_size(500));
}

#[test]
fn effects() {
    snap!("effects_single", CreateEffect::single("color_mixing", "https://example.com/me.png"));
    snap!(
        "effects_pair_full",
        CreateEffect::pair("hug_pro", "https://example.com/left.png", "https://example.com/right.png")
            .callback_url("https://example.com/cb")
            .external_task_id("job-50")
    );
    snap!("effects_get", GetEffectTask::by_task_id("1"));
    snap!("effects_list", ListEffectTasks::new());
}
