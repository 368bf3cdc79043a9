// Sets of partitions keyed by topic id, the unit of every KIP-848 assignment
// (a member's assigned partitions, those pending revocation, a target).
// Topic ids are 32-character lowercase hex strings; the handlers translate
// them to and from the wire's 16-byte UUIDs.
//
//   PartitionSet = Map<topicId, Set<partition>>   (no topic maps to an empty set)

export type PartitionSet = Map<string, Set<number>>;

export interface TopicPartitionList {
  topicId: string;
  partitions: number[];
}

export function fromList(list: readonly TopicPartitionList[]): PartitionSet {
  const out: PartitionSet = new Map();
  for (const t of list) for (const p of t.partitions) add(out, t.topicId, p);
  return out;
}

/** Topics and partitions in ascending order, so responses are stable. */
export function toList(set: PartitionSet): TopicPartitionList[] {
  return [...set.keys()].sort().map((topicId) => ({ topicId, partitions: [...set.get(topicId)!].sort((x, y) => x - y) }));
}

export function add(set: PartitionSet, topicId: string, partition: number): void {
  let partitions = set.get(topicId);
  if (!partitions) set.set(topicId, (partitions = new Set()));
  partitions.add(partition);
}

export function remove(set: PartitionSet, topicId: string, partition: number): void {
  const partitions = set.get(topicId);
  if (!partitions) return;
  partitions.delete(partition);
  if (partitions.size === 0) set.delete(topicId);
}

export function has(set: PartitionSet, topicId: string, partition: number): boolean {
  return set.get(topicId)?.has(partition) ?? false;
}

export function size(set: PartitionSet): number {
  let n = 0;
  for (const partitions of set.values()) n += partitions.size;
  return n;
}

export function* entries(set: PartitionSet): Generator<[string, number]> {
  for (const [topicId, partitions] of set) for (const p of partitions) yield [topicId, p];
}

export function isSubset(small: PartitionSet, big: PartitionSet): boolean {
  for (const [topicId, p] of entries(small)) if (!has(big, topicId, p)) return false;
  return true;
}

export function equals(x: PartitionSet, y: PartitionSet): boolean {
  return size(x) === size(y) && isSubset(x, y);
}

/** The partitions of `x` that `keep` says to keep. */
export function filter(x: PartitionSet, keep: (topicId: string, partition: number) => boolean): PartitionSet {
  const out: PartitionSet = new Map();
  for (const [topicId, p] of entries(x)) if (keep(topicId, p)) add(out, topicId, p);
  return out;
}

export function union(x: PartitionSet, y: PartitionSet): PartitionSet {
  const out = filter(x, () => true);
  for (const [topicId, p] of entries(y)) add(out, topicId, p);
  return out;
}
