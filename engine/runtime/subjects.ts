// NATS subject patterns, as the server matches them: tokens separated by `.`, `*` matches one
// token, a last `>` matches one or more. Mocked messages reach the `consume` transitions whose
// subject matches theirs, as published messages would.

export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>' && i === p.length - 1) return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
