// Loaded with --import into a measured process: writes its peak resident set (KiB) to a file at exit,
// so memory figures need no external tool and nothing is added to the process's own output.
import { writeFileSync } from 'node:fs';

const file = process.env.QSJWT_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
