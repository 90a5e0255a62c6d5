/** What counts as this machine only: the loopback names and 127.0.0.0/8, for listen addresses and endpoints. */

/** The loopback names (IPv6 with and without brackets, as URLs and Host headers write it). */
export const LOOPBACK_NAMES: ReadonlyArray<string> = ['127.0.0.1', 'localhost', '::1', '[::1]'];
const OCTET = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
const LOOPBACK_V4 = new RegExp(`^127\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/**
 * Whether a host name is loopback only: `localhost`, `::1` (bracketed or not) or an IPv4 address in 127.0.0.0/8
 * written as four numbers (a name such as `127.0.0.1.example.com` is not one).
 * @example isLoopback('127.0.0.2') // true
 */
export const isLoopback = (host: string): boolean =>
  LOOPBACK_NAMES.includes(host.toLowerCase()) || LOOPBACK_V4.test(host);
