import type {Confidence} from '../../types.js';
import type {FindingDraft, Rule} from '../rule-context.js';

type SecretPattern = {ruleId: string; pattern: RegExp; confidence: Confidence; what: string};

/** Trust stores and package trees hold certificates and sample keys that are not anyone's secret. */
const notSecret =
	/(^|\/)(node_modules|site-packages|dist-packages|vendor)\/|^(etc\/ssl|etc\/pki|usr\/share\/ca-certificates|usr\/lib\/ssl|usr\/local\/share\/ca-certificates|etc\/ca-certificates)\//;

const patterns: SecretPattern[] = [
	{
		ruleId: 'LL-SECRET-SSH-KEY',
		pattern: /(^|\/)id_(rsa|dsa|ecdsa|ed25519)$/,
		confidence: 'high',
		what: 'SSH private keys',
	},
	{
		ruleId: 'LL-SECRET-CREDENTIALS',
		pattern:
			/(^|\/)\.aws\/credentials$|(^|\/)\.git-credentials$|(^|\/)\.docker\/config\.json$|(^|\/)\.netrc$|(^|\/)\.pypirc$/,
		confidence: 'high',
		what: 'credential stores',
	},
	{
		ruleId: 'LL-SECRET-ENV',
		pattern: /(^|\/)\.env(\.(?!example$|sample$|template$|dist$)[^/]+)?$/,
		confidence: 'medium',
		what: '.env files',
	},
	{
		ruleId: 'LL-SECRET-NPMRC',
		pattern: /(^|\/)\.npmrc$/,
		confidence: 'medium',
		what: '.npmrc (often holds a registry token)',
	},
	{
		ruleId: 'LL-SECRET-CREDENTIALS-JSON',
		pattern: /(^|\/)(credentials|service-account|secrets?)[^/]*\.json$/,
		confidence: 'medium',
		what: 'credential JSON files',
	},
	{
		ruleId: 'LL-SECRET-KEY-FILE',
		pattern: /\.(pem|key|p12|pfx|jks|keystore)$/,
		confidence: 'low',
		what: 'key and certificate files',
	},
];

/** B-X2: files that look like secrets, by name (their contents are never read). */
export const secretFilesRule: Rule = (context) => {
	const byPattern = new Map<SecretPattern, string[]>();
	for (const file of context.input.files) {
		if (notSecret.test(file.path) || file.path.endsWith('.pub')) {
			continue;
		}

		const match = patterns.find((candidate) => candidate.pattern.test(file.path));
		if (match) {
			const list = byPattern.get(match) ?? [];
			list.push(file.path);
			byPattern.set(match, list);
		}
	}

	const drafts: FindingDraft[] = [];
	for (const [pattern, paths] of byPattern) {
		drafts.push({
			ruleId: pattern.ruleId,
			category: 'secret',
			confidence: pattern.confidence,
			title: `Possible secrets in the image: ${pattern.what}`,
			evidence: [`path pattern: ${pattern.what} by file name (contents not read)`],
			paths,
			fix: 'Remove them from the image (.dockerignore), rotate what leaked, and pass secrets with `RUN --mount=type=secret` or at runtime',
		});
	}

	return drafts;
};
