//! Images (`kling-api.md` 3.11): generation, multi-image to image, omni image, expand,
//! virtual try-on, and image recognize.

use serde::{Deserialize, Serialize};

use kling_errors::ValidationError;

use crate::common::{AspectRatio, ElementRef, ImageInput, Model, WatermarkInfo};
use crate::endpoint::{Endpoint, Method, Preflight};
use crate::validate::{ensure, image, int_range, max_chars, range, required_text};
use crate::videos::ImageItem;

string_enum! {
    /// Output resolution of an image.
    pub enum ImageResolution (Custom: "Any other resolution, sent as given.") {
        /// `1k`
        OneK = "1k",
        /// `2k`
        TwoK = "2k",
        /// `4k` (omni image)
        FourK = "4k",
    }
}

string_enum! {
    /// What a reference image of a generation contributes.
    pub enum ImageReference (Custom: "Any other value, sent as given.") {
        /// `subject`: the subject.
        Subject = "subject",
        /// `face`: the face (exactly one face in the image).
        Face = "face",
    }
}

const IMAGE_RATIOS: &[AspectRatio] = &[
    AspectRatio::Landscape16x9,
    AspectRatio::Portrait9x16,
    AspectRatio::Square,
    AspectRatio::Landscape4x3,
    AspectRatio::Portrait3x4,
    AspectRatio::Landscape3x2,
    AspectRatio::Portrait2x3,
    AspectRatio::Wide21x9,
];

fn check_ratio(ratio: Option<&AspectRatio>, auto_allowed: bool) -> Result<(), ValidationError> {
    match ratio {
        Some(r) if r.is_known() => ensure(
            IMAGE_RATIOS.contains(r) || (auto_allowed && *r == AspectRatio::Auto),
            "aspect_ratio",
            format!("{r} is not an image aspect ratio"),
        ),
        _ => Ok(()),
    }
}

/// Generates images from text, optionally guided by a reference image (`POST /v1/images/generations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateImageGeneration {
    /// The model.
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to draw (at most 2500 characters).
    pub prompt: String,
    /// What to avoid (not with a reference image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    /// A reference image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageInput>,
    /// What the reference contributes (needs `image`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_reference: Option<ImageReference>,
    /// Reference strength in [0, 1].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_fidelity: Option<f64>,
    /// Face similarity in [0, 1] (only with `subject`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_fidelity: Option<f64>,
    /// Elements (with images, at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
    /// `1k` or `2k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ImageResolution>,
    /// How many images, 1-9 (each takes a concurrency slot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Output aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Also return watermarked copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateImageGeneration {
    /// Images of `prompt`.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            model: None,
            prompt: prompt.into(),
            negative_prompt: None,
            image: None,
            image_reference: None,
            image_fidelity: None,
            human_fidelity: None,
            element_list: Vec::new(),
            resolution: None,
            n: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        if self.model.as_ref() == Some(&Model::KlingV2New) {
            ensure(
                self.image.is_some(),
                "model_name",
                "kling-v2-new only restyles an image: set `image`",
            )?;
        }
        required_text("prompt", &self.prompt, 2500)?;
        max_chars("negative_prompt", self.negative_prompt.as_deref(), 2500)?;
        ensure(
            self.negative_prompt.is_none() || self.image.is_none(),
            "negative_prompt",
            "is not allowed with a reference image",
        )?;
        image("image", self.image.as_ref())?;
        ensure(
            self.image_reference.is_none() || self.image.is_some(),
            "image_reference",
            "needs `image`",
        )?;
        range("image_fidelity", self.image_fidelity, 0.0, 1.0)?;
        range("human_fidelity", self.human_fidelity, 0.0, 1.0)?;
        if self.human_fidelity.is_some() {
            ensure(
                self.image_reference == Some(ImageReference::Subject),
                "human_fidelity",
                "only applies with image_reference subject",
            )?;
        }
        let refs = self.element_list.len() + usize::from(self.image.is_some());
        ensure(
            refs <= 10,
            "element_list",
            format!("elements and images are at most 10, got {refs}"),
        )?;
        if let Some(r) = &self.resolution {
            ensure(
                !r.is_known() || matches!(r, ImageResolution::OneK | ImageResolution::TwoK),
                "resolution",
                "must be 1k or 2k",
            )?;
        }
        int_range("n", self.n, 1, 9)?;
        check_ratio(self.aspect_ratio.as_ref(), false)?;
        if self.model.as_ref().is_none_or(|m| *m == Model::KlingV1) {
            ensure(
                self.aspect_ratio != Some(AspectRatio::Wide21x9),
                "aspect_ratio",
                "21:9 is not available on kling-v1",
            )?;
        }
        Ok(())
    }
}

setters!(CreateImageGeneration {
    /// Sets the model.
    model: Model,
    /// Sets the negative prompt.
    negative_prompt: String,
    /// Sets the reference image.
    image: ImageInput,
    /// Sets what the reference contributes.
    image_reference: ImageReference,
    /// Sets the reference strength.
    image_fidelity: f64,
    /// Sets the face similarity.
    human_fidelity: f64,
    /// Sets the resolution.
    resolution: ImageResolution,
    /// Sets the aspect ratio.
    aspect_ratio: AspectRatio,
    /// Requests watermarked copies.
    watermark_info: WatermarkInfo,
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
} lists {
    /// Sets the elements.
    element_list: ElementRef,
} plain {
    /// Sets how many images.
    n: u32,
});

create_endpoint!(CreateImageGeneration, "/v1/images/generations");
task_family!("image-generation", "/v1/images/generations", max_page_size = 500,
    get: GetImageGenerationTask, list: ListImageGenerationTasks, create: CreateImageGeneration);

/// `{"subject_image": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubjectImage {
    /// A pre-cropped subject.
    pub subject_image: ImageInput,
}

impl<T: Into<ImageInput>> From<T> for SubjectImage {
    fn from(image: T) -> Self {
        Self {
            subject_image: image.into(),
        }
    }
}

/// Composes 1-4 subjects, a scene and a style into images (`POST /v1/images/multi-image2image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateMultiImage2Image {
    /// The model (`kling-v2-1`).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to draw (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// 1-4 subjects.
    pub subject_image_list: Vec<SubjectImage>,
    /// The scene.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scene_image: Option<ImageInput>,
    /// The style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_image: Option<ImageInput>,
    /// How many images, 1-9.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Output aspect ratio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Also return watermarked copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateMultiImage2Image {
    /// Images composed of `subjects`.
    pub fn new<I: Into<SubjectImage>>(subjects: impl IntoIterator<Item = I>) -> Self {
        Self {
            model: None,
            prompt: None,
            subject_image_list: subjects.into_iter().map(Into::into).collect(),
            scene_image: None,
            style_image: None,
            n: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        let n = self.subject_image_list.len();
        ensure(
            (1..=4).contains(&n),
            "subject_image_list",
            format!("takes 1 to 4 subjects, got {n}"),
        )?;
        for (i, s) in self.subject_image_list.iter().enumerate() {
            image(
                &format!("subject_image_list[{i}].subject_image"),
                Some(&s.subject_image),
            )?;
        }
        image("scene_image", self.scene_image.as_ref())?;
        image("style_image", self.style_image.as_ref())?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        int_range("n", self.n, 1, 9)?;
        check_ratio(self.aspect_ratio.as_ref(), false)
    }
}

setters!(CreateMultiImage2Image {
    /// Sets the model.
    model: Model,
    /// Sets the prompt.
    prompt: String,
    /// Sets the scene.
    scene_image: ImageInput,
    /// Sets the style.
    style_image: ImageInput,
    /// Sets the aspect ratio.
    aspect_ratio: AspectRatio,
    /// Requests watermarked copies.
    watermark_info: WatermarkInfo,
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
} plain {
    /// Sets how many images.
    n: u32,
});

create_endpoint!(CreateMultiImage2Image, "/v1/images/multi-image2image");
task_family!("multi-image-to-image", "/v1/images/multi-image2image", max_page_size = 500,
    get: GetMultiImage2ImageTask, list: ListMultiImage2ImageTasks, create: CreateMultiImage2Image);

string_enum! {
    /// One image, or a series.
    pub enum ResultType (Custom: "Any other value, sent as given.") {
        /// `single`
        Single = "single",
        /// `series`
        Series = "series",
    }
}

/// Omni image: text plus reference images and elements (`POST /v1/images/omni-image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateOmniImage {
    /// The model (`kling-image-o1` when absent, or `kling-v3-omni`).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// What to draw (at most 2500 characters; `<<<image_1>>>`).
    pub prompt: String,
    /// Reference images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_list: Vec<ImageItem>,
    /// Elements (with images, at most 10).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub element_list: Vec<ElementRef>,
    /// `1k`, `2k` or `4k`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ImageResolution>,
    /// One image or a series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// How many images, 1-9 (ignored for a series).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Series length: `"2"`…`"9"` or `"auto"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series_amount: Option<String>,
    /// Output aspect ratio (`auto` when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<AspectRatio>,
    /// Also return watermarked copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateOmniImage {
    /// Images of `prompt`.
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            model: None,
            prompt: prompt.into(),
            image_list: Vec::new(),
            element_list: Vec::new(),
            resolution: None,
            result_type: None,
            n: None,
            series_amount: None,
            aspect_ratio: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        required_text("prompt", &self.prompt, 2500)?;
        let refs = self.image_list.len() + self.element_list.len();
        ensure(
            refs <= 10,
            "image_list",
            format!("images and elements are at most 10, got {refs}"),
        )?;
        for (i, item) in self.image_list.iter().enumerate() {
            image(&format!("image_list[{i}].image"), Some(&item.image))?;
        }
        int_range("n", self.n, 1, 9)?;
        if self.result_type == Some(ResultType::Series) {
            ensure(
                self.model
                    .as_ref()
                    .is_some_and(|m| *m != Model::KlingImageO1),
                "result_type",
                "kling-image-o1 cannot generate a series (use kling-v3-omni)",
            )?;
        }
        if let Some(amount) = &self.series_amount {
            let ok = amount == "auto" || amount.parse::<u32>().is_ok_and(|n| (2..=9).contains(&n));
            ensure(
                ok,
                "series_amount",
                format!("must be 2 to 9 or auto, got {amount:?}"),
            )?;
        }
        check_ratio(self.aspect_ratio.as_ref(), true)
    }
}

setters!(CreateOmniImage {
    /// Sets the model.
    model: Model,
    /// Sets the resolution.
    resolution: ImageResolution,
    /// Sets single or series.
    result_type: ResultType,
    /// Sets the series length.
    series_amount: String,
    /// Sets the aspect ratio.
    aspect_ratio: AspectRatio,
    /// Requests watermarked copies.
    watermark_info: WatermarkInfo,
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
} lists {
    /// Sets the reference images.
    image_list: ImageItem,
    /// Sets the elements.
    element_list: ElementRef,
} plain {
    /// Sets how many images.
    n: u32,
});

create_endpoint!(CreateOmniImage, "/v1/images/omni-image");
task_family!("omni-image", "/v1/images/omni-image", max_page_size = 500,
    get: GetOmniImageTask, list: ListOmniImageTasks, create: CreateOmniImage);

/// Outpaints an image (`POST /v1/images/editing/expand`). Ratios are multiples of the
/// original height (up/down) or width (left/right), each in [0, 2]; the new area is at most
/// 3x the original.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateImageExpand {
    /// The image to expand.
    pub image: ImageInput,
    /// Growth upwards.
    pub up_expansion_ratio: f64,
    /// Growth downwards.
    pub down_expansion_ratio: f64,
    /// Growth to the left.
    pub left_expansion_ratio: f64,
    /// Growth to the right.
    pub right_expansion_ratio: f64,
    /// What to fill in (at most 2500 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// How many images, 1-9.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    /// Also return watermarked copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateImageExpand {
    /// Expands `image` by the given ratios (up, down, left, right).
    pub fn new(image: impl Into<ImageInput>, up: f64, down: f64, left: f64, right: f64) -> Self {
        Self {
            image: image.into(),
            up_expansion_ratio: up,
            down_expansion_ratio: down,
            left_expansion_ratio: left,
            right_expansion_ratio: right,
            prompt: None,
            n: None,
            watermark_info: None,
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        image("image", Some(&self.image))?;
        for (field, v) in [
            ("up_expansion_ratio", self.up_expansion_ratio),
            ("down_expansion_ratio", self.down_expansion_ratio),
            ("left_expansion_ratio", self.left_expansion_ratio),
            ("right_expansion_ratio", self.right_expansion_ratio),
        ] {
            range(field, Some(v), 0.0, 2.0)?;
        }
        let area = (1.0 + self.up_expansion_ratio + self.down_expansion_ratio)
            * (1.0 + self.left_expansion_ratio + self.right_expansion_ratio);
        ensure(
            area <= 3.0 + 1e-9,
            "up_expansion_ratio",
            format!("the expanded area is {area:.2}x the original; at most 3x"),
        )?;
        max_chars("prompt", self.prompt.as_deref(), 2500)?;
        int_range("n", self.n, 1, 9)
    }
}

setters!(CreateImageExpand {
    /// Sets the prompt.
    prompt: String,
    /// Requests watermarked copies.
    watermark_info: WatermarkInfo,
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
} plain {
    /// Sets how many images.
    n: u32,
});

create_endpoint!(CreateImageExpand, "/v1/images/editing/expand");
task_family!("image-expand", "/v1/images/editing/expand", max_page_size = 500,
    get: GetImageExpandTask, list: ListImageExpandTasks, create: CreateImageExpand);

/// Dresses a person in a garment (`POST /v1/images/kolors-virtual-try-on`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateVirtualTryOn {
    /// The model (`kolors-virtual-try-on-v1` when absent, or `-v1-5`).
    #[serde(rename = "model_name", skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// The person.
    pub human_image: ImageInput,
    /// The garment (a product shot or on white; one upper, lower or dress).
    pub cloth_image: ImageInput,
    /// Where the server POSTs status changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// The caller's id for the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
    #[serde(skip)]
    preflight: Preflight,
}

impl CreateVirtualTryOn {
    /// `human_image` wearing `cloth_image`.
    pub fn new(human_image: impl Into<ImageInput>, cloth_image: impl Into<ImageInput>) -> Self {
        Self {
            model: None,
            human_image: human_image.into(),
            cloth_image: cloth_image.into(),
            callback_url: None,
            external_task_id: None,
            preflight: Preflight::default(),
        }
    }

    fn check(&self) -> Result<(), ValidationError> {
        image("human_image", Some(&self.human_image))?;
        image("cloth_image", Some(&self.cloth_image))
    }
}

setters!(CreateVirtualTryOn {
    /// Sets the model.
    model: Model,
    /// Sets the callback URL.
    callback_url: String,
    /// Sets the caller's id for the task.
    external_task_id: String,
});

create_endpoint!(CreateVirtualTryOn, "/v1/images/kolors-virtual-try-on");
task_family!("virtual try-on", "/v1/images/kolors-virtual-try-on", max_page_size = 500,
    get: GetVirtualTryOnTask, list: ListVirtualTryOnTasks, create: CreateVirtualTryOn);

/// Segments an image (`POST /v1/videos/image-recognize`, synchronous): the result is in
/// `task_result.images` (`object_seg`, `head_seg`, `face_seg`, `cloth_seg`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecognizeImage {
    /// The image.
    pub image: ImageInput,
}

impl RecognizeImage {
    /// Segments `image`.
    pub fn new(image: impl Into<ImageInput>) -> Self {
        Self {
            image: image.into(),
        }
    }
}

impl Endpoint for RecognizeImage {
    type Response = crate::task::Task;
    type Body = Self;
    fn method(&self) -> Method {
        Method::Post
    }
    fn path(&self) -> String {
        "/v1/videos/image-recognize".to_owned()
    }
    fn body(&self) -> Option<&Self> {
        Some(self)
    }
    fn validate(&self) -> Result<(), ValidationError> {
        image("image", Some(&self.image))
    }
}
