/**
 * The websocket Origin check (Qlik's websocketCrossOriginWhiteList, enforced on upgrades since Nov 2024
 * against cross-site websocket hijacking). Same-origin requests are always allowed; list entries are
 * hosts (`app.example.com`, `app.example.com:8443`) or full origins (`https://app.example.com`).
 */
export function isOriginAllowed(
  origin: string,
  requestHost: string | undefined,
  allowList: readonly string[],
): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.host.toLowerCase();
  if (requestHost !== undefined && host === requestHost.trim().toLowerCase()) return true;
  return allowList.some((entry) => {
    const wanted = entry.trim().toLowerCase().replace(/\/+$/, '');
    if (wanted.includes('://')) return wanted === url.origin.toLowerCase();
    return wanted === host || wanted === url.hostname.toLowerCase();
  });
}
