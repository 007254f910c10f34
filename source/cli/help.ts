/** The `--help` text. The README's usage block must equal it (a test checks). */
export const helpText = `
  Usage
    $ layerlens [image]
    $ docker save myapp:prod | layerlens
    $ layerlens diff <base> <new>
    $ layerlens build [docker build args] [layerlens flags]

    image  a Docker or Podman image reference (myapp:prod, repo@sha256:..., an image ID),
           a \`docker save\` / \`podman save\` tarball, or an OCI image layout directory or tar;
           \`-\` (or nothing, when stdin is a pipe or a file) reads the tarball from stdin.
           dive's prefixes work: docker://ref, podman://ref, docker-archive://path.
           With no image and stdin a terminal, layerlens opens its built-in demo image.
    diff   compare two images (any of the above, mixed, one of them from stdin): the explorer
           in a terminal, --json or --format markdown for a report, --ci to check the budgets.
    build  run \`docker build\` with the arguments layerlens does not know, then analyse the image
           it built as \`layerlens <image id>\` would (dive's \`dive build\`). --platform and
           --no-cache are docker's there; \`--\` passes everything after it to docker.

  Options
    --source <kind>           docker, podman, docker-archive, oci or registry (default: detected)
    --platform <os/arch>      pick a platform of a multi-platform image (e.g. linux/arm64)
    --demo                    open the built-in demo image
    --json                    print the JSON report (same as --format json)
    -j, --json=<file>         write the JSON report to a file (dive's -j FILE); --json FILE too,
                              when an image is also named (layerlens IMAGE --json FILE)
    --format <format>         json, markdown, sarif, html (a page with a treemap) or dive (dive's
                              --json schema): print a report instead of the explorer; with -j FILE,
                              the file's format
    --output <file>           write the report to a file; repeat as --output markdown=FILE
    --dockerfile <path>       map layers and findings to the lines of this Dockerfile
    --ci                      check the rules, print a verdict and exit 0 (pass), 1 (fail), 2 (error)
    --config <path>           rules file (default: .layerlens.yml, else dive's .dive-ci)
    --ci-config <path>        a rules file in dive's .dive-ci format (dive's flag)
    --baseline <path>         findings listed in this file do not fail --ci
    --write-baseline <path>   write the current findings as a baseline file and exit
    --lowest-efficiency <n>   fail --ci below this dive efficiency (0-1)
    --highest-wasted-bytes <size>
                              fail --ci above this many dive wasted bytes (e.g. 20MB)
    --highest-user-wasted-percent <n>
                              fail --ci above this dive wasted/user-size ratio (0-1)
    --max-growth-bytes <size> diff --ci: fail when the new image is this much larger (e.g. 20MB)
    --max-growth-percent <n>  diff --ci: fail when the new image grows by more than n percent
    --fail-on-new <category>  diff --ci: fail on a new secret, build-only, cache or waste finding
                              (repeatable; default: secret, build-only, cache)
    --timestamps              diff: list paths whose only change is their modification time
    --max-layer-bytes <size>  refuse layers that decompress beyond this
                              (default: 32x the stored size, at least 1 GiB over it)
    --registry-username <user>
                              log in to the registry as this user; the password comes from stdin
                              (--registry-password-stdin) or LAYERLENS_REGISTRY_PASSWORD, never a flag
    --registry-password-stdin read the registry password from the first line of stdin
    --insecure-registry <host>
                              allow plain HTTP and unverified TLS for this registry (repeatable)
    --registry-mirror <url>   read Docker Hub images through this mirror first (repeatable; the
                              daemon's registry-mirrors are tried after it)
    --pull <when>             read a named image from its registry: missing (default: when the
                              daemon lacks it), always, or never
    --no-cache                neither read nor write the analysis cache
    --clear-cache             remove every analysis cache file and exit
    --debug                   print stack traces with errors
    -v, --version             print the version
    -h, --help                print this help

  Sizes take SI units (20MB, 20M = 20,000,000 bytes), IEC units (20MiB = 20,971,520 bytes),
  or plain bytes (1,000,000). The rules flags (--config to --highest-user-wasted-percent)
  imply --ci; dive's spellings (--lowestEfficiency, --highestWastedBytes,
  --highestUserWastedPercent) work too.

  Examples
    $ layerlens myapp:prod
    $ layerlens image.tar --format markdown --output report.md
    $ layerlens myapp:prod --ci --output sarif=layerlens.sarif
    $ layerlens diff myapp:prod myapp:slim --format markdown --output size.md
`;
