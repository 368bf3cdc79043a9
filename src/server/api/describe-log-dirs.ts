// DescribeLogDirs v1-4: this broker's one log directory (the data dir) with
// the size of each partition it holds and its offset lag (log end minus high
// watermark), and (v4) the size and free space of the volume it is on. Topics
// null: every partition held; named partitions this broker does not hold are
// left out, as Kafka leaves them out.

import fs from 'node:fs';
import type { Partition } from '../../broker/partition.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { DescribeLogDirsRequest, DescribeLogDirsResponse } from '../../protocol/messages/describe-log-dirs.js';
import type { Message } from '../../protocol/codec.js';
import { DESCRIBE, mayOnCluster } from './authorize.js';
import type { ApiHandler } from './handler.js';

function wanted(req: Message, held: Partition[]): Partition[] {
  if (req.topics === null) return held;
  const asked = new Set<string>(req.topics.flatMap((t: Message) => t.partitions.map((p: number) => `${t.topic}\0${p}`)));
  return held.filter((p) => asked.has(`${p.topic}\0${p.index}`));
}

export const describeLogDirs: ApiHandler = {
  apiKey: 35,
  minVersion: 1,
  maxVersion: 4,
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  handle(req, ctx) {
    // Kafka answers an empty list to a client that may not describe the cluster (v4 adds the error code).
    if (!mayOnCluster(ctx, DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    const byTopic = new Map<string, Message[]>();
    for (const p of wanted(req, ctx.broker.allPartitions())) {
      const partitions = byTopic.get(p.topic) ?? [];
      partitions.push({ partitionIndex: p.index, partitionSize: p.log.sizeBytes, offsetLag: Math.max(0, p.logEndOffset - p.highWatermark), isFutureKey: false });
      byTopic.set(p.topic, partitions);
    }
    const volume = fs.statfsSync(ctx.config.dataDir);
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [
        {
          errorCode: ErrorCode.NONE,
          logDir: ctx.config.dataDir,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
          totalBytes: volume.blocks * volume.bsize,
          usableBytes: volume.bavail * volume.bsize,
        },
      ],
    };
  },
};
