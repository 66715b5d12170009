// Generated task files for the benchmarks.

/** A realistic task of `states` states: instructions, expressions, timers, polls and catches. */
export function generateTask(states: number): string {
  const lines = [
    '# generated for benchmarks',
    'version: 1',
    'name: generated',
    'description: A long generated task',
    'input:',
    '  env:',
    '    type: string',
    '    default: staging',
    'data:',
    '  attempts: 0',
    'timeout: 1d',
    'start: s0',
    'states:',
  ];
  for (let i = 0; i < states - 1; i++) {
    const next = `s${i + 1}`;
    lines.push(
      `  s${i}:`,
      `    description: Step ${i} of the generated task`,
      '    do:',
      '      - http:',
      '          method: POST',
      `          url: "https://api.example.com/step/${i}/{{ input.env }}"`,
      `          body: { step: ${i}, app: shop }`,
      '          timeout: 10s',
      `        as: r${i}`,
      '        retry: { attempts: 3, delay: 1s, backoff: 2 }',
      '      - set:',
      '          attempts: "={{ data.attempts + 1 }}"',
      `      - log: "step ${i} answered {{ data.r${i}.status }}"`,
      '    timeout: 5m',
      '    on:',
      `      - to: ${next}`,
      `        when: "data.r${i}.status = 200"`,
      `      - to: ${next}`,
      '        poll:',
      '          every: 10s',
      '          do: { http: { url: "https://api.example.com/status" } }',
      "          until: \"result.body.phase = 'Live'\"",
      `      - to: failed`,
      '        after: 15m',
      '    catch:',
      '      - to: failed',
      '        error: http',
    );
  }
  lines.push(`  s${states - 1}: { next: done }`, '  done: { final: true }', '  failed: { final: true, status: failed }');
  return lines.join('\n') + '\n';
}

/** A chain of `n` transitions, the shape the engine and XState are compared on. */
export function linearTask(n: number): string {
  const lines = ['version: 1', 'name: linear', 'start: s0', 'states:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}: { next: s${i + 1} }`);
  lines.push(`  s${n}: { final: true }`);
  return lines.join('\n') + '\n';
}
