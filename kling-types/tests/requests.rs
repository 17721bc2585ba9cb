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
    snap!(
        "text2video_minimal",
        CreateText2Video::new("A red fox trotting through fresh snow at dawn")
    );
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
            .multi_prompt([
                ShotPrompt::new(1, "the fox wakes", 4),
                ShotPrompt::new(2, "the fox runs", 6)
            ])
            .voice_list([VoiceRef::new("oversea_male1")])
            .sound(Sound::On)
            .mode(Mode::FourK)
            .duration(10)
    );
    snap!(
        "text2video_get",
        GetText2VideoTask::by_task_id("831922345719271433")
    );
    snap!(
        "text2video_get_external",
        GetText2VideoTask::by_external_task_id("job 42/a")
    );
    snap!(
        "text2video_list",
        ListText2VideoTasks::new().page(2).page_size(50)
    );
}

#[test]
fn image2video() {
    snap!(
        "image2video_minimal",
        CreateImage2Video::new("https://example.com/start.png")
    );
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
        CreateMultiImage2Video::new(
            ["https://example.com/a.png", "https://example.com/b.png"],
            "two friends walk"
        )
        .model(Model::KlingV1_6)
        .negative_prompt("rain")
        .mode(Mode::Pro)
        .duration(10)
        .aspect_ratio(AspectRatio::Square)
        .watermark_info(WatermarkInfo::new(true))
        .callback_url("https://example.com/cb")
        .external_task_id("job-44")
    );
    snap!(
        "multi_image2video_get",
        GetMultiImage2VideoTask::by_task_id("1")
    );
    snap!("multi_image2video_list", ListMultiImage2VideoTasks::new());
}

#[test]
fn video_extend() {
    snap!(
        "extend_minimal",
        CreateVideoExtend::new("831922345827123456")
    );
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
    snap!(
        "omni_minimal",
        CreateOmniVideo::new("a paper boat on a river").aspect_ratio(AspectRatio::Landscape16x9)
    );
    snap!(
        "omni_full",
        CreateOmniVideo::new("<<<image_1>>> becomes <<<element_1>>>, style of <<<video_1>>>")
            .model(Model::KlingV3Omni)
            .image_list([OmniImage::reference("https://example.com/ref.png")])
            .element_list([ElementRef::new(1001)])
            .video_list([
                OmniVideo::new("https://example.com/ref.mp4", ReferType::Feature)
                    .keep_original_sound(false)
            ])
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
        CreateOmniVideo::new("from dawn to dusk").image_list([
            OmniImage::first_frame("https://example.com/a.png"),
            OmniImage::end_frame("https://example.com/b.png")
        ])
    );
    snap!(
        "omni_multi_shot",
        CreateOmniVideo::multi_shot([
            ShotPrompt::new(1, "rain begins", 2),
            ShotPrompt::new(2, "rain stops", 3)
        ])
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
        CreateMotionControl::new(
            Model::KlingV2_6,
            "https://example.com/me.png",
            "https://example.com/dance.mp4",
            CharacterOrientation::Video,
            Mode::Std
        )
    );
    snap!(
        "motion_full",
        CreateMotionControl::new(
            Model::KlingV3,
            "https://example.com/me.png",
            "https://example.com/dance.mp4",
            CharacterOrientation::Image,
            Mode::Pro
        )
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
        CreateLipSync::text(
            VideoSource::Id("831922345827123456".into()),
            "Hello there",
            "oversea_male1"
        )
    );
    snap!(
        "lip_sync_text_full",
        CreateLipSync::text(
            VideoSource::Url("https://example.com/v.mp4".into()),
            "Hello there",
            "genshin_vindi2"
        )
        .voice_language(VoiceLanguage::En)
        .voice_speed(1.2)
        .callback_url("https://example.com/cb")
    );
    snap!(
        "lip_sync_audio_url",
        CreateLipSync::audio_url(VideoSource::Id("1".into()), "https://example.com/a.mp3")
    );
    snap!(
        "lip_sync_audio_file",
        CreateLipSync::audio_file(VideoSource::Id("1".into()), "SUQzBAAAAAAAI1RTU0UAAAAPAAAD")
    );
    snap!("lip_sync_get", GetLipSyncTask::by_task_id("1"));
    snap!("lip_sync_list", ListLipSyncTasks::new());
    snap!(
        "identify_face",
        IdentifyFace::new(VideoSource::Url("https://example.com/v.mp4".into()))
    );
    snap!(
        "advanced_lip_sync_minimal",
        CreateAdvancedLipSync::new(
            "sess-1",
            FaceChoice::audio_id("face-1", "audio-1", 0, 5000, 1000)
        )
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
    snap!(
        "advanced_lip_sync_get",
        GetAdvancedLipSyncTask::by_task_id("1")
    );
    snap!("advanced_lip_sync_list", ListAdvancedLipSyncTasks::new());
}

#[test]
fn avatar() {
    snap!(
        "avatar_minimal",
        CreateAvatar::new(
            "https://example.com/me.png",
            AvatarAudio::AudioId("audio-1".into())
        )
    );
    snap!(
        "avatar_full",
        CreateAvatar::new(
            "https://example.com/me.png",
            AvatarAudio::SoundFile("https://example.com/a.mp3".into())
        )
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
    snap!(
        "effects_single",
        CreateEffect::single("color_mixing", "https://example.com/me.png")
    );
    snap!(
        "effects_pair_full",
        CreateEffect::pair(
            "hug_pro",
            "https://example.com/left.png",
            "https://example.com/right.png"
        )
        .callback_url("https://example.com/cb")
        .external_task_id("job-50")
    );
    snap!("effects_get", GetEffectTask::by_task_id("1"));
    snap!("effects_list", ListEffectTasks::new());
}

mod more {
    use super::common::render;
    use kling_types::account::*;
    use kling_types::audio::*;
    use kling_types::common::{ElementRef, WatermarkInfo};
    use kling_types::general::*;
    use kling_types::images::*;
    use kling_types::multi_elements::*;
    use kling_types::runblob::{
        self, Generate, GenerateO1Video, GenerateO3Video, GeneratePhoto, RunBlobModel,
    };
    use kling_types::standard::{self, Audio, Content, Resolution, StandardModel, TaskFilter};
    use kling_types::videos::{CharacterOrientation, ImageItem, VideoSource, VoiceLanguage};
    use kling_types::{AspectRatio, Mode, Model};

    macro_rules! snap {
        ($name:literal, $endpoint:expr) => {
            insta::assert_snapshot!($name, render(&$endpoint));
        };
    }

    #[test]
    fn audio() {
        snap!(
            "video_to_audio_minimal",
            CreateVideoToAudio::new(VideoSource::Id("831922345827123456".into()))
        );
        snap!(
            "video_to_audio_full",
            CreateVideoToAudio::new(VideoSource::Url("https://example.com/v.mp4".into()))
                .sound_effect_prompt("footsteps on snow")
                .bgm_prompt("calm piano")
                .asmr_mode(true)
                .callback_url("https://example.com/cb")
                .external_task_id("job-60")
        );
        snap!("video_to_audio_get", GetVideoToAudioTask::by_task_id("1"));
        snap!("video_to_audio_list", ListVideoToAudioTasks::new());
        snap!(
            "text_to_audio_minimal",
            CreateTextToAudio::new("a door creaks", 3.5)
        );
        snap!(
            "text_to_audio_full",
            CreateTextToAudio::new("a door creaks", 10.0)
                .callback_url("https://example.com/cb")
                .external_task_id("job-61")
        );
        snap!(
            "text_to_audio_get",
            GetTextToAudioTask::by_external_task_id("job-61")
        );
        snap!("text_to_audio_list", ListTextToAudioTasks::new());
        snap!(
            "tts_minimal",
            Tts::new("Hello", "oversea_male1", VoiceLanguage::En)
        );
        snap!(
            "tts_full",
            Tts::new("你好", "genshin_vindi2", VoiceLanguage::Zh).voice_speed(1.5)
        );
    }

    #[test]
    fn images() {
        snap!(
            "image_generation_minimal",
            CreateImageGeneration::new("a lighthouse at night")
        );
        snap!(
            "image_generation_full",
            CreateImageGeneration::new("a lighthouse at night, oil painting")
                .model(Model::KlingV2_1)
                .image("https://example.com/face.png")
                .image_reference(ImageReference::Subject)
                .image_fidelity(0.6)
                .human_fidelity(0.45)
                .element_list([ElementRef::new(5)])
                .resolution(ImageResolution::TwoK)
                .n(4)
                .aspect_ratio(AspectRatio::Wide21x9)
                .watermark_info(WatermarkInfo::new(true))
                .callback_url("https://example.com/cb")
                .external_task_id("job-70")
        );
        snap!(
            "image_generation_get",
            GetImageGenerationTask::by_task_id("1")
        );
        snap!("image_generation_list", ListImageGenerationTasks::new());
        snap!(
            "multi_image2image_minimal",
            CreateMultiImage2Image::new(["https://example.com/s1.png"])
        );
        snap!(
            "multi_image2image_full",
            CreateMultiImage2Image::new([
                "https://example.com/s1.png",
                "https://example.com/s2.png"
            ])
            .model(Model::KlingV2_1)
            .prompt("the two on a beach")
            .scene_image("https://example.com/beach.png")
            .style_image("https://example.com/style.png")
            .n(2)
            .aspect_ratio(AspectRatio::Landscape3x2)
            .watermark_info(WatermarkInfo::new(false))
            .callback_url("https://example.com/cb")
            .external_task_id("job-71")
        );
        snap!(
            "multi_image2image_get",
            GetMultiImage2ImageTask::by_task_id("1")
        );
        snap!("multi_image2image_list", ListMultiImage2ImageTasks::new());
        snap!("omni_image_minimal", CreateOmniImage::new("a cat in a hat"));
        snap!(
            "omni_image_full",
            CreateOmniImage::new("<<<image_1>>> as a comic")
                .model(Model::KlingV3Omni)
                .image_list([ImageItem::from("https://example.com/a.png")])
                .element_list([ElementRef::new(9)])
                .resolution(ImageResolution::FourK)
                .result_type(ResultType::Series)
                .series_amount("auto")
                .aspect_ratio(AspectRatio::Auto)
                .watermark_info(WatermarkInfo::new(false))
                .callback_url("https://example.com/cb")
                .external_task_id("job-72")
        );
        snap!("omni_image_get", GetOmniImageTask::by_task_id("1"));
        snap!("omni_image_list", ListOmniImageTasks::new());
        snap!(
            "expand_minimal",
            CreateImageExpand::new("https://example.com/a.png", 0.5, 0.5, 0.0, 0.0)
        );
        snap!(
            "expand_full",
            CreateImageExpand::new("https://example.com/a.png", 0.2, 0.2, 0.3, 0.3)
                .prompt("more sky")
                .n(2)
                .watermark_info(WatermarkInfo::new(true))
                .callback_url("https://example.com/cb")
                .external_task_id("job-73")
        );
        snap!("expand_get", GetImageExpandTask::by_task_id("1"));
        snap!("expand_list", ListImageExpandTasks::new());
        snap!(
            "try_on_minimal",
            CreateVirtualTryOn::new(
                "https://example.com/me.png",
                "https://example.com/shirt.png"
            )
        );
        snap!(
            "try_on_full",
            CreateVirtualTryOn::new(
                "https://example.com/me.png",
                "https://example.com/shirt.png"
            )
            .model(Model::KolorsVirtualTryOnV1_5)
            .callback_url("https://example.com/cb")
            .external_task_id("job-74")
        );
        snap!("try_on_get", GetVirtualTryOnTask::by_task_id("1"));
        snap!("try_on_list", ListVirtualTryOnTasks::new());
        snap!(
            "image_recognize",
            RecognizeImage::new("https://example.com/a.png")
        );
    }

    #[test]
    fn multi_elements() {
        snap!(
            "selection_init",
            InitSelection::new(VideoSource::Id("831922345827123456".into()))
        );
        snap!(
            "selection_add",
            EditSelection::add("sess-1", 0, [SelectionPoint::new(0.5, 0.25)])
        );
        snap!(
            "selection_delete",
            EditSelection::delete("sess-1", 3, [SelectionPoint::new(0.1, 0.9)])
        );
        snap!("selection_clear", SessionCall::clear("sess-1"));
        snap!("selection_preview", SessionCall::preview("sess-1"));
        snap!(
            "multi_elements_minimal",
            CreateMultiElements::new("sess-1", EditMode::Removal, "remove the car")
        );
        snap!(
            "multi_elements_full",
            CreateMultiElements::new(
                "sess-1",
                EditMode::Addition,
                "add <<<image_1>>> next to <<<video_1>>>"
            )
            .image_list([ImageItem::from("https://example.com/dog.png")])
            .negative_prompt("blur")
            .mode(Mode::Pro)
            .duration(10)
            .watermark_info(WatermarkInfo::new(false))
            .callback_url("https://example.com/cb")
            .external_task_id("job-80")
        );
        snap!("multi_elements_get", GetMultiElementsTask::by_task_id("1"));
        snap!("multi_elements_list", ListMultiElementsTasks::new());
    }

    #[test]
    fn voices_and_elements() {
        snap!(
            "custom_voice_minimal",
            CreateCustomVoice::new(
                "narrator",
                VoiceSample::Url("https://example.com/v.mp3".into())
            )
        );
        snap!(
            "custom_voice_full",
            CreateCustomVoice::new(
                "narrator",
                VoiceSample::VideoId("831922345827123456".into())
            )
            .callback_url("https://example.com/cb")
            .external_task_id("job-90")
        );
        snap!("custom_voice_get", GetCustomVoiceTask::by_task_id("1"));
        snap!(
            "custom_voice_list",
            ListCustomVoiceTasks::new().page_size(1000)
        );
        snap!("preset_voices", ListPresetVoices::new());
        snap!("delete_voice", DeleteVoice::new("voice-1"));
        snap!(
            "element_images",
            CreateElement::from_images(
                "Mia",
                "a girl with a red scarf",
                "https://example.com/front.png",
                ["https://example.com/side.png".to_owned()]
            )
        );
        snap!(
            "element_video_full",
            CreateElement::from_video("Leo", "a man in a suit", "https://example.com/leo.mp4")
                .element_voice_id("voice-1")
                .tags(["o_101".to_owned()])
                .callback_url("https://example.com/cb")
                .external_task_id("job-91")
        );
        snap!("element_get", GetElementTask::by_task_id("1"));
        snap!("element_list", ListElementTasks::new());
        snap!("preset_elements", ListPresetElements::new().page(2));
        snap!("delete_element", DeleteElement::new("839123456789"));
        snap!(
            "ai_multi_shot",
            CreateAiMultiShot::new("https://example.com/front.png")
        );
        snap!(
            "ai_multi_shot_full",
            CreateAiMultiShot::new("https://example.com/front.png")
                .callback_url("https://example.com/cb")
                .external_task_id("job-views")
        );
        snap!(
            "ai_multi_shot_get",
            GetAiMultiShotTask::by_external_task_id("job-views")
        );
        snap!(
            "delete_element_image_side",
            DeleteElement::new("839123456789").via(DeletePath::Elements)
        );
    }

    #[test]
    fn account() {
        snap!(
            "account_costs",
            GetAccountCosts::new(1_766_000_000_000, 1_766_374_262_370)
        );
        snap!(
            "account_costs_pack",
            GetAccountCosts::new(1_766_000_000_000, 1_766_374_262_370)
                .resource_pack_name("video pack")
        );
        snap!(
            "billing_first_page",
            ExportBillingPackage::new(1_766_000_000_000, 1_766_374_262_370)
        );
        snap!(
            "billing_full",
            ExportBillingPackage::new(1_766_000_000_000, 1_766_374_262_370)
                .limit(100)
                .filter(BillingFilter::new("product_type", ["video".to_owned()]))
        );
        snap!(
            "billing_next_page",
            ExportBillingPackage::next_page("cursor-2")
        );
        snap!(
            "balance_full",
            ExportBillingBalance::new(1_766_000_000_000, 1_766_374_262_370)
                .limit(100)
                .filter(BillingFilter::new("api_key_name", ["prod".to_owned()]))
        );
        snap!(
            "balance_next_page",
            ExportBillingBalance::next_page("cursor-2")
        );
        snap!(
            "balance_backwards",
            ExportBillingBalance::new(1_766_374_262_370, 1_766_000_000_000)
        );
    }

    #[test]
    fn new_standard() {
        snap!(
            "std_t2v_minimal",
            standard::CreateTextToVideo::new(StandardModel::Kling3_0, "a fox in the snow")
        );
        snap!(
            "std_t2v_full",
            standard::CreateTextToVideo::new(StandardModel::Kling2_6, "a fox in the snow")
                .audio(Audio::Native)
                .resolution(Resolution::P1080)
                .aspect_ratio(AspectRatio::Landscape16x9)
                .duration(10)
                .callback_url("https://example.com/cb")
                .external_task_id("job-100")
                .watermark_info(WatermarkInfo::new(false))
        );
        snap!(
            "std_i2v_full",
            standard::CreateImageToVideo::new(StandardModel::Kling3_0, "https://example.com/a.png")
                .content(Content::prompt("she turns and smiles"))
                .content(Content::last_frame("https://example.com/b.png"))
                .content(Content::element("12", "element_1"))
                .resolution(Resolution::P1080)
                .duration(10)
                .multi_shot(false)
                .audio(Audio::Native)
                .external_task_id("job-43")
                .watermark_info(WatermarkInfo::new(false))
        );
        snap!(
            "std_i2v_minimal",
            standard::CreateImageToVideo::new(
                StandardModel::Kling3_0Turbo,
                "https://example.com/a.png"
            )
        );
        snap!(
            "std_omni",
            standard::CreateOmniVideo::new(StandardModel::Kling3_0Omni, "a paper boat")
                .aspect_ratio(AspectRatio::Square)
                .audio(Audio::Original)
        );
        snap!(
            "std_motion",
            standard::CreateMotionControl::new(
                StandardModel::Kling2_6,
                "https://example.com/me.png",
                "https://example.com/dance.mp4",
                CharacterOrientation::Video
            )
            .resolution(Resolution::P720)
        );
        snap!(
            "std_get_tasks",
            standard::GetTasks::by_ids(["913827032734642185".to_owned(), "2".to_owned()])
        );
        snap!(
            "std_get_tasks_external",
            standard::GetTasks::by_external_ids(["job-43".to_owned()])
        );
        snap!("std_list_tasks_minimal", standard::ListTasks::new());
        snap!(
            "std_list_tasks_full",
            standard::ListTasks::new()
                .between(1_766_000_000_000, 1_766_374_262_370)
                .limit(500)
                .filter(TaskFilter::new(
                    "status",
                    ["succeeded".to_owned(), "failed".to_owned()]
                ))
        );
    }

    #[test]
    fn runblob() {
        snap!(
            "runblob_generate_minimal",
            Generate::new("a fox in the snow")
        );
        snap!(
            "runblob_generate_full",
            Generate::new("a fox in the snow")
                .negative_prompt("blur")
                .model(RunBlobModel::Kling1_6Pro)
                .duration(10)
                .aspect_ratio(AspectRatio::Portrait9x16)
                .cfg_scale(0.5)
                .seed(42)
                .image_url("https://example.com/a.png")
                .callback_url("https://example.com/cb")
        );
        snap!(
            "runblob_generate_kling3",
            Generate::new("a fox")
                .duration(12)
                .model(RunBlobModel::Kling3Pro)
        );
        snap!(
            "runblob_generate_motion",
            Generate::new("dance")
                .model(RunBlobModel::Kling2_6MotionPro)
                .reference_video_url("https://example.com/dance.mp4")
                .reference_image_url("https://example.com/me.png")
                .motion_direction("video")
        );
        snap!(
            "runblob_o1_video",
            GenerateO1Video::new("a fox")
                .images_urls(["https://example.com/a.png".to_owned()])
                .duration(7)
        );
        snap!("runblob_o3_video_minimal", GenerateO3Video::new("a fox"));
        snap!(
            "runblob_o3_video_full",
            GenerateO3Video::new("a fox")
                .images_base64(["iVBORw0KGgo".to_owned()])
                .duration(15)
                .aspect_ratio(AspectRatio::Landscape16x9)
                .model(RunBlobModel::KlingO3Pro)
                .keep_original_sound(true)
                .callback_url("https://example.com/cb")
        );
        snap!("runblob_o1_photo", GeneratePhoto::o1("a cat"));
        snap!(
            "runblob_o3_photo",
            GeneratePhoto::o3("a cat")
                .img_resolution("4k")
                .images_url(["https://example.com/a.png".to_owned()])
        );
        snap!(
            "runblob_get_classic",
            runblob::GetGeneration::new(runblob::Product::Classic, "8f7c2a10")
        );
        snap!(
            "runblob_get_o3_photo",
            runblob::GetGeneration::new(runblob::Product::O3Photo, "photo-3c9a")
        );
        snap!("runblob_list", runblob::ListGenerations::new(20, 40));
        snap!("runblob_balance", runblob::GetBalance::new());
    }
}
