// Where a store of records (the users' SCRAM credentials, the ACL bindings,
// the client quotas) keeps them. The store holds its records in memory and
// reads only from there; a change goes through its backing, which applies it
// back to the store:
//
//   alone       the store's file in the data dir: applied at once, then the
//               whole file rewritten (its format as before clusters)
//   cluster     the control plane, one key per record (SharedRecords): applied
//               when the watch brings it, from this broker or any other, so
//               every broker's copy follows and concurrent changes of
//               different records are all kept

import type { RecordChange, SharedRecordKind, SharedRecords } from '../cluster/control-plane.js';

export type { RecordChange };

export interface RecordBacking {
  /** Keeps the changes; resolves once they are applied to the store. */
  write(changes: RecordChange[]): Promise<void>;
}

/** Applies a change to the store's memory; throws an Error saying what is wrong with a record it cannot decode. */
export type ApplyRecord = (change: RecordChange) => void;

/** Told of a record in the control plane that cannot be decoded (it is left out). */
export type OnBadRecord = (kind: SharedRecordKind, id: string, err: unknown) => void;

/** Alone: each change applied at once, then `save` (a no-op for a store in memory only). */
export function fileBacking(apply: ApplyRecord, save: () => void): RecordBacking {
  return {
    async write(changes) {
      for (const change of changes) apply(change);
      save();
    },
  };
}

/** In a cluster: applies the records held now and every change the watch brings; a record that cannot be decoded is reported and left out. */
export function sharedBacking(records: SharedRecords, kind: SharedRecordKind, apply: ApplyRecord, onBadRecord: OnBadRecord): RecordBacking {
  const applyEach = (changes: RecordChange[]) => {
    for (const change of changes) {
      try {
        apply(change);
      } catch (err) {
        onBadRecord(kind, change.id, err);
      }
    }
  };
  applyEach(records.records(kind));
  records.onRecords(kind, applyEach);
  return { write: (changes) => records.writeRecords(kind, changes) };
}
