// Types of local/preflight.mjs (plain JavaScript, so that it runs on any Node before the project's Node 24 does).
export interface Machine {
  readonly nodeVersion?: string;
  readonly platform?: string;
  readonly arch?: string;
  /** The java executable to ask for its version. */
  readonly java?: string;
  readonly projectRoot?: string;
}
/** What stops Keyholder from running here, as one line that says how to fix it; undefined when nothing does. */
export function missingPrerequisite(machine?: Machine): string | undefined;
