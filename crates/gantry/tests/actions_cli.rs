//! `gantry run` with real actions (`tests/run-fixtures/actions-*`): a local
//! composite action, a JavaScript action replaced with `--local-action`, and a
//! remote action fetched from a `file://` server given with
//! `--github-server-url`; `--offline`, `--no-builtin` and their errors.

#![allow(clippy::unwrap_used)]

#[path = "support/run_harness.rs"]
mod harness;

use harness::{World, commit_all, copy, fixture_dir, publish};

impl World {
    /// The fixture in a git repository, a `file://` server holding
    /// `octo/remote` (tagged `v1`) and `actions/checkout` (tagged `v4`),
    /// and an empty cache directory.
    fn new(name: &str) -> World {
        let repo = tempfile::tempdir().unwrap();
        copy(&fixture_dir(name), repo.path());
        commit_all(repo.path(), "fixture");
        let server = tempfile::tempdir().unwrap();
        publish(
            server.path(),
            "octo/remote",
            &[(
                "action.yml",
                "name: remote\noutputs:\n  said:\n    value: ${{ steps.s.outputs.said }}\nruns:\n  using: composite\n  steps:\n    - id: s\n      shell: bash\n      run: |\n        echo \"remote ran from $GITHUB_ACTION_REPOSITORY@$GITHUB_ACTION_REF\"\n        echo \"said=remote-hi\" >> \"$GITHUB_OUTPUT\"\n",
            )],
            "v1",
        );
        publish(
            server.path(),
            "actions/checkout",
            &[(
                "action.yml",
                "name: checkout\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo the-real-checkout\n",
            )],
            "v4",
        );
        World::serve(repo, server)
    }
}

const JS: &str = "octo/js-action@v1=vendor/js-action";

#[test]
fn local_replaced_and_remote_actions_run() {
    let w = World::new("actions-basic");
    let r = w.run(&["--local-action", JS]);
    let out = r.output();
    assert_eq!(r.code, Some(0), "{out}\n{}\n{}", r.annotations(), r.stderr);
    assert!(out.contains("js main state=pre-J"), "{out}");
    assert!(out.contains("js post state=pre-J"), "{out}");
    assert!(out.contains("remote ran from octo/remote@v1"), "{out}");
    assert!(out.contains("The workspace already holds"), "{out}");
    assert_eq!(
        r.job_outputs()["summary"],
        "hello-cli|J-out|remote-hi",
        "{out}"
    );
    // Cached under the user's cache directory by owner/repo and commit.
    let cached = w.cache.path().join("gantry/actions/octo/remote");
    assert!(cached.is_dir());

    // Offline now works from the cache.
    let r = w.run(&["--local-action", JS, "--offline"]);
    assert_eq!(r.code, Some(0), "{}", r.annotations());

    // `--no-builtin` runs the real actions/checkout.
    let r = w.run(&["--local-action", JS, "--no-builtin"]);
    assert_eq!(r.code, Some(0), "{}", r.annotations());
    assert!(r.output().contains("the-real-checkout"), "{}", r.output());
}

#[test]
fn offline_with_an_empty_cache_fails_clearly() {
    let w = World::new("actions-basic");
    let r = w.run(&["--local-action", JS, "--offline"]);
    assert_eq!(r.code, Some(1));
    let a = r.annotations();
    assert!(
        a.contains("`octo/remote@v1` is not in the action cache")
            && a.contains("--offline forbids downloading it"),
        "{a}"
    );
}

#[test]
fn bad_action_flags_are_refused() {
    let w = World::new("actions-basic");
    let r = w.run(&["--local-action", "octo/js-action@v1"]);
    assert_ne!(r.code, Some(0));
    assert!(
        r.stderr.contains("is not OWNER/REPO@REF=DIR"),
        "{}",
        r.stderr
    );
    let r = w.run(&["--local-action", "octo/js-action@v1=no/such/dir"]);
    assert!(r.stderr.contains("is not a folder"), "{}", r.stderr);
    let r = w.run(&["--no-builtin=actions/nope"]);
    assert!(
        r.stderr.contains("there is no such built-in"),
        "{}",
        r.stderr
    );
}
