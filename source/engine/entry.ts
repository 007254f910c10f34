/** One tar entry as the engine reads it; a layer stores its entries column by column (entry-columns.ts). */

export type EntryType =
	| 'file'
	| 'dir'
	| 'symlink'
	| 'hardlink'
	| 'char'
	| 'block'
	| 'fifo'
	/** `.wh.<name>`: deletes `path` (file or whole directory) from the layers below. */
	| 'whiteout'
	/** `.wh..wh..opq` inside a directory: hides everything under `path` in the layers below. */
	| 'opaque';

export type TarEntry = {
	/** Normalised POSIX path relative to the image root: no leading `/` or `./`, no trailing `/`, no `.`/`..` segments. For whiteouts, the deleted path; for opaque markers, the directory. */
	path: string;
	type: EntryType;
	/** Content bytes of a regular file; 0 for every other type (hard links included, so they count once). */
	size: number;
	/** Permission bits including setuid/setgid/sticky (`mode & 0o7777`). */
	mode: number;
	uid: number;
	gid: number;
	/** Symlink or hard-link target, as written in the header. */
	linkTarget?: string;
	/** Seconds since the epoch. */
	mtime: number;
	/** Content hash of a regular file (xxHash64, 16 hex digits): tells equal contents apart, nothing more. */
	hash?: string;
	/** What the kernel or the dynamic loader would need to run this file, read from its first bytes while streaming. */
	exec?: ExecInfo;
};

/**
How a regular file runs, as far as its own bytes say: an ELF object's loader and the shared libraries it
asks for, or a script's `#!` line. Read for every ELF file (executables and libraries, whatever their mode)
and for `#!` files with an execute bit. The runtime closure (analysis/closure) follows these links.
*/
export type ExecInfo =
	| {
			kind: 'elf';
			/** 32 or 64 (EI_CLASS). */
			bits: 32 | 64;
			/** e_machine, e.g. 62 for x86-64, 183 for AArch64. */
			machine: number;
			/** e_type: an executable (ET_EXEC), a position-independent executable or shared object (ET_DYN), or other. */
			type: 'exec' | 'dyn' | 'other';
			/** PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`; absent for a static binary or a plain shared library. */
			interpreter?: string;
			/** DT_NEEDED names in order, e.g. `libc.so.6`. */
			needed: string[];
			/** DT_RUNPATH, else DT_RPATH, split on `:` (may hold `$ORIGIN`). */
			runpath: string[];
			/** DT_SONAME of a shared library. */
			soname?: string;
			/** The dynamic section or its strings lay beyond what the reader keeps: `needed` may be incomplete. */
			incomplete?: boolean;
			/** A Go binary's main module, from the build info its linker embeds. */
			goModule?: GoModule;
	  }
	| {
			kind: 'script';
			/** The `#!` interpreter path, e.g. `/usr/bin/env` or `/bin/sh`. */
			interpreter: string;
			/** The one optional argument after it, e.g. `python3` for `#!/usr/bin/env python3`. */
			argument?: string;
	  };

/** The module a Go binary was built from, as its embedded build info names it (see image/go-build-info.ts). */
export type GoModule = {
	/** The main module (`mod` line), or the package path of a binary built outside a module (`cmd/go`). */
	path: string;
	/** `v1.2.3`, `(devel)`, or for a package path, the Go version it was built with. */
	version: string;
};
