//! Hands the loaded workflows and the event to the planner and renders the
//! plan.

use gantry_events::{Event, WorktreeRepo};
use gantry_plan::{
    Plan, PlanOptions, WorkflowPlan, plan, render_dot, render_human, render_json, render_mermaid,
};

use super::Loaded;
use crate::cli::{GraphFormat, PlanArgs, PlanFormat};

/// A workflow file that could not be loaded, as the plan lists it.
fn not_loaded(file: &str, error: &str) -> WorkflowPlan {
    WorkflowPlan {
        file: file.to_owned(),
        name: file.to_owned(),
        triggered: false,
        reason: Some(format!("not loaded: {error}")),
        not_triggered: None,
        run_name: None,
        concurrency: None,
        inputs: None,
        errors: Vec::new(),
        jobs: Vec::new(),
    }
}

/// Plans every loaded workflow and lists the others as not planned, in file
/// order.
pub fn build_plan(
    loaded: Vec<Loaded>,
    event: &Event,
    platforms: Vec<(String, String)>,
    repo: &WorktreeRepo,
) -> Plan {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for l in loaded {
        match l.result {
            Ok(wf) => good.push((l.file, wf)),
            Err(e) => bad.push(not_loaded(&l.file, &e)),
        }
    }
    let mut plan = plan(&good, event, &PlanOptions { platforms }, repo);
    if !bad.is_empty() {
        plan.workflows.extend(bad);
        plan.workflows.sort_by(|a, b| a.file.cmp(&b.file));
    }
    plan
}

/// The plan in the format asked for.
pub fn render(plan: &Plan, args: &PlanArgs, colour: bool) -> String {
    match (args.graph, args.format) {
        (Some(GraphFormat::Mermaid), _) => render_mermaid(plan),
        (Some(GraphFormat::Dot), _) => render_dot(plan),
        (None, PlanFormat::Json) => render_json(plan),
        (None, PlanFormat::Human) => render_human(plan, args.explain, colour),
    }
}
