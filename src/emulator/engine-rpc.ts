import type { EmulatedApp } from './emulator-config.js';

/**
 * A minimal QIX engine over JSON-RPC 2.0, shaped like Qlik's so enigma.js and @qlik/api work against
 * it: the greeting notifications on connect, the Global object on handle -1, one Doc handle per
 * opened app. Messages in, messages out; the websocket lives in src/emulator/server.
 */

export const GLOBAL_HANDLE = -1;
/** JSON-RPC 2.0 codes, and the engine's own for a missing or already open app. */
export const RPC_ERRORS = {
  parseError: { code: -32700, message: 'Parse error' },
  invalidRequest: { code: -32600, message: 'Invalid Request' },
  methodNotFound: { code: -32601, message: 'Method not found' },
  invalidParams: { code: -32602, message: 'Invalid params' },
  appAlreadyOpen: { code: 1002, message: 'App already open' },
  appNotFound: { code: 1003, message: 'App not found' },
} as const;

export const ENGINE_VERSION = '12.2100.0';
export const PRODUCT_VERSION = '14.254.6';

export interface EngineSession {
  /** `UserDirectory=<dir>; UserId=<id>`, what GetAuthenticatedUser returns. */
  authenticatedUser: string;
  apps: readonly EmulatedApp[];
  /** Doc handles → app IDs. */
  docs: Map<number, string>;
  nextHandle: number;
}

export function createEngineSession(authenticatedUser: string, apps: readonly EmulatedApp[]): EngineSession {
  return { authenticatedUser, apps, docs: new Map(), nextHandle: 1 };
}

/**
 * What Qlik Sense client-managed sends first on an engine websocket, before OnConnected: who the proxy
 * authenticated, and whether the client must log in first (never here: refused upgrades get no socket).
 * Older clients (qsocks) wait for it instead of OnConnected; @qlik/api listens for it on QSEoW (a
 * mustAuthenticate with a loginUri sends it to the login page).
 */
export function onAuthenticationInformationNotification(user: { userId: string; userDirectory: string }): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    method: 'OnAuthenticationInformation',
    params: { userId: user.userId, userDirectory: user.userDirectory, mustAuthenticate: false },
  });
}

/** Sent on every new engine websocket, after any greeting; enigma.js waits for it. */
export function onConnectedNotification(): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } });
}

type RpcId = string | number | null;

function result(id: RpcId, value: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result: value });
}

function error(id: RpcId, failure: { code: number; message: string }, parameter: string = failure.message): string {
  // The engine adds `parameter` to its errors; enigma.js copies it onto the Error it rejects with.
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code: failure.code, parameter, message: failure.message } });
}

/** A positional or named parameter, as enigma.js may send either. */
function param(params: unknown, index: number, name: string): unknown {
  if (Array.isArray(params)) return params[index];
  if (params !== null && typeof params === 'object') return (params as Record<string, unknown>)[name];
  return undefined;
}

function docEntry(app: EmulatedApp): Record<string, unknown> {
  return {
    qDocName: app.name,
    qConnectedUsers: 0,
    qFileTime: 0,
    qFileSize: 0,
    qDocId: app.id,
    qMeta: { title: app.name },
    qLastReloadTime: '2026-01-01T00:00:00.000Z',
    qReadOnly: false,
    qTitle: app.name,
    qThumbnail: {},
  };
}

function globalMethod(session: EngineSession, id: RpcId, method: string, params: unknown): string {
  switch (method) {
    case 'EngineVersion':
      return result(id, { qVersion: { qComponentVersion: ENGINE_VERSION } });
    case 'ProductVersion':
      return result(id, { qReturn: PRODUCT_VERSION });
    case 'GetAuthenticatedUser':
      return result(id, { qReturn: session.authenticatedUser });
    case 'GetDocList':
      return result(id, { qDocList: session.apps.map(docEntry) });
    case 'OpenDoc': {
      const name = param(params, 0, 'qDocName');
      if (typeof name !== 'string') return error(id, RPC_ERRORS.invalidParams, 'qDocName');
      const app = session.apps.find((candidate) => candidate.id === name || candidate.name === name);
      if (!app) return error(id, RPC_ERRORS.appNotFound, name.slice(0, 200));
      if ([...session.docs.values()].includes(app.id)) return error(id, RPC_ERRORS.appAlreadyOpen, app.id);
      const handle = session.nextHandle;
      session.nextHandle += 1;
      session.docs.set(handle, app.id);
      return result(id, { qReturn: { qType: 'Doc', qHandle: handle, qGenericId: app.id } });
    }
    default:
      return error(id, RPC_ERRORS.methodNotFound, method.slice(0, 200));
  }
}

function docMethod(session: EngineSession, id: RpcId, appId: string, method: string): string {
  const app = session.apps.find((candidate) => candidate.id === appId);
  if (method === 'GetAppLayout' && app) {
    return result(id, {
      qLayout: {
        qTitle: app.name,
        qFileName: app.id,
        qLastReloadTime: '2026-01-01T00:00:00.000Z',
        qModified: false,
        qHasScript: true,
        qStateNames: [],
        qMeta: { title: app.name },
        qLocaleInfo: {},
        qHasData: true,
        qReadOnly: false,
        qIsOpenedWithoutData: false,
        qIsSessionApp: false,
        qThumbnail: {},
        qIsBDILiveMode: false,
      },
    });
  }
  return error(id, RPC_ERRORS.methodNotFound, method.slice(0, 200));
}

/** The answers to one websocket text frame: none for a notification, one for a request. */
export function handleEngineMessage(session: EngineSession, text: string): string[] {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return [error(null, RPC_ERRORS.parseError)];
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message))
    return [error(null, RPC_ERRORS.invalidRequest)];
  const { id, method, handle, params } = message as Record<string, unknown>;
  const rpcId: RpcId = typeof id === 'number' || typeof id === 'string' ? id : null;
  if (typeof method !== 'string') return [error(rpcId, RPC_ERRORS.invalidRequest)];
  if (id === undefined) return [];
  if (handle === GLOBAL_HANDLE || handle === undefined) return [globalMethod(session, rpcId, method, params)];
  const appId = typeof handle === 'number' ? session.docs.get(handle) : undefined;
  if (appId === undefined) return [error(rpcId, RPC_ERRORS.invalidParams, `handle ${String(handle).slice(0, 20)}`)];
  return [docMethod(session, rpcId, appId, method)];
}
