import { CookieJar } from '../cookie-jar.js';
import type { CloudProbeUser } from '../probe-step.js';
import { oneLine } from '../probe-step.js';
import { header } from './http-client.js';
import {
  describeFailure,
  parseJsonObject,
  ProbeRun,
  setCookieLines,
  text,
  type ProbeOutcome,
  type ProbeSettings,
} from './probe-run.js';

/**
 * The Qlik Cloud probe: the JWT login a backend does (POST /login/jwt-session with the Bearer token),
 * the CSRF token every later non-GET call needs, and users/me: who Qlik Cloud resolved the token to.
 */

export interface CloudProbeSettings extends ProbeSettings {
  /** The tenant URL, e.g. https://acme.eu.qlikcloud.com. */
  tenant: URL;
}

function groupNames(user: Record<string, unknown>): string[] {
  const assigned = user['assignedGroups'];
  if (!Array.isArray(assigned)) return [];
  return assigned.flatMap((group: unknown) => {
    const name = group !== null && typeof group === 'object' ? (group as Record<string, unknown>)['name'] : group;
    return typeof name === 'string' ? [name] : [];
  });
}

export async function probeCloud(settings: CloudProbeSettings): Promise<ProbeOutcome<CloudProbeUser>> {
  const run = new ProbeRun(settings);
  const base = settings.tenant.pathname.replace(/\/+$/, '');
  const at = (path: string): URL => new URL(`${base}${path}`, settings.tenant.origin);
  const urlHint = 'check --tenant (the tenant URL, e.g. https://acme.eu.qlikcloud.com)';
  const jar = new CookieJar();
  const outcome = (user: CloudProbeUser | null): ProbeOutcome<CloudProbeUser> => ({
    steps: run.steps,
    user,
    refusal: run.refusal,
  });

  const loginUrl = at('/login/jwt-session');
  const login = await run.request('login', loginUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${settings.token}`, 'content-length': '0' },
  });
  if (!login) return outcome(null);
  jar.capture(setCookieLines(login));
  if (login.status < 200 || login.status >= 300) {
    run.fail('login', login, describeFailure(login, `POST ${loginUrl.pathname}`, urlHint));
    return outcome(null);
  }
  run.record(
    'login',
    true,
    login.status,
    `POST ${loginUrl.pathname}: ${jar.size > 0 ? `session cookies ${jar.names().join(', ')}` : 'no session cookie set'}`,
  );

  const csrfUrl = at('/api/v1/csrf-token');
  const csrf = await run.request('csrf-token', csrfUrl, { headers: { cookie: jar.header() } });
  if (!csrf) return outcome(null);
  const csrfToken = header(csrf, 'qlik-csrf-token');
  if (csrf.status < 200 || csrf.status >= 300 || csrfToken === undefined) {
    const detail =
      csrf.status < 300
        ? `GET ${csrfUrl.pathname} → ${csrf.status} without a qlik-csrf-token header`
        : describeFailure(csrf, `GET ${csrfUrl.pathname} with the session cookies`, urlHint);
    run.fail('csrf-token', csrf, detail);
    return outcome(null);
  }
  jar.capture(setCookieLines(csrf));
  run.record('csrf-token', true, csrf.status, `GET ${csrfUrl.pathname}: qlik-csrf-token received`);

  const meUrl = at('/api/v1/users/me');
  const me = await run.request('users/me', meUrl, { headers: { cookie: jar.header(), 'qlik-csrf-token': csrfToken } });
  if (!me) return outcome(null);
  const json = me.status === 200 ? parseJsonObject(me.body) : undefined;
  if (!json) {
    run.fail(
      'users/me',
      me,
      me.status === 200
        ? `GET ${meUrl.pathname} → 200 but not a JSON object: ${oneLine(me.body, 100)}`
        : describeFailure(me, `GET ${meUrl.pathname} with the session cookies`, urlHint),
    );
    return outcome(null);
  }
  const user: CloudProbeUser = {
    id: text(json['id']),
    name: text(json['name']),
    email: text(json['email']),
    subject: text(json['subject']),
    groups: groupNames(json),
  };
  run.record(
    'users/me',
    true,
    200,
    `GET ${meUrl.pathname}: ${user.name ?? '(no name)'} <${user.email ?? 'no email'}>, subject ${user.subject ?? '(none)'}`,
  );
  return outcome(user);
}
