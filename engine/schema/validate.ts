import type { Document, LineCounter } from 'yaml';
import type { Diagnostic } from '../model/types';

export function schemaDiagnostics(_doc: Document, _lineCounter: LineCounter, _text: string): Diagnostic[] {
  return [];
}
