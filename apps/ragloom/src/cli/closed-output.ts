/**
 * Ends the CLI quietly when its output is closed early (`ragloom --help | head`, `ragloom query … | head -1`):
 * an EPIPE on stdout or stderr is the reader saying it has seen enough, not an error to print.
 */
export function exitQuietlyOnClosedOutput(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}
