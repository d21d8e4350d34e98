import { CookieJar } from '../cookie-jar.js';
import { parseAuthenticatedUser, type EngineUserReading } from '../engine-user.js';
import type { QseowProbeUser } from '../probe-step.js';
import { oneLine } from '../probe-step.js';
import { generateXrfkey } from '../../core/qlik/xrfkey.js';
import { openEngineSocket, type EngineConnection, type EngineOpening } from './engine-socket.js';
import { header, NetworkError } from './http-client.js';
import {
  describeFailure,
  parseJsonObject,
  ProbeRun,
  setCookieLines,
  text,
  USER_AGENT,
  type ProbeOutcome,
  type ProbeSettings,
} from './probe-run.js';

/**
 * The QSEoW probe, in the order a real client meets the virtual proxy: a QRS call with the Bearer
 * token (xrfkey in query and header), the session cookie alone on the QPS user endpoint, the engine
 * websocket (Nov 2024 CSRF flow first, the classic Bearer upgrade if that is refused), and the engine's
 * own view of the user. The first failure ends the run: later steps would fail for the same reason.
 */

export interface QseowProbeSettings extends ProbeSettings {
  /** The server URL (scheme, host, port, and any path in front of the prefix). */
  server: URL;
  /** Virtual proxy prefix without slashes; empty for the default virtual proxy. */
  prefix: string;
}

const GLOBAL_HANDLE = -1;

function sameUser(a: { userId: string; userDirectory: string }, b: { userId: string; userDirectory: string }): boolean {
  return (
    a.userId.toLowerCase() === b.userId.toLowerCase() && a.userDirectory.toLowerCase() === b.userDirectory.toLowerCase()
  );
}

export async function probeQseow(settings: QseowProbeSettings): Promise<ProbeOutcome<QseowProbeUser>> {
  const run = new ProbeRun(settings);
  const base = `${settings.server.pathname.replace(/\/+$/, '')}${settings.prefix ? `/${settings.prefix}` : ''}`;
  const at = (path: string, query: Record<string, string> = {}): URL => {
    const url = new URL(`${base}${path}`, settings.server.origin);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  };
  const urlHint = 'check --server and --prefix (the virtual proxy prefix)';
  const jar = new CookieJar();
  const xrfkey = generateXrfkey();
  const bearer = `Bearer ${settings.token}`;
  const outcome = (user: QseowProbeUser | null): ProbeOutcome<QseowProbeUser> => ({
    steps: run.steps,
    user,
    refusal: run.refusal,
  });

  // 1. The token itself: Qlik validates it, opens a session and sets the cookie.
  const aboutUrl = at('/qrs/about', { xrfkey });
  const about = await run.request('qrs/about', aboutUrl, {
    headers: { authorization: bearer, 'x-qlik-xrfkey': xrfkey },
  });
  if (!about) return outcome(null);
  if (about.status !== 200) {
    run.fail('qrs/about', about, describeFailure(about, `GET ${aboutUrl.pathname}`, urlHint));
    return outcome(null);
  }
  jar.capture(setCookieLines(about));
  const build = text(parseJsonObject(about.body)?.['buildVersion']);
  run.record(
    'qrs/about',
    true,
    200,
    `GET ${aboutUrl.pathname}: Qlik Sense ${build ? `build ${build}` : '(no buildVersion)'}; ${jar.size > 0 ? `session cookie ${jar.names().join(', ')}` : 'no session cookie set'}`,
  );

  // 2. The session cookie alone, as a browser's next request would carry it.
  const userUrl = at('/qps/user', { xrfkey });
  const userAnswer = await run.request('qps/user', userUrl, {
    headers: { cookie: jar.header(), 'x-qlik-xrfkey': xrfkey },
  });
  if (!userAnswer) return outcome(null);
  const userJson = userAnswer.status === 200 ? parseJsonObject(userAnswer.body) : undefined;
  const userId = text(userJson?.['userId']);
  const userDirectory = text(userJson?.['userDirectory']);
  if (userId === undefined || userDirectory === undefined) {
    const detail =
      userAnswer.status === 200
        ? `GET ${userUrl.pathname} → 200 without userId and userDirectory: ${oneLine(userAnswer.body, 120)}`
        : describeFailure(userAnswer, `GET ${userUrl.pathname} with the session cookie`, urlHint);
    run.fail('qps/user', userAnswer, detail);
    return outcome(null);
  }
  jar.capture(setCookieLines(userAnswer));
  const user: QseowProbeUser = { userId, userDirectory, userName: text(userJson?.['userName']) };
  run.record(
    'qps/user',
    true,
    200,
    `GET ${userUrl.pathname} with the session cookie: ${userDirectory}\\${userId}${user.userName && user.userName !== userId ? ` (${user.userName})` : ''}`,
  );

  // 3. The engine websocket.
  const engine = await openEngine(run, settings, at, jar, xrfkey, bearer);
  if (!engine) return outcome(user);

  // 4. The engine's own view of the user.
  try {
    await engine.connected(settings.timeoutMs);
    const result = await engine.call('GetAuthenticatedUser', GLOBAL_HANDLE, [], settings.timeoutMs);
    const answer = text(result['qReturn']) ?? '';
    const parsed = parseAuthenticatedUser(answer);
    if (!parsed.ok) run.record('GetAuthenticatedUser', false, null, unreadableEngineUser(answer, parsed, user));
    else if (!sameUser(parsed, user))
      run.record(
        'GetAuthenticatedUser',
        false,
        null,
        `the engine sees ${parsed.userDirectory}\\${parsed.userId}, the proxy ${userDirectory}\\${userId}`,
      );
    else run.record('GetAuthenticatedUser', true, null, answer);
    if (parsed.ok) user.engineUser = { userDirectory: parsed.userDirectory, userId: parsed.userId };
  } catch (error) {
    run.record('GetAuthenticatedUser', false, null, (error as Error).message);
  } finally {
    engine.close();
  }
  return outcome(user);
}

/**
 * An engine answer that is not one user. When it is ambiguous, the cause is nearly always the user ID or
 * directory itself (QJ108): say so, with the user the proxy reported, rather than print the engine's text.
 */
function unreadableEngineUser(
  answer: string,
  reading: Extract<EngineUserReading, { ok: false }>,
  proxyUser: QseowProbeUser,
): string {
  const said = `the engine answered ${JSON.stringify(oneLine(answer, 80))}`;
  if (!reading.ambiguous) return `${said}: ${reading.problem}`;
  const named = JSON.stringify(oneLine(`${proxyUser.userDirectory}\\${proxyUser.userId}`, 60));
  return (
    `${said}, ambiguous (${reading.problem}): the user ${named} has ";", "=", control characters or edge spaces, ` +
    'which split Qlik\'s "UserDirectory=…; UserId=…" [QJ108]: send the user ID and directory without them'
  );
}

/**
 * Opens the engine websocket. Nov 2024 flow: GET /qps/csrftoken with the cookie, then the upgrade with
 * the cookie, ?qlik-csrf-token= and an Origin equal to the server's (same-origin always passes the
 * CSWSH check). If that is refused or unavailable, the classic flow: the Bearer token on the upgrade.
 */
async function openEngine(
  run: ProbeRun,
  settings: QseowProbeSettings,
  at: (path: string, query?: Record<string, string>) => URL,
  jar: CookieJar,
  xrfkey: string,
  bearer: string,
): Promise<EngineConnection | undefined> {
  const socketUrl = (query: Record<string, string> = {}): URL => {
    const url = at('/app/engineData', query);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url;
  };
  const socketOptions = { timeoutMs: settings.timeoutMs, tls: settings.tls };
  let modern: string;
  try {
    const csrfUrl = at('/qps/csrftoken', { xrfkey });
    const csrf = await run.request('websocket', csrfUrl, {
      headers: { cookie: jar.header(), 'x-qlik-xrfkey': xrfkey },
    });
    if (!csrf) return undefined;
    jar.capture(csrf.headers['set-cookie']);
    const csrfToken = csrf.status === 200 ? header(csrf, 'qlik-csrf-token') : undefined;
    if (csrfToken === undefined) {
      modern = `GET ${csrfUrl.pathname} → ${csrf.status}${csrf.status === 200 ? ' without a qlik-csrf-token header' : ''}`;
    } else {
      const opening = await openEngineSocket(socketUrl({ 'qlik-csrf-token': csrfToken }), {
        ...socketOptions,
        headers: { cookie: jar.header(), 'user-agent': USER_AGENT },
        origin: settings.server.origin,
      });
      if (opening.kind === 'open') {
        run.record(
          'websocket',
          true,
          101,
          `${socketUrl().pathname}: Nov 2024 flow (session cookie, qlik-csrf-token, Origin ${settings.server.origin})`,
        );
        return opening.engine;
      }
      modern = `upgrade with cookie and qlik-csrf-token → ${refusalText(opening)}`;
    }
    const classic = await openEngineSocket(socketUrl(), {
      ...socketOptions,
      headers: { authorization: bearer, 'user-agent': USER_AGENT },
    });
    if (classic.kind === 'open') {
      run.record(
        'websocket',
        true,
        101,
        `${socketUrl().pathname}: classic flow (Bearer on the upgrade); the Nov 2024 flow failed: ${modern}`,
      );
      return classic.engine;
    }
    run.fail(
      'websocket',
      classic,
      `${socketUrl().pathname} refused: Nov 2024 flow: ${modern}; classic flow (Bearer) → ${refusalText(classic)}`,
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    run.record('websocket', false, null, `${socketUrl().pathname}: ${error.message}`);
    return undefined;
  }
}

function refusalText(opening: Extract<EngineOpening, { kind: 'refused' }>): string {
  const reason = header(opening, 'x-qs-jwt-reason');
  const body = oneLine(opening.body, 80);
  return `${opening.status}${body ? ` ${body}` : ''}${reason ? ` [${oneLine(reason, 120)}]` : ''}`;
}
