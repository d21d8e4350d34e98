import { api, ApiFailure, type Finding } from './api-client.js';
import { bindKeyPicker, type AppState } from './app-state.js';
import { debounce, el, field, fill, input, output, select, textarea } from './element.js';
import { findingsList } from './findings-list.js';

interface TokenAnswer {
  token: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  expiresAt: string;
  warnings: string[];
  findings: Finding[];
  command: string;
  curl: string;
}

type Controls = Record<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>;

/**
 * Create: the fields carry the names admins see in the QMC virtual proxy and the Qlik Cloud identity
 * provider. Every change asks the server for the token (the core mints it), its decoded parts, Qlik's
 * findings and the equivalent command lines.
 */
export function createView(state: AppState): HTMLElement {
  const d = state.defaults;
  const platform = select(
    'platform',
    [
      ['qseow', 'QSEoW (client-managed)'],
      ['cloud', 'Qlik Cloud'],
    ],
    d['platform'] ?? 'qseow',
  );
  const key = select('key', []);
  bindKeyPicker(key, state, () => state.settings.key);
  const qseow: Controls = {
    userId: input('userId', '', { required: '' }),
    userDirectory: input('userDirectory', '', { required: '' }),
    userIdAttribute: input('userIdAttribute', d['useridAttr'] ?? 'userId'),
    userDirectoryAttribute: input('userDirectoryAttribute', d['userdirAttr'] ?? 'userDirectory'),
    name: input('name'),
    email: input('email', '', { type: 'email' }),
    groups: textarea('groups', 2),
    groupsAttribute: input('groupsAttribute', d['groupsAttr'] ?? 'groups'),
    audience: input('audience', d['audience'] ?? ''),
    issuer: input('issuer'),
    subject: input('subject'),
    kid: input('kid'),
  };
  const cloud: Controls = {
    subject: input('subject', '', { required: '' }),
    name: input('name', '', { required: '' }),
    email: input('email', '', { type: 'email', required: '' }),
    emailVerified: select(
      'emailVerified',
      [
        ['true', 'true'],
        ['false', 'false'],
      ],
      'true',
    ),
    issuer: input('issuer', d['issuer'] ?? '', { required: '' }),
    kid: input('kid', d['kid'] ?? '', { required: '' }),
    groups: textarea('groups', 2),
  };
  const common: Controls = {
    alg: select(
      'alg',
      [
        ['RS256', 'RS256'],
        ['RS384', 'RS384'],
        ['RS512', 'RS512'],
      ],
      d['alg'] ?? 'RS256',
    ),
    expires: input('expires', d['expires'] ?? '', { placeholder: 'default: 1h (QSEoW), 5m (Cloud)' }),
    notBefore: input('notBefore', '', { placeholder: 'default: iat; -30s backdates' }),
    issuedAt: input('issuedAt', '', { placeholder: 'default: now' }),
    jti: input('jti', '', { placeholder: 'default: 128 random bits' }),
    claims: textarea('claims', 2, { placeholder: '{"department": "sales"}' }),
  };
  const qseowSet = el(
    'fieldset',
    {},
    el('legend', { text: 'Virtual proxy user (QMC)' }),
    field('User ID', qseow.userId!),
    field('User directory', qseow.userDirectory!),
    field('JWT attribute for user ID', qseow.userIdAttribute!),
    field('JWT attribute for user directory', qseow.userDirectoryAttribute!),
    field('User name claim (name)', qseow.name!),
    field('User email claim (email)', qseow.email!),
    field('User groups (one per line)', qseow.groups!),
    field('Claim name for groups', qseow.groupsAttribute!),
    field('JWT audience', qseow.audience!, 'the virtual proxy checks aud only when its JWT audience is set'),
    field('iss claim (optional)', qseow.issuer!),
    field('sub claim (optional)', qseow.subject!),
    field('kid header (optional)', qseow.kid!),
  );
  const cloudSet = el(
    'fieldset',
    {},
    el('legend', { text: 'Identity provider user (Qlik Cloud)' }),
    field('Subject', cloud.subject!, 'sub: a stable ID per user'),
    field('Name', cloud.name!),
    field('Email', cloud.email!),
    field('Email verified', cloud.emailVerified!),
    field('Issuer', cloud.issuer!, "the identity provider's issuer"),
    field('Key ID', cloud.kid!, "the identity provider's key ID"),
    field('Groups (one per line)', cloud.groups!),
  );
  const commonSet = el(
    'fieldset',
    {},
    el('legend', { text: 'Signature and time window' }),
    field('Signing key', key),
    field('Algorithm', common.alg!),
    field('Expires', common.expires!, 'a lifetime (30s, 5m, 8h) or a time (RFC 3339, Unix seconds)'),
    field('Not before', common.notBefore!),
    field('Issued at', common.issuedAt!),
    field('JWT ID (jti)', common.jti!),
    field('Extra claims (JSON object)', common.claims!),
  );
  const create = el('button', { text: 'Create token', attrs: { type: 'submit' } });
  const status = el('p', { className: 'status', attrs: { role: 'status' } });
  const token = output('Created token', 4);
  const command = output('Command line', 3);
  const curl = output('curl command', 3);
  const decoded = el('div', { className: 'decoded' });
  const findings = el('div');
  const form = el(
    'form',
    { className: 'form', attrs: { 'aria-label': 'Token settings' } },
    field('Platform', platform),
    qseowSet,
    cloudSet,
    commonSet,
    create,
  );

  const values = (controls: Controls): Record<string, string | boolean> =>
    Object.fromEntries(Object.entries(controls).map(([name, control]) => [name, control.value]));
  const showPlatform = (): void => {
    qseowSet.hidden = platform.value !== 'qseow';
    cloudSet.hidden = platform.value !== 'cloud';
  };
  const remember = (): void => {
    const isQseow = platform.value === 'qseow';
    Object.assign(state.settings, {
      platform: platform.value,
      key: key.value,
      userIdAttribute: qseow.userIdAttribute!.value,
      userDirectoryAttribute: qseow.userDirectoryAttribute!.value,
      audience: qseow.audience!.value,
      issuer: isQseow ? '' : cloud.issuer!.value,
      kid: isQseow ? '' : cloud.kid!.value,
    });
  };
  let sequence = 0;
  const run = async (explicit: boolean): Promise<void> => {
    remember();
    const own =
      platform.value === 'qseow'
        ? values(qseow)
        : { ...values(cloud), emailVerified: cloud.emailVerified!.value === 'true' };
    const required =
      platform.value === 'qseow'
        ? [qseow.userId, qseow.userDirectory]
        : [cloud.subject, cloud.name, cloud.email, cloud.issuer, cloud.kid];
    if (!explicit && required.some((control) => control!.value.trim() === '')) {
      status.textContent = 'Fill in the required fields to see the token.';
      return;
    }
    const mine = ++sequence;
    try {
      const answer = await api<TokenAnswer>('/api/token', {
        platform: platform.value,
        key: key.value,
        ...values(common),
        ...own,
      });
      if (mine !== sequence) return;
      token.box.value = answer.token;
      command.box.value = answer.command;
      curl.box.value = answer.curl;
      state.settings.token = answer.token;
      state.emit('settings');
      const parts = answer.token.split('.');
      fill(
        decoded,
        el(
          'p',
          { className: 'parts', attrs: { 'aria-label': 'Token parts' } },
          el('span', { className: 'part-header', text: parts[0] }),
          '.',
          el('span', { className: 'part-payload', text: parts[1] }),
          '.',
          el('span', { className: 'part-signature', text: parts[2] }),
        ),
        el(
          'section',
          { attrs: { 'aria-label': 'Created header' } },
          el('h3', { text: 'Header' }),
          el('pre', { text: JSON.stringify(answer.header, null, 2) }),
        ),
        el(
          'section',
          { attrs: { 'aria-label': 'Created payload' } },
          el('h3', { text: 'Payload' }),
          el('pre', { text: JSON.stringify(answer.payload, null, 2) }),
        ),
      );
      fill(
        findings,
        el('h3', { text: "Qlik's rules" }),
        findingsList(answer.findings, 'Created token findings'),
        ...answer.warnings.map((warning) => el('p', { className: 'warning', text: `Warning: ${warning}` })),
      );
      status.textContent = `Token created; expires ${answer.expiresAt}.`;
    } catch (error) {
      if (mine !== sequence) return;
      token.box.value = '';
      status.textContent = error instanceof ApiFailure ? `${error.message} (${error.code})` : String(error);
    }
  };
  const live = debounce(() => void run(false), 250);
  form.addEventListener('input', live);
  form.addEventListener('change', () => {
    showPlatform();
    live();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run(true);
  });
  showPlatform();
  remember();
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'create-title' } },
    el('h2', { text: 'Create a token', attrs: { id: 'create-title' } }),
    el(
      'div',
      { className: 'columns' },
      form,
      el('div', { className: 'results' }, status, token.node, decoded, findings, command.node, curl.node),
    ),
  );
}
