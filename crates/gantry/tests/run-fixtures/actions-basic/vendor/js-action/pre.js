require('fs').appendFileSync(process.env.GITHUB_STATE, `seen=pre-${process.env.INPUT_LABEL}\n`);
