//! Events built from real (temporary) git repositories.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gantry_events::{Error, Event, Options, ZERO_SHA, build_event};
use serde_json::{Value, json};

struct TestRepo {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2024-05-01T12:00:00+02:00")
        .env("GIT_COMMITTER_DATE", "2024-05-01T12:00:00+02:00")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

impl TestRepo {
    /// A repository on `main` with one commit adding `README.md`.
    fn new() -> TestRepo {
        Self::named("hello")
    }

    fn named(name: &str) -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(name);
        std::fs::create_dir_all(&root).unwrap();
        let repo = TestRepo { _dir: dir, root };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Mona Lisa"]);
        repo.git(&["config", "user.email", "mona@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.git(&["config", "tag.gpgsign", "false"]);
        repo.write("README.md", "# hello\n");
        repo.commit("initial commit");
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        git_in(&self.root, args)
    }

    fn write(&self, path: &str, content: &str) {
        let p = self.root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// A bare repository next to this one, as `origin`, with `main` pushed
    /// and tracked.
    fn add_origin(&self) -> PathBuf {
        let bare = self.root.with_file_name("origin.git");
        git_in(
            self.root.parent().unwrap(),
            &["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()],
        );
        self.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
        self.git(&["push", "-q", "-u", "origin", "main"]);
        bare
    }

    fn event(&self, opts: Options) -> Event {
        build_event(&self.root, &opts).unwrap()
    }
}

fn opts(event: &str) -> Options {
    Options {
        event: event.to_owned(),
        ..Options::default()
    }
}

fn github(e: &Event) -> Value {
    gantry_expr::Value::object(e.github.clone()).to_json()
}

fn payload(e: &Event) -> Value {
    e.payload().to_json()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn push_without_upstream_is_the_last_commit() {
    let repo = TestRepo::new();
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.write("shared/core.mojo", "fn main(): pass\n");
    repo.write("README.md", "# hello, again\n");
    let second = repo.commit("Add core\n\nWith a body.");
    let e = repo.event(opts("push"));

    assert_eq!(e.name, "push");
    assert_eq!(e.git_ref.as_deref(), Some("refs/heads/main"));
    assert_eq!(e.default_branch, "main");
    assert_eq!(
        e.changed_files.as_deref(),
        Some(&["README.md".to_owned(), "shared/core.mojo".to_owned()][..])
    );
    let p = payload(&e);
    assert_eq!(p["ref"], "refs/heads/main");
    assert_eq!(p["before"], first.as_str());
    assert_eq!(p["after"], second.as_str());
    assert_eq!(p["created"], false);
    assert_eq!(p["deleted"], false);
    assert_eq!(p["forced"], false);
    assert_eq!(p["base_ref"], Value::Null);
    let commits = p["commits"].as_array().unwrap();
    assert_eq!(commits.len(), 1);
    let c = &commits[0];
    assert_eq!(c["id"], second.as_str());
    assert_eq!(c["message"], "Add core\n\nWith a body.");
    assert_eq!(c["timestamp"], "2024-05-01T12:00:00+02:00");
    assert_eq!(c["distinct"], true);
    assert_eq!(
        c["author"],
        json!({"name": "Mona Lisa", "email": "mona@example.com"})
    );
    assert_eq!(strings(&c["added"]), ["shared/core.mojo"]);
    assert_eq!(strings(&c["modified"]), ["README.md"]);
    assert_eq!(strings(&c["removed"]), Vec::<String>::new());
    assert_eq!(
        c["url"],
        format!("https://github.com/gantry/hello/commit/{second}").as_str()
    );
    assert_eq!(c["tree_id"].as_str().unwrap().len(), 40);
    assert_eq!(p["head_commit"], *c);
    assert_eq!(
        p["compare"],
        format!(
            "https://github.com/gantry/hello/compare/{}...{}",
            &first[..12],
            &second[..12]
        )
        .as_str()
    );
    assert_eq!(
        p["pusher"],
        json!({"name": "gantry", "email": "mona@example.com"})
    );
    assert_eq!(p["repository"]["full_name"], "gantry/hello");
    assert_eq!(p["repository"]["master_branch"], "main");
    assert_eq!(p["repository"]["url"], "https://github.com/gantry/hello");
    assert_eq!(p["sender"]["login"], "gantry");

    let g = github(&e);
    assert_eq!(g["event_name"], "push");
    assert_eq!(g["ref"], "refs/heads/main");
    assert_eq!(g["ref_name"], "main");
    assert_eq!(g["ref_type"], "branch");
    assert_eq!(g["sha"], second.as_str());
    assert_eq!(g["head_ref"], "");
    assert_eq!(g["base_ref"], "");
    assert_eq!(g["repository"], "gantry/hello");
    assert_eq!(g["repository_owner"], "gantry");
    assert_eq!(g["repositoryUrl"], "git://github.com/gantry/hello.git");
    assert_eq!(g["actor"], "gantry");
    assert_eq!(g["triggering_actor"], "gantry");
    assert_eq!(g["server_url"], "https://github.com");
    assert_eq!(g["api_url"], "https://api.github.com");
    assert_eq!(g["graphql_url"], "https://api.github.com/graphql");
    assert_eq!(g["token"], "");
    assert_eq!(g["run_attempt"], "1");
    assert_eq!(g["event"], p);
}

#[test]
fn first_commit_push_has_zero_before() {
    let repo = TestRepo::new();
    let e = repo.event(opts("push"));
    let p = payload(&e);
    assert_eq!(p["before"], ZERO_SHA);
    assert_eq!(p["created"], true);
    assert_eq!(
        e.changed_files.as_deref(),
        Some(&["README.md".to_owned()][..])
    );
    assert_eq!(p["compare"], "https://github.com/gantry/hello/compare/main");
}

#[test]
fn every_documented_github_field_is_there() {
    let repo = TestRepo::new();
    let g = github(&repo.event(opts("push")));
    for key in [
        "event_name",
        "event",
        "ref",
        "ref_name",
        "ref_type",
        "ref_protected",
        "sha",
        "head_ref",
        "base_ref",
        "repository",
        "repository_id",
        "repository_owner",
        "repository_owner_id",
        "repositoryUrl",
        "actor",
        "actor_id",
        "triggering_actor",
        "run_id",
        "run_number",
        "run_attempt",
        "retention_days",
        "server_url",
        "api_url",
        "graphql_url",
        "workspace",
        "event_path",
        "workflow",
        "job",
        "action",
        "token",
        "secret_source",
    ] {
        assert!(g.get(key).is_some(), "github.{key} is missing");
    }
}

#[test]
fn push_sends_what_upstream_lacks() {
    let repo = TestRepo::new();
    repo.add_origin();
    let pushed = repo.git(&["rev-parse", "HEAD"]);
    repo.write("docs/index.md", "docs\n");
    repo.commit("docs");
    repo.write("shared/core.mojo", "core\n");
    let head = repo.commit("core");
    // An origin on GitHub names the repository.
    repo.git(&[
        "remote",
        "set-url",
        "origin",
        "git@github.com:octo-org/hello-world.git",
    ]);
    let e = repo.event(opts("push"));
    let p = payload(&e);
    assert_eq!(p["before"], pushed.as_str());
    assert_eq!(p["after"], head.as_str());
    let ids: Vec<&str> = p["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["message"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["docs", "core"]);
    assert_eq!(
        e.changed_files.as_deref(),
        Some(&["docs/index.md".to_owned(), "shared/core.mojo".to_owned()][..])
    );
    let g = github(&e);
    assert_eq!(g["repository"], "octo-org/hello-world");
    assert_eq!(g["repository_owner"], "octo-org");
    assert_eq!(
        p["repository"]["html_url"],
        "https://github.com/octo-org/hello-world"
    );
}

#[test]
fn up_to_date_branch_falls_back_to_the_last_commit() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    let head = repo.commit("a");
    repo.add_origin();
    let e = repo.event(opts("push"));
    let p = payload(&e);
    assert_eq!(p["commits"].as_array().unwrap().len(), 1);
    assert_eq!(p["commits"][0]["id"], head.as_str());
    assert_eq!(e.changed_files.as_deref(), Some(&["a.txt".to_owned()][..]));
}

#[test]
fn before_and_after_override_and_detect_force_pushes() {
    let repo = TestRepo::new();
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.write("one.txt", "1\n");
    let one = repo.commit("one");
    repo.git(&["checkout", "-q", "-b", "other", &base]);
    repo.write("two.txt", "2\n");
    let two = repo.commit("two");

    let e = repo.event(Options {
        before: Some(one.clone()),
        after: Some("HEAD".to_owned()),
        ..opts("push")
    });
    let p = payload(&e);
    assert_eq!(p["before"], one.as_str());
    assert_eq!(p["after"], two.as_str());
    assert_eq!(p["forced"], true);
    assert_eq!(p["ref"], "refs/heads/other");
    // Two-dot: what differs between the two commits.
    assert_eq!(
        e.changed_files.as_deref(),
        Some(&["one.txt".to_owned(), "two.txt".to_owned()][..])
    );

    let e = repo.event(Options {
        before: Some(base.clone()),
        git_ref: Some("main".to_owned()),
        ..opts("push")
    });
    let p = payload(&e);
    assert_eq!(p["ref"], "refs/heads/main");
    assert_eq!(p["after"], one.as_str());
    assert_eq!(p["forced"], false);

    let err = build_event(
        &repo.root,
        &Options {
            before: Some("no-such-rev".to_owned()),
            ..opts("push")
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadRevision { .. }), "{err}");
}

#[test]
fn tag_push() {
    let repo = TestRepo::new();
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["tag", "v1.0.0"]);
    let e = repo.event(Options {
        git_ref: Some("v1.0.0".to_owned()),
        ..opts("push")
    });
    assert_eq!(e.git_ref.as_deref(), Some("refs/tags/v1.0.0"));
    assert_eq!(e.changed_files, None);
    let g = github(&e);
    assert_eq!(g["ref_type"], "tag");
    assert_eq!(g["ref_name"], "v1.0.0");
    assert_eq!(g["sha"], head.as_str());
    assert_eq!(payload(&e)["created"], true);
}

/// main: README; feature (from main): shared/core.mojo; then main moves on
/// with papers/x.md, which the pull request does not change.
fn pr_repo() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.git(&["checkout", "-q", "-b", "feature/core"]);
    repo.write("shared/core.mojo", "core\n");
    repo.commit("Speed up the core");
    repo.write("shared/util.mojo", "util\n");
    let head = repo.commit("Add util");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("papers/x.md", "paper\n");
    let base = repo.commit("paper");
    repo.git(&["checkout", "-q", "feature/core"]);
    (repo, head, base)
}

#[test]
fn pull_request_from_the_merge_base() {
    let (repo, head, base) = pr_repo();
    let e = repo.event(opts("pull_request"));
    assert_eq!(e.action.as_deref(), Some("opened"));
    assert_eq!(e.git_ref.as_deref(), Some("refs/heads/main"));
    assert_eq!(e.head_ref.as_deref(), Some("feature/core"));
    assert_eq!(e.base_ref.as_deref(), Some("main"));
    assert_eq!(
        e.changed_files.as_deref(),
        Some(&["shared/core.mojo".to_owned(), "shared/util.mojo".to_owned()][..])
    );
    let p = payload(&e);
    assert_eq!(p["action"], "opened");
    assert_eq!(p["number"], 1);
    let pr = &p["pull_request"];
    assert_eq!(pr["number"], 1);
    assert_eq!(pr["title"], "Add util");
    assert_eq!(pr["head"]["ref"], "feature/core");
    assert_eq!(pr["head"]["sha"], head.as_str());
    assert_eq!(pr["base"]["ref"], "main");
    assert_eq!(pr["base"]["sha"], base.as_str());
    assert_eq!(pr["head"]["repo"]["full_name"], "gantry/hello");
    assert_eq!(pr["merged"], false);
    assert_eq!(pr["draft"], false);
    assert_eq!(pr["labels"], json!([]));
    assert_eq!(pr["commits"], 2);
    assert_eq!(pr["changed_files"], 2);
    assert_eq!(pr["additions"], 2);
    assert_eq!(pr["state"], "open");
    let g = github(&e);
    assert_eq!(g["ref"], "refs/pull/1/merge");
    assert_eq!(g["ref_name"], "1/merge");
    assert_eq!(g["ref_type"], "branch");
    assert_eq!(g["head_ref"], "feature/core");
    assert_eq!(g["base_ref"], "main");
    assert_eq!(g["sha"], head.as_str());
}

#[test]
fn pull_request_flags() {
    let (repo, head, _) = pr_repo();
    repo.git(&["branch", "develop", "main~1"]);
    let e = repo.event(Options {
        action: Some("synchronize".to_owned()),
        number: Some(42),
        base: Some("develop".to_owned()),
        ..opts("pull_request")
    });
    let p = payload(&e);
    assert_eq!(p["action"], "synchronize");
    assert_eq!(p["number"], 42);
    assert_eq!(p["after"], head.as_str());
    assert_eq!(p["pull_request"]["base"]["ref"], "develop");
    assert_eq!(github(&e)["ref"], "refs/pull/42/merge");
    assert_eq!(e.git_ref.as_deref(), Some("refs/heads/develop"));

    let err = build_event(
        &repo.root,
        &Options {
            base: Some("nope".to_owned()),
            ..opts("pull_request")
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadBase(_)), "{err}");
}

#[test]
fn pull_request_target_runs_on_the_base() {
    let (repo, _, base) = pr_repo();
    let e = repo.event(opts("pull_request_target"));
    let g = github(&e);
    assert_eq!(g["ref"], "refs/heads/main");
    assert_eq!(g["sha"], base.as_str());
    assert_eq!(g["head_ref"], "feature/core");
    assert_eq!(e.changed_files.as_ref().map(Vec::len), Some(2));
}

#[test]
fn workflow_dispatch_with_inputs() {
    let repo = TestRepo::new();
    let e = repo.event(Options {
        inputs: vec![
            ("level".to_owned(), "debug".to_owned()),
            ("dry".to_owned(), "true".to_owned()),
        ],
        ..opts("workflow_dispatch")
    });
    assert_eq!(
        e.raw_inputs,
        [
            ("level".to_owned(), "debug".to_owned()),
            ("dry".to_owned(), "true".to_owned())
        ]
    );
    let p = payload(&e);
    assert_eq!(p["inputs"], json!({"level": "debug", "dry": "true"}));
    assert_eq!(p["ref"], "refs/heads/main");
    assert_eq!(e.changed_files, None);
    assert_eq!(gantry_events::parse_input("a=b=c").unwrap().1, "b=c");
    assert!(gantry_events::parse_input("novalue").is_err());
}

#[test]
fn schedule_runs_on_the_default_branch() {
    let repo = TestRepo::new();
    let main = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.write("t.txt", "t\n");
    repo.commit("t");
    let e = repo.event(Options {
        schedule: Some("0 0 * * 0".to_owned()),
        ..opts("schedule")
    });
    assert_eq!(e.schedule.as_deref(), Some("0 0 * * 0"));
    assert_eq!(e.git_ref.as_deref(), Some("refs/heads/main"));
    let p = payload(&e);
    assert_eq!(p["schedule"], "0 0 * * 0");
    assert_eq!(github(&e)["sha"], main.as_str());
    assert_eq!(repo.event(opts("schedule")).schedule, None);
}

#[test]
fn release_uses_the_latest_tag() {
    let repo = TestRepo::new();
    assert!(matches!(
        build_event(&repo.root, &opts("release")).unwrap_err(),
        Error::NoTag
    ));
    repo.git(&["tag", "v1"]);
    repo.write("b", "b\n");
    repo.commit("b");
    repo.git(&["tag", "-a", "-m", "two", "v2"]);
    let e = repo.event(opts("release"));
    assert_eq!(e.action.as_deref(), Some("published"));
    let p = payload(&e);
    assert_eq!(p["release"]["tag_name"], "v2");
    let g = github(&e);
    assert_eq!(g["ref"], "refs/tags/v2");
    assert_eq!(g["ref_type"], "tag");
    let e = repo.event(Options {
        tag: Some("v1".to_owned()),
        action: Some("created".to_owned()),
        ..opts("release")
    });
    assert_eq!(payload(&e)["release"]["tag_name"], "v1");
    assert_eq!(payload(&e)["action"], "created");
}

#[test]
fn merge_group_workflow_run_and_others() {
    let (repo, head, base) = pr_repo();
    let e = repo.event(opts("merge_group"));
    let p = payload(&e);
    assert_eq!(p["action"], "checks_requested");
    assert_eq!(p["merge_group"]["base_ref"], "refs/heads/main");
    assert_eq!(p["merge_group"]["head_sha"], head.as_str());
    assert_eq!(
        github(&e)["ref"],
        format!("refs/heads/gh-readonly-queue/main/pr-1-{base}").as_str()
    );
    assert_eq!(e.git_ref.as_deref(), Some("refs/heads/main"));

    let e = repo.event(Options {
        workflow: Some("Tests".to_owned()),
        ..opts("workflow_run")
    });
    let run = e.workflow_run.clone().unwrap();
    assert_eq!(run.workflow, "Tests");
    assert_eq!(run.head_branch.as_deref(), Some("feature/core"));
    assert_eq!(payload(&e)["workflow_run"]["conclusion"], "success");
    assert_eq!(github(&e)["ref"], "refs/heads/main");

    let e = repo.event(Options {
        action: Some("deploy".to_owned()),
        ..opts("repository_dispatch")
    });
    assert_eq!(e.action.as_deref(), Some("deploy"));
    assert_eq!(github(&e)["sha"], base.as_str());

    let e = repo.event(opts("workflow_call"));
    assert_eq!(github(&e)["ref"], "refs/heads/feature/core");
}

#[test]
fn payload_file_wins() {
    let (repo, _, _) = pr_repo();
    let file = repo.root.with_file_name("event.json");
    std::fs::write(
        &file,
        r#"{"number": 7, "pull_request": {"number": 7, "labels": [{"name": "perf"}],
            "head": {"ref": "other"}, "draft": true}, "action": "labeled"}"#,
    )
    .unwrap();
    let e = repo.event(Options {
        event_path: Some(file.clone()),
        ..opts("pull_request")
    });
    assert_eq!(e.action.as_deref(), Some("labeled"));
    assert_eq!(e.head_ref.as_deref(), Some("other"));
    let p = payload(&e);
    assert_eq!(p["pull_request"]["labels"][0]["name"], "perf");
    assert_eq!(p["pull_request"]["draft"], true);
    // What the file does not say, git does.
    assert_eq!(p["pull_request"]["base"]["ref"], "main");
    let g = github(&e);
    assert_eq!(g["ref"], "refs/pull/7/merge");
    assert!(g["event_path"].as_str().unwrap().ends_with("event.json"));

    // An event git knows nothing about, from a file.
    std::fs::write(
        &file,
        r#"{"action": "opened", "issue": {"number": 3, "title": "Bug"}}"#,
    )
    .unwrap();
    let e = repo.event(Options {
        event_path: Some(file.clone()),
        ..opts("issues")
    });
    assert_eq!(e.action.as_deref(), Some("opened"));
    assert_eq!(payload(&e)["issue"]["title"], "Bug");
    assert_eq!(github(&e)["ref"], "refs/heads/main");

    std::fs::write(&file, "[1]").unwrap();
    let err = build_event(
        &repo.root,
        &Options {
            event_path: Some(file),
            ..opts("push")
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadPayload { .. }), "{err}");
}

#[test]
fn default_branch_sources() {
    let repo = TestRepo::new();
    repo.git(&["branch", "-m", "trunk"]);
    assert_eq!(repo.event(opts("push")).default_branch, "trunk");
    repo.git(&["branch", "master"]);
    assert_eq!(repo.event(opts("push")).default_branch, "master");
    repo.git(&["update-ref", "refs/remotes/origin/dev", "HEAD"]);
    repo.git(&[
        "symbolic-ref",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/dev",
    ]);
    assert_eq!(repo.event(opts("push")).default_branch, "dev");
    let e = repo.event(Options {
        default_branch: Some("release".to_owned()),
        ..opts("push")
    });
    assert_eq!(e.default_branch, "release");
    assert_eq!(payload(&e)["repository"]["default_branch"], "release");
}

#[test]
fn overrides_for_what_git_cannot_tell() {
    let repo = TestRepo::new();
    let e = repo.event(Options {
        actor: Some("octocat".to_owned()),
        repository: Some("octo-org/widgets".to_owned()),
        server_url: Some("https://ghe.example.com/".to_owned()),
        changed: Some(vec!["docs/index.md".to_owned()]),
        ..opts("push")
    });
    assert_eq!(
        e.changed_files.as_deref(),
        Some(&["docs/index.md".to_owned()][..])
    );
    let g = github(&e);
    assert_eq!(g["actor"], "octocat");
    assert_eq!(g["repository"], "octo-org/widgets");
    assert_eq!(g["server_url"], "https://ghe.example.com");
    assert_eq!(g["api_url"], "https://ghe.example.com/api/v3");
    assert_eq!(g["graphql_url"], "https://ghe.example.com/api/graphql");
    assert_eq!(
        g["repositoryUrl"],
        "git://ghe.example.com/octo-org/widgets.git"
    );
    assert_eq!(payload(&e)["sender"]["login"], "octocat");

    let err = build_event(
        &repo.root,
        &Options {
            repository: Some("nope".to_owned()),
            ..opts("push")
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadRepository(_)), "{err}");
}

#[test]
fn clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = build_event(dir.path(), &opts("push")).unwrap_err();
    assert!(matches!(err, Error::NotARepository { .. }), "{err}");
    assert!(err.to_string().contains("not inside a git repository"));

    git_in(dir.path(), &["init", "-q", "-b", "main"]);
    let err = build_event(dir.path(), &opts("push")).unwrap_err();
    assert!(matches!(err, Error::NoCommits), "{err}");

    let repo = TestRepo::new();
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "-q", "--detach", &head]);
    let err = build_event(&repo.root, &opts("push")).unwrap_err();
    assert!(err.to_string().contains("--ref"), "{err}");
}

#[test]
fn subdirectory_finds_the_root() {
    let repo = TestRepo::new();
    repo.write("sub/dir/f.txt", "f\n");
    repo.commit("f");
    let e = build_event(&repo.root.join("sub/dir"), &opts("push")).unwrap();
    let ws = github(&e)["workspace"].as_str().unwrap().to_owned();
    assert_eq!(
        Path::new(&ws).canonicalize().unwrap(),
        repo.root.canonicalize().unwrap()
    );
}
