import {anyPattern} from '../../../shared/any-pattern.js';
import {pathAt} from '../../final-file-list.js';
import type {Confidence} from '../../types.js';
import {packageOwnedPaths} from '../package-databases.js';
import type {FindingDraft, Rule} from '../rule-context.js';

type SecretPattern = {ruleId: string; pattern: RegExp; confidence: Confidence; what: string};

/**
Trust stores, package trees and toolchain sources hold certificates and sample keys that are not anyone's
secret (Go ships test keys in src/crypto/tls/testdata; the module cache holds other projects' fixtures).
*/
const notSecret =
	/(^|\/)(node_modules|site-packages|dist-packages|vendor)\/|^(etc\/ssl|etc\/pki|usr\/share\/ca-certificates|usr\/lib\/ssl|usr\/local\/share\/ca-certificates|etc\/ca-certificates|usr\/local\/go|usr\/lib\/go(-[^/]+)?|usr\/share\/go(-[^/]+)?)\/|(^|\/)go\/pkg\/mod\//;

/**
A `.pem` named as a certificate (cert.pem, fullchain.pem, ca-bundle.pem) holds public data; a name that
says key (privkey.pem, server-key.pem) is still reported. Contents are never read, so names decide.
*/
const publicCertificate = /^(?!.*key).*(cert|chain|bundle|(^|[^a-z])ca(?=[^a-z]|$)).*\.pem$|\.(crt|cer)$/i;

function isPublicCertificate(path: string): boolean {
	return publicCertificate.test(path.slice(path.lastIndexOf('/') + 1));
}

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

/** Whether any of the patterns matches: one pass over a path instead of one a pattern. */
const anySecretPattern = anyPattern(patterns.map(({pattern}) => pattern));

/** B-X2: files that look like secrets, by name (their contents are never read), that no package installed. */
export const secretFilesRule: Rule = (context) => {
	// What a package installed (test data, sample keys, trust stores) is the distribution's, not a leak.
	const owned = packageOwnedPaths(context.input.evidence, context.byPath);
	const byPattern = new Map<SecretPattern, string[]>();
	const {files} = context.input;
	for (let position = 0; position < files.length; position++) {
		// The name patterns first, all in one test: they match few paths, and the exclusions cost more per path.
		const path = pathAt(files, position);
		if (!anySecretPattern.test(path)) continue;
		const match = patterns.find((candidate) => candidate.pattern.test(path));
		if (
			match === undefined ||
			notSecret.test(path) ||
			path.endsWith('.pub') ||
			isPublicCertificate(path) ||
			owned.has(path)
		) {
			continue;
		}

		const list = byPattern.get(match) ?? [];
		list.push(path);
		byPattern.set(match, list);
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
