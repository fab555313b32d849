// The CSV writer: RFC 4180 quoting, CRLF rows, a header row, defused formulas, and sizes for the Lambda limit.
import { describe, expect, it } from 'vitest';
import { CsvWriter, csvField, csvRow, parseCsv } from '../../../lambdas/core/csv.ts';

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['', ''],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers, booleans, absent values and lists', () => {
    expect([csvField(3), csvField(true), csvField(undefined), csvField(null)]).toEqual(['3', 'true', '', '']);
    expect(csvField(['dana.director', 'eve.exec'])).toBe('dana.director;eve.exec');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(-1)).toBe('-1');
  });
});

describe('CsvWriter', () => {
  it('writes a header row and CRLF-terminated rows that parse back to the values', () => {
    // Prepare
    const writer = new CsvWriter<{ name: string; note: string }>([
      { header: 'name', value: (row) => row.name },
      { header: 'note, quoted', value: (row) => row.note },
    ]);
    // Act
    writer.writeAll([
      { name: 'Ada', note: 'said "yes", then left' },
      { name: 'Ben', note: 'line one\r\nline two' },
    ]);
    // Assess
    const text = writer.toString();
    expect(text.startsWith('name,"note, quoted"\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([
      ['name', 'note, quoted'],
      ['Ada', 'said "yes", then left'],
      ['Ben', 'line one\r\nline two'],
    ]);
    expect(writer.rows).toBe(2);
    expect(writer.byteLength).toBe(Buffer.byteLength(text));
  });

  it('counts bytes, not characters', () => {
    const writer = new CsvWriter<string>([{ header: 'h', value: (row) => row }]);
    writer.write('é');
    expect(writer.byteLength).toBe(Buffer.byteLength('h\r\né\r\n'));
    expect(csvRow(['a', 'b'])).toBe('a,b\r\n');
  });
});
