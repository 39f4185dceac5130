/**
 * Checks src/ against .dependency-cruiser.cjs (run by `npm run lint`). dependency-cruiser's own CLI refuses Node 20
 * (its engines say ^22), so this calls its API, which runs on Node 20.
 */
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';

const config = await extractDepcruiseConfig('./.dependency-cruiser.cjs');
const result = await cruise(['src'], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true });
const report = await format(result.output, { outputType: 'err' });
process.stdout.write(report.output);
process.exitCode = report.exitCode;
