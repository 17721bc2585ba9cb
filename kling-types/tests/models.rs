//! Documented examples per model, pinning `models.json` to the spec: each form the vendor's
//! pages (`kling-api.md` section 10, `gateways.md`) accept must pass preflight, each form they
//! refuse must fail with the documented code and the field. Written from the spec, not from the
//! data, so a wrong cell in the data fails here.

use kling_types::Endpoint;
use kling_types::common::{Mode, Model, Secs, Sound};
use kling_types::general::CreateAiMultiShot;
use kling_types::images::{
    CreateImageExpand, CreateImageGeneration, CreateMultiImage2Image, CreateOmniImage,
    ImageResolution, ResultType,
};
use kling_types::models::{self, Currency};
use kling_types::runblob::GeneratePhoto;
use kling_types::standard::{
    Audio, Content, CreateImageToVideo, CreateMotionControl, CreateOmniVideo, CreateTextToVideo,
    Resolution, StandardModel,
};
use kling_types::videos::{
    CharacterOrientation, CreateImage2Video, CreateOmniVideo as LegacyOmni, CreateText2Video,
    OmniImage,
};

const IMG: &str = "https://example.com/a.png";
const IMG2: &str = "https://example.com/b.png";
const VIDEO: &str = "https://example.com/v.mp4";

/// `Ok` or the refused field with the code's wire form.
fn verdict(e: &impl Endpoint) -> Result<(), (String, String)> {
    e.validate()
        .map_err(|err| (err.field().to_owned(), err.code().to_string()))
}

fn ok(section: &str, e: &impl Endpoint) {
    assert_eq!(verdict(e), Ok(()), "{section}: documented as accepted");
}

fn refused(section: &str, e: &impl Endpoint, field: &str, code: &str) {
    match verdict(e) {
        Err((f, c)) => assert_eq!(
            (f.as_str(), c.as_str()),
            (field, code),
            "{section}: wrong field or code"
        ),
        Ok(()) => panic!("{section}: documented as refused, accepted"),
    }
}

fn o1() -> CreateOmniVideo {
    CreateOmniVideo::new(StandardModel::KlingO1, "a fox").aspect_ratio("16:9".into())
}

#[test]
fn kling_o1_on_the_new_standard() {
    ok("10.2 text, 5 s", &o1().duration(5));
    ok(
        "10.2 3-10 s with a reference image",
        &o1()
            .content(Content::ReferImage {
                url: IMG.into(),
                id: None,
            })
            .duration(7),
    );
    refused(
        "10.1 no multi_shot",
        &o1().multi_shot(true),
        "settings.multi_shot",
        "Kling 1201",
    );
    refused(
        "10.2 at most 10 s",
        &o1().duration(11),
        "settings.duration",
        "Kling 1201",
    );
    refused(
        "10.2 no native audio",
        &o1().audio(Audio::Native),
        "settings.audio",
        "Kling 1201",
    );
    refused(
        "10.2 first frame only: 5 or 10 s",
        &CreateOmniVideo::new(StandardModel::KlingO1, "a fox")
            .content(Content::first_frame(IMG))
            .duration(7),
        "settings.duration",
        "Kling 1201",
    );
    refused(
        "10.2 first + last frame: no other image",
        &CreateOmniVideo::new(StandardModel::KlingO1, "a fox")
            .content(Content::first_frame(IMG))
            .content(Content::last_frame(IMG2))
            .content(Content::ReferImage {
                url: IMG.into(),
                id: None,
            }),
        "contents",
        "Kling 1201",
    );
    assert_eq!(o1().path(), "/omni-video/kling-o1");
}

#[test]
fn voices_on_kling_2_6_image_to_video() {
    let i2v = || {
        CreateImageToVideo::new(StandardModel::Kling2_6, IMG)
            .content(Content::prompt("@1 says hello"))
            .content(Content::voice("voice-7", "1"))
    };
    ok(
        "10.3 a voice with native audio at 1080p",
        &i2v().audio(Audio::Native).resolution(Resolution::P1080),
    );
    refused(
        "10.3 a voice needs audio",
        &i2v().audio(Audio::Off).resolution(Resolution::P1080),
        "contents",
        "Kling 1201",
    );
    refused(
        "10.3 at most 2 voices",
        &i2v()
            .content(Content::voice("v2", "2"))
            .content(Content::voice("v3", "3"))
            .audio(Audio::Native)
            .resolution(Resolution::P1080),
        "contents",
        "Kling 1201",
    );
    refused(
        "10.1 voices are 2.6 only",
        &CreateImageToVideo::new(StandardModel::Kling3_0, IMG).content(Content::voice("v", "1")),
        "contents",
        "Kling 1201",
    );
    let body = serde_json::to_value(i2v().audio(Audio::Native)).unwrap();
    assert_eq!(
        body["contents"][2],
        serde_json::json!({"type": "voice", "voice_id": "voice-7", "id": "1"})
    );
}

#[test]
fn element_ids_are_strings() {
    let r = CreateImageToVideo::new(StandardModel::Kling3_0, IMG)
        .content(Content::element("161", "hero"));
    ok("10.4", &r);
    let body = serde_json::to_value(&r).unwrap();
    assert_eq!(body["contents"][1]["element_id"], "161");
    // A number on input (older answers) still reads.
    let read: Content =
        serde_json::from_str(r#"{"type":"element","element_id":161,"id":"hero"}"#).unwrap();
    assert_eq!(read, Content::element("161", "hero"));
}

#[test]
fn prompt_limits_per_model() {
    let long = |n| "a".repeat(n);
    ok(
        "10.1 3.0 t2v takes 3072",
        &CreateTextToVideo::new(StandardModel::Kling3_0, long(3072)),
    );
    ok(
        "10.1 2.6 t2v takes 2500",
        &CreateTextToVideo::new(StandardModel::Kling2_6, long(2500)),
    );
    refused(
        "10.1 2.6 t2v: 2500",
        &CreateTextToVideo::new(StandardModel::Kling2_6, long(2501)),
        "prompt",
        "Kling 1201",
    );
    refused(
        "10.1 2.5 Turbo t2v: 2500",
        &CreateTextToVideo::new(StandardModel::Kling2_5Turbo, long(2501)),
        "prompt",
        "Kling 1201",
    );
    refused(
        "10.1 3.0 Turbo i2v: 2500",
        &CreateImageToVideo::new(StandardModel::Kling3_0Turbo, IMG)
            .content(Content::prompt(long(2501))),
        "contents.prompt",
        "Kling 1201",
    );
    ok(
        "10.1 3.0 Turbo t2v takes 3072",
        &CreateTextToVideo::new(StandardModel::Kling3_0Turbo, long(3072)),
    );
}

#[test]
fn turbo_has_no_audio_and_no_multi_shot_field() {
    let t = || CreateTextToVideo::new(StandardModel::Kling3_0Turbo, "a fox");
    ok("10.1 3.0 Turbo t2v 3-15 s", &t().duration(15));
    refused(
        "10.1 no settings.audio",
        &t().audio(Audio::Native),
        "settings.audio",
        "Kling 1201",
    );
    refused(
        "10.1 no settings.multi_shot",
        &t().multi_shot(true),
        "settings.multi_shot",
        "Kling 1201",
    );
    refused(
        "10.1 no 4k",
        &t().resolution(Resolution::FourK),
        "settings.resolution",
        "Kling 1201",
    );
    refused(
        "10.1 3.0 Turbo i2v: no last frame",
        &CreateImageToVideo::new(StandardModel::Kling3_0Turbo, IMG)
            .content(Content::last_frame(IMG2)),
        "contents",
        "Kling 1201",
    );
    refused(
        "10.1 2.5 Turbo: no audio",
        &CreateTextToVideo::new(StandardModel::Kling2_5Turbo, "a fox").audio(Audio::Native),
        "settings.audio",
        "Kling 1201",
    );
}

#[test]
fn first_and_last_frame_force_1080p() {
    for model in [StandardModel::Kling2_6, StandardModel::Kling2_5Turbo] {
        let both =
            || CreateImageToVideo::new(model.clone(), IMG).content(Content::last_frame(IMG2));
        ok(
            "10.1 first + last at 1080p",
            &both().resolution(Resolution::P1080),
        );
        refused(
            "10.1 first + last at 720p",
            &both().resolution(Resolution::P720),
            "contents",
            "Kling 1201",
        );
        refused(
            "10.1 first + last, default 720p",
            &both(),
            "contents",
            "Kling 1201",
        );
    }
    refused(
        "10.1 2.6 first + last is silent",
        &CreateImageToVideo::new(StandardModel::Kling2_6, IMG)
            .content(Content::last_frame(IMG2))
            .resolution(Resolution::P1080)
            .audio(Audio::Native),
        "contents",
        "Kling 1201",
    );
}

#[test]
fn motion_control_elements() {
    let mc = |model| CreateMotionControl::new(model, IMG, VIDEO, CharacterOrientation::Video);
    ok(
        "10.1 3.0 takes one element",
        &mc(StandardModel::Kling3_0).content(Content::element("1", "a")),
    );
    refused(
        "10.1 3.0 at most one element",
        &mc(StandardModel::Kling3_0)
            .content(Content::element("1", "a"))
            .content(Content::element("2", "b")),
        "contents",
        "Kling 1201",
    );
    refused(
        "10.1 2.6 takes no element",
        &mc(StandardModel::Kling2_6).content(Content::element("1", "a")),
        "contents",
        "Kling 1201",
    );
    refused(
        "3.15 audio original or off",
        &mc(StandardModel::Kling2_6).audio(Audio::Native),
        "settings.audio",
        "Kling 1201",
    );
}

#[test]
fn legacy_changes() {
    let shots = || {
        LegacyOmni::multi_shot(vec![kling_types::common::ShotPrompt::new(
            1,
            "a fox runs",
            5,
        )])
    };
    ok(
        "10.5 v3-omni: first frame with multi-shot since 05/07/2026",
        &shots()
            .model(Model::KlingV3Omni)
            .image_list([OmniImage::first_frame(IMG)]),
    );
    refused(
        "10.5 kling-video-o1 has no multi-shot",
        &shots()
            .model(Model::KlingVideoO1)
            .image_list([OmniImage::first_frame(IMG)]),
        "multi_shot",
        "Kling 1201",
    );
    ok(
        "10.5 kling-v2-6 t2v 10 s",
        &CreateText2Video::new("a fox")
            .model(Model::KlingV2_6)
            .duration(Secs(10)),
    );
    refused(
        "10.5 kling-v2-6 t2v 5 or 10 s",
        &CreateText2Video::new("a fox")
            .model(Model::KlingV2_6)
            .duration(Secs(7)),
        "duration",
        "Kling 1201",
    );
    refused(
        "10.5 kling-v2-6 i2v 5 or 10 s",
        &CreateImage2Video::new(IMG)
            .model(Model::KlingV2_6)
            .duration(Secs(3)),
        "duration",
        "Kling 1201",
    );
    refused(
        "6a kling-v2-6 sound in pro only",
        &CreateText2Video::new("a fox")
            .model(Model::KlingV2_6)
            .mode(Mode::Std)
            .sound(Sound::On),
        "sound",
        "Kling 1201",
    );
}

#[test]
fn runblob_photo_fields() {
    let o3 = GeneratePhoto::o3("a cat")
        .img_resolution("4k")
        .prefer_multi_shots(true);
    ok("gateways 2: O3 photo 4k, multi-shots", &o3);
    let body = serde_json::to_value(&o3).unwrap();
    assert_eq!(body["img_resolution"], "4k");
    assert_eq!(body["prefer_multi_shots"], true);
    assert!(
        body.get("resolution").is_none(),
        "the API reads img_resolution"
    );
    refused(
        "gateways 2: O1 photo 1k or 2k",
        &GeneratePhoto::o1("a cat").img_resolution("4k"),
        "img_resolution",
        "RunBlob INVALID_PARAMETERS",
    );
    refused(
        "gateways 2: O1 photo has no prefer_multi_shots",
        &GeneratePhoto::o1("a cat").prefer_multi_shots(true),
        "prefer_multi_shots",
        "RunBlob INVALID_PARAMETERS",
    );
    let eleven: Vec<String> = (0..11).map(|i| format!("https://e.com/{i}.png")).collect();
    refused(
        "gateways 2: O3 photo at most 10 images",
        &GeneratePhoto::o3("a cat").images_url(eleven),
        "images_url",
        "RunBlob TOO_MANY_IMAGES",
    );
}

/// The estimate of a create the data prices.
fn priced(e: &impl Endpoint) -> models::Estimate {
    models::estimate(&e.facts().expect("a create describes itself")).expect("priced")
}

#[test]
fn estimates_follow_the_price_tables() {
    let t2v = CreateTextToVideo::new(StandardModel::Kling3_0, "a fox").duration(10);
    let est = priced(&t2v);
    assert_eq!(
        (est.total(), est.currency),
        (Some(6.0), Currency::VideoUnits),
        "11.1: 3.0 silent 720p 0.6/s"
    );
    let turbo = CreateTextToVideo::new(StandardModel::Kling3_0Turbo, "a fox").duration(3);
    let est = priced(&turbo);
    assert!(
        (est.total().unwrap() - 2.4).abs() < 1e-9,
        "10.8: 3 s of 3.0 Turbo at 720p cost 2.4 units"
    );
    let voice = CreateImageToVideo::new(StandardModel::Kling2_6, IMG)
        .content(Content::voice("v", "1"))
        .audio(Audio::Native)
        .resolution(Resolution::P1080);
    assert_eq!(priced(&voice).rate, 1.2, "10.3: 1.2 units/s with voice");
    let legacy = CreateText2Video::new("a fox")
        .model(Model::KlingV2_6)
        .mode(Mode::Pro)
        .sound(Sound::On);
    assert_eq!(
        priced(&legacy).total(),
        Some(5.0),
        "11.1: 2.6 native 1.0/s, 5 s default"
    );
    let photo = GeneratePhoto::o1("a cat");
    let est = priced(&photo);
    assert_eq!(
        (est.total(), est.currency),
        (Some(0.029), Currency::Usd),
        "RunBlob O1 photo $0.029"
    );
    let unknown = CreateTextToVideo::new(StandardModel::from("kling-9"), "a fox");
    assert!(
        models::estimate(&unknown.facts().unwrap()).is_none(),
        "no price for a model the data does not know"
    );
}

/// Base64 of a PNG's first bytes, of a GIF's, and of plain text.
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB";
const GIF_B64: &str = "R0lGODlhAQABAAAAACw=";
const TEXT_B64: &str = "YSByZWQgZm94IGluIHRoZSBzbm93";

#[test]
fn ai_multi_shot_takes_one_jpeg_or_png() {
    ok(
        "10.5 AI Multi-Shot from a URL",
        &CreateAiMultiShot::new(IMG),
    );
    ok(
        "10.5 AI Multi-Shot from base64 PNG",
        &CreateAiMultiShot::new(PNG_B64),
    );
    refused(
        "10.5 AI Multi-Shot takes .jpg/.jpeg/.png",
        &CreateAiMultiShot::new(GIF_B64),
        "element_frontal_image",
        "Kling 1201",
    );
    refused(
        "3.0 an image must be an image",
        &CreateAiMultiShot::new(TEXT_B64),
        "element_frontal_image",
        "Kling 1201",
    );
    // 10 MB at most: 11 MB of base64 PNG.
    let big = format!("{PNG_B64}{}", "A".repeat(11_000_000 * 4 / 3));
    refused(
        "10.5 AI Multi-Shot at most 10 MB",
        &CreateAiMultiShot::new(big.as_str()),
        "element_frontal_image",
        "Kling 1201",
    );
    let est = priced(&CreateAiMultiShot::new(IMG));
    assert_eq!(
        (est.total(), est.currency),
        (Some(20.0), Currency::ImageUnits),
        "11.2: 20 image units per call"
    );
}

#[test]
fn legacy_images_are_checked_and_priced_from_the_data() {
    refused(
        "3.11 21:9 is not on kling-v1",
        &CreateImageGeneration::new("a cat")
            .model(Model::KlingV1)
            .aspect_ratio("21:9"),
        "aspect_ratio",
        "Kling 1201",
    );
    ok(
        "3.11 21:9 on kling-v2-1",
        &CreateImageGeneration::new("a cat")
            .model(Model::KlingV2_1)
            .aspect_ratio("21:9"),
    );
    refused(
        "3.11 omni image: kling-image-o1 has no 4k",
        &CreateOmniImage::new("a cat").resolution(ImageResolution::FourK),
        "resolution",
        "Kling 1201",
    );
    let two = CreateImageGeneration::new("a cat")
        .model(Model::KlingV2_1)
        .n(2);
    assert_eq!(
        priced(&two).total(),
        Some(8.0),
        "11.2: 2.1 text-to-image 4 units an image"
    );
    let guided = CreateImageGeneration::new("a cat")
        .model(Model::KlingV2_1)
        .image(IMG);
    assert_eq!(
        priced(&guided).total(),
        Some(8.0),
        "11.2: 2.1 image-to-image 8"
    );
    let multi = CreateMultiImage2Image::new([IMG, IMG2]).n(3);
    assert_eq!(
        priced(&multi).total(),
        Some(48.0),
        "11.2: multi-image 16 an image"
    );
    let omni4k = CreateOmniImage::new("a cat")
        .model(Model::KlingV3Omni)
        .resolution(ImageResolution::FourK);
    assert_eq!(priced(&omni4k).total(), Some(16.0), "11.2: 3.0 Omni 4K 16");
    let series = CreateOmniImage::new("a cat")
        .model(Model::KlingV3Omni)
        .result_type(ResultType::Series)
        .series_amount("6");
    assert_eq!(
        priced(&series).total(),
        Some(48.0),
        "a series costs each image"
    );
    let expand = CreateImageExpand::new(IMG, 0.5, 0.0, 0.0, 0.0).n(2);
    assert_eq!(
        priced(&expand).total(),
        Some(16.0),
        "11.2: outpainting 8 an image"
    );
}
