/** Whether to colour a stream's output: NO_COLOR wins, then FORCE_COLOR, then whether it is a terminal. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return !!stream.isTTY;
}
