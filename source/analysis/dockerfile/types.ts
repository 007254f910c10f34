/** A Dockerfile as plain data: stages of instructions, each with the line it starts on. */

export type DockerfileInstruction = {
	/** Upper-case keyword: `RUN`, `COPY`, ... */
	kind: string;
	/** Options before the arguments, e.g. `{from: 'build', chown: 'node'}` (`--link` gives `link: ''`). */
	flags: Record<string, string>;
	/**
	The arguments after the keyword and options, continuation lines joined. Variables are substituted
	for the instructions Docker substitutes (COPY, ADD, ENV, WORKDIR, ...), not for RUN/CMD/ENTRYPOINT,
	whose shell expands them at run time (history records them unexpanded too).
	*/
	args: string;
	/** Heredoc bodies (`<<EOF` ... `EOF`) in order. */
	heredocs: {delimiter: string; body: string}[];
	/** 1-based line of the keyword. */
	line: number;
	/** 1-based last line (continuations and heredocs included). */
	endLine: number;
};

export type DockerfileStage = {
	index: number;
	/** `AS name`, lower-cased as Docker treats it. */
	name?: string;
	/** The image or earlier stage named in FROM, with build arguments substituted. */
	base: string;
	platform?: string;
	line: number;
	instructions: DockerfileInstruction[];
};

export type ParsedDockerfile = {
	/** The file as written: the suggestion copies its lines verbatim. */
	text: string;
	/** Parser directives from the top of the file (`# syntax=...`, `# escape=...`). */
	directives: Record<string, string>;
	/** ARGs declared before the first FROM, with their defaults. */
	globalArgs: Record<string, string | undefined>;
	stages: DockerfileStage[];
};
