/**
 * Whether a host name or address stays on this machine: `localhost`, 127.0.0.0/8 and ::1. Anything
 * else (0.0.0.0 and :: included, which bind every interface) is reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(name)) return true;
  const v4 = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
