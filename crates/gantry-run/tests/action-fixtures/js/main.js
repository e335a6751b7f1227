const fs = require('fs');
const e = process.env;
console.log(`main ${e.INPUT_LABEL} input=${e.INPUT_MY_INPUT} fail=${e.INPUT_FAIL} state=${e.STATE_from_pre}`);
console.log(`repo=${e.GITHUB_ACTION_REPOSITORY} ref=${e.GITHUB_ACTION_REF} hook=${e.GANTRY_HOOK || ''}`);
console.log(`path-ok=${fs.existsSync(e.GITHUB_ACTION_PATH + '/main.js')} cwd=${process.cwd() === e.GITHUB_WORKSPACE}`);
fs.appendFileSync(e.GITHUB_OUTPUT, `result=${e.INPUT_LABEL}-42\n`);
fs.appendFileSync(e.GITHUB_STATE, `token=${e.INPUT_LABEL}-tok\n`);
fs.appendFileSync(e.GITHUB_ENV, `JS_SET=${e.INPUT_LABEL}\n`);
if (e.INPUT_FAIL === 'main') {
  console.log('::error::main failed on purpose');
  process.exit(1);
}
