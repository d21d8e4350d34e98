import { api, ApiFailure, type KeySummary } from './api-client.js';
import type { AppState } from './app-state.js';
import { el, field, fill, input, output, select, textarea } from './element.js';

interface KeyAnswer {
  key?: KeySummary;
  description: {
    kind: string;
    encoding: string;
    bits?: number;
    jwkThumbprint?: string;
    unusable?: string;
    certificate?: {
      subject: string;
      issuer: string;
      selfSigned: boolean;
      validFrom: string;
      validTo: string;
      sha256Thumbprint: string;
      sha1Thumbprint: string;
    };
  };
  publicPem: string;
  singleLine: string;
  publicJwk: Record<string, unknown>;
}

function facts(answer: KeyAnswer): HTMLElement {
  const { description } = answer;
  const rows: [string, string | undefined][] = [
    ['Kind', description.kind],
    ['Encoding', description.encoding],
    ['Key', description.bits ? `RSA ${description.bits} bits` : undefined],
    ['Subject', description.certificate?.subject],
    ['Valid from', description.certificate?.validFrom],
    ['Valid to', description.certificate?.validTo],
    ['SHA-256 thumbprint', description.certificate?.sha256Thumbprint],
    ['SHA-1 thumbprint', description.certificate?.sha1Thumbprint],
    ['Key ID (RFC 7638 thumbprint)', description.jwkThumbprint],
    ['Usable', description.unusable ? `no: ${description.unusable}` : undefined],
  ];
  return el(
    'dl',
    { className: 'facts' },
    ...rows
      .filter(([, value]) => value !== undefined)
      .flatMap(([name, value]) => [el('dt', { text: name }), el('dd', { text: value })]),
  );
}

function publicForms(answer: KeyAnswer): HTMLElement[] {
  if (answer.singleLine === '') return [];
  const singleLine = output('Single-line certificate for Qlik Cloud', 3);
  singleLine.box.value = answer.singleLine;
  const jwk = output('Public JWK', 4);
  jwk.box.value = JSON.stringify(answer.publicJwk, null, 2);
  return [singleLine.node, jwk.node];
}

/** Links to a created key's public files, and the private key behind a button that says what it does. */
function downloads(key: KeySummary): HTMLElement {
  const base = `/api/keys/${encodeURIComponent(key.id)}`;
  return el(
    'div',
    { className: 'downloads' },
    key.hasCertificate
      ? el('a', {
          text: 'Download certificate (publickey.cer)',
          attrs: { href: `${base}/publickey.cer`, download: 'publickey.cer' },
        })
      : null,
    el('a', {
      text: 'Download public key (publickey.pem)',
      attrs: { href: `${base}/publickey.pem`, download: 'publickey.pem' },
    }),
    el(
      'form',
      { attrs: { method: 'post', action: `${base}/privatekey.pem` } },
      el('button', { text: 'Download private key (privatekey.pem)', className: 'danger', attrs: { type: 'submit' } }),
      el('small', { text: ' Keep it secret: anyone with it can sign tokens Qlik accepts.' }),
    ),
  );
}

/** Keys: create a key pair and certificate (kept in the server's memory), or describe pasted key material. */
export function keysView(state: AppState): HTMLElement {
  const bits = select(
    'bits',
    [
      ['2048', '2048'],
      ['3072', '3072'],
      ['4096', '4096'],
    ],
    '2048',
  );
  const days = input('days', '1825', { inputmode: 'numeric' });
  const commonName = input('commonName', 'qs-jwt');
  const createStatus = el('p', { className: 'status', attrs: { role: 'status' } });
  const created = el('div', { className: 'results' });
  const createForm = el(
    'form',
    { className: 'form', attrs: { 'aria-label': 'New key pair' } },
    field('Bits', bits),
    field('Days', days, 'certificate validity'),
    field('Common name (CN)', commonName),
    el('button', { text: 'Create key pair', attrs: { type: 'submit' } }),
  );
  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    createStatus.textContent = 'Creating the key pair…';
    api<KeyAnswer>('/api/keys/create', {
      bits: Number(bits.value),
      days: days.value,
      commonName: commonName.value,
    }).then(
      (answer) => {
        createStatus.textContent = `Created ${answer.key?.name ?? 'a key pair'}; it is offered in Create and Test until qs-jwt ui stops.`;
        if (answer.key) state.addKey(answer.key);
        fill(created, facts(answer), ...publicForms(answer), answer.key ? downloads(answer.key) : null);
      },
      (error: unknown) => {
        createStatus.textContent = error instanceof ApiFailure ? `${error.message} (${error.code})` : String(error);
      },
    );
  });

  const pasted = textarea('text', 5, {
    placeholder: '-----BEGIN CERTIFICATE----- …, a public or private key (PEM or JWK)',
  });
  const keep = el('input', { attrs: { type: 'checkbox', name: 'use' } });
  const describeStatus = el('p', { className: 'status', attrs: { role: 'status' } });
  const described = el('div', { className: 'results' });
  const describeForm = el(
    'form',
    { className: 'form', attrs: { 'aria-label': 'Describe a key' } },
    field('Key or certificate', pasted),
    el(
      'div',
      { className: 'check' },
      keep,
      el('label', {
        text: 'Keep a pasted private key for signing (in memory only)',
        attrs: { for: (keep.id = 'keep-key') },
      }),
    ),
    el('button', { text: 'Describe', attrs: { type: 'submit' } }),
  );
  describeForm.addEventListener('submit', (event) => {
    event.preventDefault();
    api<KeyAnswer>('/api/keys/describe', { text: pasted.value, use: keep.checked }).then(
      (answer) => {
        describeStatus.textContent = answer.key ? `Kept as ${answer.key.name}.` : `A ${answer.description.kind}.`;
        if (answer.key) state.addKey(answer.key);
        fill(described, facts(answer), ...publicForms(answer));
      },
      (error: unknown) => {
        describeStatus.textContent = error instanceof ApiFailure ? `${error.message} (${error.code})` : String(error);
        fill(described);
      },
    );
  });
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'keys-title' } },
    el('h2', { text: 'Keys and certificates', attrs: { id: 'keys-title' } }),
    el(
      'div',
      { className: 'columns' },
      el('div', {}, el('h3', { text: 'Create a key pair' }), createForm, createStatus, created),
      el('div', {}, el('h3', { text: 'Describe a key or certificate' }), describeForm, describeStatus, described),
    ),
  );
}
