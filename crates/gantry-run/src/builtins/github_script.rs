//! `actions/github-script` (v6, v7): the `script` runs with the `node` on
//! PATH, as a JavaScript action bundled with Gantry (`github_script.js`),
//! with small shims of `core`, `context`, `glob`, `io`, `exec` and a
//! `github` REST client pointed at `GITHUB_API_URL` — for local runs the
//! REST API Gantry serves on loopback, which records what the workflow
//! does (comments, commit statuses, check runs, artifacts).

use crate::actions::{ActionContext, ActionOutput, Bundled, NativeAction};

/// The action's metadata: the real action's inputs and defaults.
const ACTION_YML: &str = r#"name: github-script (gantry built-in)
description: Run a script with the GitHub API and the workflow run's context
inputs:
  script:
    description: The script to run
    required: true
  github-token:
    description: The token for the GitHub API
    default: ${{ github.token }}
  debug:
    description: Whether to tell the client to log requests
    default: 'false'
  user-agent:
    description: The user agent of the client
    default: actions/github-script
  previews:
    description: Previews to accept
  result-encoding:
    description: How the result is encoded (json or string)
    default: json
  retries:
    description: Retries for failed requests
    default: '0'
  retry-exempt-status-codes:
    description: Status codes never retried
    default: 400,401,403,404,422
  base-url:
    description: The API's base URL
  encoding:
    description: Ignored
outputs:
  result:
    description: The return value of the script, stringified with `JSON.stringify`
runs:
  using: node20
  main: index.js
"#;

const MAIN_JS: &str = include_str!("github_script.js");

/// `actions/github-script`.
pub struct GithubScript;

impl NativeAction for GithubScript {
    fn name(&self) -> &'static str {
        "actions/github-script"
    }

    fn majors(&self) -> &'static [u32] {
        &[6, 7]
    }

    fn run(&self, _cx: &ActionContext<'_>) -> Result<ActionOutput, String> {
        Err("actions/github-script runs as a bundled JavaScript action".into())
    }

    fn bundled(&self) -> Option<Bundled> {
        Some(Bundled {
            action_yml: ACTION_YML,
            main_name: "index.js",
            main_js: MAIN_JS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_parses() {
        let (action, diags) = gantry_workflow::parse_action(ACTION_YML);
        let action = action.expect("action.yml");
        assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
        assert!(
            action
                .inputs
                .iter()
                .any(|i| i.name.value == "result-encoding")
        );
        assert!(MAIN_JS.contains("core.setOutput('result'"));
    }
}
