//! Which contexts and special functions each workflow key may use, from the
//! "Context availability" table of GitHub's contexts reference.

/// A place in a workflow where expressions may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    RunName,
    WorkflowConcurrency,
    WorkflowEnv,
    WorkflowCallInputDefault,
    WorkflowCallOutputValue,
    JobConcurrency,
    JobContainer,
    JobContainerCredentials,
    JobContainerEnv,
    JobContinueOnError,
    JobDefaultsRun,
    JobEnv,
    JobEnvironment,
    JobEnvironmentUrl,
    JobIf,
    JobName,
    JobOutputs,
    JobRunsOn,
    JobSecrets,
    JobServices,
    JobServiceCredentials,
    JobServiceEnv,
    JobStrategy,
    JobTimeoutMinutes,
    JobWith,
    StepContinueOnError,
    StepEnv,
    StepIf,
    StepName,
    StepRun,
    StepTimeoutMinutes,
    StepWith,
    StepWorkingDirectory,
    /// `uses:` cannot hold expressions at all.
    Uses,
    /// Composite action steps and outputs (`action.yml`).
    ActionStep,
    ActionStepIf,
    ActionOutputValue,
}

/// The contexts and special functions a place allows.
#[derive(Clone, Copy, Debug)]
pub struct Availability {
    pub contexts: &'static [&'static str],
    pub functions: &'static [&'static str],
}

const STEP: &[&str] = &[
    "github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "secrets", "steps",
    "inputs",
];
const STEP_NO_SECRETS: &[&str] = &[
    "github", "needs", "strategy", "matrix", "job", "runner", "env", "vars", "steps", "inputs",
];
const JOB_BASIC: &[&str] = &["github", "needs", "strategy", "matrix", "vars", "inputs"];
const STATUS: &[&str] = &["always", "cancelled", "success", "failure"];
const STATUS_HASH: &[&str] = &["always", "cancelled", "success", "failure", "hashfiles"];
const HASH: &[&str] = &["hashfiles"];

impl Place {
    /// The workflow key as GitHub's table names it.
    pub fn key(self) -> &'static str {
        match self {
            Place::RunName => "run-name",
            Place::WorkflowConcurrency => "concurrency",
            Place::WorkflowEnv => "env",
            Place::WorkflowCallInputDefault => "on.workflow_call.inputs.<inputs_id>.default",
            Place::WorkflowCallOutputValue => "on.workflow_call.outputs.<output_id>.value",
            Place::JobConcurrency => "jobs.<job_id>.concurrency",
            Place::JobContainer => "jobs.<job_id>.container",
            Place::JobContainerCredentials => "jobs.<job_id>.container.credentials",
            Place::JobContainerEnv => "jobs.<job_id>.container.env.<env_id>",
            Place::JobContinueOnError => "jobs.<job_id>.continue-on-error",
            Place::JobDefaultsRun => "jobs.<job_id>.defaults.run",
            Place::JobEnv => "jobs.<job_id>.env",
            Place::JobEnvironment => "jobs.<job_id>.environment",
            Place::JobEnvironmentUrl => "jobs.<job_id>.environment.url",
            Place::JobIf => "jobs.<job_id>.if",
            Place::JobName => "jobs.<job_id>.name",
            Place::JobOutputs => "jobs.<job_id>.outputs.<output_id>",
            Place::JobRunsOn => "jobs.<job_id>.runs-on",
            Place::JobSecrets => "jobs.<job_id>.secrets.<secrets_id>",
            Place::JobServices => "jobs.<job_id>.services",
            Place::JobServiceCredentials => "jobs.<job_id>.services.<service_id>.credentials",
            Place::JobServiceEnv => "jobs.<job_id>.services.<service_id>.env.<env_id>",
            Place::JobStrategy => "jobs.<job_id>.strategy",
            Place::JobTimeoutMinutes => "jobs.<job_id>.timeout-minutes",
            Place::JobWith => "jobs.<job_id>.with.<with_id>",
            Place::StepContinueOnError => "jobs.<job_id>.steps.continue-on-error",
            Place::StepEnv => "jobs.<job_id>.steps.env",
            Place::StepIf => "jobs.<job_id>.steps.if",
            Place::StepName => "jobs.<job_id>.steps.name",
            Place::StepRun => "jobs.<job_id>.steps.run",
            Place::StepTimeoutMinutes => "jobs.<job_id>.steps.timeout-minutes",
            Place::StepWith => "jobs.<job_id>.steps.with",
            Place::StepWorkingDirectory => "jobs.<job_id>.steps.working-directory",
            Place::Uses => "jobs.<job_id>.steps.uses",
            Place::ActionStep => "runs.steps",
            Place::ActionStepIf => "runs.steps.if",
            Place::ActionOutputValue => "outputs.<output_id>.value",
        }
    }

    /// What the place allows.
    pub fn availability(self) -> Availability {
        let (contexts, functions): (&'static [&'static str], &'static [&'static str]) = match self {
            Place::RunName | Place::WorkflowConcurrency | Place::WorkflowCallInputDefault => {
                (&["github", "inputs", "vars"], &[])
            }
            Place::WorkflowEnv => (&["github", "secrets", "inputs", "vars"], &[]),
            Place::WorkflowCallOutputValue => (&["github", "jobs", "vars", "inputs"], &[]),
            Place::JobConcurrency
            | Place::JobContainer
            | Place::JobContinueOnError
            | Place::JobEnvironment
            | Place::JobName
            | Place::JobRunsOn
            | Place::JobServices
            | Place::JobTimeoutMinutes
            | Place::JobWith => (JOB_BASIC, &[]),
            Place::JobContainerCredentials | Place::JobServiceCredentials => (
                &[
                    "github", "needs", "strategy", "matrix", "env", "vars", "secrets", "inputs",
                ],
                &[],
            ),
            // GitHub's parser also allows `steps` here (checked against
            // @actions/workflow-parser), though the docs' table omits it.
            Place::JobContainerEnv | Place::JobServiceEnv => (STEP, &[]),
            Place::JobDefaultsRun => (
                &[
                    "github", "needs", "strategy", "matrix", "env", "vars", "inputs",
                ],
                &[],
            ),
            Place::JobEnv | Place::JobSecrets => (
                &[
                    "github", "needs", "strategy", "matrix", "vars", "secrets", "inputs",
                ],
                &[],
            ),
            Place::JobEnvironmentUrl => (STEP_NO_SECRETS, &[]),
            Place::JobIf => (&["github", "needs", "vars", "inputs"], STATUS),
            Place::JobOutputs => (STEP, &[]),
            Place::JobStrategy => (&["github", "needs", "vars", "inputs"], &[]),
            Place::StepContinueOnError
            | Place::StepEnv
            | Place::StepName
            | Place::StepRun
            | Place::StepTimeoutMinutes
            | Place::StepWith
            | Place::StepWorkingDirectory
            | Place::ActionStep => (STEP, HASH),
            Place::StepIf | Place::ActionStepIf => (STEP_NO_SECRETS, STATUS_HASH),
            Place::ActionOutputValue => (STEP, HASH),
            Place::Uses => (&[], &[]),
        };
        Availability {
            contexts,
            functions,
        }
    }
}

impl Availability {
    pub fn allows_context(&self, name: &str) -> bool {
        self.contexts.iter().any(|c| c.eq_ignore_ascii_case(name))
    }

    pub fn allows_function(&self, lower_name: &str) -> bool {
        self.functions
            .iter()
            .any(|f| f.eq_ignore_ascii_case(lower_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        assert!(!Place::JobIf.availability().allows_context("steps"));
        assert!(Place::JobIf.availability().allows_function("success"));
        assert!(!Place::StepIf.availability().allows_context("secrets"));
        assert!(Place::StepIf.availability().allows_function("hashFiles"));
        assert!(!Place::JobRunsOn.availability().allows_function("hashFiles"));
        assert!(Place::WorkflowEnv.availability().allows_context("secrets"));
        assert!(!Place::RunName.availability().allows_context("matrix"));
    }
}
