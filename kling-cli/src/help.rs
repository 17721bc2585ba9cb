//! Examples for the help of every command that sends a request (every create, and the
//! account and delete commands; so for their man pages too): one table, added to the command
//! tree in one place. A test runs each as a dry run, so none goes stale.

use clap::Command;

/// A command's path (`video text2video`) and an example of it, without the leading `kling`.
pub(crate) const EXAMPLES: &[(&str, &str)] = &[
    (
        "video text2video",
        "video text2video --prompt 'a red fox in fresh snow' --model kling-v2-6 --duration 5 --download out",
    ),
    (
        "video image2video",
        "video image2video --image https://example.com/fox.png --prompt 'the fox turns its head' --wait",
    ),
    (
        "video multi-image2video",
        "video multi-image2video --image https://example.com/fox.png --image https://example.com/owl.png --prompt 'the fox and the owl meet'",
    ),
    (
        "video extend",
        "video extend --video-id 850153186337570867 --prompt 'the fox runs off'",
    ),
    (
        "video omni",
        "video omni --prompt 'a fox in <<<image_1>>> style' --image https://example.com/style.png --model kling-video-o1 --aspect-ratio 16:9",
    ),
    (
        "video motion-control",
        "video motion-control --model kling-v2-6 --image https://example.com/dancer.png --video-url https://example.com/dance.mp4 --orientation image --mode std",
    ),
    (
        "video lip-sync",
        "video lip-sync --video-id 850153186337570867 --text 'hello there' --voice-id genshin_vindi2 --download out",
    ),
    (
        "video identify-face",
        "video identify-face --video-url https://example.com/talk.mp4",
    ),
    (
        "video advanced-lip-sync",
        "video advanced-lip-sync --session-id 8501531 --face face_id=0,audio_id=850153186,start=0s,end=5s,insert=0s",
    ),
    (
        "video avatar",
        "video avatar --image https://example.com/face.png --sound-file https://example.com/voice.mp3",
    ),
    (
        "video effects",
        "video effects --scene bloombloom --image https://example.com/flower.png",
    ),
    (
        "image generate",
        "image generate --prompt 'a watercolor fox' --n 2 --download out",
    ),
    (
        "image multi-image",
        "image multi-image --subject https://example.com/fox.png --subject https://example.com/owl.png --prompt 'friends in a forest'",
    ),
    (
        "image omni",
        "image omni --prompt 'the fox of <<<image_1>>> in winter' --image https://example.com/fox.png",
    ),
    (
        "image expand",
        "image expand --image https://example.com/fox.png --up 0.5 --down 0.5",
    ),
    (
        "image try-on",
        "image try-on --human https://example.com/person.png --cloth https://example.com/coat.png",
    ),
    (
        "image recognize",
        "image recognize --image https://example.com/person.png --download out",
    ),
    (
        "audio tts",
        "audio tts --text 'Welcome to the show' --voice-id genshin_vindi2 --language en --download out",
    ),
    (
        "audio text-to-audio",
        "audio text-to-audio --prompt 'rain on a tin roof' --duration 5s --download out",
    ),
    (
        "audio video-to-audio",
        "audio video-to-audio --video-id 850153186337570867 --sound-effect-prompt 'footsteps in snow'",
    ),
    (
        "element create",
        "element create --name fox --description 'a red fox' --frontal-image https://example.com/fox.png --refer-image https://example.com/fox-side.png",
    ),
    (
        "element multi-shot",
        "element multi-shot --image https://example.com/fox.png --download views",
    ),
    ("element delete", "element delete 850153186337570867"),
    ("voice delete", "voice delete 850153186337570867"),
    ("account costs", "account costs"),
    ("account billing", "account billing --limit 50"),
    ("account balance", "account balance --limit 50"),
    (
        "voice create",
        "voice create --name narrator --url https://example.com/voice.mp3 --wait",
    ),
    ("session init", "session init --video-id 850153186337570867"),
    (
        "session add",
        "session add 8501531 --frame 0 --point 0.5,0.4",
    ),
    (
        "session remove",
        "session remove 8501531 --frame 0 --point 0.5,0.4",
    ),
    ("session clear", "session clear 8501531"),
    ("session preview", "session preview 8501531"),
    (
        "session create",
        "session create 8501531 --edit swap --image https://example.com/hat.png --prompt 'swap the hat in <<<video_1>>> for <<<image_1>>>' --download out",
    ),
    (
        "v2 text-to-video",
        "v2 text-to-video --model kling-3.0 --prompt 'a red fox in fresh snow' --download out",
    ),
    (
        "v2 image-to-video",
        "v2 image-to-video --model kling-3.0 --first-frame https://example.com/fox.png --prompt 'the fox looks up'",
    ),
    (
        "v2 omni-video",
        "v2 omni-video --model kling-3.0-omni --prompt 'a fox running through snow' --aspect-ratio 16:9 --wait",
    ),
    (
        "v2 motion-control",
        "v2 motion-control --model kling-3.0 --image https://example.com/dancer.png --video https://example.com/dance.mp4 --orientation image",
    ),
    (
        "runblob generate",
        "runblob generate --prompt 'a red fox in fresh snow' --model kling_2.6 --download out",
    ),
    (
        "runblob o1",
        "runblob o1 --prompt 'a red fox in fresh snow' --wait",
    ),
    (
        "runblob o3",
        "runblob o3 --prompt 'a red fox in fresh snow' --download out",
    ),
    (
        "runblob photo",
        "runblob photo --model o3 --prompt 'a watercolor fox' --download out",
    ),
];

/// `cmd` (the whole tree) with each example under its command's help.
pub(crate) fn with_examples(cmd: Command) -> Command {
    add(cmd, "")
}

fn add(mut cmd: Command, path: &str) -> Command {
    if let Some((_, example)) = EXAMPLES.iter().find(|(p, _)| *p == path) {
        let text = format!(
            "Example:\n  kling {example}\n  (add --dry-run to see the request without sending it)"
        );
        cmd = cmd.after_help(text);
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        let sub = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| add(s, &sub));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paths of every command that creates something (it takes `--dry-run`).
    fn creates(cmd: &Command, path: &str, out: &mut Vec<String>) {
        if cmd.get_arguments().any(|a| a.get_id() == "dry_run") {
            out.push(path.to_owned());
        }
        for sub in cmd.get_subcommands() {
            let p = if path.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{path} {}", sub.get_name())
            };
            creates(sub, &p, out);
        }
    }

    #[test]
    fn every_create_has_an_example_and_every_example_a_create() {
        use clap::CommandFactory;
        let mut paths = Vec::new();
        creates(&crate::cli::Cli::command(), "", &mut paths);
        let missing: Vec<&String> = paths
            .iter()
            .filter(|p| !EXAMPLES.iter().any(|(e, _)| e == p))
            .collect();
        assert!(
            missing.is_empty(),
            "creates without an example: {missing:?}"
        );
        for (path, example) in EXAMPLES {
            assert!(paths.iter().any(|p| p == path), "{path}: not a create");
            assert!(example.starts_with(path), "{path}: {example}");
        }
    }
}
