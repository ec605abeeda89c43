// The streaming CSV reader (util/csv.ts) reads a file in 1 MB pieces: any cut between pieces
// must give the records of the whole text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CsvParser, parseCsv, type CsvRecord } from '../src/util/csv.ts';
import { DEFAULT_DATA } from '../src/substitution/system.ts';

function records(pieces: string[]): CsvRecord[] | string {
  const out: CsvRecord[] = [];
  try {
    const p = new CsvParser((r) => out.push(r));
    for (const x of pieces) p.push(x);
    p.end();
    return out;
  } catch (e) {
    return (e as Error).message;
  }
}

test('CSV in pieces: quotes, doubled quotes, CRLF and CR line ends, blank lines; cut at every one or two places', () => {
  const texts = ['a,b\n1,2\r\n"x,""y""\nz",3\r"q",4\n\n5,6', 'h,i\n"a""",b\r\n"",""\n"c\r\nd",e', 'x\n"open'];
  for (const t of texts) {
    const whole = records([t]);
    for (let i = 0; i <= t.length; i++) for (let j = i; j <= t.length; j++) assert.deepEqual(records([t.slice(0, i), t.slice(i, j), t.slice(j)]), whole, `${JSON.stringify(t)} cut at ${i}, ${j}`);
  }
  assert.deepEqual(records([texts[0]]), [
    { line: 1, fields: ['a', 'b'] },
    { line: 2, fields: ['1', '2'] },
    { line: 3, fields: ['x,"y"\nz', '3'] },
    { line: 5, fields: ['q', '4'] },
    { line: 7, fields: ['5', '6'] },
  ]);
  assert.equal(records([texts[2]]), 'unterminated quoted field');
});

test('the α data set read in pieces of 1 to 4099 characters gives parseCsv\'s 3528 rows', () => {
  const text = readFileSync(DEFAULT_DATA, 'utf8');
  const table = parseCsv(text);
  assert.equal(table.rows.length, 3528);
  for (const size of [1, 7, 97, 4099]) {
    const pieces = Array.from({ length: Math.ceil(text.length / size) }, (_, k) => text.slice(k * size, (k + 1) * size));
    const got = records(pieces) as CsvRecord[];
    assert.equal(got.length, 3529);
    assert.deepEqual(got.slice(1).map((r) => r.fields.join(',')), table.rows.map((r) => table.header.map((h) => r.values[h]).join(',')));
  }
});
