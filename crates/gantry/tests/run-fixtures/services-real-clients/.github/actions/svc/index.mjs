// The real clients live in test-tools/node_modules; ESM resolves bare
// specifiers relative to the importing file, so the code that imports them
// is a module in test-tools/, found through GANTRY_TEST_TOOLS.
import * as path from 'node:path';
import {pathToFileURL} from 'node:url';

const tools = process.env.GANTRY_TEST_TOOLS;
if (!tools) {
  console.log('::error::GANTRY_TEST_TOOLS (the test-tools folder) is not set');
  process.exit(2);
}
const job = await import(pathToFileURL(path.join(tools, 'gantry-run-services-job.mjs')).href);
process.exitCode = await job.run(process.env.INPUT_PHASE);
