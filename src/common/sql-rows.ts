/**
 * Typed readers for the rows of raw SQL queries: parse, don't cast. A query's result is `unknown`
 * until `readRows` checked every column the caller reads against its shape; a row that does not
 * match (a renamed column, a NULL where none was expected, stored JSON of another shape) is a
 * RowShapeError naming the query, the row and the column, never a value of the wrong type
 * travelling on.
 *
 *   const rows = readRows('open deals', await manager.query(sql, params), { id: text, created_at: date });
 */

export class RowShapeError extends Error {
  constructor(what: string, row: number, column: string, problem: string) {
    super(`${what}: row ${row}, column ${column}: ${problem}`);
    this.name = 'RowShapeError';
  }
}

/** Reads one column's value (throws a string describing the problem). */
export type Column<T> = (value: unknown) => T;

export type RowOf<S extends Record<string, Column<unknown>>> = { [K in keyof S]: ReturnType<S[K]> };

/** Checks every row of `result` (what pg or TypeORM's query() returned) against `shape`. */
export function readRows<S extends Record<string, Column<unknown>>>(what: string, result: unknown, shape: S): RowOf<S>[] {
  const rows = Array.isArray(result) ? result : isObject(result) && Array.isArray(result.rows) ? (result.rows as unknown[]) : null;
  if (rows === null) throw new RowShapeError(what, 0, '*', 'the query returned no rows array');
  return rows.map((row, index) => {
    if (!isObject(row)) throw new RowShapeError(what, index, '*', 'not an object');
    const out: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(shape)) {
      try {
        out[name] = read(row[name]);
      } catch (problem) {
        throw new RowShapeError(what, index, name, problem instanceof Error ? problem.message : String(problem));
      }
    }
    return out as RowOf<S>;
  });
}

/** The first row, or null when there is none. */
export function readRow<S extends Record<string, Column<unknown>>>(what: string, result: unknown, shape: S): RowOf<S> | null {
  return readRows(what, result, shape)[0] ?? null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fail(expected: string, value: unknown): never {
  throw new Error(`expected ${expected}, got ${value === undefined ? 'no value' : value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value)}`);
}

export const text: Column<string> = (value) => (typeof value === 'string' ? value : fail('text', value));

/** An integer, also from the text pg gives for bigint/count. */
export const int: Column<number> = (value) => {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : fail('an integer', value);
};

/** A number, also from the text pg gives for numeric. */
export const num: Column<number> = (value) => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : fail('a number', value);
};

export const bool: Column<boolean> = (value) => (typeof value === 'boolean' ? value : fail('a boolean', value));

export const date: Column<Date> = (value) => {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return d !== null && !Number.isNaN(d.getTime()) ? d : fail('a timestamp', value);
};

export const textArray: Column<string[]> = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : fail('a text array', value);

/** `column` or NULL. */
export function nullable<T>(column: Column<T>): Column<T | null> {
  return (value) => (value === null || value === undefined ? null : column(value));
}

/** A JSON object column (json_build_object …) read field by field. */
export function object<S extends Record<string, Column<unknown>>>(shape: S): Column<RowOf<S>> {
  return (value) => {
    if (!isObject(value) || Array.isArray(value)) return fail('an object', value);
    const out: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(shape)) {
      try {
        out[name] = read(value[name]);
      } catch (problem) {
        throw new Error(`.${name}: ${problem instanceof Error ? problem.message : String(problem)}`);
      }
    }
    return out as RowOf<S>;
  };
}

/** A JSON or SQL array column, each item read by `item`. */
export function arrayOf<T>(item: Column<T>): Column<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return fail('an array', value);
    return value.map((element, index) => {
      try {
        return item(element);
      } catch (problem) {
        throw new Error(`[${index}]: ${problem instanceof Error ? problem.message : String(problem)}`);
      }
    });
  };
}

/** A timestamp column returned as ISO text (JSON aggregates give text, pg gives Date). */
export const isoTime: Column<string> = (value) => date(value).toISOString();

/** One of these texts (a column with a CHECK list): `oneOf(ABC_CATEGORIES)`. */
export function oneOf<T extends string>(members: readonly T[]): Column<T> {
  return (value) => (typeof value === 'string' && (members as readonly string[]).includes(value) ? (value as T) : fail(`one of ${members.join(', ')}`, value));
}

/** A jsonb value as stored, for its own parser to read (parseCallRecord, fromStoredEvents); present, maybe null. */
export const json: Column<unknown> = (value) => (value === undefined ? fail('a value (the column is missing)', value) : value);
