// esbuild plugins shared by the CLI bundles (build-cli.mjs) and the single-file executables
// (build-binaries.mjs).

// commander requires node:child_process at load time, only to run executable subcommands, which qs-jwt
// does not have; loading it (with net, dgram and friends) cost ~5 ms of every start. Commander gets a
// stand-in that loads the real module on first use instead.
export const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'qs-jwt' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'qs-jwt' }, () => ({
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
      loader: 'js',
    }));
  },
};
