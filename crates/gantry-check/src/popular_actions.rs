//! The inputs and outputs of popular actions, by major version, written from
//! each action's documented `action.yml`. Used to check `with:` inputs and
//! `steps.<id>.outputs.<name>` on steps that use them.
//!
//! A major version lists the union of its minor releases' inputs (an input a
//! later `v4.x` added is accepted on `v4`), so only names no release of that
//! major ever had are reported. Majors the table does not know (older ones,
//! or ones released after it was written) are not checked at all.

mod data;

/// One input of an action.
#[derive(Clone, Copy, Debug)]
pub struct Input {
    pub name: &'static str,
    /// `required: true` with no `default`, so a step must give it.
    pub required: bool,
    /// Why the input is deprecated and what to use instead.
    pub deprecated: Option<&'static str>,
}

/// The metadata of one action for some of its major versions.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// `owner/repo[/path]`, lower case.
    pub action: &'static str,
    /// The major versions this entry describes; empty for every ref (an
    /// action whose refs are not versions, e.g. toolchain names).
    pub majors: &'static [u32],
    /// The inputs, or `None` when the action takes any input.
    pub inputs: Option<&'static [Input]>,
    /// The outputs, or `None` when they depend on the inputs.
    pub outputs: Option<&'static [&'static str]>,
    /// A Docker container action, which also takes `args` and `entrypoint`.
    pub docker: bool,
}

impl Spec {
    /// The input called `name` (compared ignoring ASCII case, as GitHub does).
    pub fn input(&self, name: &str) -> Option<&'static Input> {
        self.inputs?
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
    }
}

/// The major version a ref names: `v4`, `v4.1.2`, `4.1`, `v2.x` and
/// `release/v1` name a major; SHAs and branch names do not.
pub fn major_of(git_ref: &str) -> Option<u32> {
    let r = git_ref.strip_prefix("release/").unwrap_or(git_ref);
    let r = r
        .strip_prefix('v')
        .or_else(|| r.strip_prefix('V'))
        .unwrap_or(r);
    let end = r.find('.').unwrap_or(r.len());
    let (digits, rest) = r.split_at(end);
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !rest.is_empty() && rest.len() < 2 {
        return None;
    }
    digits.parse().ok()
}

/// Compares `a` (any case) with `b` (lower case) as if both were lower case.
fn cmp_lower(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes())
}

/// The entry for `action` (`owner/repo[/path]`, any case) at `git_ref`.
pub fn lookup(action: &str, git_ref: &str) -> Option<&'static Spec> {
    let table = data::TABLE;
    let first = table.partition_point(|s| cmp_lower(action, s.action).is_gt());
    let same = table[first..]
        .iter()
        .take_while(|s| cmp_lower(action, s.action).is_eq());
    let mut major = None;
    for spec in same {
        if spec.majors.is_empty() {
            return Some(spec);
        }
        let m = *major.get_or_insert_with(|| major_of(git_ref));
        if m.is_some_and(|m| spec.majors.contains(&m)) {
            return Some(spec);
        }
    }
    None
}

/// The outputs `action` sets at major version `major`, when known.
pub fn outputs(action: &str, major: u32) -> Option<&'static [&'static str]> {
    let table = data::TABLE;
    let first = table.partition_point(|s| cmp_lower(action, s.action).is_gt());
    table[first..]
        .iter()
        .take_while(|s| cmp_lower(action, s.action).is_eq())
        .find(|s| s.majors.is_empty() || s.majors.contains(&major))?
        .outputs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_lower_case() {
        for pair in data::TABLE.windows(2) {
            assert!(
                pair[0].action <= pair[1].action,
                "{} must come after {}",
                pair[0].action,
                pair[1].action
            );
        }
        for s in data::TABLE {
            assert_eq!(s.action, s.action.to_ascii_lowercase());
            if let Some(inputs) = s.inputs {
                for (i, a) in inputs.iter().enumerate() {
                    assert!(
                        !inputs[..i]
                            .iter()
                            .any(|b| b.name.eq_ignore_ascii_case(a.name)),
                        "{}: input {} listed twice",
                        s.action,
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn majors() {
        assert_eq!(major_of("v4"), Some(4));
        assert_eq!(major_of("v4.1.2"), Some(4));
        assert_eq!(major_of("4.1"), Some(4));
        assert_eq!(major_of("release/v1"), Some(1));
        assert_eq!(major_of("v2.x"), Some(2));
        assert_eq!(major_of("main"), None);
        assert_eq!(major_of("v"), None);
        assert_eq!(major_of("11bd71901bbe5b1630ceea73d27597364c9af683"), None);
    }

    #[test]
    fn looks_up() {
        assert!(lookup("actions/checkout", "v4").is_some());
        assert!(lookup("Actions/Checkout", "v4.2.2").is_some());
        assert!(lookup("actions/checkout", "main").is_none());
        assert!(lookup("actions/checkout", "v99").is_none());
        assert!(lookup("dtolnay/rust-toolchain", "stable").is_some());
        assert!(lookup("pypa/gh-action-pypi-publish", "release/v1").is_some());
        assert_eq!(outputs("actions/checkout", 4), Some(&["ref", "commit"][..]));
        assert!(outputs("octokit/request-action", 2).is_some());
        assert!(outputs("dorny/paths-filter", 3).is_none());
    }
}
