//! `gantry run` calling reusable workflows of another repository
//! (`owner/repo/.github/workflows/x.yml@ref`), fetched through the action
//! resolver from a `file://` server (a folder of bare git repositories)
//! given with `--github-server-url`: inputs, secrets, outputs, a nested
//! `./` call inside the remote workflow, the cache, `--offline`, and the
//! errors.

#![allow(clippy::unwrap_used)]

#[path = "support/run_harness.rs"]
mod harness;

use harness::{World, commit_all, publish, write};

const REMOTE: &str = r#"name: remote
on:
  workflow_call:
    inputs:
      who: { type: string, required: true }
      times: { type: number, default: 2 }
    secrets:
      token: { required: true }
    outputs:
      greeting:
        value: ${{ jobs.hello.outputs.greeting }}
jobs:
  hello:
    runs-on: ubuntu-latest
    outputs:
      greeting: ${{ steps.g.outputs.greeting }}
    steps:
      - id: g
        run: |
          echo "remote hello ${{ inputs.who }} x${{ inputs.times }} token=${{ secrets.token }}"
          echo "ref=${{ github.workflow_ref }} sha-set=${{ github.job_workflow_sha != '' }} event=${{ github.event_name }}"
          echo "greeting=hi-${{ inputs.who }}" >> "$GITHUB_OUTPUT"
  nested:
    needs: hello
    uses: ./.github/workflows/inner.yml
"#;

const INNER: &str = r#"on: workflow_call
jobs:
  leaf:
    runs-on: ubuntu-latest
    steps:
      - run: echo "inner leaf ran"
"#;

const CALLER: &str = r#"name: ci
on: push
jobs:
  call:
    uses: octo/lib/.github/workflows/remote.yml@v1
    with:
      who: world
    secrets:
      token: ${{ secrets.T }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo "got=${{ needs.call.outputs.greeting }} result=${{ needs.call.result }}"
"#;

impl World {
    /// A repository calling `octo/lib` (tagged `v1`) on a `file://` server,
    /// and an empty cache directory.
    fn new(caller: &str) -> World {
        let server = tempfile::tempdir().unwrap();
        publish(
            server.path(),
            "octo/lib",
            &[
                (".github/workflows/remote.yml", REMOTE),
                (".github/workflows/inner.yml", INNER),
            ],
            "v1",
        );
        let repo = tempfile::tempdir().unwrap();
        write(repo.path(), &[(".github/workflows/ci.yml", caller)]);
        commit_all(repo.path(), "caller");
        World::serve(repo, server)
    }
}

#[test]
fn a_remote_reusable_workflow_runs_like_a_local_one() {
    let w = World::new(CALLER);
    let r = w.run(&["--secret", "T=tok-r3mote-s3cret"]);
    let out = r.output();
    assert_eq!(r.code, Some(0), "{:?}\n{out}\n{}", r.results(), r.stderr);
    let results = r.results();
    assert_eq!(
        results.get("call / hello").map(String::as_str),
        Some("success"),
        "{results:?}"
    );
    assert_eq!(
        results.get("call / nested / leaf").map(String::as_str),
        Some("success"),
        "{results:?}"
    );
    assert_eq!(results.get("after").map(String::as_str), Some("success"));
    // Inputs typed and defaulted, the secret mapped and masked.
    assert!(out.contains("remote hello world x2 token=***"), "{out}");
    assert!(
        !r.all_text().contains("tok-r3mote-s3cret"),
        "a secret leaked"
    );
    // The callee's workflow_ref and commit; the caller's event.
    assert!(
        out.contains("ref=octo/lib/.github/workflows/remote.yml@v1 sha-set=true event=push"),
        "{out}"
    );
    // A `./` call inside the remote workflow is read from its repository.
    assert!(out.contains("inner leaf ran"), "{out}");
    // Outputs reach the caller's dependents.
    assert!(out.contains("got=hi-world result=success"), "{out}");
    // Cached by owner/repo and commit.
    let cached = w.cache.path().join("gantry/actions/octo/lib");
    assert!(cached.is_dir());

    // Offline now works from the cache.
    let r = w.run(&["--offline", "--secret", "T=x"]);
    assert_eq!(r.code, Some(0), "{:?}\n{}", r.results(), r.stderr);
    assert!(r.output().contains("got=hi-world"), "{}", r.output());
}

#[test]
fn offline_without_the_cache_is_a_clear_error_before_anything_runs() {
    let w = World::new(CALLER);
    let r = w.run(&["--offline", "--secret", "T=x"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.results().is_empty(), "{:?}", r.results());
    assert!(
        r.stderr.contains(
            "cannot fetch the reusable workflow 'octo/lib/.github/workflows/remote.yml@v1'"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--offline"), "{}", r.stderr);
}

#[test]
fn unknown_refs_files_and_bad_inputs_are_clear_errors() {
    let w = World::new(&CALLER.replace("remote.yml@v1", "remote.yml@v9"));
    let r = w.run(&["--secret", "T=x"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("unable to find version `v9`"),
        "{}",
        r.stderr
    );

    let w = World::new(&CALLER.replace("remote.yml@v1", "missing.yml@v1"));
    let r = w.run(&["--secret", "T=x"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("octo/lib has no file '.github/workflows/missing.yml'"),
        "{}",
        r.stderr
    );

    // The callee's input types are checked before anything runs.
    let w = World::new(&CALLER.replace("who: world", "who: world\n      times: many"));
    let r = w.run(&["--secret", "T=x"]);
    assert_eq!(r.code, Some(1));
    assert!(r.results().is_empty(), "{:?}", r.results());
    assert!(r.stderr.contains("times"), "{}", r.stderr);
}
