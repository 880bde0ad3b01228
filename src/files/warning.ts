/** Something the user should know that does not stop the run (printed as `gomapfix: warning: …`). */
export interface Warning {
  /** The file it is about, relative to the current directory, when there is one. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  message: string;
}
