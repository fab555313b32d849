// Output a person can read: aligned tables and colour, the colour only on a terminal and never with NO_COLOR
// (https://no-color.org) or TERM=dumb; FORCE_COLOR=1 forces it (for a recording).

export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export const NO_STYLE: Style = {
  enabled: false,
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  cyan: plain,
};

const COLOUR: Style = {
  enabled: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};

export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return colourWanted(stream, env) ? COLOUR : NO_STYLE;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what is stripped
const ANSI = /\u001b\[[0-9;]*m/g;

/** The width a terminal shows (escape sequences take none). */
export function stripColour(text: string): string {
  return text.replace(ANSI, '');
}

export function visibleWidth(text: string): number {
  return [...stripColour(text)].length;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/** Shortens plain text to `width` characters with an ellipsis. */
export function truncate(text: string, width: number): string {
  const characters = [...text];
  return characters.length <= width
    ? text
    : `${characters
        .slice(0, Math.max(1, width - 1))
        .join('')
        .trimEnd()}…`;
}

/** Columns aligned with two spaces between them, a bold header; the last column is not padded. */
export function table(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  style: Style,
): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : padEnd(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    style.bold(line(headers)),
    ...rows.map((row) => line(headers.map((_, column) => row[column] ?? ''))),
  ].join('\n');
}

/** `label  value` pairs with the labels aligned; a value of several lines is indented under the first. */
export function fields(pairs: ReadonlyArray<readonly [string, string | undefined]>, style: Style): string {
  const shown = pairs.filter(
    (pair): pair is readonly [string, string] => pair[1] !== undefined && pair[1] !== '',
  );
  const width = Math.max(0, ...shown.map(([label]) => visibleWidth(label)));
  return shown
    .map(([label, value]) => {
      const [first, ...more] = value.split('\n');
      const indent = ' '.repeat(width + 4);
      return [
        `  ${style.dim(padEnd(label, width))}  ${first}`,
        ...more.map((next) => `${indent}${next}`),
      ].join('\n');
    })
    .join('\n');
}
