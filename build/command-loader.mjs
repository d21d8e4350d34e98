// How the CLI's entry (main) compiles a command bundle: one wrapper and one loader text for the npm
// package's files and the single-file executable's assets, and the code caches made for them at build
// time (build/train-code-caches.mjs). V8 accepts a cache only for the very source it was made from and
// only in the Node that made it, so the build and the run wrap the bundle the same way; a cache it
// refuses (another Node, other V8 flags) costs one file read, and the bundle compiles as without.

export const WRAP_START = '(function (exports, require, module, __filename, __dirname) {';
export const WRAP_END = '\n})';

/** Runs a wrapped, compiled bundle as a CommonJS module and returns its exports. */
const EVALUATE = `function __qsJwtEvaluate(script, require, filename, dirname) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, filename, dirname);
  return module.exports;
}`;

/**
 * The banner of main: `__qsJwtCommand(name)` compiles command bundle `name` with its code cache, if any.
 * `files`: the npm package, bundles and caches beside main.js, each bundle with its own require()
 * (its externals resolve from node_modules). That require() comes from module.constructor, which is
 * node:module's Module: require('node:module') loads the rest of that module too, ~0.6 ms of each start.
 * `sea`: a single-file executable's assets.
 */
export function commandLoaderBanner(kind) {
  const wrap = (text) => `${JSON.stringify(WRAP_START)} + ${text} + ${JSON.stringify(WRAP_END)}`;
  if (kind === 'sea') {
    return `${EVALUATE}
function __qsJwtCommand(name) {
  const sea = require('node:sea');
  let cachedData;
  try { cachedData = Buffer.from(sea.getRawAsset(name + '.cache')); } catch {}
  const script = new (require('node:vm').Script)(${wrap("sea.getAsset(name + '.js', 'utf8')")}, { filename: name + '.js', cachedData });
  return __qsJwtEvaluate(script, require, name + '.js', '.');
}`;
  }
  return `${EVALUATE}
function __qsJwtCommand(name) {
  const { readFileSync } = require('node:fs');
  const file = require('node:path').join(__dirname, name + '.js');
  let cachedData;
  try { cachedData = readFileSync(require('node:path').join(__dirname, name + '.cache')); } catch {}
  const script = new (require('node:vm').Script)(${wrap("readFileSync(file, 'utf8')")}, { filename: file, cachedData });
  return __qsJwtEvaluate(script, module.constructor.createRequire(file), file, __dirname);
}`;
}

/**
 * An esbuild plugin for main: the registry's import('./commands/<name>.js') becomes a call of
 * __qsJwtCommand('command-<name>'), so a run compiles only main and the command it runs.
 */
export const commandsThroughLoader = {
  name: 'commands-through-loader',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => ({
      path: args.path.slice('./commands/'.length, -'.js'.length),
      namespace: 'qs-jwt-command',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'qs-jwt-command' }, (args) => ({
      contents: `module.exports = __qsJwtCommand('command-${args.path}');`,
      loader: 'js',
    }));
  },
};

/** A command bundle must not call import(): Node 20 refuses it in code compiled by vm.Script. */
export function refuseDynamicImport(name, text) {
  // esbuild turns import() into require() for these bundles (supported: dynamic-import false); a
  // literal import("…") left in a bundle means that did not happen.
  const found = /\bimport\((["'][^"']+["'])\)/.exec(text);
  return found ? `${name} calls import(${found[1]}), which a bundle run by vm.Script cannot do: require it` : undefined;
}
