const fs = require('fs');
console.log(`js main for ${process.env.INPUT_WHO} in ${process.cwd()} node=${process.execPath}`);
fs.appendFileSync(process.env.GITHUB_OUTPUT, `greeting=hi-${process.env.INPUT_WHO}\n`);
fs.appendFileSync(process.env.GITHUB_STATE, `saved=kept\n`);
