#!/usr/bin/env bash
# Submits the ingest job to a running Flink cluster. Options: see jobs/submit-job.sh; job options
# (--model, --bootstrap-servers, --qdrant-host, ...) as in README's "The ingest job".
exec "$(dirname "${BASH_SOURCE[0]}")/submit-job.sh" ingest-job "$@"
