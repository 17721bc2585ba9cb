//! `kling models`: every model of every API, from kling-types' models data (`models.json`,
//! the table the SDK's preflight checks and cost estimates read).

use clap::Args;
use kling_types::models::{self, Condition, MODELS, ModelSpec, Price, Rules};
use serde_json::json;

use crate::output::{CommandError, Format, emit};

/// `kling models`.
#[derive(Args)]
pub(crate) struct ModelsArgs {
    /// Only this model (its rules and prices, in every API that has it)
    model: Option<String>,
}

/// A condition in words: `last frame, sound on`.
fn condition_text(c: &Condition) -> String {
    let mut parts = Vec::new();
    for (flag, name) in [
        (c.last_frame, "last frame"),
        (c.first_frame, "first frame"),
        (c.video_input, "reference video"),
        (c.voices, "voices"),
        (c.elements, "elements"),
        (c.images, "reference images"),
        (c.multi_shot, "multi-shot"),
    ] {
        match flag {
            Some(true) => parts.push(name.to_owned()),
            Some(false) => parts.push(format!("no {name}")),
            None => {}
        }
    }
    for (values, name) in [
        (c.audio, "sound"),
        (c.mode, "mode"),
        (c.resolution, "resolution"),
    ] {
        if let Some(values) = values {
            parts.push(format!("{name} {}", values.join("/")));
        }
    }
    if parts.is_empty() {
        "always".to_owned()
    } else {
        parts.join(", ")
    }
}

fn price_text(p: &Price) -> String {
    format!("{} {} per {}", p.amount, p.currency, p.per.as_str())
}

/// `at most N`, or `none` for zero.
fn at_most(n: u32) -> String {
    if n == 0 {
        "none".to_owned()
    } else {
        format!("at most {n}")
    }
}

/// The rules of one endpoint, a line each.
fn print_rules(r: &Rules, indent: &str) {
    let list = |values: Option<&[&str]>| {
        values.map(|v| {
            if v.is_empty() {
                "not accepted".to_owned()
            } else {
                v.join(", ")
            }
        })
    };
    let yes = |b: Option<bool>| b.map(|b| if b { "yes" } else { "no" }.to_owned());
    let lines = [
        ("seconds", r.durations.map(|d| d.to_string())),
        ("modes", list(r.modes)),
        ("resolutions", list(r.resolutions)),
        ("aspect ratios", list(r.aspect_ratios)),
        ("sound", list(r.audio)),
        ("end frame", yes(r.end_frame)),
        ("multi-shot", yes(r.multi_shot)),
        ("cfg_scale", yes(r.cfg_scale)),
        ("negative prompt", yes(r.negative_prompt)),
        (
            "prompt",
            r.prompt_max.map(|n| format!("at most {n} characters")),
        ),
        ("images", r.images_max.map(at_most)),
        ("elements", r.elements_max.map(at_most)),
        ("voices", r.voices_max.map(at_most)),
        ("videos", r.videos_max.map(at_most)),
        ("image formats", list(r.image_formats)),
        (
            "image size",
            r.image_max_mb.map(|n| format!("at most {n} MB")),
        ),
    ];
    for (name, value) in lines {
        if let Some(value) = value {
            println!("{indent}{name:<16} {value}");
        }
    }
}

fn print_model(m: &ModelSpec) {
    println!("{} ({} API): {}", m.name, m.api, m.label);
    if let Some(note) = m.note {
        println!("  note: {note}");
    }
    println!("  source: {}", m.source);
    for e in m.endpoints {
        if !e.offered {
            println!(
                "  {}: not offered ({})",
                e.endpoint,
                e.why.unwrap_or_default()
            );
            continue;
        }
        println!("  {}:", e.endpoint);
        print_rules(&e.rules, "    ");
        for c in e.when {
            println!("    when {}: {}", condition_text(&c.when), c.why);
        }
    }
    if m.prices.is_empty() {
        println!("  price: not in the vendor's tables");
    } else {
        println!("  prices (the first that applies):");
        for p in m.prices {
            let eps = if p.endpoints.is_empty() {
                String::new()
            } else {
                format!("{}: ", p.endpoints.join(", "))
            };
            println!("    {eps}{}: {}", condition_text(&p.when), price_text(p));
        }
    }
}

/// Prints every model (or one model's rules and prices).
pub(crate) fn run(args: &ModelsArgs, format: Format, cmd: &str) -> Result<(), CommandError> {
    let rows: Vec<&ModelSpec> = match &args.model {
        Some(name) => {
            let found: Vec<_> = models::named(name).collect();
            if found.is_empty() {
                return Err(CommandError::usage(format!(
                    "{name} is not a model the data knows (it is passed through unchecked); `kling models` lists them"
                )));
            }
            found
        }
        None => MODELS.iter().collect(),
    };
    match format {
        // The data itself, as kling-types serializes it.
        Format::Json => emit(cmd, json!({ "result": rows })),
        Format::Text if args.model.is_some() => {
            for (i, m) in rows.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print_model(m);
            }
        }
        Format::Text => {
            println!("{:<9} {:<28} {:<38} endpoints", "api", "model", "label");
            for m in &rows {
                let endpoints: Vec<&str> = m
                    .endpoints
                    .iter()
                    .filter(|e| e.offered)
                    .map(|e| e.endpoint)
                    .collect();
                println!(
                    "{:<9} {:<28} {:<38} {}",
                    m.api.as_str(),
                    m.name,
                    m.label,
                    endpoints.join(", ")
                );
            }
            println!(
                "\n`kling models NAME` shows a model's rules and prices; other names are passed through unchecked"
            );
        }
    }
    Ok(())
}
