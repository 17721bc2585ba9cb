//! The legacy video families (`/v1/videos/...`): create, query, list.

mod avatar;
mod effects;
mod extend;
mod image2video;
mod lip_sync;
mod motion;
mod multi_image2video;
mod omni;
mod shared;
mod text2video;

pub use avatar::{AvatarAudio, CreateAvatar, GetAvatarTask, ListAvatarTasks};
pub use effects::{CreateEffect, EffectInput, EffectScene, GetEffectTask, ListEffectTasks};
pub use extend::{CreateVideoExtend, GetVideoExtendTask, ListVideoExtendTasks};
pub use image2video::{
    CreateImage2Video, DynamicMask, GetImage2VideoTask, ListImage2VideoTasks, Point,
};
pub use lip_sync::{
    AudioType, CreateAdvancedLipSync, CreateLipSync, Face, FaceChoice, FaceIdentification,
    GetAdvancedLipSyncTask, GetLipSyncTask, IdentifyFace, LipSyncInput, LipSyncMode,
    ListAdvancedLipSyncTasks, ListLipSyncTasks, VideoSource, VoiceLanguage,
};
pub use motion::{
    CharacterOrientation, CreateMotionControl, GetMotionControlTask, ListMotionControlTasks,
};
pub use multi_image2video::{
    CreateMultiImage2Video, GetMultiImage2VideoTask, ImageItem, ListMultiImage2VideoTasks,
};
pub use omni::{
    CreateOmniVideo, FrameType, GetOmniVideoTask, ListOmniVideoTasks, OmniImage, OmniVideo,
    ReferType,
};
pub use text2video::{CreateText2Video, GetText2VideoTask, ListText2VideoTasks};
