// Values kept under string prefixes, found by walking a name once: every
// value whose prefix starts the name, without building substrings. What
// PREFIXED ACL bindings are looked up in on every authorized request.
//
//   prefixes "logs." and "logs.app"      root -l-> o -> g -> s -> . [logs.]
//                                                                    \-a-> p -> p [logs.app]
//   fold("logs.app-1")  reaches [logs.], then [logs.app], then stops at '-'
//
// One node per character of the prefixes held; a node left without values
// or children is removed, so the trie holds only live prefixes.

interface TrieNode<V> {
  children: Map<number, TrieNode<V>> | null;
  values: readonly V[] | null;
}

const newNode = <V>(): TrieNode<V> => ({ children: null, values: null });

export class PrefixTrie<V> {
  private readonly root: TrieNode<V> = newNode();

  /** The values under exactly `prefix`. */
  get(prefix: string): readonly V[] | undefined {
    let node: TrieNode<V> | undefined = this.root;
    for (let i = 0; i < prefix.length && node; i++) node = node.children?.get(prefix.charCodeAt(i));
    return node?.values ?? undefined;
  }

  /** Puts `values` under `prefix` (non-empty), replacing what was there; an empty list removes them. */
  set(prefix: string, values: readonly V[]): void {
    if (values.length === 0) return this.remove(this.root, prefix, 0);
    let node = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      node.children ??= new Map();
      let next = node.children.get(c);
      if (!next) node.children.set(c, (next = newNode()));
      node = next;
    }
    node.values = values;
  }

  /**
   * Folds the values of each prefix of `name` held, shortest first, into `acc`.
   * `fn` is a plain function rather than a closure, so a lookup allocates nothing itself.
   */
  fold<A>(name: string, acc: A, fn: (acc: A, values: readonly V[]) => A): A {
    let node: TrieNode<V> | undefined = this.root;
    for (let i = 0; i < name.length; i++) {
      node = node.children?.get(name.charCodeAt(i));
      if (!node) break;
      if (node.values) acc = fn(acc, node.values);
    }
    return acc;
  }

  /** Removes the values under `prefix` (its characters from `i` on, below `node`), then the nodes left empty. */
  private remove(node: TrieNode<V>, prefix: string, i: number): void {
    if (i === prefix.length) {
      node.values = null;
      return;
    }
    const c = prefix.charCodeAt(i);
    const child = node.children?.get(c);
    if (!child) return;
    this.remove(child, prefix, i + 1);
    if (child.values === null && child.children === null) {
      node.children!.delete(c);
      if (node.children!.size === 0) node.children = null;
    }
  }
}
