import {
  addCustomStage,
  CubeParseError,
  addStage,
  findEffect,
  packLut,
  parseCube,
  setParam,
  type Chain,
  type LutStore,
} from '../../effects';
import type { RgbaImage } from '../../core/image';
import type { Engine } from '../../engine';
import type { GpuContext } from '../../gpu';
import { bitmapPixels } from '../../gpu/upload';
import { MediaError, decodeImageFile } from '../../media';
import { looksLikeVideo } from '../../media/video/open-video';
import { EFFECT_FILE_EXTENSION } from '../../effects/custom/file';
import type { BusyState } from './busy.svelte';
import type { CustomEditorState } from './custom-editor.svelte';
import type { EffectLibrary } from './effect-library.svelte';
import type { CameraState } from './camera.svelte';
import type { Notices } from './notices.svelte';
import { savedSource, type SavedSource } from './saved-source';
import type { SceneState } from './scene.svelte';
import type { VideoState } from './video.svelte';
import type { ViewState } from './view.svelte';

/** What opening files needs of the app (`AppState` is one). */
export interface FilesHost {
  readonly notices: Notices;
  readonly busy: BusyState;
  readonly view: ViewState;
  readonly video: VideoState;
  readonly camera: CameraState;
  readonly scene: SceneState;
  readonly luts: LutStore;
  readonly engine: Engine | null;
  readonly gpu: GpuContext | null;
  readonly image: { name: string; bitmap: ImageBitmap | null } | null;
  readonly chain: Chain;
  edit(fn: (chain: Chain) => Chain): void;
  /** Makes `bitmap` (uploaded already) the source, in place of any video, camera or scene. */
  showImage(name: string, bitmap: ImageBitmap): Promise<void>;
  /** A LUT was added to the store (stages waiting for it render again). */
  lutAdded(): void;
  /** Background images dropped on AI stages, by id (this session only: they are not saved). */
  readonly backgroundImages: Map<string, RgbaImage>;
  readonly library: EffectLibrary;
  readonly customEditor: CustomEditorState;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What the user drops or picks: images, videos and `.cube` LUTs, and background images for AI
 * stages. Bad files get a clear error naming the file and why; what was open stays open.
 */
export class Files {
  readonly #app: FilesHost;

  constructor(app: FilesHost) {
    this.#app = app;
  }

  /**
   * Opens dropped or picked files: `.cube` files load as LUTs, videos (by extension or type) as
   * the video source, anything else as an image.
   */
  async openFiles(files: Iterable<File>, lutStageId?: string): Promise<void> {
    for (const file of files) {
      if (/\.cube$/i.test(file.name)) await this.loadLut(file, lutStageId);
      else if (file.name.toLowerCase().endsWith(EFFECT_FILE_EXTENSION))
        await this.importEffect(file);
      else if (looksLikeVideo(file)) await this.openVideo(file);
      else await this.openImage(file);
    }
  }

  /**
   * Runs `work` on `file` showing "Opening …": true when it worked; on failure an error titled
   * `failed` says why, and nothing changes.
   */
  async #opening(file: File, failed: string, work: () => Promise<void>): Promise<boolean> {
    return this.#app.busy.while(`Opening ${file.name}…`, () =>
      work().then(
        () => true,
        (error: unknown) => (this.#app.notices.error(failed, messageOf(error)), false),
      ),
    );
  }

  /**
   * Imports a `.triad-effect.json` file: saved in the library and added to the chain, its code
   * shown for review (it does not run until accepted). A bad file changes nothing.
   */
  importEffect(file: File): Promise<boolean> {
    return this.#opening(file, 'Could not import the effect', async () => {
      const saved = await this.#app.library.importFile(file);
      this.#app.edit((chain) => addCustomStage(chain, saved.source));
      const stages = this.#app.chain.stages;
      this.#app.customEditor.open(stages[stages.length - 1]);
    });
  }

  /** Opens a video; on failure the current source stays and an error names the file and why. */
  openVideo(file: File): Promise<boolean> {
    return this.#opening(file, 'Could not open video', async () => {
      await this.#app.video.open(file); // it takes the source slot once its first frame is up
      this.#app.view.fit();
    });
  }

  /** Opens an image; on failure the current image stays and an error names the file and why. */
  openImage(file: File): Promise<boolean> {
    const maxDimension = this.#app.gpu?.adapter.maxTextureDimension2D ?? 8192;
    return this.#opening(file, 'Could not open image', async () => {
      const decoded = await decodeImageFile(file, maxDimension);
      const { bitmap } = decoded;
      try {
        this.#app.engine?.setSource(bitmap);
      } catch (error) {
        bitmap.close();
        throw new MediaError(file.name, messageOf(error));
      }
      if (decoded.downscaled) {
        this.#app.notices.warning(
          'Image scaled down',
          `“${file.name}” is ${decoded.originalSize.join('×')} px, larger than this GPU's ` +
            `${maxDimension} px texture limit; it was scaled to ${bitmap.width}×${bitmap.height}.`,
        );
      }
      await this.#app.showImage(file.name, bitmap);
    });
  }

  /**
   * Keeps the current source and chain so they can be put back (a scenario replaces them): an
   * image is copied, a video kept as its file and time, the scene and a camera by their settings.
   */
  async saveSource(): Promise<SavedSource | null> {
    const chain = this.#app.chain;
    const back = (restore: () => Promise<boolean>) => async () => {
      if (!(await restore())) return false;
      this.#app.edit(() => chain);
      return true;
    };
    const file = this.#app.video.file;
    if (file) {
      const time = this.#app.video.time;
      const blob = new File([file.source], file.name, { type: file.source.type });
      return savedSource(
        file.name,
        back(async () => {
          if (!(await this.openVideo(blob))) return false;
          await this.#app.video.seek(time);
          return true;
        }),
      );
    }
    if (this.#app.scene.active) {
      const [w, h] = [this.#app.scene.width, this.#app.scene.height];
      return savedSource(
        '3D scene',
        back(async () => {
          this.#app.scene.start(w, h);
          return true;
        }),
      );
    }
    const camera = this.#app.camera.camera;
    if (camera) {
      const id = camera.deviceId || undefined;
      return savedSource(
        camera.label,
        back(() =>
          this.#app.camera.start(id).then(
            () => true,
            (error: unknown) => (
              this.#app.notices.error(
                'Camera',
                'The camera could not be started again; the app shows what it had.',
                messageOf(error),
              ),
              false
            ),
          ),
        ),
      );
    }
    const image = this.#app.image;
    if (!image?.bitmap) return null;
    let kept: ImageBitmap | null = await createImageBitmap(image.bitmap);
    return savedSource(
      image.name,
      back(async () => {
        if (!kept) return false;
        try {
          this.#app.engine?.setSource(kept);
        } catch (error) {
          this.#app.notices.error('Could not restore the image', messageOf(error));
          return false;
        }
        await this.#app.showImage(image.name, kept);
        kept = null; // the app owns it now
        return true;
      }),
      () => {
        kept?.close();
        kept = null;
      },
    );
  }

  /**
   * Loads a `.cube` LUT into the given LUT stage, else into the first LUT stage that has none,
   * else into a new LUT stage at the end of the chain.
   */
  async loadLut(file: File, stageId?: string): Promise<boolean> {
    let lutRef;
    try {
      if (file.size === 0) throw new CubeParseError(0, 'the file is empty (0 bytes)');
      const lut = packLut(parseCube(await file.text()), file.name);
      if (!this.#app.luts.add(lut)) {
        this.#app.notices.warning(
          'LUT kept for this session only',
          `“${file.name}” is too large for browser storage.`,
        );
      }
      lutRef = { id: lut.id, name: file.name };
    } catch (error) {
      const reason = error instanceof CubeParseError ? error.message : messageOf(error);
      this.#app.notices.error('Could not load LUT', `“${file.name}”: ${reason}`);
      return false;
    }
    this.#app.lutAdded();
    const lutEffect = findEffect('lut-3d')!;
    this.#app.edit((chain) => {
      let target =
        stageId ?? chain.stages.find((s) => s.effect === 'lut-3d' && s.params.lut === null)?.id;
      if (!target) {
        chain = addStage(chain, lutEffect);
        target = chain.stages[chain.stages.length - 1].id;
      }
      return setParam(chain, target, 'lut', lutRef);
    });
    return true;
  }

  /** Decodes an image as the background of a Background replace stage. */
  loadBackgroundImage(file: File, stageId: string): Promise<boolean> {
    const maxDimension = this.#app.gpu?.adapter.maxTextureDimension2D ?? 8192;
    return this.#opening(file, 'Could not open background image', async () => {
      const { bitmap } = await decodeImageFile(file, maxDimension);
      const pixels = bitmapPixels(bitmap);
      bitmap.close();
      const id = `${file.name}|${file.size}|${file.lastModified}`;
      this.#app.backgroundImages.set(id, pixels);
      this.#app.edit((chain) => setParam(chain, stageId, 'image', { id, name: file.name }));
    });
  }
}
