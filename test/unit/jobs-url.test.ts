/**
 * The jobs list's URL state (issue #13): `?sort=` names an order (unknown values fall back to the
 * default), the filter carries domain and kind, and only filters or orders that a status change can
 * affect make the list re-read itself on live updates.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveSensitive, parseSort, SORTS, toJobFilter, withParams } from '../../app/_lib/jobs-url';

test('every sort value round-trips, a leading "-" is descending, anything else is the default order', () => {
  for (const s of SORTS) assert.deepEqual(parseSort(s.value || null), { value: s.value, order: s.order });
  assert.deepEqual(parseSort('-last'), { value: '-last', order: { field: 'LAST_EXECUTION', direction: 'DESC' } });
  assert.deepEqual(parseSort('next'), { value: 'next', order: { field: 'NEXT_RUN', direction: 'ASC' } });
  for (const junk of ['NEXT', 'colour', '--next', ' next', '']) assert.deepEqual(parseSort(junk), { value: '', order: null });
  assert.equal(new Set(SORTS.map((s) => s.value)).size, SORTS.length);
});

test('the filter carries domain and a known kind; an unknown kind is dropped', () => {
  assert.deepEqual(toJobFilter(['FAILURE', 'NEVER_RUN'], ' purge ', 'acme.example', 'PER_DOMAIN'), {
    statuses: ['FAILURE'], neverRun: true, text: 'purge', domain: 'acme.example', kind: 'PER_DOMAIN',
  });
  assert.deepEqual(toJobFilter([], '', null, 'SIDEWAYS'), null);
  assert.deepEqual(toJobFilter([], '', 'acme.example'), { domain: 'acme.example' });
});

test('only a status filter or an order by last or next execution follows status changes', () => {
  assert.equal(liveSensitive(null, null), false);
  assert.equal(liveSensitive({ text: 'x', domain: 'a.example', kind: 'GLOBAL' }, { field: 'DOMAIN', direction: 'DESC' }), false);
  assert.equal(liveSensitive({ statuses: ['IN_PROGRESS'] }, null), true);
  assert.equal(liveSensitive({ neverRun: true }, null), true);
  assert.equal(liveSensitive(null, { field: 'LAST_EXECUTION', direction: 'DESC' }), true);
  assert.equal(liveSensitive(null, { field: 'NEXT_RUN', direction: 'ASC' }), true);
});

test('a sort joins the other parameters in the URL', () => {
  assert.equal(withParams(new URLSearchParams('status=FAILURE'), { sort: '-next' }), '?status=FAILURE&sort=-next');
  assert.equal(withParams(new URLSearchParams('status=FAILURE&sort=-next'), { sort: '' }), '?status=FAILURE');
});
