/**
The arguments that mean "read the archive from standard input". Its own module so the option parser can ask
without loading the image sources.
*/
export function isStdinArgument(argument: string): boolean {
	return argument === '-' || argument === '/dev/stdin';
}
