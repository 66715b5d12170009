// The lint worker receives plugin schemas as fresh copies with every request: compiling each copy
// again would cost a compile per keystroke and grow the validator's own cache (keyed by object)
// without end. Same schema text, same compiled function.
import type { ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../engine/plugins/define';

export function cachedCompiler(compile: (schema: JsonSchema) => ValidateFunction): (schema: JsonSchema) => ValidateFunction {
  const compiled = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let fn = compiled.get(key);
    if (!fn) {
      fn = compile(schema);
      compiled.set(key, fn);
    }
    return fn;
  };
}
