//! Typed helpers, one per task family: create (safely) and wait. Each is
//! [`Client::create_and_wait`] for its request type.

use kling_errors::Error;
use kling_types::Task;

use crate::client::{Client, WaitOptions};

impl Client {
    /// Text to video: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn text_to_video(
        &self,
        request: kling_types::videos::CreateText2Video,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Image to video: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn image_to_video(
        &self,
        request: kling_types::videos::CreateImage2Video,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Multi-image to video: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn multi_image_to_video(
        &self,
        request: kling_types::videos::CreateMultiImage2Video,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Video extension: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn extend_video(
        &self,
        request: kling_types::videos::CreateVideoExtend,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Omni video: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn omni_video(
        &self,
        request: kling_types::videos::CreateOmniVideo,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Motion control: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn motion_control(
        &self,
        request: kling_types::videos::CreateMotionControl,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Advanced lip sync: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn advanced_lip_sync(
        &self,
        request: kling_types::videos::CreateAdvancedLipSync,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Avatar (talking portrait): creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn avatar(
        &self,
        request: kling_types::videos::CreateAvatar,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Video effect: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn video_effect(
        &self,
        request: kling_types::videos::CreateEffect,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Video to audio: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn video_to_audio(
        &self,
        request: kling_types::audio::CreateVideoToAudio,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Text to audio (sound effect): creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn text_to_audio(
        &self,
        request: kling_types::audio::CreateTextToAudio,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Image generation: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn generate_images(
        &self,
        request: kling_types::images::CreateImageGeneration,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Multi-image to image: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn multi_image_to_image(
        &self,
        request: kling_types::images::CreateMultiImage2Image,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Omni image: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn omni_image(
        &self,
        request: kling_types::images::CreateOmniImage,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Image expansion (outpainting): creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn expand_image(
        &self,
        request: kling_types::images::CreateImageExpand,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Virtual try-on: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn virtual_try_on(
        &self,
        request: kling_types::images::CreateVirtualTryOn,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Multi-element video edit: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn edit_elements(
        &self,
        request: kling_types::multi_elements::CreateMultiElements,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Custom voice: creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn clone_voice(
        &self,
        request: kling_types::general::CreateCustomVoice,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }

    /// Element (subject library): creates the task (reconciled by `external_task_id`) and waits for it.
    ///
    /// # Errors
    ///
    /// As [`create_and_wait`](Client::create_and_wait).
    pub async fn create_element(
        &self,
        request: kling_types::general::CreateElement,
        options: WaitOptions<'_>,
    ) -> Result<Task, Error> {
        self.create_and_wait(request, options).await
    }
}
