import {someFile} from '../final-file-list.js';
import type {RuleInput} from '../types.js';

/**
The directory the application lives in: the image's WORKDIR when it is set and holds files, otherwise
the directory of the app's own package.json (not the manifests of the packages in node_modules).
*/
export function findAppDirectory(input: RuleInput): string | undefined {
	const workingDirectory = (input.config.workingDir ?? '').replace(/^\/+|\/+$/g, '');
	if (
		workingDirectory !== '' &&
		someFile(input.files, (file) => file.path.startsWith(`${workingDirectory}/`))
	) {
		return workingDirectory;
	}

	const manifests = [...input.evidence.keys()]
		.filter((path) => path === 'package.json' || path.endsWith('/package.json'))
		.filter(
			(path) => !path.startsWith('usr/') && !path.startsWith('opt/yarn') && !path.includes('node_modules/'),
		);
	const first = manifests.sort((a, b) => a.length - b.length)[0];
	if (first !== undefined) {
		return first.includes('/') ? first.slice(0, first.lastIndexOf('/')) : '';
	}

	return undefined;
}
