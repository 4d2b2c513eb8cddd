// Lets a child `node -r ./test/support/ts-register.js src/main.ts` run the TypeScript sources
// without a build (tests that SIGKILL a real service process). Per-file transpile, no type check
// (tsconfig has isolatedModules, so this is what ts-jest does too).
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  resolveJsonModule: true,
  inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};
