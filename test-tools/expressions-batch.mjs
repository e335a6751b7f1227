#!/usr/bin/env node
// Batch evaluator for GitHub Actions `${{ }}` expressions, backed by GitHub's
// own TypeScript implementation (npm `@actions/expressions`).
//
// It speaks the same JSON-lines protocol as `gantry eval --batch`, so the two
// can be compared line by line (see crates/gantry/tests/differential.rs):
//
//   stdin, one JSON object per line:
//     {"expr": "...", "contexts": {...}, "mode": "expression"}
//   stdout, one JSON object per input line, in order:
//     {"kind": "Boolean"|"Number"|"String"|"Null"|"Array"|"Object", "value": ...}
//     {"error": {"kind": "lexing"|"parsing"|"evaluation", "message": "..."}}
//
// Numbers JSON cannot hold are written as the strings "NaN", "Infinity" and
// "-Infinity". Only mode "expression" (the default) is supported here; any
// other mode yields {"error": {"kind": "unsupported", ...}}.
//
// Only the top-level keys of `contexts` are valid named values: they are
// handed to the Parser as its context names.

import { createInterface } from "node:readline";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";

const KIND_NAMES = {
  [data.Kind.String]: "String",
  [data.Kind.Array]: "Array",
  [data.Kind.Dictionary]: "Object",
  [data.Kind.Boolean]: "Boolean",
  [data.Kind.Number]: "Number",
  [data.Kind.CaseSensitiveDictionary]: "Object",
  [data.Kind.Null]: "Null"
};

function encodeNumber(n) {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return n;
}

// ExpressionData -> JSON text. Written by hand rather than through a plain JS
// object so that object keys keep their order even when they look like array
// indices (JS objects would move "0", "1", ... to the front).
function toJsonText(d) {
  switch (d.kind) {
    case data.Kind.Null:
      return "null";
    case data.Kind.Boolean:
      return d.value ? "true" : "false";
    case data.Kind.Number:
      return JSON.stringify(encodeNumber(d.value));
    case data.Kind.String:
      return JSON.stringify(d.value);
    case data.Kind.Array:
      return "[" + d.values().map(toJsonText).join(",") + "]";
    case data.Kind.Dictionary:
    case data.Kind.CaseSensitiveDictionary:
      return "{" + d.pairs().map(({ key, value }) => JSON.stringify(key) + ":" + toJsonText(value)).join(",") + "}";
    default:
      throw new Error(`unexpected expression data kind ${d.kind}`);
  }
}

// Results are returned as JSON text (one line).
function errorResult(kind, e) {
  const message = e instanceof Error ? e.message : String(e);
  return JSON.stringify({ error: { kind, message } });
}

// Contexts are usually identical on every line: cache the last conversion.
let lastContextsJson = undefined;
let lastContexts = undefined;

function buildContexts(contexts) {
  const json = JSON.stringify(contexts ?? {});
  if (json !== lastContextsJson) {
    const dict = JSON.parse(json, data.reviver);
    if (!(dict instanceof data.Dictionary)) {
      throw new Error("`contexts` must be a JSON object");
    }
    lastContextsJson = json;
    lastContexts = { dict, names: Object.keys(JSON.parse(json)) };
  }
  return lastContexts;
}

function evaluateLine(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    return errorResult("request", e);
  }
  const mode = request.mode ?? "expression";
  if (mode !== "expression") {
    return errorResult("unsupported", new Error(`mode '${mode}' is not supported by expressions-batch.mjs`));
  }
  if (typeof request.expr !== "string") {
    return errorResult("request", new Error("`expr` must be a string"));
  }

  let ctx;
  try {
    ctx = buildContexts(request.contexts);
  } catch (e) {
    return errorResult("request", e);
  }

  let tokens;
  try {
    tokens = new Lexer(request.expr).lex().tokens;
  } catch (e) {
    return errorResult("lexing", e);
  }

  let expr;
  try {
    expr = new Parser(tokens, ctx.names, []).parse();
  } catch (e) {
    return errorResult("parsing", e);
  }

  if (expr === undefined) {
    // Parser.parse() returns undefined for an expression without tokens.
    return errorResult("parsing", new Error("empty expression"));
  }

  let result;
  try {
    result = new Evaluator(expr, ctx.dict).evaluate();
  } catch (e) {
    return errorResult("evaluation", e);
  }

  const kind = JSON.stringify(KIND_NAMES[result.kind] ?? "unknown");
  return `{"kind":${kind},"value":${toJsonText(result)}}`;
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
for await (const line of rl) {
  if (line.trim() === "") continue;
  out.push(evaluateLine(line));
  if (out.length >= 512) {
    process.stdout.write(out.join("\n") + "\n");
    out.length = 0;
  }
}
if (out.length > 0) {
  process.stdout.write(out.join("\n") + "\n");
}
