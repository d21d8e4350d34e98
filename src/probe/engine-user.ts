/**
 * GetAuthenticatedUser answers `UserDirectory=ACME; UserId=anna` (QSEoW) — the engine's view of who the
 * proxy authenticated. Parsed leniently (any order, spacing, case of the keys); values may be
 * URL-encoded as in X-Qlik-User. Undefined when either part is missing, so the caller can show the raw text.
 */
export function parseAuthenticatedUser(text: string): { userDirectory: string; userId: string } | undefined {
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    const equals = piece.indexOf('=');
    if (equals <= 0) continue;
    parts.set(piece.slice(0, equals).trim().toLowerCase(), decode(piece.slice(equals + 1).trim()));
  }
  const userDirectory = parts.get('userdirectory');
  const userId = parts.get('userid');
  return userDirectory !== undefined && userId !== undefined && userId !== '' ? { userDirectory, userId } : undefined;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
