// What the producer reports for each delivered record.

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The record's offset; -1 with acks=0, which gets no answer. */
  offset: number;
  /** Create time as sent, or the broker's append time on LogAppendTime topics. */
  timestamp: number;
}
