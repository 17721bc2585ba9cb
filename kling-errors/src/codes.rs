//! Typed error codes: one enum per dialect (generated from `codes.json`), the
//! dialect-independent [`ErrorCode`], and the [`CodeInfo`] row every known code has.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::class::{Dialect, ErrorKind, Operation, Refund, RetryClass, Surface};
pub use crate::generated::{KlingCode, PikzelsCode, RunBlobCode};

/// Everything the taxonomy knows about one code: a row of `codes.json` (and of `CODES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeInfo {
    /// Which API sends the code; the same wire text can be a code of two dialects.
    pub dialect: Dialect,
    /// The code as the wire carries it (numeric Kling codes as decimal text).
    pub code: &'static str,
    /// The Rust variant name.
    pub name: &'static str,
    /// The HTTP status the code comes with; `None` for codes that only appear in the message of
    /// a failed task or webhook.
    pub http_status: Option<u16>,
    /// The seed's own grouping of the code.
    pub category: &'static str,
    /// The normalized kind; `None` only for Kling's success code `0`.
    pub kind: Option<ErrorKind>,
    /// Retry class when the failed request was a read (an idempotent GET).
    pub read_class: Option<RetryClass>,
    /// Retry class when the failed request was the non-idempotent create.
    pub create_class: Option<RetryClass>,
    /// Whether the provider gives the credits back.
    pub refund: Option<Refund>,
    /// Whether the code comes in an HTTP error response, or only in the message of a failed
    /// task or webhook.
    pub surface: Surface,
    /// What the code means, in one line.
    pub description: &'static str,
    /// What the caller should do about it.
    pub remedy: &'static str,
    /// Which seed document (and which page of it) lists the code.
    pub source: &'static str,
    /// Other names the documentation uses for the code.
    pub labels: &'static [&'static str],
    /// Lowercase prefixes of the free text the provider sends instead of the code.
    pub text_prefixes: &'static [&'static str],
    /// Why a value was chosen where the sources disagree or say nothing.
    pub note: Option<&'static str>,
}

impl CodeInfo {
    /// Every known code of every dialect, in the order of `codes.json`.
    pub fn all() -> &'static [CodeInfo] {
        &crate::generated::CODES
    }

    /// The retry class for a failed request of the given kind.
    pub fn retry_class(&self, operation: Operation) -> Option<RetryClass> {
        match operation {
            Operation::Read => self.read_class,
            Operation::Create => self.create_class,
        }
    }
}

/// Text for codes the taxonomy does not know.
pub(crate) const UNKNOWN_DESCRIPTION: &str = "A code this version of kling-rs does not know.";
pub(crate) const UNKNOWN_REMEDY: &str = "Read the message and the HTTP status; if the code is new, \
     please report it so the taxonomy can learn it.";

/// A service code of any dialect: what [`Error::code`](crate::Error::code) returns.
///
/// The typed per-dialect enums are inside; the methods here answer the same questions for all
/// of them. Codes this version does not know keep their raw value in an `Unknown(..)` variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// An official Kling numeric service code.
    Kling(KlingCode),
    /// A RunBlob string code.
    RunBlob(RunBlobCode),
    /// A Pikzels string code.
    Pikzels(PikzelsCode),
}

impl ErrorCode {
    /// Parses a code as the given dialect writes it: Kling codes are decimal integers, the
    /// others are strings. A Kling code that is not an integer is `None`.
    pub fn parse(dialect: Dialect, code: &str) -> Option<Self> {
        let code = code.trim();
        match dialect {
            Dialect::Kling => code
                .parse::<i64>()
                .ok()
                .map(|n| Self::Kling(KlingCode::from_code(n))),
            Dialect::RunBlob => Some(Self::RunBlob(RunBlobCode::from_code(code))),
            Dialect::Pikzels => Some(Self::Pikzels(PikzelsCode::from_code(code))),
        }
    }

    /// Every known code whose wire value, variant name or label equals `text`
    /// (case-insensitive), across all dialects. Useful for "explain this code" tools: the
    /// same string can be a code of two dialects (`INSUFFICIENT_CREDITS`).
    pub fn lookup(text: &str) -> Vec<Self> {
        let text = text.trim();
        CodeInfo::all()
            .iter()
            .filter(|info| {
                info.code.eq_ignore_ascii_case(text)
                    || info.name.eq_ignore_ascii_case(text)
                    || info.labels.iter().any(|l| l.eq_ignore_ascii_case(text))
            })
            .filter_map(|info| Self::parse(info.dialect, info.code))
            .collect()
    }

    /// Which API the code belongs to; also known for an `Unknown(..)` code.
    pub fn dialect(&self) -> Dialect {
        match self {
            Self::Kling(_) => Dialect::Kling,
            Self::RunBlob(_) => Dialect::RunBlob,
            Self::Pikzels(_) => Dialect::Pikzels,
        }
    }

    /// The code as the wire carries it (`"1303"`, `"INSUFFICIENT_CREDITS"`).
    pub fn as_wire(&self) -> Cow<'_, str> {
        match self {
            Self::Kling(c) => Cow::Owned(c.code().to_string()),
            Self::RunBlob(c) => Cow::Borrowed(c.as_str()),
            Self::Pikzels(c) => Cow::Borrowed(c.as_str()),
        }
    }

    /// The taxonomy row, or `None` for an unknown code.
    pub fn info(&self) -> Option<&'static CodeInfo> {
        match self {
            Self::Kling(c) => c.info(),
            Self::RunBlob(c) => c.info(),
            Self::Pikzels(c) => c.info(),
        }
    }

    /// Whether the taxonomy knows this code.
    pub fn is_known(&self) -> bool {
        self.info().is_some()
    }

    /// The HTTP status the code comes with; `None` for an unknown code and for codes seen only
    /// in failed tasks or webhooks.
    pub fn http_status(&self) -> Option<u16> {
        self.info().and_then(|i| i.http_status)
    }

    /// The normalized kind; `None` for a code this version does not know and for Kling's
    /// success code `0`.
    pub fn kind(&self) -> Option<ErrorKind> {
        self.info().and_then(|i| i.kind)
    }

    /// The retry class for a failed request of the given kind, if known.
    pub fn retry_class(&self, operation: Operation) -> Option<RetryClass> {
        self.info().and_then(|i| i.retry_class(operation))
    }

    /// Whether a request that failed with this code may simply be sent again.
    pub fn is_retryable(&self, operation: Operation) -> bool {
        self.retry_class(operation)
            .is_some_and(RetryClass::is_retryable)
    }

    /// Whether the provider refunds the credits, if known.
    pub fn refund(&self) -> Option<Refund> {
        self.info().and_then(|i| i.refund)
    }

    /// What the code means, in one line.
    pub fn description(&self) -> &'static str {
        self.info().map_or(UNKNOWN_DESCRIPTION, |i| i.description)
    }

    /// What the caller should do about it.
    pub fn remedy(&self) -> &'static str {
        self.info().map_or(UNKNOWN_REMEDY, |i| i.remedy)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.dialect(), self.as_wire())
    }
}

impl From<KlingCode> for ErrorCode {
    fn from(code: KlingCode) -> Self {
        Self::Kling(code)
    }
}

impl From<RunBlobCode> for ErrorCode {
    fn from(code: RunBlobCode) -> Self {
        Self::RunBlob(code)
    }
}

impl From<PikzelsCode> for ErrorCode {
    fn from(code: PikzelsCode) -> Self {
        Self::Pikzels(code)
    }
}

/// `ErrorCode` serializes as `{"dialect": "kling", "code": "1303"}`: the code as text, so a
/// consumer never has to guess whether it is a number.
impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("ErrorCode", 2)?;
        s.serialize_field("dialect", self.dialect().as_str())?;
        s.serialize_field("code", &self.as_wire())?;
        s.end()
    }
}

/// Kling codes travel as JSON integers; numeric strings are accepted too, because gateways and
/// proxies re-encode them.
impl Serialize for KlingCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for KlingCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;
        impl Visitor<'_> for CodeVisitor {
            type Value = KlingCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Kling service code (an integer, or an integer in a string)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KlingCode, E> {
                Ok(KlingCode::from_code(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KlingCode, E> {
                i64::try_from(v)
                    .map(KlingCode::from_code)
                    .map_err(|_| E::custom("Kling service code out of range"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KlingCode, E> {
                v.trim()
                    .parse::<i64>()
                    .map(KlingCode::from_code)
                    .map_err(|_| E::custom("Kling service code is not an integer"))
            }
        }
        deserializer.deserialize_any(CodeVisitor)
    }
}

macro_rules! string_code_serde {
    ($ty:ident) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from_code(&text))
            }
        }
    };
}

string_code_serde!(RunBlobCode);
string_code_serde!(PikzelsCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_round_trips_through_its_enum() {
        for info in CodeInfo::all() {
            let code = ErrorCode::parse(info.dialect, info.code).expect("parsable");
            assert_eq!(code.info(), Some(info), "{} {}", info.dialect, info.code);
            assert_eq!(code.as_wire(), info.code);
        }
    }

    #[test]
    fn unknown_codes_keep_their_value() {
        let k = ErrorCode::parse(Dialect::Kling, "1999").unwrap();
        assert_eq!(k, ErrorCode::Kling(KlingCode::Unknown(1999)));
        assert!(!k.is_known());
        assert_eq!(k.remedy(), UNKNOWN_REMEDY);
        let r = ErrorCode::parse(Dialect::RunBlob, "BRAND_NEW").unwrap();
        assert_eq!(r.as_wire(), "BRAND_NEW");
        assert_eq!(ErrorCode::parse(Dialect::Kling, "abc"), None);
    }

    #[test]
    fn kling_code_accepts_numbers_and_numeric_strings() {
        let a: KlingCode = serde_json::from_str("1303").unwrap();
        let b: KlingCode = serde_json::from_str("\"1303\"").unwrap();
        assert_eq!(a, KlingCode::ConcurrencyLimit);
        assert_eq!(a, b);
        assert!(serde_json::from_str::<KlingCode>("\"x\"").is_err());
        assert_eq!(
            serde_json::to_string(&KlingCode::Unknown(42)).unwrap(),
            "42"
        );
        let p: PikzelsCode = serde_json::from_str("\"CANCELLED\"").unwrap();
        assert_eq!(p, PikzelsCode::Cancelled);
        assert_eq!(p.info().and_then(|i| i.http_status), Some(499));
    }

    #[test]
    fn lookup_finds_a_code_in_every_dialect_that_has_it() {
        let found = ErrorCode::lookup("insufficient_credits");
        assert_eq!(
            found,
            vec![
                ErrorCode::RunBlob(RunBlobCode::InsufficientCredits),
                ErrorCode::Pikzels(PikzelsCode::InsufficientCredits)
            ]
        );
        assert_eq!(
            ErrorCode::lookup("1303"),
            vec![ErrorCode::Kling(KlingCode::ConcurrencyLimit)]
        );
        assert_eq!(
            ErrorCode::lookup("Generation Not Found"),
            vec![ErrorCode::RunBlob(RunBlobCode::GenerationNotFound)]
        );
    }
}
