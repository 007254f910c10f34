/**
Crafted layer tars whose headers a careless reader takes differently from Go's archive/tar (Docker's
reader): each would hide files from the scan if layerlens misread it. `expected` is what Go's reader
(and so Docker) makes of the layer, as `fileSystemList` writes it; `dockerLoads` says whether
`docker load` accepts the layer at all (Docker refuses typeflags it cannot create, such as `Z` and
the old GNU sparse `S`).

Used by the unit test (layerlens' reading equals `expected`), the seeded fuzz test (mutations of these)
and the e2e test against the daemon (layerlens' list equals the one Docker exports).
*/
import {endOfArchive, entry, gnuLong, headerBlock, pax, tarOf} from './tar-blocks.js';

export type HiddenFileShape = {name: string; layer: Buffer; expected: string[]; dockerLoads: boolean};

/** A valid header claiming `size` bytes: what a misreading parser would take the next block for. */
function swallower(name: string, size: number): Buffer {
	return headerBlock({name, size});
}

const privateKey =
	'-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';

/** Issue 17's reproduction: `app/cache/` typeflag `0` with 512 bytes of data, then two secrets. */
export function issue17Layer(): Buffer {
	return tarOf([
		entry({name: 'app/cache/', typeflag: '0'}, swallower('app/cache/.keep', 4096)),
		entry({name: 'root/.ssh/id_rsa', mode: 0o600}, privateKey),
		entry(
			{name: 'app/.env'},
			'DATABASE_PASSWORD=hunter2\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
		),
	]);
}

function base256(value: number): Buffer {
	const field = Buffer.alloc(12);
	field[0] = 0x80;
	field.writeUIntBE(value, 6, 6);
	return field;
}

const pad = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

export function hiddenFileShapes(): HiddenFileShape[] {
	const longName = `deep/${'n'.repeat(120)}/long-name.txt`;
	return [
		{
			name: 'issue 17: `0` entry named app/cache/ with 512 bytes of data, then secrets',
			layer: issue17Layer(),
			expected: ['app/', 'app/.env', 'app/cache', 'root/', 'root/.ssh/', 'root/.ssh/id_rsa'],
			dockerLoads: true,
		},
		{
			name: 'old NUL type with a trailing slash is a directory; its size is ignored',
			layer: tarOf([
				headerBlock({name: 'srv/data/', typeflag: '\0', size: 512}),
				entry({name: 'srv/data/inside.txt'}, 'inside'),
			]),
			expected: ['srv/', 'srv/data/', 'srv/data/inside.txt'],
			dockerLoads: true,
		},
		{
			name: 'old NUL type without a slash is a file',
			layer: tarOf([
				entry({name: 'srv/plain', typeflag: '\0'}, swallower('srv/ghost', 1024)),
				entry({name: 'srv/next'}, 'n'),
			]),
			expected: ['srv/', 'srv/next', 'srv/plain'],
			dockerLoads: true,
		},
		{
			name: 'directory, symlink, hardlink and fifo headers with a size have no data',
			layer: tarOf([
				entry({name: 'opt/base.txt'}, 'base'),
				headerBlock({name: 'opt/dir/', typeflag: '5', size: 1024}),
				headerBlock({name: 'opt/link', typeflag: '2', linkname: 'base.txt', size: 512}),
				headerBlock({name: 'opt/hard', typeflag: '1', linkname: 'opt/base.txt', size: 512}),
				headerBlock({name: 'opt/fifo', typeflag: '6', size: 512}),
				entry({name: 'opt/dir/after.txt'}, 'after'),
			]),
			expected: ['opt/', 'opt/base.txt', 'opt/dir/', 'opt/dir/after.txt', 'opt/fifo', 'opt/hard', 'opt/link'],
			dockerLoads: true,
		},
		{
			name: 'a `0` entry named with a trailing slash and no data is an empty file',
			layer: tarOf([entry({name: 'empty/slash/'}), entry({name: 'empty/after.txt'}, 'a')]),
			expected: ['empty/', 'empty/after.txt', 'empty/slash'],
			dockerLoads: true,
		},
		{
			name: 'GNU long name',
			layer: tarOf([gnuLong(longName), entry({name: 'short', format: 'gnu'}, 'x')]),
			expected: ['deep/', `deep/${'n'.repeat(120)}/`, longName],
			dockerLoads: true,
		},
		{
			name: 'a GNU long name wins over a PAX path',
			layer: tarOf([
				gnuLong('pick/gnu.txt'),
				pax([['path', 'pick/pax.txt']]),
				entry({name: 'pick/header.txt'}, 'x'),
			]),
			expected: ['pick/', 'pick/gnu.txt'],
			dockerLoads: true,
		},
		{
			name: 'a PAX size replaces the header size',
			layer: tarOf([
				pax([['size', '600']]),
				headerBlock({name: 'pax/sized.bin', size: 0}),
				pad(Buffer.concat([swallower('pax/ghost', 4096), Buffer.alloc(88, 0x61)])),
				entry({name: 'pax/after.txt'}, 'after'),
			]),
			expected: ['pax/', 'pax/after.txt', 'pax/sized.bin'],
			dockerLoads: true,
		},
		{
			name: 'a PAX global size is not applied to later entries',
			layer: tarOf([
				pax([['size', '2048']], 'g'),
				entry({name: 'glob/first.txt'}, 'hello'),
				entry({name: 'glob/second.txt'}, 'world'),
			]),
			expected: ['glob/', 'glob/first.txt', 'glob/second.txt'],
			dockerLoads: true,
		},
		{
			name: 'an empty PAX path and an empty GNU long name keep the header name',
			layer: tarOf([
				pax([['path', '']]),
				entry({name: 'keep/pax-empty.txt'}, 'p'),
				gnuLong(''),
				entry({name: 'keep/gnu-empty.txt', format: 'gnu'}, 'g'),
			]),
			expected: ['keep/', 'keep/gnu-empty.txt', 'keep/pax-empty.txt'],
			dockerLoads: true,
		},
		{
			name: 'a PAX path ending in / on a `0` entry is a file',
			layer: tarOf([
				pax([['path', 'paxdir/']]),
				entry({name: 'ignored'}, 'data'),
				entry({name: 'paxnext'}, 'n'),
			]),
			expected: ['paxdir', 'paxnext'],
			dockerLoads: true,
		},
		{
			name: 'a GNU long name ending in / on a NUL entry is a directory with no data',
			layer: tarOf([
				gnuLong('longdir/'),
				headerBlock({name: 'x', typeflag: '\0', size: 512, format: 'gnu'}),
				entry({name: 'longdir/in.txt'}, 'in'),
			]),
			expected: ['longdir/', 'longdir/in.txt'],
			dockerLoads: true,
		},
		{
			name: 'base-256 and space-padded octal sizes',
			layer: tarOf([
				headerBlock({name: 'num/base256.bin', sizeField: base256(700), format: 'gnu'}),
				pad(Buffer.concat([swallower('num/ghost', 8192), Buffer.alloc(188, 0x62)])),
				headerBlock({name: 'num/spaces.bin', sizeField: Buffer.from('    1750 \0  ', 'latin1')}),
				pad(Buffer.concat([swallower('num/ghost2', 8192), Buffer.alloc(488, 0x63)])),
				entry({name: 'num/after.txt'}, 'after'),
			]),
			expected: ['num/', 'num/after.txt', 'num/base256.bin', 'num/spaces.bin'],
			dockerLoads: true,
		},
		{
			name: 'USTAR prefix, and a GNU header whose atime does not parse takes the prefix (Go)',
			layer: tarOf([
				entry({name: 'file.txt', prefix: 'pre/fixed'}, 'x'),
				entry({name: 'g.txt', format: 'gnu', prefix: 'gnuprefix'}, 'y'),
			]),
			expected: ['gnuprefix/', 'gnuprefix/g.txt', 'pre/', 'pre/fixed/', 'pre/fixed/file.txt'],
			dockerLoads: true,
		},
		{
			name: 'an unknown typeflag: its data is skipped by its size (Docker refuses the layer)',
			layer: tarOf([
				entry({name: 'odd/unknown', typeflag: 'Z'}, swallower('odd/ghost', 2048)),
				entry({name: 'odd/after.txt'}, 'after'),
			]),
			expected: ['odd/', 'odd/after.txt'],
			dockerLoads: false,
		},
		{
			name: 'old GNU sparse with an extension block (Docker refuses the layer)',
			layer: Buffer.concat([
				headerBlock({
					name: 'sparse.bin',
					typeflag: 'S',
					format: 'gnu',
					size: 512,
					patch: [
						[482, Buffer.from([1])],
						[483, Buffer.from('00000002000\0', 'latin1')],
					],
				}),
				Buffer.alloc(512),
				pad(swallower('sparse-ghost', 4096)),
				entry({name: 'after-sparse.txt'}, 'after'),
				endOfArchive(),
			]),
			expected: ['after-sparse.txt'],
			dockerLoads: false,
		},
	];
}

/**
A file system as a sorted list: every path once, directories (explicit or implied by a path below
them) with a trailing `/`. Whiteouts and opaque markers are left out.
*/
export function fileSystemList(entries: Array<{path: string; type: string}>): string[] {
	const paths = new Set<string>();
	for (const item of entries) {
		if (item.type === 'whiteout' || item.type === 'opaque') continue;
		const parts = item.path.split('/');
		for (let depth = 1; depth < parts.length; depth++) paths.add(`${parts.slice(0, depth).join('/')}/`);
		paths.add(item.type === 'dir' ? `${item.path}/` : item.path);
	}

	return [...paths].sort();
}
