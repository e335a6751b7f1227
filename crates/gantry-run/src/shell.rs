//! GitHub's shells: how a `run:` script becomes a command line.

use std::path::Path;

/// How to run a script: the program, its arguments (with `{0}` replaced
/// by the script path), and the script file's extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellCommand {
    pub program: String,
    pub args: Vec<String>,
    pub extension: &'static str,
    /// The shell as the user named it (`bash`, `python`, a template).
    pub name: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShellError {
    #[error("shell `{0}` is only available on Windows runners")]
    WindowsOnly(String),
    #[error("the custom shell `{0}` must contain `{{0}}`, where the script path goes")]
    NoPlaceholder(String),
    #[error("the shell is empty")]
    Empty,
}

/// Whether a program is on `PATH`.
pub fn on_path(program: &str, path_var: Option<&str>) -> bool {
    find_on_path(program, path_var).is_some()
}

/// Programs found on `PATH` before, by program and `PATH` value: every step
/// looks its shell up, usually the same one on the same `PATH`.
type Found = std::collections::HashMap<(String, String), std::path::PathBuf>;
static FOUND: std::sync::Mutex<Option<Found>> = std::sync::Mutex::new(None);

/// The program's full path, found on `PATH` (a name with a `/` is taken as
/// it is). `bash` and `sh`, found before on the same `PATH`, are checked
/// where they were found (one `stat`) instead of searched for again (a
/// program gone from there is searched for again). Other programs (say
/// `python`, which a virtual environment put on `PATH` earlier may come to
/// shadow) are searched for every time.
pub fn find_on_path(program: &str, path_var: Option<&str>) -> Option<std::path::PathBuf> {
    if program.contains('/') {
        return Some(std::path::PathBuf::from(program));
    }
    let path = match path_var {
        Some(p) => p.to_owned(),
        None => std::env::var("PATH").unwrap_or_default(),
    };
    if !matches!(program, "bash" | "sh") {
        return std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|p| is_executable(p));
    }
    let key = (program.to_owned(), path);
    let cached = FOUND
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .and_then(|m| m.get(&key).cloned());
    if let Some(p) = cached.filter(|p| is_executable(p)) {
        return Some(p);
    }
    let found = std::env::split_paths(&key.1)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))?;
    FOUND
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get_or_insert_with(Found::new)
        .insert(key, found.clone());
    Some(found)
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Resolves the `shell:` value (`None` when not given) for a Linux host.
/// `path_var` is the step's `PATH`, to find bash and python.
pub fn resolve(shell: Option<&str>, path_var: Option<&str>) -> Result<ShellCommand, ShellError> {
    resolve_with(shell, &|program| on_path(program, path_var))
}

/// [`resolve`] where `has` says whether a program (`bash`, `python`) is
/// there: on this host, or in a job's container.
pub fn resolve_with(
    shell: Option<&str>,
    has: &dyn Fn(&str) -> bool,
) -> Result<ShellCommand, ShellError> {
    let template =
        |name: &str, program: &str, args: &[&str], extension: &'static str| ShellCommand {
            program: program.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            extension,
            name: name.to_owned(),
        };
    let Some(shell) = shell.map(str::trim) else {
        // No shell: bash if there is one, else sh.
        return Ok(if has("bash") {
            template("bash", "bash", &["-e", "{0}"], ".sh")
        } else {
            template("sh", "sh", &["-e", "{0}"], ".sh")
        });
    };
    Ok(match shell {
        "" => return Err(ShellError::Empty),
        "bash" => template(
            "bash",
            "bash",
            &["--noprofile", "--norc", "-eo", "pipefail", "{0}"],
            ".sh",
        ),
        "sh" => template("sh", "sh", &["-e", "{0}"], ".sh"),
        "python" => {
            let program = if has("python") { "python" } else { "python3" };
            template("python", program, &["{0}"], ".py")
        }
        "pwsh" => template("pwsh", "pwsh", &["-command", ". '{0}'"], ".ps1"),
        "powershell" | "cmd" => return Err(ShellError::WindowsOnly(shell.to_owned())),
        custom => {
            if !custom.contains("{0}") {
                return Err(ShellError::NoPlaceholder(custom.to_owned()));
            }
            let mut words = custom.split_whitespace();
            let program = words.next().ok_or(ShellError::Empty)?.to_owned();
            let extension = match program.rsplit('/').next().unwrap_or(&program) {
                "bash" | "sh" => ".sh",
                "python" | "python3" => ".py",
                "pwsh" => ".ps1",
                _ => "",
            };
            ShellCommand {
                program,
                args: words.map(str::to_owned).collect(),
                extension,
                name: custom.to_owned(),
            }
        }
    })
}

impl ShellCommand {
    /// The program as a full path, looked up once on the step's `PATH`:
    /// spawning a full path avoids a `PATH` search per step and lets the
    /// standard library use `posix_spawn`.
    pub fn absolute_program(&self, path_var: Option<&str>) -> String {
        find_on_path(&self.program, path_var).map_or_else(
            || self.program.clone(),
            |p| p.to_string_lossy().into_owned(),
        )
    }

    /// The arguments with the script path in place of `{0}`.
    pub fn args_for(&self, script: &Path) -> Vec<String> {
        let p = script.to_string_lossy();
        self.args.iter().map(|a| a.replace("{0}", &p)).collect()
    }

    /// The command line as shown to the user.
    pub fn display(&self, script: &Path) -> String {
        let mut s = self.program.clone();
        for a in self.args_for(script) {
            s.push(' ');
            s.push_str(&a);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let b = resolve(Some("bash"), None).unwrap();
        assert_eq!(
            b.display(Path::new("/t/s.sh")),
            "bash --noprofile --norc -eo pipefail /t/s.sh"
        );
        let d = resolve(None, None).unwrap();
        assert_eq!(d.display(Path::new("/t/s.sh")), "bash -e /t/s.sh");
        let d = resolve(None, Some("/nonexistent")).unwrap();
        assert_eq!(d.program, "sh");
        let c = resolve(Some("perl {0} --flag"), None).unwrap();
        assert_eq!(c.display(Path::new("x")), "perl x --flag");
        assert!(resolve(Some("perl"), None).is_err());
        assert!(matches!(
            resolve(Some("cmd"), None),
            Err(ShellError::WindowsOnly(_))
        ));
    }

    #[cfg(unix)]
    fn fake_program(dir: &Path, name: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn a_cached_shell_that_is_gone_is_searched_for_again() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = format!("{}:{}", a.path().display(), b.path().display());
        let first = fake_program(a.path(), "bash");
        let second = fake_program(b.path(), "bash");
        assert_eq!(find_on_path("bash", Some(&path)), Some(first.clone()));
        std::fs::remove_file(&first).unwrap();
        assert_eq!(find_on_path("bash", Some(&path)), Some(second));
    }

    #[test]
    fn other_programs_are_searched_every_time_so_a_new_one_earlier_on_path_wins() {
        // A virtual environment's python appearing in a PATH directory
        // before the system's one shadows it from then on.
        let (venv, system) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = format!("{}:{}", venv.path().display(), system.path().display());
        let sys = fake_program(system.path(), "python");
        assert_eq!(find_on_path("python", Some(&path)), Some(sys));
        let new = fake_program(venv.path(), "python");
        assert_eq!(find_on_path("python", Some(&path)), Some(new));
    }
}
