//! `string_enum!`: the forward-compatible string enums of the API.

/// Declares a `#[non_exhaustive]` string enum whose last variant keeps any value this version
/// does not know (`Custom(String)` on the request side, `Unknown(String)` for server values),
/// so a model released tomorrow works today and a new server value still decodes.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($fallback:ident: $fdoc:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            #[doc = $fdoc]
            $fallback(String),
        }

        impl $name {
            /// Every value this version knows.
            pub const KNOWN: &'static [Self] = &[$(Self::$variant),*];

            /// The value as the wire carries it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::$fallback(other) => other,
                }
            }

            /// Whether this version knows the value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::$fallback(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::$fallback(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match Self::from(text.as_str()) {
                    Self::$fallback(_) => Self::$fallback(text),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(text))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(text.as_ref()))
            }
        }

        /// A string: the values this version knows are listed (`examples`); a newer one is
        /// sent as given.
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let known: &[&str] = &[$($text),*];
                schemars::json_schema!({"type": "string", "examples": known})
            }
        }
    };
}

/// Builder setters for optional fields: `field(value)` sets `Some(value.into())`; list fields
/// take any iterator; `plain` fields take the type itself (integers, so a literal infers).
macro_rules! setters {
    ($ty:ident {
        $( $(#[$m:meta])* $field:ident : $t:ty ),* $(,)?
    } $( lists { $( $(#[$lm:meta])* $lfield:ident : $lt:ty ),* $(,)? } )?
      $( plain { $( $(#[$pm:meta])* $pfield:ident : $pt:ty ),* $(,)? } )? ) => {
        impl $ty {
            $(
                $(#[$m])*
                #[must_use]
                pub fn $field(mut self, value: impl Into<$t>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
            $($(
                $(#[$lm])*
                #[must_use]
                pub fn $lfield<I: Into<$lt>>(mut self, items: impl IntoIterator<Item = I>) -> Self {
                    self.$lfield = items.into_iter().map(Into::into).collect();
                    self
                }
            )*)?
            $($(
                $(#[$pm])*
                #[must_use]
                pub fn $pfield(mut self, value: $pt) -> Self {
                    self.$pfield = Some(value);
                    self
                }
            )*)?

            /// Switches preflight validation off for this request, for a model or combination
            /// the SDK does not know yet; the server still validates.
            #[must_use]
            pub fn without_validation(mut self) -> Self {
                self.preflight.skip = true;
                self
            }
        }
    };
}

/// The single query, the list query and the `CreateEndpoint` link of a legacy task family.
macro_rules! task_family {
    (
        $name:literal, $path:literal, max_page_size = $max:literal,
        get: $get:ident, list: $list:ident $(, create: $create:ident)? $(,)?
    ) => {
        #[doc = concat!("Queries one ", $name, " task by its id or its `external_task_id`: `GET ", $path, "/{id}`.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $get {
            /// The task's system `task_id` or your `external_task_id`, sent as the last path
            /// segment.
            pub id: crate::query::TaskRef,
        }

        impl $get {
            /// The task with system id `task_id`.
            pub fn by_task_id(task_id: impl Into<String>) -> Self {
                Self { id: crate::query::TaskRef::TaskId(task_id.into()) }
            }

            /// The task created with `external_task_id`.
            pub fn by_external_task_id(external_task_id: impl Into<String>) -> Self {
                Self { id: crate::query::TaskRef::ExternalTaskId(external_task_id.into()) }
            }
        }

        impl crate::endpoint::Endpoint for $get {
            type Response = crate::task::Task;
            type Body = ();
            fn method(&self) -> crate::endpoint::Method {
                crate::endpoint::Method::Get
            }
            fn path(&self) -> String {
                let mut out = String::with_capacity($path.len() + 1 + self.id.as_str().len());
                self.write_path(&mut out);
                out
            }

            fn write_path(&self, out: &mut String) {
                out.push_str($path);
                out.push('/');
                crate::endpoint::push_segment(out, self.id.as_str());
            }
            fn body(&self) -> Option<&()> {
                None
            }
            fn validate(&self) -> Result<(), kling_errors::ValidationError> {
                crate::validate::ensure(!self.id.as_str().trim().is_empty(), self.id.field(), "is required")
            }
        }

        #[doc = concat!("Lists ", $name, " tasks, a page at a time: `GET ", $path, "?pageNum=&pageSize=`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $list {
            /// The page number, sent as `pageNum`: 1-1000 (1 by default).
            pub page_num: u32,
            #[doc = concat!("Tasks per page (at most ", stringify!($max), ").")]
            pub page_size: u32,
        }

        impl $list {
            /// The first page, 30 tasks per page (the server's defaults).
            pub fn new() -> Self {
                Self { page_num: 1, page_size: 30 }
            }

            /// Asks for page `page_num` (1-1000).
            #[must_use]
            pub fn page(mut self, page_num: u32) -> Self {
                self.page_num = page_num;
                self
            }

            /// Sets `pageSize`, tasks per page (30 by default).
            #[must_use]
            pub fn page_size(mut self, page_size: u32) -> Self {
                self.page_size = page_size;
                self
            }
        }

        impl Default for $list {
            fn default() -> Self {
                Self::new()
            }
        }

        impl crate::endpoint::Endpoint for $list {
            type Response = Vec<crate::task::Task>;
            type Body = ();
            fn method(&self) -> crate::endpoint::Method {
                crate::endpoint::Method::Get
            }
            fn path(&self) -> String {
                $path.to_owned()
            }
            fn query(&self) -> Vec<(&'static str, String)> {
                vec![("pageNum", self.page_num.to_string()), ("pageSize", self.page_size.to_string())]
            }
            fn body(&self) -> Option<&()> {
                None
            }
            fn validate(&self) -> Result<(), kling_errors::ValidationError> {
                crate::validate::int_range("pageNum", Some(self.page_num), 1, 1000)?;
                crate::validate::int_range("pageSize", Some(self.page_size), 1, $max)
            }
        }

        impl crate::endpoint::TaskQuery for $get {
            type Task = crate::task::Task;
            fn task_ref(&self) -> crate::query::TaskRef {
                self.id.clone()
            }
            fn task(&self, task: crate::task::Task) -> Option<crate::task::Task> {
                // An answer about another task is no answer (a confused or lying server); a
                // task that does not echo the caller's id is taken at its word.
                let ours = match &self.id {
                    crate::query::TaskRef::TaskId(id) => task.task_id == *id,
                    crate::query::TaskRef::ExternalTaskId(id) => {
                        task.external_task_id().is_none_or(|echoed| echoed == id)
                    }
                };
                ours.then_some(task)
            }
            fn poll_group(&self) -> Option<crate::endpoint::PollGroup> {
                match &self.id {
                    crate::query::TaskRef::TaskId(id) => Some(crate::endpoint::PollGroup::Legacy {
                        family: crate::family::Family::at_path($path)?,
                        task_id: id.clone(),
                    }),
                    crate::query::TaskRef::ExternalTaskId(_) => None,
                }
            }
        }

        $(
            impl crate::endpoint::CreateEndpoint for $create {
                type Query = $get;
                fn external_task_id(&self) -> Option<&str> {
                    self.external_task_id.as_deref()
                }
                fn set_external_task_id(&mut self, id: String) {
                    self.external_task_id = Some(id);
                }
                fn set_callback_url(&mut self, url: String) -> bool {
                    self.callback_url = Some(url);
                    true
                }
                fn lookup(&self, external_task_id: &str) -> Option<$get> {
                    Some($get::by_external_task_id(external_task_id))
                }
                fn poll_query(&self, created: &crate::task::Task) -> $get {
                    $get::by_task_id(created.task_id.clone())
                }
                fn found(task: crate::task::Task) -> Option<crate::task::Task> {
                    Some(task)
                }
            }
        )?
    };
}

/// `Endpoint` for a legacy create: `POST` of the request itself, answered with a task.
macro_rules! create_endpoint {
    // A create the models data knows: it also describes itself (`model_facts`).
    ($ty:ident, $path:literal, facts) => {
        create_endpoint!(@impl $ty, $path,
            fn facts(&self) -> Option<crate::models::Facts<'_>> {
                Some(self.model_facts())
            }
        );
    };
    ($ty:ident, $path:literal) => {
        create_endpoint!(@impl $ty, $path,);
    };
    (@impl $ty:ident, $path:literal, $($facts:item)?) => {
        impl crate::endpoint::Endpoint for $ty {
            type Response = crate::task::Task;
            type Body = Self;
            fn method(&self) -> crate::endpoint::Method {
                crate::endpoint::Method::Post
            }
            fn path(&self) -> String {
                $path.to_owned()
            }
            fn body(&self) -> Option<&Self> {
                Some(self)
            }
            fn validate(&self) -> Result<(), kling_errors::ValidationError> {
                if self.preflight.skip {
                    Ok(())
                } else {
                    self.check()
                }
            }
            $($facts)?
        }
    };
}
