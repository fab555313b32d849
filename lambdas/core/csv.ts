// RFC 4180 CSV for the auditors' exports: a header row, CRLF line ends, fields quoted only when they must be.

export type CsvValue = string | number | boolean | null | undefined | readonly string[];

export interface CsvColumn<T> {
  readonly header: string;
  readonly value: (row: T) => CsvValue;
}

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

const NEEDS_QUOTES = /[",\r\n]/;
// Spreadsheets run a cell that starts with one of these as a formula; free text (revocation reasons) must not.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: lists are joined with `;`, absent values are empty, text that looks like a formula is defused. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = Array.isArray(value) ? value.join(';') : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * Builds a CSV a row at a time, so a caller can stop at a size limit instead of building rows it cannot send
 * (a Lambda response is buffered and at most 6 MB).
 */
export class CsvWriter<T> {
  readonly #columns: readonly CsvColumn<T>[];
  readonly #chunks: string[] = [];
  #bytes = 0;
  #rows = 0;

  constructor(columns: readonly CsvColumn<T>[]) {
    this.#columns = columns;
    this.#append(csvRow(columns.map((column) => column.header)));
  }

  write(row: T): this {
    this.#append(csvRow(this.#columns.map((column) => column.value(row))));
    this.#rows += 1;
    return this;
  }

  writeAll(rows: Iterable<T>): this {
    for (const row of rows) this.write(row);
    return this;
  }

  /** Data rows written (the header is not counted). */
  get rows(): number {
    return this.#rows;
  }

  /** UTF-8 size so far, header included. */
  get byteLength(): number {
    return this.#bytes;
  }

  toString(): string {
    return this.#chunks.join('');
  }

  #append(line: string): void {
    this.#chunks.push(line);
    this.#bytes += Buffer.byteLength(line);
  }
}

/** Parses RFC 4180 text back into rows; the tests use it to check what a spreadsheet would read. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}
