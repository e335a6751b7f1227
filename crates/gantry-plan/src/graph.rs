//! The job graph from `needs`: levels, a stable topological order, and the
//! problems (unknown needs, cycles) that GitHub rejects. The checker
//! reports those too; here they must only never make the planner hang.

/// A problem with `needs`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// `needs` names a job that does not exist.
    #[error("needs: job '{job}' needs '{need}', which does not exist")]
    UnknownNeed {
        /// The job.
        job: String,
        /// The missing job.
        need: String,
    },
    /// Jobs that need each other, directly or not.
    #[error("needs: jobs {} depend on each other in a cycle", quote(jobs))]
    Cycle {
        /// The jobs in the cycle (and those stuck behind it), in source order.
        jobs: Vec<String>,
    },
}

fn quote(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("'{i}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The order of a workflow's jobs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Order {
    /// Job indices: level by level, in source order within a level; jobs
    /// in or behind a cycle last, in source order.
    pub order: Vec<usize>,
    /// Each job's level (0 for jobs without needs); `None` in or behind a
    /// cycle.
    pub levels: Vec<Option<usize>>,
    /// Problems found.
    pub errors: Vec<GraphError>,
}

/// Orders jobs given as `(id, needs)` in source order. Ids compare
/// case-insensitively, as GitHub's do.
#[must_use]
pub fn order(jobs: &[(String, Vec<String>)]) -> Order {
    let n = jobs.len();
    let find = |id: &str| jobs.iter().position(|(j, _)| j.eq_ignore_ascii_case(id));
    let mut errors = Vec::new();
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(n);
    for (id, needs) in jobs {
        let mut d = Vec::new();
        for need in needs {
            match find(need) {
                Some(i) => {
                    if !d.contains(&i) {
                        d.push(i);
                    }
                }
                None => errors.push(GraphError::UnknownNeed {
                    job: id.clone(),
                    need: need.clone(),
                }),
            }
        }
        deps.push(d);
    }
    let mut levels: Vec<Option<usize>> = vec![None; n];
    let mut done = 0;
    let mut level = 0;
    let mut out = Vec::with_capacity(n);
    // At most n rounds: each round places at least one job or stops.
    while done < n {
        let ready: Vec<usize> = (0..n)
            .filter(|&i| {
                levels[i].is_none()
                    && deps[i]
                        .iter()
                        .all(|&d| levels[d].is_some_and(|l| l < level))
            })
            .collect();
        if ready.is_empty() {
            break;
        }
        for &i in &ready {
            levels[i] = Some(level);
        }
        done += ready.len();
        out.extend(ready);
        level += 1;
    }
    if done < n {
        let stuck: Vec<usize> = (0..n).filter(|&i| levels[i].is_none()).collect();
        errors.push(GraphError::Cycle {
            jobs: stuck.iter().map(|&i| jobs[i].0.clone()).collect(),
        });
        out.extend(stuck);
    }
    Order {
        order: out,
        levels,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(spec: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        spec.iter()
            .map(|(id, needs)| {
                (
                    (*id).to_owned(),
                    needs.iter().map(|n| (*n).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn levels_and_stable_order() {
        let o = order(&jobs(&[
            ("deploy", &["build", "test"]),
            ("test", &["build"]),
            ("lint", &[]),
            ("build", &[]),
        ]));
        assert_eq!(o.order, [2, 3, 1, 0]);
        assert_eq!(o.levels, [Some(2), Some(1), Some(0), Some(0)]);
        assert!(o.errors.is_empty());
    }

    #[test]
    fn cycles_and_unknown_needs_do_not_hang() {
        let o = order(&jobs(&[
            ("a", &["b"]),
            ("b", &["a"]),
            ("c", &["a"]),
            ("d", &["nope"]),
            ("e", &["E"]),
        ]));
        assert_eq!(o.order, [3, 0, 1, 2, 4]);
        assert_eq!(o.levels, [None, None, None, Some(0), None]);
        assert_eq!(
            o.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "needs: job 'd' needs 'nope', which does not exist",
                "needs: jobs 'a', 'b', 'c', 'e' depend on each other in a cycle",
            ]
        );
    }
}
