// Imported by the local JavaScript action of the `gantry run` fixture
// crates/gantry/tests/run-fixtures/services-real-clients (run by
// crates/gantry/tests/services_cli.rs). It lives here so that its imports of
// @actions/cache and @actions/artifact resolve to test-tools/node_modules.
//
//   run('save')     job 1: save a cache with protocol v2, another with v1
//                   (ACTIONS_CACHE_SERVICE_V2 unset), upload an artifact
//   run('restore')  job 2 (needs job 1): restore both caches by exact key and
//                   by restore-key prefix, list, get and download the artifact
//
// The trees are deterministic, so job 2 checks the exact contents. Returns
// the exit code; prints one JSON summary line.
import * as cache from '@actions/cache';
import {DefaultArtifactClient} from '@actions/artifact';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';

const V2 = process.env.ACTIONS_CACHE_SERVICE_V2;

// Relative path -> contents, the same in both jobs.
function treeFor(seed) {
  const files = {};
  files['hello.txt'] = `hello ${seed}\n`;
  files['nested/notes.md'] = `# ${seed}\n`.repeat(500);
  // Incompressible but reproducible bytes.
  const chunks = [];
  let h = Buffer.from(seed);
  for (let i = 0; i < 4096; i++) {
    h = crypto.createHash('sha256').update(h).digest();
    chunks.push(h);
  }
  files['nested/deeper/data.bin'] = Buffer.concat(chunks);
  return files;
}

function writeTree(dir, files) {
  fs.rmSync(dir, {recursive: true, force: true});
  for (const [rel, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), {recursive: true});
    fs.writeFileSync(path.join(dir, rel), body);
  }
}

const digest = b => crypto.createHash('sha256').update(b).digest('hex');

// Relative path -> sha256 of every file under dir.
function snapshot(dir) {
  const out = {};
  const walk = d => {
    for (const entry of fs.readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p).split(path.sep).join('/')] = digest(fs.readFileSync(p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

function expected(files) {
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, digest(v)]));
}

const same = (a, b) =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

// Protocol v1 is what @actions/cache speaks when ACTIONS_CACHE_SERVICE_V2 is unset.
function useProtocol(proto) {
  if (proto === 'v2') process.env.ACTIONS_CACHE_SERVICE_V2 = V2 ?? 'true';
  else delete process.env.ACTIONS_CACHE_SERVICE_V2;
}

const PROTOCOLS = ['v2', 'v1'];
const keyOf = proto => `svc-${proto}-linux-1`;
const dirOf = proto => `deps-${proto}`;

async function save(summary, check) {
  for (const proto of PROTOCOLS) {
    useProtocol(proto);
    writeTree(dirOf(proto), treeFor(proto));
    const id = await cache.saveCache([dirOf(proto)], keyOf(proto));
    summary[`saved_${proto}`] = id;
    check(id > 0, `${proto}: saveCache returned ${id}`);
  }
  useProtocol('v2');

  const client = new DefaultArtifactClient();
  const root = path.resolve('art');
  const files = treeFor('artifact');
  writeTree(root, files);
  const up = await client.uploadArtifact(
    'svc-art',
    Object.keys(files).map(f => path.join(root, f)),
    root,
    {retentionDays: 3},
  );
  summary.upload = up;
  check(up.id > 0 && up.size > 0, `uploadArtifact returned ${JSON.stringify(up)}`);
}

async function restore(summary, check) {
  for (const proto of PROTOCOLS) {
    useProtocol(proto);
    const dir = dirOf(proto);
    const want = expected(treeFor(proto));
    check(!fs.existsSync(dir), `${proto}: ${dir} exists before the restore`);

    const exact = await cache.restoreCache([dir], keyOf(proto), ['svc-']);
    summary[`exact_${proto}`] = exact ?? null;
    check(exact === keyOf(proto), `${proto}: exact restore matched ${exact}`);
    check(same(snapshot(dir), want), `${proto}: exact restore: ${JSON.stringify(snapshot(dir))}`);

    fs.rmSync(dir, {recursive: true, force: true});
    const prefix = await cache.restoreCache([dir], `svc-${proto}-linux-2`, ['no-such-', `svc-${proto}-linux-`]);
    summary[`prefix_${proto}`] = prefix ?? null;
    check(prefix === keyOf(proto), `${proto}: restore-key restore matched ${prefix}`);
    check(same(snapshot(dir), want), `${proto}: restore-key restore: ${JSON.stringify(snapshot(dir))}`);

    const miss = await cache.restoreCache([dir], 'nothing-here', ['nothing-']);
    check(miss === undefined, `${proto}: a miss returned ${miss}`);
  }
  useProtocol('v2');

  const client = new DefaultArtifactClient();
  const {artifacts} = await client.listArtifacts();
  summary.listed = artifacts.map(a => ({name: a.name, id: a.id, size: a.size}));
  const listed = artifacts.find(a => a.name === 'svc-art');
  check(listed && listed.size > 0, `listArtifacts: ${JSON.stringify(summary.listed)}`);
  if (!listed) return;
  const got = await client.getArtifact('svc-art');
  check(got.artifact.id === listed.id, `getArtifact: ${JSON.stringify(got)}`);
  const out = path.resolve('downloaded');
  const dl = await client.downloadArtifact(listed.id, {path: out, expectedHash: listed.digest});
  summary.download = dl;
  check(dl.digestMismatch === false, 'download digest mismatch');
  const files = snapshot(out);
  summary.downloaded_files = Object.keys(files).sort();
  check(same(files, expected(treeFor('artifact'))), `downloaded files differ: ${JSON.stringify(files)}`);
}

export async function run(phase) {
  const summary = {phase};
  const failures = [];
  const check = (cond, what) => {
    if (!cond) failures.push(what);
  };
  try {
    if (phase === 'save') await save(summary, check);
    else if (phase === 'restore') await restore(summary, check);
    else failures.push(`unknown phase ${phase}: use save or restore`);
  } catch (e) {
    failures.push(`threw: ${e?.stack ?? e}`);
  }
  summary.failures = failures;
  console.log(`services-job ${JSON.stringify(summary)}`);
  for (const f of failures) console.log(`::error::${f.split('\n')[0]}`);
  return failures.length ? 1 : 0;
}
