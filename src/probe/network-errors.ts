/**
 * One-line explanations for failures below HTTP (DNS, TCP, TLS, timeouts), keyed by Node's error codes,
 * each with what to do. Users see these instead of stack traces: a self-signed test server, a private
 * CA and a wrong port are the usual first-run problems.
 */

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

export interface NetworkFailure {
  code: string | undefined;
  message: string;
}

/** The explanation for a Node network error on a request to `url`. */
export function explainNetworkError(error: NetworkFailure, url: URL, timeoutMs: number): string {
  const where = url.host;
  const code = error.code;
  if (code === 'ETIMEDOUT_PROBE')
    return `no answer from ${where} within ${formatMs(timeoutMs)}: check that the server is up and reachable, or raise --timeout`;
  if (code !== undefined && UNTRUSTED.has(code)) {
    const what =
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN'
        ? 'is self-signed'
        : 'is signed by a CA this machine does not trust';
    return `TLS: the certificate of ${where} ${what} (${code}): pass --ca FILE with the CA certificate (PEM), or --insecure for a test server`;
  }
  if (code === 'CERT_HAS_EXPIRED')
    return `TLS: the certificate of ${where} has expired (${code}): renew it on the server (--insecure skips the check for a test server)`;
  if (code === 'CERT_NOT_YET_VALID')
    return `TLS: the certificate of ${where} is not valid yet (${code}): check the clocks`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `TLS: the certificate is not valid for the host "${url.hostname}" (${code}): use a host name the certificate names`;
  // With mutual TLS (QRS on 4242) the server's refusal of the client certificate arrives as a TLS alert.
  if (
    code !== undefined &&
    /ALERT_(CERTIFICATE_REQUIRED|UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR|ACCESS_DENIED)/.test(code)
  ) {
    return `TLS: ${where} refused the client certificate (${code}): use client.pem and client_key.pem exported from this site's QMC`;
  }
  if (code === 'ECONNREFUSED') return `nothing listens at ${where} (connection refused): check the host and port`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host "${url.hostname}" not found (${code}): check the URL`;
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return `${where} closed the connection (${code}): is it an ${url.protocol === 'https:' ? 'HTTPS' : 'HTTP'} server?`;
  if (
    code === 'EPROTO' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    /wrong version number|packet length too long/i.test(error.message)
  ) {
    return `TLS handshake with ${where} failed: the server does not speak HTTPS on this port (try http://)`;
  }
  if (code === 'HPE_INVALID_CONSTANT' || code === 'HPE_INVALID_HEADER_TOKEN')
    return `${where} did not answer in HTTP: is it an HTTPS server (try https://)?`;
  return `request to ${where} failed: ${error.message}${code ? ` (${code})` : ''}`;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms} ms`;
}
