// Kafka's topic name rules: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".

const MAX_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Returns why `name` is not a legal topic name, or null if it is. */
export function topicNameProblem(name: string | null): string | null {
  if (!name) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name cannot be "${name}"`;
  if (name.length > MAX_LENGTH) return `topic name is longer than ${MAX_LENGTH} characters`;
  if (!LEGAL.test(name)) return `topic name "${name}" has characters other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** Topics the broker's coordinators own; clients may read them but not create or write them. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state']);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}
