//! What a create says about itself, in the terms of the models data: each request type maps its
//! own fields onto these (naming each wire field), and one checker and one price table read them.

use super::Api;

/// One fact of a request: the wire field it comes from and its value, if set. A request type
/// without such a field leaves the slot empty with no field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Slot<T> {
    /// The wire field (a JSON path such as `settings.audio`).
    pub field: &'static str,
    /// Its value, when the request sets it.
    pub value: Option<T>,
}

impl<T> Slot<T> {
    /// `value` as sent in `field`.
    pub fn new(field: &'static str, value: Option<T>) -> Self {
        Self { field, value }
    }
}

/// A create request seen through the models data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Facts<'a> {
    /// Which API the request goes to: legacy, new standard or RunBlob.
    pub api: Api,
    /// The endpoint's name in the data (`text2video`, `image-to-video`, ...).
    pub endpoint: &'static str,
    /// The model, with the server's default filled in when the request names none.
    pub model: Slot<&'a str>,
    /// The prompt's length in characters.
    pub prompt_chars: Slot<usize>,
    /// A negative prompt is set.
    pub negative_prompt: Slot<()>,
    /// `cfg_scale` is set.
    pub cfg_scale: Slot<()>,
    /// The duration in whole seconds, and the field it is sent in.
    pub duration: Slot<u32>,
    /// The legacy `mode` (`std`, `pro`, `4k`).
    pub mode: Slot<&'a str>,
    /// The resolution (`720p`, `1080p`, `4k`; images `1k`, `2k`, `4k`).
    pub resolution: Slot<&'a str>,
    /// The aspect ratio (`16:9`, `9:16`, `1:1`, ...).
    pub aspect_ratio: Slot<&'a str>,
    /// The sound setting: legacy `sound` (`on`/`off`) or new-standard `settings.audio`.
    pub audio: Slot<&'a str>,
    /// A first frame is given.
    pub first_frame: bool,
    /// A last (end) frame is given.
    pub last_frame: Slot<()>,
    /// Multi-shot, when set.
    pub multi_shot: Slot<bool>,
    /// Input images other than first and last frames.
    pub images: Slot<usize>,
    /// How many elements the request references.
    pub elements: Slot<usize>,
    /// How many voices the request references.
    pub voices: Slot<usize>,
    /// Input (reference) videos.
    pub videos: Slot<usize>,
    /// Images sent inline (base64 text), each with the wire field that carries it: their
    /// format and size are checked against the model's `image_formats` and `image_max_mb`.
    pub inline_images: Vec<(&'static str, &'a str)>,
    /// How many results a create asks for (images: `n`); 1 when unset.
    pub outputs: u32,
    /// The output is as long as an input video (motion control, a base video to edit), so its
    /// length, and a per-second price, is unknown before it runs.
    pub length_follows_input: bool,
}

impl<'a> Facts<'a> {
    /// The facts of a create on `endpoint` of `api` with `model` (sent in `model_field`).
    pub fn new(
        api: Api,
        endpoint: &'static str,
        model_field: &'static str,
        model: &'a str,
    ) -> Self {
        Self {
            api,
            endpoint,
            model: Slot::new(model_field, Some(model)),
            prompt_chars: Slot::default(),
            negative_prompt: Slot::default(),
            cfg_scale: Slot::default(),
            duration: Slot::default(),
            mode: Slot::default(),
            resolution: Slot::default(),
            aspect_ratio: Slot::default(),
            audio: Slot::default(),
            first_frame: false,
            last_frame: Slot::default(),
            multi_shot: Slot::default(),
            images: Slot::default(),
            elements: Slot::default(),
            voices: Slot::default(),
            videos: Slot::default(),
            inline_images: Vec::new(),
            outputs: 1,
            length_follows_input: false,
        }
    }

    /// The model's name.
    pub fn model_name(&self) -> &'a str {
        self.model.value.unwrap_or_default()
    }

    /// The prompt in `field`.
    #[must_use]
    pub fn prompt(mut self, field: &'static str, text: Option<&str>) -> Self {
        self.prompt_chars = Slot::new(field, text.map(|t| t.chars().count()));
        self
    }

    /// The negative prompt in `field`.
    #[must_use]
    pub fn negative_prompt(mut self, field: &'static str, set: bool) -> Self {
        self.negative_prompt = Slot::new(field, set.then_some(()));
        self
    }

    /// `cfg_scale` in `field`.
    #[must_use]
    pub fn cfg_scale(mut self, field: &'static str, set: bool) -> Self {
        self.cfg_scale = Slot::new(field, set.then_some(()));
        self
    }

    /// The duration in `field`.
    #[must_use]
    pub fn duration(mut self, field: &'static str, seconds: Option<u32>) -> Self {
        self.duration = Slot::new(field, seconds);
        self
    }

    /// The legacy mode in `field`.
    #[must_use]
    pub fn mode(mut self, field: &'static str, mode: Option<&'a str>) -> Self {
        self.mode = Slot::new(field, mode);
        self
    }

    /// The resolution in `field`.
    #[must_use]
    pub fn resolution(mut self, field: &'static str, resolution: Option<&'a str>) -> Self {
        self.resolution = Slot::new(field, resolution);
        self
    }

    /// The aspect ratio in `field`.
    #[must_use]
    pub fn aspect_ratio(mut self, field: &'static str, ratio: Option<&'a str>) -> Self {
        self.aspect_ratio = Slot::new(field, ratio);
        self
    }

    /// The sound in `field`.
    #[must_use]
    pub fn audio(mut self, field: &'static str, audio: Option<&'a str>) -> Self {
        self.audio = Slot::new(field, audio);
        self
    }

    /// Whether a first frame is given.
    #[must_use]
    pub fn first_frame(mut self, given: bool) -> Self {
        self.first_frame = given;
        self
    }

    /// A last frame in `field`.
    #[must_use]
    pub fn last_frame(mut self, field: &'static str, given: bool) -> Self {
        self.last_frame = Slot::new(field, given.then_some(()));
        self
    }

    /// Multi-shot in `field`.
    #[must_use]
    pub fn multi_shot(mut self, field: &'static str, on: Option<bool>) -> Self {
        self.multi_shot = Slot::new(field, on);
        self
    }

    /// `count` input images in `field`.
    #[must_use]
    pub fn images(mut self, field: &'static str, count: usize) -> Self {
        self.images = Slot::new(field, Some(count));
        self
    }

    /// `count` elements in `field`.
    #[must_use]
    pub fn elements(mut self, field: &'static str, count: usize) -> Self {
        self.elements = Slot::new(field, Some(count));
        self
    }

    /// `count` voices in `field`.
    #[must_use]
    pub fn voices(mut self, field: &'static str, count: usize) -> Self {
        self.voices = Slot::new(field, Some(count));
        self
    }

    /// `count` input videos in `field`.
    #[must_use]
    pub fn videos(mut self, field: &'static str, count: usize) -> Self {
        self.videos = Slot::new(field, Some(count));
        self
    }

    /// Images sent inline (base64) in `field`; URLs among them are skipped.
    #[must_use]
    pub fn inline_images<I>(mut self, field: &'static str, images: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
    {
        let inline = images.into_iter().filter(|i| !crate::common::is_url(i));
        self.inline_images.extend(inline.map(|i| (field, i)));
        self
    }

    /// Whether the output is as long as an input video.
    #[must_use]
    pub fn length_follows_input(mut self, follows: bool) -> Self {
        self.length_follows_input = follows;
        self
    }

    /// `n` results asked for.
    #[must_use]
    pub fn outputs(mut self, n: Option<u32>) -> Self {
        self.outputs = n.unwrap_or(1).max(1);
        self
    }
}
