// Numbers in request arguments: lines, columns, frame and variable ranges. A client may send any
// JSON number; each one is checked before it sizes a loop or a slice (huge values are fine: they are clamped).

/**
 * The whole-number argument `name` of a request (undefined when absent), at least `min`; anything
 * else throws an error naming the request and the argument.
 */
export function wholeNumber(args: object, name: string, command: string, min: number): number | undefined {
  const value = (args as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${command}: '${name}' must be a whole number from ${min}, not ${JSON.stringify(value)}.`);
  }
  return value;
}
