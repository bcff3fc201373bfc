// A session's User-Agent header in the few words a person recognises ("Firefox 133 on Windows").
// Only for display: the header is whatever the client sent, so nothing is decided from it.

const BROWSERS: [string, RegExp][] = [
  // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\bOPR\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome', /\b(?:HeadlessChrome|Chrome|CriOS)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//],
];

const SYSTEMS: [string, RegExp][] = [
  ['iPhone', /\biPhone\b/],
  ['iPad', /\biPad\b/],
  ['Android', /\bAndroid\b/],
  ['Windows', /\bWindows\b/],
  ['macOS', /\bMac OS X\b|\bMacintosh\b/],
  ['ChromeOS', /\bCrOS\b/],
  ['Linux', /\bLinux\b|\bX11\b/],
];

/** The words around the names: English by default, the console's language from SessionsList (account.userAgent). */
export interface UserAgentTexts {
  unknown: string;
  onSystem: (browser: string, system: string) => string;
}

const ENGLISH: UserAgentTexts = { unknown: 'Unknown browser', onSystem: (browser, system) => `${browser} on ${system}` };

/** "Chrome 131 on Linux", "curl 8", or the first word of an unknown agent; "Unknown browser" without one. */
export function shortUserAgent(ua: string | null | undefined, texts: UserAgentTexts = ENGLISH): string {
  const s = (ua ?? '').trim();
  if (!s) return texts.unknown;
  const system = SYSTEMS.find(([, re]) => re.test(s))?.[0];
  for (const [name, re] of BROWSERS) {
    const m = re.exec(s);
    if (m) return system ? texts.onSystem(`${name} ${m[1]}`, system) : `${name} ${m[1]}`;
  }
  // A tool ("curl/8.5.0", "node", "python-requests/2.31"): its name and major version.
  const tool = /^([\w.-]+)(?:\/(\d+))?/.exec(s);
  if (tool) return tool[2] ? `${tool[1]} ${tool[2]}` : tool[1]!;
  return s.slice(0, 40);
}
