// A guess, per type, whether the next item already exists, from how the last ones went. Under the
// Patch policy a re-run meets objects that exist: once most recent items of a type did, the next
// is patched first (one call) and created only if the patch finds nothing, instead of a refused
// create followed by a patch (two calls). Namespaces and ServiceAccounts always go the long way.

const WEIGHT = 0.1;
const THRESHOLD = 0.8;
const MIN_SAMPLES = 8;

export class ExistenceHint {
  #samples = 0;
  /** Moving average of "the item already existed". */
  #existed = 0;

  record(existed: boolean): void {
    this.#samples++;
    this.#existed = this.#existed * (1 - WEIGHT) + (existed ? WEIGHT : 0);
  }

  /** Whether the next item probably exists. */
  get likely(): boolean {
    return this.#samples >= MIN_SAMPLES && this.#existed >= THRESHOLD * (1 - (1 - WEIGHT) ** this.#samples);
  }
}
