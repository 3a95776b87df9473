import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock: enough to tell, on the same machine, whether that very process still runs. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly hostname: string;
  /** Linux: the kernel's boot id, so a lock from before a reboot is known to be dead. */
  readonly bootId?: string;
  /** Linux: the process start time in clock ticks since boot, so a reused pid is not mistaken for the holder. */
  readonly startTicks?: number;
}

function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Fields of /proc/<pid>/stat after the command name (which may itself hold spaces and parentheses). */
function procStatFields(pid: number): string[] | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const close = stat.lastIndexOf(')');
  return close < 0 ? undefined : stat.slice(close + 2).split(' ');
}

const bootId = () => readProcFile('/proc/sys/kernel/random/boot_id')?.trim() || undefined;

export function currentProcess(): ProcessIdentity {
  // Field 22 of stat (starttime) is index 19 once the pid and the command name are cut off.
  const ticks = Number(procStatFields(process.pid)?.[19]);
  const boot = bootId();
  return {
    pid: process.pid,
    hostname: hostname(),
    ...(boot ? { bootId: boot } : {}),
    ...(Number.isFinite(ticks) ? { startTicks: ticks } : {}),
  };
}

/**
 * Whether the process a lock names still runs: `alive`, `dead`, or `unknown` when it ran on another
 * machine (only its heartbeat can tell then). A zombie counts as dead, and so does a live process that
 * started at another time than the holder (its pid was reused).
 */
export function processState(holder: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  if (holder.hostname !== hostname()) return 'unknown';
  const currentBoot = bootId();
  if (holder.bootId && currentBoot && holder.bootId !== currentBoot) return 'dead';
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const fields = procStatFields(holder.pid);
  if (fields) {
    if (fields[0] === 'Z' || fields[0] === 'X') return 'dead';
    if (holder.startTicks !== undefined && Number(fields[19]) !== holder.startTicks) return 'dead';
  }
  return 'alive';
}
