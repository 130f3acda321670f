//! Words for people: no command's output — text or JSON — shows an internal rule id
//! (`cold.health_exclusion`, `nutrition.window`) or points to a document a reader of the
//! repository cannot open: every Markdown file it names (`docs/science.md`, `BENCHMARKS.md`)
//! exists in the repository, and no section sign (`§ 4`) refers into a document elsewhere.
//!
//! The athlete is the demo runner (two months of sessions, wellness and recovery logs) with
//! every recovery access, Raynaud's in the profile, a strength block and a plan, so the
//! exclusions, the notes and the plan's recovery items all appear.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use jiff::{Timestamp, ToSpan};

/// Prefixes of the rule ids the recovery rules carry internally.
const RULE_PREFIXES: [&str; 12] = [
    "nutrition",
    "cold",
    "cwi",
    "cryo",
    "boots",
    "garments",
    "massage",
    "foam_rolling",
    "sleep",
    "rest",
    "readiness",
    "flags",
];

/// Identifier characters of a rule id.
fn ident(c: char) -> bool {
    c.is_ascii_lowercase() || c == '_'
}

/// Every `prefix.word` in `text` whose prefix is a rule prefix, or whose second part has an
/// underscore (`x.after_strength`): the shape of a rule id.
fn rule_ids(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c != '.' || i == 0 {
            continue;
        }
        let mut start = i;
        while start > 0 && ident(chars[start - 1]) {
            start -= 1;
        }
        let mut end = i + 1;
        while end < chars.len() && ident(chars[end]) {
            end += 1;
        }
        // A word glued to a path or a file name (docs/science.md) is not a rule id.
        if start == i || end == i + 1 || (start > 0 && chars[start - 1] == '/') {
            continue;
        }
        let before: String = chars[start..i].iter().collect();
        let after: String = chars[i + 1..end].iter().collect();
        if RULE_PREFIXES.contains(&before.as_str()) || after.contains('_') {
            found.push(format!("{before}.{after}"));
        }
    }
    found
}

#[test]
fn the_rule_id_detector_finds_rule_ids_and_spares_sentences() {
    assert_eq!(
        rule_ids("nutrition.window: after a long run"),
        vec!["nutrition.window"]
    );
    assert_eq!(
        rule_ids(r#"{"reason":"x","rule":"cold.health_exclusion"}"#),
        vec!["cold.health_exclusion"]
    );
    assert_eq!(rule_ids("x.after_strength"), vec!["x.after_strength"]);
    assert!(rule_ids("Rest. Then sleep. See docs/science.md, e.g. 1.5 h").is_empty());
}

/// Markdown files named in `text` (`docs/science.md`, `BENCHMARKS.md`), as written: the path
/// characters before each `.md`.
fn cited_docs(text: &str) -> Vec<String> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-');
    text.match_indices(".md")
        .filter(|(i, _)| {
            // `.md` ends the name: `docs/science.md.` yes, `.mdx` or `.md5` no.
            !text[i + 3..].starts_with(|c: char| c.is_ascii_alphanumeric())
        })
        .filter_map(|(i, _)| {
            let start = text[..i]
                .char_indices()
                .rev()
                .take_while(|(_, c)| path_char(*c))
                .last()
                .map(|(start, _)| start)?;
            Some(format!("{}.md", &text[start..i]))
        })
        .collect()
}

#[test]
fn cited_documents_are_found_with_their_paths() {
    assert_eq!(
        cited_docs("Method: docs/science.md. See BENCHMARKS.md, not notes.mdx or .md"),
        ["docs/science.md", "BENCHMARKS.md"]
    );
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn fettle(&self) -> Command {
        let mut cmd = Command::cargo_bin("fettle").unwrap();
        cmd.arg("--db").arg(self.dir.path().join("words.sqlite"));
        cmd
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.fettle().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "fettle {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

#[test]
fn no_output_shows_a_rule_id_or_a_file_outside_the_repository() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    env.run(&["demo", "--days", "60", "--json"]);
    env.run(&[
        "profile",
        "access",
        "add",
        "compression-boots",
        "compression-garments",
        "ice-bath",
        "cryo-centre",
        "massage",
        "foam-roller",
    ]);
    env.run(&["profile", "health", "add", "raynauds", "skin-lesions"]);
    let race = (Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date())
    .checked_add(70.days())
    .unwrap()
    .to_string();
    env.run(&["plan", "create", "--race", &race, "--distance", "10k"]);
    let activities: serde_json::Value =
        serde_json::from_str(&env.run(&["activities", "--json"])).unwrap();
    let ids: Vec<String> = activities
        .as_array()
        .unwrap()
        .iter()
        .take(12)
        .map(|a| a["id"].to_string())
        .collect();
    let mut commands: Vec<Vec<String>> = [
        vec!["status"],
        vec!["readiness"],
        vec!["recover"],
        vec!["recovery", "list"],
        vec!["insights"],
        vec!["profile"],
        vec!["plan", "show"],
    ]
    .iter()
    .map(|c| c.iter().map(ToString::to_string).collect())
    .collect();
    for id in &ids {
        commands.push(vec!["recover".into(), "--activity".into(), id.clone()]);
    }
    // The strength block changes the exclusions: look at both.
    let mut outputs = Vec::new();
    for block in ["off", "on"] {
        env.run(&["profile", "set", "--strength-block", block]);
        for command in &commands {
            let args: Vec<&str> = command.iter().map(String::as_str).collect();
            outputs.push((format!("{args:?}"), env.run(&args)));
            let mut json = args.clone();
            json.push("--json");
            outputs.push((format!("{json:?}"), env.run(&json)));
        }
    }
    let all: String = outputs.iter().map(|(_, o)| o.as_str()).collect();
    // The outputs do say why things were excluded, in words (garments: skin lesions).
    assert!(all.contains("in your profile"), "no exclusion shown");
    for (command, output) in &outputs {
        let ids = rule_ids(output);
        assert!(ids.is_empty(), "{command} shows rule ids {ids:?}");
        assert!(
            !output.contains('§'),
            "{command} refers to a section of a document outside the repository"
        );
        for page in cited_docs(output) {
            assert!(
                repository().join(&page).is_file(),
                "{command} cites {page}, which is not in the repository"
            );
        }
    }
    assert!(
        cited_docs(&all).iter().any(|p| p == "docs/science.md"),
        "the science page is cited somewhere"
    );
}
