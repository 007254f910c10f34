// Loaded with `node --import` by runCliMeasured: writes the process's peak RSS (KiB) to
// $LAYERLENS_RSS_FILE on exit, so a test can check how much memory a CLI run took.
import {writeFileSync} from 'node:fs';

process.on('exit', () => {
	if (process.env.LAYERLENS_RSS_FILE) {
		writeFileSync(process.env.LAYERLENS_RSS_FILE, String(process.resourceUsage().maxRSS));
	}
});
