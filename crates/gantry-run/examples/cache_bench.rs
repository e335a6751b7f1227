//! Times one save or one restore of the native `actions/cache` built-in
//! (`actions/cache/save`, `actions/cache/restore`) on a cache store, for
//! `bench/cache-vs-tar.sh`. Only the built-in's own work is timed, not this
//! process's startup or the store's opening.
//!
//! ```text
//! cache_bench save    WORKSPACE DATA_DIR KEY PATH   archive WORKSPACE/PATH under KEY
//! cache_bench restore WORKSPACE DATA_DIR KEY PATH   restore KEY into WORKSPACE
//! ```
//!
//! Prints the elapsed seconds on stdout; the built-in's log on stderr.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use gantry_run::actions::{ActionContext, NativeAction};
use gantry_run::builtins::Stores;
use gantry_run::builtins::cache::{CacheRestore, CacheSave};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [op, workspace, data_dir, key, path] = args.as_slice() else {
        eprintln!("usage: cache_bench save|restore WORKSPACE DATA_DIR KEY PATH");
        std::process::exit(2);
    };
    let stores = match Stores::open(
        Path::new(data_dir),
        "bench/cache",
        1,
        vec!["refs/heads/main".to_owned()],
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open the stores: {e}");
            std::process::exit(1);
        }
    };
    let inputs = BTreeMap::from([
        ("key".to_owned(), key.clone()),
        ("path".to_owned(), path.clone()),
    ]);
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let cx = ActionContext {
        workspace: Path::new(workspace),
        inputs: &inputs,
        env: &env,
        github: None,
        process_env: &env,
        changed_files: None,
        job: "bench",
        stores: Some(&stores),
    };
    let action: &dyn NativeAction = match op.as_str() {
        "save" => &CacheSave,
        "restore" => &CacheRestore,
        other => {
            eprintln!("unknown operation {other}: use save or restore");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let result = action.run(&cx);
    let elapsed = t0.elapsed().as_secs_f64();
    match result {
        Ok(out) => {
            for line in &out.log {
                eprintln!("{line}");
            }
            if op == "restore" && out.outputs.get("cache-hit").map(String::as_str) != Some("true") {
                eprintln!("no exact cache hit for {key}: {:?}", out.outputs);
                std::process::exit(1);
            }
            if out.log.iter().any(|l| l.starts_with("::warning::")) {
                std::process::exit(1);
            }
        }
        Err(e) => {
            eprintln!("{op} failed: {e}");
            std::process::exit(1);
        }
    }
    println!("{elapsed:.3}");
}
