// A Stepwise plugin: one instruction kind, `checksum`, that digests a text. Its arguments and its
// result are JSON Schemas, so lint, completion and hover know them and the engine checks them.
// (In TypeScript, wrap the objects in definePlugin / defineInstruction<Args, Result> for types.)
import { createHash } from 'node:crypto';

export default {
  name: 'checksum',
  instructions: [
    {
      kind: 'checksum',
      description: 'The digest of a text (hex), e.g. to tag an artifact or check a download.',
      args: {
        type: 'object',
        properties: {
          text: { type: 'string', description: 'The text to digest.' },
          algorithm: { enum: ['sha256', 'sha512', 'sha1'], default: 'sha256', description: 'The hash function.' },
        },
        required: ['text'],
        additionalProperties: false,
      },
      result: {
        type: 'object',
        properties: { algorithm: { type: 'string' }, digest: { type: 'string', pattern: '^[0-9a-f]+$' } },
        required: ['algorithm', 'digest'],
      },
      async run(args) {
        const algorithm = args.algorithm ?? 'sha256';
        return { algorithm, digest: createHash(algorithm).update(args.text).digest('hex') };
      },
    },
  ],
};
