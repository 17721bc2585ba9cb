//! The error taxonomy: `kling-errors/codes.json`, the single source of truth of every code, into
//! `kling-errors/src/generated.rs` and `kling-errors/CODES.md`.
//!
//! The data is validated first (allowed values, unique codes and names, valid identifiers), so a
//! typo in the JSON fails here with a message naming the row, not later as a compile error.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Where the data file lives, relative to the workspace root.
const DATA: &str = "kling-errors/codes.json";
/// The generated Rust module.
const RUST_OUT: &str = "kling-errors/src/generated.rs";
/// The generated Markdown table.
const MD_OUT: &str = "kling-errors/CODES.md";

const DIALECTS: &[(&str, &str, &str)] = &[
    // (json name, Rust dialect variant, enum name)
    ("kling", "Kling", "KlingCode"),
    ("runblob", "RunBlob", "RunBlobCode"),
    ("pikzels", "Pikzels", "PikzelsCode"),
];
const KINDS: &[(&str, &str)] = &[
    ("auth", "Auth"),
    ("billing", "Billing"),
    ("permission", "Permission"),
    ("invalid_request", "InvalidRequest"),
    ("not_found", "NotFound"),
    ("conflict", "Conflict"),
    ("content_policy", "ContentPolicy"),
    ("rate_limited", "RateLimited"),
    ("concurrency_limit", "ConcurrencyLimit"),
    ("timeout", "Timeout"),
    ("server", "Server"),
    ("maintenance", "Maintenance"),
    ("cancelled", "Cancelled"),
    ("task_failed", "TaskFailed"),
];
const CLASSES: &[(&str, &str)] = &[
    ("fatal", "Fatal"),
    ("transient", "Transient"),
    ("throttle", "Throttle"),
    ("throttle_long", "ThrottleLong"),
    ("refresh_auth", "RefreshAuth"),
    ("ambiguous", "Ambiguous"),
];
const REFUNDS: &[(&str, &str)] = &[
    ("automatic", "Automatic"),
    ("not_charged", "NotCharged"),
    ("unknown", "Unknown"),
];
const SURFACES: &[(&str, &str)] = &[("response", "Response"), ("task", "Task")];

/// One validated row of `codes.json`.
#[derive(Debug)]
struct Row {
    dialect: &'static str,
    code: String,
    name: String,
    http_status: Option<u16>,
    category: String,
    kind: Option<&'static str>,
    read_class: Option<&'static str>,
    create_class: Option<&'static str>,
    refund: Option<&'static str>,
    surface: &'static str,
    description: String,
    remedy: String,
    source: String,
    labels: Vec<String>,
    text_prefixes: Vec<String>,
    note: Option<String>,
}

/// The generated files with the text they should hold.
pub(super) fn render_all(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let data_path = root.join(DATA);
    let text = fs::read_to_string(&data_path)
        .map_err(|e| format!("reading {}: {e}", data_path.display()))?;
    let rows = parse(&text)?;
    Ok(vec![
        (root.join(RUST_OUT), render_rust(&rows)),
        (root.join(MD_OUT), render_markdown(&rows)),
    ])
}

fn one_of(
    value: &Value,
    field: &str,
    allowed: &[(&'static str, &'static str)],
    at: &str,
) -> Result<Option<&'static str>, String> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => allowed
            .iter()
            .find(|(name, _)| name == s)
            .map(|(name, _)| Some(*name))
            .ok_or_else(|| {
                let names: Vec<_> = allowed.iter().map(|(n, _)| *n).collect();
                format!(
                    "{at}: `{field}` is {s:?}, expected one of {}",
                    names.join(", ")
                )
            }),
        Some(other) => Err(format!("{at}: `{field}` must be a string, found {other}")),
    }
}

fn string(value: &Value, field: &str, at: &str) -> Result<String, String> {
    match value.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(format!("{at}: `{field}` must be a non-empty string")),
    }
}

fn strings(value: &Value, field: &str, at: &str) -> Result<Vec<String>, String> {
    match value.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                _ => Err(format!("{at}: `{field}` must hold non-empty strings")),
            })
            .collect(),
        Some(_) => Err(format!("{at}: `{field}` must be an array of strings")),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && name != "Unknown"
}

/// Parses and validates the data file.
fn parse(text: &str) -> Result<Vec<Row>, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("{DATA}: {e}"))?;
    let codes = doc
        .get("codes")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{DATA}: missing the `codes` array"))?;
    let mut rows: Vec<Row> = Vec::with_capacity(codes.len());
    for (index, value) in codes.iter().enumerate() {
        let at = format!(
            "{DATA} codes[{index}] ({})",
            value.get("code").map(Value::to_string).unwrap_or_default()
        );
        let dialect = one_of(
            value,
            "dialect",
            &DIALECTS.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(),
            &at,
        )?
        .ok_or_else(|| format!("{at}: `dialect` is required"))?;
        let code = string(value, "code", &at)?;
        if dialect == "kling" && code.parse::<i64>().is_err() {
            return Err(format!("{at}: a Kling code must be an integer"));
        }
        if dialect != "kling"
            && !code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(format!("{at}: a string code must be SCREAMING_SNAKE_CASE"));
        }
        let name = string(value, "name", &at)?;
        if !is_identifier(&name) {
            return Err(format!(
                "{at}: `name` {name:?} is not a CamelCase Rust identifier"
            ));
        }
        let http_status = match value.get("http_status") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(n @ 100..=599) => Some(n as u16),
                _ => return Err(format!("{at}: `http_status` must be null or 100..=599")),
            },
        };
        let surface = one_of(value, "surface", SURFACES, &at)?
            .ok_or_else(|| format!("{at}: `surface` is required"))?;
        if (surface == "task") != http_status.is_none() {
            return Err(format!(
                "{at}: `http_status` must be null exactly when `surface` is \"task\""
            ));
        }
        let kind = one_of(value, "kind", KINDS, &at)?;
        let read_class = one_of(value, "read_class", CLASSES, &at)?;
        let create_class = one_of(value, "create_class", CLASSES, &at)?;
        let refund = one_of(value, "refund", REFUNDS, &at)?;
        let is_success = dialect == "kling" && code == "0";
        let classified = [
            kind.is_some(),
            read_class.is_some(),
            create_class.is_some(),
            refund.is_some(),
        ];
        if is_success && classified.iter().any(|b| *b) {
            return Err(format!(
                "{at}: the success code has no kind, class or refund"
            ));
        }
        if !is_success && !classified.iter().all(|b| *b) {
            return Err(format!(
                "{at}: `kind`, `read_class`, `create_class` and `refund` are required"
            ));
        }
        let text_prefixes = strings(value, "match", &at)?;
        if text_prefixes.iter().any(|p| p.to_lowercase() != *p) {
            return Err(format!("{at}: `match` prefixes must be lowercase"));
        }
        let row = Row {
            dialect,
            http_status,
            category: string(value, "category", &at)?,
            kind,
            read_class,
            create_class,
            refund,
            surface,
            description: string(value, "description", &at)?,
            remedy: string(value, "remedy", &at)?,
            source: string(value, "source", &at)?,
            labels: strings(value, "labels", &at)?,
            text_prefixes,
            note: match value.get("note") {
                None | Some(Value::Null) => None,
                Some(_) => Some(string(value, "note", &at)?),
            },
            code,
            name,
        };
        if let Some(dup) = rows
            .iter()
            .find(|r| r.dialect == row.dialect && (r.code == row.code || r.name == row.name))
        {
            return Err(format!(
                "{at}: duplicates {} {} ({}) in dialect {}",
                dup.code, dup.name, row.name, row.dialect
            ));
        }
        rows.push(row);
    }
    for (dialect, _, _) in DIALECTS {
        if !rows.iter().any(|r| r.dialect == *dialect) {
            return Err(format!("{DATA}: no code of dialect {dialect}"));
        }
    }
    Ok(rows)
}

fn variant<'a>(table: &[(&str, &'a str)], value: &str) -> &'a str {
    table
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .expect("validated in parse")
}

fn opt_enum(ty: &str, table: &[(&str, &str)], value: Option<&str>) -> String {
    match value {
        Some(v) => format!("Some({ty}::{})", variant(table, v)),
        None => "None".to_owned(),
    }
}

fn str_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

/// Renders `generated.rs`. Plain text, laid out as rustfmt would leave it alone (the module is
/// `#[rustfmt::skip]`), so the freshness check compares bytes.
fn render_rust(rows: &[Row]) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "// @generated by `cargo xtask codegen` from kling-errors/codes.json. Do not edit by hand:\n\
         // edit codes.json and run `cargo xtask codegen`.\n\
         \n\
         //! The typed codes of every dialect and the code table, generated from `codes.json`.\n\
         \n\
         use std::fmt;\n\
         \n\
         use crate::class::{{Dialect, ErrorKind, Operation, Refund, RetryClass, Surface}};\n\
         use crate::codes::{{CodeInfo, UNKNOWN_DESCRIPTION, UNKNOWN_REMEDY}};\n"
    );
    let _ = writeln!(
        w,
        "/// Every known code of every dialect, in the order of `codes.json`."
    );
    let _ = writeln!(w, "pub(crate) static CODES: [CodeInfo; {}] = [", rows.len());
    for row in rows {
        let dialect = DIALECTS
            .iter()
            .find(|d| d.0 == row.dialect)
            .expect("validated")
            .1;
        let _ = writeln!(w, "    CodeInfo {{");
        let _ = writeln!(w, "        dialect: Dialect::{dialect},");
        let _ = writeln!(w, "        code: {:?},", row.code);
        let _ = writeln!(w, "        name: {:?},", row.name);
        let _ = writeln!(
            w,
            "        http_status: {},",
            row.http_status
                .map_or("None".to_owned(), |s| format!("Some({s})"))
        );
        let _ = writeln!(w, "        category: {:?},", row.category);
        let _ = writeln!(
            w,
            "        kind: {},",
            opt_enum("ErrorKind", KINDS, row.kind)
        );
        let _ = writeln!(
            w,
            "        read_class: {},",
            opt_enum("RetryClass", CLASSES, row.read_class)
        );
        let _ = writeln!(
            w,
            "        create_class: {},",
            opt_enum("RetryClass", CLASSES, row.create_class)
        );
        let _ = writeln!(
            w,
            "        refund: {},",
            opt_enum("Refund", REFUNDS, row.refund)
        );
        let _ = writeln!(
            w,
            "        surface: Surface::{},",
            variant(SURFACES, row.surface)
        );
        let _ = writeln!(w, "        description: {:?},", row.description);
        let _ = writeln!(w, "        remedy: {:?},", row.remedy);
        let _ = writeln!(w, "        source: {:?},", row.source);
        let _ = writeln!(w, "        labels: {},", str_list(&row.labels));
        let _ = writeln!(
            w,
            "        text_prefixes: {},",
            str_list(&row.text_prefixes)
        );
        let _ = writeln!(
            w,
            "        note: {},",
            row.note
                .as_ref()
                .map_or("None".to_owned(), |n| format!("Some({n:?})"))
        );
        let _ = writeln!(w, "    }},");
    }
    let _ = writeln!(w, "];");
    for (dialect, dialect_variant, enum_name) in DIALECTS {
        let members: Vec<(usize, &Row)> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.dialect == *dialect)
            .collect();
        render_enum(w, dialect_variant, enum_name, *dialect == "kling", &members);
    }
    out
}

fn render_enum(
    w: &mut String,
    dialect: &str,
    name: &str,
    numeric: bool,
    members: &[(usize, &Row)],
) {
    let (copy, unknown_ty, recv, wire_ty) = if numeric {
        (", Copy", "i64", "self", "i64")
    } else {
        ("", "String", "&self", "&str")
    };
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "/// A {} code{}.\n///\n/// `#[non_exhaustive]`: codes are added as the providers add them. A code this version\n\
         /// does not know decodes to [`{name}::Unknown`] with its raw value.",
        dialect,
        if numeric {
            " (the official numeric service codes)"
        } else {
            ""
        }
    );
    let _ = writeln!(w, "#[derive(Debug, Clone{copy}, PartialEq, Eq, Hash)]");
    let _ = writeln!(w, "#[non_exhaustive]");
    let _ = writeln!(w, "pub enum {name} {{");
    for (_, row) in members {
        let status = row
            .http_status
            .map_or("task or webhook".to_owned(), |s| format!("HTTP {s}"));
        let _ = writeln!(w, "    /// `{}` ({status}): {}", row.code, row.description);
        let _ = writeln!(w, "    {},", row.name);
    }
    let _ = writeln!(
        w,
        "    /// A code this version does not know, with its raw value."
    );
    let _ = writeln!(w, "    Unknown({unknown_ty}),");
    let _ = writeln!(w, "}}");
    let _ = writeln!(w);
    let _ = writeln!(w, "impl {name} {{");
    let _ = writeln!(
        w,
        "    /// Every known code of this dialect, in the order of `codes.json`."
    );
    let _ = writeln!(w, "    pub const KNOWN: &'static [Self] = &[");
    for (_, row) in members {
        let _ = writeln!(w, "        Self::{},", row.name);
    }
    let _ = writeln!(w, "    ];");
    let _ = writeln!(w);
    // from_code
    let _ = writeln!(
        w,
        "    /// The code for a wire value; a value this version does not know is kept in `Unknown`."
    );
    if numeric {
        let _ = writeln!(w, "    pub const fn from_code(code: i64) -> Self {{");
        let _ = writeln!(w, "        match code {{");
        for (_, row) in members {
            let _ = writeln!(w, "            {} => Self::{},", row.code, row.name);
        }
        let _ = writeln!(w, "            other => Self::Unknown(other),");
    } else {
        let _ = writeln!(w, "    pub fn from_code(code: &str) -> Self {{");
        let _ = writeln!(w, "        match code {{");
        for (_, row) in members {
            let _ = writeln!(w, "            {:?} => Self::{},", row.code, row.name);
        }
        let _ = writeln!(w, "            other => Self::Unknown(other.to_owned()),");
    }
    let _ = writeln!(w, "        }}");
    let _ = writeln!(w, "    }}");
    let _ = writeln!(w);
    // wire value
    if numeric {
        let _ = writeln!(w, "    /// The wire value.");
        let _ = writeln!(w, "    pub const fn code(self) -> {wire_ty} {{");
        let _ = writeln!(w, "        match self {{");
        for (_, row) in members {
            let _ = writeln!(w, "            Self::{} => {},", row.name, row.code);
        }
        let _ = writeln!(w, "            Self::Unknown(other) => other,");
    } else {
        let _ = writeln!(w, "    /// The wire value.");
        let _ = writeln!(w, "    pub fn as_str(&self) -> {wire_ty} {{");
        let _ = writeln!(w, "        match self {{");
        for (_, row) in members {
            let _ = writeln!(w, "            Self::{} => {:?},", row.name, row.code);
        }
        let _ = writeln!(w, "            Self::Unknown(other) => other,");
    }
    let _ = writeln!(w, "        }}");
    let _ = writeln!(w, "    }}");
    let _ = writeln!(w);
    // free-text matching
    if !numeric {
        let _ = writeln!(
            w,
            "    /// The code whose documented free text `text` starts with (case-insensitive), for\n    \
             /// bodies that carry a sentence instead of a code.",
        );
        let _ = writeln!(w, "    pub fn from_text(text: &str) -> Option<Self> {{");
        let with_text: Vec<_> = members
            .iter()
            .filter(|(_, r)| !r.text_prefixes.is_empty())
            .collect();
        if with_text.is_empty() {
            let _ = writeln!(
                w,
                "        // This dialect documents no such sentences (yet)."
            );
            let _ = writeln!(w, "        let _ = text;");
            let _ = writeln!(w, "        None");
        } else {
            let _ = writeln!(w, "        let text = text.trim_start();");
            let _ = writeln!(w, "        let starts = |prefix: &str| {{");
            let _ = writeln!(
                w,
                "            text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))"
            );
            let _ = writeln!(w, "        }};");
            for (i, (_, row)) in with_text.iter().enumerate() {
                let cond: Vec<String> = row
                    .text_prefixes
                    .iter()
                    .map(|p| format!("starts({p:?})"))
                    .collect();
                let kw = if i == 0 { "if" } else { "} else if" };
                let _ = writeln!(w, "        {kw} {} {{", cond.join(" || "));
                let _ = writeln!(w, "            Some(Self::{})", row.name);
            }
            let _ = writeln!(w, "        }} else {{");
            let _ = writeln!(w, "            None");
            let _ = writeln!(w, "        }}");
        }
        let _ = writeln!(w, "    }}");
        let _ = writeln!(w);
    }
    // info
    let _ = writeln!(
        w,
        "    /// The taxonomy row of this code; `None` for `Unknown`."
    );
    let _ = writeln!(w, "    pub fn info({recv}) -> Option<&'static CodeInfo> {{");
    let _ = writeln!(w, "        match self {{");
    for (index, row) in members {
        let _ = writeln!(
            w,
            "            Self::{} => Some(&CODES[{index}]),",
            row.name
        );
    }
    let _ = writeln!(w, "            Self::Unknown(_) => None,");
    let _ = writeln!(w, "        }}");
    let _ = writeln!(w, "    }}");
    let _ = writeln!(w);
    let accessors = [
        (
            "The HTTP status the code comes with, if known.",
            "http_status",
            "",
            "Option<u16>",
            "self.info().and_then(|i| i.http_status)",
        ),
        (
            "The normalized kind, if known.",
            "kind",
            "",
            "Option<ErrorKind>",
            "self.info().and_then(|i| i.kind)",
        ),
        (
            "The retry class for a failed request of the given kind, if known.",
            "retry_class",
            ", operation: Operation",
            "Option<RetryClass>",
            "self.info().and_then(|i| i.retry_class(operation))",
        ),
        (
            "Whether a request that failed with this code may simply be sent again.",
            "is_retryable",
            ", operation: Operation",
            "bool",
            "self.retry_class(operation).is_some_and(RetryClass::is_retryable)",
        ),
        (
            "Whether the provider refunds the credits, if known.",
            "refund",
            "",
            "Option<Refund>",
            "self.info().and_then(|i| i.refund)",
        ),
        (
            "What the code means, in one line.",
            "description",
            "",
            "&'static str",
            "self.info().map_or(UNKNOWN_DESCRIPTION, |i| i.description)",
        ),
        (
            "What the caller should do about it.",
            "remedy",
            "",
            "&'static str",
            "self.info().map_or(UNKNOWN_REMEDY, |i| i.remedy)",
        ),
    ];
    for (i, (doc, fn_name, args, ret, body)) in accessors.iter().enumerate() {
        let _ = writeln!(w, "    /// {doc}");
        let _ = writeln!(w, "    pub fn {fn_name}({recv}{args}) -> {ret} {{");
        let _ = writeln!(w, "        {body}");
        let _ = writeln!(w, "    }}");
        if i + 1 < accessors.len() {
            let _ = writeln!(w);
        }
    }
    let _ = writeln!(w, "}}");
    let _ = writeln!(w);
    let _ = writeln!(w, "impl fmt::Display for {name} {{");
    let _ = writeln!(
        w,
        "    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{"
    );
    if numeric {
        let _ = writeln!(w, "        write!(f, \"{{}}\", self.code())");
    } else {
        let _ = writeln!(w, "        f.write_str(self.as_str())");
    }
    let _ = writeln!(w, "    }}");
    let _ = writeln!(w, "}}");
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders `CODES.md`: one table per dialect, then the notes.
fn render_markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "<!-- @generated by `cargo xtask codegen` from codes.json. Do not edit by hand. -->\n"
    );
    let _ = writeln!(w, "# Error codes\n");
    let _ = writeln!(
        w,
        "Every code kling-rs knows, of every dialect: {} codes. The source of truth is\n\
         [`codes.json`](codes.json); this table and `src/generated.rs` are generated from it.\n",
        rows.len()
    );
    let _ = writeln!(
        w,
        "Columns: **HTTP** is the status the code comes with (`task` when it only appears in a failed\n\
         task or webhook); **Read** and **Create** are the retry classes for an idempotent request and\n\
         for the non-idempotent create (`reliability.md` 1.3.1): `fatal`, `transient`, `throttle`,\n\
         `throttle_long`, `refresh_auth` (re-mint the token, retry once), `ambiguous` (look the task up\n\
         by `external_task_id` before any re-post); **Refund** says whether the provider gives the\n\
         credits back.\n"
    );
    for (dialect, title, _) in DIALECTS {
        let members: Vec<&Row> = rows.iter().filter(|r| r.dialect == *dialect).collect();
        let _ = writeln!(w, "## {title} ({} codes)\n", members.len());
        let _ = writeln!(
            w,
            "| Code | Name | HTTP | Kind | Read | Create | Refund | Category | Description | Remedy |"
        );
        let _ = writeln!(w, "|---|---|---|---|---|---|---|---|---|---|");
        for row in members {
            let dash = |v: Option<&str>| v.unwrap_or("-").to_owned();
            let mut code = format!("`{}`", row.code);
            if row.note.is_some() {
                code.push_str(" ¹");
            }
            let _ = writeln!(
                w,
                "| {code} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.name,
                row.http_status.map_or("task".to_owned(), |s| s.to_string()),
                dash(row.kind),
                dash(row.read_class),
                dash(row.create_class),
                dash(row.refund),
                md_cell(&row.category),
                md_cell(&row.description),
                md_cell(&row.remedy),
            );
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "## Notes\n");
    let _ = writeln!(
        w,
        "¹ Where the sources disagree or say nothing, what was chosen and why:\n"
    );
    for row in rows {
        if let Some(note) = &row.note {
            let _ = writeln!(w, "- **{} `{}`**: {}", row.dialect, row.code, md_cell(note));
        }
    }
    let _ = writeln!(w, "\n## Sources\n");
    let mut sources: Vec<&str> = rows.iter().map(|r| r.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    for source in sources {
        let _ = writeln!(w, "- {}", md_cell(source));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(extra: &str) -> String {
        format!(
            r#"{{"codes":[
            {{"dialect":"kling","code":"1000","name":"AuthFailed","http_status":401,"category":"c","kind":"auth",
              "read_class":"fatal","create_class":"fatal","refund":"not_charged","surface":"response",
              "description":"d","remedy":"r","source":"s"}},
            {{"dialect":"runblob","code":"X","name":"X","http_status":402,"category":"c","kind":"billing",
              "read_class":"fatal","create_class":"fatal","refund":"not_charged","surface":"response",
              "description":"d","remedy":"r","source":"s"}},
            {{"dialect":"pikzels","code":"Y","name":"Y","http_status":null,"category":"c","kind":"billing",
              "read_class":"fatal","create_class":"fatal","refund":"unknown","surface":"task",
              "description":"d","remedy":"r","source":"s"{extra}}}]}}"#
        )
    }

    #[test]
    fn validation_accepts_good_rows_and_names_the_bad_one() {
        assert_eq!(parse(&minimal("")).expect("valid").len(), 3);
        let err = parse(&minimal(r#","match":["Upper"]"#)).unwrap_err();
        assert!(
            err.contains("codes[2]") && err.contains("lowercase"),
            "{err}"
        );
        let bad_kind = minimal("").replace("\"billing\",\n              \"read_class\":\"fatal\",\"create_class\":\"fatal\",\"refund\":\"unknown\"", "\"money\",\n              \"read_class\":\"fatal\",\"create_class\":\"fatal\",\"refund\":\"unknown\"");
        let err = parse(&bad_kind).unwrap_err();
        assert!(err.contains("`kind` is \"money\""), "{err}");
        let dup = minimal("").replace(
            "\"code\":\"Y\",\"name\":\"Y\"",
            "\"code\":\"Y\",\"name\":\"Unknown\"",
        );
        assert!(parse(&dup).unwrap_err().contains("CamelCase"));
    }

    #[test]
    fn rendered_rust_has_one_variant_per_row() {
        let rows = parse(&minimal("")).expect("valid");
        let rust = render_rust(&rows);
        assert!(rust.contains("pub enum KlingCode {"));
        assert!(rust.contains("1000 => Self::AuthFailed,"));
        assert!(rust.contains("\"X\" => Self::X,"));
        assert!(rust.contains("pub(crate) static CODES: [CodeInfo; 3]"));
        let md = render_markdown(&rows);
        assert!(md.contains("| `Y` | Y | task | billing |"), "{md}");
    }
}
