import type {FileSpec} from '../image/write/image-spec.js';

const kB = 1024;
const MB = 1024 * 1024;

const osRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

type DebianPackage = {name: string; section: string; priority: string; files: [path: string, size: number][]};

const debianPackages: DebianPackage[] = [
	{
		name: 'base-files',
		section: 'admin',
		priority: 'required',
		files: [
			['etc/debian_version', 5],
			['usr/share/common-licenses/GPL-3', 35 * kB],
		],
	},
	{
		name: 'bash',
		section: 'shells',
		priority: 'required',
		files: [
			['bin/bash', 1.2 * MB],
			['etc/bash.bashrc', 2 * kB],
		],
	},
	{
		name: 'coreutils',
		section: 'utils',
		priority: 'required',
		files: [
			['bin/ls', 150 * kB],
			['bin/cp', 150 * kB],
			['bin/cat', 44 * kB],
			['bin/rm', 72 * kB],
			['bin/mkdir', 72 * kB],
			['usr/bin/env', 48 * kB],
		],
	},
	{
		name: 'libc6',
		section: 'libs',
		priority: 'required',
		files: [
			['lib/x86_64-linux-gnu/libc.so.6', 1.9 * MB],
			['lib/x86_64-linux-gnu/libm.so.6', 900 * kB],
			['lib64/ld-linux-x86-64.so.2', 210 * kB],
		],
	},
	{
		name: 'libgcc-s1',
		section: 'libs',
		priority: 'optional',
		files: [['lib/x86_64-linux-gnu/libgcc_s.so.1', 125 * kB]],
	},
	{
		name: 'libstdc++6',
		section: 'libs',
		priority: 'optional',
		files: [['usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30', 2.3 * MB]],
	},
	{name: 'dash', section: 'shells', priority: 'required', files: [['bin/dash', 125 * kB]]},
	{
		name: 'tzdata',
		section: 'localization',
		priority: 'required',
		files: [
			['usr/share/zoneinfo/UTC', 114],
			['usr/share/zoneinfo/Europe/Berlin', 2298],
		],
	},
];

const dpkgStatus = debianPackages
	.map(
		(entry) => `Package: ${entry.name}
Status: install ok installed
Priority: ${entry.priority}
Section: ${entry.section}
Installed-Size: ${Math.ceil(entry.files.reduce((sum, [, size]) => sum + size, 0) / kB)}
Maintainer: Debian Maintainers <debian-devel@lists.debian.org>
Architecture: amd64
Version: 12.4
Description: ${entry.name} from Debian bookworm
`,
	)
	.join('\n');

/** The base layer: a slim Debian bookworm root with a real dpkg database for the package rules to read. */
export function debianRootfs(): FileSpec[] {
	const files: FileSpec[] = [
		{path: 'etc/os-release', content: osRelease},
		{path: 'etc/hostname', content: 'localhost\n'},
		{
			path: 'etc/passwd',
			content: 'root:x:0:0:root:/root:/bin/bash\nnode:x:1000:1000::/home/node:/bin/bash\n',
		},
		{path: 'etc/group', content: 'root:x:0:\nnode:x:1000:\n'},
		{path: 'var/lib/dpkg/status', content: dpkgStatus},
		{path: 'bin/sh', type: 'symlink', linkTarget: 'dash'},
	];
	for (const entry of debianPackages) {
		files.push({
			path: `var/lib/dpkg/info/${entry.name}.list`,
			content: `/.\n${entry.files.map(([path]) => `/${path}`).join('\n')}\n`,
		});
		for (const [path, size] of entry.files) {
			files.push({path, size: Math.round(size), mode: path.includes('bin/') ? 0o755 : 0o644});
		}
	}

	// The rest of a slim Debian: locale data, terminfo, man-less docs, small configs.
	for (let index = 0; index < 120; index++) {
		files.push({
			path: `usr/share/i18n/charmaps/charmap-${String(index).padStart(3, '0')}.gz`,
			size: 2 * kB + ((index * 977) % (40 * kB)),
		});
	}

	for (let index = 0; index < 40; index++) {
		files.push({path: `etc/conf.d/setting-${index}.conf`, size: 200 + index * 13});
	}

	return files;
}
