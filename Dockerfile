# One image for every program of the pipeline; docker-compose.yml's `command:` picks one.
#
#   docker build -t alert-enrichment .
#   docker run --rm alert-enrichment processor --help
#
# Build stage: the official Swift image plus the C libraries' headers. Override the tag
# with --build-arg SWIFT_IMAGE=swift:<version>-bookworm; the runtime stage below is
# Debian 12 too, so the two stages must stay on bookworm for the shared libraries to match.
ARG SWIFT_IMAGE=swift:6.2-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        libcurl4-openssl-dev \
        libhiredis-dev \
        libmicrohttpd-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# The manifest names targets under Tests/ too, so SwiftPM wants those folders present.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
# The Swift runtime and Foundation are linked in statically, so the runtime stage needs
# only the C libraries. Only the five products are built, not the test support.
RUN for program in collector processor monitor backfill threat-api; do \
        swift build -c release --static-swift-stdlib --product "$program" || exit 1; \
    done \
    && mkdir -p /out \
    && bin="$(swift build -c release --show-bin-path)" \
    && cp "$bin/collector" "$bin/processor" "$bin/monitor" "$bin/backfill" "$bin/threat-api" /out/ \
    && strip /out/*

FROM ${RUNTIME_IMAGE}
# Runtime libraries only: hiredis, libcurl, libmicrohttpd and the C++ runtime the static
# Swift libraries use; curl for the threat-api health check; tini as PID 1.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        curl \
        libcurl4 \
        libffi8 \
        libhiredis0.14 \
        libmicrohttpd12 \
        libstdc++6 \
        tini \
    && rm -rf /var/lib/apt/lists/*

# A fixed uid, so volume permissions are the same on every host. /data is the directory
# queue's root: a new named volume mounted there starts with this ownership.
RUN groupadd --system --gid 10001 enrich \
    && useradd --system --uid 10001 --gid enrich --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin enrich \
    && mkdir -p /data \
    && chown enrich:enrich /data

COPY --from=build /out/ /usr/local/bin/

ENV QUEUE_BACKEND=dir \
    QUEUE_DIR=/data
WORKDIR /data
USER 10001:10001

# tini forwards SIGTERM to the program, which then finishes its alerts in flight.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["processor", "--help"]
