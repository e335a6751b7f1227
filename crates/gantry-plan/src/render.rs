//! Renderers of a [`Plan`](crate::Plan).

mod graph;
mod human;

pub use graph::{render_dot, render_mermaid};
pub use human::render_human;

/// The plan as versioned JSON (pretty-printed, stable order).
#[must_use]
pub fn render_json(plan: &crate::Plan) -> String {
    let mut s =
        serde_json::to_string_pretty(plan).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
