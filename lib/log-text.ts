/**
 * Log messages hold whatever a job printed: terminal escapes (ESC [2J, colours), carriage returns
 * that rewrite a line, bells, NULs. Wherever a log leaves Jobdeck as text (the report email, the
 * console's download) they are shown as spaces, so no terminal, pager or mail client obeys them.
 * Line breaks and tabs are text and stay. Pure: imported by the console and the engine alike.
 */

// C0 controls but TAB and LF (CR is a line break, below), DEL, and the C1 controls (U+0080–U+009F:
// U+009B is a one-character CSI to some terminals).
// eslint-disable-next-line no-control-regex
const LOG_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One message as plain text: CRLF and a lone CR become LF, every other control character a space. */
export function printableLogText(message: string): string {
  return message.replace(/\r\n?/g, '\n').replace(LOG_CONTROLS, ' ');
}

/**
 * One entry as text: `prefix` (time, level) then the printable message, its continuation lines
 * indented under the first so each entry stays one block.
 */
export function logEntryText(prefix: string, message: string): string {
  return prefix + printableLogText(message).replace(/\n/g, `\n${' '.repeat(prefix.length)}`);
}
