// Instruction kinds by name: the built-ins, plus custom kinds registered through the engine API.
import { call, emit, log, set, sleep } from './builtins';
import { consume } from './consume';
import { exec } from './exec';
import { grpc } from './grpc';
import { http } from './http';
import { publish } from './publish';
import { smtp } from './smtp';
import { sql } from './sql';
import type { InstructionHandler } from './types';
import { FANOUT_KINDS } from '../model/types';

export const BUILTIN_KINDS = ['http', 'exec', 'sql', 'smtp', 'publish', 'consume', 'grpc', 'set', 'log', 'emit', 'sleep', 'call'] as const;

export type InstructionRegistry = ReadonlyMap<string, InstructionHandler>;

export function instructionRegistry(custom: Record<string, InstructionHandler> = {}): InstructionRegistry {
  const registry = new Map<string, InstructionHandler>([
    ['http', http],
    ['exec', exec],
    ['sql', sql],
    ['smtp', smtp],
    ['publish', publish],
    ['consume', consume],
    ['grpc', grpc],
    ['set', set],
    ['log', log],
    ['emit', emit],
    ['sleep', sleep],
    ['call', call],
  ]);
  for (const [name, handler] of Object.entries(custom)) {
    if (registry.has(name) || (FANOUT_KINDS as readonly string[]).includes(name)) throw new Error(`Instruction kind '${name}' is built in and cannot be replaced.`);
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`Invalid instruction kind '${name}': use lowercase letters, digits, '_' and '-'.`);
    registry.set(name, handler);
  }
  return registry;
}
