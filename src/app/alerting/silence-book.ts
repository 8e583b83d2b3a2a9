import { randomUUID } from 'node:crypto';
import { expireSilence, retainedSilences, silencedBy, silenceState, validateSilence, type Silence, type SilenceProblem } from '../../domain/alerting/silences.ts';
import type { Labels } from '../../domain/alerting/fingerprint.ts';
import type { SilencesRepo } from '../../store/repos/silences-repo.ts';

/**
 * The silences, held in memory for the dispatcher's every flush and written through to the store.
 * Changes go through here only, so the memory and the store never disagree.
 */
export class SilenceBook {
  private silences: Silence[] = [];

  constructor(
    private readonly repo: SilencesRepo,
    private readonly retentionMs: number,
  ) {}

  async load(): Promise<void> {
    this.silences = await this.repo.all();
  }

  /** Silences still kept (active, pending, and expired within the retention), newest first. */
  list(now: number): (Silence & { state: ReturnType<typeof silenceState> })[] {
    return retainedSilences(this.silences, now, this.retentionMs)
      .map((s) => ({ ...s, state: silenceState(s, now) }))
      .sort((a, b) => b.startsAt - a.startsAt || a.id.localeCompare(b.id));
  }

  get(id: string): Silence | undefined {
    return this.silences.find((s) => s.id === id);
  }

  /** Ids of the active silences that match the labels. */
  silencing(labels: Labels, now: number): string[] {
    return silencedBy(this.silences, labels, now);
  }

  /** Checks and stores a new silence (author: the caller, whatever the body says). */
  async create(input: Record<string, unknown>, author: string, now: number): Promise<{ silence: Silence } | { problems: SilenceProblem[] }> {
    const checked = validateSilence({ ...input, createdBy: author }, now);
    if ('problems' in checked) return checked;
    const silence: Silence = { id: randomUUID(), ...checked.value };
    await this.repo.save(silence);
    this.silences = [...this.silences, silence];
    return { silence };
  }

  /** Ends a silence now; answers the refusal when it already ended, null when unknown. */
  async expire(id: string, now: number): Promise<{ silence: Silence } | { refused: string } | null> {
    const current = this.get(id);
    if (!current) return null;
    const result = expireSilence(current, now);
    if ('refused' in result) return result;
    await this.repo.save(result.value);
    this.silences = this.silences.map((s) => (s.id === id ? result.value : s));
    return { silence: result.value };
  }

  /** Forgets silences past the retention, in memory and in the store. */
  async purge(now: number): Promise<number> {
    this.silences = retainedSilences(this.silences, now, this.retentionMs);
    return this.repo.purgeEndedBefore(now - this.retentionMs);
  }
}
