// The ACL bindings: their one owner. Changed by Create/DeleteAcls, asked by
// the authorizer on every request (`matching`, from memory). Kept through a
// RecordBacking (record-backing.ts): a broker alone keeps them in
// <dataDir>/acls (acl-file.ts), rewritten on each change, or in memory only
// without a data dir; in a cluster the control plane keeps one record per
// binding (id: its key below, value: its acl-file.ts form), so a binding
// created through any broker is in force on every broker.
//
// Index, per resource type:
//
//   all       Set of the type's bindings (what `ofType` hands out: iterate it at once)
//   literal   Map name -> bindings     ('*' is the wildcard, a literal name like any other)
//   prefixed  PrefixTrie prefix -> bindings
//
// The lists under names and prefixes are replaced, never changed in place, so
// a list `matching` has returned stays as it was.

import path from 'node:path';
import type { SharedRecords } from '../../cluster/control-plane.js';
import { namedBinding } from '../../protocol/acl-codes.js';
import { type OnBadRecord, type RecordBacking, type RecordChange, fileBacking, sharedBacking } from '../record-backing.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { type AclBinding, type AclBindingFilter, type AclResource, AclPatternType, WILDCARD_RESOURCE } from './acl-binding.js';
import { ACLS_FILE, fromStored, readAclFile, writeAclFile } from './acl-file.js';
import { filterMatches } from './acl-filter.js';
import { bindingProblem, filterProblem } from './acl-validation.js';
import { PrefixTrie } from './prefix-trie.js';

/** NONE, or INVALID_REQUEST with why. */
export interface AclResult {
  errorCode: number;
  errorMessage: string | null;
}

export type AclFilterResult = AclResult & { bindings: AclBinding[] };

interface TypeIndex {
  /** Every binding of the type. */
  all: Set<AclBinding>;
  literal: Map<string, readonly AclBinding[]>;
  prefixed: PrefixTrie<AclBinding>;
}

const NONE: readonly AclBinding[] = Object.freeze([]);
const OK: AclResult = { errorCode: ErrorCode.NONE, errorMessage: null };
const invalid = (errorMessage: string): AclResult => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });

/** Both lists, allocating only when both have bindings. */
const join = (a: readonly AclBinding[], b: readonly AclBinding[]): readonly AclBinding[] => (b.length === 0 ? a : a.length === 0 ? b : a.concat(b));

const keyOf = (b: AclBinding) => JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);

export class AclStore {
  /** Every binding by its key, in the order created. */
  private readonly all = new Map<string, AclBinding>();
  private readonly byType = new Map<number, TypeIndex>();
  private backing!: RecordBacking;

  private constructor() {}

  /** Reads `<dataDir>/acls` (in memory without a data dir); throws SLUICE_ERR_ACLS when the file exists but cannot be read. */
  static open(dataDir: string | null): AclStore {
    const store = new AclStore();
    const file = dataDir === null ? null : path.join(dataDir, ACLS_FILE);
    store.backing = fileBacking(
      (change) => store.applyRecord(change),
      () => {
        if (file) writeAclFile(file, store.all.values());
      },
    );
    if (file) for (const b of readAclFile(file)) store.add(b);
    return store;
  }

  /** The cluster's bindings, kept in the control plane and followed from its watch. */
  static shared(records: SharedRecords, onBadRecord: OnBadRecord): AclStore {
    const store = new AclStore();
    store.backing = sharedBacking(records, 'acls', (change) => store.applyRecord(change), onBadRecord);
    return store;
  }

  get size(): number {
    return this.all.size;
  }

  /**
   * The bindings that apply to `resource`: LITERAL of its name or of '*', and
   * PREFIXED whose name starts its name. Allocates nothing when at most one of
   * those lists has bindings.
   */
  matching(resource: AclResource): readonly AclBinding[] {
    const index = this.byType.get(resource.resourceType);
    if (!index) return NONE;
    let found = index.literal.get(resource.name) ?? NONE;
    if (resource.name !== WILDCARD_RESOURCE) found = join(found, index.literal.get(WILDCARD_RESOURCE) ?? NONE);
    return index.prefixed.fold(resource.name, found, join);
  }

  /** Every binding on resources of `resourceType` (what Kafka's authorizeByResourceType looks through). */
  ofType(resourceType: number): Iterable<AclBinding> {
    return this.byType.get(resourceType)?.all ?? NONE;
  }

  /**
   * Adds each valid binding (one already held is not added twice); a result per
   * binding, in order, once they are kept. Bindings held already are written
   * too: in a cluster another broker may have deleted one this copy still holds.
   */
  async create(bindings: AclBinding[]): Promise<AclResult[]> {
    const added: RecordChange[] = [];
    const results = bindings.map((b) => {
      const problem = bindingProblem(b);
      if (problem) return invalid(problem);
      added.push({ id: keyOf(b), value: JSON.stringify(namedBinding(b)) });
      return OK;
    });
    if (added.length > 0) await this.backing.write(added);
    return results;
  }

  /** The bindings `filter` matches, in the order created; an error for a filter that cannot be used. */
  describe(filter: AclBindingFilter): AclFilterResult {
    const problem = filterProblem(filter);
    if (problem) return { ...invalid(problem), bindings: [] };
    return { ...OK, bindings: [...this.all.values()].filter((b) => filterMatches(filter, b)) };
  }

  /** Removes what each filter matches; per filter, the bindings it removed (a binding two filters match goes to the first), once the removals are kept. */
  async delete(filters: AclBindingFilter[]): Promise<AclFilterResult[]> {
    const removed = new Set<AclBinding>();
    const results = filters.map((filter) => {
      const found = this.describe(filter);
      const bindings = found.bindings.filter((b) => !removed.has(b));
      for (const b of bindings) removed.add(b);
      return { ...found, bindings };
    });
    if (removed.size > 0) await this.backing.write(Array.from(removed, (b) => ({ id: keyOf(b), value: null })));
    return results;
  }

  /** Whether `b` was new. */
  private add(b: AclBinding): boolean {
    const key = keyOf(b);
    if (this.all.has(key)) return false;
    const binding = { ...b };
    this.all.set(key, binding);
    let index = this.byType.get(b.resourceType);
    if (!index) this.byType.set(b.resourceType, (index = { all: new Set(), literal: new Map(), prefixed: new PrefixTrie() }));
    index.all.add(binding);
    if (b.patternType === AclPatternType.PREFIXED) index.prefixed.set(b.resourceName, [...(index.prefixed.get(b.resourceName) ?? NONE), binding]);
    else index.literal.set(b.resourceName, [...(index.literal.get(b.resourceName) ?? NONE), binding]);
    return true;
  }

  private remove(b: AclBinding): void {
    this.all.delete(keyOf(b));
    const index = this.byType.get(b.resourceType)!;
    index.all.delete(b);
    if (b.patternType === AclPatternType.PREFIXED) {
      index.prefixed.set(b.resourceName, (index.prefixed.get(b.resourceName) ?? NONE).filter((x) => x !== b));
      return;
    }
    const rest = (index.literal.get(b.resourceName) ?? NONE).filter((x) => x !== b);
    if (rest.length > 0) index.literal.set(b.resourceName, rest);
    else index.literal.delete(b.resourceName);
  }

  /** A record's id is its binding's key: a binding held under another id is refused. */
  private applyRecord({ id, value }: RecordChange): void {
    if (value === null) {
      const held = this.all.get(id);
      if (held) this.remove(held);
      return;
    }
    const binding = fromStored(JSON.parse(value));
    if (keyOf(binding) !== id) throw new Error(`the binding does not match its id ${id}`);
    this.add(binding);
  }
}
