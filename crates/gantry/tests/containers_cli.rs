//! `gantry run` with a real container engine: a job's `container:` and
//! `services:`, Docker actions (an image, a Dockerfile), a JavaScript action
//! in a job's container, and what fails (an unhealthy service, refused
//! options, a job timeout in a container), on fixture
//! `tests/run-fixtures/containers`.
//!
//! Needs an engine and the images `gantry-test/busybox:1`,
//! `gantry-test/glibc:2` and `gantry-test/musl:1`, which
//! `scripts/container-engine` makes (without a
//! registry). Without them each test is skipped with a message, unless
//! `GANTRY_TEST_CONTAINERS=1` (set by `scripts/test` when the engine is
//! ready) makes that a failure.

#![allow(clippy::unwrap_used)]

#[path = "support/run_harness.rs"]
mod harness;

use std::process::Command;

use harness::{Ran, Repo, World, commit_all, copy, fixture_dir, publish, services_summary};

/// Whether the engine and the test images are there (or a failure if
/// they must be).
fn engine_ready() -> bool {
    let images_present = [
        "gantry-test/busybox:1",
        "gantry-test/glibc:2",
        "gantry-test/musl:1",
    ]
    .iter()
    .all(|image| {
        Command::new("docker")
            .args(["image", "inspect", image])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if images_present {
        return true;
    }
    assert!(
        std::env::var("GANTRY_TEST_CONTAINERS").as_deref() != Ok("1"),
        "GANTRY_TEST_CONTAINERS=1 but the engine or the test images are missing: run scripts/container-engine"
    );
    eprintln!(
        "skipped: no container engine with the test images (scripts/container-engine makes them)"
    );
    false
}

fn run(repo: &Repo, workflow: &str) -> Ran {
    Ran::of(
        &repo
            .command(&["--workflows", workflow])
            // A variable of gantry's own environment that must not reach the
            // containers.
            .env("GANTRY_TEST_HOST_ONLY", "leaked")
            .output()
            .unwrap(),
    )
}

/// The ids of the containers and networks gantry made for `job_key`s that
/// are still there.
fn leftovers(label_values: &[&str]) -> Vec<String> {
    let out = Command::new("docker")
        .args([
            "ps",
            "-a",
            "--format",
            "{{.ID}} {{.Label \"dev.gantry.job\"}}",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| label_values.iter().any(|v| l.ends_with(v)))
        .map(str::to_owned)
        .collect()
}

#[test]
fn container_jobs_run_steps_in_the_container_with_services_on_its_network() {
    if !engine_ready() {
        return;
    }
    let repo = Repo::new("containers");
    let r = run(&repo, ".github/workflows/jobs.yml");
    let out = r.output();
    assert_eq!(r.result("in-container"), "success", "{}", r.all_text());
    assert_eq!(r.result("on-host"), "success", "{}", r.all_text());
    // Paths as the runner gives them in a container.
    // The workspace is /__w/<repository name>/<repository name>.
    let line = out
        .lines()
        .find(|l| l.starts_with("where "))
        .unwrap_or_else(|| panic!("{out}"));
    let repo_name = repo.dir.path().file_name().unwrap().to_string_lossy();
    let ws = format!("/__w/{repo_name}/{repo_name}");
    assert_eq!(
        line,
        format!("where ws={ws} pwd={ws} home=/github/home temp=/__w/_temp")
    );
    // The container's env, never the host's own variables.
    assert!(
        out.contains("container env=container-env leak=none"),
        "{out}"
    );
    assert!(out.contains("event file is there"), "{out}");
    // File commands written in the container reach the next steps.
    assert!(out.contains("second var=from-env-file out=42"), "{out}");
    assert!(out.contains("tool-ran"), "{out}");
    // The service by its name on the job's network.
    assert!(out.contains("service says pong"), "{out}");
    assert!(out.contains("network true"), "{out}");
    // Workflow commands from the container; the failing step's exit code.
    let a = r.annotations();
    assert!(a.contains("from the container"), "{a}");
    assert!(a.contains("Process completed with exit code 3."), "{a}");
    // `job.container.id` as a job output.
    let id = r.outputs_of("in-container")["container-id"].clone();
    assert_eq!(id.len(), 64, "{id}");
    // Native built-ins run on the host against the container's folders:
    // `~` in a cache path is the container's home.
    assert_eq!(
        r.result("cache-restored-in-container"),
        "success",
        "{}",
        r.all_text()
    );
    assert!(out.contains("hit=true cached from /github/home"), "{out}");
    // The host job reached its service through the mapped port.
    assert!(out.contains("host got pong"), "{out}");
    // Setup and teardown are steps of their own; the service's log is shown.
    let names = r.texts("step_started", "name");
    assert!(names.contains("\"Initialize containers\""), "{names}");
    assert!(names.contains("\"Stop containers\""), "{names}");
    assert!(out.contains("ping"), "{out}");
    // Nothing is left on the engine.
    assert_eq!(
        leftovers(&[
            "jobs.yml:in-container",
            "jobs.yml:on-host",
            "jobs.yml:cache-in-container",
            "jobs.yml:cache-restored-in-container",
        ]),
        Vec::<String>::new()
    );
    let id_gone = Command::new("docker")
        .args(["inspect", &id])
        .output()
        .unwrap();
    assert!(
        !id_gone.status.success(),
        "the job's container is still there"
    );
}

#[test]
fn docker_actions_run_from_an_image_a_dockerfile_and_js_actions_run_in_the_container() {
    if !engine_ready() {
        return;
    }
    let repo = Repo::new("containers");
    let r = run(&repo, ".github/workflows/actions.yml");
    let out = r.output();
    for job in ["image-step", "dockerfile", "js-in-container"] {
        assert_eq!(r.result(job), "success", "{job}: {}", r.all_text());
    }
    // docker://: `with: entrypoint` and `args`, the workspace at
    // /github/workspace, file commands at /github/file_commands.
    assert!(out.contains("image-step in /github/workspace"), "{out}");
    assert!(
        out.contains("file_commands home workflow workspace"),
        "{out}"
    );
    assert!(out.contains("image step out=5"), "{out}");
    // Built from the action's Dockerfile: `args` evaluated with `inputs`,
    // the action's `env`, INPUT_*.
    assert!(
        out.contains(
            "dockerfile args: duck | second arg | input=duck env=action-env ws=/github/workspace"
        ),
        "{out}"
    );
    assert!(out.contains("dockerfile said=duck"), "{out}");
    // `.dockerignore` left `ignored/` and `*.md` out of the build context.
    assert!(
        out.contains("build context: .dockerignore Dockerfile action.yml entry.sh"),
        "{out}"
    );
    // A JavaScript action in the job's container, with this host's node
    // mounted; its post step gets the state.
    assert!(
        out.lines()
            .any(|l| l.starts_with("js main for container in /__w/")
                && l.ends_with("node=/__e/node/bin/node")),
        "{out}"
    );
    assert!(out.contains("js output=hi-container"), "{out}");
    assert!(out.contains("js post state=kept"), "{out}");
}

#[test]
fn unhealthy_services_refused_options_and_timeouts_fail_clearly() {
    if !engine_ready() {
        return;
    }
    let repo = Repo::new("containers");
    let t0 = std::time::Instant::now();
    let r = run(&repo, ".github/workflows/failures.yml");
    let out = r.output();
    let a = r.annotations();
    assert_eq!(r.code, Some(1), "{}", r.all_text());
    for job in ["unhealthy", "bad-options", "timeout", "js-on-musl"] {
        assert_eq!(r.result(job), "failure", "{job}: {}", r.all_text());
    }
    assert!(!out.contains("never-runs"), "{out}");
    // The unhealthy service: named, and its log shown.
    assert!(
        a.contains(
            "the service `sick` (gantry-test/busybox:1) failed: its health check failed (unhealthy)"
        ),
        "{a}"
    );
    assert!(out.contains("sick-service-log"), "{out}");
    // The host's node cannot run in a musl container: said, not a cryptic
    // exec error.
    assert!(a.contains("uses musl (Alpine)"), "{a}");
    // GitHub refuses --network in options.
    assert!(a.contains("`--network` is not supported"), "{a}");
    // The job's timeout stops the command in the container at once
    // (SIGINT to its process group), the always() step runs, the
    // container is removed.
    assert!(out.contains("slow-start"), "{out}");
    assert!(out.contains("always-after-timeout"), "{out}");
    assert!(
        a.contains("The job exceeded its maximum execution time of 0.05 minutes"),
        "{a}"
    );
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(45),
        "{:?}",
        t0.elapsed()
    );
    // SIGINT stopped the step at once: without it, SIGTERM would come 7.5 s
    // and SIGKILL 10 s after the 3 s timeout.
    let timeout_ms = r
        .events
        .iter()
        .find(|e| e["type"] == "job_finished" && e["name"] == "timeout")
        .and_then(|e| e["duration_ms"].as_u64())
        .unwrap();
    assert!(timeout_ms < 9000, "the timed-out job took {timeout_ms} ms");
    assert_eq!(
        leftovers(&[
            "failures.yml:unhealthy",
            "failures.yml:bad-options",
            "failures.yml:timeout",
            "failures.yml:js-on-musl",
        ]),
        Vec::<String>::new()
    );
}

/// `octo/docker-stages@v1`: a Docker action with all three stages.
const STAGES_ACTION: &str = r#"name: docker stages
inputs:
  word:
    default: w
  skip-post:
    default: "false"
runs:
  using: docker
  image: Dockerfile
  pre-entrypoint: /stages/pre.sh
  entrypoint: /stages/main.sh
  post-entrypoint: /stages/post.sh
  post-if: inputs.skip-post != 'true'
  args:
    - ${{ inputs.word }}
"#;

#[test]
fn docker_actions_run_their_pre_main_and_post_entrypoints_with_state() {
    if !engine_ready() {
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    copy(&fixture_dir("containers"), repo.path());
    commit_all(repo.path(), "fixture");
    let server = tempfile::tempdir().unwrap();
    publish(
        server.path(),
        "octo/docker-stages",
        &[
            ("action.yml", STAGES_ACTION),
            (
                "Dockerfile",
                "FROM gantry-test/busybox:1\nCOPY stages /stages\nRUN chmod +x /stages/*.sh\n",
            ),
            (
                "stages/pre.sh",
                "#!/bin/sh\necho \"pre stage $1\"\necho from_pre=p1 >> \"$GITHUB_STATE\"\n",
            ),
            (
                "stages/main.sh",
                "#!/bin/sh\necho \"main stage $1 pre-state=$STATE_from_pre\"\necho from_main=m1 >> \"$GITHUB_STATE\"\necho main=$1 >> \"$GITHUB_OUTPUT\"\n",
            ),
            (
                "stages/post.sh",
                "#!/bin/sh\necho \"post stage $1 states=$STATE_from_pre,$STATE_from_main\"\n",
            ),
        ],
        "v1",
    );
    let world = World::serve(repo, server);
    let r = world.run(&["--workflows", ".github/workflows/stages.yml"]);
    let out = r.output();
    assert_eq!(r.result("stages"), "success", "{}", r.all_text());
    // Pre stages of both steps first, in order; then the mains; the posts
    // in reverse order, the second skipped by its post-if.
    let stage_lines: Vec<&str> = out.lines().filter(|l| l.contains(" stage ")).collect();
    assert_eq!(
        stage_lines,
        vec![
            "pre stage hello",
            "pre stage second",
            "main stage hello pre-state=p1",
            "main stage second pre-state=p1",
            "post stage hello states=p1,m1",
        ],
        "{out}"
    );
    assert!(out.contains("main output=hello"), "{out}");
    let names = r.texts("step_started", "name");
    assert!(
        names.contains("\"Pre Run octo/docker-stages@v1\""),
        "{names}"
    );
    assert!(
        names.contains("\"Post Run octo/docker-stages@v1\""),
        "{names}"
    );
}

/// The containers and networks labelled as owned by gantry process `pid`
/// of this machine.
fn owned_by(pid: u32) -> Vec<String> {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let ns = std::fs::read_link("/proc/self/ns/pid").unwrap();
    let label = format!(
        "label=dev.gantry.pid={}:{}/{pid}",
        host.trim(),
        ns.display()
    );
    let mut found = Vec::new();
    for what in [["ps", "-aq"], ["network", "ls"]] {
        let mut args: Vec<&str> = what.to_vec();
        if what[0] == "network" {
            args.push("-q");
        }
        let out = Command::new("docker")
            .args(&args)
            .args(["--filter", &label])
            .output()
            .unwrap();
        found.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_owned),
        );
    }
    found
}

#[test]
fn what_a_killed_run_left_is_removed_by_the_next_run() {
    if !engine_ready() {
        return;
    }
    use std::io::BufRead;
    let repo = Repo::new("containers");
    let mut child = repo
        .command(&["--workflows", ".github/workflows/killed.yml"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait until the long step runs in the container.
    let stdout = child.stdout.take().unwrap();
    let mut started = false;
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.contains("long-step-started") {
            started = true;
            break;
        }
    }
    assert!(started, "the long step never started");
    Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let left = owned_by(pid);
    // The job's container, the service and the network.
    assert_eq!(left.len(), 3, "{left:?}");
    let r = run(&repo, ".github/workflows/jobs.yml");
    assert_eq!(r.result("in-container"), "success", "{}", r.all_text());
    assert_eq!(owned_by(pid), Vec::<String>::new());
}

/// The services-real-clients fixture's two jobs, in containers: GitHub's
/// own `@actions/cache` (v1 and v2) and `@actions/artifact` reach gantry's
/// services from inside a job's container (through the relays on the job's
/// network).
const SERVICES_IN_CONTAINERS: &str = r#"name: Services in containers
on: push
jobs:
  produce:
    runs-on: ubuntu-latest
    container:
      image: gantry-test/glibc:2
      volumes:
        - ${{ vars.TEST_TOOLS }}:/tools:ro
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/svc
        with:
          phase: save
  consume:
    needs: produce
    runs-on: ubuntu-latest
    container:
      image: gantry-test/glibc:2
      volumes:
        - ${{ vars.TEST_TOOLS }}:/tools:ro
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/svc
        with:
          phase: restore
"#;

#[test]
fn real_cache_and_artifact_clients_reach_the_services_from_a_container() {
    if !engine_ready() {
        return;
    }
    let tools = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-tools")
        .canonicalize()
        .unwrap();
    if !tools.join("node_modules/@actions/cache").is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "test-tools/node_modules is missing: run `npm ci --prefix test-tools`"
        );
        eprintln!("skipped: test-tools/node_modules is missing");
        return;
    }
    let repo = Repo::new("services-real-clients");
    std::fs::write(
        repo.dir.path().join(".github/workflows/services.yml"),
        SERVICES_IN_CONTAINERS,
    )
    .unwrap();
    commit_all(repo.dir.path(), "in containers");
    let tools_var = format!("TEST_TOOLS={}", tools.display());
    let r = Ran::of(
        &repo
            .command(&["--env", "GANTRY_TEST_TOOLS=/tools", "--var", &tools_var])
            .output()
            .unwrap(),
    );
    let output = r.output();
    assert_eq!(r.result("produce"), "success", "{}", r.all_text());
    assert_eq!(r.result("consume"), "success", "{}", r.all_text());
    let phase = |name: &str| services_summary(&output, name);
    let saved = phase("save");
    assert!(saved["saved_v2"].as_i64().unwrap() > 0, "{saved}");
    assert!(saved["saved_v1"].as_i64().unwrap() > 0, "{saved}");
    assert_eq!(saved["failures"], serde_json::json!([]), "{saved}");
    let restored = phase("restore");
    assert_eq!(restored["failures"], serde_json::json!([]), "{restored}");
    assert_eq!(restored["exact_v2"], "svc-v2-linux-1", "{restored}");
    assert_eq!(
        restored["downloaded_files"],
        serde_json::json!(["hello.txt", "nested/deeper/data.bin", "nested/notes.md"]),
        "{restored}"
    );
}
