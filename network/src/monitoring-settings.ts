import { z } from 'zod';

/** A Prometheus duration, as its configuration and rule files spell it. */
const promDuration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a Prometheus duration such as 500ms, 15s, 5m or 1h');
const positive = z.number().positive();

/**
 * The monitoring section of the topology: scrape and evaluation intervals, and each alert's threshold and
 * `for:` duration. The defaults are for a running market (docs/operations.md says why each is what it is);
 * tests shorten the intervals and durations so an alert fires and resolves within seconds.
 */
export const monitoringSchema = z
  .object({
    scrapeInterval: promDuration.default('15s'),
    evaluationInterval: promDuration.default('15s'),
    /** The window of every rate and of the quantile of commit latency. */
    rateWindow: promDuration.default('5m'),
    nodeDownFor: promDuration.default('1m'),
    /** No new block on a channel while the ordering service holds requests, for this long. */
    consensusStallFor: promDuration.default('1m'),
    /** More SmartBFT view changes (leader changes) than this within leaderChangeWindow. */
    leaderChanges: z.number().int().min(1).default(3),
    leaderChangeWindow: promDuration.default('15m'),
    peerLagBlocks: z.number().int().min(1).default(10),
    peerLagFor: promDuration.default('2m'),
    commitP95Seconds: positive.default(3),
    commitP95For: promDuration.default('5m'),
    mvccInvalidPerSecond: positive.default(0.5),
    mvccInvalidFor: promDuration.default('5m'),
    relayLagBlocks: z.number().int().min(1).default(20),
    relayLagFor: promDuration.default('5m'),
    certificateExpiryDays: z.number().int().min(1).default(30),
  })
  .strict();

export type MonitoringSettings = z.output<typeof monitoringSchema>;
