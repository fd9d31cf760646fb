/** Options every operation takes. */
export interface OpsOptions {
  /** Directory that stands for `/` (fixture trees in tests). Default '/'. */
  readonly root?: string;
}
