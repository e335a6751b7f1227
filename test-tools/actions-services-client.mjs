// Drives GitHub's own clients, @actions/cache and @actions/artifact, against
// the services in the environment (ACTIONS_RUNTIME_TOKEN, ACTIONS_CACHE_URL,
// ACTIONS_RESULTS_URL, ACTIONS_CACHE_SERVICE_V2), as an action would.
//
//   node actions-services-client.mjs cache      save, then restore by exact key and by restore-key prefix
//   node actions-services-client.mjs artifact   upload, list, get, download, refuse a duplicate, delete
//   node actions-services-client.mjs cross-run  list, get and download my-art of run CROSS_RUN_ID through
//                                               the REST API at GITHUB_API_URL (download-artifact's run-id)
//
// GITHUB_WORKSPACE and RUNNER_TEMP must be set. Checks fail with exit code 1;
// the last stdout line is a JSON summary.
import * as cache from '@actions/cache';
import {DefaultArtifactClient} from '@actions/artifact';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';

const workspace = process.env.GITHUB_WORKSPACE;
if (!workspace || !process.env.RUNNER_TEMP) {
  console.error('GITHUB_WORKSPACE and RUNNER_TEMP must be set');
  process.exit(2);
}
const summary = {};
const failures = [];
function check(cond, what) {
  if (!cond) failures.push(what);
}

// A small tree: text, nested directories, and incompressible bytes.
function makeTree(dir, seed) {
  fs.rmSync(dir, {recursive: true, force: true});
  fs.mkdirSync(path.join(dir, 'nested', 'deeper'), {recursive: true});
  fs.writeFileSync(path.join(dir, 'hello.txt'), `hello ${seed}\n`);
  fs.writeFileSync(path.join(dir, 'nested', 'deeper', 'data.bin'), crypto.randomBytes(300 * 1024));
  fs.writeFileSync(path.join(dir, 'nested', 'notes.md'), '# notes\n'.repeat(1000));
}

// Relative path -> sha256 of every file under dir.
function snapshot(dir) {
  const out = {};
  const walk = d => {
    for (const entry of fs.readdirSync(d, {withFileTypes: true})) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

const same = (a, b) => JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());

async function cacheScenario() {
  const proto = process.env.ACTIONS_CACHE_SERVICE_V2 ? 'v2' : 'v1';
  summary.protocol = proto;
  const deps = path.join(workspace, 'deps');
  process.chdir(workspace);
  makeTree(deps, proto);
  const before = snapshot(deps);
  const key = `deps-${proto}-linux-abc123`;

  const id = await cache.saveCache(['deps'], key);
  summary.saved_id = id;
  check(id > 0, `saveCache returned ${id}`);

  // Saving the same key again is refused (GitHub: "another job may be creating this cache").
  const again = await cache.saveCache(['deps'], key);
  summary.second_save_id = again;
  check(again === -1, `second saveCache of ${key} returned ${again}, expected -1`);

  fs.rmSync(deps, {recursive: true, force: true});
  const exact = await cache.restoreCache(['deps'], key, [`deps-${proto}-`]);
  summary.exact = exact;
  check(exact === key, `exact restore matched ${exact}`);
  check(fs.existsSync(deps) && same(snapshot(deps), before), 'exact restore: contents differ');

  fs.rmSync(deps, {recursive: true, force: true});
  const prefix = await cache.restoreCache(['deps'], `deps-${proto}-linux-zzz`, ['no-such-', `deps-${proto}-linux-`, 'deps-']);
  summary.prefix = prefix;
  check(prefix === key, `restore-key restore matched ${prefix}`);
  check(fs.existsSync(deps) && same(snapshot(deps), before), 'restore-key restore: contents differ');

  const lookup = await cache.restoreCache(['deps'], key, [], {lookupOnly: true});
  check(lookup === key, `lookupOnly matched ${lookup}`);

  const miss = await cache.restoreCache(['deps'], 'nothing-here', ['nothing-']);
  summary.miss = miss ?? null;
  check(miss === undefined, `a miss returned ${miss}`);

  // Other paths make another version: no match.
  const otherVersion = await cache.restoreCache(['deps', 'more'], key);
  summary.other_version = otherVersion ?? null;
  check(otherVersion === undefined, `another version matched ${otherVersion}`);
}

async function artifactScenario() {
  const client = new DefaultArtifactClient();
  const root = path.join(workspace, 'art');
  makeTree(root, 'artifact');
  const before = snapshot(root);
  const files = Object.keys(before).map(f => path.join(root, f));

  const up = await client.uploadArtifact('my-art', files, root, {retentionDays: 5});
  summary.upload = up;
  check(up.id > 0 && up.size > 0 && /^[0-9a-f]{64}$/.test(up.digest ?? ''), `upload returned ${JSON.stringify(up)}`);

  let refused = false;
  try {
    await client.uploadArtifact('my-art', files, root);
  } catch (e) {
    refused = /409|already exists/i.test(String(e?.message));
    summary.duplicate_error = String(e?.message);
  }
  check(refused, 'a second upload of my-art in the run was not refused with a conflict');

  const raw = path.join(workspace, 'report.json');
  fs.writeFileSync(raw, JSON.stringify({ok: true, n: 42}));
  const rawUp = await client.uploadArtifact('ignored', [raw], workspace, {skipArchive: true});
  check(rawUp.id > up.id, `raw upload id ${rawUp.id}`);

  const {artifacts} = await client.listArtifacts();
  summary.listed = artifacts.map(a => ({name: a.name, id: a.id, size: a.size, digest: a.digest}));
  const listed = artifacts.find(a => a.name === 'my-art');
  check(listed && listed.id === up.id && listed.size === up.size, `listArtifacts: ${JSON.stringify(summary.listed)}`);
  check(listed && listed.digest === `sha256:${up.digest}`, `listed digest ${listed?.digest}`);
  check(artifacts.some(a => a.name === 'report.json'), 'raw artifact not listed');

  const got = await client.getArtifact('my-art');
  check(got.artifact.id === up.id, `getArtifact: ${JSON.stringify(got)}`);

  const out = path.join(workspace, 'downloaded');
  const dl = await client.downloadArtifact(up.id, {path: out, expectedHash: listed?.digest});
  summary.download = dl;
  check(dl.digestMismatch === false, 'download digest mismatch');
  check(same(snapshot(out), before), `downloaded files differ: ${JSON.stringify(snapshot(out))}`);

  const rawOut = path.join(workspace, 'raw-downloaded');
  const rawListed = artifacts.find(a => a.name === 'report.json');
  await client.downloadArtifact(rawListed.id, {path: rawOut});
  const rawBack = fs.existsSync(path.join(rawOut, 'report.json')) ? fs.readFileSync(path.join(rawOut, 'report.json'), 'utf8') : null;
  check(rawBack === fs.readFileSync(raw, 'utf8'), `raw artifact came back as ${rawBack}`);

  const del = await client.deleteArtifact('report.json');
  check(del.id === rawListed.id, `deleteArtifact: ${JSON.stringify(del)}`);
  const after = await client.listArtifacts();
  check(!after.artifacts.some(a => a.name === 'report.json'), 'deleted artifact still listed');
  summary.after_delete = after.artifacts.map(a => a.name);
}

async function crossRunScenario() {
  const client = new DefaultArtifactClient();
  const [repositoryOwner, repositoryName] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  const findBy = {token: 'local-token', workflowRunId: Number(process.env.CROSS_RUN_ID), repositoryOwner, repositoryName};
  const {artifacts} = await client.listArtifacts({findBy});
  summary.listed = artifacts.map(a => ({name: a.name, id: a.id, size: a.size, digest: a.digest}));
  const mine = artifacts.find(a => a.name === 'my-art');
  check(mine, `my-art not listed for run ${findBy.workflowRunId}: ${JSON.stringify(summary.listed)}`);
  const got = await client.getArtifact('my-art', {findBy});
  check(got.artifact.id === mine?.id, `getArtifact: ${JSON.stringify(got)}`);
  const dl = await client.downloadArtifact(mine.id, {path: path.join(workspace, 'cross'), findBy, expectedHash: mine.digest});
  check(dl.digestMismatch === false, 'cross-run download digest mismatch');
  summary.files = snapshot(path.join(workspace, 'cross'));
}

const scenario = process.argv[2];
try {
  if (scenario === 'cache') await cacheScenario();
  else if (scenario === 'artifact') await artifactScenario();
  else if (scenario === 'cross-run') await crossRunScenario();
  else {
    console.error(`unknown scenario ${scenario}: use cache, artifact or cross-run`);
    process.exit(2);
  }
} catch (e) {
  failures.push(`threw: ${e?.stack ?? e}`);
}
summary.failures = failures;
console.log(JSON.stringify(summary));
process.exit(failures.length ? 1 : 0);
