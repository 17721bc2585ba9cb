//! The one checker of the models data: a request's [`Facts`] against its model's rules.

use kling_errors::{ErrorCode, KlingCode, RunBlobCode, ValidationError};

use crate::common::ImageFormat;

use super::{Api, Condition, Defaults, EndpointSpec, Facts, ModelSpec, Rules, Slot, either, find};

/// What a refusal is about, to pick the dialect's code (RunBlob labels durations, image counts
/// and models apart; Kling answers 1201 for all).
#[derive(Clone, Copy)]
enum About {
    Model,
    Duration,
    Images,
    Other,
}

fn code(api: Api, about: About) -> ErrorCode {
    match api {
        Api::RunBlob => match about {
            About::Model => RunBlobCode::InvalidModel.into(),
            About::Duration => RunBlobCode::InvalidDuration.into(),
            About::Images => RunBlobCode::TooManyImages.into(),
            About::Other => RunBlobCode::InvalidParameters.into(),
        },
        _ => KlingCode::InvalidParameter.into(),
    }
}

struct Checker<'f, 'a> {
    facts: &'f Facts<'a>,
    model: &'static ModelSpec,
    spec: &'static EndpointSpec,
    /// Under a conditional rule, the field that set it off: a refusal names what the caller
    /// added (the sound, the end frame), not the default it collides with.
    trigger: Option<&'static str>,
}

/// Checks a create against the rules of its model in the models data. A model the data does not
/// know, or an endpoint the data says nothing of for that model, passes.
///
/// # Errors
///
/// A [`ValidationError`] naming the wire field, the model and the rule, with the code the
/// server answers (Kling `1201`, or RunBlob's label).
pub fn check(facts: &Facts<'_>) -> Result<(), ValidationError> {
    let Some(model) = find(facts.api, facts.model_name()) else {
        return Ok(());
    };
    let Some(spec) = model.endpoint(facts.endpoint) else {
        return Ok(());
    };
    let mut checker = Checker {
        facts,
        model,
        spec,
        trigger: None,
    };
    if !spec.offered {
        let why = spec.why.map_or_else(
            || format!("{} does not offer {}", model.name, facts.endpoint),
            str::to_owned,
        );
        return Err(checker.fail(facts.model.field, About::Model, why));
    }
    checker.rules(&spec.rules, None)?;
    for conditional in spec.when {
        if holds(&conditional.when, facts, &spec.defaults) {
            checker.trigger = trigger(&conditional.when, facts);
            checker.rules(&conditional.then, Some(conditional.why))?;
        }
    }
    Ok(())
}

/// The value of `slot` or the server's default.
fn or_default<'a>(slot: &Slot<&'a str>, default: Option<&'static str>) -> Option<&'a str> {
    slot.value.or(default)
}

/// The resolution after defaults; legacy modes count as resolutions (`std` = 720p, `pro` =
/// 1080p), as the price tables and the billing ledger read them.
fn effective_resolution<'a>(facts: &Facts<'a>, defaults: &Defaults) -> Option<&'a str> {
    or_default(&facts.resolution, defaults.resolution).or_else(|| {
        or_default(&facts.mode, defaults.mode).map(|mode| match mode {
            "std" => "720p",
            "pro" => "1080p",
            other => other,
        })
    })
}

/// Says so when the value refused is the server's default, not one the caller sent.
fn defaulted(by_default: bool) -> &'static str {
    if by_default { " (the default)" } else { "" }
}

/// The field a condition is about, when it names one the request set.
fn trigger(condition: &Condition, facts: &Facts<'_>) -> Option<&'static str> {
    let candidates = [
        (condition.last_frame == Some(true), facts.last_frame.field),
        (condition.audio.is_some(), facts.audio.field),
        (condition.voices == Some(true), facts.voices.field),
        (condition.video_input == Some(true), facts.videos.field),
        (condition.elements == Some(true), facts.elements.field),
        (condition.multi_shot == Some(true), facts.multi_shot.field),
    ];
    candidates
        .into_iter()
        .find(|(on, field)| *on && !field.is_empty())
        .map(|(_, field)| field)
}

fn count(slot: &Slot<usize>) -> usize {
    slot.value.unwrap_or(0)
}

/// Whether every key of `condition` holds for `facts`.
pub(super) fn holds(condition: &Condition, facts: &Facts<'_>, defaults: &Defaults) -> bool {
    let flag = |want: Option<bool>, have: bool| want.is_none_or(|w| w == have);
    let one_of = |want: Option<&[&str]>, have: Option<&str>| {
        want.is_none_or(|values| have.is_some_and(|h| values.contains(&h)))
    };
    flag(condition.last_frame, facts.last_frame.value.is_some())
        && flag(condition.first_frame, facts.first_frame)
        && flag(condition.video_input, count(&facts.videos) > 0)
        && flag(condition.voices, count(&facts.voices) > 0)
        && flag(condition.elements, count(&facts.elements) > 0)
        && flag(condition.images, count(&facts.images) > 0)
        && flag(condition.multi_shot, facts.multi_shot.value == Some(true))
        && one_of(condition.audio, or_default(&facts.audio, defaults.audio))
        && one_of(condition.mode, or_default(&facts.mode, defaults.mode))
        && one_of(condition.resolution, effective_resolution(facts, defaults))
}

impl Checker<'_, '_> {
    fn fail(&self, field: &str, about: About, message: impl AsRef<str>) -> ValidationError {
        let field = match self.trigger {
            Some(trigger) => trigger,
            None if field.is_empty() => self.facts.model.field,
            None => field,
        };
        ValidationError::new(field, code(self.facts.api, about), message.as_ref())
    }

    /// `message`, followed by the conditional rule's reason when there is one.
    fn say(&self, message: String, why: Option<&str>) -> String {
        match why {
            Some(why) => format!("{message} ({why})"),
            None => message,
        }
    }

    fn rules(&self, rules: &Rules, why: Option<&str>) -> Result<(), ValidationError> {
        let f = self.facts;
        let name = self.model.name;
        let defaults = &self.spec.defaults;
        if let (Some(max), Some(n)) = (rules.prompt_max, f.prompt_chars.value)
            && n > max as usize
        {
            return Err(self.fail(
                f.prompt_chars.field,
                About::Other,
                self.say(
                    format!("must be at most {max} characters on {name}, got {n}"),
                    why,
                ),
            ));
        }
        let refuse = |slot_set: bool, allowed: Option<bool>, field: &str, what: &str| {
            if slot_set && allowed == Some(false) {
                Err(self.fail(
                    field,
                    About::Other,
                    self.say(format!("{name} does not take {what}"), why),
                ))
            } else {
                Ok(())
            }
        };
        refuse(
            f.negative_prompt.value.is_some(),
            rules.negative_prompt,
            f.negative_prompt.field,
            "a negative prompt",
        )?;
        refuse(
            f.cfg_scale.value.is_some(),
            rules.cfg_scale,
            f.cfg_scale.field,
            "cfg_scale",
        )?;
        refuse(
            f.last_frame.value.is_some(),
            rules.end_frame,
            f.last_frame.field,
            "a last frame",
        )?;
        refuse(
            f.multi_shot.value == Some(true),
            rules.multi_shot,
            f.multi_shot.field,
            "multi-shot",
        )?;
        if let Some(allowed) = rules.durations {
            let seconds = f.duration.value.or(defaults.duration);
            if let Some(s) = seconds
                && !allowed.allows(s)
            {
                return Err(self.fail(
                    f.duration.field,
                    About::Duration,
                    self.say(
                        format!(
                            "{name} takes {allowed} seconds, got {s}{}",
                            defaulted(f.duration.value.is_none())
                        ),
                        why,
                    ),
                ));
            }
        }
        self.one_of(&f.mode, defaults.mode, rules.modes, "mode", why)?;
        self.one_of(
            &f.resolution,
            defaults.resolution,
            rules.resolutions,
            "resolution",
            why,
        )?;
        self.one_of(&f.audio, defaults.audio, rules.audio, "sound", why)?;
        self.one_of(
            &f.aspect_ratio,
            None,
            rules.aspect_ratios,
            "aspect ratio",
            why,
        )?;
        self.inline_images(rules, why)?;
        for (slot, max, what) in [
            (&f.images, rules.images_max, "images"),
            (&f.elements, rules.elements_max, "elements"),
            (&f.voices, rules.voices_max, "voices"),
            (&f.videos, rules.videos_max, "videos"),
        ] {
            let n = count(slot);
            if let Some(max) = max
                && n > max as usize
            {
                let message = if max == 0 {
                    format!("{name} takes no {what}")
                } else {
                    format!("{name} takes at most {max} {what}, got {n}")
                };
                return Err(self.fail(slot.field, About::Images, self.say(message, why)));
            }
        }
        Ok(())
    }

    /// Each inline image's format (from its first bytes) and size against the model's limits.
    fn inline_images(&self, rules: &Rules, why: Option<&str>) -> Result<(), ValidationError> {
        if rules.image_formats.is_none() && rules.image_max_mb.is_none() {
            return Ok(());
        }
        let name = self.model.name;
        for &(field, text) in &self.facts.inline_images {
            let (head, bytes) = crate::sniff::base64_head(text);
            let format = ImageFormat::sniff(&head).map_err(|looks| {
                self.fail(
                    field,
                    About::Other,
                    self.say(format!("is not an image: it looks like {looks}"), why),
                )
            })?;
            if let Some(formats) = rules.image_formats
                && !formats.contains(&format.as_str())
            {
                return Err(self.fail(
                    field,
                    About::Other,
                    self.say(
                        format!(
                            "{name} takes {} images, got {format}",
                            either(formats.iter())
                        ),
                        why,
                    ),
                ));
            }
            if let Some(max) = rules.image_max_mb
                && bytes as u64 > u64::from(max).saturating_mul(1_000_000)
            {
                return Err(self.fail(
                    field,
                    About::Other,
                    self.say(
                        format!(
                            "{name} takes images of at most {max} MB, got {:.1} MB",
                            bytes as f64 / 1e6
                        ),
                        why,
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A value (or its default) within `allowed`; an empty list refuses the field itself.
    fn one_of(
        &self,
        slot: &Slot<&str>,
        default: Option<&'static str>,
        allowed: Option<&[&str]>,
        what: &str,
        why: Option<&str>,
    ) -> Result<(), ValidationError> {
        let Some(allowed) = allowed else {
            return Ok(());
        };
        let name = self.model.name;
        if allowed.is_empty() {
            return match slot.value {
                Some(_) => Err(self.fail(
                    slot.field,
                    About::Other,
                    self.say(format!("{name} takes no {what} (`{}`)", slot.field), why),
                )),
                None => Ok(()),
            };
        }
        match or_default(slot, default) {
            Some(value) if !allowed.contains(&value) => Err(self.fail(
                slot.field,
                About::Other,
                self.say(
                    format!(
                        "{name} takes {what} {}, got {value}{}",
                        either(allowed.iter()),
                        defaulted(slot.value.is_none())
                    ),
                    why,
                ),
            )),
            _ => Ok(()),
        }
    }
}
