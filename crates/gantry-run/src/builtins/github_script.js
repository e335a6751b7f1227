// Gantry's built-in actions/github-script: runs the `script` input as the
// body of an async function with `github`, `context`, `core`, `glob`, `io`,
// `exec` and `require`, like the real action. The toolkit objects are small
// shims written here (no npm packages); `github` is a REST client over
// node's global fetch, pointed at GITHUB_API_URL (by default the REST API
// Gantry serves on loopback for the run, which records what it is asked).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const cp = require('child_process');
const util = require('util');
const { createRequire } = require('module');

// ---------------------------------------------------------------- core ----
const escapeData = (s) => String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProp = (s) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const toCommandValue = (v) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function issue(command, message, props) {
  const p = Object.entries(props || {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${escapeProp(toCommandValue(v))}`)
    .join(',');
  process.stdout.write(`::${command}${p ? ' ' + p : ''}::${escapeData(toCommandValue(message))}${os.EOL}`);
}

function fileCommand(varName, line) {
  const file = process.env[varName];
  if (!file) return false;
  fs.appendFileSync(file, line + os.EOL, 'utf8');
  return true;
}

function keyValue(key, value) {
  const delimiter = `ghadelimiter_${Math.random().toString(36).slice(2)}${Date.now()}`;
  return `${key}<<${delimiter}${os.EOL}${toCommandValue(value)}${os.EOL}${delimiter}`;
}

function annotationProps(p) {
  p = p || {};
  return {
    title: p.title,
    file: p.file,
    line: p.startLine,
    endLine: p.endLine,
    col: p.startColumn,
    endColumn: p.endColumn,
  };
}

class Summary {
  constructor() { this._buffer = ''; }
  filePath() {
    const p = process.env.GITHUB_STEP_SUMMARY;
    if (!p) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.');
    return p;
  }
  wrap(tag, content, attrs = {}) {
    const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${v}"`).join('');
    return content ? `<${tag}${a}>${content}</${tag}>` : `<${tag}${a}>`;
  }
  async write(options = {}) {
    const f = this.filePath();
    if (options.overwrite) fs.writeFileSync(f, this._buffer, 'utf8');
    else fs.appendFileSync(f, this._buffer, 'utf8');
    return this.emptyBuffer();
  }
  async clear() { return this.emptyBuffer().write({ overwrite: true }); }
  stringify() { return this._buffer; }
  isEmptyBuffer() { return this._buffer.length === 0; }
  emptyBuffer() { this._buffer = ''; return this; }
  addRaw(text, addEOL = false) { this._buffer += text; return addEOL ? this.addEOL() : this; }
  addEOL() { return this.addRaw(os.EOL); }
  addCodeBlock(code, lang) { return this.addRaw(this.wrap('pre', this.wrap('code', code), lang ? { lang } : {})).addEOL(); }
  addList(items, ordered = false) {
    return this.addRaw(this.wrap(ordered ? 'ol' : 'ul', items.map((i) => this.wrap('li', i)).join(''))).addEOL();
  }
  addTable(rows) {
    const body = rows.map((row) => this.wrap('tr', row.map((cell) => {
      if (typeof cell === 'string') return this.wrap('td', cell);
      const { header, data, colspan, rowspan } = cell;
      const attrs = Object.assign({}, colspan && { colspan }, rowspan && { rowspan });
      return this.wrap(header ? 'th' : 'td', data, attrs);
    }).join(''))).join('');
    return this.addRaw(this.wrap('table', body)).addEOL();
  }
  addDetails(label, content) { return this.addRaw(this.wrap('details', this.wrap('summary', label) + content)).addEOL(); }
  addImage(src, alt, o = {}) {
    return this.addRaw(this.wrap('img', null, Object.assign({ src, alt }, o.width && { width: o.width }, o.height && { height: o.height }))).addEOL();
  }
  addHeading(text, level) {
    const l = Number(level);
    const tag = [1, 2, 3, 4, 5, 6].includes(l) ? `h${l}` : 'h1';
    return this.addRaw(this.wrap(tag, text)).addEOL();
  }
  addSeparator() { return this.addRaw(this.wrap('hr', null)).addEOL(); }
  addBreak() { return this.addRaw(this.wrap('br', null)).addEOL(); }
  addQuote(text, cite) { return this.addRaw(this.wrap('blockquote', text, cite ? { cite } : {})).addEOL(); }
  addLink(text, href) { return this.addRaw(this.wrap('a', text, { href })).addEOL(); }
}

const core = {
  getInput(name, options = {}) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options.required && !val) throw new Error(`Input required and not supplied: ${name}`);
    return options.trimWhitespace === false ? val : val.trim();
  },
  getMultilineInput(name, options) {
    return core.getInput(name, options).split('\n').filter((x) => x !== '');
  },
  getBooleanInput(name, options) {
    const v = core.getInput(name, options);
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\nSupport boolean input list: \`true | True | TRUE | false | False | FALSE\``);
  },
  setOutput(name, value) {
    if (!fileCommand('GITHUB_OUTPUT', keyValue(name, value))) {
      process.stdout.write(os.EOL);
      issue('set-output', toCommandValue(value), { name });
    }
  },
  exportVariable(name, value) {
    process.env[name] = toCommandValue(value);
    if (!fileCommand('GITHUB_ENV', keyValue(name, value))) issue('set-env', value, { name });
  },
  addPath(p) {
    if (!fileCommand('GITHUB_PATH', p)) issue('add-path', p);
    process.env.PATH = `${p}${path.delimiter}${process.env.PATH}`;
  },
  setSecret(s) { issue('add-mask', s); },
  setCommandEcho(on) { issue('echo', on ? 'on' : 'off'); },
  setFailed(message) { process.exitCode = 1; core.error(message); },
  isDebug() { return process.env.RUNNER_DEBUG === '1'; },
  debug(m) { issue('debug', m); },
  error(m, p) { issue('error', m instanceof Error ? m.toString() : m, annotationProps(p)); },
  warning(m, p) { issue('warning', m instanceof Error ? m.toString() : m, annotationProps(p)); },
  notice(m, p) { issue('notice', m instanceof Error ? m.toString() : m, annotationProps(p)); },
  info(m) { process.stdout.write(m + os.EOL); },
  startGroup(name) { issue('group', name); },
  endGroup() { issue('endgroup'); },
  async group(name, fn) {
    core.startGroup(name);
    try { return await fn(); } finally { core.endGroup(); }
  },
  saveState(name, value) {
    if (!fileCommand('GITHUB_STATE', keyValue(name, value))) issue('save-state', value, { name });
  },
  getState(name) { return process.env[`STATE_${name}`] || ''; },
  toPosixPath: (p) => p.replace(/[\\]/g, '/'),
  toWin32Path: (p) => p.replace(/[/]/g, '\\'),
  toPlatformPath: (p) => p.replace(/[/\\]/g, path.sep),
  summary: new Summary(),
};
core.markdownSummary = core.summary;

// ------------------------------------------------------------- context ----
function readPayload() {
  const p = process.env.GITHUB_EVENT_PATH;
  if (p && fs.existsSync(p)) {
    try { return JSON.parse(fs.readFileSync(p, 'utf8')); } catch (e) { core.warning(`cannot read the event payload: ${e.message}`); }
  }
  return {};
}

const env = process.env;
const context = {
  payload: readPayload(),
  eventName: env.GITHUB_EVENT_NAME,
  sha: env.GITHUB_SHA,
  ref: env.GITHUB_REF,
  workflow: env.GITHUB_WORKFLOW,
  action: env.GITHUB_ACTION,
  actor: env.GITHUB_ACTOR,
  job: env.GITHUB_JOB,
  runAttempt: parseInt(env.GITHUB_RUN_ATTEMPT, 10),
  runNumber: parseInt(env.GITHUB_RUN_NUMBER, 10),
  runId: parseInt(env.GITHUB_RUN_ID, 10),
  apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
  serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
  graphqlUrl: env.GITHUB_GRAPHQL_URL || 'https://api.github.com/graphql',
  get repo() {
    if (env.GITHUB_REPOSITORY) {
      const [owner, repo] = env.GITHUB_REPOSITORY.split('/');
      return { owner, repo };
    }
    if (this.payload.repository) {
      return { owner: this.payload.repository.owner.login, repo: this.payload.repository.name };
    }
    throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable like 'owner/repo'");
  },
  get issue() {
    const p = this.payload;
    return Object.assign({}, this.repo, { number: (p.issue || p.pull_request || p).number });
  },
};

// -------------------------------------------------------------- github ----
class RequestError extends Error {
  constructor(message, status, response, request) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.response = response;
    this.request = request;
  }
}

function makeGithub(token, baseUrl, userAgent, retry = { retries: 0, exempt: [] }) {
  baseUrl = String(baseUrl).replace(/\/+$/, '');
  // A failed request (a status of 400 or more that is not exempt, or no
  // response) is tried again up to `retry.retries` times, waiting 1 s, 4 s,
  // 9 s, … in between.
  async function request(route, params = {}) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await requestOnce(route, params);
      } catch (err) {
        const status = err && err.status;
        const retryable = status === undefined
          ? err instanceof TypeError && err.message === 'fetch failed'
          : status >= 400 && !retry.exempt.includes(status);
        if (attempt >= retry.retries || !retryable) throw err;
        const wait = (attempt + 1) * (attempt + 1) * 1000;
        core.info(`Request failed (${status === undefined ? err : status}); retrying in ${wait / 1000} s (${attempt + 1} of ${retry.retries})`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  async function requestOnce(route, params = {}) {
    let [method, url] = route.includes(' ') ? route.split(' ') : ['GET', route];
    params = Object.assign({}, params);
    const headers = Object.assign(
      { accept: 'application/vnd.github+json', 'user-agent': userAgent || 'actions/github-script (gantry)' },
      params.headers || {},
    );
    delete params.headers;
    delete params.request;
    if (token) headers.authorization = `token ${token}`;
    url = url.replace(/\{([a-z_]+)\}/gi, (_, k) => {
      const v = params[k];
      delete params[k];
      if (v === undefined) throw new Error(`parameter ${k} is required for ${route}`);
      return encodeURIComponent(v);
    });
    let body;
    const full = new URL(url.startsWith('http') ? url : baseUrl + url);
    if (method === 'GET' || method === 'HEAD' || method === 'DELETE') {
      for (const [k, v] of Object.entries(params)) full.searchParams.set(k, String(v));
    } else if (Object.keys(params).length) {
      if ('data' in params && Object.keys(params).length === 1) body = typeof params.data === 'string' ? params.data : JSON.stringify(params.data);
      else body = JSON.stringify(params);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    const res = await fetch(full, { method, headers, body });
    const text = await res.text();
    let data = text;
    if ((res.headers.get('content-type') || '').includes('json') && text) {
      try { data = JSON.parse(text); } catch (_) { /* keep the text */ }
    }
    const response = { status: res.status, url: full.toString(), headers: Object.fromEntries(res.headers), data };
    if (res.status >= 400) {
      const msg = data && data.message ? data.message : `${res.status} ${res.statusText}`;
      throw new RequestError(msg, res.status, response, { method, url: full.toString(), headers, body });
    }
    return response;
  }
  const endpoint = (route) => (params) => request(route, params);
  const routes = {
    issues: {
      createComment: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      listComments: 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      updateComment: 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
      deleteComment: 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
      get: 'GET /repos/{owner}/{repo}/issues/{issue_number}',
      update: 'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
      create: 'POST /repos/{owner}/{repo}/issues',
      addLabels: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      removeLabel: 'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
    },
    pulls: {
      get: 'GET /repos/{owner}/{repo}/pulls/{pull_number}',
      list: 'GET /repos/{owner}/{repo}/pulls',
      createReview: 'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
      listFiles: 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files',
    },
    repos: {
      createCommitStatus: 'POST /repos/{owner}/{repo}/statuses/{sha}',
      listCommitStatusesForRef: 'GET /repos/{owner}/{repo}/commits/{ref}/statuses',
      get: 'GET /repos/{owner}/{repo}',
      createDispatchEvent: 'POST /repos/{owner}/{repo}/dispatches',
    },
    checks: {
      create: 'POST /repos/{owner}/{repo}/check-runs',
      update: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
    },
    actions: {
      listArtifactsForRepo: 'GET /repos/{owner}/{repo}/actions/artifacts',
      listWorkflowRunArtifacts: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
      getArtifact: 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
      deleteArtifact: 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
    },
  };
  const rest = {};
  for (const [ns, list] of Object.entries(routes)) {
    rest[ns] = {};
    for (const [name, route] of Object.entries(list)) {
      const fn = endpoint(route);
      fn.endpoint = { merge: (p) => Object.assign({ route }, p) };
      rest[ns][name] = fn;
    }
  }
  async function paginate(fnOrRoute, params = {}, mapFn) {
    const call = typeof fnOrRoute === 'string' ? endpoint(fnOrRoute) : fnOrRoute;
    const all = [];
    for (let page = 1; page <= 100; page++) {
      const res = await call(Object.assign({ per_page: 100 }, params, { page }));
      let items = res.data;
      if (!Array.isArray(items)) {
        const key = Object.keys(items || {}).find((k) => Array.isArray(items[k]));
        items = key ? items[key] : [];
      }
      all.push(...(mapFn ? mapFn(Object.assign({}, res, { data: items }), () => {}) : items));
      if (items.length < (params.per_page || 100)) break;
    }
    return all;
  }
  const graphql = async () => {
    throw new Error('github.graphql is not supported by Gantry\'s built-in github-script (run the real action with --no-builtin actions/github-script)');
  };
  return Object.assign({ request, rest, paginate, graphql, log: console }, rest);
}

// ---------------------------------------------------------- io, exec ----
const io = {
  async mkdirP(p) { fs.mkdirSync(p, { recursive: true }); },
  async rmRF(p) { fs.rmSync(p, { recursive: true, force: true }); },
  async cp(src, dest, opts = {}) { fs.cpSync(src, dest, { recursive: !!opts.recursive, force: opts.force !== false }); },
  async mv(src, dest) { fs.renameSync(src, dest); },
  async which(tool, check) {
    for (const dir of (process.env.PATH || '').split(path.delimiter)) {
      const p = path.join(dir, tool);
      try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) return p; } catch (_) { /* next */ }
    }
    if (check) throw new Error(`Unable to locate executable file: ${tool}`);
    return '';
  },
};

function execCommand(commandLine, args = [], options = {}) {
  return new Promise((resolve, reject) => {
    const child = cp.spawn(commandLine, args, {
      cwd: options.cwd, env: options.env || process.env, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (options.input) child.stdin.end(options.input); else child.stdin.end();
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!options.silent) process.stdout.write(d);
      if (options.listeners && options.listeners.stdout) options.listeners.stdout(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!options.silent) process.stderr.write(d);
      if (options.listeners && options.listeners.stderr) options.listeners.stderr(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && !options.ignoreReturnCode) {
        reject(new Error(`The process '${commandLine}' failed with exit code ${code}`));
      } else resolve({ exitCode: code, stdout, stderr });
    });
  });
}
const exec = {
  exec: async (c, a, o) => (await execCommand(c, a, o)).exitCode,
  getExecOutput: (c, a, o) => execCommand(c, a, o),
};

// ---------------------------------------------------------------- glob ----
function globToRegExp(pattern) {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') { const j = pattern.indexOf(']', i); if (j > i) { re += pattern.slice(i, j + 1).replace('[!', '[^'); i = j; } else re += '\\['; }
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

const glob = {
  async create(patterns, options = {}) {
    const lines = String(patterns).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const rules = lines.map((l) => {
      const neg = l.startsWith('!');
      const p = path.resolve(neg ? l.slice(1) : l);
      return { neg, re: globToRegExp(p), root: p.split(/[*?[]/)[0] };
    });
    const matches = (f) => {
      let hit = false;
      for (const r of rules) if (r.re.test(f)) hit = !r.neg;
      return hit;
    };
    async function* globGenerator() {
      const seen = new Set();
      for (const r of rules.filter((x) => !x.neg)) {
        let root = r.root;
        while (root && !fs.existsSync(root)) root = path.dirname(root);
        const stack = [root];
        while (stack.length) {
          const p = stack.pop();
          let st;
          try { st = options.followSymbolicLinks === false ? fs.lstatSync(p) : fs.statSync(p); } catch (_) { continue; }
          if (matches(p) && !seen.has(p) && !(st.isDirectory() && options.matchDirectories === false)) {
            seen.add(p);
            yield p;
          }
          if (st.isDirectory()) for (const e of fs.readdirSync(p).sort().reverse()) stack.push(path.join(p, e));
        }
      }
    }
    return {
      getSearchPaths: () => rules.filter((r) => !r.neg).map((r) => r.root),
      globGenerator,
      async glob() { const out = []; for await (const f of globGenerator()) out.push(f); return out; },
    };
  },
  async hashFiles(patterns) {
    const crypto = require('crypto');
    const g = await glob.create(patterns);
    const total = crypto.createHash('sha256');
    let any = false;
    for (const f of (await g.glob()).sort()) {
      if (!fs.statSync(f).isFile()) continue;
      total.write(crypto.createHash('sha256').update(fs.readFileSync(f)).digest());
      any = true;
    }
    total.end();
    return any ? total.digest('hex') : '';
  },
};

// ----------------------------------------------------------------- main ----
async function main() {
  const token = core.getInput('github-token');
  const baseUrl = core.getInput('base-url') || process.env.GITHUB_API_URL || 'https://api.github.com';
  const github = makeGithub(token, baseUrl, core.getInput('user-agent'), retryOptions());
  const script = core.getInput('script', { required: true });
  const wsRequire = createRequire(path.join(process.cwd(), '__gantry_github_script__.js'));
  const userRequire = (id) => {
    try { return wsRequire(id); } catch (e) {
      try { return require(id); } catch (_) { throw e; }
    }
  };
  const AsyncFunction = Object.getPrototypeOf(async () => null).constructor;
  const fn = new AsyncFunction('require', '__original_require__', 'github', 'octokit', 'context', 'core', 'exec', 'glob', 'io', 'fetch', script);
  const result = await fn(userRequire, require, github, github, context, core, exec, glob, io, fetch);
  // As the real action: the encoding is checked once the script has run,
  // and an unknown one fails the step as an unhandled error.
  const encoding = core.getInput('result-encoding') || 'json';
  let output;
  if (encoding === 'json') output = JSON.stringify(result);
  else if (encoding === 'string') output = String(result);
  else throw new Error('"result-encoding" must be either "string" or "json"');
  core.setOutput('result', output);
}

// `retries` and `retry-exempt-status-codes`: how often a failed request is
// tried again (0: never), and the statuses that are never retried.
function retryOptions() {
  const retries = parseInt(core.getInput('retries'), 10) || 0;
  const exempt = (core.getInput('retry-exempt-status-codes') || '')
    .split(/[\n,]+/)
    .map((s) => parseInt(s.trim(), 10))
    .filter((n) => !Number.isNaN(n));
  if (retries > 0) core.debug(`GitHub client configured with: (retries: ${retries}, retry-exempt-status-code: ${exempt})`);
  return { retries: Math.max(0, retries), exempt };
}

main().catch((err) => {
  console.error(util.inspect(err));
  core.setFailed(`Unhandled error: ${err}`);
});
