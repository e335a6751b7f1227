//! `uses:` steps running real actions: composite actions (inputs, outputs,
//! nesting, `if`, `continue-on-error`, env), JavaScript actions (pre, main
//! and post, state, outputs, failures), resolution from a `file://` server
//! standing in for GitHub, `--local-action` replacements, `--offline`, and the
//! refusal of short SHAs. Actions come from `tests/action-fixtures/`,
//! copied into the job's workspace under `actions/`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use gantry_run::actions::Registry;
use gantry_run::event::Conclusion;
use gantry_run::mask::Masker;
use gantry_run::resolve::{Resolver, ResolverOptions};

mod support;

use support::{Ran, test_job};

impl Ran {
    fn annotations(&self) -> String {
        self.annotation_messages(None).join("\n")
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/action-fixtures")
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// How to run a job.
struct Setup {
    registry: Registry,
    resolver: ResolverOptions,
    action_env: Vec<(String, String)>,
    path: Option<String>,
    /// Added to the runner's environment.
    env: Vec<(String, String)>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            registry: Registry::default(),
            resolver: ResolverOptions {
                server_url: Some("file:///nonexistent-gantry-server".into()),
                cache_dir: Some(std::env::temp_dir().join("gantry-test-no-cache")),
                offline: true,
            },
            action_env: Vec::new(),
            path: None,
            env: Vec::new(),
        }
    }
}

async fn run_job(yaml: &str, setup: Setup) -> Ran {
    let mut t = test_job(yaml, "wf:job", "job");
    copy(&fixtures(), &t.spec.dirs.workspace.join("actions"));
    if let Some(p) = setup.path {
        t.spec.base_env.insert("PATH".into(), p);
    }
    t.spec.base_env.extend(setup.env);
    t.spec.resolver = Arc::new(Resolver::new(setup.resolver));
    t.spec.action_env = setup.action_env;
    t.run(&Masker::new(), &setup.registry, None).await
}

fn job_yaml(steps: &str) -> String {
    format!(
        "on: push\njobs:\n  job:\n    runs-on: ubuntu-latest\n    env:\n      JOB_LEVEL: j\n    outputs:\n      out: ${{{{ steps.last.outputs.value }}}}\n    steps:\n{steps}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_inputs_defaults_outputs_and_env() {
    let r = run_job(
        &job_yaml(
            r#"
      - id: g
        uses: ./actions/greet
        env:
          FROM_STEP: outer
        with:
          greeting: Hello
          old: x
      - id: last
        run: |
          echo "out=${{ steps.g.outputs.message }} const=${{ steps.g.outputs.constant }}"
          echo "after: composite-set=$COMPOSITE_SET inner=${INNER:-none} action-path=${GITHUB_ACTION_PATH:-none}"
          echo "value=${{ steps.g.outputs.message }}" >> "$GITHUB_OUTPUT"
"#,
        ),
        Setup::default(),
    )
    .await;
    let out = r.output();
    assert_eq!(
        r.outcome.result,
        Conclusion::Success,
        "{out}\n{}",
        r.annotations()
    );
    assert!(out.contains("input-env=[unset]"), "{out}");
    assert!(out.contains("from-step=outer job=j"), "{out}");
    assert!(out.contains("inner=inner-only"), "{out}");
    // `$GITHUB_ENV` written inside the action reaches its later steps and
    // the job, as on GitHub; the action's step env does not leak out.
    assert!(out.contains("seen=yes"), "{out}");
    assert!(
        out.contains("after: composite-set=yes inner=none action-path=none"),
        "{out}"
    );
    assert!(out.contains("steps-say=Hello, world"), "{out}");
    assert!(
        out.contains("out=Hello, world const=world-success"),
        "{out}"
    );
    let path_line = r
        .lines()
        .into_iter()
        .find(|l| l.starts_with("action-path="))
        .unwrap();
    assert!(path_line.ends_with("/ws/actions/greet"), "{path_line}");
    assert!(out.contains("ctx-path=/"), "{out}");
    assert!(
        r.annotations()
            .contains("Input 'old' has been deprecated with message: use `who`"),
        "{}",
        r.annotations()
    );
    assert_eq!(r.outcome.outputs["out"], "Hello, world");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn composite_if_and_continue_on_error() {
    let r = run_job(
        &job_yaml(
            r#"
      - id: f
        uses: ./actions/flow
        continue-on-error: true
      - id: last
        run: echo "flow=${{ steps.f.outcome }}/${{ steps.f.conclusion }}"
"#,
        ),
        Setup::default(),
    )
    .await;
    let out = r.output();
    assert_eq!(r.outcome.result, Conclusion::Success, "{out}");
    assert!(!out.contains("not-reached"), "{out}");
    assert!(out.contains("soft=failure/success status-ok"), "{out}");
    assert!(out.contains("failure-handler hard=failure"), "{out}");
    assert!(out.contains("always-ran"), "{out}");
    assert!(out.contains("flow=failure/success"), "{out}");
    assert!(
        r.annotations()
            .contains("Process completed with exit code 5."),
        "{}",
        r.annotations()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_composites_map_outputs_and_stop_at_githubs_depth() {
    let r = run_job(
        &job_yaml(
            r#"
      - id: o
        uses: ./actions/outer
      - id: last
        run: echo "value=${{ steps.o.outputs.chain }}" >> "$GITHUB_OUTPUT"
      - uses: ./actions/rec
"#,
        ),
        Setup::default(),
    )
    .await;
    assert_eq!(r.outcome.outputs["out"], "outer(middle(inner(seed)))");
    // The job's action is at depth 0; nine levels of nesting run, the
    // tenth is refused.
    let levels = r.lines().iter().filter(|l| *l == "level").count();
    assert_eq!(levels, 10, "{}", r.output());
    assert!(
        r.annotations().contains("max depth 9"),
        "{}",
        r.annotations()
    );
    assert_eq!(r.outcome.result, Conclusion::Failure);
}

fn js_setup() -> Setup {
    let mut registry = Registry::default();
    registry.add_override(
        format!("octo/js-action@v1={}", fixtures().join("js").display())
            .parse()
            .unwrap(),
    );
    Setup {
        registry,
        action_env: vec![("GANTRY_HOOK".into(), "services".into())],
        ..Setup::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_pre_main_post_state_and_outputs() {
    let r = run_job(
        &job_yaml(
            r#"
      - id: a
        name: first
        uses: octo/js-action@v1
        with:
          label: A
      - id: b
        name: second
        uses: octo/js-action@v1
        with:
          label: B
          my input: given
          extra: 1
      - id: last
        run: |
          echo "outputs=${{ steps.a.outputs.result }},${{ steps.b.outputs.result }} env=$JS_SET"
          echo "value=ok" >> "$GITHUB_OUTPUT"
"#,
        ),
        js_setup(),
    )
    .await;
    let out = r.output();
    assert_eq!(
        r.outcome.result,
        Conclusion::Success,
        "{out}\n{}",
        r.annotations()
    );
    let lines: Vec<String> = r
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("pre ") || l.starts_with("main ") || l.starts_with("post "))
        .collect();
    assert_eq!(
        lines,
        [
            "pre A",
            "pre B",
            "main A input=dflt fail=none state=A",
            "main B input=given fail=none state=B",
            "post B token=B-tok pre=B",
            "post A token=A-tok pre=A",
        ],
        "{out}"
    );
    assert!(
        out.contains("repo=octo/js-action ref=v1 hook=services"),
        "{out}"
    );
    assert!(out.contains("path-ok=true cwd=true"), "{out}");
    assert!(out.contains("outputs=A-42,B-42 env=B"), "{out}");
    assert!(
        r.annotations().contains("Unexpected input(s) 'extra'"),
        "{}",
        r.annotations()
    );
    let names: Vec<String> = r.steps().into_iter().map(|s| s.0).collect();
    assert_eq!(
        names,
        [
            "Pre first",
            "Pre second",
            "first",
            "second",
            "Run echo \"outputs=${{ steps.a.outputs.result }},${{ steps.b.outputs.result }} env=$JS_SET\"",
            "Post second",
            "Post first"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_failures_in_main_and_post() {
    let r = run_job(
        &job_yaml(
            r#"
      - uses: octo/js-action@v1
        with:
          label: P
          fail: post
      - uses: octo/js-action@v1
        with:
          label: M
          fail: main
      - id: last
        run: echo "not-reached"
"#,
        ),
        js_setup(),
    )
    .await;
    let out = r.output();
    assert_eq!(r.outcome.result, Conclusion::Failure);
    assert!(!out.contains("not-reached"), "{out}");
    // Post steps run after a failure, in reverse order, and a failing post
    // step fails the job.
    assert!(out.contains("post M token=M-tok"), "{out}");
    assert!(out.contains("post P token=P-tok"), "{out}");
    let a = r.annotations();
    assert!(a.contains("main failed on purpose"), "{a}");
    assert!(a.contains("post failed on purpose"), "{a}");
    let steps = r.steps();
    // The first action's post step runs last, and fails.
    let post_p = steps.last().unwrap();
    assert_eq!(post_p.0, "Post Run octo/js-action@v1");
    assert_eq!(post_p.1, Conclusion::Failure, "{steps:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_without_node_names_the_version() {
    let r = run_job(
        &job_yaml(
            r#"
      - id: last
        uses: ./actions/js
"#,
        ),
        Setup {
            path: Some("/nonexistent-gantry-bin".into()),
            ..Setup::default()
        },
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    let a = r.annotations();
    assert!(a.contains("needs Node.js 20 (runs.using: node20)"), "{a}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_malformed_and_docker_actions_fail_clearly() {
    // No engine: Docker actions fail saying one is needed.
    let r = run_job(
        &job_yaml(
            r#"
      - uses: ./actions/nope
        continue-on-error: true
      - uses: ./actions/bad
        continue-on-error: true
      - uses: ./actions/docker
        continue-on-error: true
      - uses: docker://alpine:3
        continue-on-error: true
      - id: last
        run: echo "value=done" >> "$GITHUB_OUTPUT"
"#,
        ),
        Setup {
            env: vec![(
                "DOCKER_HOST".into(),
                "unix:///nonexistent/gantry-test-docker.sock".into(),
            )],
            ..Setup::default()
        },
    )
    .await;
    assert_eq!(r.outcome.result, Conclusion::Success);
    let a = r.annotations();
    assert!(a.contains("a Docker engine is needed"), "{a}");
    assert!(
        a.contains("Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '")
            && a.contains("/ws/actions/nope'"),
        "{a}"
    );
    assert!(a.contains("/ws/actions/bad/action.yml:5:"), "{a}");
    assert!(a.contains("needs `shell`"), "{a}");
    assert!(
        a.contains("`./actions/docker` is a Docker container action"),
        "{a}"
    );
    assert!(
        a.contains("`docker://alpine:3` is a Docker container action"),
        "{a}"
    );
}

/// A `file://` folder standing in for the GitHub server, holding
/// `octo/remote` (a composite action at its root and under `sub/`, tagged
/// `v1`, on `main`) and a fake `actions/checkout`.
struct FakeServer {
    dir: tempfile::TempDir,
    sha: String,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Gantry Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn publish(server: &Path, name: &str, files: &[(&str, &str)], tag: Option<&str>) -> String {
    let work = server.join(format!("work-{}", name.replace('/', "-")));
    std::fs::create_dir_all(&work).unwrap();
    for (path, text) in files {
        let p = work.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    git(&work, &["init", "--quiet"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "--quiet", "-m", "action"]);
    if let Some(t) = tag {
        git(&work, &["tag", "-a", t, "-m", t]);
    }
    let bare = server.join(name);
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(
        server,
        &[
            "clone",
            "--quiet",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    git(&work, &["rev-parse", "HEAD"])
}

impl FakeServer {
    fn new() -> FakeServer {
        let dir = tempfile::tempdir().unwrap();
        let composite = |what: &str| {
            format!(
                "name: remote\ninputs:\n  who:\n    default: remote-default\noutputs:\n  said:\n    value: ${{{{ steps.s.outputs.said }}}}\nruns:\n  using: composite\n  steps:\n    - id: s\n      shell: bash\n      run: |\n        echo \"{what} says hi to ${{{{ inputs.who }}}} repo=$GITHUB_ACTION_REPOSITORY ref=$GITHUB_ACTION_REF\"\n        echo \"said={what}\" >> \"$GITHUB_OUTPUT\"\n"
            )
        };
        let sha = publish(
            dir.path(),
            "octo/remote",
            &[
                ("action.yml", &composite("root")),
                ("sub/action.yaml", &composite("sub")),
            ],
            Some("v1"),
        );
        publish(
            dir.path(),
            "actions/checkout",
            &[(
                "action.yml",
                "name: checkout\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: echo the-real-checkout\n",
            )],
            Some("v4"),
        );
        FakeServer { dir, sha }
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().display())
    }

    fn setup(&self, cache: &Path, offline: bool) -> Setup {
        Setup {
            resolver: ResolverOptions {
                server_url: Some(self.url()),
                cache_dir: Some(cache.to_path_buf()),
                offline,
            },
            ..Setup::default()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_actions_resolve_cache_and_work_offline() {
    let server = FakeServer::new();
    let cache = tempfile::tempdir().unwrap();
    let steps = format!(
        r#"
      - id: tag
        uses: octo/remote@v1
        with:
          who: tag
      - id: branch
        uses: octo/remote/sub@main
      - id: sha
        uses: octo/remote@{sha}
      - id: last
        run: echo "value=${{{{ steps.tag.outputs.said }}}}-${{{{ steps.branch.outputs.said }}}}-${{{{ steps.sha.outputs.said }}}}" >> "$GITHUB_OUTPUT"
"#,
        sha = server.sha
    );
    let r = run_job(&job_yaml(&steps), server.setup(cache.path(), false)).await;
    let out = r.output();
    assert_eq!(
        r.outcome.result,
        Conclusion::Success,
        "{out}\n{}",
        r.annotations()
    );
    assert!(
        out.contains("root says hi to tag repo=octo/remote ref=v1"),
        "{out}"
    );
    assert!(
        out.contains("sub says hi to remote-default repo=octo/remote ref=main"),
        "{out}"
    );
    assert_eq!(r.outcome.outputs["out"], "root-sub-root");
    let cached = cache.path().join("octo/remote").join(&server.sha);
    assert!(cached.join("action.yml").is_file());
    assert!(!cached.join(".git").exists());

    // Offline, from the cache only.
    let r = run_job(&job_yaml(&steps), server.setup(cache.path(), true)).await;
    assert_eq!(r.outcome.result, Conclusion::Success, "{}", r.annotations());

    // Offline with an empty cache: a clear failure.
    let empty = tempfile::tempdir().unwrap();
    let r = run_job(&job_yaml(&steps), server.setup(empty.path(), true)).await;
    assert_eq!(r.outcome.result, Conclusion::Failure);
    let a = r.annotations();
    assert!(
        a.contains("`octo/remote@v1` is not in the action cache")
            && a.contains("--offline forbids downloading it"),
        "{a}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refs_follow_githubs_rules() {
    let server = FakeServer::new();
    let cache = tempfile::tempdir().unwrap();
    let short = &server.sha[..7];
    let steps = format!(
        r#"
      - uses: octo/remote@{short}
        continue-on-error: true
      - uses: octo/remote@v9
        continue-on-error: true
      - uses: octo/missing@v1
        continue-on-error: true
      - id: last
        run: "true"
"#
    );
    let r = run_job(&job_yaml(&steps), server.setup(cache.path(), false)).await;
    let a = r.annotations();
    assert!(
        a.contains(&format!(
            "Unable to resolve action `octo/remote@{short}`: the ref `{short}` is a shortened commit SHA"
        )),
        "{a}"
    );
    assert!(a.contains("unable to find version `v9`"), "{a}");
    assert!(a.contains("`octo/missing@v1`"), "{a}");
    assert!(
        r.steps()
            .iter()
            .filter(|s| s.1 == Conclusion::Failure)
            .count()
            == 3,
        "{:?}",
        r.steps()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn builtins_win_unless_disabled() {
    let server = FakeServer::new();
    let cache = tempfile::tempdir().unwrap();
    let steps = "\n      - uses: actions/checkout@v4\n      - id: last\n        run: \"true\"\n";
    let r = run_job(&job_yaml(steps), server.setup(cache.path(), false)).await;
    assert!(
        r.output().contains("The workspace already holds"),
        "{}",
        r.output()
    );
    let mut setup = server.setup(cache.path(), false);
    setup.registry.disable(Some("actions/checkout")).unwrap();
    let r = run_job(&job_yaml(steps), setup).await;
    assert_eq!(r.outcome.result, Conclusion::Success, "{}", r.annotations());
    assert!(r.output().contains("the-real-checkout"), "{}", r.output());
    assert!(Registry::default().disable(Some("actions/nope")).is_err());
}
