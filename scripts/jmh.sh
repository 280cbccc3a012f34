#!/usr/bin/env bash
# Runs the JMH kernel microbenchmarks (idefics4j-bench); arguments go to JMH, e.g. `scripts/jmh.sh MatVec -p threads=2`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
. "$root/scripts/java-env.sh"
(cd "$root" && mvn -B -q -ntp -DskipTests install -pl idefics4j-bench -am >&2)
cd "$root" # benchmarks read bundled files (the tokenizer) by relative path
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "$root/idefics4j-bench/target/idefics4j-bench-0.1.0-SNAPSHOT.jar:$root/idefics4j-bench/target/lib/*" \
  org.openjdk.jmh.Main "$@"
