/**
Imported first by tests that drive Ink's own `render` (not ink-testing-library's debug renderer): Ink
decides at import time, from the CI variable, to draw only the final frame, and .ci/run sets CI=true.
These tests stand for a person at a terminal, so they run without it.
*/
delete process.env.CI;
