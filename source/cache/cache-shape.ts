/**
Shape checks for what the analysis cache reads back: a cache file whose checksum holds may still have been
written by someone else (a forged file with a recomputed checksum), so every field is checked against the
type it claims before anything uses it. A shape is typed by what it accepts: an object's fields must name
every key of its type, so a field added to the type without its check fails to compile. Extra keys, wrong
types, NaN, infinities, negative or fractional counts are all refused.
*/

export type Shape<T> = (value: unknown) => value is T;

/** A field that may be absent (or undefined, which JSON drops). */
export type Optional<T> = {optional: Shape<T>};

type Fields<T> = {
	[K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : Shape<T[K]>;
};

export const optional = <T>(shape: Shape<T>): Optional<T> => ({optional: shape});

export const text: Shape<string> = (value): value is string => typeof value === 'string';

export const flag: Shape<boolean> = (value): value is boolean => typeof value === 'boolean';

/** A whole number (a count, a size, an index): not negative, exact in a double. */
export const count: Shape<number> = (value): value is number =>
	Number.isSafeInteger(value) && (value as number) >= 0;

/** A whole number of either sign (mtimes, indices that may be -1). */
export const integer: Shape<number> = (value): value is number => Number.isSafeInteger(value);

/** Any finite number (ratios, scores). */
export const finite: Shape<number> = (value): value is number =>
	typeof value === 'number' && Number.isFinite(value);

export function oneOf<const T extends readonly (string | number | boolean)[]>(
	...values: T
): Shape<T[number]> {
	return (value): value is T[number] => values.includes(value as T[number]);
}

export function arrayOf<T>(item: Shape<T>): Shape<T[]> {
	return (value): value is T[] => Array.isArray(value) && value.every((element) => item(element));
}

export function tupleOf<A, B>(first: Shape<A>, second: Shape<B>): Shape<[A, B]> {
	return (value): value is [A, B] =>
		Array.isArray(value) && value.length === 2 && first(value[0]) && second(value[1]);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string-keyed map of one kind of value (labels, bytes by category). */
export function recordOf<T>(item: Shape<T>): Shape<Record<string, T>> {
	return (value): value is Record<string, T> =>
		isPlainObject(value) && Object.values(value).every((element) => item(element));
}

/** An object with exactly these fields (optional ones may be missing), each of its shape. */
export function object<T>(fields: Fields<T>): Shape<T> {
	const entries = Object.entries(fields) as [string, Shape<unknown> | Optional<unknown>][];
	const known = new Set(entries.map(([key]) => key));
	return (value): value is T => {
		if (!isPlainObject(value)) return false;
		for (const key of Object.keys(value)) {
			if (!known.has(key)) return false;
		}

		return entries.every(([key, check]) =>
			typeof check === 'function'
				? check(value[key])
				: value[key] === undefined || check.optional(value[key]),
		);
	};
}

export function either<A, B>(first: Shape<A>, second: Shape<B>): Shape<A | B> {
	return (value): value is A | B => first(value) || second(value);
}
