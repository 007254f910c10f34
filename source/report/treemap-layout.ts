export type TreemapRect = {x: number; y: number; width: number; height: number};

/**
Squarified treemap (Bruls, Huizing, van Wijk): rectangles filling `area`, each sized by its weight, laid in
rows along the shorter side so that they stay as close to squares as the weights allow. Returns one
rectangle per weight, in the order the weights were given; a weight of zero or less gets an empty rectangle.

Self-contained on purpose (no imports, no helper functions, no closures): the HTML report embeds this
function's own source text in the page, so the browser lays out the same rectangles as this module's tests.
*/
export function squarify(weights: readonly number[], area: TreemapRect): TreemapRect[] {
	const result: TreemapRect[] = [];
	const order: number[] = [];
	let total = 0;
	for (let index = 0; index < weights.length; index++) {
		result.push({x: area.x, y: area.y, width: 0, height: 0});
		const weight = weights[index]!;
		if (weight > 0 && Number.isFinite(weight)) {
			order.push(index);
			total += weight;
		}
	}

	if (total <= 0 || !(area.width > 0) || !(area.height > 0)) return result;
	// Largest first: the greedy row-building needs it to give squares.
	order.sort((left, right) => weights[right]! - weights[left]! || left - right);
	const scale = (area.width * area.height) / total;
	let x = area.x;
	let y = area.y;
	let width = area.width;
	let height = area.height;
	let start = 0;
	while (start < order.length) {
		const side = Math.min(width, height);
		// Grow the row while the worst aspect ratio in it improves.
		let rowSum = 0;
		let rowMin = Number.POSITIVE_INFINITY;
		let rowMax = 0;
		let worst = Number.POSITIVE_INFINITY;
		let end = start;
		while (end < order.length) {
			const size = weights[order[end]!]! * scale;
			const sum = rowSum + size;
			const min = Math.min(rowMin, size);
			const max = Math.max(rowMax, size);
			const ratio = Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
			if (end > start && ratio > worst) break;
			rowSum = sum;
			rowMin = min;
			rowMax = max;
			worst = ratio;
			end++;
		}

		// The last row takes what is left exactly, so rounding never leaves a gap at the far edge.
		const last = end === order.length;
		if (width >= height) {
			// A column at the left, as wide as the row's share of the area.
			const columnWidth = last ? width : rowSum / height;
			let offset = y;
			for (let position = start; position < end; position++) {
				const share = (weights[order[position]!]! * scale) / rowSum;
				const cellHeight = position === end - 1 ? y + height - offset : height * share;
				result[order[position]!] = {x, y: offset, width: columnWidth, height: cellHeight};
				offset += cellHeight;
			}

			x += columnWidth;
			width -= columnWidth;
		} else {
			// A row at the top, as tall as the row's share of the area.
			const rowHeight = last ? height : rowSum / width;
			let offset = x;
			for (let position = start; position < end; position++) {
				const share = (weights[order[position]!]! * scale) / rowSum;
				const cellWidth = position === end - 1 ? x + width - offset : width * share;
				result[order[position]!] = {x: offset, y, width: cellWidth, height: rowHeight};
				offset += cellWidth;
			}

			y += rowHeight;
			height -= rowHeight;
		}

		start = end;
	}

	return result;
}
