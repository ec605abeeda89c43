/**
 * What a reader tolerated, guessed or merged in an input file, reported by the
 * stage that read it and shown by whoever runs it (the CLI prints each once on
 * stderr as `cescreen: warning: <file>: …`). Nothing is shown without a sink,
 * so library code never prints.
 */
export type NoticeSink = (file: string, message: string) => void;

let sink: NoticeSink | undefined;

export function setNoticeSink(s: NoticeSink | undefined): void {
  sink = s;
}

export function notice(file: string, message: string): void {
  sink?.(file, message);
}
