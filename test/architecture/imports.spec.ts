import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The layering of src/, read from the source itself with the TypeScript parser (no database, no
 * app): which file imports which, and three rules the import graph must keep.
 *
 * Every import counts, type-only ones included (`import type`, `export type … from`,
 * `import('…').T`): a type is part of a module's contract, so telephony naming a realtime type
 * changes when realtime changes — the dependency the layering forbids — even though the compiler
 * erases the import from the JavaScript.
 */

const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'src');

/** A file's imports: local files (repository-relative paths) and packages (their names). */
interface FileImports {
  files: string[];
  packages: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const repoPath = (path: string): string => relative(ROOT, path).split(sep).join('/');

/** Module specifiers of every import, export-from, require(), import() and import type. */
function specifiersOf(path: string): string[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length === 1 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A relative specifier's file: `x.ts`, `x/index.ts`, or `x` itself (JSON and the like). */
function resolveLocal(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidate = [`${base}.ts`, join(base, 'index.ts'), base].find((path) => existsSync(path) && statSync(path).isFile());
  if (!candidate) throw new Error(`${repoPath(from)}: cannot resolve import '${specifier}'`);
  return candidate;
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`, `node:fs` stays. */
const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

function importGraph(): Map<string, FileImports> {
  const graph = new Map<string, FileImports>();
  for (const path of sourceFiles(SRC)) {
    const imports: FileImports = { files: [], packages: [] };
    for (const specifier of specifiersOf(path)) {
      if (specifier.startsWith('.')) imports.files.push(repoPath(resolveLocal(path, specifier)));
      else imports.packages.push(packageName(specifier));
    }
    graph.set(repoPath(path), imports);
  }
  return graph;
}

const graph = importGraph();
const isEntity = (file: string): boolean => file.endsWith('.entity.ts');

/** Known exceptions, one import edge (`from → to`) each, with the reason. */
const KNOWN_EDGES = new Set<string>([
  // Not an exception to remove: the CSV row is validated by the REST API's own DTOs (one rule for
  // lengths and counts, class-validator); their Nest imports are decorators that only attach
  // metadata (@nestjs/swagger) and IsOmittable, no DI and no I/O.
  'src/crm/import/client-row.ts → src/crm/companies/dto/company.dto.ts',
  'src/crm/import/client-row.ts → src/crm/contacts/dto/contact.dto.ts',
]);
const knownEdge = (from: string, to: string): boolean => KNOWN_EDGES.has(`${from} → ${to}`);

describe('import graph of src/', () => {
  it('is read from the source (every relative import resolves)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/telephony/calls/call-tracker.service.ts')?.files).toContain('src/telephony/calls/call-reducer.ts');
  });

  it('telephony imports nothing from stats, realtime or crm', () => {
    const wrong = [...graph].flatMap(([from, imports]) =>
      from.startsWith('src/telephony/')
        ? imports.files.filter((to) => /^src\/(stats|realtime|crm)\//.test(to) && !knownEdge(from, to)).map((to) => `${from} → ${to}`)
        : [],
    );
    expect(wrong).toEqual([]);
  });

  it('has no import cycle, except among TypeORM entities (relations name each other)', () => {
    const cycles = findCycles(graph);
    expect(cycles.map((cycle) => [...cycle, cycle[0]].join(' → '))).toEqual([]);
  });

  /** Decisions on plain data: they must load without TypeORM, Nest, pg or an entity, at any depth. */
  const PURE_MODULES = [
    'src/common/phone-number.ts',
    'src/common/sql-rows.ts',
    'src/telephony/ami/ami-event.ts',
    'src/telephony/calls/call-reducer.ts',
    'src/telephony/calls/call-record.ts',
    'src/telephony/calls/call-record-json.ts',
    'src/telephony/calls/call-merge.ts',
    'src/telephony/calls/call-write-policy.ts',
    'src/telephony/calls/directory.ts',
    'src/telephony/routing/choose-route.ts',
    'src/telephony/routing/chain-config.ts',
    'src/crm/lead-capture/missed-call-policy.ts',
    'src/crm/deals/stage-rules.ts',
    'src/crm/tasks/task-rules.ts',
    'src/crm/phones/phone-rules.ts',
    'src/crm/companies/abc-category.ts',
    'src/auth/supervision.ts',
    'src/telephony/calls/call-people.ts',
    'src/crm/import/client-row.ts',
    'src/crm/import/csv-records.ts',
    'src/crm/import/import-plan.ts',
    'src/realtime/desk-state.ts',
    ...peopleModules(),
  ];
  it.each(PURE_MODULES)('%s is pure: no TypeORM, @nestjs/*, pg or entity, transitively', (module) => {
    expect(graph.has(module)).toBe(true);
    expect(impurities(module)).toEqual([]);
  });
});

/** src/people/*.ts other than the Nest edge (its service and module): the people directory's pure code. */
function peopleModules(): string[] {
  const dir = join(SRC, 'people');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.service.ts') && !name.endsWith('.module.ts'))
    .map((name) => `src/people/${name}`);
}

const FRAMEWORK = /^(typeorm|@nestjs\/.*|pg)$/;

/** Every framework package or entity reachable from `start`, each with the import path to it. */
function impurities(start: string): string[] {
  const found: string[] = [];
  const via = new Map<string, string[]>([[start, [start]]]);
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const path = via.get(file) ?? [file];
    const imports = graph.get(file);
    if (!imports) continue;
    for (const pkg of imports.packages) if (FRAMEWORK.test(pkg)) found.push([...path, pkg].join(' → '));
    for (const next of imports.files) {
      if (via.has(next) || knownEdge(file, next)) continue;
      via.set(next, [...path, next]);
      if (isEntity(next)) found.push([...path, next].join(' → '));
      else queue.push(next);
    }
  }
  return found;
}

/**
 * One cycle per strongly connected component of the graph (Tarjan), as a path through it, so a
 * failure names the files to untangle. Known edges are left out, and so are components made only
 * of entities (TypeORM relations name each other both ways, through lazy `() => Other` thunks).
 */
function findCycles(imports: Map<string, FileImports>): string[][] {
  const edges = (file: string): string[] => (imports.get(file)?.files ?? []).filter((to) => !knownEdge(file, to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of edges(file)) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if ((component.length > 1 || edges(file).includes(file)) && !component.every(isEntity)) components.push(component);
    }
  };
  for (const file of [...imports.keys()].sort()) if (!index.has(file)) connect(file);
  return components.map((component) => cyclePath(component, edges));
}

/** A shortest cycle through the component's first file that is no entity, found breadth-first inside it. */
function cyclePath(component: string[], edges: (file: string) => string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort().find((file) => !isEntity(file)) ?? component[0];
  const previous = new Map<string, string>();
  const queue = [start];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const next of edges(file)) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [file];
        for (let step = previous.get(file); step !== undefined; step = previous.get(step)) path.unshift(step);
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return component;
}
