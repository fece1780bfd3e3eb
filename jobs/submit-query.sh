#!/usr/bin/env bash
# Submits the query job to a running Flink cluster. Options: see jobs/submit-job.sh; job options as
# `lesion-search query-job --help` lists them.
exec "$(dirname "${BASH_SOURCE[0]}")/submit-job.sh" query-job "$@"
