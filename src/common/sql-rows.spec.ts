import { arrayOf, bool, date, int, isoTime, json, nullable, num, object, oneOf, readRow, readRows, RowShapeError, text, textArray } from './sql-rows';

describe('readRows', () => {
  const shape = { id: text, n: int, share: num, ok: bool, at: nullable(date), tags: textArray };

  it('reads rows of the declared shape, numbers and timestamps from the text pg gives', () => {
    const rows = readRows('q', [{ id: 'a', n: '42', share: '0.5', ok: true, at: '2026-12-02T00:00:00Z', tags: ['x'], extra: 1 }], shape);
    expect(rows).toEqual([{ id: 'a', n: 42, share: 0.5, ok: true, at: new Date('2026-12-02T00:00:00Z'), tags: ['x'] }]);
    expect(readRows('q', { rows: [{ id: 'b', n: 1, share: 2, ok: false, at: null, tags: [] }] }, shape)[0]?.at).toBeNull();
  });

  it('names the query, row and column of a value of another shape', () => {
    expect(() => readRows('open deals', [{ id: 'a', n: 1, share: 1, ok: true, at: null, tags: [] }, { id: null }], shape)).toThrow(
      new RowShapeError('open deals', 1, 'id', 'expected text, got null'),
    );
    expect(() => readRows('q', [{ id: 'a', n: '1.5' }], { id: text, n: int })).toThrow(/column n: expected an integer, got "1.5"/);
    expect(() => readRows('q', [{ at: 'soon' }], { at: date })).toThrow(/expected a timestamp/);
    expect(() => readRows('q', 'nope', { id: text })).toThrow(/no rows array/);
  });

  it('readRow gives the first row or null', () => {
    expect(readRow('q', [], { id: text })).toBeNull();
    expect(readRow('q', [{ id: 'a' }, { id: 'b' }], { id: text })).toEqual({ id: 'a' });
  });

  it('reads JSON objects and arrays field by field, naming the path of a bad value', () => {
    const shape = { contact: nullable(object({ id: text, name: text })), calls: arrayOf(object({ linkedid: text, startedAt: isoTime })) };
    expect(readRows('q', [{ contact: null, calls: [{ linkedid: '1.2', startedAt: '2026-12-02T10:00:00+03:00' }] }], shape)).toEqual([
      { contact: null, calls: [{ linkedid: '1.2', startedAt: '2026-12-02T07:00:00.000Z' }] },
    ]);
    expect(() => readRows('q', [{ contact: { id: 'a' }, calls: [] }], shape)).toThrow(/column contact: \.name: expected text, got no value/);
    expect(() => readRows('q', [{ contact: null, calls: [{ linkedid: 1 }] }], shape)).toThrow(/column calls: \[0\]: \.linkedid: expected text, got 1/);
  });

  it('oneOf takes only the listed texts; json keeps a present value as it is', () => {
    expect(readRows('q', [{ abc: 'B' }], { abc: nullable(oneOf(['A', 'B', 'C'])) })).toEqual([{ abc: 'B' }]);
    expect(() => readRows('q', [{ abc: 'D' }], { abc: oneOf(['A', 'B', 'C']) })).toThrow(/column abc: expected one of A, B, C, got "D"/);
    expect(readRows('q', [{ record: { a: 1 } }, { record: null }], { record: json })).toEqual([{ record: { a: 1 } }, { record: null }]);
    expect(() => readRows('q', [{}], { record: json })).toThrow(/column record: expected a value \(the column is missing\)/);
  });
});
