import { ALL_FORMATS, AudioBufferSink, BlobSource, Input, type InputAudioTrack } from 'mediabunny';

/** AudioContexts this page made (the tests check that clips share one). */
export const audioContexts = { made: 0 };

let shared: AudioContext | null = null;

/**
 * The page's one AudioContext, shared by every clip's sound. The first one a page makes takes
 * 35–40 ms to start the page's audio (later ones under 1 ms), so it is made ahead of time, when
 * the page is idle (`prepareAudio`), not while a clip opens.
 */
function audioContext(): AudioContext {
  if (!shared || shared.state === 'closed') {
    shared = new AudioContext();
    audioContexts.made++;
  }
  return shared;
}

/** Makes the shared AudioContext when the page is next idle (no-op without Web Audio). */
export function prepareAudio(): void {
  if (typeof AudioContext === 'undefined' || shared) return;
  const make = () => void audioContext();
  if ('requestIdleCallback' in globalThis) requestIdleCallback(make, { timeout: 5000 });
  else setTimeout(make, 1000);
}

/**
 * A video's sound, played through Web Audio and used as the playback clock: decoded buffers are
 * scheduled on the AudioContext's timeline from the play position, and `now()` says which media
 * time is being heard, so the picture follows the sound rather than the other way round.
 */
export class AudioTrackPlayer {
  readonly codec: string;
  readonly #input: Input;
  readonly #sink: AudioBufferSink;
  readonly #context: AudioContext;
  #playing: { generation: number; contextStart: number; mediaStart: number } | null = null;
  #generation = 0;
  readonly #sources = new Set<AudioBufferSourceNode>();
  /** Buffers scheduled since the player was made (tests read it). */
  scheduled = 0;

  private constructor(input: Input, track: InputAudioTrack, context: AudioContext) {
    this.#input = input;
    this.codec = track.codec ?? 'unknown';
    this.#sink = new AudioBufferSink(track);
    this.#context = context;
  }

  /** The file's sound, or null when it has none or this browser cannot decode it. */
  static async open(file: Blob): Promise<AudioTrackPlayer | null> {
    if (typeof AudioContext === 'undefined') return null;
    const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
    const track = await input.getPrimaryAudioTrack().catch(() => null);
    if (!track || !(await track.canDecode().catch(() => false))) {
      input.dispose();
      return null;
    }
    return new AudioTrackPlayer(input, track, audioContext());
  }

  /**
   * Starts the sound at `mediaTime` (seconds). Resolves false when the browser keeps audio
   * suspended (autoplay without a user gesture): then nothing plays and the caller keeps time.
   */
  async play(mediaTime: number): Promise<boolean> {
    this.stop();
    const generation = ++this.#generation;
    await Promise.race([this.#context.resume(), new Promise((r) => setTimeout(r, 300))]);
    if (this.#context.state !== 'running') return false;
    // A little lead, so the first buffers are decoded before they are due.
    const contextStart = this.#context.currentTime + 0.1;
    this.#playing = { generation, contextStart, mediaStart: mediaTime };
    void this.#schedule(generation, contextStart, mediaTime);
    return true;
  }

  async #schedule(generation: number, contextStart: number, mediaStart: number): Promise<void> {
    for await (const { buffer, timestamp } of this.#sink.buffers(mediaStart)) {
      if (generation !== this.#generation) return;
      const source = this.#context.createBufferSource();
      source.buffer = buffer;
      source.connect(this.#context.destination);
      const at = contextStart + (timestamp - mediaStart);
      // A buffer that starts before the play position is played from the right offset.
      const offset = Math.max(0, mediaStart - timestamp);
      source.start(Math.max(at, contextStart), offset);
      source.onended = () => this.#sources.delete(source);
      this.#sources.add(source);
      this.scheduled++;
      // Stay a second ahead, no more: a long file is not decoded all at once.
      while (at - this.#context.currentTime > 1 && generation === this.#generation)
        await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The media time being heard now (null when not playing). */
  now(): number | null {
    const p = this.#playing;
    if (!p) return null;
    return p.mediaStart + Math.max(0, this.#context.currentTime - p.contextStart);
  }

  stop(): void {
    this.#generation++;
    this.#playing = null;
    for (const source of this.#sources) source.stop();
    this.#sources.clear();
  }

  /** Stops its sound and lets go of the file (the AudioContext is the page's, and stays). */
  close(): void {
    this.stop();
    this.#input.dispose();
  }
}
