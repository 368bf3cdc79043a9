// The prefix trie under PREFIXED ACL bindings: a fold visits exactly the
// prefixes held that start the name, shortest first; removing a prefix keeps
// the longer and shorter ones around it; a name with characters outside the
// BMP is walked by its UTF-16 units like the prefixes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrefixTrie } from '../../src/broker/acl/prefix-trie.js';

const collect = (trie: PrefixTrie<string>, name: string) => trie.fold(name, [] as string[], (acc, values) => [...acc, ...values]);

test('fold visits the prefixes of the name held, shortest first, and no others', () => {
  const trie = new PrefixTrie<string>();
  trie.set('l', ['l']);
  trie.set('logs.', ['logs.']);
  trie.set('logs.app', ['logs.app', 'logs.app again']);
  trie.set('logs.apple', ['logs.apple']);
  trie.set('m', ['m']);
  assert.deepEqual(collect(trie, 'logs.app-1'), ['l', 'logs.', 'logs.app', 'logs.app again']);
  assert.deepEqual(collect(trie, 'logs.app'), ['l', 'logs.', 'logs.app', 'logs.app again'], 'a prefix equal to the name applies');
  assert.deepEqual(collect(trie, 'log'), ['l']);
  assert.deepEqual(collect(trie, ''), []);
  assert.deepEqual(trie.get('logs.app'), ['logs.app', 'logs.app again']);
  assert.equal(trie.get('logs'), undefined, 'a node on the way to a prefix holds no values');
});

test('removing a prefix leaves the prefixes around it', () => {
  const trie = new PrefixTrie<string>();
  trie.set('a', ['a']);
  trie.set('abc', ['abc']);
  trie.set('abcde', ['abcde']);
  trie.set('abc', []);
  assert.deepEqual(collect(trie, 'abcdef'), ['a', 'abcde']);
  trie.set('abcde', []);
  assert.deepEqual(collect(trie, 'abcdef'), ['a']);
  trie.set('a', []);
  assert.deepEqual(collect(trie, 'abcdef'), []);
  trie.set('nothing', []);
  assert.equal(trie.get('a'), undefined);
});

test('names outside the Basic Multilingual Plane match by their UTF-16 units', () => {
  const trie = new PrefixTrie<string>();
  trie.set('🚀', ['rocket']);
  assert.deepEqual(collect(trie, '🚀-launches'), ['rocket']);
  assert.deepEqual(collect(trie, '🚁'), [], 'same first unit, other second');
});
