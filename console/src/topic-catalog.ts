// Every topic's summary, read from GET /topics in pages of the API's largest
// size, so thousands of topics cost a few requests; pages then filter and show
// them a screenful at a time.

import type { Api } from './api.js';
import type { TopicList, TopicSummary } from './api-types.js';

const PAGE = 10_000;

export async function allTopics(api: Api, internal: boolean): Promise<TopicSummary[]> {
  const topics: TopicSummary[] = [];
  let after: string | null = null;
  do {
    const query: URLSearchParams = new URLSearchParams({ limit: String(PAGE), internal: String(internal) });
    if (after !== null) query.set('after', after);
    const page: TopicList = await api.get<TopicList>(`/topics?${query}`);
    topics.push(...page.topics);
    after = page.next;
  } while (after !== null);
  return topics;
}
