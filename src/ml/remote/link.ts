import type { RoundTrip } from './client';

/**
 * An endpoint round trip as the scheduler sees it: the link's two moves, and the time the request
 * waited in the server's queue behind other frames. That wait is neither the link's work nor this
 * frame's work on the endpoint: the pipeline model makes it from the endpoint's own time (one
 * request at a time). Counted as the link's, it charged the endpoint's time twice at two frames in
 * flight (a 508 ms "link" that a split to ort-wasm was predicted to relieve by 64%; it ran slower).
 */
export interface RemoteLink {
  /** Serialize, network and the server's reading of it (its queue wait left out). */
  outMs: number;
  /** Deserialize. */
  backMs: number;
  /** Waiting in the server's queue for the requests ahead (part of the round trip). */
  waitMs?: number;
}

export function linkOf(trip: RoundTrip): RemoteLink {
  const waitMs = Math.min(Math.max(0, trip.queueMs), trip.networkQueueMs);
  return {
    outMs: trip.serializeMs + trip.networkQueueMs - waitMs,
    backMs: trip.deserializeMs,
    waitMs,
  };
}

/** A stage's own time on its target: its measured time less the link's moves and the wait. */
export function ownMs(ms: number, link: RemoteLink | undefined): number {
  return link ? ms - link.outMs - link.backMs - (link.waitMs ?? 0) : ms;
}
