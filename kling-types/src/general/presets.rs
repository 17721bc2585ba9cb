//! The official voices and elements: paged lists of finished tasks, one preset each.

use kling_errors::ValidationError;

use crate::endpoint::{Endpoint, Method};
use crate::validate::int_range;

/// A paged list of the presets of a library (voices or elements).
macro_rules! preset_list {
    ($ty:ident, $what:literal, $path:literal, $max:literal) => {
        #[doc = concat!("Lists the official ", $what, ": `GET ", $path, "?pageNum=&pageSize=`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $ty {
            /// The page number, sent as `pageNum`: 1-1000 (1 by default).
            pub page_num: u32,
            /// Items per page, sent as `pageSize` (at most 1000 for voices, 500 for elements; 30 by
            /// default).
            pub page_size: u32,
        }

        impl $ty {
            /// The first page, 30 per page.
            pub fn new() -> Self {
                Self {
                    page_num: 1,
                    page_size: 30,
                }
            }
            /// Asks for page `page_num` (1-1000).
            #[must_use]
            pub fn page(mut self, page_num: u32) -> Self {
                self.page_num = page_num;
                self
            }
            /// Sets `pageSize`, items per page.
            #[must_use]
            pub fn page_size(mut self, page_size: u32) -> Self {
                self.page_size = page_size;
                self
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Endpoint for $ty {
            type Response = Vec<crate::task::Task>;
            type Body = ();
            fn method(&self) -> Method {
                Method::Get
            }
            fn path(&self) -> String {
                $path.to_owned()
            }
            fn query(&self) -> Vec<(&'static str, String)> {
                vec![
                    ("pageNum", self.page_num.to_string()),
                    ("pageSize", self.page_size.to_string()),
                ]
            }
            fn body(&self) -> Option<&()> {
                None
            }
            fn validate(&self) -> Result<(), ValidationError> {
                int_range("pageNum", Some(self.page_num), 1, 1000)?;
                int_range("pageSize", Some(self.page_size), 1, $max)
            }
        }
    };
}

preset_list!(
    ListPresetVoices,
    "voices",
    "/v1/general/presets-voices",
    1000
);
preset_list!(
    ListPresetElements,
    "elements",
    "/v1/general/advanced-presets-elements",
    500
);
