/**
Ink, imported from this one module. The npm build bundles it into one file (packaging/bundle-ink.ts): ink's
own imports open ~600 files, 416 of them for one function of es-toolkit's compat index, and that import was
half of the explorer's start-up. Under tsx (the tests) it is ink itself.
*/
export * from 'ink';
