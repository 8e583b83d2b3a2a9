import type { HazardDomain } from './hazard-domains.ts';

/**
 * An observation as it arrives on the wire (JSON array element, NDJSON line, CSV row, MQTT payload).
 * `t` is ISO-8601 with an explicit offset (`Z` or `±hh:mm`) or epoch milliseconds. The optional
 * fields describe the series and are applied when the series is first seen (or when they change).
 */
export interface ObservationInput {
  series: string;
  t: string | number;
  v: number;
  indicator?: string;
  domain?: HazardDomain;
  unit?: string;
  area?: string;
  lon?: number;
  lat?: number;
  labels?: Record<string, string>;
}

/** Metadata of a series that an observation may carry. */
export interface SeriesMetadata {
  indicator?: string;
  domain?: HazardDomain;
  unit?: string;
  area?: string;
  lon?: number;
  lat?: number;
  labels?: Record<string, string>;
}

/** A validated observation: time resolved to epoch milliseconds. */
export interface Observation {
  series: string;
  t: number;
  v: number;
  meta?: SeriesMetadata;
}

/** One line of a batch that was refused, numbered from 1 as the sender counts its lines. */
export interface LineRejection {
  line: number;
  error: string;
}

/** What `POST /api/v1/observations` answers (202). */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: LineRejection[];
}
