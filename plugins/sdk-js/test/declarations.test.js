// index.d.ts declares exactly what src/index.js exports, so the types
// `npm run check` checks cannot drift from the code.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import * as sdk from '../src/index.js';

test('every runtime export is declared, and nothing more', () => {
  const declarations = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8');
  const declared = [...declarations.matchAll(/^export (?:const|class|function|namespace) (\w+)/gm)]
    .map(([, name]) => name);
  assert.deepEqual([...new Set(declared)].sort(), Object.keys(sdk).sort());
});
