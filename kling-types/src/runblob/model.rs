//! [`RunBlobModel`]: the model names the classic generate and O3 video take.

string_enum! {
    /// A RunBlob model name.
    pub enum RunBlobModel (Custom: "Any other model, sent as given.") {
        /// `kling_3`
        Kling3 = "kling_3",
        /// `kling_3_pro`
        Kling3Pro = "kling_3_pro",
        /// `kling_3_motion`
        Kling3Motion = "kling_3_motion",
        /// `kling_3_motion_pro`
        Kling3MotionPro = "kling_3_motion_pro",
        /// `kling_2.6`
        Kling2_6 = "kling_2.6",
        /// `kling_2.6_motion`
        Kling2_6Motion = "kling_2.6_motion",
        /// `kling_2.6_motion_pro`
        Kling2_6MotionPro = "kling_2.6_motion_pro",
        /// `kling_2.5_turbo`
        Kling2_5Turbo = "kling_2.5_turbo",
        /// `kling_2.5_turbo_pro`
        Kling2_5TurboPro = "kling_2.5_turbo_pro",
        /// `kling_2.1`
        Kling2_1 = "kling_2.1",
        /// `kling_2.1_pro`
        Kling2_1Pro = "kling_2.1_pro",
        /// `kling_2.1_master`
        Kling2_1Master = "kling_2.1_master",
        /// `kling_1.6`
        Kling1_6 = "kling_1.6",
        /// `kling_1.6_pro`
        Kling1_6Pro = "kling_1.6_pro",
        /// `kling_o3` (720p)
        KlingO3 = "kling_o3",
        /// `kling_o3_pro` (1080p)
        KlingO3Pro = "kling_o3_pro",
    }
}

impl RunBlobModel {
    /// Whether the model takes an integer duration of 3-15 s (the 3.0 family) rather than
    /// `"5"`/`"10"`.
    pub(super) fn integer_duration(&self) -> bool {
        matches!(self, Self::Kling3 | Self::Kling3Pro)
    }
}
