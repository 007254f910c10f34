/** What the app's own build steps run, read from the history's RUN lines. */
import type {RuleContext} from './rule-context.js';

/** Commands that run the tests (which read test files and test directories). */
export const runsTests =
	/(^|[\s;&|(])(go\s+(test|vet)|(npm|yarn|pnpm|bun)\s+(run\s+)?(test|check|lint|coverage)\b|npx\s+(jest|vitest|mocha|ava|playwright)|jest|vitest|mocha|pytest|py\.test|tox|nox|python[\d.]*\s+-m\s+(pytest|unittest)|make\s+(test|check)|ctest|cargo\s+(test|nextest)|mvn|(\.\/)?gradlew?\s+\S*(test|check|build)|rspec|rake(\s+test)?|phpunit|dotnet\s+test)(\s|$|[;&|)])/;
/** Commands that read the repository's metadata (a version from `git describe`). */
export const readsGit = /(^|[\s;&|(])git\s/;
/** Package installs that read registry settings from .npmrc, .pypirc or .netrc in the context. */
export const installsPackages =
	/(^|[\s;&|(])((npm|yarn|pnpm|bun)\s+(install|ci|i|add)|pip[\d.]*\s+install|poetry\s+install|uv\s+(pip|sync))\b/;

/** What the app's own build steps run: the RUN instructions above the base image. */
export function buildCommands(context: RuleContext): string {
	return context.input.history
		.filter((entry) => entry.instructionKind === 'RUN')
		.filter((entry) => {
			const layer = entry.layerIndex ?? entry.afterLayerIndex + 1;
			return !context.baseLayers.has(layer);
		})
		.map((entry) => entry.instruction.replace(/^RUN\s+/, ''))
		.join('\n');
}
