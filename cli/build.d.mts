import type { Metafile } from 'esbuild';

/** Builds the command line into `outdir` (default dist/cli): the entry module's path and esbuild's metafile. */
export function buildCli(outdir?: string): Promise<{ readonly entry: string; readonly metafile: Metafile }>;
