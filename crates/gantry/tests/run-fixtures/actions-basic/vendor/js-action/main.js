const fs = require('fs');
console.log(`js main state=${process.env.STATE_seen}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `result=${process.env.INPUT_LABEL}-out\n`);
