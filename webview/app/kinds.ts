// The instruction kinds this document offers (the host's `kinds` message; the built-in ones until
// it arrives), for the palette and the inspector, and the instruction a new one of a kind starts as.
import { createContext, useContext } from 'react';
import type { InstructionSpec } from '../../engine/edit/types';
import { BUILTIN_OFFER, newArguments } from '../../engine/graph/kinds';
import type { KindGroup, KindOffer, OfferedKind } from '../protocol';

export const KindsContext = createContext<KindOffer>(BUILTIN_OFFER);

export const useKinds = (): KindOffer => useContext(KindsContext);

export const GROUP_LABELS: Record<KindGroup, string> = { core: 'Core', fanout: 'Fan-out', integrations: 'Integrations', plugins: 'Plugins' };

export function newInstruction(kind: string, offer: KindOffer): InstructionSpec {
  return { kind, args: newArguments(kind, offer) };
}

export function offeredKind(kind: string, offer: KindOffer): OfferedKind | undefined {
  return offer.kinds.find((k) => k.kind === kind);
}

/** The Kind dropdown's options: every offered kind (and the instruction's own, when it is none of them). */
export function kindOptions(current: string, offer: KindOffer): Array<[string, string]> {
  const own = offeredKind(current, offer) ? [] : [[current, current] as [string, string]];
  return [...own, ...offer.kinds.map((k): [string, string] => [k.kind, k.description ? `${k.kind} — ${k.description}` : k.kind])];
}

/** Why an instruction's kind has no fields: the plugins are not loaded, or nothing defines it. */
export function unknownKindHint(kind: string, offer: KindOffer): string {
  if (offer.unavailable) return `'${kind}' may come from a plugin that is not loaded. ${offer.unavailable.reason}`;
  return `'${kind}' is not a built-in kind and no plugin of this workspace defines it (plugins are named in stepwise.config.json). Its arguments are shown as written; edit them in the text.`;
}
