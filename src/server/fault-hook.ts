// TEST-ONLY fault injection in the server layer. Off by default: it exists only
// when startBroker() is given `faults` (tests embedding the broker), and
// `sluice serve` has no flag, variable or config key that turns it on.
//
// It can make a chosen request fail as if its handler had thrown (a bug, or a
// failure below the handler such as a file deleted under it), to show that the
// request is answered with an error code and the connection stays.
//
// It loses the acknowledgement of chosen Produce requests after their records
// were appended, which is the fault idempotent producers exist for: the client
// cannot tell a lost request from a lost response, so it retries, and the broker
// must recognise the retry (reliability.md, section 2: "drop responses, not
// requests").

import type { Message } from '../protocol/codec.js';

/**
 * What becomes of a handled Produce request's response:
 *   'send'      as usual;
 *   'close'     the connection is closed instead (the response, and any other still queued
 *               on it, is lost; clients notice at once and retry on a new connection);
 *   'withhold'  the response is never written and the connection stays open: later
 *               responses on it queue behind it, as behind a stalled broker, until the
 *               client times out or the broker closes.
 */
export type ProduceResponseFault = 'send' | 'close' | 'withhold';

export interface FaultHooks {
  /**
   * Called when a Produce request that expects a response (acks 1 or -1) has been
   * handled: its records are appended and acknowledged per acks, its response is
   * about to be written. `n` numbers such requests on this broker from 1, in
   * arrival order; `topics` are the topics it wrote to.
   */
  produceResponse?(n: number, topics: string[]): ProduceResponseFault;
  /**
   * Called before a request's handler runs; the error it returns is thrown in
   * the handler's place, null lets the handler run.
   */
  handlerFailure?(apiKey: number, apiVersion: number): Error | null;
}

export class FaultInjector {
  private produces = 0;

  constructor(private readonly hooks: FaultHooks) {}

  /** Throws the error the hook chooses for this request, if any (before its handler runs). */
  beforeHandle(apiKey: number, apiVersion: number): void {
    const err = this.hooks.handlerFailure?.(apiKey, apiVersion);
    if (err) throw err;
  }

  /**
   * Called when a Produce request arrives; returns what decides its response
   * once handled, or null when the hook has no say (acks=0, no hook).
   */
  forProduce(request: Message): (() => ProduceResponseFault) | null {
    const hook = this.hooks.produceResponse;
    if (!hook || request.acks === 0) return null;
    const n = ++this.produces;
    const topics = (request.topicData as Message[]).map((t) => t.name as string);
    return () => hook(n, topics);
  }
}
