#!/usr/bin/env bash
# Real-cluster exactly-once test (issue 8, part 1; the serving job: issue 20).
#
# Starts a standalone Flink 2.3.0 cluster from the pinned apache-flink Python package (its pyflink
# folder is a Flink distribution: bin/, lib/ with flink-dist and flink-connector-files): one
# JobManager and two TaskManagers, separate JVMs on loopback, on free ports. Submits
# ClusterExactlyOnceJob (tools/target/anndata-jobs.jar) over a collection of five stores
# (h5ad, zarr v2 directories, a zarr v3 sharded zip) for several epochs, checkpointing into a FileSink.
# After a completed checkpoint, while an epoch is in progress, it kill -9s one TaskManager, starts
# a replacement, waits for the job to finish, and checks:
#   - every (epoch, global index) occurs exactly once in the committed files, each with the sample
#     `anndata-cli dump` prints for that index (CommittedOutputCheck);
#   - the job was restored from a checkpoint (REST: checkpoints latest.restored, restarts).
# Then, on the same cluster, Flink's own SQL client runs examples/sql/cell-type-counts.sql (ADD JAR
# of the shaded flink-sql-connector-anndata jar, a GROUP BY over h5ad + zarr stores): its printed
# counts must equal those computed from `anndata-cli dump`.
# Last, the same job (no kill, 2 epochs, unpaced) over s3:// paths: the pinned moto server
# (python/.venv-s3) on a free loopback port holds a gzip h5ad, a zarr v2 directory and a sharded zarr v3
# zip; the cluster reads them in place by byte ranges through flink-s3-fs-hadoop (the build copies
# it to flink-connector-anndata/target/test-plugins; the script gives the cluster a private plugins
# folder with it, and the endpoint in its private config). Its committed output must equal
# `anndata-cli dump` over the local copies, exactly once per (epoch, index).
# Then the serving job: flink_anndata.serve(..., jobmanager=127.0.0.1:<rest port>) submits
# anndata-serve.jar's job to the cluster (the three local stores, batch size 8, world size 2, 3
# epochs), with a spare TaskManager started beside it. Two ranks (AnnDataBatches, numpy X) hold
# after 5 batches each; a TaskManager running the job is killed -9, and the ranks go on against the
# restarted servers. Each rank must get floor(G/W) batches per epoch, only g ≡ rank (mod 2), no
# (epoch, g) twice, and every batch's global indices equal to positions [gB, (g+1)B) of the epoch
# order (`anndata-cli stream` at parallelism 1, same seed); the job must end FINISHED after a
# failure. Last, stopping a launcher (as ServingJob.stop() does) must cancel its job on the cluster.
# Every process it starts (the JVMs, moto, the ranks) is stopped on exit; logs stay under target/cluster-test/.
#
# Needs: the Maven build (tools/target/anndata-cli.jar and anndata-jobs.jar, the shaded jar in
# flink-sql-connector-anndata/target, the S3 plugin in flink-connector-anndata/target/test-plugins,
# flink-anndata-serving/target/anndata-serve.jar), Java 17, Maven (fetches flink-sql-gateway 2.3.0), Python
# 3.11 with venv (for the PyFlink and moto venvs), curl and jq.
#   bash scripts/cluster-test.sh
# Knobs (environment): CLUSTER_EPOCHS (3), CLUSTER_PACE_MS (sleep per record and subtask, 15),
# CLUSTER_TIMEOUT_S (whole run, 360).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

epochs="${CLUSTER_EPOCHS:-3}"
pace_ms="${CLUSTER_PACE_MS:-15}"
timeout_s="${CLUSTER_TIMEOUT_S:-360}"
parallelism=2
started=$(date +%s)

work="$root/target/cluster-test"
conf="$work/conf"
logs="$work/log"
out="$work/output"

pids=()        # every JVM this script started, stopped on exit
job_id=""
ok=0

log() { echo "[cluster-test $(( $(date +%s) - started ))s] $*"; }

cleanup() {
  local rc=$?
  # cancel a job that is still running, so a checkpoint never races the shutdown
  if [[ $ok -eq 0 && -n "$job_id" && -n "${rest:-}" ]]; then
    curl -s -m 5 -X PATCH "$rest/jobs/$job_id?mode=cancel" >/dev/null 2>&1 || true
  fi
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  local waited=0
  for p in "${pids[@]}"; do
    while kill -0 "$p" 2>/dev/null && (( waited < 20 )); do sleep 0.5; waited=$((waited + 1)); done
    kill -9 "$p" 2>/dev/null || true
  done
  if [[ $ok -ne 1 ]]; then
    echo "== cluster-test FAILED (exit $rc); log tails (full logs under target/cluster-test/log):" >&2
    # the .out files hold each process's console log (the .log files are copies)
    for f in "$logs"/*.out "$work"/submit.out; do
      [[ -f "$f" ]] || continue
      echo "--- $f: last errors, then last lines" >&2
      grep -E 'ERROR|Exception:' "$f" 2>/dev/null | cut -c1-300 | tail -n 8 >&2 || true
      tail -n 5 "$f" | cut -c1-300 >&2
    done
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "cluster-test: $*" >&2; exit 1; }
left() { echo $(( timeout_s - ($(date +%s) - started) )); }
# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s, bounded by the overall timeout
wait_for() {
  local limit=$1 what=$2; shift 2
  local until=$(( $(date +%s) + limit ))
  while ! "$@"; do
    if (( $(date +%s) > until || $(left) <= 0 )); then fail "timed out waiting for $what"; fi
    sleep 0.5
  done
}

# ---- the Flink distribution --------------------------------------------------------------------
log "installing the pinned PyFlink toolchain (python/requirements-pyflink.txt)"
bash python/setup-venv.sh pyflink
log "installing the pinned loopback S3 server (python/requirements-s3.txt)"
bash python/setup-venv.sh s3
FLINK_HOME="$(python/.venv-pyflink/bin/python -c 'import os, pyflink; print(os.path.dirname(os.path.abspath(pyflink.__file__)))')"
export FLINK_HOME
for f in bin/jobmanager.sh bin/taskmanager.sh bin/flink bin/config.sh lib/flink-dist-2.3.0.jar; do
  [[ -e "$FLINK_HOME/$f" ]] || fail "$FLINK_HOME is not a Flink 2.3.0 distribution: no $f"
done
ls "$FLINK_HOME"/lib/flink-connector-files-*.jar >/dev/null 2>&1 || fail "no flink-connector-files in $FLINK_HOME/lib"
for j in anndata-cli.jar anndata-jobs.jar; do
  [[ -f "tools/target/$j" ]] || fail "tools/target/$j is missing: build first (mvn -B -ntp -DskipTests package)"
done
for t in curl jq java; do command -v "$t" >/dev/null || fail "$t is required"; done
moto="$root/python/.venv-s3/bin/moto_server"
[[ -x "$moto" ]] || fail "no $moto: run 'bash python/setup-venv.sh s3'"
s3_plugin="$(ls "$root"/flink-connector-anndata/target/test-plugins/s3-fs-hadoop/flink-s3-fs-hadoop-*.jar 2>/dev/null | head -n 1 || true)"
[[ -n "$s3_plugin" ]] || fail "no flink-s3-fs-hadoop jar in flink-connector-anndata/target/test-plugins/s3-fs-hadoop: build first (mvn -B -ntp -DskipTests package)"

rm -rf "$work"
mkdir -p "$conf" "$logs" "$out" "$work/pids" "$work/checkpoints" "$work/plugins/s3-fs-hadoop"
# A private plugins folder (FLINK_PLUGINS_DIR) with only the S3 file system: the distribution stays untouched.
cp "$s3_plugin" "$work/plugins/s3-fs-hadoop/"
cp "$FLINK_HOME/conf/log4j-console.properties" "$FLINK_HOME/conf/log4j-cli.properties" "$conf/"

# Three free loopback ports (Flink's RPC and REST, moto), chosen by the OS; the other ports (blob, TaskManager RPC and data) are 0,
# i.e. picked by each process, so parallel runs on one machine never collide.
read -r rpc_port rest_port s3_port < <(python/.venv-pyflink/bin/python - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
EOF
)
rest="http://127.0.0.1:$rest_port"
s3_endpoint="http://127.0.0.1:$s3_port"

# Java 17 module flags as in the distribution's own config.yaml
java_opts="$(grep -E '^ +all: ' "$FLINK_HOME/conf/config.yaml" | head -n 1 | sed -E 's/^ +all: //')"
cat > "$conf/config.yaml" <<EOF
env.java.opts.all: $java_opts
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: 1024m
jobmanager.execution.failover-strategy: region
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest_port
blob.server.port: "0"
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.rpc.port: "0"
taskmanager.data.port: 0
taskmanager.numberOfTaskSlots: 1
taskmanager.memory.process.size: 1024m
taskmanager.memory.managed.size: 32m
taskmanager.memory.network.min: 32m
taskmanager.memory.network.max: 32m
parallelism.default: $parallelism
# a killed TaskManager is noticed within seconds (its heartbeat RPCs fail), not after 50 s
heartbeat.interval: 1000
heartbeat.timeout: 6000
# A standalone ResourceManager fails slot requests at once while no slot is free, so restarts
# before the replacement TaskManager registers fail fast: back off so that a few attempts span its
# start-up (several seconds on a loaded machine). The script's own timeout bounds the whole run.
restart-strategy.type: exponential-delay
restart-strategy.exponential-delay.initial-backoff: 1 s
restart-strategy.exponential-delay.max-backoff: 5 s
restart-strategy.exponential-delay.backoff-multiplier: 2.0
restart-strategy.exponential-delay.jitter-factor: 0.0
restart-strategy.exponential-delay.attempts-before-reset-backoff: 30
slot.request.timeout: 60000
execution.checkpointing.dir: file://$work/checkpoints
state.backend.type: hashmap
# the loopback S3 server (moto accepts any key); path-style access, range reads (docs/remote.md)
s3.endpoint: $s3_endpoint
s3.endpoint.region: us-east-1
s3.path.style.access: true
s3.access-key: testing
s3.secret-key: testing
s3.aws.credentials.provider: org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider
s3.experimental.input.fadvise: random
s3.readahead.range: 0
EOF

export FLINK_CONF_DIR="$conf" FLINK_LOG_DIR="$logs" FLINK_PID_DIR="$work/pids" FLINK_PLUGINS_DIR="$work/plugins"
# Every JVM the bin/ scripts start (config parsing, JobManager, TaskManagers, the CLI): C1 only and
# the serial collector. The job is paced, so peak speed does not matter, while C2 compilation and
# parallel GC threads make start-up several times slower on 2 busy cores.
export JVM_ARGS="${JVM_ARGS:-} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
version="$("$FLINK_HOME/bin/flink" --version 2>/dev/null | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' | head -n 1 || true)"
[[ "$version" == 2.3.0 ]] || fail "bin/flink --version says '$version', expected 2.3.0"
log "Flink $version from $FLINK_HOME; JobManager RPC port $rpc_port, REST $rest"

# ---- the collection and its expected samples --------------------------------------------------
fx="$root/flink-connector-anndata/src/test/resources/fixtures"
stores=("$root/examples/data/pbmc68k_reduced.h5ad" "$fx/h5ad/rich_gzip.h5ad" "$fx/zarr2/rich_default.zarr"
        "$fx/zarr3/sharded.zarr.zip" "$fx/zarr2/blosc_zstd_bitshuffle.zarr")
java -jar tools/target/anndata-cli.jar dump "${stores[@]}" --join outer > "$work/expected.jsonl"
n=$(wc -l < "$work/expected.jsonl")
(( n > 0 )) || fail "dump printed no samples"
log "collection: ${#stores[@]} stores, $n samples (dump), $epochs epochs -> $(( n * epochs )) expected (epoch, index) pairs"

# ---- the loopback S3 server (started now, filled while the cluster starts) ----------------------
"$moto" -H 127.0.0.1 -p "$s3_port" > "$logs/moto.out" 2>&1 &
pids+=($!)
moto_pid=$!
disown "$moto_pid"

# ---- the cluster ------------------------------------------------------------------------------
# start-foreground execs the JVM, so $! is the JVM's pid
start_tm() {
  "$FLINK_HOME/bin/taskmanager.sh" start-foreground > "$logs/taskmanager-$1.out" 2>&1 &
  pids+=($!)
  tm_pid=$!
  disown "$tm_pid" # no "Killed" notice from bash: the kill is ours
}
"$FLINK_HOME/bin/jobmanager.sh" start-foreground > "$logs/jobmanager.out" 2>&1 &
pids+=($!)
jm_pid=$!
disown "$jm_pid"
# the TaskManagers start alongside the JobManager (they retry until it answers): JVM start-up
# dominates on a loaded machine, so overlapping the three saves tens of seconds
start_tm 1; tm1=$tm_pid
start_tm 2; tm2=$tm_pid
s3_up() { kill -0 "$moto_pid" 2>/dev/null || fail "moto_server exited (see $logs/moto.out)"; curl -s -o /dev/null -m 2 "$s3_endpoint/"; }
wait_for 60 "the loopback S3 server" s3_up
# a mixed collection: h5ad, zarr v2 directory, sharded zarr v3 zip (all also in the SQL part)
s3_local=("$fx/h5ad/rich_gzip.h5ad" "$fx/zarr2/rich_default.zarr" "$fx/zarr3/sharded.zarr.zip")
s3_paths=()
uploads=()
for f in "${s3_local[@]}"; do s3_paths+=("s3://cells/$(basename "$f")"); uploads+=("$f=$(basename "$f")"); done
python/.venv-s3/bin/python - "$s3_endpoint" cells "${uploads[@]}" > "$work/s3-upload.out" 2>&1 <<'EOF' \
  || { cat "$work/s3-upload.out" >&2; fail "could not upload the S3 collection to $s3_endpoint"; }
import os, sys
import boto3
from botocore.config import Config
endpoint, bucket, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                  aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
s3.create_bucket(Bucket=bucket)
n = 0
for spec in specs:
    local, key = spec.split("=", 1)
    if os.path.isdir(local):
        for d, _, files in os.walk(local):
            for f in files:
                p = os.path.join(d, f)
                s3.upload_file(p, bucket, key + "/" + os.path.relpath(p, local).replace(os.sep, "/"))
                n += 1
    else:
        s3.upload_file(local, bucket, key)
        n += 1
print(n)
EOF
log "S3: moto pid $moto_pid at $s3_endpoint, bucket 'cells': $(tail -n 1 "$work/s3-upload.out") objects of ${#s3_local[@]} stores"
rest_up() { curl -sf -m 2 "$rest/overview" >/dev/null; }
wait_for 150 "the JobManager's REST endpoint" rest_up
tms() { curl -sf -m 2 "$rest/overview" | jq -r '.taskmanagers' 2>/dev/null || echo 0; }
two_tms() { [[ "$(tms)" == 2 ]]; }
wait_for 150 "two TaskManagers to register" two_tms
cluster_up=$(date +%s)
log "cluster up: JobManager pid $jm_pid, TaskManagers pids $tm1 $tm2"

# ---- the job ----------------------------------------------------------------------------------
"$FLINK_HOME/bin/flink" run -d \
  -c io.github.flinkanndata.tools.cluster.ClusterExactlyOnceJob tools/target/anndata-jobs.jar \
  --output "$out" --epochs "$epochs" --parallelism "$parallelism" --pace-ms "$pace_ms" \
  --checkpoint-interval-ms 1000 "${stores[@]}" > "$work/submit.out" 2>&1 || fail "flink run failed"
job_id="$(grep -Eo 'JobID [0-9a-f]{32}' "$work/submit.out" | awk '{print $2}' | head -n 1)"
[[ -n "$job_id" ]] || fail "no JobID in the output of flink run"
submitted=$(date +%s)
log "submitted job $job_id"

job_state() { curl -sf -m 2 "$rest/jobs/$job_id" | jq -r '.state' 2>/dev/null || echo UNKNOWN; }
completed_checkpoints() { curl -sf -m 2 "$rest/jobs/$job_id/checkpoints" | jq -r '.counts.completed // 0' 2>/dev/null || echo 0; }
# committed (visible) lines of one epoch: FileSink hides in-progress and pending files behind a dot
committed_in_epoch() {
  find "$out" -type f ! -name '.*' -exec cat {} + 2>/dev/null | grep -c "^{\"_epoch\":$1," || true
}
# kill when a checkpoint has completed and epoch 1 has started being committed: epoch 1 is then in
# progress (its committed part lags the source by at most a checkpoint interval)
ready_to_kill() {
  local s; s="$(job_state)"
  [[ "$s" == FINISHED || "$s" == FAILED || "$s" == CANCELED ]] && fail "job reached $s before the kill"
  (( $(completed_checkpoints) >= 1 && $(committed_in_epoch 1) > 0 ))
}
wait_for 150 "a completed checkpoint and epoch 1 in progress" ready_to_kill
before_kill=$(completed_checkpoints)
e1=$(committed_in_epoch 1)
kill -9 "$tm1"
killed_at=$(date +%s)
log "kill -9 TaskManager pid $tm1: $before_kill checkpoints completed, epoch 1 has $e1 of $n samples committed"
(( e1 < n )) || fail "epoch 1 was already complete at the kill ($e1 of $n samples): raise CLUSTER_PACE_MS"
start_tm 3; tm3=$tm_pid
log "started replacement TaskManager pid $tm3"

restarts=0
finished() {
  local r s
  r="$(curl -sf -m 2 "$rest/jobs/$job_id/metrics?get=numRestarts" | jq -r '.[0].value // 0' 2>/dev/null || echo 0)"
  [[ "$r" =~ ^[0-9]+$ ]] && (( r > restarts )) && restarts=$r
  s="$(job_state)"
  [[ "$s" == FAILED || "$s" == CANCELED ]] && fail "job ended $s"
  [[ "$s" == FINISHED ]]
}
wait_for "$(left)" "the job to finish" finished
finished_at=$(date +%s)
log "job FINISHED $(( finished_at - killed_at ))s after the kill"

# ---- checks -----------------------------------------------------------------------------------
cp_json="$(curl -sf -m 5 "$rest/jobs/$job_id/checkpoints")"
ex_json="$(curl -sf -m 5 "$rest/jobs/$job_id/exceptions")"
restored_id="$(jq -r '.latest.restored.id // empty' <<<"$cp_json")"
completed="$(jq -r '.counts.completed' <<<"$cp_json")"
failures="$(jq -r '(.exceptionHistory.entries // []) | length' <<<"$ex_json")"
# root causes, e.g. "1x JobMasterException: TaskManager ... not reachable, 8x NoResourceAvailableException":
# the kill, then restarts that found no free slot before the replacement registered
causes="$(jq -r '[(.exceptionHistory.entries // [])[]
    | ([.stacktrace // "" | scan("Caused by: ([A-Za-z0-9_.$]+)") | .[0]] | last) // .exceptionName
    | sub("^.*[.]"; "")]
  | group_by(.) | map("\(length)x \(.[0])") | join(", ")' <<<"$ex_json")"
log "checkpoints completed $completed; restored from checkpoint ${restored_id:-none}; restarts $restarts; failures $failures ($causes)"
[[ -n "$restored_id" ]] || fail "the job was never restored from a checkpoint"
(( restarts >= 1 || failures >= 1 )) || fail "the job reports no restart and no failure"
# each TaskManager has one slot and the job needs two: it can only have finished on the survivor
# and the replacement, which must be the two TaskManagers registered now
tms_now="$(curl -sf -m 5 "$rest/taskmanagers" | jq -r '.taskmanagers | length')"
log "TaskManagers registered at the end: $tms_now (the killed one is gone)"
(( tms_now == 2 )) || fail "expected the survivor and the replacement, found $tms_now TaskManagers"

log "checking the committed output against dump"
java -cp tools/target/anndata-cli.jar io.github.flinkanndata.tools.cluster.CommittedOutputCheck \
  "$out" "$work/expected.jsonl" "$epochs" | tee "$work/check.txt"
log "figures: cluster start $(( cluster_up - started ))s into the run, job submitted after $(( submitted - cluster_up ))s, killed $(( killed_at - submitted ))s into the job, finished $(( finished_at - killed_at ))s after the kill"
log "PASS: $(( n * epochs )) (epoch, index) pairs exactly once after kill -9 of a TaskManager"

# ---- Flink's SQL client on the same cluster ---------------------------------------------------
# examples/sql/cell-type-counts.sql as docs/sql.md shows it: ADD JAR of the shaded connector, a table
# over a mixed h5ad + zarr collection, a GROUP BY. The printed counts must equal those of dump.
sql_jar="$(ls "$root"/flink-sql-connector-anndata/target/flink-sql-connector-anndata-*.jar 2>/dev/null \
  | grep -v -e '/original-' -e '-sources' -e '-javadoc' | head -n 1 || true)"
[[ -n "$sql_jar" ]] || fail "flink-sql-connector-anndata/target has no shaded jar: build first"
# The distribution of the apache-flink package lacks the SQL gateway that the client embeds; take
# it from Maven Central at the same version, beside the distribution's own opt/ jars.
opt="$work/opt"
mkdir -p "$opt"
ln -sf "$FLINK_HOME"/opt/*.jar "$opt/"
if ! ls "$FLINK_HOME"/opt/flink-sql-gateway-*.jar >/dev/null 2>&1; then
  mvn -B -ntp -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact=org.apache.flink:flink-sql-gateway:2.3.0 -DoutputDirectory="$opt" \
    || fail "could not fetch flink-sql-gateway 2.3.0"
fi
sql_stores=("$root/examples/data/pbmc68k_reduced.h5ad" "$fx/h5ad/rich_gzip.h5ad" "$fx/zarr2/rich_default.zarr"
            "$fx/zarr3/sharded.zarr.zip")
sql_paths="$(IFS=';'; echo "${sql_stores[*]}")"
sed -e "s|\${CONNECTOR_JAR}|$sql_jar|" -e "s|\${STORES}|$sql_paths|" examples/sql/cell-type-counts.sql \
  > "$work/cell-type-counts.sql"
log "SQL client: sql-client.sh -f cell-type-counts.sql (ADD JAR $(basename "$sql_jar"))"
sql_started=$(date +%s)
FLINK_OPT_DIR="$opt" timeout "$(left)" "$FLINK_HOME/bin/sql-client.sh" -f "$work/cell-type-counts.sql" \
  > "$work/sql-client.out" 2>&1 || { cat "$work/sql-client.out" >&2; fail "sql-client.sh failed"; }
# tableau rows "| <label> | <n> |" after the header row; NULL prints as <NULL>
table_rows() { grep -E '^\|' | sed 1d | awk -F'|' '{gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 "\t" $3}' | LC_ALL=C sort; }
got="$(table_rows < "$work/sql-client.out")"
want="$(java -jar tools/target/anndata-cli.jar dump --join outer --obs-keys cell_type --encode-labels false \
  --layers-keys '' "${sql_stores[@]}" | jq -r '.cell_type // "<NULL>"' | LC_ALL=C sort | uniq -c \
  | awk '{c = $1; $1 = ""; sub(/^ /, ""); print $0 "\t" c}' | LC_ALL=C sort)"
echo "$got" > "$work/sql-counts.tsv"
echo "$want" > "$work/dump-counts.tsv"
[[ -n "$got" ]] || { cat "$work/sql-client.out" >&2; fail "the SQL client printed no rows"; }
if [[ "$got" != "$want" ]]; then
  diff "$work/dump-counts.tsv" "$work/sql-counts.tsv" >&2 || true
  fail "the SQL client's counts differ from dump's (left: dump, right: SQL)"
fi
log "SQL client: $(wc -l <<<"$got") groups, counts equal dump's, in $(( $(date +%s) - sql_started ))s"

# ---- the same job over s3:// on the same cluster ------------------------------------------------
# no kill and no pacing: a bounded run over range reads whose committed output must equal dump of the
# local copies, each (epoch, index) once
s3_epochs=2
out_s3="$work/output-s3"
java -jar tools/target/anndata-cli.jar dump "${s3_local[@]}" --join outer > "$work/expected-s3.jsonl"
n_s3=$(wc -l < "$work/expected-s3.jsonl")
(( n_s3 > 0 )) || fail "dump printed no samples for the S3 collection"
s3_started=$(date +%s)
"$FLINK_HOME/bin/flink" run -d \
  -c io.github.flinkanndata.tools.cluster.ClusterExactlyOnceJob tools/target/anndata-jobs.jar \
  --output "$out_s3" --epochs "$s3_epochs" --parallelism "$parallelism" --pace-ms 0 \
  --checkpoint-interval-ms 1000 "${s3_paths[@]}" > "$work/submit-s3.out" 2>&1 \
  || { cat "$work/submit-s3.out" >&2; fail "flink run over s3:// failed"; }
job_id="$(grep -Eo 'JobID [0-9a-f]{32}' "$work/submit-s3.out" | awk '{print $2}' | head -n 1)"
[[ -n "$job_id" ]] || fail "no JobID in the output of flink run over s3://"
log "S3: submitted job $job_id over ${s3_paths[*]} ($n_s3 samples, $s3_epochs epochs)"
# nothing is killed here: any restart is a failure of the S3 reads, reported with its cause
s3_finished() {
  local r s
  r="$(curl -sf -m 2 "$rest/jobs/$job_id/metrics?get=numRestarts" | jq -r '.[0].value // 0' 2>/dev/null || echo 0)"
  s="$(job_state)"
  if [[ "$s" == FAILED || "$s" == CANCELED ]] || { [[ "$r" =~ ^[0-9]+$ ]] && (( r > 0 )); }; then
    curl -sf -m 5 "$rest/jobs/$job_id/exceptions" | jq -r '.exceptionHistory.entries[0].stacktrace // .rootException // empty' \
      | grep -E '^(Caused by: )?[A-Za-z0-9_.$]+(Exception|Error)' | cut -c1-300 | tail -n 4 >&2 || true
    fail "the job over s3:// did not run cleanly (state $s, restarts $r)"
  fi
  [[ "$s" == FINISHED ]]
}
wait_for "$(left)" "the job over s3:// to finish" s3_finished
log "S3: job FINISHED in $(( $(date +%s) - s3_started ))s; checking its committed output against dump of the local copies"
java -cp tools/target/anndata-cli.jar io.github.flinkanndata.tools.cluster.CommittedOutputCheck \
  "$out_s3" "$work/expected-s3.jsonl" "$s3_epochs" | tee "$work/check-s3.txt" \
  || fail "the output of the job over s3:// differs from dump of the local stores"
log "S3: PASS: $(( n_s3 * s3_epochs )) (epoch, index) pairs exactly once over s3://, samples equal dump's"
# ---- the serving job (anndata-serve --jobmanager) on the same cluster ----------------------------
# flink_anndata.serve(..., jobmanager=) submits anndata-serve's job to this cluster; two ranks pull
# its numbered batches over Arrow Flight from the servers the sink's subtasks start on the
# TaskManagers. The ranks stop after a few batches; once a checkpoint has completed, a TaskManager
# that runs part of the job is killed -9 (a spare one, started with the step, takes its place) and
# the ranks go on: they reconnect to the restored servers. The reference is the epoch order a plain
# cell source emits at parallelism 1 (anndata-cli stream, same seed and sampling): batch g of an
# epoch holds positions [gB, (g+1)B).
serve_jar="$root/flink-anndata-serving/target/anndata-serve.jar"
[[ -f "$serve_jar" ]] || fail "flink-anndata-serving/target/anndata-serve.jar is missing: build first"
serve_epochs=3 serve_b=8 serve_w=2 serve_seed=7 serve_pause=5
serve_dir="$work/serving"
mkdir -p "$serve_dir"
start_tm 4; tm4=$tm_pid # the spare: the job's restart finds a free slot at once
java -jar tools/target/anndata-cli.jar stream --parallelism 1 --sampling block-shuffled --seed "$serve_seed" \
  --epochs "$serve_epochs" --layers-keys '' --output "$work/serving-order.jsonl" "${s3_local[@]}" \
  > "$work/serving-order.out" 2>&1 || { cat "$work/serving-order.out" >&2; fail "anndata-cli stream failed"; }
serve_started=$(date +%s)
log "serving: flink_anndata.serve(jobmanager=127.0.0.1:$rest_port) over ${#s3_local[@]} local stores, B $serve_b, $serve_w ranks, $serve_epochs epochs; spare TaskManager pid $tm4"
# the package from this tree (the venv's installed copy may be older); it needs pyarrow only
PYTHONPATH="$root/python/flink-anndata/src" python/.venv-pyflink/bin/python - "$serve_jar" \
  "127.0.0.1:$rest_port" "$serve_dir" "$work/serving-order.jsonl" "$serve_b" "$serve_w" "$serve_epochs" \
  "$serve_seed" "$serve_pause" "${s3_local[@]}" > "$work/serving-check.out" 2>&1 <<'EOF' &
import json, signal, sys, threading, time
from pathlib import Path
from flink_anndata import AnnDataBatches, serve

signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the script's cleanup: stop the launcher too
jar, jobmanager, endpoint_dir, order_file = sys.argv[1:5]
B, W, epochs, seed, pause = (int(a) for a in sys.argv[5:10])
stores = sys.argv[10:]
orders = {}
with open(order_file) as f:
    for line in f:
        r = json.loads(line)
        orders.setdefault(r["_epoch"], []).append(r["_global_idx"])
assert sorted(orders) == list(range(epochs)), f"the reference has epochs {sorted(orders)}"
# rank r: the batches g ≡ r (mod W) below floor(G / W) * W of each epoch, in order
expected = {r: [] for r in range(W)}
per_epoch = {}
for e in range(epochs):
    G = len(orders[e]) // B
    per_epoch[e] = G // W
    for g in range(per_epoch[e] * W):
        expected[g % W].append((e, g, tuple(orders[e][g * B:(g + 1) * B])))

work = Path(endpoint_dir).parent
got, errors = {}, []
def pull(rank, job):
    try:
        ds = AnnDataBatches(endpoint_dir, rank, W, timeout=120, x_format="numpy", job=job)
        items = []
        for x, obs in ds:
            indptr, indices, data, shape = x
            assert shape[0] == B and len(indptr) == B + 1 and len(indices) == len(data) == indptr[-1], shape
            items.append((ds.last["epoch"], ds.last["g"], tuple(int(i) for i in obs["global_index"])))
            if len(items) == pause:  # hold here until the script has killed a TaskManager
                (work / f"serving-paused-{rank}").touch()
                until = time.monotonic() + 180
                while not (work / "serving-resume").exists():
                    assert time.monotonic() < until, "the script never resumed the ranks"
                    time.sleep(0.1)
        got[rank] = (items, ds.uri)
    except BaseException as e:  # reported below
        errors.append(f"rank {rank}: {type(e).__name__}: {e}")

with serve(stores, B, world_size=W, epochs=epochs, seed=seed, parallelism=2, servers=2, endpoint_dir=endpoint_dir,
           jobmanager=jobmanager, jar=jar, checkpoint_interval_ms=500, idle_timeout=60) as job:
    threads = [threading.Thread(target=pull, args=(r, job)) for r in range(W)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    if errors:
        sys.exit("; ".join(errors))
    job.wait(120)
    status = job.status()
assert status and status.get("state") == "FINISHED", f"status.json: {status}"
seen = set()
for r in range(W):
    items, uri = got[r]
    for e in range(epochs):
        n = sum(1 for it in items if it[0] == e)
        assert n == per_epoch[e], f"rank {r} got {n} batches of epoch {e}, expected floor(G/W) = {per_epoch[e]}"
    for e, g, _ in items:
        assert g % W == r, f"rank {r} got batch (epoch {e}, g {g})"
        assert (e, g) not in seen, f"batch (epoch {e}, g {g}) was received twice"
        seen.add((e, g))
    for a, b in zip(items, expected[r]):
        assert a == b, f"rank {r}: batch (epoch {a[0]}, g {a[1]}) holds {a[2]}, positions [gB, (g+1)B) of the epoch order are {b[2]}"
    assert items == expected[r], f"rank {r}: {len(items)} batches, expected {len(expected[r])}"
    print(f"rank {r}: {len(items)} batches ({per_epoch} per epoch) from {uri}, equal to the epoch order")
EOF
ranks_pid=$!
pids+=("$ranks_pid")
ranks_failed() {
  cat "$work/serving-check.out" >&2
  tail -n 20 "$serve_dir/serve.log" >&2 || true
  fail "the serving job on the cluster failed its checks ($*)"
}
serve_job=""
ranks_paused() {
  kill -0 "$ranks_pid" 2>/dev/null || { wait "$ranks_pid" || true; ranks_failed "the ranks ended before the kill"; }
  [[ -z "$serve_job" ]] && serve_job="$(curl -sf -m 2 "$rest/jobs/overview" \
    | jq -r '[.jobs[] | select(.name == "anndata-serve" and .state == "RUNNING")] | first | .jid // empty' 2>/dev/null || true)"
  [[ -n "$serve_job" && -f "$work/serving-paused-0" && -f "$work/serving-paused-1" ]]
}
wait_for 120 "the ranks to hold after $serve_pause batches" ranks_paused
job_id="$serve_job" # cancelled on a failure exit
# a TaskManager running a subtask of the job: its ResourceID, then the pid of the JVM that logged it
vertex="$(curl -sf -m 5 "$rest/jobs/$serve_job" | jq -r '.vertices[0].id')"
victim_id="$(curl -sf -m 5 "$rest/jobs/$serve_job/vertices/$vertex/taskmanagers" | jq -r '.taskmanagers[0]["taskmanager-id"]')"
victim=""
for i in 2 3 4; do
  grep -q "ResourceID: $victim_id\$" "$logs/taskmanager-$i.out" 2>/dev/null || continue
  case $i in 2) victim=$tm2 ;; 3) victim=$tm3 ;; 4) victim=$tm4 ;; esac
done
[[ -n "$victim" ]] || fail "found no pid for TaskManager $victim_id of the serving job"
kill -9 "$victim"
log "serving: ranks paused after $serve_pause batches each; kill -9 TaskManager pid $victim ($victim_id), job $serve_job"
touch "$work/serving-resume"
wait "$ranks_pid" || ranks_failed "exit code $?"
cat "$work/serving-check.out"
serve_state="$(curl -sf -m 5 "$rest/jobs/$serve_job" | jq -r '.state')"
serve_restored="$(curl -sf -m 5 "$rest/jobs/$serve_job/checkpoints" | jq -r '.latest.restored.id // "none"')"
serve_failures="$(curl -sf -m 5 "$rest/jobs/$serve_job/exceptions" | jq -r '(.exceptionHistory.entries // []) | length')"
log "serving: job $serve_job ended $serve_state after $(( $(date +%s) - serve_started ))s; failures $serve_failures, restored from checkpoint $serve_restored"
[[ "$serve_state" == FINISHED ]] || fail "the serving job on the cluster ended $serve_state"
(( serve_failures >= 1 )) || fail "the serving job reports no failure after the kill"
log "serving: PASS: $serve_w ranks got their batches exactly once across the kill, each equal to its positions of the epoch order"
# stopping the launcher (ServingJob.stop(), SIGTERM) cancels its job on the cluster, which would
# otherwise keep its slots until the idle timeout (10 minutes here)
stop_started=$(date +%s)
PYTHONPATH="$root/python/flink-anndata/src" timeout "$(left)" python/.venv-pyflink/bin/python - "$serve_jar" \
  "127.0.0.1:$rest_port" "$work/serving-stop" "${s3_local[@]}" > "$work/serving-stop.out" 2>&1 <<'EOF' \
  || { cat "$work/serving-stop.out" >&2; fail "the second serving job did not start"; }
import sys
from flink_anndata import AnnDataBatches, serve

jar, jobmanager, endpoint_dir = sys.argv[1:4]
with serve(sys.argv[4:], 8, epochs=50, endpoint_dir=endpoint_dir, jobmanager=jobmanager, jar=jar,
           idle_timeout=600) as job:
    x, obs = next(iter(AnnDataBatches(endpoint_dir, 0, 1, timeout=120, x_format="numpy", job=job)))
    print(f"got a batch of {len(obs['global_index'])} cells; stopping the launcher")
EOF
stop_job="$(curl -sf -m 5 "$rest/jobs/overview" | jq -r '[.jobs[] | select(.name == "anndata-serve")] | sort_by(.["start-time"]) | last | .jid')"
job_id="$stop_job"
stop_cancelled() { [[ "$(curl -sf -m 2 "$rest/jobs/$stop_job" | jq -r '.state' 2>/dev/null)" == CANCELED ]]; }
wait_for 30 "the serving job $stop_job to be cancelled after its launcher stopped" stop_cancelled
log "serving: stopping the launcher cancelled its job $stop_job (CANCELED, $(( $(date +%s) - stop_started ))s for start, one batch and stop)"
ok=1
log "PASS: total $(( $(date +%s) - started ))s"
