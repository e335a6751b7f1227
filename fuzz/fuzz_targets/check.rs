//! YAML loading, lowering to the model and every check, on arbitrary bytes
//! as a workflow and as an action. Nothing may panic.
#![no_main]

use gantry_check::{Config, NoRepo, check_action, check_workflow};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let config = Config::default();
    let _ = check_workflow(&text, Some(".github/workflows/fuzz.yml"), &config, &NoRepo);
    let _ = check_action(&text, Some("action.yml"), &config, &NoRepo);
});
