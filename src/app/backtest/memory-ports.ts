import type { NewSignal, SignalRecord, StoredCompositeState, StoredDetectorState } from '../../store/repos/detection-repo.ts';
import type { DetectionPorts } from '../detection/detection-engine.ts';
import type { SeriesInfo } from '../detection/active-rule.ts';
import type { BacktestData } from './backtest-data.ts';

/** The engine's ports over memory, plus what they collected. */
export interface MemoryPorts extends DetectionPorts {
  /** Every signal stored, in the order the engine raised them. */
  readonly signals: SignalRecord[];
}

/**
 * Detection ports with nothing behind them but memory: series descriptions from the backtest's
 * data, signals kept in a list (once each per rule, series, time and kind, as the store's unique
 * key does), states in a map. A signal's `createdAt` is its own (data) time: a backtest never
 * reads the wall clock.
 */
export function memoryDetectionPorts(data: BacktestData): MemoryPorts {
  const signals: SignalRecord[] = [];
  const seen = new Set<string>();
  const states = new Map<string, StoredDetectorState>();
  const compositeStates = new Map<string, StoredCompositeState>();
  return {
    signals,
    async seriesInfo(ids: readonly number[]) {
      const found = new Map<number, SeriesInfo>();
      for (const id of ids) {
        const info = data.series[id];
        if (info) found.set(id, info);
      }
      return found;
    },
    async insertSignals(fresh: readonly NewSignal[]) {
      const stored: SignalRecord[] = [];
      for (const s of fresh) {
        const key = `${s.rule}\u0000${s.seriesKey}\u0000${s.t}\u0000${s.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const record: SignalRecord = { ...s, id: signals.length + 1, createdAt: s.t };
        signals.push(record);
        stored.push(record);
      }
      return stored;
    },
    async saveStates(rows: readonly StoredDetectorState[]) {
      for (const row of rows) states.set(`${row.rule}\u0000${row.seriesId}`, structuredClone(row));
    },
    async loadStates() {
      return [...states.values()].map((row) => structuredClone(row));
    },
    async saveCompositeStates(rows: readonly StoredCompositeState[]) {
      for (const row of rows) compositeStates.set(`${row.rule}\u0000${row.subject}`, structuredClone(row));
    },
    async loadCompositeStates() {
      return [...compositeStates.values()].map((row) => structuredClone(row));
    },
    async observationsAfter(seriesId: number, afterMs: number) {
      const rows: { t: number; v: number }[] = [];
      for (let i = 0; i < data.length; i++) {
        if (data.seriesIds[i] === seriesId && data.times[i]! > afterMs) rows.push({ t: data.times[i]!, v: data.values[i]! });
      }
      return rows.sort((a, b) => a.t - b.t);
    },
    onSignals() {},
  };
}
