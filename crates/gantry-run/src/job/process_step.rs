//! Running a process as a step: `run:` scripts and JavaScript actions
//! share this. The environment and `PATH` a step sees, its file-command
//! files (`GITHUB_ENV`, `GITHUB_OUTPUT`, `GITHUB_PATH`, `GITHUB_STATE`,
//! `GITHUB_STEP_SUMMARY`), its workflow commands, and how its exit becomes
//! an outcome.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::watch;

use super::{Ctx, JobSpec, State};
use crate::commands::{self, Annotation, AnnotationLevel};
use crate::event::{Conclusion, Event};
use crate::file_commands::{self, MAX_SUMMARY_BYTES};
use crate::process::{self, Exit, ProcessSpec, Stream};

/// A process to run as a step.
pub(super) struct ProcessStep {
    pub program: String,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// The complete environment, from [`full_env`]; the file-command
    /// variables are added.
    pub env: BTreeMap<String, String>,
    pub timeout: Option<Duration>,
    /// The command line as shown.
    pub command: String,
    /// Whether a non-zero exit gets an error annotation (scripts do;
    /// JavaScript actions report their own failures).
    pub annotate_exit: bool,
    /// A Docker action's container to run instead of `program`.
    pub docker: Option<super::containers::DockerRun>,
    /// The variables the workflow, the step or the action set (as opposed
    /// to the host's own, which a container does not get).
    pub declared: std::collections::BTreeSet<String>,
}

/// What the process produced.
pub(super) struct ProcessDone {
    pub outcome: Conclusion,
    pub outputs: BTreeMap<String, String>,
    /// `$GITHUB_STATE` (and `save-state`) values.
    pub state: BTreeMap<String, String>,
}

/// The environment of a step's process: the runner's, then the step's
/// `env`, with `PATH` led by the `$GITHUB_PATH` additions.
pub(super) fn full_env(
    spec: &JobSpec,
    state: &State,
    env: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut full = spec.base_env.clone();
    full.extend(env);
    let tail = full
        .get("PATH")
        .or_else(|| spec.base_env.get("PATH"))
        .cloned()
        .unwrap_or_default();
    let mut parts = state.path_prefix.clone();
    if !tail.is_empty() {
        parts.push(tail);
    }
    full.insert("PATH".to_owned(), parts.join(":"));
    full
}

/// Runs the process, reporting its output at step `index`, and applies
/// what it asked for: `$GITHUB_ENV` and `$GITHUB_PATH` change the job's
/// state; outputs, state and the outcome are returned.
pub(super) async fn run(
    cx: &Ctx<'_>,
    state: &mut State,
    index: usize,
    p: ProcessStep,
    cancel: watch::Receiver<bool>,
) -> ProcessDone {
    let spec = cx.spec;
    state.seq += 1;
    let files = match FileCommands::create(&spec.dirs.temp) {
        Ok(f) => f,
        Err(e) => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!("cannot prepare file commands: {e}"),
            );
            return ProcessDone {
                outcome: Conclusion::Failure,
                outputs: BTreeMap::new(),
                state: BTreeMap::new(),
            };
        }
    };
    let mut full_env = p.env;
    full_env.extend(files.env());
    cx.emit(Event::StepCommand {
        job: spec.key.clone(),
        step: index,
        // A Docker action's arguments can carry secrets.
        command: cx.masker.mask(&p.command),
    });
    let allow_unsecure = full_env
        .get("ACTIONS_ALLOW_UNSECURE_COMMANDS")
        .is_some_and(|v| v == "true");
    let step_debug = full_env
        .get("ACTIONS_STEP_DEBUG")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let pspec = ProcessSpec {
        program: p.program,
        args: p.args,
        cwd: p.cwd,
        env: full_env,
        timeout: p.timeout,
    };
    let mut lines = LineProcessor {
        cx,
        index,
        stop_token: None,
        outputs: BTreeMap::new(),
        new_env: Vec::new(),
        new_path: Vec::new(),
        new_state: Vec::new(),
        failed: false,
        allow_unsecure,
        step_debug,
    };
    // Where it runs: a Docker action's container, the job's container, or
    // this host.
    let exit = if let Some(run) = &p.docker {
        let prefix = state.path_prefix.clone();
        super::containers::run_action(
            spec,
            &mut state.docker,
            run,
            &pspec,
            &p.declared,
            &prefix,
            cancel,
            &mut |stream, line| lines.line(stream, &line),
        )
        .await
    } else if let Some(c) = cx.container {
        c.exec(
            &pspec,
            &spec.base_env,
            &p.declared,
            &state.path_prefix,
            cancel,
            &mut |stream, line| lines.line(stream, &line),
        )
        .await
    } else {
        process::run(&pspec, cancel, |stream, line| lines.line(stream, &line)).await
    };
    let mut outputs = std::mem::take(&mut lines.outputs);
    let mut saved: BTreeMap<String, String> = lines.new_state.drain(..).collect();
    let mut command_failed = lines.failed;
    for (k, v) in lines.new_env.drain(..) {
        state.env.insert(k, v);
    }
    for p in lines.new_path.drain(..) {
        state.path_prefix.insert(0, p);
    }
    // File commands.
    match file_commands::parse_key_values(&files.read("GITHUB_ENV"), "GITHUB_ENV") {
        Ok(pairs) => {
            for (k, v) in pairs {
                if let Some(why) = file_commands::refused_env_name(&k) {
                    cx.annotate(index, AnnotationLevel::Warning, why.to_owned());
                } else {
                    state.env.insert(k, v);
                }
            }
        }
        Err(e) => {
            cx.annotate(index, AnnotationLevel::Error, e.to_string());
            command_failed = true;
        }
    }
    for (file, into) in [
        ("GITHUB_OUTPUT", &mut outputs),
        ("GITHUB_STATE", &mut saved),
    ] {
        match file_commands::parse_key_values(&files.read(file), file) {
            Ok(pairs) => into.extend(pairs),
            Err(e) => {
                cx.annotate(index, AnnotationLevel::Error, e.to_string());
                command_failed = true;
            }
        }
    }
    for dir in file_commands::parse_path(&files.read("GITHUB_PATH"))
        .into_iter()
        .rev()
    {
        state.path_prefix.insert(0, dir);
    }
    let summary = files.read("GITHUB_STEP_SUMMARY");
    if summary.len() > MAX_SUMMARY_BYTES {
        cx.annotate(index, AnnotationLevel::Warning, format!("$GITHUB_STEP_SUMMARY is {} bytes; GitHub accepts at most 1 MiB, so it was not kept", summary.len()));
    } else if !summary.trim().is_empty() {
        cx.emit(Event::StepSummary {
            job: spec.key.clone(),
            step: index,
            markdown: cx.masker.mask(&summary),
        });
    }
    files.remove();
    let outcome = match exit {
        Exit::Code(0) if !command_failed => Conclusion::Success,
        Exit::Code(0) => Conclusion::Failure,
        Exit::Code(c) => {
            if p.annotate_exit {
                cx.annotate(
                    index,
                    AnnotationLevel::Error,
                    format!("Process completed with exit code {c}."),
                );
            } else {
                cx.emit(Event::Debug {
                    job: spec.key.clone(),
                    step: index,
                    message: format!("The process completed with exit code {c}."),
                    step_debug: false,
                });
            }
            Conclusion::Failure
        }
        Exit::Signal(s) => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!("Process was killed by signal {s}."),
            );
            Conclusion::Failure
        }
        Exit::TimedOut => {
            cx.annotate(
                index,
                AnnotationLevel::Error,
                format!(
                    "The step timed out after {} minutes.",
                    p.timeout.map_or(0.0, |t| t.as_secs_f64() / 60.0)
                ),
            );
            Conclusion::Failure
        }
        Exit::Cancelled => Conclusion::Cancelled,
        Exit::SpawnFailed(m) => {
            cx.annotate(index, AnnotationLevel::Error, m);
            Conclusion::Failure
        }
    };
    ProcessDone {
        outcome,
        outputs,
        state: saved,
    }
}

/// The file-command files of one step.
struct FileCommands {
    dir: PathBuf,
}

impl FileCommands {
    const FILES: [(&'static str, &'static str); 5] = [
        ("GITHUB_ENV", "set_env"),
        ("GITHUB_OUTPUT", "set_output"),
        ("GITHUB_PATH", "add_path"),
        ("GITHUB_STATE", "save_state"),
        ("GITHUB_STEP_SUMMARY", "step_summary"),
    ];

    /// The files are made once per job and stay empty for the next step
    /// unless a step writes to them (new files for every step cost more
    /// than the step itself for short ones). A file that is missing (the
    /// first step, or removed after a step wrote to it) is made here.
    fn create(temp: &Path) -> std::io::Result<FileCommands> {
        let dir = temp.join(crate::workspace::FILE_COMMANDS_DIR);
        std::fs::create_dir_all(&dir)?;
        for (_, f) in Self::FILES {
            let path = dir.join(f);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() && m.len() == 0 => {}
                Ok(_) => {
                    let _ = std::fs::remove_file(&path);
                    std::fs::File::create(&path)?;
                }
                Err(_) => {
                    std::fs::File::create(&path)?;
                }
            }
        }
        Ok(FileCommands { dir })
    }

    fn env(&self) -> impl Iterator<Item = (String, String)> + '_ {
        Self::FILES.iter().map(|(var, f)| {
            (
                (*var).to_owned(),
                self.dir.join(f).to_string_lossy().into_owned(),
            )
        })
    }

    /// Removes the files a step wrote to, once read: what a step wrote
    /// (which may hold secrets) does not stay on disk. Removed rather than
    /// emptied: cutting a freshly written file to zero bytes makes ext4
    /// write its data out first. The empty ones are reused by the next step.
    fn remove(&self) {
        for (_, f) in Self::FILES {
            let path = self.dir.join(f);
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.len() > 0) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }

    fn read(&self, var: &str) -> String {
        let f = Self::FILES
            .iter()
            .find(|(v, _)| *v == var)
            .map_or("", |(_, f)| f);
        let path = self.dir.join(f);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() == 0) {
            return String::new();
        }
        std::fs::read_to_string(path).unwrap_or_default()
    }
}

/// Interprets a step's output lines: workflow commands, masking, events.
struct LineProcessor<'a, 'b> {
    cx: &'a Ctx<'b>,
    index: usize,
    stop_token: Option<String>,
    outputs: BTreeMap<String, String>,
    new_env: Vec<(String, String)>,
    new_path: Vec<String>,
    new_state: Vec<(String, String)>,
    failed: bool,
    allow_unsecure: bool,
    step_debug: bool,
}

impl LineProcessor<'_, '_> {
    fn out(&self, stream: Stream, line: &str) {
        self.cx.emit(Event::Output {
            job: self.cx.spec.key.clone(),
            step: self.index,
            stream,
            line: self.cx.masker.mask(line),
        });
    }

    fn line(&mut self, stream: Stream, line: &str) {
        if let Some(token) = &self.stop_token {
            if line.trim() == format!("::{token}::") {
                self.stop_token = None;
            } else {
                self.out(stream, line);
            }
            return;
        }
        let Some(cmd) = commands::parse(line) else {
            self.out(stream, line);
            return;
        };
        let job = self.cx.spec.key.clone();
        let index = self.index;
        match cmd.name.as_str() {
            "add-mask" => {
                self.cx.masker.add_value(&cmd.message);
                self.out(stream, "::add-mask::***");
            }
            "group" => self.cx.emit(Event::GroupStarted {
                job,
                step: index,
                title: self.cx.masker.mask(&cmd.message),
            }),
            "endgroup" => self.cx.emit(Event::GroupEnded { job, step: index }),
            "debug" => self.cx.emit(Event::Debug {
                job,
                step: index,
                message: self.cx.masker.mask(&cmd.message),
                step_debug: self.step_debug,
            }),
            "notice" | "warning" | "error" => {
                if let Some(mut a) = Annotation::from_command(&cmd) {
                    a.message = self.cx.masker.mask(&a.message);
                    a.title = a.title.map(|t| self.cx.masker.mask(&t));
                    self.cx.emit(Event::Annotation {
                        job,
                        step: index,
                        annotation: a,
                    });
                }
            }
            "stop-commands" => {
                if !cmd.message.is_empty() {
                    self.stop_token = Some(cmd.message.clone());
                }
            }
            "set-output" => {
                self.cx.annotate(
                    index,
                    AnnotationLevel::Warning,
                    "The `set-output` command is deprecated; write to $GITHUB_OUTPUT instead"
                        .to_owned(),
                );
                if let Some(name) = cmd.properties.get("name") {
                    self.outputs.insert(name.clone(), cmd.message.clone());
                }
            }
            "save-state" => {
                self.cx.annotate(
                    index,
                    AnnotationLevel::Warning,
                    "The `save-state` command is deprecated; write to $GITHUB_STATE instead"
                        .to_owned(),
                );
                if let Some(name) = cmd.properties.get("name") {
                    self.new_state.push((name.clone(), cmd.message.clone()));
                }
            }
            "set-env" | "add-path" => {
                if self.allow_unsecure {
                    if cmd.name == "set-env" {
                        if let Some(name) = cmd.properties.get("name") {
                            self.new_env.push((name.clone(), cmd.message.clone()));
                        }
                    } else {
                        self.new_path.push(cmd.message.clone());
                    }
                } else {
                    self.cx.annotate(index, AnnotationLevel::Error, format!("The `{}` command is disabled. Use $GITHUB_{} instead, or set ACTIONS_ALLOW_UNSECURE_COMMANDS to true", cmd.name, if cmd.name == "set-env" { "ENV" } else { "PATH" }));
                    self.failed = true;
                }
            }
            "echo" | "add-matcher" | "remove-matcher" => {}
            _ => self.out(stream, line),
        }
    }
}
