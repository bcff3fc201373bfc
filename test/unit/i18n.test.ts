/**
 * The console in English and French (issue #18): every string a person reads goes through the
 * message catalogue (messages/<locale>/<namespace>.json), and both languages hold every message.
 * Fails when
 *  - a namespace's English and French files differ in keys, a message is empty or does not parse,
 *    or the two versions of a message take different arguments;
 *  - a French message is the English one copied (except a few words both languages share);
 *  - a component writes text by hand: JSX text, a string in a text attribute (label, title,
 *    aria-label, placeholder…), a display property (`label: 'Name'`), or a string handed to JSX;
 *  - code asks for a key (`t('key')`) that the catalogue does not have.
 * A literal that is not text for people can be kept with a comment `i18n-exempt: why` on its line
 * or the line above.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import ts from 'typescript';
import { MESSAGES, NAMESPACES } from '../../lib/i18n/messages';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Tree = { [k: string]: string | Tree };
function flatten(tree: Tree, prefix = '', out = new Map<string, string>()) {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

/** The arguments a message takes ({count}, {name}…), from the ICU syntax tree. */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()) {
  for (const e of elements) {
    if (e.type === TYPE.literal || e.type === TYPE.pound) continue;
    out.add(e.value);
    if (e.type === TYPE.plural || e.type === TYPE.select) for (const o of Object.values(e.options)) argumentsOf(o.value, out);
    if (e.type === TYPE.tag) argumentsOf(e.children, out);
  }
  return out;
}

/** Words that are spelled the same in both languages: a French message may repeat its English one only with these. */
const SHARED_WORDS = new Set(
  'administration api info description console cron jobdeck documentation sessions session message messages action actions total options minute minutes source type date expiration audit menu notes note code page pages graphql graphiql url json csv id ids sso oidc smtp pid token worker workers webhook webhooks slack'.split(' '),
);

/** The words a person reads in a message: its literal text, plural branches included, addresses left out. */
function wordsOf(elements: MessageFormatElement[], out: string[] = []) {
  for (const e of elements) {
    if (e.type === TYPE.literal) out.push(...(e.value.replace(/\S+@\S+/g, ' ').match(/[A-Za-zÀ-ÿ]{2,}/g) ?? []));
    if (e.type === TYPE.plural || e.type === TYPE.select) for (const o of Object.values(e.options)) wordsOf(o.value, out);
    if (e.type === TYPE.tag) wordsOf(e.children, out);
  }
  return out;
}

test('English and French hold the same messages, each parses and takes the same arguments', () => {
  const problems: string[] = [];
  for (const ns of NAMESPACES) {
    const en = flatten(MESSAGES.en[ns] as Tree);
    const fr = flatten(MESSAGES.fr[ns] as Tree);
    for (const k of en.keys()) if (!fr.has(k)) problems.push(`${ns}.${k}: missing in French`);
    for (const k of fr.keys()) if (!en.has(k)) problems.push(`${ns}.${k}: missing in English`);
    for (const [k, enText] of en) {
      const frText = fr.get(k);
      if (frText === undefined) continue;
      if (!enText.trim() || !frText.trim()) {
        problems.push(`${ns}.${k}: empty`);
        continue;
      }
      try {
        const a = [...argumentsOf(parse(enText))].sort().join(',');
        const b = [...argumentsOf(parse(frText))].sort().join(',');
        if (a !== b) problems.push(`${ns}.${k}: arguments differ (en: ${a || '—'}, fr: ${b || '—'})`);
      } catch (e) {
        problems.push(`${ns}.${k}: does not parse (${(e as Error).message})`);
      }
      const shared = () => wordsOf(parse(enText)).every((w) => SHARED_WORDS.has(w.toLowerCase()));
      if (enText === frText && !shared()) {
        problems.push(`${ns}.${k}: the French message is the English one ("${enText}")`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

// ------------------------------------------------------------------ the console's sources

/** Attributes whose value people read or hear. */
const TEXT_ATTRIBUTES = new Set([
  'label', 'title', 'placeholder', 'description', 'aria-label', 'aria-description', 'aria-valuetext', 'alt', 'error',
  'emptyText', 'empty', 'confirmLabel', 'cancelLabel', 'message', 'nothingFoundMessage', 'text', 'tooltip', 'loadingText', 'hint',
]);
/** Object properties that carry display text (`{ value: 'x', label: 'Name' }`). */
const TEXT_PROPERTIES = new Set(['label', 'title', 'message', 'text', 'description', 'placeholder', 'confirmLabel', 'emptyText', 'aria-label', 'hint']);

/** Text a person would read: two letters in a row (dashes, dots, numbers and " · " are not words). */
const isWords = (s: string) => /[A-Za-zÀ-ÿ]{2,}/.test(s) && s.trim() !== 'Jobdeck';

function sources(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'app'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\n').filter((f) => /\.tsx?$/.test(f) && !/(^|\/)(generated|operations)\.ts$/.test(f) && !f.startsWith('app/_i18n/'));
}

interface Finding { file: string; line: number; text: string }

function exempt(sf: ts.SourceFile, node: ts.Node) {
  const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  const lines = sf.text.split('\n');
  return [lines[line], lines[line - 1]].some((l) => l?.includes('i18n-exempt'));
}

/** Climbs from a string literal through expressions that only pass it on (a ? 'x' : 'y', a ?? 'x', `…${'x'}`). */
function consumer(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && (ts.isConditionalExpression(n) || ts.isParenthesizedExpression(n) || ts.isTemplateSpan(n) || ts.isTemplateExpression(n) || (ts.isBinaryExpression(n) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.PlusToken].includes(n.operatorToken.kind)))) {
    if (ts.isConditionalExpression(n) && n.condition === node) return n;
    node = n;
    n = n.parent;
  }
  return n;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return undefined;
}

export function handWrittenText(file: string, text: string): Finding[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Finding[] = [];
  const report = (node: ts.Node, t: string) => {
    if (!isWords(t) || exempt(sf, node)) return;
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: t.trim().slice(0, 60) });
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node)) report(node, node.text);
    else if (ts.isJsxAttribute(node) && node.initializer && ts.isStringLiteral(node.initializer)) {
      if (TEXT_ATTRIBUTES.has(node.name.getText(sf))) report(node, node.initializer.text);
    } else {
      const t = literalText(node);
      if (t !== undefined) {
        const c = consumer(node);
        if (ts.isJsxExpression(c)) {
          const owner = c.parent;
          if (ts.isJsxElement(owner) || ts.isJsxFragment(owner)) report(node, t);
          else if (ts.isJsxAttribute(owner) && TEXT_ATTRIBUTES.has(owner.name.getText(sf))) report(node, t);
        } else if (ts.isPropertyAssignment(c) && c.name !== node && TEXT_PROPERTIES.has(c.name.getText(sf).replace(/['"]/g, ''))) {
          report(node, t);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** `t('key')` calls whose key the English catalogue does not hold (t from useTranslations/getTranslations('ns')). */
export function missingKeys(file: string, text: string): Finding[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const namespaceOf = new Map<string, string>();
  const found: Finding[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      let init: ts.Expression = node.initializer;
      if (ts.isAwaitExpression(init)) init = init.expression;
      if (ts.isCallExpression(init) && ['useTranslations', 'getTranslations'].includes(init.expression.getText(sf)) && init.arguments[0] && ts.isStringLiteral(init.arguments[0])) {
        namespaceOf.set(node.name.text, init.arguments[0].text);
      }
    }
    if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ['rich', 'markup', 'raw'].includes(callee.name.text) ? callee.expression.text : undefined;
      const ns = name ? namespaceOf.get(name) : undefined;
      if (ns) {
        // A namespace may reach into one ("users.list"): its keys are then under that path.
        const [top = '', ...sub] = ns.split('.');
        const key = [...sub, node.arguments[0].text].join('.');
        const messages = MESSAGES.en[top as keyof typeof MESSAGES.en] as Tree | undefined;
        const have = messages ? flatten(messages) : new Map<string, string>();
        if (!have.has(key)) found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: `${top}.${key}` });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const show = (f: Finding[]) => f.map((x) => `${x.file}:${x.line} ${x.text}`);

test('no component writes text by hand: everything people read comes from the catalogue', () => {
  const found = sources().flatMap((f) => handWrittenText(f, readFileSync(path.join(ROOT, f), 'utf8')));
  assert.equal(found.length, 0, `text written by hand (use the catalogue):\n${show(found).join('\n')}`);
});

test('every key the console asks for exists', () => {
  const found = sources().flatMap((f) => missingKeys(f, readFileSync(path.join(ROOT, f), 'utf8')));
  assert.equal(found.length, 0, `keys missing from messages/en:\n${show(found).join('\n')}`);
});

test('the guard itself sees each shape of hand-written text and each missing key', () => {
  const src = [
    `export function A({ ok }: { ok: boolean }) {`,
    `  const t = useTranslations('common');`,
    `  const s = useTranslations('common.status');`,
    `  const items = [{ value: 'a', label: 'Alpha' }];`,
    `  return (<div title="Hover text" data-testid="plain-id" className="jd-x">`,
    `    Hello there`,
    `    {ok ? 'Yes indeed' : t('close')}`,
    `    <Button aria-label={\`Open \${items.length}\`}>{t('noSuchKey')}{s('SUCCESS')}{s('NOPE')}</Button>`,
    `    {' · '}{'—'}`,
    `    {/* i18n-exempt: a product name */}`,
    `  </div>);`,
    `}`,
  ].join('\n');
  assert.deepEqual(handWrittenText('x.tsx', src).map((f) => f.text), ['Alpha', 'Hover text', 'Hello there', 'Yes indeed', 'Open']);
  assert.deepEqual(missingKeys('x.tsx', src).map((f) => f.text), ['common.noSuchKey', 'common.status.NOPE']);
});
