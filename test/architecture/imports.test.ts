/**
 * The layers hold: nothing outside `src/web/` imports from it (pages and
 * HTTP sit on top; services, formats, data and domain never reach up), and
 * no file imports itself through a circle of others (type-only imports count
 * too: a circle of types is the first step to a circle of code, and makes the
 * code harder to walk).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The project files a file imports (packages left out), as paths relative to the repository. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(dirname(file), name.replace(/\.js$/, '.ts'))));
}

export function importGraph(files: string[]): Map<string, string[]> {
  return new Map(files.map((file) => [relative(ROOT, file), importsOf(file)]));
}

/** Every circle of imports, each once, as the files in it. */
export function circles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components: a component of more than one
  // file (or a file importing itself) is a circle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/** Imports from a file outside src/web (the composition root aside) into src/web. */
export function upwardImports(graph: Map<string, string[]>): string[] {
  const composition = new Set(['src/app.ts', 'src/server.ts']);
  return [...graph]
    .filter(([file]) => !file.startsWith('src/web/') && !composition.has(file))
    .flatMap(([file, targets]) =>
      targets.filter((target) => target.startsWith('src/web/')).map((target) => `${file} → ${target}`),
    );
}

describe('the layers of the code', () => {
  const graph = importGraph(sourceFiles(SRC));

  it('reads the imports of every source file', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/app.ts')).toContain('src/web/plugins/errors.ts');
  });

  it('has nothing outside src/web import from src/web', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('keeps the domain rules free of every other layer', () => {
    const outward = [...graph]
      .filter(([file]) => file.startsWith('src/domain/'))
      .flatMap(([file, targets]) =>
        targets.filter((target) => !target.startsWith('src/domain/')).map((target) => `${file} → ${target}`),
      );
    expect(outward).toEqual([]);
  });

  it('has no circle of imports', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('finds a circle and an upward import when there is one', () => {
    const made = new Map([
      ['src/services/a.ts', ['src/services/b.ts']],
      ['src/services/b.ts', ['src/services/c.ts']],
      ['src/services/c.ts', ['src/services/a.ts']],
      ['src/domain/d.ts', ['src/web/forms.ts']],
      ['src/web/forms.ts', []],
    ]);
    expect(circles(made)).toEqual([['src/services/a.ts', 'src/services/b.ts', 'src/services/c.ts']]);
    expect(upwardImports(made)).toEqual(['src/domain/d.ts → src/web/forms.ts']);
  });
});
