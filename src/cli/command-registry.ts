import type { Command } from 'commander';
import type { RunCommand } from './command-runner.js';

/** One CLI command: its words, one-line summary and a loader, so only the command run is imported. */
export interface CommandEntry {
  words: readonly string[];
  summary: string;
  /** buildCommand: the commander definition, read by the completion scripts' generator. */
  load: () => Promise<{ run: RunCommand; buildCommand: () => Command }>;
  /** Kept for pipelines written for the JavaScript qs-jwt; listed apart in help. */
  compatibility?: boolean;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    words: ['quickstart'],
    summary: 'create a key, a certificate and example tokens, and show where to paste them',
    load: () => import('./commands/quickstart.js'),
  },
  {
    words: ['keys', 'create'],
    summary: 'create an RSA key pair and a self-signed certificate',
    load: () => import('./commands/keys-create.js'),
  },
  {
    words: ['keys', 'show'],
    summary: 'describe a key or certificate file and convert it (PEM, single line, JWK)',
    load: () => import('./commands/keys-show.js'),
  },
  {
    words: ['create', 'qseow'],
    summary: 'mint a token for a client-managed Qlik Sense JWT virtual proxy',
    load: () => import('./commands/create-qseow.js'),
  },
  {
    words: ['create', 'cloud'],
    summary: "mint a token for Qlik Cloud's JWT identity provider",
    load: () => import('./commands/create-cloud.js'),
  },
  {
    words: ['decode'],
    summary: 'show header and payload with readable times (verifies nothing)',
    load: () => import('./commands/decode.js'),
  },
  {
    words: ['verify'],
    summary: "check signature and Qlik's acceptance rules; every finding with a fix",
    load: () => import('./commands/verify.js'),
  },
  {
    words: ['lint'],
    summary: "check claims against Qlik's rules without a key",
    load: () => import('./commands/lint.js'),
  },
  {
    words: ['batch'],
    summary: 'mint one token per CSV or JSON Lines row, on all cores, in input order',
    load: () => import('./commands/batch.js'),
  },
  {
    words: ['emulate'],
    summary: "run a local stand-in for Qlik's JWT endpoints (QSEoW virtual proxy, Qlik Cloud login) for tests and CI",
    load: () => import('./commands/emulate.js'),
  },
  {
    words: ['test'],
    summary: 'send a token to a Qlik server (or qs-jwt emulate) as clients do; report each step and explain a refusal',
    load: () => import('./commands/test.js'),
  },
  {
    words: ['ui'],
    summary: 'serve the local web workbench: create, inspect and test tokens, keys and Qlik setup in a browser',
    load: () => import('./commands/ui.js'),
  },
  {
    words: ['setup', 'qseow'],
    summary: 'create or update the JWT virtual proxy through QRS and link it to the proxy',
    load: () => import('./commands/setup-qseow.js'),
  },
  {
    words: ['setup', 'cloud'],
    summary:
      "create (or with --replace rotate) the tenant's JWT identity provider from your issuer, key ID and certificate",
    load: () => import('./commands/setup-cloud.js'),
  },
  {
    words: ['doctor', 'qseow'],
    summary: 'check a JWT virtual proxy through QRS against your key and token settings; codes and fixes',
    load: () => import('./commands/doctor-qseow.js'),
  },
  {
    words: ['doctor', 'cloud'],
    summary: "check the tenant's JWT identity providers against your issuer, key ID and key; codes and fixes",
    load: () => import('./commands/doctor-cloud.js'),
  },
  {
    words: ['bridge', 'qseow'],
    summary:
      "accept your identity provider's tokens (JWKS) in front of a QSEoW JWT virtual proxy: verify, mint, proxy HTTP and websockets",
    load: () => import('./commands/bridge.js'),
  },
  {
    words: ['config', 'show'],
    summary: 'show profile and environment settings in effect, secrets masked',
    load: () => import('./commands/config-show.js'),
  },
  {
    words: ['completion'],
    summary: 'print a completion script for bash, zsh, fish or PowerShell',
    load: () => import('./commands/completion.js'),
  },
  {
    words: ['create-qseow'],
    summary: 'qs-jwt (JavaScript) compatible form of create qseow',
    load: () => import('./commands/compat-create-qseow.js'),
    compatibility: true,
  },
  {
    words: ['create-qscloud'],
    summary: 'qs-jwt (JavaScript) compatible form of create cloud',
    load: () => import('./commands/compat-create-qscloud.js'),
    compatibility: true,
  },
];

/** The entry whose words start argv, longest match first. */
export function findCommand(args: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  const matches = COMMANDS.filter((entry) => entry.words.every((word, index) => args[index] === word));
  const entry = matches.sort((a, b) => b.words.length - a.words.length)[0];
  return entry ? { entry, rest: args.slice(entry.words.length) } : undefined;
}

/** Commands under a group word (`keys`, `create`), for `qs-jwt keys` without a subcommand. */
export function commandsInGroup(group: string): CommandEntry[] {
  return COMMANDS.filter((entry) => entry.words.length > 1 && entry.words[0] === group);
}

/** The first words of every command (`keys`, `create`, `verify` …), for "did you mean". */
export function topLevelWords(): string[] {
  return [...new Set(COMMANDS.map((entry) => entry.words[0] as string))];
}
