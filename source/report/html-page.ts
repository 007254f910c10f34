/**
The parts every HTML report shares: escaping, the embedded data, the treemap's script and the page shell.
The page is one file that needs nothing else: inline CSS and JS, no font, no image, no request, and a
Content-Security-Policy that lets only the page's own script run and forbids every fetch.
*/
import {createHash} from 'node:crypto';
import {formatBytes} from '../shared/format-bytes.js';
import {escapeHtml, sanitize} from '../shared/sanitize-text.js';
import type {MapCategory} from './image-size-map.js';
import type {SizeMap} from './size-map.js';
import {squarify} from './treemap-layout.js';

export {escapeHtml};

/** Text that runs over several lines on purpose (a Dockerfile): each line sanitised and escaped, breaks and tabs kept. */
export function escapeHtmlLines(text: string): string {
	return text
		.replace(/\r\n/g, '\n')
		.replace(/\n+$/, '')
		.split('\n')
		.map((line) => line.split('\t').map(escapeHtml).join('\t'))
		.join('\n');
}

/** Prose whose `backticked` parts are commands or paths: those become <code>, everything is escaped. */
export function escapeHtmlWithCode(text: string): string {
	const parts = sanitize(text.replace(/\r\n|[\r\n\t]/g, ' ')).split('`');
	const paired = parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), `${parts.at(-2)}\`${parts.at(-1)}`];
	return paired
		.map((part, index) =>
			index % 2 === 1 && part !== '' ? `<code>${escapeHtml(part)}</code>` : escapeHtml(part),
		)
		.join('');
}

/**
Data for a `<script type="application/json">`: every string sanitised (control and invisible characters
shown as escapes, as everywhere else), and `<`, `>`, `&` and the line separators written as \u escapes so
no `</script>` or `<!--` in a file name can end the element or change how the browser parses it.
*/
export function embeddedJson(value: unknown): string {
	return JSON.stringify(value, (_key, item: unknown) =>
		typeof item === 'string' ? sanitize(item) : item,
	).replace(
		/[<>&\u2028\u2029]/g,
		(character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** A table from already-escaped cells; `numeric` columns align right. */
export function htmlTable(header: string[], rows: string[][], numeric: number[] = []): string {
	const cell = (tag: string, text: string, index: number) =>
		`<${tag}${numeric.includes(index) ? ' class="num"' : ''}>${text}</${tag}>`;
	return `<table><thead><tr>${header.map((text, index) => cell('th', escapeHtml(text), index)).join('')}</tr></thead><tbody>${rows
		.map((row) => `<tr>${header.map((_, index) => cell('td', row[index] ?? '', index)).join('')}</tr>`)
		.join('')}</tbody></table>`;
}

/** What the treemap script reads from the page's embedded JSON. */
export type TreemapData = {
	map: SizeMap;
	categories: readonly MapCategory[];
	/** Layer index → its instruction, for the hover text. */
	layers: string[];
	/** Finding index → `RULE-ID title`, for the hover text. */
	findings: string[];
	/** What a rectangle's area stands for, in the hover text: `bytes` or `change`. */
	measure: string;
};

const patterns: Record<string, string> = {
	none: 'none',
	diagonal: 'repeating-linear-gradient(45deg,rgba(255,255,255,.35) 0 2px,transparent 2px 7px)',
	'back-diagonal': 'repeating-linear-gradient(-45deg,rgba(255,255,255,.35) 0 2px,transparent 2px 7px)',
	horizontal: 'repeating-linear-gradient(0deg,rgba(255,255,255,.3) 0 2px,transparent 2px 7px)',
	vertical: 'repeating-linear-gradient(90deg,rgba(255,255,255,.3) 0 2px,transparent 2px 7px)',
	dots: 'radial-gradient(rgba(255,255,255,.45) 1.5px,transparent 1.6px) 0 0/7px 7px',
	cross:
		'repeating-linear-gradient(45deg,rgba(255,255,255,.35) 0 2px,transparent 2px 7px),repeating-linear-gradient(-45deg,rgba(255,255,255,.35) 0 2px,transparent 2px 7px)',
};

/** One CSS class per category: its colour and hatching, so the legend and the rectangles look alike. */
function categoryStyles(categories: readonly MapCategory[]): string {
	return categories
		.map((category, index) =>
			`.cat${index}{background:${patterns[category.pattern] ?? 'none'},${category.colour}}`.replace(
				'background:none,',
				'background:',
			),
		)
		.join('\n');
}

/** The legend: letter, swatch, name and the bytes each category holds, so it reads without colour too. */
export function legendHtml(data: TreemapData): string {
	const totals = data.map.categoryBytes;

	return `<ul class="legend">${data.categories
		.map(
			(category, index) =>
				`<li data-category="${escapeHtml(category.id)}"><span class="swatch cat${index}" aria-hidden="true">${escapeHtml(category.letter)}</span> <strong>${escapeHtml(category.letter)}</strong> ${escapeHtml(category.label)}: ${escapeHtml(formatBytes(totals[index] ?? 0))}</li>`,
		)
		.join('')}</ul>`;
}

/** The treemap's section: breadcrumb, map, hover details, legend and the embedded data. */
export function treemapSection(title: string, intro: string, data: TreemapData): string {
	const aggregated = `Entries under ${formatBytes(data.map.thresholdBytes)} are drawn together as “n files” in each directory.`;
	return `<section id="treemap-section"><h2>${escapeHtml(title)}</h2>
<p>${intro} Click a rectangle (or focus it and press Enter) to zoom into its directory; the path above the map, Backspace or Escape go back out. ${escapeHtml(aggregated)}</p>
<nav id="crumbs" aria-label="Treemap path"></nav>
<div id="treemap" role="group" aria-label="${escapeHtml(title)}"></div>
<div id="details" aria-live="polite">Hover or focus a rectangle to see its path, size, layer and category.</div>
${legendHtml(data)}
<script type="application/json" id="treemap-data">${embeddedJson(data)}</script>
</section>`;
}

/**
The treemap in the browser: lays out the current directory's children with the same squarify function the
tests check, nests directories while they are large enough to read, and shows every name by textContent
only (a name is never parsed as HTML).
*/
const treemapScript = `
var units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
var __name = function (target) { return target; };
${formatBytes.toString()}
${squarify.toString()}
(function () {
	var source = document.getElementById('treemap-data');
	var box = document.getElementById('treemap');
	if (!source || !box) return;
	var data = JSON.parse(source.textContent);
	var crumbs = document.getElementById('crumbs');
	var details = document.getElementById('details');
	var categories = data.categories;
	var stack = [data.map.root];
	var budget = 0;
	function pathOf(names) { return names.filter(function (name) { return name !== ''; }).join('/'); }
	function describe(node, names) {
		var category = categories[node.c];
		var parts = [];
		var path = pathOf(names);
		parts.push((path === '' ? '/' : path) + (node.k ? '/' : ''));
		parts.push(formatBytes(node.b) + ' (' + node.b.toLocaleString('en-US') + ' ' + data.measure + ')' + (node.f > 1 || node.k ? ', ' + node.f.toLocaleString('en-US') + ' files' : ''));
		parts.push((node.k ? 'mostly ' : '') + category.letter + ' ' + category.label);
		if (node.l !== undefined) parts.push('layer ' + node.l + ': ' + (data.layers[node.l] || 'unknown'));
		if (node.o !== undefined) parts.push('owner: ' + node.o);
		if (node.x !== undefined) parts.push('finding: ' + data.findings[node.x]);
		if (node.t !== undefined) parts.push(node.t);
		return parts;
	}
	function show(node, names) {
		details.textContent = '';
		describe(node, names).forEach(function (line, index) {
			var element = document.createElement(index === 0 ? 'strong' : 'span');
			element.textContent = line;
			details.appendChild(element);
		});
	}
	function zoomTo(names, nodes) {
		stack = nodes;
		render();
	}
	function tile(node, names, nodes, rect, parent, depth) {
		budget--;
		var element = document.createElement('div');
		element.className = 'tile cat' + node.c + (node.k ? ' dir' : '') + (node.g ? ' agg' : '');
		element.style.left = rect.x + 'px';
		element.style.top = rect.y + 'px';
		element.style.width = rect.width + 'px';
		element.style.height = rect.height + 'px';
		element.dataset.path = pathOf(names);
		element.dataset.bytes = String(node.b);
		element.dataset.category = categories[node.c].id;
		element.tabIndex = depth === 0 ? 0 : -1;
		element.title = describe(node, names).join('\\n');
		if (rect.width >= 14 && rect.height >= 13) {
			var label = document.createElement('span');
			label.className = 'label';
			label.textContent = categories[node.c].letter + ' ' + node.n + (node.g ? '' : node.k ? '/' : '') + ' ' + formatBytes(node.b);
			element.appendChild(label);
		}
		element.addEventListener('mouseenter', function (event) { event.stopPropagation(); show(node, names); });
		element.addEventListener('focus', function () { show(node, names); });
		var target = node.k ? {names: names, nodes: nodes} : {names: names.slice(0, -1), nodes: nodes.slice(0, -1)};
		element.addEventListener('click', function (event) {
			event.stopPropagation();
			if (target.nodes.length > stack.length) zoomTo(target.names, target.nodes);
		});
		element.addEventListener('keydown', function (event) {
			if (event.key === 'Enter' || event.key === ' ') {
				event.preventDefault();
				if (target.nodes.length > stack.length) zoomTo(target.names, target.nodes);
			}
		});
		parent.appendChild(element);
		if (node.k && depth < 3 && rect.width > 48 && rect.height > 40 && budget > 0) {
			layout(node.k, names, nodes, {x: 2, y: 16, width: rect.width - 4, height: rect.height - 18}, element, depth + 1);
		}
	}
	function layout(children, names, nodes, area, parent, depth) {
		var rects = squarify(children.map(function (child) { return child.b; }), area);
		children.forEach(function (child, index) {
			var rect = rects[index];
			if (rect.width < 2 || rect.height < 2 || budget <= 0) return;
			tile(child, names.concat([child.n]), nodes.concat([child]), rect, parent, depth);
		});
	}
	function render() {
		box.textContent = '';
		budget = 3000;
		var node = stack[stack.length - 1];
		var names = stack.map(function (item) { return item.n; });
		layout(node.k || [], names, stack, {x: 0, y: 0, width: box.clientWidth, height: box.clientHeight}, box, 0);
		crumbs.textContent = '';
		stack.forEach(function (item, index) {
			var button = document.createElement('button');
			button.type = 'button';
			button.textContent = index === 0 ? '/ (' + formatBytes(item.b) + ')' : item.n + ' (' + formatBytes(item.b) + ')';
			if (index === stack.length - 1) button.setAttribute('aria-current', 'location');
			button.addEventListener('click', function () { zoomTo(names.slice(0, index + 1), stack.slice(0, index + 1)); });
			crumbs.appendChild(button);
		});
		box.dataset.path = pathOf(names);
	}
	box.addEventListener('keydown', function (event) {
		if ((event.key === 'Backspace' || event.key === 'Escape') && stack.length > 1) {
			event.preventDefault();
			stack = stack.slice(0, -1);
			render();
			var first = box.querySelector('.tile');
			if (first) first.focus();
		}
	});
	var pending = 0;
	window.addEventListener('resize', function () {
		clearTimeout(pending);
		pending = setTimeout(render, 100);
	});
	render();
})();
(function () {
	document.querySelectorAll('button[data-copy]').forEach(function (button) {
		button.addEventListener('click', function () {
			var block = document.getElementById(button.dataset.copy);
			var status = document.getElementById(button.dataset.copy + '-status');
			var text = block ? block.textContent : '';
			function done(message) { if (status) status.textContent = message; }
			function fallback() {
				var range = document.createRange();
				range.selectNodeContents(block);
				var selection = window.getSelection();
				selection.removeAllRanges();
				selection.addRange(range);
				done(document.execCommand('copy') ? 'Copied.' : 'Selected: press Ctrl+C to copy.');
			}
			if (navigator.clipboard && navigator.clipboard.writeText) {
				navigator.clipboard.writeText(text).then(function () { done('Copied.'); }, fallback);
			} else {
				fallback();
			}
		});
	});
})();
`;

const pageStyle = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:15px;line-height:1.45;color:#1d1f23;background:#fff}
body{margin:0 auto;padding:1rem 1.5rem 3rem;max-width:1400px}
h1{font-size:1.5rem;margin:.4rem 0 .8rem;word-break:break-all}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
code{background:#f3f4f6;padding:0 .2em;word-break:break-all}pre{background:#f6f8fa;border:1px solid #ddd;padding:.7rem;overflow:auto;white-space:pre}
#crumbs{display:flex;flex-wrap:wrap;gap:.2rem;margin:.4rem 0}#crumbs button{font:inherit;border:1px solid #bbb;background:#f3f4f6;border-radius:3px;cursor:pointer}
#crumbs button:not(:last-child)::after{content:" ›"}#crumbs button[aria-current]{font-weight:bold}
#treemap{position:relative;height:62vh;min-height:320px;border:1px solid #999;overflow:hidden;background:#eee}
.tile{position:absolute;box-sizing:border-box;border:1px solid #fff;overflow:hidden;color:#fff;cursor:zoom-in;font-size:11px;line-height:14px}
.tile.dir{border-color:#1d1f23}.tile.agg{opacity:.8}.tile:hover{outline:2px solid #000;z-index:1}.tile:focus{outline:3px solid #ffbf00;z-index:2}
.tile .label{display:block;padding:0 3px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;text-shadow:0 0 2px #000,0 0 2px #000}
#details{min-height:3.2em;margin:.4rem 0;padding:.3rem .5rem;background:#f6f8fa;border:1px solid #ddd;word-break:break-all}
#details span,#details strong{display:block}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem}
.swatch{display:inline-block;width:1.6em;height:1.2em;text-align:center;color:#fff;font-weight:bold;border:1px solid #555;text-shadow:0 0 2px #000}
.finding{border-left:4px solid #bbb;padding:.1rem .8rem;margin:1rem 0}.finding h4{margin:.3rem 0}
.copy{font:inherit;cursor:pointer}.muted{color:#555}
${''}`;

/** A whole page; `body` is already-escaped HTML, `data` feeds the treemap script. */
export function htmlPage(options: {
	title: string;
	body: string;
	categories: readonly MapCategory[];
	toolVersion?: string;
}): string {
	const style = `${pageStyle}${categoryStyles(options.categories)}`;
	const scriptHash = createHash('sha256').update(treemapScript).digest('base64');
	const styleHash = createHash('sha256').update(style).digest('base64');
	// Inline style attributes set by the script (tile positions) need 'unsafe-inline' in style-src-attr only.
	const policy = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src-elem 'sha256-${styleHash}'; style-src-attr 'unsafe-inline'; base-uri 'none'; form-action 'none'`;
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="layerlens${options.toolVersion ? ` ${escapeHtml(options.toolVersion)}` : ''}">
<title>${escapeHtml(options.title)}</title>
<style>${style}</style>
</head>
<body>
${options.body}
<p class="muted">Sizes use decimal units (1 kB = 1000 B).${options.toolVersion ? ` Generated by layerlens ${escapeHtml(options.toolVersion)}.` : ''}</p>
<script>${treemapScript}</script>
</body>
</html>
`;
}
