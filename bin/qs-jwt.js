#!/usr/bin/env node
// CommonJS (see bin/package.json): an ESM entry would start the ESM loader, ~8 ms of every run.
require('../dist/cli-bundle/main.js');
