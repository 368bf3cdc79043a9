// `<dataDir>/acls`: the ACL bindings, one JSON object per binding with Kafka's
// names for the codes, so an operator can read (and diff) the file:
//
//   [{"resourceType":"TOPIC","resourceName":"orders","patternType":"LITERAL","principal":"User:alice",
//     "host":"*","operation":"WRITE","permissionType":"ALLOW"}, ...]
//
// Rewritten whole and atomically (checkpoint-file.ts) on each change; read once
// at start-up, where a file that cannot be read stops the broker rather than
// leaving it with fewer DENY bindings than were set.

import fs from 'node:fs';
import { SluiceError } from '../../errors.js';
import { type AclBinding, type NamedAclBinding, bindingFromNames, namedBinding } from '../../protocol/acl-codes.js';
import { writeFileAtomically } from '../../storage/checkpoint-file.js';
import { bindingProblem } from './acl-validation.js';

export const ACLS_FILE = 'acls';

/** The binding `stored` names, if Kafka would accept it; throws an Error saying what is wrong. */
export function fromStored(stored: NamedAclBinding): AclBinding {
  const binding = bindingFromNames(stored);
  const problem = bindingProblem(binding);
  if (problem) throw new Error(problem);
  return binding;
}

/** The bindings in `file`, none when it does not exist; throws SLUICE_ERR_ACLS when it cannot be read. */
export function readAclFile(file: string): AclBinding[] {
  if (!fs.existsSync(file)) return [];
  try {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(stored)) throw new Error('not a JSON array');
    return stored.map((entry: NamedAclBinding, i) => {
      try {
        return fromStored(entry);
      } catch (err) {
        throw new Error(`binding ${i}: ${(err as Error).message}`);
      }
    });
  } catch (err) {
    throw new SluiceError('SLUICE_ERR_ACLS', `cannot read the ACL bindings in ${file}: ${(err as Error).message}`, {
      cause: err,
      hint: 'restore the file from a backup, or fix or remove the binding named (removing the file removes every ACL binding: add them again with `sluice acl add`)',
    });
  }
}

export function writeAclFile(file: string, bindings: Iterable<AclBinding>): void {
  const stored = Array.from(bindings, (b) => JSON.stringify(namedBinding(b)));
  // One binding a line: readable, and a change shows as lines in a diff.
  writeFileAtomically(file, `[\n${stored.join(',\n')}\n]\n`);
}
