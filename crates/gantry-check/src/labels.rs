//! Runner labels: GitHub-hosted images, the labels self-hosted runners get
//! automatically, and retired images.

/// Labels of GitHub-hosted runners (standard and larger images).
pub const HOSTED: &[&str] = &[
    "ubuntu-latest",
    "ubuntu-26.04",
    "ubuntu-26.04-arm",
    "ubuntu-24.04",
    "ubuntu-22.04",
    "ubuntu-24.04-arm",
    "ubuntu-22.04-arm",
    "ubuntu-slim",
    "windows-latest",
    "windows-2025",
    "windows-2025-vs2026",
    "windows-2022",
    "windows-11-arm",
    "macos-latest",
    "macos-26",
    "macos-15",
    "macos-14",
    "macos-13",
    "macos-15-intel",
    "macos-latest-large",
    "macos-26-large",
    "macos-15-large",
    "macos-14-large",
    "macos-13-large",
    "macos-latest-xlarge",
    "macos-26-xlarge",
    "macos-15-xlarge",
    "macos-14-xlarge",
    "macos-13-xlarge",
];

/// Labels every self-hosted runner has.
pub const SELF_HOSTED: &[&str] = &[
    "self-hosted",
    "linux",
    "windows",
    "macos",
    "x64",
    "arm",
    "arm64",
];

/// Images GitHub has removed, with what to use instead.
pub const RETIRED: &[(&str, &str)] = &[
    ("ubuntu-16.04", "ubuntu-latest"),
    ("ubuntu-18.04", "ubuntu-latest"),
    ("ubuntu-20.04", "ubuntu-22.04 or ubuntu-latest"),
    ("windows-2016", "windows-latest"),
    ("windows-2019", "windows-2022 or windows-latest"),
    ("macos-10.15", "macos-latest"),
    ("macos-11", "macos-latest"),
    ("macos-12", "macos-latest"),
    ("macos-12-large", "macos-latest-large"),
    ("macos-12-xlarge", "macos-latest-xlarge"),
];

/// What is known about a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Hosted,
    SelfHosted,
    /// Declared in the configuration.
    Configured,
    Retired(&'static str),
    Unknown,
}

/// Classifies a label; `configured` holds labels from the config file.
pub fn classify(label: &str, configured: &[String]) -> Label {
    let l = label.to_ascii_lowercase();
    if HOSTED.contains(&l.as_str()) {
        Label::Hosted
    } else if SELF_HOSTED.contains(&l.as_str()) {
        Label::SelfHosted
    } else if configured.iter().any(|c| c.eq_ignore_ascii_case(label)) {
        Label::Configured
    } else if let Some((_, instead)) = RETIRED.iter().find(|(r, _)| *r == l) {
        Label::Retired(instead)
    } else {
        Label::Unknown
    }
}
