/**
 * Log text that leaves Jobdeck (issue #12): the console's download and the report email show a
 * job's control characters as spaces through one function, and keep line breaks and tabs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logFileText } from '../../app/_components/log-viewer/useDownload';
import { renderReport, type ReportData } from '../../jobs/report/template';
import { logEntryText, printableLogText } from '../../lib/log-text';

const ESC = '\u001b';
// Clears the screen, sets a window title, rings the bell, rewrites the line, C1 CSI, a NUL.
const HOSTILE = `before${ESC}[2J${ESC}]0;pwned\u0007 ok\rrewritten\u009b31m\u0000end`;
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const entry = (message: string) => ({ at: '2026-11-24T03:00:00.000Z', level: 'INFO' as const, message });

describe('printableLogText', () => {
  test('every control character but TAB and LF is a space; CR and CRLF are line breaks', () => {
    for (let c = 0; c <= 0x9f; c++) {
      if (c >= 0x20 && c < 0x7f) continue;
      const ch = String.fromCharCode(c);
      const out = printableLogText(`a${ch}b`);
      const expected = ch === '\t' ? 'a\tb' : ch === '\n' || ch === '\r' ? 'a\nb' : 'a b';
      assert.equal(out, expected, `U+${c.toString(16).padStart(4, '0')}`);
    }
    assert.equal(printableLogText('one\r\ntwo\rthree\nfour'), 'one\ntwo\nthree\nfour');
    assert.equal(printableLogText('plain text, ünïcödé ✓'), 'plain text, ünïcödé ✓');
  });

  test('continuation lines are indented under the first', () => {
    assert.equal(logEntryText('12:00:00 INFO     ', 'one\r\ntwo'), '12:00:00 INFO     one\n                  two');
  });
});

describe('the download', () => {
  test('keeps no ESC, CR or other control character, one block per entry', () => {
    const text = logFileText([entry(HOSTILE), entry('second\tline')]);
    assert.doesNotMatch(text, CONTROLS);
    const lines = text.split('\n');
    assert.deepEqual(lines, [
      '2026-11-24T03:00:00.000Z INFO     before [2J ]0;pwned  ok',
      `${' '.repeat(34)}rewritten 31m end`,
      '2026-11-24T03:00:00.000Z INFO     second\tline',
      '',
    ]);
  });
});

describe('the report email', () => {
  test('shows the same text as the download', () => {
    const at = new Date('2026-11-24T03:00:00Z');
    const data: ReportData = {
      executionId: 1, jobId: 'demo.job', description: 'Demo', domain: 'global', status: 'SUCCESS', trigger: 'MANUAL',
      triggeredBy: null, startedAt: at, endedAt: at, warningCount: 0, errorCount: 0,
      head: [{ seq: 1, at, level: 'INFO', message: HOSTILE }], tail: [], totalLines: 1, maxLines: 10,
    };
    const { text, html } = renderReport(data);
    assert.doesNotMatch(text, CONTROLS);
    assert.doesNotMatch(html, CONTROLS);
    assert.ok(text.includes(`03:00:00 INFO     before [2J ]0;pwned  ok\n${' '.repeat(18)}rewritten 31m end`), text);
  });
});
