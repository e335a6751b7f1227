const fs = require('fs');
fs.appendFileSync(process.env.GITHUB_STATE, `from_pre=${process.env.INPUT_LABEL}\n`);
console.log(`pre ${process.env.INPUT_LABEL}`);
