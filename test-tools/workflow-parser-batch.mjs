// Parses workflow files with GitHub's own parser (@actions/workflow-parser)
// and prints one JSON line per file: {"path", "errors": [{"message", "line", "column"}]}.
// Usage: node --import ./register-json.mjs workflow-parser-batch.mjs FILE...
//        (or file paths on standard input, one a line, when no FILE is given)
import fs from "node:fs";
import { parseWorkflow, NoOperationTraceWriter } from "@actions/workflow-parser";

async function paths() {
  if (process.argv.length > 2) return process.argv.slice(2);
  const text = fs.readFileSync(0, "utf8");
  return text.split("\n").map((l) => l.trim()).filter(Boolean);
}

for (const path of await paths()) {
  let errors = [];
  try {
    const content = fs.readFileSync(path, "utf8");
    const result = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
    errors = result.context.errors.getErrors().map((e) => ({
      message: e.message,
      line: e.range ? e.range.start.line : null,
      column: e.range ? e.range.start.column : null,
    }));
  } catch (e) {
    errors = [{ message: `parser threw: ${e && e.message}`, line: null, column: null }];
  }
  process.stdout.write(JSON.stringify({ path, errors }) + "\n");
}
