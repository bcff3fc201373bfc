import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortUserAgent } from '../../app/_components/account/user-agent';
import { parseUsersView, toUserFilter } from '../../app/_components/users/users-url';

test('a session\'s User-Agent in a few words', () => {
  const cases: [string | null, string][] = [
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36', 'Chrome 131 on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51', 'Edge 124 on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox 133 on Windows'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari 17 on iPhone'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'Safari 17 on macOS'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36', 'Chrome 125 on Android'],
    ['curl/8.5.0', 'curl 8'],
    ['node', 'node'],
    ['', 'Unknown browser'],
    [null, 'Unknown browser'],
  ];
  for (const [ua, short] of cases) assert.equal(shortUserAgent(ua), short, String(ua));
});

test('the users list\'s URL: known values kept, unknown ones dropped', () => {
  const v = parseUsersView(new URLSearchParams('q=%20smith%20&role=DOMAIN_ADMIN&domain=a.example&state=disabled'));
  assert.deepEqual(toUserFilter(v), { text: 'smith', role: 'DOMAIN_ADMIN', domain: 'a.example', disabled: true });
  assert.deepEqual(toUserFilter(parseUsersView(new URLSearchParams('role=ROOT&state=maybe&domain='))), null);
  assert.deepEqual(toUserFilter(parseUsersView(new URLSearchParams('state=enabled'))), { disabled: false });
});
