/** An error the user caused and can fix; the CLI prints its message as one line and exits 2. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
